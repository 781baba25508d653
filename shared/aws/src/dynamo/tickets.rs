//! Tickets and their threads on DynamoDB (`TicketRecords`): each use case's write
//! is one `TransactWriteItems`. The listings, the access claims and the ops items
//! are in `listings`, `access` and `ops`.

use super::items::{
    self, IdempotencyItem, Item, LinkItem, MessageIdItem, MessageItem, NoticeItem, OutboxItem,
    TicketItem, TokenItem, n, s,
};
use super::listings::summaries;
use super::transaction::{Transaction, TxError};
use super::{DynamoStore, build_error, keys, sdk_error};
use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use chrono::{DateTime, Utc};
use helpdesk_domain::mail::outbound::job::OutboundJob;
use helpdesk_domain::ports::TicketRecords;
use helpdesk_domain::ports::store::RateLimitClaim;
use helpdesk_domain::ports::store::{
    Created, NewTicket, StoreError, TicketSummary, TicketThread, TicketUpdate, normalize_message_id,
};
use helpdesk_domain::tickets::counters::CounterDelta;
use helpdesk_domain::tickets::people;
use helpdesk_domain::tickets::rated::RatedTicket;
use helpdesk_domain::{EmailAddress, Message, Ticket, TicketRef};
use std::collections::BTreeMap;

