//! sla-escalation: run by the schedule every 5 minutes (the local runner ticks
//! it). One run takes the SLA steps that are due (`helpdesk_domain::sla::escalation`),
//! puts mail whose queue message was lost back on the queue
//! (`helpdesk_domain::mail::outbound::resend::resend_unsent`) and looks after the channel
//! self-test (`helpdesk_domain::ops::selftest`), and mails the agents' alert
//! digests that are due (`helpdesk_domain::agents::alerts`).

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Duration, Utc};
use helpdesk_aws::web_probe::HttpWebProbe;
use helpdesk_domain::agents::alerts::{AlertDigests, DigestReport};
use helpdesk_domain::catalog::cache::CachedCatalog;
use helpdesk_domain::customers::data::{CustomerData, DataError};
use helpdesk_domain::mail::outbound::resend::{Resent, resend_unsent};
use helpdesk_domain::ops::selftest::{SelfTest, SelfTestReport, SelfTestSettings};
use helpdesk_domain::ports::WebProbe;
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::ports::{
    AttachmentStore, CatalogStore, Clock, DataStore, IdSource, Mailer, OutboundQueue, RandomIds,
    RawMailStore, SystemClock, TicketStore,
};
use helpdesk_domain::sla::escalation::{RunReport, SlaRun, Stop};
use lambda_kit::Aws;
use lambda_kit::config::{SelfTestConfig, SlaEscalationConfig};
use std::sync::Arc;

pub struct Deps {
    pub tickets: Arc<dyn TicketStore>,
    pub catalog: Arc<dyn CatalogStore>,
    /// The catalog past the cache: the alert digests read the agents' choices
    /// once a tick, as they are now (an agent may have switched to a digest a
    /// moment ago).
    pub catalog_now: Arc<dyn CatalogStore>,
    pub outbound: Arc<dyn OutboundQueue>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
    pub self_test: Option<SelfTestDeps>,
    /// Retention: the store's customer data, and the buckets of files and raw mail.
    pub data: Arc<dyn DataStore>,
    pub attachments: Arc<dyn AttachmentStore>,
    pub raw_mail: Arc<dyn RawMailStore>,
}

/// What the self-test sends probes with.
pub struct SelfTestDeps {
    pub mailer: Arc<dyn Mailer>,
    pub web: Arc<dyn WebProbe>,
    pub settings: SelfTestSettings,
}

/// How long a warm function trusts its copy of the categories, policies and agents.
const CATALOG_CACHE_SECONDS: i64 = 60;
/// Tickets one run handles at most; the next run (5 minutes later) takes the rest.
pub const MAX_TICKETS_PER_RUN: usize = 20_000;
/// Tickets handled at once: each visit is a few DynamoDB calls waiting on the
/// network, so a run's time is about its visits over this.
pub const RUN_CONCURRENCY: usize = 16;
/// The run takes no new ticket after this long: the function's timeout (120 s in
/// infra/template.yaml) leaves room to finish the visits under way, queue their
/// mail, sweep the outbox and run the self-test.
pub const RUN_SECONDS: i64 = 80;

impl Deps {
    pub fn connect(aws: &Aws, config: &SlaEscalationConfig) -> Self {
        let store = aws.store(&config.store);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        Self {
            tickets: store.clone(),
            data: store.clone(),
            attachments: aws.attachments(&config.attachments_bucket),
            raw_mail: aws.raw_mail(&config.raw_mail_bucket),
            catalog_now: store.clone(),
            catalog: Arc::new(CachedCatalog::new(
                store,
                clock.clone(),
                Duration::seconds(CATALOG_CACHE_SECONDS),
            )),
            outbound: aws.outbound(&config.outbound_queue_url),
            clock,
            ids: Arc::new(RandomIds),
            self_test: config.self_test.as_ref().map(|c| self_test_deps(aws, c)),
        }
    }

