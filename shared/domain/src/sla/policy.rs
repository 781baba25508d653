//! Service-level policies: opening hours in a time zone with holidays, and
//! response targets counted in business time. The same calendar produces the
//! public "hours and response times" text, the promise in the confirmation and the
//! due times of the SLA clocks, so they can never disagree.

use crate::i18n::Language;
use crate::tickets::ticket::Tier;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveTime, SubsecRound, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningHours {
    pub day: Weekday,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{0:?} is not an IANA time zone")]
    TimeZone(String),
    #[error("on {0:?} the opening time is not before the closing time")]
    Hours(Weekday),
    #[error("{0:?} has opening hours twice")]
    Twice(Weekday),
}

/// What a calendar looks like when stored or configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSpec {
    pub time_zone: String,
    pub hours: Vec<OpeningHours>,
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CalendarSpec", into = "CalendarSpec")]
pub struct Calendar {
    zone: Tz,
    /// Monday first; at most one window a day.
    hours: Vec<OpeningHours>,
    holidays: BTreeSet<NaiveDate>,
}

impl TryFrom<CalendarSpec> for Calendar {
    type Error = CalendarError;
    fn try_from(spec: CalendarSpec) -> Result<Self, Self::Error> {
        let zone: Tz = spec
            .time_zone
            .parse()
            .map_err(|_| CalendarError::TimeZone(spec.time_zone.clone()))?;
        let mut hours = spec.hours;
        hours.sort_by_key(|h| h.day.num_days_from_monday());
        for pair in hours.windows(2) {
            if pair[0].day == pair[1].day {
                return Err(CalendarError::Twice(pair[0].day));
            }
        }
        if let Some(bad) = hours.iter().find(|h| h.opens >= h.closes) {
            return Err(CalendarError::Hours(bad.day));
        }
        Ok(Self {
            zone,
            hours,
            holidays: spec.holidays.into_iter().collect(),
        })
    }
}

impl From<Calendar> for CalendarSpec {
    fn from(c: Calendar) -> Self {
        Self {
            time_zone: c.zone.name().to_owned(),
            hours: c.hours,
            holidays: c.holidays.into_iter().collect(),
        }
    }
}

/// How many days ahead a due time is searched before the calendar is called
/// closed for good (e.g. no opening hours at all).
const HORIZON_DAYS: usize = 5 * 366;

