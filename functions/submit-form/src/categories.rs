//! `GET /api/categories`: what the start page offers, each category with its own
//! form, and the service hours and reply times of the policies they use, all
//! from the calendar the SLA clocks run on.

use crate::{Deps, Reader};
use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use helpdesk_domain::catalog::category::{FieldKind, FieldSchema};
use helpdesk_domain::sla::policy::{HoursLine, describe_business_minutes};
use lambda_kit::http::ApiError;
use serde::Serialize;
use std::sync::Arc;

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicCategory {
    id: String,
    name: String,
    description: String,
    hints: Vec<String>,
    fields: Vec<PublicField>,
    sla_policy: String,
    /// Where to write instead, for people who prefer mail.
    addresses: Vec<String>,
}

/// A detail field as the form shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicField {
    #[serde(flatten)]
    field: FieldSchema,
    /// A choice's options as the reader's language says them, in the options'
    /// order (the form sends the option itself); left out: the options as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    option_labels: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReplyWithin {
    standard: String,
    premium: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicPolicy {
    id: String,
    time_zone: String,
    hours: Vec<HoursLine>,
    upcoming_holidays: Vec<NaiveDate>,
    reply_within: ReplyWithin,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Categories {
    categories: Vec<PublicCategory>,
    policies: Vec<PublicPolicy>,
}

/// In the reader's language: the texts admins gave in it, the hours and reply
/// times in its words.
pub async fn list(
    State(deps): State<Arc<Deps>>,
    Reader(language): Reader,
) -> Result<Json<Categories>, ApiError> {
    let categories = deps.catalog.categories().await?;
    let now = deps.clock.now();
    let policies = deps
        .catalog
        .policies()
        .await?
        .into_iter()
        .filter(|p| categories.iter().any(|c| c.sla_policy == p.id))
        .map(|p| PublicPolicy {
            time_zone: p.calendar.time_zone().to_owned(),
            hours: p.calendar.hours_text(language),
            upcoming_holidays: p.calendar.upcoming_holidays(now, 5),
            reply_within: ReplyWithin {
                standard: describe_business_minutes(p.standard.first_response_minutes, language),
                premium: describe_business_minutes(p.premium.first_response_minutes, language),
            },
            id: p.id,
        })
        .collect();
    let categories = categories
        .into_iter()
        .map(|c| {
            let labels: Vec<Vec<String>> = c
                .fields
                .iter()
                .map(|f| c.option_labels(language, &f.name))
                .collect();
            (c.in_language(language), labels)
        })
        // Agents and which answers mean premium are internal; the addresses are
        // the ones customers write to.
        .map(|(c, labels)| PublicCategory {
            id: c.id.as_str().to_owned(),
            name: c.name,
            description: c.description,
            hints: c.hints,
            fields: c
                .fields
                .into_iter()
                .zip(labels)
                .map(|(f, option_labels)| PublicField {
                    field: without_tiers(f),
                    option_labels,
                })
                .collect(),
            sla_policy: c.sla_policy,
            addresses: c.addresses.iter().map(|a| a.as_str().to_owned()).collect(),
        })
        .collect();
    Ok(Json(Categories {
        categories,
        policies,
    }))
}

/// A field as the public sees it: a choice's premium answers left out (they would
/// tell a bot which one jumps the queue).
fn without_tiers(mut field: FieldSchema) -> FieldSchema {
    if let FieldKind::Choice { premium, .. } = &mut field.kind {
        premium.clear();
    }
    field
}