    /// The run at the tick's time `clock`, stopping `RUN_SECONDS` after `started`
    /// on the real clock.
    fn run<'a>(&'a self, clock: &'a dyn Clock, started: DateTime<Utc>) -> SlaRun<'a> {
        SlaRun {
            tickets: self.tickets.as_ref(),
            catalog: self.catalog.as_ref(),
            outbound: self.outbound.as_ref(),
            clock,
            ids: self.ids.as_ref(),
            max_tickets: MAX_TICKETS_PER_RUN,
            concurrency: RUN_CONCURRENCY,
            stop: Some(Stop {
                wall: self.clock.as_ref(),
                at: started + Duration::seconds(RUN_SECONDS),
            }),
        }
    }
}

fn self_test_deps(aws: &Aws, c: &SelfTestConfig) -> SelfTestDeps {
    SelfTestDeps {
        mailer: aws.mailer(c.configuration_set.clone()),
        web: Arc::new(HttpWebProbe::new(&c.public_url)),
        settings: SelfTestSettings {
            every: Duration::minutes(i64::from(c.every_minutes)),
            deadline: Duration::minutes(i64::from(c.deadline_minutes)),
            from: c.mail_from.clone(),
        },
    }
}

/// What one tick did: the SLA steps, and the self-test's part.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TickReport {
    #[serde(flatten)]
    pub sla: RunReport,
    /// Mail whose queue message was lost, put back on the queue.
    pub unsent_mail: Resent,
    pub self_test: SelfTestReport,
    /// Agents' alert digests that came due.
    pub alert_digests: DigestReport,
    /// Closed tickets past their category's retention, erased.
    pub purged: u32,
}

/// How long an outbox item may stay queued before its message counts as lost
/// (send-reply takes a message within seconds).
const UNSENT_GRACE_MINUTES: i64 = 10;
const UNSENT_PER_RUN: u16 = 100;

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
pub async fn handle(deps: &Deps, tick: EventBridgeEvent) -> Result<TickReport, RunFailed> {
    let now = deps.clock.now();
    let at = At(tick.time.map_or(now, |t| t.max(now)));
    let sla = deps.run(&at, now).run().await?;
    let unsent_mail = resend_unsent(
        deps.tickets.as_ref(),
        deps.outbound.as_ref(),
        at.0,
        Duration::minutes(UNSENT_GRACE_MINUTES),
        UNSENT_PER_RUN,
    )
    .await?;
    // The self-test never stops the SLA run: a failure is logged and retried next tick.
    let self_test = match &deps.self_test {
        None => SelfTestReport::default(),
        Some(st) => {
            let test = SelfTest {
                probes: deps.tickets.as_ref(),
                categories: deps.catalog.as_ref(),
                mailer: st.mailer.as_ref(),
                web: st.web.as_ref(),
                clock: &at,
                ids: deps.ids.as_ref(),
                settings: &st.settings,
            };
            test.run().await.unwrap_or_else(|e| {
                tracing::error!(error = %e, "channel self-test could not run");
                SelfTestReport::default()
            })
        }
    };
    // Nor do the agents' alert digests: what is not sent waits for the next tick.
    let alert_digests = AlertDigests {
        tickets: deps.tickets.as_ref(),
        catalog: deps.catalog_now.as_ref(),
        outbound: deps.outbound.as_ref(),
        clock: &at,
    }
    .run()
    .await
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "alert digests could not run");
        DigestReport::default()
    });
    // Nor does retention: what is not purged now is purged by a later tick.
    let purged = purge(deps, at.0).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "retention could not run");
        0
    });
    let report = TickReport {
        sla,
        unsent_mail,
        self_test,
        alert_digests,
        purged,
    };
    tracing::info!(?report, "SLA run");
    lambda_kit::metrics::emit(&[
        ("SlaWarnings", u64::from(report.sla.warned)),
        ("SlaBreaches", u64::from(report.sla.breached)),
        ("SlaEscalations", u64::from(report.sla.escalated)),
    ]);
    Ok(report)
}

/// Erases closed tickets past their category's retention, a bounded batch a tick.
async fn purge(deps: &Deps, at: DateTime<Utc>) -> Result<u32, DataError> {
    let categories = deps.catalog.categories().await?;
    CustomerData::new(
        deps.data.as_ref(),
        deps.attachments.as_ref(),
        deps.raw_mail.as_ref(),
    )
    .purge_expired(&categories, at)
    .await
}

#[cfg(test)]
mod tests;
