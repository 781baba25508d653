//! Reports on the local stack, cross-checked against the tickets the test made:
//! three requests, one answered and solved, one answered and waiting, one
//! untouched, and a help-center search that found nothing.
#![allow(clippy::unwrap_used)]

use crate::sla::Desk;
use helpdesk_domain::Status;
use serde_json::{Value, json};
use std::sync::Arc;
use testkit::local::unique;

/// The help center's FAQ search through submit-form.
async fn search_faq(desk: &Desk, q: &str) -> Value {
    let config = lambda_kit::config::SubmitFormConfig::from_source(&desk.env.vars).unwrap();
    let public = submit_form::router(Arc::new(submit_form::Deps::connect(
        &testkit::iam::recorded(&desk.env.aws, "submit-form"),
        &config,
    )));
    let mut event: Value = serde_json::from_str(&testkit::events::event_text(
        "submit-form.apigw.categories.json",
    ))
    .unwrap();
    let query = format!("category=billing&q={}", q.replace(' ', "+"));
    event["rawPath"] = json!("/api/faq");
    event["requestContext"]["http"]["path"] = json!("/api/faq");
    event["queryStringParameters"] = testkit::events::query_parameters(&query);
    event["rawQueryString"] = json!(query);
    let (status, body) = crate::functions::invoke(public, &event.to_string()).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn report_figures_match_the_tickets_behind_them() {
    let desk = Desk::new().await;
    let solved = desk.submit(&format!("{}@example.com", unique("rs"))).await;
    let waiting = desk.submit(&format!("{}@example.com", unique("rw"))).await;
    let untouched = desk.submit(&format!("{}@example.com", unique("ru"))).await;
    desk.ana_does(&solved, "assignee", json!({"agent": "ana"}))
        .await;
    desk.ana_does(
        &solved,
        "replies",
        json!({"body": "Refunded.", "solve": true}),
    )
    .await;
    desk.ana_does(&waiting, "replies", json!({"body": "Which order?"}))
        .await;
    // Words only, as the help center normalizes queries.
    let phrase = unique("unanswered query").replace('-', " ");
    search_faq(&desk, &phrase).await;

    let tickets = [
        desk.ticket(&solved).await.0,
        desk.ticket(&waiting).await.0,
        desk.ticket(&untouched).await.0,
    ];
    assert_eq!(tickets[0].status, Status::Resolved);
    assert_eq!(tickets[1].status, Status::WaitingOnCustomer);

    let (status, body) = desk
        .agent_in("ana", "agents", "GET", "/api/agent/reports", None)
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, r) = desk
        .agent_in(
            "sue",
            "supervisors",
            "GET",
            "/api/agent/reports?category=billing",
            None,
        )
        .await;
    assert_eq!(status, 200, "{r}");

    // Counts.
    let totals = &r["totals"];
    assert_eq!(totals["opened"], 3);
    assert_eq!(totals["solved"], 1);
    assert_eq!(totals["closed"], 0);
    let kept: u32 = tickets.iter().map(|t| t.sla.targets_met.0).sum();
    let missed: u32 = tickets.iter().map(|t| t.sla.targets_met.1).sum();
    assert_eq!(
        (totals["met"].as_u64(), totals["missed"].as_u64()),
        (Some(u64::from(kept)), Some(u64::from(missed)))
    );
    assert!(
        kept >= 3,
        "two first answers and one solution were in time: {kept}"
    );

    // Times: as many as the tickets hold, with their exact mean.
    let answered: Vec<u32> = tickets
        .iter()
        .filter_map(|t| t.sla.first_response_minutes)
        .collect();
    assert_eq!(answered.len(), 2);
    let first = &totals["first_response"];
    assert_eq!(first["count"], 2);
    let mean = f64::from(answered.iter().sum::<u32>()) / 2.0;
    assert!(
        (first["mean"].as_f64().unwrap() - mean).abs() < 1e-9,
        "{first}"
    );
    let resolution = &totals["resolution"];
    assert_eq!(resolution["count"], 1);
    let minutes = tickets[0].sla.resolution_minutes.unwrap();
    assert_eq!(resolution["mean"].as_f64(), Some(f64::from(minutes)));

    // Each ticket's day row counts the tickets opened that day (all three but for
    // a run that crosses midnight); the agent's row what happened to her tickets.
    for t in &tickets {
        let on = t.created_at.date_naive();
        let day = r["days"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["day"] == on.to_string().as_str())
            .unwrap_or_else(|| panic!("no row for {on}: {}", r["days"]));
        let opened = tickets
            .iter()
            .filter(|u| u.created_at.date_naive() == on)
            .count();
        assert_eq!(day["totals"]["opened"].as_u64(), Some(opened as u64));
    }
    let ana = r["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "ana")
        .unwrap();
    let ana_solved = tickets
        .iter()
        .filter(|t| {
            t.status == Status::Resolved && t.assignee.as_ref().is_some_and(|a| a.as_str() == "ana")
        })
        .count();
    assert_eq!(ana["totals"]["solved"].as_u64(), Some(ana_solved as u64));
    assert!(
        !r["agents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == "ben"),
        "ben covers no billing"
    );

    // Backlog: the waiting and the untouched ticket, both under a day old.
    let backlog = &r["backlog"];
    assert_eq!(
        (
            backlog["tickets"].as_i64(),
            backlog["new"].as_i64(),
            backlog["waiting"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(backlog["ages"][0]["tickets"], 2);
    assert_eq!(r["categories"][0]["backlog"], 2);

    // The search that found nothing is at the top of the unanswered list.
    let faq = &r["faq"];
    assert_eq!(faq["unanswered"][0]["query"], phrase.as_str());
    assert_eq!(faq["unanswered"][0]["zero_results"], 1);
    assert_eq!(faq["unanswered"][0]["category"], "billing");
}
