//! What SES tells us after sending, as its configuration set publishes it through
//! SNS onto the outbound queue. A hard bounce or a complaint puts the address on
//! the do-not-email list and leaves a note on the ticket the mail belonged to, so
//! agents see why the customer hears nothing. A "send" event (SES accepted the
//! mail) records an outbox item as sent when send-reply stopped between SES's
//! answer and its own record: the redelivered job then finds it sent and does not
//! mail the customer twice.

use super::job::{OutboxFinish, OutboxState};
use crate::ports::store::StoreError;
use crate::ports::{Clock, MailStore};
use crate::tickets::message::{Author, Message, MessageKind, ThreadedBy};
use crate::values::email::EmailAddress;
use crate::values::ids::OutboxId;
use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feedback {
    /// Permanent: the address does not exist or refuses us.
    HardBounce {
        ses_id: String,
        recipients: Vec<EmailAddress>,
        detail: String,
        at: DateTime<Utc>,
    },
    /// Transient or undetermined: SES retried; nothing to remember.
    SoftBounce { ses_id: String },
    Complaint {
        ses_id: String,
        recipients: Vec<EmailAddress>,
        at: DateTime<Utc>,
    },
    /// SES accepted the mail of this outbox item.
    Sent { ses_id: String, outbox: OutboxId },
    /// Deliveries, opens and the like: not ours to act on.
    Other(String),
}

/// The SES message tag that names a mail's outbox item.
pub const OUTBOX_TAG: &str = "outbox";

