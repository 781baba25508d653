//! The in-memory ticket and catalog store: the reference behaviour the DynamoDB
//! store must match (both run the contract suite).

use chrono::{DateTime, NaiveDate, Utc};
use helpdesk_domain::agents::profile::Agent;
use helpdesk_domain::catalog::faq::FaqEntry;
use helpdesk_domain::mail::inbound::quarantine::{Quarantined, SenderRule};
use helpdesk_domain::mail::outbound::job::{OutboundJob, OutboxState};
use helpdesk_domain::ops::probe::Probe;
use helpdesk_domain::ports::store::{TrackingToken, normalize_message_id};
use helpdesk_domain::sla::notice::Notice;
use helpdesk_domain::sla::policy::SlaPolicy;
use helpdesk_domain::tickets::counters::{CounterDelta, CounterKey, StatusCounts};
use helpdesk_domain::values::ids::{MessageId, RunId};
use helpdesk_domain::{AgentId, Category, CategoryId, Message, OutboxId, Ticket, TicketRef};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

mod access;
mod alerts;
mod catalog;
mod mail;
mod notices;
mod ops;
mod privacy;
mod tickets;

#[derive(Debug, Default)]
struct State {
    tickets: BTreeMap<TicketRef, Ticket>,
    messages: HashMap<TicketRef, Vec<Message>>,
    idempotency: HashMap<String, (String, TicketRef)>,
    message_ids: HashMap<String, TicketRef>,
    counters: HashMap<CounterKey, i64>,
    tokens: HashMap<TicketRef, Vec<TrackingToken>>,
    rate_hits: HashMap<String, u32>,
    outbox: HashMap<OutboxId, (OutboundJob, OutboxState)>,
    /// A `sending` item's lease, a failed or skipped item's reason.
    outbox_lease: HashMap<OutboxId, DateTime<Utc>>,
    /// Queued items by when they were (re)queued: the unsent index.
    unsent: HashMap<OutboxId, DateTime<Utc>>,
    outbox_reason: HashMap<OutboxId, String>,
    do_not_email: HashMap<String, String>,
    quarantine: Vec<Quarantined>,
    /// Sender rules by their text (`name@x`, `@x`), in that order.
    sender_rules: std::collections::BTreeMap<String, SenderRule>,
    /// The reports' list of ratings, by when given and ticket.
    ratings: std::collections::BTreeMap<
        (chrono::DateTime<chrono::Utc>, helpdesk_domain::TicketRef),
        helpdesk_domain::tickets::rated::RatedTicket,
    >,
    tier_rules: std::collections::BTreeMap<String, helpdesk_domain::customers::tier_rule::TierRule>,
    categories: BTreeMap<CategoryId, Category>,
    agents: BTreeMap<AgentId, Agent>,
    faq: Vec<FaqEntry>,
    canned: BTreeMap<String, helpdesk_domain::agents::canned::CannedReply>,
    policies: BTreeMap<String, SlaPolicy>,
    faq_log: BTreeMap<(NaiveDate, String, Option<CategoryId>), (u32, u32)>,
    probes: BTreeMap<String, Probe>,
    /// Open SLA runs, and the notices their steps left.
    notice_runs: BTreeMap<RunId, DateTime<Utc>>,
    notices: BTreeMap<(RunId, TicketRef, MessageId), Notice>,
    /// When each agent's console last asked for news.
    presence: HashMap<AgentId, DateTime<Utc>>,
    /// Each agent's alert log by (agent, kind#ticket): the line, the job that
    /// told it, and whether it waits for a digest.
    alerts: BTreeMap<
        (AgentId, String),
        (
            helpdesk_domain::agents::alert_mail::AlertLine,
            OutboxId,
            bool,
        ),
    >,
    /// Agents' notes about customers, by the address's key.
    customer_notes: HashMap<String, helpdesk_domain::ports::store::CustomerNote>,
    saved_views: HashMap<
        helpdesk_domain::agents::saved_views::ViewScope,
        std::collections::BTreeMap<String, helpdesk_domain::agents::saved_views::SavedView>,
    >,
    tags: std::collections::BTreeSet<helpdesk_domain::values::tag::Tag>,
    /// The admins' audit log, by time and id.
    audit: BTreeMap<(DateTime<Utc>, String), helpdesk_domain::agents::audit::AuditEntry>,
    /// Addresses' links to tickets they are on besides their own, by the
    /// address's key.
    links: std::collections::BTreeSet<(String, TicketRef)>,
    /// Held mails' senders' links to them: (the address's key, SES id).
    held_links: std::collections::BTreeSet<(String, String)>,
}

#[derive(Debug, Default)]
pub struct InMemoryStore(Mutex<State>);

impl InMemoryStore {
    fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every outbox item and its state (for a simulation's invariants).
    pub fn outbox_snapshot(&self) -> Vec<(OutboundJob, OutboxState)> {
        self.state().outbox.values().cloned().collect()
    }

    /// Every SLA notice ever written, and the runs still open (for a simulation's
    /// invariants).
    pub fn notices_snapshot(&self) -> (Vec<Notice>, Vec<RunId>) {
        let s = self.state();
        (
            s.notices.values().cloned().collect(),
            s.notice_runs.keys().cloned().collect(),
        )
    }

    /// Every ticket with its messages (for a simulation's invariants).
    pub fn threads_snapshot(&self) -> Vec<(Ticket, Vec<Message>)> {
        let s = self.state();
        s.tickets
            .values()
            .map(|t| {
                let messages = s.messages.get(&t.reference).cloned().unwrap_or_default();
                (t.clone(), messages)
            })
            .collect()
    }
}

impl State {
    fn apply(&mut self, deltas: Vec<CounterDelta>) {
        for d in deltas {
            *self.counters.entry(d.key).or_insert(0) += d.delta;
        }
    }

    fn link(&mut self, reference: &TicketRef, addresses: &[helpdesk_domain::EmailAddress]) {
        for email in addresses {
            self.links.insert((email.key(), reference.clone()));
        }
    }

    fn record_ids(&mut self, messages: &[Message]) {
        for m in messages {
            if let Some(id) = m
                .email
                .as_ref()
                .and_then(|e| e.message_id.as_deref())
                .and_then(normalize_message_id)
            {
                self.message_ids.insert(id, m.ticket.clone());
            }
        }
    }

    fn counter(&self, key: CounterKey) -> i64 {
        self.counters.get(&key).copied().unwrap_or(0)
    }

    fn status_counts(&self, category: &CategoryId) -> StatusCounts {
        let mut counts = StatusCounts::default();
        for status in helpdesk_domain::Status::ALL {
            let n = self.counter(CounterKey::InStatus {
                category: category.clone(),
                status,
            });
            if n != 0 {
                counts.0.insert(status, n);
            }
        }
        counts
    }
}
