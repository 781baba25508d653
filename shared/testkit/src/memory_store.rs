//! The in-memory ticket and catalog store: the reference behaviour the DynamoDB
//! store must match (both run the contract suite).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use helpdesk_domain::agents::profile::Agent;
use helpdesk_domain::catalog::faq::FaqEntry;
use helpdesk_domain::catalog::faq::{FaqReadCount, FaqSearch, FaqSearchCount};
use helpdesk_domain::mail::inbound::quarantine::Quarantined;
use helpdesk_domain::mail::outbound::job::{Claimed, OutboxClaim, OutboxFinish};
use helpdesk_domain::mail::outbound::job::{OutboundJob, OutboxState};
use helpdesk_domain::ops::probe::{Probe, ProbeOutcome};
use helpdesk_domain::ports::store::{
    Created, NewTicket, Position, QueueOrder, QueuePage, QueueQuery, StoreError, TicketSummary,
    TicketThread, TicketUpdate, Waking, normalize_message_id,
};
use helpdesk_domain::ports::store::{RateLimitClaim, TrackingToken};
use helpdesk_domain::ports::{
    AgentProfiles, CannedReplies, Categories, DoNotEmail, FaqEntries, FaqStats, MessageIds, Outbox,
    Probes, Quarantine, Queues, RateLimits, ReportDays, SlaPolicies, TicketRecords, TrackingTokens,
    Wakeups,
};
use helpdesk_domain::reports::{DayFigures, ReportScope};
use helpdesk_domain::sla::clocks::reached;
use helpdesk_domain::sla::policy::SlaPolicy;
use helpdesk_domain::tickets::counters::{
    CategoryCounts, CounterDelta, CounterKey, QueueCounts, StatusCounts,
};
use helpdesk_domain::values::ids::FaqId;
use helpdesk_domain::values::time::sortable;
use helpdesk_domain::values::token::TokenHash;
use helpdesk_domain::{
    AgentId, Category, CategoryId, EmailAddress, Message, OutboxId, Ticket, TicketRef,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

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
    categories: BTreeMap<CategoryId, Category>,
    agents: BTreeMap<AgentId, Agent>,
    faq: Vec<FaqEntry>,
    canned: BTreeMap<String, helpdesk_domain::agents::canned::CannedReply>,
    policies: BTreeMap<String, SlaPolicy>,
    faq_log: BTreeMap<(NaiveDate, String, Option<CategoryId>), (u32, u32)>,
    probes: BTreeMap<String, Probe>,
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

fn queue_key(t: &Ticket) -> String {
    format!("{}#{}", sortable(t.created_at), t.reference.as_str())
}

#[async_trait]
impl TicketRecords for InMemoryStore {
    async fn create_ticket(&self, new: NewTicket) -> Result<Created, StoreError> {
        let mut s = self.state();
        let replay = new
            .idempotency
            .as_ref()
            .and_then(|claim| s.idempotency.get(&claim.key).map(|seen| (claim, seen)));
        if let Some((claim, (fingerprint, reference))) = replay {
            return if fingerprint == &claim.fingerprint {
                Ok(Created::Replayed(reference.clone()))
            } else {
                Err(StoreError::IdempotencyMismatch)
            };
        }
        if s.tickets.contains_key(&new.ticket.reference) {
            return Err(StoreError::Duplicate);
        }
        let now = new.ticket.created_at;
        if let Some(full) = new
            .rate_limits
            .iter()
            .find(|c| s.rate_hits.get(&c.key).copied().unwrap_or(0) >= c.limit)
        {
            return Err(StoreError::RateLimited {
                retry_after_secs: full.retry_after_secs(now),
            });
        }
        let deltas = new.counter_deltas();
        let NewTicket {
            ticket,
            first_message,
            idempotency,
            tracking_token,
            rate_limits,
            outbox,
            faq_read: _,
        } = new;
        for claim in rate_limits {
            *s.rate_hits.entry(claim.key).or_insert(0) += 1;
        }
        for job in outbox {
            s.unsent.insert(job.outbox_id.clone(), ticket.updated_at);
            s.outbox
                .insert(job.outbox_id.clone(), (job, OutboxState::Queued));
        }
        if let Some(token) = tracking_token {
            s.tokens
                .entry(ticket.reference.clone())
                .or_default()
                .push(token);
        }
        if let Some(claim) = idempotency {
            s.idempotency
                .insert(claim.key, (claim.fingerprint, ticket.reference.clone()));
        }
        s.apply(deltas);
        s.record_ids(std::slice::from_ref(&first_message));
        s.messages
            .insert(ticket.reference.clone(), vec![first_message]);
        s.tickets.insert(ticket.reference.clone(), ticket.clone());
        Ok(Created::New(Box::new(ticket)))
    }

    async fn load_ticket(&self, reference: &TicketRef) -> Result<TicketThread, StoreError> {
        let s = self.state();
        let ticket = s
            .tickets
            .get(reference)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        let mut messages = s.messages.get(reference).cloned().unwrap_or_default();
        messages.sort_by(|a, b| (a.created_at, a.id.as_str()).cmp(&(b.created_at, b.id.as_str())));
        Ok(TicketThread { ticket, messages })
    }

    async fn update_ticket(&self, update: TicketUpdate) -> Result<Ticket, StoreError> {
        let mut saved = self.update_tickets(vec![update]).await?;
        saved
            .pop()
            .ok_or_else(|| StoreError::Corrupt("an update wrote no ticket".into()))
    }

    async fn update_tickets(&self, updates: Vec<TicketUpdate>) -> Result<Vec<Ticket>, StoreError> {
        let mut s = self.state();
        // Every check first: all or nothing.
        for update in &updates {
            let current = s
                .tickets
                .get(&update.before().reference)
                .ok_or(StoreError::NotFound)?;
            if current.version != update.before().version {
                return Err(StoreError::Conflict);
            }
            if update
                .dedupe()
                .is_some_and(|claim| s.idempotency.contains_key(&claim.key))
            {
                return Err(StoreError::AlreadyApplied);
            }
        }
        let mut saved = Vec::new();
        for update in updates {
            if let Some(claim) = update.dedupe() {
                s.idempotency.insert(
                    claim.key.clone(),
                    (claim.fingerprint.clone(), update.after().reference.clone()),
                );
            }
            for job in update.outbox() {
                s.unsent
                    .insert(job.outbox_id.clone(), update.after().updated_at);
                s.outbox
                    .insert(job.outbox_id.clone(), (job.clone(), OutboxState::Queued));
            }
            let after = update.after().clone();
            s.apply(update.counter_deltas());
            s.record_ids(update.messages());
            s.messages
                .entry(after.reference.clone())
                .or_default()
                .extend(update.messages().iter().cloned());
            s.tickets.insert(after.reference.clone(), after.clone());
            saved.push(after);
        }
        Ok(saved)
    }

    async fn tickets_of_requester(
        &self,
        email: &EmailAddress,
        limit: u16,
    ) -> Result<Vec<TicketSummary>, StoreError> {
        let s = self.state();
        let mut mine: Vec<&Ticket> = s
            .tickets
            .values()
            .filter(|t| t.requester.email.key() == email.key())
            .collect();
        mine.sort_by_key(|t| std::cmp::Reverse(queue_key(t)));
        Ok(mine
            .into_iter()
            .take(usize::from(limit))
            .map(TicketSummary::from)
            .collect())
    }

    async fn add_note(&self, note: &Message) -> Result<(), StoreError> {
        let mut s = self.state();
        let thread = s.messages.entry(note.ticket.clone()).or_default();
        if !thread.iter().any(|m| m.id == note.id) {
            thread.push(note.clone());
        }
        Ok(())
    }
}

#[async_trait]
impl Queues for InMemoryStore {
    async fn queue(&self, query: QueueQuery) -> Result<QueuePage, StoreError> {
        let s = self.state();
        let listing = &query.listing;
        let mut matching: Vec<(Position, TicketSummary)> = s
            .tickets
            .values()
            .map(TicketSummary::from)
            .filter(|t| listing.holds(t))
            .filter_map(|t| listing.position_of(&t).map(|p| (p, t)))
            .collect();
        matching.sort_by(|a, b| a.0.cmp(&b.0));
        if query.order == QueueOrder::NewestFirst {
            matching.reverse();
        }
        let limit = usize::from(query.limit.clamp(1, 100));
        let mut items: Vec<TicketSummary> = matching
            .into_iter()
            .filter(|(p, _)| match (&query.after, query.order) {
                (None, _) => true,
                (Some(a), QueueOrder::OldestFirst) => p > a,
                (Some(a), QueueOrder::NewestFirst) => p < a,
            })
            .map(|(_, t)| t)
            .take(limit + 1)
            .collect();
        let more = items.len() > limit;
        items.truncate(limit);
        Ok(QueuePage { items, more })
    }

    async fn queue_counts(
        &self,
        categories: &[CategoryId],
        agent: &AgentId,
    ) -> Result<QueueCounts, StoreError> {
        let s = self.state();
        let mut counts = QueueCounts {
            assigned_to_agent: s.counter(CounterKey::AssignedTo {
                agent: agent.clone(),
            }),
            ..QueueCounts::default()
        };
        for category in categories {
            let mut c = CategoryCounts {
                unassigned: s.counter(CounterKey::Unassigned {
                    category: category.clone(),
                }),
                received: s.counter(CounterKey::Received {
                    category: category.clone(),
                }),
                overdue: s.counter(CounterKey::Overdue {
                    category: category.clone(),
                }),
                ..CategoryCounts::default()
            };
            c.by_status = s.status_counts(category);
            counts.categories.insert(category.clone(), c);
        }
        Ok(counts)
    }

    async fn status_counts(&self, category: &CategoryId) -> Result<StatusCounts, StoreError> {
        Ok(self.state().status_counts(category))
    }
}

#[async_trait]
impl Wakeups for InMemoryStore {
    async fn waking(&self, before: DateTime<Utc>, limit: u16) -> Result<Vec<Waking>, StoreError> {
        let s = self.state();
        let mut due: Vec<Waking> = s
            .tickets
            .values()
            .filter_map(|t| {
                t.sla
                    .wake_at
                    .filter(|d| reached(*d, before))
                    .map(|at| Waking {
                        reference: t.reference.clone(),
                        at,
                    })
            })
            .collect();
        due.sort_by(|a, b| (a.at, &a.reference).cmp(&(b.at, &b.reference)));
        due.truncate(usize::from(limit));
        Ok(due)
    }
}

#[async_trait]
impl MessageIds for InMemoryStore {
    async fn ticket_for_message_id(
        &self,
        message_id: &str,
    ) -> Result<Option<TicketRef>, StoreError> {
        let Some(id) = normalize_message_id(message_id) else {
            return Ok(None);
        };
        Ok(self.state().message_ids.get(&id).cloned())
    }

    async fn record_message_id(
        &self,
        message_id: &str,
        ticket: &TicketRef,
    ) -> Result<(), StoreError> {
        let id = normalize_message_id(message_id)
            .ok_or_else(|| StoreError::Corrupt("empty Message-ID".into()))?;
        self.state().message_ids.insert(id, ticket.clone());
        Ok(())
    }

    async fn tickets_for_message_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, TicketRef)>, StoreError> {
        let s = self.state();
        let mut found: Vec<(String, TicketRef)> = Vec::new();
        for id in ids.iter().filter_map(|i| normalize_message_id(i)) {
            if let Some(t) = s.message_ids.get(&id)
                && !found.iter().any(|(seen, _)| seen == &id)
            {
                found.push((id, t.clone()));
            }
        }
        Ok(found)
    }
}

