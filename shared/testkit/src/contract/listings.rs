//! The readers' indexes: `Queues` (pages, views, counters), `Wakeups` (what the SLA run
//! must see) and a requester's tickets.

use super::{Stores, change, create, setup};
use crate::fixtures;
use crate::fixtures::email;
use chrono::Duration;
use helpdesk_domain::agents::views;
use helpdesk_domain::agents::views::{Sort, View, ViewQuery};
use helpdesk_domain::ports::Clock;
use helpdesk_domain::ports::store::{
    Cursor, Listing, Position, QueueOrder, QueueQuery, StoreError, TicketSummary, TicketUpdate,
};
use helpdesk_domain::reports::{DayFigures, Figure, Measure, ReportScope};
use helpdesk_domain::{AgentId, Priority, Status, Ticket, TicketRef};

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

async fn read_all(stores: &Stores, listing: Listing, order: QueueOrder) -> Vec<TicketRef> {
    let mut seen = Vec::new();
    let mut after: Option<Position> = None;
    for _ in 0..20 {
        let page = stores
            .tickets
            .queue(QueueQuery {
                listing: listing.clone(),
                order,
                limit: 3,
                after: after.take(),
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(page.items.len() <= 3);
        after = page.items.last().and_then(|t| listing.position_of(t));
        seen.extend(page.items.into_iter().map(|s| s.reference));
        if !page.more {
            return seen;
        }
    }
    panic!("pagination does not end");
}

pub async fn queue_pages_in_both_orders_without_gaps_or_repeats(stores: &Stores) {
    let (clock, ids) = setup();
    let mut created = Vec::new();
    for i in 0..7 {
        let t = create(
            stores,
            &ids,
            &clock,
            "billing",
            &format!("c{i}@example.com"),
        )
        .await;
        created.push(t.reference);
        clock.advance(Duration::minutes(1));
    }
    // One in another status and one in another category stay out of the listing.
    let t = create(stores, &ids, &clock, "billing", "x@example.com").await;
    change(stores, &t, |t| t.status = Status::Open).await;
    create(stores, &ids, &clock, "sales", "y@example.com").await;

    let listing = Listing::InStatus {
        category: fixtures::category_id("billing"),
        status: Status::New,
    };
    let oldest = read_all(stores, listing.clone(), QueueOrder::OldestFirst).await;
    assert_eq!(oldest, created);
    let newest = read_all(stores, listing, QueueOrder::NewestFirst).await;
    assert_eq!(newest, created.into_iter().rev().collect::<Vec<_>>());
}

pub async fn owner_listings_and_view_counters_follow_assignment_and_status(stores: &Stores) {
    let (clock, ids) = setup();
    let ana = AgentId::parse("ana").unwrap_or_else(|e| panic!("{e}"));
    let billing = fixtures::category_id("billing");
    let a = create(stores, &ids, &clock, "billing", "a@example.com").await;
    clock.advance(Duration::minutes(1));
    let b = create(stores, &ids, &clock, "billing", "b@example.com").await;
    clock.advance(Duration::minutes(1));
    let c = create(stores, &ids, &clock, "billing", "c@example.com").await;
    let a = change(stores, &a, |t| t.assignee = Some(ana.clone())).await;
    let _b = change(stores, &b, |t| {
        t.assignee = Some(ana.clone());
        t.status = Status::WaitingOnCustomer;
    })
    .await;
    // Solved tickets leave both the unassigned list and the agent's.
    let _c = change(stores, &c, |t| t.status = Status::Resolved).await;
    let unassigned = read_all(
        stores,
        Listing::Unassigned {
            category: billing.clone(),
        },
        QueueOrder::OldestFirst,
    )
    .await;
    assert!(unassigned.is_empty(), "{unassigned:?}");
    let mine = read_all(
        stores,
        Listing::AssignedTo { agent: ana.clone() },
        QueueOrder::OldestFirst,
    )
    .await;
    assert_eq!(mine, vec![a.reference.clone(), b.reference.clone()]);

    let a = change(stores, &a, |t| t.assignee = None).await;
    // A customer writes on `a` (two messages in one change: one reply).
    let mut said = fixtures::agent_reply(&ids, &a, "x", clock.now());
    said.kind = helpdesk_domain::MessageKind::Customer;
    let mut again = fixtures::agent_reply(&ids, &a, "x", clock.now());
    again.kind = helpdesk_domain::MessageKind::Customer;
    stores
        .tickets
        .update_ticket(TicketUpdate::new(&a, a.clone(), vec![said, again]))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let counts = stores
        .tickets
        .queue_counts(&[billing.clone(), fixtures::category_id("sales")], &ana)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let billing_counts = &counts.categories[&billing];
    assert_eq!(billing_counts.unassigned, 1, "{counts:?}");
    assert_eq!(billing_counts.received, 3);
    assert_eq!(
        billing_counts.replied, 1,
        "one change with customer messages"
    );
    assert_eq!(billing_counts.by_status.get(Status::New), 1);
    assert_eq!(billing_counts.by_status.get(Status::WaitingOnCustomer), 1);
    assert_eq!(billing_counts.by_status.get(Status::Resolved), 1);
    assert_eq!(counts.assigned_to_agent, 1);
    assert_eq!(
        counts.categories[&fixtures::category_id("sales")],
        Default::default()
    );
}

fn all_view(agent: &AgentId, now: chrono::DateTime<chrono::Utc>) -> ViewQuery {
    ViewQuery {
        view: View::All,
        categories: vec![
            fixtures::category_id("billing"),
            fixtures::category_id("sales"),
        ],
        agent: agent.clone(),
        status: None,
        priority: None,
        tier: None,
        sort: Sort::OldestFirst,
        limit: 2,
        cursor: None,
        now,
    }
}

async fn read_view(stores: &Stores, mut query: ViewQuery) -> Vec<TicketSummary> {
    let mut seen = Vec::new();
    for _ in 0..30 {
        let page = views::page(stores.tickets.as_ref(), &query)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(page.items.len() <= usize::from(query.limit));
        seen.extend(page.items);
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return seen,
        }
    }
    panic!("view pagination does not end");
}

pub async fn views_merge_listings_page_by_page_without_gaps_or_repeats(stores: &Stores) {
    let (clock, ids) = setup();
    let agent = AgentId::parse("ana").unwrap_or_else(|e| panic!("{e}"));
    let mut expected = Vec::new();
    // Interleaved over two categories and three statuses, one solved, one elsewhere.
    for i in 0..9 {
        let category = if i % 2 == 0 { "billing" } else { "sales" };
        let t = create(stores, &ids, &clock, category, &format!("v{i}@example.com")).await;
        let t = match i % 3 {
            1 => change(stores, &t, |t| t.status = Status::Open).await,
            2 => {
                change(stores, &t, |t| {
                    t.status = Status::WaitingOnCustomer;
                    t.priority = Priority::High;
                })
                .await
            }
            _ => t,
        };
        expected.push(t);
        clock.advance(Duration::minutes(1));
    }
    let solved = create(stores, &ids, &clock, "billing", "done@example.com").await;
    change(stores, &solved, |t| t.status = Status::Resolved).await;
    create(stores, &ids, &clock, "suggestion", "other@example.com").await;

    let refs = |v: &[TicketSummary]| v.iter().map(|t| t.reference.clone()).collect::<Vec<_>>();
    let want: Vec<TicketRef> = expected.iter().map(|t| t.reference.clone()).collect();
    let all = read_view(stores, all_view(&agent, clock.now())).await;
    assert_eq!(refs(&all), want);

    let newest = read_view(
        stores,
        ViewQuery {
            sort: Sort::NewestFirst,
            limit: 4,
            ..all_view(&agent, clock.now())
        },
    )
    .await;
    assert_eq!(
        refs(&newest),
        want.iter().rev().cloned().collect::<Vec<_>>()
    );

    let high: Vec<TicketRef> = expected
        .iter()
        .filter(|t| t.priority == Priority::High)
        .map(|t| t.reference.clone())
        .collect();
    let filtered = read_view(
        stores,
        ViewQuery {
            priority: Some(Priority::High),
            ..all_view(&agent, clock.now())
        },
    )
    .await;
    assert_eq!(refs(&filtered), high);

    let waiting = read_view(
        stores,
        ViewQuery {
            view: View::Waiting,
            ..all_view(&agent, clock.now())
        },
    )
    .await;
    assert_eq!(refs(&waiting), high, "the waiting ones are the high ones");
    let unassigned = read_view(
        stores,
        ViewQuery {
            view: View::Unassigned,
            ..all_view(&agent, clock.now())
        },
    )
    .await;
    assert_eq!(refs(&unassigned), want);
}

pub async fn a_view_refuses_a_cursor_it_did_not_make(stores: &Stores) {
    let (clock, ids) = setup();
    let agent = AgentId::parse("ana").unwrap_or_else(|e| panic!("{e}"));
    for i in 0..3 {
        create(
            stores,
            &ids,
            &clock,
            "billing",
            &format!("f{i}@example.com"),
        )
        .await;
    }
    let first = views::page(stores.tickets.as_ref(), &all_view(&agent, clock.now()))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let Some(cursor) = first.next else {
        panic!("three tickets at two a page have a second page")
    };
    // The same cursor on a view made of other listings, and garbage.
    let other = ViewQuery {
        view: View::Mine,
        cursor: Some(cursor),
        ..all_view(&agent, clock.now())
    };
    assert_eq!(
        views::page(stores.tickets.as_ref(), &other)
            .await
            .map(|p| p.items.len()),
        Err(StoreError::BadCursor)
    );
    let garbage = ViewQuery {
        cursor: Some(Cursor("not-a-cursor".into())),
        ..all_view(&agent, clock.now())
    };
    assert_eq!(
        views::page(stores.tickets.as_ref(), &garbage)
            .await
            .map(|p| p.items.len()),
        Err(StoreError::BadCursor)
    );
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

pub async fn a_rating_is_listed_once_by_category_and_day_and_counted_once(stores: &Stores) {
    use helpdesk_domain::tickets::rating::{Rating, Score};
    let (clock, ids) = setup();
    let billing = fixtures::category_id("billing");
    let sales = fixtures::category_id("sales");
    let day = clock.now().date_naive();
    let a = create(stores, &ids, &clock, "billing", "a@example.com").await;
    let b = create(stores, &ids, &clock, "billing", "b@example.com").await;
    let rating = |score, comment: &str, minutes, category: &helpdesk_domain::CategoryId| Rating {
        score,
        comment: comment.into(),
        at: clock.now() + Duration::minutes(minutes),
        first_at: clock.now() + Duration::minutes(1),
        category: category.clone(),
        assignee: Some(fixtures::agent_id("ana")),
        premium: false,
        changes: 0,
    };
    let a = change(stores, &a, |t| {
        t.status = Status::Resolved;
        t.rating = Some(rating(Score::Good, "Thanks!", 1, &billing));
    })
    .await;
    // Moved after the rating: it stays counted and listed where it was given.
    let a = change(stores, &a, |t| t.category = sales.clone()).await;
    let _b = change(stores, &b, |t| {
        t.status = Status::Closed;
        t.rating = Some(rating(Score::Good, "", 10, &billing));
    })
    .await;
    let listed = |category: helpdesk_domain::CategoryId| async move {
        stores
            .tickets
            .ratings(&category, day, day)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|r| (r.reference.as_str().to_owned(), r.score, r.comment))
            .collect::<Vec<_>>()
    };
    let figures = |scope: ReportScope| async move {
        let days = stores
            .tickets
            .report_days(&scope, day, day)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let total = |f: Figure| days.iter().map(|(_, d)| d.get(f)).sum::<i64>();
        (total(Figure::RatedGood), total(Figure::RatedBad))
    };
    assert_eq!(
        listed(billing.clone()).await,
        vec![
            (b.reference.as_str().to_owned(), Score::Good, String::new()),
            (
                a.reference.as_str().to_owned(),
                Score::Good,
                "Thanks!".to_owned()
            ),
        ],
        "newest first"
    );
    assert_eq!(listed(sales.clone()).await, vec![]);
    // Changed later, now in sales: taken back from billing, counted in sales.
    let _a = change(stores, &a, |t| {
        t.rating = Some(rating(Score::Bad, "It broke again.", 30, &sales));
    })
    .await;
    assert_eq!(
        listed(billing.clone()).await,
        vec![(b.reference.as_str().to_owned(), Score::Good, String::new())]
    );
    assert_eq!(
        listed(sales.clone()).await,
        vec![(
            a.reference.as_str().to_owned(),
            Score::Bad,
            "It broke again.".to_owned()
        )]
    );
    assert_eq!(
        figures(ReportScope::Category(billing.clone())).await,
        (1, 0)
    );
    assert_eq!(figures(ReportScope::Category(sales)).await, (0, 1));
    assert_eq!(
        figures(ReportScope::Agent(fixtures::agent_id("ana"))).await,
        (1, 1)
    );
    assert_eq!(
        stores
            .tickets
            .ratings(&billing, day + Duration::days(1), day + Duration::days(2))
            .await,
        Ok(vec![])
    );
}
