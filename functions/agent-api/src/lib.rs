//! agent-api: the console's API (`/api/agent/*`). Every route knows the caller from
//! the authorizer's claims and their agent record; a ticket outside the caller's
//! categories answers 404 exactly like a missing one.

mod admin;
mod auth;
mod bulk;
mod health;
mod library;
pub mod openapi;
mod opening;
mod privacy;
mod profile;
mod queue;
mod reports;
mod review;
mod saved;
mod search;
mod tickets;
mod tiers;
mod uploads;
mod view;

pub use auth::{Identity, identity};

use axum::Router;
use axum::routing::{MethodRouter, delete, get, post, put};
use chrono::Duration;
use helpdesk_domain::catalog::cache::CachedCatalog;
use helpdesk_domain::ports::AttachmentStore;
use helpdesk_domain::ports::{
    CatalogStore, Clock, HealthProbe, IdSource, OutboundQueue, RandomIds, SystemClock, TicketStore,
};
use lambda_kit::Aws;
use lambda_kit::config::AgentApiConfig;
use lambda_kit::http::ApiError;
use std::sync::Arc;

pub struct Deps {
    pub tickets: Arc<dyn TicketStore>,
    /// Held mail and sender rules.
    pub mail: Arc<dyn helpdesk_domain::ports::MailStore>,
    /// Where a released held mail goes to be received again.
    pub redelivery: Arc<dyn helpdesk_domain::ports::Redelivery>,
    pub catalog: Arc<dyn CatalogStore>,
    pub attachments: Arc<dyn AttachmentStore>,
    pub raw_mail: Arc<dyn helpdesk_domain::ports::RawMailStore>,
    pub outbound: Arc<dyn OutboundQueue>,
    pub health: Arc<dyn HealthProbe>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
    /// The word index (its copy in this function, refreshed from S3).
    pub index: Arc<dyn helpdesk_domain::ports::WordIndex>,
    /// Erasing a customer's data, beside what the ticket's own write does.
    pub erasure: Arc<dyn helpdesk_domain::ports::Erasure>,
    pub audit: Arc<dyn helpdesk_domain::ports::AuditTrail>,
}

/// How long a warm function trusts its copy of the categories and policies.
const CATALOG_CACHE: i64 = 60;

impl Deps {
    pub fn connect(aws: &Aws, config: &AgentApiConfig) -> Self {
        let store = aws.store(&config.store);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        Self {
            tickets: store.clone(),
            mail: store.clone(),
            erasure: store.clone(),
            audit: store.clone(),
            redelivery: aws.redelivery(&config.inbound_queue_url, &config.raw_mail_bucket),
            catalog: Arc::new(CachedCatalog::new(
                store,
                clock.clone(),
                Duration::seconds(CATALOG_CACHE),
            )),
            attachments: aws.attachments(&config.attachments_bucket),
            raw_mail: aws.raw_mail(&config.raw_mail_bucket),
            outbound: aws.outbound(&config.outbound_queue_url),
            health: aws.function_health(
                &config.store,
                &config.outbound_queue_url,
                vec![
                    config.attachments_bucket.clone(),
                    config.raw_mail_bucket.clone(),
                ],
                config.dead_letter_queue_urls.clone(),
                clock.clone(),
            ),
            clock,
            ids: Arc::new(RandomIds),
            index: aws.search_reader(&config.attachments_bucket, &config.store, &config.search),
        }
    }

    fn desk(&self) -> helpdesk_domain::agents::actions::Desk<'_> {
        helpdesk_domain::agents::actions::Desk {
            tickets: &*self.tickets,
            catalog: &*self.catalog,
            outbound: &*self.outbound,
            clock: &*self.clock,
            ids: &*self.ids,
        }
    }
}

/// Every agent route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Me,
    Counts,
    Notifications,
    Tickets,
    Ticket,
    MailHtml,
    Reply,
    Note,
    Assignee,
    Status,
    Priority,
    Tier,
    Category,
    Cc,
    Tags,
    TagsInUse,
    Merge,
    Forward,
    CannedList,
    CannedCreate,
    CannedUpdate,
    CannedDelete,
    FaqList,
    FaqCreate,
    FaqUpdate,
    FaqDelete,
    AdminCategories,
    AdminCategory,
    AdminAgents,
    AdminAgent,
    AdminPolicies,
    AdminPolicy,
    Reports,
    ReportsCsv,
    HeldList,
    HeldShow,
    HeldRelease,
    SenderRuleList,
    SenderRulePut,
    SenderRuleDelete,
    Profile,
    Alerts,
    Away,
    Search,
    Bulk,
    Customer,
    CustomerNote,
    Views,
    SaveView,
    DeleteView,
    RenameTag,
    Upload,
    OpenTicket,
    TierRules,
    TierRulePut,
    TierRuleDelete,
    CustomerExport,
    CustomerErase,
    Audit,
    Health,
}

