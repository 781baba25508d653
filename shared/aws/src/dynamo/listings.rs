//! The listings readers page through: a category's queue, an agent's tickets, the
//! views' merged pages (`Queues`) and what the SLA run must look at (`Wakeups`), each
//! on its sparse index.

use super::items::{self, Item, TicketItem, s};
use super::{DynamoStore, keys, sdk_error};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use helpdesk_domain::ports::store::{
    Listing, Position, QueueOrder, QueuePage, QueueQuery, StoreError, TicketSummary, Waking,
};
use helpdesk_domain::ports::{Queues, Wakeups};
use helpdesk_domain::tickets::counters::{CategoryCounts, QueueCounts, StatusCounts};
use helpdesk_domain::values::time::sortable;
use helpdesk_domain::{AgentId, CategoryId, Status};
use std::collections::BTreeMap;
use std::collections::HashMap;

#[async_trait]
impl Queues for DynamoStore {
    async fn queue(&self, query: QueueQuery) -> Result<QueuePage, StoreError> {
        let q = listing_query(&query.listing);
        let limit = query.limit.clamp(1, 100);
        let mut request = self
            .client
            .query()
            .table_name(&self.tables.main)
            .index_name(q.index)
            .expression_attribute_names("#p", q.pk_attr)
            .expression_attribute_values(":p", s(q.partition.clone()))
            .scan_index_forward(query.order == QueueOrder::OldestFirst)
            // One more than asked: tells whether another page exists.
            .limit(i32::from(limit) + 1)
            .set_exclusive_start_key(query.after.as_ref().map(|a| start_key(&q, a)));
        request = match &q.below {
            Some(below) => request
                .key_condition_expression("#p = :p AND #s < :below")
                .expression_attribute_names("#s", q.sk_attr)
                .expression_attribute_values(":below", s(below.clone())),
            None => request.key_condition_expression("#p = :p"),
        };
        let out = request.send().await.map_err(sdk_error)?;
        let mut found = out.items.unwrap_or_default();
        let more = found.len() > usize::from(limit);
        found.truncate(usize::from(limit));
        Ok(QueuePage {
            items: summaries(found)?,
            more,
        })
    }

    async fn queue_counts(
        &self,
        categories: &[CategoryId],
        agent: &AgentId,
    ) -> Result<QueueCounts, StoreError> {
        let mut counts = QueueCounts::default();
        // One query per category (its counter shards), all at once.
        let summed =
            futures::future::join_all(categories.iter().map(|c| self.category_counters(c))).await;
        for (category, item) in categories.iter().zip(summed) {
            let item = item?;
            let mut c = CategoryCounts {
                unassigned: number(&item, "unassigned"),
                received: number(&item, "received"),
                replied: number(&item, "replied"),
                overdue: number(&item, "overdue"),
                ..CategoryCounts::default()
            };
            c.by_status = statuses(&item);
            counts.categories.insert(category.clone(), c);
        }
        if let Some(item) = self
            .get_item(&keys::agent_counter_pk(agent), keys::ACTIVE_SK)
            .await?
        {
            counts.assigned_to_agent = items::number(&item, "assigned")?;
        }
        Ok(counts)
    }

    async fn status_counts(&self, category: &CategoryId) -> Result<StatusCounts, StoreError> {
        Ok(statuses(&self.category_counters(category).await?))
    }
}

impl DynamoStore {
    /// A category's live counters, summed over their shards.
    async fn category_counters(
        &self,
        category: &CategoryId,
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        let (from, to) = keys::shard_range(keys::STATUS_SK);
        let shards = self
            .partition_range(keys::category_counter_pk(category), from, to)
            .await?;
        items::summed_numbers(&shards)
    }
}

fn number(summed: &BTreeMap<String, i64>, name: &str) -> i64 {
    summed.get(name).copied().unwrap_or(0)
}

fn statuses(summed: &BTreeMap<String, i64>) -> StatusCounts {
    let mut counts = StatusCounts::default();
    for status in Status::ALL {
        let v = number(summed, status.as_str());
        if v != 0 {
            counts.0.insert(status, v);
        }
    }
    counts
}

#[async_trait]
impl Wakeups for DynamoStore {
    async fn waking(&self, before: DateTime<Utc>, limit: u16) -> Result<Vec<Waking>, StoreError> {
        let mut due = Vec::new();
        let mut start = None;
        while due.len() < usize::from(limit) {
            let out = self
                .client
                .query()
                .table_name(&self.tables.main)
                .index_name(keys::WAKE.name)
                .key_condition_expression("#ipk = :p AND #isk < :before")
                .expression_attribute_names("#ipk", keys::WAKE.pk)
                .expression_attribute_names("#isk", keys::WAKE.sk)
                .expression_attribute_values(":p", s(keys::WAKE_PARTITION))
                // Sort keys are `<time>#<ref>`: every entry at `before` sorts below `<time>$`.
                .expression_attribute_values(":before", s(format!("{}$", sortable(before))))
                .limit(i32::from(limit) - due.len() as i32)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk_error)?;
            for item in out.items.unwrap_or_default() {
                due.push(keys::waking(&item)?);
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        Ok(due)
    }
}

fn listing_query(listing: &Listing) -> ListingQuery {
    let (index, partition, below) = match listing {
        Listing::InStatus { category, status } => {
            (keys::QUEUE, keys::queue_pk(category, *status), None)
        }
        Listing::Unassigned { category } => (keys::OWNER, keys::unassigned_pk(category), None),
        Listing::AssignedTo { agent } => (keys::OWNER, keys::assigned_pk(agent), None),
        Listing::DueBefore { before } => (
            keys::DUE,
            keys::DUE_PARTITION.to_owned(),
            Some(sortable(*before)),
        ),
    };
    ListingQuery {
        index: index.name,
        pk_attr: index.pk,
        sk_attr: index.sk,
        partition,
        below,
    }
}

/// The exclusive start key of a listing at a position: the table's key and the
/// index's key of the ticket there.
fn start_key(q: &ListingQuery, after: &Position) -> Item {
    HashMap::from([
        ("pk".to_owned(), s(keys::ticket_pk(&after.reference))),
        ("sk".to_owned(), s(keys::TICKET_SK)),
        (q.pk_attr.to_owned(), s(q.partition.clone())),
        (
            q.sk_attr.to_owned(),
            s(keys::position_sk(after.at, &after.reference)),
        ),
    ])
}

pub(super) fn summaries(found: Vec<Item>) -> Result<Vec<TicketSummary>, StoreError> {
    found
        .into_iter()
        .map(|item| items::from_item::<TicketItem>(item).map(|t| TicketSummary::from(&t.ticket)))
        .collect()
}

/// The index, its key attribute names and the key condition of a listing.
struct ListingQuery {
    index: &'static str,
    pk_attr: &'static str,
    sk_attr: &'static str,
    partition: String,
    /// An upper bound on the sort key, for due listings.
    below: Option<String>,
}
