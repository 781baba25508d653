//! One error shape for every HTTP route: a status, a stable `code`, a human message
//! and, for bad input, the fields and reasons. Internals never reach the client.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helpdesk_domain::FieldError;
use helpdesk_domain::store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// Sent as `Retry-After` (seconds).
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
            retry_after: None,
        }
    }

    /// 400 naming each field and its reason.
    pub fn invalid(fields: Vec<FieldError>) -> Self {
        Self {
            fields,
            ..Self::new(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                "Some fields need attention.",
            )
        }
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Nothing here.")
    }

    pub fn not_implemented(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "not_implemented",
            format!("{what} is not implemented yet."),
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side; please try again.",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::not_found(),
            StoreError::Conflict => Self::new(
                StatusCode::CONFLICT,
                "conflict",
                "This was changed by someone else since you loaded it. Reload and try again.",
            ),
            StoreError::Duplicate => {
                Self::new(StatusCode::CONFLICT, "duplicate", "This already exists.")
            }
            StoreError::IdempotencyMismatch => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "This Idempotency-Key was already used for a different request.",
            ),
            StoreError::BadCursor => Self::new(
                StatusCode::BAD_REQUEST,
                "bad_cursor",
                "The page cursor is not valid.",
            ),
            StoreError::RateLimited { retry_after_secs } => Self {
                retry_after: Some(retry_after_secs),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    "Too many requests; please try again later.",
                )
            },
            StoreError::Throttled => Self {
                retry_after: Some(2),
                ..Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "retry_later",
                    "We are busy; please retry in a moment.",
                )
            },
            StoreError::Unavailable(detail) | StoreError::Corrupt(detail) => {
                tracing::error!(%detail, "store failure");
                Self::internal()
            }
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a ApiError,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(Body { error: &self })).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn errors_render_one_json_shape() {
        let e = ApiError::invalid(vec![FieldError::new("email", "is not an email address")]);
        let json = serde_json::to_value(Body { error: &e }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "invalid_input", "message": "Some fields need attention.",
                "fields": [{"field": "email", "reason": "is not an email address"}]}})
        );
        let r = ApiError::from(StoreError::Throttled).into_response();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers().get(header::RETRY_AFTER).unwrap(), "2");
        let r = ApiError::from(StoreError::RateLimited {
            retry_after_secs: 754,
        })
        .into_response();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers().get(header::RETRY_AFTER).unwrap(), "754");
        let hidden = ApiError::from(StoreError::Unavailable(
            "ResourceNotFoundException arn:...".into(),
        ));
        assert!(!hidden.message.contains("arn"));
    }
}