#[async_trait]
impl TrackingTokens for InMemoryStore {
    async fn add_tracking_token(
        &self,
        ticket: &TicketRef,
        token: TrackingToken,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        if !s.tickets.contains_key(ticket) {
            return Err(StoreError::NotFound);
        }
        s.tokens.entry(ticket.clone()).or_default().push(token);
        Ok(())
    }

    async fn tracking_token(
        &self,
        ticket: &TicketRef,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<TrackingToken>, StoreError> {
        Ok(self.state().tokens.get(ticket).and_then(|tokens| {
            tokens
                .iter()
                .filter(|t| &t.hash == hash && t.expires_at > now)
                .max_by_key(|t| t.expires_at)
                .cloned()
        }))
    }
}

#[async_trait]
impl RateLimits for InMemoryStore {
    async fn hit_rate_limits(
        &self,
        claims: &[RateLimitClaim],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        if let Some(full) = claims
            .iter()
            .find(|c| s.rate_hits.get(&c.key).copied().unwrap_or(0) >= c.limit)
        {
            return Err(StoreError::RateLimited {
                retry_after_secs: full.retry_after_secs(now),
            });
        }
        for c in claims {
            *s.rate_hits.entry(c.key.clone()).or_insert(0) += 1;
        }
        Ok(())
    }
}

#[async_trait]
impl Outbox for InMemoryStore {
    async fn outbox_item(
        &self,
        id: &OutboxId,
    ) -> Result<Option<(OutboundJob, OutboxState)>, StoreError> {
        Ok(self.state().outbox.get(id).cloned())
    }

