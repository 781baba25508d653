//! Admin pages' API: categories (their detail fields and mail addresses), agent
//! records and SLA policies. Admins only; everyone else gets 403.

use crate::auth::{Authed, admins_only};
use crate::queue::AgentJson;
use crate::{Deps, respond};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use helpdesk_domain::agents::audit::AuditAction;
use helpdesk_domain::agents::profile::{Agent, Role};
use helpdesk_domain::catalog::admin::{PolicyDraft, check_agent, check_category, check_policy};
use helpdesk_domain::catalog::category::{Category, FieldSchema, Lifecycle};
use helpdesk_domain::catalog::translations::{CategoryText, CategoryTexts, FieldText};
use helpdesk_domain::{AgentId, CategoryId, EmailAddress, FieldError};
use lambda_kit::http::{ApiError, field, json_object};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

const MAX_BODY: usize = 64 * 1024;

/// 200 for a replaced record, 201 for a new one.
fn saved(existed: bool) -> StatusCode {
    if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    }
}

/// Reads a JSON body into `T`; what serde can't read is named as the body's problem.
pub(crate) async fn body_as<T: for<'de> Deserialize<'de>>(
    headers: &HeaderMap,
    body: Body,
) -> Result<T, ApiError> {
    let (_, bytes) = json_object(headers, body, MAX_BODY).await?;
    serde_json::from_slice(&bytes).map_err(|e| {
        let message = e.to_string();
        let reason = message
            .split(" at line")
            .next()
            .unwrap_or(&message)
            .to_owned();
        ApiError::bad_field("body", reason)
    })
}

#[derive(Serialize, ToSchema)]
pub struct PolicyJson {
    id: String,
}

#[derive(Serialize, ToSchema)]
pub struct AdminCategoriesJson {
    categories: Vec<Category>,
    policies: Vec<PolicyJson>,
}

pub async fn categories(State(deps): State<Arc<Deps>>, Authed(caller): Authed) -> Response {
    let result = async {
        admins_only(&caller, "change categories and agents")?;
        let categories = deps.catalog.categories().await?;
        let policies = deps
            .catalog
            .policies()
            .await?
            .into_iter()
            .map(|p| PolicyJson { id: p.id })
            .collect();
        Ok::<_, ApiError>(Json(AdminCategoriesJson {
            categories,
            policies,
        }))
    }
    .await;
    respond(result)
}

/// A category as an admin writes it (its id is in the path).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    /// One line.
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*\\S[^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    name: String,
    #[serde(default)]
    #[schema(max_length = 300)]
    description: String,
    /// Each one line of at most 300 characters.
    #[serde(default)]
    #[schema(max_items = 10)]
    hints: Vec<String>,
    #[serde(default)]
    #[schema(max_items = 20)]
    fields: Vec<FieldSchema>,
    /// Mail to these addresses opens tickets in this category; each leads to one
    /// category only.
    #[serde(default)]
    addresses: Vec<String>,
    /// One of the stored policies.
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,39}$")]
    sla_policy: String,
    #[serde(default)]
    position: u32,
    /// Days before a quiet ticket is reminded, solved and closed; kept when left out.
    #[serde(default)]
    lifecycle: Option<Lifecycle>,
    /// Months after which closed tickets are erased (1 to 120); `null` or left
    /// out keeps them for good.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 120)]
    retention_months: Option<u16>,
    /// What customers read in other languages (`de`): name, description, hints,
    /// and detail fields' labels and help by field name. Empty texts read the
    /// category's own.
    #[serde(default)]
    translations: std::collections::BTreeMap<helpdesk_domain::i18n::Language, CategoryText>,
}

pub async fn put_category(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        admins_only(&caller, "change categories and agents")?;
        let id = CategoryId::parse(&raw).map_err(|e| ApiError::bad_field("id", e.to_string()))?;
        let input: CategoryInput = body_as(&headers, body).await?;
        let mut errors = Vec::new();
        let addresses: Vec<EmailAddress> = input
            .addresses
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                field(
                    &mut errors,
                    format!("addresses.{i}"),
                    EmailAddress::parse(a.trim()),
                )
            })
            .collect();
        let all = deps.catalog.categories().await?;
        let existing = all.iter().find(|c| c.id == id);
        let category = Category {
            id: id.clone(),
            name: input.name.trim().to_owned(),
            description: input.description.trim().to_owned(),
            hints: said_lines(&input.hints),
            fields: input.fields,
            addresses,
            agents: existing.map(|c| c.agents.clone()).unwrap_or_default(),
            sla_policy: input.sla_policy,
            position: input.position,
            lifecycle: input
                .lifecycle
                .or(existing.map(|c| c.lifecycle))
                .unwrap_or_default(),
            retention_months: input.retention_months,
            translations: trimmed(input.translations),
        };
        errors.extend(check_category(
            &category,
            &all,
            &deps.catalog.policies().await?,
        ));
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        deps.catalog.put_category(&category).await?;
        let retention = category
            .retention_months
            .map_or("kept".into(), |m| format!("erased after {m} months"));
        crate::privacy::record(
            &deps,
            &caller,
            AuditAction::CategorySaved,
            category.id.as_str(),
            format!("{}; closed tickets {retention}", category.name),
        )
        .await?;
        Ok::<_, ApiError>((saved(existing.is_some()), Json(category)))
    }
    .await;
    respond(result)
}

