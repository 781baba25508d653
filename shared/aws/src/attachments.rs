//! Attachments in S3: presigned uploads with the type and length signed, HEAD to
//! check what really arrived, presigned downloads forced to `attachment`.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::presigning::PresigningConfig;
use chrono::Duration;
use helpdesk_domain::customers::attachments::{AttachmentError, StoredObject, UploadRequest};
use helpdesk_domain::ports::AttachmentStore;

#[derive(Debug, Clone)]
pub struct S3AttachmentStore {
    client: Client,
    bucket: String,
}

impl S3AttachmentStore {
    pub fn new(client: Client, bucket: String) -> Self {
        Self { client, bucket }
    }
}

/// Any S3 failure, with the SDK's whole explanation.
fn unavailable<E: std::error::Error + 'static>(e: E) -> AttachmentError {
    AttachmentError::Unavailable(aws_sdk_s3::error::DisplayErrorContext(e).to_string())
}

fn presigning(valid_for: Duration) -> Result<PresigningConfig, AttachmentError> {
    let secs = valid_for.num_seconds().clamp(1, 7 * 24 * 3600) as u64;
    PresigningConfig::expires_in(std::time::Duration::from_secs(secs))
        .map_err(|e| AttachmentError::Unavailable(e.to_string()))
}

#[async_trait]
impl AttachmentStore for S3AttachmentStore {
    async fn presign_upload(
        &self,
        key: &str,
        request: &UploadRequest,
        valid_for: Duration,
    ) -> Result<(String, Vec<(String, String)>), AttachmentError> {
        let signed = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(&request.content_type)
            .content_length(request.size as i64)
            .presigned(presigning(valid_for)?)
            .await
            .map_err(unavailable)?;
        let headers = signed
            .headers()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Ok((signed.uri().to_owned(), headers))
    }

    async fn put(
        &self,
        key: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(), AttachmentError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(aws_sdk_s3::primitives::ByteStream::from(bytes))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), AttachmentError> {
        // S3 answers a delete of a missing key with success, as erasing wants.
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn delete_under(&self, prefix: &str) -> Result<u32, AttachmentError> {
        let mut deleted = 0;
        let mut token = None;
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_continuation_token(token)
                .send()
                .await
                .map_err(unavailable)?;
            for object in page.contents() {
                if let Some(key) = object.key() {
                    self.delete(key).await?;
                    deleted += 1;
                }
            }
            token = page.next_continuation_token().map(str::to_owned);
            if token.is_none() {
                return Ok(deleted);
            }
        }
    }

    async fn describe(&self, key: &str) -> Result<Option<StoredObject>, AttachmentError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(o) => Ok(Some(StoredObject {
                size: o.content_length.unwrap_or(0).max(0) as u64,
                content_type: o.content_type.unwrap_or_default().to_ascii_lowercase(),
                etag: o.e_tag,
            })),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn keep(&self, from: &str, etag: Option<&str>, to: &str) -> Result<(), AttachmentError> {
        // CopySource is `bucket/key`, URL-encoded (file names may hold any letter).
        let mut source = format!("{}/", self.bucket);
        for b in from.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_') {
                source.push(char::from(b));
            } else {
                source.push_str(&format!("%{b:02X}"));
            }
        }
        self.client
            .copy_object()
            .bucket(&self.bucket)
            .key(to)
            .copy_source(source)
            .set_copy_source_if_match(etag.map(str::to_owned))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn get(&self, key: &str, max_bytes: u64) -> Result<Option<Vec<u8>>, AttachmentError> {
        let object = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(unavailable(e)),
        };
        if object.content_length.unwrap_or(0).max(0) as u64 > max_bytes {
            return Err(AttachmentError::TooLarge(max_bytes));
        }
        let bytes = object
            .body
            .collect()
            .await
            .map_err(unavailable)?
            .into_bytes();
        if bytes.len() as u64 > max_bytes {
            return Err(AttachmentError::TooLarge(max_bytes));
        }
        Ok(Some(bytes.to_vec()))
    }

    async fn presign_download(
        &self,
        key: &str,
        filename: &str,
        valid_for: Duration,
    ) -> Result<String, AttachmentError> {
        let signed = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_disposition(
                helpdesk_domain::customers::attachments::content_disposition(filename),
            )
            .presigned(presigning(valid_for)?)
            .await
            .map_err(unavailable)?;
        Ok(signed.uri().to_owned())
    }
}
