use super::*;
use helpdesk_domain::ports::Outbox;
use helpdesk_domain::ports::Probes;
use helpdesk_domain::ports::TicketRecords;
use helpdesk_domain::ports::{AgentProfiles, Categories, SlaPolicies};
use helpdesk_domain::sla::clocks::{self, Rules};
use testkit::fakes::{FixedClock, RecordingQueue, SequentialIds};
use testkit::fixtures::{category, new_ticket, office_policy};
use testkit::memory_store::InMemoryStore;

#[tokio::test]
async fn a_run_handles_at_most_its_limit_and_the_next_run_takes_the_rest() {
    let store = Arc::new(InMemoryStore::default());
    let billing = category("billing", 1);
    store.put_category(&billing).await.unwrap();
    store.put_policy(&office_policy("default")).await.unwrap();
    // Who is told of an escalation.
    let sue = testkit::fixtures::agent(
        "sue",
        helpdesk_domain::agents::profile::Role::Supervisor,
        &[],
    );
    store.put_agent(&sue).await.unwrap();
    let clock = FixedClock::monday_morning();
    let ids = SequentialIds::new();
    let rules = Rules::load(&*store, &billing.id).await.unwrap();
    for n in 0..3 {
        let mut new = new_ticket(&ids, "billing", &format!("c{n}@example.com"), clock.now());
        clocks::open(&mut new.ticket, &rules, clock.now());
        store.create_ticket(new).await.unwrap();
    }
    // A week later every first-response clock is long past level 2.
    clock.advance(Duration::days(7));
    let queue = RecordingQueue::default();
    let run = |max_tickets| SlaRun {
        tickets: &*store,
        catalog: &*store,
        outbound: &queue,
        clock: &clock,
        ids: &ids,
        max_tickets,
    };
    // The queue refuses one message: counted, the rest still go out.
    queue.fail_next(helpdesk_domain::ports::QueueError::Throttled);
    let first = run(2).run().await.unwrap();
    assert_eq!(
        (first.looked_at, first.left_for_next_run),
        (2, true),
        "{first:?}"
    );
    // A run that stops at its limit has queued the mail of every step it stored.
    let queued = queue.jobs().len() as u32;
    assert!(queued > 0, "{first:?}");
    assert_eq!(first.mail_not_queued, 1);
    assert!(
        queue
            .jobs()
            .iter()
            .all(|j| j.recipient.as_str().starts_with("sue"))
    );
    let second = run(2).run().await.unwrap();
    assert_eq!(
        (second.looked_at, second.left_for_next_run),
        (1, false),
        "{second:?}"
    );
    assert_eq!(first.escalated + second.escalated, 3);
}

mod self_test {
    use super::*;
    use helpdesk_domain::customers::intake::{Intake, SubmissionInput};
    use helpdesk_domain::customers::limits::IntakePolicy;
    use helpdesk_domain::mail::inbound::receive::Received;
    use helpdesk_domain::ops::probe::{ProbeOutcome, channel_statuses};
    use helpdesk_domain::ports::MailError;
    use helpdesk_domain::values::token::SecretToken;
    use helpdesk_domain::{CategoryId, EmailAddress};
    use testkit::mail_harness::MailHarness;

