//! What producers put on the outbound queue for send-reply.

use super::digest::Digest;
use crate::agents::alert_mail::AlertMail;
use crate::ports::claims::{RateLimitClaim, TrackingToken};
use crate::tickets::message::Message;
use crate::values::email::EmailAddress;
use crate::values::ids::{MessageId, OutboxId, TicketRef};
use chrono::{DateTime, Utc};
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
    /// One SLA step on one ticket, to one agent: what earlier versions queued
    /// (still sent when found queued); the SLA run now sends `SlaDigest`.
    Escalation,
    Forward,
    /// One SLA run's steps for one agent, in one mail.
    SlaDigest,
    /// News on one ticket for an agent away from the console.
    Alert,
    /// An agent's alerts of the last N minutes, in one mail.
    AlertDigest,
}

impl MailKind {
    /// Automatic mail carries `Auto-Submitted` and counts against the per-recipient cap.
    pub fn is_automatic(self) -> bool {
        !matches!(self, MailKind::AgentReply | MailKind::Forward)
    }

    /// Automatic mail counted against the recipient's cap: all of it but the SLA
    /// digest, which goes to our own agents at most once per run, and which a cap
    /// would silence exactly when the desk is overrun.
    pub fn is_capped(self) -> bool {
        self.is_automatic() && !self.is_for_agents()
    }

    /// Mail to our own agents about tickets (never to a customer).
    pub fn is_for_agents(self) -> bool {
        matches!(
            self,
            MailKind::SlaDigest | MailKind::Alert | MailKind::AlertDigest
        )
    }

    /// Mail whose stored outbox item says what it says: send-reply reads it from
    /// there, never from the queue message.
    pub fn is_stored_whole(self) -> bool {
        self.is_for_agents()
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
    /// Deliberately not sent (cap reached, address on the do-not-email list).
    Skipped,
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
    /// How often SES has throttled this job so far: the next wait doubles with it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub throttled: u32,
    /// What an `SlaDigest` says: stored with the outbox item and read from there
    /// by send-reply; the queue message leaves it out ([`OutboundJob::queue_message`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<Box<Digest>>,
    /// What an `Alert` or `AlertDigest` says, kept like a digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<Box<AlertMail>>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl OutboundJob {
    /// What goes on the queue: the job without what only its stored item holds (a
    /// digest's lines), so a queue message stays small whatever the digest says
    /// (SQS takes 256 KB a batch) and send-reply cannot be told what to say.
    pub fn queue_message(&self) -> OutboundJob {
        OutboundJob {
            digest: None,
            alert: None,
            ..self.clone()
        }
    }

    /// Queue bodies are outside input for the consumer: parsed, never trusted.
    pub fn parse(body: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(body)
    }
}

/// send-reply's claim on an outbox item before it sends: one conditional write
/// that also checks the recipient may be mailed, counts the automatic-mail cap and
/// stores the fresh tracking secrets the mail will carry.
#[derive(Debug, Clone)]
pub struct OutboxClaim {
    pub job: OutboundJob,
    pub now: DateTime<Utc>,
    /// A `sending` item older than this was abandoned by a crashed sender.
    pub lease_until: DateTime<Utc>,
    /// The recipient's automatic-mail window (automatic mail only).
    pub cap: Option<RateLimitClaim>,
    pub tokens: Vec<(TicketRef, TrackingToken)>,
}

/// What the claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    /// Ours to send now.
    Go,
    /// Sent before (a redelivered or duplicated queue message): nothing to do.
    AlreadySent,
    /// Another delivery of the job is sending it right now: retry later.
    InFlight,
    /// Refused for good earlier, with the reason.
    AlreadyFailed(String),
    /// The address bounced or complained: never mailed again.
    DoNotEmail,
    /// The recipient's automatic-mail cap is reached.
    Capped,
}

/// How a claimed outbox item ends.
#[derive(Debug, Clone, PartialEq)]
pub enum OutboxFinish {
    /// SES took it; the ids (SES's and ours) now lead replies to the ticket.
    Sent {
        provider_id: String,
        message_ids: Vec<String>,
        ticket: Option<TicketRef>,
    },
    /// Not sent, for a reason that passes (throttling): back to `queued`, and
    /// the automatic-mail cap's hit the claim took (`refund`) given back, so a
    /// mail SES throttles ten times still counts once.
    Released { refund: Option<RateLimitClaim> },
    /// Refused for good; `note` is shown on the ticket.
    Failed {
        reason: String,
        note: Option<Box<Message>>,
    },
    /// Deliberately not sent (cap, do-not-email, nothing to say).
    Skipped { reason: String },
}
