//! `GET /api/faq?category=&q=`: answers as the customer types (every search is
//! logged for the reports), or the top questions when nothing is typed.

use crate::Deps;
use axum::Json;
use axum::extract::{Query, State};
use helpdesk_domain::catalog::FaqEntry;
use helpdesk_domain::faq::{self, FaqSearch};
use helpdesk_domain::{CategoryId, FieldError};
use lambda_kit::http::ApiError;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

const RESULTS: usize = 5;

#[derive(Deserialize)]
pub struct FaqQuery {
    category: Option<String>,
    q: Option<String>,
}

#[derive(Serialize)]
struct Answer {
    id: String,
    category: String,
    question: String,
    answer: String,
}

#[derive(Serialize)]
pub struct Answers {
    results: Vec<Answer>,
}

fn answer(e: &FaqEntry) -> Answer {
    Answer {
        id: e.id.as_str().to_owned(),
        category: e.category.as_str().to_owned(),
        question: e.question.clone(),
        answer: e.answer.clone(),
    }
}

pub async fn search(
    State(deps): State<Arc<Deps>>,
    Query(query): Query<FaqQuery>,
) -> Result<Json<Answers>, ApiError> {
    let categories = deps.catalog.categories().await?;
    let scope: Vec<CategoryId> = match query
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => categories.iter().map(|c| c.id.clone()).collect(),
        Some(raw) => match categories.iter().find(|c| c.id.as_str() == raw) {
            Some(c) => vec![c.id.clone()],
            None => {
                return Err(ApiError::invalid(vec![FieldError::new(
                    "category",
                    "is not one of our categories",
                )]));
            }
        },
    };
    let text = query.q.unwrap_or_default();
    if text.chars().count() > faq::MAX_QUERY {
        return Err(ApiError::invalid(vec![FieldError::new(
            "q",
            format!("is longer than {} characters", faq::MAX_QUERY),
        )]));
    }
    // Entries in display order: by category order, then their own position.
    let mut entries = Vec::new();
    for id in &scope {
        let mut of_category = deps.catalog.faq(id).await?;
        of_category.sort_by_key(|e| e.position);
        entries.extend(of_category);
    }
    let normalized = faq::normalize_query(&text);
    if normalized.is_empty() {
        let mut top: Vec<&FaqEntry> = entries.iter().filter(|e| e.published).collect();
        top.sort_by_key(|e| e.position);
        return Ok(Json(Answers {
            results: top.into_iter().take(RESULTS).map(answer).collect(),
        }));
    }
    let found = faq::search(&entries, &text, RESULTS);
    let logged = FaqSearch {
        query: normalized,
        category: (scope.len() == 1).then(|| scope[0].clone()),
        results: found.len() as u32,
        at: deps.clock.now(),
    };
    // The answer matters more than the statistic: a failed log is only reported.
    if let Err(e) = deps.catalog.log_faq_search(&logged).await {
        tracing::warn!(error = %e, "FAQ search not logged");
    }
    Ok(Json(Answers {
        results: found.into_iter().map(answer).collect(),
    }))
}
