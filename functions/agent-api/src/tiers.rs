//! The customer list: addresses and domains whose requests get a tier. Admins
//! keep it; everyone else gets 403.

use crate::admin::body_as;
use crate::auth::{Authed, admins_only};
use crate::{Deps, respond};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use helpdesk_domain::Tier;
use helpdesk_domain::agents::audit::{AuditAction, pattern_subject};
use helpdesk_domain::customers::tier_rule::TierRule;
use helpdesk_domain::customers::tiers::{TierRuleError, save_rule};
use helpdesk_domain::mail::inbound::quarantine::SenderPattern;
use lambda_kit::http::ApiError;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct TierRuleJson {
    /// `name@example.com` or `@example.com`.
    pattern: String,
    tier: Tier,
    note: String,
    by: String,
    at: DateTime<Utc>,
}

impl From<&TierRule> for TierRuleJson {
    fn from(r: &TierRule) -> Self {
        Self {
            pattern: r.pattern.text(),
            tier: r.tier,
            note: r.note.clone(),
            by: r.by.to_string(),
            at: r.at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TierRulesJson {
    /// Domains first, then addresses, each alphabetically.
    rules: Vec<TierRuleJson>,
}

pub async fn list(State(deps): State<Arc<Deps>>, Authed(caller): Authed) -> Response {
    let result = async {
        admins_only(&caller, "keep the customer list")?;
        let mut rules = deps.catalog.tier_rules().await?;
        rules.sort_by_key(|r| {
            (
                matches!(r.pattern, SenderPattern::Address(_)),
                r.pattern.text(),
            )
        });
        Ok::<_, ApiError>(Json(TierRulesJson {
            rules: rules.iter().map(TierRuleJson::from).collect(),
        }))
    }
    .await;
    respond(result)
}

/// A rule as an admin sets it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierRuleInput {
    /// An address (`name@example.com`) or a domain (`@example.com`); never a
    /// whole public mail provider.
    #[schema(
        max_length = 254,
        pattern = r"^(([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){0,2})?@)?([A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?\.){1,3}[A-Za-z]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?$"
    )]
    pattern: String,
    tier: Tier,
    /// Why, in one line (at most 200 characters).
    #[serde(default)]
    #[schema(max_length = 200, pattern = "^[^\\x00-\\x1f\\x7f]*$")]
    note: String,
}

pub async fn put(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        admins_only(&caller, "keep the customer list")?;
        let input: TierRuleInput = body_as(&headers, body).await?;
        let saved = save_rule(
            deps.catalog.as_ref(),
            &input.pattern,
            input.tier,
            &input.note,
            caller.id(),
            deps.clock.now(),
        )
        .await;
        match saved {
            Ok(rule) => {
                crate::privacy::record(
                    &deps,
                    &caller,
                    AuditAction::TierRuleSaved,
                    pattern_subject(&rule.pattern),
                    rule.tier.as_str(),
                )
                .await?;
                Ok(Json(TierRuleJson::from(&rule)))
            }
            Err(TierRuleError::Invalid { field, reason }) => {
                Err(ApiError::bad_field(field, reason))
            }
            Err(TierRuleError::Store(e)) => Err(e.into()),
        }
    }
    .await;
    respond(result)
}

pub async fn delete(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(text): Path<String>,
) -> Response {
    let result = async {
        admins_only(&caller, "keep the customer list")?;
        let pattern = SenderPattern::parse(&text)
            .map_err(|e| ApiError::bad_field("pattern", e.to_string()))?;
        if deps.catalog.delete_tier_rule(&pattern).await? {
            crate::privacy::record(
                &deps,
                &caller,
                AuditAction::TierRuleRemoved,
                pattern_subject(&pattern),
                "",
            )
            .await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        } else {
            Err(ApiError::not_found())
        }
    }
    .await;
    respond(result)
}
