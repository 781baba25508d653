//! Supervisors and admins reviewing held mail: a safe look at one, and releasing
//! it into a ticket (it goes through receiving again, where its release counts).

use super::parse::{MailLimits, parse, raw_mail_key};
use super::quarantine::{HeldPosition, Quarantined, Release};
use crate::ports::store::StoreError;
use crate::ports::{Quarantine, QueueError, RawMailError, RawMailStore, Redelivery};
use crate::tickets::message::SanitizedHtml;
use crate::values::ids::AgentId;
use chrono::{DateTime, Duration, Utc};

/// At most this much of a held mail's text is shown.
const PREVIEW_TEXT: usize = 20_000;

/// What a held mail says, safe to show: text clipped, HTML sanitized with remote
/// images removed (nothing is fetched when it is looked at) and links inert,
/// attachments only named.
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
    let (html, blocked_images) = match mail.html.as_deref().map(SanitizedHtml::sanitize_held) {
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

/// One page of the mail held over the last `days` days (today included),
/// newest first, without expired records; and where the next page starts.
pub async fn held_mail(
    held: &dyn Quarantine,
    now: DateTime<Utc>,
    days: i64,
    before: Option<&HeldPosition>,
    limit: usize,
) -> Result<(Vec<Quarantined>, Option<HeldPosition>), StoreError> {
    let today = now.date_naive();
    let oldest = today - Duration::days(days.max(1) - 1);
    let mut day = before
        .map_or(today, |b| b.received_at.date_naive())
        .min(today);
    let mut after = before.cloned();
    let mut page = Vec::new();
    // One more than asked tells whether there is a next page.
    while day >= oldest && page.len() <= limit {
        let want = limit + 1 - page.len();
        let found = held.quarantined(day, after.as_ref(), want).await?;
        let short = found.len() < want;
        after = found.last().map(Quarantined::position);
        page.extend(found.into_iter().filter(|q| !q.expired(now)));
        if short {
            day -= Duration::days(1);
            after = None;
        }
    }
    let next = (page.len() > limit).then(|| {
        page.truncate(limit);
        page.last().map(Quarantined::position)
    });
    Ok((page, next.flatten()))
}

/// The held mail `ses_id`, unless it expired.
pub async fn find(
    held: &dyn Quarantine,
    ses_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<Quarantined>, StoreError> {
    Ok(held.held(ses_id).await?.filter(|q| !q.expired(now)))
}

#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error("no mail {0} is held")]
    NotFound(String),
    #[error("a mail held as {0} is not released: it is never a ticket")]
    NotReleasable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the mail could not be handed to receiving: {0}")]
    Queue(#[from] QueueError),
}

/// Releases the held mail `ses_id`, and hands it to receiving again.
/// Released before: handed over again all the same (receiving it twice makes one
/// ticket), so a release whose hand-over failed is finished by asking again.
/// The held mail with who released it, and whether that was this call.
pub async fn release(
    held: &dyn Quarantine,
    redelivery: &dyn Redelivery,
    ses_id: &str,
    by: &AgentId,
    now: DateTime<Utc>,
) -> Result<(Quarantined, bool), ReleaseError> {
    let Some(item) = find(held, ses_id, now).await? else {
        return Err(ReleaseError::NotFound(ses_id.to_owned()));
    };
    if !item.reason.releasable() {
        return Err(ReleaseError::NotReleasable(reason_name(&item)));
    }
    let (item, now_released) = match held.release(ses_id, by, now).await? {
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
