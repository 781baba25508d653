//! The customer list's record: an address or a whole domain, and the tier its
//! requests get.

use crate::mail::inbound::quarantine::SenderPattern;
use crate::tickets::ticket::Tier;
use crate::values::ids::AgentId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierRule {
    pub pattern: SenderPattern,
    pub tier: Tier,
    /// The admin's words for why ("Business plan until 2027-06"), one line.
    #[serde(default)]
    pub note: String,
    pub by: AgentId,
    pub at: DateTime<Utc>,
}
