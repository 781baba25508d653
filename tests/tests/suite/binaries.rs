//! The function binaries themselves: started with a required variable missing they
//! exit at once, naming it.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// target/<profile>/ — where `cargo build --bins` (run by `make test`) put them.
fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap_or_else(|| panic!("no target dir above {exe:?}"));
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{path:?} is missing: build it with `cargo build --bins` (make test does)"
    );
    path
}

#[test]
fn a_function_without_its_configuration_exits_at_once_naming_the_variable() {
    let cases = [
        ("submit-form", vec![], "HELPDESK_MAIN_TABLE"),
        (
            "agent-api",
            vec![("HELPDESK_MAIN_TABLE", "m"), ("HELPDESK_OPS_TABLE", "o")],
            "HELPDESK_OUTBOUND_QUEUE_URL",
        ),
        (
            "inbound-mail",
            vec![("HELPDESK_MAIN_TABLE", "m"), ("HELPDESK_OPS_TABLE", "o")],
            "HELPDESK_RAW_MAIL_BUCKET",
        ),
        (
            "send-reply",
            vec![("HELPDESK_MAIN_TABLE", "m"), ("HELPDESK_OPS_TABLE", "o")],
            "HELPDESK_MAIL_FROM",
        ),
        (
            "sla-escalation",
            vec![("HELPDESK_MAIN_TABLE", "m")],
            "HELPDESK_OPS_TABLE",
        ),
        (
            "search-indexer",
            vec![("HELPDESK_MAIN_TABLE", "m"), ("HELPDESK_OPS_TABLE", "o")],
            "HELPDESK_ATTACHMENTS_BUCKET",
        ),
        // Retention deletes a purged ticket's files.
        (
            "sla-escalation",
            vec![
                ("HELPDESK_MAIN_TABLE", "m"),
                ("HELPDESK_OPS_TABLE", "o"),
                ("HELPDESK_OUTBOUND_QUEUE_URL", "http://127.0.0.1:1/q"),
            ],
            "HELPDESK_ATTACHMENTS_BUCKET",
        ),
        // The channel self-test is on by default and needs its sender.
        (
            "sla-escalation",
            vec![
                ("HELPDESK_MAIN_TABLE", "m"),
                ("HELPDESK_OPS_TABLE", "o"),
                ("HELPDESK_OUTBOUND_QUEUE_URL", "http://127.0.0.1:1/q"),
                ("HELPDESK_ATTACHMENTS_BUCKET", "files"),
                ("HELPDESK_RAW_MAIL_BUCKET", "mail"),
            ],
            "HELPDESK_MAIL_FROM",
        ),
    ];
    for (name, vars, missing) in cases {
        let started = Instant::now();
        let out = Command::new(binary(name))
            .env_clear()
            .envs(vars)
            .output()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "{name} started without configuration"
        );
        assert!(
            stderr.contains(&format!("{missing} is not set")),
            "{name}: {stderr}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{name} did not exit at once"
        );
    }
}
