//! The `MailStore` half of the store contract (run by `store_contract!`): the
//! outbox state machine, the quarantine, do-not-email and Message-ID lookups.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use crate::contract::{Stores, create, setup};
use crate::fixtures::{agent_reply, email};
use chrono::Duration;
use helpdesk_domain::mail::inbound::auto::AutoReason;
use helpdesk_domain::mail::inbound::quarantine::{QuarantineReason, Quarantined};
use helpdesk_domain::mail::outbound::job::{
    Claimed, MailKind, OutboundJob, OutboxClaim, OutboxFinish, OutboxState,
};
use helpdesk_domain::ports::store::{
    IdempotencyClaim, RateLimitClaim, StoreError, TicketUpdate, TrackingToken,
};
use helpdesk_domain::ports::{Clock, IdSource};
use helpdesk_domain::values::token::SecretToken;
use helpdesk_domain::{MessageKind, Status, TicketRef};

fn job(ids: &dyn IdSource, ticket: Option<&TicketRef>, to: &str) -> OutboundJob {
    OutboundJob {
        outbox_id: ids.outbox_id(),
        kind: MailKind::AgentReply,
        ticket: ticket.cloned(),
        message: None,
        recipient: email(to),
    }
}

fn claim(job: &OutboundJob, clock: &dyn Clock) -> OutboxClaim {
    OutboxClaim {
        job: job.clone(),
        now: clock.now(),
        lease_until: clock.now() + Duration::minutes(5),
        cap: None,
        tokens: vec![],
    }
}

async fn state(stores: &Stores, job: &OutboundJob) -> Option<OutboxState> {
    stores
        .tickets
        .outbox_item(&job.outbox_id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|(_, s)| s)
}

pub async fn an_outbox_item_is_claimed_once_and_sent_is_final(stores: &Stores) {
    let (clock, ids) = setup();
    let ticket = create(stores, &ids, &clock, "billing", "ann@example.org").await;
    let j = job(&ids, Some(&ticket.reference), "ann@example.org");
    assert_eq!(
        stores.mail.claim_outbox(&claim(&j, &clock)).await,
        Ok(Claimed::Go)
    );
    assert_eq!(state(stores, &j).await, Some(OutboxState::Sending));
    assert_eq!(
        stores.mail.claim_outbox(&claim(&j, &clock)).await,
        Ok(Claimed::InFlight)
    );
    let sent = OutboxFinish::Sent {
        provider_id: "ses-1".into(),
        message_ids: vec![
            "ses-1@eu-west-1.amazonses.com".into(),
            "out-1@help.example.com".into(),
        ],
        ticket: Some(ticket.reference.clone()),
    };
    stores
        .mail
        .finish_outbox(&j, sent.clone(), clock.now())
        .await
        .unwrap();
    assert_eq!(state(stores, &j).await, Some(OutboxState::Sent));
    assert_eq!(
        stores.mail.claim_outbox(&claim(&j, &clock)).await,
        Ok(Claimed::AlreadySent)
    );
    // A second finish of the same claim is refused: sent stays sent.
    assert_eq!(
        stores
            .mail
            .finish_outbox(&j, OutboxFinish::Released, clock.now())
            .await,
        Err(StoreError::Conflict)
    );
    assert_eq!(
        stores
            .mail
            .tickets_for_message_ids(&["<out-1@help.example.com>".into()])
            .await,
        Ok(vec![("out-1@help.example.com".into(), ticket.reference)])
    );
}

pub async fn released_and_abandoned_claims_can_be_taken_again(stores: &Stores) {
    let (clock, ids) = setup();
    let j = job(&ids, None, "ann@example.org");
    assert_eq!(
        stores.mail.claim_outbox(&claim(&j, &clock)).await,
        Ok(Claimed::Go)
    );
    stores
        .mail
        .finish_outbox(&j, OutboxFinish::Released, clock.now())
        .await
        .unwrap();
    assert_eq!(state(stores, &j).await, Some(OutboxState::Queued));
    assert_eq!(
        stores.mail.claim_outbox(&claim(&j, &clock)).await,
        Ok(Claimed::Go)
    );
    // The sender died holding the claim: after the lease, another may take it.
    clock.advance(Duration::minutes(6));
    assert_eq!(
        stores.mail.claim_outbox(&claim(&j, &clock)).await,
        Ok(Claimed::Go)
    );
}