#[derive(Deserialize)]
struct SnsEnvelope {
    #[serde(rename = "Type")]
    kind: String,
    #[serde(rename = "Message")]
    message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SesEvent {
    /// Event publishing says `eventType`; identity notifications `notificationType`.
    event_type: Option<String>,
    notification_type: Option<String>,
    mail: SesMail,
    bounce: Option<SesBounce>,
    complaint: Option<SesComplaint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SesMail {
    message_id: String,
    timestamp: DateTime<Utc>,
    /// Event publishing copies the message's tags: name → values.
    #[serde(default)]
    tags: std::collections::HashMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SesBounce {
    bounce_type: String,
    #[serde(default)]
    bounce_sub_type: String,
    #[serde(default)]
    bounced_recipients: Vec<SesRecipient>,
    timestamp: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SesComplaint {
    #[serde(default)]
    complained_recipients: Vec<SesRecipient>,
    timestamp: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SesRecipient {
    email_address: String,
    #[serde(default)]
    diagnostic_code: Option<String>,
}

fn addresses(list: &[SesRecipient]) -> Vec<EmailAddress> {
    list.iter()
        .filter_map(|r| EmailAddress::parse(&r.email_address).ok())
        .collect()
}

/// `None` when the body is not an SNS notification (it is then an outbound job);
/// `Some(Err)` when it is one but does not carry an SES event we can read.
pub fn parse(body: &str) -> Option<Result<Feedback, String>> {
    let envelope: SnsEnvelope = serde_json::from_str(body).ok()?;
    if envelope.kind != "Notification" {
        return Some(Ok(Feedback::Other(envelope.kind)));
    }
    let event: SesEvent = match serde_json::from_str(&envelope.message) {
        Ok(event) => event,
        Err(e) => return Some(Err(format!("not an SES event: {e}"))),
    };
    let kind = event
        .event_type
        .or(event.notification_type)
        .unwrap_or_default();
    let outbox = event
        .mail
        .tags
        .get(OUTBOX_TAG)
        .and_then(|v| v.first())
        .and_then(|id| OutboxId::parse(id).ok());
    let ses_id = event.mail.message_id;
    let sent_at = event.mail.timestamp;
    Some(Ok(match (kind.as_str(), event.bounce, event.complaint) {
        ("Bounce", Some(b), _) if b.bounce_type == "Permanent" => Feedback::HardBounce {
            at: b.timestamp.unwrap_or(sent_at),
            detail: b
                .bounced_recipients
                .iter()
                .find_map(|r| r.diagnostic_code.clone())
                .unwrap_or_else(|| format!("permanent bounce ({})", b.bounce_sub_type)),
            recipients: addresses(&b.bounced_recipients),
            ses_id,
        },
        ("Bounce", _, _) => Feedback::SoftBounce { ses_id },
        ("Complaint", _, Some(c)) => Feedback::Complaint {
            at: c.timestamp.unwrap_or(sent_at),
            recipients: addresses(&c.complained_recipients),
            ses_id,
        },
        ("Send", _, _) => match outbox {
            Some(outbox) => Feedback::Sent { ses_id, outbox },
            None => Feedback::Other("Send without an outbox tag".to_owned()),
        },
        (other, _, _) => Feedback::Other(other.to_owned()),
    }))
}

pub struct FeedbackDesk<'a> {
    pub mail: &'a dyn MailStore,
    pub tickets: &'a dyn crate::ports::TicketStore,
    pub clock: &'a dyn Clock,
    /// Our mail domain, for the Message-ID we gave the mail.
    pub domain: &'a str,
}

impl FeedbackDesk<'_> {
    /// Remembers the addresses and notes it on the ticket, or records a mail as
    /// sent; doing either twice is harmless.
    pub async fn apply(&self, feedback: &Feedback) -> Result<(), StoreError> {
        let (ses_id, recipients, why, at) = match feedback {
            Feedback::Sent { ses_id, outbox } => return self.sent(ses_id, outbox).await,
            Feedback::HardBounce {
                ses_id,
                recipients,
                detail,
                at,
            } => (
                ses_id,
                recipients,
                format!("bounced for good: {detail}"),
                *at,
            ),
            Feedback::Complaint {
                ses_id,
                recipients,
                at,
            } => (
                ses_id,
                recipients,
                "marked our mail as spam".to_owned(),
                *at,
            ),
            Feedback::SoftBounce { .. } | Feedback::Other(_) => return Ok(()),
        };
        let now = self.clock.now();
        for address in recipients {
            self.mail.set_do_not_email(address, &why, now).await?;
        }
        let tickets = self
            .mail
            .tickets_for_message_ids(std::slice::from_ref(ses_id))
            .await?;
        if let Some((_, ticket)) = tickets.into_iter().next() {
            let who: Vec<&str> = recipients.iter().map(EmailAddress::as_str).collect();
            // The id comes from the event itself, so a redelivered event finds its
            // note already written.
            let suffix = ses_id
                .bytes()
                .chain(why.bytes())
                .fold(0x811c_9dc5_u32, |h, b| {
                    (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
                });
            let note = Message {
                id: crate::ports::time_ordered_id(at, suffix),
                ticket,
                kind: MessageKind::SystemEvent,
                author: Author::System,
                body_text: format!(
                    "{} {why}. No more mail goes to this address; reach the customer another way.",
                    who.join(", ")
                ),
                body_html: None,
                attachments: vec![],
                email: None,
                threaded_by: ThreadedBy::System,
                created_at: at,
                about: recipients.to_vec(),
            };
            self.mail.add_note(&note).await?;
        }
        Ok(())
    }
}

impl FeedbackDesk<'_> {
    /// SES accepted the item's mail: if it is still `sending` (send-reply stopped
    /// before recording it, or has not yet) or back in `queued` (send-reply's call
    /// failed on our side after SES took the mail), record it sent with both
    /// Message-IDs, exactly as send-reply would. An item already sent, failed,
    /// skipped or unknown is left as it is.
    async fn sent(&self, ses_id: &str, outbox: &OutboxId) -> Result<(), StoreError> {
        let Some((job, state)) = self.tickets.outbox_item(outbox).await? else {
            return Ok(());
        };
        match state {
            OutboxState::Sending => {}
            // SES sent it although our call to it failed (a timeout) and the item
            // went back to the queue: take it back before the job's retry does.
            OutboxState::Queued => {
                let now = self.clock.now();
                let claim = super::job::OutboxClaim {
                    job: job.clone(),
                    now,
                    lease_until: now,
                    cap: None,
                    tokens: vec![],
                };
                if self.mail.claim_outbox(&claim).await? != super::job::Claimed::Go {
                    return Ok(());
                }
            }
            OutboxState::Sent | OutboxState::Failed | OutboxState::Skipped => return Ok(()),
        }
        let finish = OutboxFinish::Sent {
            provider_id: ses_id.to_owned(),
            message_ids: vec![
                ses_id.to_owned(),
                super::send::our_message_id(outbox, self.domain),
            ],
            ticket: job.ticket.clone(),
        };
        match self
            .mail
            .finish_outbox(&job, finish, self.clock.now())
            .await
        {
            Ok(()) => Ok(()),
            // send-reply recorded it in between: the same outcome.
            Err(e) => match self.tickets.outbox_item(outbox).await? {
                Some((_, OutboxState::Sent)) => Ok(()),
                _ => Err(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sns(event: &str) -> String {
        serde_json::json!({"Type": "Notification", "MessageId": "m1", "TopicArn": "arn:aws:sns:eu-west-1:1:t", "Message": event}).to_string()
    }

    #[test]
    fn hard_bounces_complaints_and_the_rest_are_told_apart() {
        let hard = sns(
            r#"{"eventType":"Bounce","mail":{"messageId":"ses-1","timestamp":"2026-11-22T12:00:00Z"},"bounce":{"timestamp":"2026-11-22T12:00:05Z","bounceType":"Permanent","bounceSubType":"General","bouncedRecipients":[{"emailAddress":"gone@example.org","diagnosticCode":"smtp; 550 5.1.1 user unknown"}]}}"#,
        );
        assert_eq!(
            parse(&hard),
            Some(Ok(Feedback::HardBounce {
                ses_id: "ses-1".into(),
                recipients: vec![EmailAddress::parse("gone@example.org").unwrap()],
                detail: "smtp; 550 5.1.1 user unknown".into(),
                at: "2026-11-22T12:00:05Z".parse().unwrap(),
            }))
        );
        let soft = sns(
            r#"{"notificationType":"Bounce","mail":{"messageId":"ses-2","timestamp":"2026-11-22T12:00:00Z"},"bounce":{"bounceType":"Transient","bouncedRecipients":[]}}"#,
        );
        assert_eq!(
            parse(&soft),
            Some(Ok(Feedback::SoftBounce {
                ses_id: "ses-2".into()
            }))
        );
        let complaint = sns(
            r#"{"eventType":"Complaint","mail":{"messageId":"ses-3","timestamp":"2026-11-22T12:00:00Z"},"complaint":{"complainedRecipients":[{"emailAddress":"angry@example.org"}]}}"#,
        );
        assert!(matches!(
            parse(&complaint),
            Some(Ok(Feedback::Complaint { .. }))
        ));
        assert_eq!(parse(r#"{"outbox_id":"x"}"#), None, "a job is not feedback");
        assert!(matches!(parse(&sns("not json")), Some(Err(_))));
    }
}
