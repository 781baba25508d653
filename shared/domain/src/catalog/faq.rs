//! FAQ search: ranks a category's published entries for what the customer is
//! typing, and describes the search so it can be logged for the reports.

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

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FaqError {
    #[error("the request has invalid fields")]
    Invalid(Vec<crate::catalog::category::FieldError>),
    #[error(transparent)]
    Store(#[from] crate::ports::store::StoreError),
}

/// How much of the log and the read counts one visitor, and all of them in a
/// day, can fill: a script typing random queries must not grow a table that is
/// kept 400 days.
#[derive(Debug, Clone)]
pub struct FaqLimits {
    /// Searches with something typed (each one logged) per client address.
    pub searches_per_ip: (u32, chrono::Duration),
    /// Queries the day's log takes that it does not hold yet (UTC day, all visitors).
    pub new_queries_per_day: u32,
    /// Answers opened and counted, per client address.
    pub reads_per_ip: (u32, chrono::Duration),
}

impl Default for FaqLimits {
    fn default() -> Self {
        Self {
            searches_per_ip: (300, chrono::Duration::hours(1)),
            // Search-as-you-type logs prefixes too (a few per visitor's search);
            // 10,000 items a day kept 400 days is about 400 MB at most.
            new_queries_per_day: 10_000,
            reads_per_ip: (60, chrono::Duration::hours(1)),
        }
    }
}

/// Answers for the help center: what matches a query (and the search counted for
/// the reports), or the top questions when nothing is typed.
pub struct FaqLookup<'a> {
    pub catalog: &'a dyn crate::ports::CatalogStore,
    /// Where the per-client limits are counted.
    pub limits: &'a dyn crate::ports::TicketStore,
    pub clock: &'a dyn crate::ports::Clock,
    pub policy: &'a FaqLimits,
}

impl FaqLookup<'_> {
    /// `category`: one category's answers, or all of them when `None`.
    /// `client`: the visitor's address, for the per-client limit on searches.
    pub async fn answers(
        &self,
        category: Option<&str>,
        query: &str,
        limit: usize,
        client: &str,
    ) -> Result<Vec<FaqEntry>, FaqError> {
        use crate::catalog::category::FieldError;
        let categories = self.catalog.categories().await?;
        let scope: Vec<CategoryId> = match category.map(str::trim).filter(|c| !c.is_empty()) {
            None => categories.iter().map(|c| c.id.clone()).collect(),
            Some(raw) => match categories.iter().find(|c| c.id.as_str() == raw) {
                Some(c) => vec![c.id.clone()],
                None => {
                    return Err(FaqError::Invalid(vec![FieldError::new(
                        "category",
                        "is not one of our categories",
                    )]));
                }
            },
        };
        if query.chars().count() > MAX_QUERY {
            return Err(FaqError::Invalid(vec![FieldError::new(
                "q",
                format!("is longer than {MAX_QUERY} characters"),
            )]));
        }
        // Display order: by category order, then each entry's own position.
        let mut entries = Vec::new();
        for id in &scope {
            let mut of_category = self.catalog.faq(id).await?;
            of_category.sort_by_key(|e| e.position);
            entries.extend(of_category);
        }
        let normalized = normalize_query(query);
        if normalized.is_empty() {
            // Browsing is not a search: the top questions, nothing logged.
            let mut top: Vec<FaqEntry> = entries.into_iter().filter(|e| e.published).collect();
            top.sort_by_key(|e| e.position);
            top.truncate(limit);
            return Ok(top);
        }
        let now = self.clock.now();
        let (per_ip, window) = self.policy.searches_per_ip;
        self.limits
            .hit_rate_limits(
                &[crate::ports::store::RateLimitClaim::fixed_window(
                    &format!("faq-search-ip:{client}"),
                    per_ip,
                    window,
                    now,
                )],
                now,
            )
            .await?;
        let found: Vec<FaqEntry> = search(&entries, query, limit)
            .into_iter()
            .cloned()
            .collect();
        let logged = FaqSearch {
            query: normalized,
            category: (scope.len() == 1).then(|| scope[0].clone()),
            results: found.len() as u32,
            at: now,
        };
        // The answer matters more than the statistic: a failed log is only reported.
        match self
            .catalog
            .log_faq_search(&logged, self.policy.new_queries_per_day)
            .await
        {
            Ok(true) => {}
            Ok(false) => tracing::info!("FAQ search not logged: the day's new queries are taken"),
            Err(e) => tracing::warn!(error = %e, "FAQ search not logged"),
        }
        Ok(found)
    }
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
}

