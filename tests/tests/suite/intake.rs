//! Customer intake on the local stack: through the runner's HTTP front, into
//! DynamoDB Local, with the confirmation on the real outbound queue.

use helpdesk_domain::mail::outbound::job::{MailKind, OutboundJob, OutboxState};
use helpdesk_domain::ports::Outbox;
use helpdesk_domain::ports::Queues;
use helpdesk_domain::ports::TicketRecords;
use helpdesk_domain::ports::{Categories, FaqStats};
use helpdesk_domain::{Status, TicketRef};
use lambda_kit::config::SubmitFormConfig;
use serde_json::{Value, json};
use std::sync::Arc;
use testkit::fixtures::category_id;
use testkit::local::LocalEnv;

/// The submit-form router on fresh resources with the demo categories.
async fn submit_form(env: &LocalEnv, change: impl FnOnce(&mut submit_form::Deps)) -> axum::Router {
    let config = SubmitFormConfig::from_source(&env.vars).unwrap_or_else(|e| panic!("{e}"));
    let mut deps =
        submit_form::Deps::connect(&testkit::iam::recorded(&env.aws, "submit-form"), &config);
    local_runner::seed::seed_demo(&*deps.catalog)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    change(&mut deps);
    submit_form::router(Arc::new(deps))
}

