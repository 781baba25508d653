//! Who is copied on our replies: the whole list set at once, checked, said on
//! the ticket, and recorded on each reply.

use super::*;
use helpdesk_domain::ports::TicketRecords;

#[tokio::test]
async fn an_agent_copies_people_on_replies_and_each_reply_says_who_got_it() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let path = format!("/api/agent/tickets/{r}/cc");
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &path,
            json!({"version": 1, "cc": ["boss@example.com", "Boss@Example.com", "ops@example.org"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["ticket"]["cc"],
        json!(["boss@example.com", "ops@example.org"]),
        "one per mailbox"
    );
    assert!(
        body["entries"][0]["body"]
            .as_str()
            .unwrap()
            .contains("set the Cc to boss@example.com, ops@example.org")
    );
    let (status, reply) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("/api/agent/tickets/{r}/replies"),
            json!({"body": "Done.", "version": 2}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        reply["entries"][0]["cc"],
        json!(["boss@example.com", "ops@example.org"])
    );
    let (status, _) = w
        .post(ANA.0, ANA.1, &path, json!({"version": 3, "cc": []}))
        .await;
    assert_eq!(status, 200);
    assert!(w.store.load_ticket(&r).await.unwrap().ticket.cc.is_empty());
}

#[tokio::test]
async fn a_bad_cc_is_named_and_nothing_changes() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let path = format!("/api/agent/tickets/{r}/cc");
    let eleven: Vec<String> = (0..11).map(|i| format!("p{i}@example.com")).collect();
    for (cc, field) in [
        (json!(["ok@example.com", "not an address"]), "cc[1]"),
        (json!(["Jane+copy@Example.com"]), "cc"),
        (json!(eleven), "cc"),
        (json!([]), "cc"),
        (json!("boss@example.com"), "cc"),
    ] {
        let (status, body) = w
            .post(ANA.0, ANA.1, &path, json!({"version": 1, "cc": cc}))
            .await;
        assert_eq!(status, 400, "{cc}: {body}");
        assert_eq!(body["error"]["fields"][0]["field"], field, "{cc}: {body}");
    }
    let t = w.store.load_ticket(&r).await.unwrap();
    assert_eq!((t.ticket.version, t.ticket.cc.len()), (1, 0));
    // Someone without the category: as missing as ever.
    let (status, _) = w
        .post(
            BEN.0,
            BEN.1,
            &path,
            json!({"version": 1, "cc": ["x@example.com"]}),
        )
        .await;
    assert_eq!(status, 404);
}
