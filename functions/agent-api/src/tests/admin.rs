//! What admins keep: categories, agents and SLA policies.

use super::*;
use helpdesk_domain::ports::{Categories, SlaPolicies};

#[tokio::test]
async fn admins_keep_categories_and_agents_and_a_lowered_record_takes_effect_at_once() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    for user in [ANA, SUE] {
        assert_eq!(
            w.get(user.0, user.1, "/api/agent/admin/categories").await.0,
            403
        );
        assert_eq!(
            w.send(
                user,
                "PUT",
                "/api/agent/admin/agents/ana",
                json!({"name": "Ana", "email": "ana@helpdesk.test", "role": "admin"})
            )
            .await
            .0,
            403
        );
    }
    let (status, listed) = w.get(ADAM.0, ADAM.1, "/api/agent/admin/categories").await;
    assert_eq!(status, 200);
    assert_eq!(listed["categories"].as_array().unwrap().len(), 3);
    assert_eq!(listed["policies"], json!([{"id": "default"}]));

    let returns = json!({
        "name": "Returns", "description": "Send something back", "sla_policy": "default", "position": 4,
        "addresses": ["returns@helpdesk.test"],
        "fields": [
            {"name": "order_id", "label": "Order number", "kind": {"type": "text", "max_len": 20}, "required": true, "help": ""},
            {"name": "reason", "label": "Reason", "kind": {"type": "choice", "options": ["Broken", "Wrong size"]}, "required": false}
        ]
    });
    let (status, created) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/categories/returns",
            returns.clone(),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["fields"][1]["kind"]["options"][1], "Wrong size");
    let stored = w
        .store
        .category(&fixtures::category_id("returns"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.addresses[0].as_str(), "returns@helpdesk.test");
    assert_eq!(
        w.send(ADAM, "PUT", "/api/agent/admin/categories/returns", returns)
            .await
            .0,
        200
    );

    let (status, body) = w
        .send(ADAM, "PUT", "/api/agent/admin/categories/gifts", json!({
            "name": "", "sla_policy": "gold", "addresses": ["returns@helpdesk.test", "x@"],
            "fields": [{"name": "Bad Name", "label": "L", "kind": {"type": "number", "min": 5, "max": 1}, "required": false}]
        }))
        .await;
    assert_eq!(status, 400);
    let mut fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        vec![
            "addresses.0",
            "addresses.1",
            "fields.0.kind.min",
            "fields.0.name",
            "name",
            "sla_policy"
        ]
    );
    let (status, body) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/categories/gifts",
            json!({"name": "Gifts", "sla": "x"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("body"))
    );

    // A new agent can sign in once the record exists.
    assert_eq!(w.get("cara", "agents", "/api/agent/me").await.0, 403);
    let (status, cara) = w
        .send(ADAM, "PUT", "/api/agent/admin/agents/cara", json!({"name": "Cara", "email": "cara@helpdesk.test", "role": "agent", "categories": ["returns"]}))
        .await;
    assert_eq!(status, 201, "{cara}");
    assert_eq!(w.get("cara", "agents", "/api/agent/me").await.0, 200);

    // Sue is a supervisor in Cognito; her record, lowered to an agent of sales,
    // is what counts from the next request on.
    assert_eq!(
        w.get(SUE.0, SUE.1, &format!("/api/agent/tickets/{r}"))
            .await
            .0,
        200
    );
    let (status, _) = w
        .send(ADAM, "PUT", "/api/agent/admin/agents/sue", json!({"name": "Sue", "email": "sue@helpdesk.test", "role": "agent", "categories": ["sales"]}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        w.get(SUE.0, SUE.1, &format!("/api/agent/tickets/{r}"))
            .await
            .0,
        404
    );
    let (_, me) = w.get(SUE.0, SUE.1, "/api/agent/me").await;
    assert_eq!(me["agent"]["role"], "agent");

    let (status, body) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/agents/adam",
            json!({"name": "Adam", "email": "adam@helpdesk.test", "role": "supervisor"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("role"))
    );
    let (status, body) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/agents/dan",
            json!({"name": "Dan", "email": "dan@", "role": "agent", "categories": ["ghost"]}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn admins_keep_sla_policies_and_categories_can_use_a_new_one() {
    let w = world().await;
    let weekend = json!({
        "time_zone": "Europe/Lisbon",
        "hours": [{"day": "Sat", "opens": "10:00", "closes": "16:00"}, {"day": "Sun", "opens": "10:00", "closes": "14:00"}],
        "holidays": ["2026-12-26"],
        "standard": {"first_response_minutes": 240, "next_response_minutes": 240, "resolution_minutes": 960},
        "premium": {"first_response_minutes": 60, "next_response_minutes": 60, "resolution_minutes": 480}
    });
    for user in [ANA, SUE] {
        assert_eq!(
            w.get(user.0, user.1, "/api/agent/admin/policies").await.0,
            403
        );
        let (status, _) = w
            .send(
                user,
                "PUT",
                "/api/agent/admin/policies/weekend",
                weekend.clone(),
            )
            .await;
        assert_eq!(status, 403);
    }
    let (status, created) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/policies/weekend",
            weekend.clone(),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        (created["id"].as_str(), created["warn_percent"].as_u64()),
        (Some("weekend"), Some(80))
    );
    let (status, replaced) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/policies/weekend",
            weekend.clone(),
        )
        .await;
    assert_eq!(status, 200, "{replaced}");
    let (_, listed) = w.get(ADAM.0, ADAM.1, "/api/agent/admin/policies").await;
    let ids: Vec<&str> = listed["policies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(ids, ["default", "weekend"]);
    assert_eq!(
        listed["policies"][1]["hours"][0],
        json!({"day": "Sat", "opens": "10:00", "closes": "16:00"})
    );

    // The stored policy drives the catalog: a category may now name it.
    let stored = w.store.policy("weekend").await.unwrap().unwrap();
    assert_eq!(stored.calendar.time_zone(), "Europe/Lisbon");
    let (status, body) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/categories/weekend-desk",
            json!({"name": "Weekend desk", "sla_policy": "weekend"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    let mut bad = weekend.clone();
    bad["time_zone"] = json!("Nowhere/Land");
    bad["hours"][1]["closes"] = json!("09:00");
    bad["premium"]["resolution_minutes"] = json!(0);
    let (status, body) = w
        .send(ADAM, "PUT", "/api/agent/admin/policies/Weekend!", bad)
        .await;
    assert_eq!(status, 400);
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "id",
            "time_zone",
            "hours.1.closes",
            "premium.resolution_minutes"
        ]
    );
    let mut unknown = weekend.clone();
    unknown["colour"] = json!("red");
    let (status, body) = w
        .send(ADAM, "PUT", "/api/agent/admin/policies/x", unknown)
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("body"))
    );
}

