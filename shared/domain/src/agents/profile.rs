//! An agent's profile: who they are, their role, and the categories they cover.

use crate::values::email::EmailAddress;
use crate::values::ids::{AgentId, CategoryId};
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Works the tickets of the categories assigned to them, nothing else.
    Agent,
    /// All categories, reassignment, reports.
    Supervisor,
    /// Everything, including configuration.
    Admin,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    pub id: AgentId,
    pub name: String,
    pub email: EmailAddress,
    pub role: Role,
    pub categories: Vec<CategoryId>,
    /// The name customers read ("Ana"); the first word of `name` when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Plain text under the agent's replies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// What they are told of by mail when away from the console.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<crate::agents::alert_mail::AlertChoices>,
}

impl Agent {
    /// Their alert choices, or what holds before they chose.
    pub fn alert_choices(&self) -> crate::agents::alert_mail::AlertChoices {
        self.alerts.clone().unwrap_or_default()
    }

    /// May this agent see and touch tickets of `category`?
    pub fn covers(&self, category: &CategoryId) -> bool {
        self.role != Role::Agent || self.categories.contains(category)
    }

    /// The name customers read: the display name, else the first word of the name.
    pub fn public_name(&self) -> String {
        self.display_name.clone().unwrap_or_else(|| {
            let first = self.name.split_whitespace().next().unwrap_or_default();
            DisplayName::parse(first)
                .map(|n| n.0)
                .unwrap_or_else(|_| "Support".into())
        })
    }

    /// How a reply this agent writes now is signed.
    pub fn signoff(&self) -> Signoff {
        Signoff {
            name: self.public_name(),
            signature: self.signature.clone(),
        }
    }
}

/// Who signed a reply, as the customer reads it, kept with the reply (a later
/// change of name or signature does not rewrite what was sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signoff {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("at most {0} characters: letters, digits, spaces and . - '")]
    DisplayName(usize),
    #[error("at most {0} characters on at most {1} lines, no control characters")]
    Signature(usize, usize),
}

/// A display name: it goes into the From of our mail ("Ana at ACME Support"),
/// so nothing with a meaning in an address header (`<>@",;:`) is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX: usize = 40;

    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let fits = !name.is_empty()
            && name.chars().count() <= Self::MAX
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '\''));
        if fits {
            Ok(Self(name))
        } else {
            Err(ProfileError::DisplayName(Self::MAX))
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A signature: plain text, a few short lines.
pub fn parse_signature(raw: &str) -> Result<Option<String>, ProfileError> {
    const MAX: usize = 500;
    const LINES: usize = 6;
    let text = raw.replace("\r\n", "\n");
    let lines: Vec<&str> = text.trim().lines().map(str::trim_end).collect();
    let fits = text.chars().count() <= MAX
        && lines.len() <= LINES
        && lines.iter().all(|l| !l.chars().any(char::is_control));
    if !fits {
        return Err(ProfileError::Signature(MAX, LINES));
    }
    let text = lines.join("\n");
    Ok((!text.is_empty()).then_some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(name: &str) -> Agent {
        Agent {
            id: AgentId::parse("ana").unwrap_or_else(|e| panic!("{e}")),
            name: name.into(),
            email: EmailAddress::parse("ana@helpdesk.test").unwrap_or_else(|e| panic!("{e}")),
            role: Role::Agent,
            categories: vec![],
            display_name: None,
            signature: None,
            alerts: None,
        }
    }

    #[test]
    fn customers_read_the_display_name_or_the_first_word_of_the_name() {
        assert_eq!(agent("Ana Lima").public_name(), "Ana");
        assert_eq!(agent("  ").public_name(), "Support");
        assert_eq!(agent("<script>").public_name(), "Support");
        let named = Agent {
            display_name: Some("Ana L.".into()),
            ..agent("Ana Lima")
        };
        assert_eq!(named.public_name(), "Ana L.");
    }

    #[test]
    fn a_display_name_has_nothing_an_address_header_would_read() {
        assert_eq!(
            DisplayName::parse("  Zoë   O'Neil-Smith ").map(DisplayName::into_inner),
            Ok("Zoë O'Neil-Smith".into())
        );
        for bad in [
            "",
            "Ana <ana@evil.example>",
            "Ana, Bob",
            "\"Ana\"",
            "Ana\r\nBcc: x@y",
            "Ana: hi",
            &"a".repeat(41),
        ] {
            assert!(DisplayName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_signature_is_a_few_plain_lines() {
        assert_eq!(
            parse_signature("Ana Lima\r\nCustomer care  \n"),
            Ok(Some("Ana Lima\nCustomer care".into()))
        );
        assert_eq!(parse_signature("  \n "), Ok(None));
        assert!(parse_signature("1\n2\n3\n4\n5\n6\n7").is_err());
        assert!(parse_signature(&"x".repeat(501)).is_err());
        assert!(parse_signature("Ana\u{7}").is_err());
    }
}
