//! FAQ entries and their search: ranks a category's published entries for what the
//! customer is typing, and the shapes in which searches and reads are counted.

use crate::values::ids::{CategoryId, FaqId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Words too common to tell entries apart.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "at", "be", "can", "do", "does", "for", "how", "i", "in", "is", "it",
    "my", "of", "on", "or", "the", "to", "what", "when", "why", "with", "you", "your",
];

pub const MAX_QUERY: usize = 200;

/// Lower-case words of at least two letters, without stop words.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .collect()
}

/// The query as it is logged and compared: its words, in order, one space apart.
pub fn normalize_query(query: &str) -> String {
    let clipped: String = query.chars().take(MAX_QUERY).collect();
    words(&clipped).join(" ")
}

fn score(entry: &FaqEntry, terms: &[String], last_is_partial: bool) -> u32 {
    let question = words(&entry.question);
    let answer = words(&entry.answer);
    let mut total = 0;
    for (i, term) in terms.iter().enumerate() {
        let partial = last_is_partial && i + 1 == terms.len();
        let hit =
            |w: &String| w == term || (partial && w.starts_with(term.as_str())) || stem_eq(w, term);
        if question.iter().any(hit) {
            total += 3;
        } else if answer.iter().any(hit) {
            total += 1;
        }
    }
    total
}

/// "refunds" finds "refund", "charged" finds "charge": a light plural/past stem.
fn stem_eq(a: &str, b: &str) -> bool {
    fn stem(w: &str) -> &str {
        for suffix in ["ing", "ed", "es", "s"] {
            if let Some(s) = w.strip_suffix(suffix).filter(|s| s.chars().count() >= 3) {
                return s;
            }
        }
        w
    }
    stem(a) == stem(b)
}

/// The published entries matching `query`, best first (ties keep display order),
/// at most `limit`. The last word counts as a prefix while the customer is typing.
pub fn search<'a>(entries: &'a [FaqEntry], query: &str, limit: usize) -> Vec<&'a FaqEntry> {
    let terms = words(&query.chars().take(MAX_QUERY).collect::<String>());
    if terms.is_empty() {
        return Vec::new();
    }
    let typing = !query.ends_with(char::is_whitespace);
    let mut scored: Vec<(u32, &FaqEntry)> = entries
        .iter()
        .filter(|e| e.published)
        .map(|e| (score(e, &terms, typing), e))
        .filter(|(s, _)| *s > 0)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.position.cmp(&b.1.position)));
    scored.into_iter().take(limit).map(|(_, e)| e).collect()
}

/// One search as logged: what was asked, where, and how many answers it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqSearch {
    pub query: String,
    pub category: Option<CategoryId>,
    pub results: u32,
    pub at: DateTime<Utc>,
}

/// How one answer did over some days: visits that opened it, and of those, how
/// many still sent a request. The rest ended without one: the answer (probably)
/// did its job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqReadCount {
    pub category: CategoryId,
    pub entry: crate::values::ids::FaqId,
    #[serde(default)]
    pub opened: u32,
    #[serde(default)]
    pub then_ticket: u32,
    /// "Did this help?" answered yes / no on the answer's page.
    #[serde(default)]
    pub helpful: u32,
    #[serde(default)]
    pub unhelpful: u32,
}

impl FaqReadCount {
    pub fn without_ticket(&self) -> u32 {
        self.opened.saturating_sub(self.then_ticket)
    }

    /// Several days' counts summed per entry, most visits ended without a ticket first.
    pub fn summed(days: impl IntoIterator<Item = FaqReadCount>) -> Vec<FaqReadCount> {
        let mut sums: std::collections::BTreeMap<
            (CategoryId, crate::values::ids::FaqId),
            [u32; 4],
        > = Default::default();
        for d in days {
            let sum = sums.entry((d.category, d.entry)).or_default();
            sum[0] += d.opened;
            sum[1] += d.then_ticket;
            sum[2] += d.helpful;
            sum[3] += d.unhelpful;
        }
        let mut all: Vec<FaqReadCount> = sums
            .into_iter()
            .map(
                |((category, entry), [opened, then_ticket, helpful, unhelpful])| FaqReadCount {
                    category,
                    entry,
                    opened,
                    then_ticket,
                    helpful,
                    unhelpful,
                },
            )
            .collect();
        all.sort_by(|a, b| {
            b.without_ticket()
                .cmp(&a.without_ticket())
                .then_with(|| b.opened.cmp(&a.opened))
        });
        all
    }
}

