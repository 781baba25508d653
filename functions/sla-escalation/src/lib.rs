//! sla-escalation: run by the schedule every 5 minutes. Until the SLA issue lands a
//! run fails with "not implemented", so the schedule's failures show it.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use helpdesk_domain::ports::{Clock, IdSource, OutboundQueue, RandomIds, SystemClock, TicketStore};
use lambda_kit::config::SlaEscalationConfig;
use lambda_kit::{Aws, NotImplemented};
use std::sync::Arc;

pub struct Deps {
    pub tickets: Arc<dyn TicketStore>,
    pub outbound: Arc<dyn OutboundQueue>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
}

impl Deps {
    pub fn connect(aws: &Aws, config: &SlaEscalationConfig) -> Self {
        Self {
            tickets: aws.store(&config.store),
            outbound: aws.outbound(&config.outbound_queue_url),
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
        }
    }
}

pub async fn handle(_deps: &Deps, _tick: EventBridgeEvent) -> Result<(), NotImplemented> {
    Err(NotImplemented {
        what: "sla-escalation",
    })
}
