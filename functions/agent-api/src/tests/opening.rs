//! Tickets agents open for customers: in their own categories, with the
//! category's fields, logged (the customer gets the confirmation) or mailed
//! first; once per console request; bad input named.

use super::*;
use helpdesk_domain::mail::outbound::job::MailKind;
use helpdesk_domain::ports::TicketRecords;
use helpdesk_domain::{MessageKind, Status};

/// The fields an error answer names, sorted.
fn sorted_fields(body: &Value) -> Vec<String> {
    let mut fields: Vec<String> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    fields.sort();
    fields
}

fn call(first: &str) -> Value {
    json!({
        "category": "billing",
        "email": "jane@example.com",
        "name": "Jane Doe",
        "subject": "Called about a double charge",
        "body": "Jane called: order 1234 was charged twice.",
        "details": {"order_id": "1234"},
        "first": first,
    })
}

#[tokio::test]
async fn an_agent_logs_a_call_and_the_customer_gets_the_usual_confirmation() {
    let w = world().await;
    let (status, body) = w
        .post(ANA.0, ANA.1, "/api/agent/tickets", call("logged"))
        .await;
    assert_eq!(status, 201, "{body}");
    let r = TicketRef::parse(body["reference"].as_str().unwrap()).unwrap();
    let t = w.store.load_ticket(&r).await.unwrap();
    assert_eq!(t.ticket.status, Status::Open);
    assert_eq!(t.ticket.assignee.as_ref().map(|a| a.as_str()), Some("ana"));
    assert_eq!(
        t.ticket.channel,
        helpdesk_domain::tickets::ticket::Channel::Agent
    );
    assert!(!t.ticket.email_verified, "the agent typed the address");
    assert_eq!(t.ticket.requester.name.as_str(), "Jane Doe");
    assert_eq!(
        t.ticket.details.get("order_id").map(ToString::to_string),
        Some("1234".into())
    );
    let first = &t.messages[0];
    assert_eq!(first.kind, MessageKind::Customer);
    assert!(
        matches!(&first.author, helpdesk_domain::Author::Agent { id, .. } if id.as_str() == "ana")
    );
    let jobs = w.queue.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, MailKind::TicketConfirmation);
    assert_eq!(jobs[0].recipient.as_str(), "jane@example.com");
}

#[tokio::test]
async fn a_first_message_from_us_is_mailed_and_the_ticket_waits_on_the_customer() {
    let w = world().await;
    let mut request = call("mailed");
    request["body"] = json!("Your order 1234 is delayed by two days; sorry.");
    let (status, body) = w.post(ANA.0, ANA.1, "/api/agent/tickets", request).await;
    assert_eq!(status, 201, "{body}");
    let r = TicketRef::parse(body["reference"].as_str().unwrap()).unwrap();
    let t = w.store.load_ticket(&r).await.unwrap();
    assert_eq!(t.ticket.status, Status::WaitingOnCustomer);
    assert_eq!(t.messages[0].kind, MessageKind::AgentReply);
    assert!(
        t.ticket.sla.first_response_minutes.is_some(),
        "we answered first"
    );
    let jobs = w.queue.jobs();
    assert_eq!((jobs.len(), jobs[0].kind), (1, MailKind::AgentReply));
}

#[tokio::test]
async fn the_same_console_request_twice_opens_one_ticket() {
    let w = world().await;
    let mut request = call("logged");
    request["request_id"] = json!("3f1c2a9e-0b7d-4c1e-9a55-6d2f0e8b7c41");
    let (status, first) = w
        .post(ANA.0, ANA.1, "/api/agent/tickets", request.clone())
        .await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = w
        .post(ANA.0, ANA.1, "/api/agent/tickets", request.clone())
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["reference"], first["reference"]);
    assert_eq!(again["created"], false);
    assert_eq!(w.queue.jobs().len(), 1, "one confirmation");
    // The same id with another request is refused.
    request["subject"] = json!("Something else");
    let (status, _) = w.post(ANA.0, ANA.1, "/api/agent/tickets", request).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn only_ones_own_categories_and_every_bad_field_is_named() {
    let w = world().await;
    let mut foreign = call("logged");
    foreign["category"] = json!("technical");
    let (status, body) = w.post(ANA.0, ANA.1, "/api/agent/tickets", foreign).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].clone()),
        (400, json!("category"))
    );
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            "/api/agent/tickets",
            json!({
                "category": "billing",
                "email": "not an address",
                "name": "Jane\u{7}",
                "subject": " ",
                "body": "",
                "details": {},
                "first": "shouted",
                "request_id": "x",
            }),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let fields = sorted_fields(&body);
    assert_eq!(fields, ["first", "request_id"], "shape first: {body}");
    let mut bad = call("logged");
    bad["email"] = json!("not an address");
    bad["name"] = json!("Jane\u{7}");
    bad["subject"] = json!(" ");
    bad["body"] = json!("");
    bad["details"] = json!({"shoe_size": "42"});
    let (status, body) = w.post(ANA.0, ANA.1, "/api/agent/tickets", bad).await;
    assert_eq!(status, 400, "{body}");
    let fields = sorted_fields(&body);
    assert_eq!(
        fields,
        ["body", "details.shoe_size", "email", "name", "subject"],
        "{body}"
    );
    assert!(w.queue.jobs().is_empty(), "nothing sent");
}

#[tokio::test]
async fn an_agent_opens_a_ticket_in_the_customer_s_language() {
    let w = world().await;
    let mut german = call("mailed");
    german["language"] = json!("de");
    let (status, body) = w.post(ANA.0, ANA.1, "/api/agent/tickets", german).await;
    assert_eq!(status, 201, "{body}");
    let r = TicketRef::parse(body["reference"].as_str().unwrap()).unwrap();
    let t = w.store.load_ticket(&r).await.unwrap();
    assert_eq!(t.ticket.language, helpdesk_domain::i18n::Language::De);
    let (_, shown) = w
        .get(ANA.0, ANA.1, &format!("/api/agent/tickets/{r}"))
        .await;
    assert_eq!(shown["ticket"]["language"], "de");
    // Left out: English. Anything else is named.
    let mut plain = call("logged");
    plain["request_id"] = json!("another-request-1");
    let (status, body) = w.post(ANA.0, ANA.1, "/api/agent/tickets", plain).await;
    assert_eq!(status, 201, "{body}");
    let r = TicketRef::parse(body["reference"].as_str().unwrap()).unwrap();
    assert_eq!(
        w.store.load_ticket(&r).await.unwrap().ticket.language,
        helpdesk_domain::i18n::Language::En
    );
    let mut bad = call("logged");
    bad["language"] = json!("fr");
    let (status, body) = w.post(ANA.0, ANA.1, "/api/agent/tickets", bad).await;
    assert_eq!(
        (status, sorted_fields(&body)),
        (400, vec!["language".to_owned()])
    );
}
