//! The entries of a ticket's thread: customer messages, agent replies, internal
//! notes and system events.

use crate::values::email::EmailAddress;
use crate::values::ids::{AgentId, MessageId, TicketRef};
use crate::values::text::DisplayName;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Customer,
    AgentReply,
    /// Visible to agents only; never mailed, never on the tracking page.
    InternalNote,
    /// Status changes, assignment, escalations: written by the system.
    SystemEvent,
}

impl MessageKind {
    /// Shown to the customer on the tracking page and in mail excerpts.
    pub fn is_public(self) -> bool {
        matches!(self, MessageKind::Customer | MessageKind::AgentReply)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Author {
    Customer {
        name: DisplayName,
        email: EmailAddress,
    },
    Agent {
        id: AgentId,
        /// How a reply to the customer was signed (name and signature then).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signed: Option<crate::agents::profile::Signoff>,
    },
    System,
}

/// Why an inbound message landed on this ticket (README.md, "Mail"), recorded so an
/// agent can see it and a wrong threading can be traced.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadedBy {
    /// Created from the help-center form.
    WebForm,
    /// Posted on the tracking page.
    TrackingPage,
    /// Signed token in the plus-address of our Reply-To.
    ReplyToToken,
    /// Signed token found in References / In-Reply-To.
    ReferencesToken,
    /// A Message-ID we recorded for this ticket.
    RecordedMessageId,
    /// `[#REF]` in the subject from a sender already on the ticket.
    SubjectReference,
    /// Nothing matched: this message opened the ticket.
    NewTicket,
    /// Written by an agent in the console.
    Console,
    /// Written by the system.
    System,
}

/// HTML that went through the sanitizer. The only way to make one is
/// [`SanitizedHtml::sanitize`] (or reading back what was stored sanitized).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct SanitizedHtml(String);

impl SanitizedHtml {
    /// Cleans untrusted HTML: ammonia's allow-list (no script, style, forms, SVG or
    /// MathML), links get `rel="noopener noreferrer nofollow"`. `cid:` sources (a
    /// mail's own inline images) are kept: they fetch nothing, and stored mail HTML
    /// goes through here again when it is read back.
    pub fn sanitize(untrusted: &str) -> Self {
        Self(
            ammonia::Builder::default()
                .add_url_schemes(&["cid"])
                .clean(untrusted)
                .to_string(),
        )
    }

    /// Mail HTML: as [`SanitizedHtml::sanitize`], and remote images are removed
    /// (they track when a mail is opened); returns how many were removed.
    pub fn sanitize_mail(untrusted: &str) -> (Self, u32) {
        Self::clean_mail(untrusted, false)
    }

    /// Held mail HTML, looked at by a reviewer: as [`SanitizedHtml::sanitize_mail`],
    /// and its links lead nowhere (held mail is where phishing waits; the
    /// addresses stay readable in the text part).
    pub fn sanitize_held(untrusted: &str) -> (Self, u32) {
        Self::clean_mail(untrusted, true)
    }

