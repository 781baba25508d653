//! `GET /api/faq?category=&q=`: answers as the customer types (every search is
//! counted for the reports), or the top questions when nothing is typed. The rules
//! live in `helpdesk_domain::catalog::help_center::FaqLookup`. `POST /api/faq/reads`: the help
//! center says a visitor opened an answer (once per visit), for the reports.

use crate::{Deps, Reader, Visitor};
use axum::extract::{Query, State};
use axum::{Extension, Json};
use helpdesk_domain::catalog::faq::FaqEntry;
use helpdesk_domain::catalog::help_center::{FaqError, FaqLookup, FaqReads};
use lambda_kit::http::ApiError;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

const RESULTS: usize = 5;

#[derive(Deserialize)]
pub struct FaqQuery {
    category: Option<String>,
    q: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Answer {
    id: String,
    category: String,
    question: String,
    answer: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Answers {
    results: Vec<Answer>,
}

fn answer(e: FaqEntry) -> Answer {
    Answer {
        id: e.id.as_str().to_owned(),
        category: e.category.as_str().to_owned(),
        question: e.question,
        answer: e.answer,
    }
}

pub async fn search(
    State(deps): State<Arc<Deps>>,
    Extension(Visitor(client)): Extension<Visitor>,
    Reader(language): Reader,
    Query(query): Query<FaqQuery>,
) -> Result<Json<Answers>, ApiError> {
    let lookup = lookup(&deps, language);
    let found = lookup
        .answers(
            query.category.as_deref(),
            query.q.as_deref().unwrap_or(""),
            RESULTS,
            &client.to_string(),
        )
        .await
        .map_err(|e| match e {
            FaqError::Invalid(fields) => ApiError::invalid(fields),
            FaqError::Store(e) => ApiError::from(e),
        })?;
    Ok(Json(Answers {
        results: found.into_iter().map(answer).collect(),
    }))
}

/// `{"faq": "<category>/<id>"}`: 204 once counted; 404 for no such published answer.
pub async fn read(
    State(deps): State<Arc<Deps>>,
    Extension(Visitor(client)): Extension<Visitor>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<axum::http::StatusCode, ApiError> {
    let (map, _) = lambda_kit::http::json_object(&headers, body, 1024).await?;
    let mut fields = lambda_kit::http::Fields::new(map, &["faq"]);
    let reference = fields.string("faq");
    if !fields.errors.is_empty() {
        return Err(ApiError::invalid(fields.errors));
    }
    let reads = FaqReads {
        catalog: &*deps.catalog,
        clock: &*deps.clock,
    };
    let opened = reads
        .opened(
            &reference,
            &client.to_string(),
            &*deps.tickets,
            &deps.policy.faq,
        )
        .await?;
    if opened {
        Ok(axum::http::StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

/// An answer's own page: the answer, where it lives, and related answers.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AnswerPageJson {
    answer: Answer,
    /// Its stable address on the help center.
    url: String,
    related: Vec<Answer>,
}

fn lookup(deps: &Deps, language: helpdesk_domain::i18n::Language) -> FaqLookup<'_> {
    FaqLookup {
        catalog: &*deps.catalog,
        limits: &*deps.tickets,
        clock: &*deps.clock,
        policy: &deps.policy.faq,
        language,
    }
}

/// `GET /api/faq/{category}/{id}`: a published answer and its related ones; 404
/// for a draft or no such answer.
pub async fn page(
    State(deps): State<Arc<Deps>>,
    Reader(language): Reader,
    axum::extract::Path((category, id)): axum::extract::Path<(String, String)>,
) -> Result<Json<AnswerPageJson>, ApiError> {
    let page = lookup(&deps, language)
        .page(&category, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(AnswerPageJson {
        url: page_url(&page.entry),
        answer: answer(page.entry),
        related: page.related.into_iter().map(answer).collect(),
    }))
}

/// Where an answer lives on the help center (what `{{faq:category/id}}` in a
/// reply becomes).
pub fn page_url(e: &FaqEntry) -> String {
    helpdesk_domain::agents::canned::answer_path(&e.category, &e.id)
}

/// `POST /api/faq/{category}/{id}/vote` with `{"helpful": true|false}`: 204 once
/// counted; 404 for no such published answer.
pub async fn vote(
    State(deps): State<Arc<Deps>>,
    Extension(Visitor(client)): Extension<Visitor>,
    axum::extract::Path((category, id)): axum::extract::Path<(String, String)>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<axum::http::StatusCode, ApiError> {
    let (map, _) = lambda_kit::http::json_object(&headers, body, 1024).await?;
    let mut fields = lambda_kit::http::Fields::new(map, &["helpful"]);
    let helpful = fields.optional_bool("helpful");
    let Some(helpful) = helpful.filter(|_| fields.errors.is_empty()) else {
        if fields.errors.is_empty() {
            fields.errors.push(helpdesk_domain::FieldError::new(
                "helpful",
                "send true or false",
            ));
        }
        return Err(ApiError::invalid(fields.errors));
    };
    if lookup(&deps, helpdesk_domain::i18n::Language::En)
        .vote(&category, &id, helpful, &client.to_string())
        .await?
    {
        Ok(axum::http::StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}
