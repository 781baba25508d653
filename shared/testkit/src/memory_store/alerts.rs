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

    async fn left_console(&self, agent: &AgentId) -> Result<(), StoreError> {
        self.state().presence.remove(agent);
        Ok(())
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
        let free = match s.alerts.get(&key) {
            None => true,
            Some((old, old_job, _)) => old_job == job || seen.is_some_and(|t| old.at < t),
        };
        if free {
            s.alerts.insert(key, (line.clone(), job.clone(), waiting));
        }
        Ok(free)
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
