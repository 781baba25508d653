//! The local stand-in for Cognito's tokens and API Gateway's JWT authorizer:
//! signs access tokens shaped like Cognito's (HS256, a key made at start) for the
//! local user pool (`cognito.rs`), and verifies them on `/api/agent/*` so agent-api
//! gets the same claims the authorizer would pass. Dev only; never deployed.

use crate::cognito::{self, UserPool};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::Sha256;
use std::sync::Arc;

/// How long a local access token lives (Cognito's default is one hour).
const TOKEN_SECONDS: i64 = 3600;
pub const ISSUER: &str = "helpdesk-local-issuer";

pub struct LocalIssuer {
    key: [u8; 32],
}

impl Default for LocalIssuer {
    fn default() -> Self {
        Self {
            key: rand::random(),
        }
    }
}

impl LocalIssuer {
    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"))
    }

    /// An access token shaped like Cognito's for a user of a pool whose user
    /// names are emails: `username` is the user's `sub`. With its lifetime.
    pub fn access_token(&self, sub: &str, groups: &[String], now: i64) -> (String, i64) {
        let claims = json!({
            "sub": sub,
            "cognito:groups": groups,
            "iss": ISSUER,
            "client_id": cognito::CLIENT_ID,
            "token_use": "access",
            "scope": "aws.cognito.signin.user.admin",
            "auth_time": now,
            "iat": now,
            "exp": now + TOKEN_SECONDS,
            "jti": format!("{:032x}", rand::random::<u128>()),
            "username": sub,
        });
        (self.sign(&claims), TOKEN_SECONDS)
    }

    fn sign(&self, claims: &Value) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{body}");
        let signature = self.mac().chain_update(signing_input.as_bytes()).finalize();
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.into_bytes())
        )
    }

    /// The claims of a valid, unexpired token of ours; `None` for anything else.
    pub fn verify(&self, token: &str, now: i64) -> Option<Map<String, Value>> {
        let mut parts = token.split('.');
        let (header, body, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        self.mac()
            .chain_update(format!("{header}.{body}").as_bytes())
            .verify_slice(&signature)
            .ok()?;
        let claims: Map<String, Value> =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
        let live = claims
            .get("exp")
            .and_then(Value::as_i64)
            .is_some_and(|e| e > now);
        let ours = claims.get("iss").and_then(Value::as_str) == Some(ISSUER);
        (live && ours).then_some(claims)
    }

    /// The claims as API Gateway hands them to the function: every value a string,
    /// lists as `[a b]`.
    pub fn gateway_claims(claims: &Map<String, Value>) -> Map<String, Value> {
        claims
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Array(items) => format!(
                        "[{}]",
                        items
                            .iter()
                            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                    other => other.to_string(),
                };
                (k.clone(), Value::String(text))
            })
            .collect()
    }
}

/// `POST /dev/cognito/`: the local user pool, in Cognito's protocol.
pub async fn cognito_endpoint(
    State(pool): State<Arc<UserPool>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let op = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix("AWSCognitoIdentityProviderService."))
        .unwrap_or_default()
        .to_owned();
    let answer = match serde_json::from_slice::<Value>(&body) {
        Ok(input) if input.is_object() => {
            pool.call(&op, &input, chrono::Utc::now().timestamp()).await
        }
        _ => Err(cognito::CognitoError {
            kind: "SerializationException",
            message: "The body is not a JSON object.".into(),
        }),
    };
    let (status, body) = match answer {
        Ok(v) => (StatusCode::OK, v),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            json!({"__type": e.kind, "message": e.message}),
        ),
    };
    (
        status,
        [(
            axum::http::header::CONTENT_TYPE,
            "application/x-amz-json-1.1",
        )],
        body.to_string(),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct SignIn {
    username: String,
    password: String,
    /// The authenticator app's code (every agent has MFA, as deployed).
    code: String,
}

/// `POST /dev/auth/token`: one call for scripts and tests that need a demo
/// agent's token: the password and the TOTP code, checked by the local pool as
/// its two challenge steps would check them.
pub async fn token(
    State(pool): State<Arc<UserPool>>,
    body: Result<Json<SignIn>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(sign_in)) = body else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"code": "invalid_input", "message": "Send username, password and code as JSON."}})),
        )
            .into_response();
    };
    let now = chrono::Utc::now().timestamp();
    match pool
        .sign_in(&sign_in.username, &sign_in.password, &sign_in.code, now)
        .await
    {
        Ok((token, expires_in)) => Json(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": expires_in,
        }))
        .into_response(),
        Err(e) => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": {"code": "invalid_credentials", "message": e.message}})),
        )
            .into_response(),
    }
}

/// `GET /agent/config.json`: the console signs in with the local pool as it would
/// with Cognito, at this endpoint.
pub async fn console_config() -> Response {
    Json(json!({
        "auth": "cognito",
        "endpoint": "/dev/cognito/",
        "client_id": cognito::CLIENT_ID,
        "poll_seconds": 5,
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_unaltered_and_unexpired() {
        let issuer = LocalIssuer::default();
        let token = issuer.sign(&json!({"iss": ISSUER, "exp": 100, "username": "ana"}));
        assert!(issuer.verify(&token, 99).is_some());
        assert!(issuer.verify(&token, 100).is_none(), "expired");
        let forged = token.replacen("eyJ", "eyK", 2);
        assert!(issuer.verify(&forged, 99).is_none());
        let other = issuer.sign(&json!({"iss": "someone-else", "exp": 100}));
        assert!(issuer.verify(&other, 99).is_none());
        let stranger = LocalIssuer::default();
        assert!(stranger.verify(&token, 99).is_none(), "another start's key");
    }

    #[test]
    fn claims_reach_the_function_as_api_gateway_formats_them() {
        let claims = json!({"cognito:groups": ["agents", "admins"], "exp": 5, "username": "ana"});
        let out = LocalIssuer::gateway_claims(claims.as_object().unwrap_or(&Map::new()));
        assert_eq!(out["cognito:groups"], "[agents admins]");
        assert_eq!(out["exp"], "5");
        assert_eq!(out["username"], "ana");
    }
}
