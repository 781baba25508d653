//! SLA policies as the admin page writes them: a calendar (time zone, opening
//! hours per weekday, holidays) and targets per tier, checked field by field.

use crate::catalog::category::FieldError;
use crate::sla::policy::{CalendarSpec, OpeningHours, SlaPolicy, Targets};
use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

/// Opening hours as an admin writes them: `Mon`, `09:00`, `17:00`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HoursDraft {
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^\\s*(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\\s*$")
    )]
    pub day: String,
    /// `HH:MM`, before `closes`.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^\\s*([01][0-9]|2[0-3]):[0-5][0-9]\\s*$")
    )]
    pub opens: String,
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^\\s*([01][0-9]|2[0-3]):[0-5][0-9]\\s*$")
    )]
    pub closes: String,
}

/// An SLA policy as the admin page shows and sends it (its id is in the path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PolicyDraft {
    /// Read only: the path names the policy.
    #[serde(default)]
    pub id: String,
    /// IANA, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// At most one window a day; days left out are closed.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 7))]
    pub hours: Vec<HoursDraft>,
    /// YYYY-MM-DD, closed all day.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 200))]
    pub holidays: Vec<String>,
    pub standard: Targets,
    pub premium: Targets,
    /// At this share of a target the assignee is warned.
    #[serde(default = "default_warn")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 99))]
    pub warn_percent: u16,
    /// At this share of a target (past 100) the supervisors hear of it.
    #[serde(default = "default_escalate")]
    #[cfg_attr(feature = "openapi", schema(minimum = 101, maximum = 1000))]
    pub escalate_percent: u16,
}

fn default_warn() -> u16 {
    80
}

fn default_escalate() -> u16 {
    150
}

const MAX_HOLIDAYS: usize = 200;
/// A year of minutes: longer targets are typing mistakes.
const MAX_TARGET_MINUTES: u32 = 525_600;

impl PolicyDraft {
    pub fn of(policy: &SlaPolicy) -> Self {
        let spec = CalendarSpec::from(policy.calendar.clone());
        Self {
            id: policy.id.clone(),
            time_zone: spec.time_zone,
            hours: spec
                .hours
                .iter()
                .map(|h| HoursDraft {
                    day: h.day.to_string(),
                    opens: h.opens.format("%H:%M").to_string(),
                    closes: h.closes.format("%H:%M").to_string(),
                })
                .collect(),
            holidays: spec.holidays.iter().map(ToString::to_string).collect(),
            standard: policy.standard,
            premium: policy.premium,
            warn_percent: policy.warn_percent,
            escalate_percent: policy.escalate_percent,
        }
    }
}

/// A policy id: lowercase letters, digits and dashes, 1 to 40 characters.
pub fn check_policy_id(id: &str) -> Result<String, FieldError> {
    let ok = !id.is_empty()
        && id.len() <= 40
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(id.to_owned())
    } else {
        Err(FieldError::new(
            "id",
            "must be 1 to 40 lowercase letters, digits or dashes",
        ))
    }
}

fn time(field: String, raw: &str, errors: &mut Vec<FieldError>) -> Option<NaiveTime> {
    let t = NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(raw.trim(), "%H:%M:%S"));
    t.map_err(|_| errors.push(FieldError::new(field, "is not a time (HH:MM)")))
        .ok()
}

