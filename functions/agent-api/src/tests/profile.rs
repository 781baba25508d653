//! How an agent signs: each sets their own display name and signature, checked
//! field by field, and the replies they write carry it.

use super::*;
use helpdesk_domain::Author;
use helpdesk_domain::ports::TicketRecords;

#[tokio::test]
async fn an_agent_sets_how_they_sign_and_their_next_reply_carries_it() {
    let w = world().await;
    let (status, me) = w.get(ANA.0, ANA.1, "/api/agent/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        me["profile"]["public_name"], "ana",
        "the first word of the name"
    );
    assert_eq!(me["profile"]["display_name"], json!(null));

    let (status, saved) = w
        .send(
            ANA,
            "PUT",
            "/api/agent/me/profile",
            json!({"display_name": "  Ana  ", "signature": "Ana Lima\r\nBilling team\n"}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["public_name"], "Ana");
    assert_eq!(saved["signature"], "Ana Lima\nBilling team");
    let (_, me) = w.get(ANA.0, ANA.1, "/api/agent/me").await;
    assert_eq!(me["profile"]["display_name"], "Ana");
    // Only their own: the admin's agent list keeps role and categories as they were.
    let (_, agents) = w.get(ADAM.0, ADAM.1, "/api/agent/admin/agents").await;
    let ana = agents["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "ana")
        .unwrap()
        .clone();
    assert_eq!(ana["categories"], json!(["billing"]), "{ana}");

    let r = w.ticket("billing", "jane@example.com").await;
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("/api/agent/tickets/{r}/replies"),
            json!({"body": "Refunded.", "version": 1}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let thread = w.store.load_ticket(&r).await.unwrap();
    let reply = thread.messages.last().unwrap();
    let Author::Agent {
        signed: Some(by), ..
    } = &reply.author
    else {
        panic!("{:?}", reply.author)
    };
    assert_eq!(
        (by.name.as_str(), by.signature.as_deref()),
        ("Ana", Some("Ana Lima\nBilling team"))
    );

    // Emptied: back to the first word of the name, no signature.
    let (status, saved) = w
        .send(
            ANA,
            "PUT",
            "/api/agent/me/profile",
            json!({"display_name": "", "signature": null}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        (saved["public_name"].as_str(), saved["signature"].clone()),
        (Some("ana"), json!(null))
    );
}

#[tokio::test]
async fn a_name_that_could_forge_a_header_and_an_overlong_signature_are_named() {
    let w = world().await;
    for (body, field) in [
        (
            json!({"display_name": "Ana <boss@evil.example>"}),
            "display_name",
        ),
        (
            json!({"display_name": "Ana\r\nBcc: all@example.com"}),
            "display_name",
        ),
        (json!({"display_name": "x".repeat(41)}), "display_name"),
        (json!({"signature": "x".repeat(501)}), "signature"),
        (json!({"signature": "1\n2\n3\n4\n5\n6\n7"}), "signature"),
        (json!({"signature": "bell\u{7}"}), "signature"),
        (json!({"display_name": 5}), "body"),
        (json!({"role": "admin"}), "body"),
    ] {
        let (status, answer) = w
            .send(ANA, "PUT", "/api/agent/me/profile", body.clone())
            .await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(
            answer["error"]["fields"][0]["field"], field,
            "{body}: {answer}"
        );
    }
    let (_, me) = w.get(ANA.0, ANA.1, "/api/agent/me").await;
    assert_eq!(me["profile"]["display_name"], json!(null), "nothing saved");
    assert_eq!(me["agent"]["role"], "agent");
}
