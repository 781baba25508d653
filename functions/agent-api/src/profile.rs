//! How an agent signs to customers (the name they read, "Ana", and a signature
//! under the replies) and what they are told of by mail while away from the
//! console. Each agent sets their own.

use crate::admin::body_as;
use crate::auth::Authed;
use crate::{Deps, respond};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use helpdesk_domain::FieldError;
use helpdesk_domain::agents::alert_mail::AlertChoices;
use helpdesk_domain::agents::alerts;
use helpdesk_domain::agents::profile::{Agent, DisplayName, parse_signature};
use lambda_kit::http::{ApiError, field};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ProfileJson {
    /// As set; none means the first word of the name.
    display_name: Option<String>,
    signature: Option<String>,
    /// The name customers read on mail ("Ana at …") and on their tracking page.
    public_name: String,
    /// What the agent is told of by mail while away from the console.
    alerts: AlertChoices,
}

impl ProfileJson {
    pub fn of(a: &Agent) -> Self {
        Self {
            display_name: a.display_name.clone(),
            signature: a.signature.clone(),
            public_name: a.public_name(),
            alerts: a.alert_choices(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    /// Letters, digits, spaces and `. - '`, at most 40; empty or null: the first
    /// word of the name.
    #[schema(max_length = 40, pattern = "^[A-Za-z0-9À-ÖØ-öø-ÿ .'-]*$")]
    display_name: Option<String>,
    /// Plain text, at most 500 characters on 6 lines; empty or null: none.
    #[schema(
        max_length = 500,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*(\\n[^\\x00-\\x1f\\x7f-\\x9f]*){0,5}$"
    )]
    signature: Option<String>,
}

/// `PUT /api/agent/me/profile`
pub async fn put(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let input: ProfileInput = body_as(&headers, body).await?;
        let mut errors: Vec<FieldError> = Vec::new();
        let display_name = match input.display_name.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(raw) => field(&mut errors, "display_name", DisplayName::parse(raw))
                .map(|n| Some(n.into_inner())),
        };
        let signature = field(
            &mut errors,
            "signature",
            parse_signature(input.signature.as_deref().unwrap_or_default()),
        );
        let (Some(display_name), Some(signature)) = (display_name, signature) else {
            return Err(ApiError::invalid(errors));
        };
        // Only these two: an admin may be changing the rest of the record.
        let agent = deps
            .catalog
            .set_signoff(caller.id(), display_name, signature)
            .await?
            .ok_or_else(ApiError::not_found)?;
        Ok::<_, ApiError>(Json(ProfileJson::of(&agent)))
    }
    .await;
    respond(result)
}

/// `PUT /api/agent/me/alerts`
pub async fn put_alerts(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let choices: AlertChoices = body_as(&headers, body).await?;
        choices
            .validate()
            .map_err(|e| ApiError::bad_field("digest_minutes", e.to_string()))?;
        let agent = alerts::save_choices(
            deps.catalog.as_ref(),
            deps.tickets.as_ref(),
            caller.id(),
            &choices,
            deps.clock.now(),
        )
        .await?
        .ok_or_else(ApiError::not_found)?;
        Ok::<_, ApiError>(Json(ProfileJson::of(&agent)))
    }
    .await;
    respond(result)
}

/// `POST /api/agent/me/away`: the console is closing (sign-out, the tab closed),
/// so alerts by mail flow at once instead of two minutes later.
pub async fn away(State(deps): State<Arc<Deps>>, Authed(caller): Authed) -> Response {
    let result = async {
        deps.tickets
            .left_console(caller.id(), deps.clock.now())
            .await?;
        Ok::<_, ApiError>(axum::http::StatusCode::NO_CONTENT)
    }
    .await;
    respond(result)
}
