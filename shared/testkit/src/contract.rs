//! The store contract: scenarios every `TicketStore`/`CatalogStore` must pass. The
//! `store_contract!` macro turns them into tests for one store factory; it runs on
//! the in-memory store (testkit) and on DynamoDB Local (tests/).

use crate::fixtures::{self, agent_reply, email, new_ticket, with_idempotency, with_mail_id};
use crate::{FixedClock, SequentialIds};
use chrono::Duration;
use helpdesk_domain::agents::profile::Role;
use helpdesk_domain::catalog::faq::{FaqSearch, FaqSearchCount};
use helpdesk_domain::mail::outbound::job::{Claimed, OutboxFinish, OutboxState};
use helpdesk_domain::ports::IdSource;
use helpdesk_domain::ports::store::{
    Created, RateLimitClaim, StoreError, TicketUpdate, TrackingToken,
};
use helpdesk_domain::ports::{CatalogStore, Clock, TicketStore};
use helpdesk_domain::reports::{DayFigures, Figure, Measure, ReportScope};
use helpdesk_domain::{Status, Ticket, TicketRef};
use std::sync::Arc;

pub use crate::mail_contract::*;
pub use crate::queue_contract::*;

pub struct Stores {
    pub tickets: Arc<dyn TicketStore>,
    pub mail: Arc<dyn helpdesk_domain::ports::MailStore>,
    pub catalog: Arc<dyn CatalogStore>,
}

/// Generates one `#[tokio::test]` per scenario for `$factory`, an async fn
/// returning fresh, empty [`Stores`].
#[macro_export]
macro_rules! store_contract {
    ($factory:path) => {
        $crate::store_contract!(@cases $factory;
            create_then_load_returns_the_thread,
            a_taken_reference_is_refused_and_nothing_is_half_written,
            a_repeated_idempotency_key_replays_and_a_changed_request_is_refused,
            updates_are_conditional_on_the_version_read,
            updating_a_missing_ticket_is_not_found,
            counters_follow_creation_status_and_category_changes,
            queue_pages_in_both_orders_without_gaps_or_repeats,
            owner_listings_and_view_counters_follow_assignment_and_status,
            views_merge_listings_page_by_page_without_gaps_or_repeats,
            a_view_refuses_a_cursor_it_did_not_make,
            canned_replies_list_by_title_replace_by_id_and_delete,
            several_tickets_change_in_one_write_or_not_at_all,
            wake_index_holds_what_the_sla_run_must_see,
            requester_tickets_newest_first_ignoring_case,
            message_ids_lead_to_their_ticket,
            catalog_keeps_order_and_replaces_by_id,
            tracking_tokens_open_only_their_ticket_until_they_expire,
            a_full_rate_limit_refuses_the_whole_write,
            the_outbox_item_is_written_with_the_ticket,
            faq_searches_are_counted_per_day_query_and_category,
            a_day_logs_at_most_its_cap_of_new_queries_and_keeps_counting_known_ones,
            a_probe_is_settled_once,
            unsent_mail_is_found_until_it_is_settled,
            faq_reads_are_counted_per_entry_over_any_period,
            standalone_rate_limits_count_all_or_nothing,
            sla_policies_round_trip,
            an_outbox_item_is_claimed_once_and_sent_is_final,
            released_and_abandoned_claims_can_be_taken_again,
            a_failed_item_stays_failed_and_says_so_on_the_ticket,
            do_not_email_and_the_cap_refuse_a_claim_and_write_nothing,
            mail_is_quarantined_once_per_ses_id,
            message_id_lookups_follow_the_given_order,
            a_deduplicated_update_is_made_once_with_its_outbox
        );
    };
    (@cases $factory:path; $($case:ident),*) => {
        $(
            #[tokio::test]
            async fn $case() {
                let stores = $factory().await;
                $crate::contract::$case(&stores).await;
            }
        )*
    };
}

pub(crate) fn setup() -> (FixedClock, SequentialIds) {
    (FixedClock::monday_morning(), SequentialIds::new())
}