fn request(
    body: Value,
    key: Option<&str>,
    token: Option<&str>,
    method: &str,
    path: &str,
) -> String {
    let mut event: Value = serde_json::from_str(&testkit::events::event_text(
        "submit-form.apigw.create-ticket.json",
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    event["rawPath"] = json!(path);
    event["requestContext"]["http"]["path"] = json!(path);
    event["requestContext"]["http"]["method"] = json!(method);
    event["body"] = if body.is_null() {
        Value::Null
    } else {
        json!(body.to_string())
    };
    let headers = event["headers"]
        .as_object_mut()
        .unwrap_or_else(|| panic!("headers"));
    headers.remove("idempotency-key");
    if let Some(k) = key {
        headers.insert("idempotency-key".into(), json!(k));
    }
    if let Some(t) = token {
        headers.insert("x-tracking-token".into(), json!(t));
    }
    event.to_string()
}

/// The submission of a visitor who read two answers first: they are counted in
/// the ticket's own write.
fn read_first(mut body: Value) -> Value {
    body["faq_read"] = json!(["technical/kettle-off", "technical/toaster-smell"]);
    body
}

fn submission(email: &str) -> Value {
    json!({
        "category": "technical",
        "name": "Jane Customer",
        "email": email,
        "subject": "Kettle switches off early",
        "description": "It stops before the water boils.",
        "details": { "model": "Kettle K2", "serial": "K2-000123" },
        "website": "",
        "elapsed_ms": 52000
    })
}

#[tokio::test]
async fn a_ticket_is_stored_and_its_confirmation_queued_on_sqs() {
    let env = LocalEnv::fresh().await;
    let router = submit_form(&env, |_| {}).await;
    let (status, body) = crate::functions::invoke(
        router.clone(),
        &request(
            submission("jane@example.com"),
            None,
            None,
            "POST",
            "/api/tickets",
        ),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let reference = TicketRef::parse(body["reference"].as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));

    let store = env.store();
    let thread = store
        .load_ticket(&reference)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(thread.ticket.category, category_id("technical"));
    assert_eq!(thread.ticket.details.len(), 2);
    assert_eq!(
        thread.messages[0].body_text,
        "It stops before the water boils."
    );
    assert_eq!(
        store
            .status_counts(&category_id("technical"))
            .await
            .map(|c| c.get(Status::New)),
        Ok(1)
    );

    let jobs: Vec<OutboundJob> = env
        .received("HELPDESK_OUTBOUND_QUEUE_URL")
        .await
        .iter()
        .filter_map(|body| OutboundJob::parse(body).ok())
        .collect();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        (jobs[0].kind, jobs[0].ticket.as_ref()),
        (MailKind::TicketConfirmation, Some(&reference))
    );
    assert_eq!(
        store
            .outbox_item(&jobs[0].outbox_id)
            .await
            .map(|o| o.map(|(_, s)| s)),
        Ok(Some(OutboxState::Queued))
    );

    // The tracking page's call: the secret opens it, the reference alone does not.
    let token = body["tracking_token"].as_str().unwrap_or_default();
    let path = format!("/api/tickets/{}", reference.as_str());
    let (status, ticket) = crate::functions::invoke(
        router.clone(),
        &request(Value::Null, None, Some(token), "GET", &path),
    )
    .await;
    assert_eq!(
        (status, ticket["status_label"].as_str()),
        (200, Some("received")),
        "{ticket}"
    );
    let (status, _) =
        crate::functions::invoke(router, &request(Value::Null, None, None, "GET", &path)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn two_concurrent_submits_with_one_key_make_one_ticket() {
    let env = LocalEnv::fresh().await;
    let router = submit_form(&env, |_| {}).await;
    let event = request(
        submission("jane@example.com"),
        Some("double-click-1"),
        None,
        "POST",
        "/api/tickets",
    );
    let (a, b) = tokio::join!(
        crate::functions::invoke(router.clone(), &event),
        crate::functions::invoke(router.clone(), &event)
    );
    assert_eq!((a.0, b.0), (201, 201), "{} {}", a.1, b.1);
    assert_eq!(a.1["reference"], b.1["reference"]);
    let store = env.store();
    assert_eq!(
        store
            .status_counts(&category_id("technical"))
            .await
            .map(|c| c.get(Status::New)),
        Ok(1)
    );
}

#[tokio::test]
async fn the_per_email_limit_answers_429_and_stores_nothing_more() {
    let env = LocalEnv::fresh().await;
    // One instant for all three: the hourly window must not turn over between them.
    let router = submit_form(&env, |d| {
        d.policy.per_email = (2, chrono::Duration::hours(1));
        d.clock = Arc::new(testkit::FixedClock::at(chrono::Utc::now()));
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..3 {
        let event = request(
            // The same mailbox each time, spelt differently.
            submission(&format!("Busy+{i}@example.com")),
            Some(&format!("k-{i}")),
            None,
            "POST",
            "/api/tickets",
        );
        statuses.push(crate::functions::invoke(router.clone(), &event).await.0);
    }
    assert_eq!(statuses, [201, 201, 429]);
    let store = env.store();
    assert_eq!(
        store
            .status_counts(&category_id("technical"))
            .await
            .map(|c| c.get(Status::New)),
        Ok(2)
    );
    // Another customer is not affected.
    let other = request(
        submission("calm@example.com"),
        Some("k-other"),
        None,
        "POST",
        "/api/tickets",
    );
    assert_eq!(crate::functions::invoke(router, &other).await.0, 201);
}

#[tokio::test]
async fn categories_come_from_the_catalog_with_their_own_fields() {
    let env = LocalEnv::fresh().await;
    let router = submit_form(&env, |_| {}).await;
    let (status, body) = crate::functions::invoke(
        router.clone(),
        &request(Value::Null, None, None, "GET", "/api/categories"),
    )
    .await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = body["categories"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, ["billing", "sales", "technical", "suggestion"]);
    assert_eq!(
        body["categories"][2]["fields"][0]["kind"]["options"][1],
        "Kettle K2"
    );
    // The catalog the function reads is the seeded one.
    let stored = env
        .store()
        .categories()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored.len(), 4);
}

#[tokio::test]
async fn a_warm_ticket_creation_is_one_dynamodb_round_trip_and_one_sqs_send() {
    let env = LocalEnv::fresh().await;
    let config = SubmitFormConfig::from_source(&env.vars).unwrap_or_else(|e| panic!("{e}"));
    let store = env.store();
    local_runner::seed::seed_demo(&*store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let calls = testkit::calls::CallLog::default();
    let deps = submit_form::Deps::connect(&env.aws.intercepted(calls.shared()), &config);
    let router = submit_form::router(Arc::new(deps));
    calls.take();

    let (status, _) = crate::functions::invoke(
        router.clone(),
        &request(
            read_first(submission("cold@example.com")),
            Some("c-1"),
            None,
            "POST",
            "/api/tickets",
        ),
    )
    .await;
    assert_eq!(status, 201);
    let cold = calls.take();
    let (status, _) = crate::functions::invoke(
        router,
        &request(
            read_first(submission("warm@example.com")),
            Some("w-1"),
            None,
            "POST",
            "/api/tickets",
        ),
    )
    .await;
    assert_eq!(status, 201);
    let warm = calls.take();
    println!("cold start create: {cold:?}\nwarm create: {warm:?}");
    assert_eq!(
        warm,
        [
            "DynamoDB_20120810.TransactWriteItems",
            "AmazonSQS.SendMessage"
        ]
    );
    // Cold, the function first reads the categories, the SLA policies, the
    // category's FAQ (to check the answers read), the agents (who asks to be
    // told of a new ticket) and the customer list (the request's tier) once.
    assert_eq!(cold.len(), 7, "{cold:?}");
    // Both visits' reads were counted, with their tickets.
    // (Since yesterday: the run may cross midnight.)
    let today = chrono::Utc::now().date_naive();
    let reads = store
        .faq_read_log(today - chrono::Duration::days(1), today)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let then_ticket: Vec<(&str, u32)> = reads
        .iter()
        .map(|r| (r.entry.as_str(), r.then_ticket))
        .collect();
    assert_eq!(then_ticket, [("kettle-off", 2), ("toaster-smell", 2)]);
}
