//! What an admin may store as configuration: categories (with their own detail
//! fields and mail addresses), agents and SLA policies, checked field by field.

use crate::catalog::{Agent, Role};
use crate::category::{Category, FieldError, FieldKind};
use crate::sla::{CalendarSpec, OpeningHours, SlaPolicy, Targets};
use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

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
            FieldKind::Choice { options } => {
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
    use crate::category::FieldSchema;
    use crate::ids::{AgentId, CategoryId};

    fn draft() -> PolicyDraft {
        let hours = |day: &str, opens: &str, closes: &str| HoursDraft {
            day: day.into(),
            opens: opens.into(),
            closes: closes.into(),
        };
        let t = |m| Targets {
            first_response_minutes: m,
            next_response_minutes: m,
            resolution_minutes: m * 4,
        };
        PolicyDraft {
            id: String::new(),
            time_zone: "America/New_York".into(),
            hours: vec![
                hours("Mon", "08:30", "18:00"),
                hours("sat", "10:00", "14:00"),
            ],
            holidays: vec!["2026-12-25".into()],
            standard: t(480),
            premium: t(60),
            warn_percent: 75,
            escalate_percent: 200,
        }
    }

    #[test]
    fn a_policy_draft_reads_back_as_written() {
        let policy = check_policy("us-retail", &draft()).unwrap();
        assert_eq!(policy.id, "us-retail");
        assert_eq!(policy.calendar.time_zone(), "America/New_York");
        let back = PolicyDraft::of(&policy);
        assert_eq!(back.hours[1].day, "Sat");
        assert_eq!(back.hours[0].opens, "08:30");
        assert_eq!(check_policy("us-retail", &back).unwrap(), policy);
    }

    #[test]
    fn every_problem_of_a_policy_is_named_by_path() {
        let mut d = draft();
        d.time_zone = "Mars/Olympus".into();
        d.hours[0].closes = "08:00".into();
        d.hours[1].day = "Caturday".into();
        d.hours.push(HoursDraft {
            day: "Mon".into(),
            opens: "9".into(),
            closes: "10:00".into(),
        });
        d.holidays.push("25.12.2026".into());
        d.premium.first_response_minutes = 0;
        d.warn_percent = 100;
        d.escalate_percent = 100;
        let fields: Vec<String> = check_policy("Bad Id", &d)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "id",
                "time_zone",
                "hours.0.closes",
                "hours.1.day",
                "hours.2.opens",
                "holidays.1",
                "premium.first_response_minutes",
                "warn_percent",
                "escalate_percent"
            ]
        );
        let mut twice = draft();
        twice.hours.push(twice.hours[0].clone());
        let e = check_policy("x", &twice).unwrap_err();
        assert_eq!(
            (e[0].field.as_str(), e[0].reason.as_str()),
            ("hours.2.day", "appears twice")
        );
    }

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
        }
    }

    fn policy(id: &str) -> SlaPolicy {
        use crate::sla::{Calendar, CalendarSpec, Targets};
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
        };
        let fields: Vec<String> = check_agent(&agent, &[])
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["categories.0"]);
    }
}

/// Opening hours as an admin writes them: `Mon`, `09:00`, `17:00`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HoursDraft {
    pub day: String,
    pub opens: String,
    pub closes: String,
}

/// An SLA policy as the admin page shows and sends it (its id is in the path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PolicyDraft {
    /// Read only: the path names the policy.
    #[serde(default)]
    pub id: String,
    /// IANA, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// At most one window a day; days left out are closed.
    pub hours: Vec<HoursDraft>,
    /// YYYY-MM-DD, closed all day.
    #[serde(default)]
    pub holidays: Vec<String>,
    pub standard: Targets,
    pub premium: Targets,
    #[serde(default = "default_warn")]
    pub warn_percent: u16,
    #[serde(default = "default_escalate")]
    pub escalate_percent: u16,
}

fn default_warn() -> u16 {
    80
}

fn default_escalate() -> u16 {
    150
}

const MAX_HOLIDAYS: usize = 200;
/// A year of minutes: longer targets are typing mistakes.
const MAX_TARGET_MINUTES: u32 = 525_600;

impl PolicyDraft {
    pub fn of(policy: &SlaPolicy) -> Self {
        let spec = CalendarSpec::from(policy.calendar.clone());
        Self {
            id: policy.id.clone(),
            time_zone: spec.time_zone,
            hours: spec
                .hours
                .iter()
                .map(|h| HoursDraft {
                    day: h.day.to_string(),
                    opens: h.opens.format("%H:%M").to_string(),
                    closes: h.closes.format("%H:%M").to_string(),
                })
                .collect(),
            holidays: spec.holidays.iter().map(ToString::to_string).collect(),
            standard: policy.standard,
            premium: policy.premium,
            warn_percent: policy.warn_percent,
            escalate_percent: policy.escalate_percent,
        }
    }
}

