use lambda_kit::{Aws, config::AgentApiConfig};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_kit::Error> {
    lambda_kit::init_tracing();
    let config = AgentApiConfig::from_env()?;
    let deps = agent_api::Deps::connect(&Aws::load().await, &config);
    lambda_http::run(agent_api::router(Arc::new(deps))).await
}
