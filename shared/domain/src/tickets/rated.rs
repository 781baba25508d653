//! A rating as the reports list it: kept beside the ticket, by category and when
//! it was given.

use crate::tickets::rating::Score;
use crate::tickets::ticket::Tier;
use crate::values::ids::{AgentId, CategoryId, TicketRef};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A rating as the reports list it, kept beside the ticket by category and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatedTicket {
    pub reference: TicketRef,
    pub category: CategoryId,
    pub assignee: Option<AgentId>,
    pub tier: Tier,
    pub score: Score,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    pub at: DateTime<Utc>,
}

impl RatedTicket {
    /// The entry for `ticket`'s rating, if it has one.
    pub fn of(ticket: &crate::tickets::ticket::Ticket) -> Option<Self> {
        // Listed where it is counted (see `Rating::category`).
        ticket.rating.as_ref().map(|r| Self {
            reference: ticket.reference.clone(),
            category: r.category.clone(),
            assignee: r.assignee.clone(),
            tier: if r.premium {
                Tier::Premium
            } else {
                Tier::Standard
            },
            score: r.score,
            comment: r.comment.clone(),
            at: r.at,
        })
    }
}
