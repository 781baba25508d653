//! Reports for supervisors and admins: JSON for the console's charts, and the same
//! figures per day as CSV to take away.

use crate::auth::Authed;
use crate::{Deps, respond};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use helpdesk_domain::agents::actions::Caller;
use helpdesk_domain::agents::profile::Role;
use helpdesk_domain::catalog::category::Category;
use helpdesk_domain::reports::{DayRow, Period, Report, Reports, ScopeRow, TimeSummary};
use lambda_kit::http::ApiError;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

async fn build(
    deps: &Deps,
    caller: &Caller,
    params: &HashMap<String, String>,
) -> Result<Report, ApiError> {
    if caller.role == Role::Agent {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Reports are for supervisors and admins.",
        ));
    }
    let now = deps.clock.now();
    let param = |name: &str| params.get(name).map(String::as_str);
    let period =
        Period::parse(param("from"), param("to"), now.date_naive()).map_err(ApiError::invalid)?;
    let all = deps.catalog.categories().await?;
    let chosen: Vec<Category> = match param("category").map(str::trim).filter(|c| !c.is_empty()) {
        None => all,
        Some(id) => vec![
            all.into_iter()
                .find(|c| c.id.as_str() == id)
                .ok_or_else(|| ApiError::bad_field("category", "is not one of our categories"))?,
        ],
    };
    let agents = deps.catalog.agents().await?;
    let reports = Reports {
        tickets: &*deps.tickets,
        catalog: &*deps.catalog,
    };
    let mut report = reports.build(period, &chosen, &agents, now).await?;
    let ids: Vec<_> = chosen.iter().map(|c| c.id.clone()).collect();
    let tags = deps.tickets.tags_in_use().await?;
    report.tags =
        helpdesk_domain::reports::tags::tag_rows(&*deps.index, &tags, &ids, period).await?;
    Ok(report)
}

pub async fn report(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    respond(build(&deps, &caller, &params).await.map(Json))
}

pub async fn csv(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    respond(build(&deps, &caller, &params).await.map(|report| {
        let name = format!(
            "attachment; filename=\"helpdesk-report-{}-{}.csv\"",
            report.period.from, report.period.to
        );
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, name),
            ],
            to_csv(&report),
        )
            .into_response()
    }))
}

const CSV_HEADER: &str = "day,scope,id,name,opened,solved,closed,reopened,met,missed,compliance_percent,first_response_count,first_response_median_minutes,first_response_p90_minutes,resolution_count,resolution_median_minutes,resolution_p90_minutes,rated_good,rated_bad,csat_percent";

/// One row per day and scope that had anything: all categories together, each
/// category, each agent, each tier. Times are business minutes.
pub fn to_csv(report: &Report) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    let total = ScopeRow {
        id: String::new(),
        name: "All categories".into(),
        totals: report.totals.clone(),
        backlog: None,
        days: report.days.clone(),
    };
    let scopes = std::iter::once(("total", &total))
        .chain(report.categories.iter().map(|c| ("category", c)))
        .chain(report.agents.iter().map(|a| ("agent", a)))
        .chain(report.tiers.iter().map(|t| ("tier", t)));
    for (kind, scope) in scopes {
        for day in scope.days.iter().filter(|d| !empty(d)) {
            row(&mut out, kind, scope, day);
        }
    }
    out
}

fn empty(day: &DayRow) -> bool {
    let t = &day.totals;
    [
        t.opened,
        t.solved,
        t.closed,
        t.reopened,
        t.met,
        t.missed,
        t.rated_good,
        t.rated_bad,
    ]
    .iter()
    .all(|n| *n == 0)
        && t.first_response.count == 0
        && t.resolution.count == 0
}

fn row(out: &mut String, kind: &str, scope: &ScopeRow, day: &DayRow) {
    let t = &day.totals;
    let cells = [
        day.day.to_string(),
        kind.to_owned(),
        cell(&scope.id),
        cell(&scope.name),
        t.opened.to_string(),
        t.solved.to_string(),
        t.closed.to_string(),
        t.reopened.to_string(),
        t.met.to_string(),
        t.missed.to_string(),
        t.compliance
            .map(|c| format!("{:.1}", c * 100.0))
            .unwrap_or_default(),
    ];
    let mut line = cells.join(",");
    for s in [&t.first_response, &t.resolution] {
        write_time(&mut line, s);
    }
    let _ = write!(
        line,
        ",{},{},{}",
        t.rated_good,
        t.rated_bad,
        t.csat
            .map(|c| format!("{:.1}", c * 100.0))
            .unwrap_or_default()
    );
    out.push_str(&line);
    out.push_str("\r\n");
}

fn write_time(line: &mut String, s: &TimeSummary) {
    let minutes = |v: Option<f64>| v.map(|m| format!("{m:.0}")).unwrap_or_default();
    let _ = write!(
        line,
        ",{},{},{}",
        s.count,
        minutes(s.median),
        minutes(s.p90)
    );
}

/// A text cell: quoted when it holds a separator or quote, and never read by a
/// spreadsheet as a formula.
fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_quoted_and_never_formulas() {
        assert_eq!(cell("Billing"), "Billing");
        assert_eq!(cell("Sales, EU"), "\"Sales, EU\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(cell("-1,2"), "\"'-1,2\"");
    }
}
