//! What admins write per language for customers to read: a category's name,
//! description, hints and field labels, an answer's question and text. A text
//! left empty falls back to the category's (or answer's) own, so a desk can
//! translate a little at a time (`Category::in_language`,
//! `FaqEntry::in_language`; checked in `catalog::admin`).

use crate::i18n::Language;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A category's texts in one language.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryText {
    /// One line; empty keeps the category's own name.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 80))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub description: String,
    /// When given, they replace the category's hints (one line each).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 10))]
    pub hints: Vec<String>,
    /// By the field's `name`.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldText>,
}

/// A detail field's label and help in one language.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldText {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 80))]
    pub label: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub help: String,
    /// A choice's options as readers of this language see them, by the option
    /// itself (what is sent, stored and matched stays the option); an option
    /// left out reads as written. Keyed, not in order: reordering the options
    /// cannot pair a label with another option.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

/// An answer in one language: both parts, or none.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaqText {
    /// One line, not blank; at most 300 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 300,
            pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*\\S[^\\x00-\\x1f\\x7f-\\x9f]*$"
        )
    )]
    pub question: String,
    /// Not blank; at most 10,000 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 10000, pattern = "\\S")
    )]
    pub answer: String,
}

pub type CategoryTexts = BTreeMap<Language, CategoryText>;
pub type FaqTexts = BTreeMap<Language, FaqText>;

/// The text, trimmed, if it says anything.
pub(crate) fn given(text: String) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
