//! Agents' presence in the console and their alert log (`Presence`, `AlertLog`).
//! Presence is one small partition (an item per agent, rewritten at most once a
//! minute); the alert log a partition per agent, an item per kind and ticket, so
//! telling an agent once is one conditional put.

use super::items::{self, OutboxItem, s};
use super::transaction::{Transaction, TxError};
use super::{DynamoStore, build_error, keys, sdk_error};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::{DateTime, Duration, Utc};
use helpdesk_domain::agents::alert_mail::AlertLine;
use helpdesk_domain::mail::outbound::job::OutboundJob;
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::ports::{AlertLog, Presence};
use helpdesk_domain::{AgentId, OutboxId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How long presence and alert-log items are kept (TTL deletes them for free).
const KEEP_DAYS: i64 = 30;

#[derive(Serialize, Deserialize)]
struct PresenceItem {
    pk: String,
    sk: String,
    agent: AgentId,
    /// Microseconds since the epoch.
    seen: i64,
    expires_at: i64,
}

#[derive(Serialize, Deserialize)]
struct AlertItem {
    pk: String,
    sk: String,
    line: AlertLine,
    job: OutboxId,
    /// `line.at` in microseconds: compared with when the agent was last seen.
    at: i64,
    /// Present while the line waits for the agent's digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    waiting: Option<bool>,
    expires_at: i64,
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

#[async_trait]
impl Presence for DynamoStore {
    async fn saw_agent(&self, agent: &AgentId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let written = self
            .client
            .update_item()
            .table_name(&self.tables.main)
            .key("pk", s(keys::PRESENCE_PK))
            .key("sk", s(agent.as_str()))
            .update_expression("SET #seen = :now, #agent = :agent, #exp = :exp")
            .condition_expression("attribute_not_exists(#seen) OR #seen < :fresh")
            .expression_attribute_names("#seen", "seen")
            .expression_attribute_names("#agent", "agent")
            .expression_attribute_names("#exp", "expires_at")
            .expression_attribute_values(":now", n(at.timestamp_micros()))
            .expression_attribute_values(":agent", s(agent.as_str()))
            .expression_attribute_values(":exp", n((at + Duration::days(KEEP_DAYS)).timestamp()))
            .expression_attribute_values(
                ":fresh",
                n((at - Duration::minutes(1)).timestamp_micros()),
            )
            .send()
            .await
            .map_err(sdk_error);
        match written {
            // Seen within the minute: that note stands.
            Ok(_) | Err(StoreError::Conflict) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn left_console(&self, agent: &AgentId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let away = helpdesk_domain::agents::alert_mail::left_at(at);
        self.put_plain(&PresenceItem {
            pk: keys::PRESENCE_PK.into(),
            sk: agent.as_str().into(),
            agent: agent.clone(),
            seen: away.timestamp_micros(),
            expires_at: (at + Duration::days(KEEP_DAYS)).timestamp(),
        })
        .await
    }

    async fn agent_seen(&self, agent: &AgentId) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self
            .read_item(keys::PRESENCE_PK, agent.as_str(), true)
            .await?
            .map(items::from_item::<PresenceItem>)
            .transpose()?
            .and_then(|p| DateTime::from_timestamp_micros(p.seen)))
    }

    async fn agents_seen(&self) -> Result<HashMap<AgentId, DateTime<Utc>>, StoreError> {
        let mut seen = HashMap::new();
        for item in self.partition(keys::PRESENCE_PK.into()).await? {
            let p = items::from_item::<PresenceItem>(item)?;
            if let Some(at) = DateTime::from_timestamp_micros(p.seen) {
                seen.insert(p.agent, at);
            }
        }
        Ok(seen)
    }
}

#[async_trait]
impl AlertLog for DynamoStore {
    async fn note_alert(
        &self,
        line: &AlertLine,
        job: &OutboxId,
        waiting: bool,
        seen: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let item = AlertItem {
            pk: keys::alerts_pk(&line.agent),
            sk: line.key(),
            line: line.clone(),
            job: job.clone(),
            at: line.at.timestamp_micros(),
            waiting: waiting.then_some(true),
            expires_at: (line.at + Duration::days(KEEP_DAYS)).timestamp(),
        };
        let written = self
            .client
            .put_item()
            .table_name(&self.tables.main)
            .set_item(Some(items::to_item(&item)?))
            .condition_expression("attribute_not_exists(pk) OR (#job <> :job AND #at < :seen)")
            .expression_attribute_names("#at", "at")
            .expression_attribute_names("#job", "job")
            .expression_attribute_values(":job", s(job.as_str()))
            .expression_attribute_values(
                ":seen",
                n(seen.map_or(i64::MIN, |t| t.timestamp_micros())),
            )
            .send()
            .await
            .map_err(sdk_error);
        match written {
            Ok(_) => Ok(true),
            // Refused: ours already (a redelivery: left as it is), or another's.
            Err(StoreError::Conflict) => Ok(self
                .read_item(&item.pk, &item.sk, true)
                .await?
                .map(items::from_item::<AlertItem>)
                .transpose()?
                .is_some_and(|a| &a.job == job)),
            Err(e) => Err(e),
        }
    }

    async fn waiting_alerts(&self, agent: &AgentId) -> Result<Vec<AlertLine>, StoreError> {
        let mut lines = Vec::new();
        for item in self.query_partition(keys::alerts_pk(agent), true).await? {
            let a = items::from_item::<AlertItem>(item)?;
            if a.waiting == Some(true) {
                lines.push(a.line);
            }
        }
        Ok(lines)
    }

    async fn close_alerts(
        &self,
        lines: &[AlertLine],
        digest: Option<&OutboundJob>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = Transaction::new();
        for line in lines {
            let update = Update::builder()
                .table_name(&self.tables.main)
                .key("pk", s(keys::alerts_pk(&line.agent)))
                .key("sk", s(line.key()))
                .update_expression("REMOVE #waiting")
                .condition_expression("#waiting = :yes AND #at = :at")
                .expression_attribute_names("#at", "at")
                .expression_attribute_names("#waiting", "waiting")
                .expression_attribute_values(":yes", AttributeValue::Bool(true))
                .expression_attribute_values(":at", n(line.at.timestamp_micros()))
                .build()
                .map_err(build_error)?;
            tx.push((), TransactWriteItem::builder().update(update).build());
        }
        if let Some(job) = digest {
            tx.push(
                (),
                self.put(
                    &self.tables.main,
                    items::to_item(&OutboxItem::queued(job, at))?,
                    Some("attribute_not_exists(pk)"),
                )?,
            );
        }
        if lines.is_empty() && digest.is_none() {
            return Ok(());
        }
        match tx.commit(self).await {
            Ok(()) => Ok(()),
            Err(TxError::Failed(_)) => Err(StoreError::Conflict),
            Err(TxError::Conflict(e) | TxError::Other(e)) => Err(e),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct CustomerNoteItem {
    pk: String,
    sk: String,
    note: helpdesk_domain::ports::store::CustomerNote,
}

#[async_trait]
impl helpdesk_domain::ports::CustomerNotes for DynamoStore {
    async fn customer_note(
        &self,
        customer: &helpdesk_domain::EmailAddress,
    ) -> Result<Option<helpdesk_domain::ports::store::CustomerNote>, StoreError> {
        self.read_item(&keys::customer_pk(customer), keys::CUSTOMER_NOTE_SK, true)
            .await?
            .map(|i| items::from_item::<CustomerNoteItem>(i).map(|n| n.note))
            .transpose()
    }

    async fn set_customer_note(
        &self,
        customer: &helpdesk_domain::EmailAddress,
        note: Option<&helpdesk_domain::ports::store::CustomerNote>,
    ) -> Result<(), StoreError> {
        match note {
            Some(note) => {
                self.put_plain(&CustomerNoteItem {
                    pk: keys::customer_pk(customer),
                    sk: keys::CUSTOMER_NOTE_SK.into(),
                    note: note.clone(),
                })
                .await
            }
            None => {
                self.client
                    .delete_item()
                    .table_name(&self.tables.main)
                    .key("pk", s(keys::customer_pk(customer)))
                    .key("sk", s(keys::CUSTOMER_NOTE_SK))
                    .send()
                    .await
                    .map_err(sdk_error)?;
                Ok(())
            }
        }
    }
}

impl DynamoStore {
    /// `ADD` to or `DELETE` from the string set of tags in use: no read, no
    /// lost update when two agents tag at once, nothing when nothing is given.
    async fn change_tags(
        &self,
        op: &str,
        tags: &[helpdesk_domain::values::tag::Tag],
    ) -> Result<(), StoreError> {
        if tags.is_empty() {
            return Ok(());
        }
        self.client
            .update_item()
            .table_name(&self.tables.main)
            .key("pk", s(keys::TAGS_PK))
            .key("sk", s(keys::TAGS_SK))
            .update_expression(format!("{op} #t :t"))
            .expression_attribute_names("#t", "tags")
            .expression_attribute_values(
                ":t",
                AttributeValue::Ss(tags.iter().map(|t| t.as_str().to_owned()).collect()),
            )
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }
}

#[async_trait]
impl helpdesk_domain::ports::TagsInUse for DynamoStore {
    async fn note_tags(
        &self,
        tags: &[helpdesk_domain::values::tag::Tag],
    ) -> Result<(), StoreError> {
        self.change_tags("ADD", tags).await
    }

    async fn forget_tags(
        &self,
        tags: &[helpdesk_domain::values::tag::Tag],
    ) -> Result<(), StoreError> {
        self.change_tags("DELETE", tags).await
    }

    async fn tags_in_use(&self) -> Result<Vec<helpdesk_domain::values::tag::Tag>, StoreError> {
        let Some(item) = self.read_item(keys::TAGS_PK, keys::TAGS_SK, false).await? else {
            return Ok(vec![]);
        };
        let mut tags: Vec<helpdesk_domain::values::tag::Tag> = match item.get("tags") {
            Some(AttributeValue::Ss(set)) => set
                .iter()
                .filter_map(|t| helpdesk_domain::values::tag::Tag::parse(t).ok())
                .collect(),
            _ => vec![],
        };
        tags.sort();
        tags.dedup();
        Ok(tags)
    }
}

#[derive(Serialize, Deserialize)]
struct SavedViewItem {
    pk: String,
    sk: String,
    view: helpdesk_domain::agents::saved_views::SavedView,
}

#[async_trait]
impl helpdesk_domain::ports::SavedViews for DynamoStore {
    async fn saved_views(
        &self,
        scope: &helpdesk_domain::agents::saved_views::ViewScope,
    ) -> Result<Vec<helpdesk_domain::agents::saved_views::SavedView>, StoreError> {
        self.partition(keys::saved_views_pk(scope))
            .await?
            .into_iter()
            .map(|i| items::from_item::<SavedViewItem>(i).map(|v| v.view))
            .collect()
    }

    async fn put_saved_view(
        &self,
        view: &helpdesk_domain::agents::saved_views::SavedView,
    ) -> Result<(), StoreError> {
        self.put_plain(&SavedViewItem {
            pk: keys::saved_views_pk(&view.scope()),
            sk: view.id.clone(),
            view: view.clone(),
        })
        .await
    }

    async fn delete_saved_view(
        &self,
        scope: &helpdesk_domain::agents::saved_views::ViewScope,
        id: &str,
    ) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.tables.main)
            .key("pk", s(keys::saved_views_pk(scope)))
            .key("sk", s(id))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }
}
