//! One ticket: its view, and the changes an agent makes to it.

use crate::auth::Authed;
use crate::view::{EntryJson, SummaryJson, TicketJson, desk_error, entries};
use crate::{Deps, respond};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use helpdesk_domain::agents::actions::{Action, Caller};
use helpdesk_domain::agents::canned::MacroActions;
use helpdesk_domain::agents::profile::Agent;
use helpdesk_domain::i18n::Language;
use helpdesk_domain::sla::policy::describe_business_minutes;
use helpdesk_domain::values::ids::FaqId;
use helpdesk_domain::values::tag::Tag;
use helpdesk_domain::{
    AgentId, CategoryId, EmailAddress, FieldError, MessageId, Priority, Status, TicketRef, Tier,
};
use lambda_kit::http::{ApiError, Fields, field, json_object};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// The largest change request: a reply of 50,000 characters with room to spare.
const MAX_BODY: usize = 256 * 1024;

/// A reference that does not parse is a ticket that does not exist.
fn reference(raw: &str) -> Result<TicketRef, ApiError> {
    TicketRef::parse(raw).map_err(|_| ApiError::not_found())
}

#[derive(Serialize, ToSchema)]
pub struct SlaJson {
    policy: String,
    first_response: String,
    next_response: String,
    resolution: String,
}

#[derive(Serialize, ToSchema)]
pub struct ShowJson {
    ticket: TicketJson,
    thread: Vec<EntryJson>,
    requester_tickets: Vec<SummaryJson>,
    sla: Option<SlaJson>,
    /// The ticket's details as the form asked for them: the category's labels in
    /// its order, then any detail the category no longer has, by its key.
    fields: Vec<DetailJson>,
}

#[derive(Serialize, ToSchema)]
pub struct DetailJson {
    name: String,
    label: String,
    /// As the customer typed it.
    value: String,
}

/// `t`'s details labelled by `category`'s fields, in the form's order.
fn labelled(
    t: &helpdesk_domain::Ticket,
    category: Option<&helpdesk_domain::Category>,
) -> Vec<DetailJson> {
    let schema = category.map(|c| c.fields.as_slice()).unwrap_or_default();
    let known = schema.iter().filter_map(|f| {
        t.details.get(&f.name).map(|v| DetailJson {
            name: f.name.clone(),
            label: f.label.clone(),
            value: v.to_string(),
        })
    });
    let gone = t
        .details
        .iter()
        .filter(|(k, _)| !schema.iter().any(|f| &f.name == *k))
        .map(|(k, v)| DetailJson {
            name: k.clone(),
            label: k.clone(),
            value: v.to_string(),
        });
    known.chain(gone).collect()
}

pub async fn show(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
) -> Response {
    match show_ticket(&deps, &caller, &raw).await {
        Ok(body) => Json(body).into_response(),
        Err(response) => response,
    }
}

/// A mail's HTML with its remote images (`GET …/messages/{id}/remote-images`).
#[derive(Serialize, ToSchema)]
pub struct RemoteImagesJson {
    /// Sanitized like the stored HTML, remote images kept.
    pub html: String,
}

pub async fn with_remote_images(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path((raw_reference, raw_id)): Path<(String, String)>,
) -> Response {
    match remote_images(&deps, &caller, &raw_reference, &raw_id).await {
        Ok(body) => Json(body).into_response(),
        Err(response) => response,
    }
}

/// Only a mail on a ticket the caller may open; read again from the raw mail
/// SES stored, so nothing the sanitizer removed was ever kept.
async fn remote_images(
    deps: &Deps,
    caller: &Caller,
    raw_reference: &str,
    raw_id: &str,
) -> Result<RemoteImagesJson, Response> {
    let reference = reference(raw_reference).map_err(IntoResponse::into_response)?;
    let id = MessageId::parse(raw_id).map_err(|_| ApiError::not_found().into_response())?;
    let thread = match deps.desk().open(caller, &reference).await {
        Ok(t) => t,
        Err(e) => return Err(desk_error(deps, e).await),
    };
    let gone = || {
        ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "not_found",
            "This message has no mail HTML kept (not a mail, or its original has expired).",
        )
        .into_response()
    };
    let message = thread
        .messages
        .iter()
        .find(|m| m.id == id)
        .ok_or_else(gone)?;
    let limits = helpdesk_domain::mail::inbound::parse::MailLimits::default();
    match helpdesk_domain::mail::inbound::original::html_with_remote_images(
        &*deps.raw_mail,
        message,
        &limits,
    )
    .await
    {
        Ok(Some(html)) => Ok(RemoteImagesJson { html: html.into() }),
        Ok(None) => Err(gone()),
        Err(e) => {
            tracing::error!(error = %e, message = %id.as_str(), "raw mail unreadable");
            Err(ApiError::internal().into_response())
        }
    }
}