    async fn unsent_outbox(
        &self,
        queued_before: DateTime<Utc>,
        limit: u16,
    ) -> Result<Vec<OutboundJob>, StoreError> {
        let s = self.state();
        let mut waiting: Vec<(&DateTime<Utc>, &OutboxId)> = s
            .unsent
            .iter()
            .filter(|(_, at)| **at < queued_before)
            .map(|(id, at)| (at, id))
            .collect();
        waiting.sort();
        Ok(waiting
            .into_iter()
            .take(usize::from(limit))
            .filter_map(|(_, id)| s.outbox.get(id).map(|(job, _)| job.clone()))
            .collect())
    }

    async fn outbox_requeued(
        &self,
        job: &OutboundJob,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        let id = &job.outbox_id;
        let settled = match s.outbox.get(id).map(|(_, state)| *state) {
            Some(OutboxState::Queued) => false,
            Some(OutboxState::Sending) => s.outbox_lease.get(id).is_none_or(|l| *l >= at),
            _ => true,
        };
        if let Some(waiting_since) = s.unsent.get_mut(id)
            && !settled
        {
            *waiting_since = at;
        }
        Ok(())
    }

    async fn claim_outbox(&self, claim: &OutboxClaim) -> Result<Claimed, StoreError> {
        let mut s = self.state();
        let id = &claim.job.outbox_id;
        match s.outbox.get(id).map(|(_, state)| *state) {
            None | Some(OutboxState::Queued) => {}
            Some(OutboxState::Sending)
                if s.outbox_lease.get(id).is_some_and(|l| *l < claim.now) => {}
            Some(OutboxState::Sending) => return Ok(Claimed::InFlight),
            Some(OutboxState::Sent) => return Ok(Claimed::AlreadySent),
            Some(OutboxState::Failed | OutboxState::Skipped) => {
                return Ok(Claimed::AlreadyFailed(
                    s.outbox_reason.get(id).cloned().unwrap_or_default(),
                ));
            }
        }
        if s.do_not_email.contains_key(&claim.job.recipient.key()) {
            return Ok(Claimed::DoNotEmail);
        }
        if let Some(cap) = &claim.cap {
            let hits = s.rate_hits.entry(cap.key.clone()).or_insert(0);
            if *hits >= cap.limit {
                return Ok(Claimed::Capped);
            }
            *hits += 1;
        }
        let job = s
            .outbox
            .get(id)
            .map(|(job, _)| job.clone())
            .unwrap_or_else(|| claim.job.clone());
        // In the unsent index at the lease's end: a sender that dies is swept.
        s.unsent.insert(id.clone(), claim.lease_until);
        s.outbox.insert(id.clone(), (job, OutboxState::Sending));
        s.outbox_lease.insert(id.clone(), claim.lease_until);
        for (ticket, token) in &claim.tokens {
            s.tokens
                .entry(ticket.clone())
                .or_default()
                .push(token.clone());
        }
        Ok(Claimed::Go)
    }

