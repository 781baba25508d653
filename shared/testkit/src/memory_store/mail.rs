//! What the mail functions keep: Message-IDs, the outbox, the quarantine and the do-
//! not-email list.

use super::InMemoryStore;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use helpdesk_domain::mail::inbound::quarantine::{
    HeldPosition, QuarantineReason, Quarantined, Release, Released, SenderPattern, SenderRule,
};
use helpdesk_domain::mail::outbound::job::{Claimed, OutboxClaim, OutboxFinish};
use helpdesk_domain::mail::outbound::job::{OutboundJob, OutboxState};
use helpdesk_domain::ports::store::{StoreError, normalize_message_id};
use helpdesk_domain::ports::{DoNotEmail, MessageIds, Outbox, Quarantine, SenderRules};
use helpdesk_domain::{AgentId, EmailAddress, OutboxId, TicketRef};

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
                    OutboxFinish::Released { refund } => {
                        if let Some(cap) = refund
                            && let Some(hits) = s.rate_hits.get_mut(&cap.key)
                        {
                            *hits = hits.saturating_sub(1);
                        }
                        (OutboxState::Queued, None)
                    }
                    OutboxFinish::Failed { reason, note } => {
                        if let Some(note) = note {
                            s.link(
                                &note.ticket,
                                &helpdesk_domain::tickets::people::named_by(&note),
                            );
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
impl Quarantine for InMemoryStore {
    async fn quarantine(&self, item: &Quarantined) -> Result<bool, StoreError> {
        let mut s = self.state();
        let key = format!("inbound:{}", item.ses_id);
        if s.idempotency.contains_key(&key) {
            return Ok(false);
        }
        s.idempotency
            .insert(key, ("quarantine".into(), TicketRef::from_bits(0)));
        if let Some(sender) = item.sender() {
            s.held_links.insert((sender.key(), item.ses_id.clone()));
        }
        s.quarantine.push(item.clone());
        Ok(true)
    }

    async fn quarantined(
        &self,
        day: NaiveDate,
        before: Option<&HeldPosition>,
        limit: usize,
    ) -> Result<Vec<Quarantined>, StoreError> {
        let mut found: Vec<Quarantined> = self
            .state()
            .quarantine
            .iter()
            .filter(|q| q.received_at.date_naive() == day)
            .filter(|q| before.is_none_or(|b| q.position() < *b))
            .cloned()
            .collect();
        found.sort_by_key(|q| std::cmp::Reverse(q.position()));
        found.truncate(limit);
        Ok(found)
    }

    async fn held(&self, ses_id: &str) -> Result<Option<Quarantined>, StoreError> {
        Ok(self
            .state()
            .quarantine
            .iter()
            .find(|q| q.ses_id == ses_id)
            .cloned())
    }

    async fn release(
        &self,
        ses_id: &str,
        by: &AgentId,
        at: DateTime<Utc>,
    ) -> Result<Release, StoreError> {
        let mut s = self.state();
        let Some(item) = s.quarantine.iter_mut().find(|q| q.ses_id == ses_id) else {
            return Ok(Release::NotFound);
        };
        if item.released.is_some() {
            return Ok(Release::Already(item.clone()));
        }
        item.released = Some(Released { by: by.clone(), at });
        Ok(Release::Released(item.clone()))
    }

    async fn hold_again(&self, ses_id: &str, reason: &QuarantineReason) -> Result<(), StoreError> {
        if let Some(item) = self
            .state()
            .quarantine
            .iter_mut()
            .find(|q| q.ses_id == ses_id)
        {
            item.reason = reason.clone();
        }
        Ok(())
    }
}

#[async_trait]
impl SenderRules for InMemoryStore {
    async fn sender_rule(&self, from: &EmailAddress) -> Result<Option<SenderRule>, StoreError> {
        let s = self.state();
        Ok(SenderPattern::candidates(from)
            .iter()
            .find_map(|p| s.sender_rules.get(&p.text()).cloned()))
    }

    async fn sender_rules(&self) -> Result<Vec<SenderRule>, StoreError> {
        Ok(self.state().sender_rules.values().cloned().collect())
    }

    async fn put_sender_rule(&self, rule: &SenderRule) -> Result<(), StoreError> {
        self.state()
            .sender_rules
            .insert(rule.pattern.text(), rule.clone());
        Ok(())
    }

    async fn delete_sender_rule(&self, pattern: &SenderPattern) -> Result<bool, StoreError> {
        Ok(self.state().sender_rules.remove(&pattern.text()).is_some())
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
