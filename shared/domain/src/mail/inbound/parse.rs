//! Raw MIME from SES into a typed [`InboundMail`], within explicit limits.

use super::auto::{self, AutoReason, AutoSignals};
use crate::mail::inbound::verdicts::Verdicts;
use crate::values::email::EmailAddress;
use crate::values::ids::normalize_message_id;
use crate::values::text::{DisplayName, Subject};
use mail_parser::{MessageParser, MimeHeaders, PartType};
use serde::{Deserialize, Serialize};

/// What a mail may be before it is refused (quarantined, not parsed further).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailLimits {
    pub max_bytes: usize,
    /// The header block of the message itself.
    pub max_header_bytes: usize,
    /// `boundary=` parameters: bounds multipart nesting before the parser runs.
    pub max_boundaries: usize,
    pub max_parts: usize,
    pub max_attachments: usize,
}

impl Default for MailLimits {
    fn default() -> Self {
        Self {
            max_bytes: 40 * 1024 * 1024,
            max_header_bytes: 256 * 1024,
            max_boundaries: 64,
            max_parts: 1_000,
            max_attachments: 50,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unreadable {
    #[error("the mail is larger than the limit")]
    TooLarge,
    #[error("the header block is larger than the limit")]
    HeadersTooLarge,
    #[error("the mail nests or splits into more parts than the limit")]
    TooComplex,
    #[error("the mail could not be parsed")]
    Unparseable,
    /// No From header, more than one, or one naming several mailboxes: nobody to
    /// answer, or a sender picked by whichever header a reader looks at.
    #[error("the mail has no single usable From address")]
    NoSender,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundAttachment {
    pub filename: String,
    pub content_type: String,
    pub content_id: Option<String>,
    pub inline: bool,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InboundMail {
    pub from: EmailAddress,
    pub from_name: DisplayName,
    /// To and Cc, in order (where we find our address and the reply token).
    pub recipients: Vec<EmailAddress>,
    pub subject: Subject,
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// The text part (or the HTML part as text).
    pub text: String,
    /// The HTML part as it arrived: untrusted, sanitized before it is stored.
    pub html: Option<String>,
    pub attachments: Vec<InboundAttachment>,
    pub verdicts: Verdicts,
    pub automatic: Option<AutoReason>,
    /// A channel self-test's secret, if the mail says it carries one.
    pub probe: Option<crate::values::token::SecretToken>,
    /// The language the mail says it is in (`Content-Language`, else the
    /// sender client's `Accept-Language`), if it is one of ours.
    pub language: Option<crate::i18n::Language>,
}

impl InboundMail {
    /// What makes two deliveries one mail: its Message-ID (normalized), its
    /// sender, and a digest of what it says (subject, the references it answers,
    /// text, HTML, every attachment's name, type and bytes). A sender's server, or
    /// SES, delivering the same mail again gives the same key, whatever transport
    /// headers it added; a client that reuses a Message-ID for a different mail
    /// gives another key, so that mail is never dropped as a duplicate. A mail
    /// without a Message-ID is keyed by the rest alone.
    pub fn dedupe_key(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut digest = Sha256::new();
        let mut field = |bytes: &[u8]| {
            digest.update((bytes.len() as u64).to_be_bytes());
            digest.update(bytes);
        };
        let id = self
            .message_id
            .as_deref()
            .and_then(normalize_message_id)
            .unwrap_or_default();
        field(id.as_bytes());
        field(self.from.key().as_bytes());
        field(self.subject.as_str().as_bytes());
        for id in self.in_reply_to.iter().chain(&self.references) {
            field(id.as_bytes());
        }
        field(self.text.as_bytes());
        field(self.html.as_deref().unwrap_or_default().as_bytes());
        for a in &self.attachments {
            field(a.filename.as_bytes());
            field(a.content_type.as_bytes());
            field(&a.bytes);
        }
        hex::encode(digest.finalize())
    }

    /// Threading candidates, most specific first: In-Reply-To, then References
    /// newest first.
    pub fn referenced_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.in_reply_to.clone();
        ids.extend(self.references.iter().rev().cloned());
        let mut seen = std::collections::HashSet::new();
        ids.retain(|id| seen.insert(id.clone()));
        ids
    }
}

fn header_block_len(raw: &[u8]) -> Option<usize> {
    memchr::memmem::find(raw, b"\r\n\r\n").or_else(|| memchr::memmem::find(raw, b"\n\n"))
}

fn count_boundaries(raw: &[u8]) -> usize {
    // Every `=` is a candidate end of `boundary=`: found by a vectorised scan, far
    // fewer than the bytes of the mail.
    memchr::memchr_iter(b'=', raw)
        .filter(|&end| {
            end.checked_sub(8)
                .and_then(|start| raw.get(start..end))
                .is_some_and(|w| w.eq_ignore_ascii_case(b"boundary"))
        })
        .count()
}

/// A header value on one line, trimmed (folded lines joined by one space).
pub(crate) fn unfold(value: &str) -> String {
    // Most headers are one line: no need to split and join them.
    if !value.contains(['\r', '\n']) {
        return value.trim().to_owned();
    }
    value
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `<a@b> <c@d>` → `["a@b", "c@d"]`, each normalized.
fn message_ids(value: &str) -> Vec<String> {
    value
        .split(['<', '>', ' ', ',', '\t', '\r', '\n'])
        .filter(|s| s.contains('@'))
        .filter_map(normalize_message_id)
        .take(50)
        .collect()
}

/// What SES's `Authentication-Results` value says, read clause by clause as RFC
/// 8601 writes it: each `;`-separated clause starts with `method=result`, then
/// its properties. A `;` or `=` inside a comment or a quoted string (a sender's
/// chosen envelope address, say) never starts a clause, and a method given twice
/// counts by its worse result.
#[derive(Debug, Default, PartialEq)]
struct AuthResults {
    spf: Option<String>,
    dkim: Option<String>,
    dmarc: Option<String>,
    dmarc_from: Option<String>,
    dkim_domain: Option<String>,
}

/// How bad a result is: a later, worse result of the same method wins.
fn badness(result: &str) -> u8 {
    match result {
        "pass" => 0,
        "none" | "neutral" => 1,
        "fail" => 3,
        _ => 2,
    }
}

/// The clauses of a header value, with comments and quoted strings removed.
fn clauses(value: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let (mut depth, mut quoted, mut escaped) = (0u32, false, false);
    for c in value.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted || depth > 0 => escaped = true,
            '"' if depth == 0 => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            ';' if !quoted && depth == 0 => out.push(String::new()),
            _ if quoted || depth > 0 => {}
            _ => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

fn auth_results(value: &str) -> AuthResults {
    let mut found = AuthResults::default();
    for clause in clauses(value) {
        let mut words = clause.split_whitespace();
        let Some((method, result)) = words.next().and_then(|w| w.split_once('=')) else {
            continue;
        };
        let result = result.to_ascii_lowercase();
        let property = |name: &str| {
            clause.split_whitespace().skip(1).find_map(|w| {
                w.split_once('=')
                    .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.trim_start_matches('@').to_ascii_lowercase())
            })
        };
        let slot = match method.to_ascii_lowercase().as_str() {
            "spf" => &mut found.spf,
            "dkim" => &mut found.dkim,
            "dmarc" => &mut found.dmarc,
            _ => continue,
        };
        if slot
            .as_deref()
            .is_none_or(|seen| badness(&result) > badness(seen))
        {
            *slot = Some(result.clone());
        }
        match method.to_ascii_lowercase().as_str() {
            "dmarc" => found.dmarc_from = property("header.from").or(found.dmarc_from),
            "dkim" if result == "pass" && found.dkim_domain.is_none() => {
                found.dkim_domain = property("header.d").or_else(|| {
                    property("header.i").map(|i| i.rsplit('@').next().unwrap_or("").to_owned())
                });
            }
            _ => {}
        }
    }
    found
}

fn address(addr: &mail_parser::Addr<'_>) -> Option<EmailAddress> {
    addr.address().and_then(|a| EmailAddress::parse(a).ok())
}

/// Every address the address headers at the start of a raw mail name (From,
/// Sender, Reply-To, To, Cc, Bcc, their Resent- forms, Return-Path), read by
/// the same parser; nothing if it cannot read them. `start` may be cut
/// anywhere after the header block.
pub fn header_addresses(start: &[u8]) -> Vec<EmailAddress> {
    // The block with the blank line that ends it (its last field ends there).
    let end = header_block_len(start).map_or(start.len(), |n| {
        n + if start[n..].starts_with(b"\r\n\r\n") {
            4
        } else {
            2
        }
    });
    let head = &start[..end];
    let parsed = std::panic::catch_unwind(|| MessageParser::default().parse_headers(head));
    let Some(message) = parsed.ok().flatten() else {
        return Vec::new();
    };
    let mut found: Vec<EmailAddress> = message
        .headers()
        .iter()
        .filter_map(|h| match &h.value {
            mail_parser::HeaderValue::Address(a) => Some(a),
            _ => None,
        })
        .flat_map(|a| a.iter())
        .filter_map(address)
        .collect();
    found.extend(
        (message.header(mail_parser::HeaderName::ReturnPath))
            .and_then(|v| v.as_text())
            .and_then(|t| EmailAddress::parse(t.trim_matches(['<', '>', ' '])).ok()),
    );
    found
}

pub fn parse(raw: &[u8], limits: &MailLimits) -> Result<InboundMail, Unreadable> {
    if raw.len() > limits.max_bytes {
        return Err(Unreadable::TooLarge);
    }
    match header_block_len(raw) {
        Some(n) if n > limits.max_header_bytes => return Err(Unreadable::HeadersTooLarge),
        None if raw.len() > limits.max_header_bytes => return Err(Unreadable::HeadersTooLarge),
        _ => {}
    }
    if count_boundaries(raw) > limits.max_boundaries {
        return Err(Unreadable::TooComplex);
    }
    // The parser is third-party code fed hostile bytes: a panic in it (a fuzzer
    // found a debug assertion) makes the mail unreadable, never the function.
    let parsed = std::panic::catch_unwind(|| MessageParser::default().parse(raw));
    let message = parsed.ok().flatten().ok_or(Unreadable::Unparseable)?;
    if message.parts.len() > limits.max_parts {
        return Err(Unreadable::TooComplex);
    }
    // Raw values: the few headers read are unfolded when they are read.
    let headers: Vec<(&str, &str)> = message.headers_raw().collect();
    // SES prepends its headers: the first occurrence is SES's, later ones could be
    // the sender's own forgeries.
    let first = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| unfold(v))
    };
    let auth = headers
        .iter()
        .find(|(n, v)| {
            n.eq_ignore_ascii_case("Authentication-Results")
                && v.trim_start().starts_with("amazonses.com")
        })
        .map(|(_, v)| auth_results(v))
        .unwrap_or_default();
    let verdicts = Verdicts {
        spam: first("X-SES-Spam-Verdict").map(|v| v.to_ascii_uppercase()),
        virus: first("X-SES-Virus-Verdict").map(|v| v.to_ascii_uppercase()),
        spf: auth.spf.or_else(|| {
            first("Received-SPF")
                .and_then(|v| v.split_whitespace().next().map(str::to_ascii_lowercase))
        }),
        dkim: auth.dkim,
        dmarc: auth.dmarc,
        dmarc_from: auth.dmarc_from,
        dkim_domain: auth.dkim_domain,
    };
    // Exactly one From header with one mailbox: with two, readers disagree on
    // which is the sender (the parser takes the last, a mail client may show the
    // first), and `Sender` is not who wrote it.
    let from_headers = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("From"))
        .count();
    let from_addr = message
        .from()
        .filter(|f| from_headers == 1 && f.iter().count() == 1)
        .and_then(|f| f.first());
    let from = from_addr.and_then(address).ok_or(Unreadable::NoSender)?;
    let from_name = DisplayName::from_mail(from_addr.and_then(|a| a.name()).unwrap_or(""));
    let recipients: Vec<EmailAddress> = message
        .to()
        .into_iter()
        .chain(message.cc())
        .flat_map(|a| a.iter())
        .filter_map(address)
        .take(100)
        .collect();
    let content_type = message.root_part().content_type().map(|ct| {
        (
            ct.ctype().to_ascii_lowercase(),
            ct.subtype().unwrap_or("").to_ascii_lowercase(),
        )
    });
    let automatic = auto::classify(&AutoSignals {
        headers: &headers,
        content_type,
        from: Some(&from),
    });
    let text = message
        .body_text(0)
        .map(|t| t.replace("\r\n", "\n"))
        .unwrap_or_default();
    // Only a real HTML part: mail-parser would otherwise convert the text to HTML.
    let html = message
        .html_part(0)
        .is_some_and(|p| p.is_text_html())
        .then(|| message.body_html(0).map(|h| h.into_owned()))
        .flatten()
        .filter(|h| !h.trim().is_empty());
    let mut attachments = Vec::new();
    for part in message.attachments() {
        if attachments.len() >= limits.max_attachments {
            break;
        }
        let bytes = match &part.body {
            PartType::Binary(b) | PartType::InlineBinary(b) => b.to_vec(),
            PartType::Text(t) | PartType::Html(t) => t.as_bytes().to_vec(),
            PartType::Message(m) => m.raw_message().to_vec(),
            PartType::Multipart(_) => continue,
        };
        let content_type = part
            .content_type()
            .map(|ct| match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub),
                None => ct.ctype().to_owned(),
            })
            .unwrap_or_else(|| "application/octet-stream".to_owned())
            .to_ascii_lowercase();
        let inline = matches!(part.body, PartType::InlineBinary(_))
            || part
                .content_disposition()
                .is_some_and(|d| d.ctype().eq_ignore_ascii_case("inline"));
        attachments.push(InboundAttachment {
            filename: part.attachment_name().unwrap_or("attachment").to_owned(),
            content_type,
            content_id: part.content_id().and_then(normalize_message_id),
            inline,
            bytes,
        });
    }
    Ok(InboundMail {
        from,
        from_name,
        recipients,
        subject: Subject::from_mail(message.subject().unwrap_or("")),
        message_id: message.message_id().and_then(normalize_message_id),
        in_reply_to: first("In-Reply-To")
            .map(|v| message_ids(&v))
            .unwrap_or_default(),
        references: first("References")
            .map(|v| message_ids(&v))
            .unwrap_or_default(),
        text,
        html,
        attachments,
        verdicts,
        automatic,
        probe: first(crate::ops::probe::PROBE_HEADER)
            .and_then(|v| crate::values::token::SecretToken::parse(&v).ok()),
        language: first("Content-Language")
            .and_then(|v| crate::i18n::Language::preferred(&v))
            .or_else(|| {
                first("Accept-Language").and_then(|v| crate::i18n::Language::preferred(&v))
            }),
    })
}

