//! The SLA run's notices and open runs (`SlaNotices`): a run's notices share a
//! partition (`NOTICES#<run>`, an item per step, so concurrent steps never write
//! the same item), open runs one small partition.

use super::items::{self, NoticeItem, NoticeRunItem, OutboxItem, s};
use super::{DynamoStore, keys, sdk_error};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use helpdesk_domain::mail::outbound::job::OutboundJob;
use helpdesk_domain::ports::SlaNotices;
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::sla::notice::Notice;
use helpdesk_domain::values::ids::RunId;

#[async_trait]
impl SlaNotices for DynamoStore {
    async fn open_notice_run(&self, run: &RunId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let item = NoticeRunItem {
            pk: keys::NOTICE_RUNS_PK.into(),
            sk: run.as_str().to_owned(),
            run: run.clone(),
            opened_at: at.timestamp_millis(),
        };
        self.put_plain(&item).await
    }

    async fn open_notice_runs(&self, before: DateTime<Utc>) -> Result<Vec<RunId>, StoreError> {
        let mut runs = self
            .query_partition(keys::NOTICE_RUNS_PK.into(), true)
            .await?
            .into_iter()
            .map(items::from_item::<NoticeRunItem>)
            .collect::<Result<Vec<_>, _>>()?;
        runs.retain(|r| r.opened_at < before.timestamp_millis());
        runs.sort_by(|a, b| a.opened_at.cmp(&b.opened_at).then(a.sk.cmp(&b.sk)));
        Ok(runs.into_iter().map(|r| r.run).collect())
    }

    async fn notices(&self, run: &RunId) -> Result<Vec<Notice>, StoreError> {
        self.query_partition(keys::notices_pk(run), true)
            .await?
            .into_iter()
            .map(|i| items::from_item::<NoticeItem>(i).map(|n| n.notice))
            .collect()
    }

    async fn close_notice_run(
        &self,
        run: &RunId,
        digests: &[OutboundJob],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        for job in digests {
            let stored = self
                .client
                .put_item()
                .table_name(&self.tables.main)
                .set_item(Some(items::to_item(&OutboxItem::queued(job, at))?))
                .condition_expression("attribute_not_exists(pk)")
                .send()
                .await
                .map_err(sdk_error);
            match stored {
                // Stored by an earlier gathering of the same run: that one stands.
                Ok(_) | Err(StoreError::Conflict) => {}
                Err(e) => return Err(e),
            }
        }
        self.client
            .delete_item()
            .table_name(&self.tables.main)
            .key("pk", s(keys::NOTICE_RUNS_PK))
            .key("sk", s(run.as_str()))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }
}
