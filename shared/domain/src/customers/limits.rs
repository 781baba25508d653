//! How much the public API takes from one visitor, one address and one link:
//! enough for people, too little for abuse.

use crate::catalog::help_center::FaqLimits;
use chrono::Duration;

/// Limits that keep the public form usable for people and useless for abuse.
#[derive(Debug, Clone)]
pub struct IntakePolicy {
    /// Faster than this is a bot (silently accepted, nothing stored).
    pub min_fill: Duration,
    pub per_ip: (u32, Duration),
    pub per_email: (u32, Duration),
    pub token_ttl: Duration,
    pub idempotency_ttl: Duration,
    /// "Lost your link?" requests.
    pub links_per_ip: (u32, Duration),
    pub links_per_email: (u32, Duration),
    /// Presigned uploads handed out.
    pub uploads_per_ip: (u32, Duration),
    /// FAQ searches and reads.
    pub faq: FaqLimits,
    /// Customers' replies through the tracking page.
    pub replies: ReplyLimits,
}

impl Default for IntakePolicy {
    fn default() -> Self {
        Self {
            min_fill: Duration::seconds(3),
            per_ip: (20, Duration::hours(1)),
            per_email: (5, Duration::hours(1)),
            token_ttl: Duration::days(90),
            idempotency_ttl: Duration::hours(24),
            links_per_ip: (10, Duration::hours(1)),
            links_per_email: (3, Duration::hours(1)),
            uploads_per_ip: (60, Duration::hours(1)),
            faq: Default::default(),
            replies: Default::default(),
        }
    }
}

/// How many replies the tracking page takes, per ticket and per link: enough for
/// a conversation, too few for a script.
#[derive(Debug, Clone)]
pub struct ReplyLimits {
    pub per_ticket: (u32, Duration),
    pub per_link: (u32, Duration),
}

impl Default for ReplyLimits {
    fn default() -> Self {
        Self {
            per_ticket: (30, Duration::hours(1)),
            per_link: (20, Duration::hours(1)),
        }
    }
}
