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
    check_category_texts(category, &mut errors);
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

fn line(field: String, value: &str, max: usize, errors: &mut Vec<FieldError>) {
    if value.chars().count() > max || value.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            format!("must be one line of at most {max} characters"),
        ));
    }
}

fn longest(field: String, value: &str, max: usize, errors: &mut Vec<FieldError>) {
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
}

/// Every problem with a category's translations, named by path
/// (`translations.de.fields.order_id.label`).
/// English is what the category and answer themselves say: a translation
/// into it would be text no one reviewing the English sees.
fn base_language(language: crate::i18n::Language, errors: &mut Vec<FieldError>) -> bool {
    let base = language == crate::i18n::Language::En;
    if base {
        errors.push(FieldError::new(
            "translations.en",
            "English is the text itself: write it there",
        ));
    }
    base
}

fn check_category_texts(category: &Category, errors: &mut Vec<FieldError>) {
    for (language, text) in &category.translations {
        if base_language(*language, errors) {
            continue;
        }
        let at = |part: &str| format!("translations.{}.{part}", language.as_str());
        line(at("name"), &text.name, MAX_NAME, errors);
        longest(at("description"), &text.description, MAX_TEXT, errors);
        if text.hints.len() > MAX_HINTS {
            errors.push(FieldError::new(
                at("hints"),
                format!("at most {}", MAX_HINTS),
            ));
        }
        for (i, hint) in text.hints.iter().enumerate() {
            line(at(&format!("hints.{i}")), hint, MAX_TEXT, errors);
        }
        for (name, field) in &text.fields {
            let at = |part: &str| at(&format!("fields.{name}.{part}"));
            if !category.fields.iter().any(|f| &f.name == name) {
                errors.push(FieldError::new(
                    at("label"),
                    "names no detail field of this category",
                ));
                continue;
            }
            line(at("label"), &field.label, MAX_NAME, errors);
            longest(at("help"), &field.help, MAX_TEXT, errors);
            if field.options.is_empty() {
                continue;
            }
            let own = category.fields.iter().find(|f| &f.name == name);
            match own.map(|f| &f.kind) {
                Some(FieldKind::Choice { options, .. }) => {
                    for (option, label) in &field.options {
                        let at = at(&format!("options.{option}"));
                        if !options.contains(option) {
                            errors.push(FieldError::new(at, "names no option of this field"));
                        } else {
                            one_line(at, label, MAX_NAME, errors);
                        }
                    }
                }
                _ => errors.push(FieldError::new(at("options"), "only a choice has options")),
            }
        }
    }
}

