//! Supervisors and admins reviewing held mail: a safe look at one, and releasing
//! it into a ticket (it goes through receiving again, where its release counts).

use super::parse::{MailLimits, parse, raw_mail_key};
use super::quarantine::{Quarantined, Release};
use crate::ports::store::StoreError;
use crate::ports::{Quarantine, QueueError, RawMailError, RawMailStore, Redelivery};
use crate::tickets::message::SanitizedHtml;
use crate::values::ids::AgentId;
use chrono::{DateTime, NaiveDate, Utc};

/// At most this much of a held mail's text is shown.
const PREVIEW_TEXT: usize = 20_000;

/// What a held mail says, safe to show: text clipped, HTML sanitized with remote
/// images removed (nothing is fetched when it is looked at), attachments only
/// named.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub from: String,
    pub from_name: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<SanitizedHtml>,
    /// Remote images removed from the HTML.
    pub blocked_images: u32,
    pub attachments: Vec<String>,
}

/// The held mail `item` as stored; `None` when its original is no longer kept
/// or cannot be read (an unreadable mail is held for that very reason).
pub async fn preview(
    raw_mail: &dyn RawMailStore,
    item: &Quarantined,
    limits: &MailLimits,
) -> Result<Option<Preview>, RawMailError> {
    let raw = match raw_mail
        .get(&raw_mail_key(&item.ses_id), limits.max_bytes as u64)
        .await
    {
        Ok(raw) => raw,
        Err(RawMailError::NotFound | RawMailError::TooLarge(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Ok(mail) = parse(&raw, limits) else {
        return Ok(None);
    };
    let (html, blocked_images) = match mail.html.as_deref().map(SanitizedHtml::sanitize_mail) {
        Some((html, blocked)) => (Some(html), blocked),
        None => (None, 0),
    };
    Ok(Some(Preview {
        from: mail.from.as_str().to_owned(),
        from_name: mail.from_name.as_str().to_owned(),
        to: mail
            .recipients
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        subject: mail.subject.as_str().to_owned(),
        text: mail.text.chars().take(PREVIEW_TEXT).collect(),
        html,
        blocked_images,
        attachments: mail
            .attachments
            .iter()
            .map(|a| a.filename.clone())
            .collect(),
    }))
}

#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error("no mail {0} was held that day")]
    NotFound(String),
    #[error("a mail held as {0} is not released: it is never a ticket")]
    NotReleasable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the mail could not be handed to receiving: {0}")]
    Queue(#[from] QueueError),
}

/// Releases the mail `ses_id` held on `day`, and hands it to receiving again.
/// Released before: handed over again all the same (receiving it twice makes one
/// ticket), so a release whose hand-over failed is finished by asking again.
/// The held mail with who released it, and whether that was this call.
pub async fn release(
    held: &dyn Quarantine,
    redelivery: &dyn Redelivery,
    day: NaiveDate,
    ses_id: &str,
    by: &AgentId,
    now: DateTime<Utc>,
) -> Result<(Quarantined, bool), ReleaseError> {
    let listed = held.quarantined(day).await?;
    let Some(item) = listed.into_iter().find(|q| q.ses_id == ses_id) else {
        return Err(ReleaseError::NotFound(ses_id.to_owned()));
    };
    if !item.reason.releasable() {
        return Err(ReleaseError::NotReleasable(reason_name(&item)));
    }
    let (item, now_released) = match held.release(day, ses_id, by, now).await? {
        Release::Released(item) => (item, true),
        Release::Already(item) => (item, false),
        Release::NotFound => return Err(ReleaseError::NotFound(ses_id.to_owned())),
    };
    redelivery.redeliver(&raw_mail_key(ses_id)).await?;
    Ok((item, now_released))
}

fn reason_name(item: &Quarantined) -> String {
    use super::quarantine::QuarantineReason as R;
    match &item.reason {
        R::Spam => "spam",
        R::Virus => "a virus",
        R::Unreadable(_) => "unreadable",
        R::Automatic(_) => "automatic mail",
        R::Spoofed(_) => "a forged sender",
        R::Blocked(_) => "blocked",
    }
    .to_owned()
}
