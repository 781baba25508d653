//! The reports supervisors and admins read: what was opened, solved and closed per
//! day, by category and by agent; response and resolution times; SLA compliance;
//! the backlog and its age; what the help center's visitors searched in vain.
//! Everything but the backlog's age comes from counters written with the changes,
//! so a year costs one query per category and agent.

pub mod backlog;
pub mod faq;
pub mod figures;
pub mod tags;

use crate::agents::profile::Agent;
use crate::catalog::category::{Category, FieldError};
use crate::ports::store::StoreError;
use crate::ports::{CatalogStore, TicketStore};
use crate::values::ids::CategoryId;
pub use backlog::{AgeBand, Backlog};
use chrono::{DateTime, Duration, NaiveDate, Utc};
pub use faq::{AnswerRead, FaqReport, QueryCount};
pub use figures::{DayFigures, Figure, Measure, ReportScope, TimeSummary};
use serde::Serialize;

/// The longest period one report covers.
pub const MAX_DAYS: i64 = 366;
/// Days shown when no period is asked for.
pub const DEFAULT_DAYS: i64 = 30;

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
    /// Customers' ratings of solved requests.
    pub rated_good: i64,
    pub rated_bad: i64,
    /// Satisfaction: good ÷ (good + bad); None when nobody rated.
    pub csat: Option<f64>,
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
            rated_good: f.get(Figure::RatedGood),
            rated_bad: f.get(Figure::RatedBad),
            csat: f.csat(),
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
    /// Standard and premium tickets of the chosen categories.
    pub tiers: Vec<ScopeRow>,
    /// The latest ratings customers gave in the chosen categories, newest first
    /// (at most [`MAX_RATINGS_SHOWN`]), with their comments.
    pub ratings: Vec<RatingRow>,
    pub backlog: Backlog,
    pub faq: FaqReport,
    /// The channel self-test: each channel's latest probe.
    pub channels: Vec<crate::ops::probe::ChannelStatus>,
    /// Tickets by tag (filled from the word index by whoever has it).
    pub tags: Vec<tags::TagRow>,
}

/// Builds a report over the chosen categories: of the agents given, those covering
/// any of them are shown, with their figures across all their tickets.
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
        // Agents shown: those covering any chosen category.
        let agents: Vec<&Agent> = agents
            .iter()
            .filter(|a| chosen.iter().any(|c| a.covers(&c.id)))
            .collect();
        // One query per scope, all at once.
        let read = |scope: ReportScope| async move {
            self.tickets
                .report_days(&scope, period.from, period.to)
                .await
        };
        let category_days = futures::future::try_join_all(
            chosen
                .iter()
                .map(|c| read(ReportScope::Category(c.id.clone()))),
        );
        let agent_days = futures::future::try_join_all(
            agents
                .iter()
                .map(|a| read(ReportScope::Agent(a.id.clone()))),
        );
        let premium_days = futures::future::try_join_all(
            chosen
                .iter()
                .map(|c| read(ReportScope::Premium(c.id.clone()))),
        );
        let (category_days, agent_days, premium_days) =
            futures::future::try_join3(category_days, agent_days, premium_days).await?;
        let mut by_day: std::collections::BTreeMap<NaiveDate, DayFigures> =
            period.days().map(|d| (d, DayFigures::default())).collect();
        let mut all = DayFigures::default();
        let mut categories = Vec::new();
        for (c, days) in chosen.iter().zip(category_days) {
            for (day, f) in &days {
                by_day.entry(*day).or_default().add(f);
                all.add(f);
            }
            categories.push(scope_row(c.id.to_string(), c.name.clone(), days));
        }
        let tiers = tier_rows(&by_day, premium_days);
        let agent_rows: Vec<ScopeRow> = agents
            .iter()
            .zip(agent_days)
            .map(|(a, days)| scope_row(a.id.to_string(), a.name.clone(), days))
            .collect();
        let ids: Vec<CategoryId> = chosen.iter().map(|c| c.id.clone()).collect();
        let backlog = backlog::read(self.tickets, &ids, now).await?;
        for row in &mut categories {
            row.backlog = backlog
                .per_category
                .iter()
                .find(|(id, _)| id.as_str() == row.id)
                .map(|(_, n)| *n);
        }
        let ratings = rated(self.tickets, &ids, period).await?;
        let mut faq = faq::faq_report(
            self.catalog.faq_search_log(period.from, period.to).await?,
            &ids,
        );
        faq.ended_without_ticket = faq::answers_read(self.catalog, period, &ids).await?;
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
            tiers,
            ratings,
            backlog: backlog.backlog,
            faq,
            channels: crate::ops::probe::channel_statuses(&self.tickets.probes().await?),
            tags: Vec::new(),
        })
    }
}

/// How many of the period's ratings a report lists.
pub const MAX_RATINGS_SHOWN: usize = 100;

/// One rating as a report lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingRow {
    pub reference: String,
    pub category: String,
    pub assignee: Option<String>,
    pub tier: crate::tickets::ticket::Tier,
    pub score: crate::tickets::rating::Score,
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// The chosen categories' latest ratings in the period, newest first.
async fn rated(
    tickets: &dyn TicketStore,
    categories: &[CategoryId],
    period: Period,
) -> Result<Vec<RatingRow>, StoreError> {
    let lists = futures::future::try_join_all(
        categories
            .iter()
            .map(|c| tickets.ratings(c, period.from, period.to)),
    )
    .await?;
    let mut all: Vec<_> = lists.into_iter().flatten().collect();
    all.sort_by_key(|r| std::cmp::Reverse(r.at));
    all.truncate(MAX_RATINGS_SHOWN);
    Ok(all
        .into_iter()
        .map(|r| RatingRow {
            reference: r.reference.to_string(),
            category: r.category.to_string(),
            assignee: r.assignee.map(|a| a.to_string()),
            tier: r.tier,
            score: r.score,
            comment: r.comment,
            at: r.at,
        })
        .collect())
}

/// The chosen categories' figures split by tier: premium as counted, standard
/// the rest (`by_day` holds every ticket's).
fn tier_rows(
    by_day: &std::collections::BTreeMap<NaiveDate, DayFigures>,
    premium_days: Vec<Vec<(NaiveDate, DayFigures)>>,
) -> Vec<ScopeRow> {
    let mut premium: std::collections::BTreeMap<NaiveDate, DayFigures> = Default::default();
    for (day, f) in premium_days.into_iter().flatten() {
        premium.entry(day).or_default().add(&f);
    }
    let standard: Vec<(NaiveDate, DayFigures)> = by_day
        .iter()
        .map(|(day, all)| {
            let mut f = all.clone();
            if let Some(p) = premium.get(day) {
                f.subtract(p);
            }
            (*day, f)
        })
        .filter(|(_, f)| f.0.values().any(|v| *v != 0))
        .collect();
    vec![
        scope_row("standard".into(), "Standard".into(), standard),
        scope_row(
            "premium".into(),
            "Premium".into(),
            premium.into_iter().collect(),
        ),
    ]
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
