//! Finding tickets (by reference, address or Message-ID, and by words with
//! filters) and the customer's page with the agents' private note. Only what
//! the caller covers is named.

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
use helpdesk_domain::search::find::find as find_words;
use helpdesk_domain::search::query::{RawSearch, WordQuery};
use helpdesk_domain::tickets::ticket::Tier;
use lambda_kit::http::ApiError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct SearchJson {
    /// What the query was read as: `reference`, `mistyped_reference`,
    /// `address`, `message_id` or `words`.
    read_as: String,
    /// The tickets a reference, address or Message-ID names that you cover,
    /// newest change first.
    tickets: Vec<SummaryJson>,
    /// The address whose page lists their tickets, when the query was one.
    customer: Option<String>,
    /// For a mistyped reference: the tickets one typo away.
    did_you_mean: Vec<SummaryJson>,
    /// What to tell the agent about the query, if anything.
    hint: Option<String>,
    /// Word search (when the query is words, names no ticket exactly, or
    /// filters are given): this page of hits, by relevance, then the latest
    /// change.
    hits: Vec<HitJson>,
    /// Every ticket the word search matched, on all pages.
    total: u64,
    page: u16,
    /// Is there a next page?
    more: bool,
}

#[derive(Serialize, ToSchema)]
pub struct HitJson {
    ticket: SummaryJson,
    /// Where the words matched: plain text parts, those with `hit` the matching
    /// words (show them as text, never as HTML).
    snippet: Vec<PartJson>,
}

#[derive(Serialize, ToSchema)]
pub struct PartJson {
    text: String,
    hit: bool,
}

fn refused(e: SearchError) -> ApiError {
    match e {
        SearchError::Invalid(f) => ApiError::invalid(vec![f]),
        SearchError::Store(e) => e.into(),
    }
}

/// `GET /api/agent/search?q=&category=&status=…`
pub async fn find(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        let raw = RawSearch::from_pairs(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|f| ApiError::invalid(vec![f]))?;
        let words = WordQuery::parse(&raw).map_err(|f| ApiError::invalid(vec![f]))?;
        let q = raw.q.as_deref().unwrap_or_default().trim();
        let filtered = raw.filtered();
        if q.is_empty() && !filtered {
            return Err(ApiError::bad_field(
                "q",
                "is empty: type words, a reference, an address or a Message-ID",
            ));
        }
        let now = deps.clock.now();
        let list = |v: &[helpdesk_domain::ports::store::TicketSummary]| {
            v.iter()
                .map(|t| SummaryJson::of(t, now))
                .collect::<Vec<_>>()
        };
        // A reference, an address or a Message-ID, unless filters ask for a list.
        let exact = if filtered {
            search::Found {
                read_as: ReadAs::Words,
                ..search::Found::default()
            }
        } else {
            search::search(&*deps.tickets, &caller, q)
                .await
                .map_err(refused)?
        };
        let mut json = SearchJson {
            read_as: match exact.read_as {
                ReadAs::Reference => "reference",
                ReadAs::MistypedReference => "mistyped_reference",
                ReadAs::Address => "address",
                ReadAs::MessageId => "message_id",
                ReadAs::Words => "words",
            }
            .into(),
            tickets: list(&exact.tickets),
            customer: exact.customer.map(|e| e.as_str().to_owned()),
            did_you_mean: list(&exact.did_you_mean),
            hint: (exact.read_as == ReadAs::MistypedReference)
                .then(|| "That reference has a typo: its check character does not match.".into()),
            hits: vec![],
            total: 0,
            page: words.page,
            more: false,
        };
        // Words: also when a reference-like query names no ticket (an order
        // number may look like one).
        let searchable = filtered || !words.words.is_empty();
        if searchable && json.tickets.is_empty() {
            let found = find_words(&*deps.index, &caller, &words).await?;
            if !filtered && !found.hits.is_empty() && exact.read_as != ReadAs::MistypedReference {
                json.read_as = "words".into();
            }
            json.total = found.total;
            json.more = found.more;
            json.hits = found
                .hits
                .into_iter()
                .map(|h| HitJson {
                    ticket: SummaryJson::of(&h.ticket, now),
                    snippet: h
                        .snippet
                        .into_iter()
                        .map(|p| PartJson {
                            text: p.text,
                            hit: p.hit,
                        })
                        .collect(),
                })
                .collect();
        }
        Ok::<_, ApiError>(Json(json))
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

/// A customer's address from the path, or the field's error.
pub(crate) fn address(raw: &str) -> Result<EmailAddress, ApiError> {
    EmailAddress::parse(raw.trim()).map_err(|e| ApiError::bad_field("email", format!("Email {e}")))
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
