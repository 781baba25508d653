//! Which mail is automatic (README.md, "Mail"): never answered, never opens a ticket.

use crate::values::email::EmailAddress;

/// Why a mail counts as automatic, for the record an admin sees.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule", content = "value")]
pub enum AutoReason {
    AutoSubmitted(String),
    Precedence(String),
    AutoResponseSuppress,
    XAutoreply,
    ListId,
    NullReturnPath,
    SystemSender,
    DeliveryReport,
    /// From one of our own addresses: answering would loop.
    OwnAddress,
}

/// The headers and facts the rules look at, as the parser found them.
#[derive(Debug, Clone, Default)]
pub struct AutoSignals<'a> {
    /// Header names and raw values (as folded in the mail), in message order.
    pub headers: &'a [(&'a str, &'a str)],
    pub content_type: Option<(String, String)>,
    pub from: Option<&'a EmailAddress>,
}

/// Local parts that never belong to a person who reads replies.
pub fn is_system_mailbox(address: &EmailAddress) -> bool {
    let local = address.local_part().to_ascii_lowercase();
    let local = local.split_once('+').map_or(local.as_str(), |(b, _)| b);
    let squashed: String = local
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    matches!(local, "mailer-daemon" | "postmaster" | "bounce" | "bounces")
        || squashed.starts_with("noreply")
        || squashed.starts_with("donotreply")
        || squashed == "mailerdaemon"
}

/// The header rules: only the headers they name are unfolded and lowercased.
fn header_rule(name: &str, raw: &str) -> Option<AutoReason> {
    let is = |n: &str| name.eq_ignore_ascii_case(n);
    let lower = || super::parse::unfold(raw).to_ascii_lowercase();
    if is("auto-submitted") {
        let v = lower();
        (!v.is_empty() && v != "no").then_some(AutoReason::AutoSubmitted(v))
    } else if is("precedence") {
        let v = lower();
        matches!(v.as_str(), "bulk" | "list" | "junk" | "auto_reply")
            .then_some(AutoReason::Precedence(v))
    } else if is("x-auto-response-suppress") {
        let v = lower();
        (!v.is_empty() && v != "none").then_some(AutoReason::AutoResponseSuppress)
    } else if name
        .get(..11)
        .is_some_and(|p| p.eq_ignore_ascii_case("x-autoreply"))
        || is("x-autorespond")
    {
        Some(AutoReason::XAutoreply)
    } else if is("list-id") {
        Some(AutoReason::ListId)
    } else if is("return-path") {
        raw.trim_matches(|c: char| c == '<' || c == '>' || c.is_whitespace())
            .is_empty()
            .then_some(AutoReason::NullReturnPath)
    } else {
        None
    }
}

pub fn classify(signals: &AutoSignals<'_>) -> Option<AutoReason> {
    if let Some(reason) = signals
        .headers
        .iter()
        .find_map(|(name, raw)| header_rule(name, raw))
    {
        return Some(reason);
    }
    if let Some((kind, sub)) = &signals.content_type
        && kind == "multipart"
        && sub == "report"
    {
        return Some(AutoReason::DeliveryReport);
    }
    if signals.from.is_some_and(is_system_mailbox) {
        return Some(AutoReason::SystemSender);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: &'static str, value: &str) -> Option<AutoReason> {
        classify(&AutoSignals {
            headers: &[(name, value)],
            ..Default::default()
        })
    }

    #[test]
    fn each_header_rule_marks_mail_automatic() {
        assert_eq!(with("Auto-Submitted", "no"), None);
        assert_eq!(
            with("Auto-Submitted", "auto-replied"),
            Some(AutoReason::AutoSubmitted("auto-replied".into()))
        );
        assert!(with("Precedence", "Bulk").is_some());
        assert_eq!(with("Precedence", "first-class"), None);
        assert!(with("X-Auto-Response-Suppress", "All").is_some());
        assert!(with("X-Autoreply", "yes").is_some());
        assert!(with("X-Autoreply-From", "x").is_some());
        assert!(with("List-Id", "<news.example.com>").is_some());
        assert_eq!(with("Return-Path", "<>"), Some(AutoReason::NullReturnPath));
        assert_eq!(with("Return-Path", "<ann@example.org>"), None);
    }

    #[test]
    fn system_senders_and_reports_are_automatic() {
        for a in [
            "MAILER-DAEMON@x.org",
            "postmaster@x.org",
            "no-reply@x.org",
            "noreply+1@x.org",
            "do_not_reply@x.org",
        ] {
            assert!(is_system_mailbox(&EmailAddress::parse(a).unwrap()), "{a}");
        }
        assert!(!is_system_mailbox(
            &EmailAddress::parse("nora@x.org").unwrap()
        ));
        let report = classify(&AutoSignals {
            content_type: Some(("multipart".into(), "report".into())),
            ..Default::default()
        });
        assert_eq!(report, Some(AutoReason::DeliveryReport));
    }
}
