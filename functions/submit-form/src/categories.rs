//! `GET /api/categories`: what the start page offers, with each category's form.

use crate::Deps;
use axum::Json;
use axum::extract::State;
use helpdesk_domain::category::FieldSchema;
use lambda_kit::http::ApiError;
use serde::Serialize;
use std::sync::Arc;

#[derive(Serialize)]
pub struct PublicCategory {
    id: String,
    name: String,
    description: String,
    hints: Vec<String>,
    fields: Vec<FieldSchema>,
}

#[derive(Serialize)]
pub struct Categories {
    categories: Vec<PublicCategory>,
}

pub async fn list(State(deps): State<Arc<Deps>>) -> Result<Json<Categories>, ApiError> {
    let categories = deps
        .catalog
        .categories()
        .await?
        .into_iter()
        // Addresses, agents and policies are internal.
        .map(|c| PublicCategory {
            id: c.id.as_str().to_owned(),
            name: c.name,
            description: c.description,
            hints: c.hints,
            fields: c.fields,
        })
        .collect();
    Ok(Json(Categories { categories }))
}
