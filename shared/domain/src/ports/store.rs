//! The shapes the ticket store takes and returns, and its typed errors.

use crate::mail::outbound::job::OutboundJob;
use crate::tickets::counters::{self, CounterDelta};
use crate::tickets::message::Message;
use crate::tickets::ticket::{Priority, Status, Ticket, Tier};
use crate::values::email::EmailAddress;
use crate::values::ids::{AgentId, CategoryId, FaqId, TicketRef};
use crate::values::text::Subject;
use crate::values::token::TokenHash;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The item changed since it was read (optimistic concurrency).
    #[error("changed by someone else since it was read")]
    Conflict,
    /// The generated key already exists (e.g. a reference collision): retry with a new one.
    #[error("already exists")]
    Duplicate,
    /// The idempotency key was used before for a different request.
    #[error("idempotency key was used for a different request")]
    IdempotencyMismatch,
    #[error("the page cursor is not valid")]
    BadCursor,
    /// A rate limit was reached; retry after this many seconds.
    #[error("too many requests, retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Retry later (throttling, capacity).
    #[error("throttled, retry later")]
    Throttled,
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The change's dedupe key was used before: the change was made already
    /// (e.g. the same inbound mail delivered twice).
    #[error("this change was made before")]
    AlreadyApplied,
    /// A stored item could not be read back into a domain value.
    #[error("stored item is not valid: {0}")]
    Corrupt(String),
}

/// A request's claim on an idempotency key: the first claim wins, a repeat with
/// the same fingerprint replays, a repeat with another fingerprint is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyClaim {
    /// Already scoped by the caller (e.g. `ticket:<client key>`).
    pub key: String,
    /// A hash of the request body.
    pub fingerprint: String,
    pub expires_at: DateTime<Utc>,
}

/// A tracking link's secret, as stored: only its hash, with an expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingToken {
    pub hash: TokenHash,
    pub expires_at: DateTime<Utc>,
    /// Minted for a mail to the requester's address (not handed to whoever filled
    /// in the form): opening it proves the address is theirs.
    pub mailed: bool,
}

/// One hit on a fixed-window rate limit, counted in the same write as what it
/// limits. The write is refused when the window already holds `limit` hits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitClaim {
    /// `<subject>#<window start>`, e.g. `submit-ip:203.0.113.7#1795348800`.
    pub key: String,
    pub limit: u32,
    pub window_ends: DateTime<Utc>,
}

impl RateLimitClaim {
    /// The claim for `subject` in the fixed window of `window` that holds `now`.
    pub fn fixed_window(subject: &str, limit: u32, window: Duration, now: DateTime<Utc>) -> Self {
        let size = window.num_seconds().max(1);
        let start = now.timestamp().div_euclid(size) * size;
        let window_ends = DateTime::from_timestamp(start + size, 0).unwrap_or(now + window);
        Self {
            key: format!("{subject}#{start}"),
            limit,
            window_ends,
        }
    }

    pub fn retry_after_secs(&self, now: DateTime<Utc>) -> u64 {
        (self.window_ends - now).num_seconds().max(1) as u64
    }
}

#[derive(Debug, Clone)]
pub struct NewTicket {
    pub ticket: Ticket,
    pub first_message: Message,
    pub idempotency: Option<IdempotencyClaim>,
    pub tracking_token: Option<TrackingToken>,
    pub rate_limits: Vec<RateLimitClaim>,
    /// Mail to send because of this ticket (the confirmation), stored `Queued`.
    pub outbox: Vec<OutboundJob>,
    /// The FAQ answers the visitor read before writing: counted in the same write.
    pub faq_read: Vec<(CategoryId, FaqId)>,
}

