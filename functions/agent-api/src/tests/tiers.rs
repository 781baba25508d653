//! The customer list (admins only) and a ticket's tier: premium requests get
//! premium promises from the first second, an agent may change it, and the
//! reports split by it.

use super::*;

impl World {
    async fn list_premium(&self, pattern: &str) {
        let (status, body) = self
            .send(
                ADAM,
                "PUT",
                "/api/agent/tiers",
                json!({"pattern": pattern, "tier": "premium", "note": "Business plan"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn only_admins_keep_the_customer_list_and_bad_entries_are_named() {
    let w = world().await;
    for who in [ANA, SUE] {
        for (method, path, body) in [
            ("GET", "/api/agent/tiers", None),
            (
                "PUT",
                "/api/agent/tiers",
                Some(json!({"pattern": "@bigcorp.example", "tier": "premium"})),
            ),
            ("DELETE", "/api/agent/tiers/@bigcorp.example", None),
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
    for (input, field) in [
        (
            json!({"pattern": "@GMail.com", "tier": "premium"}),
            "pattern",
        ),
        (
            json!({"pattern": "not an address", "tier": "premium"}),
            "pattern",
        ),
        (
            json!({"pattern": "@bigcorp.example", "tier": "premium", "note": "a\nb"}),
            "note",
        ),
        (
            json!({"pattern": "@bigcorp.example", "tier": "premium", "note": "x".repeat(201)}),
            "note",
        ),
        (
            json!({"pattern": "@bigcorp.example", "tier": "gold"}),
            "body",
        ),
    ] {
        let (status, body) = w.send(ADAM, "PUT", "/api/agent/tiers", input.clone()).await;
        assert_eq!(
            (status, body["error"]["fields"][0]["field"].as_str()),
            (400, Some(field)),
            "{input} -> {body}"
        );
    }
    w.list_premium("@BigCorp.example").await;
    w.list_premium("ceo@bigcorp.example").await;
    let (status, list) = w.get(ADAM.0, ADAM.1, "/api/agent/tiers").await;
    assert_eq!(status, 200, "{list}");
    let patterns: Vec<&str> = list["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["pattern"].as_str().unwrap())
        .collect();
    assert_eq!(patterns, ["@bigcorp.example", "ceo@bigcorp.example"]);
    assert_eq!(list["rules"][0]["note"], "Business plan");
    assert_eq!(list["rules"][0]["by"], "adam");
    let (status, _) = w
        .call(
            Some(ADAM),
            "DELETE",
            "/api/agent/tiers/@bigcorp.example",
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = w
        .call(
            Some(ADAM),
            "DELETE",
            "/api/agent/tiers/@bigcorp.example",
            None,
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_listed_customer_s_ticket_opens_premium_and_an_agent_can_change_a_tier() {
    let w = world().await;
    w.list_premium("@bigcorp.example").await;
    let open = |email: &str| json!({"category": "billing", "email": email, "subject": "Invoice", "body": "They called about an invoice.", "first": "logged"});
    let (status, premium) = w
        .post(
            ANA.0,
            ANA.1,
            "/api/agent/tickets",
            open("CFO@bigcorp.example"),
        )
        .await;
    assert_eq!(status, 201, "{premium}");
    let (status, standard) = w
        .post(
            ANA.0,
            ANA.1,
            "/api/agent/tickets",
            open("jane@shop.example"),
        )
        .await;
    assert_eq!(status, 201, "{standard}");
    let show = |reference: &str| format!("/api/agent/tickets/{reference}");
    let p = premium["reference"].as_str().unwrap();
    let s = standard["reference"].as_str().unwrap();
    let (_, shown) = w.get(ANA.0, ANA.1, &show(p)).await;
    assert_eq!(shown["ticket"]["tier"], "premium");
    assert_eq!(shown["sla"]["first_response"], "2 business hours");
    let (_, shown) = w.get(ANA.0, ANA.1, &show(s)).await;
    assert_eq!(shown["ticket"]["tier"], "standard");
    let standard_due = shown["ticket"]["due_at"].clone();

    // Not for an agent of other categories (404 as everywhere), not to the
    // tier it has, not to a tier that does not exist.
    let change = |version: u64, tier: &str| json!({"version": version, "tier": tier});
    let path = format!("/api/agent/tickets/{s}/tier");
    let (status, _) = w.post(BEN.0, BEN.1, &path, change(1, "premium")).await;
    assert_eq!(status, 404);
    for bad in ["standard", "gold"] {
        let (status, body) = w.post(ANA.0, ANA.1, &path, change(1, bad)).await;
        assert_eq!(
            (status, body["error"]["fields"][0]["field"].as_str()),
            (400, Some("tier")),
            "{bad}: {body}"
        );
    }
    let (status, body) = w.post(ANA.0, ANA.1, &path, change(1, "premium")).await;
    assert_eq!(status, 200, "{body}");
    let (_, shown) = w.get(ANA.0, ANA.1, &show(s)).await;
    assert_eq!(shown["ticket"]["tier"], "premium");
    assert!(
        shown["ticket"]["due_at"].as_str() < standard_due.as_str(),
        "the first answer is due sooner: {} vs {standard_due}",
        shown["ticket"]["due_at"]
    );
    let said = shown["thread"].as_array().unwrap().iter().any(|e| {
        e["body"]
            .as_str()
            .is_some_and(|b| b.starts_with("Tier changed from standard to premium"))
    });
    assert!(said, "{}", shown["thread"]);

    // Lowering retimes the clocks to looser targets: a supervisor's call.
    let (status, body) = w.post(ANA.0, ANA.1, &path, change(2, "standard")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    let (status, body) = w.post(SUE.0, SUE.1, &path, change(2, "standard")).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn the_reports_split_the_tickets_by_tier() {
    let w = world().await;
    w.list_premium("@bigcorp.example").await;
    for email in [
        "a@bigcorp.example",
        "b@bigcorp.example",
        "jane@shop.example",
    ] {
        let (status, body) = w
            .post(
                ANA.0,
                ANA.1,
                "/api/agent/tickets",
                json!({"category": "billing", "email": email, "subject": "Invoice", "body": "A call.", "first": "logged"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, r) = w.get(SUE.0, SUE.1, "/api/agent/reports").await;
    assert_eq!(status, 200, "{r}");
    let tiers: Vec<(&str, i64)> = r["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap(),
                t["totals"]["opened"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(tiers, [("standard", 1), ("premium", 2)]);
    let (status, csv) = w
        .call_raw(Some(SUE), "GET", "/api/agent/reports/csv", None)
        .await;
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains(",tier,premium,Premium,2,"), "{csv}");
}
