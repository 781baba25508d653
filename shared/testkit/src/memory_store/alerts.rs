//! Agents' presence and alert log (`Presence`, `AlertLog`).

use super::InMemoryStore;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use helpdesk_domain::agents::alert_mail::AlertLine;
use helpdesk_domain::mail::outbound::job::{OutboundJob, OutboxState};
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::ports::{AlertLog, Presence};
use helpdesk_domain::{AgentId, OutboxId};
use std::collections::HashMap;

#[async_trait]
impl Presence for InMemoryStore {
    async fn saw_agent(&self, agent: &AgentId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut s = self.state();
        let fresh = at - Duration::minutes(1);
        match s.presence.get(agent) {
            Some(seen) if *seen >= fresh => {}
            _ => {
                s.presence.insert(agent.clone(), at);
            }
        }
        Ok(())
    }

    async fn left_console(&self, agent: &AgentId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.state().presence.insert(
            agent.clone(),
            helpdesk_domain::agents::alert_mail::left_at(at),
        );
        Ok(())
    }

    async fn agent_seen(&self, agent: &AgentId) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.state().presence.get(agent).copied())
    }

    async fn agents_seen(&self) -> Result<HashMap<AgentId, DateTime<Utc>>, StoreError> {
        Ok(self.state().presence.clone())
    }
}

#[async_trait]
impl AlertLog for InMemoryStore {
    async fn note_alert(
        &self,
        line: &AlertLine,
        job: &OutboxId,
        waiting: bool,
        seen: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let mut s = self.state();
        let key = (line.agent.clone(), line.key());
        match s.alerts.get(&key) {
            // Noted by this job before: left as it is.
            Some((_, old_job, _)) if old_job == job => Ok(true),
            Some((old, _, _)) if seen.is_none_or(|t| old.at >= t) => Ok(false),
            _ => {
                s.alerts.insert(key, (line.clone(), job.clone(), waiting));
                Ok(true)
            }
        }
    }

    async fn waiting_alerts(&self, agent: &AgentId) -> Result<Vec<AlertLine>, StoreError> {
        Ok(self
            .state()
            .alerts
            .iter()
            .filter(|((a, _), (_, _, waiting))| a == agent && *waiting)
            .map(|(_, (line, _, _))| line.clone())
            .collect())
    }

    async fn close_alerts(
        &self,
        lines: &[AlertLine],
        digest: Option<&OutboundJob>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        let all_waiting = lines.iter().all(|l| {
            s.alerts
                .get(&(l.agent.clone(), l.key()))
                .is_some_and(|(old, _, waiting)| *waiting && old.at == l.at)
        });
        let digest_free = digest.is_none_or(|j| !s.outbox.contains_key(&j.outbox_id));
        if !all_waiting || !digest_free {
            return Err(StoreError::Conflict);
        }
        for l in lines {
            if let Some(entry) = s.alerts.get_mut(&(l.agent.clone(), l.key())) {
                entry.2 = false;
            }
        }
        if let Some(job) = digest {
            s.unsent.insert(job.outbox_id.clone(), at);
            s.outbox
                .insert(job.outbox_id.clone(), (job.clone(), OutboxState::Queued));
        }
        Ok(())
    }
}

#[async_trait]
impl helpdesk_domain::ports::CustomerNotes for InMemoryStore {
    async fn customer_note(
        &self,
        customer: &helpdesk_domain::EmailAddress,
    ) -> Result<Option<helpdesk_domain::ports::store::CustomerNote>, StoreError> {
        Ok(self.state().customer_notes.get(&customer.key()).cloned())
    }

    async fn set_customer_note(
        &self,
        customer: &helpdesk_domain::EmailAddress,
        note: Option<&helpdesk_domain::ports::store::CustomerNote>,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        match note {
            Some(n) => {
                s.customer_notes.insert(customer.key(), n.clone());
            }
            None => {
                s.customer_notes.remove(&customer.key());
            }
        }
        Ok(())
    }
}

#[async_trait]
impl helpdesk_domain::ports::TagsInUse for InMemoryStore {
    async fn note_tags(
        &self,
        tags: &[helpdesk_domain::values::tag::Tag],
    ) -> Result<(), StoreError> {
        self.state().tags.extend(tags.iter().cloned());
        Ok(())
    }

    async fn tags_in_use(&self) -> Result<Vec<helpdesk_domain::values::tag::Tag>, StoreError> {
        Ok(self.state().tags.iter().cloned().collect())
    }

    async fn forget_tags(
        &self,
        tags: &[helpdesk_domain::values::tag::Tag],
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        for t in tags {
            s.tags.remove(t);
        }
        Ok(())
    }
}

#[async_trait]
impl helpdesk_domain::ports::SavedViews for InMemoryStore {
    async fn saved_views(
        &self,
        scope: &helpdesk_domain::agents::saved_views::ViewScope,
    ) -> Result<Vec<helpdesk_domain::agents::saved_views::SavedView>, StoreError> {
        Ok(self
            .state()
            .saved_views
            .get(scope)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default())
    }

    async fn put_saved_view(
        &self,
        view: &helpdesk_domain::agents::saved_views::SavedView,
    ) -> Result<(), StoreError> {
        self.state()
            .saved_views
            .entry(view.scope())
            .or_default()
            .insert(view.id.clone(), view.clone());
        Ok(())
    }

    async fn delete_saved_view(
        &self,
        scope: &helpdesk_domain::agents::saved_views::ViewScope,
        id: &str,
    ) -> Result<(), StoreError> {
        if let Some(m) = self.state().saved_views.get_mut(scope) {
            m.remove(id);
        }
        Ok(())
    }
}
