//! A word search as asked: its words and its filters, each read from what the
//! agent sent and refused with the field's name when it does not parse.

use super::terms;
use crate::catalog::category::FieldError;
use crate::tickets::ticket::{Priority, Status, Tier};
use crate::values::ids::{AgentId, CategoryId};
use crate::values::tag::Tag;
use chrono::{DateTime, NaiveDate, Utc};

/// The longest query taken.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words one query may hold.
pub const MAX_WORDS: usize = 12;
/// Hits on one page.
pub const PAGE_SIZE: usize = 25;
/// The deepest page: past it, narrow the search.
pub const MAX_PAGE: u16 = 40;
/// A last word shorter than this is taken whole, never as a beginning
/// (one or two letters would match much of the index).
pub const MIN_PREFIX_CHARS: usize = 3;

/// One word of the query: a ticket matches it when it holds `term`, or, for the
/// last word while it is being typed, any word beginning with `prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub term: String,
    pub prefix: Option<String>,
}

impl Word {
    /// Does a ticket term match this word?
    pub fn matches(&self, term: &str) -> bool {
        term == self.term || self.prefix.as_deref().is_some_and(|p| term.starts_with(p))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignee {
    Nobody,
    Agent(AgentId),
}

/// From (inclusive) and to (exclusive), either open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeRange {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl TimeRange {
    pub fn holds(&self, at: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| at >= f) && self.to.is_none_or(|t| at < t)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filters {
    pub category: Option<CategoryId>,
    pub status: Option<Status>,
    pub assignee: Option<Assignee>,
    pub tag: Option<Tag>,
    pub priority: Option<Priority>,
    pub tier: Option<Tier>,
    pub created: TimeRange,
    pub updated: TimeRange,
}

/// What the index is asked: every word must match, every filter must hold; the
/// hits come by relevance, then the most recently updated first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WordQuery {
    pub words: Vec<Word>,
    pub filters: Filters,
    /// From 1.
    pub page: u16,
}

/// The search as it arrives, every part optional text.
#[derive(Debug, Clone, Default)]
pub struct RawSearch {
    pub q: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    pub assignee: Option<String>,
    pub tag: Option<String>,
    pub priority: Option<String>,
    pub tier: Option<String>,
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    pub updated_from: Option<String>,
    pub updated_to: Option<String>,
    pub page: Option<String>,
}

/// A word being typed, as the beginning of indexed terms: the index holds
/// stems ("charging" is "charg"), so a word cut in the middle of an ending
/// ("chargi", "chargin", "refunde") is looked up without the part of the ending
/// typed so far, when at least three letters stay.
fn typed_stem(folded: &str) -> String {
    if folded.chars().any(|c| c.is_numeric()) {
        return folded.to_owned();
    }
    for partial in ["in", "i", "e"] {
        if let Some(rest) = folded.strip_suffix(partial)
            && rest.chars().count() >= 3
        {
            return rest.to_owned();
        }
    }
    // A whole word typed ("charges") begins with its stem.
    terms::stem(folded)
}

/// The names a search's parameters go by (the API's and a saved view's).
pub const PARAMETERS: [&str; 12] = [
    "q",
    "category",
    "status",
    "assignee",
    "tag",
    "priority",
    "tier",
    "created_from",
    "created_to",
    "updated_from",
    "updated_to",
    "page",
];

impl RawSearch {
    /// A search from name → value pairs; a name that is no parameter is named.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<RawSearch, FieldError> {
        let mut raw = RawSearch::default();
        for (name, value) in pairs {
            let slot = match name {
                "q" => &mut raw.q,
                "category" => &mut raw.category,
                "status" => &mut raw.status,
                "assignee" => &mut raw.assignee,
                "tag" => &mut raw.tag,
                "priority" => &mut raw.priority,
                "tier" => &mut raw.tier,
                "created_from" => &mut raw.created_from,
                "created_to" => &mut raw.created_to,
                "updated_from" => &mut raw.updated_from,
                "updated_to" => &mut raw.updated_to,
                "page" => &mut raw.page,
                other => {
                    return Err(FieldError::new(
                        other,
                        "is not a parameter of search (q, category, status, assignee, tag, priority, tier, created_from, created_to, updated_from, updated_to, page)",
                    ));
                }
            };
            *slot = Some(value.to_owned());
        }
        Ok(raw)
    }

