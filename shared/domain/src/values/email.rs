//! Email addresses as the help desk accepts them from customers and from mail headers.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A syntactically valid, ASCII email address (`local@domain`). The domain is
/// lower-cased; the local part keeps its case for display, but comparisons and
/// storage keys use [`EmailAddress::key`], the all-lower-case form.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

/// Why an address was refused, said to the person who typed it (in English by
/// `Display`, in their language by [`EmailError::reason`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailError {
    Empty,
    TooLong,
    MissingAt,
    InvalidLocalPart,
    InvalidDomain,
}

impl EmailError {
    pub fn reason(&self, language: crate::i18n::Language) -> String {
        let key = match self {
            EmailError::Empty => "email-empty",
            EmailError::TooLong => "email-too-long",
            EmailError::MissingAt => "email-missing-at",
            EmailError::InvalidLocalPart => "email-local-part",
            EmailError::InvalidDomain => "email-domain",
        };
        language.text(key, &[])
    }

    /// "Email <reason>", as the form shows it next to the address.
    pub fn field_reason(&self, language: crate::i18n::Language) -> String {
        language.text("email-field", &[("reason", &self.reason(language))])
    }
}

impl std::fmt::Display for EmailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason(crate::i18n::Language::En))
    }
}

impl std::error::Error for EmailError {}

const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-.";

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailError::MissingAt)?;
        if local.is_empty() || domain.is_empty() {
            return Err(EmailError::MissingAt);
        }
        if !valid_local(local) {
            return Err(EmailError::InvalidLocalPart);
        }
        if !valid_domain(domain) {
            return Err(EmailError::InvalidDomain);
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The all-lower-case form used to compare addresses and to key storage.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(l, _)| l)
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }

    /// The mailbox behind the address: lower-case, without a `+tag`, and for
    /// Gmail without the dots Gmail ignores. Limits count per mailbox, so
    /// `jane+1@…`, `jane+2@…` and `j.ane@gmail.com` share one allowance.
    pub fn mailbox_key(&self) -> String {
        let local = self.local_part().to_ascii_lowercase();
        let local = local.split_once('+').map_or(local.as_str(), |(b, _)| b);
        match self.domain() {
            "gmail.com" | "googlemail.com" => format!("{}@gmail.com", local.replace('.', "")),
            domain => format!("{local}@{domain}"),
        }
    }

    /// Same mailbox (see [`EmailAddress::mailbox_key`]).
    pub fn same_mailbox(&self, other: &EmailAddress) -> bool {
        self.mailbox_key() == other.mailbox_key()
    }
}

fn valid_local(local: &str) -> bool {
    local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().any(|c| c.is_ascii_alphabetic()))
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_the_domain() {
        let a = EmailAddress::parse("  Jane.Doe+shop@Example.COM ").unwrap();
        assert_eq!(a.as_str(), "Jane.Doe+shop@example.com");
        assert_eq!(a.key(), "jane.doe+shop@example.com");
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "",
            "jane",
            "@example.com",
            "jane@",
            "jane@localhost",
            "ja ne@example.com",
            "jane..doe@example.com",
            ".jane@example.com",
            "jane@-example.com",
            "jane@example.123",
            "jane@exa_mple.com",
            "jane@example.com\r\nBcc: x@y.com",
            "jané@example.com",
            "<jane@example.com>",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn same_mailbox_ignores_case_and_plus_tags() {
        let a = EmailAddress::parse("Jane+a@example.com").unwrap();
        let b = EmailAddress::parse("jane@EXAMPLE.com").unwrap();
        let c = EmailAddress::parse("joe@example.com").unwrap();
        assert!(a.same_mailbox(&b));
        assert!(!a.same_mailbox(&c));
    }

    #[test]
    fn a_mailbox_key_folds_what_mail_providers_fold_and_nothing_else() {
        let key = |s: &str| EmailAddress::parse(s).unwrap().mailbox_key();
        assert_eq!(key("Jane+shop@Example.com"), "jane@example.com");
        assert_eq!(key("jane+a+b@example.com"), "jane@example.com");
        assert_eq!(key("J.a.n.e+x@googlemail.com"), "jane@gmail.com");
        assert_eq!(key("jane.doe@gmail.com"), key("janedoe@gmail.com"));
        // Elsewhere a dot is part of the name.
        assert_ne!(key("jane.doe@example.com"), key("janedoe@example.com"));
        assert_ne!(key("jane@example.com"), key("jane@example.org"));
    }

    proptest! {
        #[test]
        fn never_panics_and_never_holds_header_breaking_characters(s in "\\PC{0,80}|[a-z@.\r\n ,<>]{0,40}") {
            if let Ok(a) = EmailAddress::parse(&s) {
                prop_assert!(!a.as_str().chars().any(|c| c.is_control() || c.is_whitespace() || "<>,;:\"".contains(c)));
                prop_assert_eq!(EmailAddress::parse(a.as_str()), Ok(a.clone()));
            }
        }

        #[test]
        fn generated_valid_addresses_parse(local in "[a-z0-9][a-z0-9._+-]{0,20}[a-z0-9]", domain in "[a-z][a-z0-9-]{0,10}[a-z0-9]\\.[a-z]{2,6}") {
            prop_assume!(!local.contains(".."));
            let raw = format!("{local}@{domain}");
            let parsed = EmailAddress::parse(&raw);
            prop_assert!(parsed.is_ok(), "{} rejected", raw);
        }
    }
}
