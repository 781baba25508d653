//! The catalog cache (`catalog::cache`) under concurrent callers.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use helpdesk_domain::Category;
use helpdesk_domain::agents::canned::CannedReply;
use helpdesk_domain::agents::profile::Agent;
use helpdesk_domain::catalog::cache::CachedCatalog;
use helpdesk_domain::catalog::faq::{FaqEntry, FaqReadCount, FaqSearch, FaqSearchCount};
use helpdesk_domain::customers::tier_rule::TierRule;
use helpdesk_domain::mail::inbound::quarantine::SenderPattern;
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::ports::{
    AgentProfiles, CannedReplies, Categories, CustomerTiers, FaqEntries, FaqStats, SlaPolicies,
};
use helpdesk_domain::sla::policy::SlaPolicy;
use helpdesk_domain::values::ids::{AgentId, CategoryId, FaqId};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use testkit::{FixedClock, InMemoryStore};

/// The in-memory store, counting the list reads the cache keeps, each taking a
/// moment (as a network call does) so callers overlap.
#[derive(Default)]
struct Counting {
    store: InMemoryStore,
    lists: AtomicUsize,
}

impl Counting {
    async fn list<T>(&self, read: impl std::future::Future<Output = T>) -> T {
        self.lists.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        read.await
    }
}

#[async_trait]
impl Categories for Counting {
    async fn categories(&self) -> Result<Vec<Category>, StoreError> {
        self.list(self.store.categories()).await
    }
    async fn category(&self, id: &CategoryId) -> Result<Option<Category>, StoreError> {
        self.store.category(id).await
    }
    async fn put_category(&self, c: &Category) -> Result<(), StoreError> {
        self.store.put_category(c).await
    }
}

#[async_trait]
impl AgentProfiles for Counting {
    async fn agents(&self) -> Result<Vec<Agent>, StoreError> {
        self.list(self.store.agents()).await
    }
    async fn agent(&self, id: &AgentId) -> Result<Option<Agent>, StoreError> {
        self.store.agent(id).await
    }
    async fn put_agent(&self, a: &Agent) -> Result<(), StoreError> {
        self.store.put_agent(a).await
    }
    async fn set_signoff(
        &self,
        id: &AgentId,
        d: Option<String>,
        s: Option<String>,
    ) -> Result<Option<Agent>, StoreError> {
        self.store.set_signoff(id, d, s).await
    }
    async fn set_alert_choices(
        &self,
        id: &AgentId,
        c: &helpdesk_domain::agents::alert_mail::AlertChoices,
    ) -> Result<Option<Agent>, StoreError> {
        self.store.set_alert_choices(id, c).await
    }
}

#[async_trait]
impl FaqEntries for Counting {
    async fn faq(&self, c: &CategoryId) -> Result<Vec<FaqEntry>, StoreError> {
        self.list(self.store.faq(c)).await
    }
    async fn put_faq(&self, e: &FaqEntry) -> Result<(), StoreError> {
        self.store.put_faq(e).await
    }
    async fn delete_faq(&self, c: &CategoryId, id: &FaqId) -> Result<bool, StoreError> {
        self.store.delete_faq(c, id).await
    }
}

