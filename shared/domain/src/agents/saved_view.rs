//! A saved view as it is kept: a named search, an agent's own or a category
//! team's (the rules are in `saved_views`).

use crate::values::ids::{AgentId, CategoryId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a view is kept, and who sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ViewScope {
    Mine(AgentId),
    Team(CategoryId),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedView {
    /// `v` and 16 hex digits.
    pub id: String,
    pub name: String,
    pub owner: AgentId,
    /// `None`: the owner's alone.
    pub shared_with: Option<CategoryId>,
    /// The search as the search page sends it: parameter → value (no page).
    pub search: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
}

impl SavedView {
    pub fn scope(&self) -> ViewScope {
        match &self.shared_with {
            Some(c) => ViewScope::Team(c.clone()),
            None => ViewScope::Mine(self.owner.clone()),
        }
    }
}
