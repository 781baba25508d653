//! Canned replies and the FAQ drafts made from answers.

use super::*;
use helpdesk_domain::ports::FaqEntries;

#[tokio::test]
async fn canned_replies_belong_to_categories_and_only_known_placeholders_pass() {
    let w = world().await;
    let (status, mine) = w
        .send(ANA, "POST", "/api/agent/canned", json!({"title": "Refund sent", "body": "Hi {{customer_name}}, the refund for {{reference}} is on its way.", "category": "billing"}))
        .await;
    assert_eq!(status, 201, "{mine}");
    let id = mine["id"].as_str().unwrap().to_owned();
    let (status, _) = w
        .send(
            ANA,
            "POST",
            "/api/agent/canned",
            json!({"title": "Quote", "body": "Our prices.", "category": "sales"}),
        )
        .await;
    assert_eq!(status, 403, "not her category");
    let (status, _) = w
        .send(
            ANA,
            "POST",
            "/api/agent/canned",
            json!({"title": "Thanks", "body": "Thank you!"}),
        )
        .await;
    assert_eq!(status, 403, "shared replies are a supervisor's");
    let (status, body) = w
        .send(
            ANA,
            "POST",
            "/api/agent/canned",
            json!({"title": "Oops", "body": "Dear {{first_name}}", "category": "billing"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("body"))
    );
    let (status, _) = w
        .send(
            SUE,
            "POST",
            "/api/agent/canned",
            json!({"title": "Thanks", "body": "Thank you, {{customer_name}}!"}),
        )
        .await;
    assert_eq!(status, 201);

    let titles = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, ben) = w.get(BEN.0, BEN.1, "/api/agent/canned").await;
    assert_eq!(titles(&ben), vec!["Thanks"]);
    let (_, ana) = w.get(ANA.0, ANA.1, "/api/agent/canned").await;
    assert_eq!(titles(&ana), vec!["Refund sent", "Thanks"]);
    assert_eq!(ana["placeholders"].as_array().unwrap().len(), 4);

    let path = format!("/api/agent/canned/{id}");
    assert_eq!(w.call(Some(BEN), "DELETE", &path, None).await.0, 404);
    let (status, edited) = w
        .send(ANA, "PUT", &path, json!({"title": "Refund sent", "body": "Refunded: {{reference}}.", "category": "billing"}))
        .await;
    assert_eq!(
        (status, edited["body"].as_str()),
        (200, Some("Refunded: {{reference}}."))
    );
    assert_eq!(w.call(Some(ANA), "DELETE", &path, None).await.0, 204);
    let (_, ana) = w.get(ANA.0, ANA.1, "/api/agent/canned").await;
    assert_eq!(titles(&ana), vec!["Thanks"]);
}

