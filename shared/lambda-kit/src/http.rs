//! One error shape for every HTTP route: a status, a stable `code`, a human message
//! and, for bad input, the fields and reasons. Internals never reach the client.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helpdesk_domain::FieldError;
use helpdesk_domain::ports::store::StoreError;
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

    /// 400 naming one field and its reason.
    pub fn bad_field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, reason)])
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Nothing here.")
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
            StoreError::Duplicate | StoreError::AlreadyApplied => {
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

impl From<helpdesk_domain::customers::attachments::AttachmentError> for ApiError {
    fn from(e: helpdesk_domain::customers::attachments::AttachmentError) -> Self {
        tracing::error!(error = %e, "attachment storage failure");
        Self::internal()
    }
}

/// A parsed value, or its problem recorded under `field` (so every bad field of
/// a request is named at once).
pub fn field<T, E: std::fmt::Display>(
    errors: &mut Vec<FieldError>,
    field: impl Into<String>,
    parsed: Result<T, E>,
) -> Option<T> {
    parsed
        .map_err(|e| errors.push(FieldError::new(field, e.to_string())))
        .ok()
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

/// Every error a router answers in the one JSON shape, the ones axum makes
/// itself included: 405 for a method the path does not take (its `Allow` header
/// kept), 400 for a path or query that does not decode, 413 and 415. A response
/// already in JSON passes untouched. Wrap every router with it
/// (`.layer(axum::middleware::from_fn(json_errors))`).
pub async fn json_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (code, message) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "This path does not take this method; see the Allow header.",
        ),
        StatusCode::NOT_FOUND => ("not_found", "Nothing here."),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "The request body is too large."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "Send the body as application/json.",
        ),
        s if s.is_server_error() => (
            "internal",
            "Something went wrong on our side; please try again.",
        ),
        _ => (
            "bad_request",
            "The request could not be read: its path, query or body is malformed.",
        ),
    };
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut answer = ApiError::new(status, code, message).into_response();
    if let Some(allow) = allow {
        answer.headers_mut().insert(header::ALLOW, allow);
    }
    answer
}

/// Reads a request body that must be one JSON object of at most `limit` bytes.
/// Wrong content type → 415, too large → 413, not a JSON object → 400; all in the
/// one error shape.
pub async fn json_object(
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
    limit: usize,
) -> Result<
    (
        serde_json::Map<String, serde_json::Value>,
        axum::body::Bytes,
    ),
    ApiError,
> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the request body as application/json.",
        ));
    }
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("The request body is over {limit} bytes."),
        )
    })?;
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(map)) => Ok((map, bytes)),
        Ok(_) => Err(ApiError::bad_field("body", "must be a JSON object")),
        Err(e) => Err(ApiError::bad_field(
            "body",
            format!(
                "is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        )),
    }
}

/// A float without a fraction that fits a u64 (`40.0`), as that number.
fn whole_f64(v: &serde_json::Value) -> Option<u64> {
    let f = v.as_f64()?;
    // 2^64 is exactly representable; anything from it up does not fit.
    (f.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&f)).then_some(f as u64)
}

/// Takes the string fields of a JSON object: unknown keys and non-string values
/// are field errors; a missing field reads as empty.
pub struct Fields {
    map: serde_json::Map<String, serde_json::Value>,
    pub errors: Vec<FieldError>,
}

impl Fields {
    /// Refuses any key not in `allowed`.
    pub fn new(map: serde_json::Map<String, serde_json::Value>, allowed: &[&str]) -> Self {
        let errors = map
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .map(|k| FieldError::new(k.clone(), "is not a field of this request"))
            .collect();
        Self { map, errors }
    }

    pub fn string(&mut self, name: &str) -> String {
        match self.map.get(name) {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(_) => {
                self.errors.push(FieldError::new(name, "must be a string"));
                String::new()
            }
        }
    }

    /// A whole number; JSON's `40.0` is the whole number 40, as JSON Schema's
    /// `integer` says.
    pub fn optional_u64(&mut self, name: &str) -> Option<u64> {
        match self.map.get(name) {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => v.as_u64().or_else(|| whole_f64(v)).or_else(|| {
                self.errors
                    .push(FieldError::new(name, "must be a whole number"));
                None
            }),
        }
    }

    pub fn optional_bool(&mut self, name: &str) -> Option<bool> {
        match self.map.get(name) {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.errors
                    .push(FieldError::new(name, "must be true or false"));
                None
            }
        }
    }

    /// An array of strings (e.g. uploaded file keys); missing reads as empty.
    pub fn string_list(&mut self, name: &str) -> Vec<String> {
        match self.map.get(name) {
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(serde_json::Value::Array(items)) if items.iter().all(|v| v.is_string()) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(_) => {
                self.errors
                    .push(FieldError::new(name, "must be a list of strings"));
                Vec::new()
            }
        }
    }

    /// A value of a typed shape (e.g. an answer's translations); `None` when
    /// missing, and a value of another shape is a field error saying why.
    pub fn optional_typed<T: serde::de::DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        match self.map.get(name) {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => T::deserialize(v)
                .map_err(|e| self.errors.push(FieldError::new(name, e.to_string())))
                .ok(),
        }
    }

    /// An object of strings (e.g. a category's detail fields).
    pub fn string_map(&mut self, name: &str) -> std::collections::BTreeMap<String, String> {
        let mut out = std::collections::BTreeMap::new();
        match self.map.get(name) {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::Object(m)) => {
                for (k, v) in m {
                    match v {
                        serde_json::Value::String(s) => {
                            out.insert(k.clone(), s.clone());
                        }
                        serde_json::Value::Number(n) => {
                            out.insert(k.clone(), n.to_string());
                        }
                        _ => self
                            .errors
                            .push(FieldError::new(format!("{name}.{k}"), "must be a string")),
                    }
                }
            }
            Some(_) => self.errors.push(FieldError::new(name, "must be an object")),
        }
        out
    }
}

/// The error shape as the OpenAPI documents describe it ([`ApiError`] writes it).
pub mod schema {
    use serde::Serialize;
    use utoipa::ToSchema;

    /// One field's problem.
    #[derive(Debug, Serialize, ToSchema)]
    pub struct FieldErrorJson {
        pub field: String,
        pub reason: String,
    }

    /// The one error shape of every route: a stable `code`, a message for people, and
    /// for bad input each field with its reason.
    #[derive(Debug, Serialize, ToSchema)]
    pub struct ErrorDetail {
        pub code: String,
        pub message: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub fields: Vec<FieldErrorJson>,
    }

    #[derive(Debug, Serialize, ToSchema)]
    pub struct ErrorJson {
        pub error: ErrorDetail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_number_may_be_written_as_a_float_but_nothing_else_passes_for_one() {
        let body = serde_json::json!({
            "a": 40, "b": 40.0, "c": 40.5, "d": -1, "e": -1.0, "f": 1e30, "g": "40", "h": 1.8446744073709552e19
        });
        let serde_json::Value::Object(map) = body else {
            unreachable!()
        };
        let mut fields = Fields::new(map, &["a", "b", "c", "d", "e", "f", "g", "h"]);
        let read: Vec<Option<u64>> = ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .map(|n| fields.optional_u64(n))
            .collect();
        assert_eq!(
            read,
            [Some(40), Some(40), None, None, None, None, None, None]
        );
        let refused: Vec<&str> = fields.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(refused, ["c", "d", "e", "f", "g", "h"]);
    }

    #[tokio::test]
    async fn errors_render_one_json_shape() {
        let e = ApiError::bad_field("email", "is not an email address");
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