/// Lines as stored: trimmed, the blank ones left out.
fn said_lines(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .collect()
}

/// Texts as stored: trimmed, empty hints left out.
fn trimmed(texts: CategoryTexts) -> CategoryTexts {
    texts
        .into_iter()
        .map(|(language, t)| {
            let text = CategoryText {
                name: t.name.trim().to_owned(),
                description: t.description.trim().to_owned(),
                hints: said_lines(&t.hints),
                fields: t
                    .fields
                    .into_iter()
                    .map(|(name, f)| {
                        let text = FieldText {
                            label: f.label.trim().to_owned(),
                            help: f.help.trim().to_owned(),
                            options: f
                                .options
                                .into_iter()
                                .map(|(o, l)| (o.trim().to_owned(), l.trim().to_owned()))
                                .filter(|(_, l)| !l.is_empty())
                                .collect(),
                        };
                        (name, text)
                    })
                    .collect(),
            };
            (language, text)
        })
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct AdminPoliciesJson {
    policies: Vec<PolicyDraft>,
}

pub async fn policies(State(deps): State<Arc<Deps>>, Authed(caller): Authed) -> Response {
    let result = async {
        admins_only(&caller, "change categories and agents")?;
        let mut policies: Vec<PolicyDraft> = deps
            .catalog
            .policies()
            .await?
            .iter()
            .map(PolicyDraft::of)
            .collect();
        policies.sort_by(|a, b| a.id.cmp(&b.id));
        Ok::<_, ApiError>(Json(AdminPoliciesJson { policies }))
    }
    .await;
    respond(result)
}

/// Creates or replaces a policy; categories on it get the new calendar and targets
/// for their next clocks (running clocks keep the promise already made).
pub async fn put_policy(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        admins_only(&caller, "change categories and agents")?;
        let draft: PolicyDraft = body_as(&headers, body).await?;
        let policy = check_policy(&raw, &draft).map_err(ApiError::invalid)?;
        let existed = deps
            .catalog
            .policies()
            .await?
            .iter()
            .any(|p| p.id == policy.id);
        deps.catalog.put_policy(&policy).await?;
        crate::privacy::record(&deps, &caller, AuditAction::PolicySaved, &policy.id, "").await?;
        Ok::<_, ApiError>((saved(existed), Json(PolicyDraft::of(&policy))))
    }
    .await;
    respond(result)
}

#[derive(Serialize, ToSchema)]
pub struct AdminAgentsJson {
    agents: Vec<AgentJson>,
}

pub async fn agents(State(deps): State<Arc<Deps>>, Authed(caller): Authed) -> Response {
    let result = async {
        admins_only(&caller, "change categories and agents")?;
        let agents = deps
            .catalog
            .agents()
            .await?
            .iter()
            .map(AgentJson::of)
            .collect();
        Ok::<_, ApiError>(Json(AdminAgentsJson { agents }))
    }
    .await;
    respond(result)
}

/// An agent record as an admin writes it (the id, in the path, is the Cognito user
/// name). The role here caps the Cognito group's: lowering it takes effect at once.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentInput {
    /// One line.
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*\\S[^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    name: String,
    #[schema(format = "email", max_length = 254)]
    email: String,
    role: Role,
    /// Stored categories.
    #[serde(default)]
    categories: Vec<String>,
}

pub async fn put_agent(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        admins_only(&caller, "change categories and agents")?;
        let id = AgentId::parse(&raw).map_err(|e| ApiError::bad_field("id", e.to_string()))?;
        let input: AgentInput = body_as(&headers, body).await?;
        let mut errors = Vec::new();
        let email = field(
            &mut errors,
            "email",
            EmailAddress::parse(input.email.trim()),
        );
        let categories: Vec<CategoryId> = input
            .categories
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                field(&mut errors, format!("categories.{i}"), CategoryId::parse(c))
            })
            .collect();
        if id == *caller.id() && input.role != Role::Admin {
            errors.push(FieldError::new(
                "role",
                "you can't take your own admin role away",
            ));
        }
        let Some(email) = email else {
            return Err(ApiError::invalid(errors));
        };
        // How the agent signs is theirs to set (PUT /api/agent/me/profile).
        let existing = deps.catalog.agent(&id).await?;
        let agent = Agent {
            id,
            name: input.name.trim().to_owned(),
            email,
            role: input.role,
            categories,
            display_name: existing.as_ref().and_then(|a| a.display_name.clone()),
            signature: existing.as_ref().and_then(|a| a.signature.clone()),
            alerts: existing.as_ref().and_then(|a| a.alerts.clone()),
        };
        errors.extend(check_agent(&agent, &deps.catalog.categories().await?));
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        let existed = existing.is_some();
        deps.catalog.put_agent(&agent).await?;
        let categories: Vec<&str> = agent.categories.iter().map(|c| c.as_str()).collect();
        crate::privacy::record(
            &deps,
            &caller,
            AuditAction::AgentSaved,
            agent.id.as_str(),
            format!("{:?}: {}", agent.role, categories.join(", ")).to_lowercase(),
        )
        .await?;
        Ok::<_, ApiError>((saved(existed), Json(AgentJson::of(&agent))))
    }
    .await;
    respond(result)
}
