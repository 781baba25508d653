//! The `TicketRecords` part: a ticket and its thread written whole or not at all,
//! idempotent creation, updates conditional on the version read, several tickets in one
//! write, a change made once per dedupe key.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use super::outbox::{job, state};
use super::{Stores, create, setup};
use crate::fixtures;
use crate::fixtures::{agent_reply, new_ticket, with_idempotency, with_mail_id};
use chrono::Duration;
use helpdesk_domain::mail::outbound::job::OutboxState;
use helpdesk_domain::ports::Clock;
use helpdesk_domain::ports::store::{Created, IdempotencyClaim, StoreError, TicketUpdate};
use helpdesk_domain::{Status, TicketRef};

pub async fn create_then_load_returns_the_thread(stores: &Stores) {
    let (clock, ids) = setup();
    let new = new_ticket(&ids, "billing", "jane@example.com", clock.now());
    let expected_ticket = new.ticket.clone();
    let expected_message = new.first_message.clone();
    let created = stores.tickets.create_ticket(new).await;
    assert_eq!(created, Ok(Created::New(Box::new(expected_ticket.clone()))));
    let thread = stores
        .tickets
        .load_ticket(&expected_ticket.reference)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(thread.ticket, expected_ticket);
    assert_eq!(thread.messages, vec![expected_message]);
    let missing = TicketRef::from_bits(999_999);
    assert_eq!(
        stores.tickets.load_ticket(&missing).await,
        Err(StoreError::NotFound)
    );
}

/// Over 1 MB of messages: DynamoDB reads it in pages.
pub async fn a_thread_longer_than_a_page_loads_whole_in_order_with_its_latest_version(
    stores: &Stores,
) {
    let (clock, ids) = setup();
    let mut ticket = create(stores, &ids, &clock, "billing", "jane@example.com").await;
    let mut written = vec![];
    for n in 0..10i64 {
        let mut reply = agent_reply(&ids, &ticket, "ana", clock.now() + Duration::minutes(n));
        reply.body_text = format!("{n} {}", "x".repeat(150_000));
        written.push(reply.id.clone());
        let mut after = ticket.clone();
        after.words_removed_in = Some(ticket.version + 1);
        ticket = stores
            .tickets
            .update_ticket(TicketUpdate::new(&ticket, after, vec![reply]))
            .await
            .unwrap();
    }
    let thread = stores.tickets.load_ticket(&ticket.reference).await.unwrap();
    assert_eq!(thread.ticket, ticket);
    assert_eq!(thread.ticket.words_removed_in, Some(ticket.version));
    let read: Vec<_> = thread
        .messages
        .iter()
        .skip(1)
        .map(|m| m.id.clone())
        .collect();
    assert_eq!(read, written, "every message, oldest first");
}

pub async fn a_taken_reference_is_refused_and_nothing_is_half_written(stores: &Stores) {
    let (clock, ids) = setup();
    let first = create(stores, &ids, &clock, "billing", "jane@example.com").await;
    let clash = fixtures::new_ticket_with_ref(
        &ids,
        first.reference.clone(),
        "sales",
        "joe@example.com",
        clock.now(),
    );
    let clash = with_idempotency(
        with_mail_id(clash, "<clash@example.com>"),
        "ticket:k1",
        "f1",
    );
    assert_eq!(
        stores.tickets.create_ticket(clash).await,
        Err(StoreError::Duplicate)
    );
    // None of the refused write's parts exist: no counters, no Message-ID, no key claim.
    let sales = fixtures::category_id("sales");
    assert_eq!(
        stores
            .tickets
            .status_counts(&sales)
            .await
            .map(|c| c.get(Status::New)),
        Ok(0)
    );
    assert_eq!(
        stores
            .tickets
            .ticket_for_message_id("clash@example.com")
            .await,
        Ok(None)
    );
    let retry = with_idempotency(
        new_ticket(&ids, "sales", "joe@example.com", clock.now()),
        "ticket:k1",
        "f1",
    );
    assert!(matches!(
        stores.tickets.create_ticket(retry).await,
        Ok(Created::New(_))
    ));
    let thread = stores
        .tickets
        .load_ticket(&first.reference)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(thread.ticket, first, "the first ticket is untouched");
}