impl Calendar {
    /// Monday to Friday, the same hours each day: the common shape of a calendar.
    pub fn weekdays(
        time_zone: &str,
        opens: NaiveTime,
        closes: NaiveTime,
        holidays: Vec<NaiveDate>,
    ) -> Result<Calendar, CalendarError> {
        let hours = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ]
        .into_iter()
        .map(|day| OpeningHours { day, opens, closes })
        .collect();
        Calendar::try_from(CalendarSpec {
            time_zone: time_zone.to_owned(),
            hours,
            holidays,
        })
    }

    pub fn time_zone(&self) -> &str {
        self.zone.name()
    }

    /// `at` as people of this calendar read it: "Tue 3 Mar 2026, 11:00 (Europe/Berlin)".
    pub fn format_local(&self, at: DateTime<Utc>) -> String {
        self.format_local_in(at, crate::i18n::Language::En)
    }

    /// As [`Self::format_local`], in `language`: "Di., 3. März 2026, 11:00 (Europe/Berlin)".
    pub fn format_local_in(&self, at: DateTime<Utc>, language: crate::i18n::Language) -> String {
        language.date_time_in(at, self.zone)
    }

    /// The calendar's time zone.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// A local time as an instant; in a DST gap, the first instant after it.
    fn instant(&self, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
        let local = date.and_time(time);
        self.zone
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                self.zone
                    .from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
    }

    /// The open window on a local date, as instants.
    fn window(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&date) {
            return None;
        }
        let h = self.hours.iter().find(|h| h.day == date.weekday())?;
        Some((self.instant(date, h.opens)?, self.instant(date, h.closes)?))
    }

    /// The instant at which `amount` of business time after `start` has passed.
    /// `None` when the calendar never opens within five years.
    pub fn add_business_time(
        &self,
        start: DateTime<Utc>,
        amount: Duration,
    ) -> Option<DateTime<Utc>> {
        let [at] = self.add_business_times(start, [amount]);
        at
    }

    /// `add_business_time` for several amounts in one walk over the calendar
    /// (each open day costs two time-zone conversions).
    ///
    /// Counting starts at the whole second of `start`, so every due time is a
    /// whole second: a promise is shown, and the schedule fires, to the second,
    /// and a run at the instant a customer was shown finds the promise due
    /// (a sub-second due time would sort after it).
    pub fn add_business_times<const N: usize>(
        &self,
        start: DateTime<Utc>,
        amounts: [Duration; N],
    ) -> [Option<DateTime<Utc>>; N] {
        let start = start.trunc_subsecs(0);
        let mut due: [Option<DateTime<Utc>>; N] = [None; N];
        let mut pending = 0;
        for (d, amount) in due.iter_mut().zip(&amounts) {
            if *amount <= Duration::zero() {
                *d = Some(start);
            } else {
                pending += 1;
            }
        }
        // Business time passed before the current day's window.
        let mut passed = Duration::zero();
        let mut date = start.with_timezone(&self.zone).date_naive();
        for _ in 0..HORIZON_DAYS {
            if pending == 0 {
                break;
            }
            if let Some((open, close)) = self.window(date) {
                let from = open.max(start);
                if from < close {
                    let available = close - from;
                    for (d, amount) in due.iter_mut().zip(&amounts) {
                        let remaining = *amount - passed;
                        if d.is_none() && remaining <= available {
                            *d = Some(from + remaining);
                            pending -= 1;
                        }
                    }
                    passed += available;
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        due
    }

    /// Business time between two instants (zero when `to` is not after `from`).
    pub fn business_time_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        let mut total = Duration::zero();
        if to <= from {
            return total;
        }
        let mut date = from.with_timezone(&self.zone).date_naive();
        let last = to.with_timezone(&self.zone).date_naive();
        while date <= last {
            if let Some((open, close)) = self.window(date) {
                let (a, b) = (open.max(from), close.min(to));
                if a < b {
                    total += b - a;
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        total
    }

    /// The opening hours for people reading `language`: consecutive days with
    /// the same hours together.
    pub fn hours_text(&self, language: Language) -> Vec<HoursLine> {
        let day_name = |d: Weekday| {
            language
                .text("days-full", &[])
                .split_whitespace()
                .nth(d.num_days_from_monday() as usize)
                .unwrap_or_default()
                .to_owned()
        };
        let mut lines: Vec<(Weekday, Weekday, NaiveTime, NaiveTime)> = Vec::new();
        for h in &self.hours {
            match lines.last_mut() {
                Some((_, last, opens, closes))
                    if last.succ() == h.day && *opens == h.opens && *closes == h.closes =>
                {
                    *last = h.day;
                }
                _ => lines.push((h.day, h.day, h.opens, h.closes)),
            }
        }
        lines
            .into_iter()
            .map(|(first, last, opens, closes)| HoursLine {
                days: if first == last {
                    day_name(first)
                } else {
                    language.text(
                        "days-range",
                        &[("first", &day_name(first)), ("last", &day_name(last))],
                    )
                },
                opens: opens.format("%H:%M").to_string(),
                closes: closes.format("%H:%M").to_string(),
            })
            .collect()
    }

    /// Holidays from the calendar's own today at `now` on, for the public page
    /// (late on 24 December in UTC is already Christmas Day in Sydney).
    pub fn upcoming_holidays(&self, now: DateTime<Utc>, count: usize) -> Vec<NaiveDate> {
        let today = now.with_timezone(&self.zone).date_naive();
        self.holidays.range(today..).take(count).copied().collect()
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoursLine {
    pub days: String,
    pub opens: String,
    pub closes: String,
}

/// Targets in minutes of business time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Targets {
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 525_600))]
    pub first_response_minutes: u32,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 525_600))]
    pub next_response_minutes: u32,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 525_600))]
    pub resolution_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaPolicy {
    pub id: String,
    pub calendar: Calendar,
    pub standard: Targets,
    pub premium: Targets,
    /// At this share of a target the assignee is warned.
    #[serde(default = "default_warn_percent")]
    pub warn_percent: u16,
    /// At this share of a target (past 100) the supervisors hear of it.
    #[serde(default = "default_escalate_percent")]
    pub escalate_percent: u16,
}

