//! Erasing a customer's data (`Erasure`) and the admins' audit log (`AuditTrail`).

use super::InMemoryStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use helpdesk_domain::agents::audit::{AuditCursor, AuditEntry};
use helpdesk_domain::mail::outbound::job::OutboundJob;
use helpdesk_domain::ports::store::{StoreError, TicketThread, normalize_message_id};
use helpdesk_domain::ports::{AuditTrail, Erasure};
use helpdesk_domain::{CategoryId, EmailAddress, Message, Status, TicketRef};

/// Deletes these messages of the ticket and the Message-ID records that lead
/// to it through them; how many went.
fn drop_messages(s: &mut super::State, reference: &TicketRef, messages: &[Message]) -> usize {
    let mut gone = 0;
    if let Some(stored) = s.messages.get_mut(reference) {
        let before = stored.len();
        stored.retain(|m| !messages.iter().any(|t| t.id == m.id));
        gone += before - stored.len();
    }
    for id in messages
        .iter()
        .filter_map(|m| m.email.as_ref()?.message_id.as_deref())
        .filter_map(normalize_message_id)
    {
        if s.message_ids.get(&id) == Some(reference) {
            s.message_ids.remove(&id);
            gone += 1;
        }
    }
    gone
}

/// Deletes the outbox items of mail about the ticket that `which` picks;
/// how many went.
fn drop_mail(
    s: &mut super::State,
    reference: &TicketRef,
    which: impl Fn(&OutboundJob) -> bool,
) -> usize {
    let mail: Vec<_> = (s.outbox.iter())
        .filter(|(_, (job, _))| job.ticket.as_ref() == Some(reference) && which(job))
        .map(|(id, _)| id.clone())
        .collect();
    for id in &mail {
        s.outbox.remove(id);
        s.unsent.remove(id);
        s.outbox_lease.remove(id);
        s.outbox_reason.remove(id);
    }
    mail.len()
}

/// Up to `limit` of what `links` links to the address.
fn linked<T: Clone + Ord>(
    links: &std::collections::BTreeSet<(String, T)>,
    email: &EmailAddress,
    limit: u16,
) -> Vec<T> {
    let key = email.key();
    links
        .iter()
        .filter(|(k, _)| *k == key)
        .map(|(_, to)| to.clone())
        .take(usize::from(limit.max(1)))
        .collect()
}

#[async_trait]
impl Erasure for InMemoryStore {
    async fn delete_thread(&self, thread: &TicketThread) -> Result<u32, StoreError> {
        let mut s = self.state();
        let reference = &thread.ticket.reference;
        let mut gone = drop_messages(&mut s, reference, &thread.messages);
        gone += s.tokens.remove(reference).map_or(0, |t| t.len());
        gone += drop_mail(&mut s, reference, |_| true);
        Ok(u32::try_from(gone).unwrap_or(u32::MAX))
    }

    async fn delete_messages(
        &self,
        reference: &TicketRef,
        messages: &[Message],
    ) -> Result<u32, StoreError> {
        let gone = drop_messages(&mut self.state(), reference, messages);
        Ok(u32::try_from(gone).unwrap_or(u32::MAX))
    }

    async fn rewrite_messages(&self, messages: &[Message]) -> Result<(), StoreError> {
        let mut s = self.state();
        for m in messages {
            let stored = s.messages.get_mut(&m.ticket).into_iter().flatten();
            for old in stored.filter(|old| old.id == m.id) {
                *old = m.clone();
            }
        }
        Ok(())
    }

    async fn delete_mail_to(
        &self,
        reference: &TicketRef,
        email: &EmailAddress,
    ) -> Result<u32, StoreError> {
        let to = |job: &OutboundJob| job.recipient.key() == email.key();
        let gone = drop_mail(&mut self.state(), reference, to);
        Ok(u32::try_from(gone).unwrap_or(u32::MAX))
    }

    async fn tickets_linked_to(
        &self,
        email: &EmailAddress,
        limit: u16,
    ) -> Result<Vec<TicketRef>, StoreError> {
        Ok(linked(&self.state().links, email, limit))
    }

    async fn link_addresses(
        &self,
        reference: &TicketRef,
        addresses: &[EmailAddress],
    ) -> Result<(), StoreError> {
        self.state().link(reference, addresses);
        Ok(())
    }

    async fn held_mail_from(
        &self,
        email: &EmailAddress,
        limit: u16,
    ) -> Result<Vec<String>, StoreError> {
        Ok(linked(&self.state().held_links, email, limit))
    }

    async fn forget_held(&self, email: &EmailAddress, ses_id: &str) -> Result<u32, StoreError> {
        let mut s = self.state();
        let before = s.quarantine.len();
        s.quarantine.retain(|q| q.ses_id != ses_id);
        let record = before - s.quarantine.len();
        let link = s.held_links.remove(&(email.key(), ses_id.to_owned()));
        Ok(u32::try_from(record).unwrap_or(u32::MAX) + u32::from(link))
    }

    async fn unlink_address(
        &self,
        email: &EmailAddress,
        reference: &TicketRef,
    ) -> Result<bool, StoreError> {
        Ok(self.state().links.remove(&(email.key(), reference.clone())))
    }

    async fn forget_do_not_email(&self, email: &EmailAddress) -> Result<bool, StoreError> {
        Ok(self.state().do_not_email.remove(&email.key()).is_some())
    }

    async fn forget_alerts_about(
        &self,
        email: &EmailAddress,
        agents: &[helpdesk_domain::AgentId],
    ) -> Result<u32, StoreError> {
        let mut s = self.state();
        let before = s.alerts.len();
        s.alerts.retain(|(agent, _), (line, _, _)| {
            !(agents.contains(agent) && line.requester.eq_ignore_ascii_case(email.as_str()))
        });
        Ok(u32::try_from(before - s.alerts.len()).unwrap_or(u32::MAX))
    }

    async fn closed_before(
        &self,
        category: &CategoryId,
        before: DateTime<Utc>,
        limit: u16,
    ) -> Result<Vec<TicketRef>, StoreError> {
        let s = self.state();
        let mut due: Vec<_> = s
            .tickets
            .values()
            .filter(|t| &t.category == category && t.status == Status::Closed)
            .filter(|t| t.erased_at.is_none() && t.updated_at < before)
            .map(|t| (t.created_at, t.reference.clone()))
            .collect();
        due.sort();
        Ok(due
            .into_iter()
            .take(usize::from(limit))
            .map(|(_, r)| r)
            .collect())
    }
}

#[async_trait]
impl AuditTrail for InMemoryStore {
    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let mut s = self.state();
        let key = (entry.at, entry.id.clone());
        if s.audit.contains_key(&key) {
            return Err(StoreError::Duplicate);
        }
        s.audit.insert(key, entry.clone());
        Ok(())
    }

    async fn audit_entries(
        &self,
        before: Option<&AuditCursor>,
        limit: u16,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let s = self.state();
        Ok(s.audit
            .iter()
            .rev()
            .filter(|((at, id), _)| before.is_none_or(|c| (*at, id) < (c.at, &c.id)))
            .take(usize::from(limit))
            .map(|(_, e)| e.clone())
            .collect())
    }

    async fn audit_entries_about(&self, subject: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let s = self.state();
        Ok(s.audit
            .values()
            .filter(|e| e.subject == subject)
            .cloned()
            .collect())
    }
}
