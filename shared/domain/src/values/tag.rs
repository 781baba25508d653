//! A ticket's tag: a short word agents put on tickets to group them ("refund",
//! "vip", "kettle-k2"). Written in any case; kept lower-case.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest tag.
pub const MAX_TAG_CHARS: usize = 32;
/// The most tags one ticket carries.
pub const MAX_TAGS: usize = 10;

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Tag(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagError {
    #[error("is empty")]
    Empty,
    #[error("is longer than 32 characters")]
    Long,
    #[error("may hold letters, digits, - and _ only (no spaces)")]
    Characters,
}

impl Tag {
    pub fn parse(input: &str) -> Result<Self, TagError> {
        let t = input.trim().trim_start_matches('#').to_lowercase();
        if t.is_empty() {
            return Err(TagError::Empty);
        }
        if t.chars().count() > MAX_TAG_CHARS {
            return Err(TagError::Long);
        }
        if !t
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            return Err(TagError::Characters);
        }
        Ok(Self(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Tag {
    type Error = TagError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Tag> for String {
    fn from(value: Tag) -> Self {
        value.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_kept_lower_case_and_refuse_what_is_not_a_word() {
        assert_eq!(Tag::parse(" #Refund ").map(|t| t.0), Ok("refund".into()));
        assert_eq!(
            Tag::parse("Kettle-K2_Ü").map(|t| t.0),
            Ok("kettle-k2_ü".into())
        );
        assert_eq!(Tag::parse("  "), Err(TagError::Empty));
        assert_eq!(Tag::parse("two words"), Err(TagError::Characters));
        assert_eq!(Tag::parse("a<b>"), Err(TagError::Characters));
        assert_eq!(Tag::parse("line\nbreak"), Err(TagError::Characters));
        assert_eq!(Tag::parse(&"x".repeat(33)), Err(TagError::Long));
        assert!(Tag::parse(&"x".repeat(32)).is_ok());
    }
}
