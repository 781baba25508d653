//! What a write claims besides its own item: an idempotency key, a rate-limit hit,
//! a tracking link's secret. Plain values, so the shapes that carry them (new
//! tickets, outbox claims) need nothing else from the ports.

use crate::values::token::TokenHash;
use chrono::{DateTime, Duration, Utc};

/// A request's claim on an idempotency key: the first claim wins, a repeat with
/// the same fingerprint replays, a repeat with another fingerprint is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyClaim {
    /// Already scoped by the caller (e.g. `ticket:<client key>`).
    pub key: String,
    /// A hash of the request body.
    pub fingerprint: String,
    pub expires_at: DateTime<Utc>,
}

/// A tracking link's secret, as stored: only its hash, with an expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingToken {
    pub hash: TokenHash,
    pub expires_at: DateTime<Utc>,
    /// Minted for a mail to the requester's address (not handed to whoever filled
    /// in the form): opening it proves the address is theirs.
    pub mailed: bool,
}

/// One hit on a fixed-window rate limit, counted in the same write as what it
/// limits. The write is refused when the window already holds `limit` hits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitClaim {
    /// `<subject>#<window start>`, e.g. `submit-ip:203.0.113.7#1795348800`.
    pub key: String,
    pub limit: u32,
    pub window_ends: DateTime<Utc>,
}

impl RateLimitClaim {
    /// The claim for `subject` in the fixed window of `window` that holds `now`.
    pub fn fixed_window(subject: &str, limit: u32, window: Duration, now: DateTime<Utc>) -> Self {
        let size = window.num_seconds().max(1);
        let start = now.timestamp().div_euclid(size) * size;
        let window_ends = DateTime::from_timestamp(start + size, 0).unwrap_or(now + window);
        Self {
            key: format!("{subject}#{start}"),
            limit,
            window_ends,
        }
    }

    pub fn retry_after_secs(&self, now: DateTime<Utc>) -> u64 {
        (self.window_ends - now).num_seconds().max(1) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn fixed_windows_align_and_say_when_they_end() {
        let now = Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 17, 30)
            .single()
            .unwrap();
        let claim = RateLimitClaim::fixed_window("ip:1.2.3.4", 5, Duration::hours(1), now);
        assert_eq!(
            claim.window_ends,
            Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).single().unwrap()
        );
        assert_eq!(claim.retry_after_secs(now), 42 * 60 + 30);
        let later = RateLimitClaim::fixed_window(
            "ip:1.2.3.4",
            5,
            Duration::hours(1),
            now + Duration::minutes(45),
        );
        assert_ne!(claim.key, later.key);
    }
}
