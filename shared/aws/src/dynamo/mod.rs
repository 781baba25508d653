//! The DynamoDB store: one main table with generic keys and the GSIs (`keys::INDEXES`) that
//! infra/resources.json declares, and an ops table with TTL (README.md,
//! "Architecture"). No Scan anywhere.

mod access;
mod alerts;
mod catalog;
mod items;
pub mod keys;
mod listings;
mod mail;
mod notices;
mod ops;
mod privacy;
mod tickets;
mod transaction;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::KeysAndAttributes;
use helpdesk_domain::ports::store::StoreError;
use std::collections::HashMap;

/// Items asked for per page of a long list.
const QUERY_PAGE: usize = 100;

/// The two table names.
#[derive(Debug, Clone)]
pub struct Tables {
    pub main: String,
    pub ops: String,
}

/// Implements `TicketStore` and `CatalogStore`.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    tables: Tables,
    /// Transactions sent again after a `TransactionConflict` (for the logs and
    /// the benchmark).
    conflicts: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl DynamoStore {
    pub fn new(client: Client, tables: Tables) -> Self {
        Self {
            client,
            tables,
            conflicts: Default::default(),
        }
    }

    /// How many transactions were cancelled by a conflict and sent again so far.
    pub fn conflicts_retried(&self) -> u64 {
        self.conflicts.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// Writes `value` as an item of the main table, unconditionally.
    pub(crate) async fn put_plain<T: serde::Serialize>(&self, value: &T) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.tables.main)
            .set_item(Some(items::to_item(value)?))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    /// Deletes one item of the main table; whether there was one.
    pub(crate) async fn delete_main(&self, pk: String, sk: String) -> Result<bool, StoreError> {
        let old = self
            .client
            .delete_item()
            .table_name(&self.tables.main)
            .key("pk", items::s(pk))
            .key("sk", items::s(sk))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(old.attributes.is_some_and(|a| !a.is_empty()))
    }

    /// One item of the main table by its full key (eventually consistent).
    pub(crate) async fn get_item(
        &self,
        pk: &str,
        sk: &str,
    ) -> Result<Option<items::Item>, StoreError> {
        self.read_item(pk, sk, false).await
    }

    /// As [`DynamoStore::get_item`], strongly consistent when asked: an item
    /// written a moment ago by another function is then certainly seen.
    pub(crate) async fn read_item(
        &self,
        pk: &str,
        sk: &str,
        consistent: bool,
    ) -> Result<Option<items::Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.tables.main)
            .key("pk", items::s(pk))
            .key("sk", items::s(sk))
            .consistent_read(consistent)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(out.item)
    }

    /// Every item of one main-table partition, following the pages.
    pub(crate) async fn partition(&self, pk: String) -> Result<Vec<items::Item>, StoreError> {
        self.query_partition(pk, false).await
    }

    /// As [`DynamoStore::partition`], optionally strongly consistent (a ticket is
    /// read that way before it is changed).
    pub(crate) async fn query_partition(
        &self,
        pk: String,
        consistent: bool,
    ) -> Result<Vec<items::Item>, StoreError> {
        self.query_items(pk, None, consistent, true).await
    }

    /// As [`DynamoStore::query_partition`], strongly consistent, the last sort
    /// key first.
    pub(crate) async fn partition_from_the_end(
        &self,
        pk: String,
    ) -> Result<Vec<items::Item>, StoreError> {
        self.query_items(pk, None, true, false).await
    }

    /// A partition's items whose sort key is within `from..=to`, in order.
    pub(crate) async fn partition_range(
        &self,
        pk: String,
        from: String,
        to: String,
    ) -> Result<Vec<items::Item>, StoreError> {
        self.query_items(pk, Some((from, to)), false, true).await
    }

    async fn query_items(
        &self,
        pk: String,
        range: Option<(String, String)>,
        consistent: bool,
        forward: bool,
    ) -> Result<Vec<items::Item>, StoreError> {
        let condition = match range {
            None => "pk = :pk",
            Some(_) => "pk = :pk AND sk BETWEEN :from AND :to",
        };
        let mut query = self
            .client
            .query()
            .table_name(&self.tables.main)
            .key_condition_expression(condition)
            .expression_attribute_values(":pk", items::s(pk))
            .consistent_read(consistent)
            .scan_index_forward(forward);
        if let Some((from, to)) = range {
            query = query
                .expression_attribute_values(":from", items::s(from))
                .expression_attribute_values(":to", items::s(to));
        }
        Self::pages(query, None).await
    }

    /// Up to `limit` items of `query`, page after page: DynamoDB ends a page
    /// at 1 MB whatever the limit, and a long list (an address's tickets or
    /// links, for an export) runs past that.
    pub(crate) async fn query_up_to(
        query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
        limit: u16,
    ) -> Result<Vec<items::Item>, StoreError> {
        Self::pages(query, Some(usize::from(limit.max(1)))).await
    }

    /// Every page of `query` (each as large as DynamoDB makes it), or pages of
    /// at most [`QUERY_PAGE`] items until `limit` of them.
    async fn pages(
        query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
        limit: Option<usize>,
    ) -> Result<Vec<items::Item>, StoreError> {
        let mut all = Vec::new();
        let mut start = None;
        loop {
            let mut page = query.clone();
            if let Some(limit) = limit {
                let wanted = (limit - all.len()).min(QUERY_PAGE);
                page = page.limit(i32::try_from(wanted).unwrap_or(1));
            }
            let out = page
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk_error)?;
            all.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key;
            let full = limit.is_some_and(|limit| all.len() >= limit);
            if start.is_none() || full {
                if let Some(limit) = limit {
                    all.truncate(limit);
                }
                return Ok(all);
            }
        }
    }

    /// Main-table items by full key in one `BatchGetItem` (at most 100 keys;
    /// duplicates read once), keyed by (pk, sk); missing items are left out.
    pub(crate) async fn batch_get(
        &self,
        wanted: &[(String, String)],
    ) -> Result<HashMap<(String, String), items::Item>, StoreError> {
        let mut unique: Vec<&(String, String)> = Vec::new();
        for key in wanted {
            if !unique.contains(&key) {
                unique.push(key);
            }
        }
        let mut found = HashMap::new();
        if unique.is_empty() {
            return Ok(found);
        }
        if unique.len() > 100 {
            return Err(StoreError::Unavailable(
                "more than 100 keys in one batch".into(),
            ));
        }
        let mut keys_and = KeysAndAttributes::builder();
        for (pk, sk) in unique {
            keys_and = keys_and.keys(HashMap::from([
                ("pk".to_owned(), items::s(pk)),
                ("sk".to_owned(), items::s(sk)),
            ]));
        }
        let mut request = HashMap::from([(
            self.tables.main.clone(),
            keys_and.build().map_err(build_error)?,
        )]);
        // Unprocessed keys come back under throttling: a few more rounds, then give up.
        for _ in 0..3 {
            let out = self
                .client
                .batch_get_item()
                .set_request_items(Some(request))
                .send()
                .await
                .map_err(sdk_error)?;
            for item in out
                .responses
                .and_then(|mut r| r.remove(&self.tables.main))
                .unwrap_or_default()
            {
                let key = (
                    items::string(&item, "pk")?.to_owned(),
                    items::string(&item, "sk")?.to_owned(),
                );
                found.insert(key, item);
            }
            match out.unprocessed_keys.filter(|u| !u.is_empty()) {
                Some(rest) => request = rest,
                None => return Ok(found),
            }
        }
        Err(StoreError::Throttled)
    }
}

/// Keeps the kinds of failure that matter; everything else is "unavailable" with
/// the AWS code for the logs (never shown to users).
pub(crate) fn sdk_error<E, R>(e: SdkError<E, R>) -> StoreError
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = e
        .as_service_error()
        .and_then(|s| crate::error_code(s))
        .map(str::to_owned);
    if crate::is_throttling(code.as_deref()) {
        return StoreError::Throttled;
    }
    match code.as_deref() {
        Some("ConditionalCheckFailedException") => StoreError::Conflict,
        Some("ResourceNotFoundException") => StoreError::Unavailable("table not found".into()),
        Some(other) => StoreError::Unavailable(other.to_owned()),
        None => StoreError::Unavailable(format!(
            "{}",
            aws_sdk_dynamodb::error::DisplayErrorContext(&e)
        )),
    }
}

/// The error code of a failed call, if the service sent one.
pub(crate) fn sdk_error_ref<E: aws_sdk_dynamodb::error::ProvideErrorMetadata, R>(
    e: &aws_sdk_dynamodb::error::SdkError<E, R>,
) -> Option<&str> {
    e.as_service_error().and_then(|s| s.code())
}

pub(crate) fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Unavailable(format!("request could not be built: {e}"))
}
