//! The agent's side on the local stack: a customer submits, the agent's counter
//! rises, the agent replies, and the reply leaves as mail. Counts the round trips
//! each agent action costs.
#![allow(clippy::unwrap_used)]

use lambda_kit::config::{AgentApiConfig, SubmitFormConfig};
use serde_json::{Value, json};
use std::sync::Arc;
use testkit::local::LocalEnv;

pub(crate) use testkit::events::agent_request as as_agent;

/// A billing request from `email` through the public API, as the help center
/// sends it; its reference.
pub(crate) async fn submit_billing(env: &LocalEnv, email: &str) -> String {
    let config = SubmitFormConfig::from_source(&env.vars).unwrap();
    let public = submit_form::router(Arc::new(submit_form::Deps::connect(
        &testkit::iam::recorded(&env.aws, "submit-form"),
        &config,
    )));
    let mut event: Value = serde_json::from_str(&testkit::events::event_text(
        "submit-form.apigw.create-ticket.json",
    ))
    .unwrap();
    event["body"] = json!(
        json!({
            "category": "billing", "name": "Jane Customer", "email": email,
            "subject": "Charged twice", "description": "Order #1001 was charged twice.",
            "details": {"order_id": "#1001"}, "elapsed_ms": 9000
        })
        .to_string()
    );
    event["headers"]
        .as_object_mut()
        .unwrap()
        .remove("idempotency-key");
    let (status, created) = crate::functions::invoke(public, &event.to_string()).await;
    assert_eq!(status, 201, "{created}");
    created["reference"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_submitted_ticket_reaches_the_agent_whose_reply_is_mailed() {
    let env = LocalEnv::fresh().await;
    let config = AgentApiConfig::from_source(&env.vars).unwrap();
    local_runner::seed::seed_demo(&*env.store()).await.unwrap();
    let calls = testkit::calls::CallLog::default();
    let deps = agent_api::Deps::connect(&env.aws.intercepted(calls.shared()), &config);
    let agent = agent_api::router(Arc::new(deps));
    let call = |method: &'static str, path: String, body: Option<Value>| {
        let agent = agent.clone();
        async move {
            crate::functions::invoke(agent, &as_agent("ana", "agents", method, &path, body)).await
        }
    };

    let (_, before) = call("GET", "/api/agent/counts".into(), None).await;
    let reference = submit_billing(&env, "jane@example.com").await;

    let (_, after) = call("GET", "/api/agent/counts".into(), None).await;
    assert_eq!(
        after["views"]["unassigned"].as_i64().unwrap(),
        before["views"]["unassigned"].as_i64().unwrap() + 1
    );
    calls.take();
    let (status, view) = call("GET", format!("/api/agent/tickets/{reference}"), None).await;
    assert_eq!(status, 200, "{view}");
    let open = calls.take();
    let last_seen = view["thread"][0]["id"].as_str().unwrap().to_owned();
    let (status, done) = call(
        "POST",
        format!("/api/agent/tickets/{reference}/replies"),
        Some(json!({"version": view["ticket"]["version"], "last_seen": last_seen, "body": format!("Refunded {reference}.")})),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    let reply = calls.take();
    println!("open a ticket: {open:?}\nreply: {reply:?}");
    // The agent's record, then the ticket's partition, then one write and one send.
    assert_eq!(
        reply,
        [
            "DynamoDB_20120810.GetItem",
            "DynamoDB_20120810.Query",
            "DynamoDB_20120810.TransactWriteItems",
            "AmazonSQS.SendMessage"
        ]
    );
    // Warm (categories, policies and agent names cached), opening a ticket reads the
    // agent's record and the ticket's partition; the requester's other tickets are
    // read only once the address is verified, which a web request is not yet.
    let (status, view) = call("GET", format!("/api/agent/tickets/{reference}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(view["ticket"]["email_verified"], false);
    assert_eq!(
        calls.take(),
        ["DynamoDB_20120810.GetItem", "DynamoDB_20120810.Query"]
    );
    let (_, counts) = call("GET", "/api/agent/counts".into(), None).await;
    assert_eq!(counts["views"]["mine"], 1);
    // Counts: the agent's record, one query per category the agent covers (its
    // counter shards, sent at once), and the agent's own counter.
    assert_eq!(
        calls.take(),
        [
            "DynamoDB_20120810.GetItem",
            "DynamoDB_20120810.Query",
            "DynamoDB_20120810.Query",
            "DynamoDB_20120810.GetItem"
        ]
    );

    // The queued reply is what send-reply mails.
    let outbound = send_reply::Deps::connect(
        &testkit::iam::recorded(&env.aws, "send-reply"),
        &lambda_kit::config::SendReplyConfig::from_source(&env.vars).unwrap(),
    );
    let batch = crate::mail::receive_batch(&env, "HELPDESK_OUTBOUND_QUEUE_URL").await;
    let response = send_reply::handle(&outbound, batch).await;
    assert!(response.batch_item_failures.is_empty());
    let sent = local_runner::dev::sent_mail(&env.var("HELPDESK_MOTO_URL"))
        .await
        .unwrap();
    assert!(
        sent.iter()
            .any(|m| m.destinations.iter().any(|d| d == "jane@example.com")
                && m.raw_data.contains(&format!("Refunded {reference}."))),
        "the reply was mailed"
    );
}
