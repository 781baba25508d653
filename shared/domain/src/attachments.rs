//! Attachments: uploaded straight to S3 by presigned URL, then named in a
//! submission or reply, where their real size and type are checked before they
//! are attached. They are only ever served as downloads.

use crate::category::FieldError;
use crate::message::AttachmentRef;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

/// Types a customer may upload: pictures, PDFs, plain text and logs, archives.
pub const ALLOWED_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/zip",
];
pub const MAX_SIZE: u64 = 10 * 1024 * 1024;
pub const MAX_PER_MESSAGE: usize = 5;
pub const UPLOAD_PREFIX: &str = "uploads/";
pub const UPLOAD_VALIDITY_MINUTES: i64 = 15;

/// A checked upload request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRequest {
    pub filename: String,
    pub content_type: String,
    pub size: u64,
}

/// Keeps a file name readable and harmless: no path, no control or odd
/// characters, at most 100 characters.
pub fn safe_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !crate::text::is_direction_mark(*c))
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let trimmed = cleaned.trim_matches(['.', '_']);
    if trimmed.is_empty() {
        "file".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The `Content-Disposition` of a download (RFC 6266): always an attachment, its
/// name made safe again, an ASCII fallback in `filename` and the name itself,
/// percent-encoded, in `filename*`. Nothing of the name can end the value.
pub fn content_disposition(filename: &str) -> String {
    use std::fmt::Write;
    let safe = safe_filename(filename);
    let fallback: String = safe
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    let mut encoded = String::with_capacity(safe.len());
    for b in safe.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
            encoded.push(char::from(b));
        } else {
            let _ = write!(encoded, "%{b:02X}");
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

impl UploadRequest {
    pub fn parse(
        filename: &str,
        content_type: &str,
        size: Option<u64>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let content_type = content_type.trim().to_ascii_lowercase();
        if !ALLOWED_TYPES.contains(&content_type.as_str()) {
            errors.push(FieldError::new(
                "content_type",
                "this type of file is not accepted (pictures, PDF, text, CSV or ZIP)",
            ));
        }
        match size {
            None | Some(0) => {
                errors.push(FieldError::new("size", "is required (bytes, more than 0)"))
            }
            Some(s) if s > MAX_SIZE => {
                errors.push(FieldError::new("size", "the file is larger than 10 MB"))
            }
            Some(_) => {}
        }
        if filename.trim().is_empty() {
            errors.push(FieldError::new("filename", "is required"));
        }
        if errors.is_empty() {
            Ok(Self {
                filename: safe_filename(filename),
                content_type,
                size: size.unwrap_or(0),
            })
        } else {
            Err(errors)
        }
    }

    /// Where it goes: `random` (128 random bits, as hex) makes the key unguessable.
    pub fn key(&self, random: &str) -> String {
        format!("{UPLOAD_PREFIX}{random}/{}", self.filename)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedUpload {
    pub key: String,
    pub url: String,
    /// Headers the upload must send exactly (they are signed).
    pub headers: Vec<(String, String)>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub size: u64,
    pub content_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("attachment storage unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait AttachmentStore: Send + Sync {
    async fn presign_upload(
        &self,
        key: &str,
        request: &UploadRequest,
        valid_for: Duration,
    ) -> Result<(String, Vec<(String, String)>), AttachmentError>;
    /// What was really uploaded under `key`, if anything.
    async fn describe(&self, key: &str) -> Result<Option<StoredObject>, AttachmentError>;
    /// Stores a file that came with a mail (server-side; the key is ours).
    async fn put(
        &self,
        key: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(), AttachmentError>;
    /// A short-lived link that downloads the file (never shows it inline).
    async fn presign_download(
        &self,
        key: &str,
        filename: &str,
        valid_for: Duration,
    ) -> Result<String, AttachmentError>;
}

/// How long a download link works.
pub const DOWNLOAD_MINUTES: i64 = 5;

/// A short-lived download link for each file, in the same order.
pub async fn download_links(
    store: &dyn AttachmentStore,
    files: &[crate::message::AttachmentRef],
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

/// Checks the keys a customer names: uploaded, within limits, an accepted type.
/// `field` names them in errors (e.g. `attachments`).
pub async fn resolve(
    store: &dyn AttachmentStore,
    keys: &[String],
    field: &str,
) -> Result<Result<Vec<AttachmentRef>, Vec<FieldError>>, AttachmentError> {
    if keys.len() > MAX_PER_MESSAGE {
        return Ok(Err(vec![FieldError::new(
            field,
            format!("at most {MAX_PER_MESSAGE} files per message"),
        )]));
    }
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let name = format!("{field}[{i}]");
        let shaped = key.starts_with(UPLOAD_PREFIX) && key.len() <= 200 && !key.contains("..");
        let stored = if shaped {
            store.describe(key).await?
        } else {
            None
        };
        match stored {
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
            Some(o) => found.push(AttachmentRef {
                key: key.clone(),
                filename: key.rsplit('/').next().unwrap_or("file").to_owned(),
                content_type: o.content_type,
                size: o.size,
                content_id: None,
            }),
        }
    }
    Ok(if errors.is_empty() {
        Ok(found)
    } else {
        Err(errors)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_file_name_cannot_break_out_of_its_content_disposition() {
        let evil = "invoice.pdf\"; filename*=UTF-8''invoice.html; x=\"";
        let header = content_disposition(evil);
        assert_eq!(header.matches('"').count(), 2, "{header}");
        assert_eq!(header.matches("filename*=").count(), 1, "{header}");
        assert_eq!(header.matches(';').count(), 2, "{header}");
        assert!(!header.contains(".html;"), "{header}");
        // A real name keeps its letters, in the encoded form too.
        assert_eq!(
            content_disposition("Rechnung März.pdf"),
            "attachment; filename=\"Rechnung_M_rz.pdf\"; filename*=UTF-8''Rechnung_M%C3%A4rz.pdf"
        );
        // Direction marks are gone, not turned into something that reads as an extension.
        assert_eq!(safe_filename("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
    }

    #[test]
    fn uploads_are_limited_by_type_and_size() {
        let ok =
            UploadRequest::parse("../../etc/Screen shot 1.PNG", "image/png", Some(1000)).unwrap();
        assert_eq!(ok.filename, "Screen_shot_1.PNG");
        assert_eq!(ok.key("00ff"), "uploads/00ff/Screen_shot_1.PNG");
        let errors =
            UploadRequest::parse("", "application/x-msdownload", Some(MAX_SIZE + 1)).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["content_type", "size", "filename"]);
    }

    proptest! {
        #[test]
        fn file_names_never_carry_paths_or_control_characters(raw in "\\PC{0,300}|[./\\\\\r\n]{0,20}") {
            let name = safe_filename(&raw);
            prop_assert!(!name.is_empty() && name.chars().count() <= 100);
            prop_assert!(!name.contains('/') && !name.contains('\\'));
            prop_assert!(!name.chars().any(char::is_control));
        }
    }
}
