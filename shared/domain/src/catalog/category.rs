//! Categories and their own detail fields: what a customer is asked for, and how the
//! answers are checked.

use crate::values::email::EmailAddress;
use crate::values::ids::{AgentId, CategoryId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: CategoryId,
    pub name: String,
    pub description: String,
    /// Shown above the form: what to include, where to look first.
    pub hints: Vec<String>,
    pub fields: Vec<FieldSchema>,
    /// Inbound addresses that route mail to this category (support@, billing@, …).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub addresses: Vec<EmailAddress>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub agents: Vec<AgentId>,
    /// The SLA policy (targets per tier) that applies to this category.
    pub sla_policy: String,
    /// Order on the start page.
    pub position: u32,
    /// How long a quiet ticket rests before a reminder, solving and closing.
    #[serde(default)]
    pub lifecycle: Lifecycle,
    /// Closed tickets older than this many months are erased by the schedule
    /// (their counts stay in the reports); `None` keeps them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 120))]
    pub retention_months: Option<u16>,
    /// The customer-facing texts in other languages (`de`: name, description,
    /// hints, field labels); what is left out reads as above.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<crate::i18n::Language, crate::catalog::translations::CategoryText>,
}

/// Days a quiet ticket rests: waiting on the customer it gets a reminder after
/// `remind_after_days` and is solved after `solve_after_days`; solved, it closes
/// after `close_after_days` without word from the customer (reminded halfway).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    /// Before `solve_after_days`.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub remind_after_days: u16,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub solve_after_days: u16,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub close_after_days: u16,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self {
            remind_after_days: 3,
            solve_after_days: 7,
            close_after_days: 7,
        }
    }
}

impl Lifecycle {
    /// Each step at least a day, at most a year; the reminder before solving.
    pub fn check(&self) -> Result<(), String> {
        let days = [
            self.remind_after_days,
            self.solve_after_days,
            self.close_after_days,
        ];
        if days.iter().any(|d| !(1..=365).contains(d)) {
            return Err("each number of days must be from 1 to 365".into());
        }
        if self.remind_after_days >= self.solve_after_days {
            return Err("the reminder must come before the ticket is solved".into());
        }
        Ok(())
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSchema {
    /// The key in submitted data: lower-case letters, digits and `_`.
    pub name: String,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    #[serde(default)]
    pub help: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    Text {
        max_len: u32,
    },
    Number {
        min: Option<f64>,
        max: Option<f64>,
    },
    Email,
    Url,
    Choice {
        options: Vec<String>,
        /// The options whose answer makes the request premium (a "Business"
        /// plan): the customer chooses, so only for what the shop trusts them
        /// on. Never shown to the public.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        premium: Vec<String>,
    },
    Date,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum FieldValue {
    Text(String),
    Number(TypedNumber),
    Email(EmailAddress),
    Url(String),
    Choice(String),
    Date(NaiveDate),
}

impl std::fmt::Display for FieldValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldValue::Text(s) | FieldValue::Url(s) | FieldValue::Choice(s) => f.write_str(s),
            FieldValue::Number(n) => f.write_str(n.as_str()),
            FieldValue::Email(e) => f.write_str(e.as_str()),
            FieldValue::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

pub type DetailValues = BTreeMap<String, FieldValue>;

/// The longest number kept as typed.
pub const MAX_NUMBER_CHARS: usize = 32;

/// A number as the customer typed it (`49.90` stays `49.90`): checked to be a
/// finite number, kept as text. Stored before as a JSON number, read either way.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedNumber(String);

impl TypedNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn value(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }
}

impl Serialize for TypedNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TypedNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Number(f64),
            Text(String),
        }
        match Stored::deserialize(d)? {
            Stored::Number(n) if n.is_finite() => Ok(Self(n.to_string())),
            Stored::Text(t)
                if t.trim().chars().count() <= MAX_NUMBER_CHARS
                    && t.trim().parse::<f64>().is_ok_and(f64::is_finite) =>
            {
                Ok(Self(t.trim().to_owned()))
            }
            _ => Err(serde::de::Error::custom("not a finite number")),
        }
    }
}

