//! Tracking links' secrets and rate limits (`TrackingTokens`, `RateLimits`).

use super::InMemoryStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use helpdesk_domain::TicketRef;
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::ports::store::{RateLimitClaim, TrackingToken};
use helpdesk_domain::ports::{RateLimits, TrackingTokens};
use helpdesk_domain::values::token::TokenHash;

#[async_trait]
impl TrackingTokens for InMemoryStore {
    async fn add_tracking_token(
        &self,
        ticket: &TicketRef,
        token: TrackingToken,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        if !s.tickets.contains_key(ticket) {
            return Err(StoreError::NotFound);
        }
        s.tokens.entry(ticket.clone()).or_default().push(token);
        Ok(())
    }

    async fn tracking_token(
        &self,
        ticket: &TicketRef,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<TrackingToken>, StoreError> {
        Ok(self.state().tokens.get(ticket).and_then(|tokens| {
            tokens
                .iter()
                .filter(|t| &t.hash == hash && t.expires_at > now)
                .max_by_key(|t| t.expires_at)
                .cloned()
        }))
    }
}

#[async_trait]
impl RateLimits for InMemoryStore {
    async fn hit_rate_limits(
        &self,
        claims: &[RateLimitClaim],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        if let Some(full) = claims
            .iter()
            .find(|c| s.rate_hits.get(&c.key).copied().unwrap_or(0) >= c.limit)
        {
            return Err(StoreError::RateLimited {
                retry_after_secs: full.retry_after_secs(now),
            });
        }
        for c in claims {
            *s.rate_hits.entry(c.key.clone()).or_insert(0) += 1;
        }
        Ok(())
    }
}
