//! Tickets by tag: for each tag in use, how many tickets of the chosen
//! categories opened in the period carry it, and how many of those are still
//! active. Counted by the word index (a count query per figure, no ticket
//! read), so it trails changes by the index's few seconds.

use super::Period;
use crate::ports::WordIndex;
use crate::ports::store::StoreError;
use crate::search::{Filters, TimeRange, WordQuery};
use crate::tickets::ticket::Status;
use crate::values::ids::CategoryId;
use crate::values::tag::Tag;
use serde::Serialize;

/// Tags reported at most (the most used first would need a count of each
/// anyway; past this the rest are left out and the report says so).
pub const MAX_TAGS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TagRow {
    pub tag: String,
    /// Opened in the period and carrying the tag.
    pub opened: u64,
    /// Of those, not solved or closed yet.
    pub active: u64,
}

/// The rows, the most used first (tags on no ticket of the period left out).
pub async fn tag_rows<I>(
    index: &I,
    tags: &[Tag],
    categories: &[CategoryId],
    period: Period,
) -> Result<Vec<TagRow>, StoreError>
where
    I: WordIndex + ?Sized,
{
    let created = TimeRange {
        from: period.from.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
        to: period
            .to
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc()),
    };
    let mut rows = Vec::new();
    for tag in tags.iter().take(MAX_TAGS) {
        let query = |status: Option<Status>| WordQuery {
            filters: Filters {
                tag: Some(tag.clone()),
                status,
                created,
                ..Filters::default()
            },
            ..WordQuery::default()
        };
        let opened = index.count(&query(None), Some(categories)).await?;
        if opened == 0 {
            continue;
        }
        let mut active = 0;
        for status in [Status::New, Status::Open, Status::WaitingOnCustomer] {
            active += index.count(&query(Some(status)), Some(categories)).await?;
        }
        rows.push(TagRow {
            tag: tag.to_string(),
            opened,
            active,
        });
    }
    rows.sort_by(|a, b| b.opened.cmp(&a.opened).then_with(|| a.tag.cmp(&b.tag)));
    Ok(rows)
}
