//! What producers put on the outbound queue for send-reply.

use crate::email::EmailAddress;
use crate::ids::{MessageId, OutboxId, TicketRef};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// "We received your request" with reference, promise and tracking link.
    TicketConfirmation,
    AgentReply,
    TrackingLinks,
    Reminder,
    ResolutionRequest,
    Escalation,
    Forward,
}

impl MailKind {
    /// Automatic mail carries `Auto-Submitted` and counts against the per-recipient cap.
    pub fn is_automatic(self) -> bool {
        !matches!(self, MailKind::AgentReply | MailKind::Forward)
    }
}

/// Where an outbox item stands. It is written `Queued` in the same transaction as
/// the change that produced it, so a mail is never lost between the database and
/// the queue; send-reply moves it on by conditional writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Queued,
    Sending,
    Sent,
    Failed,
}

/// One mail to send. The outbox id makes sending exactly-once: send-reply moves the
/// outbox item queued → sending → sent by conditional writes keyed on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundJob {
    pub outbox_id: OutboxId,
    pub kind: MailKind,
    pub ticket: Option<TicketRef>,
    pub message: Option<MessageId>,
    pub recipient: EmailAddress,
}

impl OutboundJob {
    /// Queue bodies are outside input for the consumer: parsed, never trusted.
    pub fn parse(body: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(body)
    }
}
