//! The customer's data and the audit log: an admin exports everything we hold
//! about an address as one archive, erases it, and reads who changed what.
//! Admins only; everyone else gets 403.

use crate::auth::{Authed, admins_only};
use crate::search::address;
use crate::{Deps, respond};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use helpdesk_domain::EmailAddress;
use helpdesk_domain::agents::actions::Caller;
use helpdesk_domain::agents::audit::{Actor, AuditAction, AuditCursor, AuditEntry, fingerprint};
use helpdesk_domain::customers::data::{CustomerData, DataError, Erased, ExportFrom};
use lambda_kit::http::ApiError;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// What admins alone may do here, as a refusal says it.
const ADMINS_DO: &str = "export or erase a customer's data and read the audit log";
const LOG_PAGE: u16 = 50;

fn data(deps: &Deps) -> CustomerData<'_> {
    CustomerData {
        tickets: &*deps.tickets,
        erasure: &*deps.erasure,
        notes: &*deps.tickets,
        do_not_email: &*deps.mail,
        tiers: &*deps.catalog,
        senders: &*deps.mail,
        audit: &*deps.audit,
        agents: &*deps.catalog,
        attachments: &*deps.attachments,
        raw_mail: &*deps.raw_mail,
    }
}

fn refused(e: DataError) -> ApiError {
    match e {
        DataError::Store(e) => e.into(),
        DataError::TooLarge(reason) => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", reason)
        }
        DataError::NoSuchPart(reason) => ApiError::bad_field("from", reason),
        DataError::Files(reason) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!("The file storage did not answer ({reason}); nothing was lost, try again."),
        ),
    }
}

/// Adds an entry for a change the caller made (after it was made).
pub(crate) async fn record(
    deps: &Deps,
    caller: &Caller,
    action: AuditAction,
    subject: impl Into<String>,
    detail: impl Into<String>,
) -> Result<(), ApiError> {
    let entry = AuditEntry::new(
        deps.clock.now(),
        Actor::Agent(caller.id().clone()),
        action,
        subject,
        detail,
    );
    Ok(deps.audit.record_audit(&entry).await?)
}

#[derive(Serialize, ToSchema)]
pub struct ExportJson {
    /// Downloads the ZIP; works for 10 minutes.
    url: String,
    tickets: usize,
    messages: usize,
    /// Attachments and raw mail in it.
    files: usize,
    bytes: usize,
    /// Where this part starts: how many of the address's requests and held
    /// mails the parts before it held (0: the first part).
    from: usize,
    /// Where the next part starts (ask again with `from` set to it), or null
    /// when this is the last. A part holds at most 300 requests and held
    /// mails and 50 MB of files.
    next: Option<usize>,
    /// Files larger than any archive holds (its path in the archive and its
    /// size), left out of it and listed in its customer.json.
    left_out: Vec<String>,
}

/// `POST /api/agent/customers/{email}/export[?from=N]`
pub async fn export(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let result = async {
        admins_only(&caller, ADMINS_DO)?;
        let email = address(&raw)?;
        let from = match query.get("from") {
            None => ExportFrom::START,
            Some(raw) => {
                ExportFrom::parse(raw).map_err(|reason| ApiError::bad_field("from", reason))?
            }
        };
        let name = deps.ids.secret_token();
        let stored = data(&deps)
            .export_stored(
                &email,
                from,
                name.expose(),
                Actor::Agent(caller.id().clone()),
                deps.clock.now(),
            )
            .await
            .map_err(refused)?;
        Ok::<_, ApiError>(Json(ExportJson {
            url: stored.url,
            tickets: stored.tickets,
            messages: stored.messages,
            files: stored.files,
            bytes: stored.bytes,
            from: stored.from.get(),
            next: stored.next,
            left_out: stored.left_out,
        }))
    }
    .await;
    respond(result)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseInput {
    /// The address again, as a safeguard: erasing cannot be undone.
    #[schema(max_length = 254)]
    confirm: String,
}

/// `POST /api/agent/customers/{email}/erase`: up to 10 tickets a call; call
/// again until `done`.
pub async fn erase(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        admins_only(&caller, ADMINS_DO)?;
        let email = address(&raw)?;
        let input: EraseInput = crate::admin::body_as(&headers, body).await?;
        let same = EmailAddress::parse(input.confirm.trim()).is_ok_and(|c| c.key() == email.key());
        if !same {
            return Err(ApiError::bad_field(
                "confirm",
                "type the customer's address again to confirm",
            ));
        }
        let erased: Erased = data(&deps)
            .erase(&email, Actor::Agent(caller.id().clone()), deps.clock.now())
            .await
            .map_err(refused)?;
        Ok::<_, ApiError>(Json(erased))
    }
    .await;
    respond(result)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    before: Option<String>,
    customer: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryJson {
    at: DateTime<Utc>,
    /// An agent's id, or `schedule`.
    by: String,
    action: AuditAction,
    /// A category, agent or policy id, a domain, or `customer:<fingerprint>`.
    subject: String,
    detail: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditJson {
    entries: Vec<AuditEntryJson>,
    /// The next (older) page's `before`, when there is one.
    next: Option<String>,
}

/// `GET /api/agent/audit`: newest first, 50 a page.
pub async fn log(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Query(query): Query<AuditQuery>,
) -> Response {
    let result = async {
        admins_only(&caller, ADMINS_DO)?;
        let (entries, next) = match &query.customer {
            Some(raw) => {
                let email = address(raw)
                    .map_err(|_| ApiError::bad_field("customer", "must be an email address"))?;
                let mut all = deps.audit.audit_entries_about(&fingerprint(&email)).await?;
                all.reverse();
                (all, None)
            }
            None => {
                let before = query
                    .before
                    .as_deref()
                    .map(AuditCursor::parse)
                    .transpose()
                    .map_err(|reason| ApiError::bad_field("before", reason))?;
                let page = deps.audit.audit_entries(before.as_ref(), LOG_PAGE).await?;
                let next = (page.len() == usize::from(LOG_PAGE))
                    .then(|| page.last().map(|e| e.cursor().encode()))
                    .flatten();
                (page, next)
            }
        };
        Ok::<_, ApiError>(Json(AuditJson {
            entries: entries
                .into_iter()
                .map(|e| AuditEntryJson {
                    at: e.at,
                    by: match e.actor {
                        Actor::Agent(id) => id.to_string(),
                        Actor::Schedule => "schedule".into(),
                    },
                    action: e.action,
                    subject: e.subject,
                    detail: e.detail,
                })
                .collect(),
            next,
        }))
    }
    .await;
    respond(result)
}
