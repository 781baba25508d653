//! send-reply on the in-memory fakes: what goes out, what never goes out twice,
//! and how replies to it come back (through the inbox) to the same ticket.

use helpdesk_domain::mail::inbound::receive::Received;
use helpdesk_domain::mail::outbound::job::{MailKind, OutboundJob, OutboxState};
use helpdesk_domain::mail::outbound::send::{Delivery, DeliveryError};
use helpdesk_domain::ports::DoNotEmail;
use helpdesk_domain::ports::MailError;
use helpdesk_domain::ports::MessageIds;
use helpdesk_domain::ports::Outbox;
use helpdesk_domain::ports::TicketRecords;
use helpdesk_domain::ports::TrackingTokens;
use helpdesk_domain::values::token::SecretToken;
use helpdesk_domain::{EmailAddress, Status, ThreadedBy, TicketRef};
use mail_parser::MessageParser;
use testkit::fixtures;
use testkit::mail_harness::{MailHarness, corpus};

/// send-reply's handler on the harness's store (its own mailer: nothing it would
/// send mixes with the harness's).
fn handler_deps(h: &MailHarness) -> crate::Deps {
    crate::Deps {
        tickets: h.store.clone(),
        mail: h.store.clone(),
        catalog: h.store.clone(),
        attachments: std::sync::Arc::new(testkit::fakes::InMemoryAttachments::default()),
        mailer: std::sync::Arc::new(testkit::fakes::RecordingMailer::default()),
        clock: std::sync::Arc::new(testkit::FixedClock::at(h.clock_now())),
        ids: std::sync::Arc::new(testkit::SequentialIds::seeded(9)),
        keys: h.keys.clone(),
        settings: h.mail_settings.clone(),
        outbound: std::sync::Arc::new(testkit::fakes::RecordingQueue::default()),
        backoff: Default::default(),
    }
}

async fn ticket_from_mail(h: &MailHarness) -> TicketRef {
    match h.deliver("ses-first", &corpus("plain.eml", "", "")).await {
        Ok(Received::Created(r)) => r,
        other => panic!("{other:?}"),
    }
}

fn header(raw: &str, name: &str) -> Option<String> {
    let m = MessageParser::default().parse(raw.as_bytes())?;
    m.header_raw(name).map(|v| v.trim().to_owned())
}

/// The secret in a mail's tracking link (`…#token=<32 hex>`).
fn link_secret(raw: &str) -> SecretToken {
    let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
    let text = m.body_text(0).unwrap().into_owned();
    let at = text
        .find("#token=")
        .unwrap_or_else(|| panic!("no link in {text}"));
    SecretToken::parse(&text[at + 7..at + 39]).unwrap()
}

#[tokio::test]
async fn the_confirmation_threads_carries_a_signed_reply_to_and_a_working_link() {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    let results = h.send_queued().await;
    assert!(
        matches!(results[0].1, Ok(Delivery::Sent { .. })),
        "{results:?}"
    );
    let sent = h.mailer.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to[0].as_str(), "ann@example.org");
    let raw = &h.sent_raw()[0];
    let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
    let subject = m.subject().unwrap();
    assert!(
        subject.starts_with(&format!("[#{}]", r.as_str())),
        "{subject}"
    );
    assert_eq!(
        header(raw, "Auto-Submitted").as_deref(),
        Some("auto-replied")
    );
    assert_eq!(m.in_reply_to().as_text(), Some("plain-1@mail.example.org"));
    let reply_to = m
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap();
    let reply_to = EmailAddress::parse(reply_to).unwrap();
    let ann = EmailAddress::parse("ann@example.org").unwrap();
    assert_eq!(
        h.keys.find_in_addresses([&reply_to], "helpdesk.test", &ann),
        Some(r.clone())
    );
    let text = m.body_text(0).unwrap();
    // 24 business hours from Monday 10:00 in Berlin, 09:00–17:00.
    assert!(
        text.contains("we will answer by Thu 5 Mar 2026, 10:00 (Europe/Berlin)"),
        "{text}"
    );
    assert!(
        text.contains("https://help.example.com/track/?ticket="),
        "{text}"
    );
    let secret = link_secret(raw);
    assert_eq!(
        h.store
            .tracking_token_valid(&r, &secret.hash(), h.clock_now())
            .await,
        Ok(true),
        "the link in the mail opens the ticket"
    );
}

#[tokio::test]
async fn a_duplicated_or_redelivered_job_sends_nothing_more() {
    let h = MailHarness::new().await;
    ticket_from_mail(&h).await;
    let job = h.queue.jobs()[0].clone();
    h.send_queued().await;
    for _ in 0..3 {
        assert_eq!(h.postman().deliver(&job).await, Ok(Delivery::AlreadySent));
    }
    assert_eq!(h.mailer.sent().len(), 1);
    let item = h.store.outbox_item(&job.outbox_id).await.unwrap().unwrap();
    assert_eq!(item.1, OutboxState::Sent);
}

#[tokio::test]
async fn agent_reply_goes_out_and_the_customers_answer_comes_back_to_the_ticket() {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    h.send_queued().await;
    let desk = h.desk();
    let agent = fixtures::supervisor("agent-1");
    let saved = desk
        .act(
            &agent,
            &r,
            1,
            None,
            fixtures::reply("Please update the firmware to 2.1.\nYour request: {{tracking_link}}"),
        )
        .await
        .unwrap()
        .ticket;
    assert_eq!(saved.status, Status::WaitingOnCustomer);
    h.send_queued().await;
    let raw = h.sent_raw()[1].clone();
    assert_eq!(header(&raw, "Auto-Submitted"), None, "a person wrote it");
    let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
    let text = m.body_text(0).unwrap();
    assert!(text.contains("Please update the firmware to 2.1."));
    // A canned reply's placeholder becomes the customer's own tracking link.
    assert!(!text.contains("{{tracking_link}}"), "{text}");
    assert!(text.contains("Your request: http"), "{text}");
    assert!(m.subject().unwrap().contains(&format!("[#{}]", r.as_str())));

    // The customer answers from their mail client: to the Reply-To, quoting.
    let reply_to = m
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap();
    let answer = format!(
        "From: Ann Example <ann@example.org>\r\nTo: {reply_to}\r\nSubject: Re: {}\r\n\
         Message-ID: <ann-3@mail.example.org>\r\nIn-Reply-To: <{}>\r\nReferences: <{}>\r\n\r\n\
         Updated, all good now.\r\n\r\nOn Mon, 2 Mar 2026 at 10:00, ACME Support <{reply_to}> wrote:\r\n> Please update the firmware to 2.1.\r\n",
        m.subject().unwrap(),
        m.message_id().unwrap(),
        m.message_id().unwrap()
    );
    let got = h.deliver("ses-answer", answer.as_bytes()).await;
    assert_eq!(
        got,
        Ok(Received::Appended(r.clone(), ThreadedBy::ReplyToToken))
    );
    let thread = h.store.load_ticket(&r).await.unwrap();
    assert_eq!(thread.ticket.status, Status::Open, "the answer reopens it");
    assert_eq!(
        thread.messages.last().unwrap().body_text,
        "Updated, all good now."
    );
    assert_eq!(
        h.send_queued().await.len(),
        0,
        "no confirmation for a reply"
    );
}

