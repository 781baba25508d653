//! Macros: canned replies with actions, kept by supervisors and admins, taken
//! with the reply in one change, only where they belong.

use super::*;
use helpdesk_domain::ports::TicketRecords;

impl World {
    async fn macro_of(&self, who: (&str, &str), category: &str, then: Value) -> (u16, Value) {
        self.post(
            who.0,
            who.1,
            "/api/agent/canned",
            json!({"title": "Refund done", "body": "Refunded, {{customer_name}}.", "category": category, "actions": then}),
        )
        .await
    }
}

#[tokio::test]
async fn a_macro_sends_its_reply_and_takes_its_actions_in_one_change() {
    let w = world().await;
    let then = json!({"solve": true, "priority": "high", "assign": "sender"});
    let (status, made) = w.macro_of(SUE, "billing", then).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(
        made["actions_text"],
        "solves it, sets priority high, assigns it to the sender"
    );
    let id = made["id"].as_str().unwrap().to_owned();
    let r = w.ticket("billing", "jane@example.com").await;
    let (status, done) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("/api/agent/tickets/{r}/replies"),
            json!({"body": "Refunded, Jane.", "version": 1, "macro": id}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    let t = w.store.load_ticket(&r).await.unwrap();
    assert_eq!(t.ticket.status, helpdesk_domain::Status::Resolved);
    assert_eq!(t.ticket.priority, helpdesk_domain::Priority::High);
    assert_eq!(t.ticket.assignee.as_ref().map(|a| a.as_str()), Some("ana"));
    let said: Vec<&str> = done["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["body"].as_str().unwrap())
        .collect();
    assert_eq!(said.len(), 2, "{done}");
    assert!(said[1].contains("priority normal → high"), "{said:?}");
    assert_eq!(t.ticket.version, 2, "one write");
    assert_eq!(w.queue.jobs().len(), 1, "the reply's mail, nothing more");
}

#[tokio::test]
async fn only_supervisors_keep_macros_and_a_macro_works_only_where_it_belongs() {
    let w = world().await;
    let (status, _) = w.macro_of(ANA, "billing", json!({"solve": true})).await;
    assert_eq!(status, 403, "an agent keeps plain canned replies only");
    let (_, sues) = w
        .macro_of(SUE, "billing", json!({"priority": "urgent"}))
        .await;
    let billing_macro = sues["id"].as_str().unwrap().to_owned();
    let (status, _) = w
        .send(
            ANA,
            "PUT",
            &format!("/api/agent/canned/{billing_macro}"),
            json!({"title": "Mine now", "body": "x", "category": "billing"}),
        )
        .await;
    assert_eq!(
        status, 403,
        "nor changes a supervisor's macro (and drops its actions)"
    );
    for (then, field) in [
        (json!({"priority": "whenever"}), "actions"),
        (json!({"solve": true, "tags": ["x"]}), "actions"),
        (json!({"category": "nowhere"}), "actions"),
    ] {
        let (status, body) = w.macro_of(SUE, "billing", then.clone()).await;
        assert_eq!(status, 400, "{then}: {body}");
        assert_eq!(body["error"]["fields"][0]["field"], field, "{then}: {body}");
    }

    let (_, tech) = w.macro_of(SUE, "technical", json!({"solve": true})).await;
    let (_, mover) = w
        .macro_of(SUE, "billing", json!({"category": "technical"}))
        .await;
    let r = w.ticket("billing", "jane@example.com").await;
    let path = format!("/api/agent/tickets/{r}/replies");
    for (id, why) in [
        (tech["id"].as_str().unwrap(), "of another category"),
        ("no-such-macro", "unknown"),
        ("Not An Id!", "malformed"),
        (
            mover["id"].as_str().unwrap(),
            "moves it where the agent does not work",
        ),
    ] {
        let (status, body) = w
            .post(
                ANA.0,
                ANA.1,
                &path,
                json!({"body": "Hello.", "version": 1, "macro": id}),
            )
            .await;
        assert_eq!(status, 400, "{why}: {body}");
        assert_eq!(
            body["error"]["fields"][0]["field"], "macro",
            "{why}: {body}"
        );
    }
    let t = w.store.load_ticket(&r).await.unwrap();
    assert_eq!(
        (t.ticket.version, t.messages.len()),
        (1, 1),
        "nothing written"
    );
    assert!(w.queue.jobs().is_empty());
    // Ben works on technical, not billing: the ticket is as missing as ever.
    let (status, _) = w
        .post(
            BEN.0,
            BEN.1,
            &path,
            json!({"body": "Hello.", "version": 1, "macro": billing_macro}),
        )
        .await;
    assert_eq!(status, 404);
}
