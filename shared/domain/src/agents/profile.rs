//! An agent's profile: who they are, their role, and the categories they cover.

use crate::values::email::EmailAddress;
use crate::values::ids::{AgentId, CategoryId};
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Works the tickets of the categories assigned to them, nothing else.
    Agent,
    /// All categories, reassignment, reports.
    Supervisor,
    /// Everything, including configuration.
    Admin,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    pub id: AgentId,
    pub name: String,
    pub email: EmailAddress,
    pub role: Role,
    pub categories: Vec<CategoryId>,
}

impl Agent {
    /// May this agent see and touch tickets of `category`?
    pub fn covers(&self, category: &CategoryId) -> bool {
        self.role != Role::Agent || self.categories.contains(category)
    }
}
