//! Held mail and sender rules: supervisors and admins only, a safe look, one
//! release handed to receiving, and bad input named.

use super::*;
use helpdesk_domain::mail::inbound::quarantine::{QuarantineReason, Quarantined};
use helpdesk_domain::ports::{Quarantine, RawMailStore};

const HTML_SPAM: &str = "From: Jane Customer <jane@shop.example>\r\nTo: support@helpdesk.test\r\nSubject: Where is my order?\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nOrder 1001 has not arrived.\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>Order <b>1001</b> has not arrived.<script>alert(1)</script><img src=\"https://tracker.example/pixel.gif\"><a href=\"https://phish.example/login\">Sign in</a></p>\r\n--b--\r\n";

impl World {
    /// A held mail stored as SES stored it, held as `reason`.
    async fn held(&self, ses_id: &str, reason: QuarantineReason) {
        let key = helpdesk_domain::mail::inbound::parse::raw_mail_key(ses_id);
        self.raw.put(&key, HTML_SPAM.as_bytes()).await.unwrap();
        let now = self.clock.now();
        let item = Quarantined {
            ses_id: ses_id.into(),
            received_at: now,
            from: Some("jane@shop.example".into()),
            subject: "Where is my order?".into(),
            reason,
            released: None,
        };
        self.store.quarantine(&item).await.unwrap();
    }
}

#[tokio::test]
async fn only_supervisors_and_admins_see_held_mail_and_rules() {
    let w = world().await;
    w.held("ses-1", QuarantineReason::Spam).await;
    for (method, path) in [
        ("GET", "/api/agent/quarantine".to_owned()),
        ("GET", "/api/agent/quarantine/ses-1".to_owned()),
        ("POST", "/api/agent/quarantine/ses-1/release".to_owned()),
        ("GET", "/api/agent/sender-rules".to_owned()),
        ("DELETE", "/api/agent/sender-rules/@shop.example".to_owned()),
    ] {
        let (status, body) = w.call(Some(ANA), method, &path, None).await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (403, json!("forbidden")),
            "{method} {path}"
        );
    }
    let (status, _) = w
        .send(
            ANA,
            "PUT",
            "/api/agent/sender-rules",
            json!({"pattern": "@shop.example", "verdict": "block"}),
        )
        .await;
    assert_eq!(status, 403);
    assert!(w.redelivered.keys().is_empty());
}