    /// The public form on the same fakes: what submit-form does with a probe.
    struct Form<'a> {
        h: &'a MailHarness,
        /// Simulates the API being down.
        down: bool,
    }

    #[async_trait::async_trait]
    impl WebProbe for Form<'_> {
        async fn submit(
            &self,
            secret: &SecretToken,
            category: &CategoryId,
            email: &EmailAddress,
        ) -> Result<(), String> {
            if self.down {
                return Err("connection refused".into());
            }
            let policy = IntakePolicy::default();
            let intake = Intake {
                tickets: &*self.h.store,
                attachments: &self.h.attachments,
                catalog: &*self.h.store,
                outbound: &self.h.queue,
                clock: &self.h.clock,
                ids: &self.h.ids,
                policy: &policy,
            };
            let input = SubmissionInput {
                category: category.to_string(),
                name: "Helpdesk self-test".into(),
                email: email.as_str().into(),
                subject: "Channel self-test".into(),
                description: "Checking the form.".into(),
                ..Default::default()
            };
            match intake.probe(&input, secret).await {
                Ok(true) => Ok(()),
                other => Err(format!("{other:?}")),
            }
        }
    }

    fn settings(h: &MailHarness) -> SelfTestSettings {
        SelfTestSettings {
            every: Duration::minutes(60),
            deadline: Duration::minutes(10),
            from: h.mail_settings.from.clone(),
        }
    }

    fn test<'a>(h: &'a MailHarness, web: &'a Form<'a>, s: &'a SelfTestSettings) -> SelfTest<'a> {
        SelfTest {
            probes: &*h.store,
            categories: &*h.store,
            mailer: &h.mailer,
            web,
            clock: &h.clock,
            ids: &h.ids,
            settings: s,
        }
    }

    #[tokio::test]
    async fn probes_that_arrive_pass_and_a_lost_one_is_reported_once() {
        let h = MailHarness::new().await;
        let web = Form { h: &h, down: false };
        let s = settings(&h);
        let round = test(&h, &web, &s).run().await.unwrap();
        assert_eq!(
            round.probed,
            [
                "mail support@helpdesk.test",
                "mail billing@helpdesk.test",
                "web form"
            ]
        );
        assert!(round.missed.is_empty(), "{round:?}");
        // Both mails went out to our own addresses, each with its own secret.
        let sent = h.mailer.sent();
        assert_eq!(sent.len(), 2);
        let raw: Vec<String> = sent
            .iter()
            .map(|m| String::from_utf8_lossy(&m.raw).into_owned())
            .collect();
        assert!(
            raw.iter().all(|r| r.contains("X-Helpdesk-Probe: ")
                && r.contains("Auto-Submitted: auto-generated"))
        );
        assert_ne!(
            raw[0].split("X-Helpdesk-Probe: ").nth(1).map(|s| &s[..32]),
            raw[1].split("X-Helpdesk-Probe: ").nth(1).map(|s| &s[..32])
        );

        // The support mail arrives (and is no ticket); the billing one is lost.
        h.clock.advance(Duration::minutes(2));
        assert_eq!(
            h.deliver("probe-1", &sent[0].raw).await,
            Ok(Received::Probe)
        );
        // The same probe again is ordinary mail: automatic, so quarantined, no ticket.
        assert!(matches!(
            h.deliver("probe-1-again", &sent[0].raw).await,
            Ok(Received::Quarantined(_))
        ));
        assert!(
            h.store
                .tickets_of_requester(&h.mail_settings.from, 10)
                .await
                .unwrap()
                .is_empty()
        );

        // Five minutes on: nothing is late yet, and no new round.
        h.clock.advance(Duration::minutes(3));
        let quiet = test(&h, &web, &s).run().await.unwrap();
        assert_eq!(
            (quiet.probed.len(), quiet.missed.len()),
            (0, 0),
            "{quiet:?}"
        );
        // At the deadline: the lost one, once.
        h.clock.advance(Duration::minutes(5));
        let late = test(&h, &web, &s).run().await.unwrap();
        assert_eq!(late.missed, ["mail billing@helpdesk.test"]);
        assert!(test(&h, &web, &s).run().await.unwrap().missed.is_empty());

        let statuses = channel_statuses(&h.store.probes().await.unwrap());
        let state = |label: &str| {
            statuses
                .iter()
                .find(|c| c.channel == label)
                .map(|c| (c.state.as_str(), c.took_seconds))
        };
        assert_eq!(
            state("mail support@helpdesk.test"),
            Some(("arrived", Some(120)))
        );
        assert_eq!(state("mail billing@helpdesk.test"), Some(("missed", None)));
        assert_eq!(state("web form"), Some(("arrived", Some(0))));
        let web_probe = statuses.iter().find(|c| c.channel == "web form").unwrap();
        assert_eq!(web_probe.category.as_deref(), Some("support"));

        // An hour after the first round: the next.
        h.clock.advance(Duration::minutes(50));
        assert_eq!(test(&h, &web, &s).run().await.unwrap().probed.len(), 3);
    }

    #[tokio::test]
    async fn a_probe_that_cannot_be_sent_fails_at_once() {
        let h = MailHarness::new().await;
        let web = Form { h: &h, down: true };
        let s = settings(&h);
        h.mailer
            .fail_next(MailError::Rejected("address not verified".into()));
        let round = test(&h, &web, &s).run().await.unwrap();
        assert_eq!(round.missed, ["mail support@helpdesk.test", "web form"]);
        let probes = h.store.probes().await.unwrap();
        let reasons: Vec<String> = probes
            .iter()
            .filter_map(|p| match &p.outcome {
                ProbeOutcome::Missed { reason } => Some(reason.clone()),
                _ => None,
            })
            .collect();
        assert!(
            reasons.iter().any(|r| r.contains("connection refused")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.contains("address not verified")),
            "{reasons:?}"
        );
    }

    #[tokio::test]
    async fn a_secret_nobody_sent_is_no_probe() {
        let h = MailHarness::new().await;
        let web = Form { h: &h, down: false };
        let forged = SecretToken::parse("00112233445566778899aabbccddeeff").unwrap();
        let cat = CategoryId::parse("support").unwrap();
        let err = web
            .submit(&forged, &cat, &h.mail_settings.from)
            .await
            .unwrap_err();
        assert!(err.contains("Ok(false)"), "{err}");
    }
}

