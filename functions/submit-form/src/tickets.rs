//! `POST /api/tickets`: a help-center submission becomes a ticket.

use crate::Deps;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use helpdesk_domain::Status;
use helpdesk_domain::customers::intake::{
    IdempotencyKey, Intake, IntakeError, Outcome, Receipt, SubmissionInput, fingerprint,
};
use helpdesk_domain::values::token::SecretToken;
use lambda_kit::http::{ApiError, Fields, json_object};
use serde::Serialize;
use std::sync::Arc;

/// The documented limit of a submission body.
pub const MAX_SUBMISSION_BYTES: usize = 64 * 1024;

const FIELDS: [&str; 12] = [
    "attachments",
    "faq_read",
    "language",
    "time_zone",
    "category",
    "name",
    "email",
    "subject",
    "description",
    "details",
    "website",
    "elapsed_ms",
];

#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    reference: String,
    /// "received" (the tracking page says it in the customer's language).
    status: String,
    tracking_token: String,
    /// Ticket in the query, secret in the fragment: browsers never send fragments.
    tracking_url: String,
    created_at: DateTime<Utc>,
    /// When we promise the first answer (business hours of the category's policy).
    reply_by: Option<DateTime<Utc>>,
}

fn receipt_body(r: Receipt) -> Created {
    Created {
        reference: r.reference.display(),
        status: Status::New.customer_label(helpdesk_domain::i18n::Language::En),
        tracking_url: helpdesk_domain::customers::tracking::link_path(
            &r.reference,
            &r.tracking_token,
        ),
        tracking_token: r.tracking_token.expose().to_owned(),
        created_at: r.created_at,
        reply_by: r.reply_by,
    }
}

pub async fn create(State(deps): State<Arc<Deps>>, request: Request) -> Response {
    match create_inner(&deps, request).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn create_inner(deps: &Deps, request: Request) -> Result<Response, ApiError> {
    let ip = crate::client_ip(&request)?;
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
        attachments: fields.string_list("attachments"),
        faq_read: fields.string_list("faq_read"),
        language: fields.string("language"),
        accept_language: crate::accept_language(&parts.headers),
        time_zone: fields.string("time_zone"),
    };
    if !fields.errors.is_empty() {
        return Err(ApiError::invalid(fields.errors));
    }
    let intake = Intake {
        tickets: &*deps.tickets,
        attachments: &*deps.attachments,
        catalog: &*deps.catalog,
        outbound: &*deps.outbound,
        clock: &*deps.clock,
        ids: &*deps.ids,
        policy: &deps.policy,
    };
    if let Some(value) = parts.headers.get(PROBE_HEADER) {
        return probe(&intake, &input, value).await;
    }
    let outcome = intake
        .submit(&input, idempotency, &ip)
        .await
        .map_err(intake_error)?;
    let (receipt, replayed) = match outcome {
        Outcome::Created(r) => {
            lambda_kit::metrics::emit(&[("TicketsCreated", 1)]);
            (r, false)
        }
        Outcome::Discarded(r) => (r, false),
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

fn intake_error(e: IntakeError) -> ApiError {
    match e {
        IntakeError::Invalid(errors) => ApiError::invalid(errors),
        IntakeError::Store(e) => ApiError::from(e),
    }
}

const PROBE_HEADER: &str = "x-helpdesk-probe";

/// Our own channel self-test: answered 202 once recorded, never a ticket.
async fn probe(
    intake: &Intake<'_>,
    input: &SubmissionInput,
    value: &HeaderValue,
) -> Result<Response, ApiError> {
    let secret = value
        .to_str()
        .ok()
        .and_then(|v| SecretToken::parse(v).ok())
        .ok_or_else(|| ApiError::bad_field(PROBE_HEADER, "is not a probe secret"))?;
    let arrived = intake.probe(input, &secret).await.map_err(intake_error)?;
    if !arrived {
        return Err(ApiError::bad_field(
            PROBE_HEADER,
            "is not a pending self-test probe",
        ));
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({"probe": "arrived"})),
    )
        .into_response())
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
