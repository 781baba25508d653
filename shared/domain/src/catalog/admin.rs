//! What an admin may store as configuration: categories (with their own detail
//! fields and mail addresses), agents and SLA policies, checked field by field.

use crate::agents::profile::{Agent, Role};
use crate::catalog::category::{Category, FieldError, FieldKind};
use crate::sla::policy::SlaPolicy;

mod policy;
pub use policy::{HoursDraft, PolicyDraft, check_policy, check_policy_id};

const MAX_NAME: usize = 80;
const MAX_TEXT: usize = 300;
const MAX_HINTS: usize = 10;
const MAX_FIELDS: usize = 20;
const MAX_OPTIONS: usize = 50;
const MAX_TEXT_LEN: u32 = 10_000;

fn one_line(field: String, value: &str, max: usize, errors: &mut Vec<FieldError>) {
    let v = value.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, "is required"));
    } else if v.chars().count() > max || v.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            format!("must be one line of at most {max} characters"),
        ));
    }
}

/// Every problem with a category an admin wants to store. `others` are the
/// other stored categories (mail addresses must lead to one category only).
pub fn check_category(
    category: &Category,
    others: &[Category],
    policies: &[SlaPolicy],
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    one_line("name".into(), &category.name, MAX_NAME, &mut errors);
    if category.description.chars().count() > MAX_TEXT {
        errors.push(FieldError::new(
            "description",
            format!("must be at most {MAX_TEXT} characters"),
        ));
    }
    if category.hints.len() > MAX_HINTS {
        errors.push(FieldError::new("hints", format!("at most {MAX_HINTS}")));
    }
    for (i, hint) in category.hints.iter().enumerate() {
        one_line(format!("hints.{i}"), hint, MAX_TEXT, &mut errors);
    }
    if !policies.iter().any(|p| p.id == category.sla_policy) {
        errors.push(FieldError::new("sla_policy", "no such SLA policy"));
    }
    if category
        .retention_months
        .is_some_and(|m| !(1..=120).contains(&m))
    {
        errors.push(FieldError::new(
            "retention_months",
            "must be 1 to 120 months, or left out to keep closed tickets",
        ));
    }
    if let Err(reason) = category.lifecycle.check() {
        errors.push(FieldError::new("lifecycle", reason));
    }
    for (i, address) in category.addresses.iter().enumerate() {
        let taken = others
            .iter()
            .find(|o| o.id != category.id && o.addresses.iter().any(|a| a.same_mailbox(address)));
        if let Some(other) = taken {
            errors.push(FieldError::new(
                format!("addresses.{i}"),
                format!("{} already leads to {}", address.as_str(), other.name),
            ));
        }
        if category.addresses[..i]
            .iter()
            .any(|a| a.same_mailbox(address))
        {
            errors.push(FieldError::new(format!("addresses.{i}"), "is listed twice"));
        }
    }
    if category.fields.len() > MAX_FIELDS {
        errors.push(FieldError::new("fields", format!("at most {MAX_FIELDS}")));
    }
    for (i, field) in category.fields.iter().enumerate() {
        let at = |part: &str| format!("fields.{i}.{part}");
        let name_ok = !field.name.is_empty()
            && field.name.len() <= 40
            && field
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !name_ok {
            errors.push(FieldError::new(
                at("name"),
                "lower-case letters, digits and _ (at most 40)",
            ));
        } else if category.fields[..i].iter().any(|f| f.name == field.name) {
            errors.push(FieldError::new(at("name"), "is used by another field"));
        }
        one_line(at("label"), &field.label, MAX_NAME, &mut errors);
        if field.help.chars().count() > MAX_TEXT {
            errors.push(FieldError::new(
                at("help"),
                format!("must be at most {MAX_TEXT} characters"),
            ));
        }
        match &field.kind {
            FieldKind::Text { max_len } if !(1..=MAX_TEXT_LEN).contains(max_len) => {
                errors.push(FieldError::new(
                    at("kind.max_len"),
                    format!("must be from 1 to {MAX_TEXT_LEN}"),
                ));
            }
            FieldKind::Number {
                min: Some(min),
                max: Some(max),
            } if min > max => {
                errors.push(FieldError::new(
                    at("kind.min"),
                    "must not be above the maximum",
                ));
            }
            FieldKind::Number { min, max }
                if min.is_some_and(|v| !v.is_finite()) || max.is_some_and(|v| !v.is_finite()) =>
            {
                errors.push(FieldError::new(at("kind"), "limits must be numbers"));
            }
            FieldKind::Choice { options, premium } => {
                if options.is_empty() || options.len() > MAX_OPTIONS {
                    errors.push(FieldError::new(
                        at("kind.options"),
                        format!("from 1 to {MAX_OPTIONS} options"),
                    ));
                }
                for (k, option) in options.iter().enumerate() {
                    one_line(
                        format!("fields.{i}.kind.options.{k}"),
                        option,
                        MAX_NAME,
                        &mut errors,
                    );
                    if options[..k].contains(option) {
                        errors.push(FieldError::new(
                            format!("fields.{i}.kind.options.{k}"),
                            "is listed twice",
                        ));
                    }
                }
                for (k, option) in premium.iter().enumerate() {
                    if !options.contains(option) {
                        errors.push(FieldError::new(
                            format!("fields.{i}.kind.premium.{k}"),
                            "must be one of the options",
                        ));
                    } else if premium[..k].contains(option) {
                        errors.push(FieldError::new(
                            format!("fields.{i}.kind.premium.{k}"),
                            "is listed twice",
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    errors
}

/// Every problem with an agent record; `categories` are the stored ones.
pub fn check_agent(agent: &Agent, categories: &[Category]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    one_line("name".into(), &agent.name, MAX_NAME, &mut errors);
    for (i, c) in agent.categories.iter().enumerate() {
        if !categories.iter().any(|k| &k.id == c) {
            errors.push(FieldError::new(
                format!("categories.{i}"),
                "no such category",
            ));
        }
    }
    if agent.role == Role::Agent && agent.categories.is_empty() {
        errors.push(FieldError::new(
            "categories",
            "an agent needs at least one category",
        ));
    }
    errors
}

impl Role {
    /// Agent < supervisor < admin.
    pub fn rank(self) -> u8 {
        match self {
            Role::Agent => 0,
            Role::Supervisor => 1,
            Role::Admin => 2,
        }
    }

    /// The lesser of two roles: what both the identity provider and the agent
    /// record allow.
    pub fn least(self, other: Role) -> Role {
        if self.rank() <= other.rank() {
            self
        } else {
            other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EmailAddress;
    use crate::catalog::category::FieldSchema;
    use crate::values::ids::{AgentId, CategoryId};

    fn category(id: &str, address: &str) -> Category {
        Category {
            id: CategoryId::parse(id).unwrap(),
            name: format!("Category {id}"),
            description: String::new(),
            hints: vec![],
            fields: vec![],
            addresses: vec![EmailAddress::parse(address).unwrap()],
            agents: vec![],
            sla_policy: "default".into(),
            position: 1,
            lifecycle: Default::default(),
            retention_months: None,
        }
    }

    fn policy(id: &str) -> SlaPolicy {
        use crate::sla::policy::{Calendar, CalendarSpec, Targets};
        let calendar = Calendar::try_from(CalendarSpec {
            time_zone: "UTC".into(),
            hours: vec![],
            holidays: vec![],
        })
        .unwrap();
        let targets = Targets {
            first_response_minutes: 60,
            next_response_minutes: 60,
            resolution_minutes: 600,
        };
        SlaPolicy {
            id: id.into(),
            calendar,
            standard: targets,
            premium: targets,
            warn_percent: 80,
            escalate_percent: 150,
        }
    }

    fn field(name: &str, kind: FieldKind) -> FieldSchema {
        FieldSchema {
            name: name.into(),
            label: "Label".into(),
            kind,
            required: false,
            help: String::new(),
        }
    }

    #[test]
    fn a_category_names_each_problem_by_its_path() {
        let policies = vec![policy("default")];
        let billing = category("billing", "billing@helpdesk.test");
        let mut sales = category("sales", "BILLING@helpdesk.test");
        sales.sla_policy = "nope".into();
        sales.fields = vec![
            field("order id", FieldKind::Email),
            field(
                "size",
                FieldKind::Number {
                    min: Some(5.0),
                    max: Some(1.0),
                },
            ),
            field(
                "size",
                FieldKind::Choice {
                    options: vec!["a".into(), "a".into()],
                    premium: vec!["b".into()],
                },
            ),
            field("notes", FieldKind::Text { max_len: 0 }),
        ];
        let errors = check_category(&sales, std::slice::from_ref(&billing), &policies);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "sla_policy",
                "addresses.0",
                "fields.0.name",
                "fields.1.kind.min",
                "fields.2.name",
                "fields.2.kind.options.1",
                "fields.2.kind.premium.0",
                "fields.3.kind.max_len"
            ]
        );
    }

    #[test]
    fn the_lesser_role_wins_and_agents_need_a_category() {
        assert_eq!(Role::Admin.least(Role::Agent), Role::Agent);
        assert_eq!(Role::Supervisor.least(Role::Admin), Role::Supervisor);
        let agent = Agent {
            id: AgentId::parse("ann").unwrap(),
            name: "Ann".into(),
            email: EmailAddress::parse("ann@helpdesk.test").unwrap(),
            role: Role::Agent,
            categories: vec![CategoryId::parse("ghost").unwrap()],
            display_name: None,
            signature: None,
            alerts: None,
        };
        let fields: Vec<String> = check_agent(&agent, &[])
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["categories.0"]);
    }
}
