//! The FAQ as the help center serves it: answers for what a visitor types (the
//! search logged for the reports) within per-visitor limits, and the answers a
//! visitor read counted.

use crate::catalog::category::FieldError;
use crate::catalog::faq::{FaqEntry, FaqReadCount, FaqSearch, MAX_QUERY, normalize_query, search};
use crate::ports::claims::RateLimitClaim;
use crate::ports::error::StoreError;
use crate::ports::{CatalogStore, Clock, TicketStore};
use crate::values::ids::{CategoryId, FaqId};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FaqError {
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
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
    pub catalog: &'a dyn CatalogStore,
    /// Where the per-client limits are counted.
    pub limits: &'a dyn TicketStore,
    pub clock: &'a dyn Clock,
    pub policy: &'a FaqLimits,
    /// The visitor's language: answers are searched and shown in it where an
    /// admin gave them in it.
    pub language: crate::i18n::Language,
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
            entries.extend(
                of_category
                    .into_iter()
                    .map(|e| e.in_language(self.language)),
            );
        }
        let normalized = normalize_query(query);
        if normalized.is_empty() {
            // Browsing is not a search: the top questions, nothing logged.
            let reads = self.recent_reads().await;
            return Ok(top_answers(entries, &reads, limit));
        }
        let now = self.clock.now();
        let (per_ip, window) = self.policy.searches_per_ip;
        self.limits
            .hit_rate_limits(
                &[RateLimitClaim::fixed_window(
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

/// The published answer `id` among a category's `entries`.
pub fn published<'a>(entries: &'a [FaqEntry], id: &FaqId) -> Option<&'a FaqEntry> {
    entries.iter().find(|e| &e.id == id && e.published)
}

/// A category's answers as kept, or read fresh when the kept list lacks `id` as
/// a published answer (published a moment ago in another function).
pub async fn entries_with(
    catalog: &dyn CatalogStore,
    category: &CategoryId,
    id: &FaqId,
) -> Result<Vec<FaqEntry>, StoreError> {
    let entries = catalog.faq(category).await?;
    if published(&entries, id).is_some() {
        return Ok(entries);
    }
    catalog.faq_fresh(category).await
}

/// How far back "most read" looks.
pub const TOP_READS_DAYS: i64 = 30;

/// The top answers: pinned ones first (in their order), then the most opened in
/// the last [`TOP_READS_DAYS`] days, then the category's own order.
pub fn top_answers(entries: Vec<FaqEntry>, reads: &[FaqReadCount], limit: usize) -> Vec<FaqEntry> {
    let opened = |e: &FaqEntry| {
        reads
            .iter()
            .find(|r| r.category == e.category && r.entry == e.id)
            .map_or(0, |r| r.opened)
    };
    let mut top: Vec<(usize, FaqEntry)> = entries
        .into_iter()
        .filter(|e| e.published)
        .enumerate()
        .collect();
    top.sort_by_key(|(order, e)| {
        (
            !e.pinned,
            if e.pinned { *order } else { 0 },
            std::cmp::Reverse(opened(e)),
            *order,
        )
    });
    top.into_iter().take(limit).map(|(_, e)| e).collect()
}

/// An answer's own page: the answer and a few related ones of its category.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerPage {
    pub entry: FaqEntry,
    pub related: Vec<FaqEntry>,
}

/// How many related answers a page shows.
pub const RELATED: usize = 3;

