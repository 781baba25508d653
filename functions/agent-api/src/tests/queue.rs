//! The console's queues, counts and the notification poll.

use super::*;

#[tokio::test]
async fn the_queue_pages_without_gaps_and_the_counts_follow_the_work() {
    let w = world().await;
    let mut refs = Vec::new();
    for i in 0..7 {
        refs.push(w.ticket("billing", &format!("c{i}@example.com")).await);
        w.clock.advance(chrono::Duration::minutes(1));
    }
    let mut seen = Vec::new();
    let mut path = "/api/agent/tickets?view=unassigned&limit=3".to_owned();
    let mut pages = 0;
    loop {
        let (status, page) = w.get(ANA.0, ANA.1, &path).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["reference"].as_str().unwrap().to_owned()),
        );
        match page["next"].as_str() {
            Some(next) => {
                path = format!("/api/agent/tickets?view=unassigned&limit=3&cursor={next}")
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        refs.iter().map(ToString::to_string).collect::<Vec<_>>()
    );

    // Ana takes one: unassigned drops, hers rises, and "mine" lists it.
    let (status, done) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("/api/agent/tickets/{}/assignee", refs[2]),
            json!({"version": 1, "agent": "ana"}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["entries"][0]["body"], "ana took the ticket.");
    let (_, counts) = w.get(ANA.0, ANA.1, "/api/agent/counts").await;
    assert_eq!(counts["views"]["unassigned"], 6);
    assert_eq!(counts["views"]["mine"], 1);
    let (_, mine) = w.get(ANA.0, ANA.1, "/api/agent/tickets?view=mine").await;
    assert_eq!(mine["items"][0]["reference"], refs[2].to_string());

    let (status, body) = w
        .get(
            ANA.0,
            ANA.1,
            "/api/agent/tickets?view=someday&limit=500&colour=red",
        )
        .await;
    assert_eq!(status, 400);
    let mut fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, vec!["colour", "limit", "view"]);
    let (status, body) = w
        .get(ANA.0, ANA.1, "/api/agent/tickets?cursor=bm90LWEtY3Vyc29y")
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_cursor"))
    );
}

#[tokio::test]
async fn the_notification_poll_reports_what_arrived_since_its_cursor() {
    let w = world().await;
    w.ticket("billing", "old@example.com").await;
    let (status, first) = w.get(ANA.0, ANA.1, "/api/agent/notifications").await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["new_tickets"], json!([]));
    let cursor = first["cursor"].as_str().unwrap().to_owned();
    w.clock.advance(chrono::Duration::minutes(1));
    let fresh = w.ticket("billing", "new@example.com").await;
    w.ticket("technical", "elsewhere@example.com").await;
    let (_, next) = w
        .get(
            ANA.0,
            ANA.1,
            &format!("/api/agent/notifications?since={cursor}"),
        )
        .await;
    let arrived: Vec<&str> = next["new_tickets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["reference"].as_str())
        .collect();
    assert_eq!(arrived, vec![fresh.to_string()]);
    assert_eq!(next["counts"]["views"]["all"], 2);
    let (_, again) = w
        .get(
            ANA.0,
            ANA.1,
            &format!(
                "/api/agent/notifications?since={}",
                next["cursor"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(again["new_tickets"], json!([]));
    let (status, _) = w
        .get(ANA.0, ANA.1, "/api/agent/notifications?since=garbage")
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_forged_notification_cursor_with_extreme_counts_answers_without_panicking() {
    use base64::Engine;
    let w = world().await;
    w.ticket("billing", "old@example.com").await;
    for count in [i64::MIN, i64::MAX, -1] {
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!(r#"{{"billing":{count},"technical":{count}}}"#));
        let (status, body) = w
            .get(
                ANA.0,
                ANA.1,
                &format!("/api/agent/notifications?since={forged}"),
            )
            .await;
        assert_eq!(status, 200, "{count}: {body}");
        assert!(
            body["new_tickets"].as_array().unwrap().len() <= 10,
            "{body}"
        );
    }
}

#[tokio::test]
async fn customer_replies_since_the_cursor_are_counted_per_category_the_agent_covers() {
    use helpdesk_domain::ports::TicketRecords;
    use helpdesk_domain::ports::store::TicketUpdate;
    let w = world().await;
    let billing = w.ticket("billing", "jane@example.com").await;
    let technical = w.ticket("technical", "tom@example.com").await;
    let (_, first) = w.get(ANA.0, ANA.1, "/api/agent/notifications").await;
    assert_eq!(first["customer_replies"], json!([]));
    let cursor = first["cursor"].as_str().unwrap().to_owned();
    // The customers write again (twice on billing, once on technical).
    for r in [&billing, &billing, &technical] {
        let before = w.store.load_ticket(r).await.unwrap().ticket;
        let mut message = fixtures::agent_reply(&*w.ids, &before, "x", w.clock.now());
        message.kind = helpdesk_domain::MessageKind::Customer;
        message.author = helpdesk_domain::Author::Customer {
            name: before.requester.name.clone(),
            email: before.requester.email.clone(),
        };
        let mut after = before.clone();
        after.updated_at = w.clock.now();
        w.store
            .update_ticket(TicketUpdate::new(&before, after, vec![message]))
            .await
            .unwrap();
    }
    let (_, next) = w
        .get(
            ANA.0,
            ANA.1,
            &format!("/api/agent/notifications?since={cursor}"),
        )
        .await;
    assert_eq!(
        next["customer_replies"],
        json!([{"category": "billing", "name": "Category billing", "count": 2}]),
        "only ana's category: {next}"
    );
    let (_, again) = w
        .get(
            ANA.0,
            ANA.1,
            &format!(
                "/api/agent/notifications?since={}",
                next["cursor"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(again["customer_replies"], json!([]));
    // A cursor from before replies were counted still works.
    use base64::Engine;
    let old = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"billing":1}"#);
    let (status, body) = w
        .get(
            ANA.0,
            ANA.1,
            &format!("/api/agent/notifications?since={old}"),
        )
        .await;
    assert_eq!((status, body["customer_replies"].clone()), (200, json!([])));
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
        r#"{{"received":{{"billing":{min}}},"replied":{{"billing":{min}}}}}"#,
        min = i64::MIN
    ));
    let (status, _) = w
        .get(
            ANA.0,
            ANA.1,
            &format!("/api/agent/notifications?since={forged}"),
        )
        .await;
    assert_eq!(status, 200, "extreme counts answer without panicking");
}