impl FaqReadCount {
    pub fn without_ticket(&self) -> u32 {
        self.opened.saturating_sub(self.then_ticket)
    }

    /// Several days' counts summed per entry, most visits ended without a ticket first.
    pub fn summed(days: impl IntoIterator<Item = FaqReadCount>) -> Vec<FaqReadCount> {
        let mut sums: std::collections::BTreeMap<
            (CategoryId, crate::values::ids::FaqId),
            (u32, u32),
        > = Default::default();
        for d in days {
            let sum = sums.entry((d.category, d.entry)).or_default();
            sum.0 += d.opened;
            sum.1 += d.then_ticket;
        }
        let mut all: Vec<FaqReadCount> = sums
            .into_iter()
            .map(|((category, entry), (opened, then_ticket))| FaqReadCount {
                category,
                entry,
                opened,
                then_ticket,
            })
            .collect();
        all.sort_by(|a, b| {
            b.without_ticket()
                .cmp(&a.without_ticket())
                .then_with(|| b.opened.cmp(&a.opened))
        });
        all
    }
}

/// The most answers a submission can name as read before it.
pub const MAX_READ_BEFORE: usize = 20;

/// Which answers a visitor read: counted when first opened in a visit, and again
/// (as "then wrote anyway") with the request a visit ends in (see
/// [`crate::customers::intake::SubmissionInput::faq_read`]).
pub struct FaqReads<'a> {
    pub catalog: &'a dyn crate::ports::CatalogStore,
    pub clock: &'a dyn crate::ports::Clock,
}

impl FaqReads<'_> {
    /// The published entries among `refs` ("category/id"), at most
    /// [`MAX_READ_BEFORE`], each once; unknown ones dropped.
    pub async fn known(
        &self,
        refs: &[String],
    ) -> Result<Vec<(CategoryId, crate::values::ids::FaqId)>, crate::ports::store::StoreError> {
        let mut found = Vec::new();
        for r in refs.iter().take(MAX_READ_BEFORE) {
            let Some((c, id)) = r.split_once('/') else {
                continue;
            };
            let (Ok(c), Ok(id)) = (CategoryId::parse(c), crate::values::ids::FaqId::parse(id))
            else {
                continue;
            };
            let published = self
                .catalog
                .faq(&c)
                .await?
                .iter()
                .any(|e| e.id == id && e.published);
            if published && !found.iter().any(|(fc, fid)| fc == &c && fid == &id) {
                found.push((c, id));
            }
        }
        Ok(found)
    }

    /// A visitor (`client`, their address) opened an answer, counted within the
    /// per-client limit (`RateLimited` beyond it). False: no such published answer
    /// (nothing counted).
    pub async fn opened(
        &self,
        reference: &str,
        client: &str,
        limits: &dyn crate::ports::TicketStore,
        policy: &FaqLimits,
    ) -> Result<bool, crate::ports::store::StoreError> {
        let known = self.known(&[reference.to_owned()]).await?;
        if known.is_empty() {
            return Ok(false);
        }
        let now = self.clock.now();
        let (per_ip, window) = policy.reads_per_ip;
        let claim = crate::ports::store::RateLimitClaim::fixed_window(
            &format!("faq-read-ip:{client}"),
            per_ip,
            window,
            now,
        );
        limits.hit_rate_limits(&[claim], now).await?;
        self.catalog
            .count_faq_reads(&known, false, self.clock.now())
            .await?;
        Ok(true)
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
}
