//! Business figures as CloudWatch metrics: one log line in CloudWatch's embedded
//! metric format per handler call, which CloudWatch Logs turns into data points
//! of the `Helpdesk` namespace without an API call (and without cost beyond the
//! log line). The template's dashboard shows them; `NAMES` is the list a test
//! holds the dashboard to.

/// The namespace of every figure (the channel self-test's `ProbeMissed` too).
pub const NAMESPACE: &str = "Helpdesk";

/// Every figure the functions emit.
pub const NAMES: [&str; 10] = [
    "TicketsCreated",
    "MailsReceived",
    "MailsQuarantined",
    "MailsSent",
    "MailsFailed",
    "MailsThrottled",
    "SlaWarnings",
    "SlaBreaches",
    "SlaEscalations",
    "ProbeMissed",
];

/// The log line for `figures` at `at_ms` (epoch milliseconds); none when every
/// figure is zero (an idle call logs nothing).
pub fn line(figures: &[(&'static str, u64)], at_ms: i64) -> Option<String> {
    let figures: Vec<_> = figures.iter().filter(|(_, n)| *n > 0).collect();
    if figures.is_empty() {
        return None;
    }
    let mut doc = serde_json::Map::new();
    let metrics: Vec<_> = figures
        .iter()
        .map(|(name, _)| serde_json::json!({"Name": name, "Unit": "Count"}))
        .collect();
    doc.insert(
        "_aws".into(),
        serde_json::json!({
            "Timestamp": at_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [[]],
                "Metrics": metrics,
            }],
        }),
    );
    for (name, n) in figures {
        doc.insert((*name).to_owned(), serde_json::json!(n));
    }
    Some(serde_json::Value::Object(doc).to_string())
}

/// Prints the line for `figures` now, to standard output (the function's log).
pub fn emit(figures: &[(&'static str, u64)]) {
    if let Some(line) = line(figures, chrono::Utc::now().timestamp_millis()) {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_become_one_embedded_metric_line_and_zeros_none() {
        let text =
            line(&[("MailsSent", 3), ("MailsFailed", 0)], 1_700_000_000_000).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(v["MailsSent"], 3);
        assert!(v.get("MailsFailed").is_none(), "{v}");
        let m = &v["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(m["Namespace"], NAMESPACE);
        assert_eq!(m["Metrics"][0]["Name"], "MailsSent");
        assert_eq!(v["_aws"]["Timestamp"], 1_700_000_000_000_i64);
        assert_eq!(line(&[("MailsSent", 0)], 0), None);
    }

    #[test]
    fn every_figure_has_a_name_cloudwatch_takes() {
        for name in NAMES {
            assert!(
                !name.is_empty()
                    && name.len() <= 255
                    && name.chars().all(|c| c.is_ascii_alphanumeric()),
                "{name}"
            );
        }
    }
}
