//! The reports supervisors and admins read: what was opened, solved and closed per
//! day, by category and by agent; response and resolution times; SLA compliance;
//! the backlog and its age; what the help center's visitors searched in vain.
//! Everything but the backlog's age comes from counters written with the changes,
//! so a year costs one query per category and agent.

pub mod figures;

use crate::catalog::Agent;
use crate::category::{Category, FieldError};
use crate::faq::FaqSearchCount;
use crate::ids::CategoryId;
use crate::ports::{CatalogStore, TicketStore};
use crate::store::{Listing, QueueOrder, QueueQuery, StoreError};
use crate::ticket::Status;
use chrono::{DateTime, Duration, NaiveDate, Utc};
pub use figures::{DayFigures, Figure, Measure, ReportScope, TimeSummary};
use serde::Serialize;

/// The longest period one report covers.
pub const MAX_DAYS: i64 = 366;
/// Days shown when no period is asked for.
pub const DEFAULT_DAYS: i64 = 30;
/// Active tickets read per listing for the backlog's age; beyond it the age
/// bands say they are incomplete.
const AGE_SAMPLE: usize = 2000;
/// Queries shown in each FAQ list.
const TOP_QUERIES: usize = 20;

/// Inclusive UTC days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// From the request's `from` and `to` (YYYY-MM-DD); the last 30 days by default.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<Period, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut day = |name: &str, raw: Option<&str>| {
            let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
            match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::new(name, "is not a date (YYYY-MM-DD)"));
                    None
                }
            }
        };
        let (from, to) = (day("from", from), day("to", to));
        if !errors.is_empty() {
            return Err(errors);
        }
        let to = to.unwrap_or(today);
        let from = from.unwrap_or(to - Duration::days(DEFAULT_DAYS - 1));
        if from > to {
            return Err(vec![FieldError::new("from", "is after to")]);
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(vec![FieldError::new(
                "from",
                format!("makes the period longer than {MAX_DAYS} days"),
            )]);
        }
        Ok(Period { from, to })
    }

    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let (from, to) = (self.from, self.to);
        from.iter_days().take_while(move |d| *d <= to)
    }
}

/// What happened in a scope over some days.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    pub opened: i64,
    pub solved: i64,
    pub closed: i64,
    pub reopened: i64,
    /// Promises (first and next answers, solutions) kept and broken.
    pub met: i64,
    pub missed: i64,
    /// met ÷ (met + missed); None when nothing fell due.
    pub compliance: Option<f64>,
    pub first_response: TimeSummary,
    pub resolution: TimeSummary,
}

