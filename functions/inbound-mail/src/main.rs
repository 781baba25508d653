use aws_lambda_events::event::sqs::SqsEvent;
use lambda_kit::{Aws, config::InboundMailConfig};
use lambda_runtime::{LambdaEvent, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_kit::Error> {
    lambda_kit::init_tracing();
    let aws = Aws::load().await;
    let config = InboundMailConfig::load(&aws).await?;
    let deps = Arc::new(inbound_mail::Deps::connect(&aws, &config));
    lambda_runtime::run(service_fn(|e: LambdaEvent<SqsEvent>| {
        let deps = deps.clone();
        async move { Ok::<_, lambda_kit::Error>(inbound_mail::handle(&deps, e.payload).await) }
    }))
    .await
}
