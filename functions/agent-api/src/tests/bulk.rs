//! One change to many tickets: each its own conditional write, the refused ones
//! said with why, and bad requests named field by field.

use super::*;

fn item(r: &TicketRef, version: u64) -> Value {
    json!({"reference": r.to_string(), "version": version})
}

#[tokio::test]
async fn a_bulk_change_writes_each_ticket_on_its_own_and_says_which_were_refused() {
    let w = world().await;
    let a = w.ticket("billing", "a@example.com").await;
    let b = w.ticket("billing", "b@example.com").await;
    let foreign = w.ticket("technical", "c@example.com").await;
    // b changes after ana loaded the queue.
    let (status, _) = w
        .post(
            SUE.0,
            SUE.1,
            &format!("/api/agent/tickets/{b}/priority"),
            json!({"priority": "high", "version": 1}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, done) = w
        .post(
            ANA.0,
            ANA.1,
            "/api/agent/tickets/bulk",
            json!({"tickets": [item(&a, 1), item(&b, 1), item(&foreign, 1)],
                   "action": {"kind": "assign", "agent": "ana"}}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(
        (done["changed"].as_u64(), done["refused"].as_u64()),
        (Some(1), Some(2))
    );
    let outcomes: Vec<(&str, &str)> = done["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["reference"].as_str().unwrap(),
                r["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    let (a_s, b_s, f_s) = (a.to_string(), b.to_string(), foreign.to_string());
    assert_eq!(
        outcomes,
        [
            (a_s.as_str(), "changed"),
            (b_s.as_str(), "changed_meanwhile"),
            (f_s.as_str(), "not_found")
        ]
    );
    assert_eq!(done["results"][0]["ticket"]["assignee"], "ana");
    assert_eq!(done["results"][0]["ticket"]["version"], 2);
    let now = |r: &TicketRef| {
        let store = w.store.clone();
        let r = r.clone();
        async move { store.load_ticket(&r).await.unwrap().ticket }
    };
    assert_eq!(
        now(&b).await.assignee,
        None,
        "nothing written on a refused one"
    );
    assert_eq!(now(&foreign).await.assignee, None);
    // An agent may not hand tickets to someone else; a supervisor may.
    let (_, refused) = w
        .post(
            ANA.0,
            ANA.1,
            "/api/agent/tickets/bulk",
            json!({"tickets": [item(&b, 2)], "action": {"kind": "assign", "agent": "bea"}}),
        )
        .await;
    assert_eq!(refused["results"][0]["outcome"], "not_allowed", "{refused}");
    let (_, moved) = w
        .post(
            SUE.0,
            SUE.1,
            "/api/agent/tickets/bulk",
            json!({"tickets": [item(&a, 2), item(&b, 2), item(&foreign, 1)],
                   "action": {"kind": "priority", "priority": "urgent"}}),
        )
        .await;
    assert_eq!(moved["changed"], 3, "{moved}");
    assert_eq!(now(&foreign).await.priority.as_str(), "urgent");
}

#[tokio::test]
async fn bad_bulk_requests_are_refused_naming_the_field_and_change_nothing() {
    let w = world().await;
    let a = w.ticket("billing", "a@example.com").await;
    let many: Vec<Value> = (0..101).map(|_| item(&a, 1)).collect();
    for (body, field) in [
        (
            json!({"tickets": [], "action": {"kind": "priority", "priority": "high"}}),
            "tickets",
        ),
        (
            json!({"tickets": many, "action": {"kind": "priority", "priority": "high"}}),
            "tickets",
        ),
        (
            json!({"tickets": [item(&a, 1), item(&a, 1)], "action": {"kind": "priority", "priority": "high"}}),
            "tickets",
        ),
        (
            json!({"tickets": [item(&a, 1), {"reference": "NOT-A-REF", "version": 1}], "action": {"kind": "priority", "priority": "high"}}),
            "tickets[1].reference",
        ),
        (
            json!({"tickets": [item(&a, 1)], "action": {"kind": "category", "category": "Not A Slug!"}}),
            "action.category",
        ),
        (
            json!({"tickets": [item(&a, 1)], "action": {"kind": "reply", "body": "hi"}}),
            "body",
        ),
        (
            json!({"tickets": [item(&a, 1)], "action": {"kind": "priority", "priority": "meh"}}),
            "body",
        ),
        (json!({"tickets": [item(&a, 1)]}), "body"),
        (
            json!({"tickets": [item(&a, 1)], "action": {"kind": "priority", "priority": "high"}, "all": true}),
            "body",
        ),
    ] {
        let (status, error) = w
            .post(ANA.0, ANA.1, "/api/agent/tickets/bulk", body.clone())
            .await;
        assert_eq!(status, 400, "{body}: {error}");
        assert_eq!(
            error["error"]["fields"][0]["field"], field,
            "{body}: {error}"
        );
    }
    assert_eq!(w.store.load_ticket(&a).await.unwrap().ticket.version, 1);
}

#[tokio::test]
async fn tags_go_on_and_off_one_ticket_or_many_and_are_offered_once_used() {
    let w = world().await;
    let a = w.ticket("billing", "a@example.com").await;
    let b = w.ticket("billing", "b@example.com").await;
    let (status, done) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("/api/agent/tickets/{a}/tags"),
            json!({"version": 1, "add": ["Refund", "#VIP"], "remove": []}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["ticket"]["tags"], json!(["refund", "vip"]));
    assert_eq!(done["entries"][0]["body"], "Tagged refund, vip.");
    let (_, used) = w.get(ANA.0, ANA.1, "/api/agent/tags").await;
    assert_eq!(used["tags"], json!(["refund", "vip"]));
    // In bulk: on both, one of them already carrying it.
    let (_, bulk) = w
        .post(
            ANA.0,
            ANA.1,
            "/api/agent/tickets/bulk",
            json!({"tickets": [item(&a, 2), item(&b, 1)],
                   "action": {"kind": "tag", "add": ["kettle-k2"], "remove": ["vip"]}}),
        )
        .await;
    assert_eq!(bulk["changed"], 2, "{bulk}");
    assert_eq!(
        bulk["results"][0]["ticket"]["tags"],
        json!(["kettle-k2", "refund"])
    );
    assert_eq!(bulk["results"][1]["ticket"]["tags"], json!(["kettle-k2"]));
    // Queues show them.
    let (_, queue) = w.get(ANA.0, ANA.1, "/api/agent/tickets?view=all").await;
    let shown: Vec<&Value> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["tags"])
        .collect();
    assert!(shown.contains(&&json!(["kettle-k2", "refund"])), "{queue}");
    // Bad tags are named; more than ten on a ticket is refused; nothing written.
    for (body, field) in [
        (
            json!({"version": 3, "add": ["two words"], "remove": []}),
            "add[0]",
        ),
        (
            json!({"version": 3, "add": ["ok", "x".repeat(33)], "remove": []}),
            "add[1]",
        ),
        (
            json!({"version": 3, "add": [], "remove": ["<b>"]}),
            "remove[0]",
        ),
    ] {
        let (status, error) = w
            .post(
                ANA.0,
                ANA.1,
                &format!("/api/agent/tickets/{a}/tags"),
                body.clone(),
            )
            .await;
        assert_eq!(status, 400, "{body}: {error}");
        assert_eq!(error["error"]["fields"][0]["field"], field, "{error}");
    }
    let eleven: Vec<String> = (0..11).map(|n| format!("t{n}")).collect();
    let (status, error) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("/api/agent/tickets/{a}/tags"),
            json!({"version": 3, "add": eleven, "remove": []}),
        )
        .await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["fields"][0]["field"], "tags");
    assert_eq!(w.store.load_ticket(&a).await.unwrap().ticket.version, 3);
    // A tag on a ticket of a category the caller does not cover: as if missing.
    let other = w.ticket("technical", "c@example.com").await;
    let (status, _) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("/api/agent/tickets/{other}/tags"),
            json!({"version": 1, "add": ["x"], "remove": []}),
        )
        .await;
    assert_eq!(status, 404);
}