#[async_trait]
impl FaqStats for Counting {
    async fn log_faq_search(&self, s: &FaqSearch, cap: u32) -> Result<bool, StoreError> {
        self.store.log_faq_search(s, cap).await
    }
    async fn faq_search_log(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FaqSearchCount>, StoreError> {
        self.store.faq_search_log(from, to).await
    }
    async fn count_faq_reads(
        &self,
        e: &[(CategoryId, FaqId)],
        then: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.store.count_faq_reads(e, then, at).await
    }
    async fn faq_read_log(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FaqReadCount>, StoreError> {
        self.store.faq_read_log(from, to).await
    }
    async fn count_faq_vote(
        &self,
        c: &CategoryId,
        e: &FaqId,
        helpful: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.store.count_faq_vote(c, e, helpful, at).await
    }
}

#[async_trait]
impl CannedReplies for Counting {
    async fn canned_replies(&self) -> Result<Vec<CannedReply>, StoreError> {
        self.store.canned_replies().await
    }
    async fn put_canned(&self, r: &CannedReply) -> Result<(), StoreError> {
        self.store.put_canned(r).await
    }
    async fn delete_canned(&self, id: &FaqId) -> Result<(), StoreError> {
        self.store.delete_canned(id).await
    }
}

#[async_trait]
impl SlaPolicies for Counting {
    async fn policies(&self) -> Result<Vec<SlaPolicy>, StoreError> {
        self.list(self.store.policies()).await
    }
    async fn policy(&self, id: &str) -> Result<Option<SlaPolicy>, StoreError> {
        self.store.policy(id).await
    }
    async fn put_policy(&self, p: &SlaPolicy) -> Result<(), StoreError> {
        self.store.put_policy(p).await
    }
}

#[async_trait]
impl CustomerTiers for Counting {
    async fn tier_rules(&self) -> Result<Vec<TierRule>, StoreError> {
        self.list(self.store.tier_rules()).await
    }
    async fn put_tier_rule(&self, r: &TierRule) -> Result<(), StoreError> {
        self.store.put_tier_rule(r).await
    }
    async fn delete_tier_rule(&self, p: &SenderPattern) -> Result<bool, StoreError> {
        self.store.delete_tier_rule(p).await
    }
}

#[tokio::test]
async fn callers_that_find_the_cache_cold_at_once_share_one_read_of_each_list() {
    let counting = Arc::new(Counting::default());
    counting
        .put_category(&testkit::fixtures::category("billing", 1))
        .await
        .unwrap();
    let clock = Arc::new(FixedClock::monday_morning());
    let cache = Arc::new(CachedCatalog::new(
        counting.clone(),
        clock.clone(),
        chrono::Duration::seconds(60),
    ));
    // Sixteen visits of one SLA run, each reading the categories, the policies
    // and the agents of a cold function.
    let visits = (0..16).map(|_| {
        let cache = cache.clone();
        async move {
            let categories = cache.categories().await.unwrap();
            cache.policies().await.unwrap();
            cache.agents().await.unwrap();
            categories.len()
        }
    });
    let seen = futures::future::join_all(visits).await;
    assert!(seen.iter().all(|n| *n == 1), "{seen:?}");
    assert_eq!(
        counting.lists.load(Ordering::SeqCst),
        3,
        "one read per list"
    );
    // Once the cache is old, the next caller reads again, once.
    clock.advance(chrono::Duration::seconds(61));
    cache.categories().await.unwrap();
    cache.categories().await.unwrap();
    assert_eq!(counting.lists.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn an_answer_published_a_moment_ago_is_found_fresh_at_most_once_every_few_seconds() {
    let counting = Arc::new(Counting::default());
    let clock = Arc::new(FixedClock::monday_morning());
    let cache = CachedCatalog::new(
        counting.clone(),
        clock.clone(),
        chrono::Duration::seconds(60),
    );
    let billing = testkit::fixtures::category_id("billing");
    assert!(cache.faq(&billing).await.unwrap().is_empty());
    // Published by another function: this one's list is still the old one.
    counting
        .put_faq(&testkit::fixtures::faq("refund-time", "billing", 1))
        .await
        .unwrap();
    assert!(cache.faq(&billing).await.unwrap().is_empty());
    assert_eq!(cache.faq_fresh(&billing).await.unwrap().len(), 1);
    assert_eq!(cache.faq(&billing).await.unwrap().len(), 1, "kept");
    // Another unknown answer at once: no second store read within 5 s.
    let reads = counting.lists.load(Ordering::SeqCst);
    counting
        .put_faq(&testkit::fixtures::faq("double-charge", "billing", 2))
        .await
        .unwrap();
    assert_eq!(cache.faq_fresh(&billing).await.unwrap().len(), 1);
    clock.advance(chrono::Duration::seconds(5));
    assert_eq!(cache.faq_fresh(&billing).await.unwrap().len(), 2);
    assert_eq!(
        counting.lists.load(Ordering::SeqCst),
        reads + 1,
        "one fresh read in those 5 s"
    );
}
