use lambda_kit::{Aws, config::SubmitFormConfig};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_kit::Error> {
    lambda_kit::init_tracing();
    let config = SubmitFormConfig::from_env()?;
    let deps = submit_form::Deps::connect(&Aws::load().await, &config);
    lambda_http::run(submit_form::router(Arc::new(deps))).await
}
