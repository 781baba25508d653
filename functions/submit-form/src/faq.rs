//! `GET /api/faq?category=&q=`: answers as the customer types (every search is
//! counted for the reports), or the top questions when nothing is typed. The rules
//! live in `helpdesk_domain::faq::FaqLookup`.

use crate::Deps;
use axum::Json;
use axum::extract::{Query, State};
use helpdesk_domain::catalog::FaqEntry;
use helpdesk_domain::faq::{FaqError, FaqLookup};
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
    Query(query): Query<FaqQuery>,
) -> Result<Json<Answers>, ApiError> {
    let lookup = FaqLookup {
        catalog: &*deps.catalog,
        clock: &*deps.clock,
    };
    let found = lookup
        .answers(
            query.category.as_deref(),
            query.q.as_deref().unwrap_or(""),
            RESULTS,
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