/// One field's problem, named so a form can show it next to the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl Category {
    /// Checks submitted detail fields against this category's schema. Unknown
    /// fields are refused (they would be silently lost otherwise); empty optional
    /// fields are left out. Every problem is reported, not only the first.
    /// The reasons are written in `language`.
    pub fn parse_details(
        &self,
        raw: &BTreeMap<String, String>,
        language: crate::i18n::Language,
    ) -> Result<DetailValues, Vec<FieldError>> {
        let mut values = DetailValues::new();
        let mut errors = Vec::new();
        for name in raw.keys() {
            if !self.fields.iter().any(|f| &f.name == name) {
                errors.push(FieldError::new(
                    format!("details.{name}"),
                    "is not a field of this category",
                ));
            }
        }
        for field in &self.fields {
            let input = raw.get(&field.name).map(|s| s.trim()).unwrap_or("");
            let key = format!("details.{}", field.name);
            if input.is_empty() {
                if field.required {
                    let reason = language.text("field-required", &[("label", &field.label)]);
                    errors.push(FieldError::new(key, reason));
                }
                continue;
            }
            match field.kind.parse(input, language) {
                Ok(v) => {
                    values.insert(field.name.clone(), v);
                }
                Err(reason) => errors.push(FieldError::new(key, reason)),
            }
        }
        if errors.is_empty() {
            Ok(values)
        } else {
            Err(errors)
        }
    }
}

