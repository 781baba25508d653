//! Tickets and their threads (`TicketRecords`), and the listings readers page through
//! (`Queues`, `Wakeups`).

use super::InMemoryStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use helpdesk_domain::mail::outbound::job::OutboxState;
use helpdesk_domain::ports::store::{
    Created, NewTicket, Position, QueueOrder, QueuePage, QueueQuery, StoreError, TicketSummary,
    TicketThread, TicketUpdate, Waking,
};
use helpdesk_domain::ports::{Queues, TicketRecords, Wakeups};
use helpdesk_domain::sla::clocks::reached;
use helpdesk_domain::tickets::counters::{CategoryCounts, CounterKey, QueueCounts, StatusCounts};
use helpdesk_domain::values::time::sortable;
use helpdesk_domain::{AgentId, CategoryId, EmailAddress, Message, Ticket, TicketRef};

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
        s.link(&new.ticket.reference, &new.linked_addresses());
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
            for n in update.notices() {
                s.notices.insert(
                    (n.run.clone(), n.line.ticket.clone(), n.message.clone()),
                    n.clone(),
                );
            }
            if let Some((old, new)) = update.rating_entries() {
                if let Some(old) = old {
                    s.ratings.remove(&(old.at, old.reference));
                }
                if let Some(new) = new {
                    s.ratings.insert((new.at, new.reference.clone()), new);
                }
            }
            let after = update.after().clone();
            s.apply(update.counter_deltas());
            s.record_ids(update.messages());
            s.link(&after.reference, &update.linked_addresses());
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
            .filter(|t| t.requester.email.key() == email.key() && t.erased_at.is_none())
            .collect();
        mine.sort_by_key(|t| std::cmp::Reverse(queue_key(t)));
        Ok(mine
            .into_iter()
            .take(usize::from(limit))
            .map(TicketSummary::from)
            .collect())
    }

    async fn all_tickets(
        &self,
        after: Option<String>,
    ) -> Result<(Vec<TicketRef>, Option<String>), StoreError> {
        // Pages of two, so a rebuild's paging is exercised on small data.
        let s = self.state();
        let page: Vec<TicketRef> = s
            .tickets
            .keys()
            .filter(|r| after.as_deref().is_none_or(|a| r.as_str() > a))
            .take(2)
            .cloned()
            .collect();
        let next = (page.len() == 2).then(|| page[1].as_str().to_owned());
        Ok((page, next))
    }

    async fn add_note(&self, note: &Message) -> Result<(), StoreError> {
        let mut s = self.state();
        s.link(
            &note.ticket,
            &helpdesk_domain::tickets::people::named_by(note),
        );
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
            // An erased ticket's shell is in no listing (its counts stay).
            .filter(|t| t.erased_at.is_none())
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
                replied: s.counter(CounterKey::CustomerReplied {
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

fn queue_key(t: &Ticket) -> String {
    format!("{}#{}", sortable(t.created_at), t.reference.as_str())
}
