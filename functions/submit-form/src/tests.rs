//! Handler tests on the in-memory fakes, fed from `events/`.

use crate::{Deps, router};
use async_trait::async_trait;
use helpdesk_domain::customers::limits::IntakePolicy;
use helpdesk_domain::mail::outbound::job::{MailKind, OutboxState};
use helpdesk_domain::ports::Outbox;
use helpdesk_domain::ports::Probes;
use helpdesk_domain::ports::Queues;
use helpdesk_domain::ports::TicketRecords;
use helpdesk_domain::ports::TrackingTokens;
use helpdesk_domain::ports::{Categories, FaqEntries, FaqStats, SlaPolicies};
use helpdesk_domain::ports::{Clock, ComponentHealth, HealthProbe};
use helpdesk_domain::{Status, TicketRef};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use testkit::events::event_text;
use testkit::fixtures::{category, category_id};
use testkit::{FixedClock, InMemoryAttachments, InMemoryStore, RecordingQueue, SequentialIds};
use tower::ServiceExt;

struct Healthy;

#[async_trait]
impl HealthProbe for Healthy {
    async fn check(&self) -> Vec<ComponentHealth> {
        vec![]
    }
}

struct World {
    store: Arc<InMemoryStore>,
    files: Arc<InMemoryAttachments>,
    queue: Arc<RecordingQueue>,
    clock: Arc<FixedClock>,
    deps: Arc<Deps>,
}

async fn world_with(policy: IntakePolicy) -> World {
    let store = Arc::new(InMemoryStore::default());
    store.put_category(&category("billing", 1)).await.unwrap();
    store
        .put_policy(&testkit::fixtures::office_policy("default"))
        .await
        .unwrap();
    let mut sales = category("sales", 2);
    sales.addresses = vec![];
    store.put_category(&sales).await.unwrap();
    for (id, category, position, question) in [
        ("refund-time", "billing", 1, "How long does a refund take?"),
        (
            "double-charge",
            "billing",
            2,
            "I was charged twice. What now?",
        ),
        ("bulk", "sales", 1, "Do you offer volume discounts?"),
    ] {
        let mut entry = testkit::fixtures::faq(id, category, position);
        entry.question = question.into();
        store.put_faq(&entry).await.unwrap();
    }
    let queue = Arc::new(RecordingQueue::default());
    let clock = Arc::new(FixedClock::monday_morning());
    let files = Arc::new(InMemoryAttachments::default());
    let deps = Arc::new(Deps {
        tickets: store.clone(),
        attachments: files.clone(),
        catalog: store.clone(),
        outbound: queue.clone(),
        health: Arc::new(Healthy),
        clock: clock.clone(),
        ids: Arc::new(SequentialIds::new()),
        policy,
        client_address: lambda_kit::client::ClientAddress::Source,
    });
    World {
        store,
        files,
        queue,
        clock,
        deps,
    }
}

async fn world() -> World {
    world_with(IntakePolicy::default()).await
}

/// The sample create event, with `change` applied to it.
fn create_event(change: impl FnOnce(&mut Value)) -> String {
    let mut event: Value =
        serde_json::from_str(&event_text("submit-form.apigw.create-ticket.json")).unwrap();
    change(&mut event);
    event.to_string()
}

fn with_body(event: &mut Value, body: Value) {
    event["body"] = Value::String(body.to_string());
}

fn sample_body() -> Value {
    let event: Value =
        serde_json::from_str(&event_text("submit-form.apigw.create-ticket.json")).unwrap();
    serde_json::from_str(event["body"].as_str().unwrap()).unwrap()
}

