//! A mail's original as stored when it arrived, read again on an agent's request.

use crate::mail::inbound::parse::{MailLimits, parse, raw_mail_key};
use crate::ports::{RawMailError, RawMailStore};
use crate::tickets::message::{Message, SanitizedHtml};

/// The HTML of a message that came by mail, with its remote images, for an agent
/// who chose to load them (the sender may learn the mail was opened): the stored
/// original is read again and its HTML sanitized like any other, only without
/// removing remote images. `None` when the message did not come by mail, has no
/// HTML part, or its original is no longer kept.
pub async fn html_with_remote_images(
    raw_mail: &dyn RawMailStore,
    message: &Message,
    limits: &MailLimits,
) -> Result<Option<SanitizedHtml>, RawMailError> {
    let Some(ses_id) = message
        .email
        .as_ref()
        .and_then(|e| e.ses_message_id.as_deref())
    else {
        return Ok(None);
    };
    let raw = match raw_mail
        .get(&raw_mail_key(ses_id), limits.max_bytes as u64)
        .await
    {
        Ok(raw) => raw,
        Err(RawMailError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(parse(&raw, limits)
        .ok()
        .and_then(|mail| mail.html)
        .map(|html| SanitizedHtml::sanitize(&html)))
}
