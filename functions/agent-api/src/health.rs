//! `GET /api/agent/health`: which table, queue and bucket answers, and why one
//! does not. For supervisors and admins; the public `/api/health` says only
//! "ok" or "degraded".

use crate::Deps;
use crate::auth::Authed;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use helpdesk_domain::agents::profile::Role;
use helpdesk_domain::ports::ComponentHealth;
use lambda_kit::http::ApiError;
use serde::Serialize;
use std::sync::Arc;

/// Each component as last asked (answers are at most 30 seconds old).
#[derive(Serialize, utoipa::ToSchema)]
pub struct HealthJson {
    /// `ok`, or `degraded` when one component does not answer (then 503).
    pub status: &'static str,
    pub components: Vec<ComponentHealth>,
}

pub async fn health(State(deps): State<Arc<Deps>>, Authed(caller): Authed) -> Response {
    if caller.role == Role::Agent {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "The system's health is for supervisors and admins.",
        )
        .into_response();
    }
    let mut components = deps.health.check().await;
    components
        .push(helpdesk_domain::ops::health::stuck_outbox(&*deps.tickets, deps.clock.now()).await);
    let ok = components.iter().all(|c| c.ok);
    let body = HealthJson {
        status: if ok { "ok" } else { "degraded" },
        components,
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}