async fn call(deps: &Arc<Deps>, event: &str) -> (u16, http::HeaderMap, Value) {
    let request = lambda_http::request::from_str(event).unwrap();
    let response = router(deps.clone()).oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn track_event(reference: &str, token: Option<&str>) -> String {
    tracking_event("GET", &format!("/api/tickets/{reference}"), token, None)
}

fn tracking_event(method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> String {
    let mut event: Value =
        serde_json::from_str(&event_text("submit-form.apigw.health.json")).unwrap();
    event["rawPath"] = json!(path);
    event["requestContext"]["http"]["path"] = json!(path);
    event["requestContext"]["http"]["method"] = json!(method);
    if let Some(t) = token {
        event["headers"]["x-tracking-token"] = json!(t);
    }
    if let Some(b) = body {
        event["body"] = json!(b.to_string());
        event["headers"]["content-type"] = json!("application/json");
    }
    event.to_string()
}

/// Creates a ticket; returns (reference as shown, secret).
async fn submitted(w: &World) -> (String, String) {
    let (status, _, body) = call(&w.deps, &create_event(|_| {})).await;
    assert_eq!(status, 201, "{body}");
    (
        body["reference"].as_str().unwrap().to_owned(),
        body["tracking_token"].as_str().unwrap().to_owned(),
    )
}

/// A link we mailed to the requester (as send-reply mints them): its secret.
async fn mailed_token(w: &World, reference: &str) -> String {
    let secret =
        helpdesk_domain::values::token::SecretToken::parse("0123456789abcdef0123456789abcdef")
            .unwrap();
    let token = helpdesk_domain::ports::store::TrackingToken {
        hash: secret.hash(),
        expires_at: w.clock.now() + chrono::Duration::days(90),
        mailed: true,
    };
    w.store
        .add_tracking_token(&TicketRef::parse(reference).unwrap(), token)
        .await
        .unwrap();
    secret.expose().to_owned()
}

/// The bodies a tracking page shows.
fn shown_texts(ticket: &Value) -> Vec<String> {
    ticket["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect()
}

/// Anyone can type any address into the form: the link the form hands back
/// shows the request and where it stands, not our answers, until the requester
/// opens a link we mailed to the address.
#[tokio::test]
async fn our_answers_show_only_once_the_requester_opened_a_link_we_mailed() {
    let w = world().await;
    let (reference, form_token) = submitted(&w).await;
    let r = TicketRef::parse(&reference).unwrap();
    let before = w.store.load_ticket(&r).await.unwrap().ticket;
    assert!(!before.email_verified);
    let mut answer =
        testkit::fixtures::agent_reply(&SequentialIds::new(), &before, "ana", w.clock.now());
    answer.body_text = "Your refund is on its way.".into();
    answer.author = helpdesk_domain::Author::Agent {
        id: helpdesk_domain::AgentId::parse("ana").unwrap(),
        signed: Some(helpdesk_domain::agents::profile::Signoff {
            name: "Ana".into(),
            signature: Some("Ana Lima, ACME".into()),
        }),
    };
    let mut after = before.clone();
    after.status = Status::Resolved;
    w.store
        .update_ticket(helpdesk_domain::ports::store::TicketUpdate::new(
            &before,
            after,
            vec![answer],
        ))
        .await
        .unwrap();

    let (status, _, shown) = call(&w.deps, &track_event(&reference, Some(&form_token))).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(
        (
            shown["answers_hidden"].as_bool(),
            shown["email_verified"].as_bool()
        ),
        (Some(true), Some(false))
    );
    assert_eq!(shown["status_label"], "solved", "where it stands is shown");
    assert_eq!(
        shown_texts(&shown).len(),
        1,
        "only their own request: {shown}"
    );
    assert!(!shown.to_string().contains("refund is on its way"));
    assert_eq!(
        shown["awaiting_confirmation"], false,
        "confirming means having read it"
    );
    let confirm = tracking_event(
        "POST",
        &format!("/api/tickets/{reference}/resolution"),
        Some(&form_token),
        Some(json!({ "solved": true })),
    );
    assert_eq!(call(&w.deps, &confirm).await.0, 409);

    // The link in our mail shows everything, and verifies the address...
    let mailed = mailed_token(&w, &reference).await;
    let (_, _, full) = call(&w.deps, &track_event(&reference, Some(&mailed))).await;
    assert_eq!(full["answers_hidden"], false);
    let authors: Vec<(&str, Option<&str>)> = full["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["from"].as_str().unwrap(), m["author"].as_str()))
        .collect();
    assert!(
        authors.contains(&("support", Some("Ana"))) && authors.contains(&("you", None)),
        "who answered, by first name: {full}"
    );
    assert!(
        shown_texts(&full)
            .iter()
            .any(|b| b.contains("refund is on its way"))
    );
    assert_eq!(full["awaiting_confirmation"], true);
    let verified = w.store.load_ticket(&r).await.unwrap();
    assert!(verified.ticket.email_verified);
    assert!(
        verified
            .messages
            .iter()
            .any(|m| m.kind == helpdesk_domain::MessageKind::SystemEvent
                && m.body_text.contains("verified")),
        "the agents see why"
    );
    // The form's own link stays as it was: whoever filled the form in need not be
    // the one who opened our mail.
    let (_, _, later) = call(&w.deps, &track_event(&reference, Some(&form_token))).await;
    assert_eq!(later["answers_hidden"], true);
    assert_eq!(later["email_verified"], true);
    assert!(!later.to_string().contains("refund is on its way"));
    // Opening the mailed link again changes nothing more.
    call(&w.deps, &track_event(&reference, Some(&mailed))).await;
    let events = w
        .store
        .load_ticket(&r)
        .await
        .unwrap()
        .messages
        .into_iter()
        .filter(|m| m.body_text.contains("it is verified"))
        .count();
    assert_eq!(events, 1);
}

/// What an agent would do: move the ticket to `status`.
async fn agent_sets(w: &World, reference: &str, status: Status) {
    let reference = TicketRef::parse(reference).unwrap();
    let before = w.store.load_ticket(&reference).await.unwrap().ticket;
    let mut after = before.clone();
    after.status = status;
    w.store
        .update_ticket(helpdesk_domain::ports::store::TicketUpdate::new(
            &before,
            after,
            vec![],
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_submission_creates_the_ticket_and_queues_the_confirmation() {
    let w = world().await;
    let (status, _, body) = call(&w.deps, &create_event(|_| {})).await;
    assert_eq!(status, 201, "{body}");
    let reference = TicketRef::parse(body["reference"].as_str().unwrap()).unwrap();
    let token = body["tracking_token"].as_str().unwrap();
    assert_eq!(
        body["tracking_url"],
        format!("/track/?ticket={}#token={token}", reference.as_str())
    );
    // Monday 10:00 in Berlin + 24 business hours (09:00–17:00) → Thursday 10:00 CET.
    assert_eq!(body["reply_by"], "2026-03-05T09:00:00Z");
    let thread = w.store.load_ticket(&reference).await.unwrap();
    assert_eq!(thread.ticket.status, Status::New);
    assert_eq!(
        thread.ticket.due_at.map(|d| d.to_rfc3339()),
        Some("2026-03-05T09:00:00+00:00".into()),
        "the clock runs"
    );
    assert_eq!(thread.ticket.requester.email.as_str(), "jane@example.com");
    assert_eq!(
        thread.ticket.subject.as_str(),
        "Charged twice for order 1234"
    );
    assert_eq!(thread.messages.len(), 1);
    assert_eq!(
        thread.messages[0].body_text,
        "My card was charged twice for order 1234."
    );
    let jobs = w.queue.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        (jobs[0].kind, jobs[0].recipient.as_str()),
        (MailKind::TicketConfirmation, "jane@example.com")
    );
    assert_eq!(jobs[0].ticket.as_ref(), Some(&reference));
    let stored = w.store.outbox_item(&jobs[0].outbox_id).await.unwrap();
    assert_eq!(stored.map(|(_, state)| state), Some(OutboxState::Queued));
}

#[tokio::test]
async fn a_repeated_submit_with_its_idempotency_key_gives_the_same_ticket() {
    let w = world().await;
    let (s1, _, first) = call(&w.deps, &create_event(|_| {})).await;
    let (s2, headers, second) = call(&w.deps, &create_event(|_| {})).await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(first["reference"], second["reference"]);
    assert_eq!(headers.get("idempotent-replayed").unwrap(), "true");
    let counts = w
        .store
        .status_counts(&category_id("billing"))
        .await
        .unwrap();
    assert_eq!(counts.get(Status::New), 1);
    assert_eq!(w.queue.jobs().len(), 1, "one confirmation");
    // Both secrets open the ticket.
    for body in [&first, &second] {
        let (status, _, _) = call(
            &w.deps,
            &track_event(
                body["reference"].as_str().unwrap(),
                body["tracking_token"].as_str(),
            ),
        )
        .await;
        assert_eq!(status, 200);
    }
    // The same key with another request is refused.
    let changed = create_event(|e| {
        let mut b = sample_body();
        b["subject"] = json!("Something else");
        with_body(e, b);
    });
    let (status, _, body) = call(&w.deps, &changed).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
}

#[tokio::test]
async fn invalid_fields_are_all_named_and_nothing_is_written() {
    let w = world().await;
    let event = create_event(|e| {
        let mut b = sample_body();
        b["email"] = json!("jane@");
        b["name"] = json!("Jane\r\nBcc: evil@example.com");
        b["subject"] = json!("x".repeat(201));
        b["details"] = json!({ "order_id": "x".repeat(21), "colour": "red" });
        b["nickname"] = json!("JJ");
        b["elapsed_ms"] = json!("soon");
        with_body(e, b);
    });
    let (status, _, body) = call(&w.deps, &event).await;
    assert_eq!(status, 400, "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    // Shape problems come first; the content is checked once the shape is right.
    assert_eq!(fields, ["nickname", "elapsed_ms"]);

    let event = create_event(|e| {
        let mut b = sample_body();
        b["email"] = json!("jane@");
        b["name"] = json!("Jane\r\nBcc: evil@example.com");
        b["subject"] = json!("x".repeat(201));
        b["details"] = json!({ "order_id": "x".repeat(21), "colour": "red" });
        with_body(e, b);
    });
    let (status, _, body) = call(&w.deps, &event).await;
    assert_eq!(status, 400);
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "email",
            "subject",
            "details.colour",
            "details.order_id"
        ]
    );
    let unknown_category = create_event(|e| {
        let mut b = sample_body();
        b["category"] = json!("astrology");
        with_body(e, b);
    });
    let (status, _, body) = call(&w.deps, &unknown_category).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("category"))
    );
    assert_eq!(
        w.store
            .status_counts(&category_id("billing"))
            .await
            .unwrap()
            .get(Status::New),
        0
    );
    assert!(w.queue.jobs().is_empty());
}

#[tokio::test]
async fn wrong_content_type_oversized_and_malformed_bodies_are_refused() {
    let w = world().await;
    let form =
        create_event(|e| e["headers"]["content-type"] = json!("application/x-www-form-urlencoded"));
    assert_eq!(call(&w.deps, &form).await.0, 415);
    let huge = create_event(|e| {
        let mut b = sample_body();
        b["description"] = json!("x".repeat(70 * 1024));
        with_body(e, b);
    });
    let (status, _, body) = call(&w.deps, &huge).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("too_large"))
    );
    let broken = create_event(|e| e["body"] = json!("{\"name\": "));
    let (status, _, body) = call(&w.deps, &broken).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("body"))
    );
    let array = create_event(|e| e["body"] = json!("[1,2]"));
    assert_eq!(call(&w.deps, &array).await.0, 400);
    let bad_key = create_event(|e| e["headers"]["idempotency-key"] = json!("has space"));
    let (status, _, body) = call(&w.deps, &bad_key).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("Idempotency-Key"))
    );
}

#[tokio::test]
async fn bots_get_a_receipt_but_nothing_is_stored_or_sent() {
    let w = world().await;
    for change in [
        json!({"website": "http://cheap-pills.example"}),
        json!({"elapsed_ms": 800}),
    ] {
        let event = create_event(|e| {
            let mut b = sample_body();
            for (k, v) in change.as_object().unwrap() {
                b[k] = v.clone();
            }
            with_body(e, b);
            e["headers"]
                .as_object_mut()
                .unwrap()
                .remove("idempotency-key");
        });
        let (status, _, body) = call(&w.deps, &event).await;
        assert_eq!(status, 201);
        let reference = TicketRef::parse(body["reference"].as_str().unwrap()).unwrap();
        assert!(w.store.load_ticket(&reference).await.is_err());
    }
    assert!(w.queue.jobs().is_empty());
}

#[tokio::test]
async fn the_email_rate_limit_answers_429_with_retry_after() {
    let w = world_with(IntakePolicy {
        per_email: (2, chrono::Duration::hours(1)),
        ..IntakePolicy::default()
    })
    .await;
    // One mailbox written three ways: the limit counts the mailbox, not the spelling.
    for (i, email) in [
        "jane+a@example.com",
        "Jane@example.com",
        "jane+b@EXAMPLE.com",
    ]
    .iter()
    .enumerate()
    {
        let event = create_event(|e| {
            e["headers"]["idempotency-key"] = json!(format!("key-{i}"));
            let mut body = sample_body();
            body["email"] = json!(email);
            with_body(e, body);
        });
        let (status, headers, body) = call(&w.deps, &event).await;
        if i < 2 {
            assert_eq!(status, 201, "{body}");
        } else {
            assert_eq!(
                (status, body["error"]["code"].as_str()),
                (429, Some("rate_limited"))
            );
            // Monday 09:00 → the hour window ends at 10:00.
            assert_eq!(headers.get("retry-after").unwrap(), "3600");
        }
    }
}

