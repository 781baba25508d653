//! The mail side of the store on DynamoDB: the outbox state machine by conditional
//! writes, the quarantine (one item per mail, listed per day), the do-not-email list and
//! Message-ID lookups (one item per id, batched reads).

use super::items::{self, MessageIdItem, MessageItem, OutboxItem, n, s};
use super::transaction::{Transaction, TxError};
use super::{DynamoStore, build_error, keys, sdk_error};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use chrono::{DateTime, NaiveDate, Utc};
use helpdesk_domain::mail::inbound::quarantine::{
    HeldPosition, QuarantineReason, Quarantined, Release, Released, SenderPattern, SenderRule,
};
use helpdesk_domain::mail::outbound::job::{
    Claimed, OutboundJob, OutboxClaim, OutboxFinish, OutboxState,
};
use helpdesk_domain::ports::store::{IdempotencyClaim, StoreError, normalize_message_id};
use helpdesk_domain::ports::{DoNotEmail, MessageIds, Outbox, Quarantine, SenderRules};
use helpdesk_domain::values::time::sortable;
use helpdesk_domain::{AgentId, EmailAddress, OutboxId, TicketRef};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How long a quarantine record blocks a second one for the same SES id.
const QUARANTINE_DEDUPE_DAYS: i64 = 30;
/// How long the raw-mail bucket keeps a mail as received (its lifecycle rule in
/// infra/template.yaml): a held mail's link to its sender lasts as long.
const RAW_MAIL_DAYS: i64 = 365;

/// A held mail: one item per SES id (read and released by that id), listed
/// per day, newest first, through the queue index.
#[derive(Serialize, Deserialize)]
struct QuarantineItem {
    pk: String,
    sk: String,
    gsi1pk: String,
    gsi1sk: String,
    quarantined: Quarantined,
    /// The table's TTL: the record is forgotten after its review time.
    expires_at: i64,
}