    /// Does it ask for anything besides words (and a page)?
    pub fn filtered(&self) -> bool {
        [
            &self.category,
            &self.status,
            &self.assignee,
            &self.tag,
            &self.priority,
            &self.tier,
            &self.created_from,
            &self.created_to,
            &self.updated_from,
            &self.updated_to,
        ]
        .iter()
        .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
    }
}

impl WordQuery {
    /// The words of `q`: the last one also counts as a beginning unless the
    /// query ends in a space (the agent finished it).
    pub fn words_of(q: &str) -> Vec<Word> {
        let typing = !q.ends_with(char::is_whitespace);
        let tokens = terms::tokens(q);
        let last = tokens.len().saturating_sub(1);
        let mut words: Vec<Word> = Vec::new();
        for (i, token) in tokens.into_iter().enumerate() {
            let folded = terms::fold(&q[token.start..token.end]);
            let prefix = (typing && i == last && folded.chars().count() >= MIN_PREFIX_CHARS)
                .then(|| typed_stem(&folded));
            let word = Word {
                term: token.term,
                prefix,
            };
            if !words.contains(&word) {
                words.push(word);
            }
        }
        words
    }

    /// Reads a search; the first part that does not parse is named.
    pub fn parse(raw: &RawSearch) -> Result<WordQuery, FieldError> {
        let bad = |field: &str, reason: &str| FieldError::new(field, reason);
        let text = |field: &str, value: &Option<String>| -> Result<Option<String>, FieldError> {
            match value.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(v) if v.chars().count() > MAX_QUERY_CHARS => {
                    Err(bad(field, "is longer than 200 characters"))
                }
                Some(v) if v.chars().any(char::is_control) => {
                    Err(bad(field, "contains control characters"))
                }
                Some(v) => Ok(Some(v.to_owned())),
            }
        };
        let mut query = WordQuery::default();
        if let Some(q) = raw.q.as_deref() {
            if q.chars().count() > MAX_QUERY_CHARS {
                return Err(bad("q", "is longer than 200 characters"));
            }
            if q.chars().any(char::is_control) {
                return Err(bad("q", "contains control characters"));
            }
            query.words = Self::words_of(q.trim_start());
            if query.words.len() > MAX_WORDS {
                return Err(bad("q", "has more than 12 words"));
            }
        }
        let f = &mut query.filters;
        if let Some(v) = text("category", &raw.category)? {
            f.category =
                Some(CategoryId::parse(&v).map_err(|_| bad("category", "is not a category id"))?);
        }
        if let Some(v) = text("status", &raw.status)? {
            f.status = Some(Status::parse(&v).ok_or_else(|| {
                bad(
                    "status",
                    "must be new, open, waiting_on_customer, resolved or closed",
                )
            })?);
        }
        if let Some(v) = text("assignee", &raw.assignee)? {
            f.assignee = Some(if v == "none" {
                Assignee::Nobody
            } else {
                Assignee::Agent(
                    AgentId::parse(&v)
                        .map_err(|_| bad("assignee", "must be an agent id or none"))?,
                )
            });
        }
        if let Some(v) = text("tag", &raw.tag)? {
            f.tag = Some(Tag::parse(&v).map_err(|e| bad("tag", &e.to_string()))?);
        }
        if let Some(v) = text("priority", &raw.priority)? {
            f.priority = Some(Priority::parse(&v).map_err(|e| bad("priority", &e))?);
        }
        if let Some(v) = text("tier", &raw.tier)? {
            f.tier = Some(Tier::parse(&v).map_err(|e| bad("tier", &e))?);
        }
        f.created = TimeRange {
            from: day_or_time(
                "created_from",
                text("created_from", &raw.created_from)?,
                false,
            )?,
            to: day_or_time("created_to", text("created_to", &raw.created_to)?, true)?,
        };
        f.updated = TimeRange {
            from: day_or_time(
                "updated_from",
                text("updated_from", &raw.updated_from)?,
                false,
            )?,
            to: day_or_time("updated_to", text("updated_to", &raw.updated_to)?, true)?,
        };
        query.page = match text("page", &raw.page)? {
            None => 1,
            Some(v) => v
                .parse::<u16>()
                .ok()
                .filter(|p| (1..=MAX_PAGE).contains(p))
                .ok_or_else(|| bad("page", "must be a whole number from 1 to 40"))?,
        };
        Ok(query)
    }

    /// Hits skipped before this page.
    pub fn offset(&self) -> usize {
        usize::from(self.page.max(1) - 1) * PAGE_SIZE
    }
}

