use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_kit::{Aws, config::SlaEscalationConfig};
use lambda_runtime::{LambdaEvent, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_kit::Error> {
    lambda_kit::init_tracing();
    let config = SlaEscalationConfig::from_env()?;
    let deps = Arc::new(sla_escalation::Deps::connect(&Aws::load().await, &config));
    lambda_runtime::run(service_fn(|e: LambdaEvent<EventBridgeEvent>| {
        let deps = deps.clone();
        async move { sla_escalation::handle(&deps, e.payload).await }
    }))
    .await
}
