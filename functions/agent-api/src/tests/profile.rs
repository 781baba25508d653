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

#[tokio::test]
async fn an_agent_chooses_their_alerts_and_bad_choices_name_the_field() {
    let w = world().await;
    let (_, me) = w.get(ANA.0, ANA.1, "/api/agent/me").await;
    // Before any choice: SLA warnings only, at once.
    assert_eq!(
        me["profile"]["alerts"],
        json!({"new_ticket": false, "assigned": false, "customer_replied": false,
               "sla_warning": true, "digest_minutes": null})
    );
    let choices = json!({"new_ticket": true, "assigned": true, "customer_replied": true,
                         "sla_warning": false, "digest_minutes": 30});
    let (status, saved) = w
        .send(ANA, "PUT", "/api/agent/me/alerts", choices.clone())
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["alerts"], choices);
    let (_, me) = w.get(ANA.0, ANA.1, "/api/agent/me").await;
    assert_eq!(me["profile"]["alerts"], choices);
    // Nobody else's record changes.
    let (_, ben) = w.get(BEN.0, BEN.1, "/api/agent/me").await;
    assert_eq!(
        ben["profile"]["alerts"],
        json!({"new_ticket": false, "assigned": false, "customer_replied": false,
               "sla_warning": true, "digest_minutes": null})
    );

    for (body, field) in [
        (json!({"digest_minutes": 45}), "digest_minutes"),
        (json!({"digest_minutes": -15}), "body"),
        (json!({"new_ticket": "yes"}), "body"),
        (json!({"new_ticket": true, "everything": true}), "body"),
    ] {
        let (status, error) = w
            .send(ANA, "PUT", "/api/agent/me/alerts", body.clone())
            .await;
        assert_eq!(status, 400, "{body}: {error}");
        let named = error.to_string();
        assert!(named.contains(field), "{body}: {error}");
    }
    let (_, me) = w.get(ANA.0, ANA.1, "/api/agent/me").await;
    assert_eq!(
        me["profile"]["alerts"], choices,
        "a refused change changes nothing"
    );
}

#[tokio::test]
async fn the_consoles_poll_marks_the_agent_present_and_leaving_marks_them_away() {
    use helpdesk_domain::ports::Presence;
    let w = world().await;
    let ana = fixtures::agent_id("ana");
    assert_eq!(w.store.agents_seen().await.unwrap().get(&ana), None);
    let (status, _) = w.get(ANA.0, ANA.1, "/api/agent/notifications").await;
    assert_eq!(status, 200);
    assert_eq!(
        w.store.agents_seen().await.unwrap().get(&ana).copied(),
        Some(w.clock.now())
    );
    let (status, body) = w.send(ANA, "POST", "/api/agent/me/away", json!({})).await;
    assert_eq!(status, 204, "{body}");
    let seen = w.store.agents_seen().await.unwrap().get(&ana).copied();
    assert!(
        !helpdesk_domain::agents::alerts::active(seen, w.clock.now()),
        "away at once: {seen:?}"
    );
    // Only the caller's own presence.
    w.get(BEN.0, BEN.1, "/api/agent/notifications").await;
    w.send(ANA, "POST", "/api/agent/me/away", json!({})).await;
    let ben = w
        .store
        .agents_seen()
        .await
        .unwrap()
        .get(&fixtures::agent_id("ben"))
        .copied();
    assert!(
        helpdesk_domain::agents::alerts::active(ben, w.clock.now()),
        "ben is still in the console: {ben:?}"
    );
    // Without a session: refused.
    let (status, _) = w.call(None, "POST", "/api/agent/me/away", None).await;
    assert!(status == 401 || status == 403, "{status}");
}

#[tokio::test]
async fn an_assignment_stores_an_alert_for_the_assignee_with_the_change() {
    use helpdesk_domain::mail::outbound::job::MailKind;
    use helpdesk_domain::ports::Outbox;
    let w = world().await;
    w.send(
        ANA,
        "PUT",
        "/api/agent/me/alerts",
        json!({"assigned": true}),
    )
    .await;
    let r = w.ticket("billing", "jane@example.com").await;
    let (status, body) = w
        .post(
            SUE.0,
            SUE.1,
            &format!("/api/agent/tickets/{r}/assignee"),
            json!({"agent": "ana", "version": 1}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let alerts: Vec<_> = w
        .queue
        .jobs()
        .into_iter()
        .filter(|j| j.kind == MailKind::Alert)
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].recipient.as_str(), "ana@helpdesk.test");
    // Stored with the change, whole (send-reply reads it from there).
    let (stored, _) = w
        .store
        .outbox_item(&alerts[0].outbox_id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.alert.is_some());
}
