//! Answering a word search for an agent: only the categories they cover are
//! asked for (a category they do not cover finds nothing, as if it did not
//! exist), and each hit comes with its snippet.

use super::query::WordQuery;
use super::snippet::{Part, snippet};
use crate::agents::actions::Caller;
use crate::agents::profile::Role;
use crate::ports::WordIndex;
use crate::ports::store::{StoreError, TicketSummary};
use crate::values::ids::CategoryId;

pub use super::hits::{IndexHit, IndexPage};

#[derive(Debug, Clone, PartialEq)]
pub struct WordHit {
    pub ticket: TicketSummary,
    pub snippet: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct WordResults {
    pub hits: Vec<WordHit>,
    /// Every ticket matching, on all pages.
    pub total: u64,
    pub page: u16,
    /// Is there a next page?
    pub more: bool,
}

/// The categories a search may look in: `None` for all of them.
pub fn scope(caller: &Caller) -> Option<Vec<CategoryId>> {
    (caller.role == Role::Agent).then(|| caller.agent.categories.clone())
}

pub async fn find<I>(
    index: &I,
    caller: &Caller,
    query: &WordQuery,
) -> Result<WordResults, StoreError>
where
    I: WordIndex + ?Sized,
{
    let mut results = WordResults {
        page: query.page.max(1),
        ..WordResults::default()
    };
    if query
        .filters
        .category
        .as_ref()
        .is_some_and(|c| !caller.covers(c))
    {
        return Ok(results);
    }
    let scope = scope(caller);
    if scope.as_ref().is_some_and(Vec::is_empty) {
        return Ok(results);
    }
    let page = index.find(query, scope.as_deref()).await?;
    results.total = page.total;
    results.more = (query.offset() + page.hits.len()) < page.total as usize
        && query.page < super::query::MAX_PAGE;
    results.hits = page
        .hits
        .into_iter()
        // The index was asked for the covered categories only; this holds it.
        .filter(|h| caller.covers(&h.ticket.category))
        .map(|h| WordHit {
            snippet: snippet(&h.text, &query.words),
            ticket: h.ticket,
        })
        .collect();
    Ok(results)
}
