//! The shapes the ticket store takes and returns.

pub use super::claims::{IdempotencyClaim, RateLimitClaim, TrackingToken};
pub use super::error::StoreError;
pub use crate::values::ids::normalize_message_id;

use crate::mail::outbound::job::OutboundJob;
use crate::sla::notice::Notice;
use crate::tickets::counters::{self, CounterDelta};
use crate::tickets::message::Message;
use crate::tickets::rated::RatedTicket;
use crate::tickets::ticket::{Priority, Status, Ticket, Tier};
use crate::values::email::EmailAddress;
use crate::values::ids::{AgentId, CategoryId, FaqId, TicketRef};
use crate::values::text::Subject;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    /// Addresses the new ticket holds besides its requester's, linked to it
    /// in the same write (`customers::links`).
    pub fn linked_addresses(&self) -> Vec<EmailAddress> {
        crate::tickets::people::added(
            None,
            &self.ticket,
            std::slice::from_ref(&self.first_message),
        )
    }

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
    notices: Vec<Notice>,
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
            notices: Vec::new(),
            dedupe: None,
        }
    }

    /// Mail this change sends, stored `Queued` in the same write.
    pub fn with_outbox(mut self, jobs: Vec<OutboundJob>) -> Self {
        self.outbox = jobs;
        self
    }

    /// SLA steps this change takes, kept in the same write for the run's digest.
    pub fn with_notices(mut self, notices: Vec<Notice>) -> Self {
        self.notices = notices;
        self
    }

    pub fn notices(&self) -> &[Notice] {
        &self.notices
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

    /// The reports' list of ratings, when this change gave, changed or removed
    /// one: the entry to remove and the entry to keep.
    pub fn rating_entries(&self) -> Option<(Option<RatedTicket>, Option<RatedTicket>)> {
        (self.before.rating != self.after.rating)
            .then(|| (RatedTicket::of(&self.before), RatedTicket::of(&self.after)))
    }

    /// Addresses this change brings onto the ticket: the store links each to
    /// it in the same write (`customers::links`).
    pub fn linked_addresses(&self) -> Vec<EmailAddress> {
        crate::tickets::people::added(Some(&self.before), &self.after, &self.messages)
    }

    pub fn counter_deltas(&self) -> Vec<CounterDelta> {
        let mut deltas = counters::on_change(&self.before, &self.after);
        deltas.extend(counters::on_messages(&self.after, &self.messages));
        deltas
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
    /// Whether the requester has shown the address is theirs.
    #[serde(default)]
    pub email_verified: bool,
    /// The version a change made from this summary is conditional on.
    #[serde(default)]
    pub version: u64,
    #[serde(default)]
    pub tags: Vec<crate::values::tag::Tag>,
    /// The customer's language.
    #[serde(default)]
    pub language: crate::i18n::Language,
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
            email_verified: t.email_verified,
            version: t.version,
            tags: t.tags.clone(),
            language: t.language,
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

/// An agents' private note about a customer (an address), shown on the
/// customer's page; never shown to the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerNote {
    pub text: String,
    pub by: AgentId,
    pub at: DateTime<Utc>,
}