/// Every problem with an answer's translations: each needs its question (one
/// line, `max_question`) and its answer (`max_answer`).
pub fn check_faq_texts(
    texts: &crate::catalog::translations::FaqTexts,
    max_question: usize,
    max_answer: usize,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (language, text) in texts {
        if base_language(*language, &mut errors) {
            continue;
        }
        let at = |part: &str| format!("translations.{}.{part}", language.as_str());
        let question = text.question.trim();
        if question.is_empty() {
            errors.push(FieldError::new(at("question"), "is required"));
        } else {
            line(at("question"), question, max_question, &mut errors);
        }
        let answer = text.answer.trim();
        if answer.is_empty() {
            errors.push(FieldError::new(at("answer"), "is required"));
        } else {
            longest(at("answer"), answer, max_answer, &mut errors);
        }
    }
    errors
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
            translations: Default::default(),
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

#[cfg(test)]
mod translation_tests {
    use super::*;
    use crate::catalog::category::{FieldKind, FieldSchema};
    use crate::catalog::faq::FaqEntry;
    use crate::catalog::translations::{CategoryText, FaqText, FaqTexts, FieldText};
    use crate::i18n::Language;
    use crate::values::ids::{CategoryId, FaqId};
    use std::collections::BTreeMap;

    fn category() -> Category {
        Category {
            id: CategoryId::parse("billing").unwrap(),
            name: "Billing".into(),
            description: "Invoices and refunds".into(),
            hints: vec!["Have your invoice number at hand".into()],
            fields: vec![
                FieldSchema {
                    name: "invoice".into(),
                    label: "Invoice number".into(),
                    kind: FieldKind::Text { max_len: 20 },
                    required: false,
                    help: "Top right of the invoice".into(),
                },
                FieldSchema {
                    name: "amount".into(),
                    label: "Amount".into(),
                    kind: FieldKind::Number {
                        min: None,
                        max: None,
                    },
                    required: false,
                    help: String::new(),
                },
            ],
            addresses: vec![],
            agents: vec![],
            sla_policy: "default".into(),
            position: 1,
            lifecycle: Default::default(),
            retention_months: None,
            translations: BTreeMap::new(),
        }
    }

    fn german() -> CategoryText {
        CategoryText {
            name: "Rechnungen".into(),
            description: String::new(),
            hints: vec!["Halten Sie Ihre Rechnungsnummer bereit".into(), " ".into()],
            fields: BTreeMap::from([(
                "invoice".to_owned(),
                FieldText {
                    label: "Rechnungsnummer".into(),
                    help: String::new(),
                    options: Default::default(),
                },
            )]),
        }
    }

    #[test]
    fn a_translation_replaces_what_it_gives_and_keeps_the_rest() {
        let mut c = category();
        c.translations.insert(Language::De, german());
        let de = c.clone().in_language(Language::De);
        assert_eq!(de.name, "Rechnungen");
        assert_eq!(
            de.description, "Invoices and refunds",
            "empty keeps the own text"
        );
        assert_eq!(de.hints, ["Halten Sie Ihre Rechnungsnummer bereit"]);
        assert_eq!(de.fields[0].label, "Rechnungsnummer");
        assert_eq!(de.fields[0].help, "Top right of the invoice");
        assert_eq!(de.fields[1].label, "Amount");
        assert!(de.translations.is_empty(), "visitors get one language");
        let en = c.in_language(Language::En);
        assert_eq!(en.name, "Billing");
        assert_eq!(en.fields[0].label, "Invoice number");
        assert!(en.translations.is_empty());
    }

    #[test]
    fn a_choice_s_german_labels_follow_their_options_whatever_the_order() {
        let mut c = category();
        c.fields.push(FieldSchema {
            name: "carrier".into(),
            label: "Carrier".into(),
            kind: FieldKind::Choice {
                options: vec!["Post".into(), "Courier".into()],
                premium: vec!["Courier".into()],
            },
            required: false,
            help: String::new(),
        });
        let mut t = CategoryText::default();
        t.fields.insert(
            "carrier".into(),
            FieldText {
                label: "Zusteller".into(),
                help: String::new(),
                options: [("Courier".to_owned(), "Kurier".to_owned())].into(),
            },
        );
        c.translations.insert(Language::De, t);
        assert_eq!(c.option_labels(Language::De, "carrier"), ["Post", "Kurier"]);
        assert!(c.option_labels(Language::En, "carrier").is_empty());
        assert!(c.option_labels(Language::De, "invoice").is_empty());
        // Reordered: "Kurier" still reads for "Courier", never for "Post".
        c.fields[2].kind = FieldKind::Choice {
            options: vec!["Courier".into(), "Post".into()],
            premium: vec!["Courier".into()],
        };
        assert_eq!(c.option_labels(Language::De, "carrier"), ["Kurier", "Post"]);
        let mut errors = Vec::new();
        check_category_texts(&c, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        // Renamed: the label names no option any more, and is refused on save.
        c.fields[2].kind = FieldKind::Choice {
            options: vec!["Express".into(), "Post".into()],
            premium: vec![],
        };
        assert_eq!(
            c.option_labels(Language::De, "carrier"),
            ["Express", "Post"]
        );
        check_category_texts(&c, &mut errors);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["translations.de.fields.carrier.options.Courier"]);
    }

    #[test]
    fn translations_are_checked_by_path() {
        let mut c = category();
        let mut t = german();
        t.name = "Zwei\nZeilen".into();
        t.fields.insert(
            "nope".into(),
            FieldText {
                label: "X".into(),
                help: String::new(),
                options: Default::default(),
            },
        );
        t.hints = vec!["h".into(); 11];
        t.fields.insert(
            "amount".into(),
            FieldText {
                label: String::new(),
                help: String::new(),
                options: [("1".to_owned(), "Eins".to_owned())].into(),
            },
        );
        c.translations.insert(Language::De, t);
        c.translations.insert(Language::En, german());
        let mut errors = Vec::new();
        check_category_texts(&c, &mut errors);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "translations.en",
                "translations.de.name",
                "translations.de.hints",
                "translations.de.fields.amount.options",
                "translations.de.fields.nope.label"
            ]
        );
    }

    #[test]
    fn an_answer_is_read_in_the_visitors_language_and_needs_both_parts() {
        let mut entry = FaqEntry {
            id: FaqId::parse("refund").unwrap(),
            category: CategoryId::parse("billing").unwrap(),
            question: "How long does a refund take?".into(),
            answer: "Three to five days.".into(),
            published: true,
            position: 1,
            source_ticket: None,
            pinned: false,
            translations: BTreeMap::new(),
        };
        entry.translations.insert(
            Language::De,
            FaqText {
                question: "Wie lange dauert eine Erstattung?".into(),
                answer: "Drei bis fünf Tage.".into(),
            },
        );
        let de = entry.clone().in_language(Language::De);
        assert_eq!(de.question, "Wie lange dauert eine Erstattung?");
        assert!(de.translations.is_empty());
        assert_eq!(
            entry.clone().in_language(Language::En).question,
            "How long does a refund take?"
        );
        let bad = FaqTexts::from([(
            Language::De,
            FaqText {
                question: " ".into(),
                answer: "x".repeat(11),
            },
        )]);
        let english = FaqTexts::from([(
            Language::En,
            FaqText {
                question: "Hidden?".into(),
                answer: "Text no reviewer sees.".into(),
            },
        )]);
        assert_eq!(
            check_faq_texts(&english, 300, 10)
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>(),
            ["translations.en"]
        );
        let fields: Vec<String> = check_faq_texts(&bad, 300, 10)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["translations.de.question", "translations.de.answer"]
        );
    }
}
