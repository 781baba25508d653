//! Plays API Gateway (HTTP API, payload 2.0): turns the incoming request into the
//! JSON event API Gateway would send, parses it with lambda_http exactly as the
//! deployed function does, and runs the function's router on it.

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use lambda_kit::http::ApiError;
use serde_json::{Map, Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

/// API Gateway's payload limit.
const MAX_BODY: usize = 10 * 1024 * 1024;

pub struct Gateway {
    /// submit-form: every `/api/*` route but the agent's.
    pub public: axum::Router,
    /// agent-api: `/api/agent/*`, behind the JWT authorizer.
    pub agent: axum::Router,
    pub issuer: Arc<crate::auth::LocalIssuer>,
}

/// What API Gateway answers when its JWT authorizer refuses a request.
fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({"message": "Unauthorized"})),
    )
        .into_response()
}

pub async fn forward(State(gw): State<Arc<Gateway>>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "127.0.0.1".to_owned(), |c| c.0.ip().to_string());
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "The request body is over 10 MB.",
        )
        .into_response();
    };
    let agent_route =
        parts.uri.path().starts_with("/api/agent/") || parts.uri.path() == "/api/agent";
    let mut event = api_gateway_event(&parts, &body, &peer);
    if agent_route {
        // The authorizer: a valid bearer token of the local issuer, or 401 before
        // the function runs; its claims travel in the request context.
        let bearer = parts
            .headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let now = chrono::Utc::now().timestamp();
        let Some(claims) = bearer.and_then(|t| gw.issuer.verify(t.trim(), now)) else {
            return unauthorized();
        };
        event["requestContext"]["authorizer"] = json!({
            "jwt": {
                "claims": crate::auth::LocalIssuer::gateway_claims(&claims),
                "scopes": null,
            }
        });
    }
    let request = match lambda_http::request::from_str(&event.to_string()) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "event did not parse as API Gateway v2");
            return ApiError::internal().into_response();
        }
    };
    let target = if agent_route {
        gw.agent.clone()
    } else {
        gw.public.clone()
    };
    match target.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

/// The API Gateway v2 event for a request (without an authorizer context).
pub fn api_gateway_event(parts: &http::request::Parts, body: &[u8], source_ip: &str) -> Value {
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == http::header::COOKIE {
            cookies.extend(
                value
                    .split(';')
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty()),
            );
            continue;
        }
        match headers.get_mut(name.as_str()) {
            // API Gateway joins repeated headers with commas.
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            _ => {
                headers.insert(name.as_str().to_owned(), Value::String(value));
            }
        }
    }
    let path = parts.uri.path();
    let raw_query = parts.uri.query().unwrap_or("");
    let mut query = Map::new();
    for (k, v) in serde_urlencoded::from_str::<Vec<(String, String)>>(raw_query).unwrap_or_default()
    {
        match query.get_mut(&k) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(&v);
            }
            _ => {
                query.insert(k, Value::String(v));
            }
        }
    }
    let (body, is_base64) = match std::str::from_utf8(body) {
        Ok(text) => (text.to_owned(), false),
        Err(_) => (base64::engine::general_purpose::STANDARD.encode(body), true),
    };
    let now = chrono::Utc::now();
    let mut event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": "127.0.0.1",
            "domainPrefix": "local",
            "http": {
                "method": parts.method.as_str(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": headers.get("user-agent").cloned().unwrap_or(Value::String(String::new())),
            },
            "requestId": format!("local-{:016x}", rand_id()),
            "routeKey": "$default",
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": now.timestamp_millis(),
        },
        "isBase64Encoded": is_base64,
    });
    if !body.is_empty() {
        event["body"] = Value::String(body);
    }
    if !query.is_empty() {
        event["queryStringParameters"] = Value::Object(query);
    }
    if !cookies.is_empty() {
        event["cookies"] = json!(cookies);
    }
    event
}

fn rand_id() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}
