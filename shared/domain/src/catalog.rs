//! Configuration that lives in the main table: agents and FAQ entries.

use crate::email::EmailAddress;
use crate::ids::{AgentId, CategoryId, FaqId};
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaqEntry {
    pub id: FaqId,
    pub category: CategoryId,
    pub question: String,
    pub answer: String,
    pub published: bool,
    pub position: u32,
    /// The ticket whose answer this entry was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ticket: Option<crate::ids::TicketRef>,
}