/// A policy id: lowercase letters, digits and dashes, 1 to 40 characters.
pub fn check_policy_id(id: &str) -> Result<String, FieldError> {
    let ok = !id.is_empty()
        && id.len() <= 40
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(id.to_owned())
    } else {
        Err(FieldError::new(
            "id",
            "must be 1 to 40 lowercase letters, digits or dashes",
        ))
    }
}

fn time(field: String, raw: &str, errors: &mut Vec<FieldError>) -> Option<NaiveTime> {
    let t = NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(raw.trim(), "%H:%M:%S"));
    t.map_err(|_| errors.push(FieldError::new(field, "is not a time (HH:MM)")))
        .ok()
}

/// The policy an admin's draft describes, or every problem with it by path
/// (`hours.2.closes`, `premium.first_response_minutes`).
pub fn check_policy(id: &str, draft: &PolicyDraft) -> Result<SlaPolicy, Vec<FieldError>> {
    let mut errors = Vec::new();
    let id = check_policy_id(id).map_err(|e| errors.push(e)).ok();
    if draft.time_zone.trim().parse::<chrono_tz::Tz>().is_err() {
        errors.push(FieldError::new(
            "time_zone",
            "is not an IANA time zone (e.g. Europe/Berlin)",
        ));
    }
    let mut hours: Vec<OpeningHours> = Vec::new();
    for (i, h) in draft.hours.iter().enumerate() {
        let day = h.day.trim().parse::<Weekday>().map_err(|_| {
            errors.push(FieldError::new(
                format!("hours.{i}.day"),
                "is not a day of the week (Mon to Sun)",
            ))
        });
        let opens = time(format!("hours.{i}.opens"), &h.opens, &mut errors);
        let closes = time(format!("hours.{i}.closes"), &h.closes, &mut errors);
        let (Ok(day), Some(opens), Some(closes)) = (day, opens, closes) else {
            continue;
        };
        if opens >= closes {
            errors.push(FieldError::new(
                format!("hours.{i}.closes"),
                "must be after the opening time",
            ));
        } else if hours.iter().any(|o| o.day == day) {
            errors.push(FieldError::new(format!("hours.{i}.day"), "appears twice"));
        } else {
            hours.push(OpeningHours { day, opens, closes });
        }
    }
    if draft.hours.is_empty() {
        errors.push(FieldError::new("hours", "needs at least one open day"));
    }
    if draft.holidays.len() > MAX_HOLIDAYS {
        errors.push(FieldError::new(
            "holidays",
            format!("at most {MAX_HOLIDAYS}"),
        ));
    }
    let mut holidays = Vec::new();
    for (i, raw) in draft.holidays.iter().enumerate() {
        match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
            Ok(d) => holidays.push(d),
            Err(_) => errors.push(FieldError::new(
                format!("holidays.{i}"),
                "is not a date (YYYY-MM-DD)",
            )),
        }
    }
    for (tier, t) in [("standard", &draft.standard), ("premium", &draft.premium)] {
        for (name, minutes) in [
            ("first_response_minutes", t.first_response_minutes),
            ("next_response_minutes", t.next_response_minutes),
            ("resolution_minutes", t.resolution_minutes),
        ] {
            if minutes == 0 || minutes > MAX_TARGET_MINUTES {
                errors.push(FieldError::new(
                    format!("{tier}.{name}"),
                    format!("must be 1 to {MAX_TARGET_MINUTES} business minutes"),
                ));
            }
        }
    }
    if !(1..=99).contains(&draft.warn_percent) {
        errors.push(FieldError::new("warn_percent", "must be 1 to 99"));
    }
    if !(101..=1000).contains(&draft.escalate_percent) {
        errors.push(FieldError::new("escalate_percent", "must be 101 to 1000"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let spec = CalendarSpec {
        time_zone: draft.time_zone.trim().to_owned(),
        hours,
        holidays,
    };
    let calendar = spec
        .try_into()
        .map_err(|e: crate::sla::CalendarError| vec![FieldError::new("hours", e.to_string())])?;
    Ok(SlaPolicy {
        id: id.unwrap_or_default(),
        calendar,
        standard: draft.standard,
        premium: draft.premium,
        warn_percent: draft.warn_percent,
        escalate_percent: draft.escalate_percent,
    })
}
