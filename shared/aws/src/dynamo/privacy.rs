//! Erasing a customer's data (`Erasure`) and the admins' audit log (`AuditTrail`)
//! on DynamoDB.

use super::items::{self, HeldLinkItem, Item, LinkItem, MessageItem, OutboxItem, s};
use super::listings::summaries;
use super::{DynamoStore, keys, sdk_error};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use helpdesk_domain::agents::audit::{AuditCursor, AuditEntry};
use helpdesk_domain::mail::outbound::job::OutboundJob;
use helpdesk_domain::ports::store::{StoreError, TicketThread, normalize_message_id};
use helpdesk_domain::ports::{AuditTrail, Erasure};
use helpdesk_domain::values::time::sortable;
use helpdesk_domain::{AgentId, CategoryId, EmailAddress, Message, OutboxId, Status, TicketRef};
use serde::{Deserialize, Serialize};

/// The audit log: one partition, sorted by time (admins change little).
const AUDIT_PK: &str = "AUDIT";

/// Pages of a category's closed tickets one retention run reads at most.
const RETENTION_PAGES: usize = 4;

fn audit_sk(at: DateTime<Utc>, id: &str) -> String {
    format!("{}#{id}", sortable(at))
}

#[derive(Serialize, Deserialize)]
struct AuditItem {
    pk: String,
    sk: String,
    entry: AuditEntry,
}

impl DynamoStore {
    /// The Message-ID records that lead to `reference` through these messages
    /// (a reused id may lead elsewhere now: that record stays); how many went.
    async fn delete_message_ids(
        &self,
        reference: &TicketRef,
        messages: &[Message],
    ) -> Result<u32, StoreError> {
        let mut gone = 0;
        let ids = messages
            .iter()
            .filter_map(|m| m.email.as_ref()?.message_id.as_deref())
            .filter_map(normalize_message_id);
        for id in ids {
            let deleted = self
                .client
                .delete_item()
                .table_name(&self.tables.main)
                .key("pk", s(keys::message_id_pk(&id)))
                .key("sk", s(keys::MESSAGE_ID_SK))
                .condition_expression("ticket = :t")
                .expression_attribute_values(":t", s(reference.as_str()))
                .send()
                .await;
            match deleted {
                Ok(_) => gone += 1,
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|se| se.is_conditional_check_failed_exception()) => {}
                Err(e) => return Err(sdk_error(e)),
            }
        }
        Ok(gone)
    }

    /// Up to `limit` of the address's links whose sort key starts `prefix`.
    async fn links_of(
        &self,
        email: &EmailAddress,
        prefix: &str,
        limit: u16,
    ) -> Result<Vec<Item>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.tables.main)
            .key_condition_expression("pk = :p AND begins_with(sk, :k)")
            .expression_attribute_values(":p", s(keys::link_pk(email)))
            .expression_attribute_values(":k", s(prefix))
            .consistent_read(true);
        DynamoStore::query_up_to(query, limit).await
    }

    /// The sort keys of the ticket's items, as read.
    async fn thread_keys(&self, reference: &TicketRef) -> Result<Vec<String>, StoreError> {
        self.query_partition(keys::ticket_pk(reference), true)
            .await?
            .iter()
            .map(|item| items::string(item, "sk").map(str::to_owned))
            .collect()
    }

    /// Deletes an outbox item of mail about the ticket (`pointer` is its
    /// pointer beside the ticket), if `keep` does not hold for its job; the
    /// item first, then the pointer. Whether the item went.
    async fn delete_outbox_if(
        &self,
        reference: &TicketRef,
        pointer: &str,
        keep: impl Fn(&OutboundJob) -> bool,
    ) -> Result<Option<bool>, StoreError> {
        let Some(outbox) = pointer.strip_prefix(keys::OUTBOX_REF_PREFIX) else {
            return Ok(None);
        };
        let id = OutboxId::parse(outbox)
            .map_err(|_| StoreError::Corrupt(format!("a bad outbox pointer: {pointer}")))?;
        let pk = keys::outbox_pk(&id);
        if let Some(item) = self.get_item(&pk, keys::OUTBOX_SK).await? {
            let job = items::from_item::<OutboxItem>(item)?.job;
            if keep(&job) {
                return Ok(Some(false));
            }
        }
        let gone = self.delete_main(pk, keys::OUTBOX_SK.into()).await?;
        self.delete_main(keys::ticket_pk(reference), pointer.to_owned())
            .await?;
        Ok(Some(gone))
    }
}

