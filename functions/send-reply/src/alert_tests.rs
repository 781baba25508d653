//! Alerts by mail for agents away from the console, on the in-memory fakes: who
//! is told, what the mail says, and what is never sent (to an agent in the
//! console, twice for the same ticket, or apart from a digest).

use chrono::Duration;
use helpdesk_domain::TicketRef;
use helpdesk_domain::agents::actions::Action;
use helpdesk_domain::agents::alert_mail::{AlertChoices, DigestMinutes};
use helpdesk_domain::agents::alerts::AlertDigests;
use helpdesk_domain::agents::profile::Role;
use helpdesk_domain::mail::inbound::receive::Received;
use helpdesk_domain::mail::outbound::job::{MailKind, OutboundJob};
use helpdesk_domain::mail::outbound::send::{Delivery, DeliveryError};
use helpdesk_domain::ports::{AgentProfiles, Presence, TicketRecords};
use mail_parser::MessageParser;
use testkit::fixtures::{agent, agent_id, caller, supervisor};
use testkit::mail_harness::{MailHarness, corpus};

type Results = Vec<(OutboundJob, Result<Delivery, DeliveryError>)>;

fn wants(new_ticket: bool, assigned: bool, customer_replied: bool) -> AlertChoices {
    AlertChoices {
        new_ticket,
        assigned,
        customer_replied,
        ..AlertChoices::default()
    }
}

async fn hire(h: &MailHarness, id: &str, categories: &[&str], choices: Option<AlertChoices>) {
    let mut a = agent(id, Role::Agent, categories);
    a.alerts = choices;
    h.store.put_agent(&a).await.unwrap();
}

async fn mail_in(h: &MailHarness, ses_id: &str) -> TicketRef {
    match h.deliver(ses_id, &corpus("plain.eml", "", "")).await {
        Ok(Received::Created(r)) => r,
        other => panic!("{other:?}"),
    }
}

/// The customer writes again on `r`, in a mail of its own.
async fn customer_replies(h: &MailHarness, r: &TicketRef, n: u32) {
    let raw = String::from_utf8(corpus("reply-gmail.eml", r.as_str(), "elsewhere@x.test"))
        .unwrap()
        .replace(
            "gmail-2@mail.gmail.com",
            &format!("again-{n}@mail.gmail.com"),
        );
    match h.deliver(&format!("ses-reply-{n}"), raw.as_bytes()).await {
        Ok(Received::Appended(..)) => {}
        other => panic!("{other:?}"),
    }
}

/// A supervisor gives `r` to ana (an alert for her, if she asked for those).
async fn sue_assigns_to_ana(h: &MailHarness, r: &TicketRef) {
    let v = h.store.load_ticket(r).await.unwrap().ticket.version;
    h.desk()
        .act(
            &supervisor("sue"),
            r,
            v,
            None,
            Action::Assign {
                to: Some(agent_id("ana")),
            },
        )
        .await
        .unwrap();
}

fn alerts(results: &Results) -> Vec<&(OutboundJob, Result<Delivery, DeliveryError>)> {
    results
        .iter()
        .filter(|(j, _)| matches!(j.kind, MailKind::Alert | MailKind::AlertDigest))
        .collect()
}

fn sent_to(h: &MailHarness, to: &str) -> Vec<String> {
    h.mailer
        .sent()
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t.as_str() == to))
        .map(|m| String::from_utf8_lossy(&m.raw).into_owned())
        .collect()
}

fn skipped_because(result: &Result<Delivery, DeliveryError>) -> String {
    match result {
        Ok(Delivery::Skipped(reason)) => reason.clone(),
        other => panic!("expected a skip: {other:?}"),
    }
}

#[tokio::test]
async fn a_new_ticket_alerts_the_agents_who_asked_and_cover_its_category_only() {
    let h = MailHarness::new().await;
    hire(&h, "ana", &["support"], Some(wants(true, false, false))).await;
    hire(&h, "bob", &["billing"], Some(wants(true, false, false))).await;
    hire(&h, "cid", &["support"], None).await;
    let r = mail_in(&h, "ses-1").await;
    let results = h.send_queued().await;
    let alerted = alerts(&results);
    assert_eq!(alerted.len(), 1, "{results:?}");
    assert!(matches!(alerted[0].1, Ok(Delivery::Sent { .. })));
    assert_eq!(h.mailer.sent().len(), 2, "the confirmation and ana's alert");
    let mail = &sent_to(&h, "ana@helpdesk.test")[0];
    let m = MessageParser::default().parse(mail.as_bytes()).unwrap();
    let subject = m.subject().unwrap();
    assert!(subject.contains("New ticket"), "{subject}");
    assert!(subject.contains(&r.display()), "{subject}");
    let text = m.body_text(0).unwrap();
    assert!(
        text.contains(&format!(
            "https://help.example.com/agent/#/ticket/{}",
            r.as_str()
        )),
        "{text}"
    );
    assert!(text.contains("ann@example.org"), "{text}");
    // Automatic, and with no key to the customer's page.
    assert_eq!(
        m.header_raw("Auto-Submitted").map(str::trim),
        Some("auto-generated")
    );
    assert!(!text.contains("#token="), "{text}");
}