#[tokio::test]
async fn an_admin_gives_a_category_its_german_texts_and_a_bad_one_is_named_by_path() {
    let w = world().await;
    let returns = |translations: Value| {
        json!({
            "name": "Returns", "sla_policy": "default", "position": 4,
            "hints": ["Keep the box"],
            "fields": [
                {"name": "order_id", "label": "Order number", "kind": {"type": "text", "max_len": 20}, "required": true, "help": "On the receipt"}
            ],
            "translations": translations
        })
    };
    let (status, saved) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/categories/returns",
            returns(json!({"de": {
                "name": " Rücksendungen ", "hints": ["Heben Sie den Karton auf", "  "],
                "fields": {"order_id": {"label": "Bestellnummer"}}
            }})),
        )
        .await;
    assert_eq!(status, 201, "{saved}");
    let stored = w
        .store
        .category(&fixtures::category_id("returns"))
        .await
        .unwrap()
        .unwrap();
    let de = &stored.translations[&helpdesk_domain::i18n::Language::De];
    assert_eq!(de.name, "Rücksendungen", "trimmed");
    assert_eq!(
        de.hints,
        ["Heben Sie den Karton auf"],
        "blank hints dropped"
    );
    assert_eq!(de.fields["order_id"].label, "Bestellnummer");
    assert_eq!(saved["translations"]["de"]["name"], "Rücksendungen");

    let (status, body) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/categories/returns",
            returns(json!({"de": {
                "name": "Zwei\nZeilen",
                "fields": {"colour": {"label": "Farbe"}}
            }})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "translations.de.name",
            "translations.de.fields.colour.label"
        ]
    );
    // English is the category's own text: a hidden English one is refused.
    let (status, body) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/categories/returns",
            returns(json!({"en": {"name": "Free money"}})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("translations.en")),
        "{body}"
    );
    // A language we do not have is refused as the body's shape.
    let (status, body) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/categories/returns",
            returns(json!({"fr": {"name": "Retours"}})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    // Nothing of the refused saves was kept.
    let kept = w
        .store
        .category(&fixtures::category_id("returns"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.translations, stored.translations);
}