#[tokio::test]
async fn a_reply_goes_out_from_the_agent_at_the_brand_and_carries_their_signature() {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    h.send_queued().await;
    let mut ana = fixtures::supervisor("ana");
    ana.agent.name = "Ana Lima".into();
    ana.agent.signature = Some("Ana Lima\nCustomer care, ACME".into());
    h.desk()
        .act(
            &ana,
            &r,
            1,
            None,
            fixtures::reply("Your refund is on its way."),
        )
        .await
        .unwrap();
    // The profile changes after the reply was written: the reply keeps its sign-off.
    ana.agent.signature = None;
    h.send_queued().await;
    let raw = h.sent_raw()[1].clone();
    let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
    let from = m.from().and_then(|a| a.first()).unwrap();
    assert_eq!(from.name(), Some("Ana at ACME Support"));
    let text = m.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(
        text.contains("-- \nAna Lima\nCustomer care, ACME"),
        "{text}"
    );
    let html = m.body_html(0).unwrap();
    assert!(html.contains("Ana Lima<br>Customer care, ACME"), "{html}");

    // Without a signature: the agent's first name and ours.
    let bob = fixtures::supervisor("bob");
    let version = h.store.load_ticket(&r).await.unwrap().ticket.version;
    h.desk()
        .act(&bob, &r, version, None, fixtures::reply("One more thing."))
        .await
        .unwrap();
    h.send_queued().await;
    let raw = h.sent_raw()[2].clone();
    let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
    assert_eq!(
        m.from().and_then(|a| a.first()).and_then(|a| a.name()),
        Some("bob at ACME Support")
    );
    let text = m.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(text.contains("-- \nbob\nACME Support"), "{text}");
}

#[tokio::test]
async fn the_files_of_a_reply_go_out_with_it_and_a_missing_one_fails_the_mail_saying_so() {
    use helpdesk_domain::ports::AttachmentStore;
    use helpdesk_domain::tickets::message::AttachmentRef;
    use mail_parser::MimeHeaders;
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    h.send_queued().await;
    let file = |key: &str, name: &str, kind: &str, size: u64| AttachmentRef {
        key: key.into(),
        filename: name.into(),
        content_type: kind.into(),
        size,
        content_id: None,
    };
    h.attachments
        .put(
            "uploads/a/1/label.pdf",
            "application/pdf",
            b"%PDF-1.4 label".to_vec(),
        )
        .await
        .unwrap();
    let agent = fixtures::supervisor("ana");
    let reply = |body: &str, attachments| helpdesk_domain::agents::actions::Action::Reply {
        body: body.into(),
        solve: false,
        attachments,
        then: Default::default(),
    };
    let labelled = vec![file(
        "uploads/a/1/label.pdf",
        "label.pdf",
        "application/pdf",
        14,
    )];
    h.desk()
        .act(&agent, &r, 1, None, reply("Your label.", labelled))
        .await
        .unwrap();
    h.send_queued().await;
    let raw = h.sent_raw()[1].clone();
    let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
    let parts: Vec<_> = m.attachments().collect();
    assert_eq!(parts.len(), 1, "{raw}");
    assert_eq!(parts[0].attachment_name(), Some("label.pdf"));
    assert_eq!(parts[0].contents(), b"%PDF-1.4 label");

    // A file no longer stored: the mail fails for good and the ticket says so.
    let version = h.store.load_ticket(&r).await.unwrap().ticket.version;
    let gone = vec![file(
        "uploads/a/2/gone.pdf",
        "gone.pdf",
        "application/pdf",
        10,
    )];
    h.desk()
        .act(&agent, &r, version, None, reply("Another file.", gone))
        .await
        .unwrap();
    let results = h.send_queued().await;
    assert!(
        matches!(&results[0].1, Err(DeliveryError::Permanent(why)) if why.contains("gone.pdf")),
        "{results:?}"
    );
    assert_eq!(h.sent_raw().len(), 2, "nothing half-sent");
    let thread = h.store.load_ticket(&r).await.unwrap();
    assert!(
        thread
            .messages
            .iter()
            .any(|m| m.body_text.contains("gone.pdf")),
        "the agents see why the mail did not go"
    );
}

#[tokio::test]
async fn a_reply_goes_to_the_cc_too_but_never_to_our_own_or_a_bounced_address() {
    use helpdesk_domain::ports::DoNotEmail;
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    h.send_queued().await;
    h.store
        .set_do_not_email(
            &EmailAddress::parse("bounced@example.net").unwrap(),
            "hard bounce",
            h.clock_now(),
        )
        .await
        .unwrap();
    let agent = fixtures::supervisor("ana");
    let cc = [
        "boss@example.com",
        "support@helpdesk.test",
        "bounced@example.net",
    ]
    .map(|a| EmailAddress::parse(a).unwrap())
    .to_vec();
    let set = helpdesk_domain::agents::actions::Action::Cc { to: cc };
    h.desk().act(&agent, &r, 1, None, set).await.unwrap();
    h.desk()
        .act(&agent, &r, 2, None, fixtures::reply("Copied."))
        .await
        .unwrap();
    h.send_queued().await;
    let sent = h.mailer.sent();
    let to: Vec<&str> = sent[1].to.iter().map(EmailAddress::as_str).collect();
    assert_eq!(to, ["ann@example.org", "boss@example.com"]);
    let raw = h.sent_raw()[1].clone();
    let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
    let copied: Vec<&str> = m
        .cc()
        .map(|c| c.iter().filter_map(|a| a.address()).collect())
        .unwrap_or_default();
    assert_eq!(copied, ["boss@example.com"], "{raw}");
}

#[tokio::test]
async fn a_forged_or_foreign_token_never_attaches_mail() {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    let ann = EmailAddress::parse("ann@example.org").unwrap();
    let genuine = h.keys.sign(&r, &ann);
    let forged = format!("{}0000000000", &genuine[..genuine.len() - 10]);
    let other =
        helpdesk_domain::mail::reply_token::ReplyKeys::parse("t1:ffffffffffffffffffffffffffffffff")
            .unwrap();
    let foreign_key = other.sign(&r, &ann);
    let stolen_by_mallory = genuine.clone();
    for (n, (from, token)) in [
        ("ann@example.org", forged),
        ("ann@example.org", foreign_key),
        ("mallory@example.net", stolen_by_mallory),
    ]
    .into_iter()
    .enumerate()
    {
        let raw = format!(
            "From: {from}\r\nTo: support+{token}@helpdesk.test\r\nSubject: hello\r\nMessage-ID: <f{n}@x.example>\r\n\r\nhi\r\n"
        );
        let got = h.deliver(&format!("ses-forged-{n}"), raw.as_bytes()).await;
        assert!(
            matches!(got, Ok(Received::Created(ref other)) if other != &r),
            "{from} {token}: {got:?}"
        );
    }
    assert_eq!(h.store.load_ticket(&r).await.unwrap().messages.len(), 1);
}