#[tokio::test]
async fn no_alert_reaches_an_agent_in_the_console_and_one_away_hears_once_per_ticket() {
    let h = MailHarness::new().await;
    hire(&h, "ana", &["support"], Some(wants(false, false, true))).await;
    let r = mail_in(&h, "ses-1").await;
    sue_assigns_to_ana(&h, &r).await;
    h.send_queued().await;
    assert!(
        sent_to(&h, "ana@helpdesk.test").is_empty(),
        "she did not ask for assignments"
    );

    // In the console: nothing.
    h.store
        .saw_agent(&agent_id("ana"), h.clock_now())
        .await
        .unwrap();
    customer_replies(&h, &r, 1).await;
    let results = h.send_queued().await;
    let alerted = alerts(&results);
    assert_eq!(alerted.len(), 1);
    assert_eq!(
        skipped_because(&alerted[0].1),
        "the agent is in the console"
    );

    // Away for three minutes: one mail, then none for the next reply.
    h.clock.advance(Duration::minutes(3));
    customer_replies(&h, &r, 2).await;
    h.clock.advance(Duration::minutes(1));
    customer_replies(&h, &r, 3).await;
    let results = h.send_queued().await;
    let alerted = alerts(&results);
    assert_eq!(alerted.len(), 2);
    assert!(
        matches!(alerted[0].1, Ok(Delivery::Sent { .. })),
        "{alerted:?}"
    );
    assert!(skipped_because(&alerted[1].1).starts_with("already told"));
    assert_eq!(sent_to(&h, "ana@helpdesk.test").len(), 1);
    let mail = &sent_to(&h, "ana@helpdesk.test")[0];
    assert!(mail.contains("The customer replied"), "{mail}");

    // A redelivered alert job mails nothing more.
    let again = h.postman().deliver(&alerted[0].0).await;
    assert!(matches!(again, Ok(Delivery::AlreadySent)), "{again:?}");

    // Back in the console, then away again: the next reply is news again.
    h.clock.advance(Duration::minutes(1));
    h.store
        .saw_agent(&agent_id("ana"), h.clock_now())
        .await
        .unwrap();
    h.clock.advance(Duration::minutes(3));
    customer_replies(&h, &r, 4).await;
    h.send_queued().await;
    assert_eq!(sent_to(&h, "ana@helpdesk.test").len(), 2);
}

#[tokio::test]
async fn an_assignment_alerts_the_assignee_but_never_the_agent_who_took_it() {
    let h = MailHarness::new().await;
    hire(&h, "ana", &["support"], Some(wants(false, true, false))).await;
    let first = mail_in(&h, "ses-1").await;
    sue_assigns_to_ana(&h, &first).await;
    let raw = String::from_utf8(corpus("plain.eml", "", ""))
        .unwrap()
        .replace("plain-1@mail.example.org", "plain-2@mail.example.org");
    let second = match h.deliver("ses-2", raw.as_bytes()).await {
        Ok(Received::Created(r)) => r,
        other => panic!("{other:?}"),
    };
    let v = h.store.load_ticket(&second).await.unwrap().ticket.version;
    let ana = caller("ana", Role::Agent, &["support"]);
    h.desk()
        .act(
            &ana,
            &second,
            v,
            None,
            Action::Assign {
                to: Some(agent_id("ana")),
            },
        )
        .await
        .unwrap();
    h.send_queued().await;
    let mails = sent_to(&h, "ana@helpdesk.test");
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].contains("Assigned to you"), "{}", mails[0]);
    assert!(mails[0].contains(&first.display()), "{}", mails[0]);
}