impl Totals {
    pub fn of(f: &DayFigures) -> Totals {
        Totals {
            opened: f.get(Figure::Opened),
            solved: f.get(Figure::Solved),
            closed: f.get(Figure::Closed),
            reopened: f.get(Figure::Reopened),
            met: f.get(Figure::Met),
            missed: f.get(Figure::Missed),
            compliance: f.compliance(),
            first_response: f.histogram(Measure::FirstResponse).summary(),
            resolution: f.histogram(Measure::Resolution).summary(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayRow {
    pub day: NaiveDate,
    pub totals: Totals,
}

/// A category's or an agent's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScopeRow {
    pub id: String,
    pub name: String,
    pub totals: Totals,
    /// Active tickets now (categories only).
    pub backlog: Option<i64>,
    /// The days with anything in them, for the CSV export (not in the JSON: a
    /// year of them per scope is too much for a page).
    #[serde(skip)]
    pub days: Vec<DayRow>,
}

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

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueryCount {
    pub query: String,
    /// None: searched across all categories.
    pub category: Option<String>,
    pub searches: u32,
    pub zero_results: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaqReport {
    pub searches: u32,
    pub zero_results: u32,
    /// Most often searched without an answer.
    pub unanswered: Vec<QueryCount>,
    /// Most often searched.
    pub top: Vec<QueryCount>,
    /// The answers whose readers most often left without writing to us.
    pub ended_without_ticket: Vec<AnswerRead>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerRead {
    pub category: String,
    pub entry: String,
    pub question: String,
    /// Visits that opened it.
    pub opened: u32,
    /// Of those, visits that still sent a request.
    pub then_ticket: u32,
    pub without_ticket: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub period: Period,
    pub generated_at: DateTime<Utc>,
    pub totals: Totals,
    /// Every day of the period, all chosen categories together.
    pub days: Vec<DayRow>,
    pub categories: Vec<ScopeRow>,
    pub agents: Vec<ScopeRow>,
    pub backlog: Backlog,
    pub faq: FaqReport,
    /// The channel self-test: each channel's latest probe.
    pub channels: Vec<crate::selftest::ChannelStatus>,
}

/// Builds a report over `categories` (all when empty): the agents shown are those
/// covering any of them, with their figures across all their tickets.
pub struct Reports<'a> {
    pub tickets: &'a dyn TicketStore,
    pub catalog: &'a dyn CatalogStore,
}

impl Reports<'_> {
    pub async fn build(
        &self,
        period: Period,
        chosen: &[Category],
        agents: &[Agent],
        now: DateTime<Utc>,
    ) -> Result<Report, StoreError> {
        let mut categories = Vec::new();
        let mut by_day: std::collections::BTreeMap<NaiveDate, DayFigures> =
            period.days().map(|d| (d, DayFigures::default())).collect();
        let mut all = DayFigures::default();
        for c in chosen {
            let scope = ReportScope::Category(c.id.clone());
            let days = self
                .tickets
                .report_days(&scope, period.from, period.to)
                .await?;
            for (day, f) in &days {
                by_day.entry(*day).or_default().add(f);
                all.add(f);
            }
            categories.push(scope_row(c.id.to_string(), c.name.clone(), days));
        }
        let mut agent_rows = Vec::new();
        for a in agents {
            let scope = ReportScope::Agent(a.id.clone());
            let days = self
                .tickets
                .report_days(&scope, period.from, period.to)
                .await?;
            agent_rows.push(scope_row(a.id.to_string(), a.name.clone(), days));
        }
        let ids: Vec<CategoryId> = chosen.iter().map(|c| c.id.clone()).collect();
        let backlog = self.backlog(&ids, now).await?;
        for row in &mut categories {
            row.backlog = backlog
                .per_category
                .iter()
                .find(|(id, _)| id.as_str() == row.id)
                .map(|(_, n)| *n);
        }
        let mut faq = faq_report(
            self.catalog.faq_search_log(period.from, period.to).await?,
            &ids,
        );
        faq.ended_without_ticket = self.answers_read(period, &ids).await?;
        Ok(Report {
            period,
            generated_at: now,
            totals: Totals::of(&all),
            days: by_day
                .into_iter()
                .map(|(day, f)| DayRow {
                    day,
                    totals: Totals::of(&f),
                })
                .collect(),
            categories,
            agents: agent_rows,
            backlog: backlog.backlog,
            faq,
            channels: crate::selftest::channel_statuses(&self.tickets.probes().await?),
        })
    }

    /// The chosen categories' answers by visits that ended without a request.
    async fn answers_read(
        &self,
        period: Period,
        categories: &[CategoryId],
    ) -> Result<Vec<AnswerRead>, StoreError> {
        let mut out = Vec::new();
        let reads = self.catalog.faq_read_log(period.from, period.to).await?;
        for c in categories {
            let entries = self.catalog.faq(c).await?;
            for r in reads.iter().filter(|r| &r.category == c) {
                let question = entries.iter().find(|e| e.id == r.entry).map_or_else(
                    || format!("(removed: {})", r.entry.as_str()),
                    |e| e.question.clone(),
                );
                out.push(AnswerRead {
                    category: c.to_string(),
                    entry: r.entry.as_str().to_owned(),
                    question,
                    opened: r.opened,
                    then_ticket: r.then_ticket,
                    without_ticket: r.without_ticket(),
                });
            }
        }
        out.sort_by(|a, b| {
            b.without_ticket
                .cmp(&a.without_ticket)
                .then_with(|| b.opened.cmp(&a.opened))
        });
        out.truncate(TOP_QUERIES);
        Ok(out)
    }

    async fn backlog(
        &self,
        categories: &[CategoryId],
        now: DateTime<Utc>,
    ) -> Result<BacklogRead, StoreError> {
        const ACTIVE: [Status; 3] = [Status::New, Status::Open, Status::WaitingOnCustomer];
        let mut per_category = Vec::new();
        let mut counts = [0i64; 3];
        for c in categories {
            let by_status = self.tickets.status_counts(c).await?;
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
        let reads = listings.map(|listing| self.created_times(listing));
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
        &self,
        listing: Listing,
    ) -> Result<(Vec<DateTime<Utc>>, bool), StoreError> {
        let mut times = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .tickets
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
}

struct BacklogRead {
    per_category: Vec<(CategoryId, i64)>,
    backlog: Backlog,
}

fn scope_row(id: String, name: String, days: Vec<(NaiveDate, DayFigures)>) -> ScopeRow {
    let mut sum = DayFigures::default();
    for (_, f) in &days {
        sum.add(f);
    }
    ScopeRow {
        id,
        name,
        totals: Totals::of(&sum),
        backlog: None,
        days: days
            .into_iter()
            .map(|(day, f)| DayRow {
                day,
                totals: Totals::of(&f),
            })
            .collect(),
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

/// The searches of the chosen categories (and those across all categories), most
/// asked first.
fn faq_report(log: Vec<FaqSearchCount>, categories: &[CategoryId]) -> FaqReport {
    let log: Vec<FaqSearchCount> = log
        .into_iter()
        .filter(|l| l.category.as_ref().is_none_or(|c| categories.contains(c)))
        .collect();
    let json = |l: &FaqSearchCount| QueryCount {
        query: l.query.clone(),
        category: l.category.as_ref().map(ToString::to_string),
        searches: l.searches,
        zero_results: l.zero_results,
    };
    let mut unanswered: Vec<&FaqSearchCount> = log.iter().filter(|l| l.zero_results > 0).collect();
    unanswered.sort_by(|a, b| {
        b.zero_results
            .cmp(&a.zero_results)
            .then_with(|| a.query.cmp(&b.query))
    });
    FaqReport {
        searches: log.iter().map(|l| l.searches).sum(),
        zero_results: log.iter().map(|l| l.zero_results).sum(),
        unanswered: unanswered.into_iter().take(TOP_QUERIES).map(json).collect(),
        top: log.iter().take(TOP_QUERIES).map(json).collect(),
        ended_without_ticket: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_period_defaults_to_the_last_30_days() {
        let p = Period::parse(None, None, day("2026-11-22")).unwrap();
        assert_eq!((p.from, p.to), (day("2026-10-24"), day("2026-11-22")));
        assert_eq!(p.days().count(), 30);
        let p = Period::parse(Some("2026-01-01"), Some(" 2026-01-01 "), day("2026-11-22")).unwrap();
        assert_eq!(p.days().collect::<Vec<_>>(), vec![day("2026-01-01")]);
    }

    #[test]
    fn a_bad_period_names_the_field() {
        let today = day("2026-11-22");
        let names = |r: Result<Period, Vec<FieldError>>| {
            r.unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(Period::parse(Some("x"), Some("2026-13-01"), today)),
            ["from", "to"]
        );
        assert_eq!(
            names(Period::parse(Some("2026-02-02"), Some("2026-02-01"), today)),
            ["from"]
        );
        assert_eq!(
            names(Period::parse(Some("2025-01-01"), Some("2026-01-02"), today)),
            ["from"]
        );
        let year = Period::parse(Some("2025-01-01"), Some("2026-01-01"), today).unwrap();
        assert_eq!(year.days().count(), 366);
    }

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

    #[test]
    fn faq_lists_keep_to_the_chosen_categories() {
        let c = |s: &str| Some(CategoryId::parse(s).unwrap());
        let log = vec![
            FaqSearchCount {
                query: "refund".into(),
                category: c("billing"),
                searches: 5,
                zero_results: 1,
            },
            FaqSearchCount {
                query: "vpn".into(),
                category: None,
                searches: 3,
                zero_results: 3,
            },
            FaqSearchCount {
                query: "price".into(),
                category: c("sales"),
                searches: 9,
                zero_results: 9,
            },
        ];
        let r = faq_report(log, &[CategoryId::parse("billing").unwrap()]);
        assert_eq!((r.searches, r.zero_results), (8, 4));
        let unanswered: Vec<&str> = r.unanswered.iter().map(|q| q.query.as_str()).collect();
        assert_eq!(unanswered, ["vpn", "refund"]);
    }
}