/// A day (`2026-12-03`: from its start, or to its end) or an RFC 3339 time.
fn day_or_time(
    field: &str,
    value: Option<String>,
    end_of_day: bool,
) -> Result<Option<DateTime<Utc>>, FieldError> {
    let Some(v) = value else { return Ok(None) };
    if let Ok(day) = NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
        let day = if end_of_day {
            day.succ_opt().unwrap_or(day)
        } else {
            day
        };
        return Ok(day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()));
    }
    DateTime::parse_from_rfc3339(&v)
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| FieldError::new(field, "must be a day (2026-12-03) or an RFC 3339 time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(q: &str) -> RawSearch {
        RawSearch {
            q: Some(q.into()),
            ..RawSearch::default()
        }
    }

    #[test]
    fn the_last_word_is_a_beginning_while_it_is_typed() {
        let q = WordQuery::parse(&raw("Refunds for ordr")).unwrap_or_default();
        assert_eq!(
            q.words,
            vec![
                Word {
                    term: "refund".into(),
                    prefix: None
                },
                Word {
                    term: "for".into(),
                    prefix: None
                },
                Word {
                    term: "ordr".into(),
                    prefix: Some("ordr".into())
                },
            ]
        );
        let done = WordQuery::parse(&raw("refunds ")).unwrap_or_default();
        assert_eq!(
            done.words,
            vec![Word {
                term: "refund".into(),
                prefix: None
            }]
        );
        let one_letter = WordQuery::parse(&raw("order ab")).unwrap_or_default();
        assert_eq!(
            one_letter.words[1].prefix, None,
            "two letters are no beginning"
        );
        assert!(
            Word {
                term: "charg".into(),
                prefix: Some("charges".into())
            }
            .matches("charg")
        );
    }

    #[test]
    fn a_word_typed_letter_by_letter_keeps_finding_its_forms() {
        // Every step of typing "charging" and "refunded" matches the indexed stem.
        for (typed, stem) in [("charging", "charg"), ("refunded", "refund")] {
            for n in 4..=typed.len() {
                let words = WordQuery::words_of(&typed[..n]);
                assert!(
                    words[0].matches(stem),
                    "{} does not find {stem}: {words:?}",
                    &typed[..n]
                );
            }
        }
    }

    #[test]
    fn each_bad_part_is_named() {
        let cases: [(&str, RawSearch); 8] = [
            ("q", raw(&"x".repeat(10_000))),
            ("q", raw("a\u{0}b")),
            ("q", raw("a b c d e f g h i j k l m")),
            (
                "status",
                RawSearch {
                    status: Some("lost".into()),
                    ..Default::default()
                },
            ),
            (
                "assignee",
                RawSearch {
                    assignee: Some("../x".into()),
                    ..Default::default()
                },
            ),
            (
                "tag",
                RawSearch {
                    tag: Some("two words".into()),
                    ..Default::default()
                },
            ),
            (
                "created_from",
                RawSearch {
                    created_from: Some("yesterday".into()),
                    ..Default::default()
                },
            ),
            (
                "page",
                RawSearch {
                    page: Some("41".into()),
                    ..Default::default()
                },
            ),
        ];
        for (field, search) in cases {
            match WordQuery::parse(&search) {
                Err(e) => assert_eq!(e.field, field, "{}", e.reason),
                Ok(q) => panic!("{field}: accepted {q:?}"),
            }
        }
    }

    #[test]
    fn days_cover_the_whole_day() {
        let q = WordQuery::parse(&RawSearch {
            created_from: Some("2026-12-01".into()),
            created_to: Some("2026-12-01".into()),
            ..Default::default()
        })
        .unwrap_or_default();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc));
        assert!(
            q.filters
                .created
                .holds(at("2026-12-01T23:59:59Z").unwrap_or_default())
        );
        assert!(
            !q.filters
                .created
                .holds(at("2026-12-02T00:00:00Z").unwrap_or_default())
        );
        assert!(
            !q.filters
                .created
                .holds(at("2026-11-30T23:59:59Z").unwrap_or_default())
        );
    }
}
