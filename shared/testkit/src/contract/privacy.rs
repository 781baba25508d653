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

/// An export reads an address's lists far past one DynamoDB page.
pub async fn an_address_s_tickets_links_and_held_mail_are_read_past_one_page(stores: &Stores) {
    let (clock, ids) = setup();
    let sam = EmailAddress::parse("sam@example.com").unwrap();
    let mut own = vec![];
    for n in 0..130i64 {
        let at = clock.now() + Duration::seconds(n);
        let Ok(Created::New(t)) = stores
            .tickets
            .create_ticket(new_ticket(&ids, "billing", "Sam@Example.com", at))
            .await
        else {
            panic!("create failed")
        };
        stores
            .erasure
            .link_addresses(&t.reference, std::slice::from_ref(&sam))
            .await
            .unwrap();
        let held = helpdesk_domain::mail::inbound::quarantine::Quarantined {
            ses_id: format!("ses-held-{n:03}"),
            received_at: at,
            from: Some("sam@example.com".into()),
            subject: "Offer".into(),
            reason: helpdesk_domain::mail::inbound::quarantine::QuarantineReason::Spam,
            released: None,
        };
        assert_eq!(stores.mail.quarantine(&held).await, Ok(true));
        own.push(t.reference);
    }
    own.reverse();
    let mine = stores
        .tickets
        .tickets_of_requester(&sam, 500)
        .await
        .unwrap();
    let mine: Vec<_> = mine.into_iter().map(|s| s.reference).collect();
    assert_eq!(mine, own, "every one, newest first");
    let first = stores
        .tickets
        .tickets_of_requester(&sam, 110)
        .await
        .unwrap();
    assert_eq!(first.len(), 110);
    assert_eq!(first[109].reference, own[109]);
    let mut linked = stores.erasure.tickets_linked_to(&sam, 500).await.unwrap();
    linked.sort();
    let mut expected = own.clone();
    expected.sort();
    assert_eq!(linked, expected);
    assert_eq!(
        stores
            .erasure
            .tickets_linked_to(&sam, 120)
            .await
            .unwrap()
            .len(),
        120
    );
    let held = stores.erasure.held_mail_from(&sam, 500).await.unwrap();
    assert_eq!(held.len(), 130);
    assert_eq!(
        stores
            .erasure
            .held_mail_from(&sam, 101)
            .await
            .unwrap()
            .len(),
        101
    );
}

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

