//! send-reply: the outbound queue → SES v2. Each queue message is one job; the
//! domain's `Postman` makes it at most one mail (README.md, "Mail": "What is guaranteed"). A job that can
//! never be sent is reported failed on every receive, so it ends in the DLQ. SES's
//! bounce and complaint events arrive on the same queue (through SNS) and fill the
//! do-not-email list.
//!
//! Throttling is not a failure: each instance sends at most
//! `HELPDESK_SEND_RATE_PER_SECOND` mails a second, and a job SES throttles anyway
//! goes back on the queue as a new message after its backoff (the rest of the
//! batch with it), so however long SES slows us down, no job reaches the DLQ.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::Duration;
use helpdesk_domain::catalog::cache::CachedCatalog;
use helpdesk_domain::mail::outbound::feedback::{self, FeedbackDesk};
use helpdesk_domain::mail::outbound::job::OutboundJob;
use helpdesk_domain::mail::outbound::render::Brand;
use helpdesk_domain::mail::outbound::send::{
    Backoff, Delivery, DeliveryError, MailSettings, Postman,
};
use helpdesk_domain::mail::reply_token::ReplyKeys;
use helpdesk_domain::ports::{
    CatalogStore, Clock, IdSource, MailStore, Mailer, OutboundQueue, RandomIds, SystemClock,
    TicketStore,
};
use lambda_kit::Aws;
use lambda_kit::config::SendReplyConfig;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub struct Deps {
    pub tickets: Arc<dyn TicketStore>,
    pub mail: Arc<dyn MailStore>,
    pub catalog: Arc<dyn CatalogStore>,
    /// The files agents attach to replies.
    pub attachments: Arc<dyn helpdesk_domain::ports::AttachmentStore>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
    pub keys: ReplyKeys,
    pub settings: MailSettings,
    /// Where a throttled job waits its turn: the queue it came from.
    pub outbound: Arc<dyn OutboundQueue>,
    pub backoff: Backoff,
}

/// How long a warm function trusts its copy of the categories and policies.
const CATALOG_CACHE_SECONDS: i64 = 60;

impl Deps {
    pub fn connect(aws: &Aws, config: &SendReplyConfig) -> Self {
        let store = aws.store(&config.store);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        Self {
            tickets: store.clone(),
            mail: store.clone(),
            catalog: Arc::new(CachedCatalog::new(
                store,
                clock.clone(),
                Duration::seconds(CATALOG_CACHE_SECONDS),
            )),
            attachments: aws.attachments(&config.attachments_bucket),
            mailer: Arc::new(lambda_kit::pace::PacedMailer::new(
                aws.mailer(config.configuration_set.clone()),
                config.send_rate_per_second,
            )),
            clock,
            ids: Arc::new(RandomIds),
            keys: config.reply_keys.clone(),
            settings: settings(config),
            outbound: aws.outbound(&config.outbound_queue_url),
            backoff: Backoff::default(),
        }
    }

    fn postman(&self) -> Postman<'_> {
        Postman {
            tickets: self.tickets.as_ref(),
            mail: self.mail.as_ref(),
            catalog: self.catalog.as_ref(),
            attachments: self.attachments.as_ref(),
            mailer: self.mailer.as_ref(),
            clock: self.clock.as_ref(),
            ids: self.ids.as_ref(),
            keys: &self.keys,
            settings: &self.settings,
        }
    }
}

pub fn settings(config: &SendReplyConfig) -> MailSettings {
    let brand = Brand {
        name: config.brand_name.clone(),
        help_url: config.help_url.clone(),
    };
    MailSettings {
        link_ttl: Duration::days(i64::from(config.tracking_link_days.max(1))),
        auto_cap: (
            config.auto_mail_cap,
            Duration::minutes(i64::from(config.auto_mail_window_minutes.max(1))),
        ),
        ..MailSettings::new(config.mail_from.clone(), brand)
    }
}