async fn show_ticket(deps: &Deps, caller: &Caller, raw: &str) -> Result<ShowJson, Response> {
    let reference = reference(raw).map_err(IntoResponse::into_response)?;
    let thread = match deps.desk().open(caller, &reference).await {
        Ok(t) => t,
        Err(e) => return Err(desk_error(deps, e).await),
    };
    let now = deps.clock.now();
    let agents = deps.catalog.agents().await.map_err(api)?;
    let t = &thread.ticket;
    // Only what the caller may see of the requester's other tickets, and none
    // while the address is unverified: whoever typed it in is not its owner yet.
    let requester_tickets = if t.email_verified {
        deps.tickets
            .tickets_of_requester(&t.requester.email, 20)
            .await
            .map_err(api)?
            .iter()
            .filter(|s| s.reference != t.reference && caller.covers(&s.category))
            .map(|s| SummaryJson::of(s, now))
            .collect()
    } else {
        vec![]
    };
    let category = deps.catalog.category(&t.category).await.map_err(api)?;
    let fields = labelled(t, category.as_ref());
    let sla = match category {
        Some(category) => deps
            .catalog
            .policy(&category.sla_policy)
            .await
            .map_err(api)?
            .map(|p| {
                let targets = p.targets(t.tier);
                SlaJson {
                    policy: p.id.clone(),
                    first_response: describe_business_minutes(
                        targets.first_response_minutes,
                        Language::En,
                    ),
                    next_response: describe_business_minutes(
                        targets.next_response_minutes,
                        Language::En,
                    ),
                    resolution: describe_business_minutes(targets.resolution_minutes, Language::En),
                }
            }),
        None => None,
    };
    Ok(ShowJson {
        ticket: TicketJson::of(t, now),
        thread: entries(deps, &thread.messages, &agents)
            .await
            .map_err(IntoResponse::into_response)?,
        requester_tickets,
        sla,
        fields,
    })
}

fn api(e: helpdesk_domain::ports::store::StoreError) -> Response {
    ApiError::from(e).into_response()
}

/// What every change request carries: the version the agent saw and the newest
/// thread entry on their screen.
struct Seen {
    version: u64,
    last_seen: Option<MessageId>,
}