impl Route {
    pub const ALL: [Route; 60] = [
        Route::Me,
        Route::Counts,
        Route::Notifications,
        Route::Tickets,
        Route::Ticket,
        Route::MailHtml,
        Route::Reply,
        Route::Note,
        Route::Assignee,
        Route::Status,
        Route::Priority,
        Route::Tier,
        Route::Category,
        Route::Cc,
        Route::Tags,
        Route::TagsInUse,
        Route::Merge,
        Route::Forward,
        Route::CannedList,
        Route::CannedCreate,
        Route::CannedUpdate,
        Route::CannedDelete,
        Route::FaqList,
        Route::FaqCreate,
        Route::FaqUpdate,
        Route::FaqDelete,
        Route::AdminCategories,
        Route::AdminCategory,
        Route::AdminAgents,
        Route::AdminAgent,
        Route::AdminPolicies,
        Route::AdminPolicy,
        Route::Reports,
        Route::ReportsCsv,
        Route::HeldList,
        Route::HeldShow,
        Route::HeldRelease,
        Route::SenderRuleList,
        Route::SenderRulePut,
        Route::SenderRuleDelete,
        Route::Profile,
        Route::Alerts,
        Route::Away,
        Route::Search,
        Route::Bulk,
        Route::Customer,
        Route::CustomerNote,
        Route::Views,
        Route::SaveView,
        Route::DeleteView,
        Route::RenameTag,
        Route::Upload,
        Route::OpenTicket,
        Route::TierRules,
        Route::TierRulePut,
        Route::TierRuleDelete,
        Route::CustomerExport,
        Route::CustomerErase,
        Route::Audit,
        Route::Health,
    ];

    pub fn method_and_path(self) -> (&'static str, &'static str) {
        match self {
            Route::Me => ("GET", "/api/agent/me"),
            Route::Counts => ("GET", "/api/agent/counts"),
            Route::Notifications => ("GET", "/api/agent/notifications"),
            Route::Tickets => ("GET", "/api/agent/tickets"),
            Route::Ticket => ("GET", "/api/agent/tickets/{reference}"),
            Route::MailHtml => (
                "GET",
                "/api/agent/tickets/{reference}/messages/{id}/remote-images",
            ),
            Route::Reply => ("POST", "/api/agent/tickets/{reference}/replies"),
            Route::Note => ("POST", "/api/agent/tickets/{reference}/notes"),
            Route::Assignee => ("POST", "/api/agent/tickets/{reference}/assignee"),
            Route::Status => ("POST", "/api/agent/tickets/{reference}/status"),
            Route::Priority => ("POST", "/api/agent/tickets/{reference}/priority"),
            Route::Tier => ("POST", "/api/agent/tickets/{reference}/tier"),
            Route::Category => ("POST", "/api/agent/tickets/{reference}/category"),
            Route::Cc => ("POST", "/api/agent/tickets/{reference}/cc"),
            Route::Tags => ("POST", "/api/agent/tickets/{reference}/tags"),
            Route::TagsInUse => ("GET", "/api/agent/tags"),
            Route::Merge => ("POST", "/api/agent/tickets/{reference}/merge"),
            Route::Forward => ("POST", "/api/agent/tickets/{reference}/forward"),
            Route::CannedList => ("GET", "/api/agent/canned"),
            Route::CannedCreate => ("POST", "/api/agent/canned"),
            Route::CannedUpdate => ("PUT", "/api/agent/canned/{id}"),
            Route::CannedDelete => ("DELETE", "/api/agent/canned/{id}"),
            Route::FaqList => ("GET", "/api/agent/faq"),
            Route::FaqCreate => ("POST", "/api/agent/faq"),
            Route::FaqUpdate => ("PUT", "/api/agent/faq/{category}/{id}"),
            Route::FaqDelete => ("DELETE", "/api/agent/faq/{category}/{id}"),
            Route::AdminCategories => ("GET", "/api/agent/admin/categories"),
            Route::AdminCategory => ("PUT", "/api/agent/admin/categories/{id}"),
            Route::AdminAgents => ("GET", "/api/agent/admin/agents"),
            Route::AdminAgent => ("PUT", "/api/agent/admin/agents/{id}"),
            Route::AdminPolicies => ("GET", "/api/agent/admin/policies"),
            Route::AdminPolicy => ("PUT", "/api/agent/admin/policies/{id}"),
            Route::Reports => ("GET", "/api/agent/reports"),
            Route::ReportsCsv => ("GET", "/api/agent/reports/csv"),
            Route::HeldList => ("GET", "/api/agent/quarantine"),
            Route::HeldShow => ("GET", "/api/agent/quarantine/{ses_id}"),
            Route::HeldRelease => ("POST", "/api/agent/quarantine/{ses_id}/release"),
            Route::SenderRuleList => ("GET", "/api/agent/sender-rules"),
            Route::SenderRulePut => ("PUT", "/api/agent/sender-rules"),
            Route::SenderRuleDelete => ("DELETE", "/api/agent/sender-rules/{pattern}"),
            Route::Profile => ("PUT", "/api/agent/me/profile"),
            Route::Alerts => ("PUT", "/api/agent/me/alerts"),
            Route::Away => ("POST", "/api/agent/me/away"),
            Route::Search => ("GET", "/api/agent/search"),
            Route::Bulk => ("POST", "/api/agent/tickets/bulk"),
            Route::Customer => ("GET", "/api/agent/customers/{email}"),
            Route::CustomerNote => ("PUT", "/api/agent/customers/{email}/note"),
            Route::Views => ("GET", "/api/agent/views"),
            Route::SaveView => ("POST", "/api/agent/views"),
            Route::DeleteView => ("DELETE", "/api/agent/views/{id}"),
            Route::RenameTag => ("POST", "/api/agent/tags/rename"),
            Route::Upload => ("POST", "/api/agent/uploads"),
            Route::OpenTicket => ("POST", "/api/agent/tickets"),
            Route::TierRules => ("GET", "/api/agent/tiers"),
            Route::TierRulePut => ("PUT", "/api/agent/tiers"),
            Route::TierRuleDelete => ("DELETE", "/api/agent/tiers/{pattern}"),
            Route::CustomerExport => ("POST", "/api/agent/customers/{email}/export"),
            Route::CustomerErase => ("POST", "/api/agent/customers/{email}/erase"),
            Route::Audit => ("GET", "/api/agent/audit"),
            Route::Health => ("GET", "/api/agent/health"),
        }
    }

