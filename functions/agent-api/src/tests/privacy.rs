//! The customer's data and the audit log: admins only, an export stored and
//! linked, erasing confirmed by the address typed again, and every admin change
//! logged without a customer's address.

use super::*;
use helpdesk_domain::ports::AttachmentStore;

#[tokio::test]
async fn only_admins_export_erase_or_read_the_log() {
    let w = world().await;
    w.ticket("billing", "jane@example.com").await;
    for who in [ANA, SUE] {
        for (method, path, body) in [
            ("POST", "/api/agent/customers/jane@example.com/export", None),
            (
                "POST",
                "/api/agent/customers/jane@example.com/erase",
                Some(json!({"confirm": "jane@example.com"})),
            ),
            ("GET", "/api/agent/audit", None),
        ] {
            let (status, body) = w.call(Some(who), method, path, body).await;
            assert_eq!(
                (status, body["error"]["code"].as_str()),
                (403, Some("forbidden")),
                "{} {method} {path}",
                who.0
            );
        }
    }
    // Nothing was erased.
    let (status, _) = w
        .get(ANA.0, ANA.1, "/api/agent/customers/jane@example.com")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_export_is_stored_linked_and_logged_by_fingerprint() {
    let w = world().await;
    w.ticket("billing", "jane@example.com").await;
    w.ticket("billing", "bob@example.com").await;
    let (status, body) = w
        .send(
            ADAM,
            "POST",
            "/api/agent/customers/Jane@Example.com/export",
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["tickets"].as_u64(), body["messages"].as_u64()),
        (Some(1), Some(1))
    );
    let exports: Vec<String> = w
        .files
        .keys()
        .into_iter()
        .filter(|k| k.starts_with("exports/") && k.ends_with(".zip"))
        .collect();
    assert_eq!(exports.len(), 1);
    assert!(body["url"].as_str().unwrap().contains(&exports[0]));
    let archive = w.files.get(&exports[0], 1 << 20).await.unwrap().unwrap();
    assert_eq!(archive.len() as u64, body["bytes"].as_u64().unwrap());
    assert!(String::from_utf8_lossy(&archive).contains("jane@example.com"));
    assert!(!String::from_utf8_lossy(&archive).contains("bob@example.com"));
    let (_, log) = w.get(ADAM.0, ADAM.1, "/api/agent/audit").await;
    assert_eq!(log["entries"][0]["action"], "customer_exported");
    assert_eq!(log["entries"][0]["by"], "adam");
    assert!(!log.to_string().contains("jane"), "{log}");
    let (status, body) = w
        .send(
            ADAM,
            "POST",
            "/api/agent/customers/not-an-address/export",
            json!({}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("email"))
    );
}

#[tokio::test]
async fn an_export_comes_in_parts_and_a_part_that_is_not_there_is_refused_by_name() {
    let w = world().await;
    w.ticket("billing", "jane@example.com").await;
    let w = &w;
    let export = |query: &'static str| async move {
        let path = match query {
            "" => "/api/agent/customers/jane@example.com/export".to_owned(),
            q => format!("/api/agent/customers/jane@example.com/export?{q}"),
        };
        w.send(ADAM, "POST", &path, json!({})).await
    };
    for query in ["", "from=0", "from=0&other=1"] {
        let (status, body) = export(query).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(
            (body["from"].as_u64(), body["next"].is_null()),
            (Some(0), true),
            "{query}"
        );
    }
    for (query, says) in [
        ("from=1", "1 requests and held mails in all"),
        ("from=-1", "from 0 to 59700"),
        ("from=59701", "from 0 to 59700"),
        ("from=x", "from 0 to 59700"),
    ] {
        let (status, body) = export(query).await;
        assert_eq!(
            (status, body["error"]["fields"][0]["field"].as_str()),
            (400, Some("from")),
            "{query}: {body}"
        );
        assert!(body.to_string().contains(says), "{query}: {body}");
    }
}

