//! The sender rules as inbound mail reads them: every rule is loaded at once and
//! kept for a short while in the function's memory, so a warm function checks a
//! mail's sender without a store call (a new rule holds within that while).

use super::quarantine::{SenderPattern, SenderRule};
use crate::ports::store::StoreError;
use crate::ports::{Clock, SenderRules};
use crate::values::email::EmailAddress;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Every rule by its text, and when it was loaded.
type Loaded = (DateTime<Utc>, Arc<HashMap<String, SenderRule>>);

pub struct CachedSenderRules {
    inner: Arc<dyn SenderRules>,
    clock: Arc<dyn Clock>,
    ttl: Duration,
    rules: Mutex<Option<Loaded>>,
}

impl CachedSenderRules {
    pub fn new(inner: Arc<dyn SenderRules>, clock: Arc<dyn Clock>, ttl: Duration) -> Self {
        Self {
            inner,
            clock,
            ttl,
            rules: Mutex::new(None),
        }
    }

    /// The rule for mail from `from`: its address's, else its domain's.
    pub async fn rule_for(&self, from: &EmailAddress) -> Result<Option<SenderRule>, StoreError> {
        let now = self.clock.now();
        let cached = self
            .rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .filter(|(at, _)| now - *at < self.ttl)
            .map(|(_, rules)| rules);
        let rules = match cached {
            Some(rules) => rules,
            None => {
                let loaded: HashMap<String, SenderRule> = self
                    .inner
                    .sender_rules()
                    .await?
                    .into_iter()
                    .map(|r| (r.pattern.text(), r))
                    .collect();
                let loaded = Arc::new(loaded);
                *self.rules.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some((now, loaded.clone()));
                loaded
            }
        };
        Ok(SenderPattern::candidates(from)
            .iter()
            .find_map(|p| rules.get(&p.text()).cloned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::inbound::quarantine::SenderVerdict;
    use crate::values::ids::AgentId;
    use async_trait::async_trait;
    use std::sync::atomic::{AtomicU32, Ordering};

    struct Counting {
        rules: Vec<SenderRule>,
        loads: AtomicU32,
    }

    #[async_trait]
    impl SenderRules for Counting {
        async fn sender_rule(&self, _: &EmailAddress) -> Result<Option<SenderRule>, StoreError> {
            Err(StoreError::Unavailable("the cache reads the list".into()))
        }
        async fn sender_rules(&self) -> Result<Vec<SenderRule>, StoreError> {
            self.loads.fetch_add(1, Ordering::SeqCst);
            Ok(self.rules.clone())
        }
        async fn put_sender_rule(&self, _: &SenderRule) -> Result<(), StoreError> {
            Ok(())
        }
        async fn delete_sender_rule(&self, _: &SenderPattern) -> Result<bool, StoreError> {
            Ok(false)
        }
    }

    struct At(Mutex<DateTime<Utc>>);
    impl Clock for At {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }
    }

    #[tokio::test]
    async fn one_load_serves_every_mail_until_the_ttl_and_the_address_wins() {
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let rule = |text: &str, verdict| SenderRule {
            pattern: SenderPattern::parse(text)
                .unwrap_or(SenderPattern::Domain("x.example".into())),
            verdict,
            by: AgentId::parse("sue").unwrap_or_else(|_| unreachable!()),
            at: t0,
        };
        let store = Arc::new(Counting {
            rules: vec![
                rule("@shop.example", SenderVerdict::Block),
                rule("jane@shop.example", SenderVerdict::Allow),
            ],
            loads: AtomicU32::new(0),
        });
        let clock = Arc::new(At(Mutex::new(t0)));
        let cache = CachedSenderRules::new(store.clone(), clock.clone(), Duration::seconds(60));
        let verdict = |a: &str| {
            let a = EmailAddress::parse(a).unwrap_or_else(|_| unreachable!());
            let cache = &cache;
            async move { cache.rule_for(&a).await.ok().flatten().map(|r| r.verdict) }
        };
        assert_eq!(
            verdict("Jane+x@shop.example").await,
            Some(SenderVerdict::Allow)
        );
        assert_eq!(
            verdict("bob@shop.example").await,
            Some(SenderVerdict::Block)
        );
        assert_eq!(verdict("bob@other.example").await, None);
        assert_eq!(store.loads.load(Ordering::SeqCst), 1);
        *clock.0.lock().unwrap_or_else(PoisonError::into_inner) = t0 + Duration::seconds(60);
        assert_eq!(
            verdict("bob@shop.example").await,
            Some(SenderVerdict::Block)
        );
        assert_eq!(
            store.loads.load(Ordering::SeqCst),
            2,
            "loaded again after the TTL"
        );
    }
}