async fn read_change(
    headers: &HeaderMap,
    body: Body,
    own: &[&str],
) -> Result<(Seen, Fields), ApiError> {
    let (map, _) = json_object(headers, body, MAX_BODY).await?;
    let mut allowed = vec!["version", "last_seen"];
    allowed.extend_from_slice(own);
    let mut fields = Fields::new(map, &allowed);
    let version = fields.optional_u64("version");
    if version.is_none() && !fields.errors.iter().any(|e| e.field == "version") {
        fields.errors.push(FieldError::new(
            "version",
            "is required: the version of the ticket you are looking at",
        ));
    }
    let last_seen = fields.string("last_seen");
    let last_seen = if last_seen.is_empty() {
        None
    } else {
        match MessageId::parse(&last_seen) {
            Ok(id) => Some(id),
            Err(e) => {
                fields
                    .errors
                    .push(FieldError::new("last_seen", e.to_string()));
                None
            }
        }
    };
    Ok((
        Seen {
            version: version.unwrap_or(0),
            last_seen,
        },
        fields,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ChangedJson {
    ticket: TicketJson,
    entries: Vec<EntryJson>,
    /// The mail this change queued, if any.
    mail_queued: bool,
}

/// What a change request asks for: an action on the ticket, or merging it away.
enum Op {
    Act(Action),
    MergeInto(TicketRef),
    /// A reply naming uploads: they are checked and kept, then it is an `Act`.
    Reply {
        body: String,
        solve: bool,
        uploads: Vec<String>,
        /// The macro the reply was written from.
        macro_id: Option<FaqId>,
    },
}

/// A change request made ready to apply: a reply's files kept, its macro found.
enum Ready {
    Act(Action),
    MergeInto(TicketRef),
}

/// Makes `op` ready. A reply's files are kept, and its macro looked up, only for
/// a ticket the caller may answer; a refusal is the response to send.
async fn ready(
    deps: &Deps,
    caller: &Caller,
    reference: &TicketRef,
    op: Op,
) -> Result<Ready, Response> {
    let (body, solve, uploads, macro_id) = match op {
        Op::Act(action) => return Ok(Ready::Act(action)),
        Op::MergeInto(target) => return Ok(Ready::MergeInto(target)),
        Op::Reply {
            body,
            solve,
            uploads,
            macro_id,
        } => (body, solve, uploads, macro_id),
    };
    let mut then = MacroActions::default();
    if !uploads.is_empty() || macro_id.is_some() {
        let ticket = match deps.desk().open(caller, reference).await {
            Ok(thread) => thread.ticket,
            Err(e) => return Err(desk_error(deps, e).await),
        };
        if let Some(id) = &macro_id {
            then = macro_for(deps, caller, &ticket, id)
                .await
                .map_err(IntoResponse::into_response)?;
        }
    }
    let attachments = attached(deps, &uploads)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(Ready::Act(Action::Reply {
        body,
        solve,
        attachments,
        then,
    }))
}

/// Parses the request with `parse`, then applies the action it yields.
async fn change(
    deps: Arc<Deps>,
    caller: Caller,
    raw: String,
    headers: HeaderMap,
    body: Body,
    own: &[&str],
    parse: impl FnOnce(&mut Fields) -> Option<Action>,
) -> Response {
    change_op(deps, caller, raw, headers, body, own, |f| {
        parse(f).map(Op::Act)
    })
    .await
}

async fn change_op(
    deps: Arc<Deps>,
    caller: Caller,
    raw: String,
    headers: HeaderMap,
    body: Body,
    own: &[&str],
    parse: impl FnOnce(&mut Fields) -> Option<Op>,
) -> Response {
    let reference = match reference(&raw) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    // A ticket out of the caller's categories is refused by `act` as not found,
    // after the same body checks a missing ticket gets: the answers can't differ.
    let (seen, mut fields) = match read_change(&headers, body, own).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let action = parse(&mut fields);
    let action = match action {
        Some(a) if fields.errors.is_empty() => a,
        _ => return ApiError::invalid(fields.errors).into_response(),
    };
    let desk = deps.desk();
    let action = match ready(&deps, &caller, &reference, action).await {
        Ok(ready) => ready,
        Err(refused) => return refused,
    };
    let tagged = match &action {
        Ready::Act(Action::Tag { add, .. }) => add.clone(),
        _ => vec![],
    };
    let done = match action {
        Ready::Act(action) => {
            desk.act(
                &caller,
                &reference,
                seen.version,
                seen.last_seen.as_ref(),
                action,
            )
            .await
        }
        Ready::MergeInto(target) => {
            desk.merge(
                &caller,
                &reference,
                seen.version,
                seen.last_seen.as_ref(),
                &target,
            )
            .await
        }
    };
    match done {
        Ok(done) => {
            // The autocomplete's list: a miss costs a suggestion, never the change.
            if let Err(e) = deps.tickets.note_tags(&tagged).await {
                tracing::warn!(error = %e, "tags not added to the list in use");
            }
            let agents: Vec<Agent> = deps.catalog.agents().await.unwrap_or_default();
            match entries(&deps, &done.messages, &agents).await {
                Ok(entries) => Json(ChangedJson {
                    ticket: TicketJson::of(&done.ticket, deps.clock.now()),
                    entries,
                    mail_queued: done.mail.is_some(),
                })
                .into_response(),
                Err(e) => e.into_response(),
            }
        }
        Err(e) => desk_error(&deps, e).await,
    }
}

/// The actions of the macro `id`, if it is one the caller may use on `ticket`.
async fn macro_for(
    deps: &Deps,
    caller: &Caller,
    ticket: &helpdesk_domain::Ticket,
    id: &FaqId,
) -> Result<MacroActions, ApiError> {
    deps.catalog
        .canned_replies()
        .await?
        .into_iter()
        .find(|c| &c.id == id && c.category.as_ref().is_none_or(|k| *k == ticket.category))
        .filter(|_| caller.covers(&ticket.category))
        .map(|c| c.actions)
        .ok_or_else(|| ApiError::bad_field("macro", "no such macro for this ticket's category"))
}

/// The uploads a reply names, checked and kept to go out with the mail.
async fn attached(
    deps: &Deps,
    uploads: &[String],
) -> Result<Vec<helpdesk_domain::tickets::message::AttachmentRef>, ApiError> {
    let files = helpdesk_domain::customers::attaching::resolve_for_mail(
        deps.attachments.as_ref(),
        deps.ids.as_ref(),
        uploads,
        "attachments",
    )
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "attachments not kept");
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "The files could not be attached just now. Send again in a moment.",
        )
    })?;
    files.map_err(ApiError::invalid)
}

/// A required field parsed by `parse`; a missing or bad one is recorded.
fn parsed<T, E: std::fmt::Display>(
    fields: &mut Fields,
    name: &str,
    what: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    let raw = required(fields, name, what)?;
    field(&mut fields.errors, name, parse(raw.trim()))
}