impl FaqLookup<'_> {
    /// The last [`TOP_READS_DAYS`] days' reads; none when they cannot be read
    /// (the order then falls back to the category's own).
    async fn recent_reads(&self) -> Vec<FaqReadCount> {
        let today = self.clock.now().date_naive();
        let from = today - chrono::Duration::days(TOP_READS_DAYS - 1);
        self.catalog
            .faq_read_log_kept(from, today)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "FAQ reads not read: top answers in their own order");
                vec![]
            })
    }

    /// A published answer by its stable address (`category`, `id`), with the
    /// answers of its category that share most words with it, else its top ones.
    pub async fn page(&self, category: &str, id: &str) -> Result<Option<AnswerPage>, StoreError> {
        let Some((category, id)) = self.known_address(category, id).await? else {
            return Ok(None);
        };
        let mut entries: Vec<FaqEntry> = entries_with(self.catalog, &category, &id)
            .await?
            .into_iter()
            .map(|e| e.in_language(self.language))
            .collect();
        entries.sort_by_key(|e| e.position);
        let Some(entry) = published(&entries, &id).cloned() else {
            return Ok(None);
        };
        let others: Vec<FaqEntry> = entries.into_iter().filter(|e| e.id != id).collect();
        let mut related: Vec<FaqEntry> = search(&others, &format!("{} ", entry.question), RELATED)
            .into_iter()
            .cloned()
            .collect();
        if related.len() < RELATED {
            let reads = self.recent_reads().await;
            for e in top_answers(others, &reads, RELATED) {
                if related.len() < RELATED && !related.iter().any(|r| r.id == e.id) {
                    related.push(e);
                }
            }
        }
        Ok(Some(AnswerPage { entry, related }))
    }

    /// An answer's address, if it names a category we have (a made-up category
    /// costs no store read and leaves nothing in any cache).
    async fn known_address(
        &self,
        category: &str,
        id: &str,
    ) -> Result<Option<(CategoryId, FaqId)>, StoreError> {
        let (Ok(category), Ok(id)) = (CategoryId::parse(category), FaqId::parse(id)) else {
            return Ok(None);
        };
        let known = self
            .catalog
            .categories()
            .await?
            .iter()
            .any(|c| c.id == category);
        Ok(known.then_some((category, id)))
    }

    /// "Did this help?" on an answer's page: the visitor's limit first (a probe
    /// counts too), then once per visitor and answer a day. False: no such
    /// published answer, or this visitor answered already today (nothing counted).
    pub async fn vote(
        &self,
        category: &str,
        id: &str,
        helpful: bool,
        client: &str,
    ) -> Result<bool, StoreError> {
        let now = self.clock.now();
        let (per_ip, window) = self.policy.reads_per_ip;
        let claim =
            RateLimitClaim::fixed_window(&format!("faq-vote-ip:{client}"), per_ip, window, now);
        self.limits.hit_rate_limits(&[claim], now).await?;
        let Some((category, id)) = self.known_address(category, id).await? else {
            return Ok(false);
        };
        let entries = entries_with(self.catalog, &category, &id).await?;
        if published(&entries, &id).is_none() {
            return Ok(false);
        }
        let once = RateLimitClaim::fixed_window(
            &format!("faq-vote:{client}:{}/{}", category.as_str(), id.as_str()),
            1,
            chrono::Duration::days(1),
            now,
        );
        match self.limits.hit_rate_limits(&[once], now).await {
            Ok(()) => {}
            // Answered already today: taken as said, counted once.
            Err(StoreError::RateLimited { .. }) => return Ok(true),
            Err(e) => return Err(e),
        }
        self.catalog
            .count_faq_vote(&category, &id, helpful, now)
            .await?;
        Ok(true)
    }
}

/// The most answers a submission can name as read before it.
pub const MAX_READ_BEFORE: usize = 20;

/// Which answers a visitor read: counted when first opened in a visit, and again
/// (as "then wrote anyway") with the request a visit ends in (see
/// [`crate::customers::intake::SubmissionInput::faq_read`]).
pub struct FaqReads<'a> {
    pub catalog: &'a dyn CatalogStore,
    pub clock: &'a dyn Clock,
}

impl FaqReads<'_> {
    /// The published entries among `refs` ("category/id"), at most
    /// [`MAX_READ_BEFORE`], each once; unknown ones dropped.
    pub async fn known(&self, refs: &[String]) -> Result<Vec<(CategoryId, FaqId)>, StoreError> {
        let mut found = Vec::new();
        for r in refs.iter().take(MAX_READ_BEFORE) {
            let Some((c, id)) = r.split_once('/') else {
                continue;
            };
            let (Ok(c), Ok(id)) = (CategoryId::parse(c), FaqId::parse(id)) else {
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
        limits: &dyn TicketStore,
        policy: &FaqLimits,
    ) -> Result<bool, StoreError> {
        let known = self.known(&[reference.to_owned()]).await?;
        if known.is_empty() {
            return Ok(false);
        }
        let now = self.clock.now();
        let (per_ip, window) = policy.reads_per_ip;
        let claim =
            RateLimitClaim::fixed_window(&format!("faq-read-ip:{client}"), per_ip, window, now);
        limits.hit_rate_limits(&[claim], now).await?;
        self.catalog
            .count_faq_reads(&known, false, self.clock.now())
            .await?;
        Ok(true)
    }
}
