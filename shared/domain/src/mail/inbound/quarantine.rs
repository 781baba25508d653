//! Mail that never became a ticket: kept for admins to see, with the reason.

use super::auto::AutoReason;
use super::parse::Unreadable;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum QuarantineReason {
    Spam,
    Virus,
    Unreadable(Unreadable),
    /// Automatic mail (auto-reply, bounce, list) that belongs to no ticket.
    Automatic(AutoReason),
    /// The sender is not who the From address says: mail from outside claiming
    /// our own domain or an agent, or a ticket's participant failing the
    /// receiving server's authentication. Never threaded, never answered.
    Spoofed(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quarantined {
    /// The SES message id: the raw mail's key, to look at or release it.
    pub ses_id: String,
    pub received_at: DateTime<Utc>,
    pub from: Option<String>,
    pub subject: String,
    pub reason: QuarantineReason,
}