pub async fn a_repeated_idempotency_key_replays_and_a_changed_request_is_refused(stores: &Stores) {
    let (clock, ids) = setup();
    let first = with_idempotency(
        new_ticket(&ids, "billing", "jane@example.com", clock.now()),
        "ticket:abc",
        "body-1",
    );
    let reference = first.ticket.reference.clone();
    assert!(matches!(
        stores.tickets.create_ticket(first).await,
        Ok(Created::New(_))
    ));
    let again = with_idempotency(
        new_ticket(&ids, "billing", "jane@example.com", clock.now()),
        "ticket:abc",
        "body-1",
    );
    assert_eq!(
        stores.tickets.create_ticket(again).await,
        Ok(Created::Replayed(reference))
    );
    let changed = with_idempotency(
        new_ticket(&ids, "billing", "jane@example.com", clock.now()),
        "ticket:abc",
        "body-2",
    );
    assert_eq!(
        stores.tickets.create_ticket(changed).await,
        Err(StoreError::IdempotencyMismatch)
    );
    let billing = fixtures::category_id("billing");
    let counts = stores
        .tickets
        .status_counts(&billing)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts.get(Status::New), 1, "a replay is not counted twice");
}

pub async fn updates_are_conditional_on_the_version_read(stores: &Stores) {
    let (clock, ids) = setup();
    let loaded = create(stores, &ids, &clock, "billing", "jane@example.com").await;
    clock.advance(Duration::minutes(5));
    let mut mine = loaded.clone();
    mine.change_status(Status::Open, clock.now())
        .unwrap_or_else(|e| panic!("{e}"));
    let reply = agent_reply(&ids, &loaded, "ana", clock.now());
    let saved = stores
        .tickets
        .update_ticket(TicketUpdate::new(&loaded, mine, vec![reply.clone()]))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(saved.version, loaded.version + 1);
    // A colleague who loaded the same version answers blind: refused, nothing written.
    let mut theirs = loaded.clone();
    theirs
        .change_status(Status::WaitingOnCustomer, clock.now())
        .unwrap_or_else(|e| panic!("{e}"));
    let their_reply = agent_reply(&ids, &loaded, "bob", clock.now());
    let refused = stores
        .tickets
        .update_ticket(TicketUpdate::new(&loaded, theirs, vec![their_reply]))
        .await;
    assert_eq!(refused, Err(StoreError::Conflict));
    let thread = stores
        .tickets
        .load_ticket(&loaded.reference)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(thread.ticket, saved);
    assert_eq!(thread.messages.len(), 2);
    assert_eq!(thread.messages[1], reply);
}

pub async fn updating_a_missing_ticket_is_not_found(stores: &Stores) {
    let (clock, ids) = setup();
    let ghost = new_ticket(&ids, "billing", "jane@example.com", clock.now()).ticket;
    let mut after = ghost.clone();
    after.status = Status::Open;
    let result = stores
        .tickets
        .update_ticket(TicketUpdate::new(&ghost, after, vec![]))
        .await;
    assert_eq!(result, Err(StoreError::NotFound));
}

pub async fn several_tickets_change_in_one_write_or_not_at_all(stores: &Stores) {
    use helpdesk_domain::ports::store::TicketUpdate;
    let (clock, ids) = setup();
    let a = create(stores, &ids, &clock, "billing", "a@example.com").await;
    let b = create(stores, &ids, &clock, "billing", "b@example.com").await;
    let open = |t: &helpdesk_domain::Ticket| {
        let mut after = t.clone();
        after.status = Status::Open;
        TicketUpdate::new(t, after, vec![])
    };
    let mut stale = b.clone();
    stale.version += 1;
    let refused = stores
        .tickets
        .update_tickets(vec![open(&a), open(&stale)])
        .await;
    assert_eq!(refused.map(|s| s.len()), Err(StoreError::Conflict));
    let a_now = stores.tickets.load_ticket(&a.reference).await;
    assert_eq!(
        a_now.map(|t| t.ticket.version),
        Ok(1),
        "nothing half written"
    );

    let saved = stores
        .tickets
        .update_tickets(vec![open(&a), open(&b)])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(saved.len(), 2);
    // Both moved the same counter: summed into one change.
    let counts = stores
        .tickets
        .status_counts(&fixtures::category_id("billing"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((counts.get(Status::New), counts.get(Status::Open)), (0, 2));
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

pub async fn every_ticket_is_listed_once_for_a_rebuild(stores: &Stores) {
    let (clock, ids) = setup();
    let mut made = Vec::new();
    for who in [
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "d@example.com",
        "e@example.com",
    ] {
        made.push(create(stores, &ids, &clock, "billing", who).await.reference);
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    for _ in 0..100 {
        let (page, next) = stores.tickets.all_tickets(cursor).await.unwrap();
        seen.extend(page);
        cursor = next;
        if cursor.is_none() {
            break;
        }
    }
    assert!(cursor.is_none(), "the pages end");
    seen.sort();
    made.sort();
    assert_eq!(
        seen, made,
        "each ticket once, nothing else (messages, claims, outbox)"
    );
}
