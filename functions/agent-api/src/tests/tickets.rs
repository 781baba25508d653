//! What agents do to a ticket: reply, assign, solve, move, merge, forward, and what
//! they may see of the requester.

use super::*;
use helpdesk_domain::ports::AgentProfiles;
use helpdesk_domain::ports::TicketRecords;

#[tokio::test]
async fn a_reply_from_an_old_version_is_refused_with_what_changed() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let path = format!("/api/agent/tickets/{r}");
    // Both open the ticket at the same moment.
    let (_, seen_by_ana) = w.get(ANA.0, ANA.1, &path).await;
    let (_, seen_by_bea) = w.get("bea", "agents", &path).await;
    let last = |v: &Value| v["thread"][0]["id"].as_str().unwrap().to_owned();
    let (status, done) = w
        .post(
            "bea",
            "agents",
            &format!("{path}/replies"),
            json!({"version": seen_by_bea["ticket"]["version"], "last_seen": last(&seen_by_bea), "body": "Refund is on its way."}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["ticket"]["status"], "waiting_on_customer");
    assert_eq!(done["ticket"]["assignee"], "bea");
    assert_eq!(done["mail_queued"], true);

    let (status, refused) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("{path}/replies"),
            json!({"version": seen_by_ana["ticket"]["version"], "last_seen": last(&seen_by_ana), "body": "We will refund you."}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(refused["error"]["code"], "changed");
    assert_eq!(refused["ticket"]["version"], 2);
    let since = refused["since"].as_array().unwrap();
    assert_eq!(since.len(), 1, "{refused}");
    assert_eq!(since[0]["body"], "Refund is on its way.");
    assert_eq!(since[0]["author"], "bea");
    // Only Bea's answer was written and mailed.
    let thread = w.store.load_ticket(&r).await.unwrap();
    assert_eq!(thread.messages.len(), 2);
    let jobs = w.queue.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, MailKind::AgentReply);
}

