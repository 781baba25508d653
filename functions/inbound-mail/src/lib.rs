//! inbound-mail: S3 notifications of SES-stored mail, via the inbound queue. Each
//! stored mail goes through the domain's `Inbox`: a message on its ticket, a new
//! ticket with a confirmation, or a quarantine record, once.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use helpdesk_domain::catalog::cache::CachedCatalog;
use helpdesk_domain::mail::inbound::receive::{Inbox, InboxError, InboxSettings, Received};
use helpdesk_domain::mail::inbound::rules::CachedSenderRules;
use helpdesk_domain::mail::reply_token::ReplyKeys;
use helpdesk_domain::ports::AttachmentStore;
use helpdesk_domain::ports::{
    CatalogStore, Clock, IdSource, MailStore, OutboundQueue, RandomIds, RawMailStore, SystemClock,
    TicketStore,
};
use lambda_kit::Aws;
use lambda_kit::config::InboundMailConfig;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Deps {
    pub tickets: Arc<dyn TicketStore>,
    pub mail: Arc<dyn MailStore>,
    pub rules: CachedSenderRules,
    pub catalog: Arc<dyn CatalogStore>,
    pub raw_mail: Arc<dyn RawMailStore>,
    pub attachments: Arc<dyn AttachmentStore>,
    pub outbound: Arc<dyn OutboundQueue>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
    pub keys: ReplyKeys,
    pub settings: InboxSettings,
    /// Only notifications about this bucket are ours.
    pub raw_mail_bucket: String,
}

const CATALOG_CACHE_SECONDS: i64 = 60;

impl Deps {
    pub fn connect(aws: &Aws, config: &InboundMailConfig) -> Self {
        let store = aws.store(&config.store);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        Self {
            tickets: store.clone(),
            mail: store.clone(),
            rules: CachedSenderRules::new(
                store.clone(),
                clock.clone(),
                chrono::Duration::seconds(i64::from(config.sender_rules_seconds)),
            ),
            catalog: Arc::new(CachedCatalog::new(
                store,
                clock.clone(),
                chrono::Duration::seconds(CATALOG_CACHE_SECONDS),
            )),
            raw_mail: aws.raw_mail(&config.raw_mail_bucket),
            attachments: aws.attachments(&config.attachments_bucket),
            outbound: aws.outbound(&config.outbound_queue_url),
            clock,
            ids: Arc::new(RandomIds),
            keys: config.reply_keys.clone(),
            settings: InboxSettings::new(config.mail_domain.clone()),
            raw_mail_bucket: config.raw_mail_bucket.clone(),
        }
    }

    fn inbox(&self) -> Inbox<'_> {
        Inbox {
            tickets: self.tickets.as_ref(),
            mail: self.mail.as_ref(),
            rules: &self.rules,
            catalog: self.catalog.as_ref(),
            raw_mail: self.raw_mail.as_ref(),
            attachments: self.attachments.as_ref(),
            outbound: self.outbound.as_ref(),
            clock: self.clock.as_ref(),
            ids: self.ids.as_ref(),
            keys: &self.keys,
            settings: &self.settings,
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum NoticeError {
    #[error("the queue message is not an S3 notification: {0}")]
    Malformed(String),
    #[error(transparent)]
    Inbox(#[from] InboxError),
}

/// S3 writes object keys URL-encoded (`+` for space) in notifications.
fn decode_key(key: &str) -> String {
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = key
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The parts of an S3 event notification we read; the rest (which varies between
/// S3 and emulators) is ignored.
#[derive(serde::Deserialize)]
struct Notification {
    #[serde(rename = "Records", default)]
    records: Vec<NotificationRecord>,
}

#[derive(serde::Deserialize)]
struct NotificationRecord {
    s3: S3Entity,
}

#[derive(serde::Deserialize)]
struct S3Entity {
    bucket: Named,
    object: Keyed,
}

#[derive(serde::Deserialize)]
struct Named {
    name: String,
}

#[derive(serde::Deserialize)]
struct Keyed {
    key: String,
}

/// The raw-mail keys a notification names; S3's test event names none.
fn stored_keys(body: &str, bucket: &str) -> Result<Vec<String>, NoticeError> {
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| NoticeError::Malformed(e.to_string()))?;
    if value.get("Event").and_then(|e| e.as_str()) == Some("s3:TestEvent") {
        return Ok(vec![]);
    }
    let event: Notification =
        serde_json::from_value(value).map_err(|e| NoticeError::Malformed(e.to_string()))?;
    let mut keys = Vec::new();
    for record in event.records {
        let key = decode_key(&record.s3.object.key);
        if record.s3.bucket.name == bucket && key.starts_with("raw/") {
            keys.push(key);
        } else {
            tracing::warn!(key, "notification about another bucket or prefix ignored");
        }
    }
    Ok(keys)
}

/// What one batch did, for its metrics line.
#[derive(Default)]
struct Tally {
    received: AtomicU64,
    created: AtomicU64,
    quarantined: AtomicU64,
}

async fn one(deps: &Deps, message: SqsMessage, tally: &Tally) -> Result<(), NoticeError> {
    let keys = stored_keys(
        message.body.as_deref().unwrap_or_default(),
        &deps.raw_mail_bucket,
    )?;
    for key in keys {
        let received = deps.inbox().receive(&key).await?;
        if matches!(
            received,
            Received::Created(_) | Received::Appended(..) | Received::Quarantined(_)
        ) {
            tally.received.fetch_add(1, Ordering::Relaxed);
        }
        match received {
            Received::Created(t) => {
                tally.created.fetch_add(1, Ordering::Relaxed);
                tracing::info!(key, ticket = %t, "new ticket from mail")
            }
            Received::Appended(t, by) => {
                tracing::info!(key, ticket = %t, threaded_by = ?by, "mail added to ticket")
            }
            Received::Quarantined(why) => {
                tally.quarantined.fetch_add(1, Ordering::Relaxed);
                tracing::info!(key, reason = ?why, "mail quarantined")
            }
            Received::AlreadyHandled => tracing::info!(key, "mail handled before"),
            Received::Gone => tracing::warn!(key, "mail no longer stored"),
            Received::Probe => tracing::info!(key, "channel self-test probe arrived"),
        }
    }
    Ok(())
}

pub async fn handle(deps: &Deps, event: SqsEvent) -> SqsBatchResponse {
    let tally = Tally::default();
    let response = lambda_kit::sqs::each_message(event, |message| one(deps, message, &tally)).await;
    let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
    lambda_kit::metrics::emit(&[
        ("MailsReceived", n(&tally.received)),
        ("TicketsCreated", n(&tally.created)),
        ("MailsQuarantined", n(&tally.quarantined)),
    ]);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_url_decoded() {
        assert_eq!(decode_key("raw/a+b%2Bc%zz"), "raw/a b+c%zz");
    }
}
#[cfg(test)]
mod corpus_tests;
