//! The `SlaNotices` part: a step's notice is written with the ticket's change or
//! not at all, runs stay open until closed, closing stores each digest once.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use super::{Stores, create, setup};
use crate::fixtures::email;
use chrono::Duration;
use helpdesk_domain::mail::outbound::digest::DigestLine;
use helpdesk_domain::mail::outbound::job::{MailKind, OutboxState};
use helpdesk_domain::ports::store::{StoreError, TicketUpdate};
use helpdesk_domain::ports::{Clock, IdSource};
use helpdesk_domain::sla::clocks::Stage;
use helpdesk_domain::sla::notice::{self, Notice};
use helpdesk_domain::values::ids::RunId;

fn run(id: &str) -> RunId {
    RunId::parse(id).unwrap()
}

pub async fn notices_are_written_with_their_step_or_not_at_all(stores: &Stores) {
    let (clock, ids) = setup();
    let a = create(stores, &ids, &clock, "billing", "a@example.com").await;
    let b = create(stores, &ids, &clock, "billing", "b@example.com").await;
    let r = run("run-00000001");
    let notice_on = |t: &helpdesk_domain::Ticket, to: &str, stage| Notice {
        run: r.clone(),
        message: ids.message_id(clock.now()),
        line: DigestLine {
            ticket: t.reference.clone(),
            category: t.category.clone(),
            subject: t.subject.as_str().to_owned(),
            stage,
            text: "SLA breached (level 1): the first response was due Mon".into(),
        },
        recipients: vec![email(to)],
    };
    let step = |t: &helpdesk_domain::Ticket, n: Vec<Notice>| {
        let mut after = t.clone();
        after.updated_at = clock.now();
        TicketUpdate::new(t, after, vec![]).with_notices(n)
    };
    stores
        .tickets
        .open_notice_run(&r, clock.now())
        .await
        .unwrap();
    let na = notice_on(&a, "ana@helpdesk.test", Stage::Breached);
    let nb = notice_on(&b, "sue@helpdesk.test", Stage::Escalated);
    stores
        .tickets
        .update_ticket(step(&a, vec![na.clone()]))
        .await
        .unwrap();
    // A step on a ticket that changed meanwhile leaves no notice.
    let mut stale = b.clone();
    stale.version += 7;
    assert_eq!(
        stores
            .tickets
            .update_ticket(step(
                &stale,
                vec![notice_on(&b, "x@helpdesk.test", Stage::Warned)]
            ))
            .await,
        Err(StoreError::Conflict)
    );
    stores
        .tickets
        .update_ticket(step(&b, vec![nb.clone()]))
        .await
        .unwrap();
    let mut found = stores.tickets.notices(&r).await.unwrap();
    found.sort_by(|x, y| x.line.ticket.as_str().cmp(y.line.ticket.as_str()));
    let mut want = vec![na, nb];
    want.sort_by(|x, y| x.line.ticket.as_str().cmp(y.line.ticket.as_str()));
    assert_eq!(found, want);
    // Another run's notices are its own.
    assert_eq!(
        stores.tickets.notices(&run("run-00000002")).await,
        Ok(vec![])
    );
}

pub async fn runs_stay_open_until_closed_and_a_digest_is_stored_once(stores: &Stores) {
    let (clock, ids) = setup();
    let t = create(stores, &ids, &clock, "billing", "a@example.com").await;
    let t0 = clock.now();
    let (old, new) = (run("run-0000000a"), run("run-0000000b"));
    stores.tickets.open_notice_run(&old, t0).await.unwrap();
    stores
        .tickets
        .open_notice_run(&new, t0 + Duration::minutes(5))
        .await
        .unwrap();
    let open = |before| {
        let tickets = stores.tickets.clone();
        async move { tickets.open_notice_runs(before).await.unwrap() }
    };
    assert_eq!(open(t0).await, vec![]);
    assert_eq!(open(t0 + Duration::minutes(1)).await, vec![old.clone()]);
    assert_eq!(
        open(t0 + Duration::minutes(6)).await,
        vec![old.clone(), new.clone()]
    );
    let line = |text: &str| Notice {
        run: old.clone(),
        message: ids.message_id(t0),
        line: DigestLine {
            ticket: t.reference.clone(),
            category: t.category.clone(),
            subject: "Refund".into(),
            stage: Stage::Escalated,
            text: text.into(),
        },
        recipients: vec![email("sue@helpdesk.test")],
    };
    let first = notice::digests(&old, &[line("first")]);
    stores
        .tickets
        .close_notice_run(&old, &first, t0)
        .await
        .unwrap();
    assert_eq!(
        open(t0 + Duration::minutes(6)).await,
        vec![new.clone()],
        "a closed run is no longer open"
    );
    // Closed again (a crash between storing and closing, then a later run):
    // the digest stored first stands.
    let second = notice::digests(&old, &[line("second")]);
    assert_eq!(first[0].outbox_id, second[0].outbox_id);
    stores
        .tickets
        .close_notice_run(&old, &second, t0)
        .await
        .unwrap();
    let (stored, state) = stores
        .tickets
        .outbox_item(&first[0].outbox_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state, OutboxState::Queued);
    assert_eq!(stored.kind, MailKind::SlaDigest);
    assert_eq!(stored, first[0]);
    // And the sweeper sees it like any queued mail.
    let unsent = stores
        .tickets
        .unsent_outbox(t0 + Duration::minutes(1), 10)
        .await
        .unwrap();
    assert!(unsent.iter().any(|j| j.outbox_id == first[0].outbox_id));
}