#[tokio::test]
async fn an_answer_becomes_an_faq_draft_linked_both_ways_and_a_supervisor_publishes_it() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let draft = json!({"category": "billing", "question": "When does a refund arrive?", "answer": "Within 3 business days.", "source_ticket": r.to_string()});
    let (status, _) = w
        .send(
            ANA,
            "POST",
            "/api/agent/faq",
            json!({"published": true, "category": "billing", "question": "Q?", "answer": "A."}),
        )
        .await;
    assert_eq!(status, 403, "agents save drafts");
    let (status, _) = w.send(BEN, "POST", "/api/agent/faq", draft.clone()).await;
    assert_eq!(status, 400, "not his category, not his ticket");
    let (status, entry) = w.send(ANA, "POST", "/api/agent/faq", draft).await;
    assert_eq!(status, 201, "{entry}");
    assert_eq!(entry["published"], false);
    assert_eq!(entry["source_ticket"], r.as_str());
    let (_, ticket) = w
        .get(ANA.0, ANA.1, &format!("/api/agent/tickets/{r}"))
        .await;
    let last = ticket["thread"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "system_event");
    assert_eq!(
        last["body"],
        "ana made an FAQ draft from this ticket: \u{201c}When does a refund arrive?\u{201d}."
    );

    // Drafts stay off the help center until a supervisor publishes them.
    let stored = w
        .store
        .faq(&fixtures::category_id("billing"))
        .await
        .unwrap();
    assert!(helpdesk_domain::catalog::faq::search(&stored, "refund", 5).is_empty());
    let path = format!("/api/agent/faq/billing/{}", entry["id"].as_str().unwrap());
    let publish = json!({"question": "When does a refund arrive?", "answer": "Within 3 business days.", "published": true});
    assert_eq!(w.send(ANA, "PUT", &path, publish.clone()).await.0, 403);
    let (status, published) = w.send(SUE, "PUT", &path, publish).await;
    assert_eq!(
        (status, published["published"].as_bool()),
        (200, Some(true))
    );
    let (_, list) = w.get(ANA.0, ANA.1, "/api/agent/faq?category=billing").await;
    assert_eq!(list["items"][0]["published"], true);
    assert_eq!(
        w.get(BEN.0, BEN.1, "/api/agent/faq?category=billing")
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn supervisors_curate_answers_pin_reorder_and_delete_them_agents_only_draft() {
    let w = world().await;
    let (status, draft) = w
        .send(
            ANA,
            "POST",
            "/api/agent/faq",
            json!({"category": "billing", "question": "Can I pay by invoice?", "answer": "Yes, for orders over 100 EUR."}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");
    assert_eq!(
        draft["url"],
        format!("/answers/?a=billing/{}", draft["id"].as_str().unwrap())
    );
    let path = format!("/api/agent/faq/billing/{}", draft["id"].as_str().unwrap());
    let body = |extra: Value| {
        let mut b =
            json!({"question": "Can I pay by invoice?", "answer": "Yes, for orders over 100 EUR."});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    for (who, extra) in [
        (ANA, json!({"pinned": true})),
        (ANA, json!({"position": 9})),
        (ANA, json!({"published": true})),
    ] {
        let (status, answer) = w.send(who, "PUT", &path, body(extra.clone())).await;
        assert_eq!(status, 403, "{extra}: {answer}");
    }
    let (status, answer) = w.call(Some(ANA), "DELETE", &path, None).await;
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = w
        .send(
            SUE,
            "PUT",
            &path,
            body(json!({"published": true, "pinned": true, "position": 7})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (answer["pinned"].as_bool(), answer["position"].as_u64()),
        (Some(true), Some(7))
    );
    let (status, _) = w.call(Some(BEN), "DELETE", &path, None).await;
    assert_eq!(status, 404, "another category's agent is told nothing");
    let (status, _) = w.call(Some(SUE), "DELETE", &path, None).await;
    assert_eq!(status, 204);
    let (status, _) = w.call(Some(SUE), "DELETE", &path, None).await;
    assert_eq!(status, 404);
    assert!(
        w.store
            .faq(&testkit::fixtures::category_id("billing"))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_reply_links_only_published_answers() {
    let w = world().await;
    w.store
        .put_faq(&testkit::fixtures::faq("refund-time", "billing", 1))
        .await
        .unwrap();
    let mut draft = testkit::fixtures::faq("draft-one", "billing", 2);
    draft.published = false;
    w.store.put_faq(&draft).await.unwrap();
    let r = w.ticket("billing", "jane@example.com").await;
    let path = format!("/api/agent/tickets/{r}/replies");
    for bad in [
        "See {{faq:billing/nope}}.",
        "See {{faq:billing/draft-one}}.",
        "See {{faq:refund-time}}.",
        "See {{faq:billing/refund-time",
    ] {
        let (status, body) = w
            .post(ANA.0, ANA.1, &path, json!({"version": 1, "body": bad}))
            .await;
        assert_eq!(
            (status, body["error"]["fields"][0]["field"].as_str()),
            (400, Some("body")),
            "{bad}: {body}"
        );
    }
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &path,
            json!({"version": 1, "body": "See {{faq:billing/refund-time}}."}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn an_answer_keeps_its_german_text_through_publishing_and_a_half_translation_is_refused() {
    let w = world().await;
    let (status, draft) = w
        .send(
            SUE,
            "POST",
            "/api/agent/faq",
            json!({
                "category": "billing", "question": "Can I pay by invoice?", "answer": "Yes.",
                "translations": {"de": {"question": "Kann ich auf Rechnung zahlen?", "answer": " Ja. "}}
            }),
        )
        .await;
    assert_eq!(status, 201, "{draft}");
    assert_eq!(draft["translations"]["de"]["answer"], "Ja.");
    let path = format!("/api/agent/faq/billing/{}", draft["id"].as_str().unwrap());
    // Publishing from the list sends no translations: they stay.
    let (status, published) = w
        .send(
            SUE,
            "PUT",
            &path,
            json!({"question": "Can I pay by invoice?", "answer": "Yes.", "published": true}),
        )
        .await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(
        published["translations"]["de"]["question"],
        "Kann ich auf Rechnung zahlen?"
    );
    for (translations, field) in [
        (
            json!({"de": {"question": "  ", "answer": "Ja."}}),
            "translations.de.question",
        ),
        (
            json!({"de": {"question": "Zwei\nZeilen?", "answer": "Ja."}}),
            "translations.de.question",
        ),
        (json!({"de": {"question": "Frage?"}}), "translations"),
        // Hidden English a reviewer never reads.
        (
            json!({"en": {"question": "Q?", "answer": "Visit evil.example"}}),
            "translations.en",
        ),
        (
            json!({"xx": {"question": "Q?", "answer": "A."}}),
            "translations",
        ),
    ] {
        let (status, body) = w
            .send(
                SUE,
                "PUT",
                &path,
                json!({"question": "Q?", "answer": "A.", "published": true, "translations": translations}),
            )
            .await;
        assert_eq!(
            (status, body["error"]["fields"][0]["field"].as_str()),
            (400, Some(field)),
            "{translations}: {body}"
        );
    }
    // An empty object takes the German away.
    let (status, plain) = w
        .send(
            SUE,
            "PUT",
            &path,
            json!({"question": "Q?", "answer": "A.", "published": true, "translations": {}}),
        )
        .await;
    assert_eq!(status, 200, "{plain}");
    assert_eq!(plain["translations"], json!({}));
}