    fn clean_mail(untrusted: &str, inert_links: bool) -> (Self, u32) {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicU32, Ordering};
        let blocked = Arc::new(AtomicU32::new(0));
        let counter = blocked.clone();
        let clean = ammonia::Builder::default()
            // Inline images of the mail itself (`cid:`), mapped to its attachments.
            .add_url_schemes(&["cid"])
            .attribute_filter(move |element, attribute, value| {
                let remote = element == "img"
                    && matches!(attribute, "src" | "srcset")
                    && !value.trim_start().to_ascii_lowercase().starts_with("cid:");
                if remote {
                    counter.fetch_add(1, Ordering::Relaxed);
                    None
                } else if inert_links && attribute == "href" {
                    None
                } else {
                    Some(value.into())
                }
            })
            .clean(untrusted)
            .to_string();
        (Self(clean), blocked.load(Ordering::Relaxed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for SanitizedHtml {
    /// Stored HTML is sanitized again on the way in: cheap, and the store can't be
    /// used to smuggle markup past the sanitizer.
    fn from(value: String) -> Self {
        Self::sanitize(&value)
    }
}

impl From<SanitizedHtml> for String {
    fn from(value: SanitizedHtml) -> Self {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    /// Object key in the attachments bucket.
    pub key: String,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    /// A mail part's Content-ID: the mail's HTML shows it where it says `cid:<id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_id: Option<String>,
}

/// The mail identities of a message that came or went by email.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EmailIds {
    /// The Message-ID header (as received, or as SES assigned it when we sent).
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    /// The SES id of the stored inbound mail (its raw-mail object key).
    pub ses_message_id: Option<String>,
    /// The mail's whole text when the message body is its quote-stripped part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_text: Option<String>,
    /// Who else received it: the Cc of an agent's reply when it was written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<EmailAddress>,
    /// Other people a received mail's To and Cc named (not us, not its
    /// sender), whether or not they joined the ticket: its raw mail names
    /// them, so erasing one finds it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub named: Vec<EmailAddress>,
    /// SPF, DKIM and DMARC results as SES reported them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<crate::mail::inbound::verdicts::Verdicts>,
    /// Remote images removed from the HTML (shown only when an agent allows).
    #[serde(default)]
    pub remote_images_blocked: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub ticket: TicketRef,
    pub kind: MessageKind,
    pub author: Author,
    pub body_text: String,
    pub body_html: Option<SanitizedHtml>,
    #[serde(default)]
    pub attachments: Vec<AttachmentRef>,
    pub email: Option<EmailIds>,
    pub threaded_by: ThreadedBy,
    pub created_at: DateTime<Utc>,
    /// People other than the author whose words or addresses this entry
    /// carries: the customers of a ticket merged in (their words are copied
    /// here), a forward's recipient, the addresses a Cc change names, the
    /// recipients a bounce or failed mail names. Erasing one of them deletes
    /// the entry (`customers::links`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub about: Vec<EmailAddress>,
}

/// Largest body kept inline in the thread item; bigger ones live in S3 (raw mail),
/// which keeps every item far below DynamoDB's 400 KB.
pub const MAX_INLINE_BODY: usize = 64 * 1024;

impl Message {
    /// Cuts an overlong body at a character boundary and says so in the text.
    pub fn clamp_body(text: &str) -> String {
        if text.len() <= MAX_INLINE_BODY {
            return text.to_owned();
        }
        let mut end = MAX_INLINE_BODY - 64;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        format!(
            "{}\n\n[… message shortened; the full text is kept with the original mail]",
            &text[..end]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizer_removes_script_svg_and_handlers() {
        let html = SanitizedHtml::sanitize(
            r#"<p onclick="x()">Hi<script>alert(1)</script><svg><script>1</script></svg><a href="javascript:1">l</a><a href="https://e.com">ok</a></p>"#,
        );
        let s = html.as_str();
        assert!(!s.contains("script") && !s.contains("svg") && !s.contains("onclick"));
        assert!(!s.contains("javascript:"));
        assert!(s.contains(r#"href="https://e.com""#));
    }

    #[test]
    fn mail_html_loses_remote_images_but_keeps_inline_ones() {
        let (html, blocked) = SanitizedHtml::sanitize_mail(
            r#"<p>Hi<img src="https://tracker.example/p.gif"><img src="cid:logo@x"><form><input></form><math><mi>x</mi></math></p>"#,
        );
        assert_eq!(blocked, 1);
        let s = html.as_str();
        assert!(!s.contains("tracker") && s.contains("cid:logo@x"), "{s}");
        // Read back from the store, it is sanitized again: the inline image stays.
        let stored: String = html.clone().into();
        let read: SanitizedHtml =
            serde_json::from_value(serde_json::Value::String(stored)).unwrap();
        assert!(
            read.as_str().contains(r#"src="cid:logo@x""#),
            "{}",
            read.as_str()
        );
        assert!(
            !s.contains("<form") && !s.contains("<input") && !s.contains("<math"),
            "{s}"
        );
    }

    #[test]
    fn long_bodies_are_clamped_on_a_char_boundary() {
        let body = "é".repeat(MAX_INLINE_BODY);
        let clamped = Message::clamp_body(&body);
        assert!(clamped.len() <= MAX_INLINE_BODY + 100);
        assert!(clamped.ends_with("original mail]"));
        assert_eq!(Message::clamp_body("short"), "short");
    }
}
