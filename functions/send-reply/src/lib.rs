//! send-reply: the outbound queue → SES v2. Until the mail issue lands every job is
//! reported failed ("not implemented"): it stays queued and ends in the DLQ, and no
//! mail is pretended sent.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use helpdesk_domain::EmailAddress;
use helpdesk_domain::ports::{Clock, IdSource, Mailer, RandomIds, SystemClock, TicketStore};
use lambda_kit::config::SendReplyConfig;
use lambda_kit::{Aws, NotImplemented};
use std::sync::Arc;

pub struct Deps {
    pub tickets: Arc<dyn TicketStore>,
    pub mailer: Arc<dyn Mailer>,
    pub from: EmailAddress,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
}

impl Deps {
    pub fn connect(aws: &Aws, config: &SendReplyConfig) -> Self {
        Self {
            tickets: aws.store(&config.store),
            mailer: aws.mailer(config.configuration_set.clone()),
            from: config.mail_from.clone(),
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
        }
    }
}

pub async fn handle(_deps: &Deps, event: SqsEvent) -> SqsBatchResponse {
    lambda_kit::sqs::each_message(event, |_message| async {
        Err(NotImplemented { what: "send-reply" })
    })
    .await
}
