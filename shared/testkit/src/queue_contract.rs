//! Contract scenarios for the listings behind the console's views and their
//! counters (run on both stores by `store_contract!`).

use crate::contract::{Stores, change, create, setup};
use crate::fixtures;
use chrono::Duration;
use helpdesk_domain::agents::views::{self, Sort, View, ViewQuery};
use helpdesk_domain::ports::Clock;
use helpdesk_domain::ports::store::{
    Cursor, Listing, Position, QueueOrder, QueueQuery, StoreError, TicketSummary,
};
use helpdesk_domain::{AgentId, Priority, Status, TicketRef};

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

    let _a = change(stores, &a, |t| t.assignee = None).await;
    let counts = stores
        .tickets
        .queue_counts(&[billing.clone(), fixtures::category_id("sales")], &ana)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let billing_counts = &counts.categories[&billing];
    assert_eq!(billing_counts.unassigned, 1, "{counts:?}");
    assert_eq!(billing_counts.received, 3);
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

pub async fn canned_replies_list_by_title_replace_by_id_and_delete(stores: &Stores) {
    use helpdesk_domain::agents::canned::CannedReply;
    use helpdesk_domain::values::ids::FaqId;
    let (clock, _) = setup();
    let reply = |id: &str, title: &str, category: Option<&str>| CannedReply {
        id: FaqId::parse(id).unwrap_or_else(|e| panic!("{e}")),
        category: category.map(fixtures::category_id),
        title: title.to_owned(),
        body: format!("{title} body"),
        updated_by: AgentId::parse("sue").unwrap_or_else(|e| panic!("{e}")),
        updated_at: clock.now(),
    };
    let catalog = &stores.catalog;
    for r in [
        reply("c-1", "thanks", None),
        reply("c-2", "Refund sent", Some("billing")),
    ] {
        catalog
            .put_canned(&r)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let titles = |all: Vec<CannedReply>| all.into_iter().map(|c| c.title).collect::<Vec<_>>();
    assert_eq!(
        titles(
            catalog
                .canned_replies()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        ),
        vec!["Refund sent", "thanks"]
    );
    catalog
        .put_canned(&reply("c-2", "Apology", Some("billing")))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let all = catalog
        .canned_replies()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all[0], reply("c-2", "Apology", Some("billing")));
    assert_eq!(all.len(), 2);
    let c1 = FaqId::parse("c-1").unwrap_or_else(|e| panic!("{e}"));
    catalog
        .delete_canned(&c1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    catalog
        .delete_canned(&c1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        titles(
            catalog
                .canned_replies()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        ),
        vec!["Apology"]
    );
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