#[tokio::test]
async fn a_supervisor_looks_safely_then_releases_once_and_it_is_handed_to_receiving() {
    let w = world().await;
    w.held("ses-fp", QuarantineReason::Spam).await;
    w.held("ses-virus", QuarantineReason::Virus).await;
    let (status, list) = w.get(SUE.0, SUE.1, "/api/agent/quarantine").await;
    assert_eq!(status, 200, "{list}");
    let first = &list["items"][0];
    assert_eq!(first["ses_id"], "ses-virus", "newest first");
    assert_eq!(first["releasable"], false);
    assert_eq!(list["items"][1]["reason"], "spam");
    assert_eq!(list["items"][1]["releasable"], true);

    let (status, shown) = w.get(SUE.0, SUE.1, "/api/agent/quarantine/ses-fp").await;
    assert_eq!(status, 200, "{shown}");
    let original = &shown["original"];
    assert_eq!(original["from"], "jane@shop.example");
    assert!(
        original["text"]
            .as_str()
            .unwrap()
            .contains("Order 1001 has not arrived.")
    );
    let html = original["html"].as_str().unwrap();
    assert!(html.contains("<b>1001</b>"), "{html}");
    assert!(
        !html.contains("script") && !html.contains("tracker.example"),
        "{html}"
    );
    assert!(
        html.contains("Sign in") && !html.contains("phish.example"),
        "links lead nowhere: {html}"
    );
    assert_eq!(original["blocked_images"], 1);

    let release = "/api/agent/quarantine/ses-fp/release".to_owned();
    let (status, done) = w.post(SUE.0, SUE.1, &release, json!({})).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["released_now"], true);
    assert_eq!(done["held"]["released_by"], "sue");
    assert_eq!(w.redelivered.keys(), ["raw/ses-fp"]);
    // Asked again (say the first hand-over failed): handed over again, first release stands.
    let (status, again) = w.post(ADAM.0, ADAM.1, &release, json!({})).await;
    assert_eq!((status, again["released_now"].clone()), (200, json!(false)));
    assert_eq!(again["held"]["released_by"], "sue");
    assert_eq!(w.redelivered.keys().len(), 2);

    let (status, body) = w
        .post(
            SUE.0,
            SUE.1,
            "/api/agent/quarantine/ses-virus/release",
            json!({}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (409, json!("not_releasable"))
    );
    let (status, _) = w
        .post(
            SUE.0,
            SUE.1,
            "/api/agent/quarantine/ses-nothing/release",
            json!({}),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        w.redelivered.keys().len(),
        2,
        "nothing handed over for those"
    );

    // A failed hand-over says so and leaves the release to be finished.
    w.held("ses-later", QuarantineReason::Spam).await;
    w.redelivered
        .fail_next(helpdesk_domain::ports::QueueError::Unavailable(
            "down".into(),
        ));
    let later = "/api/agent/quarantine/ses-later/release".to_owned();
    let (status, _) = w.post(SUE.0, SUE.1, &later, json!({})).await;
    assert_eq!(status, 503);
    let (status, _) = w.post(SUE.0, SUE.1, &later, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(
        w.redelivered.keys().last().map(String::as_str),
        Some("raw/ses-later")
    );
}

#[tokio::test]
async fn bad_days_ids_and_patterns_are_named() {
    let w = world().await;
    w.held("ses-1", QuarantineReason::Spam).await;
    let huge = "x".repeat(10_000);
    for (path, field) in [
        ("/api/agent/quarantine?days=0".to_owned(), "days"),
        ("/api/agent/quarantine?days=31".to_owned(), "days"),
        ("/api/agent/quarantine?days=abc".to_owned(), "days"),
        ("/api/agent/quarantine?sort=new".to_owned(), "sort"),
        ("/api/agent/quarantine?before=12-".to_owned(), "before"),
        ("/api/agent/quarantine?before=x-ses-1".to_owned(), "before"),
        (
            "/api/agent/quarantine?before=%2B12-ses-1".to_owned(),
            "before",
        ),
        (
            "/api/agent/quarantine?before=12-ses%2F1".to_owned(),
            "before",
        ),
        (format!("/api/agent/quarantine?before=1-{huge}"), "before"),
        (
            "/api/agent/quarantine/ses%2F..%2Fsecret".to_owned(),
            "ses_id",
        ),
        (format!("/api/agent/quarantine/{huge}"), "ses_id"),
    ] {
        let (status, body) = w.get(SUE.0, SUE.1, &path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"]["fields"][0]["field"], field, "{path}: {body}");
    }
    for (body, field) in [
        (
            json!({"pattern": "not a pattern", "verdict": "block"}),
            "pattern",
        ),
        (
            json!({"pattern": "@shop.example", "verdict": "maybe"}),
            "body",
        ),
        (
            json!({"pattern": "@shop.example", "verdict": "block", "extra": 1}),
            "body",
        ),
        (json!({"pattern": huge, "verdict": "allow"}), "pattern"),
        // A whole public provider: every one of its users.
        (
            json!({"pattern": "@gmail.com", "verdict": "allow"}),
            "pattern",
        ),
        (
            json!({"pattern": "@outlook.com", "verdict": "block"}),
            "pattern",
        ),
    ] {
        let (status, answer) = w
            .send(SUE, "PUT", "/api/agent/sender-rules", body.clone())
            .await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(
            answer["error"]["fields"][0]["field"], field,
            "{body}: {answer}"
        );
    }
}

#[tokio::test]
async fn sender_rules_are_set_listed_and_removed() {
    let w = world().await;
    let (status, rule) = w
        .send(
            SUE,
            "PUT",
            "/api/agent/sender-rules",
            json!({"pattern": "@Spam.Example", "verdict": "block"}),
        )
        .await;
    assert_eq!(status, 200, "{rule}");
    assert_eq!(rule["pattern"], "@spam.example");
    let (status, _) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/sender-rules",
            json!({"pattern": "Jane+news@shop.example", "verdict": "allow"}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, list) = w.get(SUE.0, SUE.1, "/api/agent/sender-rules").await;
    let patterns: Vec<&str> = list["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["pattern"].as_str().unwrap())
        .collect();
    assert_eq!(patterns, ["@spam.example", "jane@shop.example"]);
    let (status, _) = w
        .call(
            Some(SUE),
            "DELETE",
            "/api/agent/sender-rules/@spam.example",
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = w
        .call(
            Some(SUE),
            "DELETE",
            "/api/agent/sender-rules/@spam.example",
            None,
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_list_comes_in_pages_of_fifty_each_mail_once() {
    let w = world().await;
    let start = w.clock.now();
    for i in 0..60 {
        w.held(&format!("ses-{i:02}"), QuarantineReason::Spam).await;
        w.clock.advance(chrono::Duration::hours(2));
    }
    let (status, first) = w.get(SUE.0, SUE.1, "/api/agent/quarantine").await;
    assert_eq!(status, 200, "{first}");
    let ids = |page: &serde_json::Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["ses_id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&first).len(), 50);
    assert_eq!(ids(&first)[0], "ses-59", "newest first");
    let next = first["next"].as_str().unwrap();
    let (status, second) = w
        .get(
            SUE.0,
            SUE.1,
            &format!("/api/agent/quarantine?before={next}"),
        )
        .await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["next"], json!(null), "the last page");
    let mut all = ids(&first);
    all.extend(ids(&second));
    let expected: Vec<String> = (0..60).rev().map(|i| format!("ses-{i:02}")).collect();
    assert_eq!(all, expected, "every mail of the five days once, in order");
    // Two days back: only what came since.
    let yesterday = w.clock.now().date_naive() - chrono::Duration::days(1);
    let since: Vec<String> = (0..60)
        .rev()
        .filter(|i| (start + chrono::Duration::hours(2 * i)).date_naive() >= yesterday)
        .map(|i| format!("ses-{i:02}"))
        .collect();
    let (_, recent) = w.get(SUE.0, SUE.1, "/api/agent/quarantine?days=2").await;
    assert!(!since.is_empty() && since.len() < 50);
    assert_eq!(ids(&recent), since);
}

#[tokio::test]
async fn an_expired_held_mail_is_no_longer_listed_shown_or_released() {
    let w = world().await;
    w.held("ses-old", QuarantineReason::Spam).await;
    w.clock.advance(chrono::Duration::days(29));
    w.held("ses-new", QuarantineReason::Spam).await;
    let (_, list) = w.get(SUE.0, SUE.1, "/api/agent/quarantine?days=30").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");
    // 30 days after it came, the old one is past its review time.
    w.clock.advance(chrono::Duration::days(1));
    let (_, list) = w.get(SUE.0, SUE.1, "/api/agent/quarantine?days=30").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["ses_id"], "ses-new");
    let (status, _) = w.get(SUE.0, SUE.1, "/api/agent/quarantine/ses-old").await;
    assert_eq!(status, 404);
    let (status, _) = w
        .post(
            SUE.0,
            SUE.1,
            "/api/agent/quarantine/ses-old/release",
            json!({}),
        )
        .await;
    assert_eq!(status, 404);
    assert!(w.redelivered.keys().is_empty(), "nothing handed over");
}
