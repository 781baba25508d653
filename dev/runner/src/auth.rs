//! The local stand-in for Cognito and API Gateway's JWT authorizer: signs access
//! tokens for the demo agents (HS256, a key made at start), and verifies them on
//! `/api/agent/*` so agent-api gets the same claims the authorizer would pass.
//! Dev only; never deployed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use helpdesk_domain::AgentId;
use helpdesk_domain::agents::profile::Role;
use helpdesk_domain::ports::CatalogStore;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

/// How long a local access token lives (Cognito's default is one hour).
const TOKEN_SECONDS: i64 = 3600;
pub const ISSUER: &str = "helpdesk-local-issuer";

/// A demo login: which agent, and the password printed at start.
#[derive(Debug, Clone, Deserialize)]
pub struct Login {
    pub agent: String,
    pub password: String,
}

pub struct LocalIssuer {
    key: [u8; 32],
    /// Agent id → SHA-256 of the password.
    passwords: HashMap<String, [u8; 32]>,
    catalog: Arc<dyn CatalogStore>,
}

fn digest(password: &str) -> [u8; 32] {
    Sha256::digest(password.as_bytes()).into()
}

fn group(role: Role) -> &'static str {
    match role {
        Role::Agent => "agents",
        Role::Supervisor => "supervisors",
        Role::Admin => "admins",
    }
}

impl LocalIssuer {
    pub fn new(logins: &[Login], catalog: Arc<dyn CatalogStore>) -> Self {
        Self {
            key: rand::random(),
            passwords: logins
                .iter()
                .map(|l| (l.agent.clone(), digest(&l.password)))
                .collect(),
            catalog,
        }
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"))
    }

    /// An access token shaped like Cognito's for the agent, if the password fits.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        now: i64,
    ) -> anyhow::Result<Option<String>> {
        let Some(expected) = self.passwords.get(username) else {
            return Ok(None);
        };
        // Compare digests through the MAC, in constant time.
        let mut mac = self.mac();
        mac.update(&digest(password));
        if mac
            .verify_slice(&self.mac().chain_update(expected).finalize().into_bytes())
            .is_err()
        {
            return Ok(None);
        }
        let Ok(id) = AgentId::parse(username) else {
            return Ok(None);
        };
        let Some(agent) = self.catalog.agent(&id).await? else {
            return Ok(None);
        };
        let claims = json!({
            "sub": format!("local-{}", agent.id),
            "cognito:groups": [group(agent.role)],
            "iss": ISSUER,
            "client_id": "local-console",
            "token_use": "access",
            "scope": "aws.cognito.signin.user.admin",
            "auth_time": now,
            "iat": now,
            "exp": now + TOKEN_SECONDS,
            "jti": format!("{:032x}", rand::random::<u128>()),
            "username": agent.id.to_string(),
        });
        Ok(Some(self.sign(&claims)))
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

#[derive(Deserialize)]
pub struct SignIn {
    username: String,
    password: String,
}

/// `POST /dev/auth/token`: what the console calls instead of Cognito's InitiateAuth.
pub async fn token(
    State(issuer): State<Arc<LocalIssuer>>,
    body: Result<Json<SignIn>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(sign_in)) = body else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"code": "invalid_input", "message": "Send username and password as JSON."}})),
        )
            .into_response();
    };
    let now = chrono::Utc::now().timestamp();
    match issuer.sign_in(&sign_in.username, &sign_in.password, now).await {
        Ok(Some(token)) => Json(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
        }))
        .into_response(),
        Ok(None) => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": {"code": "invalid_credentials", "message": "Wrong user name or password."}})),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "sign-in failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `GET /agent/config.json`: tells the console how to sign in here.
pub async fn console_config() -> Response {
    Json(json!({"auth": "local", "token_url": "/dev/auth/token", "poll_seconds": 5}))
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_unaltered_and_unexpired() {
        let issuer = LocalIssuer::new(&[], Arc::new(testkit::InMemoryStore::default()));
        let token = issuer.sign(&json!({"iss": ISSUER, "exp": 100, "username": "ana"}));
        assert!(issuer.verify(&token, 99).is_some());
        assert!(issuer.verify(&token, 100).is_none(), "expired");
        let forged = token.replacen("eyJ", "eyK", 2);
        assert!(issuer.verify(&forged, 99).is_none());
        let other = issuer.sign(&json!({"iss": "someone-else", "exp": 100}));
        assert!(issuer.verify(&other, 99).is_none());
        let stranger = LocalIssuer::new(&[], Arc::new(testkit::InMemoryStore::default()));
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
