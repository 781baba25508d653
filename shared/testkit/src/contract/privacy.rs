//! The `Erasure` and `AuditTrail` parts: a thread erased down to its ticket, the
//! shell in no listing, retention finding what it must, the audit log's pages.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use super::{Stores, change, setup};
use crate::fixtures::{agent_reply, new_ticket, with_mail_id};
use chrono::Duration;
use helpdesk_domain::agents::alert_mail::{AlertKind, AlertLine};
use helpdesk_domain::agents::audit::{Actor, AuditAction, AuditEntry};
use helpdesk_domain::customers::data::shell;
use helpdesk_domain::ports::Clock;
use helpdesk_domain::ports::IdSource;
use helpdesk_domain::ports::store::{
    Created, Listing, QueueOrder, QueueQuery, TicketUpdate, TrackingToken,
};
use helpdesk_domain::values::token::SecretToken;
use helpdesk_domain::{CategoryId, EmailAddress, Status};

pub async fn an_erased_thread_leaves_an_anonymous_shell_in_no_listing(stores: &Stores) {
    let (clock, ids) = setup();
    let mut new = with_mail_id(
        new_ticket(&ids, "billing", "Jane@Example.com", clock.now()),
        "<first@example.com>",
    );
    let confirmation = crate::fixtures::confirmation_job(&ids, &new.ticket);
    new.outbox = vec![confirmation.clone()];
    let Ok(Created::New(ticket)) = stores.tickets.create_ticket(new).await else {
        panic!("create failed")
    };
    let reply = agent_reply(&ids, &ticket, "ana", clock.now() + Duration::minutes(1));
    let mut after = (*ticket).clone();
    after.status = Status::Open;
    let ticket = stores
        .tickets
        .update_ticket(TicketUpdate::new(&ticket, after, vec![reply]))
        .await
        .unwrap();
    let secret = SecretToken::random();
    let token = TrackingToken {
        hash: secret.hash(),
        expires_at: clock.now() + Duration::days(30),
        mailed: true,
    };
    stores
        .tickets
        .add_tracking_token(&ticket.reference, token)
        .await
        .unwrap();
    let jane = EmailAddress::parse("jane@example.com").unwrap();
    stores
        .mail
        .set_do_not_email(&jane, "complaint", clock.now())
        .await
        .unwrap();

    let thread = stores.tickets.load_ticket(&ticket.reference).await.unwrap();
    assert_eq!(thread.messages.len(), 2);
    // Two messages, one token, one Message-ID record, the confirmation's outbox item.
    assert_eq!(stores.erasure.delete_thread(&thread).await, Ok(5));
    assert_eq!(
        stores.tickets.outbox_item(&confirmation.outbox_id).await,
        Ok(None)
    );
    assert_eq!(stores.erasure.delete_thread(&thread).await, Ok(0));
    assert!(
        stores
            .tickets
            .load_ticket(&ticket.reference)
            .await
            .unwrap()
            .messages
            .is_empty()
    );
    assert_eq!(
        stores
            .tickets
            .tracking_token_valid(&ticket.reference, &secret.hash(), clock.now())
            .await,
        Ok(false)
    );
    assert_eq!(
        stores
            .tickets
            .ticket_for_message_id("<first@example.com>")
            .await,
        Ok(None)
    );
    let counts_before = stores
        .tickets
        .status_counts(&ticket.category)
        .await
        .unwrap();

    let now = clock.now() + Duration::minutes(5);
    let erased = shell(&ticket, now);
    stores
        .tickets
        .update_ticket(TicketUpdate::new(&ticket, erased, vec![]))
        .await
        .unwrap();
    let stored = stores.tickets.load_ticket(&ticket.reference).await.unwrap();
    assert_eq!(stored.ticket.erased_at, Some(now));
    assert_eq!(
        stored.ticket.requester.email.as_str(),
        "erased@erased.invalid"
    );
    assert_eq!(stored.ticket.status, Status::Closed);
    assert_eq!(
        stores.tickets.tickets_of_requester(&jane, 10).await,
        Ok(vec![])
    );
    let closed = stores
        .tickets
        .queue(QueueQuery {
            listing: Listing::InStatus {
                category: ticket.category.clone(),
                status: Status::Closed,
            },
            order: QueueOrder::OldestFirst,
            limit: 50,
            after: None,
        })
        .await
        .unwrap();
    assert!(closed.items.is_empty(), "{closed:?}");
    // The live counts follow the ticket to closed: nothing is lost from them.
    let counts = stores
        .tickets
        .status_counts(&ticket.category)
        .await
        .unwrap();
    let total = |c: &helpdesk_domain::tickets::counters::StatusCounts| c.0.values().sum::<i64>();
    assert_eq!(total(&counts), total(&counts_before));
    assert_eq!(
        counts.get(Status::Closed),
        counts_before.get(Status::Closed) + 1
    );
    assert_eq!(stores.erasure.forget_do_not_email(&jane).await, Ok(true));
    assert_eq!(stores.mail.do_not_email(&jane).await, Ok(None));
    assert_eq!(stores.erasure.forget_do_not_email(&jane).await, Ok(false));
    // The agents' alert lines about her requests (waiting for a digest here), not others'.
    let ana = helpdesk_domain::AgentId::parse("ana").unwrap();
    let line = |who: &str| AlertLine {
        kind: AlertKind::NewTicket,
        ticket: ticket.reference.clone(),
        category: ticket.category.clone(),
        subject: "Refund".into(),
        requester: who.into(),
        at: clock.now(),
        agent: ana.clone(),
    };
    let bob_line = AlertLine {
        ticket: helpdesk_domain::TicketRef::from_bits(7),
        ..line("bob@example.com")
    };
    for l in [line("Jane@Example.com"), bob_line.clone()] {
        assert_eq!(
            stores
                .mail
                .note_alert(&l, &ids.outbox_id(), true, None)
                .await,
            Ok(true)
        );
    }
    assert_eq!(
        stores
            .erasure
            .forget_alerts_about(&jane, std::slice::from_ref(&ana))
            .await,
        Ok(1)
    );
    assert_eq!(stores.mail.waiting_alerts(&ana).await, Ok(vec![bob_line]));
}