#[tokio::test]
async fn tracking_needs_the_secret_and_every_failure_looks_the_same() {
    let w = world().await;
    let (_, _, created) = call(&w.deps, &create_event(|_| {})).await;
    let reference = created["reference"].as_str().unwrap();
    let token = created["tracking_token"].as_str().unwrap();
    let (status, headers, body) = call(&w.deps, &track_event(reference, Some(token))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers.get("referrer-policy").unwrap(), "no-referrer");
    assert_eq!(
        (body["status"].as_str(), body["status_label"].as_str()),
        (Some("new"), Some("received"))
    );
    assert_eq!(body["messages"][0]["from"], "you");
    assert_eq!(body["awaiting_confirmation"], false);

    let other_token = "0123456789abcdef0123456789abcdef";
    let not_found = |b: &Value| b["error"]["code"] == "not_found";
    for (r, t) in [
        (reference, None),
        (reference, Some(other_token)),
        (reference, Some("not-a-token")),
        ("K7Q4M-2XP9H", Some(token)),
        ("nonsense", Some(token)),
    ] {
        let (status, headers, body) = call(&w.deps, &track_event(r, t)).await;
        assert_eq!(status, 404, "{r} {t:?}");
        assert!(not_found(&body));
        assert_eq!(headers.get("referrer-policy").unwrap(), "no-referrer");
    }
}

#[tokio::test]
async fn categories_are_listed_in_order_with_their_addresses_without_internal_fields() {
    let w = world().await;
    let (status, _, body) = call(
        &w.deps,
        &track_event("x", None).replace("/api/tickets/x", "/api/categories"),
    )
    .await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = body["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["billing", "sales"]);
    assert_eq!(body["categories"][0]["fields"][0]["name"], "order_id");
    // The addresses customers may write to instead; agents stay internal.
    assert_eq!(
        body["categories"][0]["addresses"],
        json!(["billing@helpdesk.test"])
    );
    assert_eq!(body["categories"][0]["sla_policy"], "default");
    let policy = &body["policies"][0];
    assert_eq!(policy["time_zone"], "Europe/Berlin");
    assert_eq!(
        policy["hours"],
        json!([{ "days": "Monday to Friday", "opens": "09:00", "closes": "17:00" }])
    );
    assert_eq!(policy["upcoming_holidays"], json!(["2026-12-25"]));
    assert_eq!(
        policy["reply_within"],
        json!({ "standard": "24 business hours", "premium": "2 business hours" })
    );
    assert!(body["categories"][0].get("agents").is_none());
}

#[tokio::test]
async fn the_customer_replies_and_a_ticket_waiting_on_them_opens_again() {
    let w = world().await;
    let (reference, token) = submitted(&w).await;
    let path = format!("/api/tickets/{reference}/replies");
    let reply =
        |text: &str| tracking_event("POST", &path, Some(&token), Some(json!({ "body": text })));
    let (status, headers, body) = call(&w.deps, &reply("It happens every morning.")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(headers.get("referrer-policy").unwrap(), "no-referrer");
    assert_eq!(body["status"], "new", "a new ticket stays new");
    assert_eq!(body["messages"].as_array().unwrap().len(), 2);
    assert_eq!(body["messages"][1]["body"], "It happens every morning.");

    agent_sets(&w, &reference, Status::WaitingOnCustomer).await;
    let (status, _, body) = call(&w.deps, &reply("Here is the serial: K2-1.")).await;
    assert_eq!(
        (status, body["status_label"].as_str()),
        (201, Some("in progress"))
    );

    let (status, _, body) = call(&w.deps, &reply("   ")).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("body"))
    );
    let stranger = tracking_event(
        "POST",
        &path,
        Some("0123456789abcdef0123456789abcdef"),
        Some(json!({ "body": "hi" })),
    );
    assert_eq!(call(&w.deps, &stranger).await.0, 404);
    let thread = w
        .store
        .load_ticket(&TicketRef::parse(&reference).unwrap())
        .await
        .unwrap();
    assert_eq!(thread.messages.len(), 3, "refused replies wrote nothing");
}

#[tokio::test]
async fn a_solved_ticket_is_confirmed_or_reopened_by_the_customer() {
    let w = world().await;
    let (reference, _) = submitted(&w).await;
    // The link in our mail: confirming means having read the answer.
    let token = mailed_token(&w, &reference).await;
    let path = format!("/api/tickets/{reference}/resolution");
    let answer = |solved: Value| {
        tracking_event(
            "POST",
            &path,
            Some(&token),
            Some(json!({ "solved": solved })),
        )
    };

    let (status, _, body) = call(&w.deps, &answer(json!(true))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("not_awaiting_confirmation"))
    );

    agent_sets(&w, &reference, Status::Resolved).await;
    let (_, _, shown) = call(&w.deps, &track_event(&reference, Some(&token))).await;
    assert_eq!(shown["awaiting_confirmation"], true);
    let (status, _, body) = call(&w.deps, &answer(json!(false))).await;
    assert_eq!(
        (status, body["status_label"].as_str()),
        (200, Some("in progress"))
    );

    agent_sets(&w, &reference, Status::Resolved).await;
    let (status, _, body) = call(&w.deps, &answer(json!(true))).await;
    assert_eq!(
        (status, body["status_label"].as_str()),
        (200, Some("closed"))
    );
    // The confirmations are events for the agents, not messages on the public thread.
    assert_eq!(body["messages"].as_array().unwrap().len(), 1);
    let thread = w
        .store
        .load_ticket(&TicketRef::parse(&reference).unwrap())
        .await
        .unwrap();
    assert_eq!(
        thread
            .messages
            .iter()
            .filter(|m| m.kind == helpdesk_domain::MessageKind::SystemEvent)
            .count(),
        3,
        "the address verified, reopened, confirmed"
    );
    let counts = w
        .store
        .status_counts(&category_id("billing"))
        .await
        .unwrap();
    assert_eq!(
        (counts.get(Status::Closed), counts.get(Status::New)),
        (1, 0)
    );

    let (status, _, body) = call(&w.deps, &answer(json!("yes"))).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("solved"))
    );
}

#[tokio::test]
async fn activity_keeps_the_tracking_link_alive() {
    let w = world().await;
    let (reference, token) = submitted(&w).await;
    w.clock.advance(chrono::Duration::days(80));
    let path = format!("/api/tickets/{reference}/replies");
    let reply = tracking_event(
        "POST",
        &path,
        Some(&token),
        Some(json!({ "body": "Any news?" })),
    );
    assert_eq!(call(&w.deps, &reply).await.0, 201);
    w.clock.advance(chrono::Duration::days(80));
    assert_eq!(
        call(&w.deps, &track_event(&reference, Some(&token)))
            .await
            .0,
        200,
        "160 days, active 80 days ago"
    );
    w.clock.advance(chrono::Duration::days(11));
    assert_eq!(
        call(&w.deps, &track_event(&reference, Some(&token)))
            .await
            .0,
        404,
        "91 days without activity"
    );
}

fn faq_event(query: &str) -> String {
    let mut event: Value =
        serde_json::from_str(&event_text("submit-form.apigw.health.json")).unwrap();
    event["rawPath"] = json!("/api/faq");
    event["requestContext"]["http"]["path"] = json!("/api/faq");
    event["rawQueryString"] = json!(query);
    event.to_string()
}