#[derive(Debug, thiserror::Error)]
enum JobError {
    #[error("the queue message is not an outbound job: {0}")]
    Malformed(String),
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
}

/// What one batch did, for its metrics line.
#[derive(Default)]
struct Tally {
    sent: AtomicU64,
    failed: AtomicU64,
    throttled: AtomicU64,
}

async fn one(
    deps: &Deps,
    message: SqsMessage,
    slowed: &AtomicBool,
    tally: &Tally,
) -> Result<(), JobError> {
    let body = message.body.as_deref().unwrap_or_default();
    // SES bounce and complaint events reach this queue through SNS.
    if let Some(feedback) = feedback::parse(body) {
        let feedback = feedback.map_err(JobError::Malformed)?;
        tracing::info!(?feedback, "SES feedback");
        let desk = FeedbackDesk {
            mail: deps.mail.as_ref(),
            tickets: deps.tickets.as_ref(),
            clock: deps.clock.as_ref(),
            domain: deps.settings.domain(),
        };
        return desk
            .apply(&feedback)
            .await
            .map_err(|e| JobError::Delivery(DeliveryError::Retry(e.to_string())));
    }
    let job = OutboundJob::parse(body).map_err(|e| JobError::Malformed(e.to_string()))?;
    // Once SES throttled this batch, the rest waits too instead of asking again
    // (without counting a throttle it never met).
    if slowed.load(Ordering::Relaxed) {
        return wait_turn(deps, job, false).await;
    }
    match deps.postman().deliver(&job).await {
        Ok(Delivery::Sent { provider_id }) => {
            tally.sent.fetch_add(1, Ordering::Relaxed);
            tracing::info!(outbox = job.outbox_id.as_str(), kind = ?job.kind, provider_id, "mail sent");
        }
        Ok(Delivery::AlreadySent) => {
            tracing::info!(
                outbox = job.outbox_id.as_str(),
                "sent before; nothing to do"
            );
        }
        Ok(Delivery::Skipped(reason)) => {
            tracing::info!(outbox = job.outbox_id.as_str(), reason, "not sent");
        }
        Err(DeliveryError::Throttled) => {
            tally.throttled.fetch_add(1, Ordering::Relaxed);
            slowed.store(true, Ordering::Relaxed);
            return wait_turn(deps, job, true).await;
        }
        Err(e) => {
            if matches!(e, DeliveryError::Permanent(_)) {
                tally.failed.fetch_add(1, Ordering::Relaxed);
            }
            return Err(e.into());
        }
    }
    Ok(())
}

/// Puts a job back as a new message after its backoff (`throttled`: SES just
/// throttled it, and the next wait doubles); this message is then done. If the
/// queue refuses, the message fails and SQS brings it back.
async fn wait_turn(deps: &Deps, mut job: OutboundJob, throttled: bool) -> Result<(), JobError> {
    if throttled {
        job.throttled = job.throttled.saturating_add(1);
    }
    let wait = deps
        .backoff
        .wait(job.throttled.max(1), rand::random::<f64>());
    tracing::info!(
        outbox = job.outbox_id.as_str(),
        throttled = job.throttled,
        wait_ms = wait.num_milliseconds(),
        "SES throttled; the job waits its turn"
    );
    deps.outbound
        .enqueue_after(&job, wait)
        .await
        .map_err(|e| JobError::Delivery(DeliveryError::Retry(e.to_string())))
}

pub async fn handle(deps: &Deps, event: SqsEvent) -> SqsBatchResponse {
    let slowed = AtomicBool::new(false);
    let tally = Tally::default();
    let response =
        lambda_kit::sqs::each_message(event, |message| one(deps, message, &slowed, &tally)).await;
    let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
    lambda_kit::metrics::emit(&[
        ("MailsSent", n(&tally.sent)),
        ("MailsFailed", n(&tally.failed)),
        ("MailsThrottled", n(&tally.throttled)),
    ]);
    response
}

#[cfg(test)]
mod alert_tests;
#[cfg(test)]
mod mail_tests;
