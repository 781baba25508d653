//! Counters kept in the same write as the change they count, so the console's
//! queue counts and the reports never need a scan or a count query.

use crate::reports::figures::{Figure, Measure, ReportScope, bucket_of};
use crate::tickets::ticket::{Status, Ticket, Tier};
use crate::values::ids::{AgentId, CategoryId, FaqId};
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
    /// One figure of a category's or an agent's (UTC) day, for the reports.
    Day {
        scope: ReportScope,
        day: NaiveDate,
        figure: Figure,
    },
    /// Active tickets of a category that nobody is assigned to.
    Unassigned { category: CategoryId },
    /// Active tickets assigned to an agent.
    AssignedTo { agent: AgentId },
    /// Active tickets of a category with a broken SLA promise.
    Overdue { category: CategoryId },
    /// Every ticket a category ever received: only grows, so the console can tell
    /// that something new arrived by comparing two readings.
    Received { category: CategoryId },
    /// Every change that brought a customer's message to one of the category's
    /// tickets: only grows, so the console can tell that customers replied.
    CustomerReplied { category: CategoryId },
    /// A help-center visit opened this FAQ answer on `day`; with `then_ticket`, a
    /// visit that read it went on to send a request.
    FaqRead {
        category: CategoryId,
        entry: FaqId,
        day: NaiveDate,
        then_ticket: bool,
    },
    /// "Did this help?" answered on an answer's page on `day`.
    FaqVote {
        category: CategoryId,
        entry: FaqId,
        day: NaiveDate,
        helpful: bool,
    },
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
            key: CounterKey::Day {
                scope: ReportScope::Category(ticket.category.clone()),
                day: ticket.created_at.date_naive(),
                figure: Figure::Opened,
            },
            delta: 1,
        },
    ];
    if ticket.tier == Tier::Premium {
        deltas.push(CounterDelta {
            key: CounterKey::Day {
                scope: ReportScope::Premium(ticket.category.clone()),
                day: ticket.created_at.date_naive(),
                figure: Figure::Opened,
            },
            delta: 1,
        });
    }
    deltas.extend(ownership(ticket).map(|key| CounterDelta { key, delta: 1 }));
    deltas
}

/// What the messages a change brings add: one customer reply, however many of
/// their messages it carries.
pub fn on_messages(
    after: &Ticket,
    messages: &[crate::tickets::message::Message],
) -> Vec<CounterDelta> {
    messages
        .iter()
        .any(|m| m.kind == crate::tickets::message::MessageKind::Customer)
        .then(|| CounterDelta {
            key: CounterKey::CustomerReplied {
                category: after.category.clone(),
            },
            delta: 1,
        })
        .into_iter()
        .collect()
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
    // Erasing closes a ticket nobody solved: the live counts follow it, the
    // report's figures (solved, closed, times) stay as they were.
    if before.erased_at.is_some() || after.erased_at.is_none() {
        deltas.extend(day_figures(before, after));
    }
    deltas.extend(rating_deltas(before, after));
    deltas
}

/// What a change adds to the day's report figures, for the ticket's category, for
/// its assignee, and for its category's premium tickets when it is one (a ticket
/// counts in the tier it has when each thing happens).
fn day_figures(before: &Ticket, after: &Ticket) -> Vec<CounterDelta> {
    let mut figures: Vec<(Figure, i64)> = Vec::new();
    let (was, is) = (&before.sla, &after.sla);
    // Solved as the SLA clocks count it: out of the active statuses (closing
    // straight away too), each time, with the resolution time used so far.
    if before.status.is_active() && !after.status.is_active() {
        figures.push((Figure::Solved, 1));
        if let Some(m) = is.resolution_minutes {
            figures.extend(duration(Measure::Resolution, m));
        }
    }
    if after.status == Status::Closed && before.status != Status::Closed {
        figures.push((Figure::Closed, 1));
    }
    if after.status.is_active() && !before.status.is_active() {
        figures.push((Figure::Reopened, 1));
    }
    if let (None, Some(m)) = (was.first_response_minutes, is.first_response_minutes) {
        figures.extend(duration(Measure::FirstResponse, m));
    }
    let met = i64::from(is.targets_met.0) - i64::from(was.targets_met.0);
    let missed = i64::from(is.targets_met.1) - i64::from(was.targets_met.1);
    figures.extend([(Figure::Met, met), (Figure::Missed, missed)]);
    figures.retain(|(_, delta)| *delta != 0);

    let day = after.updated_at.date_naive();
    let mut scopes = vec![ReportScope::Category(after.category.clone())];
    scopes.extend(after.assignee.clone().map(ReportScope::Agent));
    if after.tier == Tier::Premium {
        scopes.push(ReportScope::Premium(after.category.clone()));
    }
    scopes
        .into_iter()
        .flat_map(|scope| {
            figures.iter().map(move |&(figure, delta)| CounterDelta {
                key: CounterKey::Day {
                    scope: scope.clone(),
                    day,
                    figure,
                },
                delta,
            })
        })
        .collect()
}

/// A rating counts once, on the day and in the scopes it records; a changed one
/// is taken back from there and counted where the ticket is now.
fn rating_deltas(before: &Ticket, after: &Ticket) -> Vec<CounterDelta> {
    if before.rating == after.rating {
        return vec![];
    }
    let counted = |r: &crate::tickets::rating::Rating, delta: i64| {
        let figure = match r.score {
            crate::tickets::rating::Score::Good => Figure::RatedGood,
            crate::tickets::rating::Score::Bad => Figure::RatedBad,
        };
        let mut scopes = vec![ReportScope::Category(r.category.clone())];
        scopes.extend(r.assignee.clone().map(ReportScope::Agent));
        if r.premium {
            scopes.push(ReportScope::Premium(r.category.clone()));
        }
        let day = r.at.date_naive();
        scopes
            .into_iter()
            .map(|scope| CounterDelta {
                key: CounterKey::Day { scope, day, figure },
                delta,
            })
            .collect::<Vec<_>>()
    };
    let mut deltas: Vec<CounterDelta> = before.rating.iter().flat_map(|r| counted(r, -1)).collect();
    deltas.extend(after.rating.iter().flat_map(|r| counted(r, 1)));
    deltas
}

fn duration(measure: Measure, minutes: u32) -> [(Figure, i64); 2] {
    [
        (Figure::Time(measure, bucket_of(minutes)), 1),
        (Figure::TimeSum(measure), i64::from(minutes)),
    ]
}

/// One count per answer read: opened in a visit, or read in a visit that then
/// sent a request.
pub fn faq_reads(
    entries: &[(CategoryId, FaqId)],
    then_ticket: bool,
    day: NaiveDate,
) -> Vec<CounterDelta> {
    entries
        .iter()
        .map(|(category, entry)| CounterDelta {
            key: CounterKey::FaqRead {
                category: category.clone(),
                entry: entry.clone(),
                day,
                then_ticket,
            },
            delta: 1,
        })
        .collect()
}

/// One "did this help?" answer.
pub fn faq_vote(
    category: &CategoryId,
    entry: &FaqId,
    helpful: bool,
    day: NaiveDate,
) -> CounterDelta {
    CounterDelta {
        key: CounterKey::FaqVote {
            category: category.clone(),
            entry: entry.clone(),
            day,
            helpful,
        },
        delta: 1,
    }
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
    /// Changes that brought a customer's message (only grows).
    #[serde(default)]
    pub replied: i64,
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