#[tokio::test]
async fn erasing_needs_the_address_typed_again_and_leaves_nothing_to_find() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let (status, _) = w
        .send(
            ADAM,
            "POST",
            "/api/agent/customers/jane@example.com/export",
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        w.files
            .keys()
            .iter()
            .filter(|k| k.starts_with("exports/"))
            .count(),
        1
    );
    w.clock.advance(chrono::Duration::seconds(1));
    for confirm in [
        json!({}),
        json!({"confirm": "bob@example.com"}),
        json!({"confirm": "x"}),
    ] {
        let (status, body) = w
            .send(
                ADAM,
                "POST",
                "/api/agent/customers/jane@example.com/erase",
                confirm.clone(),
            )
            .await;
        assert_eq!(status, 400, "{confirm} -> {body}");
    }
    let (status, body) = w
        .send(
            ADAM,
            "POST",
            "/api/agent/customers/jane@example.com/erase",
            json!({"confirm": "JANE@example.com"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["tickets"].as_u64(), body["done"].as_bool()),
        (Some(1), Some(true))
    );
    // The archive exported before is gone too.
    assert!(w.files.keys().iter().all(|k| !k.starts_with("exports/")));
    // The customer's page has nothing; the ticket is an anonymous shell.
    let (status, _) = w
        .get(ANA.0, ANA.1, "/api/agent/customers/jane@example.com")
        .await;
    assert_eq!(status, 404);
    let (status, shell) = w
        .get(ANA.0, ANA.1, &format!("/api/agent/tickets/{r}"))
        .await;
    assert_eq!(status, 200, "{shell}");
    assert!(!shell.to_string().contains("jane"), "{shell}");
    // The log: every entry about her, found by her address, naming her by fingerprint.
    let (status, about) = w
        .get(ADAM.0, ADAM.1, "/api/agent/audit?customer=jane@example.com")
        .await;
    assert_eq!(status, 200, "{about}");
    assert_eq!(about["entries"][0]["action"], "customer_erased");
    assert!(
        about["entries"][0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("1 tickets")
    );
    assert!(!about.to_string().contains("jane"));
    for bad in [
        "/api/agent/audit?before=nonsense",
        "/api/agent/audit?customer=x",
    ] {
        let (status, body) = w.get(ADAM.0, ADAM.1, bad).await;
        assert_eq!(status, 400, "{bad} -> {body}");
    }
}

#[tokio::test]
async fn every_admin_change_is_logged_and_the_log_pages() {
    let w = world().await;
    let (status, body) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/tiers",
            json!({"pattern": "ceo@bigcorp.example", "tier": "premium"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    w.clock.advance(chrono::Duration::seconds(1));
    let (status, body) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/categories/billing",
            json!({"name": "Billing", "sla_policy": "default", "retention_months": 24}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["retention_months"], 24);
    let (status, body) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/categories/billing",
            json!({"name": "Billing", "sla_policy": "default", "retention_months": 0}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("retention_months")),
        "{body}"
    );
    w.clock.advance(chrono::Duration::seconds(1));
    let (status, _) = w
        .call(
            Some(ADAM),
            "DELETE",
            "/api/agent/tiers/ceo@bigcorp.example",
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (_, log) = w.get(ADAM.0, ADAM.1, "/api/agent/audit").await;
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["tier_rule_removed", "category_saved", "tier_rule_saved"]
    );
    assert!(
        log["entries"][1]["detail"]
            .as_str()
            .unwrap()
            .contains("erased after 24 months")
    );
    assert!(!log.to_string().contains("ceo@"), "{log}");
    assert_eq!(log["next"], Value::Null);
    // 60 more: a page of 50, then the rest after its cursor.
    for i in 0..60 {
        w.clock.advance(chrono::Duration::seconds(1));
        let (status, _) = w
            .send(
                ADAM,
                "PUT",
                "/api/agent/tiers",
                json!({"pattern": format!("@c{i}.example"), "tier": "premium"}),
            )
            .await;
        assert_eq!(status, 200);
    }
    let (_, first) = w.get(ADAM.0, ADAM.1, "/api/agent/audit").await;
    assert_eq!(first["entries"].as_array().unwrap().len(), 50);
    assert_eq!(first["entries"][0]["subject"], "@c59.example");
    let next = first["next"].as_str().unwrap();
    let (status, rest) = w
        .get(ADAM.0, ADAM.1, &format!("/api/agent/audit?before={next}"))
        .await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(rest["entries"].as_array().unwrap().len(), 13);
}

#[tokio::test]
async fn erasing_people_on_someone_else_s_request_takes_them_out_through_every_agent_path() {
    use helpdesk_domain::ports::TicketRecords;
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let bobs = w.ticket("billing", "bob@example.com").await;
    let cc = format!("/api/agent/tickets/{r}/cc");
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &cc,
            json!({"version": 1, "cc": ["carol@example.com"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let replies = format!("/api/agent/tickets/{r}/replies");
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &replies,
            json!({"body": "On it.", "version": 2}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let forward = format!("/api/agent/tickets/{r}/forward");
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &forward,
            json!({"version": 3, "to": "dave@example.com", "note": "Can you look?"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Bob's own request, a duplicate, goes into Jane's: his words are copied there.
    let merge = format!("/api/agent/tickets/{bobs}/merge");
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &merge,
            json!({"version": 1, "into": r.to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let before = w.store.load_ticket(&r).await.unwrap();
    for who in ["carol@", "dave@", "bob@"] {
        assert!(format!("{before:?}").contains(who), "{who} is on it first");
    }

    for who in ["carol@example.com", "dave@example.com", "bob@example.com"] {
        let (status, body) = w
            .send(
                ADAM,
                "POST",
                &format!("/api/agent/customers/{who}/erase"),
                json!({"confirm": who}),
            )
            .await;
        assert_eq!(status, 200, "{who}: {body}");
        assert_eq!(body["done"], true, "{who}: {body}");
        assert_eq!(body["shared_tickets"], 1, "{who}: {body}");
        let thread = w.store.load_ticket(&r).await.unwrap();
        let all = format!("{thread:?}").to_lowercase();
        let name = who.split('@').next().unwrap();
        assert!(!all.contains(&format!("{name}@")), "{who} left: {all}");
        // Jane's request stays hers, with her words.
        assert_eq!(thread.ticket.requester.email.as_str(), "jane@example.com");
        assert_eq!(thread.ticket.erased_at, None);
        assert!(all.contains("my order 1234 did not arrive"), "{all}");
    }
    let thread = w.store.load_ticket(&r).await.unwrap();
    assert!(thread.ticket.cc.is_empty());
    // Forwarded mail to Dave went with him; Jane's own mail did not.
    assert!(
        w.store
            .outbox_snapshot()
            .iter()
            .all(|(job, _)| job.recipient.as_str() != "dave@example.com")
    );
    assert!(
        w.store
            .outbox_snapshot()
            .iter()
            .any(|(job, _)| job.recipient.as_str() == "jane@example.com")
    );
}
