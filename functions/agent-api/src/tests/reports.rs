//! The reports supervisors and admins read.

use super::*;

#[tokio::test]
async fn reports_count_what_agents_did_for_supervisors_only() {
    let w = world().await;
    let solved = w.ticket("billing", "jane@example.com").await;
    let _waiting = w.ticket("billing", "joe@example.com").await;
    let _sales = w.ticket("sales", "sam@example.com").await;
    let base = format!("/api/agent/tickets/{solved}");
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("{base}/assignee"),
            json!({"version": 1, "agent": "ana"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("{base}/status"),
            json!({"version": 2, "status": "resolved"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = w.get(ANA.0, ANA.1, "/api/agent/reports").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let (status, r) = w.get(SUE.0, SUE.1, "/api/agent/reports").await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["days"].as_array().unwrap().len(), 30);
    assert_eq!(
        (
            r["totals"]["opened"].as_i64(),
            r["totals"]["solved"].as_i64()
        ),
        (Some(3), Some(1))
    );
    let billing = &r["categories"][0];
    assert_eq!(
        (
            billing["id"].as_str(),
            billing["totals"]["opened"].as_i64(),
            billing["backlog"].as_i64()
        ),
        (Some("billing"), Some(2), Some(1))
    );
    let ana = r["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "ana")
        .unwrap();
    assert_eq!(ana["totals"]["solved"].as_i64(), Some(1));
    assert_eq!(
        (
            r["backlog"]["tickets"].as_i64(),
            r["backlog"]["new"].as_i64()
        ),
        (Some(2), Some(2))
    );
    assert_eq!(r["backlog"]["ages"][0]["tickets"].as_i64(), Some(2));

    // One category: its figures, and only the agents who cover it.
    let (_, r) = w
        .get(SUE.0, SUE.1, "/api/agent/reports?category=billing")
        .await;
    assert_eq!(r["totals"]["opened"].as_i64(), Some(2));
    let agents: Vec<&str> = r["agents"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert!(
        agents.contains(&"ana") && !agents.contains(&"ben"),
        "{agents:?}"
    );

    for (query, field) in [
        ("category=nope", "category"),
        ("from=yesterday", "from"),
        ("from=2026-01-02&to=2026-01-01", "from"),
        ("to=2026-02-30", "to"),
    ] {
        let (status, body) = w
            .get(SUE.0, SUE.1, &format!("/api/agent/reports?{query}"))
            .await;
        assert_eq!(
            (status, body["error"]["fields"][0]["field"].as_str()),
            (400, Some(field)),
            "{query}: {body}"
        );
    }

    let (status, csv) = w
        .call_raw(Some(SUE), "GET", "/api/agent/reports/csv", None)
        .await;
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("day,scope,id,name,opened,solved"),
        "{csv}"
    );
    let today = w.clock.now().date_naive().to_string();
    assert!(
        lines
            .contains(&format!("{today},total,,All categories,3,1,0,0,0,0,,0,,,0,,,0,0,").as_str()),
        "{csv}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{today},category,billing,"))),
        "{csv}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{today},agent,ana,"))),
        "{csv}"
    );
    assert_eq!(
        w.call_raw(Some(ANA), "GET", "/api/agent/reports/csv", None)
            .await
            .0,
        403
    );
}
