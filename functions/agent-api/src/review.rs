//! Held mail, for supervisors and admins: what was quarantined and why, a safe
//! look at one (text, sanitized HTML without remote images, attachment names),
//! releasing one into a ticket, and the sender rules (block an address or a
//! domain, or always allow it past a spam verdict). Agents get 403.

use crate::admin::body_as;
use crate::auth::Authed;
use crate::{Deps, respond};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use helpdesk_domain::agents::actions::Caller;
use helpdesk_domain::agents::audit::{AuditAction, pattern_subject};
use helpdesk_domain::agents::profile::Role;
use helpdesk_domain::mail::inbound::parse::MailLimits;
use helpdesk_domain::mail::inbound::quarantine::{
    HeldPosition, KEPT_DAYS, QuarantineReason, Quarantined, SenderPattern, SenderRule,
    SenderVerdict,
};
use helpdesk_domain::mail::inbound::review::{self, ReleaseError};
use lambda_kit::http::ApiError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::ToSchema;

/// Days the list covers unless asked otherwise.
const DEFAULT_DAYS: i64 = 7;

fn reviewers_only(caller: &Caller) -> Result<(), ApiError> {
    match caller.role {
        Role::Supervisor | Role::Admin => Ok(()),
        Role::Agent => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Held mail is for supervisors and admins.",
        )),
    }
}

/// One held mail as the list shows it.
#[derive(Serialize, ToSchema)]
pub struct HeldJson {
    ses_id: String,
    received_at: DateTime<Utc>,
    from: Option<String>,
    subject: String,
    /// spam, virus, unreadable, automatic, spoofed or blocked.
    reason: String,
    /// What exactly (the automatic kind, the forgery, the rule that blocked it).
    detail: Option<String>,
    /// Spam, blocked and automatic mail can be released; the rest never.
    releasable: bool,
    released_by: Option<String>,
    released_at: Option<DateTime<Utc>>,
    /// When the record is forgotten.
    expires_at: DateTime<Utc>,
}

impl From<&Quarantined> for HeldJson {
    fn from(q: &Quarantined) -> Self {
        let (reason, detail) = match &q.reason {
            QuarantineReason::Spam => ("spam", None),
            QuarantineReason::Virus => ("virus", None),
            QuarantineReason::Unreadable(why) => ("unreadable", Some(format!("{why:?}"))),
            QuarantineReason::Automatic(why) => ("automatic", Some(format!("{why:?}"))),
            QuarantineReason::Spoofed(why) => ("spoofed", Some(why.clone())),
            QuarantineReason::Blocked(rule) => ("blocked", Some(rule.clone())),
        };
        Self {
            ses_id: q.ses_id.clone(),
            received_at: q.received_at,
            from: q.from.clone(),
            subject: q.subject.clone(),
            reason: reason.into(),
            detail,
            releasable: q.reason.releasable(),
            released_by: q.released.as_ref().map(|r| r.by.to_string()),
            released_at: q.released.as_ref().map(|r| r.at),
            expires_at: q.expires_at(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HeldListJson {
    /// Newest first, at most 50.
    items: Vec<HeldJson>,
    days: i64,
    /// Ask again with `before` set to this for the next page; none on the last.
    next: Option<String>,
}

/// How many held mails one page of the list holds.
const PAGE: usize = 50;

/// `days`: 1 to 30 (how long held mail is kept), 7 when not given; `before`:
/// the `next` of the page before.
fn list_query(query: &HashMap<String, String>) -> Result<(i64, Option<HeldPosition>), ApiError> {
    let allowed = ["days", "before"];
    if let Some(other) = query.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::bad_field(
            other.clone(),
            "is not a parameter here",
        ));
    }
    let days = match query.get("days") {
        None => DEFAULT_DAYS,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=KEPT_DAYS).contains(d))
            .ok_or_else(|| {
                ApiError::bad_field("days", format!("a whole number from 1 to {KEPT_DAYS}"))
            })?,
    };
    let before = query
        .get("before")
        .map(|raw| {
            position(raw).ok_or_else(|| {
                ApiError::bad_field("before", "the `next` of an earlier page of this list")
            })
        })
        .transpose()?;
    Ok((days, before))
}

