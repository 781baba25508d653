//! Raw MIME from SES into a typed [`InboundMail`], within explicit limits.

use super::auto::{self, AutoReason, AutoSignals};
use crate::email::EmailAddress;
use crate::store::normalize_message_id;
use crate::text::{DisplayName, Subject};
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
    #[error("the mail has no usable From address")]
    NoSender,
}

/// What SES found, from the headers it adds on top of the message.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdicts {
    pub spam: Option<String>,
    pub virus: Option<String>,
    pub spf: Option<String>,
    pub dkim: Option<String>,
    pub dmarc: Option<String>,
}

impl Verdicts {
    /// Does the receiving server's authentication say the From address is not the
    /// sender's? DMARC fails; or, with no DMARC pass, SPF fails and DKIM does not
    /// pass. (SPF alone fails for forwarded mail, and DKIM alone for a list that
    /// rewrites it; DMARC weighs both for the From domain.)
    pub fn unauthenticated(&self) -> bool {
        let is = |v: &Option<String>, what: &[&str]| {
            v.as_deref()
                .is_some_and(|v| what.iter().any(|w| v.eq_ignore_ascii_case(w)))
        };
        if is(&self.dmarc, &["fail"]) {
            return true;
        }
        !is(&self.dmarc, &["pass"])
            && is(&self.spf, &["fail", "softfail"])
            && !is(&self.dkim, &["pass"])
    }

    /// Spam or virus FAIL: quarantined, never ticketed or answered.
    pub fn failed(&self) -> Option<&'static str> {
        if self.virus.as_deref() == Some("FAIL") {
            Some("virus")
        } else if self.spam.as_deref() == Some("FAIL") {
            Some("spam")
        } else {
            None
        }
    }
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
    pub probe: Option<crate::token::SecretToken>,
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
            .and_then(crate::store::normalize_message_id)
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

/// `spf=pass` → `pass` from an `Authentication-Results` value.
/// The `spf=`, `dkim=` and `dmarc=` results of SES's `Authentication-Results`
/// value (the first of each), in one pass over its `=` signs.
fn auth_results(value: &str) -> [Option<String>; 3] {
    const METHODS: [&[u8]; 3] = [b"spf", b"dkim", b"dmarc"];
    let bytes = value.as_bytes();
    let is_delimiter = |c: &u8| matches!(c, b';' | b' ' | b'\t' | b'\r' | b'\n');
    let mut found: [Option<String>; 3] = Default::default();
    for eq in memchr::memchr_iter(b'=', bytes) {
        let start = bytes[..eq]
            .iter()
            .rposition(is_delimiter)
            .map_or(0, |p| p + 1);
        let Some(slot) = METHODS
            .iter()
            .position(|m| bytes[start..eq].eq_ignore_ascii_case(m))
        else {
            continue;
        };
        let end = bytes[eq + 1..]
            .iter()
            .position(is_delimiter)
            .map_or(bytes.len(), |p| eq + 1 + p);
        // Delimiters and `=` are ASCII: these are char boundaries.
        if let (Some(empty @ None), Some(result)) = (found.get_mut(slot), value.get(eq + 1..end)) {
            *empty = Some(result.to_ascii_lowercase());
        }
    }
    found
}

fn address(addr: &mail_parser::Addr<'_>) -> Option<EmailAddress> {
    addr.address().and_then(|a| EmailAddress::parse(a).ok())
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
    let [auth_spf, dkim, dmarc] = headers
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
        spf: auth_spf.or_else(|| {
            first("Received-SPF")
                .and_then(|v| v.split_whitespace().next().map(str::to_ascii_lowercase))
        }),
        dkim,
        dmarc,
    };
    let from_addr = message
        .from()
        .and_then(|f| f.first())
        .or_else(|| message.sender().and_then(|s| s.first()));
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
        probe: first(crate::selftest::PROBE_HEADER)
            .and_then(|v| crate::token::SecretToken::parse(&v).ok()),
    })
}

/// Where SES stores an inbound mail in the raw-mail bucket.
pub fn raw_mail_key(ses_id: &str) -> String {
    format!("raw/{ses_id}")
}

/// The HTML of a message that came by mail, with its remote images, for an agent
/// who chose to load them (the sender may learn the mail was opened): the stored
/// original is read again and its HTML sanitized like any other, only without
/// removing remote images. `None` when the message did not come by mail, has no
/// HTML part, or its original is no longer kept.
pub async fn html_with_remote_images(
    raw_mail: &dyn crate::ports::RawMailStore,
    message: &crate::message::Message,
    limits: &MailLimits,
) -> Result<Option<crate::message::SanitizedHtml>, crate::ports::RawMailError> {
    let Some(ses_id) = message
        .email
        .as_ref()
        .and_then(|e| e.ses_message_id.as_deref())
    else {
        return Ok(None);
    };
    let raw = match raw_mail
        .get(&raw_mail_key(ses_id), limits.max_bytes as u64)
        .await
    {
        Ok(raw) => raw,
        Err(crate::ports::RawMailError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(parse(&raw, limits)
        .ok()
        .and_then(|mail| mail.html)
        .map(|html| crate::message::SanitizedHtml::sanitize(&html)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ses_authentication_results_are_read_once_each() {
        let value = "amazonses.com;\r\n spf=PASS (spfCheck: domain of example.org designates 192.0.2.10 as permitted sender) client-ip=192.0.2.10;\tdkim=fail header.i=@example.org; dmarc=pass header.from=example.org; spf=fail";
        assert_eq!(
            auth_results(value),
            [
                Some("pass".into()),
                Some("fail".into()),
                Some("pass".into())
            ]
        );
        assert_eq!(
            auth_results("amazonses.com; dkim=pass"),
            [None, Some("pass".into()), None]
        );
        assert_eq!(
            auth_results("x-spf=pass; spf="),
            [Some(String::new()), None, None]
        );
    }
}
