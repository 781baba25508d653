//! Health checks answered from a short-lived copy: a public health route must not
//! turn every request into calls to each table, queue and bucket.

use crate::ports::{Clock, ComponentHealth, HealthProbe};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};

/// Asks `inner` at most once per `ttl`; callers in between get the last answer.
pub struct CachedHealth {
    inner: Arc<dyn HealthProbe>,
    clock: Arc<dyn Clock>,
    ttl: Duration,
    last: Mutex<Option<(DateTime<Utc>, Vec<ComponentHealth>)>>,
}

impl CachedHealth {
    pub fn new(inner: Arc<dyn HealthProbe>, clock: Arc<dyn Clock>, ttl: Duration) -> Self {
        Self {
            inner,
            clock,
            ttl,
            last: Mutex::new(None),
        }
    }

    fn fresh(&self, now: DateTime<Utc>) -> Option<Vec<ComponentHealth>> {
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        match &*last {
            Some((at, found)) if now < *at + self.ttl && now >= *at => Some(found.clone()),
            _ => None,
        }
    }
}

#[async_trait]
impl HealthProbe for CachedHealth {
    async fn check(&self) -> Vec<ComponentHealth> {
        let now = self.clock.now();
        if let Some(found) = self.fresh(now) {
            return found;
        }
        let found = self.inner.check().await;
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some((now, found.clone()));
        found
    }
}

/// Mail waiting longer than this to be sent is stuck: the schedule's sweep puts
/// lost mail back on the queue within 15 minutes (10 minutes' grace, then the next
/// 5-minute run), and a send takes seconds.
pub const STUCK_AFTER_MINUTES: i64 = 30;

/// The outbox items still unsent [`STUCK_AFTER_MINUTES`] after they were queued
/// (or last put back on the queue): mail a customer is waiting for that nothing
/// moves. Healthy when there is none.
pub async fn stuck_outbox(
    outbox: &dyn crate::ports::Outbox,
    now: DateTime<Utc>,
) -> ComponentHealth {
    let since = now - Duration::minutes(STUCK_AFTER_MINUTES);
    let (ok, detail) = match outbox.unsent_outbox(since, 100).await {
        Ok(stuck) if stuck.is_empty() => (true, "nothing waiting".to_owned()),
        Ok(stuck) => (
            false,
            format!(
                "{}{} mail waiting over {STUCK_AFTER_MINUTES} minutes to be sent",
                stuck.len(),
                if stuck.len() >= 100 { "+" } else { "" }
            ),
        ),
        Err(e) => (false, e.to_string()),
    };
    ComponentHealth {
        name: "outbox".into(),
        ok,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    struct Counting(AtomicU32);

    #[async_trait]
    impl HealthProbe for Counting {
        async fn check(&self) -> Vec<ComponentHealth> {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            vec![ComponentHealth {
                name: "table".into(),
                ok: true,
                detail: format!("check {n}"),
            }]
        }
    }

    struct At(Mutex<DateTime<Utc>>);

    impl Clock for At {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap()
        }
    }

    #[tokio::test]
    async fn asks_once_per_period_and_again_after_it() {
        let start = DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let inner = Arc::new(Counting(AtomicU32::new(0)));
        let clock = Arc::new(At(Mutex::new(start)));
        let cached = CachedHealth::new(inner.clone(), clock.clone(), Duration::seconds(30));
        for _ in 0..5 {
            assert_eq!(cached.check().await[0].detail, "check 1");
        }
        *clock.0.lock().unwrap() = start + Duration::seconds(29);
        assert_eq!(cached.check().await[0].detail, "check 1");
        *clock.0.lock().unwrap() = start + Duration::seconds(30);
        assert_eq!(cached.check().await[0].detail, "check 2");
        // A clock that steps back does not keep an old answer forever.
        *clock.0.lock().unwrap() = start;
        assert_eq!(cached.check().await[0].detail, "check 3");
        assert_eq!(inner.0.load(Ordering::SeqCst), 3);
    }
}
