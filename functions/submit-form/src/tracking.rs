//! The tracking page's routes: read the ticket, reply, confirm or reopen. Each
//! needs the secret in `X-Tracking-Token` (never in the URL's query, so it stays
//! out of logs) and answers the same 404 for every failure to open the ticket.

use crate::Deps;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use helpdesk_domain::customers::tracking::{Tracking, TrackingError, parse_secret};
use helpdesk_domain::i18n::Language;
use helpdesk_domain::tickets::rating::Score;
use helpdesk_domain::values::token::SecretToken;
use helpdesk_domain::{Author, MessageKind, Status, TicketRef};
use lambda_kit::http::{ApiError, Fields, json_object};
use serde::Serialize;
use std::sync::Arc;

pub const TOKEN_HEADER: &str = "x-tracking-token";
const MAX_BODY: usize = 64 * 1024;

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicFile {
    filename: String,
    size: u64,
    /// Downloads the file; valid for a few minutes.
    url: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicMessage {
    id: String,
    #[schema(value_type = String)]
    from: &'static str,
    /// Who of us answered ("Ana"), for an agent's reply.
    author: Option<String>,
    body: String,
    attachments: Vec<PublicFile>,
    created_at: DateTime<Utc>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicTicket {
    reference: String,
    subject: String,
    category: String,
    status: Status,
    /// The status in the reader's language (`Accept-Language`).
    status_label: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// Solved: the page offers "Yes, it's solved" / "No, I still need help".
    awaiting_confirmation: bool,
    /// Closed as a duplicate of this request (its reference).
    merged_into: Option<String>,
    /// Has the requester shown the address is theirs (opened a link we mailed)?
    email_verified: bool,
    /// Our answers are left out: this link came from the form, and the address
    /// is not verified yet. The link in our mail shows them.
    answers_hidden: bool,
    messages: Vec<PublicMessage>,
    /// Who of us took the request ("Ana"), once someone did.
    assigned_to: Option<String>,
    /// How the customer rated our help, if they did.
    rating: Option<PublicRating>,
    /// The page asks "How did we do?": solved or closed, read through a link we
    /// mailed, and not rated more than 7 days ago.
    may_rate: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicRating {
    score: Score,
    comment: String,
    at: DateTime<Utc>,
    /// Until when it may be changed.
    changeable_until: DateTime<Utc>,
}

fn tracking<'a>(deps: &'a Deps, headers: &HeaderMap) -> Tracking<'a> {
    Tracking {
        language: crate::reader_language(headers),
        tickets: &*deps.tickets,
        catalog: &*deps.catalog,
        attachments: &*deps.attachments,
        outbound: &*deps.outbound,
        clock: &*deps.clock,
        ids: &*deps.ids,
        token_ttl: deps.policy.token_ttl,
        replies: deps.policy.replies.clone(),
    }
}

/// A refusal as the page shows it: the reason in the reader's language.
fn api_error(e: TrackingError, language: Language) -> ApiError {
    let said = e.reason(language).unwrap_or_else(|| e.to_string());
    match e {
        TrackingError::NotFound => ApiError::not_found(),
        TrackingError::Invalid(fields) => ApiError::invalid(fields),
        TrackingError::NotAwaitingConfirmation => {
            ApiError::new(StatusCode::CONFLICT, "not_awaiting_confirmation", said)
        }
        TrackingError::NotRateable => ApiError::new(StatusCode::CONFLICT, "not_rateable", said),
        TrackingError::RatingFinal => ApiError::new(StatusCode::CONFLICT, "rating_final", said),
        TrackingError::Merged(_) => ApiError::new(StatusCode::CONFLICT, "merged", said),
        TrackingError::ThreadFull(_) => ApiError::new(StatusCode::CONFLICT, "thread_full", said),
        TrackingError::Store(e) => ApiError::from(e),
    }
}

/// Pages reached by a secret link leak nothing through Referer or caches.
fn private(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn secret(headers: &HeaderMap) -> Result<SecretToken, ApiError> {
    parse_secret(headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()))
        .map_err(|e| api_error(e, crate::reader_language(headers)))
}

fn reference(raw: &str) -> Result<TicketRef, ApiError> {
    TicketRef::parse(raw).map_err(|_| ApiError::not_found())
}

async fn view(
    deps: &Deps,
    reference: &TicketRef,
    headers: &HeaderMap,
) -> Result<PublicTicket, ApiError> {
    let opened = tracking(deps, headers)
        .open(reference, &secret(headers)?)
        .await
        .map_err(|e| api_error(e, crate::reader_language(headers)))?;
    let answers = opened.answers;
    let t = &opened.thread.ticket;
    let mut messages = Vec::new();
    for m in opened.shown() {
        let links = helpdesk_domain::customers::attaching::download_links(
            &*deps.attachments,
            &m.attachments,
        )
        .await?;
        let files = m
            .attachments
            .iter()
            .zip(links)
            .map(|(a, url)| PublicFile {
                filename: a.filename.clone(),
                size: a.size,
                url,
            })
            .collect();
        messages.push(PublicMessage {
            id: m.id.as_str().to_owned(),
            from: match (m.kind, &m.author) {
                (MessageKind::Customer, _) | (_, Author::Customer { .. }) => "you",
                _ => "support",
            },
            author: match &m.author {
                Author::Agent {
                    signed: Some(by), ..
                } => Some(by.name.clone()),
                _ => None,
            },
            // The customer is on the page the placeholder links to.
            // Answers of the knowledge base are pages of this same site.
            body: helpdesk_domain::agents::canned::with_answer_links(
                &helpdesk_domain::agents::canned::with_link(
                    &m.body_text,
                    &crate::reader_language(headers).text("page-this-page", &[]),
                ),
                "",
            ),
            attachments: files,
            created_at: m.created_at,
        });
    }
    // The name customers read in our replies; the agent list is cached.
    // A name of ours, for whoever proved the address is theirs.
    let assigned_to = match t.assignee.as_ref().filter(|_| answers) {
        Some(id) => deps
            .catalog
            .agents()
            .await?
            .into_iter()
            .find(|a| &a.id == id)
            .map(|a| a.public_name()),
        None => None,
    };
    Ok(PublicTicket {
        assigned_to,
        reference: t.reference.display(),
        subject: t.subject.as_str().to_owned(),
        category: t.category.as_str().to_owned(),
        status: t.status,
        status_label: t.status.customer_label(crate::reader_language(headers)),
        created_at: t.created_at,
        updated_at: t.updated_at,
        // Confirming means having read the answer.
        awaiting_confirmation: t.status == Status::Resolved && t.merged_into.is_none() && answers,
        merged_into: t.merged_into.as_ref().map(ToString::to_string),
        email_verified: t.email_verified,
        answers_hidden: !answers,
        messages,
        // What the owner said is theirs: not for a form link's holder.
        rating: t.rating.as_ref().filter(|_| answers).map(|r| PublicRating {
            score: r.score,
            comment: r.comment.clone(),
            at: r.at,
            changeable_until: r.changeable_until(),
        }),
        may_rate: answers
            && t.merged_into.is_none()
            && matches!(t.status, Status::Resolved | Status::Closed)
            && t.rating
                .as_ref()
                .is_none_or(|r| r.changeable(deps.clock.now())),
    })
}

fn respond(status: StatusCode, result: Result<PublicTicket, ApiError>) -> Response {
    private(match result {
        Ok(ticket) => (status, Json(ticket)).into_response(),
        Err(e) => e.into_response(),
    })
}

/// `GET /api/tickets/{ref}`
pub async fn show(
    State(deps): State<Arc<Deps>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Response {
    let result = async { view(&deps, &reference(&raw)?, &headers).await }.await;
    respond(StatusCode::OK, result)
}

/// What every change through a tracking link starts from: the ticket, the
/// secret, and the JSON body.
async fn change_request(
    raw: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<
    (
        TicketRef,
        SecretToken,
        serde_json::Map<String, serde_json::Value>,
    ),
    ApiError,
> {
    let reference = reference(raw)?;
    let secret = secret(headers)?;
    let (map, _) = json_object(headers, body, MAX_BODY).await?;
    Ok((reference, secret, map))
}

/// `POST /api/tickets/{ref}/replies` with `{"body": "…"}`: 201 with the ticket.
pub async fn reply(
    State(deps): State<Arc<Deps>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let (reference, secret, map) = change_request(&raw, &headers, body).await?;
        let mut fields = Fields::new(map, &["body", "attachments"]);
        let text = fields.string("body");
        let files = fields.string_list("attachments");
        if !fields.errors.is_empty() {
            return Err(ApiError::invalid(fields.errors));
        }
        tracking(&deps, &headers)
            .reply(&reference, &secret, &text, &files)
            .await
            .map_err(|e| api_error(e, crate::reader_language(&headers)))?;
        view(&deps, &reference, &headers).await
    }
    .await;
    respond(StatusCode::CREATED, result)
}

/// `POST /api/tickets/{ref}/resolution` with `{"solved": true|false}`.
pub async fn resolution(
    State(deps): State<Arc<Deps>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let (reference, secret, map) = change_request(&raw, &headers, body).await?;
        let solved = match (map.get("solved"), map.len()) {
            (Some(serde_json::Value::Bool(b)), 1) => *b,
            _ => {
                return Err(ApiError::bad_field(
                    "solved",
                    "send {\"solved\": true} or {\"solved\": false}",
                ));
            }
        };
        tracking(&deps, &headers)
            .confirm(&reference, &secret, solved)
            .await
            .map_err(|e| api_error(e, crate::reader_language(&headers)))?;
        view(&deps, &reference, &headers).await
    }
    .await;
    respond(StatusCode::OK, result)
}

/// `POST /api/tickets/{ref}/rating` with `{"score": "good"|"bad", "comment": "…"}`.
pub async fn rate(
    State(deps): State<Arc<Deps>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let (reference, secret, map) = change_request(&raw, &headers, body).await?;
        let mut fields = Fields::new(map, &["score", "comment"]);
        let score = fields.string("score");
        let comment = fields.string("comment");
        let score = match Score::parse(&score) {
            Ok(s) => Some(s),
            Err(reason) => {
                fields
                    .errors
                    .push(helpdesk_domain::FieldError::new("score", reason));
                None
            }
        };
        let (Some(score), true) = (score, fields.errors.is_empty()) else {
            return Err(ApiError::invalid(fields.errors));
        };
        tracking(&deps, &headers)
            .rate(&reference, &secret, score, &comment)
            .await
            .map_err(|e| api_error(e, crate::reader_language(&headers)))?;
        view(&deps, &reference, &headers).await
    }
    .await;
    respond(StatusCode::OK, result)
}

/// `POST /api/tracking-links` with `{"email": "…"}`: always the same 202.
pub async fn request_links(
    State(deps): State<Arc<Deps>>,
    request: axum::extract::Request,
) -> Response {
    let ip = crate::client_ip(&request);
    let (parts, body) = request.into_parts();
    let result = async {
        let ip = ip?;
        let (map, _) = json_object(&parts.headers, body, MAX_BODY).await?;
        let mut fields = Fields::new(map, &["email"]);
        let email = fields.string("email");
        if !fields.errors.is_empty() {
            return Err(ApiError::invalid(fields.errors));
        }
        let links = helpdesk_domain::customers::tracking::LinkRequest {
            tickets: &*deps.tickets,
            outbound: &*deps.outbound,
            clock: &*deps.clock,
            ids: &*deps.ids,
            policy: &deps.policy,
            language: crate::reader_language(&parts.headers),
        };
        links
            .send(&email, &ip)
            .await
            .map_err(|e| api_error(e, crate::reader_language(&parts.headers)))
    }
    .await;
    match result {
        Ok(()) => (
            StatusCode::ACCEPTED,
            Json(serde_json::json!({
                "message": crate::reader_language(&parts.headers).text("links-requested", &[])
            })),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}