/// A ticket whose confirmation was stored (the outbox item `queued`) and whose
/// queue message never went out; the run's deps on the same fakes.
struct LostMail {
    store: Arc<InMemoryStore>,
    clock: Arc<FixedClock>,
    job: helpdesk_domain::mail::outbound::job::OutboundJob,
    queue: Arc<RecordingQueue>,
    deps: Deps,
}

impl LostMail {
    async fn new() -> Self {
        let store = Arc::new(InMemoryStore::default());
        store.put_category(&category("billing", 1)).await.unwrap();
        let clock = Arc::new(FixedClock::monday_morning());
        let ids = SequentialIds::new();
        let mut new = new_ticket(&ids, "billing", "jane@example.com", clock.now());
        let job = testkit::fixtures::confirmation_job(&ids, &new.ticket);
        new.outbox = vec![job.clone()];
        store.create_ticket(new).await.unwrap();
        let queue = Arc::new(RecordingQueue::default());
        let deps = Deps {
            tickets: store.clone(),
            catalog: store.clone(),
            outbound: queue.clone(),
            clock: clock.clone(),
            ids: Arc::new(SequentialIds::new()),
            self_test: None,
        };
        Self {
            store,
            clock,
            job,
            queue,
            deps,
        }
    }

    /// send-reply's claim at `minutes` after the start, for two minutes.
    async fn claim(&self, minutes: i64) {
        let now = self.clock.now() + Duration::minutes(minutes);
        let claim = helpdesk_domain::mail::outbound::job::OutboxClaim {
            job: self.job.clone(),
            now,
            lease_until: now + Duration::minutes(2),
            cap: None,
            tokens: vec![],
        };
        let claimed = self.store.claim_outbox(&claim).await.unwrap();
        assert_eq!(claimed, helpdesk_domain::mail::outbound::job::Claimed::Go);
    }

    /// The schedule's run `minutes` after the start: what it put back on the queue.
    async fn tick(&self, minutes: i64) -> helpdesk_domain::mail::outbound::resend::Resent {
        let at = self.clock.now() + Duration::minutes(minutes);
        let event = serde_json::from_value(serde_json::json!({
            "version": "0", "id": "t", "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "1", "time": at.to_rfc3339(), "region": "us-east-1", "resources": [], "detail": {}
        }))
        .unwrap();
        handle(&self.deps, event).await.unwrap().unsent_mail
    }
}

#[tokio::test]
async fn mail_whose_queue_message_was_lost_is_queued_again_until_sent() {
    let m = LostMail::new().await;
    assert_eq!(m.tick(5).await.resent, 0, "still within the grace time");
    assert_eq!(m.tick(11).await.resent, 1);
    assert_eq!(m.queue.jobs(), std::slice::from_ref(&m.job));
    assert_eq!(m.tick(15).await.resent, 0, "waits again from the resend");
    // The queue refuses: counted, tried again next run.
    m.queue
        .fail_next(helpdesk_domain::ports::QueueError::Unavailable(
            "down".into(),
        ));
    assert_eq!(m.tick(22).await.failed, 1);
    assert_eq!(m.tick(23).await.resent, 1);
    // send-reply claims it: left alone while the claim's lease (and the grace) runs,
    m.claim(24).await;
    assert_eq!(m.tick(35).await.resent, 0);
    assert_eq!(m.queue.jobs().len(), 2);
    // and once it is sent, never resent again.
    let sent = helpdesk_domain::mail::outbound::job::OutboxFinish::Sent {
        provider_id: "ses-1".into(),
        message_ids: vec![],
        ticket: None,
    };
    let at = m.clock.now() + Duration::minutes(25);
    m.store.finish_outbox(&m.job, sent, at).await.unwrap();
    assert_eq!(m.tick(60).await.resent, 0);
    assert_eq!(m.queue.jobs().len(), 2);
}

/// The sender died holding the claim (before SES) and the queue gave up on the
/// job: once the lease and the grace are over, the run puts it back.
#[tokio::test]
async fn mail_whose_sender_died_holding_the_claim_is_queued_again_after_its_lease() {
    let m = LostMail::new().await;
    m.claim(0).await;
    assert_eq!(
        m.tick(11).await.resent,
        0,
        "lease (2) + grace (10) not over"
    );
    assert_eq!(m.tick(13).await.resent, 1);
    assert_eq!(m.queue.jobs(), vec![m.job.clone()]);
}
