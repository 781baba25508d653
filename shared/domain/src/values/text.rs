//! Short texts that come from people: subjects and names. None of them may carry a
//! line break or control character, so none can ever break a mail header.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("is required")]
    Empty,
    #[error("is longer than {0} characters")]
    TooLong(usize),
    #[error("contains a line break or control character")]
    ControlCharacter,
}

impl TextError {
    /// "<label> is required", in `language` (the label in it too).
    pub fn field_reason(&self, label: &str, language: crate::i18n::Language) -> String {
        match self {
            TextError::Empty => language.text("field-required", &[("label", label)]),
            TextError::TooLong(max) => language.text(
                "field-too-long",
                &[("label", label), ("max", &max.to_string())],
            ),
            TextError::ControlCharacter => language.text("field-line", &[("label", label)]),
        }
    }
}

/// Unicode's invisible direction marks and overrides (LRM, RLM, ALM, the
/// embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069): with a
/// right-to-left override, `invoice<U+202E>fdp.exe` reads as `invoiceexe.pdf`.
/// Removed from every subject, name and file name people send us.
pub fn is_direction_mark(c: char) -> bool {
    matches!(
        c,
        '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

fn without_direction_marks(input: &str) -> std::borrow::Cow<'_, str> {
    if input.chars().any(is_direction_mark) {
        input.chars().filter(|c| !is_direction_mark(*c)).collect()
    } else {
        input.into()
    }
}

fn parse_line(input: &str, max: usize, required: bool) -> Result<String, TextError> {
    let input = without_direction_marks(input);
    let trimmed = input.trim();
    if required && trimmed.is_empty() {
        return Err(TextError::Empty);
    }
    if trimmed.chars().count() > max {
        return Err(TextError::TooLong(max));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(TextError::ControlCharacter);
    }
    Ok(trimmed.to_owned())
}

/// Folds what a mail header carried into one clean line: control characters and runs
/// of white space become one space; overlong text is cut at a character boundary.
fn fold_line(input: &str, max: usize) -> String {
    let folded = without_direction_marks(input)
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    // Cutting may end on the space between two words: trim after cutting.
    let cut: String = folded.chars().take(max).collect();
    cut.trim_end().to_owned()
}

/// A ticket subject: one line, 1 to 200 characters.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Subject(String);

impl Subject {
    pub const MAX: usize = 200;
    /// What a mail without a subject is filed under (agents read it so; a
    /// customer's mail says it in their language).
    pub const NONE: &str = "(no subject)";

    pub fn parse(input: &str) -> Result<Self, TextError> {
        parse_line(input, Self::MAX, true).map(Self)
    }

    /// The mail had none.
    pub fn is_none(&self) -> bool {
        self.0 == Self::NONE
    }

    /// For subjects taken from mail, which may be empty, folded or overlong.
    pub fn from_mail(input: &str) -> Self {
        let folded = fold_line(input, Self::MAX);
        if folded.is_empty() {
            Self(Self::NONE.to_owned())
        } else {
            Self(folded)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's display name: one line, at most 100 characters, may be empty.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX: usize = 100;

    pub fn parse(input: &str) -> Result<Self, TextError> {
        parse_line(input, Self::MAX, false).map(Self)
    }

    pub fn from_mail(input: &str) -> Self {
        Self(fold_line(input, Self::MAX))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! text_boilerplate {
    ($($name:ident),*) => {$(
        impl TryFrom<String> for $name {
            type Error = TextError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }
    )*};
}
text_boilerplate!(Subject, DisplayName);

/// Text made safe to place inside HTML elements and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn direction_marks_are_removed_from_subjects_and_names() {
        let tricked = "Invoice \u{202E}fdp.exe\u{202C} \u{2066}paid\u{2069}\u{200F}";
        assert_eq!(
            Subject::parse(tricked).unwrap().as_str(),
            "Invoice fdp.exe paid"
        );
        assert_eq!(Subject::from_mail(tricked).as_str(), "Invoice fdp.exe paid");
        assert_eq!(DisplayName::from_mail("\u{202E}anA").as_str(), "anA");
        assert!(Subject::parse("\u{202E}\u{200E}").is_err(), "nothing left");
    }

    #[test]
    fn subject_rules() {
        assert_eq!(Subject::parse("  Refund  ").unwrap().as_str(), "Refund");
        assert_eq!(Subject::parse(" "), Err(TextError::Empty));
        assert_eq!(
            Subject::parse("a\r\nBcc: x@y.z"),
            Err(TextError::ControlCharacter)
        );
        assert_eq!(
            Subject::parse(&"x".repeat(201)),
            Err(TextError::TooLong(200))
        );
        assert_eq!(Subject::from_mail("").as_str(), "(no subject)");
        assert_eq!(
            Subject::from_mail("Re:\r\n\tfolded   line").as_str(),
            "Re: folded line"
        );
    }

    #[test]
    fn a_cut_that_ends_on_a_space_is_trimmed() {
        let long = format!("{} tail", "x".repeat(Subject::MAX - 1));
        let subject = Subject::from_mail(&long);
        assert_eq!(subject.as_str(), "x".repeat(Subject::MAX - 1));
        assert_eq!(Subject::parse(subject.as_str()), Ok(subject));
    }

    proptest! {
        #[test]
        fn mail_text_is_always_one_clean_line(s in "\\PC{0,300}|[a\r\n\t\u{0}]{0,50}") {
            let subject = Subject::from_mail(&s);
            prop_assert!(!subject.as_str().chars().any(char::is_control));
            prop_assert!(subject.as_str().chars().count() <= Subject::MAX);
            prop_assert_eq!(Subject::parse(subject.as_str()), Ok(subject.clone()));
            let name = DisplayName::from_mail(&s);
            prop_assert!(!name.as_str().chars().any(char::is_control));
        }
    }
}