impl Category {
    /// What each option of the choice field `field` reads as in `language`, in
    /// the options' order (an option without a label as written); empty when
    /// the admins gave none.
    pub fn option_labels(&self, language: crate::i18n::Language, field: &str) -> Vec<String> {
        let labels = self
            .translations
            .get(&language)
            .and_then(|t| t.fields.get(field))
            .map(|f| &f.options);
        let options = self
            .fields
            .iter()
            .find(|f| f.name == field)
            .and_then(|f| match &f.kind {
                FieldKind::Choice { options, .. } => Some(options),
                _ => None,
            });
        match (labels, options) {
            (Some(labels), Some(options)) if !labels.is_empty() => options
                .iter()
                .map(|o| labels.get(o).cloned().unwrap_or_else(|| o.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The category as a visitor reading `language` sees it; the translations
    /// themselves are left out.
    pub fn in_language(mut self, language: crate::i18n::Language) -> Category {
        let texts = std::mem::take(&mut self.translations);
        let Some(text) = texts
            .into_iter()
            .find_map(|(l, t)| (l == language).then_some(t))
        else {
            return self;
        };
        if let Some(name) = crate::catalog::translations::given(text.name) {
            self.name = name;
        }
        if let Some(description) = crate::catalog::translations::given(text.description) {
            self.description = description;
        }
        let hints: Vec<String> = text
            .hints
            .into_iter()
            .filter_map(crate::catalog::translations::given)
            .collect();
        if !hints.is_empty() {
            self.hints = hints;
        }
        let mut fields = text.fields;
        for field in &mut self.fields {
            if let Some(t) = fields.remove(&field.name) {
                if let Some(label) = crate::catalog::translations::given(t.label) {
                    field.label = label;
                }
                if let Some(help) = crate::catalog::translations::given(t.help) {
                    field.help = help;
                }
            }
        }
        self
    }
}

impl FieldKind {
    fn parse(&self, input: &str, language: crate::i18n::Language) -> Result<FieldValue, String> {
        let say = |key: &str, values: &[(&str, &str)]| language.text(key, values);
        if input
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(say("field-control", &[]));
        }
        match self {
            FieldKind::Text { max_len } => {
                if input.chars().count() > *max_len as usize {
                    Err(say("field-at-most-chars", &[("max", &max_len.to_string())]))
                } else {
                    Ok(FieldValue::Text(input.to_owned()))
                }
            }
            FieldKind::Number { min, max } => {
                if input.trim().chars().count() > MAX_NUMBER_CHARS {
                    return Err(say(
                        "field-number-long",
                        &[("max", &MAX_NUMBER_CHARS.to_string())],
                    ));
                }
                let n: f64 = input
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n: &f64| n.is_finite())
                    .ok_or_else(|| say("field-number", &[]))?;
                if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                    return Err(match (min, max) {
                        (Some(a), Some(b)) => say(
                            "field-between",
                            &[("min", &a.to_string()), ("max", &b.to_string())],
                        ),
                        (Some(a), None) => say("field-at-least", &[("min", &a.to_string())]),
                        (_, b) => say(
                            "field-at-most",
                            &[("max", &b.unwrap_or_default().to_string())],
                        ),
                    });
                }
                Ok(FieldValue::Number(TypedNumber(input.trim().to_owned())))
            }
            FieldKind::Email => EmailAddress::parse(input)
                .map(FieldValue::Email)
                .map_err(|e| e.reason(language)),
            FieldKind::Url => {
                let ok = (input.starts_with("https://") || input.starts_with("http://"))
                    && input.len() <= 2000
                    && !input.chars().any(char::is_whitespace)
                    && input.split("://").nth(1).is_some_and(|rest| {
                        rest.split('/')
                            .next()
                            .is_some_and(|host| host.contains('.'))
                    });
                if ok {
                    Ok(FieldValue::Url(input.to_owned()))
                } else {
                    Err(say("field-url", &[]))
                }
            }
            FieldKind::Choice { options, .. } => options
                .iter()
                .find(|o| o.as_str() == input)
                .map(|o| FieldValue::Choice(o.clone()))
                .ok_or_else(|| say("field-choice", &[("options", &options.join(", "))])),
            FieldKind::Date => NaiveDate::parse_from_str(input, "%Y-%m-%d")
                .map(FieldValue::Date)
                .map_err(|_| say("field-date", &[])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Category {
        fn parse_details_en(
            &self,
            raw: &BTreeMap<String, String>,
        ) -> Result<DetailValues, Vec<FieldError>> {
            self.parse_details(raw, crate::i18n::Language::En)
        }
    }

    fn category() -> Category {
        Category {
            id: CategoryId::parse("technical").unwrap(),
            name: "Technical problem".into(),
            description: "Something does not work".into(),
            hints: vec![],
            fields: vec![
                FieldSchema {
                    name: "model".into(),
                    label: "Product model".into(),
                    kind: FieldKind::Choice {
                        options: vec!["X1".into(), "X2".into()],
                        premium: vec![],
                    },
                    required: true,
                    help: String::new(),
                },
                FieldSchema {
                    name: "serial".into(),
                    label: "Serial number".into(),
                    kind: FieldKind::Text { max_len: 12 },
                    required: false,
                    help: String::new(),
                },
                FieldSchema {
                    name: "qty".into(),
                    label: "Quantity".into(),
                    kind: FieldKind::Number {
                        min: Some(1.0),
                        max: Some(10.0),
                    },
                    required: false,
                    help: String::new(),
                },
                FieldSchema {
                    name: "bought".into(),
                    label: "Purchase date".into(),
                    kind: FieldKind::Date,
                    required: false,
                    help: String::new(),
                },
                FieldSchema {
                    name: "site".into(),
                    label: "Site".into(),
                    kind: FieldKind::Url,
                    required: false,
                    help: String::new(),
                },
            ],
            addresses: vec![],
            agents: vec![],
            sla_policy: "default".into(),
            position: 0,
            lifecycle: Default::default(),
            retention_months: None,
            translations: Default::default(),
        }
    }

    fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn valid_details_become_typed_values() {
        let v = category()
            .parse_details_en(&raw(&[
                ("model", "X2"),
                ("qty", "3"),
                ("bought", "2026-02-01"),
                ("site", "https://shop.example.com/x"),
                ("serial", ""),
            ]))
            .unwrap();
        assert_eq!(v.get("model"), Some(&FieldValue::Choice("X2".into())));
        assert_eq!(v.get("qty").map(ToString::to_string), Some("3".to_owned()));
        assert!(!v.contains_key("serial"));
    }

    #[test]
    fn a_number_keeps_what_the_customer_typed_and_old_stored_numbers_still_read() {
        let v = category()
            .parse_details_en(&raw(&[("model", "X1"), ("qty", " 2.50 ")]))
            .unwrap();
        let qty = v.get("qty").unwrap();
        assert_eq!(qty.to_string(), "2.50");
        let stored = serde_json::to_string(qty).unwrap();
        assert_eq!(stored, r#"{"type":"number","value":"2.50"}"#);
        let back: FieldValue = serde_json::from_str(&stored).unwrap();
        assert_eq!(&back, qty);
        let old: FieldValue = serde_json::from_str(r#"{"type":"number","value":49.9}"#).unwrap();
        assert_eq!(old.to_string(), "49.9");
        for bad in [r#""NaN""#, r#""1e999""#, r#""12 apples""#] {
            let json = format!(r#"{{"type":"number","value":{bad}}}"#);
            assert!(serde_json::from_str::<FieldValue>(&json).is_err(), "{bad}");
        }
        let v = category().parse_details_en(&raw(&[("model", "X1"), ("qty", "11.0")]));
        assert!(v.is_err(), "the range still holds");
        let long = format!("{}5", "0".repeat(40));
        let v = category().parse_details_en(&raw(&[("model", "X1"), ("qty", long.as_str())]));
        assert!(v.is_err(), "no unbounded text in a number field");
    }

    #[test]
    fn every_problem_is_named_by_field() {
        let errors = category()
            .parse_details_en(&raw(&[
                ("serial", "far too long for this"),
                ("qty", "11"),
                ("bought", "31/12/2026"),
                ("site", "javascript:alert(1)"),
                ("colour", "red"),
            ]))
            .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "details.colour",
                "details.model",
                "details.serial",
                "details.qty",
                "details.bought",
                "details.site"
            ]
        );
        assert_eq!(errors[1].reason, "Product model is required");
        assert_eq!(errors[3].reason, "must be between 1 and 10");
    }
}
