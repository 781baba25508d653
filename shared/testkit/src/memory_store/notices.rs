//! The SLA run's notices and open runs (`SlaNotices`).

use super::InMemoryStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use helpdesk_domain::mail::outbound::job::{OutboundJob, OutboxState};
use helpdesk_domain::ports::SlaNotices;
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::sla::notice::Notice;
use helpdesk_domain::values::ids::RunId;

#[async_trait]
impl SlaNotices for InMemoryStore {
    async fn open_notice_run(&self, run: &RunId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.state().notice_runs.entry(run.clone()).or_insert(at);
        Ok(())
    }

    async fn open_notice_runs(&self, before: DateTime<Utc>) -> Result<Vec<RunId>, StoreError> {
        let s = self.state();
        let mut runs: Vec<_> = s
            .notice_runs
            .iter()
            .filter(|(_, at)| **at < before)
            .map(|(run, at)| (*at, run.clone()))
            .collect();
        runs.sort();
        Ok(runs.into_iter().map(|(_, run)| run).collect())
    }

    async fn notices(&self, run: &RunId) -> Result<Vec<Notice>, StoreError> {
        Ok(self
            .state()
            .notices
            .iter()
            .filter(|((r, _, _), _)| r == run)
            .map(|(_, n)| n.clone())
            .collect())
    }

    async fn close_notice_run(
        &self,
        run: &RunId,
        digests: &[OutboundJob],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        for job in digests {
            if !s.outbox.contains_key(&job.outbox_id) {
                s.unsent.insert(job.outbox_id.clone(), at);
                s.outbox
                    .insert(job.outbox_id.clone(), (job.clone(), OutboxState::Queued));
            }
        }
        // The notices stay until they expire, as in DynamoDB (its TTL deletes them
        // for free): nothing reads a closed run's notices.
        s.notice_runs.remove(run);
        Ok(())
    }
}
