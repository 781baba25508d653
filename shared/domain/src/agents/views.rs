//! The agent console's views (unassigned, mine, waiting, overdue, all), merged from
//! the store's sorted listings with one opaque cursor that remembers where each
//! listing was left, so paging never skips or repeats a ticket.

use crate::ports::Queues;
use crate::ports::store::{
    Cursor, Listing, Page, Position, QueueOrder, QueueQuery, StoreError, TicketSummary,
};
use crate::tickets::ticket::{Priority, Status, Tier};
use crate::values::ids::{AgentId, CategoryId};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Active tickets nobody has taken.
    Unassigned,
    /// Active tickets assigned to the asking agent.
    Mine,
    /// Waiting on the customer.
    Waiting,
    /// The SLA clock ran out.
    Overdue,
    /// Everything in the agent's categories (active unless a status is asked for).
    All,
}

impl View {
    pub const ALL: [View; 5] = [
        View::Unassigned,
        View::Mine,
        View::Waiting,
        View::Overdue,
        View::All,
    ];

    pub fn parse(input: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.as_str() == input)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            View::Unassigned => "unassigned",
            View::Mine => "mine",
            View::Waiting => "waiting",
            View::Overdue => "overdue",
            View::All => "all",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    OldestFirst,
    NewestFirst,
    /// Soonest SLA due time first (only tickets whose clock runs).
    DueFirst,
}

impl Sort {
    pub fn parse(input: &str) -> Option<Sort> {
        match input {
            "oldest" => Some(Sort::OldestFirst),
            "newest" => Some(Sort::NewestFirst),
            "due" => Some(Sort::DueFirst),
            _ => None,
        }
    }
}

/// A view of some categories (already limited to what the agent may see).
#[derive(Debug, Clone)]
pub struct ViewQuery {
    pub view: View,
    pub categories: Vec<CategoryId>,
    pub agent: AgentId,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub tier: Option<Tier>,
    pub sort: Sort,
    /// 1 to 100.
    pub limit: u16,
    pub cursor: Option<Cursor>,
    pub now: DateTime<Utc>,
}

impl ViewQuery {
    fn statuses(&self) -> Vec<Status> {
        match (self.view, self.status) {
            (View::Waiting, _) => vec![Status::WaitingOnCustomer],
            (_, Some(s)) => vec![s],
            _ => vec![Status::New, Status::Open, Status::WaitingOnCustomer],
        }
    }

    /// The listings the view is merged from.
    fn listings(&self) -> Vec<Listing> {
        let due = |before| vec![Listing::DueBefore { before }];
        match (self.view, self.sort) {
            (View::Overdue, _) => due(self.now),
            // Clocks run years at most; this bound takes every running one.
            (_, Sort::DueFirst) => due(self.now + Duration::days(3650)),
            (View::Unassigned, _) => self
                .categories
                .iter()
                .map(|c| Listing::Unassigned {
                    category: c.clone(),
                })
                .collect(),
            (View::Mine, _) => vec![Listing::AssignedTo {
                agent: self.agent.clone(),
            }],
            (View::Waiting | View::All, _) => {
                let statuses = self.statuses();
                self.categories
                    .iter()
                    .flat_map(|c| {
                        statuses.iter().map(|s| Listing::InStatus {
                            category: c.clone(),
                            status: *s,
                        })
                    })
                    .collect()
            }
        }
    }

    /// Whether a ticket read from the listings belongs on the page (the listings
    /// can hold more than the view: other categories, other filters).
    fn shows(&self, t: &TicketSummary) -> bool {
        let in_view = match self.view {
            View::Unassigned => t.assignee.is_none() && t.status.is_active(),
            View::Mine => t.assignee.as_ref() == Some(&self.agent) && t.status.is_active(),
            View::Overdue => t.status.is_active(),
            View::Waiting | View::All => self.statuses().contains(&t.status),
        };
        in_view
            && self.categories.contains(&t.category)
            && (self.view == View::Waiting || self.status.is_none_or(|s| s == t.status))
            && self.priority.is_none_or(|p| p == t.priority)
            && self.tier.is_none_or(|x| x == t.tier)
    }

    fn order(&self) -> QueueOrder {
        match self.sort {
            Sort::NewestFirst => QueueOrder::NewestFirst,
            Sort::OldestFirst | Sort::DueFirst => QueueOrder::OldestFirst,
        }
    }
}

