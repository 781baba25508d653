//! How the customer rated our help on a solved request: good or bad, with an
//! optional comment. One per ticket; the customer may change it for a while.

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub score: Score,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    /// When it was given or last changed.
    pub at: DateTime<Utc>,
    /// When it was first given: changes are taken until [`changeable_for`] after.
    pub first_at: DateTime<Utc>,
}

impl Rating {
    pub fn changeable_until(&self) -> DateTime<Utc> {
        self.first_at + changeable_for()
    }
}
