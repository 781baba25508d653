//! Finding a ticket (by reference, address or Message-ID) and the customer's
//! page with the agents' private note. Only what the caller covers is named.

use crate::admin::body_as;
use crate::auth::Authed;
use crate::view::SummaryJson;
use crate::{Deps, respond};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use helpdesk_domain::EmailAddress;
use helpdesk_domain::agents::search::{self, ReadAs, SearchError};
use helpdesk_domain::ports::store::CustomerNote;
use helpdesk_domain::tickets::ticket::Tier;
use lambda_kit::http::ApiError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct SearchJson {
    /// What the query was read as: `reference`, `mistyped_reference`,
    /// `address`, `message_id` or `words` (word search is not built yet).
    read_as: String,
    /// The tickets it names that you cover, newest change first.
    tickets: Vec<SummaryJson>,
    /// The address whose page lists their tickets, when the query was one.
    customer: Option<String>,
    /// For a mistyped reference: the tickets one typo away.
    did_you_mean: Vec<SummaryJson>,
    /// What to tell the agent about the query, if anything.
    hint: Option<String>,
}

fn refused(e: SearchError) -> ApiError {
    match e {
        SearchError::Invalid(f) => ApiError::invalid(vec![f]),
        SearchError::Store(e) => e.into(),
    }
}

/// `GET /api/agent/search?q=`
pub async fn find(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        if let Some(other) = params.keys().find(|k| k.as_str() != "q") {
            return Err(ApiError::bad_field(
                other.clone(),
                "is not a parameter of search (only q)",
            ));
        }
        let q = params.get("q").map(String::as_str).unwrap_or_default();
        let found = search::search(&*deps.tickets, &caller, q)
            .await
            .map_err(refused)?;
        let now = deps.clock.now();
        let list = |v: &[helpdesk_domain::ports::store::TicketSummary]| {
            v.iter().map(|t| SummaryJson::of(t, now)).collect::<Vec<_>>()
        };
        let (read_as, hint) = match found.read_as {
            ReadAs::Reference => ("reference", None),
            ReadAs::MistypedReference => (
                "mistyped_reference",
                Some("That reference has a typo: its check character does not match.".into()),
            ),
            ReadAs::Address => ("address", None),
            ReadAs::MessageId => ("message_id", None),
            ReadAs::Words => (
                "words",
                Some(
                    "Search finds a ticket by its reference, the customer's address or a mail's Message-ID; words in the tickets are not searched yet."
                        .into(),
                ),
            ),
        };
        Ok::<_, ApiError>(Json(SearchJson {
            read_as: read_as.into(),
            tickets: list(&found.tickets),
            customer: found.customer.map(|e| e.as_str().to_owned()),
            did_you_mean: list(&found.did_you_mean),
            hint,
        }))
    }
    .await;
    respond(result)
}

#[derive(Serialize, ToSchema)]
pub struct CustomerJson {
    email: String,
    /// Their tickets in the categories you cover, newest first (at most 100).
    tickets: Vec<SummaryJson>,
    first_contact: DateTime<Utc>,
    last_contact: DateTime<Utc>,
    tier: Tier,
    /// Whether they have shown the address is theirs (a link we mailed, or
    /// mail that authenticates).
    verified: bool,
    note: Option<NoteJson>,
}

#[derive(Serialize, ToSchema)]
pub struct NoteJson {
    text: String,
    by: String,
    at: DateTime<Utc>,
}

impl NoteJson {
    fn of(n: &CustomerNote) -> Self {
        Self {
            text: n.text.clone(),
            by: n.by.to_string(),
            at: n.at,
        }
    }
}

fn address(raw: &str) -> Result<EmailAddress, ApiError> {
    EmailAddress::parse(raw).map_err(|e| ApiError::bad_field("email", format!("Email {e}")))
}

/// `GET /api/agent/customers/{email}`
pub async fn customer(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(email): Path<String>,
) -> Response {
    let result = async {
        let email = address(&email)?;
        let page = search::customer_page(&*deps.tickets, &caller, &email)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let now = deps.clock.now();
        Ok::<_, ApiError>(Json(CustomerJson {
            email: page.email.as_str().to_owned(),
            tickets: page
                .tickets
                .iter()
                .map(|t| SummaryJson::of(t, now))
                .collect(),
            first_contact: page.first_contact,
            last_contact: page.last_contact,
            tier: page.tier,
            verified: page.verified,
            note: page.note.as_ref().map(NoteJson::of),
        }))
    }
    .await;
    respond(result)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// Plain text for the agents, at most 2,000 characters; empty removes the note.
    #[schema(max_length = 2000)]
    text: String,
}

#[derive(Serialize, ToSchema)]
pub struct NoteSaved {
    note: Option<NoteJson>,
}

/// `PUT /api/agent/customers/{email}/note`
pub async fn put_note(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(email): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let email = address(&email)?;
        let input: NoteInput = body_as(&headers, body).await?;
        let saved = search::set_customer_note(
            &*deps.tickets,
            &caller,
            &email,
            &input.text,
            deps.clock.now(),
        )
        .await
        .map_err(refused)?
        .ok_or_else(ApiError::not_found)?;
        Ok::<_, ApiError>(Json(NoteSaved {
            note: saved.as_ref().map(NoteJson::of),
        }))
    }
    .await;
    respond(result)
}
