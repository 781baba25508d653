//! Attachments: uploaded straight to S3 by presigned URL, then named in a
//! submission or reply, where their real size and type are checked before they
//! are attached (`customers::attaching`). They are only ever served as downloads.
//! Here: the rules, the keys and the shapes the `AttachmentStore` port takes.

use crate::catalog::category::FieldError;
use chrono::{DateTime, Utc};

/// Types a customer (or an agent, for a reply) may upload: pictures, PDFs,
/// plain text and logs, archives.
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
/// Files an agent's reply carries, all together: SES takes a mail of at most
/// 40 MB, and base64 makes 25 MB of files about 34 MB.
pub const MAX_MAIL_TOTAL: u64 = 25 * 1024 * 1024;
/// Files attached to a message: written only by the functions, never by a visitor.
pub const UPLOAD_PREFIX: &str = "uploads/";
/// Where a presigned upload (a visitor's, or an agent's) lands; a lifecycle rule deletes what is
/// still there after a day, attached or not (attaching copies the file out).
pub const INCOMING_PREFIX: &str = "incoming/";
pub const UPLOAD_VALIDITY_MINUTES: i64 = 15;

/// Where the upload under `secret` lives: its folder is the secret's digest, so
/// the keys we show (in download links) do not lead back to the secret, and
/// only who holds the secret can name the file.
fn upload_folder(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(secret.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn incoming_key(secret: &str, filename: &str) -> String {
    format!("{INCOMING_PREFIX}{}/{filename}", upload_folder(secret))
}

/// Where one attaching of the upload is kept: a place of its own each time
/// (`attach`: fresh random hex), so naming the handle again with new bytes never
/// changes a file already attached to a message.
pub(crate) fn kept_key(secret: &str, attach: &str, filename: &str) -> String {
    format!(
        "{UPLOAD_PREFIX}{}/{attach}/{filename}",
        upload_folder(secret)
    )
}

/// A handle as the visitor names it: the upload's secret (32 lowercase hex
/// digits) and the file name our upload answer gave. Anything else: `None`.
pub(crate) fn parse_handle(handle: &str) -> Option<(&str, &str)> {
    let (secret, filename) = handle.split_once('/')?;
    let secret_ok = secret.len() == 32
        && secret
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
    (secret_ok && !filename.is_empty() && safe_filename(filename) == filename)
        .then_some((secret, filename))
}

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
        .filter(|c| !crate::values::text::is_direction_mark(*c))
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
        Self::parse_in(filename, content_type, size, crate::i18n::Language::En)
    }

    /// As [`UploadRequest::parse`], the reasons said in `language` (the help
    /// center shows them next to the file).
    pub fn parse_in(
        filename: &str,
        content_type: &str,
        size: Option<u64>,
        language: crate::i18n::Language,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let say = |key: &str| language.text(key, &[]);
        let content_type = content_type.trim().to_ascii_lowercase();
        if !ALLOWED_TYPES.contains(&content_type.as_str()) {
            errors.push(FieldError::new("content_type", say("upload-type")));
        }
        match size {
            None | Some(0) => errors.push(FieldError::new("size", say("upload-size"))),
            Some(s) if s > MAX_SIZE => errors.push(FieldError::new("size", say("upload-too-big"))),
            Some(_) => {}
        }
        if filename.trim().is_empty() {
            errors.push(FieldError::new("filename", say("upload-name")));
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

    /// Where the visitor uploads it, under `secret` (128 random bits, as hex).
    pub fn key(&self, secret: &str) -> String {
        incoming_key(secret, &self.filename)
    }

    /// What the visitor names to attach it: only they hold the secret.
    pub fn handle(&self, secret: &str) -> String {
        format!("{secret}/{}", self.filename)
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
    /// Names this version of the object: a copy made on the condition that it
    /// still matches copies exactly what was checked.
    pub etag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("attachment storage unavailable: {0}")]
    Unavailable(String),
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    #[error("the attached file {0} is no longer stored")]
    Missing(String),
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
        let secret = "00112233445566778899aabbccddeeff";
        let key = ok.key(secret);
        assert!(
            key.starts_with(INCOMING_PREFIX) && key.ends_with("/Screen_shot_1.PNG"),
            "{key}"
        );
        assert!(!key.contains(secret), "the key does not show the secret");
        assert_eq!(ok.handle(secret), format!("{secret}/Screen_shot_1.PNG"));
        assert_eq!(
            parse_handle(&ok.handle(secret)),
            Some((secret, "Screen_shot_1.PNG"))
        );
        for bad in [
            "uploads/0011/x.png",
            "00112233445566778899AABBCCDDEEFF/x.png",
            "0011/x.png",
            "00112233445566778899aabbccddeeff/../x.png",
            "00112233445566778899aabbccddeeff/",
            "00112233445566778899aabbccddeeff/a b.png",
        ] {
            assert_eq!(parse_handle(bad), None, "{bad}");
        }
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