impl QuarantineItem {
    fn of(q: &Quarantined) -> Self {
        Self {
            pk: keys::held_pk(&q.ses_id),
            sk: keys::HELD_SK.into(),
            gsi1pk: keys::quarantine_day(q.received_at.date_naive()),
            gsi1sk: keys::held_position(&q.position()),
            quarantined: q.clone(),
            expires_at: q.expires_at().timestamp(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct SenderRuleItem {
    pk: String,
    sk: String,
    rule: SenderRule,
}

#[derive(Serialize, Deserialize)]
struct DoNotEmailItem {
    pk: String,
    sk: String,
    reason: String,
    since: DateTime<Utc>,
}

fn state_value(state: OutboxState) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(state).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// How long a settled outbox item is kept before the table's TTL deletes it.
const SETTLED_KEEP_DAYS: i64 = 30;

impl DynamoStore {
    fn outbox_update(
        &self,
        job: &OutboundJob,
        at: DateTime<Utc>,
        expression: &str,
        condition: &str,
        values: Vec<(&str, AttributeValue)>,
    ) -> Result<TransactWriteItem, StoreError> {
        // Every move records when it happened.
        let expression = expression.replacen("SET ", "SET updated_at = :at, ", 1);
        let mut update = Update::builder()
            .table_name(&self.tables.main)
            .key("pk", s(keys::outbox_pk(&job.outbox_id)))
            .key("sk", s(keys::OUTBOX_SK))
            .update_expression(expression)
            .condition_expression(condition)
            .expression_attribute_names("#st", "state")
            // Every move puts the item in the unsent index or takes it out.
            .expression_attribute_names("#upk", keys::UNSENT.pk)
            .expression_attribute_names("#usk", keys::UNSENT.sk)
            .expression_attribute_values(":at", s(sortable(at)))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        for (name, value) in values {
            update = update.expression_attribute_values(name, value);
        }
        Ok(TransactWriteItem::builder()
            .update(update.build().map_err(build_error)?)
            .build())
    }

    fn job_value(job: &OutboundJob) -> Result<AttributeValue, StoreError> {
        serde_dynamo::to_attribute_value(job).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

#[async_trait]
impl MessageIds for DynamoStore {
    async fn ticket_for_message_id(
        &self,
        message_id: &str,
    ) -> Result<Option<TicketRef>, StoreError> {
        let Some(id) = normalize_message_id(message_id) else {
            return Ok(None);
        };
        match self
            .get_item(&keys::message_id_pk(&id), keys::MESSAGE_ID_SK)
            .await?
        {
            None => Ok(None),
            Some(item) => {
                let item: MessageIdItem = items::from_item(item)?;
                TicketRef::parse(&item.ticket)
                    .map(Some)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            }
        }
    }

    async fn record_message_id(
        &self,
        message_id: &str,
        ticket: &TicketRef,
    ) -> Result<(), StoreError> {
        let id = normalize_message_id(message_id)
            .ok_or_else(|| StoreError::Corrupt("empty Message-ID".into()))?;
        let item = items::to_item(&MessageIdItem {
            pk: keys::message_id_pk(&id),
            sk: keys::MESSAGE_ID_SK.into(),
            ticket: ticket.as_str().to_owned(),
        })?;
        self.client
            .put_item()
            .table_name(&self.tables.main)
            .set_item(Some(item))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    async fn tickets_for_message_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, TicketRef)>, StoreError> {
        let mut wanted: Vec<String> = Vec::new();
        for id in ids.iter().filter_map(|i| normalize_message_id(i)) {
            if !wanted.contains(&id) && wanted.len() < 100 {
                wanted.push(id);
            }
        }
        if wanted.is_empty() {
            return Ok(vec![]);
        }
        let keys_wanted: Vec<(String, String)> = wanted
            .iter()
            .map(|id| (keys::message_id_pk(id), keys::MESSAGE_ID_SK.to_owned()))
            .collect();
        let mut found: HashMap<String, String> = HashMap::new();
        for ((pk, _), item) in self.batch_get(&keys_wanted).await? {
            let item: MessageIdItem = items::from_item(item)?;
            found.insert(pk, item.ticket);
        }
        wanted
            .into_iter()
            .filter_map(|id| found.get(&keys::message_id_pk(&id)).map(|t| (id, t)))
            .map(|(id, t)| {
                TicketRef::parse(t)
                    .map(|t| (id, t))
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect()
    }
}

#[async_trait]
impl Outbox for DynamoStore {
    async fn unsent_outbox(
        &self,
        queued_before: DateTime<Utc>,
        limit: u16,
    ) -> Result<Vec<OutboundJob>, StoreError> {
        let mut jobs = Vec::new();
        let mut start = None;
        while jobs.len() < usize::from(limit) {
            let out = self
                .client
                .query()
                .table_name(&self.tables.main)
                .index_name(keys::UNSENT.name)
                .key_condition_expression("#ipk = :p AND #isk < :before")
                .expression_attribute_names("#ipk", keys::UNSENT.pk)
                .expression_attribute_names("#isk", keys::UNSENT.sk)
                .expression_attribute_values(":p", s(keys::UNSENT_PARTITION))
                .expression_attribute_values(":before", s(sortable(queued_before)))
                .limit(i32::from(limit) - jobs.len() as i32)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk_error)?;
            for item in out.items.unwrap_or_default() {
                jobs.push(items::from_item::<OutboxItem>(item)?.job);
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        Ok(jobs)
    }

    async fn outbox_requeued(
        &self,
        job: &OutboundJob,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.tables.main)
            .key("pk", s(keys::outbox_pk(&job.outbox_id)))
            .key("sk", s(keys::OUTBOX_SK))
            .update_expression("SET #isk = :sk")
            // Settled or claimed afresh meanwhile: left alone (a live lease keeps its place).
            .condition_expression(
                "attribute_exists(#ipk) AND (#st = :queued OR (#st = :sending AND lease_until < :now))",
            )
            .expression_attribute_names("#ipk", keys::UNSENT.pk)
            .expression_attribute_names("#isk", keys::UNSENT.sk)
            .expression_attribute_names("#st", "state")
            .expression_attribute_values(":sk", s(keys::unsent_sk(at, &job.outbox_id)))
            .expression_attribute_values(":queued", s("queued"))
            .expression_attribute_values(":sending", s("sending"))
            .expression_attribute_values(":now", n(at.timestamp()))
            .send()
            .await;
        match result.map_err(sdk_error) {
            Ok(_) | Err(StoreError::Conflict) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn outbox_item(
        &self,
        id: &OutboxId,
    ) -> Result<Option<(OutboundJob, OutboxState)>, StoreError> {
        // Consistent: send-reply reads a digest queued right after it was stored.
        match self
            .read_item(&keys::outbox_pk(id), keys::OUTBOX_SK, true)
            .await?
        {
            None => Ok(None),
            Some(item) => {
                let item: OutboxItem = items::from_item(item)?;
                Ok(Some((item.job, item.state)))
            }
        }
    }

    async fn claim_outbox(&self, claim: &OutboxClaim) -> Result<Claimed, StoreError> {
        #[derive(PartialEq)]
        enum Role {
            Outbox,
            DoNotEmail,
            Other,
        }
        let mut tx = Transaction::new();
        tx.push(
            Role::Outbox,
            self.outbox_update(
            &claim.job,
            claim.now,
            // The item stays in the unsent index, at the lease's end: if this sender
            // dies before it settles the item, the sweep finds it once the lease is over.
            "SET #st = :sending, job = if_not_exists(job, :job), lease_until = :lease, #upk = :unsent, #usk = :lease_sk ADD attempts :one",
            "attribute_not_exists(pk) OR #st = :queued OR (#st = :sending AND lease_until < :now)",
            vec![
                (":sending", state_value(OutboxState::Sending)?),
                (":queued", state_value(OutboxState::Queued)?),
                (":job", Self::job_value(&claim.job)?),
                (":lease", n(claim.lease_until.timestamp())),
                (":unsent", s(keys::UNSENT_PARTITION)),
                (
                    ":lease_sk",
                    s(keys::unsent_sk(claim.lease_until, &claim.job.outbox_id)),
                ),
                (":now", n(claim.now.timestamp())),
                (":one", n(1)),
            ],
        )?,
        );
        let check = ConditionCheck::builder()
            .table_name(&self.tables.main)
            .key("pk", s(keys::do_not_email_pk(&claim.job.recipient)))
            .key("sk", s(keys::DO_NOT_EMAIL_SK))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_error)?;
        tx.push(
            Role::DoNotEmail,
            TransactWriteItem::builder().condition_check(check).build(),
        );
        tx.extend_numbered(
            |_| Role::Other,
            self.rate_limit_updates(claim.cap.as_slice())?,
        );
        for (ticket, token) in &claim.tokens {
            let item = items::to_item(&items::TokenItem {
                pk: keys::ticket_pk(ticket),
                sk: keys::token_sk(&token.hash),
                expires_at: token.expires_at.timestamp(),
                mailed: token.mailed,
            })?;
            tx.push(Role::Other, self.put(&self.tables.main, item, None)?);
        }
        let e = match tx.commit(self).await {
            Ok(()) => return Ok(Claimed::Go),
            Err(TxError::Conflict(e) | TxError::Other(e)) => return Err(e),
            Err(e) => e,
        };
        if let Some(old) = e.found(&Role::Outbox) {
            let item: OutboxItem = items::from_item(old.clone().unwrap_or_default())?;
            return Ok(match item.state {
                OutboxState::Sent => Claimed::AlreadySent,
                OutboxState::Sending => Claimed::InFlight,
                OutboxState::Queued => return Err(StoreError::Conflict),
                OutboxState::Failed | OutboxState::Skipped => {
                    Claimed::AlreadyFailed(item.reason.unwrap_or_default())
                }
            });
        }
        if e.failed(&Role::DoNotEmail) {
            return Ok(Claimed::DoNotEmail);
        }
        // Only the cap's claims are left with a condition.
        Ok(Claimed::Capped)
    }

    async fn finish_outbox(
        &self,
        job: &OutboundJob,
        finish: OutboxFinish,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sending = (":sending", state_value(OutboxState::Sending)?);
        // A settled item is kept a month, then TTL deletes it: an agent's alert or
        // digest names customers, and SQS keeps a duplicate message 14 days at most.
        let expires = (
            ":exp",
            n((at + chrono::Duration::days(SETTLED_KEEP_DAYS)).timestamp()),
        );
        let mut writes = Vec::new();
        match finish {
            OutboxFinish::Sent {
                provider_id,
                message_ids,
                ticket,
            } => {
                writes.push(self.outbox_update(
                    job,
                    at,
                    "SET #st = :to, provider_id = :pid, expires_at = :exp REMOVE lease_until, #upk, #usk",
                    "#st = :sending",
                    vec![
                        sending,
                        expires,
                        (":to", state_value(OutboxState::Sent)?),
                        (":pid", s(provider_id)),
                    ],
                )?);
                if let Some(ticket) = ticket {
                    let mut seen = Vec::new();
                    for id in message_ids.iter().filter_map(|i| normalize_message_id(i)) {
                        if seen.contains(&id) {
                            continue;
                        }
                        let item = items::to_item(&MessageIdItem {
                            pk: keys::message_id_pk(&id),
                            sk: keys::MESSAGE_ID_SK.into(),
                            ticket: ticket.as_str().to_owned(),
                        })?;
                        writes.push(self.put(&self.tables.main, item, None)?);
                        seen.push(id);
                    }
                }
            }
            // Back in the unsent index as of now, like a freshly queued item.
            OutboxFinish::Released { refund } => {
                writes.push(self.outbox_update(
                    job,
                    at,
                    "SET #st = :to, #upk = :unsent, #usk = :sk REMOVE lease_until",
                    "#st = :sending",
                    vec![
                        sending,
                        (":to", state_value(OutboxState::Queued)?),
                        (":unsent", s(keys::UNSENT_PARTITION)),
                        (":sk", s(keys::unsent_sk(at, &job.outbox_id))),
                    ],
                )?);
                if let Some(cap) = refund {
                    writes.push(self.rate_limit_refund(&cap)?);
                }
            }
            OutboxFinish::Failed { reason, note } => {
                writes.push(self.outbox_update(
                    job,
                    at,
                    "SET #st = :to, reason = :why, expires_at = :exp REMOVE lease_until, #upk, #usk",
                    "#st = :sending",
                    vec![
                        sending,
                        expires,
                        (":to", state_value(OutboxState::Failed)?),
                        (":why", s(reason)),
                    ],
                )?);
                if let Some(note) = note {
                    let item = items::to_item(&MessageItem::of(note.as_ref()))?;
                    writes.push(self.put(
                        &self.tables.main,
                        item,
                        Some("attribute_not_exists(pk)"),
                    )?);
                    let named = helpdesk_domain::tickets::people::named_by(note.as_ref());
                    writes.extend(self.link_puts(&note.ticket, &named)?);
                }
            }
            OutboxFinish::Skipped { reason } => writes.push(self.outbox_update(
                job,
                at,
                "SET #st = :to, reason = :why, job = if_not_exists(job, :job), expires_at = :exp REMOVE #upk, #usk",
                "attribute_not_exists(pk) OR #st = :queued",
                vec![
                    expires,
                    (":to", state_value(OutboxState::Skipped)?),
                    (":queued", state_value(OutboxState::Queued)?),
                    (":why", s(reason)),
                    (":job", Self::job_value(job)?),
                ],
            )?),
        }
        // Every condition here guards the item's state: any failure is a conflict.
        let mut tx = Transaction::new();
        tx.extend_numbered(|_| (), writes);
        match tx.commit(self).await {
            Ok(()) => Ok(()),
            Err(TxError::Failed(_)) => Err(StoreError::Conflict),
            Err(TxError::Conflict(e) | TxError::Other(e)) => Err(e),
        }
    }
}

#[async_trait]
impl Quarantine for DynamoStore {
    async fn quarantine(&self, item: &Quarantined) -> Result<bool, StoreError> {
        let claim = IdempotencyClaim {
            key: format!("inbound:{}", item.ses_id),
            fingerprint: "quarantine".into(),
            expires_at: item.received_at + chrono::Duration::days(QUARANTINE_DEDUPE_DAYS),
        };
        let record = items::to_item(&QuarantineItem::of(item))?;
        let none = TicketRef::from_bits(0);
        #[derive(PartialEq)]
        enum Role {
            Claim,
            Record,
        }
        let mut tx = Transaction::new();
        tx.push(
            Role::Claim,
            self.idempotency_put(&claim, &none, item.received_at)?,
        );
        tx.push(Role::Record, self.put(&self.tables.main, record, None)?);
        if let Some(sender) = item.sender() {
            let link = items::to_item(&items::HeldLinkItem {
                pk: keys::link_pk(&sender),
                sk: keys::held_link_sk(&item.ses_id),
                ses_id: item.ses_id.clone(),
                expires_at: (item.received_at + chrono::Duration::days(RAW_MAIL_DAYS)).timestamp(),
            })?;
            tx.push(Role::Record, self.put(&self.tables.main, link, None)?);
        }
        match tx.commit(self).await {
            Ok(()) => Ok(true),
            // Quarantined before (SES delivered it again).
            Err(e) if e.failed(&Role::Claim) => Ok(false),
            Err(TxError::Failed(_)) => {
                Err(StoreError::Unavailable("a write's condition failed".into()))
            }
            Err(TxError::Conflict(e) | TxError::Other(e)) => Err(e),
        }
    }

    async fn quarantined(
        &self,
        day: NaiveDate,
        before: Option<&HeldPosition>,
        limit: usize,
    ) -> Result<Vec<Quarantined>, StoreError> {
        let index = keys::QUEUE;
        let mut query = self
            .client
            .query()
            .table_name(&self.tables.main)
            .index_name(index.name)
            .expression_attribute_names("#ipk", index.pk)
            .expression_attribute_values(":p", s(keys::quarantine_day(day)))
            .scan_index_forward(false)
            .limit(i32::try_from(limit.clamp(1, 1000)).unwrap_or(1000));
        query = match before {
            Some(b) => query
                .key_condition_expression("#ipk = :p AND #isk < :b")
                .expression_attribute_names("#isk", index.sk)
                .expression_attribute_values(":b", s(keys::held_position(b))),
            None => query.key_condition_expression("#ipk = :p"),
        };
        let out = query.send().await.map_err(sdk_error)?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(|item| items::from_item::<QuarantineItem>(item).map(|q| q.quarantined))
            .collect()
    }

    async fn held(&self, ses_id: &str) -> Result<Option<Quarantined>, StoreError> {
        self.read_item(&keys::held_pk(ses_id), keys::HELD_SK, true)
            .await?
            .map(|item| items::from_item::<QuarantineItem>(item).map(|q| q.quarantined))
            .transpose()
    }

    async fn release(
        &self,
        ses_id: &str,
        by: &AgentId,
        at: DateTime<Utc>,
    ) -> Result<Release, StoreError> {
        let Some(mut held) = self.held(ses_id).await? else {
            return Ok(Release::NotFound);
        };
        if held.released.is_some() {
            return Ok(Release::Already(held));
        }
        held.released = Some(Released { by: by.clone(), at });
        let unreleased = "attribute_exists(pk) AND attribute_not_exists(quarantined.released)";
        if self.put_held(&held, unreleased).await? {
            return Ok(Release::Released(held));
        }
        // Released meanwhile by someone else, or expired and deleted.
        Ok(match self.held(ses_id).await? {
            Some(q) if q.released.is_some() => Release::Already(q),
            _ => Release::NotFound,
        })
    }

    async fn hold_again(&self, ses_id: &str, reason: &QuarantineReason) -> Result<(), StoreError> {
        if let Some(mut held) = self.held(ses_id).await? {
            held.reason = reason.clone();
            self.put_held(&held, "attribute_exists(pk)").await?;
        }
        Ok(())
    }
}

impl DynamoStore {
    /// Writes a held mail's record if `condition` holds; false when it did not.
    async fn put_held(&self, held: &Quarantined, condition: &str) -> Result<bool, StoreError> {
        match self
            .client
            .put_item()
            .table_name(&self.tables.main)
            .set_item(Some(items::to_item(&QuarantineItem::of(held))?))
            .condition_expression(condition)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e)
                if matches!(
                    super::sdk_error_ref(&e),
                    Some("ConditionalCheckFailedException")
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(sdk_error(e)),
        }
    }
}

#[async_trait]
impl SenderRules for DynamoStore {
    async fn sender_rule(&self, from: &EmailAddress) -> Result<Option<SenderRule>, StoreError> {
        let [address, domain] = SenderPattern::candidates(from).map(|p| p.text());
        let (by_address, by_domain) = tokio::join!(
            self.get_item(keys::SENDER_RULE_PK, &address),
            self.get_item(keys::SENDER_RULE_PK, &domain),
        );
        match by_address?.or(by_domain?) {
            Some(item) => Ok(Some(items::from_item::<SenderRuleItem>(item)?.rule)),
            None => Ok(None),
        }
    }

    async fn sender_rules(&self) -> Result<Vec<SenderRule>, StoreError> {
        self.partition(keys::SENDER_RULE_PK.into())
            .await?
            .into_iter()
            .map(|item| items::from_item::<SenderRuleItem>(item).map(|r| r.rule))
            .collect()
    }

    async fn put_sender_rule(&self, rule: &SenderRule) -> Result<(), StoreError> {
        self.put_plain(&SenderRuleItem {
            pk: keys::SENDER_RULE_PK.into(),
            sk: rule.pattern.text(),
            rule: rule.clone(),
        })
        .await
    }

    async fn delete_sender_rule(&self, pattern: &SenderPattern) -> Result<bool, StoreError> {
        self.delete_main(keys::SENDER_RULE_PK.into(), pattern.text())
            .await
    }
}

#[async_trait]
impl DoNotEmail for DynamoStore {
    async fn set_do_not_email(
        &self,
        email: &EmailAddress,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let item = items::to_item(&DoNotEmailItem {
            pk: keys::do_not_email_pk(email),
            sk: keys::DO_NOT_EMAIL_SK.into(),
            reason: reason.to_owned(),
            since: at,
        })?;
        self.client
            .put_item()
            .table_name(&self.tables.main)
            .set_item(Some(item))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    async fn do_not_email(&self, email: &EmailAddress) -> Result<Option<String>, StoreError> {
        match self
            .get_item(&keys::do_not_email_pk(email), keys::DO_NOT_EMAIL_SK)
            .await?
        {
            None => Ok(None),
            Some(item) => Ok(Some(items::from_item::<DoNotEmailItem>(item)?.reason)),
        }
    }
}