#[tokio::test]
async fn agents_take_or_drop_their_own_and_supervisors_reassign() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let path = format!("/api/agent/tickets/{r}/assignee");
    let (status, body) = w
        .post(ANA.0, ANA.1, &path, json!({"version": 1, "agent": "bea"}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let (status, body) = w
        .post(SUE.0, SUE.1, &path, json!({"version": 1, "agent": "ben"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["fields"][0]["field"], "assignee");
    let (status, body) = w
        .post(SUE.0, SUE.1, &path, json!({"version": 1, "agent": "bea"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["entries"][0]["body"],
        "sue assigned the ticket to bea."
    );
    // Ana can't take Bea's ticket from her, and Bea can drop it.
    let (status, _) = w
        .post(ANA.0, ANA.1, &path, json!({"version": 2, "agent": "ana"}))
        .await;
    assert_eq!(status, 403);
    let (status, body) = w
        .post("bea", "agents", &path, json!({"version": 2, "agent": null}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ticket"]["assignee"], Value::Null);
}

#[tokio::test]
async fn solving_asks_the_customer_to_confirm_and_moving_reroutes() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let base = format!("/api/agent/tickets/{r}");
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("{base}/status"),
            json!({"version": 1, "status": "resolved"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(w.queue.jobs()[0].kind, MailKind::ResolutionRequest);
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("{base}/status"),
            json!({"version": 2, "status": "new"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("status"))
    );
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("{base}/status"),
            json!({"version": 2, "status": "open"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Billing hands it to technical: Ana loses it, Ben gets it unassigned.
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("{base}/category"),
            json!({"version": 3, "category": "technical"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(w.get(ANA.0, ANA.1, &base).await.0, 404);
    let (_, ben) = w
        .get(BEN.0, BEN.1, "/api/agent/tickets?view=unassigned")
        .await;
    assert_eq!(ben["items"][0]["reference"], r.to_string());
    let stored = w.store.load_ticket(&r).await.unwrap().ticket;
    assert_eq!(
        (stored.status, stored.category.as_str()),
        (Status::Open, "technical")
    );
}

#[tokio::test]
async fn bad_change_requests_name_every_field_and_write_nothing() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let path = format!("/api/agent/tickets/{r}/replies");
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &path,
            json!({"body": "  ", "solve": "yes", "cc": "x"}),
        )
        .await;
    assert_eq!(status, 400);
    let mut fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, vec!["body", "cc", "solve", "version"]);
    let (status, _) = w
        .post(
            ANA.0,
            ANA.1,
            &path,
            json!({"version": 1, "last_seen": "../x", "body": "Hi"}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("/api/agent/tickets/{r}/priority"),
            json!({"version": 1, "priority": "normal"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("priority"))
    );
    assert_eq!(w.store.load_ticket(&r).await.unwrap().ticket.version, 1);
    assert!(w.queue.jobs().is_empty());
}

#[tokio::test]
async fn a_duplicate_merges_into_a_ticket_the_agent_can_see_in_one_write() {
    let w = world().await;
    let duplicate = w.ticket("billing", "jane@example.com").await;
    let kept = w.ticket("billing", "jane@example.com").await;
    let elsewhere = w.ticket("technical", "jane@example.com").await;
    let path = format!("/api/agent/tickets/{duplicate}/merge");
    for (body, field) in [
        (json!({"version": 1, "into": duplicate.to_string()}), "into"),
        (json!({"version": 1, "into": elsewhere.to_string()}), "into"),
        (json!({"version": 1, "into": "nonsense"}), "into"),
    ] {
        let (status, answer) = w.send(ANA, "POST", &path, body).await;
        assert_eq!(
            (status, answer["error"]["fields"][0]["field"].as_str()),
            (400, Some(field)),
            "{answer}"
        );
    }
    assert_eq!(
        w.send(
            BEN,
            "POST",
            &path,
            json!({"version": 1, "into": kept.to_string()})
        )
        .await
        .0,
        404
    );
    assert_eq!(
        w.send(
            ANA,
            "POST",
            &path,
            json!({"version": 7, "into": kept.to_string()})
        )
        .await
        .0,
        409
    );

    let (status, done) = w
        .send(
            ANA,
            "POST",
            &path,
            json!({"version": 1, "into": kept.to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["ticket"]["status"], "closed");
    assert_eq!(done["ticket"]["merged_into"], kept.to_string());
    let (_, target) = w
        .get(ANA.0, ANA.1, &format!("/api/agent/tickets/{kept}"))
        .await;
    let last = target["thread"].as_array().unwrap().last().unwrap().clone();
    assert!(
        last["body"]
            .as_str()
            .unwrap()
            .starts_with(&format!("ana merged {duplicate}")),
        "{last}"
    );
    let (_, counts) = w.get(ANA.0, ANA.1, "/api/agent/counts").await;
    assert_eq!(
        counts["views"]["unassigned"], 1,
        "the duplicate left the queue"
    );
    // Merging it again, or into it, is refused.
    let again = w
        .send(
            ANA,
            "POST",
            &path,
            json!({"version": 2, "into": kept.to_string()}),
        )
        .await;
    assert_eq!(again.0, 400);
}

#[tokio::test]
async fn forwarding_needs_an_address_other_than_the_customers_and_queues_the_mail() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let path = format!("/api/agent/tickets/{r}/forward");
    let (status, body) = w
        .send(
            ANA,
            "POST",
            &path,
            json!({"version": 1, "to": "not-an-address"}),
        )
        .await;
    assert_eq!(status, 400);
    let mut fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, vec!["note", "to"]);
    let (status, body) = w
        .send(
            ANA,
            "POST",
            &path,
            json!({"version": 1, "to": "JANE@example.com", "note": "hi"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("to"))
    );
    let (status, done) = w
        .send(ANA, "POST", &path, json!({"version": 1, "to": "dispatch@shipper.example", "note": "Where is parcel 4711?"}))
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["entries"][0]["kind"], "internal_note");
    assert_eq!(
        done["entries"][0]["body"],
        "Forwarded to dispatch@shipper.example.\n\nWhere is parcel 4711?"
    );
    let jobs = w.queue.jobs();
    assert_eq!(
        (jobs[0].kind, jobs[0].recipient.as_str()),
        (MailKind::Forward, "dispatch@shipper.example")
    );
}

#[tokio::test]
async fn remote_images_load_only_on_request_for_a_mail_on_a_ticket_the_agent_may_open() {
    use helpdesk_domain::mail::inbound::receive::Received;
    use helpdesk_domain::ports::RawMailStore;
    use testkit::mail_harness::{MailHarness, corpus};
    let h = MailHarness::new().await;
    let raw = corpus("html-only.eml", "", "");
    let Ok(Received::Created(reference)) = h.deliver("ses-html-1", &raw).await else {
        panic!("the mail made no ticket");
    };
    let category = h
        .store
        .load_ticket(&reference)
        .await
        .unwrap()
        .ticket
        .category;
    h.store
        .put_agent(&agent("ana", Role::Agent, &[category.as_str()]))
        .await
        .unwrap();
    h.store
        .put_agent(&agent("bea", Role::Agent, &["billing-other"]))
        .await
        .unwrap();
    // The function's own raw-mail store holds what SES stored.
    let raw_mail = Arc::new(testkit::InMemoryRawMail::default());
    raw_mail
        .put(
            &helpdesk_domain::mail::inbound::parse::raw_mail_key("ses-html-1"),
            &raw,
        )
        .await
        .unwrap();
    let app = router(Arc::new(Deps {
        tickets: h.store.clone(),
        mail: h.store.clone(),
        redelivery: Arc::new(testkit::RecordingRedelivery::default()),
        catalog: h.store.clone(),
        attachments: Arc::new(InMemoryAttachments::default()),
        raw_mail,
        outbound: Arc::new(RecordingQueue::default()),
        health: Arc::new(Unwell),
        clock: Arc::new(FixedClock::monday_morning()),
        ids: Arc::new(SequentialIds::new()),
        index: Arc::new(testkit::MemoryIndex::default()),
        erasure: h.store.clone(),
        audit: h.store.clone(),
    }));
    let call = |user: &'static str, path: String| {
        let app = app.clone();
        async move {
            testkit::events::invoke(
                app,
                &testkit::events::agent_request(user, "agents", "GET", &path, None),
            )
            .await
        }
    };

    let (status, view) = call("ana", format!("/api/agent/tickets/{reference}")).await;
    assert_eq!(status, 200, "{view}");
    let mail = &view["thread"][0];
    assert_eq!(mail["remote_images_blocked"], 1);
    assert!(
        !mail["html"]
            .as_str()
            .unwrap()
            .contains("tracker.example.net")
    );
    let id = mail["id"].as_str().unwrap();
    let path = format!("/api/agent/tickets/{reference}/messages/{id}/remote-images");

    let (status, loaded) = call("ana", path.clone()).await;
    assert_eq!(status, 200, "{loaded}");
    let html = loaded["html"].as_str().unwrap();
    assert!(
        html.contains(r#"src="https://tracker.example.net/open.gif""#),
        "{html}"
    );
    // Still sanitized: no script, no handler.
    assert!(
        !html.contains("script") && !html.contains("onerror"),
        "{html}"
    );

    // Outside the agent's categories it does not exist; nor does an unknown message.
    let (status, _) = call("bea", path).await;
    assert_eq!(status, 404);
    let (status, body) = call(
        "ana",
        format!("/api/agent/tickets/{reference}/messages/00000000-nothing/remote-images"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

/// Anyone can type an address into the help center's form: until the requester
/// has shown the address is theirs, the agent is told so and sees none of that
/// address's other tickets.
#[tokio::test]
async fn an_unverified_requester_s_other_tickets_stay_hidden() {
    let w = world().await;
    let earlier = w.ticket("billing", "jane@example.com").await;
    let mut new = fixtures::new_ticket(&*w.ids, "billing", "jane@example.com", w.clock.now());
    new.ticket.email_verified = false;
    let Ok(Created::New(unverified)) = w.store.create_ticket(new).await else {
        panic!()
    };
    let (status, view) = w
        .get(
            "ana",
            "agents",
            &format!("/api/agent/tickets/{}", unverified.reference),
        )
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["ticket"]["email_verified"], false);
    assert_eq!(view["requester_tickets"], json!([]));
    // A verified requester's page lists them.
    let (_, view) = w
        .get("ana", "agents", &format!("/api/agent/tickets/{earlier}"))
        .await;
    assert_eq!(view["ticket"]["email_verified"], true);
    let others: Vec<&str> = view["requester_tickets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["reference"].as_str())
        .collect();
    assert_eq!(others, [unverified.reference.to_string()]);
}
