//! `POST /api/tickets` (intake) and `GET /api/tickets/{ref}` (tracking).

use crate::Deps;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use helpdesk_domain::intake::{
    IdempotencyKey, Intake, IntakeError, Outcome, Receipt, SubmissionInput, fingerprint,
};
use helpdesk_domain::store::StoreError;
use helpdesk_domain::token::SecretToken;
use helpdesk_domain::{Author, MessageKind, Status, TicketRef};
use lambda_kit::http::{ApiError, Fields, json_object};
use serde::Serialize;
use std::sync::Arc;

/// The documented limit of a submission body.
pub const MAX_SUBMISSION_BYTES: usize = 64 * 1024;

const FIELDS: [&str; 8] = [
    "category",
    "name",
    "email",
    "subject",
    "description",
    "details",
    "website",
    "elapsed_ms",
];

/// The header the tracking page sends the secret in (never the URL's query, so it
/// stays out of logs).
pub const TOKEN_HEADER: &str = "x-tracking-token";

#[derive(Serialize)]
struct Created {
    reference: String,
    status: &'static str,
    tracking_token: String,
    /// Ticket in the query, secret in the fragment: browsers never send fragments.
    tracking_url: String,
    created_at: DateTime<Utc>,
}

fn receipt_body(r: Receipt) -> Created {
    Created {
        reference: r.reference.display(),
        status: Status::New.customer_label(),
        tracking_url: format!(
            "/track/?ticket={}#token={}",
            r.reference.as_str(),
            r.tracking_token.expose()
        ),
        tracking_token: r.tracking_token.expose().to_owned(),
        created_at: r.created_at,
    }
}

fn client_ip(request: &Request) -> String {
    match request
        .extensions()
        .get::<lambda_http::request::RequestContext>()
    {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(ctx)) => ctx
            .http
            .source_ip
            .clone()
            .unwrap_or_else(|| "unknown".into()),
        _ => "unknown".into(),
    }
}

pub async fn create(State(deps): State<Arc<Deps>>, request: Request) -> Response {
    match create_inner(&deps, request).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn create_inner(deps: &Deps, request: Request) -> Result<Response, ApiError> {
    let ip = client_ip(&request);
    let (parts, body) = request.into_parts();
    let (map, raw) = json_object(&parts.headers, body, MAX_SUBMISSION_BYTES).await?;
    let idempotency = idempotency_key(&parts.headers, &raw)?;
    let mut fields = Fields::new(map, &FIELDS);
    let input = SubmissionInput {
        category: fields.string("category"),
        name: fields.string("name"),
        email: fields.string("email"),
        subject: fields.string("subject"),
        description: fields.string("description"),
        details: fields.string_map("details"),
        website: fields.string("website"),
        elapsed_ms: fields.optional_u64("elapsed_ms"),
    };
    if !fields.errors.is_empty() {
        return Err(ApiError::invalid(fields.errors));
    }
    let intake = Intake {
        tickets: &*deps.tickets,
        catalog: &*deps.catalog,
        outbound: &*deps.outbound,
        clock: &*deps.clock,
        ids: &*deps.ids,
        policy: &deps.policy,
    };
    let outcome = intake
        .submit(&input, idempotency, &ip)
        .await
        .map_err(|e| match e {
            IntakeError::Invalid(errors) => ApiError::invalid(errors),
            IntakeError::Store(e) => ApiError::from(e),
        })?;
    let (receipt, replayed) = match outcome {
        Outcome::Created(r) | Outcome::Discarded(r) => (r, false),
        Outcome::Replayed(r) => (r, true),
    };
    let mut response = (StatusCode::CREATED, Json(receipt_body(receipt))).into_response();
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

fn idempotency_key(headers: &HeaderMap, body: &[u8]) -> Result<Option<IdempotencyKey>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(value) => {
            let text = value.to_str().unwrap_or("\u{0}");
            IdempotencyKey::parse(text, fingerprint(body))
                .map(Some)
                .map_err(|e| ApiError::invalid(vec![e]))
        }
    }
}

#[derive(Serialize)]
struct PublicMessage {
    id: String,
    from: &'static str,
    body: String,
    created_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct PublicTicket {
    reference: String,
    subject: String,
    category: String,
    status: Status,
    status_label: &'static str,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// Solved: the page offers "Yes, it's solved" / "No, I still need help".
    awaiting_confirmation: bool,
    messages: Vec<PublicMessage>,
}

/// Wrong reference, unknown or expired secret, or no secret: all the same 404.
pub async fn show(
    State(deps): State<Arc<Deps>>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut response = match show_inner(&deps, &reference, &headers).await {
        Ok(ticket) => Json(ticket).into_response(),
        Err(e) => e.into_response(),
    };
    let h = response.headers_mut();
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn show_inner(
    deps: &Deps,
    reference: &str,
    headers: &HeaderMap,
) -> Result<PublicTicket, ApiError> {
    let reference = TicketRef::parse(reference).map_err(|_| ApiError::not_found())?;
    let token = headers
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|t| SecretToken::parse(t).ok())
        .ok_or_else(ApiError::not_found)?;
    if !deps
        .tickets
        .tracking_token_valid(&reference, &token.hash(), deps.clock.now())
        .await?
    {
        return Err(ApiError::not_found());
    }
    let thread = deps
        .tickets
        .load_ticket(&reference)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::not_found(),
            other => ApiError::from(other),
        })?;
    let t = thread.ticket;
    Ok(PublicTicket {
        reference: t.reference.display(),
        subject: t.subject.as_str().to_owned(),
        category: t.category.as_str().to_owned(),
        status: t.status,
        status_label: t.status.customer_label(),
        created_at: t.created_at,
        updated_at: t.updated_at,
        awaiting_confirmation: t.status == Status::Resolved,
        messages: thread
            .messages
            .into_iter()
            .filter(|m| m.kind.is_public())
            .map(|m| PublicMessage {
                id: m.id.as_str().to_owned(),
                from: match (m.kind, &m.author) {
                    (MessageKind::Customer, _) | (_, Author::Customer { .. }) => "you",
                    _ => "support",
                },
                body: m.body_text,
                created_at: m.created_at,
            })
            .collect(),
    })
}