#[tokio::test]
async fn a_digest_agent_gets_one_mail_for_several_tickets_once_the_interval_passed() {
    let h = MailHarness::new().await;
    let mut choices = wants(true, false, false);
    choices.digest_minutes = Some(DigestMinutes(15));
    hire(&h, "ana", &["support"], Some(choices)).await;
    let first = mail_in(&h, "ses-1").await;
    h.clock.advance(Duration::minutes(2));
    let raw = String::from_utf8(corpus("plain.eml", "", ""))
        .unwrap()
        .replace("plain-1@mail.example.org", "plain-2@mail.example.org");
    let second = match h.deliver("ses-2", raw.as_bytes()).await {
        Ok(Received::Created(r)) => r,
        other => panic!("{other:?}"),
    };
    let results = h.send_queued().await;
    for (_, result) in alerts(&results) {
        assert_eq!(skipped_because(result), "kept for the agent's digest");
    }
    let digests = |at: chrono::DateTime<chrono::Utc>| {
        let clock = testkit::FixedClock::at(at);
        let queue = &h.queue;
        let store = h.store.clone();
        async move {
            AlertDigests {
                tickets: store.as_ref(),
                catalog: store.as_ref(),
                outbound: queue,
                clock: &clock,
            }
            .run()
            .await
            .unwrap()
        }
    };
    // Ten minutes after the first: not yet.
    let early = digests(h.clock_now() + Duration::minutes(8)).await;
    assert_eq!(early.sent, 0);
    // Fifteen after it: one mail with both.
    h.clock.advance(Duration::minutes(14));
    let due = digests(h.clock_now()).await;
    assert_eq!(due.sent, 1, "{due:?}");
    h.send_queued().await;
    let mails = sent_to(&h, "ana@helpdesk.test");
    assert_eq!(mails.len(), 1);
    let m = MessageParser::default().parse(mails[0].as_bytes()).unwrap();
    let text = m.body_text(0).unwrap();
    assert!(
        text.contains(&first.display()) && text.contains(&second.display()),
        "{text}"
    );
    assert!(
        m.subject().unwrap().contains("2 alerts"),
        "{:?}",
        m.subject()
    );
    // Closed: the next pass has nothing to send.
    let after = digests(h.clock_now() + Duration::minutes(30)).await;
    assert_eq!(after, Default::default());
}

#[tokio::test]
async fn a_digest_is_dropped_for_an_agent_who_came_back_to_the_console() {
    let h = MailHarness::new().await;
    let mut choices = wants(true, false, false);
    choices.digest_minutes = Some(DigestMinutes(30));
    hire(&h, "ana", &["support"], Some(choices)).await;
    mail_in(&h, "ses-1").await;
    h.send_queued().await;
    h.clock.advance(Duration::minutes(5));
    h.store
        .saw_agent(&agent_id("ana"), h.clock_now())
        .await
        .unwrap();
    h.clock.advance(Duration::minutes(40));
    let report = AlertDigests {
        tickets: h.store.as_ref(),
        catalog: h.store.as_ref(),
        outbound: &h.queue,
        clock: &h.clock,
    }
    .run()
    .await
    .unwrap();
    assert_eq!((report.sent, report.seen_in_console), (0, 1));
    h.send_queued().await;
    assert!(sent_to(&h, "ana@helpdesk.test").is_empty());
}

#[tokio::test]
async fn an_alert_for_an_agent_who_dropped_the_choice_or_the_category_is_not_sent() {
    let h = MailHarness::new().await;
    hire(&h, "ana", &["support"], Some(wants(true, false, false))).await;
    hire(&h, "bob", &["support"], Some(wants(true, false, false))).await;
    mail_in(&h, "ses-1").await;
    // Between the ticket's write and the sending: ana turns alerts off, bob
    // moves to billing.
    h.store
        .set_alert_choices(&agent_id("ana"), &wants(false, false, false))
        .await
        .unwrap();
    hire(&h, "bob", &["billing"], Some(wants(true, false, false))).await;
    let results = h.send_queued().await;
    let reasons: Vec<String> = alerts(&results)
        .into_iter()
        .map(|(_, r)| skipped_because(r))
        .collect();
    assert_eq!(
        reasons,
        [
            "the agent no longer asks for these alerts",
            "the agent no longer covers the ticket's category"
        ]
    );
    assert_eq!(h.mailer.sent().len(), 1, "the customer's confirmation only");
}

