//! Raw inbound mail in S3, as SES's receipt rule stored it.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use helpdesk_domain::ports::{RawMailError, RawMailStore};

#[derive(Debug, Clone)]
pub struct S3RawMailStore {
    client: Client,
    bucket: String,
    prefix: String,
}

impl S3RawMailStore {
    pub fn new(client: Client, bucket: String, prefix: String) -> Self {
        Self {
            client,
            bucket,
            prefix,
        }
    }

    fn key(&self, key: &str) -> String {
        if key.starts_with(&self.prefix) {
            key.to_owned()
        } else {
            format!("{}{key}", self.prefix)
        }
    }
}

fn unavailable<E: ProvideErrorMetadata>(e: &E) -> RawMailError {
    RawMailError::Unavailable(e.code().unwrap_or("unknown").to_owned())
}

/// A failed call: the service's error code, or the SDK's whole explanation.
fn failed<E, R>(e: aws_sdk_s3::error::SdkError<E, R>) -> RawMailError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e.as_service_error() {
        Some(s) => unavailable(s),
        None => RawMailError::Unavailable(aws_sdk_s3::error::DisplayErrorContext(&e).to_string()),
    }
}

#[async_trait]
impl RawMailStore for S3RawMailStore {
    async fn get(&self, key: &str, max_bytes: u64) -> Result<Vec<u8>, RawMailError> {
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.key(key))
            .send()
            .await
            .map_err(|e| match e.as_service_error() {
                Some(s) if s.is_no_such_key() => RawMailError::NotFound,
                Some(s) => unavailable(s),
                None => RawMailError::Unavailable(
                    aws_sdk_s3::error::DisplayErrorContext(&e).to_string(),
                ),
            })?;
        // Refuse before reading: a 40 MB cap must not become a 4 GB read.
        if out
            .content_length
            .is_some_and(|len| len < 0 || len as u64 > max_bytes)
        {
            return Err(RawMailError::TooLarge(max_bytes));
        }
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| RawMailError::Unavailable(e.to_string()))?
            .into_bytes();
        if bytes.len() as u64 > max_bytes {
            return Err(RawMailError::TooLarge(max_bytes));
        }
        Ok(bytes.to_vec())
    }

    async fn head(&self, key: &str, bytes: u64) -> Result<Vec<u8>, RawMailError> {
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.key(key))
            .range(format!("bytes=0-{}", bytes.max(1) - 1))
            .send()
            .await;
        let out = match out {
            // An empty object has no first byte to give.
            Err(e) if e.as_service_error().and_then(|s| s.code()) == Some("InvalidRange") => {
                return Ok(Vec::new());
            }
            other => other,
        }
        .map_err(|e| match e.as_service_error() {
            Some(s) if s.is_no_such_key() => RawMailError::NotFound,
            Some(s) => unavailable(s),
            None => {
                RawMailError::Unavailable(aws_sdk_s3::error::DisplayErrorContext(&e).to_string())
            }
        })?;
        let start = out
            .body
            .collect()
            .await
            .map_err(|e| RawMailError::Unavailable(e.to_string()))?
            .into_bytes();
        // A store that ignored the range: only what was asked for.
        let end = usize::try_from(bytes)
            .unwrap_or(usize::MAX)
            .min(start.len());
        Ok(start[..end].to_vec())
    }

    async fn put(&self, key: &str, raw: &[u8]) -> Result<(), RawMailError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(self.key(key))
            .body(ByteStream::from(raw.to_vec()))
            .send()
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), RawMailError> {
        // S3 answers a delete of a missing key with success, as erasing wants.
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(self.key(key))
            .send()
            .await
            .map_err(failed)?;
        Ok(())
    }
}
