//! Counters kept in the same write as the change they count, so the console's
//! queue counts and the reports never need a scan or a count query.

use crate::ids::{AgentId, CategoryId};
use crate::ticket::{Status, Ticket};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CounterKey {
    /// Tickets of a category currently in a status.
    InStatus {
        category: CategoryId,
        status: Status,
    },
    /// Tickets of a category opened on a (UTC) day.
    OpenedOn {
        category: CategoryId,
        day: NaiveDate,
    },
    /// Tickets of a category closed on a day.
    ClosedOn {
        category: CategoryId,
        day: NaiveDate,
    },
    /// Tickets an agent had assigned when they closed, per day.
    ClosedByAgent { agent: AgentId, day: NaiveDate },
    /// Active tickets of a category that nobody is assigned to.
    Unassigned { category: CategoryId },
    /// Active tickets assigned to an agent.
    AssignedTo { agent: AgentId },
    /// Active tickets of a category with a broken SLA promise.
    Overdue { category: CategoryId },
    /// Every ticket a category ever received: only grows, so the console can tell
    /// that something new arrived by comparing two readings.
    Received { category: CategoryId },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterDelta {
    pub key: CounterKey,
    pub delta: i64,
}

/// The "whose work is it" counters a ticket counts in: unassigned in its
/// category, or assigned to its agent; nothing once solved.
fn ownership(ticket: &Ticket) -> Option<CounterKey> {
    if !ticket.status.is_active() {
        return None;
    }
    Some(match &ticket.assignee {
        Some(agent) => CounterKey::AssignedTo {
            agent: agent.clone(),
        },
        None => CounterKey::Unassigned {
            category: ticket.category.clone(),
        },
    })
}

/// The overdue counter a ticket counts in while a promise to it is broken.
fn overdue(ticket: &Ticket) -> Option<CounterKey> {
    (ticket.status.is_active() && ticket.sla.overdue()).then(|| CounterKey::Overdue {
        category: ticket.category.clone(),
    })
}

/// What creating `ticket` adds to the counters.
pub fn on_create(ticket: &Ticket) -> Vec<CounterDelta> {
    let mut deltas = vec![
        CounterDelta {
            key: CounterKey::Received {
                category: ticket.category.clone(),
            },
            delta: 1,
        },
        CounterDelta {
            key: CounterKey::InStatus {
                category: ticket.category.clone(),
                status: ticket.status,
            },
            delta: 1,
        },
        CounterDelta {
            key: CounterKey::OpenedOn {
                category: ticket.category.clone(),
                day: ticket.created_at.date_naive(),
            },
            delta: 1,
        },
    ];
    deltas.extend(ownership(ticket).map(|key| CounterDelta { key, delta: 1 }));
    deltas
}

/// What changing `before` into `after` does to the counters.
pub fn on_change(before: &Ticket, after: &Ticket) -> Vec<CounterDelta> {
    let mut deltas = Vec::new();
    if before.status != after.status || before.category != after.category {
        deltas.push(CounterDelta {
            key: CounterKey::InStatus {
                category: before.category.clone(),
                status: before.status,
            },
            delta: -1,
        });
        deltas.push(CounterDelta {
            key: CounterKey::InStatus {
                category: after.category.clone(),
                status: after.status,
            },
            delta: 1,
        });
    }
    let (was, is) = (overdue(before), overdue(after));
    if was != is {
        deltas.extend(was.map(|key| CounterDelta { key, delta: -1 }));
        deltas.extend(is.map(|key| CounterDelta { key, delta: 1 }));
    }
    let (was, is) = (ownership(before), ownership(after));
    if was != is {
        deltas.extend(was.map(|key| CounterDelta { key, delta: -1 }));
        deltas.extend(is.map(|key| CounterDelta { key, delta: 1 }));
    }
    if after.status == Status::Closed && before.status != Status::Closed {
        let day = after.updated_at.date_naive();
        deltas.push(CounterDelta {
            key: CounterKey::ClosedOn {
                category: after.category.clone(),
                day,
            },
            delta: 1,
        });
        if let Some(agent) = &after.assignee {
            deltas.push(CounterDelta {
                key: CounterKey::ClosedByAgent {
                    agent: agent.clone(),
                    day,
                },
                delta: 1,
            });
        }
    }
    deltas
}

/// Tickets per status in one category.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StatusCounts(pub BTreeMap<Status, i64>);

impl StatusCounts {
    pub fn get(&self, status: Status) -> i64 {
        self.0.get(&status).copied().unwrap_or(0)
    }

    /// New and open tickets: waiting for an agent.
    pub fn awaiting_response(&self) -> i64 {
        self.get(Status::New) + self.get(Status::Open)
    }
}

/// A category's live counters: tickets per status, unassigned, ever received.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCounts {
    pub by_status: StatusCounts,
    pub unassigned: i64,
    pub received: i64,
    /// Active tickets past an SLA target.
    #[serde(default)]
    pub overdue: i64,
}

/// What the console's views count, read in one round trip.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCounts {
    pub categories: BTreeMap<CategoryId, CategoryCounts>,
    /// Active tickets assigned to the asking agent.
    pub assigned_to_agent: i64,
}

/// Opened and closed on one day in one category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyCounts {
    pub opened: i64,
    pub closed: i64,
}
