//! What agents write once and reuse: canned replies and FAQ entries. Agents keep
//! those of their own categories (FAQ entries as drafts); supervisors and admins
//! also keep the shared canned replies and publish FAQ entries, after the answer
//! was cleaned of personal data.

use crate::auth::Authed;
use crate::{Deps, respond};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use helpdesk_domain::agents::actions::Caller;
use helpdesk_domain::agents::canned::{self, CannedReply, MacroActions, PLACEHOLDERS};
use helpdesk_domain::agents::profile::Role;
use helpdesk_domain::catalog::admin::check_faq_texts;
use helpdesk_domain::catalog::faq::FaqEntry;
use helpdesk_domain::catalog::translations::{FaqText, FaqTexts};
use helpdesk_domain::values::ids::FaqId;
use helpdesk_domain::{CategoryId, FieldError, TicketRef};
use lambda_kit::http::{ApiError, Fields, field, json_object};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::ToSchema;

const MAX_BODY: usize = 64 * 1024;

#[derive(Serialize, ToSchema)]
pub struct CannedJson {
    id: String,
    /// None: offered in every category.
    category: Option<String>,
    title: String,
    body: String,
    updated_by: String,
    updated_at: chrono::DateTime<chrono::Utc>,
    /// What sending it also does (a macro); empty for a plain canned reply.
    actions: MacroActions,
    /// The macro's actions in words ("solves it, sets priority high"), if any.
    actions_text: Option<String>,
}

