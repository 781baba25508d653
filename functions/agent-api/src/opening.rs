//! `POST /api/agent/tickets`: an agent opens a ticket for a customer, in one of
//! their categories: what they were told (logged; the customer gets the usual
//! confirmation) or our own first message (mailed with the customer's link).

use crate::auth::Authed;
use crate::{Deps, respond};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use helpdesk_domain::agents::opening::{FirstMessage, OpenError, OpenRequest};
use helpdesk_domain::ports::store::Created;
use lambda_kit::http::{ApiError, Fields, json_object};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct OpenedJson {
    reference: String,
    /// False when this request id had opened it before (nothing new was sent).
    created: bool,
}

const FIELDS: [&str; 9] = [
    "language",
    "category",
    "email",
    "name",
    "subject",
    "body",
    "details",
    "first",
    "request_id",
];

pub async fn create(
    State(deps): State<std::sync::Arc<Deps>>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let (map, _) = json_object(&headers, body, 128 * 1024).await?;
        let mut f = Fields::new(map, &FIELDS);
        let first = match f.string("first").as_str() {
            "logged" => Some(FirstMessage::Logged),
            "mailed" => Some(FirstMessage::Mailed),
            _ => {
                f.errors.push(helpdesk_domain::FieldError::new(
                    "first",
                    "logged (what the customer told us) or mailed (our message to them)",
                ));
                None
            }
        };
        let request_id = Some(f.string("request_id")).filter(|id| !id.is_empty());
        let language = match f.string("language").trim() {
            "" => helpdesk_domain::i18n::Language::En,
            text => helpdesk_domain::i18n::Language::parse(text).unwrap_or_else(|reason| {
                f.errors
                    .push(helpdesk_domain::FieldError::new("language", reason));
                helpdesk_domain::i18n::Language::En
            }),
        };
        let fits = |id: &str| {
            (8..=64).contains(&id.len())
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if request_id.as_deref().is_some_and(|id| !fits(id)) {
            f.errors.push(helpdesk_domain::FieldError::new(
                "request_id",
                "8 to 64 letters, digits and dashes",
            ));
        }
        let request = OpenRequest {
            category: f.string("category"),
            email: f.string("email"),
            name: f.string("name"),
            subject: f.string("subject"),
            body: f.string("body"),
            details: f.string_map("details"),
            first: first.unwrap_or(FirstMessage::Logged),
            request_id,
            language,
        };
        if !f.errors.is_empty() {
            return Err(ApiError::invalid(f.errors));
        }
        match deps.desk().open_for_customer(&caller, &request).await {
            Ok(Created::New(t)) => Ok((
                StatusCode::CREATED,
                Json(OpenedJson {
                    reference: t.reference.to_string(),
                    created: true,
                }),
            )),
            Ok(Created::Replayed(r)) => Ok((
                StatusCode::OK,
                Json(OpenedJson {
                    reference: r.to_string(),
                    created: false,
                }),
            )),
            Err(OpenError::Invalid(errors)) => Err(ApiError::invalid(errors)),
            Err(OpenError::Store(e)) => Err(e.into()),
        }
    }
    .await;
    respond(result)
}
