//! Categories, policies, FAQ entries and the agent list change rarely and are read
//! by nearly every request: keep them for a short while in the function's memory,
//! so a warm create costs one store write. One agent's record (what sign-in checks)
//! is always read fresh, so a removed agent loses access at once.

use crate::agents::profile::Agent;
use crate::catalog::category::Category;
use crate::catalog::faq::FaqEntry;
use crate::catalog::faq::{FaqReadCount, FaqSearch, FaqSearchCount};
use crate::customers::tier_rule::TierRule;
use crate::mail::inbound::quarantine::SenderPattern;
use crate::ports::store::StoreError;
use crate::ports::{
    AgentProfiles, CannedReplies, CatalogStore, Categories, Clock, CustomerTiers, FaqEntries,
    FaqStats, SlaPolicies,
};
use crate::sla::policy::SlaPolicy;
use crate::values::ids::{AgentId, CategoryId, FaqId};
use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Seconds within which a fresh read of a category's FAQ is served from memory.
const FRESH: i64 = 5;

/// The answers' reads of one period.
type ReadLog = ((NaiveDate, NaiveDate), Vec<FaqReadCount>);

/// A cached value and when it was loaded.
type Stamped<T> = (DateTime<Utc>, T);

pub struct CachedCatalog {
    inner: Arc<dyn CatalogStore>,
    clock: Arc<dyn Clock>,
    ttl: Duration,
    categories: Mutex<Option<Stamped<Vec<Category>>>>,
    faq: Mutex<HashMap<CategoryId, Stamped<Vec<FaqEntry>>>>,
    policies: Mutex<Option<Stamped<Vec<SlaPolicy>>>>,
    agents: Mutex<Option<Stamped<Vec<Agent>>>>,
    tiers: Mutex<Option<Stamped<Vec<TierRule>>>>,
    reads: Mutex<Option<Stamped<ReadLog>>>,
    /// When each category's FAQ was last read fresh (`faq_fresh`).
    fresh: Mutex<HashMap<CategoryId, DateTime<Utc>>>,
    /// Held while a slot loads: callers that find it empty at once wait for the
    /// first one's load instead of each asking the store (a run of 16 visits on
    /// a cold function read the catalog 16 times).
    loading: futures::lock::Mutex<()>,
}

impl CachedCatalog {
    pub fn new(inner: Arc<dyn CatalogStore>, clock: Arc<dyn Clock>, ttl: Duration) -> Self {
        Self {
            inner,
            clock,
            ttl,
            categories: Mutex::new(None),
            faq: Mutex::new(HashMap::new()),
            policies: Mutex::new(None),
            agents: Mutex::new(None),
            tiers: Mutex::new(None),
            reads: Mutex::new(None),
            fresh: Mutex::new(HashMap::new()),
            loading: futures::lock::Mutex::new(()),
        }
    }

    /// The slot's value while it is younger than the TTL; else loads and keeps it.
    async fn through<T: Clone>(
        &self,
        slot: &Mutex<Option<Stamped<T>>>,
        load: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let fresh = |now: DateTime<Utc>| {
            let cached = slot.lock().unwrap_or_else(PoisonError::into_inner).clone();
            cached
                .filter(|(at, _)| now - *at < self.ttl)
                .map(|(_, value)| value)
        };
        if let Some(value) = fresh(self.clock.now()) {
            return Ok(value);
        }
        let _turn = self.loading.lock().await;
        // Loaded by whoever held the turn before us?
        let now = self.clock.now();
        if let Some(value) = fresh(now) {
            return Ok(value);
        }
        let loaded = load.await?;
        *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some((now, loaded.clone()));
        Ok(loaded)
    }