impl From<&CannedReply> for CannedJson {
    fn from(c: &CannedReply) -> Self {
        Self {
            id: c.id.to_string(),
            category: c.category.as_ref().map(ToString::to_string),
            title: c.title.clone(),
            body: c.body.clone(),
            updated_by: c.updated_by.to_string(),
            updated_at: c.updated_at,
            actions: c.actions.clone(),
            actions_text: (!c.actions.is_empty()).then(|| c.actions.describe()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PlaceholderJson {
    placeholder: &'static str,
    meaning: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct CannedListJson {
    items: Vec<CannedJson>,
    placeholders: Vec<PlaceholderJson>,
}

#[derive(Serialize, ToSchema)]
pub struct FaqJson {
    id: String,
    category: String,
    question: String,
    answer: String,
    published: bool,
    position: u32,
    /// The ticket (compact reference) whose answer this entry was made from.
    source_ticket: Option<String>,
    /// Kept among the top answers whatever is read most.
    pinned: bool,
    /// Its page on the help center (published answers).
    url: String,
    /// The question and answer in other languages (`de`).
    translations: std::collections::BTreeMap<helpdesk_domain::i18n::Language, FaqText>,
}

impl From<&FaqEntry> for FaqJson {
    fn from(e: &FaqEntry) -> Self {
        Self {
            id: e.id.to_string(),
            category: e.category.to_string(),
            question: e.question.clone(),
            answer: e.answer.clone(),
            published: e.published,
            position: e.position,
            source_ticket: e.source_ticket.as_ref().map(|t| t.as_str().to_owned()),
            pinned: e.pinned,
            url: helpdesk_domain::agents::canned::answer_path(&e.category, &e.id),
            translations: e.translations.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FaqListJson {
    items: Vec<FaqJson>,
}

fn forbidden(why: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", why)
}

/// May the caller keep items of `category` (`None`: shared by all)?
fn may_keep(caller: &Caller, category: Option<&CategoryId>) -> bool {
    match category {
        Some(c) => caller.covers(c),
        None => caller.role != Role::Agent,
    }
}

fn new_id(deps: &Deps) -> Result<FaqId, ApiError> {
    FaqId::parse(deps.ids.message_id(deps.clock.now()).as_str()).map_err(|_| ApiError::internal())
}

pub async fn list_canned(State(deps): State<Arc<Deps>>, Authed(caller): Authed) -> Response {
    respond(
        async {
            let items = deps
                .catalog
                .canned_replies()
                .await?
                .iter()
                .filter(|c| c.category.as_ref().is_none_or(|cat| caller.covers(cat)))
                .map(CannedJson::from)
                .collect();
            let placeholders = PLACEHOLDERS
                .iter()
                .map(|(placeholder, meaning)| PlaceholderJson {
                    placeholder,
                    meaning,
                })
                .collect();
            Ok(Json(CannedListJson {
                items,
                placeholders,
            })
            .into_response())
        }
        .await,
    )
}

/// A canned reply as a request gives it, checked.
struct CannedInput {
    title: String,
    body: String,
    category: Option<CategoryId>,
    actions: MacroActions,
}

/// Title, body, category and macro actions of a canned reply from a request.
async fn read_canned(headers: &HeaderMap, body: Body) -> Result<CannedInput, ApiError> {
    let (mut map, _) = json_object(headers, body, MAX_BODY).await?;
    let raw_then = map.remove("actions").unwrap_or(serde_json::Value::Null);
    let mut f = Fields::new(map, &["title", "body", "category"]);
    let then = if raw_then.is_null() {
        MacroActions::default()
    } else {
        serde_json::from_value::<MacroActions>(raw_then).unwrap_or_else(|e| {
            f.errors.push(FieldError::new("actions", e.to_string()));
            MacroActions::default()
        })
    };
    let (title, text, raw_category) = (f.string("title"), f.string("body"), f.string("category"));
    let category = if raw_category.is_empty() {
        None
    } else {
        field(&mut f.errors, "category", CategoryId::parse(&raw_category))
    };
    f.errors.extend(canned::check(&title, &text));
    if !f.errors.is_empty() {
        return Err(ApiError::invalid(f.errors));
    }
    Ok(CannedInput {
        title: title.trim().to_owned(),
        body: text.trim().to_owned(),
        category,
        actions: then,
    })
}

/// Macros (canned replies with actions) are kept by supervisors and admins.
fn may_keep_macro(caller: &Caller, then: &MacroActions) -> Result<(), ApiError> {
    if then.is_empty() || caller.role != Role::Agent {
        Ok(())
    } else {
        Err(forbidden(
            "Macros (canned replies with actions) are a supervisor's or admin's to keep.",
        ))
    }
}

async fn save_canned(
    deps: &Deps,
    caller: &Caller,
    id: FaqId,
    headers: &HeaderMap,
    body: Body,
) -> Result<CannedReply, ApiError> {
    let CannedInput {
        title,
        body: text,
        category,
        actions: then,
    } = read_canned(headers, body).await?;
    for (name, c) in [("category", &category), ("actions", &then.category)] {
        if let Some(c) = c
            && deps.catalog.category(c).await?.is_none()
        {
            return Err(ApiError::bad_field(name, "no such category"));
        }
    }
    may_keep_macro(caller, &then)?;
    if !may_keep(caller, category.as_ref()) {
        return Err(forbidden(
            "Agents keep canned replies of their own categories; shared ones are a supervisor's.",
        ));
    }
    let reply = CannedReply {
        id,
        category,
        title,
        body: text,
        updated_by: caller.id().clone(),
        updated_at: deps.clock.now(),
        actions: then,
    };
    deps.catalog.put_canned(&reply).await?;
    Ok(reply)
}

/// The stored canned reply `raw`, if the caller may change it; else 404.
async fn own_canned(deps: &Deps, caller: &Caller, raw: &str) -> Result<CannedReply, ApiError> {
    let id = FaqId::parse(raw).map_err(|_| ApiError::not_found())?;
    let found = deps
        .catalog
        .canned_replies()
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(ApiError::not_found)?;
    if !found.category.as_ref().is_none_or(|c| caller.covers(c)) {
        return Err(ApiError::not_found());
    }
    if !may_keep(caller, found.category.as_ref()) {
        return Err(forbidden(
            "Shared canned replies are a supervisor's to change.",
        ));
    }
    may_keep_macro(caller, &found.actions)?;
    Ok(found)
}

pub async fn create_canned(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Body,
) -> Response {
    respond(
        async {
            let id = new_id(&deps)?;
            let reply = save_canned(&deps, &caller, id, &headers, body).await?;
            Ok((StatusCode::CREATED, Json(CannedJson::from(&reply))).into_response())
        }
        .await,
    )
}

pub async fn update_canned(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    respond(
        async {
            let existing = own_canned(&deps, &caller, &raw).await?;
            let reply = save_canned(&deps, &caller, existing.id, &headers, body).await?;
            Ok(Json(CannedJson::from(&reply)).into_response())
        }
        .await,
    )
}

pub async fn delete_canned(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
) -> Response {
    respond(
        async {
            let existing = own_canned(&deps, &caller, &raw).await?;
            deps.catalog.delete_canned(&existing.id).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}

fn category_param(
    params: &HashMap<String, String>,
    caller: &Caller,
) -> Result<CategoryId, ApiError> {
    params
        .get("category")
        .and_then(|c| CategoryId::parse(c).ok())
        .filter(|c| caller.covers(c))
        .ok_or_else(|| ApiError::bad_field("category", "name one of your categories"))
}

/// A category's FAQ entries, drafts included.
pub async fn list_faq(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    respond(
        async {
            let category = category_param(&params, &caller)?;
            let items = deps
                .catalog
                .faq(&category)
                .await?
                .iter()
                .map(FaqJson::from)
                .collect();
            Ok(Json(FaqListJson { items }).into_response())
        }
        .await,
    )
}

const MAX_QUESTION_CHARS: usize = 300;
const MAX_ANSWER_CHARS: usize = 10_000;

struct FaqInput {
    question: String,
    answer: String,
    published: bool,
    /// Left out: the stored ones stay.
    translations: Option<FaqTexts>,
}

fn faq_input(f: &mut Fields) -> FaqInput {
    let question = f.string("question").trim().to_owned();
    let answer = f.string("answer").trim().to_owned();
    let published = f.optional_bool("published").unwrap_or(false);
    if question.is_empty() || question.chars().count() > MAX_QUESTION_CHARS {
        f.errors.push(FieldError::new(
            "question",
            format!("is required, at most {MAX_QUESTION_CHARS} characters"),
        ));
    }
    if answer.is_empty() || answer.chars().count() > MAX_ANSWER_CHARS {
        f.errors.push(FieldError::new(
            "answer",
            format!("is required, at most {MAX_ANSWER_CHARS} characters"),
        ));
    }
    let translations = f.optional_typed::<FaqTexts>("translations").map(|texts| {
        f.errors.extend(check_faq_texts(
            &texts,
            MAX_QUESTION_CHARS,
            MAX_ANSWER_CHARS,
        ));
        texts
            .into_iter()
            .map(|(l, t)| {
                let text = FaqText {
                    question: t.question.trim().to_owned(),
                    answer: t.answer.trim().to_owned(),
                };
                (l, text)
            })
            .collect()
    });
    FaqInput {
        question,
        answer,
        published,
        translations,
    }
}

fn may_publish(caller: &Caller, published: bool) -> Result<(), ApiError> {
    if published && caller.role == Role::Agent {
        return Err(forbidden(
            "Agents save FAQ drafts; a supervisor publishes them after a read for personal data.",
        ));
    }
    Ok(())
}

/// A new FAQ entry (a draft unless published by a supervisor or admin). Made from
/// a ticket's answer, it names the ticket, and the ticket records it.
pub async fn create_faq(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Body,
) -> Response {
    respond(
        async {
            let (map, _) = json_object(&headers, body, MAX_BODY).await?;
            let mut f = Fields::new(
                map,
                &["category", "question", "answer", "published", "source_ticket", "translations"],
            );
            let input = faq_input(&mut f);
            let category = CategoryId::parse(&f.string("category")).ok();
            let source = f.string("source_ticket");
            let source = (!source.is_empty()).then(|| TicketRef::parse(&source).ok());
            if category.as_ref().is_none_or(|c| !caller.covers(c)) {
                f.errors.push(FieldError::new("category", "name one of your categories"));
            }
            if matches!(source, Some(None)) {
                f.errors.push(FieldError::new("source_ticket", "is not a ticket reference"));
            }
            let (Some(category), true) = (category, f.errors.is_empty()) else {
                return Err(ApiError::invalid(f.errors));
            };
            may_publish(&caller, input.published)?;
            let source = source.flatten();
            if let Some(r) = &source {
                // Only a ticket the caller can open may be named.
                deps.desk().open(&caller, r).await.map_err(|_| {
                    ApiError::bad_field("source_ticket", "no such ticket in your categories")
                })?;
            }
            let position = deps
                .catalog
                .faq(&category)
                .await?
                .iter()
                .map(|e| e.position)
                .max()
                .unwrap_or(0)
                + 1;
            let entry = FaqEntry {
                id: new_id(&deps)?,
                category,
                question: input.question,
                answer: input.answer,
                published: input.published,
                position,
                source_ticket: source.clone(),
                pinned: false,
                translations: input.translations.unwrap_or_default(),
            };
            deps.catalog.put_faq(&entry).await?;
            if let Some(r) = &source {
                let text = format!(
                    "{} made an FAQ {} from this ticket: \u{201c}{}\u{201d}.",
                    caller.agent.name,
                    if entry.published { "entry" } else { "draft" },
                    entry.question
                );
                if let Err(e) = deps.desk().record_event(&caller, r, text).await {
                    tracing::warn!(ticket = %r, error = %e, "FAQ entry saved, ticket event not written");
                }
            }
            Ok((StatusCode::CREATED, Json(FaqJson::from(&entry))).into_response())
        }
        .await,
    )
}

pub async fn update_faq(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path((raw_category, raw_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    respond(
        async {
            let category = CategoryId::parse(&raw_category)
                .ok()
                .filter(|c| caller.covers(c))
                .ok_or_else(ApiError::not_found)?;
            let id = FaqId::parse(&raw_id).map_err(|_| ApiError::not_found())?;
            let existing = deps
                .catalog
                .faq(&category)
                .await?
                .into_iter()
                .find(|e| e.id == id)
                .ok_or_else(ApiError::not_found)?;
            let (map, _) = json_object(&headers, body, MAX_BODY).await?;
            let mut f = Fields::new(
                map,
                &[
                    "question",
                    "answer",
                    "published",
                    "pinned",
                    "position",
                    "translations",
                ],
            );
            let input = faq_input(&mut f);
            let pinned = f.optional_bool("pinned");
            let position = f.optional_u64("position");
            if position.is_some_and(|p| p > u64::from(u32::MAX)) {
                f.errors.push(FieldError::new("position", "is too large"));
            }
            if !f.errors.is_empty() {
                return Err(ApiError::invalid(f.errors));
            }
            // Publishing, a published answer's words, pinning and the order are
            // what customers read: a supervisor's or admin's call.
            if input.published != existing.published
                || existing.published
                || pinned.is_some_and(|p| p != existing.pinned)
                || position.is_some_and(|p| p != u64::from(existing.position))
            {
                may_publish(&caller, true)?;
            }
            let entry = FaqEntry {
                question: input.question,
                answer: input.answer,
                published: input.published,
                translations: input
                    .translations
                    .unwrap_or_else(|| existing.translations.clone()),
                pinned: pinned.unwrap_or(existing.pinned),
                position: position
                    .and_then(|p| u32::try_from(p).ok())
                    .unwrap_or(existing.position),
                ..existing
            };
            deps.catalog.put_faq(&entry).await?;
            Ok(Json(FaqJson::from(&entry)).into_response())
        }
        .await,
    )
}

/// Removes an answer (supervisors and admins); its page and top place go with it.
pub async fn delete_faq(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path((raw_category, raw_id)): Path<(String, String)>,
) -> Response {
    respond(
        async {
            let category = CategoryId::parse(&raw_category)
                .ok()
                .filter(|c| caller.covers(c))
                .ok_or_else(ApiError::not_found)?;
            let id = FaqId::parse(&raw_id).map_err(|_| ApiError::not_found())?;
            may_publish(&caller, true)?;
            if deps.catalog.delete_faq(&category, &id).await? {
                Ok(StatusCode::NO_CONTENT.into_response())
            } else {
                Err(ApiError::not_found())
            }
        }
        .await,
    )
}