fn questions(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["question"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn faq_search_suggests_answers_while_typing_and_logs_each_search() {
    let w = world().await;
    let (status, _, body) = call(&w.deps, &faq_event("category=billing&q=charg")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(questions(&body), ["I was charged twice. What now?"]);
    let (_, _, body) = call(
        &w.deps,
        &faq_event("category=billing&q=how%20to%20cancel%20my%20order"),
    )
    .await;
    assert!(questions(&body).is_empty());
    let (_, _, body) = call(&w.deps, &faq_event("q=discount")).await;
    assert_eq!(
        questions(&body),
        ["Do you offer volume discounts?"],
        "no category: all of them"
    );

    let day = w.clock.now().date_naive();
    let log = w.store.faq_search_log(day, day).await.unwrap();
    let summary: Vec<(&str, Option<&str>, u32, u32)> = log
        .iter()
        .map(|l| {
            (
                l.query.as_str(),
                l.category.as_ref().map(|c| c.as_str()),
                l.searches,
                l.zero_results,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("cancel order", Some("billing"), 1, 1),
            ("charg", Some("billing"), 1, 0),
            ("discount", None, 1, 0)
        ]
    );
}

#[tokio::test]
async fn faq_without_a_query_lists_top_questions_and_refuses_unknown_categories() {
    let w = world().await;
    let (status, _, body) = call(&w.deps, &faq_event("category=billing")).await;
    assert_eq!(status, 200);
    assert_eq!(
        questions(&body),
        [
            "How long does a refund take?",
            "I was charged twice. What now?"
        ]
    );
    let (_, _, body) = call(&w.deps, &faq_event("")).await;
    assert_eq!(questions(&body).len(), 3);
    assert!(
        w.store
            .faq_search_log(w.clock.now().date_naive(), w.clock.now().date_naive())
            .await
            .unwrap()
            .is_empty(),
        "browsing is not a search"
    );
    let (status, _, body) = call(&w.deps, &faq_event("category=astrology&q=stars")).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("category"))
    );
}

#[tokio::test]
async fn lost_links_are_requested_by_email_with_the_same_answer_for_everyone() {
    let w = world_with(IntakePolicy {
        links_per_email: (2, chrono::Duration::hours(1)),
        ..IntakePolicy::default()
    })
    .await;
    submitted(&w).await;
    let ask = |email: &str| {
        tracking_event(
            "POST",
            "/api/tracking-links",
            None,
            Some(json!({ "email": email })),
        )
    };
    let (status, _, known) = call(&w.deps, &ask("jane@example.com")).await;
    let (status_unknown, _, unknown) = call(&w.deps, &ask("nobody@example.com")).await;
    assert_eq!((status, status_unknown), (202, 202));
    assert_eq!(
        known, unknown,
        "the answer does not tell whether the address has tickets"
    );
    let links: Vec<_> = w
        .queue
        .jobs()
        .into_iter()
        .filter(|j| j.kind == MailKind::TrackingLinks)
        .collect();
    let recipients: Vec<&str> = links.iter().map(|j| j.recipient.as_str()).collect();
    assert_eq!(recipients, ["jane@example.com", "nobody@example.com"]);

    let (status, _, body) = call(&w.deps, &ask("jane@")).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("email"))
    );
    call(&w.deps, &ask("JANE+links@example.com")).await;
    let (status, headers, _) = call(&w.deps, &ask("jane@example.com")).await;
    assert_eq!(
        status, 429,
        "the limit counts the mailbox whatever its case or +tag"
    );
    assert!(headers.get("retry-after").is_some());
}

#[tokio::test]
async fn uploads_are_presigned_within_limits_and_attached_once_they_arrived() {
    let w = world().await;
    let ask = |body: Value| tracking_event("POST", "/api/attachments", None, Some(body));
    let (status, _, upload) = call(&w.deps, &ask(json!({ "filename": "C:\\photos\\kettle 1.JPG", "content_type": "image/jpeg", "size": 2048 }))).await;
    assert_eq!(status, 201, "{upload}");
    let key = upload["key"].as_str().unwrap().to_owned();
    assert!(key.ends_with("/kettle_1.JPG"), "{key}");
    // Where the browser puts the file: not the handle it names later.
    let put_at = |upload: &Value| {
        upload["upload_url"]
            .as_str()
            .unwrap()
            .strip_prefix("memory://upload/")
            .unwrap()
            .to_owned()
    };
    let place = put_at(&upload);
    assert!(
        place.starts_with("incoming/") && !place.contains(&key[..32]),
        "{place}"
    );
    assert_eq!(upload["method"], "PUT");
    assert_eq!(upload["headers"]["content-type"], "image/jpeg");

    let (status, _, body) = call(&w.deps, &ask(json!({ "filename": "x.exe", "content_type": "application/x-msdownload", "size": 99_000_000 }))).await;
    assert_eq!(status, 400);
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["content_type", "size"]);

    // Named before it arrived: refused, nothing stored.
    let with_file = |keys: Value| {
        create_event(|e| {
            let mut b = sample_body();
            b["attachments"] = keys;
            with_body(e, b);
            e["headers"]
                .as_object_mut()
                .unwrap()
                .remove("idempotency-key");
        })
    };
    let (status, _, body) = call(&w.deps, &with_file(json!([key]))).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("attachments[0]"))
    );
    let (status, _, _) = call(&w.deps, &with_file(json!(["../../etc/passwd"]))).await;
    assert_eq!(status, 400);

    w.files.upload(&place, 2048, "image/jpeg");
    // Someone who learnt where it was put (or later, from a download link, where
    // it is kept) cannot attach it: only the handle's secret names it.
    let (status, _, _) = call(&w.deps, &with_file(json!([place]))).await;
    assert_eq!(status, 400);
    let (status, _, created) = call(&w.deps, &with_file(json!([key]))).await;
    assert_eq!(status, 201, "{created}");
    let reference = created["reference"].as_str().unwrap();
    let token = created["tracking_token"].as_str().unwrap();
    let (_, _, shown) = call(&w.deps, &track_event(reference, Some(token))).await;
    let file = &shown["messages"][0]["attachments"][0];
    assert_eq!(
        (file["filename"].as_str(), file["size"].as_u64()),
        (Some("kettle_1.JPG"), Some(2048))
    );
    let kept = file["url"]
        .as_str()
        .unwrap()
        .strip_prefix("memory://download/")
        .unwrap();
    assert!(
        kept.starts_with("uploads/") && kept.ends_with("/kettle_1.JPG"),
        "{kept}"
    );
    assert_eq!(
        helpdesk_domain::ports::AttachmentStore::describe(&*w.files, kept)
            .await
            .unwrap()
            .map(|o| o.size),
        Some(2048),
        "copied out of the incoming area, which expires"
    );
    let (status, _, _) = call(&w.deps, &with_file(json!([kept]))).await;
    assert_eq!(status, 400, "a kept file's key is no handle");

    // A reply can carry files too.
    let (_, _, second) = call(
        &w.deps,
        &ask(json!({ "filename": "log.txt", "content_type": "text/plain", "size": 10 })),
    )
    .await;
    let second_key = second["key"].as_str().unwrap();
    w.files.upload(&put_at(&second), 10, "text/plain");
    let path = format!("/api/tickets/{reference}/replies");
    let reply = tracking_event(
        "POST",
        &path,
        Some(token),
        Some(json!({ "body": "The log.", "attachments": [second_key] })),
    );
    let (status, _, after) = call(&w.deps, &reply).await;
    assert_eq!(status, 201, "{after}");
    assert_eq!(
        after["messages"][1]["attachments"][0]["filename"],
        "log.txt"
    );

    // The first upload URL used again with other bytes, and its handle named
    // again: a new file of its own, the one already attached stays as checked.
    w.files.upload(&place, 4096, "image/jpeg");
    let again = tracking_event(
        "POST",
        &path,
        Some(token),
        Some(json!({ "body": "Another photo.", "attachments": [key] })),
    );
    let (status, _, after) = call(&w.deps, &again).await;
    assert_eq!(status, 201, "{after}");
    let second_copy = after["messages"][2]["attachments"][0]["url"]
        .as_str()
        .unwrap()
        .strip_prefix("memory://download/")
        .unwrap()
        .to_owned();
    assert_ne!(second_copy, kept);
    let size_of = |k: String| {
        let files = w.files.clone();
        async move {
            helpdesk_domain::ports::AttachmentStore::describe(&*files, &k)
                .await
                .unwrap()
                .map(|o| o.size)
        }
    };
    assert_eq!(size_of(kept.to_owned()).await, Some(2048));
    assert_eq!(size_of(second_copy).await, Some(4096));
}

#[tokio::test]
async fn a_self_test_probe_is_recorded_once_and_never_becomes_a_ticket() {
    use helpdesk_domain::ops::probe::{Channel, Probe, ProbeOutcome};
    use helpdesk_domain::values::token::SecretToken;
    let w = world().await;
    let secret = SecretToken::parse("0123456789abcdef0123456789abcdef").unwrap();
    let now = w.clock.now();
    w.store
        .put_probe(&Probe {
            hash: secret.hash(),
            channel: Channel::Web,
            sent_at: now,
            deadline: now + chrono::Duration::minutes(10),
            outcome: ProbeOutcome::Pending,
        })
        .await
        .unwrap();
    let probe = |secret: &'static str, body: Value| {
        create_event(move |e| {
            e["headers"]["x-helpdesk-probe"] = json!(secret);
            // No detail fields: a probe cannot know each category's own.
            with_body(e, body);
        })
    };
    let mut body = sample_body();
    body["details"] = json!({});
    let (status, _, answer) = call(
        &w.deps,
        &probe("0123456789abcdef0123456789abcdef", body.clone()),
    )
    .await;
    assert_eq!(
        (status, answer["probe"].as_str()),
        (202, Some("arrived")),
        "{answer}"
    );
    let probes = w.store.probes().await.unwrap();
    assert!(
        matches!(&probes[0].outcome, ProbeOutcome::Arrived { category: Some(c), .. } if c.as_str() == "billing")
    );
    // Nothing else happened: no ticket, no mail.
    assert!(w.queue.jobs().is_empty());
    let requester = helpdesk_domain::EmailAddress::parse("jane@example.com").unwrap();
    assert!(
        w.store
            .tickets_of_requester(&requester, 5)
            .await
            .unwrap()
            .is_empty()
    );

    // The same secret again, an unknown one, a malformed one, a broken form: 400s.
    for (secret, body, field) in [
        (
            "0123456789abcdef0123456789abcdef",
            body.clone(),
            "x-helpdesk-probe",
        ),
        (
            "ffffffffffffffffffffffffffffffff",
            body.clone(),
            "x-helpdesk-probe",
        ),
        ("not-a-secret", body.clone(), "x-helpdesk-probe"),
        (
            "ffffffffffffffffffffffffffffffff",
            json!({"category": "billing"}),
            "name",
        ),
    ] {
        let (status, _, answer) = call(&w.deps, &probe(secret, body)).await;
        assert_eq!(
            (status, answer["error"]["fields"][0]["field"].as_str()),
            (400, Some(field)),
            "{secret}: {answer}"
        );
    }
    assert!(w.queue.jobs().is_empty());
}