pub async fn a_failed_item_stays_failed_and_says_so_on_the_ticket(stores: &Stores) {
    let (clock, ids) = setup();
    let ticket = create(stores, &ids, &clock, "billing", "ann@example.org").await;
    let j = job(&ids, Some(&ticket.reference), "ann@example.org");
    assert_eq!(
        stores.mail.claim_outbox(&claim(&j, &clock)).await,
        Ok(Claimed::Go)
    );
    let mut note = agent_reply(&ids, &ticket, "system", clock.now());
    note.kind = MessageKind::SystemEvent;
    note.author = helpdesk_domain::Author::System;
    note.body_text = "Mail to ann@example.org could not be sent: MessageRejected".into();
    let failed = OutboxFinish::Failed {
        reason: "MessageRejected".into(),
        note: Some(Box::new(note.clone())),
    };
    stores
        .mail
        .finish_outbox(&j, failed, clock.now())
        .await
        .unwrap();
    assert_eq!(state(stores, &j).await, Some(OutboxState::Failed));
    assert_eq!(
        stores.mail.claim_outbox(&claim(&j, &clock)).await,
        Ok(Claimed::AlreadyFailed("MessageRejected".into()))
    );
    let thread = stores.tickets.load_ticket(&ticket.reference).await.unwrap();
    assert!(thread.messages.contains(&note), "{:?}", thread.messages);
    // A note on its own (a bounce) is written once, however often it is sent.
    let mut bounce = note.clone();
    bounce.id = ids.message_id(clock.now());
    bounce.body_text = "ann@example.org bounced for good".into();
    stores.mail.add_note(&bounce).await.unwrap();
    stores.mail.add_note(&bounce).await.unwrap();
    let thread = stores.tickets.load_ticket(&ticket.reference).await.unwrap();
    assert_eq!(
        thread.messages.iter().filter(|m| m.id == bounce.id).count(),
        1
    );
    assert_eq!(
        thread.ticket.version, ticket.version,
        "a note changes nothing else"
    );
}

pub async fn do_not_email_and_the_cap_refuse_a_claim_and_write_nothing(stores: &Stores) {
    let (clock, ids) = setup();
    let ticket = create(stores, &ids, &clock, "billing", "ann@example.org").await;
    stores
        .mail
        .set_do_not_email(&email("Bounced@Example.org"), "bounce", clock.now())
        .await
        .unwrap();
    assert_eq!(
        stores
            .mail
            .do_not_email(&email("bounced@example.org"))
            .await,
        Ok(Some("bounce".into()))
    );
    assert_eq!(
        stores.mail.do_not_email(&email("ann@example.org")).await,
        Ok(None)
    );
    let secret = SecretToken::from_bytes([7; 16]);
    let blocked = job(&ids, Some(&ticket.reference), "bounced@example.org");
    let mut c = claim(&blocked, &clock);
    c.tokens = vec![(
        ticket.reference.clone(),
        TrackingToken {
            hash: secret.hash(),
            expires_at: clock.now() + Duration::days(1),
            mailed: true,
        },
    )];
    assert_eq!(stores.mail.claim_outbox(&c).await, Ok(Claimed::DoNotEmail));
    assert_eq!(
        stores
            .tickets
            .tracking_token_valid(&ticket.reference, &secret.hash(), clock.now())
            .await,
        Ok(false),
        "a refused claim stores no secret"
    );
    stores
        .mail
        .finish_outbox(
            &blocked,
            OutboxFinish::Skipped {
                reason: "do not email".into(),
            },
            clock.now(),
        )
        .await
        .unwrap();
    assert_eq!(state(stores, &blocked).await, Some(OutboxState::Skipped));

    let cap = RateLimitClaim::fixed_window(
        "auto-mail:ann@example.org",
        2,
        Duration::hours(3),
        clock.now(),
    );
    for n in 0..3 {
        let j = job(&ids, None, "ann@example.org");
        let mut c = claim(&j, &clock);
        c.cap = Some(cap.clone());
        let expected = if n < 2 { Claimed::Go } else { Claimed::Capped };
        assert_eq!(stores.mail.claim_outbox(&c).await, Ok(expected), "mail {n}");
        if n == 2 {
            assert_eq!(
                state(stores, &j).await,
                None,
                "a capped claim writes nothing"
            );
        }
    }
}

