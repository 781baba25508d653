//! A probe of the channel self-test: where it went in, what became of it, and what
//! the admins see of each channel.

use crate::values::email::EmailAddress;
use crate::values::ids::CategoryId;
use crate::values::token::TokenHash;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The header a probe mail carries its secret in.
pub const PROBE_HEADER: &str = "X-Helpdesk-Probe";

/// Where a probe goes in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Channel {
    /// A mail to one of our addresses.
    Mail { address: EmailAddress },
    /// A submission through the public API.
    Web,
}

impl Channel {
    pub fn label(&self) -> String {
        match self {
            Channel::Mail { address } => format!("mail {}", address.as_str()),
            Channel::Web => "web form".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ProbeOutcome {
    Pending,
    /// Came through, routed to `category`.
    Arrived {
        at: DateTime<Utc>,
        category: Option<CategoryId>,
    },
    /// Not there by the deadline (or could not even be sent).
    Missed {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    /// The secret's hash: only the probe itself carries the secret.
    pub hash: TokenHash,
    pub channel: Channel,
    pub sent_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub outcome: ProbeOutcome,
}

/// Each channel's latest probe, for the admins' view.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelStatus {
    pub channel: String,
    pub sent_at: DateTime<Utc>,
    /// pending, arrived or missed.
    pub state: String,
    /// Seconds from sending to arrival.
    pub took_seconds: Option<i64>,
    pub category: Option<String>,
    pub reason: Option<String>,
    /// When this channel last failed, if any probe still on record did.
    pub last_missed_at: Option<DateTime<Utc>>,
}

pub fn channel_statuses(probes: &[Probe]) -> Vec<ChannelStatus> {
    let mut labels: Vec<String> = probes.iter().map(|p| p.channel.label()).collect();
    labels.sort();
    labels.dedup();
    labels
        .into_iter()
        .filter_map(|label| {
            let of: Vec<&Probe> = probes
                .iter()
                .filter(|p| p.channel.label() == label)
                .collect();
            let latest = of.iter().max_by_key(|p| p.sent_at)?;
            let last_missed_at = of
                .iter()
                .filter(|p| matches!(p.outcome, ProbeOutcome::Missed { .. }))
                .map(|p| p.sent_at)
                .max();
            let (state, took, category, reason) = match &latest.outcome {
                ProbeOutcome::Pending => ("pending", None, None, None),
                ProbeOutcome::Arrived { at, category } => (
                    "arrived",
                    // Never negative, even when a test ran the schedule ahead of the clock.
                    Some((*at - latest.sent_at).num_seconds().max(0)),
                    category.as_ref().map(ToString::to_string),
                    None,
                ),
                ProbeOutcome::Missed { reason } => ("missed", None, None, Some(reason.clone())),
            };
            Some(ChannelStatus {
                channel: label,
                sent_at: latest.sent_at,
                state: state.into(),
                took_seconds: took,
                category,
                reason,
                last_missed_at,
            })
        })
        .collect()
}
