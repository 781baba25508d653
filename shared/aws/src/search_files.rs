//! The word index's files in S3, under `search-index/<main table>/` in the
//! attachments bucket, and its manifest in the main table, swapped with a
//! conditional write (see `helpdesk_search::files`): one index per table.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use helpdesk_domain::ports::store::StoreError;
use helpdesk_search::files::{IndexFiles, Manifest};

pub const SEARCH_INDEX_PREFIX: &str = "search-index/";

/// The manifest's item in the main table.
pub const MANIFEST_PK: &str = "SEARCH";
pub const MANIFEST_SK: &str = "MANIFEST";

#[derive(Debug, Clone)]
pub struct S3IndexFiles {
    client: Client,
    bucket: String,
    prefix: String,
    dynamodb: aws_sdk_dynamodb::Client,
    table: String,
}

impl S3IndexFiles {
    pub fn new(
        client: Client,
        bucket: String,
        dynamodb: aws_sdk_dynamodb::Client,
        main_table: &str,
    ) -> Self {
        Self {
            client,
            bucket,
            prefix: format!("{SEARCH_INDEX_PREFIX}{main_table}/"),
            dynamodb,
            table: main_table.to_owned(),
        }
    }
}

fn key(pk: &str, sk: &str) -> std::collections::HashMap<String, AttributeValue> {
    [
        ("pk".to_owned(), AttributeValue::S(pk.to_owned())),
        ("sk".to_owned(), AttributeValue::S(sk.to_owned())),
    ]
    .into_iter()
    .collect()
}

fn unavailable(what: &str, code: Option<&str>) -> StoreError {
    StoreError::Unavailable(format!(
        "search index {what}: {}",
        code.unwrap_or("unknown")
    ))
}

impl S3IndexFiles {
    /// The object (or the `range` of it), `None` when there is none.
    async fn fetch(
        &self,
        name: &str,
        range: Option<String>,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(format!("{}{name}", self.prefix))
            .set_range(range)
            .send()
            .await;
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                return match e.as_service_error() {
                    Some(s) if s.is_no_such_key() => Ok(None),
                    Some(s) => Err(unavailable("read", s.code())),
                    None => Err(StoreError::Unavailable(
                        aws_sdk_s3::error::DisplayErrorContext(&e).to_string(),
                    )),
                };
            }
        };
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?
            .into_bytes();
        Ok(Some(bytes.into()))
    }
}

#[async_trait]
impl IndexFiles for S3IndexFiles {
    async fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.fetch(name, None).await
    }

    async fn get_range(
        &self,
        name: &str,
        offset: u64,
        size: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        if size == 0 {
            return Ok(Some(Vec::new()));
        }
        let last = offset
            .checked_add(size - 1)
            .ok_or_else(|| StoreError::Corrupt("search index file range".into()))?;
        self.fetch(name, Some(format!("bytes={offset}-{last}")))
            .await
    }

    async fn manifest(&self) -> Result<Option<Manifest>, StoreError> {
        let out = self
            .dynamodb
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(MANIFEST_PK, MANIFEST_SK)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable("manifest read", e.code()))?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        let text = item
            .get("manifest")
            .and_then(|v| v.as_s().ok())
            .ok_or_else(|| StoreError::Corrupt("search index manifest without its text".into()))?;
        serde_json::from_str(text)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("search index manifest: {e}")))
    }

    async fn swap_manifest(&self, expected: u64, next: &Manifest) -> Result<bool, StoreError> {
        let text = serde_json::to_string(next)
            .map_err(|e| StoreError::Corrupt(format!("search index manifest: {e}")))?;
        let mut item = key(MANIFEST_PK, MANIFEST_SK);
        item.insert(
            "generation".into(),
            AttributeValue::N(next.generation.to_string()),
        );
        item.insert("manifest".into(), AttributeValue::S(text));
        let put = self
            .dynamodb
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item));
        let put = if expected == 0 {
            put.condition_expression("attribute_not_exists(pk)")
        } else {
            put.condition_expression("generation = :g")
                .expression_attribute_values(":g", AttributeValue::N(expected.to_string()))
        };
        match put.send().await {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(unavailable("manifest write", e.code())),
        }
    }

    async fn put(&self, name: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(format!("{}{name}", self.prefix))
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| unavailable("write", e.code()))?;
        Ok(())
    }

    async fn list(&self) -> Result<Vec<String>, StoreError> {
        let mut keys = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(&self.prefix)
                .set_continuation_token(token)
                .send()
                .await
                .map_err(|e| unavailable("list", e.code()))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key()?.strip_prefix(&self.prefix).map(str::to_owned)),
            );
            token = page.next_continuation_token().map(str::to_owned);
            if token.is_none() {
                return Ok(keys);
            }
        }
    }

    async fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(format!("{}{name}", self.prefix))
            .send()
            .await
            .map_err(|e| unavailable("delete", e.code()))?;
        Ok(())
    }
}