/// Where SES stores an inbound mail in the raw-mail bucket.
pub fn raw_mail_key(ses_id: &str) -> String {
    format!("raw/{ses_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ses_authentication_results_are_read_clause_by_clause_worst_first() {
        let value = "amazonses.com;\r\n spf=PASS (spfCheck: domain of example.org designates 192.0.2.10 as permitted sender) client-ip=192.0.2.10;\tdkim=fail header.i=@example.org; dmarc=pass header.from=example.org; spf=fail";
        let got = auth_results(value);
        assert_eq!(
            (
                got.spf.as_deref(),
                got.dkim.as_deref(),
                got.dmarc.as_deref()
            ),
            (Some("fail"), Some("fail"), Some("pass"))
        );
        assert_eq!(got.dmarc_from.as_deref(), Some("example.org"));
        assert_eq!(got.dkim_domain, None, "no signature passed");
        let dkim = auth_results("amazonses.com; dkim=pass header.i=@Example.ORG");
        assert_eq!(
            (dkim.dkim.as_deref(), dkim.dkim_domain.as_deref()),
            (Some("pass"), Some("example.org"))
        );
        assert_eq!(auth_results("x-spf=pass; spf=").spf.as_deref(), Some(""));
    }

    #[test]
    fn results_hidden_in_a_comment_or_a_quoted_sender_do_not_count() {
        // The attacker chooses the envelope sender SES quotes in the SPF clause.
        let value = "amazonses.com; spf=pass (spfCheck: domain of evil.example designates 203.0.113.9 as permitted sender) smtp.mailfrom=\"a;dmarc=pass header.from=bank.example;\"@evil.example; dkim=none (comment; dkim=pass header.d=bank.example); dmarc=fail header.from=bank.example";
        let got = auth_results(value);
        assert_eq!(got.dmarc.as_deref(), Some("fail"));
        assert_eq!(got.dkim.as_deref(), Some("none"));
        assert_eq!(got.dkim_domain, None);
    }

    #[test]
    fn authentication_vouches_only_for_the_domain_it_checked() {
        let ann = EmailAddress::parse("ann@example.org").unwrap();
        let v = |dmarc: Option<&str>,
                 from: Option<&str>,
                 dkim: Option<&str>,
                 dkim_domain: Option<&str>| Verdicts {
            dmarc: dmarc.map(Into::into),
            dmarc_from: from.map(Into::into),
            dkim: dkim.map(Into::into),
            dkim_domain: dkim_domain.map(Into::into),
            ..Verdicts::default()
        };
        assert!(v(Some("pass"), Some("example.org"), None, None).vouch_for(&ann));
        assert!(
            v(
                Some("none"),
                Some("example.org"),
                Some("pass"),
                Some("example.org")
            )
            .vouch_for(&ann)
        );
        assert!(!v(Some("pass"), Some("evil.example"), None, None).vouch_for(&ann));
        assert!(
            !v(
                Some("none"),
                Some("example.org"),
                Some("pass"),
                Some("evil.example")
            )
            .vouch_for(&ann)
        );
        assert!(
            !v(None, None, None, None).vouch_for(&ann),
            "no results vouch for nobody"
        );
        assert!(!v(Some("none"), Some("example.org"), None, None).unauthenticated());
    }

    #[test]
    fn a_mail_with_two_from_headers_or_only_a_sender_has_no_single_sender() {
        let limits = MailLimits::default();
        let two = b"From: eve@evil.example\r\nFrom: ann@example.org\r\nTo: support@helpdesk.test\r\nSubject: x\r\n\r\nhi\r\n";
        assert_eq!(parse(two, &limits).err(), Some(Unreadable::NoSender));
        let sender_only =
            b"Sender: ann@example.org\r\nTo: support@helpdesk.test\r\nSubject: x\r\n\r\nhi\r\n";
        assert_eq!(
            parse(sender_only, &limits).err(),
            Some(Unreadable::NoSender)
        );
        let many = b"From: ann@example.org, eve@evil.example\r\nTo: support@helpdesk.test\r\nSubject: x\r\n\r\nhi\r\n";
        assert_eq!(parse(many, &limits).err(), Some(Unreadable::NoSender));
        let one =
            b"From: Ann <ann@example.org>\r\nTo: support@helpdesk.test\r\nSubject: x\r\n\r\nhi\r\n";
        assert_eq!(
            parse(one, &limits)
                .map(|m| m.from.as_str().to_owned())
                .ok()
                .as_deref(),
            Some("ann@example.org")
        );
    }
}