#[tokio::test]
async fn an_agent_who_signed_out_after_looking_is_told_of_the_next_reply() {
    let h = MailHarness::new().await;
    hire(&h, "ana", &["support"], Some(wants(false, false, true))).await;
    let r = mail_in(&h, "ses-1").await;
    sue_assigns_to_ana(&h, &r).await;
    customer_replies(&h, &r, 1).await;
    h.send_queued().await;
    assert_eq!(sent_to(&h, "ana@helpdesk.test").len(), 1);
    // She reads it in the console, then signs out.
    h.clock.advance(Duration::minutes(10));
    h.store
        .saw_agent(&agent_id("ana"), h.clock_now())
        .await
        .unwrap();
    h.clock.advance(Duration::seconds(30));
    h.store
        .left_console(&agent_id("ana"), h.clock_now())
        .await
        .unwrap();
    customer_replies(&h, &r, 2).await;
    h.send_queued().await;
    assert_eq!(
        sent_to(&h, "ana@helpdesk.test").len(),
        2,
        "away at once, and back in the console since the first alert"
    );
}

#[tokio::test]
async fn a_digest_line_redelivered_after_its_digest_is_not_reopened() {
    let h = MailHarness::new().await;
    let mut choices = wants(true, false, false);
    choices.digest_minutes = Some(DigestMinutes(15));
    hire(&h, "ana", &["support"], Some(choices)).await;
    mail_in(&h, "ses-1").await;
    let results = h.send_queued().await;
    let kept = alerts(&results)[0].0.clone();
    h.clock.advance(Duration::minutes(16));
    let pass = || AlertDigests {
        tickets: h.store.as_ref(),
        catalog: h.store.as_ref(),
        outbound: &h.queue,
        clock: &h.clock,
    };
    assert_eq!(pass().run().await.unwrap().sent, 1);
    h.send_queued().await;
    // The sweep (or SQS) hands the kept job over again.
    let again = h.postman().deliver(&kept).await;
    assert!(matches!(again, Ok(Delivery::Skipped(_))), "{again:?}");
    h.clock.advance(Duration::minutes(30));
    assert_eq!(pass().run().await.unwrap(), Default::default());
    assert_eq!(
        sent_to(&h, "ana@helpdesk.test").len(),
        1,
        "one digest, once"
    );
}

#[tokio::test]
async fn a_flood_of_tickets_mails_an_agent_at_most_thirty_alerts_an_hour() {
    let h = MailHarness::new().await;
    hire(&h, "ana", &["support"], Some(wants(true, false, false))).await;
    for n in 0..32 {
        let raw = String::from_utf8(corpus("plain.eml", "", ""))
            .unwrap()
            .replace(
                "plain-1@mail.example.org",
                &format!("flood-{n}@mail.example.org"),
            );
        h.deliver(&format!("ses-flood-{n}"), raw.as_bytes())
            .await
            .unwrap();
    }
    let results = h.send_queued().await;
    let alerted = alerts(&results);
    assert_eq!(alerted.len(), 32);
    assert_eq!(sent_to(&h, "ana@helpdesk.test").len(), 30);
    assert!(skipped_because(&alerted[31].1).starts_with("30 alerts in the last hour"));
}

#[tokio::test]
async fn saving_choices_closes_what_waited_for_a_digest_so_nothing_is_left_behind() {
    use helpdesk_domain::ports::AlertLog;
    let h = MailHarness::new().await;
    let mut choices = wants(true, false, false);
    choices.digest_minutes = Some(DigestMinutes(60));
    hire(&h, "ana", &["support"], Some(choices)).await;
    mail_in(&h, "ses-1").await;
    h.send_queued().await;
    assert_eq!(
        h.store
            .waiting_alerts(&agent_id("ana"))
            .await
            .unwrap()
            .len(),
        1
    );
    // In the console, she switches to alerts at once.
    let saved = helpdesk_domain::agents::alerts::save_choices(
        h.store.as_ref(),
        h.store.as_ref(),
        &agent_id("ana"),
        &wants(true, false, false),
        h.clock_now(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(saved.alert_choices().digest_minutes, None);
    assert_eq!(
        h.store.waiting_alerts(&agent_id("ana")).await.unwrap(),
        vec![]
    );
    assert_eq!(
        sent_to(&h, "ana@helpdesk.test").len(),
        0,
        "seen in the console, not mailed"
    );
    // Nobody by that id: nothing saved, nothing closed.
    let ghost = helpdesk_domain::agents::alerts::save_choices(
        h.store.as_ref(),
        h.store.as_ref(),
        &agent_id("ghost"),
        &wants(true, false, false),
        h.clock_now(),
    )
    .await
    .unwrap();
    assert_eq!(ghost, None);
}