fn read_event(body: Value) -> String {
    create_event(|e| {
        e["rawPath"] = json!("/api/faq/reads");
        e["requestContext"]["http"]["path"] = json!("/api/faq/reads");
        e["headers"]
            .as_object_mut()
            .unwrap()
            .remove("idempotency-key");
        with_body(e, body);
    })
}

#[tokio::test]
async fn answers_read_are_counted_and_a_request_after_them_says_so() {
    let w = world().await;
    for (body, status) in [
        (json!({"faq": "billing/refund-time"}), 204),
        (json!({"faq": "billing/no-such-answer"}), 404),
        (json!({"faq": "sales/refund-time"}), 404),
        (json!({"faq": 7}), 400),
        (json!({"faq": "billing/refund-time", "extra": 1}), 400),
    ] {
        let (got, _, answer) = call(&w.deps, &read_event(body.clone())).await;
        assert_eq!(got, status, "{body}: {answer}");
    }
    // The visit ends in a request: the answers it read (the unknown one ignored).
    let (status, _, answer) = call(
        &w.deps,
        &create_event(|e| {
            let mut body = sample_body();
            body["faq_read"] = json!(["billing/refund-time", "billing/nope", "not-a-ref"]);
            with_body(e, body);
        }),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let (bad, _, answer) = call(
        &w.deps,
        &create_event(|e| {
            e["headers"]
                .as_object_mut()
                .unwrap()
                .remove("idempotency-key");
            let mut body = sample_body();
            body["faq_read"] = json!("billing/refund-time");
            with_body(e, body);
        }),
    )
    .await;
    assert_eq!(
        (bad, answer["error"]["fields"][0]["field"].as_str()),
        (400, Some("faq_read"))
    );
    let day = w.clock.now().date_naive();
    let log = w.store.faq_read_log(day, day).await.unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(
        (log[0].entry.as_str(), log[0].opened, log[0].then_ticket),
        ("refund-time", 1, 1)
    );
}

/// Behind CloudFront: the visitor is CloudFront's viewer address, believed only
/// with the origin secret; a request straight to the API's own domain is refused.
#[tokio::test]
async fn behind_cloudfront_limits_count_each_visitor_and_direct_calls_are_refused() {
    let w = world_with(IntakePolicy {
        per_ip: (1, chrono::Duration::hours(1)),
        ..IntakePolicy::default()
    })
    .await;
    // The secret in the sample event of a request CloudFront forwarded.
    let secret = "example-origin-secret-0123456789abcdef";
    let mut deps = Deps {
        tickets: w.deps.tickets.clone(),
        attachments: w.deps.attachments.clone(),
        catalog: w.deps.catalog.clone(),
        outbound: w.deps.outbound.clone(),
        health: w.deps.health.clone(),
        clock: w.deps.clock.clone(),
        ids: w.deps.ids.clone(),
        policy: w.deps.policy.clone(),
        client_address: lambda_kit::client::ClientAddress::CloudFront {
            origin_secret: secret.into(),
        },
    };
    deps.policy.per_email = (100, chrono::Duration::hours(1));
    let deps = Arc::new(deps);
    // Every request arrives from the same edge server (the event's sourceIp).
    let via_edge = |i: usize, viewer: &str, origin: Option<&str>| {
        let (viewer, origin) = (viewer.to_owned(), origin.map(str::to_owned));
        create_event(move |e| {
            e["headers"]["idempotency-key"] = json!(format!("edge-{i}"));
            e["headers"]["cloudfront-viewer-address"] = json!(viewer);
            if let Some(o) = origin {
                e["headers"]["x-origin-verify"] = json!(o);
            }
        })
    };
    let mut statuses = vec![];
    for (i, viewer) in [
        "198.51.100.1:5000",
        "198.51.100.2:6000",
        "198.51.100.1:5001",
    ]
    .iter()
    .enumerate()
    {
        statuses.push(call(&deps, &via_edge(i, viewer, Some(secret))).await.0);
    }
    assert_eq!(
        statuses,
        [201, 201, 429],
        "one visitor's limit is not another's"
    );
    // A forged viewer address straight to the API, with no secret or a wrong one.
    for origin in [None, Some("guess")] {
        let (status, _, body) = call(&deps, &via_edge(9, "192.0.2.9:1", origin)).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "{body}"
        );
    }
    let health = event_text("submit-form.apigw.health.json");
    assert_eq!(
        call(&deps, &health).await.0,
        403,
        "every route is behind the check"
    );
    let through_cloudfront = event_text("submit-form.apigw.categories.json");
    assert_eq!(call(&deps, &through_cloudfront).await.0, 200);
    assert_eq!(w.queue.jobs().len(), 2, "two tickets, two confirmations");
}

/// A script searching or "reading" in a loop meets a per-client limit, and the
/// day's log takes only so many queries it has not seen.
#[tokio::test]
async fn faq_searches_and_reads_are_limited_per_client_and_the_log_per_day() {
    let w = world_with(IntakePolicy {
        faq: helpdesk_domain::catalog::help_center::FaqLimits {
            searches_per_ip: (3, chrono::Duration::hours(1)),
            new_queries_per_day: 2,
            reads_per_ip: (1, chrono::Duration::hours(1)),
        },
        ..IntakePolicy::default()
    })
    .await;
    let from = |ip: &str, query: &str| {
        let mut event: Value = serde_json::from_str(&faq_event(query)).unwrap();
        event["requestContext"]["http"]["sourceIp"] = json!(ip);
        event.to_string()
    };
    let mut statuses = vec![];
    for q in ["q=refund", "q=charge", "q=cancel", "q=invoice"] {
        statuses.push(call(&w.deps, &from("198.51.100.1", q)).await.0);
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    let (status, headers, body) = call(&w.deps, &from("198.51.100.1", "q=refund")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate_limited"))
    );
    assert!(headers.get("retry-after").is_some());
    // Browsing the top questions stores nothing and is not limited.
    assert_eq!(call(&w.deps, &from("198.51.100.1", "")).await.0, 200);
    // Another visitor is not affected.
    assert_eq!(
        call(&w.deps, &from("198.51.100.2", "q=refund")).await.0,
        200
    );
    // Three distinct queries were answered; the day's log took two.
    let today = w.clock.now().date_naive();
    let mut logged: Vec<(String, u32)> = w
        .store
        .faq_search_log(today, today)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.query, c.searches))
        .collect();
    logged.sort();
    assert_eq!(logged, [("charge".to_owned(), 1), ("refund".to_owned(), 2)]);

    let read = |ip: &str| {
        let mut event: Value =
            serde_json::from_str(&read_event(json!({"faq": "billing/refund-time"}))).unwrap();
        event["requestContext"]["http"]["sourceIp"] = json!(ip);
        event.to_string()
    };
    assert_eq!(call(&w.deps, &read("198.51.100.1")).await.0, 204);
    assert_eq!(call(&w.deps, &read("198.51.100.1")).await.0, 429);
    assert_eq!(call(&w.deps, &read("198.51.100.2")).await.0, 204);
}