fn required(fields: &mut Fields, name: &str, what: &str) -> Option<String> {
    let value = fields.string(name);
    if value.trim().is_empty() {
        fields
            .errors
            .push(FieldError::new(name, format!("is required: {what}")));
        return None;
    }
    Some(value)
}

pub async fn reply(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let own = ["body", "solve", "attachments", "macro"];
    change_op(deps, caller, raw, headers, body, &own, |f| {
        let solve = f.optional_bool("solve").unwrap_or(false);
        let uploads = f.string_list("attachments");
        let raw_macro = f.string("macro");
        let macro_id = if raw_macro.is_empty() {
            None
        } else {
            field(&mut f.errors, "macro", FaqId::parse(&raw_macro))
        };
        required(f, "body", "the answer to send").map(|body| Op::Reply {
            body,
            solve,
            uploads,
            macro_id,
        })
    })
    .await
}

pub async fn note(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    change(deps, caller, raw, headers, body, &["body"], |f| {
        required(f, "body", "the note").map(|body| Action::Note { body })
    })
    .await
}

pub async fn assign(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    change(deps, caller, raw, headers, body, &["agent"], |f| {
        // Empty or null unassigns.
        let agent = f.string("agent");
        if agent.is_empty() {
            return Some(Action::Assign { to: None });
        }
        field(&mut f.errors, "agent", AgentId::parse(&agent))
            .map(|id| Action::Assign { to: Some(id) })
    })
    .await
}

pub async fn status(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    change(deps, caller, raw, headers, body, &["status"], |f| {
        parsed(f, "status", "the new status", |s| {
            Status::parse(s)
                .ok_or("must be one of new, open, waiting_on_customer, resolved, closed")
        })
        .map(|to| Action::Status { to })
    })
    .await
}

pub async fn priority(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    change(deps, caller, raw, headers, body, &["priority"], |f| {
        parsed(f, "priority", "the new priority", Priority::parse).map(|to| Action::Priority { to })
    })
    .await
}

pub async fn tier(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    change(deps, caller, raw, headers, body, &["tier"], |f| {
        parsed(f, "tier", "the new tier", Tier::parse).map(|to| Action::Tier { to })
    })
    .await
}

pub async fn cc(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    change(deps, caller, raw, headers, body, &["cc"], |f| {
        let raw = f.string_list("cc");
        let to: Vec<EmailAddress> = raw
            .iter()
            .enumerate()
            .filter_map(|(i, a)| field(&mut f.errors, format!("cc[{i}]"), EmailAddress::parse(a)))
            .collect();
        (to.len() == raw.len()).then_some(Action::Cc { to })
    })
    .await
}

pub async fn tags(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    change(deps, caller, raw, headers, body, &["add", "remove"], |f| {
        let mut list = |name: &str| -> Option<Vec<Tag>> {
            let raw = f.string_list(name);
            let tags: Vec<Tag> = raw
                .iter()
                .enumerate()
                .filter_map(|(i, t)| field(&mut f.errors, format!("{name}[{i}]"), Tag::parse(t)))
                .collect();
            (tags.len() == raw.len()).then_some(tags)
        };
        let (add, remove) = (list("add"), list("remove"));
        Some(Action::Tag {
            add: add?,
            remove: remove?,
        })
    })
    .await
}

/// `GET /api/agent/tags`: every tag used so far, for the autocomplete.
pub async fn tags_in_use(State(deps): State<Arc<Deps>>, Authed(_caller): Authed) -> Response {
    let result = async {
        let tags = deps.tickets.tags_in_use().await?;
        Ok::<_, ApiError>(Json(TagsJson {
            tags: tags.iter().map(ToString::to_string).collect(),
        }))
    }
    .await;
    respond(result)
}

#[derive(Serialize, ToSchema)]
pub struct TagsJson {
    tags: Vec<String>,
}

pub async fn category(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    change(deps, caller, raw, headers, body, &["category"], |f| {
        parsed(
            f,
            "category",
            "the category to move the ticket to",
            CategoryId::parse,
        )
        .map(|to| Action::Category { to })
    })
    .await
}

pub async fn merge(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    change_op(deps, caller, raw, headers, body, &["into"], |f| {
        parsed(f, "into", "the reference of the ticket to keep", |r| {
            TicketRef::parse(r).map_err(|_| "is not a ticket reference")
        })
        .map(Op::MergeInto)
    })
    .await
}

pub async fn forward(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    change(deps, caller, raw, headers, body, &["to", "note"], |f| {
        let to = parsed(f, "to", "the address to forward to", EmailAddress::parse);
        let note = required(f, "note", "what you ask of them");
        Some(Action::Forward {
            to: to?,
            note: note?,
        })
    })
    .await
}