#[async_trait]
impl Erasure for DynamoStore {
    async fn delete_thread(&self, thread: &TicketThread) -> Result<u32, StoreError> {
        let reference = &thread.ticket.reference;
        let pk = keys::ticket_pk(reference);
        let messages: Vec<String> = thread.messages.iter().map(keys::message_sk).collect();
        // What is found through the messages goes before the messages: a crash
        // in between leaves them to lead the next attempt here again. First the
        // Message-ID records that still lead here.
        let mut gone = self.delete_message_ids(reference, &thread.messages).await?;
        // Then the outbox items of mail about it (each its item, then its
        // pointer), then every link token and the messages as read.
        let mut items = self.thread_keys(reference).await?;
        items.sort_by_key(|sk| !sk.starts_with(keys::OUTBOX_REF_PREFIX));
        for sk in items {
            if let Some(outbox) = self.delete_outbox_if(reference, &sk, |_| false).await? {
                gone += u32::from(outbox);
            } else if sk.starts_with(keys::TOKEN_SK_PREFIX) || messages.contains(&sk) {
                gone += u32::from(self.delete_main(pk.clone(), sk).await?);
            }
        }
        Ok(gone)
    }

    async fn delete_messages(
        &self,
        reference: &TicketRef,
        messages: &[Message],
    ) -> Result<u32, StoreError> {
        let mut gone = self.delete_message_ids(reference, messages).await?;
        for m in messages {
            gone += u32::from(
                self.delete_main(keys::ticket_pk(reference), keys::message_sk(m))
                    .await?,
            );
        }
        Ok(gone)
    }

