//! One change to many tickets: assign, status, priority or category, each ticket
//! its own conditional write on the version the agent saw. The answer says, per
//! ticket, whether it changed and why not.

use crate::admin::body_as;
use crate::auth::Authed;
use crate::view::SummaryJson;
use crate::{Deps, respond};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use helpdesk_domain::agents::actions::Action;
use helpdesk_domain::agents::bulk::{self, Outcome};
use helpdesk_domain::ports::store::TicketSummary;
use helpdesk_domain::tickets::ticket::{Priority, Status};
use helpdesk_domain::values::tag::Tag;
use helpdesk_domain::{AgentId, CategoryId, FieldError, TicketRef};
use lambda_kit::http::{ApiError, field};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkInput {
    /// 1 to 100 tickets, each once, with the version the agent saw.
    #[schema(min_items = 1, max_items = 100)]
    tickets: Vec<BulkTicket>,
    action: BulkAction,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkTicket {
    reference: String,
    version: u64,
}

#[derive(Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BulkAction {
    /// To this agent; null or empty unassigns.
    Assign {
        agent: Option<String>,
    },
    Status {
        status: Status,
    },
    Priority {
        priority: Priority,
    },
    /// Moves the tickets to this category's queue.
    Category {
        category: String,
    },
    /// Puts tags on and takes tags off.
    Tag {
        #[serde(default)]
        add: Vec<String>,
        #[serde(default)]
        remove: Vec<String>,
    },
}

#[derive(Serialize, ToSchema)]
pub struct BulkJson {
    changed: u32,
    refused: u32,
    /// One per ticket, in the order asked.
    results: Vec<BulkResultJson>,
}

#[derive(Serialize, ToSchema)]
pub struct BulkResultJson {
    reference: String,
    /// `changed`, `changed_meanwhile` (reload and pick again), `not_allowed`,
    /// `not_found`, `invalid` or `failed` (try again).
    outcome: String,
    reason: Option<String>,
    /// The ticket as it is now, when it changed.
    ticket: Option<SummaryJson>,
}

/// `POST /api/agent/tickets/bulk`
pub async fn apply(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let input: BulkInput = body_as(&headers, body).await?;
        let mut errors: Vec<FieldError> = Vec::new();
        let items: Vec<(TicketRef, u64)> = input
            .tickets
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                field(
                    &mut errors,
                    format!("tickets[{i}].reference"),
                    TicketRef::parse(&t.reference),
                )
                .map(|r| (r, t.version))
            })
            .collect();
        let action = match input.action {
            BulkAction::Assign { agent } => match agent.as_deref().map(str::trim) {
                None | Some("") => Some(Action::Assign { to: None }),
                Some(id) => field(&mut errors, "action.agent", AgentId::parse(id))
                    .map(|id| Action::Assign { to: Some(id) }),
            },
            BulkAction::Status { status } => Some(Action::Status { to: status }),
            BulkAction::Priority { priority } => Some(Action::Priority { to: priority }),
            BulkAction::Category { category } => {
                field(&mut errors, "action.category", CategoryId::parse(&category))
                    .map(|to| Action::Category { to })
            }
            BulkAction::Tag { add, remove } => {
                let mut list = |name: &str, raw: &[String]| -> Vec<Tag> {
                    raw.iter()
                        .enumerate()
                        .filter_map(|(i, t)| {
                            field(&mut errors, format!("action.{name}[{i}]"), Tag::parse(t))
                        })
                        .collect()
                };
                let (add, remove) = (list("add", &add), list("remove", &remove));
                Some(Action::Tag { add, remove })
            }
        };
        if errors.is_empty()
            && let Err(e) = bulk::check(&items)
        {
            errors.push(e);
        }
        let (Some(action), true) = (action, errors.is_empty()) else {
            return Err(ApiError::invalid(errors));
        };
        let desk = deps.desk();
        let now = deps.clock.now();
        let outcomes = bulk::apply(&desk, &caller, &items, &action).await;
        if let Action::Tag { add, .. } = &action
            && outcomes
                .iter()
                .any(|(_, o)| matches!(o, Outcome::Changed(_)))
            && let Err(e) = deps.tickets.note_tags(add).await
        {
            tracing::warn!(error = %e, "tags not added to the list in use");
        }
        let mut changed = 0;
        let results: Vec<BulkResultJson> = outcomes
            .into_iter()
            .map(|(reference, outcome)| {
                let (word, reason, ticket) = match outcome {
                    Outcome::Changed(t) => {
                        changed += 1;
                        (
                            "changed",
                            None,
                            Some(SummaryJson::of(&TicketSummary::from(t.as_ref()), now)),
                        )
                    }
                    Outcome::ChangedMeanwhile => (
                        "changed_meanwhile",
                        Some("someone changed it after you loaded it".to_owned()),
                        None,
                    ),
                    Outcome::NotAllowed(why) => ("not_allowed", Some(why), None),
                    Outcome::NotFound => ("not_found", Some("no such ticket".to_owned()), None),
                    Outcome::Invalid(why) => ("invalid", Some(why), None),
                    Outcome::Failed => (
                        "failed",
                        Some("not saved just now: try again".to_owned()),
                        None,
                    ),
                };
                BulkResultJson {
                    reference: reference.to_string(),
                    outcome: word.to_owned(),
                    reason,
                    ticket,
                }
            })
            .collect();
        Ok::<_, ApiError>(Json(BulkJson {
            changed,
            refused: results.len() as u32 - changed,
            results,
        }))
    }
    .await;
    respond(result)
}
