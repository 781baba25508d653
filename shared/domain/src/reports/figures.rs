//! What one day's report counters hold, for a category or an agent: counts of what
//! happened, and the response and resolution times as histograms of business
//! minutes, so a median over a year is a sum of day items, not a scan of tickets.

use crate::values::ids::{AgentId, CategoryId};
use serde::Serialize;
use std::collections::BTreeMap;

/// Whose day it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReportScope {
    Category(CategoryId),
    /// The ticket's assignee at the time of the change.
    Agent(AgentId),
    /// A category's premium tickets; its standard ones are the category's
    /// figures less these, so a standard ticket writes nothing more.
    Premium(CategoryId),
}

/// Which business-minutes figure a histogram holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Measure {
    /// Request to the first agent answer.
    FirstResponse,
    /// Request to solved, counted at each solve (a reopened ticket solved again
    /// counts again, with its whole time).
    Resolution,
}

impl Measure {
    pub const ALL: [Measure; 2] = [Measure::FirstResponse, Measure::Resolution];

    fn prefix(self) -> &'static str {
        match self {
            Measure::FirstResponse => "fr",
            Measure::Resolution => "res",
        }
    }
}

/// Upper bounds (exclusive) of the histogram buckets in business minutes; the last
/// bucket holds everything from the last bound on. Roughly 1.25–1.5× apart, so an
/// estimated median is off by less than one bucket's width.
pub const BUCKET_BOUNDS: [u32; 30] = [
    5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 360, 480, 600, 720, 960, 1200, 1440, 1920,
    2400, 2880, 3840, 4800, 7200, 9600, 14400, 19200, 28800, 48000,
];
pub const BUCKETS: usize = BUCKET_BOUNDS.len() + 1;

/// The bucket a duration falls in.
pub fn bucket_of(minutes: u32) -> u8 {
    BUCKET_BOUNDS.partition_point(|&bound| bound <= minutes) as u8
}

/// The minutes a bucket spans: `[from, to)`, `to` None for the last one.
pub fn bucket_span(bucket: u8) -> (u32, Option<u32>) {
    let i = usize::from(bucket);
    let from = if i == 0 { 0 } else { BUCKET_BOUNDS[i - 1] };
    (from, BUCKET_BOUNDS.get(i).copied())
}

/// One counter of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Figure {
    Opened,
    /// Moved to solved.
    Solved,
    Closed,
    /// Solved or closed, then active again.
    Reopened,
    /// Promises (answers and solutions) kept and broken.
    Met,
    Missed,
    /// Customers' ratings of solved requests (a changed one moves across).
    RatedGood,
    RatedBad,
    /// How many durations fell in a bucket.
    Time(Measure, u8),
    /// The durations' total, for the mean.
    TimeSum(Measure),
}

impl Figure {
    /// The figures that are plain counts.
    pub const COUNTS: [Figure; 8] = [
        Figure::Opened,
        Figure::Solved,
        Figure::Closed,
        Figure::Reopened,
        Figure::Met,
        Figure::Missed,
        Figure::RatedGood,
        Figure::RatedBad,
    ];

    /// The stable name the figure is stored under.
    pub fn name(self) -> String {
        match self {
            Figure::Opened => "opened".into(),
            Figure::Solved => "solved".into(),
            Figure::Closed => "closed".into(),
            Figure::Reopened => "reopened".into(),
            Figure::Met => "met".into(),
            Figure::Missed => "missed".into(),
            Figure::RatedGood => "rated_good".into(),
            Figure::RatedBad => "rated_bad".into(),
            Figure::Time(m, b) => format!("{}_b{b:02}", m.prefix()),
            Figure::TimeSum(m) => format!("{}_sum", m.prefix()),
        }
    }

    pub fn parse(name: &str) -> Option<Figure> {
        if let Some(f) = Figure::COUNTS.into_iter().find(|f| f.name() == name) {
            return Some(f);
        }
        let (prefix, rest) = name.split_once('_')?;
        let measure = Measure::ALL.into_iter().find(|m| m.prefix() == prefix)?;
        if rest == "sum" {
            return Some(Figure::TimeSum(measure));
        }
        let bucket: u8 = rest.strip_prefix('b')?.parse().ok()?;
        (usize::from(bucket) < BUCKETS && rest.len() == 3).then_some(Figure::Time(measure, bucket))
    }
}

/// The counters of one day (or of several days added up).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayFigures(pub BTreeMap<Figure, i64>);

impl DayFigures {
    pub fn get(&self, figure: Figure) -> i64 {
        self.0.get(&figure).copied().unwrap_or(0)
    }

    pub fn add(&mut self, other: &DayFigures) {
        for (figure, value) in &other.0 {
            *self.0.entry(*figure).or_insert(0) += value;
        }
    }