pub async fn mail_is_quarantined_once_per_ses_id(stores: &Stores) {
    let (clock, _) = setup();
    let item = Quarantined {
        ses_id: "ses-spam-1".into(),
        received_at: clock.now(),
        from: Some("spammer@example.net".into()),
        subject: "Win".into(),
        reason: QuarantineReason::Spam,
    };
    assert_eq!(stores.mail.quarantine(&item).await, Ok(true));
    assert_eq!(stores.mail.quarantine(&item).await, Ok(false));
    let auto = Quarantined {
        ses_id: "ses-auto-1".into(),
        received_at: clock.now() + Duration::minutes(1),
        from: None,
        subject: "Out of office".into(),
        reason: QuarantineReason::Automatic(AutoReason::AutoSubmitted("auto-replied".into())),
    };
    assert_eq!(stores.mail.quarantine(&auto).await, Ok(true));
    let day = stores
        .mail
        .quarantined(clock.now().date_naive())
        .await
        .unwrap();
    assert_eq!(day, vec![item, auto]);
    let other_day = clock.now().date_naive() + Duration::days(1);
    assert_eq!(stores.mail.quarantined(other_day).await, Ok(vec![]));
}

pub async fn message_id_lookups_follow_the_given_order(stores: &Stores) {
    let (clock, ids) = setup();
    let first = create(stores, &ids, &clock, "billing", "ann@example.org").await;
    let second = create(stores, &ids, &clock, "billing", "bob@example.org").await;
    stores
        .tickets
        .record_message_id("a@x", &first.reference)
        .await
        .unwrap();
    stores
        .tickets
        .record_message_id("b@x", &second.reference)
        .await
        .unwrap();
    let lookup = |ids: &[&str]| {
        let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        let mail = stores.mail.clone();
        async move { mail.tickets_for_message_ids(&ids).await }
    };
    let (a, b) = (first.reference, second.reference);
    assert_eq!(
        lookup(&["nope@x", "b@x", "a@x"]).await,
        Ok(vec![("b@x".into(), b.clone()), ("a@x".into(), a.clone())])
    );
    assert_eq!(
        lookup(&["<a@x>", "b@x", "a@x"]).await,
        Ok(vec![("a@x".into(), a), ("b@x".into(), b)])
    );
    assert_eq!(lookup(&["nope@x", " "]).await, Ok(vec![]));
    assert_eq!(lookup(&[]).await, Ok(vec![]));
}

pub async fn a_deduplicated_update_is_made_once_with_its_outbox(stores: &Stores) {
    let (clock, ids) = setup();
    let ticket = create(stores, &ids, &clock, "billing", "ann@example.org").await;
    let mut after = ticket.clone();
    after.change_status(Status::Open, clock.now()).unwrap();
    let reply = agent_reply(&ids, &ticket, "agent-1", clock.now());
    let mail = job(&ids, Some(&ticket.reference), "ann@example.org");
    let dedupe = IdempotencyClaim {
        key: "inbound:ses-42".into(),
        fingerprint: "mail".into(),
        expires_at: clock.now() + Duration::days(30),
    };
    let update = TicketUpdate::new(&ticket, after.clone(), vec![reply.clone()])
        .with_outbox(vec![mail.clone()])
        .deduplicated_by(dedupe.clone());
    let saved = stores.tickets.update_ticket(update).await.unwrap();
    assert_eq!(state(stores, &mail).await, Some(OutboxState::Queued));
    let again = TicketUpdate::new(
        &saved,
        saved.clone(),
        vec![agent_reply(&ids, &ticket, "agent-1", clock.now())],
    )
    .deduplicated_by(dedupe);
    assert_eq!(
        stores.tickets.update_ticket(again).await,
        Err(StoreError::AlreadyApplied)
    );
    let thread = stores.tickets.load_ticket(&ticket.reference).await.unwrap();
    assert_eq!(thread.ticket.version, saved.version);
    assert_eq!(thread.messages.len(), 2);
}