    async fn finish_outbox(
        &self,
        job: &OutboundJob,
        finish: OutboxFinish,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        let id = &job.outbox_id;
        let state = s.outbox.get(id).map(|(_, state)| *state);
        let (to, reason) = match finish {
            OutboxFinish::Skipped { reason } => {
                if !matches!(state, None | Some(OutboxState::Queued)) {
                    return Err(StoreError::Conflict);
                }
                (OutboxState::Skipped, Some(reason))
            }
            other => {
                if state != Some(OutboxState::Sending) {
                    return Err(StoreError::Conflict);
                }
                match other {
                    OutboxFinish::Sent {
                        message_ids,
                        ticket,
                        ..
                    } => {
                        if let Some(ticket) = ticket {
                            for mid in message_ids.iter().filter_map(|m| normalize_message_id(m)) {
                                s.message_ids.insert(mid, ticket.clone());
                            }
                        }
                        (OutboxState::Sent, None)
                    }
                    OutboxFinish::Released => (OutboxState::Queued, None),
                    OutboxFinish::Failed { reason, note } => {
                        if let Some(note) = note {
                            s.messages
                                .entry(note.ticket.clone())
                                .or_default()
                                .push(*note);
                        }
                        (OutboxState::Failed, Some(reason))
                    }
                    OutboxFinish::Skipped { .. } => unreachable!("handled above"),
                }
            }
        };
        let stored = s
            .outbox
            .get(id)
            .map(|(j, _)| j.clone())
            .unwrap_or_else(|| job.clone());
        s.outbox.insert(id.clone(), (stored, to));
        s.outbox_lease.remove(id);
        if to == OutboxState::Queued {
            s.unsent.insert(id.clone(), at);
        } else {
            s.unsent.remove(id);
        }
        if let Some(reason) = reason {
            s.outbox_reason.insert(id.clone(), reason);
        }
        Ok(())
    }
}

#[async_trait]
impl Probes for InMemoryStore {
    async fn put_probe(&self, probe: &Probe) -> Result<(), StoreError> {
        self.state()
            .probes
            .insert(probe.hash.as_str().to_owned(), probe.clone());
        Ok(())
    }

