//! Plays the EventBridge schedule that runs sla-escalation every 5 minutes.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;

/// The event EventBridge sends for a scheduled rule.
pub fn scheduled_event(at: DateTime<Utc>) -> Result<EventBridgeEvent, serde_json::Error> {
    serde_json::from_value(serde_json::json!({
        "version": "0",
        "id": format!("local-{}", at.timestamp_millis()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        // EventBridge sends whole seconds; `?at=` may be finer, and the run keeps it.
        "time": at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:000000000000:rule/helpdesk-sla-escalation"],
        "detail": {}
    }))
}

/// One run as if the schedule fired at `at`; the error text is what the function reported.
pub async fn tick(
    deps: &sla_escalation::Deps,
    at: DateTime<Utc>,
) -> Result<sla_escalation::TickReport, String> {
    let event = scheduled_event(at).map_err(|e| e.to_string())?;
    sla_escalation::handle(deps, event)
        .await
        .map_err(|e| e.to_string())
}

pub async fn tick_forever(deps: Arc<sla_escalation::Deps>, every: Duration) {
    let mut interval = tokio::time::interval(every.max(Duration::from_secs(1)));
    interval.tick().await;
    loop {
        interval.tick().await;
        match tick(&deps, Utc::now()).await {
            Ok(report) => tracing::debug!(?report, "sla-escalation run finished"),
            Err(e) => tracing::warn!(error = %e, "sla-escalation run failed"),
        }
    }
}
