//! send-reply: the outbound queue → SES v2. Each queue message is one job; the
//! domain's `Postman` makes it at most one mail (README.md, "Mail": "What is guaranteed"). A job that can
//! never be sent is reported failed on every receive, so it ends in the DLQ. SES's
//! bounce and complaint events arrive on the same queue (through SNS) and fill the
//! do-not-email list.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::Duration;
use helpdesk_domain::catalog::cache::CachedCatalog;
use helpdesk_domain::mail::outbound::feedback::{self, FeedbackDesk};
use helpdesk_domain::mail::outbound::job::OutboundJob;
use helpdesk_domain::mail::outbound::render::Brand;
use helpdesk_domain::mail::outbound::send::{Delivery, DeliveryError, MailSettings, Postman};
use helpdesk_domain::mail::reply_token::ReplyKeys;
use helpdesk_domain::ports::{
    CatalogStore, Clock, IdSource, MailStore, Mailer, RandomIds, SystemClock, TicketStore,
};
use lambda_kit::Aws;
use lambda_kit::config::SendReplyConfig;
use std::sync::Arc;

pub struct Deps {
    pub tickets: Arc<dyn TicketStore>,
    pub mail: Arc<dyn MailStore>,
    pub catalog: Arc<dyn CatalogStore>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
    pub keys: ReplyKeys,
    pub settings: MailSettings,
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
            mailer: aws.mailer(config.configuration_set.clone()),
            clock,
            ids: Arc::new(RandomIds),
            keys: config.reply_keys.clone(),
            settings: settings(config),
        }
    }

    fn postman(&self) -> Postman<'_> {
        Postman {
            tickets: self.tickets.as_ref(),
            mail: self.mail.as_ref(),
            catalog: self.catalog.as_ref(),
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

async fn one(deps: &Deps, message: SqsMessage) -> Result<(), JobError> {
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
    match deps.postman().deliver(&job).await? {
        Delivery::Sent { provider_id } => {
            tracing::info!(outbox = job.outbox_id.as_str(), kind = ?job.kind, provider_id, "mail sent");
        }
        Delivery::AlreadySent => {
            tracing::info!(
                outbox = job.outbox_id.as_str(),
                "sent before; nothing to do"
            );
        }
        Delivery::Skipped(reason) => {
            tracing::info!(outbox = job.outbox_id.as_str(), reason, "not sent");
        }
    }
    Ok(())
}

pub async fn handle(deps: &Deps, event: SqsEvent) -> SqsBatchResponse {
    lambda_kit::sqs::each_message(event, |message| one(deps, message)).await
}

#[cfg(test)]
mod mail_tests;
