//! What a mail itself says about where it belongs, read without any lookup, and the
//! whole untrusted-bytes path the fuzzer drives.

use super::parse::{InboundMail, MailLimits, Unreadable, parse};
use crate::mail::reply_token::ReplyKeys;
use crate::tickets::message::{SanitizedHtml, ThreadedBy};
use crate::values::ids::TicketRef;

/// `[#ABCDE12345]` (or `[#ABCDE-12345]`) anywhere in a subject.
pub fn subject_reference(subject: &str) -> Option<TicketRef> {
    subject.match_indices("[#").find_map(|(at, _)| {
        let rest = &subject[at + 2..];
        let end = rest.find(']')?;
        TicketRef::parse(&rest[..end]).ok()
    })
}

/// What in a mail can say where it belongs, before any lookup: a verified token
/// (in the Reply-To plus-address or our References id), the Message-IDs to look
/// up (the mail's own first, to see whether it was used before: a store looks up
/// a bounded number, and a mail listing a hundred ids must not push it out), and
/// `[#REF]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Clues {
    pub token: Option<(TicketRef, ThreadedBy)>,
    pub message_ids: Vec<String>,
    pub subject_reference: Option<TicketRef>,
}

impl Clues {
    pub fn of(mail: &InboundMail, keys: &ReplyKeys, domain: &str) -> Self {
        let referenced = mail.referenced_ids();
        let token = keys
            .find_in_addresses(&mail.recipients, domain, &mail.from)
            .map(|t| (t, ThreadedBy::ReplyToToken))
            .or_else(|| {
                keys.find_in_message_ids(&referenced, domain, &mail.from)
                    .map(|t| (t, ThreadedBy::ReferencesToken))
            });
        let mut message_ids: Vec<String> = mail.message_id.iter().cloned().collect();
        message_ids.extend(referenced.iter().cloned());
        // SES shows our mail as `<id>@<region>.amazonses.com`; we record `<id>`.
        for id in &referenced {
            if let Some((local, host)) = id.rsplit_once('@')
                && host.to_ascii_lowercase().ends_with("amazonses.com")
            {
                message_ids.push(local.to_owned());
            }
        }
        Self {
            token,
            message_ids,
            subject_reference: subject_reference(mail.subject.as_str()),
        }
    }
}

/// Everything the inbox reads from untrusted bytes before it touches storage:
/// parsing, threading clues, quote stripping, HTML sanitizing. The fuzz target and
/// the property tests drive this.
pub fn examine(
    raw: &[u8],
    limits: &MailLimits,
    keys: &ReplyKeys,
    domain: &str,
) -> Result<(InboundMail, Clues, String, Option<SanitizedHtml>), Unreadable> {
    let mail = parse(raw, limits)?;
    let clues = Clues::of(&mail, keys, domain);
    let stripped = super::quote::strip(&mail.text);
    let html = mail
        .html
        .as_deref()
        .map(|h| SanitizedHtml::sanitize_mail(h).0);
    Ok((mail, clues, stripped, html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_s_own_message_id_is_looked_up_first() {
        let mut raw = String::from(
            "From: eve@evil.example\r\nTo: support@helpdesk.test\r\nSubject: x\r\nMessage-ID: <own@evil.example>\r\nIn-Reply-To:",
        );
        for i in 0..50 {
            raw.push_str(&format!(" <r{i}@evil.example>"));
        }
        raw.push_str("\r\nReferences:");
        for i in 50..100 {
            raw.push_str(&format!(" <r{i}@evil.example>"));
        }
        raw.push_str("\r\n\r\nhi\r\n");
        let (_, clues, _, _) = examine(
            raw.as_bytes(),
            &MailLimits::default(),
            &keys(),
            "helpdesk.test",
        )
        .unwrap();
        assert_eq!(
            clues.message_ids.first().map(String::as_str),
            Some("own@evil.example")
        );
        assert!(clues.message_ids.len() > 100);
    }

    #[test]
    fn subject_references_are_found_in_any_form() {
        let r = TicketRef::from_bits(77);
        assert_eq!(
            subject_reference(&format!("Re: Router [#{}]", r.as_str())),
            Some(r.clone())
        );
        assert_eq!(
            subject_reference(&format!("[#{}] x", r.display())),
            Some(r.clone())
        );
        assert_eq!(subject_reference("Re: [#nope] [#"), None);
        assert_eq!(
            subject_reference(&format!("[#x] [#{}]", r.as_str())),
            Some(r)
        );
    }

    fn corpus() -> Vec<Vec<u8>> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/mail");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files.iter().map(|p| std::fs::read(p).unwrap()).collect()
    }

    fn keys() -> ReplyKeys {
        ReplyKeys::parse("t1:74657374732d6f6e6c792d6b65792d3031").unwrap()
    }

    #[test]
    fn what_the_fuzzer_found_in_the_parser_is_an_unreadable_mail_not_a_crash() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/mail");
        let raw = std::fs::read(format!("{dir}/fuzz-mail-parser-debug-assert.bin")).unwrap();
        let got = examine(&raw, &MailLimits::default(), &keys(), "helpdesk.test");
        assert!(matches!(got, Err(Unreadable::Unparseable) | Ok(_)));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        /// The bounded, always-on companion of `fuzz/`: damaged corpus mail.
        #[test]
        fn damaged_mail_never_panics(
            pick in 0usize..64,
            cuts in proptest::collection::vec((0usize..4096, proptest::prelude::any::<u8>()), 0..12),
            truncate in 0usize..4096,
        ) {
            let files = corpus();
            let mut raw = files[pick % files.len()].clone();
            for (at, byte) in cuts {
                if !raw.is_empty() {
                    let i = at % raw.len();
                    raw[i] = byte;
                }
            }
            raw.truncate(raw.len().saturating_sub(truncate % 64));
            let _ = examine(&raw, &MailLimits::default(), &keys(), "helpdesk.test");
        }
    }
}