/// The policy an admin's draft describes, or every problem with it by path
/// (`hours.2.closes`, `premium.first_response_minutes`).
pub fn check_policy(id: &str, draft: &PolicyDraft) -> Result<SlaPolicy, Vec<FieldError>> {
    let mut errors = Vec::new();
    let id = check_policy_id(id).map_err(|e| errors.push(e)).ok();
    if draft.time_zone.trim().parse::<chrono_tz::Tz>().is_err() {
        errors.push(FieldError::new(
            "time_zone",
            "is not an IANA time zone (e.g. Europe/Berlin)",
        ));
    }
    let mut hours: Vec<OpeningHours> = Vec::new();
    for (i, h) in draft.hours.iter().enumerate() {
        let day = h.day.trim().parse::<Weekday>().map_err(|_| {
            errors.push(FieldError::new(
                format!("hours.{i}.day"),
                "is not a day of the week (Mon to Sun)",
            ))
        });
        let opens = time(format!("hours.{i}.opens"), &h.opens, &mut errors);
        let closes = time(format!("hours.{i}.closes"), &h.closes, &mut errors);
        let (Ok(day), Some(opens), Some(closes)) = (day, opens, closes) else {
            continue;
        };
        if opens >= closes {
            errors.push(FieldError::new(
                format!("hours.{i}.closes"),
                "must be after the opening time",
            ));
        } else if hours.iter().any(|o| o.day == day) {
            errors.push(FieldError::new(format!("hours.{i}.day"), "appears twice"));
        } else {
            hours.push(OpeningHours { day, opens, closes });
        }
    }
    if draft.hours.is_empty() {
        errors.push(FieldError::new("hours", "needs at least one open day"));
    }
    if draft.holidays.len() > MAX_HOLIDAYS {
        errors.push(FieldError::new(
            "holidays",
            format!("at most {MAX_HOLIDAYS}"),
        ));
    }
    let mut holidays = Vec::new();
    for (i, raw) in draft.holidays.iter().enumerate() {
        match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
            Ok(d) => holidays.push(d),
            Err(_) => errors.push(FieldError::new(
                format!("holidays.{i}"),
                "is not a date (YYYY-MM-DD)",
            )),
        }
    }
    for (tier, t) in [("standard", &draft.standard), ("premium", &draft.premium)] {
        for (name, minutes) in [
            ("first_response_minutes", t.first_response_minutes),
            ("next_response_minutes", t.next_response_minutes),
            ("resolution_minutes", t.resolution_minutes),
        ] {
            if minutes == 0 || minutes > MAX_TARGET_MINUTES {
                errors.push(FieldError::new(
                    format!("{tier}.{name}"),
                    format!("must be 1 to {MAX_TARGET_MINUTES} business minutes"),
                ));
            }
        }
    }
    if !(1..=99).contains(&draft.warn_percent) {
        errors.push(FieldError::new("warn_percent", "must be 1 to 99"));
    }
    if !(101..=1000).contains(&draft.escalate_percent) {
        errors.push(FieldError::new("escalate_percent", "must be 101 to 1000"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let spec = CalendarSpec {
        time_zone: draft.time_zone.trim().to_owned(),
        hours,
        holidays,
    };
    let calendar = spec
        .try_into()
        .map_err(|e: crate::sla::policy::CalendarError| {
            vec![FieldError::new("hours", e.to_string())]
        })?;
    Ok(SlaPolicy {
        id: id.unwrap_or_default(),
        calendar,
        standard: draft.standard,
        premium: draft.premium,
        warn_percent: draft.warn_percent,
        escalate_percent: draft.escalate_percent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> PolicyDraft {
        let hours = |day: &str, opens: &str, closes: &str| HoursDraft {
            day: day.into(),
            opens: opens.into(),
            closes: closes.into(),
        };
        let t = |m| Targets {
            first_response_minutes: m,
            next_response_minutes: m,
            resolution_minutes: m * 4,
        };
        PolicyDraft {
            id: String::new(),
            time_zone: "America/New_York".into(),
            hours: vec![
                hours("Mon", "08:30", "18:00"),
                hours("sat", "10:00", "14:00"),
            ],
            holidays: vec!["2026-12-25".into()],
            standard: t(480),
            premium: t(60),
            warn_percent: 75,
            escalate_percent: 200,
        }
    }

    #[test]
    fn a_policy_draft_reads_back_as_written() {
        let policy = check_policy("us-retail", &draft()).unwrap();
        assert_eq!(policy.id, "us-retail");
        assert_eq!(policy.calendar.time_zone(), "America/New_York");
        let back = PolicyDraft::of(&policy);
        assert_eq!(back.hours[1].day, "Sat");
        assert_eq!(back.hours[0].opens, "08:30");
        assert_eq!(check_policy("us-retail", &back).unwrap(), policy);
    }

    #[test]
    fn every_problem_of_a_policy_is_named_by_path() {
        let mut d = draft();
        d.time_zone = "Mars/Olympus".into();
        d.hours[0].closes = "08:00".into();
        d.hours[1].day = "Caturday".into();
        d.hours.push(HoursDraft {
            day: "Mon".into(),
            opens: "9".into(),
            closes: "10:00".into(),
        });
        d.holidays.push("25.12.2026".into());
        d.premium.first_response_minutes = 0;
        d.warn_percent = 100;
        d.escalate_percent = 100;
        let fields: Vec<String> = check_policy("Bad Id", &d)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "id",
                "time_zone",
                "hours.0.closes",
                "hours.1.day",
                "hours.2.opens",
                "holidays.1",
                "premium.first_response_minutes",
                "warn_percent",
                "escalate_percent"
            ]
        );
        let mut twice = draft();
        twice.hours.push(twice.hours[0].clone());
        let e = check_policy("x", &twice).unwrap_err();
        assert_eq!(
            (e[0].field.as_str(), e[0].reason.as_str()),
            ("hours.2.day", "appears twice")
        );
    }
}