impl DynamoStore {
    pub(super) fn put(
        &self,
        table: &str,
        item: Item,
        condition: Option<&str>,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_owned))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// The reports' list of ratings follows a ticket's rating: the old entry
    /// goes, the new one is kept (one put when both have the same key).
    fn rating_writes(
        &self,
        old: Option<RatedTicket>,
        new: Option<RatedTicket>,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let key = |r: &RatedTicket| {
            (
                keys::ratings_pk(&r.category),
                keys::rating_sk(r.at, &r.reference),
            )
        };
        let mut writes = Vec::new();
        if let Some(old) = old.filter(|o| new.as_ref().is_none_or(|n| key(n) != key(o))) {
            let (pk, sk) = key(&old);
            let delete = aws_sdk_dynamodb::types::Delete::builder()
                .table_name(&self.tables.main)
                .key("pk", items::s(pk))
                .key("sk", items::s(sk))
                .build()
                .map_err(build_error)?;
            writes.push(TransactWriteItem::builder().delete(delete).build());
        }
        if let Some(new) = new {
            let (pk, sk) = key(&new);
            let item = items::to_item(&RatingItem { pk, sk, rated: new })?;
            writes.push(self.put(&self.tables.main, item, None)?);
        }
        Ok(writes)
    }

    /// One conditional `ADD` per rate-limit window: refused when the window is full.
    pub(super) fn rate_limit_updates(
        &self,
        claims: &[RateLimitClaim],
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        claims
            .iter()
            .map(|claim| {
                let update = Update::builder()
                    .table_name(&self.tables.ops)
                    .key("pk", s(keys::rate_limit_pk(&claim.key)))
                    .update_expression("SET expires_at = :exp ADD hits :one")
                    .condition_expression("attribute_not_exists(pk) OR hits < :limit")
                    .expression_attribute_values(":exp", n(claim.window_ends.timestamp()))
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":limit", n(claim.limit))
                    .build()
                    .map_err(build_error)?;
                Ok(TransactWriteItem::builder().update(update).build())
            })
            .collect()
    }

    /// Gives back one hit `claim` took. No condition: the release it is part of
    /// must not fail because the window's item expired meanwhile (the item it
    /// would then make expires with the window too).
    pub(super) fn rate_limit_refund(
        &self,
        claim: &RateLimitClaim,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.tables.ops)
            .key("pk", s(keys::rate_limit_pk(&claim.key)))
            .update_expression("SET expires_at = if_not_exists(expires_at, :exp) ADD hits :minus")
            .expression_attribute_values(":exp", n(claim.window_ends.timestamp()))
            .expression_attribute_values(":minus", n(-1))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// One `ADD` per counter item, however many of its attributes change:
    /// DynamoDB refuses two operations on one item in a transaction.
    /// `shard`: the writing ticket's counter shard (`keys::counter_shard`).
    pub(super) fn counter_updates(
        &self,
        deltas: Vec<CounterDelta>,
        shard: u32,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut by_item: BTreeMap<(String, String), BTreeMap<String, i64>> = BTreeMap::new();
        for d in deltas {
            let (pk, sk, attr) = keys::counter_location(&d.key, shard);
            *by_item
                .entry((pk, sk))
                .or_default()
                .entry(attr)
                .or_insert(0) += d.delta;
        }
        let mut writes = Vec::new();
        for ((pk, sk), attrs) in by_item {
            let attrs: Vec<(String, i64)> = attrs.into_iter().filter(|(_, d)| *d != 0).collect();
            if attrs.is_empty() {
                continue;
            }
            let expression = attrs
                .iter()
                .enumerate()
                .map(|(i, _)| format!("#a{i} :v{i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut update = Update::builder()
                .table_name(&self.tables.main)
                .key("pk", s(pk))
                .key("sk", s(sk))
                .update_expression(format!("ADD {expression}"));
            for (i, (attr, delta)) in attrs.into_iter().enumerate() {
                update = update
                    .expression_attribute_names(format!("#a{i}"), attr)
                    .expression_attribute_values(format!(":v{i}"), n(delta));
            }
            writes.push(
                TransactWriteItem::builder()
                    .update(update.build().map_err(build_error)?)
                    .build(),
            );
        }
        Ok(writes)
    }

    pub(super) fn message_id_puts(
        &self,
        messages: &[Message],
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut seen = Vec::new();
        for m in messages {
            let id = m
                .email
                .as_ref()
                .and_then(|e| e.message_id.as_deref())
                .and_then(normalize_message_id);
            // Two items on one key would make DynamoDB refuse the transaction.
            if let Some(id) = id.filter(|id| !seen.iter().any(|(s, _): &(String, _)| s == id)) {
                seen.push((id, m.ticket.clone()));
            }
        }
        seen.into_iter()
            .map(|(id, ticket)| {
                let item = items::to_item(&MessageIdItem {
                    pk: keys::message_id_pk(&id),
                    sk: keys::MESSAGE_ID_SK.into(),
                    ticket: ticket.as_str().to_owned(),
                })?;
                // Unconditional: a reused Message-ID points at the latest ticket it came with.
                self.put(&self.tables.main, item, None)
            })
            .collect()
    }

    /// Links these addresses to the ticket (unconditional puts: linking again
    /// changes nothing).
    pub(super) fn link_puts(
        &self,
        reference: &TicketRef,
        addresses: &[EmailAddress],
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        addresses
            .iter()
            .map(|email| self.put(&self.tables.main, LinkItem::of(email, reference)?, None))
            .collect()
    }

    /// Claims an idempotency key (ops table); TTL deletes lazily, so an expired
    /// claim is free again.
    pub(super) fn idempotency_put(
        &self,
        claim: &helpdesk_domain::ports::store::IdempotencyClaim,
        ticket: &TicketRef,
        now: DateTime<Utc>,
    ) -> Result<TransactWriteItem, StoreError> {
        let item = items::to_item(&IdempotencyItem {
            pk: keys::idempotency_pk(&claim.key),
            fingerprint: claim.fingerprint.clone(),
            ticket: ticket.as_str().to_owned(),
            expires_at: claim.expires_at.timestamp(),
        })?;
        let put = Put::builder()
            .table_name(&self.tables.ops)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk) OR expires_at < :now")
            .expression_attribute_values(":now", n(now.timestamp()))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// New outbox items, `queued` at `at`; an id is never reused.
    pub(super) fn outbox_puts(
        &self,
        jobs: &[OutboundJob],
        at: DateTime<Utc>,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut writes = Vec::new();
        for job in jobs {
            let item = items::to_item(&OutboxItem::queued(job, at))?;
            writes.push(self.put(&self.tables.main, item, Some("attribute_not_exists(pk)"))?);
            if let Some(ticket) = &job.ticket {
                let pointer = items::to_item(&items::OutboxRefItem {
                    pk: keys::ticket_pk(ticket),
                    sk: keys::outbox_ref_sk(&job.outbox_id),
                    outbox: job.outbox_id.as_str().to_owned(),
                })?;
                writes.push(self.put(&self.tables.main, pointer, None)?);
            }
        }
        Ok(writes)
    }

    pub(super) async fn transact(
        &self,
        writes: Vec<TransactWriteItem>,
    ) -> Result<(), SdkError<TransactWriteItemsError, aws_sdk_dynamodb::config::http::HttpResponse>>
    {
        self.client
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await
            .map(|_| ())
    }

    async fn replay_idempotency(
        &self,
        key: &str,
        fingerprint: &str,
    ) -> Result<Created, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.tables.ops)
            .key("pk", s(keys::idempotency_pk(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error)?;
        // The claim can only vanish if it expired in between: let the caller retry.
        let item: IdempotencyItem = items::from_item(out.item.ok_or(StoreError::Conflict)?)?;
        if item.fingerprint != fingerprint {
            return Err(StoreError::IdempotencyMismatch);
        }
        let reference =
            TicketRef::parse(&item.ticket).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Created::Replayed(reference))
    }
}