#[tokio::test]
async fn throttling_is_retried_and_a_rejection_fails_for_good_and_shows_on_the_ticket() {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    let job = h.queue.jobs()[0].clone();
    h.mailer.fail_next(MailError::Throttled);
    assert_eq!(
        h.postman().deliver(&job).await,
        Err(DeliveryError::Throttled)
    );
    assert_eq!(
        h.store
            .outbox_item(&job.outbox_id)
            .await
            .unwrap()
            .unwrap()
            .1,
        OutboxState::Queued
    );
    assert!(matches!(
        h.postman().deliver(&job).await,
        Ok(Delivery::Sent { .. })
    ));

    let desk = h.desk();
    let agent = fixtures::supervisor("agent-1");
    let reply_job = desk
        .act(&agent, &r, 1, None, fixtures::reply("Answer"))
        .await
        .unwrap()
        .mail
        .unwrap();
    h.mailer
        .fail_next(MailError::Rejected("MessageRejected".into()));
    assert_eq!(
        h.postman().deliver(&reply_job).await,
        Err(DeliveryError::Permanent("MessageRejected".into()))
    );
    assert_eq!(
        h.postman().deliver(&reply_job).await,
        Err(DeliveryError::Permanent("MessageRejected".into())),
        "redelivered until the DLQ, never sent"
    );
    assert_eq!(h.mailer.sent().len(), 1);
    let thread = h.store.load_ticket(&r).await.unwrap();
    let note = thread.messages.last().unwrap();
    assert!(
        note.body_text
            .contains("could not be sent: MessageRejected"),
        "{}",
        note.body_text
    );
}

#[tokio::test]
async fn automatic_mail_is_capped_per_recipient_and_never_goes_to_system_or_own_addresses() {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    let job = |to: &str, kind: MailKind| OutboundJob {
        outbox_id: helpdesk_domain::ports::IdSource::outbox_id(&h.ids),
        kind,
        ticket: Some(r.clone()),
        message: None,
        recipient: EmailAddress::parse(to).unwrap(),
        throttled: 0,
        digest: None,
        alert: None,
    };
    let mut sent = 0;
    // `+tag`s and case do not make a new recipient: the cap counts the mailbox.
    for i in 0..12 {
        let to = format!("{}+{i}@example.org", if i % 2 == 0 { "ann" } else { "ANN" });
        if let Ok(Delivery::Sent { .. }) = h.postman().deliver(&job(&to, MailKind::Reminder)).await
        {
            sent += 1;
        }
    }
    assert_eq!(sent, 10, "10 automatic mails per 3 hours");
    for to in [
        "MAILER-DAEMON@example.org",
        "no-reply@example.org",
        "support@helpdesk.test",
        "billing+x@helpdesk.test",
    ] {
        let got = h
            .postman()
            .deliver(&job(to, MailKind::ResolutionRequest))
            .await;
        assert!(matches!(got, Ok(Delivery::Skipped(_))), "{to}: {got:?}");
    }
    h.store
        .set_do_not_email(
            &EmailAddress::parse("gone@example.org").unwrap(),
            "bounce",
            h.clock_now(),
        )
        .await
        .unwrap();
    let got = h
        .postman()
        .deliver(&job("gone@example.org", MailKind::AgentReply))
        .await;
    assert!(matches!(got, Ok(Delivery::Skipped(_))), "{got:?}");
    assert_eq!(h.mailer.sent().len(), 10);
}

#[tokio::test]
async fn lost_links_mail_lists_every_request_with_fresh_links_and_one_link_to_all() {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    // A closed request of the same address is listed too.
    let closed = {
        let new =
            testkit::fixtures::new_ticket(&h.ids, "support", "ann@example.org", h.clock_now());
        let Ok(helpdesk_domain::ports::store::Created::New(t)) = h.store.create_ticket(new).await
        else {
            panic!("not created")
        };
        let mut done = (*t).clone();
        done.status = Status::Closed;
        h.store
            .update_ticket(helpdesk_domain::ports::store::TicketUpdate::new(
                &t,
                done,
                vec![],
            ))
            .await
            .unwrap();
        t.reference
    };
    let job = OutboundJob {
        outbox_id: helpdesk_domain::ports::IdSource::outbox_id(&h.ids),
        kind: MailKind::TrackingLinks,
        ticket: None,
        message: None,
        recipient: EmailAddress::parse("ann@example.org").unwrap(),
        throttled: 0,
        digest: None,
        alert: None,
    };
    assert!(matches!(
        h.postman().deliver(&job).await,
        Ok(Delivery::Sent { .. })
    ));
    let raw = h.sent_raw().pop().unwrap();
    assert!(raw.contains(r.as_str()));
    assert!(raw.contains(closed.as_str()), "closed requests are listed");
    // One link opens them all, each with its own secret.
    let text = MessageParser::default()
        .parse(raw.as_bytes())
        .unwrap()
        .body_text(0)
        .unwrap()
        .into_owned();
    let mine = text
        .split_whitespace()
        .find_map(|w| w.split("/track/mine/#t=").nth(1))
        .expect("a link to all requests");
    let pairs: Vec<&str> = mine
        .trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
        .split(',')
        .collect();
    assert_eq!(pairs.len(), 2, "{mine}");
    // Each request's own link too; the open one's secret opens it.
    let own = format!("ticket={}#token=", r.as_str());
    let at = text.find(&own).expect("the open request's link") + own.len();
    let secret = SecretToken::parse(&text[at..at + 32]).unwrap();
    assert_eq!(
        h.store
            .tracking_token_valid(&r, &secret.hash(), h.clock_now())
            .await,
        Ok(true)
    );
    let nobody = OutboundJob {
        recipient: EmailAddress::parse("nobody@example.org").unwrap(),
        outbox_id: helpdesk_domain::ports::IdSource::outbox_id(&h.ids),
        ..job
    };
    assert!(matches!(
        h.postman().deliver(&nobody).await,
        Ok(Delivery::Skipped(_))
    ));
}

#[tokio::test]
async fn one_bad_queue_message_never_fails_the_batch() {
    use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
    let h = MailHarness::new().await;
    ticket_from_mail(&h).await;
    let good = serde_json::to_string(&h.queue.jobs()[0]).unwrap();
    let message = |id: &str, body: &str| {
        let mut m = SqsMessage::default();
        m.message_id = Some(id.into());
        m.body = Some(body.into());
        m
    };
    let mut event = SqsEvent::default();
    event.records = vec![message("bad", "{not json"), message("good", &good)];
    let deps = handler_deps(&h);
    let response = crate::handle(&deps, event).await;
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["bad"]);
}

