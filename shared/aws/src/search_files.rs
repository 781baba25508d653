//! The word index's files in S3, under `search-index/<main table>/` in the
//! attachments bucket (see `helpdesk_search::synced`): one index per table.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use helpdesk_domain::ports::store::StoreError;
use helpdesk_search::files::IndexFiles;

pub const SEARCH_INDEX_PREFIX: &str = "search-index/";

#[derive(Debug, Clone)]
pub struct S3IndexFiles {
    client: Client,
    bucket: String,
    prefix: String,
}

impl S3IndexFiles {
    pub fn new(client: Client, bucket: String, main_table: &str) -> Self {
        Self {
            client,
            bucket,
            prefix: format!("{SEARCH_INDEX_PREFIX}{main_table}/"),
        }
    }
}

fn unavailable(what: &str, code: Option<&str>) -> StoreError {
    StoreError::Unavailable(format!(
        "search index {what}: {}",
        code.unwrap_or("unknown")
    ))
}

#[async_trait]
impl IndexFiles for S3IndexFiles {
    async fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(format!("{}{name}", self.prefix))
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
        Ok(Some(bytes.to_vec()))
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
}