/// How far each listing has been read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Progress {
    Start,
    After(Position),
    Done,
}

#[derive(Serialize, Deserialize)]
struct CursorState {
    /// One entry per listing, in the order the view lists them.
    p: Vec<Progress>,
}

fn encode_cursor(progress: Vec<Progress>) -> Result<Cursor, StoreError> {
    let json = serde_json::to_vec(&CursorState { p: progress })
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Cursor(URL_SAFE_NO_PAD.encode(json)))
}

fn decode_cursor(cursor: &Cursor, listings: usize) -> Result<Vec<Progress>, StoreError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.0.as_bytes())
        .map_err(|_| StoreError::BadCursor)?;
    let state: CursorState = serde_json::from_slice(&bytes).map_err(|_| StoreError::BadCursor)?;
    // A cursor is only good for the view (and filters) that made it.
    if state.p.len() != listings {
        return Err(StoreError::BadCursor);
    }
    Ok(state.p)
}

/// One page of a view: reads a page of every unfinished listing, merges them in
/// order, and stops where a listing with unread tickets could still hold an
/// earlier one.
pub async fn page(
    store: &dyn Queues,
    query: &ViewQuery,
) -> Result<Page<TicketSummary>, StoreError> {
    let listings = query.listings();
    let limit = query.limit.clamp(1, 100);
    let mut progress = match &query.cursor {
        Some(c) => decode_cursor(c, listings.len())?,
        None => vec![Progress::Start; listings.len()],
    };
    let order = query.order();
    let reads = listings
        .iter()
        .zip(&progress)
        .map(|(listing, p)| async move {
            let after = match p {
                Progress::Done => return Ok(None),
                Progress::Start => None,
                Progress::After(pos) => Some(pos.clone()),
            };
            store
                .queue(QueueQuery {
                    listing: listing.clone(),
                    order,
                    limit,
                    after,
                })
                .await
                .map(Some)
        });
    let pages = futures::future::try_join_all(reads).await?;

    let cmp = |a: &Position, b: &Position| match order {
        QueueOrder::OldestFirst => a.cmp(b),
        QueueOrder::NewestFirst => b.cmp(a),
    };
    let n = listings.len();
    let (mut fetched, mut more) = (vec![0usize; n], vec![false; n]);
    // Nothing beyond the last ticket read from a listing that has more may be used:
    // that listing's next page could hold an earlier ticket.
    let mut bound: Option<Position> = None;
    let mut merged: Vec<(usize, Position, TicketSummary)> = Vec::new();
    for (i, page) in pages.into_iter().enumerate() {
        let Some(page) = page else { continue };
        let listing = &listings[i];
        let read: Vec<(Position, TicketSummary)> = page
            .items
            .into_iter()
            .filter_map(|t| listing.position_of(&t).map(|p| (p, t)))
            .collect();
        if page.more {
            let Some((last, _)) = read.last() else {
                return Err(StoreError::Corrupt(
                    "a listing page was empty but said more follow".into(),
                ));
            };
            if bound
                .as_ref()
                .is_none_or(|b| cmp(last, b) == Ordering::Less)
            {
                bound = Some(last.clone());
            }
        }
        fetched[i] = read.len();
        more[i] = page.more;
        merged.extend(read.into_iter().map(|(p, t)| (i, p, t)));
    }
    merged.sort_by(|a, b| cmp(&a.1, &b.1).then(a.0.cmp(&b.0)));

    let mut items = Vec::new();
    let mut walked = vec![0usize; n];
    for (i, position, ticket) in merged {
        let beyond = bound
            .as_ref()
            .is_some_and(|b| cmp(&position, b) == Ordering::Greater);
        if beyond || items.len() == usize::from(limit) {
            break;
        }
        walked[i] += 1;
        progress[i] = Progress::After(position);
        if query.shows(&ticket) {
            items.push(ticket);
        }
    }
    for i in 0..n {
        if progress[i] != Progress::Done && !more[i] && walked[i] == fetched[i] {
            progress[i] = Progress::Done;
        }
    }
    let next = if progress.iter().all(|p| *p == Progress::Done) {
        None
    } else {
        Some(encode_cursor(progress)?)
    };
    Ok(Page { items, next })
}