pub(crate) async fn create(
    stores: &Stores,
    ids: &SequentialIds,
    clock: &FixedClock,
    category: &str,
    who: &str,
) -> Ticket {
    match stores
        .tickets
        .create_ticket(new_ticket(ids, category, who, clock.now()))
        .await
    {
        Ok(Created::New(t)) => *t,
        other => panic!("create failed: {other:?}"),
    }
}

pub(crate) async fn change(
    stores: &Stores,
    before: &Ticket,
    f: impl FnOnce(&mut Ticket),
) -> Ticket {
    let mut after = before.clone();
    f(&mut after);
    stores
        .tickets
        .update_ticket(TicketUpdate::new(before, after, vec![]))
        .await
        .unwrap_or_else(|e| panic!("update failed: {e}"))
}

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

pub async fn counters_follow_creation_status_and_category_changes(stores: &Stores) {
    let (clock, ids) = setup();
    let billing = fixtures::category_id("billing");
    let sales = fixtures::category_id("sales");
    let day = clock.now().date_naive();
    let a = create(stores, &ids, &clock, "billing", "a@example.com").await;
    let b = create(stores, &ids, &clock, "billing", "b@example.com").await;
    let _c = create(stores, &ids, &clock, "sales", "c@example.com").await;
    let a = change(stores, &a, |t| t.status = Status::Open).await;
    let b = change(stores, &b, |t| t.category = sales.clone()).await;
    let a = change(stores, &a, |t| {
        t.assignee = Some(fixtures::agent_id("ana"));
        t.sla.first_response_minutes = Some(42);
    })
    .await;
    let _a = change(stores, &a, |t| {
        t.status = Status::Closed;
        t.sla.resolution_minutes = Some(500);
        t.sla.targets_met = (1, 1);
    })
    .await;
    let _b = change(stores, &b, |t| t.status = Status::Resolved).await;

    let bc = stores
        .tickets
        .status_counts(&billing)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            bc.get(Status::New),
            bc.get(Status::Open),
            bc.get(Status::Closed)
        ),
        (0, 0, 1)
    );
    let sc = stores
        .tickets
        .status_counts(&sales)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((sc.get(Status::New), sc.get(Status::Resolved)), (1, 1));
    assert_eq!(sc.awaiting_response(), 1);

    let report = |scope: ReportScope, from, to| {
        let tickets = stores.tickets.clone();
        async move {
            tickets
                .report_days(&scope, from, to)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let billing_days = report(ReportScope::Category(billing.clone()), day, day).await;
    assert_eq!(billing_days.len(), 1);
    let (on, f) = &billing_days[0];
    assert_eq!(*on, day);
    let figures = |f: &DayFigures| {
        [
            Figure::Opened,
            Figure::Solved,
            Figure::Closed,
            Figure::Met,
            Figure::Missed,
        ]
        .map(|x| f.get(x))
    };
    // Two opened here (b moved to sales later); a closed without a solve step.
    assert_eq!(figures(f), [2, 1, 1, 1, 1]);
    let first = f.histogram(Measure::FirstResponse);
    assert_eq!((first.count(), first.sum), (1, 42));
    let resolution = f.histogram(Measure::Resolution).summary();
    assert_eq!((resolution.count, resolution.mean), (1, Some(500.0)));
    let sales_days = report(ReportScope::Category(sales.clone()), day, day).await;
    assert_eq!(figures(&sales_days[0].1), [1, 1, 0, 0, 0]);
    // The assignee's own day: what happened to their tickets.
    let ana = report(ReportScope::Agent(fixtures::agent_id("ana")), day, day).await;
    assert_eq!(figures(&ana[0].1), [0, 1, 1, 1, 1]);
    let nobody = report(ReportScope::Agent(fixtures::agent_id("bob")), day, day).await;
    assert!(nobody.is_empty());
    // Days outside the range are not read.
    let next = day + Duration::days(1);
    let later = report(
        ReportScope::Category(billing),
        next,
        next + Duration::days(30),
    )
    .await;
    assert!(later.is_empty());
}

pub async fn wake_index_holds_what_the_sla_run_must_see(stores: &Stores) {
    let (clock, ids) = setup();
    let now = clock.now();
    let a = create(stores, &ids, &clock, "billing", "a@example.com").await;
    let b = create(stores, &ids, &clock, "billing", "b@example.com").await;
    let c = create(stores, &ids, &clock, "billing", "c@example.com").await;
    let wake = |t: &mut Ticket, at| t.sla.wake_at = at;
    let _a = change(stores, &a, |t| wake(t, Some(now + Duration::hours(2)))).await;
    let b = change(stores, &b, |t| wake(t, Some(now + Duration::hours(1)))).await;
    let _c = change(stores, &c, |t| wake(t, Some(now + Duration::hours(30)))).await;
    let waking = |before, limit| async move {
        stores
            .tickets
            .waking(before, limit)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let due = waking(now + Duration::hours(2), 10).await;
    let refs: Vec<_> = due.iter().map(|d| d.reference.clone()).collect();
    // Up to and including `before`, earliest first.
    assert_eq!(refs, vec![b.reference.clone(), a.reference.clone()]);
    assert_eq!(due[0].at, now + Duration::hours(1));
    assert_eq!(waking(now + Duration::hours(3), 1).await.len(), 1);
    // The boundary: a wake time is reached at that very instant, not a nanosecond before.
    let at_b = |d| waking(now + Duration::hours(1) + d, 10);
    assert_eq!(at_b(Duration::zero()).await.len(), 1);
    assert!(at_b(Duration::nanoseconds(-1)).await.is_empty());
    // A ticket the run has nothing more to do for leaves the index.
    change(stores, &b, |t| wake(t, None)).await;
    let due = waking(now + Duration::hours(3), 10).await;
    assert_eq!(
        due.iter().map(|d| d.reference.clone()).collect::<Vec<_>>(),
        vec![a.reference]
    );
}

pub async fn requester_tickets_newest_first_ignoring_case(stores: &Stores) {
    let (clock, ids) = setup();
    let first = create(stores, &ids, &clock, "billing", "Jane@Example.com").await;
    clock.advance(Duration::minutes(1));
    let second = create(stores, &ids, &clock, "sales", "jane@example.com").await;
    create(stores, &ids, &clock, "sales", "joe@example.com").await;
    let mine = stores
        .tickets
        .tickets_of_requester(&email("JANE@example.com"), 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let refs: Vec<_> = mine.into_iter().map(|s| s.reference).collect();
    assert_eq!(refs, vec![second.reference, first.reference]);
}

pub async fn message_ids_lead_to_their_ticket(stores: &Stores) {
    let (clock, ids) = setup();
    let new = with_mail_id(
        new_ticket(&ids, "billing", "jane@example.com", clock.now()),
        "<abc.123@mail.example.com>",
    );
    let reference = new.ticket.reference.clone();
    stores
        .tickets
        .create_ticket(new)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        stores
            .tickets
            .ticket_for_message_id("abc.123@mail.example.com")
            .await,
        Ok(Some(reference.clone()))
    );
    assert_eq!(
        stores
            .tickets
            .ticket_for_message_id(" <abc.123@mail.example.com> ")
            .await,
        Ok(Some(reference.clone()))
    );
    assert_eq!(
        stores
            .tickets
            .ticket_for_message_id("<other@example.com>")
            .await,
        Ok(None)
    );
    stores
        .tickets
        .record_message_id("<0100018f-ses@email.amazonses.com>", &reference)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        stores
            .tickets
            .ticket_for_message_id("0100018f-ses@email.amazonses.com")
            .await,
        Ok(Some(reference))
    );
}

pub async fn catalog_keeps_order_and_replaces_by_id(stores: &Stores) {
    let c = &stores.catalog;
    for (id, pos) in [("sales", 2), ("billing", 1), ("technical", 3)] {
        c.put_category(&fixtures::category(id, pos))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut renamed = fixtures::category("sales", 0);
    renamed.name = "Sales questions".into();
    c.put_category(&renamed)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let all = c.categories().await.unwrap_or_else(|e| panic!("{e}"));
    let order: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(order, ["sales", "billing", "technical"]);
    assert_eq!(
        c.category(&fixtures::category_id("sales")).await,
        Ok(Some(renamed))
    );
    assert_eq!(c.category(&fixtures::category_id("nope")).await, Ok(None));

    let ana = fixtures::agent("ana", Role::Agent, &["billing"]);
    c.put_agent(&ana).await.unwrap_or_else(|e| panic!("{e}"));
    c.put_agent(&fixtures::agent("sue", Role::Supervisor, &[]))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        c.agent(&fixtures::agent_id("ana")).await,
        Ok(Some(ana.clone()))
    );
    assert_eq!(c.agents().await.map(|a| a.len()), Ok(2));
    assert!(ana.covers(&fixtures::category_id("billing")));
    assert!(!ana.covers(&fixtures::category_id("sales")));

    c.put_faq(&fixtures::faq("b", "billing", 2))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    c.put_faq(&fixtures::faq("a", "billing", 1))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    c.put_faq(&fixtures::faq("z", "sales", 1))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut edited = fixtures::faq("b", "billing", 2);
    edited.published = false;
    c.put_faq(&edited).await.unwrap_or_else(|e| panic!("{e}"));
    let faq = c
        .faq(&fixtures::category_id("billing"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        faq.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert!(!faq[1].published);
}

pub async fn tracking_tokens_open_only_their_ticket_until_they_expire(stores: &Stores) {
    let (clock, ids) = setup();
    let now = clock.now();
    let secret = ids.secret_token();
    let mut new = new_ticket(&ids, "billing", "jane@example.com", now);
    new.tracking_token = Some(TrackingToken {
        hash: secret.hash(),
        expires_at: now + Duration::days(90),
        mailed: false,
    });
    let reference = new.ticket.reference.clone();
    stores
        .tickets
        .create_ticket(new)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let other = create(stores, &ids, &clock, "billing", "joe@example.com").await;
    let t = &stores.tickets;
    assert_eq!(
        t.tracking_token_valid(&reference, &secret.hash(), now)
            .await,
        Ok(true)
    );
    assert_eq!(
        t.tracking_token_valid(&reference, &ids.secret_token().hash(), now)
            .await,
        Ok(false)
    );
    assert_eq!(
        t.tracking_token_valid(&other.reference, &secret.hash(), now)
            .await,
        Ok(false)
    );
    assert_eq!(
        t.tracking_token_valid(&reference, &secret.hash(), now + Duration::days(91))
            .await,
        Ok(false)
    );
    // A re-requested link works beside the first one.
    let second = ids.secret_token();
    t.add_tracking_token(
        &reference,
        TrackingToken {
            hash: second.hash(),
            expires_at: now + Duration::days(90),
            mailed: true,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        t.tracking_token_valid(&reference, &second.hash(), now)
            .await,
        Ok(true)
    );
    assert_eq!(
        t.tracking_token_valid(&reference, &secret.hash(), now)
            .await,
        Ok(true)
    );
    // Each secret says whether it was mailed to the requester or handed to the form.
    let r = &reference;
    let mailed = |hash| async move {
        t.tracking_token(r, &hash, now)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|token| (token.mailed, token.expires_at))
    };
    assert_eq!(
        mailed(second.hash()).await,
        Some((true, now + Duration::days(90)))
    );
    assert_eq!(
        mailed(secret.hash()).await,
        Some((false, now + Duration::days(90)))
    );
    let missing = TicketRef::from_bits(424_242);
    let refused = t
        .add_tracking_token(
            &missing,
            TrackingToken {
                hash: second.hash(),
                expires_at: now,
                mailed: true,
            },
        )
        .await;
    assert_eq!(refused, Err(StoreError::NotFound));
    // Secrets are not messages: the thread holds only the first message.
    assert_eq!(
        t.load_ticket(&reference).await.map(|th| th.messages.len()),
        Ok(1)
    );
}

pub async fn a_full_rate_limit_refuses_the_whole_write(stores: &Stores) {
    let (clock, ids) = setup();
    let now = clock.now();
    let limited = |who: &str| {
        let mut new = new_ticket(&ids, "billing", who, now);
        new.rate_limits = vec![
            RateLimitClaim::fixed_window("ip:203.0.113.7", 2, Duration::hours(1), now),
            RateLimitClaim::fixed_window(&format!("email:{who}"), 5, Duration::hours(1), now),
        ];
        new
    };
    for who in ["a@example.com", "b@example.com"] {
        assert!(matches!(
            stores.tickets.create_ticket(limited(who)).await,
            Ok(Created::New(_))
        ));
    }
    let third = limited("c@example.com");
    let third_ref = third.ticket.reference.clone();
    let window = RateLimitClaim::fixed_window("ip:203.0.113.7", 2, Duration::hours(1), now);
    assert_eq!(
        stores.tickets.create_ticket(third).await,
        Err(StoreError::RateLimited {
            retry_after_secs: window.retry_after_secs(now)
        })
    );
    assert_eq!(
        stores.tickets.load_ticket(&third_ref).await,
        Err(StoreError::NotFound)
    );
    let billing = fixtures::category_id("billing");
    assert_eq!(
        stores
            .tickets
            .status_counts(&billing)
            .await
            .map(|c| c.get(Status::New)),
        Ok(2)
    );
    // Another subject's window is its own.
    let mut other = new_ticket(&ids, "billing", "d@example.com", now);
    other.rate_limits = vec![RateLimitClaim::fixed_window(
        "ip:198.51.100.1",
        2,
        Duration::hours(1),
        now,
    )];
    assert!(matches!(
        stores.tickets.create_ticket(other).await,
        Ok(Created::New(_))
    ));
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

/// Someone scripting random queries fills a day's places, not the table: known
/// queries keep counting, and the next day starts afresh.
pub async fn a_day_logs_at_most_its_cap_of_new_queries_and_keeps_counting_known_ones(
    stores: &Stores,
) {
    let (clock, _) = setup();
    let now = clock.now();
    let log = |query: &str, at| {
        let catalog = stores.catalog.clone();
        let search = FaqSearch {
            query: query.to_owned(),
            category: None,
            results: 0,
            at,
        };
        async move {
            catalog
                .log_faq_search(&search, 3)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let mut logged = vec![];
    for q in ["one", "two", "three", "four", "one", "five"] {
        logged.push(log(q, now).await);
    }
    assert_eq!(logged, [true, true, true, false, true, false]);
    assert!(log("four", now + Duration::days(1)).await, "a new day");
    let today = now.date_naive();
    let day = stores
        .catalog
        .faq_search_log(today, today)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut queries: Vec<(String, u32)> = day.into_iter().map(|c| (c.query, c.searches)).collect();
    queries.sort();
    assert_eq!(
        queries,
        [
            ("one".to_owned(), 2),
            ("three".to_owned(), 1),
            ("two".to_owned(), 1)
        ]
    );
}

pub async fn faq_searches_are_counted_per_day_query_and_category(stores: &Stores) {
    let (clock, _) = setup();
    let now = clock.now();
    let billing = Some(fixtures::category_id("billing"));
    let search =
        |query: &str, category: Option<helpdesk_domain::CategoryId>, results: u32, at| FaqSearch {
            query: query.to_owned(),
            category,
            results,
            at,
        };
    for s in [
        search("refund", billing.clone(), 2, now),
        search("cancel order", billing.clone(), 0, now),
        search(
            "cancel order",
            billing.clone(),
            0,
            now + Duration::minutes(1),
        ),
        search("cancel order", None, 0, now),
        search("refund", billing.clone(), 2, now + Duration::days(1)),
        search("refund", billing.clone(), 0, now + Duration::days(40)),
    ] {
        stores
            .catalog
            .log_faq_search(&s, 100)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let log_of = |from: chrono::NaiveDate, to: chrono::NaiveDate| {
        let catalog = stores.catalog.clone();
        async move {
            catalog
                .faq_search_log(from, to)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let today = now.date_naive();
    let log = log_of(today, today).await;
    let count = |query: &str,
                 category: Option<helpdesk_domain::CategoryId>,
                 searches,
                 zero_results| FaqSearchCount {
        query: query.to_owned(),
        category,
        searches,
        zero_results,
    };
    assert_eq!(
        log,
        vec![
            count("cancel order", billing.clone(), 2, 2),
            count("cancel order", None, 1, 1),
            count("refund", billing.clone(), 1, 0),
        ]
    );
    // A range sums each query over its days, across month partitions.
    let two_days = log_of(today, today + Duration::days(1)).await;
    assert_eq!(
        two_days,
        vec![
            count("cancel order", billing.clone(), 2, 2),
            count("refund", billing.clone(), 2, 0),
            count("cancel order", None, 1, 1),
        ]
    );
    let forty_days = log_of(today, today + Duration::days(40)).await;
    assert_eq!(
        forty_days,
        vec![
            count("refund", billing.clone(), 3, 1),
            count("cancel order", billing, 2, 2),
            count("cancel order", None, 1, 1),
        ]
    );
    assert!(
        log_of(today + Duration::days(2), today + Duration::days(39))
            .await
            .is_empty()
    );
}

pub async fn standalone_rate_limits_count_all_or_nothing(stores: &Stores) {
    let (clock, _) = setup();
    let now = clock.now();
    let ip = RateLimitClaim::fixed_window("links-ip:203.0.113.9", 3, Duration::hours(1), now);
    let email =
        RateLimitClaim::fixed_window("links-email:jane@example.com", 1, Duration::hours(1), now);
    let t = &stores.tickets;
    assert_eq!(
        t.hit_rate_limits(&[ip.clone(), email.clone()], now).await,
        Ok(())
    );
    let refused = t.hit_rate_limits(&[ip.clone(), email.clone()], now).await;
    assert_eq!(
        refused,
        Err(StoreError::RateLimited {
            retry_after_secs: email.retry_after_secs(now)
        })
    );
    // The refused call counted nothing: the IP window still has two hits left.
    assert_eq!(
        t.hit_rate_limits(std::slice::from_ref(&ip), now).await,
        Ok(())
    );
    assert_eq!(
        t.hit_rate_limits(std::slice::from_ref(&ip), now).await,
        Ok(())
    );
    assert!(matches!(
        t.hit_rate_limits(&[ip], now).await,
        Err(StoreError::RateLimited { .. })
    ));
    assert_eq!(t.hit_rate_limits(&[], now).await, Ok(()));
}

pub async fn sla_policies_round_trip(stores: &Stores) {
    let c = &stores.catalog;
    let office = fixtures::office_policy("default");
    c.put_policy(&office)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut strict = fixtures::office_policy("strict");
    strict.standard.first_response_minutes = 60;
    c.put_policy(&strict)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.policy("default").await, Ok(Some(office)));
    assert_eq!(c.policy("missing").await, Ok(None));
    let ids: Vec<String> = c
        .policies()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids, ["default", "strict"]);
}

pub async fn a_probe_is_settled_once(stores: &Stores) {
    use helpdesk_domain::ops::probe::{Channel, Probe, ProbeOutcome};
    use helpdesk_domain::values::token::SecretToken;
    let (clock, ids) = setup();
    let now = clock.now();
    let secrets = [ids.secret_token(), ids.secret_token()];
    for (secret, channel) in secrets.iter().zip([
        Channel::Web,
        Channel::Mail {
            address: email("support@helpdesk.test"),
        },
    ]) {
        stores
            .tickets
            .put_probe(&Probe {
                hash: secret.hash(),
                channel,
                sent_at: now,
                deadline: now + Duration::minutes(10),
                outcome: ProbeOutcome::Pending,
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let arrived = ProbeOutcome::Arrived {
        at: now + Duration::seconds(3),
        category: Some(fixtures::category_id("billing")),
    };
    let settle = |secret: &SecretToken, outcome: ProbeOutcome| {
        let tickets = stores.tickets.clone();
        let hash = secret.hash();
        async move {
            tickets
                .settle_probe(&hash, outcome)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    assert!(settle(&secrets[0], arrived.clone()).await);
    // Settled is final: a late "missed" (or a replayed arrival) changes nothing.
    let missed = ProbeOutcome::Missed {
        reason: "late".into(),
    };
    assert!(!settle(&secrets[0], missed.clone()).await);
    assert!(!settle(&secrets[0], arrived.clone()).await);
    assert!(settle(&secrets[1], missed.clone()).await);
    let unknown =
        SecretToken::parse("ffffffffffffffffffffffffffffffff").unwrap_or_else(|e| panic!("{e}"));
    assert!(!settle(&unknown, arrived.clone()).await);
    let mut probes = stores
        .tickets
        .probes()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    probes.sort_by_key(|p| p.channel.label());
    let outcomes: Vec<(String, ProbeOutcome)> = probes
        .into_iter()
        .map(|p| (p.channel.label(), p.outcome))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("mail support@helpdesk.test".to_owned(), missed),
            ("web form".to_owned(), arrived),
        ]
    );
}

pub async fn faq_reads_are_counted_per_entry_over_any_period(stores: &Stores) {
    use helpdesk_domain::catalog::faq::FaqReadCount;
    use helpdesk_domain::values::ids::FaqId;
    let (clock, _) = setup();
    let now = clock.now();
    let billing = fixtures::category_id("billing");
    let refund = (
        billing.clone(),
        FaqId::parse("refund-time").unwrap_or_else(|e| panic!("{e}")),
    );
    let twice = (
        billing.clone(),
        FaqId::parse("double-charge").unwrap_or_else(|e| panic!("{e}")),
    );
    let count = |entries: Vec<(helpdesk_domain::CategoryId, FaqId)>, then_ticket: bool, at| {
        let catalog = stores.catalog.clone();
        async move {
            catalog
                .count_faq_reads(&entries, then_ticket, at)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    // Three visits read the refund answer (one of them then wrote to us), one the
    // double-charge answer and wrote anyway; one more read 40 days later.
    for _ in 0..3 {
        count(vec![refund.clone()], false, now).await;
    }
    // The visit that wrote anyway: counted with its ticket, in the same write.
    let (_, ids) = setup();
    let mut new = new_ticket(&ids, "billing", "jane@example.com", now);
    new.faq_read = vec![refund.clone(), twice.clone()];
    stores
        .tickets
        .create_ticket(new)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    count(vec![twice.clone()], false, now + Duration::days(1)).await;
    count(vec![refund.clone()], false, now + Duration::days(40)).await;
    let log = |from: chrono::NaiveDate, to: chrono::NaiveDate| {
        let catalog = stores.catalog.clone();
        async move {
            catalog
                .faq_read_log(from, to)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let today = now.date_naive();
    let read = |(category, entry): &(helpdesk_domain::CategoryId, FaqId), opened, then_ticket| {
        FaqReadCount {
            category: category.clone(),
            entry: entry.clone(),
            opened,
            then_ticket,
        }
    };
    assert_eq!(
        log(today, today + Duration::days(1)).await,
        vec![read(&refund, 3, 1), read(&twice, 1, 1)]
    );
    assert_eq!(
        log(today, today + Duration::days(40)).await,
        vec![read(&refund, 4, 1), read(&twice, 1, 1)]
    );
    assert!(
        log(today + Duration::days(2), today + Duration::days(39))
            .await
            .is_empty()
    );
}
