//! Attaching uploads to a message: each file the message names is checked (its
//! real size and type, as stored) and copied to a place of its own; and the
//! short-lived download links an attached file is served through.

use crate::catalog::category::FieldError;
use crate::customers::attachments::AttachmentError;
use crate::customers::attachments::{
    ALLOWED_TYPES, MAX_MAIL_TOTAL, MAX_PER_MESSAGE, MAX_SIZE, incoming_key, kept_key, parse_handle,
};
use crate::customers::attachments::{UPLOAD_VALIDITY_MINUTES, UploadRequest};
use crate::ports::{AttachmentStore, IdSource};
use crate::tickets::message::AttachmentRef;
use chrono::{DateTime, Duration, Utc};

pub const DOWNLOAD_MINUTES: i64 = 5;

/// An upload the browser may now make: where to PUT it, the headers to send
/// (signed; the browser sets Content-Length itself), until when, and the handle
/// to name in a message afterwards (only whoever was given it holds the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedUpload {
    pub handle: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub expires_at: DateTime<Utc>,
}

/// Signs an upload of `upload` under a fresh secret (customers' and agents' alike).
pub async fn start_upload(
    store: &dyn AttachmentStore,
    ids: &dyn IdSource,
    upload: &UploadRequest,
    now: DateTime<Utc>,
) -> Result<StartedUpload, AttachmentError> {
    let secret = ids.secret_token();
    let valid = Duration::minutes(UPLOAD_VALIDITY_MINUTES);
    let (url, headers) = store
        .presign_upload(&upload.key(secret.expose()), upload, valid)
        .await?;
    Ok(StartedUpload {
        handle: upload.handle(secret.expose()),
        url,
        headers: headers
            .into_iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("content-length"))
            .collect(),
        expires_at: now + valid,
    })
}

/// A short-lived download link for each file, in the same order.
pub async fn download_links(
    store: &dyn AttachmentStore,
    files: &[AttachmentRef],
) -> Result<Vec<String>, AttachmentError> {
    let mut links = Vec::with_capacity(files.len());
    for f in files {
        links.push(
            store
                .presign_download(&f.key, &f.filename, Duration::minutes(DOWNLOAD_MINUTES))
                .await?,
        );
    }
    Ok(links)
}

/// Checks the handles a customer names (see [`UploadRequest::handle`]): uploaded
/// under that secret, within limits, an accepted type; then keeps each file where
/// attached files live. `field` names them in errors (e.g. `attachments`).
pub async fn resolve(
    store: &dyn AttachmentStore,
    ids: &dyn IdSource,
    keys: &[String],
    field: &str,
) -> Result<Result<Vec<AttachmentRef>, Vec<FieldError>>, AttachmentError> {
    resolve_within(store, ids, keys, field, u64::MAX).await
}

/// As [`resolve`], for files that go out by mail with an agent's reply: all
/// together within [`MAX_MAIL_TOTAL`].
pub async fn resolve_for_mail(
    store: &dyn AttachmentStore,
    ids: &dyn IdSource,
    keys: &[String],
    field: &str,
) -> Result<Result<Vec<AttachmentRef>, Vec<FieldError>>, AttachmentError> {
    resolve_within(store, ids, keys, field, MAX_MAIL_TOTAL).await
}

async fn resolve_within(
    store: &dyn AttachmentStore,
    ids: &dyn IdSource,
    keys: &[String],
    field: &str,
    max_total: u64,
) -> Result<Result<Vec<AttachmentRef>, Vec<FieldError>>, AttachmentError> {
    if keys.len() > MAX_PER_MESSAGE {
        return Ok(Err(vec![FieldError::new(
            field,
            format!("at most {MAX_PER_MESSAGE} files per message"),
        )]));
    }
    let mut found = Vec::new();
    let mut errors = Vec::new();
    let mut checked = Vec::new();
    for (i, handle) in keys.iter().enumerate() {
        let name = format!("{field}[{i}]");
        let Some((secret, filename)) = parse_handle(handle) else {
            errors.push(FieldError::new(
                name,
                "was not uploaded (or the upload expired)",
            ));
            continue;
        };
        let incoming = incoming_key(secret, filename);
        let attach = ids.secret_token();
        let kept = kept_key(secret, &attach.expose()[16..], filename);
        match store.describe(&incoming).await? {
            None => errors.push(FieldError::new(
                name,
                "was not uploaded (or the upload expired)",
            )),
            Some(o) if o.size > MAX_SIZE || !ALLOWED_TYPES.contains(&o.content_type.as_str()) => {
                errors.push(FieldError::new(
                    name,
                    "is larger than 10 MB or not an accepted type",
                ))
            }
            Some(o) => checked.push((
                incoming,
                o.etag.clone(),
                AttachmentRef {
                    key: kept,
                    filename: filename.to_owned(),
                    content_type: o.content_type,
                    size: o.size,
                    content_id: None,
                },
            )),
        }
    }
    let total: u64 = checked.iter().map(|(_, _, f)| f.size).sum();
    if errors.is_empty() && total > max_total {
        errors.push(FieldError::new(
            field,
            format!(
                "together at most {} MB in one mail",
                max_total / (1024 * 1024)
            ),
        ));
    }
    // Copied only when every file passed. A message refused after this (a rate
    // limit, a conflict) leaves its copies behind: bounded by the upload limits.
    if errors.is_empty() {
        for (incoming, etag, file) in checked {
            store.keep(&incoming, etag.as_deref(), &file.key).await?;
            found.push(file);
        }
    }
    Ok(if errors.is_empty() {
        Ok(found)
    } else {
        Err(errors)
    })
}