/// Links every address a write brings onto another customer's ticket, and
/// takes one out again piece by piece, leaving the rest.
pub async fn a_shared_ticket_links_its_people_and_erasing_one_leaves_the_rest(stores: &Stores) {
    use helpdesk_domain::mail::outbound::job::MailKind;
    use helpdesk_domain::tickets::message::{Author, EmailIds};
    let (clock, ids) = setup();
    let address = |a: &str| EmailAddress::parse(a).unwrap();
    let (bob, carol, dave) = (
        address("bob@example.com"),
        address("carol@example.com"),
        address("dave@example.com"),
    );
    let mut new = new_ticket(&ids, "billing", "jane@example.com", clock.now());
    new.ticket.participants = vec![address("Bob@Example.com")];
    let Ok(Created::New(ticket)) = stores.tickets.create_ticket(new).await else {
        panic!("create failed")
    };
    let r = ticket.reference.clone();
    assert_eq!(
        stores.erasure.tickets_linked_to(&bob, 10).await,
        Ok(vec![r.clone()])
    );
    // The requester is never linked to their own ticket.
    let jane = address("jane@example.com");
    assert_eq!(
        stores.erasure.tickets_linked_to(&jane, 10).await,
        Ok(vec![])
    );

    // Bob writes in; an agent copies Carol on a reply and forwards to Dave.
    let later = clock.now() + Duration::minutes(1);
    let mut from_bob = agent_reply(&ids, &ticket, "ana", later);
    from_bob.author = Author::Customer {
        name: helpdesk_domain::values::text::DisplayName::from_mail("Bob"),
        email: bob.clone(),
    };
    from_bob.email = Some(EmailIds {
        message_id: Some("<bob-1@example.com>".into()),
        ..Default::default()
    });
    let mut reply = agent_reply(&ids, &ticket, "ana", later);
    reply.email = Some(EmailIds {
        cc: vec![carol.clone(), bob.clone()],
        ..Default::default()
    });
    let mut forward = agent_reply(&ids, &ticket, "ana", later);
    forward.about = vec![dave.clone()];
    let mut to_dave = crate::fixtures::confirmation_job(&ids, &ticket);
    to_dave.kind = MailKind::Forward;
    to_dave.recipient = dave.clone();
    let to_jane = crate::fixtures::confirmation_job(&ids, &ticket);
    let mut after = (*ticket).clone();
    after.cc = vec![carol.clone()];
    let messages = vec![from_bob.clone(), reply.clone(), forward.clone()];
    let update = TicketUpdate::new(&ticket, after, messages)
        .with_outbox(vec![to_dave.clone(), to_jane.clone()]);
    let ticket = stores.tickets.update_ticket(update).await.unwrap();
    for who in [&bob, &carol, &dave] {
        assert_eq!(
            stores.erasure.tickets_linked_to(who, 10).await,
            Ok(vec![r.clone()]),
            "{who:?}"
        );
    }

    // Bob's message goes with its Message-ID record; the rest stays.
    assert_eq!(
        stores
            .erasure
            .delete_messages(&r, std::slice::from_ref(&from_bob))
            .await,
        Ok(2)
    );
    assert_eq!(
        stores
            .tickets
            .ticket_for_message_id("<bob-1@example.com>")
            .await,
        Ok(None)
    );
    // Bob leaves the reply's Cc; a deleted message is not written back.
    let mut without_bob = reply.clone();
    without_bob.email = Some(EmailIds {
        cc: vec![carol.clone()],
        ..Default::default()
    });
    stores
        .erasure
        .rewrite_messages(&[without_bob.clone(), from_bob.clone()])
        .await
        .unwrap();
    let thread = stores.tickets.load_ticket(&r).await.unwrap();
    assert_eq!(thread.messages.len(), 3, "{:?}", thread.messages);
    assert!(thread.messages.iter().all(|m| m.id != from_bob.id));
    let stored = thread.messages.iter().find(|m| m.id == reply.id).unwrap();
    assert_eq!(stored, &without_bob);
    assert_eq!(thread.ticket, ticket);
    // Mail forwarded to Dave goes; the mail to Jane stays.
    assert_eq!(stores.erasure.delete_mail_to(&r, &dave).await, Ok(1));
    assert_eq!(stores.erasure.delete_mail_to(&r, &dave).await, Ok(0));
    assert_eq!(
        stores.tickets.outbox_item(&to_dave.outbox_id).await,
        Ok(None)
    );
    assert!(
        stores
            .tickets
            .outbox_item(&to_jane.outbox_id)
            .await
            .unwrap()
            .is_some()
    );
    // The link goes last, once.
    assert_eq!(stores.erasure.unlink_address(&bob, &r).await, Ok(true));
    assert_eq!(stores.erasure.unlink_address(&bob, &r).await, Ok(false));
    assert_eq!(stores.erasure.tickets_linked_to(&bob, 10).await, Ok(vec![]));
    assert_eq!(
        stores.erasure.tickets_linked_to(&carol, 10).await,
        Ok(vec![r.clone()])
    );

    // The backfill links again without harm, and a batch is cut at its limit.
    let other = helpdesk_domain::TicketRef::from_bits(99);
    for _ in 0..2 {
        stores
            .erasure
            .link_addresses(&r, std::slice::from_ref(&bob))
            .await
            .unwrap();
        stores
            .erasure
            .link_addresses(&other, std::slice::from_ref(&bob))
            .await
            .unwrap();
    }
    let mut linked = stores.erasure.tickets_linked_to(&bob, 10).await.unwrap();
    linked.sort();
    let mut both = vec![r.clone(), other];
    both.sort();
    assert_eq!(linked, both);
    assert_eq!(
        stores
            .erasure
            .tickets_linked_to(&bob, 1)
            .await
            .map(|l| l.len()),
        Ok(1)
    );

    // A note written on its own (a bounce) links whom it names.
    let erin = address("erin@example.com");
    let mut bounce = agent_reply(&ids, &ticket, "ana", later);
    bounce.about = vec![erin.clone()];
    stores.tickets.add_note(&bounce).await.unwrap();
    assert_eq!(
        stores.erasure.tickets_linked_to(&erin, 10).await,
        Ok(vec![r.clone()])
    );

    // A held mail is linked to its sender, apart from tickets.
    let frank = address("frank@example.com");
    let held = helpdesk_domain::mail::inbound::quarantine::Quarantined {
        ses_id: "ses-held-frank".into(),
        received_at: clock.now(),
        from: Some("Frank@Example.com".into()),
        subject: "Win big".into(),
        reason: helpdesk_domain::mail::inbound::quarantine::QuarantineReason::Spam,
        released: None,
    };
    assert_eq!(stores.mail.quarantine(&held).await, Ok(true));
    assert_eq!(
        stores.erasure.held_mail_from(&frank, 10).await,
        Ok(vec!["ses-held-frank".to_owned()])
    );
    assert_eq!(
        stores.erasure.tickets_linked_to(&frank, 10).await,
        Ok(vec![])
    );
    assert_eq!(stores.erasure.held_mail_from(&bob, 10).await, Ok(vec![]));
    // Forgetting it takes the record and the link.
    assert_eq!(
        stores.erasure.forget_held(&frank, "ses-held-frank").await,
        Ok(2)
    );
    assert_eq!(stores.mail.held("ses-held-frank").await, Ok(None));
    assert_eq!(stores.erasure.held_mail_from(&frank, 10).await, Ok(vec![]));
    assert_eq!(
        stores.erasure.forget_held(&frank, "ses-held-frank").await,
        Ok(0)
    );
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