impl NewTicket {
    pub fn counter_deltas(&self) -> Vec<CounterDelta> {
        let mut deltas = counters::on_create(&self.ticket);
        deltas.extend(counters::faq_reads(
            &self.faq_read,
            true,
            self.ticket.created_at.date_naive(),
        ));
        deltas
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Created {
    New(Box<Ticket>),
    /// The idempotency key had been used by the same request: this is its ticket.
    Replayed(TicketRef),
}

/// A change to a ticket, with the messages that go with it, written together and
/// only if the ticket is still at the version `before` was read at.
#[derive(Debug, Clone)]
pub struct TicketUpdate {
    before: Ticket,
    after: Ticket,
    messages: Vec<Message>,
    outbox: Vec<OutboundJob>,
    dedupe: Option<IdempotencyClaim>,
}

impl TicketUpdate {
    /// `after` is `before` changed; its version is set here (`before.version + 1`).
    pub fn new(before: &Ticket, mut after: Ticket, messages: Vec<Message>) -> Self {
        after.version = before.version + 1;
        Self {
            before: before.clone(),
            after,
            messages,
            outbox: Vec::new(),
            dedupe: None,
        }
    }

    /// Mail this change sends, stored `Queued` in the same write.
    pub fn with_outbox(mut self, jobs: Vec<OutboundJob>) -> Self {
        self.outbox = jobs;
        self
    }

    /// Makes the change once per key: a second attempt is `AlreadyApplied`.
    pub fn deduplicated_by(mut self, claim: IdempotencyClaim) -> Self {
        self.dedupe = Some(claim);
        self
    }

    pub fn outbox(&self) -> &[OutboundJob] {
        &self.outbox
    }

    pub fn dedupe(&self) -> Option<&IdempotencyClaim> {
        self.dedupe.as_ref()
    }

    pub fn before(&self) -> &Ticket {
        &self.before
    }

    pub fn after(&self) -> &Ticket {
        &self.after
    }

    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    pub fn counter_deltas(&self) -> Vec<CounterDelta> {
        counters::on_change(&self.before, &self.after)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TicketThread {
    pub ticket: Ticket,
    /// Oldest first.
    pub messages: Vec<Message>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketSummary {
    pub reference: TicketRef,
    pub category: CategoryId,
    pub subject: Subject,
    pub status: Status,
    pub priority: Priority,
    pub tier: Tier,
    pub requester: EmailAddress,
    pub assignee: Option<AgentId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
}

impl From<&Ticket> for TicketSummary {
    fn from(t: &Ticket) -> Self {
        Self {
            reference: t.reference.clone(),
            category: t.category.clone(),
            subject: t.subject.clone(),
            status: t.status,
            priority: t.priority,
            tier: t.tier,
            requester: t.requester.email.clone(),
            assignee: t.assignee.clone(),
            created_at: t.created_at,
            updated_at: t.updated_at,
            due_at: t.due_at,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueOrder {
    OldestFirst,
    NewestFirst,
}

/// One sorted list of tickets the store keeps up to date in the write that changes
/// a ticket (an index partition): the agent views are merged from these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// A category's tickets in one status, by creation time.
    InStatus {
        category: CategoryId,
        status: Status,
    },
    /// A category's active tickets without an assignee, by creation time.
    Unassigned { category: CategoryId },
    /// An agent's active tickets, by creation time.
    AssignedTo { agent: AgentId },
    /// Tickets whose running SLA clock falls due before `before`, by due time.
    DueBefore { before: DateTime<Utc> },
}

impl Listing {
    /// The time a ticket is sorted by in this listing.
    pub fn sort_time(&self, t: &TicketSummary) -> Option<DateTime<Utc>> {
        match self {
            Listing::DueBefore { .. } => t.due_at,
            _ => Some(t.created_at),
        }
    }

    /// Does the store keep `t` in this listing?
    pub fn holds(&self, t: &TicketSummary) -> bool {
        match self {
            Listing::InStatus { category, status } => {
                &t.category == category && t.status == *status
            }
            Listing::Unassigned { category } => {
                &t.category == category && t.status.is_active() && t.assignee.is_none()
            }
            Listing::AssignedTo { agent } => {
                t.status.is_active() && t.assignee.as_ref() == Some(agent)
            }
            Listing::DueBefore { before } => t.due_at.is_some_and(|d| d < *before),
        }
    }

    pub fn position_of(&self, t: &TicketSummary) -> Option<Position> {
        self.sort_time(t).map(|at| Position {
            at,
            reference: t.reference.clone(),
        })
    }
}

/// Where a listing was left: the sort time and reference of the last ticket seen.
/// Positions order by time, then reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Position {
    pub at: DateTime<Utc>,
    pub reference: TicketRef,
}

/// An opaque position in a listing; only the code that made it can read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor(pub String);

#[derive(Debug, Clone)]
pub struct QueueQuery {
    pub listing: Listing,
    pub order: QueueOrder,
    /// 1 to 100.
    pub limit: u16,
    /// Start after this position (exclusive).
    pub after: Option<Position>,
}

/// One page of a listing; `more` says whether tickets follow the last one.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuePage {
    pub items: Vec<TicketSummary>,
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waking {
    pub reference: TicketRef,
    /// When the SLA run was to look at it.
    pub at: DateTime<Utc>,
}

/// Message-IDs as stored and looked up: without angle brackets and white space.
pub fn normalize_message_id(raw: &str) -> Option<String> {
    let id = raw
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!id.is_empty() && id.len() <= 998 && !id.chars().any(|c| c.is_whitespace() || c.is_control()))
        .then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn fixed_windows_align_and_say_when_they_end() {
        let now = Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 17, 30)
            .single()
            .unwrap();
        let claim = RateLimitClaim::fixed_window("ip:1.2.3.4", 5, Duration::hours(1), now);
        assert_eq!(
            claim.window_ends,
            Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).single().unwrap()
        );
        assert_eq!(claim.retry_after_secs(now), 42 * 60 + 30);
        let later = RateLimitClaim::fixed_window(
            "ip:1.2.3.4",
            5,
            Duration::hours(1),
            now + Duration::minutes(45),
        );
        assert_ne!(claim.key, later.key);
    }
}