#[async_trait]
impl TicketRecords for DynamoStore {
    async fn create_ticket(&self, new: NewTicket) -> Result<Created, StoreError> {
        #[derive(PartialEq)]
        enum Role {
            Ticket,
            Idempotency,
            RateLimit(usize),
            Other,
        }
        let mut tx = Transaction::new();
        tx.push(
            Role::Ticket,
            self.put(
                &self.tables.main,
                items::to_item(&TicketItem::of(&new.ticket))?,
                Some("attribute_not_exists(pk)"),
            )?,
        );
        if let Some(claim) = &new.idempotency {
            tx.push(
                Role::Idempotency,
                self.idempotency_put(claim, &new.ticket.reference, new.ticket.created_at)?,
            );
        }
        tx.extend_numbered(Role::RateLimit, self.rate_limit_updates(&new.rate_limits)?);
        if let Some(token) = &new.tracking_token {
            let item = items::to_item(&TokenItem {
                pk: keys::ticket_pk(&new.ticket.reference),
                sk: keys::token_sk(&token.hash),
                expires_at: token.expires_at.timestamp(),
                mailed: token.mailed,
            })?;
            tx.push(Role::Other, self.put(&self.tables.main, item, None)?);
        }
        let rest = [
            self.outbox_puts(&new.outbox, new.ticket.updated_at)?,
            vec![self.put(
                &self.tables.main,
                items::to_item(&MessageItem::of(&new.first_message))?,
                None,
            )?],
            self.counter_updates(
                new.counter_deltas(),
                keys::counter_shard(&new.ticket.reference),
            )?,
            self.message_id_puts(std::slice::from_ref(&new.first_message))?,
            self.link_puts(&new.ticket.reference, &new.linked_addresses())?,
        ];
        tx.extend_numbered(|_| Role::Other, rest.into_iter().flatten());

        match tx.commit(self).await {
            Ok(()) => Ok(Created::New(Box::new(new.ticket))),
            Err(e) => match &new.idempotency {
                Some(claim) if e.failed(&Role::Idempotency) => {
                    self.replay_idempotency(&claim.key, &claim.fingerprint)
                        .await
                }
                _ if e.failed(&Role::Ticket) => Err(StoreError::Duplicate),
                _ => {
                    let full = e.failed_roles().find_map(|role| match role {
                        Role::RateLimit(k) => new.rate_limits.get(*k),
                        _ => None,
                    });
                    match (full, e) {
                        (Some(claim), _) => Err(StoreError::RateLimited {
                            retry_after_secs: claim.retry_after_secs(new.ticket.created_at),
                        }),
                        (None, TxError::Failed(_)) => {
                            Err(StoreError::Unavailable("a write's condition failed".into()))
                        }
                        (None, TxError::Conflict(e) | TxError::Other(e)) => Err(e),
                    }
                }
            },
        }
    }

