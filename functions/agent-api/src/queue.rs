//! The queue side: who am I, the views with their counts, the listing, and the
//! cheap poll that tells the console something new arrived.

use crate::auth::Authed;
use crate::view::SummaryJson;
use crate::{Deps, respond};
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use helpdesk_domain::agents::actions::Caller;
use helpdesk_domain::agents::profile::Role;
use helpdesk_domain::agents::views::{self, Sort, View, ViewQuery};
use helpdesk_domain::ports::store::{Cursor, Listing, QueueOrder, QueueQuery};
use helpdesk_domain::{Category, CategoryId, FieldError, Priority, Status, Tier};
use lambda_kit::http::{ApiError, field};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use utoipa::ToSchema;

/// The categories the caller works on, in display order.
async fn my_categories(deps: &Deps, caller: &Caller) -> Result<Vec<Category>, ApiError> {
    Ok(deps
        .catalog
        .categories()
        .await?
        .into_iter()
        .filter(|c| caller.covers(&c.id))
        .collect())
}

#[derive(Serialize, ToSchema)]
pub struct CategoryJson {
    id: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct AgentJson {
    id: String,
    name: String,
    email: String,
    role: Role,
    categories: Vec<String>,
}

impl AgentJson {
    pub fn of(a: &helpdesk_domain::agents::profile::Agent) -> Self {
        Self {
            id: a.id.to_string(),
            name: a.name.clone(),
            email: a.email.as_str().to_owned(),
            role: a.role,
            categories: a.categories.iter().map(ToString::to_string).collect(),
        }
    }
}

/// Who is signed in, the categories they work on, whom they can hand tickets to,
/// and every category (a ticket can be moved to any).
#[derive(Serialize, ToSchema)]
pub struct MeJson {
    agent: AgentJson,
    /// How the caller signs to customers.
    profile: crate::profile::ProfileJson,
    categories: Vec<CategoryJson>,
    colleagues: Vec<AgentJson>,
    all_categories: Vec<CategoryJson>,
}

pub async fn me(State(deps): State<Arc<Deps>>, Authed(caller): Authed) -> Response {
    let result = async {
        let all = deps.catalog.categories().await?;
        let categories: Vec<Category> = all
            .iter()
            .filter(|c| caller.covers(&c.id))
            .cloned()
            .collect();
        // Whom the caller could hand a ticket to: anyone sharing a category.
        let colleagues = deps
            .catalog
            .agents()
            .await?
            .into_iter()
            .filter(|a| categories.iter().any(|c| a.covers(&c.id)))
            .map(|a| AgentJson::of(&a))
            .collect::<Vec<_>>();
        let json = |c: &Category| CategoryJson {
            id: c.id.to_string(),
            name: c.name.clone(),
        };
        Ok::<_, ApiError>(MeJson {
            profile: crate::profile::ProfileJson::of(&caller.agent),
            agent: AgentJson {
                id: caller.agent.id.to_string(),
                name: caller.agent.name.clone(),
                email: caller.agent.email.as_str().to_owned(),
                role: caller.role,
                categories: caller
                    .agent
                    .categories
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            },
            categories: categories.iter().map(json).collect(),
            colleagues,
            all_categories: all.iter().map(json).collect(),
        })
    }
    .await;
    respond(result.map(Json))
}

#[derive(Serialize, ToSchema)]
pub struct CategoryCountJson {
    id: String,
    name: String,
    new: i64,
    open: i64,
    waiting: i64,
    unassigned: i64,
    awaiting_response: i64,
    /// Active tickets past an SLA target.
    overdue: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ViewCounts {
    unassigned: i64,
    mine: i64,
    waiting: i64,
    /// Active tickets past an SLA target (breached and escalated).
    overdue: i64,
    /// Active tickets (new, open, waiting) in the caller's categories.
    all: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CountsJson {
    views: ViewCounts,
    categories: Vec<CategoryCountJson>,
    /// Only grows; compare two readings to see that something arrived.
    received: BTreeMap<String, i64>,
    /// Customer replies per category; only grows, like `received`.
    replied: BTreeMap<String, i64>,
}

async fn read_counts(deps: &Deps, caller: &Caller) -> Result<CountsJson, ApiError> {
    let categories = my_categories(deps, caller).await?;
    let ids: Vec<CategoryId> = categories.iter().map(|c| c.id.clone()).collect();
    let counts = deps.tickets.queue_counts(&ids, caller.id()).await?;
    let mut per = Vec::new();
    let mut received = BTreeMap::new();
    let mut replied = BTreeMap::new();
    let (mut unassigned, mut waiting, mut overdue, mut all) = (0, 0, 0, 0);
    for c in &categories {
        let n = counts.categories.get(&c.id).cloned().unwrap_or_default();
        let s = &n.by_status;
        unassigned += n.unassigned;
        overdue += n.overdue;
        waiting += s.get(Status::WaitingOnCustomer);
        all += s.get(Status::New) + s.get(Status::Open) + s.get(Status::WaitingOnCustomer);
        received.insert(c.id.to_string(), n.received);
        replied.insert(c.id.to_string(), n.replied);
        per.push(CategoryCountJson {
            id: c.id.to_string(),
            name: c.name.clone(),
            new: s.get(Status::New),
            open: s.get(Status::Open),
            waiting: s.get(Status::WaitingOnCustomer),
            unassigned: n.unassigned,
            awaiting_response: s.awaiting_response(),
            overdue: n.overdue,
        });
    }
    Ok(CountsJson {
        views: ViewCounts {
            unassigned,
            mine: counts.assigned_to_agent,
            waiting,
            overdue,
            all,
        },
        categories: per,
        received,
        replied,
    })
}

pub async fn counts(State(deps): State<Arc<Deps>>, Authed(caller): Authed) -> Response {
    respond(read_counts(&deps, &caller).await.map(Json))
}

/// Send `cursor` back as `since` next time: `new_tickets` are those that arrived
/// in between.
#[derive(Serialize, ToSchema)]
pub struct NotificationsJson {
    cursor: String,
    counts: CountsJson,
    new_tickets: Vec<SummaryJson>,
    /// Categories whose customers replied since the cursor, and how often.
    customer_replies: Vec<RepliesJson>,
}

#[derive(Serialize, ToSchema)]
pub struct RepliesJson {
    category: String,
    name: String,
    count: i64,
}

/// One page of a view; `next` (when present) is the `cursor` for the next page.
#[derive(Serialize, ToSchema)]
pub struct PageJson {
    items: Vec<SummaryJson>,
    next: Option<String>,
}

/// What the console saw last time: each category's received count, and its
/// customer replies (cursors made before replies were counted have none).
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Seen {
    Both {
        received: BTreeMap<String, i64>,
        replied: BTreeMap<String, i64>,
    },
    Received(BTreeMap<String, i64>),
}

/// Newest arrivals listed per poll and category, at most.
const MAX_NEW_PER_CATEGORY: i64 = 10;

/// One counter read (one round trip) per poll; only when a category received
/// something does it list that category's newest tickets.
pub async fn notifications(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        let seen = match params.get("since").filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => Some(
                URL_SAFE_NO_PAD
                    .decode(raw.as_bytes())
                    .ok()
                    .and_then(|b| serde_json::from_slice::<Seen>(&b).ok())
                    .ok_or_else(|| ApiError::bad_field("since", "is not a cursor this API made"))?,
            ),
        };
        // The console asking is the agent being there: no alert mail meanwhile. A
        // failed note costs at most an alert mail, never the poll.
        if let Err(e) = deps.tickets.saw_agent(caller.id(), deps.clock.now()).await {
            tracing::warn!(error = %e, "could not note the agent in the console");
        }
        let counts = read_counts(&deps, &caller).await?;
        let now = deps.clock.now();
        let mut new_tickets = Vec::new();
        let mut customer_replies = Vec::new();
        let (before, replied_before) = match &seen {
            Some(Seen::Both { received, replied }) => (Some(received), Some(replied)),
            Some(Seen::Received(received)) => (Some(received), None),
            None => (None, None),
        };
        if let Some(before) = replied_before {
            for c in &counts.categories {
                let now_replied = counts.replied.get(&c.id).copied().unwrap_or(0);
                // From the client: any number, so nothing that can overflow.
                let count =
                    now_replied.saturating_sub(before.get(&c.id).copied().unwrap_or(now_replied));
                if count > 0 {
                    customer_replies.push(RepliesJson {
                        category: c.id.clone(),
                        name: c.name.clone(),
                        count,
                    });
                }
            }
        }
        if let Some(before) = before {
            for (id, received) in &counts.received {
                // The cursor comes from the client: any number, so no arithmetic that can overflow.
                let arrived = received.saturating_sub(before.get(id).copied().unwrap_or(*received));
                let Ok(category) = CategoryId::parse(id) else {
                    continue;
                };
                if arrived <= 0 {
                    continue;
                }
                let page = deps
                    .tickets
                    .queue(QueueQuery {
                        listing: Listing::InStatus {
                            category,
                            status: Status::New,
                        },
                        order: QueueOrder::NewestFirst,
                        limit: arrived.min(MAX_NEW_PER_CATEGORY) as u16,
                        after: None,
                    })
                    .await?;
                new_tickets.extend(page.items.iter().map(|t| SummaryJson::of(t, now)));
            }
        }
        let cursor = serde_json::to_vec(&Seen::Both {
            received: counts.received.clone(),
            replied: counts.replied.clone(),
        })
        .map(|b| URL_SAFE_NO_PAD.encode(b))
        .map_err(|_| ApiError::internal())?;
        Ok::<_, ApiError>(NotificationsJson {
            cursor,
            counts,
            new_tickets,
            customer_replies,
        })
    }
    .await;
    respond(result.map(Json))
}

const LIST_PARAMS: [&str; 8] = [
    "view", "category", "status", "priority", "tier", "sort", "limit", "cursor",
];

/// The listing's query parameters, every bad one named.
fn parse_list(
    params: &HashMap<String, String>,
    mine: &[CategoryId],
    caller: &Caller,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ViewQuery, ApiError> {
    let mut errors: Vec<FieldError> = params
        .keys()
        .filter(|k| !LIST_PARAMS.contains(&k.as_str()))
        .map(|k| FieldError::new(k.clone(), "is not a parameter of this listing"))
        .collect();
    let get = |k: &str| params.get(k).map(String::as_str).filter(|v| !v.is_empty());
    // An absent parameter takes its default; a bad one is named with its reason.
    let mut read = |name: &str, parse: &dyn Fn(&str) -> Result<(), &'static str>| {
        if let Some(raw) = get(name) {
            field(&mut errors, name, parse(raw));
        }
    };
    let one_of = |ok: bool, reason: &'static str| if ok { Ok(()) } else { Err(reason) };
    read("view", &|v| {
        one_of(
            View::parse(v).is_some(),
            "must be one of unassigned, mine, waiting, overdue, all",
        )
    });
    read("category", &|c| {
        one_of(
            CategoryId::parse(c).is_ok_and(|c| mine.contains(&c)),
            "is not one of your categories",
        )
    });
    read("status", &|v| {
        one_of(
            Status::parse(v).is_some(),
            "must be one of new, open, waiting_on_customer, resolved, closed",
        )
    });
    read("priority", &|v| {
        one_of(
            Priority::parse(v).is_ok(),
            "must be one of low, normal, high, urgent",
        )
    });
    read("tier", &|v| {
        one_of(Tier::parse(v).is_ok(), "must be standard or premium")
    });
    read("sort", &|v| {
        one_of(
            Sort::parse(v).is_some(),
            "must be one of oldest, newest, due",
        )
    });
    read("limit", &|v| {
        one_of(
            v.parse::<u16>().is_ok_and(|n| (1..=100).contains(&n)),
            "must be a whole number from 1 to 100",
        )
    });
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    // Every parameter present parsed above.
    Ok(ViewQuery {
        view: get("view").and_then(View::parse).unwrap_or(View::All),
        categories: match get("category").and_then(|c| CategoryId::parse(c).ok()) {
            Some(c) => vec![c],
            None => mine.to_vec(),
        },
        agent: caller.id().clone(),
        status: get("status").and_then(Status::parse),
        priority: get("priority").and_then(|p| Priority::parse(p).ok()),
        tier: get("tier").and_then(|t| Tier::parse(t).ok()),
        sort: get("sort")
            .and_then(Sort::parse)
            .unwrap_or(Sort::OldestFirst),
        limit: get("limit").and_then(|l| l.parse().ok()).unwrap_or(25),
        cursor: get("cursor").map(|c| Cursor(c.to_owned())),
        now,
    })
}

pub async fn list(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        let mine: Vec<CategoryId> = my_categories(&deps, &caller)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let now = deps.clock.now();
        let query = parse_list(&params, &mine, &caller, now)?;
        let page = views::page(&*deps.tickets, &query).await?;
        Ok::<_, ApiError>(PageJson {
            items: page.items.iter().map(|t| SummaryJson::of(t, now)).collect(),
            next: page.next.map(|c| c.0),
        })
    }
    .await;
    respond(result.map(Json))
}