    async fn probes(&self) -> Result<Vec<Probe>, StoreError> {
        Ok(self.state().probes.values().cloned().collect())
    }

    async fn settle_probe(
        &self,
        hash: &TokenHash,
        outcome: ProbeOutcome,
    ) -> Result<bool, StoreError> {
        let mut s = self.state();
        match s.probes.get_mut(hash.as_str()) {
            Some(p) if p.outcome == ProbeOutcome::Pending => {
                p.outcome = outcome;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

#[async_trait]
impl ReportDays for InMemoryStore {
    async fn report_days(
        &self,
        scope: &ReportScope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, DayFigures)>, StoreError> {
        let mut days: BTreeMap<NaiveDate, DayFigures> = BTreeMap::new();
        for (key, value) in &self.state().counters {
            if let CounterKey::Day {
                scope: s,
                day,
                figure,
            } = key
                && s == scope
                && (from..=to).contains(day)
            {
                days.entry(*day).or_default().0.insert(*figure, *value);
            }
        }
        Ok(days.into_iter().collect())
    }
}

#[async_trait]
impl Quarantine for InMemoryStore {
    async fn quarantine(&self, item: &Quarantined) -> Result<bool, StoreError> {
        let mut s = self.state();
        let key = format!("inbound:{}", item.ses_id);
        if s.idempotency.contains_key(&key) {
            return Ok(false);
        }
        s.idempotency
            .insert(key, ("quarantine".into(), TicketRef::from_bits(0)));
        s.quarantine.push(item.clone());
        Ok(true)
    }

    async fn quarantined(&self, day: NaiveDate) -> Result<Vec<Quarantined>, StoreError> {
        let mut found: Vec<Quarantined> = self
            .state()
            .quarantine
            .iter()
            .filter(|q| q.received_at.date_naive() == day)
            .cloned()
            .collect();
        found.sort_by_key(|q| q.received_at);
        Ok(found)
    }
}

#[async_trait]
impl DoNotEmail for InMemoryStore {
    async fn set_do_not_email(
        &self,
        email: &EmailAddress,
        reason: &str,
        _at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.state()
            .do_not_email
            .insert(email.key(), reason.to_owned());
        Ok(())
    }

    async fn do_not_email(&self, email: &EmailAddress) -> Result<Option<String>, StoreError> {
        Ok(self.state().do_not_email.get(&email.key()).cloned())
    }
}

#[async_trait]
impl Categories for InMemoryStore {
    async fn categories(&self) -> Result<Vec<Category>, StoreError> {
        let mut all: Vec<Category> = self.state().categories.values().cloned().collect();
        all.sort_by(|a, b| (a.position, &a.id).cmp(&(b.position, &b.id)));
        Ok(all)
    }

    async fn category(&self, id: &CategoryId) -> Result<Option<Category>, StoreError> {
        Ok(self.state().categories.get(id).cloned())
    }

    async fn put_category(&self, category: &Category) -> Result<(), StoreError> {
        self.state()
            .categories
            .insert(category.id.clone(), category.clone());
        Ok(())
    }
}

#[async_trait]
impl AgentProfiles for InMemoryStore {
    async fn agents(&self) -> Result<Vec<Agent>, StoreError> {
        Ok(self.state().agents.values().cloned().collect())
    }

    async fn agent(&self, id: &AgentId) -> Result<Option<Agent>, StoreError> {
        Ok(self.state().agents.get(id).cloned())
    }

    async fn put_agent(&self, agent: &Agent) -> Result<(), StoreError> {
        self.state().agents.insert(agent.id.clone(), agent.clone());
        Ok(())
    }
}

#[async_trait]
impl FaqEntries for InMemoryStore {
    async fn faq(&self, category: &CategoryId) -> Result<Vec<FaqEntry>, StoreError> {
        let mut entries: Vec<FaqEntry> = self
            .state()
            .faq
            .iter()
            .filter(|e| &e.category == category)
            .cloned()
            .collect();
        entries.sort_by(|a, b| (a.position, &a.id).cmp(&(b.position, &b.id)));
        Ok(entries)
    }

    async fn put_faq(&self, entry: &FaqEntry) -> Result<(), StoreError> {
        let mut s = self.state();
        s.faq
            .retain(|e| !(e.id == entry.id && e.category == entry.category));
        s.faq.push(entry.clone());
        Ok(())
    }
}

#[async_trait]
impl FaqStats for InMemoryStore {
    async fn log_faq_search(
        &self,
        search: &FaqSearch,
        new_queries_per_day: u32,
    ) -> Result<bool, StoreError> {
        let mut s = self.state();
        let day = search.at.date_naive();
        let key = (day, search.query.clone(), search.category.clone());
        if !s.faq_log.contains_key(&key) {
            let logged_today = s.faq_log.keys().filter(|(d, _, _)| *d == day).count();
            if logged_today >= new_queries_per_day as usize {
                return Ok(false);
            }
        }
        let counts = s.faq_log.entry(key).or_insert((0, 0));
        counts.0 += 1;
        counts.1 += u32::from(search.results == 0);
        Ok(true)
    }

    async fn faq_search_log(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FaqSearchCount>, StoreError> {
        let days = self
            .state()
            .faq_log
            .iter()
            .filter(|((day, _, _), _)| (from..=to).contains(day))
            .map(|((_, query, category), (searches, zero))| FaqSearchCount {
                query: query.clone(),
                category: category.clone(),
                searches: *searches,
                zero_results: *zero,
            })
            .collect::<Vec<_>>();
        Ok(FaqSearchCount::summed(days))
    }

    async fn count_faq_reads(
        &self,
        entries: &[(CategoryId, FaqId)],
        then_ticket: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let deltas =
            helpdesk_domain::tickets::counters::faq_reads(entries, then_ticket, at.date_naive());
        self.state().apply(deltas);
        Ok(())
    }

    async fn faq_read_log(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FaqReadCount>, StoreError> {
        let days: Vec<FaqReadCount> = self
            .state()
            .counters
            .iter()
            .filter_map(|(key, n)| match key {
                CounterKey::FaqRead {
                    category,
                    entry,
                    day,
                    then_ticket,
                } if (from..=to).contains(day) => {
                    let n = u32::try_from(*n).unwrap_or(0);
                    Some(FaqReadCount {
                        category: category.clone(),
                        entry: entry.clone(),
                        opened: if *then_ticket { 0 } else { n },
                        then_ticket: if *then_ticket { n } else { 0 },
                    })
                }
                _ => None,
            })
            .collect();
        Ok(FaqReadCount::summed(days))
    }
}

#[async_trait]
impl CannedReplies for InMemoryStore {
    async fn canned_replies(
        &self,
    ) -> Result<Vec<helpdesk_domain::agents::canned::CannedReply>, StoreError> {
        let mut all: Vec<_> = self.state().canned.values().cloned().collect();
        all.sort_by(|a, b| {
            (a.title.to_lowercase(), a.id.as_str()).cmp(&(b.title.to_lowercase(), b.id.as_str()))
        });
        Ok(all)
    }

    async fn put_canned(
        &self,
        reply: &helpdesk_domain::agents::canned::CannedReply,
    ) -> Result<(), StoreError> {
        self.state()
            .canned
            .insert(reply.id.as_str().to_owned(), reply.clone());
        Ok(())
    }

    async fn delete_canned(
        &self,
        id: &helpdesk_domain::values::ids::FaqId,
    ) -> Result<(), StoreError> {
        self.state().canned.remove(id.as_str());
        Ok(())
    }
}

#[async_trait]
impl SlaPolicies for InMemoryStore {
    async fn policies(&self) -> Result<Vec<SlaPolicy>, StoreError> {
        Ok(self.state().policies.values().cloned().collect())
    }

    async fn policy(&self, id: &str) -> Result<Option<SlaPolicy>, StoreError> {
        Ok(self.state().policies.get(id).cloned())
    }

    async fn put_policy(&self, policy: &SlaPolicy) -> Result<(), StoreError> {
        self.state()
            .policies
            .insert(policy.id.clone(), policy.clone());
        Ok(())
    }
}