    async fn load_ticket(&self, reference: &TicketRef) -> Result<TicketThread, StoreError> {
        let mut ticket = None;
        let mut messages = Vec::new();
        // The ticket's item ("T") before its messages ("M#…"): a long thread
        // is read in pages, and a version read is then never newer than the
        // messages read after it. Erasing someone from it takes their messages
        // out first and then writes a new version saying so, which has the
        // word index rewrite its files; the version that says so is therefore
        // never read with their messages.
        for item in self
            .partition_from_the_end(keys::ticket_pk(reference))
            .await?
        {
            let sk = items::string(&item, "sk")?;
            if sk == keys::TICKET_SK {
                ticket = Some(items::from_item::<TicketItem>(item)?.ticket);
            } else if !sk.starts_with(keys::TOKEN_SK_PREFIX)
                && !sk.starts_with(keys::OUTBOX_REF_PREFIX)
            {
                messages.push(items::from_item::<MessageItem>(item)?.message);
            }
        }
        let ticket = ticket.ok_or(StoreError::NotFound)?;
        // Oldest first, as the thread is shown.
        messages.reverse();
        Ok(TicketThread { ticket, messages })
    }

    async fn update_ticket(&self, update: TicketUpdate) -> Result<Ticket, StoreError> {
        let mut saved = self.update_tickets(vec![update]).await?;
        saved
            .pop()
            .ok_or_else(|| StoreError::Corrupt("an update wrote no ticket".into()))
    }

    async fn update_tickets(&self, updates: Vec<TicketUpdate>) -> Result<Vec<Ticket>, StoreError> {
        #[derive(PartialEq)]
        enum Role {
            Ticket,
            Dedupe,
            Other,
        }
        let mut tx = Transaction::new();
        let mut deltas = Vec::new();
        for update in &updates {
            let put = Put::builder()
                .table_name(&self.tables.main)
                .set_item(Some(items::to_item(&TicketItem::of(update.after()))?))
                .condition_expression("attribute_exists(pk) AND version = :read")
                .expression_attribute_values(":read", n(update.before().version))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .build()
                .map_err(build_error)?;
            tx.push(Role::Ticket, TransactWriteItem::builder().put(put).build());
            if let Some(claim) = update.dedupe() {
                tx.push(
                    Role::Dedupe,
                    self.idempotency_put(
                        claim,
                        &update.after().reference,
                        update.after().updated_at,
                    )?,
                );
            }
            tx.extend_numbered(
                |_| Role::Other,
                self.outbox_puts(update.outbox(), update.after().updated_at)?,
            );
            for m in update.messages() {
                tx.push(
                    Role::Other,
                    self.put(
                        &self.tables.main,
                        items::to_item(&MessageItem::of(m))?,
                        Some("attribute_not_exists(pk)"),
                    )?,
                );
            }
            tx.extend_numbered(|_| Role::Other, self.message_id_puts(update.messages())?);
            tx.extend_numbered(
                |_| Role::Other,
                self.link_puts(&update.after().reference, &update.linked_addresses())?,
            );
            for notice in update.notices() {
                let item = NoticeItem::of(notice, update.after().updated_at);
                tx.push(
                    Role::Other,
                    self.put(&self.tables.main, items::to_item(&item)?, None)?,
                );
            }
            if let Some((old, new)) = update.rating_entries() {
                tx.extend_numbered(|_| Role::Other, self.rating_writes(old, new)?);
            }
            deltas.extend(update.counter_deltas());
        }
        // Counters last and summed over all tickets: one write per counter item,
        // in the first ticket's shard (a merge's two tickets count as one write).
        let shard = updates
            .first()
            .map_or(0, |u| keys::counter_shard(&u.after().reference));
        tx.extend_numbered(|_| Role::Other, self.counter_updates(deltas, shard)?);
        match tx.commit(self).await {
            Ok(()) => Ok(updates.iter().map(|u| u.after().clone()).collect()),
            // A ticket that is not there at all (rather than changed meanwhile).
            Err(TxError::Failed(f))
                if f.iter()
                    .any(|(role, old)| *role == Role::Ticket && old.is_none()) =>
            {
                Err(StoreError::NotFound)
            }
            Err(e) if e.failed(&Role::Dedupe) => Err(StoreError::AlreadyApplied),
            Err(TxError::Failed(_) | TxError::Conflict(_)) => Err(StoreError::Conflict),
            Err(TxError::Other(e)) => Err(e),
        }
    }