/// A script holding a link cannot flood the thread, and a thread that is full
/// says so instead of growing.
#[tokio::test]
async fn tracking_page_replies_are_limited_per_link_and_ticket_and_a_full_thread_says_so() {
    let w = world_with(IntakePolicy {
        replies: helpdesk_domain::customers::limits::ReplyLimits {
            per_ticket: (3, chrono::Duration::hours(1)),
            per_link: (2, chrono::Duration::hours(1)),
        },
        ..IntakePolicy::default()
    })
    .await;
    let (reference, token) = submitted(&w).await;
    let path = format!("/api/tickets/{reference}/replies");
    let reply = |token: &str, text: &str| {
        tracking_event("POST", &path, Some(token), Some(json!({ "body": text })))
    };
    let mut statuses = vec![];
    for i in 0..3 {
        statuses.push(call(&w.deps, &reply(&token, &format!("more {i}"))).await.0);
    }
    assert_eq!(statuses, [201, 201, 429], "two per link");
    // A second link (as our mail carries) has its own allowance, within the ticket's.
    let r = TicketRef::parse(&reference).unwrap();
    let mailed = mailed_token(&w, &reference).await;
    let mut statuses = vec![];
    for i in 0..2 {
        statuses.push(
            call(&w.deps, &reply(&mailed, &format!("again {i}")))
                .await
                .0,
        );
    }
    assert_eq!(statuses, [201, 429], "three per ticket");

    // An hour later the limits are fresh, but the thread is full.
    w.clock.advance(chrono::Duration::hours(1));
    testkit::fixtures::fill_thread(
        &*w.store,
        &SequentialIds::new(),
        &r,
        helpdesk_domain::tickets::ticket::MAX_THREAD_MESSAGES,
    )
    .await;
    let (status, _, body) = call(&w.deps, &reply(&token, "one more")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("thread_full")),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&reference)
    );
    let thread = w.store.load_ticket(&r).await.unwrap();
    assert_eq!(
        thread.messages.len(),
        helpdesk_domain::tickets::ticket::MAX_THREAD_MESSAGES
    );
}

/// The README promises every error as JSON: also the ones axum answers before
/// any handler runs (a method the path does not take, a path that does not decode).
#[tokio::test]
async fn errors_made_before_any_handler_runs_are_json_too() {
    let w = world().await;
    let (status, headers, body) = call(
        &w.deps,
        &tracking_event("DELETE", "/api/tickets", None, None),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (405, Some("method_not_allowed")),
        "{body}"
    );
    let allow = headers.get("allow").and_then(|v| v.to_str().ok());
    assert_eq!(allow, Some("POST"));
    let (status, _, body) = call(
        &w.deps,
        &tracking_event("GET", "/api/tickets/%ff", None, None),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_request")),
        "{body}"
    );
}

/// The customer list and a category's choice answers make a request premium:
/// the ticket runs premium's clock from the first second and the confirmation
/// (mailed to the address) promises premium's time, while the receipt (read by
/// whoever typed the form in) promises the standard time to everyone, so the
/// form tells no stranger who is on the list; the public form never says which
/// answer means premium.
#[tokio::test]
async fn a_premium_customer_is_timed_premium_from_the_first_second_without_the_form_telling() {
    use helpdesk_domain::catalog::category::{FieldKind, FieldSchema};
    use helpdesk_domain::ports::{Categories, CustomerTiers};
    let w = world().await;
    w.store
        .put_tier_rule(&helpdesk_domain::customers::tier_rule::TierRule {
            pattern: helpdesk_domain::mail::inbound::quarantine::SenderPattern::parse(
                "@example.com",
            )
            .unwrap(),
            tier: helpdesk_domain::Tier::Premium,
            note: String::new(),
            by: testkit::fixtures::agent_id("adam"),
            at: w.clock.now(),
        })
        .await
        .unwrap();
    let (status, _, body) = call(&w.deps, &create_event(|_| {})).await;
    assert_eq!(status, 201, "{body}");
    // Monday 10:00 in Berlin + 24 business hours: the same receipt as anyone's.
    assert_eq!(body["reply_by"], "2026-03-05T09:00:00Z");
    let reference = TicketRef::parse(body["reference"].as_str().unwrap()).unwrap();
    let thread = w.store.load_ticket(&reference).await.unwrap();
    assert_eq!(thread.ticket.tier, helpdesk_domain::Tier::Premium);
    // + 2 business hours → Monday 12:00 CET: what the confirmation says.
    assert_eq!(
        thread.ticket.due_at.map(|d| d.to_rfc3339()),
        Some("2026-03-02T11:00:00+00:00".into())
    );
    assert_eq!(w.queue.jobs()[0].kind, MailKind::TicketConfirmation);

    // A choice answer the admin marked premium does the same for anyone.
    let mut billing = category("billing", 1);
    billing.fields.push(FieldSchema {
        name: "plan".into(),
        label: "Your plan".into(),
        kind: FieldKind::Choice {
            options: vec!["Basic".into(), "Business".into()],
            premium: vec!["Business".into()],
        },
        required: false,
        help: String::new(),
    });
    w.store.put_category(&billing).await.unwrap();
    for (plan, tier) in [
        ("Basic", helpdesk_domain::Tier::Standard),
        ("Business", helpdesk_domain::Tier::Premium),
    ] {
        let event = create_event(|e| {
            let mut body = sample_body();
            body["email"] = json!(format!("someone-{plan}@shop.example"));
            body["details"]["plan"] = json!(plan);
            with_body(e, body);
            e["headers"]["idempotency-key"] = json!(format!("plan-{plan}-0123456789"));
        });
        let (status, _, body) = call(&w.deps, &event).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["reply_by"], "2026-03-05T09:00:00Z", "{plan}");
        let reference = TicketRef::parse(body["reference"].as_str().unwrap()).unwrap();
        let thread = w.store.load_ticket(&reference).await.unwrap();
        assert_eq!(thread.ticket.tier, tier, "{plan}");
    }
    let (_, _, listed) = call(
        &w.deps,
        &track_event("x", None).replace("/api/tickets/x", "/api/categories"),
    )
    .await;
    let plan = &listed["categories"][0]["fields"][1];
    assert_eq!(plan["name"], "plan");
    assert_eq!(plan["kind"]["options"], json!(["Basic", "Business"]));
    assert!(plan["kind"].get("premium").is_none(), "{plan}");
}

/// "How did we do?": only a solved or closed request, only through a link we
/// mailed (the form's link may belong to a stranger), once, changeable for 7
/// days; agents see it as an event, the reports count it and list its comment.
#[tokio::test]
async fn a_solved_request_is_rated_once_from_the_mailed_link_and_changed_for_a_week() {
    use helpdesk_domain::ports::ReportDays;
    use helpdesk_domain::reports::{Figure, ReportScope};
    let w = world().await;
    let (reference, form_secret) = submitted(&w).await;
    let mailed = mailed_token(&w, &reference).await;
    let path = format!("/api/tickets/{reference}/rating");
    let rate = |secret: &str, body: Value| tracking_event("POST", &path, Some(secret), Some(body));
    let good = json!({"score": "good", "comment": "Quick and kind."});

    let (status, _, body) = call(&w.deps, &rate(&mailed, good.clone())).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("not_rateable")),
        "an open request is not rated yet"
    );
    agent_sets(&w, &reference, Status::Resolved).await;
    let (status, _, body) = call(&w.deps, &rate(&form_secret, good.clone())).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("not_rateable")),
        "the form's link is not proof of the address"
    );
    let (_, _, shown) = call(&w.deps, &track_event(&reference, Some(&form_secret))).await;
    assert_eq!(shown["may_rate"], false);
    let (_, _, shown) = call(&w.deps, &track_event(&reference, Some(&mailed))).await;
    assert_eq!(shown["may_rate"], true);

    for (input, field) in [
        (json!({"score": "great"}), "score"),
        (json!({"comment": "no score"}), "score"),
        (
            json!({"score": "good", "comment": "x".repeat(1001)}),
            "comment",
        ),
        (json!({"score": "good", "comment": "a\u{0}b"}), "comment"),
        (json!({"score": "good", "stars": 5}), "stars"),
    ] {
        let (status, _, body) = call(&w.deps, &rate(&mailed, input.clone())).await;
        assert_eq!(
            (status, body["error"]["fields"][0]["field"].as_str()),
            (400, Some(field)),
            "{input}: {body}"
        );
    }

    let (status, _, body) = call(&w.deps, &rate(&mailed, good.clone())).await;
    assert_eq!(status, 200, "{body}");
    // A double click sends it twice: one rating, one event.
    let (status, _, again) = call(&w.deps, &rate(&mailed, good)).await;
    assert_eq!(
        (status, again["rating"].clone()),
        (200, body["rating"].clone())
    );
    // What the owner said is not for whoever holds the form's link.
    let (_, _, shown) = call(&w.deps, &track_event(&reference, Some(&form_secret))).await;
    assert_eq!(shown["rating"], Value::Null);
    assert_eq!(body["rating"]["score"], "good");
    assert_eq!(body["rating"]["comment"], "Quick and kind.");
    assert_eq!(body["rating"]["changeable_until"], "2026-03-09T09:00:00Z");
    assert_eq!(body["may_rate"], true);
    w.clock.advance(chrono::Duration::days(3));
    let (status, _, body) = call(
        &w.deps,
        &rate(
            &mailed,
            json!({"score": "bad", "comment": "It broke again."}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["rating"]["changeable_until"], "2026-03-09T09:00:00Z",
        "the week runs from the first rating"
    );
    w.clock.advance(chrono::Duration::days(4));
    let (status, _, body) = call(&w.deps, &rate(&mailed, json!({"score": "good"}))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("rating_final"))
    );
    let (_, _, shown) = call(&w.deps, &track_event(&reference, Some(&mailed))).await;
    assert_eq!(
        (
            shown["may_rate"].as_bool(),
            shown["rating"]["score"].as_str()
        ),
        (Some(false), Some("bad"))
    );

    // One rating counted: moved from good to bad, and listed with its comment.
    let r = TicketRef::parse(&reference).unwrap();
    let thread = w.store.load_ticket(&r).await.unwrap();
    let events: Vec<&str> = thread
        .messages
        .iter()
        .map(|m| m.body_text.as_str())
        .filter(|b| b.contains("rat"))
        .collect();
    assert_eq!(
        events,
        [
            "The customer rated our help: good.",
            "The customer changed their rating to bad."
        ]
    );
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
    let days = w
        .store
        .report_days(
            &ReportScope::Category(thread.ticket.category.clone()),
            day(1),
            day(31),
        )
        .await
        .unwrap();
    let sum = |f: Figure| days.iter().map(|(_, d)| d.get(f)).sum::<i64>();
    assert_eq!((sum(Figure::RatedGood), sum(Figure::RatedBad)), (0, 1));
    let listed = w
        .store
        .ratings(&thread.ticket.category, day(1), day(31))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].comment, "It broke again.");
}

