//! The backlog now: active tickets by status (live counters) and by age (read
//! from the active listings, oldest first).

use crate::ports::Queues;
use crate::ports::store::{Listing, QueueOrder, QueueQuery, StoreError};
use crate::tickets::ticket::Status;
use crate::values::ids::CategoryId;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Active tickets read per listing for the backlog's age; beyond it the age
/// bands say they are incomplete.
const AGE_SAMPLE: usize = 2000;

/// How long the active tickets have been waiting since they came in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgeBand {
    pub label: String,
    /// Tickets at least this many days old (and younger than the next band).
    pub from_days: i64,
    pub tickets: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Backlog {
    /// Active tickets now: new, open and waiting on the customer.
    pub tickets: i64,
    pub new: i64,
    pub open: i64,
    pub waiting: i64,
    pub ages: Vec<AgeBand>,
    pub oldest_created_at: Option<DateTime<Utc>>,
    /// False when a listing had more tickets than were read for the ages.
    pub ages_complete: bool,
}

pub(super) struct BacklogRead {
    pub(super) per_category: Vec<(CategoryId, i64)>,
    pub(super) backlog: Backlog,
}

pub(super) async fn read(
    tickets: &dyn Queues,
    categories: &[CategoryId],
    now: DateTime<Utc>,
) -> Result<BacklogRead, StoreError> {
    const ACTIVE: [Status; 3] = [Status::New, Status::Open, Status::WaitingOnCustomer];
    let mut per_category = Vec::new();
    let mut counts = [0i64; 3];
    for c in categories {
        let by_status = tickets.status_counts(c).await?;
        let mut active = 0;
        for (i, s) in ACTIVE.into_iter().enumerate() {
            counts[i] += by_status.get(s);
            active += by_status.get(s);
        }
        per_category.push((c.clone(), active));
    }
    let listings = categories.iter().flat_map(|c| {
        ACTIVE.map(|status| Listing::InStatus {
            category: c.clone(),
            status,
        })
    });
    let reads = listings.map(|listing| created_times(tickets, listing));
    let mut created = Vec::new();
    let mut complete = true;
    for (times, whole) in futures::future::try_join_all(reads).await? {
        created.extend(times);
        complete &= whole;
    }
    Ok(BacklogRead {
        per_category,
        backlog: Backlog {
            tickets: counts.iter().sum(),
            new: counts[0],
            open: counts[1],
            waiting: counts[2],
            ages: age_bands(&created, now),
            oldest_created_at: created.iter().min().copied(),
            ages_complete: complete,
        },
    })
}

/// Creation times of a listing's tickets, oldest first, up to [`AGE_SAMPLE`];
/// and whether that was all of them.
async fn created_times(
    tickets: &dyn Queues,
    listing: Listing,
) -> Result<(Vec<DateTime<Utc>>, bool), StoreError> {
    let mut times = Vec::new();
    let mut after = None;
    loop {
        let page = tickets
            .queue(QueueQuery {
                listing: listing.clone(),
                order: QueueOrder::OldestFirst,
                limit: 100,
                after,
            })
            .await?;
        after = page.items.last().and_then(|t| listing.position_of(t));
        times.extend(page.items.iter().map(|t| t.created_at));
        if !page.more || after.is_none() {
            return Ok((times, true));
        }
        if times.len() >= AGE_SAMPLE {
            return Ok((times, false));
        }
    }
}

/// Age bands by whole days since creation.
fn age_bands(created: &[DateTime<Utc>], now: DateTime<Utc>) -> Vec<AgeBand> {
    let bands: [(&str, i64); 5] = [
        ("under 1 day", 0),
        ("1–3 days", 1),
        ("3–7 days", 3),
        ("1–4 weeks", 7),
        ("over 4 weeks", 28),
    ];
    let mut out: Vec<AgeBand> = bands
        .iter()
        .map(|(label, from_days)| AgeBand {
            label: (*label).to_owned(),
            from_days: *from_days,
            tickets: 0,
        })
        .collect();
    for t in created {
        let age = (now - *t).num_days().max(0);
        if let Some(band) = out.iter_mut().rev().find(|b| age >= b.from_days) {
            band.tickets += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn ages_fall_in_one_band_each() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let ago = |h: i64| now - Duration::hours(h);
        let bands = age_bands(
            &[
                ago(1),
                ago(23),
                ago(24),
                ago(80),
                ago(24 * 10),
                ago(24 * 40),
            ],
            now,
        );
        let counts: Vec<i64> = bands.iter().map(|b| b.tickets).collect();
        assert_eq!(counts, [2, 1, 1, 1, 1]);
    }
}