    /// Takes away a part counted in these figures (premium from all).
    pub fn subtract(&mut self, part: &DayFigures) {
        for (figure, value) in &part.0 {
            *self.0.entry(*figure).or_insert(0) -= value;
        }
    }

    pub fn histogram(&self, measure: Measure) -> Histogram {
        let mut counts = [0; BUCKETS];
        for (i, count) in counts.iter_mut().enumerate() {
            *count = self.get(Figure::Time(measure, i as u8)).max(0);
        }
        Histogram {
            counts,
            sum: self.get(Figure::TimeSum(measure)).max(0),
        }
    }

    /// Kept ÷ (kept + broken), None when no promise fell due.
    pub fn csat(&self) -> Option<f64> {
        let (good, bad) = (self.get(Figure::RatedGood), self.get(Figure::RatedBad));
        (good + bad > 0).then(|| good as f64 / (good + bad) as f64)
    }

    pub fn compliance(&self) -> Option<f64> {
        let (met, missed) = (self.get(Figure::Met), self.get(Figure::Missed));
        (met + missed > 0).then(|| met as f64 / (met + missed) as f64)
    }
}

/// Durations in business minutes, by bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
    pub counts: [i64; BUCKETS],
    pub sum: i64,
}

/// What the reports show of a histogram.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeSummary {
    pub count: i64,
    /// Business minutes; estimates within the bucket the true value is in.
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub mean: Option<f64>,
}

impl Histogram {
    pub fn count(&self) -> i64 {
        self.counts.iter().sum()
    }

    /// The `q` quantile (0 < q ≤ 1, nearest rank), interpolated inside its bucket;
    /// in the open last bucket, its lower bound. None when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = ((q * n as f64).ceil() as i64).clamp(1, n);
        let mut before = 0;
        for (i, &count) in self.counts.iter().enumerate() {
            if count > 0 && before + count >= rank {
                let (from, to) = bucket_span(i as u8);
                let Some(to) = to else {
                    return Some(f64::from(from));
                };
                let within = (rank - before) as f64 - 0.5;
                return Some(f64::from(from) + f64::from(to - from) * within / count as f64);
            }
            before += count;
        }
        None
    }

    pub fn summary(&self) -> TimeSummary {
        let count = self.count();
        TimeSummary {
            count,
            median: self.quantile(0.5),
            p90: self.quantile(0.9),
            mean: (count > 0).then(|| self.sum as f64 / count as f64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_read_back() {
        let mut all = Figure::COUNTS.to_vec();
        for m in Measure::ALL {
            all.push(Figure::TimeSum(m));
            all.extend((0..BUCKETS as u8).map(|b| Figure::Time(m, b)));
        }
        for f in all {
            assert_eq!(Figure::parse(&f.name()), Some(f), "{}", f.name());
        }
        for junk in [
            "", "fr", "fr_b", "fr_b31", "fr_b1", "res_bxx", "xx_sum", "pk", "sk",
        ] {
            assert_eq!(Figure::parse(junk), None, "{junk}");
        }
    }

    #[test]
    fn buckets_cover_every_duration_once() {
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(4), 0);
        assert_eq!(bucket_of(5), 1);
        assert_eq!(bucket_of(47_999), 29);
        assert_eq!(bucket_of(48_000), 30);
        assert_eq!(bucket_span(30), (48_000, None));
        assert_eq!(bucket_span(0), (0, Some(5)));
    }

    #[test]
    fn an_empty_histogram_has_no_median() {
        let h = DayFigures::default().histogram(Measure::FirstResponse);
        assert_eq!(h.summary().median, None);
        assert_eq!(h.summary().mean, None);
    }

    fn histogram_of(values: &[u32]) -> Histogram {
        let mut day = DayFigures::default();
        for &v in values {
            *day.0
                .entry(Figure::Time(Measure::Resolution, bucket_of(v)))
                .or_insert(0) += 1;
            *day.0
                .entry(Figure::TimeSum(Measure::Resolution))
                .or_insert(0) += i64::from(v);
        }
        day.histogram(Measure::Resolution)
    }

    proptest! {
        /// The estimate lies in the bucket of the exact nearest-rank quantile, and
        /// the mean is exact.
        #[test]
        fn quantiles_land_in_the_true_values_bucket(
            mut values in proptest::collection::vec(0u32..60_000, 1..200),
            q in prop_oneof![Just(0.5), Just(0.9), 0.01f64..1.0],
        ) {
            let h = histogram_of(&values);
            values.sort_unstable();
            let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
            let exact = values[rank - 1];
            let (from, to) = bucket_span(bucket_of(exact));
            let estimate = h.quantile(q).unwrap();
            prop_assert!(estimate >= f64::from(from));
            prop_assert!(to.is_none_or(|to| estimate < f64::from(to)));
            let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len() as f64;
            prop_assert!((h.summary().mean.unwrap() - mean).abs() < 1e-6);
        }
    }
}