/// Queued, assigned to someone we name, completed: the tracking page says who
/// took the request by the name customers read in our replies.
#[tokio::test]
async fn the_tracking_page_names_who_took_the_request() {
    use helpdesk_domain::ports::AgentProfiles;
    let w = world().await;
    let mut ana = testkit::fixtures::agent(
        "ana",
        helpdesk_domain::agents::profile::Role::Agent,
        &["billing"],
    );
    ana.name = "Ana Lopez".into();
    w.store.put_agent(&ana).await.unwrap();
    let (reference, form_secret) = submitted(&w).await;
    let secret = mailed_token(&w, &reference).await;
    let (_, _, shown) = call(&w.deps, &track_event(&reference, Some(&secret))).await;
    assert_eq!(shown["assigned_to"], Value::Null, "queued");
    let r = TicketRef::parse(&reference).unwrap();
    let before = w.store.load_ticket(&r).await.unwrap().ticket;
    let mut after = before.clone();
    after.assignee = Some(ana.id.clone());
    after.status = Status::Open;
    w.store
        .update_ticket(helpdesk_domain::ports::store::TicketUpdate::new(
            &before,
            after,
            vec![],
        ))
        .await
        .unwrap();
    let (_, _, shown) = call(&w.deps, &track_event(&reference, Some(&secret))).await;
    assert_eq!(shown["assigned_to"], "Ana");
    // Our people's names are for whoever proved the address is theirs.
    let (_, _, shown) = call(&w.deps, &track_event(&reference, Some(&form_secret))).await;
    assert_eq!(shown["assigned_to"], Value::Null);
}

/// The knowledge base as customers meet it: the top answers are the most read
/// of the last 30 days (pinned ones first), each answer has its own page with
/// related answers, and "did this help?" is counted; drafts have no page.
#[tokio::test]
async fn top_answers_follow_the_reads_and_each_answer_has_a_page_that_counts_votes() {
    use helpdesk_domain::ports::{FaqEntries, FaqStats};
    let w = world().await;
    let billing = testkit::fixtures::category_id("billing");
    let twice = helpdesk_domain::values::ids::FaqId::parse("double-charge").unwrap();
    // Read 3 times today: more than the refund answer, first in the order.
    for _ in 0..3 {
        w.store
            .count_faq_reads(&[(billing.clone(), twice.clone())], false, w.clock.now())
            .await
            .unwrap();
    }
    let (_, _, body) = call(&w.deps, &faq_event("category=billing")).await;
    assert_eq!(
        questions(&body),
        [
            "I was charged twice. What now?",
            "How long does a refund take?"
        ],
        "most read first"
    );
    let mut refund = w
        .store
        .faq(&billing)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.id.as_str() == "refund-time")
        .unwrap();
    refund.pinned = true;
    w.store.put_faq(&refund).await.unwrap();
    let (_, _, body) = call(&w.deps, &faq_event("category=billing")).await;
    assert_eq!(
        questions(&body)[0],
        "How long does a refund take?",
        "pinned first"
    );

    let page = |path: &str, method: &str, body: Option<Value>| {
        let mut event: Value =
            serde_json::from_str(&event_text("submit-form.apigw.health.json")).unwrap();
        event["rawPath"] = json!(path);
        event["requestContext"]["http"]["path"] = json!(path);
        event["requestContext"]["http"]["method"] = json!(method);
        if let Some(b) = body {
            event["body"] = json!(b.to_string());
            event["headers"]["content-type"] = json!("application/json");
        }
        event.to_string()
    };
    let (status, _, shown) =
        call(&w.deps, &page("/api/faq/billing/refund-time", "GET", None)).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["answer"]["question"], "How long does a refund take?");
    assert_eq!(shown["url"], "/answers/?a=billing/refund-time");
    assert_eq!(shown["related"][0]["id"], "double-charge");
    for missing in [
        "/api/faq/billing/nope",
        "/api/faq/Bad!/x",
        "/api/faq/sales/refund-time",
    ] {
        let (status, _, _) = call(&w.deps, &page(missing, "GET", None)).await;
        assert_eq!(status, 404, "{missing}");
    }
    refund.published = false;
    w.store.put_faq(&refund).await.unwrap();
    let (status, _, _) = call(&w.deps, &page("/api/faq/billing/refund-time", "GET", None)).await;
    assert_eq!(status, 404, "a draft has no page");

    let vote = |helpful: Value| {
        page(
            "/api/faq/billing/double-charge/vote",
            "POST",
            Some(json!({ "helpful": helpful })),
        )
    };
    assert_eq!(call(&w.deps, &vote(json!(true))).await.0, 204);
    // The same visitor again the same day: taken, counted once.
    assert_eq!(call(&w.deps, &vote(json!(false))).await.0, 204);
    for unknown in ["/api/faq/astrology/x/vote", "/api/faq/billing/nope/vote"] {
        let (status, _, _) = call(
            &w.deps,
            &page(unknown, "POST", Some(json!({"helpful": true}))),
        )
        .await;
        assert_eq!(status, 404, "{unknown}");
    }
    let (status, _, body) = call(&w.deps, &vote(json!("yes"))).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("helpful"))
    );
    let (status, _, _) = call(
        &w.deps,
        &page(
            "/api/faq/billing/refund-time/vote",
            "POST",
            Some(json!({"helpful": true})),
        ),
    )
    .await;
    assert_eq!(status, 404, "no votes on a draft");
    let today = w.clock.now().date_naive();
    let log = w.store.faq_read_log(today, today).await.unwrap();
    let counted = log.iter().find(|r| r.entry == twice).unwrap();
    assert_eq!((counted.helpful, counted.unhelpful), (1, 0));
}

