//! The channel self-test (`ops::selftest`) on the in-memory fakes: probes go out
//! by mail and through the form, arrive through the real intake and inbound use
//! cases, and a lost one is reported once.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use chrono::Duration;
use helpdesk_domain::customers::intake::{Intake, SubmissionInput};
use helpdesk_domain::customers::limits::IntakePolicy;
use helpdesk_domain::mail::inbound::receive::Received;
use helpdesk_domain::ops::probe::{ProbeOutcome, channel_statuses};
use helpdesk_domain::ops::selftest::{SelfTest, SelfTestSettings};
use helpdesk_domain::ports::MailError;
use helpdesk_domain::ports::{Probes, TicketRecords, WebProbe};
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
        raw.iter()
            .all(|r| r.contains("X-Helpdesk-Probe: ")
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
