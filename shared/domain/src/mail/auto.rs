//! Which mail is automatic (DESIGN.md §4): never answered, never opens a ticket.

use crate::email::EmailAddress;

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
    /// Header names and unfolded values, in message order.
    pub headers: &'a [(&'a str, String)],
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

pub fn classify(signals: &AutoSignals<'_>) -> Option<AutoReason> {
    for (name, value) in signals.headers {
        let v = value.trim().to_ascii_lowercase();
        let reason = match name.to_ascii_lowercase().as_str() {
            "auto-submitted" if !v.is_empty() && v != "no" => {
                Some(AutoReason::AutoSubmitted(v.clone()))
            }
            "precedence" if matches!(v.as_str(), "bulk" | "list" | "junk" | "auto_reply") => {
                Some(AutoReason::Precedence(v.clone()))
            }
            "x-auto-response-suppress" if !v.is_empty() && v != "none" => {
                Some(AutoReason::AutoResponseSuppress)
            }
            n if n.starts_with("x-autoreply") || n == "x-autorespond" => {
                Some(AutoReason::XAutoreply)
            }
            "list-id" => Some(AutoReason::ListId),
            "return-path"
                if v.trim_matches(|c| c == '<' || c == '>' || c == ' ')
                    .is_empty() =>
            {
                Some(AutoReason::NullReturnPath)
            }
            _ => None,
        };
        if reason.is_some() {
            return reason;
        }
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
            headers: &[(name, value.to_owned())],
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
