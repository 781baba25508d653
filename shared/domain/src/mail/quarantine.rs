//! Mail that never became a ticket: kept for admins to see, with the reason.

use super::auto::AutoReason;
use super::inbound::Unreadable;
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