fn default_warn_percent() -> u16 {
    80
}

fn default_escalate_percent() -> u16 {
    150
}

impl SlaPolicy {
    pub fn targets(&self, tier: Tier) -> &Targets {
        match tier {
            Tier::Standard => &self.standard,
            Tier::Premium => &self.premium,
        }
    }

    /// When the first answer to a request made at `at` is due.
    pub fn first_response_due(&self, tier: Tier, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let minutes = self.targets(tier).first_response_minutes;
        self.calendar
            .add_business_time(at, Duration::minutes(i64::from(minutes)))
    }
}

/// "24 business hours", "90 business minutes".
pub fn describe_business_minutes(minutes: u32, language: Language) -> String {
    match (minutes % 60, minutes / 60) {
        (0, 1) => language.text("business-hour", &[]),
        (0, h) => language.text("business-hours", &[("hours", &h.to_string())]),
        _ => language.text("business-minutes", &[("minutes", &minutes.to_string())]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn office(zone: &str) -> Calendar {
        let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        Calendar::weekdays(zone, t(9, 0), t(17, 0), vec![christmas]).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn due_times_are_whole_seconds_counted_from_the_start_s_second() {
        let c = office("UTC");
        // Monday 10:00:00.75 + 30 minutes: 10:30:00, the promise a customer is shown.
        let due = c.add_business_time(utc("2026-11-30T10:00:00.75Z"), Duration::minutes(30));
        assert_eq!(due, Some(utc("2026-11-30T10:30:00Z")));
        let [now] = c.add_business_times(utc("2026-11-30T10:00:00.75Z"), [Duration::zero()]);
        assert_eq!(now, Some(utc("2026-11-30T10:00:00Z")));
    }

    #[test]
    fn upcoming_holidays_start_from_the_calendar_s_own_today() {
        let c = office("Australia/Sydney");
        // 14:00 UTC on the 24th is already the 25th in Sydney.
        let got = c.upcoming_holidays(utc("2026-12-24T14:00:00Z"), 5);
        assert_eq!(got, vec![NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()]);
        let c = office("America/Los_Angeles");
        // 02:00 UTC on the 26th is still the 25th in Los Angeles.
        assert_eq!(c.upcoming_holidays(utc("2026-12-26T02:00:00Z"), 5).len(), 1);
        assert!(
            c.upcoming_holidays(utc("2026-12-26T09:00:00Z"), 5)
                .is_empty()
        );
    }

    #[test]
    fn time_runs_only_in_opening_hours() {
        let c = office("Europe/Berlin");
        // Friday 16:00 Berlin (15:00 UTC, winter) + 2 h → Monday 10:00 Berlin.
        let due = c.add_business_time(utc("2026-11-27T15:00:00Z"), Duration::hours(2));
        assert_eq!(due, Some(utc("2026-11-30T09:00:00Z")));
        // Before opening counts from the opening.
        assert_eq!(
            c.add_business_time(utc("2026-11-30T05:00:00Z"), Duration::minutes(30)),
            Some(utc("2026-11-30T08:30:00Z"))
        );
        // Exactly a day's worth ends at closing time.
        assert_eq!(
            c.add_business_time(utc("2026-11-30T08:00:00Z"), Duration::hours(8)),
            Some(utc("2026-11-30T16:00:00Z"))
        );
    }

    #[test]
    fn holidays_are_skipped() {
        let c = office("Europe/Berlin");
        // Thursday 24 Dec 16:00 + 2 h: Christmas Day is closed → Monday 28 Dec 10:00.
        assert_eq!(
            c.add_business_time(utc("2026-12-24T15:00:00Z"), Duration::hours(2)),
            Some(utc("2026-12-28T09:00:00Z"))
        );
    }

    #[test]
    fn daylight_saving_changes_keep_local_opening_hours() {
        let c = office("Europe/Berlin");
        // Friday 27 Mar 2026 16:00 CET (15:00 UTC) + 2 h → Monday 30 Mar 10:00 CEST = 08:00 UTC.
        assert_eq!(
            c.add_business_time(utc("2026-03-27T15:00:00Z"), Duration::hours(2)),
            Some(utc("2026-03-30T08:00:00Z"))
        );
    }

    #[test]
    fn a_calendar_that_never_opens_has_no_due_time() {
        let c = Calendar::try_from(CalendarSpec {
            time_zone: "UTC".into(),
            hours: vec![],
            holidays: vec![],
        })
        .unwrap();
        assert_eq!(
            c.add_business_time(utc("2026-01-01T00:00:00Z"), Duration::minutes(1)),
            None
        );
    }

    #[test]
    fn bad_calendars_are_refused() {
        let bad = |zone: &str, opens, closes| {
            Calendar::try_from(CalendarSpec {
                time_zone: zone.into(),
                hours: vec![OpeningHours {
                    day: Weekday::Mon,
                    opens,
                    closes,
                }],
                holidays: vec![],
            })
        };
        assert_eq!(
            bad("Mars/Olympus", t(9, 0), t(17, 0)),
            Err(CalendarError::TimeZone("Mars/Olympus".into()))
        );
        assert_eq!(
            bad("UTC", t(17, 0), t(9, 0)),
            Err(CalendarError::Hours(Weekday::Mon))
        );
    }

    #[test]
    fn hours_read_like_a_shop_door() {
        let c = office("Europe/Berlin");
        let lines = c.hours_text(Language::En);
        assert_eq!(
            lines,
            vec![HoursLine {
                days: "Monday to Friday".into(),
                opens: "09:00".into(),
                closes: "17:00".into()
            }]
        );
        assert_eq!(c.hours_text(Language::De)[0].days, "Montag bis Freitag");
        assert_eq!(
            describe_business_minutes(1440, Language::En),
            "24 business hours"
        );
        assert_eq!(
            describe_business_minutes(60, Language::En),
            "1 business hour"
        );
        assert_eq!(
            describe_business_minutes(90, Language::En),
            "90 business minutes"
        );
        assert_eq!(
            describe_business_minutes(120, Language::De),
            "2 Stunden in unseren Geschäftszeiten"
        );
        assert_eq!(
            describe_business_minutes(60, Language::De),
            "1 Stunde in unseren Geschäftszeiten"
        );
    }

    proptest! {
        #[test]
        fn adding_then_measuring_gives_the_amount_back(
            start in 1_767_225_600i64..1_830_297_600, // 2026 – 2027
            minutes in 1i64..(60 * 24 * 10),
            zone in prop::sample::select(vec!["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC", "Australia/Lord_Howe"]),
        ) {
            let c = office(zone);
            let from = DateTime::from_timestamp(start, 0).unwrap();
            let amount = Duration::minutes(minutes);
            let due = c.add_business_time(from, amount).unwrap();
            prop_assert!(due > from);
            prop_assert_eq!(c.business_time_between(from, due), amount);
            // Due times fall inside opening hours, never on a closed day.
            let local = due.with_timezone(&c.zone);
            prop_assert!(!matches!(local.weekday(), Weekday::Sat | Weekday::Sun));
            prop_assert!(local.time() > t(9, 0) && local.time() <= t(17, 0));
        }

        #[test]
        fn one_walk_for_several_amounts_gives_each_alone(start in 1_767_225_600i64..1_830_297_600, a in -10i64..5000, b in 0i64..5000, c in 0i64..20000) {
            let cal = office("Europe/Berlin");
            let start = DateTime::from_timestamp(start, 0).unwrap();
            let amounts = [Duration::minutes(a), Duration::minutes(b), Duration::minutes(c)];
            let each = amounts.map(|x| cal.add_business_time(start, x));
            prop_assert_eq!(cal.add_business_times(start, amounts), each);
        }

        #[test]
        fn more_business_time_is_never_due_earlier(start in 1_767_225_600i64..1_830_297_600, a in 0i64..5000, b in 0i64..5000) {
            let c = office("America/New_York");
            let from = DateTime::from_timestamp(start, 0).unwrap();
            let (small, large) = (a.min(b), a.max(b));
            prop_assert!(c.add_business_time(from, Duration::minutes(small)) <= c.add_business_time(from, Duration::minutes(large)));
        }
    }
}
