//! agent-api: the console's API (`/api/agent/*`). Every route answers 501 until the
//! agent-workspace issue lands.

use axum::Router;
use helpdesk_domain::ports::{
    CatalogStore, Clock, IdSource, OutboundQueue, RandomIds, SystemClock, TicketStore,
};
use lambda_kit::Aws;
use lambda_kit::config::AgentApiConfig;
use lambda_kit::http::ApiError;
use std::sync::Arc;

pub struct Deps {
    pub tickets: Arc<dyn TicketStore>,
    pub catalog: Arc<dyn CatalogStore>,
    pub outbound: Arc<dyn OutboundQueue>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
}

impl Deps {
    pub fn connect(aws: &Aws, config: &AgentApiConfig) -> Self {
        let store = aws.store(&config.store);
        Self {
            tickets: store.clone(),
            catalog: store,
            outbound: aws.outbound(&config.outbound_queue_url),
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
        }
    }
}

pub fn router(deps: Arc<Deps>) -> Router {
    Router::new()
        .fallback(|| async { ApiError::not_implemented("The agent API") })
        .with_state(deps)
}
