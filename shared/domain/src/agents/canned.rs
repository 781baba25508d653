//! Canned replies: answers agents reuse, per category or for all, with
//! placeholders the console fills in before the agent edits and sends them. A canned
//! reply is never sent by itself.

use crate::tickets::ticket::Priority;
use crate::values::ids::{AgentId, CategoryId, FaqId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where the customer's tracking link goes: the reply mail puts the link there,
/// the tracking page (where the customer already is) says so.
pub const TRACKING_LINK: &str = "{{tracking_link}}";

/// The placeholders a canned reply may use, and what they stand for.
pub const PLACEHOLDERS: [(&str, &str); 4] = [
    ("{{customer_name}}", "the customer's name"),
    ("{{reference}}", "the ticket reference"),
    ("{{agent_name}}", "your name"),
    (TRACKING_LINK, "the customer's tracking link"),
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CannedReply {
    /// Same alphabet as FAQ ids: lower-case letters, digits and dashes.
    pub id: FaqId,
    /// `None`: offered in every category.
    pub category: Option<CategoryId>,
    pub title: String,
    pub body: String,
    pub updated_by: AgentId,
    pub updated_at: DateTime<Utc>,
    /// What sending it also does: a canned reply with actions is a macro.
    #[serde(default, skip_serializing_if = "MacroActions::is_empty")]
    pub actions: MacroActions,
}

/// What a macro does to the ticket, in the same change as its reply.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MacroActions {
    /// Marks the ticket solved (else it waits on the customer, as any reply).
    #[serde(default)]
    pub solve: bool,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub assign: Option<MacroAssign>,
    /// Moves the ticket to this category's queue.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[serde(default)]
    pub category: Option<CategoryId>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MacroAssign {
    /// To whoever sends it.
    Sender,
    Nobody,
}

impl MacroActions {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// "solves it, sets priority high, assigns it to the sender".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.solve {
            parts.push("solves it".to_owned());
        }
        if let Some(p) = self.priority {
            parts.push(format!("sets priority {}", p.as_str()));
        }
        match self.assign {
            Some(MacroAssign::Sender) => parts.push("assigns it to the sender".to_owned()),
            Some(MacroAssign::Nobody) => parts.push("unassigns it".to_owned()),
            None => {}
        }
        if let Some(c) = &self.category {
            parts.push(format!("moves it to {c}"));
        }
        parts.join(", ")
    }
}

pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_BODY_CHARS: usize = 10_000;

/// Why a canned reply's text is refused, by field.
pub fn check(title: &str, body: &str) -> Vec<crate::FieldError> {
    let mut errors = Vec::new();
    let title = title.trim();
    if title.is_empty() {
        errors.push(crate::FieldError::new("title", "is required"));
    } else if title.chars().count() > MAX_TITLE_CHARS || title.chars().any(char::is_control) {
        errors.push(crate::FieldError::new(
            "title",
            format!("must be one line of at most {MAX_TITLE_CHARS} characters"),
        ));
    }
    if body.trim().is_empty() {
        errors.push(crate::FieldError::new("body", "is required"));
    } else if body.chars().count() > MAX_BODY_CHARS {
        errors.push(crate::FieldError::new(
            "body",
            format!("must be at most {MAX_BODY_CHARS} characters"),
        ));
    }
    for unknown in unknown_placeholders(body) {
        errors.push(crate::FieldError::new(
            "body",
            format!("{unknown} is not a placeholder; use one of {}", known()),
        ));
    }
    errors
}

fn known() -> String {
    PLACEHOLDERS
        .iter()
        .map(|(p, _)| *p)
        .collect::<Vec<_>>()
        .join(", ")
}

fn unknown_placeholders(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let token = &rest[start..start + len + 2];
        let answer = token.starts_with(FAQ_PLACEHOLDER) && with_answer_links(token, "") != token;
        if !answer
            && !PLACEHOLDERS.iter().any(|(p, _)| *p == token)
            && !out.iter().any(|o| o == token)
        {
            out.push(token.to_owned());
        }
        rest = &rest[start + len + 2..];
    }
    out
}

