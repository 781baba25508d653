//! Saved views: the caller's own and their teams', each with how many tickets
//! it shows now; saving one and deleting one.

use crate::admin::body_as;
use crate::auth::Authed;
use crate::{Deps, respond};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use helpdesk_domain::CategoryId;
use helpdesk_domain::agents::saved_views::{self, Counted, SavedView, ViewError};
use lambda_kit::http::ApiError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ViewJson {
    id: String,
    name: String,
    /// Who saved it.
    owner: String,
    /// The category whose team shares it; none when it is the owner's alone.
    shared_with: Option<String>,
    /// The search's parameters, as `GET /api/agent/search` takes them.
    search: BTreeMap<String, String>,
    /// How many tickets it shows now (none when its search no longer reads).
    count: Option<u64>,
    created_at: DateTime<Utc>,
}

impl ViewJson {
    fn of(view: SavedView, count: Option<u64>) -> Self {
        Self {
            id: view.id,
            name: view.name,
            owner: view.owner.to_string(),
            shared_with: view.shared_with.map(|c| c.to_string()),
            search: view.search,
            count,
            created_at: view.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ViewsJson {
    /// Yours first, then each team's; by name.
    views: Vec<ViewJson>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewInput {
    /// At most 60 characters.
    #[schema(min_length = 1, max_length = 60)]
    name: String,
    /// A category you work, to share the view with its team; leave out to keep
    /// it yours alone.
    shared_with: Option<String>,
    /// The search: `q` and filters, named as `GET /api/agent/search` names them.
    search: BTreeMap<String, String>,
}

fn refused(e: ViewError) -> ApiError {
    match e {
        ViewError::Invalid(f) => ApiError::invalid(vec![f]),
        ViewError::NotFound => ApiError::not_found(),
        ViewError::Store(e) => e.into(),
    }
}

async fn categories(deps: &Deps) -> Result<Vec<CategoryId>, ApiError> {
    Ok(deps
        .catalog
        .categories()
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect())
}

/// `GET /api/agent/views`
pub async fn list(State(deps): State<Arc<Deps>>, Authed(caller): Authed) -> Response {
    let result = async {
        let all = categories(&deps).await?;
        let views = saved_views::views(&*deps.tickets, &*deps.index, &caller, &all).await?;
        Ok::<_, ApiError>(Json(ViewsJson {
            views: views
                .into_iter()
                .map(|Counted { view, count }| ViewJson::of(view, count))
                .collect(),
        }))
    }
    .await;
    respond(result)
}

/// `POST /api/agent/views`
pub async fn create(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let input: ViewInput = body_as(&headers, body).await?;
        let view = saved_views::save(
            &*deps.tickets,
            &*deps.ids,
            &caller,
            &input.name,
            input.shared_with.as_deref(),
            input.search,
            deps.clock.now(),
        )
        .await
        .map_err(refused)?;
        let count = saved_views::count(&*deps.index, &caller, &view).await?;
        Ok::<_, ApiError>((StatusCode::CREATED, Json(ViewJson::of(view, count))).into_response())
    }
    .await;
    respond(result)
}

/// `DELETE /api/agent/views/{id}`
pub async fn remove(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let all = categories(&deps).await?;
        let gone = saved_views::delete(&*deps.tickets, &caller, &all, &id)
            .await
            .map_err(refused)?;
        Ok::<_, ApiError>(Json(ViewJson::of(gone, None)))
    }
    .await;
    respond(result)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameTagInput {
    /// The tag to rename.
    #[schema(max_length = 32)]
    from: String,
    /// Its new name; a tag already in use merges the two.
    #[schema(max_length = 32)]
    to: String,
}

#[derive(Serialize, ToSchema)]
pub struct RenamedJson {
    /// Tickets that carried the old tag and now carry the new one.
    changed: usize,
    /// Tickets still carrying the old tag (past the 100 one call renames, or
    /// changed by someone at the same moment): rename again.
    left: usize,
}

/// `POST /api/agent/tags/rename` (admins)
pub async fn rename_tag(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Body,
) -> Response {
    use helpdesk_domain::agents::tag_admin::{RenameError, rename};
    use helpdesk_domain::values::tag::Tag;
    let result = async {
        let input: RenameTagInput = body_as(&headers, body).await?;
        let tag = |field: &str, raw: &str| {
            Tag::parse(raw).map_err(|e| ApiError::bad_field(field, e.to_string()))
        };
        let (from, to) = (tag("from", &input.from)?, tag("to", &input.to)?);
        let done = rename(&deps.desk(), &*deps.index, &caller, &from, &to)
            .await
            .map_err(|e| match e {
                RenameError::Invalid(f) => ApiError::invalid(vec![f]),
                RenameError::Forbidden => ApiError::new(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "Only admins rename and merge tags.",
                ),
                RenameError::Store(e) => e.into(),
            })?;
        Ok::<_, ApiError>(Json(RenamedJson {
            changed: done.changed,
            left: done.left,
        }))
    }
    .await;
    respond(result)
}