/// A day's searches for one query in one category (or across all), aggregated
/// when they happen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqSearchCount {
    pub query: String,
    pub category: Option<CategoryId>,
    pub searches: u32,
    pub zero_results: u32,
}

impl FaqSearchCount {
    /// Several days' counts summed per query and category, most searched first.
    pub fn summed(days: impl IntoIterator<Item = FaqSearchCount>) -> Vec<FaqSearchCount> {
        let mut sums: std::collections::BTreeMap<(String, Option<CategoryId>), (u32, u32)> =
            Default::default();
        for d in days {
            let sum = sums.entry((d.query, d.category)).or_default();
            sum.0 += d.searches;
            sum.1 += d.zero_results;
        }
        let mut log: Vec<FaqSearchCount> = sums
            .into_iter()
            .map(
                |((query, category), (searches, zero_results))| FaqSearchCount {
                    query,
                    category,
                    searches,
                    zero_results,
                },
            )
            .collect();
        Self::sort(&mut log);
        log
    }

    /// Most searched first; ties by query, then category.
    pub fn sort(log: &mut [FaqSearchCount]) {
        log.sort_by(|a, b| {
            b.searches
                .cmp(&a.searches)
                .then_with(|| (&a.query, &a.category).cmp(&(&b.query, &b.category)))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::ids::FaqId;
    use proptest::prelude::*;

    fn entry(id: &str, q: &str, a: &str, position: u32) -> FaqEntry {
        FaqEntry {
            id: FaqId::parse(id).unwrap(),
            category: CategoryId::parse("billing").unwrap(),
            question: q.into(),
            answer: a.into(),
            published: true,
            position,
            source_ticket: None,
            pinned: false,
            translations: Default::default(),
        }
    }

    fn entries() -> Vec<FaqEntry> {
        vec![
            entry(
                "refund",
                "How long does a refund take?",
                "Refunds arrive in 3 to 5 days.",
                1,
            ),
            entry(
                "twice",
                "I was charged twice. What now?",
                "A second charge is usually a pending authorisation.",
                2,
            ),
            entry(
                "invoice",
                "Where is my invoice?",
                "Invoices are in your account; a refund shows there too.",
                3,
            ),
            FaqEntry {
                published: false,
                ..entry("draft", "Refund policy draft", "Internal.", 0)
            },
        ]
    }

    #[test]
    fn question_matches_rank_above_answer_matches_and_drafts_stay_hidden() {
        let all = entries();
        let ids: Vec<&str> = search(&all, "refund ", 5)
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(ids, ["refund", "invoice"]);
    }

    #[test]
    fn the_word_being_typed_matches_as_a_prefix() {
        let all = entries();
        assert_eq!(
            search(&all, "char", 5).first().map(|e| e.id.as_str()),
            Some("twice")
        );
        assert!(
            search(&all, "char ", 5).is_empty(),
            "a finished word must match whole"
        );
        assert_eq!(
            search(&all, "refunds ", 5).first().map(|e| e.id.as_str()),
            Some("refund")
        );
    }

    #[test]
    fn stop_words_alone_find_nothing_and_queries_normalize() {
        assert!(search(&entries(), "how do I", 5).is_empty());
        assert_eq!(normalize_query("  How do I get a REFUND?! "), "get refund");
    }

    proptest! {
        #[test]
        fn search_never_panics_and_respects_the_limit(q in "\\PC{0,300}", limit in 0usize..4) {
            let all = entries();
            let found = search(&all, &q, limit);
            prop_assert!(found.len() <= limit);
            prop_assert!(found.iter().all(|e| e.published));
            prop_assert!(normalize_query(&q).chars().count() <= MAX_QUERY);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaqEntry {
    pub id: FaqId,
    pub category: CategoryId,
    pub question: String,
    pub answer: String,
    pub published: bool,
    pub position: u32,
    /// The ticket whose answer this entry was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ticket: Option<crate::values::ids::TicketRef>,
    /// Kept among the category's top answers whatever is read most.
    #[serde(default)]
    pub pinned: bool,
    /// The question and answer in other languages (`de`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub translations: crate::catalog::translations::FaqTexts,
}

impl FaqEntry {
    /// The answer as a visitor reading `language` sees it.
    pub fn in_language(mut self, language: crate::i18n::Language) -> FaqEntry {
        let texts = std::mem::take(&mut self.translations);
        if let Some(text) = texts
            .into_iter()
            .find_map(|(l, t)| (l == language).then_some(t))
        {
            self.question = text.question;
            self.answer = text.answer;
        }
        self
    }
}