    fn forget<T>(slot: &Mutex<Option<Stamped<T>>>) {
        *slot.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

#[async_trait]
impl Categories for CachedCatalog {
    async fn categories(&self) -> Result<Vec<Category>, StoreError> {
        self.through(&self.categories, self.inner.categories())
            .await
    }

    async fn category(&self, id: &CategoryId) -> Result<Option<Category>, StoreError> {
        Ok(self.categories().await?.into_iter().find(|c| &c.id == id))
    }

    async fn put_category(&self, category: &Category) -> Result<(), StoreError> {
        Self::forget(&self.categories);
        self.inner.put_category(category).await
    }
}

#[async_trait]
impl AgentProfiles for CachedCatalog {
    async fn agents(&self) -> Result<Vec<Agent>, StoreError> {
        self.through(&self.agents, self.inner.agents()).await
    }

    async fn agent(&self, id: &AgentId) -> Result<Option<Agent>, StoreError> {
        self.inner.agent(id).await
    }

    async fn put_agent(&self, agent: &Agent) -> Result<(), StoreError> {
        Self::forget(&self.agents);
        self.inner.put_agent(agent).await
    }

    async fn set_signoff(
        &self,
        id: &AgentId,
        display_name: Option<String>,
        signature: Option<String>,
    ) -> Result<Option<Agent>, StoreError> {
        Self::forget(&self.agents);
        self.inner.set_signoff(id, display_name, signature).await
    }

    async fn set_alert_choices(
        &self,
        id: &AgentId,
        choices: &crate::agents::alert_mail::AlertChoices,
    ) -> Result<Option<Agent>, StoreError> {
        Self::forget(&self.agents);
        self.inner.set_alert_choices(id, choices).await
    }
}

#[async_trait]
impl FaqEntries for CachedCatalog {
    async fn faq(&self, category: &CategoryId) -> Result<Vec<FaqEntry>, StoreError> {
        let now = self.clock.now();
        let cached = self
            .faq
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(category)
            .cloned();
        if let Some((_, entries)) = cached.filter(|(at, _)| now - *at < self.ttl) {
            return Ok(entries);
        }
        let loaded = self.inner.faq(category).await?;
        self.faq
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(category.clone(), (now, loaded.clone()));
        Ok(loaded)
    }

    /// Loads again unless this was done for the category within [`FRESH`]
    /// seconds: a page asked for an answer the kept list lacks (published a
    /// moment ago), but a stream of unknown ids costs at most one read every few
    /// seconds.
    async fn faq_fresh(&self, category: &CategoryId) -> Result<Vec<FaqEntry>, StoreError> {
        let now = self.clock.now();
        let recent = {
            let mut fresh = self.fresh.lock().unwrap_or_else(PoisonError::into_inner);
            let recent = fresh
                .get(category)
                .is_some_and(|at| now - *at < Duration::seconds(FRESH));
            if !recent {
                fresh.insert(category.clone(), now);
            }
            recent
        };
        if recent {
            return self.faq(category).await;
        }
        let loaded = self.inner.faq(category).await?;
        self.faq
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(category.clone(), (now, loaded.clone()));
        Ok(loaded)
    }

    async fn put_faq(&self, entry: &FaqEntry) -> Result<(), StoreError> {
        self.faq
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&entry.category);
        self.inner.put_faq(entry).await
    }

    async fn delete_faq(&self, category: &CategoryId, id: &FaqId) -> Result<bool, StoreError> {
        let deleted = self.inner.delete_faq(category, id).await;
        self.faq
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(category);
        deleted
    }
}

#[async_trait]
impl FaqStats for CachedCatalog {
    async fn log_faq_search(
        &self,
        search: &FaqSearch,
        new_queries_per_day: u32,
    ) -> Result<bool, StoreError> {
        self.inner.log_faq_search(search, new_queries_per_day).await
    }

    async fn faq_search_log(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FaqSearchCount>, StoreError> {
        self.inner.faq_search_log(from, to).await
    }

    async fn count_faq_reads(
        &self,
        entries: &[(CategoryId, FaqId)],
        then_ticket: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.inner.count_faq_reads(entries, then_ticket, at).await
    }

    async fn count_faq_vote(
        &self,
        category: &CategoryId,
        entry: &FaqId,
        helpful: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.inner
            .count_faq_vote(category, entry, helpful, at)
            .await
    }

    async fn faq_read_log(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FaqReadCount>, StoreError> {
        self.inner.faq_read_log(from, to).await
    }

    /// Kept for the TTL per period: every help-center start page ranks the top
    /// answers by the last 30 days' reads (the reports read them fresh).
    async fn faq_read_log_kept(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FaqReadCount>, StoreError> {
        let now = self.clock.now();
        let cached = self
            .reads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .filter(|(at, (period, _))| now - *at < self.ttl && *period == (from, to))
            .map(|(_, (_, reads))| reads);
        if let Some(reads) = cached {
            return Ok(reads);
        }
        let reads = self.inner.faq_read_log(from, to).await?;
        *self.reads.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((now, ((from, to), reads.clone())));
        Ok(reads)
    }
}

#[async_trait]
impl CannedReplies for CachedCatalog {
    async fn canned_replies(&self) -> Result<Vec<crate::agents::canned::CannedReply>, StoreError> {
        self.inner.canned_replies().await
    }

    async fn put_canned(
        &self,
        reply: &crate::agents::canned::CannedReply,
    ) -> Result<(), StoreError> {
        self.inner.put_canned(reply).await
    }

    async fn delete_canned(&self, id: &crate::values::ids::FaqId) -> Result<(), StoreError> {
        self.inner.delete_canned(id).await
    }
}

#[async_trait]
impl SlaPolicies for CachedCatalog {
    async fn policies(&self) -> Result<Vec<SlaPolicy>, StoreError> {
        self.through(&self.policies, self.inner.policies()).await
    }

    async fn policy(&self, id: &str) -> Result<Option<SlaPolicy>, StoreError> {
        Ok(self.policies().await?.into_iter().find(|p| p.id == id))
    }

    async fn put_policy(&self, policy: &SlaPolicy) -> Result<(), StoreError> {
        Self::forget(&self.policies);
        self.inner.put_policy(policy).await
    }
}

#[async_trait]
impl CustomerTiers for CachedCatalog {
    async fn tier_rules(&self) -> Result<Vec<TierRule>, StoreError> {
        self.through(&self.tiers, self.inner.tier_rules()).await
    }

    async fn put_tier_rule(&self, rule: &TierRule) -> Result<(), StoreError> {
        let put = self.inner.put_tier_rule(rule).await;
        // After the write: a read meanwhile must not keep the old list.
        Self::forget(&self.tiers);
        put
    }

    async fn delete_tier_rule(&self, pattern: &SenderPattern) -> Result<bool, StoreError> {
        let deleted = self.inner.delete_tier_rule(pattern).await;
        Self::forget(&self.tiers);
        deleted
    }
}
