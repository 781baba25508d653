//! inbound-mail: S3 notifications of SES-stored mail, via the inbound queue. Until
//! the mail issue lands every message is reported failed ("not implemented"), so it
//! stays in the queue and ends in the DLQ: nothing is lost or pretended.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use helpdesk_domain::ports::{
    Clock, IdSource, OutboundQueue, RandomIds, RawMailStore, SystemClock, TicketStore,
};
use lambda_kit::config::InboundMailConfig;
use lambda_kit::{Aws, NotImplemented};
use std::sync::Arc;

pub struct Deps {
    pub tickets: Arc<dyn TicketStore>,
    pub raw_mail: Arc<dyn RawMailStore>,
    pub outbound: Arc<dyn OutboundQueue>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
}

impl Deps {
    pub fn connect(aws: &Aws, config: &InboundMailConfig) -> Self {
        Self {
            tickets: aws.store(&config.store),
            raw_mail: aws.raw_mail(&config.raw_mail_bucket),
            outbound: aws.outbound(&config.outbound_queue_url),
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
        }
    }
}

pub async fn handle(_deps: &Deps, event: SqsEvent) -> SqsBatchResponse {
    lambda_kit::sqs::each_message(event, |_message| async {
        Err(NotImplemented {
            what: "inbound-mail",
        })
    })
    .await
}
