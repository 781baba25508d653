//! Saved views: a search (words and filters) kept under a name, for the agent
//! alone or shared with everyone who works a category, shown in the console's
//! sidebar with how many tickets match now. The count comes from the word
//! index (one query, no table read per ticket); the list of views is one read
//! per scope.

use crate::agents::actions::Caller;
use crate::agents::profile::Role;
use crate::catalog::category::FieldError;
use crate::ports::store::StoreError;
use crate::ports::{IdSource, SavedViews, WordIndex};
use crate::search::find::scope;
use crate::search::query::{RawSearch, WordQuery};
use crate::values::ids::CategoryId;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Views one agent keeps for themself, and views one category's team shares.
pub const MAX_VIEWS: usize = 20;
pub const MAX_NAME_CHARS: usize = 60;

pub use super::saved_view::{SavedView, ViewScope};

/// A view's search, read again.
fn query_of(view: &SavedView) -> Result<WordQuery, FieldError> {
    let raw = RawSearch::from_pairs(view.search.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    WordQuery::parse(&raw)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViewError {
    #[error("invalid input")]
    Invalid(FieldError),
    #[error("no such view")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &str, reason: &str) -> ViewError {
    ViewError::Invalid(FieldError::new(field, reason))
}

/// The scopes whose views the caller sees: their own, and each category's
/// they work (of `categories`, the desk's).
fn scopes(caller: &Caller, categories: &[CategoryId]) -> Vec<ViewScope> {
    let mut all = vec![ViewScope::Mine(caller.agent.id.clone())];
    all.extend(
        caller
            .categories(categories)
            .into_iter()
            .map(ViewScope::Team),
    );
    all
}

/// A view and how many tickets it shows now (`None`: its search no longer
/// reads, say a tag since renamed; it shows and can be deleted).
#[derive(Debug, Clone, PartialEq)]
pub struct Counted {
    pub view: SavedView,
    pub count: Option<u64>,
}

/// The caller's views, theirs first, then by name; each with its count.
pub async fn views<S, I>(
    store: &S,
    index: &I,
    caller: &Caller,
    categories: &[CategoryId],
) -> Result<Vec<Counted>, StoreError>
where
    S: SavedViews + ?Sized,
    I: WordIndex + ?Sized,
{
    let mut out = Vec::new();
    for s in scopes(caller, categories) {
        let mut views = store.saved_views(&s).await?;
        views.sort_by_key(|a| a.name.to_lowercase());
        for view in views {
            let count = count(index, caller, &view).await?;
            out.push(Counted { view, count });
        }
    }
    Ok(out)
}

/// How many tickets the view shows the caller now: only of the categories
/// they cover (a filter on another finds none); `None` when its search no
/// longer reads.
pub async fn count<I>(
    index: &I,
    caller: &Caller,
    view: &SavedView,
) -> Result<Option<u64>, StoreError>
where
    I: WordIndex + ?Sized,
{
    let Ok(q) = query_of(view) else {
        return Ok(None);
    };
    if q.filters
        .category
        .as_ref()
        .is_some_and(|c| !caller.covers(c))
    {
        return Ok(Some(0));
    }
    Ok(Some(index.count(&q, scope(caller).as_deref()).await?))
}

/// Saves the search under `name`, for the caller or shared with a category
/// they work.
#[allow(clippy::too_many_arguments)]
pub async fn save<S>(
    store: &S,
    ids: &dyn IdSource,
    caller: &Caller,
    name: &str,
    shared_with: Option<&str>,
    search: BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> Result<SavedView, ViewError>
where
    S: SavedViews + ?Sized,
{
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid("name", "is empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid("name", "is longer than 60 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid("name", "contains control characters"));
    }
    let shared_with = match shared_with.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => {
            let c =
                CategoryId::parse(c).map_err(|_| invalid("shared_with", "is not a category id"))?;
            if !caller.covers(&c) {
                return Err(invalid("shared_with", "is not a category you work"));
            }
            Some(c)
        }
    };
    let search: BTreeMap<String, String> = search
        .into_iter()
        .map(|(k, v)| (k, v.trim().to_owned()))
        .filter(|(k, v)| k != "page" && !v.is_empty())
        .collect();
    let raw = RawSearch::from_pairs(search.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| invalid(&format!("search.{}", e.field), &e.reason))?;
    WordQuery::parse(&raw).map_err(|e| invalid(&format!("search.{}", e.field), &e.reason))?;
    // A team's view shows its team's tickets: a filter on another category
    // would put that category's search words in front of the team.
    if let (Some(team), Some(category)) = (&shared_with, raw.category.as_deref())
        && category.trim() != team.as_str()
    {
        return Err(invalid(
            "search.category",
            "must be the category the view is shared with",
        ));
    }
    if raw.q.as_deref().is_none_or(|q| q.trim().is_empty()) && !raw.filtered() {
        return Err(invalid("search", "is empty: give words or a filter"));
    }
    let view = SavedView {
        id: format!("v{}", &ids.secret_token().hash().as_str()[..16]),
        name: name.to_owned(),
        owner: caller.agent.id.clone(),
        shared_with,
        search,
        created_at: now,
    };
    if store.saved_views(&view.scope()).await?.len() >= MAX_VIEWS {
        return Err(invalid(
            "name",
            "20 views are kept here already: delete one first",
        ));
    }
    store.put_saved_view(&view).await?;
    Ok(view)
}

/// Deletes a view the caller sees: their own, or a shared one they made; a
/// supervisor or admin any shared one.
pub async fn delete<S>(
    store: &S,
    caller: &Caller,
    categories: &[CategoryId],
    id: &str,
) -> Result<SavedView, ViewError>
where
    S: SavedViews + ?Sized,
{
    for s in scopes(caller, categories) {
        let found = store
            .saved_views(&s)
            .await?
            .into_iter()
            .find(|v| v.id == id);
        if let Some(view) = found {
            let allowed = view.owner == caller.agent.id || caller.role != Role::Agent;
            if !allowed {
                return Err(ViewError::NotFound);
            }
            store.delete_saved_view(&s, id).await?;
            return Ok(view);
        }
    }
    Err(ViewError::NotFound)
}
