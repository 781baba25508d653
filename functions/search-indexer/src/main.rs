use aws_lambda_events::event::dynamodb::Event;
use lambda_kit::{Aws, config::SearchIndexerConfig};
use lambda_runtime::{LambdaEvent, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_kit::Error> {
    lambda_kit::init_tracing();
    let config = SearchIndexerConfig::from_env()?;
    let deps = Arc::new(search_indexer::Deps::connect(&Aws::load().await, &config));
    lambda_runtime::run(service_fn(|e: LambdaEvent<Event>| {
        let deps = deps.clone();
        async move { Ok::<_, lambda_kit::Error>(search_indexer::handle(&deps, e.payload).await) }
    }))
    .await
}