pub async fn retention_finds_closed_tickets_last_changed_before_the_cutoff(stores: &Stores) {
    let (clock, ids) = setup();
    let category = CategoryId::parse("billing").unwrap();
    let mut made = Vec::new();
    for who in [
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "d@example.com",
    ] {
        let Ok(Created::New(t)) = stores
            .tickets
            .create_ticket(new_ticket(&ids, "billing", who, clock.now()))
            .await
        else {
            panic!("create failed")
        };
        made.push(*t);
        clock.advance(Duration::minutes(1));
    }
    let close = |at| {
        move |t: &mut helpdesk_domain::Ticket| {
            t.status = Status::Closed;
            t.updated_at = at;
        }
    };
    let old = clock.now() + Duration::days(1);
    let cutoff = clock.now() + Duration::days(10);
    let a = change(stores, &made[0], close(old)).await;
    // Closed later than the cutoff: kept.
    change(stores, &made[1], close(cutoff + Duration::days(1))).await;
    let c = change(stores, &made[2], close(old)).await;
    // made[3] stays open.
    assert_eq!(
        stores.erasure.closed_before(&category, cutoff, 10).await,
        Ok(vec![a.reference.clone(), c.reference.clone()])
    );
    assert_eq!(
        stores.erasure.closed_before(&category, cutoff, 1).await,
        Ok(vec![a.reference.clone()])
    );
    // An erased one is not found again.
    stores
        .tickets
        .update_ticket(TicketUpdate::new(&a, shell(&a, old), vec![]))
        .await
        .unwrap();
    assert_eq!(
        stores.erasure.closed_before(&category, cutoff, 10).await,
        Ok(vec![c.reference])
    );
    let other = CategoryId::parse("shipping").unwrap();
    assert_eq!(
        stores.erasure.closed_before(&other, cutoff, 10).await,
        Ok(vec![])
    );
}

pub async fn the_audit_log_pages_newest_first_and_finds_a_subject(stores: &Stores) {
    let (clock, _) = setup();
    let mut written = Vec::new();
    for (i, subject) in ["billing", "customer:abc", "billing", "customer:abc", "ana"]
        .into_iter()
        .enumerate()
    {
        let entry = AuditEntry::new(
            clock.now() + Duration::seconds(i as i64),
            Actor::Agent(helpdesk_domain::AgentId::parse("admin").unwrap()),
            AuditAction::CategorySaved,
            subject,
            format!("change {i}"),
        );
        stores.audit.record_audit(&entry).await.unwrap();
        written.push(entry);
    }
    // Two of one instant stay two.
    let twin = AuditEntry::new(
        written[4].at,
        Actor::Schedule,
        AuditAction::RetentionPurged,
        "billing",
        "",
    );
    stores.audit.record_audit(&twin).await.unwrap();
    // An entry is never overwritten.
    let forged = AuditEntry {
        detail: "nothing happened".into(),
        ..twin.clone()
    };
    assert_eq!(
        stores.audit.record_audit(&forged).await,
        Err(helpdesk_domain::ports::store::StoreError::Duplicate)
    );
    let first = stores.audit.audit_entries(None, 3).await.unwrap();
    assert_eq!(first.len(), 3);
    assert!(first[0].at >= first[1].at && first[1].at >= first[2].at);
    let rest = stores
        .audit
        .audit_entries(Some(&first[2].cursor()), 10)
        .await
        .unwrap();
    assert_eq!(first.len() + rest.len(), 6);
    assert!(rest.iter().all(|e| !first.contains(e)));
    assert_eq!(rest.last(), Some(&written[0]));
    let about = stores
        .audit
        .audit_entries_about("customer:abc")
        .await
        .unwrap();
    assert_eq!(about, vec![written[1].clone(), written[3].clone()]);
}
