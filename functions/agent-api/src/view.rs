//! The JSON the console reads: tickets, thread entries and the conflict answer.

use crate::Deps;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use helpdesk_domain::agents::actions::DeskError;
use helpdesk_domain::agents::profile::Agent;
use helpdesk_domain::mail::inbound::verdicts::Verdicts;
use helpdesk_domain::ports::store::TicketSummary;
use helpdesk_domain::sla::clocks::{Stage, Target};
use helpdesk_domain::{
    AgentId, Author, Message, MessageKind, Priority, Status, ThreadedBy, Ticket, Tier,
};
use lambda_kit::http::ApiError;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketJson {
    pub reference: String,
    pub category: String,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub tier: Tier,
    pub requester: Requester,
    pub assignee: Option<String>,
    pub channel: Option<helpdesk_domain::tickets::ticket::Channel>,
    pub details: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the running SLA clock falls due; none while paused or stopped.
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// The SLA clocks: what each measures, how far it has gone, when it is due.
    pub clocks: Vec<ClockJson>,
    /// Answers and solutions that came within / after their target so far.
    pub targets_met: u32,
    pub targets_missed: u32,
    /// Send it back with every change: a change made from an older version is refused.
    pub version: u64,
    /// Closed as a duplicate of this ticket.
    pub merged_into: Option<String>,
    /// Has the requester shown the address is theirs? A web request is not
    /// verified until they open a link we mailed there; until then anyone could
    /// have typed the address in, so the address's other tickets are not shown.
    pub email_verified: bool,
    /// Who is copied on our replies.
    pub cc: Vec<String>,
    /// Agents' words for grouping tickets, sorted.
    pub tags: Vec<String>,
    /// How the customer rated our help once it was solved.
    pub rating: Option<RatingJson>,
    /// The customer's language: our mails to them are written in it, and a
    /// reply should be too.
    pub language: helpdesk_domain::i18n::Language,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingJson {
    pub score: helpdesk_domain::tickets::rating::Score,
    pub comment: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClockJson {
    pub target: Target,
    pub stage: Stage,
    /// Paused while the customer has the ball.
    pub running: bool,
    pub due_at: Option<DateTime<Utc>>,
    /// Business minutes used in earlier spells (before a pause).
    pub used_minutes: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Requester {
    pub name: String,
    pub email: String,
}

impl TicketJson {
    pub fn of(t: &Ticket, now: DateTime<Utc>) -> Self {
        Self {
            reference: t.reference.to_string(),
            category: t.category.to_string(),
            subject: t.subject.as_str().to_owned(),
            status: t.status,
            priority: t.priority,
            tier: t.tier,
            requester: Requester {
                name: t.requester.name.as_str().to_owned(),
                email: t.requester.email.as_str().to_owned(),
            },
            assignee: t.assignee.as_ref().map(ToString::to_string),
            channel: Some(t.channel),
            details: t
                .details
                .iter()
                .map(|(k, v)| (k.clone(), v.to_string()))
                .collect(),
            created_at: t.created_at,
            updated_at: t.updated_at,
            due_at: t.due_at,
            overdue: t.sla.overdue() || t.due_at.is_some_and(|d| d < now),
            clocks: [&t.sla.response, &t.sla.resolution]
                .into_iter()
                .flatten()
                .map(|c| ClockJson {
                    target: c.target,
                    stage: c.stage,
                    running: c.spell.is_some(),
                    due_at: c.spell.map(|s| s.due_at),
                    used_minutes: c.used_minutes,
                })
                .collect(),
            targets_met: t.sla.targets_met.0,
            targets_missed: t.sla.targets_met.1,
            version: t.version,
            merged_into: t.merged_into.as_ref().map(ToString::to_string),
            email_verified: t.email_verified,
            cc: t.cc.iter().map(|a| a.as_str().to_owned()).collect(),
            tags: t.tags.iter().map(ToString::to_string).collect(),
            rating: t.rating.as_ref().map(|r| RatingJson {
                score: r.score,
                comment: r.comment.clone(),
                at: r.at,
            }),
            language: t.language,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryJson {
    pub reference: String,
    pub category: String,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub tier: Tier,
    pub requester: String,
    pub assignee: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// What a change from this row is conditional on (bulk actions).
    pub version: u64,
    pub tags: Vec<String>,
    /// Whether the requester has shown the address is theirs: a ticket from the
    /// web form that nobody verified may come from someone else using it.
    pub email_verified: bool,
}

impl SummaryJson {
    pub fn of(t: &TicketSummary, now: DateTime<Utc>) -> Self {
        Self {
            reference: t.reference.to_string(),
            category: t.category.to_string(),
            subject: t.subject.as_str().to_owned(),
            status: t.status,
            priority: t.priority,
            tier: t.tier,
            requester: t.requester.as_str().to_owned(),
            assignee: t.assignee.as_ref().map(ToString::to_string),
            created_at: t.created_at,
            updated_at: t.updated_at,
            due_at: t.due_at,
            overdue: t.due_at.is_some_and(|d| d < now),
            version: t.version,
            tags: t.tags.iter().map(ToString::to_string).collect(),
            email_verified: t.email_verified,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FileJson {
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub url: String,
    /// An inline image's Content-ID: the mail's HTML shows it at `cid:<id>`.
    pub content_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryJson {
    pub id: String,
    pub kind: MessageKind,
    /// "customer", "agent" or "system".
    pub author_type: &'static str,
    pub author: String,
    pub body: String,
    /// The whole mail when `body` is its quote-stripped part.
    pub full_text: Option<String>,
    /// Sanitized HTML of a mail (remote images removed).
    pub html: Option<String>,
    pub remote_images_blocked: u32,
    pub authentication: Option<Verdicts>,
    pub threaded_by: ThreadedBy,
    pub attachments: Vec<FileJson>,
    /// Who else received it (an agent's reply copied to them).
    pub cc: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// Thread entries with agent names and short-lived download links.
pub async fn entries(
    deps: &Deps,
    messages: &[Message],
    agents: &[Agent],
) -> Result<Vec<EntryJson>, ApiError> {
    let name_of = |id: &AgentId| {
        agents
            .iter()
            .find(|a| &a.id == id)
            .map_or_else(|| id.to_string(), |a| a.name.clone())
    };
    let mut out = Vec::with_capacity(messages.len());
    for m in messages {
        let links = helpdesk_domain::customers::attaching::download_links(
            &*deps.attachments,
            &m.attachments,
        )
        .await?;
        let files = m
            .attachments
            .iter()
            .zip(links)
            .map(|(a, url)| FileJson {
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                size: a.size,
                url,
                content_id: a.content_id.clone(),
            })
            .collect();
        let (author_type, author) = match &m.author {
            Author::Customer { name, email } => (
                "customer",
                format!("{} <{}>", name.as_str(), email.as_str()),
            ),
            Author::Agent { id, .. } => ("agent", name_of(id)),
            Author::System => ("system", "Helpdesk".to_owned()),
        };
        let email = m.email.as_ref();
        out.push(EntryJson {
            id: m.id.to_string(),
            kind: m.kind,
            author_type,
            author,
            body: m.body_text.clone(),
            full_text: email.and_then(|e| e.full_text.clone()),
            html: m.body_html.as_ref().map(|h| h.as_str().to_owned()),
            remote_images_blocked: email.map_or(0, |e| e.remote_images_blocked),
            authentication: email.and_then(|e| e.authentication.clone()),
            threaded_by: m.threaded_by,
            attachments: files,
            cc: email.map_or_else(Vec::new, |e| {
                e.cc.iter().map(|a| a.as_str().to_owned()).collect()
            }),
            created_at: m.created_at,
        });
    }
    Ok(out)
}

pub use lambda_kit::http::schema::{ErrorDetail, ErrorJson, FieldErrorJson};

/// 409 `changed`: nothing was saved; the ticket as it is now and what was added
/// after the caller's `last_seen` entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConflictJson {
    pub error: ErrorDetail,
    pub ticket: TicketJson,
    pub since: Vec<EntryJson>,
}

/// Maps what the desk refused to the one error shape; a conflict also carries the
/// ticket as it is now and what was added since the caller's last entry.
pub async fn desk_error(deps: &Deps, e: DeskError) -> Response {
    match e {
        DeskError::NotFound => ApiError::not_found().into_response(),
        DeskError::Invalid { field, reason } => ApiError::bad_field(field, reason).into_response(),
        DeskError::Forbidden(why) => {
            ApiError::new(StatusCode::FORBIDDEN, "forbidden", why).into_response()
        }
        DeskError::Changed { current, since } => {
            let agents = deps.catalog.agents().await.unwrap_or_default();
            let since = match entries(deps, &since, &agents).await {
                Ok(e) => e,
                Err(e) => return e.into_response(),
            };
            let body = ConflictJson {
                error: ErrorDetail {
                    code: "changed".into(),
                    message: "Someone changed this ticket since you opened it. Nothing was saved: read what changed, then try again.".into(),
                    fields: vec![],
                },
                ticket: TicketJson::of(&current, deps.clock.now()),
                since,
            };
            (StatusCode::CONFLICT, Json(body)).into_response()
        }
        DeskError::Store(e) => ApiError::from(e).into_response(),
    }
}
