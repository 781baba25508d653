//! Who is calling: the claims API Gateway's JWT authorizer verified (locally, the
//! runner's issuer verifies and passes the same claims), checked against the
//! agent's record. Nothing here trusts a header the browser sets.

use crate::Deps;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use helpdesk_domain::AgentId;
use helpdesk_domain::agents::actions::Caller;
use helpdesk_domain::agents::profile::Role;
use lambda_http::request::RequestContext;
use lambda_kit::http::ApiError;
use std::collections::HashMap;
use std::sync::Arc;

/// The identity the claims vouch for, before the agent record is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub agent: AgentId,
    pub role: Role,
}

/// Refuses anyone but an admin, saying what only admins do.
pub(crate) fn admins_only(caller: &Caller, what: &str) -> Result<(), ApiError> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("Only admins {what}."),
        ))
    }
}

fn unauthorized(why: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        format!("Sign in again: {why}."),
    )
}

/// Reads an access token's claims (as the authorizer passes them: every value a
/// string, lists as `[a b]`) into an identity. ID tokens are refused: they are
/// meant for the browser, not for calling APIs.
pub fn identity(claims: &HashMap<String, String>) -> Result<Identity, ApiError> {
    if claims.get("token_use").map(String::as_str) != Some("access") {
        return Err(unauthorized("an access token is required"));
    }
    let username = claims
        .get("username")
        .ok_or_else(|| unauthorized("the token names no user"))?;
    let agent = AgentId::parse(username).map_err(|_| unauthorized("the user name is not valid"))?;
    let groups = claims
        .get("cognito:groups")
        .map(|g| groups(g))
        .unwrap_or_default();
    let role = if groups.iter().any(|g| g == "admins") {
        Role::Admin
    } else if groups.iter().any(|g| g == "supervisors") {
        Role::Supervisor
    } else if groups.iter().any(|g| g == "agents") {
        Role::Agent
    } else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "no_role",
            "Your account is in none of the groups agents, supervisors or admins.",
        ));
    };
    Ok(Identity { agent, role })
}

/// A list claim in any of the forms it arrives in: `[a b]` (API Gateway),
/// `["a","b"]` (JSON), `a,b` or a single value.
fn groups(raw: &str) -> Vec<String> {
    if let Ok(list) = serde_json::from_str::<Vec<String>>(raw) {
        return list;
    }
    raw.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The signed-in agent, with the record that says which categories are theirs.
pub struct Authed(pub Caller);

impl FromRequestParts<Arc<Deps>> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        deps: &Arc<Deps>,
    ) -> Result<Self, Self::Rejection> {
        let claims = match parts.extensions.get::<RequestContext>() {
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx
                .authorizer
                .as_ref()
                .and_then(|a| a.jwt.as_ref())
                .map(|jwt| &jwt.claims),
            _ => None,
        }
        .ok_or_else(|| unauthorized("no verified token came with the request"))?;
        let id = identity(claims)?;
        let agent = deps.catalog.agent(&id.agent).await?.ok_or_else(|| {
            ApiError::new(
                StatusCode::FORBIDDEN,
                "no_agent_profile",
                "Your sign-in works, but no agent profile exists for it. Ask an admin.",
            )
        })?;
        // Both must allow it: the group (identity provider) and the record (which
        // an admin can lower here at once).
        let role = id.role.least(agent.role);
        Ok(Authed(Caller { agent, role }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_form_of_the_groups_claim_reads_the_same() {
        for raw in [
            "[agents supervisors]",
            r#"["agents","supervisors"]"#,
            "agents,supervisors",
        ] {
            assert_eq!(groups(raw), vec!["agents", "supervisors"], "{raw}");
        }
        assert_eq!(groups("admins"), vec!["admins"]);
    }

    #[test]
    fn the_highest_group_is_the_role_and_id_tokens_are_refused() {
        let c = claims(&[
            ("token_use", "access"),
            ("username", "sue"),
            ("cognito:groups", "[agents supervisors]"),
        ]);
        assert_eq!(identity(&c).unwrap().role, Role::Supervisor);
        let id_token = claims(&[
            ("token_use", "id"),
            ("username", "sue"),
            ("cognito:groups", "[admins]"),
        ]);
        assert_eq!(
            identity(&id_token).unwrap_err().status,
            StatusCode::UNAUTHORIZED
        );
        let no_group = claims(&[("token_use", "access"), ("username", "sue")]);
        assert_eq!(
            identity(&no_group).unwrap_err().status,
            StatusCode::FORBIDDEN
        );
        let bad_name = claims(&[
            ("token_use", "access"),
            ("username", "sue\r\nx"),
            ("cognito:groups", "[admins]"),
        ]);
        assert_eq!(
            identity(&bad_name).unwrap_err().status,
            StatusCode::UNAUTHORIZED
        );
    }
}