/// Where a knowledge-base answer lives on the help center: its stable address.
pub fn answer_path(
    category: &crate::values::ids::CategoryId,
    id: &crate::values::ids::FaqId,
) -> String {
    format!("/answers/?a={}/{}", category.as_str(), id.as_str())
}

/// `{{faq:category/id}}` in a reply becomes that answer's address on the help
/// center (`help_url` before it); anything else between the braces stays.
pub fn with_answer_links(text: &str, help_url: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(FAQ_PLACEHOLDER) {
        out.push_str(&rest[..start]);
        let after = &rest[start + FAQ_PLACEHOLDER.len()..];
        let parsed = after.find("}}").and_then(|end| {
            let (c, id) = after[..end].split_once('/')?;
            let c = crate::values::ids::CategoryId::parse(c).ok()?;
            let id = crate::values::ids::FaqId::parse(id).ok()?;
            Some((format!("{help_url}{}", answer_path(&c, &id)), end + 2))
        });
        match parsed {
            Some((link, used)) => {
                out.push_str(&link);
                rest = &after[used..];
            }
            None => {
                out.push_str(FAQ_PLACEHOLDER);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every `{{faq:…}}` in `text`, as written, with the answer it names when it is
/// well formed.
pub fn answer_placeholders(
    text: &str,
) -> Vec<(
    String,
    Option<(crate::values::ids::CategoryId, crate::values::ids::FaqId)>,
)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(FAQ_PLACEHOLDER) {
        let after = &rest[start + FAQ_PLACEHOLDER.len()..];
        let Some(end) = after.find("}}") else {
            found.push((rest[start..].to_owned(), None));
            break;
        };
        let named = after[..end].split_once('/').and_then(|(c, id)| {
            Some((
                crate::values::ids::CategoryId::parse(c).ok()?,
                crate::values::ids::FaqId::parse(id).ok()?,
            ))
        });
        found.push((format!("{FAQ_PLACEHOLDER}{}}}}}", &after[..end]), named));
        rest = &after[end + 2..];
    }
    found
}

/// The beginning of a knowledge-base answer's placeholder: `{{faq:billing/refund-time}}`.
pub const FAQ_PLACEHOLDER: &str = "{{faq:";

/// A stored reply's text with the tracking link put in (mail), or a pointer to
/// where the customer already is (the tracking page).
pub fn with_link(text: &str, link: &str) -> String {
    text.replace(TRACKING_LINK, link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_placeholders_are_found_as_written_with_what_they_name() {
        let found = answer_placeholders("a {{faq:billing/refund-time}} b {{faq:nope}} ü {{faq:x");
        let named: Vec<(&str, bool)> = found
            .iter()
            .map(|(t, n)| (t.as_str(), n.is_some()))
            .collect();
        assert_eq!(
            named,
            [
                ("{{faq:billing/refund-time}}", true),
                ("{{faq:nope}}", false),
                ("{{faq:x", false)
            ]
        );
    }

    #[test]
    fn an_answer_placeholder_becomes_its_page_and_a_malformed_one_stays() {
        let text = "See {{faq:billing/refund-time}} and {{faq:nope}} or {{faq:Bad/x y}}.";
        assert_eq!(
            with_answer_links(text, "https://help.example"),
            "See https://help.example/answers/?a=billing/refund-time and {{faq:nope}} or {{faq:Bad/x y}}."
        );
        assert!(check("Refund", "Read {{faq:billing/refund-time}}.").is_empty());
        assert_eq!(check("Refund", "Read {{faq:nope}}.").len(), 1);
    }

    #[test]
    fn only_known_placeholders_pass() {
        assert!(check("Refund", "Hi {{customer_name}}, see {{tracking_link}}.").is_empty());
        let errors = check("Refund\nx", "Hi {{name}} {{name}} {{reference}}");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["title", "body"]);
        assert!(
            errors[1]
                .reason
                .starts_with("{{name}} is not a placeholder")
        );
        assert_eq!(check(" ", " ").len(), 2);
    }

    #[test]
    fn the_link_goes_where_the_placeholder_is() {
        assert_eq!(
            with_link("Track it: {{tracking_link}}", "https://x/t"),
            "Track it: https://x/t"
        );
        assert_eq!(with_link("No link", "https://x/t"), "No link");
    }
}
