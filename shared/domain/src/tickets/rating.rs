//! How the customer rated our help on a solved request: good or bad, with an
//! optional comment. One per ticket; the customer may change it for a while.

use crate::values::ids::{AgentId, CategoryId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Score {
    Good,
    Bad,
}

impl Score {
    pub fn parse(input: &str) -> Result<Score, String> {
        match input {
            "good" => Ok(Score::Good),
            "bad" => Ok(Score::Bad),
            _ => Err("must be good or bad".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Score::Good => "good",
            Score::Bad => "bad",
        }
    }
}

/// Longest comment kept with a rating.
pub const MAX_COMMENT_CHARS: usize = 1_000;

/// How long after the first rating the customer may change it.
pub fn changeable_for() -> Duration {
    Duration::days(7)
}

/// How many times a rating may be changed after it was given.
pub const MAX_CHANGES: u8 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub score: Score,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    /// When it was given or last changed.
    pub at: DateTime<Utc>,
    /// When it was first given: changes are taken until [`changeable_for`] after.
    pub first_at: DateTime<Utc>,
    /// Where it is counted: the category, assignee and tier the ticket had when
    /// it was given (or last changed), so a later change takes it back from
    /// exactly there, whatever the ticket became meanwhile.
    pub category: CategoryId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<AgentId>,
    #[serde(default)]
    pub premium: bool,
    /// How many times it was changed.
    #[serde(default)]
    pub changes: u8,
}

impl Rating {
    pub fn changeable_until(&self) -> DateTime<Utc> {
        self.first_at + changeable_for()
    }

    /// May the customer still change it at `now`?
    pub fn changeable(&self, now: DateTime<Utc>) -> bool {
        now < self.changeable_until() && self.changes < MAX_CHANGES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rating_changes_for_a_week_from_the_first_time_and_at_most_five_times() {
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let mut r = Rating {
            score: Score::Good,
            comment: String::new(),
            at: t0 + Duration::days(6),
            first_at: t0,
            category: CategoryId::parse("billing").unwrap_or_else(|_| unreachable!()),
            assignee: None,
            premium: false,
            changes: 4,
        };
        assert!(r.changeable(t0 + Duration::days(6)));
        assert!(
            !r.changeable(t0 + Duration::days(7)),
            "a week from the first"
        );
        r.changes = MAX_CHANGES;
        assert!(
            !r.changeable(t0 + Duration::days(1)),
            "five changes at most"
        );
    }
}