/// A page boundary as the list hands it out: `<microseconds>-<ses_id>` (the
/// store orders by the microsecond: anything coarser would skip records).
fn cursor(p: &HeldPosition) -> String {
    format!("{}-{}", p.received_at.timestamp_micros(), p.ses_id)
}

fn position(raw: &str) -> Option<HeldPosition> {
    let (micros, ses_id) = raw.split_once('-')?;
    let micros = micros
        .parse::<i64>()
        .ok()
        .filter(|_| micros.bytes().all(|b| b.is_ascii_digit()))?;
    Some(HeldPosition {
        received_at: DateTime::from_timestamp_micros(micros)?,
        ses_id: ses_id_of(ses_id).ok()?,
    })
}

pub async fn list(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        reviewers_only(&caller)?;
        let (days, before) = list_query(&query)?;
        let now = deps.clock.now();
        let (items, next) =
            review::held_mail(deps.mail.as_ref(), now, days, before.as_ref(), PAGE).await?;
        Ok::<_, ApiError>(Json(HeldListJson {
            items: items.iter().map(HeldJson::from).collect(),
            days,
            next: next.as_ref().map(cursor),
        }))
    }
    .await;
    respond(result)
}

fn ses_id_of(ses_id: &str) -> Result<String, ApiError> {
    let fits = !ses_id.is_empty()
        && ses_id.len() <= 128
        && ses_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !fits {
        return Err(ApiError::bad_field(
            "ses_id",
            "the id of a held mail (letters, digits, - _ .; at most 128)",
        ));
    }
    Ok(ses_id.to_owned())
}

async fn held(deps: &Deps, ses_id: &str) -> Result<Quarantined, ApiError> {
    review::find(deps.mail.as_ref(), ses_id, deps.clock.now())
        .await?
        .ok_or_else(ApiError::not_found)
}

/// The held mail as it arrived, made safe to look at.
#[derive(Serialize, ToSchema)]
pub struct OriginalJson {
    from: String,
    from_name: String,
    to: Vec<String>,
    subject: String,
    /// Clipped to 20,000 characters.
    text: String,
    /// Sanitized, remote images removed: show it in a sandboxed frame.
    html: Option<String>,
    blocked_images: u32,
    attachments: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HeldMailJson {
    held: HeldJson,
    /// None when the original is no longer kept or cannot be read.
    original: Option<OriginalJson>,
}

pub async fn show(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(ses_id): Path<String>,
) -> Response {
    let result = async {
        reviewers_only(&caller)?;
        let ses_id = ses_id_of(&ses_id)?;
        let item = held(&deps, &ses_id).await?;
        let original = review::preview(deps.raw_mail.as_ref(), &item, &MailLimits::default())
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "held mail not read");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The stored mail cannot be read just now. Try again.",
                )
            })?
            .map(|p| OriginalJson {
                from: p.from,
                from_name: p.from_name,
                to: p.to,
                subject: p.subject,
                text: p.text,
                html: p.html.map(String::from),
                blocked_images: p.blocked_images,
                attachments: p.attachments,
            });
        Ok::<_, ApiError>(Json(HeldMailJson {
            held: HeldJson::from(&item),
            original,
        }))
    }
    .await;
    respond(result)
}

#[derive(Serialize, ToSchema)]
pub struct ReleasedJson {
    held: HeldJson,
    /// False when someone had released it before (it was handed over again).
    released_now: bool,
}

