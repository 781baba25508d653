//! submit-form: the public API (`/api/*` except `/api/agent/*`): health,
//! categories, ticket intake, and the tracking page's read, reply and confirm.
//! FAQ search, re-requesting tracking links and presigned attachment uploads.

mod attachments;
mod categories;
mod faq;
pub mod openapi;
mod tickets;
mod tracking;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use chrono::Duration;
use helpdesk_domain::catalog::cache::CachedCatalog;
use helpdesk_domain::customers::limits::IntakePolicy;
use helpdesk_domain::ports::AttachmentStore;
use helpdesk_domain::ports::{
    CatalogStore, Clock, HealthProbe, IdSource, OutboundQueue, RandomIds, SystemClock, TicketStore,
};
use lambda_kit::Aws;
use lambda_kit::client::ClientAddress;
use lambda_kit::config::SubmitFormConfig;
use lambda_kit::http::ApiError;
use std::sync::Arc;

pub struct Deps {
    pub tickets: Arc<dyn TicketStore>,
    pub attachments: Arc<dyn AttachmentStore>,
    pub catalog: Arc<dyn CatalogStore>,
    pub outbound: Arc<dyn OutboundQueue>,
    pub health: Arc<dyn HealthProbe>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
    pub policy: IntakePolicy,
    /// Where the visitor's address is read from (behind CloudFront: its header).
    pub client_address: ClientAddress,
}

/// How long a warm function trusts its copy of the categories.
const CATEGORY_CACHE: i64 = 60;

impl Deps {
    pub fn connect(aws: &Aws, config: &SubmitFormConfig) -> Self {
        let store = aws.store(&config.store);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        Self {
            tickets: store.clone(),
            attachments: aws.attachments(&config.attachments_bucket),
            catalog: Arc::new(CachedCatalog::new(
                store,
                clock.clone(),
                Duration::seconds(CATEGORY_CACHE),
            )),
            outbound: aws.outbound(&config.outbound_queue_url),
            health: aws.function_health(
                &config.store,
                &config.outbound_queue_url,
                vec![config.attachments_bucket.clone()],
                vec![],
                clock.clone(),
            ),
            clock,
            ids: Arc::new(RandomIds),
            policy: IntakePolicy {
                token_ttl: Duration::days(i64::from(config.tracking_link_days.max(1))),
                ..IntakePolicy::default()
            },
            client_address: config.client_address.clone(),
        }
    }
}

/// Every public route. The router is built from this list, and a test holds the
/// SAM template's HTTP API events to it in both directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Health,
    Categories,
    Faq,
    FaqRead,
    FaqPage,
    FaqVote,
    Attachments,
    CreateTicket,
    ShowTicket,
    Reply,
    Resolution,
    Rating,
    TrackingLinks,
}

impl Route {
    pub const ALL: [Route; 13] = [
        Route::Health,
        Route::Categories,
        Route::Faq,
        Route::FaqRead,
        Route::FaqPage,
        Route::FaqVote,
        Route::Attachments,
        Route::CreateTicket,
        Route::ShowTicket,
        Route::Reply,
        Route::Resolution,
        Route::Rating,
        Route::TrackingLinks,
    ];

    /// Method and path, as API Gateway declares them.
    pub fn method_and_path(self) -> (&'static str, &'static str) {
        match self {
            Route::Health => ("GET", "/api/health"),
            Route::Categories => ("GET", "/api/categories"),
            Route::Faq => ("GET", "/api/faq"),
            Route::FaqRead => ("POST", "/api/faq/reads"),
            Route::FaqPage => ("GET", "/api/faq/{category}/{id}"),
            Route::FaqVote => ("POST", "/api/faq/{category}/{id}/vote"),
            Route::Attachments => ("POST", "/api/attachments"),
            Route::CreateTicket => ("POST", "/api/tickets"),
            Route::ShowTicket => ("GET", "/api/tickets/{reference}"),
            Route::Reply => ("POST", "/api/tickets/{reference}/replies"),
            Route::Resolution => ("POST", "/api/tickets/{reference}/resolution"),
            Route::Rating => ("POST", "/api/tickets/{reference}/rating"),
            Route::TrackingLinks => ("POST", "/api/tracking-links"),
        }
    }

    fn handler(self) -> MethodRouter<Arc<Deps>> {
        match self {
            Route::Health => get(health),
            Route::Categories => get(categories::list),
            Route::Faq => get(faq::search),
            Route::FaqRead => post(faq::read),
            Route::FaqPage => get(faq::page),
            Route::FaqVote => post(faq::vote),
            Route::Attachments => post(attachments::create),
            Route::CreateTicket => post(tickets::create),
            Route::ShowTicket => get(tracking::show),
            Route::Reply => post(tracking::reply),
            Route::Resolution => post(tracking::resolution),
            Route::Rating => post(tracking::rate),
            Route::TrackingLinks => post(tracking::request_links),
        }
    }
}

pub fn router(deps: Arc<Deps>) -> Router {
    Route::ALL
        .into_iter()
        .fold(Router::new(), |router, route| {
            router.route(route.method_and_path().1, route.handler())
        })
        .fallback(|| async { ApiError::not_found() })
        .layer(axum::middleware::from_fn_with_state(deps.clone(), visitor))
        .layer(axum::middleware::from_fn(lambda_kit::http::json_errors))
        .with_state(deps)
}

/// The visitor's address, found once per request by [`visitor`].
#[derive(Debug, Clone, Copy)]
pub struct Visitor(pub std::net::IpAddr);

/// Every request first: who is asking. Behind CloudFront a request that did not
/// come through it is refused here, before any route runs.
async fn visitor(
    State(deps): State<Arc<Deps>>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let source = match request
        .extensions()
        .get::<lambda_http::request::RequestContext>()
    {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
        _ => None,
    };
    match deps
        .client_address
        .resolve(request.headers(), source.as_deref())
    {
        Ok(ip) => {
            request.extensions_mut().insert(Visitor(ip));
            next.run(request).await
        }
        Err(e) => e.into_response(),
    }
}

/// The language the visitor reads: the page sends its choice as
/// `Accept-Language` (the browser's own otherwise); English when it names
/// neither of ours.
#[derive(Debug, Clone, Copy)]
pub struct Reader(pub helpdesk_domain::i18n::Language);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Reader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Reader(reader_language(&parts.headers)))
    }
}

/// The header's first 256 characters are read; the rest is ignored.
pub(crate) fn accept_language(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(256)
        .collect()
}

pub(crate) fn reader_language(headers: &axum::http::HeaderMap) -> helpdesk_domain::i18n::Language {
    helpdesk_domain::i18n::Language::preferred(&accept_language(headers)).unwrap_or_default()
}

/// The address [`visitor`] found, as limits key it.
pub(crate) fn client_ip(request: &axum::extract::Request) -> Result<String, ApiError> {
    request
        .extensions()
        .get::<Visitor>()
        .map(|v| v.0.to_string())
        .ok_or_else(ApiError::internal)
}

/// 200 `{"status": "ok"}` when every dependency answers, 503 `{"status":
/// "degraded"}` when one does not. Which one, and why, is for agents only
/// (`GET /api/agent/health`): a visitor learns nothing of our tables or queues.
async fn health(State(deps): State<Arc<Deps>>) -> Response {
    let ok = deps.health.check().await.iter().all(|c| c.ok);
    let (status, word) = if ok {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "degraded")
    };
    (status, Json(serde_json::json!({ "status": word }))).into_response()
}

#[cfg(test)]
mod tests;
