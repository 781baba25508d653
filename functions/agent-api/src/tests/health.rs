//! The health page: each component, and mail left unsent.

use super::*;
use helpdesk_domain::ports::TicketRecords;

#[tokio::test]
async fn the_health_page_names_each_component_for_supervisors_only() {
    let w = world().await;
    let (status, body) = w.get(ANA.0, ANA.1, "/api/agent/health").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let (status, body) = w.get(SUE.0, SUE.1, "/api/agent/health").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["components"][1]["name"], "dynamodb:ops");
    assert_eq!(body["components"][1]["detail"], "ResourceNotFoundException");
}

/// A confirmation nothing has sent for half an hour shows on the health page.
#[tokio::test]
async fn mail_left_unsent_shows_as_stuck_on_the_health_page() {
    let w = world().await;
    let outbox = |body: &Value| {
        body["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "outbox")
            .cloned()
            .unwrap()
    };
    let (_, body) = w.get(SUE.0, SUE.1, "/api/agent/health").await;
    assert_eq!(outbox(&body)["ok"], true, "{body}");

    let mut new = fixtures::new_ticket(&*w.ids, "billing", "jane@example.com", w.clock.now());
    new.outbox = vec![helpdesk_domain::mail::outbound::job::OutboundJob {
        outbox_id: helpdesk_domain::ports::IdSource::outbox_id(&*w.ids),
        kind: helpdesk_domain::mail::outbound::job::MailKind::TicketConfirmation,
        ticket: Some(new.ticket.reference.clone()),
        message: None,
        recipient: new.ticket.requester.email.clone(),
        throttled: 0,
        digest: None,
        alert: None,
    }];
    w.store.create_ticket(new).await.unwrap();
    w.clock.advance(chrono::Duration::minutes(29));
    let (_, body) = w.get(SUE.0, SUE.1, "/api/agent/health").await;
    assert_eq!(outbox(&body)["ok"], true, "still within the sweep's reach");
    w.clock.advance(chrono::Duration::minutes(2));
    let (status, body) = w.get(SUE.0, SUE.1, "/api/agent/health").await;
    assert_eq!(status, 503);
    assert_eq!(outbox(&body)["ok"], false, "{body}");
    assert!(
        outbox(&body)["detail"]
            .as_str()
            .unwrap()
            .starts_with("1 mail waiting"),
        "{body}"
    );
}