pub async fn release(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(ses_id): Path<String>,
) -> Response {
    let result = async {
        reviewers_only(&caller)?;
        let ses_id = ses_id_of(&ses_id)?;
        let released = review::release(
            deps.mail.as_ref(),
            deps.redelivery.as_ref(),
            &ses_id,
            &caller.agent.id,
            deps.clock.now(),
        )
        .await;
        match released {
            Ok((item, released_now)) => Ok(Json(ReleasedJson {
                held: HeldJson::from(&item),
                released_now,
            })),
            Err(ReleaseError::NotFound(_)) => Err(ApiError::not_found()),
            Err(e @ ReleaseError::NotReleasable(_)) => Err(ApiError::new(
                StatusCode::CONFLICT,
                "not_releasable",
                e.to_string(),
            )),
            Err(ReleaseError::Store(e)) => Err(e.into()),
            Err(ReleaseError::Queue(e)) => {
                tracing::warn!(error = %e, "released mail not handed over");
                Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Released, but not handed to receiving yet: release it again in a moment.",
                ))
            }
        }
    }
    .await;
    respond(result)
}

#[derive(Serialize, ToSchema)]
pub struct RuleJson {
    /// `name@example.com` or `@example.com`.
    pattern: String,
    verdict: SenderVerdict,
    by: String,
    at: DateTime<Utc>,
}

impl From<&SenderRule> for RuleJson {
    fn from(r: &SenderRule) -> Self {
        Self {
            pattern: r.pattern.text(),
            verdict: r.verdict,
            by: r.by.to_string(),
            at: r.at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RulesJson {
    rules: Vec<RuleJson>,
}

pub async fn rules(State(deps): State<Arc<Deps>>, Authed(caller): Authed) -> Response {
    let result = async {
        reviewers_only(&caller)?;
        let rules = deps.mail.sender_rules().await?;
        Ok::<_, ApiError>(Json(RulesJson {
            rules: rules.iter().map(RuleJson::from).collect(),
        }))
    }
    .await;
    respond(result)
}

/// A rule as a reviewer sets it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    /// An address (`name@example.com`) or a domain (`@example.com`).
    #[schema(
        max_length = 254,
        pattern = r"^(([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){0,2})?@)?([A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?\.){1,3}[A-Za-z]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?$"
    )]
    pattern: String,
    verdict: SenderVerdict,
}

fn pattern(text: &str) -> Result<SenderPattern, ApiError> {
    SenderPattern::parse(text).map_err(|e| ApiError::bad_field("pattern", e.to_string()))
}

pub async fn put_rule(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        reviewers_only(&caller)?;
        let input: RuleInput = body_as(&headers, body).await?;
        let pattern = SenderPattern::parse_for_rule(&input.pattern)
            .map_err(|e| ApiError::bad_field("pattern", e.to_string()))?;
        let rule = SenderRule {
            pattern,
            verdict: input.verdict,
            by: caller.agent.id.clone(),
            at: deps.clock.now(),
        };
        deps.mail.put_sender_rule(&rule).await?;
        crate::privacy::record(
            &deps,
            &caller,
            AuditAction::SenderRuleSaved,
            pattern_subject(&rule.pattern),
            format!("{:?}", rule.verdict).to_lowercase(),
        )
        .await?;
        Ok::<_, ApiError>(Json(RuleJson::from(&rule)))
    }
    .await;
    respond(result)
}

pub async fn delete_rule(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(text): Path<String>,
) -> Response {
    let result = async {
        reviewers_only(&caller)?;
        let pattern = pattern(&text)?;
        if deps.mail.delete_sender_rule(&pattern).await? {
            crate::privacy::record(
                &deps,
                &caller,
                AuditAction::SenderRuleRemoved,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_cursor_keeps_the_microsecond_the_store_orders_by() {
        let at = DateTime::from_timestamp_micros(1_796_371_200_123_456).unwrap_or_default();
        let p = HeldPosition {
            received_at: at,
            ses_id: "ses-a.1_b".into(),
        };
        assert_eq!(position(&cursor(&p)), Some(p));
        assert_eq!(position("-ses"), None);
        assert_eq!(position("+1-ses"), None);
        assert_eq!(position("99999999999999999999-ses"), None);
    }
}
