use aws_lambda_events::event::sqs::SqsEvent;
use lambda_kit::{Aws, config::SendReplyConfig};
use lambda_runtime::{LambdaEvent, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_kit::Error> {
    lambda_kit::init_tracing();
    let aws = Aws::load().await;
    let config = SendReplyConfig::load(&aws).await?;
    let deps = Arc::new(send_reply::Deps::connect(&aws, &config));
    lambda_runtime::run(service_fn(|e: LambdaEvent<SqsEvent>| {
        let deps = deps.clone();
        async move { Ok::<_, lambda_kit::Error>(send_reply::handle(&deps, e.payload).await) }
    }))
    .await
}