    async fn tickets_of_requester(
        &self,
        email: &EmailAddress,
        limit: u16,
    ) -> Result<Vec<TicketSummary>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.tables.main)
            .index_name(keys::REQUESTER.name)
            .key_condition_expression("#ipk = :p")
            .expression_attribute_names("#ipk", keys::REQUESTER.pk)
            .expression_attribute_values(":p", s(format!("R#{}", email.key())))
            .scan_index_forward(false);
        summaries(DynamoStore::query_up_to(query, limit).await?)
    }

    async fn all_tickets(
        &self,
        after: Option<String>,
    ) -> Result<(Vec<TicketRef>, Option<String>), StoreError> {
        // A Scan: only a rebuild reads the whole table. The cursor is the last
        // key read (`pk` and `sk`, a tab between).
        let mut scan = self
            .client
            .scan()
            .table_name(&self.tables.main)
            .filter_expression("sk = :t")
            .expression_attribute_values(
                ":t",
                aws_sdk_dynamodb::types::AttributeValue::S(keys::TICKET_SK.into()),
            )
            .projection_expression("pk");
        if let Some(cursor) = after {
            let (pk, sk) = cursor.split_once('\t').ok_or(StoreError::BadCursor)?;
            scan = scan
                .exclusive_start_key(
                    "pk",
                    aws_sdk_dynamodb::types::AttributeValue::S(pk.to_owned()),
                )
                .exclusive_start_key(
                    "sk",
                    aws_sdk_dynamodb::types::AttributeValue::S(sk.to_owned()),
                );
        }
        let out = scan.send().await.map_err(sdk_error)?;
        let refs = out
            .items
            .unwrap_or_default()
            .iter()
            .filter_map(|i| i.get("pk")?.as_s().ok()?.strip_prefix("T#"))
            .filter_map(|r| TicketRef::parse(r).ok())
            .collect();
        let next = out.last_evaluated_key.and_then(|k| {
            let text = |n: &str| k.get(n).and_then(|v| v.as_s().ok()).cloned();
            Some(format!("{}\t{}", text("pk")?, text("sk")?))
        });
        Ok((refs, next))
    }

    async fn add_note(&self, note: &helpdesk_domain::Message) -> Result<(), StoreError> {
        // The people it names are linked first: a note naming someone erased
        // meanwhile is found by their next erasure.
        let named = people::named_by(note);
        helpdesk_domain::ports::Erasure::link_addresses(self, &note.ticket, &named).await?;
        let item = items::to_item(&MessageItem::of(note))?;
        match self
            .client
            .put_item()
            .table_name(&self.tables.main)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // Already written by an earlier delivery of the same event.
            Err(e)
                if matches!(
                    super::sdk_error_ref(&e),
                    Some("ConditionalCheckFailedException")
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(sdk_error(e)),
        }
    }
}

/// One entry of a category's list of ratings.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct RatingItem {
    pub pk: String,
    pub sk: String,
    pub rated: RatedTicket,
}
