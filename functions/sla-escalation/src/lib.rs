//! sla-escalation: run by the schedule every 5 minutes (the local runner ticks
//! it). One run takes the SLA steps that are due; see `helpdesk_domain::escalation`.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Duration, Utc};
use helpdesk_domain::catalog_cache::CachedCatalog;
use helpdesk_domain::escalation::{RunReport, SlaRun};
use helpdesk_domain::ports::{
    CatalogStore, Clock, IdSource, OutboundQueue, RandomIds, SystemClock, TicketStore,
};
use helpdesk_domain::store::StoreError;
use lambda_kit::Aws;
use lambda_kit::config::SlaEscalationConfig;
use std::sync::Arc;

pub struct Deps {
    pub tickets: Arc<dyn TicketStore>,
    pub catalog: Arc<dyn CatalogStore>,
    pub outbound: Arc<dyn OutboundQueue>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
}

/// How long a warm function trusts its copy of the categories, policies and agents.
const CATALOG_CACHE_SECONDS: i64 = 60;
/// Tickets one run handles at most; the next run (5 minutes later) takes the rest.
pub const MAX_TICKETS_PER_RUN: usize = 500;

impl Deps {
    pub fn connect(aws: &Aws, config: &SlaEscalationConfig) -> Self {
        let store = aws.store(&config.store);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        Self {
            tickets: store.clone(),
            catalog: Arc::new(CachedCatalog::new(
                store,
                clock.clone(),
                Duration::seconds(CATALOG_CACHE_SECONDS),
            )),
            outbound: aws.outbound(&config.outbound_queue_url),
            clock,
            ids: Arc::new(RandomIds),
        }
    }

    fn run<'a>(&'a self, clock: &'a dyn Clock) -> SlaRun<'a> {
        SlaRun {
            tickets: self.tickets.as_ref(),
            catalog: self.catalog.as_ref(),
            outbound: self.outbound.as_ref(),
            clock,
            ids: self.ids.as_ref(),
            max_tickets: MAX_TICKETS_PER_RUN,
        }
    }
}

/// The run's time: when the schedule fired, or now if that is later (a retried
/// event is late). The local runner and the tests tick at a chosen time this way.
struct At(DateTime<Utc>);

impl Clock for At {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the SLA run stopped: {0}")]
pub struct RunFailed(#[from] StoreError);

impl From<RunFailed> for lambda_runtime::Diagnostic {
    fn from(e: RunFailed) -> Self {
        lambda_runtime::Diagnostic {
            error_type: "RunFailed".into(),
            error_message: e.to_string(),
        }
    }
}

/// A failed run is reported to the schedule (and the next run tries again): the
/// steps it stored stay done, the rest are still due.
pub async fn handle(deps: &Deps, tick: EventBridgeEvent) -> Result<RunReport, RunFailed> {
    let now = deps.clock.now();
    let at = At(tick.time.map_or(now, |t| t.max(now)));
    let report = deps.run(&at).run().await?;
    tracing::info!(?report, "SLA run");
    Ok(report)
}

#[cfg(test)]
mod tests;
