//! Who gets in: tokens, roles, the 404 rule for other categories, and the error
//! shape of every refusal.

use super::*;

#[tokio::test]
async fn every_route_answers_404_for_a_ticket_outside_the_agents_categories() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let missing = TicketRef::from_bits(999_999);
    let writes = [
        ("replies", json!({"version": 1, "body": "Hi"})),
        ("notes", json!({"version": 1, "body": "Hm"})),
        ("assignee", json!({"version": 1, "agent": "ben"})),
        ("status", json!({"version": 1, "status": "open"})),
        ("priority", json!({"version": 1, "priority": "high"})),
        ("category", json!({"version": 1, "category": "sales"})),
    ];
    for reference in [&r, &missing] {
        let base = format!("/api/agent/tickets/{reference}");
        let (status, body) = w.get(BEN.0, BEN.1, &base).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("not_found"))
        );
        for (action, body) in &writes {
            let (status, answer) = w
                .post(BEN.0, BEN.1, &format!("{base}/{action}"), body.clone())
                .await;
            assert_eq!(
                (status, answer["error"]["code"].as_str()),
                (404, Some("not_found")),
                "{action} on {reference}"
            );
        }
    }
    // Nothing changed, and the billing agent still sees it as it was.
    let (status, body) = w
        .get(ANA.0, ANA.1, &format!("/api/agent/tickets/{r}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["ticket"]["version"], 1);
    assert_eq!(body["thread"].as_array().unwrap().len(), 1);
    assert!(w.queue.jobs().is_empty());

    // Not in his lists or counts either, and he can't ask for that category.
    let (_, list) = w.get(BEN.0, BEN.1, "/api/agent/tickets").await;
    assert_eq!(list["items"], json!([]));
    let (status, body) = w
        .get(BEN.0, BEN.1, "/api/agent/tickets?category=billing")
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("category"))
    );
    let (_, counts) = w.get(BEN.0, BEN.1, "/api/agent/counts").await;
    assert_eq!(counts["views"]["all"], 0);
    let (_, counts) = w.get(ANA.0, ANA.1, "/api/agent/counts").await;
    assert_eq!(counts["views"]["all"], 1);
    assert_eq!(counts["views"]["unassigned"], 1);
    // The supervisor sees every category.
    let (status, _) = w
        .get(SUE.0, SUE.1, &format!("/api/agent/tickets/{r}"))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn only_a_verified_access_token_of_a_known_agent_gets_in() {
    let w = world().await;
    let (status, body) = w.call(None, "GET", "/api/agent/me", None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, body) = w.get("stranger", "agents", "/api/agent/me").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("no_agent_profile"))
    );
    let (status, body) = w.get("ana", "customers", "/api/agent/me").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("no_role"))
    );
    let (status, me) = w.get(ANA.0, ANA.1, "/api/agent/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["agent"]["role"], "agent");
    assert_eq!(
        me["categories"],
        json!([{"id": "billing", "name": "Category billing"}])
    );
    let colleagues: Vec<&str> = me["colleagues"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(colleagues, vec!["adam", "ana", "bea", "sue"]);
}

#[test]
fn routes_are_unique() {
    let mut seen = std::collections::HashSet::new();
    for r in Route::ALL {
        assert!(seen.insert(r.method_and_path()), "{r:?}");
    }
}

#[tokio::test]
async fn errors_made_before_any_handler_runs_are_json_too() {
    let w = world().await;
    let (status, body) = w
        .call(
            Some(("ana", "agents")),
            "DELETE",
            "/api/agent/tickets",
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (405, Some("method_not_allowed")),
        "{body}"
    );
    let (status, body) = w.get("ana", "agents", "/api/agent/tickets/%ff").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_request")),
        "{body}"
    );
}
