//! The `Outbox` part: the item written with its change, claimed once, sent once, failed
//! for good, swept when its queue message was lost; do-not-email and the cap refuse a
//! claim.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use super::{Stores, create, setup};
use crate::fixtures;
use crate::fixtures::{agent_reply, email, new_ticket};
use chrono::Duration;
use helpdesk_domain::mail::outbound::job::{
    Claimed, MailKind, OutboundJob, OutboxClaim, OutboxFinish, OutboxState,
};
use helpdesk_domain::ports::store::{RateLimitClaim, StoreError, TrackingToken};
use helpdesk_domain::ports::{Clock, IdSource};
use helpdesk_domain::values::token::SecretToken;
use helpdesk_domain::{MessageKind, TicketRef};

pub(super) fn job(ids: &dyn IdSource, ticket: Option<&TicketRef>, to: &str) -> OutboundJob {
    OutboundJob {
        outbox_id: ids.outbox_id(),
        kind: MailKind::AgentReply,
        ticket: ticket.cloned(),
        message: None,
        recipient: email(to),
        throttled: 0,
        digest: None,
        alert: None,
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

pub(super) async fn state(stores: &Stores, job: &OutboundJob) -> Option<OutboxState> {
    stores
        .tickets
        .outbox_item(&job.outbox_id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|(_, s)| s)
}

pub async fn the_outbox_item_is_written_with_the_ticket(stores: &Stores) {
    let (clock, ids) = setup();
    let mut new = new_ticket(&ids, "billing", "jane@example.com", clock.now());
    let job = fixtures::confirmation_job(&ids, &new.ticket);
    new.outbox = vec![job.clone()];
    stores
        .tickets
        .create_ticket(new)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        stores.tickets.outbox_item(&job.outbox_id).await,
        Ok(Some((job, OutboxState::Queued)))
    );
    assert_eq!(stores.tickets.outbox_item(&ids.outbox_id()).await, Ok(None));
}

pub async fn unsent_mail_is_found_until_it_is_settled(stores: &Stores) {
    let (clock, ids) = setup();
    let t0 = clock.now();
    let mut jobs = Vec::new();
    for (i, who) in ["a@example.com", "b@example.com"].into_iter().enumerate() {
        let mut new = new_ticket(&ids, "billing", who, t0 + Duration::minutes(i as i64));
        let job = fixtures::confirmation_job(&ids, &new.ticket);
        new.outbox = vec![job.clone()];
        stores
            .tickets
            .create_ticket(new)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        jobs.push(job);
    }
    let unsent = |before, limit| {
        let tickets = stores.tickets.clone();
        async move {
            tickets
                .unsent_outbox(before, limit)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    assert!(unsent(t0, 10).await.is_empty(), "nothing queued before t0");
    assert_eq!(
        unsent(t0 + Duration::minutes(30), 10).await,
        jobs,
        "oldest first"
    );
    assert_eq!(unsent(t0 + Duration::minutes(30), 1).await, jobs[..1]);
    // Put on the queue again: it waits from then.
    stores
        .tickets
        .outbox_requeued(&jobs[0], t0 + Duration::minutes(20))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unsent(t0 + Duration::minutes(15), 10).await, jobs[1..]);
    // Claimed by send-reply: out of sight while its lease runs (until +21).
    let claim = |now, lease_until| helpdesk_domain::mail::outbound::job::OutboxClaim {
        job: jobs[1].clone(),
        now,
        lease_until,
        cap: None,
        tokens: vec![],
    };
    let claimed = stores
        .mail
        .claim_outbox(&claim(
            t0 + Duration::minutes(16),
            t0 + Duration::minutes(21),
        ))
        .await;
    assert_eq!(claimed, Ok(Claimed::Go));
    assert_eq!(unsent(t0 + Duration::minutes(21), 10).await, jobs[..1]);
    // A sweep during the lease leaves it where it is.
    stores
        .tickets
        .outbox_requeued(&jobs[1], t0 + Duration::minutes(17))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unsent(t0 + Duration::minutes(21), 10).await, jobs[..1]);
    // The sender died holding the claim: once the lease is over the sweep finds it,
    // and putting it on the queue again makes it wait from then.
    assert_eq!(unsent(t0 + Duration::hours(2), 10).await, jobs);
    stores
        .tickets
        .outbox_requeued(&jobs[1], t0 + Duration::minutes(30))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unsent(t0 + Duration::minutes(25), 10).await, jobs[..1]);
    // Sent, or skipped: out of the index for good.
    let again = stores
        .mail
        .claim_outbox(&claim(
            t0 + Duration::minutes(31),
            t0 + Duration::minutes(33),
        ))
        .await;
    assert_eq!(again, Ok(Claimed::Go));
    let sent = OutboxFinish::Sent {
        provider_id: "ses-9".into(),
        message_ids: vec![],
        ticket: None,
    };
    let at = t0 + Duration::minutes(32);
    stores
        .mail
        .finish_outbox(&jobs[1], sent, at)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let skipped = OutboxFinish::Skipped {
        reason: "do not email".into(),
    };
    assert_eq!(unsent(t0 + Duration::hours(3), 10).await, jobs[..1]);
    stores
        .mail
        .finish_outbox(&jobs[0], skipped, at)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(unsent(t0 + Duration::hours(3), 10).await.is_empty());
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
            .finish_outbox(&j, OutboxFinish::Released { refund: None }, clock.now())
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
        .finish_outbox(&j, OutboxFinish::Released { refund: None }, clock.now())
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

/// A claim that could not send (SES throttled) gives its hit on the automatic-mail
/// cap back when it releases the item: a mail tried ten times counts once.
pub async fn a_released_claim_gives_its_cap_hit_back(stores: &Stores) {
    let (clock, ids) = setup();
    let cap = RateLimitClaim::fixed_window(
        "auto-mail:ann@example.org",
        1,
        Duration::hours(3),
        clock.now(),
    );
    let capped = |job: &OutboundJob| OutboxClaim {
        cap: Some(cap.clone()),
        ..claim(job, &clock)
    };
    let j = job(&ids, None, "ann@example.org");
    for _ in 0..3 {
        assert_eq!(
            stores.mail.claim_outbox(&capped(&j)).await.unwrap(),
            Claimed::Go
        );
        let released = OutboxFinish::Released {
            refund: Some(cap.clone()),
        };
        stores
            .mail
            .finish_outbox(&j, released, clock.now())
            .await
            .unwrap();
        assert_eq!(state(stores, &j).await, Some(OutboxState::Queued));
    }
    // The cap of one is still free: taken now, and held by a release without refund.
    assert_eq!(
        stores.mail.claim_outbox(&capped(&j)).await.unwrap(),
        Claimed::Go
    );
    stores
        .mail
        .finish_outbox(&j, OutboxFinish::Released { refund: None }, clock.now())
        .await
        .unwrap();
    let other = job(&ids, None, "ann@example.org");
    assert_eq!(
        stores.mail.claim_outbox(&capped(&other)).await.unwrap(),
        Claimed::Capped
    );
}