#[tokio::test]
async fn a_request_remembers_its_customer_s_language_from_the_page_or_the_browser() {
    let w = world().await;
    let language_of = |reference: &str| {
        let store = w.store.clone();
        let reference = TicketRef::parse(reference).unwrap();
        async move { store.load_ticket(&reference).await.unwrap().ticket.language }
    };
    // The browser's preference, when the page does not say.
    let (status, _, body) = call(
        &w.deps,
        &create_event(|e| {
            e["headers"]["idempotency-key"] = json!("language-1");
            e["headers"]["accept-language"] = json!("de-AT,de;q=0.9,en;q=0.5");
            let mut b = sample_body();
            b["subject"] = json!("Rechnung doppelt");
            with_body(e, b);
        }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        language_of(body["reference"].as_str().unwrap()).await,
        helpdesk_domain::i18n::Language::De
    );
    // The page's choice wins over the browser's.
    let (status, _, body) = call(
        &w.deps,
        &create_event(|e| {
            e["headers"]["idempotency-key"] = json!("language-2");
            e["headers"]["accept-language"] = json!("de-DE");
            let mut b = sample_body();
            b["language"] = json!("en");
            b["subject"] = json!("Double invoice");
            with_body(e, b);
        }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        language_of(body["reference"].as_str().unwrap()).await,
        helpdesk_domain::i18n::Language::En
    );
    // A language we do not write in is named as the problem.
    for bad in [json!("fr"), json!(7), json!("de;DROP")] {
        let (status, _, body) = call(
            &w.deps,
            &create_event(|e| {
                let mut b = sample_body();
                b["language"] = bad.clone();
                with_body(e, b);
            }),
        )
        .await;
        assert_eq!(
            (status, body["error"]["fields"][0]["field"].as_str()),
            (400, Some("language")),
            "{bad} -> {body}"
        );
    }
}

/// `event` as a browser reading German sends it (the page's choice or its own).
fn in_german(event: &str) -> String {
    let mut e: Value = serde_json::from_str(event).unwrap();
    e["headers"]["accept-language"] = json!("de-DE,de;q=0.9,en;q=0.5");
    e.to_string()
}

#[tokio::test]
async fn a_german_reader_gets_the_admins_german_texts_our_words_in_german_and_the_rest_as_written()
{
    use helpdesk_domain::catalog::translations::{CategoryText, FaqText, FieldText};
    use helpdesk_domain::i18n::Language;
    let w = world().await;
    let mut billing = category("billing", 1);
    billing
        .fields
        .push(helpdesk_domain::catalog::category::FieldSchema {
            name: "plan".into(),
            label: "Your plan".into(),
            kind: helpdesk_domain::catalog::category::FieldKind::Choice {
                options: vec!["Basic".into(), "Business".into()],
                premium: vec![],
            },
            required: false,
            help: String::new(),
        });
    billing.translations.insert(
        Language::De,
        CategoryText {
            name: "Rechnungen".into(),
            description: String::new(),
            hints: vec![],
            fields: [
                (
                    "order_id".to_owned(),
                    FieldText {
                        label: "Bestellnummer".into(),
                        help: String::new(),
                        options: Default::default(),
                    },
                ),
                (
                    "plan".to_owned(),
                    FieldText {
                        label: "Ihr Tarif".into(),
                        help: String::new(),
                        options: [
                            ("Basic".to_owned(), "Basis".to_owned()),
                            ("Business".to_owned(), "Geschäftlich".to_owned()),
                        ]
                        .into(),
                    },
                ),
            ]
            .into(),
        },
    );
    w.store.put_category(&billing).await.unwrap();
    let billing_id = category_id("billing");
    let mut refund = w
        .store
        .faq(&billing_id)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.id.as_str() == "refund-time")
        .unwrap();
    refund.translations.insert(
        Language::De,
        FaqText {
            question: "Wie lange dauert eine Erstattung?".into(),
            answer: "Drei bis fünf Werktage.".into(),
        },
    );
    w.store.put_faq(&refund).await.unwrap();
    let categories = track_event("x", None).replace("/api/tickets/x", "/api/categories");

    let (status, _, body) = call(&w.deps, &in_german(&categories)).await;
    assert_eq!(status, 200, "{body}");
    let de = &body["categories"][0];
    assert_eq!(de["name"], "Rechnungen");
    assert_eq!(
        de["description"], "Questions about billing",
        "not given: as written"
    );
    assert_eq!(de["hints"], json!(["Include your order number"]));
    assert_eq!(de["fields"][0]["label"], "Bestellnummer");
    assert_eq!(de["fields"][0]["help"], "On your receipt");
    assert!(de["fields"][0].get("option_labels").is_none());
    // A choice: its options as sent, and how a German reader sees them.
    assert_eq!(de["fields"][1]["label"], "Ihr Tarif");
    assert_eq!(
        de["fields"][1]["kind"]["options"],
        json!(["Basic", "Business"])
    );
    assert_eq!(
        de["fields"][1]["option_labels"],
        json!(["Basis", "Geschäftlich"])
    );
    assert!(de.get("translations").is_none(), "one language per reader");
    let policy = &body["policies"][0];
    assert_eq!(policy["hours"][0]["days"], "Montag bis Freitag");
    assert_eq!(
        policy["reply_within"],
        json!({ "standard": "24 Stunden in unseren Geschäftszeiten", "premium": "2 Stunden in unseren Geschäftszeiten" })
    );
    // The same call without German reads English, and French falls back to it.
    for header in [None, Some("fr-FR,fr;q=0.9")] {
        let mut e: Value = serde_json::from_str(&categories).unwrap();
        if let Some(h) = header {
            e["headers"]["accept-language"] = json!(h);
        }
        let (_, _, body) = call(&w.deps, &e.to_string()).await;
        assert_eq!(
            body["categories"][0]["name"], "Category billing",
            "{header:?}"
        );
        assert_eq!(body["policies"][0]["hours"][0]["days"], "Monday to Friday");
        assert_eq!(body["categories"][0]["fields"][1]["name"], "plan");
        assert!(
            body["categories"][0]["fields"][1]
                .get("option_labels")
                .is_none()
        );
    }

    // Answers: searched and shown in German where given, the rest as written.
    let (_, _, body) = call(
        &w.deps,
        &in_german(&faq_event("category=billing&q=erstattung")),
    )
    .await;
    assert_eq!(questions(&body), ["Wie lange dauert eine Erstattung?"]);
    let (_, _, body) = call(&w.deps, &in_german(&faq_event("category=billing"))).await;
    let mut shown = questions(&body);
    shown.sort();
    assert_eq!(
        shown,
        [
            "I was charged twice. What now?",
            "Wie lange dauert eine Erstattung?"
        ]
    );
    let (_, _, body) = call(&w.deps, &faq_event("category=billing&q=refund")).await;
    assert_eq!(questions(&body), ["How long does a refund take?"]);
    let page = track_event("x", None).replace("/api/tickets/x", "/api/faq/billing/refund-time");
    let (status, _, body) = call(&w.deps, &in_german(&page)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["answer"]["answer"], "Drei bis fünf Werktage.");

    // Our own words: the status on the tracking page, the links form's answer.
    let (reference, secret) = submitted(&w).await;
    let (_, _, ticket) = call(&w.deps, &in_german(&track_event(&reference, Some(&secret)))).await;
    assert_eq!(ticket["status"], "new");
    assert_eq!(ticket["status_label"], "eingegangen");
    let (_, _, ticket) = call(&w.deps, &track_event(&reference, Some(&secret))).await;
    assert_eq!(ticket["status_label"], "received");
    let links = tracking_event(
        "POST",
        "/api/tracking-links",
        None,
        Some(json!({ "email": "jane@example.com" })),
    );
    let (status, _, said) = call(&w.deps, &in_german(&links)).await;
    assert_eq!(status, 202);
    assert_eq!(
        said["message"],
        "Falls wir Anfragen von dieser Adresse haben, haben wir ihr einen Link zu allen geschickt."
    );
    // Why something was refused, in German too: the links form, a reply, the form.
    let bad_links = tracking_event(
        "POST",
        "/api/tracking-links",
        None,
        Some(json!({ "email": "jana" })),
    );
    let (status, _, refused) = call(&w.deps, &in_german(&bad_links)).await;
    assert_eq!(status, 400);
    assert_eq!(
        refused["error"]["fields"][0]["reason"],
        "E-Mail: Eine E-Mail-Adresse sieht aus wie name@example.com, mit einem @."
    );
    let empty_reply = tracking_event(
        "POST",
        &format!("/api/tickets/{reference}/replies"),
        Some(&secret),
        Some(json!({ "body": "  " })),
    );
    let (status, _, refused) = call(&w.deps, &in_german(&empty_reply)).await;
    assert_eq!(status, 400);
    assert_eq!(
        refused["error"]["fields"][0]["reason"],
        "Ihre Nachricht ist leer"
    );
    let (status, _, refused) = call(
        &w.deps,
        &create_event(|e| {
            e["headers"]["accept-language"] = json!("de");
            let mut b = sample_body();
            b["name"] = json!("");
            b["time_zone"] = json!("Mars/Olympus");
            with_body(e, b);
        }),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    let reasons: Vec<(&str, &str)> = refused["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["reason"].as_str().unwrap()))
        .collect();
    assert!(
        reasons.contains(&("name", "Name: Bitte ausfüllen")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|(f, _)| *f == "time_zone"),
        "{reasons:?}"
    );
    // A file the form would not take, and a change the page cannot make now.
    let upload = tracking_event(
        "POST",
        "/api/attachments",
        None,
        Some(
            json!({ "filename": "tool.exe", "content_type": "application/x-msdownload", "size": 20_000_000 }),
        ),
    );
    let (status, _, refused) = call(&w.deps, &in_german(&upload)).await;
    assert_eq!(status, 400, "{refused}");
    let reasons: Vec<&str> = refused["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        [
            "Diese Art Datei nehmen wir nicht an (Bilder, PDF, Text, CSV oder ZIP).",
            "Die Datei ist größer als 10 MB."
        ]
    );
    let confirm = tracking_event(
        "POST",
        &format!("/api/tickets/{reference}/resolution"),
        Some(&secret),
        Some(json!({ "solved": true })),
    );
    let (status, _, refused) = call(&w.deps, &in_german(&confirm)).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(
        refused["error"]["message"],
        "Diese Anfrage wartet nicht auf Ihre Bestätigung."
    );
    let (_, _, refused) = call(&w.deps, &confirm).await;
    assert_eq!(
        refused["error"]["message"],
        "this request is not waiting for your confirmation"
    );
}