#[tokio::test]
async fn a_hard_bounce_stops_mail_to_the_address_and_tells_the_agents() {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    h.send_queued().await;
    let ses_id = h.mailer.sent()[0].provider_id.clone();
    let event = testkit::events::ses_event("send-reply.sqs.ses-bounce.json", &ses_id, "");
    let deps = handler_deps(&h);
    for _ in 0..2 {
        let response = crate::handle(&deps, event.clone()).await;
        assert!(
            response.batch_item_failures.is_empty(),
            "{:?}",
            response.batch_item_failures
        );
    }
    let ann = EmailAddress::parse("ann@example.org").unwrap();
    assert!(
        h.store
            .do_not_email(&ann)
            .await
            .unwrap()
            .unwrap()
            .contains("550 5.1.1")
    );
    let notes: Vec<_> = h
        .store
        .load_ticket(&r)
        .await
        .unwrap()
        .messages
        .into_iter()
        .filter(|m| m.kind == helpdesk_domain::MessageKind::SystemEvent)
        .collect();
    assert_eq!(notes.len(), 1, "one note however often the event arrives");
    assert!(
        notes[0]
            .body_text
            .contains("ann@example.org bounced for good")
    );
    let desk = h.desk();
    let job = desk
        .act(
            &fixtures::supervisor("agent-1"),
            &r,
            1,
            None,
            fixtures::reply("Hello?"),
        )
        .await
        .unwrap()
        .mail
        .unwrap();
    assert!(matches!(
        h.postman().deliver(&job).await,
        Ok(Delivery::Skipped(_))
    ));
}

#[tokio::test]
async fn mail_to_a_merged_ticket_threads_into_the_ticket_it_was_merged_into() {
    let h = MailHarness::new().await;
    let duplicate = ticket_from_mail(&h).await;
    // Ann writes again about the same thing (a second mail, not a redelivery).
    let again = String::from_utf8(corpus("plain.eml", "", ""))
        .unwrap()
        .replace("plain-1@", "plain-2@");
    let kept = match h.deliver("ses-second", again.as_bytes()).await {
        Ok(Received::Created(r)) => r,
        other => panic!("{other:?}"),
    };
    assert_ne!(duplicate, kept);
    h.desk()
        .merge(&fixtures::supervisor("agent-1"), &duplicate, 1, None, &kept)
        .await
        .unwrap();
    let ann = EmailAddress::parse("ann@example.org").unwrap();
    let token = h.keys.sign(&duplicate, &ann);
    let raw = format!(
        "From: ann@example.org\r\nTo: support+{token}@helpdesk.test\r\nSubject: Re: hello\r\nMessage-ID: <after-merge@x.example>\r\n\r\nStill broken.\r\n"
    );
    let got = h.deliver("ses-after-merge", raw.as_bytes()).await;
    assert_eq!(
        got,
        Ok(Received::Appended(kept.clone(), ThreadedBy::ReplyToToken))
    );
    let source = h.store.load_ticket(&duplicate).await.unwrap();
    assert_eq!(source.ticket.status, Status::Closed);
    assert_eq!(source.ticket.merged_into, Some(kept.clone()));
    let target = h.store.load_ticket(&kept).await.unwrap();
    assert_eq!(target.messages.last().unwrap().body_text, "Still broken.");
    assert!(
        target
            .messages
            .iter()
            .any(|m| m.body_text.starts_with("agent-1 merged")),
        "the target records the merge"
    );
}

#[tokio::test]
async fn a_reply_to_a_full_thread_opens_a_new_ticket_and_nothing_is_lost() {
    let h = MailHarness::new().await;
    let full = ticket_from_mail(&h).await;
    let max = helpdesk_domain::tickets::ticket::MAX_THREAD_MESSAGES;
    testkit::fixtures::fill_thread(&*h.store, &h.ids, &full, max).await;
    let ann = EmailAddress::parse("ann@example.org").unwrap();
    let token = h.keys.sign(&full, &ann);
    let raw = format!(
        "From: ann@example.org\r\nTo: support+{token}@helpdesk.test\r\nSubject: Re: hello\r\nMessage-ID: <after-full@x.example>\r\n\r\nOne more thing.\r\n"
    );
    let fresh = match h.deliver("ses-after-full", raw.as_bytes()).await {
        Ok(Received::Created(r)) => r,
        other => panic!("{other:?}"),
    };
    assert_ne!(fresh, full);
    assert_eq!(
        h.store.load_ticket(&full).await.unwrap().messages.len(),
        max
    );
    let kept = h.store.load_ticket(&fresh).await.unwrap();
    assert_eq!(kept.messages[0].body_text, "One more thing.");
}