    fn handler(self) -> MethodRouter<Arc<Deps>> {
        match self {
            Route::Me => get(queue::me),
            Route::Counts => get(queue::counts),
            Route::Notifications => get(queue::notifications),
            Route::Tickets => get(queue::list),
            Route::Ticket => get(tickets::show),
            Route::MailHtml => get(tickets::with_remote_images),
            Route::Reply => post(tickets::reply),
            Route::Note => post(tickets::note),
            Route::Assignee => post(tickets::assign),
            Route::Status => post(tickets::status),
            Route::Priority => post(tickets::priority),
            Route::Tier => post(tickets::tier),
            Route::Category => post(tickets::category),
            Route::Cc => post(tickets::cc),
            Route::Tags => post(tickets::tags),
            Route::TagsInUse => get(tickets::tags_in_use),
            Route::Merge => post(tickets::merge),
            Route::Forward => post(tickets::forward),
            Route::CannedList => get(library::list_canned),
            Route::CannedCreate => post(library::create_canned),
            Route::CannedUpdate => put(library::update_canned),
            Route::CannedDelete => delete(library::delete_canned),
            Route::FaqList => get(library::list_faq),
            Route::FaqCreate => post(library::create_faq),
            Route::FaqUpdate => put(library::update_faq),
            Route::FaqDelete => delete(library::delete_faq),
            Route::AdminCategories => get(admin::categories),
            Route::AdminCategory => put(admin::put_category),
            Route::AdminAgents => get(admin::agents),
            Route::AdminAgent => put(admin::put_agent),
            Route::AdminPolicies => get(admin::policies),
            Route::AdminPolicy => put(admin::put_policy),
            Route::Reports => get(reports::report),
            Route::ReportsCsv => get(reports::csv),
            Route::HeldList => get(review::list),
            Route::HeldShow => get(review::show),
            Route::HeldRelease => post(review::release),
            Route::SenderRuleList => get(review::rules),
            Route::SenderRulePut => put(review::put_rule),
            Route::SenderRuleDelete => delete(review::delete_rule),
            Route::Profile => put(profile::put),
            Route::Alerts => put(profile::put_alerts),
            Route::Away => post(profile::away),
            Route::Search => get(search::find),
            Route::Bulk => post(bulk::apply),
            Route::Customer => get(search::customer),
            Route::CustomerNote => put(search::put_note),
            Route::Views => get(saved::list),
            Route::SaveView => post(saved::create),
            Route::DeleteView => delete(saved::remove),
            Route::RenameTag => post(saved::rename_tag),
            Route::Upload => post(uploads::create),
            Route::OpenTicket => post(opening::create),
            Route::TierRules => get(tiers::list),
            Route::TierRulePut => put(tiers::put),
            Route::TierRuleDelete => delete(tiers::delete),
            Route::CustomerExport => post(privacy::export),
            Route::CustomerErase => post(privacy::erase),
            Route::Audit => get(privacy::log),
            Route::Health => get(health::health),
        }
    }
}

/// A handler's result as a response: the value, or the one error shape.
fn respond<T: axum::response::IntoResponse>(
    result: Result<T, ApiError>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match result {
        Ok(value) => value.into_response(),
        Err(e) => e.into_response(),
    }
}

pub fn router(deps: Arc<Deps>) -> Router {
    // One method router per path: several methods may share a path.
    let mut paths: Vec<(&str, MethodRouter<Arc<Deps>>)> = Vec::new();
    for route in Route::ALL {
        let path = route.method_and_path().1;
        match paths.iter_mut().find(|(p, _)| *p == path) {
            Some((_, methods)) => *methods = std::mem::take(methods).merge(route.handler()),
            None => paths.push((path, route.handler())),
        }
    }
    paths
        .into_iter()
        .fold(Router::new(), |router, (path, methods)| {
            router.route(path, methods)
        })
        .fallback(|| async { ApiError::not_found() })
        .layer(axum::middleware::from_fn(lambda_kit::http::json_errors))
        .with_state(deps)
}

#[cfg(test)]
mod tests;
