//! The SLA digest: one mail per agent per SLA run, listing the steps the run took
//! on the tickets that agent hears of (warnings, breaches, escalations), instead of
//! a mail per ticket per agent.

use crate::sla::clocks::Stage;
use crate::values::email::EmailAddress;
use crate::values::ids::{CategoryId, OutboxId, RunId, TicketRef};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// How many steps a digest lists; the rest are counted ("and 120 more").
pub const DIGEST_LINES: usize = 50;

/// What one digest mail says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    pub run: RunId,
    /// Steps this recipient hears of in the run; `lines` holds the first
    /// `DIGEST_LINES`, the most urgent first.
    pub total: u32,
    /// Steps per stage over all of them (the subject's counts).
    pub escalated: u32,
    pub breached: u32,
    pub warned: u32,
    pub lines: Vec<DigestLine>,
}

/// One step on one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestLine {
    pub ticket: TicketRef,
    pub category: CategoryId,
    pub subject: String,
    pub stage: Stage,
    /// The event the step left on the ticket ("SLA breached (level 1): …").
    pub text: String,
}

/// The outbox id of a run's digest to one recipient: the same every time it is
/// worked out, so gathering a run twice (a crash between storing and forgetting
/// its notices) stores the mail once.
pub fn digest_outbox_id(run: &RunId, recipient: &EmailAddress) -> OutboxId {
    let hash = Sha256::digest(recipient.as_str().to_ascii_lowercase().as_bytes());
    let id = format!("d-{}-{}", run.as_str(), hex::encode(&hash[..8]));
    OutboxId::parse(&id)
        .unwrap_or_else(|_| unreachable!("a run id and hex digits are a valid outbox id"))
}

/// The lines' order: escalations first, then breaches, then warnings; within a
/// stage by reference.
pub fn most_urgent_first(lines: &mut [DigestLine]) {
    lines.sort_by(|a, b| {
        b.stage
            .cmp(&a.stage)
            .then_with(|| a.ticket.as_str().cmp(b.ticket.as_str()))
    });
}