    async fn rewrite_messages(&self, messages: &[Message]) -> Result<(), StoreError> {
        for m in messages {
            // Only over the stored message: one deleted meanwhile stays deleted.
            let put = self
                .client
                .put_item()
                .table_name(&self.tables.main)
                .set_item(Some(items::to_item(&MessageItem::of(m))?))
                .condition_expression("attribute_exists(pk)")
                .send()
                .await;
            match put {
                Ok(_) => {}
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|se| se.is_conditional_check_failed_exception()) => {}
                Err(e) => return Err(sdk_error(e)),
            }
        }
        Ok(())
    }

    async fn delete_mail_to(
        &self,
        reference: &TicketRef,
        email: &EmailAddress,
    ) -> Result<u32, StoreError> {
        let mut gone = 0;
        for sk in self.thread_keys(reference).await? {
            let other = |job: &OutboundJob| job.recipient.key() != email.key();
            if let Some(outbox) = self.delete_outbox_if(reference, &sk, other).await? {
                gone += u32::from(outbox);
            }
        }
        Ok(gone)
    }

    async fn tickets_linked_to(
        &self,
        email: &EmailAddress,
        limit: u16,
    ) -> Result<Vec<TicketRef>, StoreError> {
        self.links_of(email, keys::LINK_TICKET_PREFIX, limit)
            .await?
            .into_iter()
            .map(|item| {
                let link = items::from_item::<LinkItem>(item)?;
                TicketRef::parse(&link.ticket)
                    .map_err(|_| StoreError::Corrupt(format!("a bad link: {}", link.ticket)))
            })
            .collect()
    }

    async fn link_addresses(
        &self,
        reference: &TicketRef,
        addresses: &[EmailAddress],
    ) -> Result<(), StoreError> {
        for email in addresses {
            self.client
                .put_item()
                .table_name(&self.tables.main)
                .set_item(Some(LinkItem::of(email, reference)?))
                .send()
                .await
                .map_err(sdk_error)?;
        }
        Ok(())
    }

    async fn held_mail_from(
        &self,
        email: &EmailAddress,
        limit: u16,
    ) -> Result<Vec<String>, StoreError> {
        self.links_of(email, keys::LINK_HELD_PREFIX, limit)
            .await?
            .into_iter()
            .map(|item| Ok(items::from_item::<HeldLinkItem>(item)?.ses_id))
            .collect()
    }

    async fn forget_held(&self, email: &EmailAddress, ses_id: &str) -> Result<u32, StoreError> {
        let record = self
            .delete_main(keys::held_pk(ses_id), keys::HELD_SK.into())
            .await?;
        let link = self
            .delete_main(keys::link_pk(email), keys::held_link_sk(ses_id))
            .await?;
        Ok(u32::from(record) + u32::from(link))
    }

    async fn unlink_address(
        &self,
        email: &EmailAddress,
        reference: &TicketRef,
    ) -> Result<bool, StoreError> {
        self.delete_main(keys::link_pk(email), keys::link_sk(reference))
            .await
    }

    async fn forget_do_not_email(&self, email: &EmailAddress) -> Result<bool, StoreError> {
        self.delete_main(keys::do_not_email_pk(email), keys::DO_NOT_EMAIL_SK.into())
            .await
    }

    async fn forget_alerts_about(
        &self,
        email: &EmailAddress,
        agents: &[AgentId],
    ) -> Result<u32, StoreError> {
        let mut gone = 0;
        for agent in agents {
            for item in self.partition(keys::alerts_pk(agent)).await? {
                let requester = item
                    .get("line")
                    .and_then(|l| l.as_m().ok())
                    .and_then(|l| l.get("requester"))
                    .and_then(|r| r.as_s().ok());
                if requester.is_some_and(|r| r.eq_ignore_ascii_case(email.as_str())) {
                    let sk = items::string(&item, "sk")?.to_owned();
                    gone += u32::from(self.delete_main(keys::alerts_pk(agent), sk).await?);
                }
            }
        }
        Ok(gone)
    }

    async fn closed_before(
        &self,
        category: &CategoryId,
        before: DateTime<Utc>,
        limit: u16,
    ) -> Result<Vec<TicketRef>, StoreError> {
        // The closed queue, oldest first, created before the cutoff (a ticket
        // last changed before it was certainly created before it too).
        let mut due = Vec::new();
        let mut start = None;
        for _ in 0..RETENTION_PAGES {
            let out = self
                .client
                .query()
                .table_name(&self.tables.main)
                .index_name(keys::QUEUE.name)
                .key_condition_expression("#p = :p AND #s < :before")
                .expression_attribute_names("#p", keys::QUEUE.pk)
                .expression_attribute_names("#s", keys::QUEUE.sk)
                .expression_attribute_values(":p", s(keys::queue_pk(category, Status::Closed)))
                .expression_attribute_values(":before", s(sortable(before)))
                .limit(100)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk_error)?;
            due.extend(
                summaries(out.items.unwrap_or_default())?
                    .into_iter()
                    .filter(|t| t.updated_at < before)
                    .map(|t| t.reference),
            );
            start = out.last_evaluated_key;
            if start.is_none() || due.len() >= usize::from(limit) {
                break;
            }
        }
        due.truncate(usize::from(limit));
        Ok(due)
    }
}

#[async_trait]
impl AuditTrail for DynamoStore {
    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let item = items::to_item(&AuditItem {
            pk: AUDIT_PK.into(),
            sk: audit_sk(entry.at, &entry.id),
            entry: entry.clone(),
        })?;
        // An entry is only ever added: one of the same instant and id is refused.
        self.client
            .put_item()
            .table_name(&self.tables.main)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(|e| match e.as_service_error() {
                Some(se) if se.is_conditional_check_failed_exception() => StoreError::Duplicate,
                _ => sdk_error(e),
            })?;
        Ok(())
    }

    async fn audit_entries(
        &self,
        before: Option<&AuditCursor>,
        limit: u16,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.tables.main)
            .expression_attribute_values(":pk", s(AUDIT_PK))
            .scan_index_forward(false)
            .limit(i32::from(limit.clamp(1, 200)));
        query = match before {
            Some(c) => query
                .key_condition_expression("pk = :pk AND sk < :before")
                .expression_attribute_values(":before", s(audit_sk(c.at, &c.id))),
            None => query.key_condition_expression("pk = :pk"),
        };
        let out = query.send().await.map_err(sdk_error)?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(entry)
            .collect()
    }

    async fn audit_entries_about(&self, subject: &str) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(self
            .partition(AUDIT_PK.into())
            .await?
            .into_iter()
            .map(entry)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|e| e.subject == subject)
            .collect())
    }
}

fn entry(item: Item) -> Result<AuditEntry, StoreError> {
    items::from_item::<AuditItem>(item).map(|i| i.entry)
}