/// An agent forwards ticket `r`, as it stands, to the shipper's dispatch desk.
async fn forward_to_dispatch(
    h: &MailHarness,
    r: &TicketRef,
) -> helpdesk_domain::agents::actions::Done {
    let version = h.store.load_ticket(r).await.unwrap().ticket.version;
    h.desk()
        .act(
            &fixtures::supervisor("agent-1"),
            r,
            version,
            None,
            helpdesk_domain::agents::actions::Action::Forward {
                to: EmailAddress::parse("dispatch@shipper.example").unwrap(),
                note: "Where is parcel 4711?".into(),
            },
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_forward_reaches_the_partner_without_a_link_and_their_answer_stays_with_the_agents() {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    h.send_queued().await;
    let done = forward_to_dispatch(&h, &r).await;
    assert_eq!(
        done.ticket.status,
        Status::New,
        "forwarding changes nothing else"
    );
    h.send_queued().await;
    let raw = h.sent_raw().last().unwrap().clone();
    let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
    assert_eq!(
        m.to().and_then(|a| a.first()).and_then(|a| a.address()),
        Some("dispatch@shipper.example")
    );
    let text = m.body_text(0).unwrap().into_owned();
    assert!(text.starts_with("Where is parcel 4711?"), "{text}");
    assert!(text.contains("The customer wrote"), "{text}");
    assert!(
        !text.contains("#token="),
        "no key to the customer's page: {text}"
    );
    assert!(m.subject().unwrap().starts_with("Fwd: "));

    // The partner answers; the agents read it, the customer's page does not show it.
    let reply_to = m
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap()
        .to_owned();
    let answer = format!(
        "From: Dispatch <dispatch@shipper.example>\r\nTo: {reply_to}\r\nSubject: Re: {}\r\nMessage-ID: <d-1@shipper.example>\r\n\r\nIt left our depot today.\r\n",
        m.subject().unwrap()
    );
    let got = h.deliver("ses-partner", answer.as_bytes()).await;
    assert_eq!(
        got,
        Ok(Received::Appended(r.clone(), ThreadedBy::ReplyToToken))
    );
    let thread = h.store.load_ticket(&r).await.unwrap();
    let last = thread.messages.last().unwrap();
    assert_eq!(last.body_text, "It left our depot today.");
    assert_eq!(last.kind, helpdesk_domain::MessageKind::InternalNote);
    assert!(h.send_queued().await.is_empty(), "nothing goes to anyone");
}

#[tokio::test]
async fn a_partners_answer_to_a_ticket_waiting_on_the_customer_reopens_it_with_its_clocks() {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    let agent = fixtures::supervisor("agent-1");
    let asked = h
        .desk()
        .act(
            &agent,
            &r,
            1,
            None,
            helpdesk_domain::agents::actions::Action::Reply {
                body: "Which parcel number is on your receipt?".into(),
                solve: false,
                attachments: vec![],
                then: Default::default(),
            },
        )
        .await
        .unwrap();
    assert!(asked.ticket.sla.idle.is_some(), "waiting on the customer");
    h.desk()
        .act(
            &agent,
            &r,
            asked.ticket.version,
            None,
            helpdesk_domain::agents::actions::Action::Forward {
                to: EmailAddress::parse("dispatch@shipper.example").unwrap(),
                note: "Where is parcel 4711?".into(),
            },
        )
        .await
        .unwrap();
    h.send_queued().await;
    let raw = h.sent_raw().last().unwrap().clone();
    let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
    let reply_to = m
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap()
        .to_owned();
    let answer = format!(
        "From: Dispatch <dispatch@shipper.example>\r\nTo: {reply_to}\r\nSubject: Re: parcel\r\nMessage-ID: <d-2@shipper.example>\r\n\r\nIt left our depot today.\r\n"
    );
    h.deliver("ses-partner-2", answer.as_bytes()).await.unwrap();
    let ticket = h.store.load_ticket(&r).await.unwrap().ticket;
    assert_eq!(ticket.status, Status::Open, "the agents have work again");
    // No reminder is pending for a ticket that no longer waits on the customer,
    // and the resolution clock runs again.
    assert_eq!(ticket.sla.idle, None);
    let resolution = ticket.sla.resolution.unwrap();
    assert!(resolution.spell.is_some(), "{resolution:?}");
    assert_eq!(ticket.sla.wake_at, Some(resolution.spell.unwrap().warn_at));
}

/// send-reply's claim on the first queued job, as it makes it before sending.
async fn claim_first_job(h: &MailHarness) -> OutboundJob {
    use helpdesk_domain::mail::outbound::job::{Claimed, OutboxClaim};
    let job = h.queue.jobs().remove(0);
    let now = h.clock_now();
    let claim = OutboxClaim {
        job: job.clone(),
        now,
        lease_until: now + h.mail_settings.lease,
        cap: None,
        tokens: vec![],
    };
    assert_eq!(h.store.claim_outbox(&claim).await.unwrap(), Claimed::Go);
    job
}

/// What a send-reply that dies between SES accepting a mail and recording it
/// leaves: the item `sending` (its lease running) and the job still on the queue.
async fn crash_after_ses_accepted(h: &MailHarness) -> (OutboundJob, String) {
    let job = claim_first_job(h).await;
    let ses_id = helpdesk_domain::ports::Mailer::send_raw(
        &h.mailer,
        &h.mail_settings.from,
        std::slice::from_ref(&job.recipient),
        b"Subject: the confirmation\r\n\r\nx\r\n",
        Some(&job.outbox_id),
    )
    .await
    .unwrap();
    (job, ses_id)
}

#[tokio::test]
async fn ses_send_event_records_a_mail_whose_sender_died_so_the_retry_sends_nothing() {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    let (job, ses_id) = crash_after_ses_accepted(&h).await;
    assert_eq!(
        h.mailer.sent()[0].outbox.as_ref(),
        Some(&job.outbox_id),
        "the mail carries its outbox id as a tag"
    );

    let event = testkit::events::ses_event(
        "send-reply.sqs.ses-send.json",
        &ses_id,
        job.outbox_id.as_str(),
    );
    let deps = handler_deps(&h);
    // Delivered twice, as SNS and SQS may: the same outcome.
    for _ in 0..2 {
        let response = crate::handle(&deps, event.clone()).await;
        assert!(response.batch_item_failures.is_empty(), "{response:?}");
    }
    let (_, state) = h.store.outbox_item(&job.outbox_id).await.unwrap().unwrap();
    assert_eq!(state, OutboxState::Sent);
    // A reply to SES's id or to ours threads, as after a normal send.
    let ours =
        helpdesk_domain::mail::outbound::send::our_message_id(&job.outbox_id, "helpdesk.test");
    for id in [ses_id.clone(), ours] {
        let found = h
            .store
            .tickets_for_message_ids(std::slice::from_ref(&id))
            .await
            .unwrap();
        assert_eq!(found.first().map(|(_, t)| t), Some(&r), "{id}");
    }

    // The job comes back once the lease is over: nothing more goes out.
    h.clock
        .advance(h.mail_settings.lease + chrono::Duration::minutes(1));
    assert!(matches!(
        h.postman().deliver(&job).await,
        Ok(Delivery::AlreadySent)
    ));
    assert_eq!(h.mailer.sent().len(), 1);
}

#[tokio::test]
async fn without_ses_send_event_a_job_whose_sender_died_is_sent_again_after_its_lease() {
    // The window the send event closes: SES never said, so the item is retried.
    let h = MailHarness::new().await;
    ticket_from_mail(&h).await;
    let (job, _) = crash_after_ses_accepted(&h).await;
    assert!(matches!(
        h.postman().deliver(&job).await,
        Err(DeliveryError::Retry(_))
    ));
    h.clock
        .advance(h.mail_settings.lease + chrono::Duration::minutes(1));
    assert!(matches!(
        h.postman().deliver(&job).await,
        Ok(Delivery::Sent { .. })
    ));
    assert_eq!(h.mailer.sent().len(), 2);
}

#[test]
fn send_events_without_our_tag_are_not_ours() {
    let body = testkit::events::event_text("send-reply.sqs.ses-send.json");
    let event: aws_lambda_events::event::sqs::SqsEvent = serde_json::from_str(&body).unwrap();
    let record = event.records[0].body.clone().unwrap();
    let untagged = record.replace(r#"\"outbox\": [\"OUTBOX-ID\"]"#, r#"\"other\": [\"x\"]"#);
    assert_ne!(untagged, record);
    assert!(matches!(
        helpdesk_domain::mail::outbound::feedback::parse(&untagged),
        Some(Ok(
            helpdesk_domain::mail::outbound::feedback::Feedback::Other(_)
        ))
    ));
    let tagged = record.replace("OUTBOX-ID", "0f1e2d3c4b5a6978");
    assert!(matches!(
        helpdesk_domain::mail::outbound::feedback::parse(&tagged),
        Some(Ok(
            helpdesk_domain::mail::outbound::feedback::Feedback::Sent { .. }
        ))
    ));
}

#[tokio::test]
async fn ses_send_event_for_a_mail_whose_call_failed_on_our_side_stops_its_retry() {
    use helpdesk_domain::mail::outbound::job::OutboxFinish;
    let h = MailHarness::new().await;
    ticket_from_mail(&h).await;
    // SES took the mail, but the call timed out here: send-reply put the item
    // back on the queue (as it does for an unavailable provider).
    let (job, ses_id) = crash_after_ses_accepted(&h).await;
    h.store
        .finish_outbox(&job, OutboxFinish::Released { refund: None }, h.clock_now())
        .await
        .unwrap();
    let (_, state) = h.store.outbox_item(&job.outbox_id).await.unwrap().unwrap();
    assert_eq!(state, OutboxState::Queued);

    let event = testkit::events::ses_event(
        "send-reply.sqs.ses-send.json",
        &ses_id,
        job.outbox_id.as_str(),
    );
    let response = crate::handle(&handler_deps(&h), event).await;
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    let (_, state) = h.store.outbox_item(&job.outbox_id).await.unwrap().unwrap();
    assert_eq!(state, OutboxState::Sent);

    // The job's retry finds it sent: the customer gets one mail.
    assert!(matches!(
        h.postman().deliver(&job).await,
        Ok(Delivery::AlreadySent)
    ));
    assert_eq!(h.mailer.sent().len(), 1);
}

/// The process died after claiming the confirmation and before calling SES; every
/// redelivery inside the lease answered "in flight" until the queue gave up on the
/// job (the DLQ). The schedule's sweep finds the item once the lease is over, and
/// the customer gets the confirmation once.
#[tokio::test]
async fn a_job_whose_sender_died_before_ses_is_swept_back_after_the_queue_gave_up() {
    use helpdesk_domain::mail::outbound::resend::resend_unsent;
    let h = MailHarness::new().await;
    ticket_from_mail(&h).await;
    let now = h.clock_now();
    let job = claim_first_job(&h).await;
    assert!(matches!(
        h.postman().deliver(&job).await,
        Err(DeliveryError::Retry(_))
    ));
    let grace = chrono::Duration::minutes(10);
    let sweep = |at| resend_unsent(h.store.as_ref(), &h.queue, at, grace, 100);
    // While the lease (and then the grace) runs, the sweep leaves it to the queue.
    assert_eq!(sweep(now + h.mail_settings.lease).await.unwrap().resent, 0);

    h.clock
        .advance(h.mail_settings.lease + grace + chrono::Duration::minutes(1));
    assert_eq!(sweep(h.clock_now()).await.unwrap().resent, 1);
    let again = h.queue.jobs().pop().unwrap();
    assert_eq!(again, job);
    assert!(matches!(
        h.postman().deliver(&again).await,
        Ok(Delivery::Sent { .. })
    ));
    assert_eq!(h.mailer.sent().len(), 1);
    // Settled: the next sweep has nothing to put back.
    h.clock.advance(chrono::Duration::hours(1));
    assert_eq!(sweep(h.clock_now()).await.unwrap().resent, 0);
}

/// Anyone can type anyone's address into the form: the confirmation to an address
/// not verified yet repeats none of the submitter's words but a shortened subject,
/// so the form cannot relay a message to someone else's inbox from our domain.
#[tokio::test]
async fn the_confirmation_to_an_unverified_address_repeats_nothing_the_submitter_wrote() {
    let h = MailHarness::new().await;
    let mut new = fixtures::new_ticket(&h.ids, "support", "victim@example.org", h.clock_now());
    new.ticket.email_verified = false;
    new.ticket.requester.name =
        helpdesk_domain::values::text::DisplayName::from_mail("Your bank: verify at evil.example");
    new.ticket.subject = helpdesk_domain::values::text::Subject::from_mail(
        "Your account is locked, log in at http://evil.example/login within 24 hours or lose it",
    );
    new.first_message.body_text = "Click http://evil.example/reset to keep your account.".into();
    let job = fixtures::confirmation_job(&h.ids, &new.ticket);
    new.outbox = vec![job.clone()];
    h.store.create_ticket(new).await.unwrap();
    assert!(matches!(
        h.postman().deliver(&job).await,
        Ok(Delivery::Sent { .. })
    ));
    let raw = String::from_utf8(h.mailer.sent()[0].raw.clone()).unwrap();
    let parsed = MessageParser::default().parse(raw.as_bytes()).unwrap();
    let text = parsed.body_text(0).unwrap().into_owned();
    let subject = parsed.subject().unwrap().to_owned();
    assert!(!text.contains("evil.example"), "{text}");
    assert!(!text.contains("Your bank"), "{text}");
    assert!(subject.chars().count() < 100, "{subject}");
    assert!(!subject.contains("or lose it"), "{subject}");
    assert!(
        text.contains("someone else typed in your address"),
        "{text}"
    );
}

/// The customer's reply carries our thread id, which holds a token bound to the
/// customer. A forward built from that thread must not hand it to the partner,
/// who could then write as the customer.
#[tokio::test]
async fn a_forward_carries_only_the_partner_s_own_thread_id() {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    h.send_queued().await;
    let ann = EmailAddress::parse("ann@example.org").unwrap();
    let ours = h.keys.thread_id("helpdesk.test", &r, &ann);
    let reply = format!(
        "From: ann@example.org\r\nTo: support@helpdesk.test\r\nSubject: Re: [#{}] Router\r\nMessage-ID: <ann-2@example.org>\r\nIn-Reply-To: <{ours}>\r\nReferences: <plain-1@mail.example.org> <{ours}>\r\n\r\nStill broken.\r\n",
        r.as_str()
    );
    assert!(matches!(
        h.deliver("ses-ann-2", reply.as_bytes()).await,
        Ok(Received::Appended(..))
    ));
    forward_to_dispatch(&h, &r).await;
    let partner = EmailAddress::parse("dispatch@shipper.example").unwrap();
    h.send_queued().await;
    let raw = h.sent_raw().last().unwrap().clone();
    let references = header(&raw, "References").unwrap_or_default();
    assert!(!references.contains(&ours), "{references}");
    assert!(!references.contains("plain-1@"), "{references}");
    assert!(
        references.contains(&h.keys.thread_id("helpdesk.test", &r, &partner)),
        "{references}"
    );
}

/// A burst of 1,000 confirmations meets SES's send rate (14 a second, as a new
/// production account starts), with nothing pacing it: each one still goes out
/// exactly once, and no queue message ever fails (none could reach the DLQ).
/// The queue is played as SQS plays it: batches of ten of the messages whose
/// delay is over, each batch taking 100 ms of (simulated) time.
#[tokio::test]
async fn a_throttling_ses_slows_a_burst_of_a_thousand_confirmations_and_each_goes_out_once() {
    use chrono::Duration;
    use std::sync::Arc;
    let h = MailHarness::new().await;
    let ids = testkit::SequentialIds::seeded(77);
    let mut first = Vec::new();
    for n in 0..1_000 {
        let mut new =
            fixtures::new_ticket(&ids, "billing", &format!("c{n}@example.com"), h.clock_now());
        let job = fixtures::confirmation_job(&ids, &new.ticket);
        new.outbox = vec![job.clone()];
        h.store.create_ticket(new).await.unwrap();
        first.push(job);
    }
    let ses_clock = Arc::new(testkit::FixedClock::at(h.clock_now()));
    let start = h.clock_now();
    let mailer = Arc::new(testkit::fakes::ThrottlingMailer::new(14, ses_clock.clone()));
    let queue = Arc::new(testkit::fakes::RecordingQueue::default());
    let deps = crate::Deps {
        mailer: mailer.clone(),
        outbound: queue.clone(),
        ..handler_deps(&h)
    };
    let drained = testkit::burst::drain(
        first,
        &queue,
        20_000,
        |ms| ses_clock.set(start + Duration::milliseconds(ms)),
        |event| crate::handle(&deps, event),
    )
    .await
    .expect("the burst never drains");
    let failed = drained.failed;
    assert!(drained.delays_valid, "a delay outside SQS's 15 minutes");
    assert_eq!(failed, 0, "a throttled job failed its queue message");
    let sent = mailer.accepted.sent();
    assert_eq!(sent.len(), 1_000);
    let mut outboxes: Vec<_> = sent.iter().filter_map(|m| m.outbox.clone()).collect();
    outboxes.sort();
    outboxes.dedup();
    assert_eq!(outboxes.len(), 1_000, "a confirmation went out twice");
    assert!(
        mailer.throttled() > 0,
        "SES never throttled: the test shows nothing"
    );
    for id in &outboxes {
        let (_, state) = h.store.outbox_item(id).await.unwrap().unwrap();
        assert_eq!(state, OutboxState::Sent);
    }
    eprintln!(
        "1,000 confirmations at 14/s: {} batches, {} throttled calls, all sent after {:.0} s (at the rate: 71 s), longest wait {:.0} s",
        drained.batches,
        mailer.throttled(),
        drained.millis as f64 / 1000.0,
        drained.longest_wait_millis as f64 / 1000.0
    );
}

/// A run's digest for `to`, stored as the SLA run stores it; `n` steps on `r`.
async fn stored_digest(
    h: &MailHarness,
    run: &str,
    to: &str,
    r: &TicketRef,
    n: usize,
) -> OutboundJob {
    use helpdesk_domain::mail::outbound::digest::DigestLine;
    use helpdesk_domain::ports::SlaNotices;
    use helpdesk_domain::sla::clocks::Stage;
    use helpdesk_domain::sla::notice::{Notice, digests};
    use helpdesk_domain::values::ids::RunId;
    let run = RunId::parse(run).unwrap();
    let notices: Vec<Notice> = (0..n)
        .map(|i| Notice {
            run: run.clone(),
            message: helpdesk_domain::ports::IdSource::message_id(&h.ids, h.clock_now()),
            line: DigestLine {
                ticket: r.clone(),
                category: helpdesk_domain::CategoryId::parse("billing").unwrap(),
                subject: format!("<b>Refund</b> {i} & more"),
                stage: if i % 2 == 0 {
                    Stage::Escalated
                } else {
                    Stage::Breached
                },
                text: format!("SLA step {i}"),
            },
            recipients: vec![EmailAddress::parse(to).unwrap()],
        })
        .collect();
    let jobs = digests(&run, &notices);
    h.store
        .close_notice_run(&run, &jobs, h.clock_now())
        .await
        .unwrap();
    jobs.into_iter().next().unwrap()
}

#[tokio::test]
async fn an_sla_digest_says_what_its_stored_item_says_with_console_links_and_no_keys() {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    let _ = h.send_queued().await;
    let job = stored_digest(&h, "run-00000001", "sue@example.org", &r, 60).await;
    // The queue message is only a pointer: lines and a recipient forged into it
    // are not read.
    let mut forged = job.clone();
    if let Some(d) = forged.digest.as_mut() {
        d.lines[0].text = "Pay this invoice: https://evil.example".into();
    }
    forged.recipient = EmailAddress::parse("mallory@evil.example").unwrap();
    let got = h.postman().deliver(&forged).await;
    assert!(matches!(got, Ok(Delivery::Sent { .. })), "{got:?}");
    let sent = h.mailer.sent();
    assert_eq!(sent.last().unwrap().to[0].as_str(), "sue@example.org");
    let raw = h.sent_raw().pop().unwrap();
    let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
    assert_eq!(
        m.subject(),
        Some("[ACME Support] SLA: 30 escalations, 30 breaches")
    );
    assert_eq!(
        header(&raw, "Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    let text = m.body_text(0).unwrap().into_owned();
    let html = m.body_html(0).unwrap().into_owned();
    assert!(!text.contains("evil.example") && !html.contains("evil.example"));
    assert!(
        text.contains("SLA step 0") && text.contains("And 10 more"),
        "{text}"
    );
    assert!(text.contains(&format!("/agent/#/ticket/{}", r.as_str())));
    assert!(
        !text.contains("#token="),
        "no key to a customer's page: {text}"
    );
    // Ticket subjects are text in the HTML part, never markup.
    assert!(html.contains("&lt;b&gt;Refund&lt;/b&gt;") && !html.contains("<b>Refund"));
    // Sent once, however often its message comes.
    assert!(matches!(
        h.postman().deliver(&job).await,
        Ok(Delivery::AlreadySent)
    ));
}

#[tokio::test]
async fn a_digest_that_is_not_stored_is_not_sent_and_digests_are_not_capped() {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    let _ = h.send_queued().await;
    let before = h.mailer.sent().len();
    let mut unknown = stored_digest(&h, "run-00000002", "sue@example.org", &r, 1).await;
    unknown.outbox_id = helpdesk_domain::OutboxId::parse("d-nowhere-0000").unwrap();
    // Not stored (yet, or ever): tried again later, nothing settled, nothing sent.
    let got = h.postman().deliver(&unknown).await;
    assert!(matches!(got, Err(DeliveryError::Retry(_))), "{got:?}");
    assert_eq!(h.store.outbox_item(&unknown.outbox_id).await.unwrap(), None);
    // A queue message calling another mail a digest: refused, that mail untouched.
    let mut posing = unknown.clone();
    let confirmation = h
        .store
        .outbox_snapshot()
        .into_iter()
        .find(|(j, _)| j.kind == MailKind::TicketConfirmation)
        .unwrap();
    posing.outbox_id = confirmation.0.outbox_id.clone();
    let got = h.postman().deliver(&posing).await;
    assert!(matches!(got, Err(DeliveryError::Permanent(_))), "{got:?}");
    assert_eq!(
        h.store
            .outbox_item(&posing.outbox_id)
            .await
            .unwrap()
            .map(|s| s.1),
        Some(confirmation.1)
    );
    assert_eq!(h.mailer.sent().len(), before);
    // Twelve runs in an hour of trouble: the agent hears of every one (the
    // automatic-mail cap of 10 is for mail to customers' addresses).
    for k in 0..12 {
        let job = stored_digest(&h, &format!("run-1000000{k:x}"), "sue@example.org", &r, 1).await;
        let got = h.postman().deliver(&job).await;
        assert!(matches!(got, Ok(Delivery::Sent { .. })), "{k}: {got:?}");
    }
    assert_eq!(h.mailer.sent().len(), before + 12);
}

/// Erases the ticket's customer data as an admin's erasure does.
async fn erase(h: &MailHarness, r: &TicketRef) {
    let files = testkit::fakes::InMemoryAttachments::default();
    let raw = testkit::fakes::InMemoryRawMail::default();
    helpdesk_domain::customers::data::CustomerData::new(&*h.store, &files, &raw)
        .erase_ticket(r, h.clock_now())
        .await
        .unwrap();
}

#[tokio::test]
async fn nothing_is_mailed_about_a_ticket_whose_customer_was_erased() {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    // Erased before send-reply took the confirmation off the queue.
    erase(&h, &r).await;
    let results = h.send_queued().await;
    assert!(
        matches!(&results[0].1, Ok(Delivery::Skipped(reason)) if reason.contains("erased")),
        "{results:?}"
    );
    assert!(h.mailer.sent().is_empty());
}

#[tokio::test]
async fn a_reply_to_an_erased_customer_s_ticket_opens_a_ticket_of_its_own_and_agents_cannot_write_there()
 {
    let h = MailHarness::new().await;
    let r = ticket_from_mail(&h).await;
    h.send_queued().await;
    let raw = h.sent_raw()[0].clone();
    let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
    let reply_to = m
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap()
        .to_owned();
    erase(&h, &r).await;
    // Her mail client still holds our reply address (a token no store can forget).
    let answer = format!(
        "From: Ann Example <ann@example.org>\r\nTo: {reply_to}\r\nSubject: Re: {}\r\n\
         Message-ID: <ann-9@mail.example.org>\r\nIn-Reply-To: <{}>\r\n\r\nOne more thing.\r\n",
        m.subject().unwrap(),
        m.message_id().unwrap(),
    );
    let got = h.deliver("ses-after-erasure", answer.as_bytes()).await;
    assert!(
        matches!(&got, Ok(Received::Created(new)) if new != &r),
        "{got:?}"
    );
    let stored = h.store.load_ticket(&r).await.unwrap();
    assert!(
        stored
            .messages
            .iter()
            .all(|m| m.body_text != "One more thing."),
        "nothing new in the shell"
    );
    assert_eq!(stored.ticket.status, Status::Closed);
    // Nor can an agent reply or note there.
    let refused = h
        .desk()
        .act(
            &fixtures::supervisor("agent-1"),
            &r,
            stored.ticket.version,
            None,
            fixtures::reply("Hello?"),
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(helpdesk_domain::agents::actions::DeskError::Forbidden(_))
        ),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_mail_in_german_gets_its_confirmation_and_every_later_mail_in_german() {
    let h = MailHarness::new().await;
    let raw = String::from_utf8(corpus("plain.eml", "", ""))
        .unwrap()
        .replace(
            "MIME-Version: 1.0\r\n",
            "MIME-Version: 1.0\r\nContent-Language: de-DE\r\n",
        )
        .replace(
            "MIME-Version: 1.0\n",
            "MIME-Version: 1.0\nContent-Language: de-DE\n",
        );
    let r = match h.deliver("ses-german", raw.as_bytes()).await {
        Ok(Received::Created(r)) => r,
        other => panic!("{other:?}"),
    };
    let ticket = h.store.load_ticket(&r).await.unwrap().ticket;
    assert_eq!(ticket.language, helpdesk_domain::i18n::Language::De);
    h.send_queued().await;
    let first = h.sent_raw()[0].clone();
    let m = MessageParser::default().parse(first.as_bytes()).unwrap();
    let subject = m.subject().unwrap().to_owned();
    assert!(
        subject.contains("Wir haben Ihre Anfrage erhalten"),
        "{subject}"
    );
    let text = m.body_text(0).unwrap().into_owned();
    assert!(text.contains("Guten Tag Ann Example,"), "{text}");
    // The promise in German, in the policy's time zone.
    assert!(
        text.contains("Wie es weitergeht: Wir antworten Ihnen spätestens bis "),
        "{text}"
    );
    assert!(text.contains(" Uhr (Europe/Berlin)"), "{text}");
    assert_eq!(m.header_raw("Content-Language").map(str::trim), Some("de"));
    // Its link opens the tracking page in German too.
    assert!(text.contains("&lang=de#token="), "{text}");
    // A later mail (an agent's reply) too, signed "von" the brand.
    h.desk()
        .act(
            &fixtures::supervisor("agent-1"),
            &r,
            ticket.version,
            None,
            fixtures::reply("Bitte starten Sie den Router neu."),
        )
        .await
        .unwrap();
    h.send_queued().await;
    let second = h.sent_raw()[1].clone();
    let reply = MessageParser::default().parse(second.as_bytes()).unwrap();
    let text = reply.body_text(0).unwrap().into_owned();
    assert!(
        text.contains("Das ganze Gespräch ansehen oder online antworten"),
        "{text}"
    );
    assert!(reply.subject().unwrap().starts_with("AW: "));
    assert_eq!(
        reply.header_raw("Content-Language").map(str::trim),
        Some("de")
    );
}

#[tokio::test]
async fn a_german_mail_without_a_subject_reads_kein_betreff_and_agents_keep_theirs() {
    let h = MailHarness::new().await;
    let raw = String::from_utf8(corpus("plain.eml", "", ""))
        .unwrap()
        .replace("\r\n", "\n")
        .lines()
        .filter(|l| !l.starts_with("Subject:"))
        .map(|l| {
            if l.starts_with("MIME-Version:") {
                format!("{l}\r\nContent-Language: de")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n");
    let r = match h.deliver("ses-german-no-subject", raw.as_bytes()).await {
        Ok(Received::Created(r)) => r,
        other => panic!("{other:?}"),
    };
    let ticket = h.store.load_ticket(&r).await.unwrap().ticket;
    assert_eq!(ticket.subject.as_str(), "(no subject)", "agents read it so");
    h.send_queued().await;
    let sent = h.sent_raw()[0].clone();
    let m = MessageParser::default().parse(sent.as_bytes()).unwrap();
    let subject = m.subject().unwrap().to_owned();
    assert!(subject.ends_with(": (kein Betreff)"), "{subject}");
}
