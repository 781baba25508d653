//! The `WordIndex` port: what a word search finds, in which order, under which
//! filters and scope, and that indexing again replaces. The `index_contract!`
//! macro runs these on any index factory (the in-memory one here, Tantivy in
//! `helpdesk-search`).

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use crate::fixtures::{agent_id, category_id, email};
use crate::{FixedClock, SequentialIds};
use chrono::{DateTime, Duration, Utc};
use helpdesk_domain::ports::store::TicketSummary;
use helpdesk_domain::ports::{Clock, IdSource, WordIndex};
use helpdesk_domain::search::query::{PAGE_SIZE, RawSearch};
use helpdesk_domain::search::{Assignee, SearchDoc, WordQuery};
use helpdesk_domain::values::tag::Tag;
use helpdesk_domain::values::text::Subject;
use helpdesk_domain::{CategoryId, Priority, Status, TicketRef, Tier};
use std::sync::Arc;

/// Generates one `#[tokio::test]` per scenario for `$factory`, an async fn
/// returning a fresh, empty `Arc<dyn WordIndex>`.
#[macro_export]
macro_rules! index_contract {
    ($factory:path) => {
        $crate::index_contract!(@cases $factory;
            words_are_found_in_every_part_of_a_ticket,
            every_word_must_match_and_the_last_may_be_a_beginning,
            filters_narrow_and_the_scope_hides_other_categories,
            indexing_again_replaces_and_gone_tickets_leave,
            a_subject_match_ranks_first_then_the_latest_update,
            pages_hold_every_hit_once_and_the_total_counts_them_all,
            filters_alone_list_the_latest_first,
            an_older_version_never_replaces_a_newer_one
        );
    };
    (@cases $factory:path; $($case:ident),*) => {
        $(
            #[tokio::test]
            async fn $case() {
                let index = $factory().await;
                $crate::contract::search::$case(index).await;
            }
        )*
    };
}

type Index = Arc<dyn WordIndex>;

fn t0() -> DateTime<Utc> {
    FixedClock::monday_morning().now()
}

/// A document as the indexer makes it, with what a scenario needs set.
fn doc(reference: TicketRef, category: &str, subject: &str, text: &str, minutes: i64) -> SearchDoc {
    let at = t0() + Duration::minutes(minutes);
    SearchDoc {
        summary: TicketSummary {
            reference,
            category: category_id(category),
            subject: Subject::parse(subject).unwrap(),
            status: Status::New,
            priority: Priority::Normal,
            tier: Tier::Standard,
            requester: email("ana@example.com"),
            assignee: None,
            created_at: at,
            updated_at: at,
            due_at: None,
            email_verified: true,
            version: 1,
            tags: vec![],
            language: Default::default(),
        },
        subject: subject.to_owned(),
        text: text.to_owned(),
        words_removed_in: None,
    }
}

fn words(q: &str) -> WordQuery {
    WordQuery::parse(&RawSearch {
        q: Some(q.into()),
        ..RawSearch::default()
    })
    .unwrap()
}

/// The references found on the query's page, in order.
async fn found(index: &Index, q: &WordQuery, scope: Option<&[CategoryId]>) -> Vec<TicketRef> {
    let page = index.find(q, scope).await.unwrap();
    page.hits.into_iter().map(|h| h.ticket.reference).collect()
}

fn sorted(mut refs: Vec<TicketRef>) -> Vec<TicketRef> {
    refs.sort();
    refs
}

pub async fn words_are_found_in_every_part_of_a_ticket(index: Index) {
    let ids = SequentialIds::new();
    let (a, b) = (ids.ticket_ref(), ids.ticket_ref());
    index
        .put(
            &[
                doc(
                    a.clone(),
                    "billing",
                    "Charged twice",
                    "Zoë Brandt <zoe@example.com>\nA-10023\nMy card was charged twice for the Straße order.\ninvoice-march.pdf\n",
                    0,
                ),
                doc(b.clone(), "billing", "Where is my parcel", "Bob <bob@example.net>\nIt never came.\n", 1),
            ],
            &[],
        )
        .await
        .unwrap();
    for (q, expected) in [
        ("A-10023", vec![a.clone()]),
        ("10023", vec![a.clone()]),
        ("zoe", vec![a.clone()]),
        ("ZOË", vec![a.clone()]),
        ("strasse", vec![a.clone()]),
        ("invoice march", vec![a.clone()]),
        ("charges ", vec![a.clone()]),
        ("parcels ", vec![b.clone()]),
        ("example", sorted(vec![a.clone(), b.clone()])),
        ("nothing-like-this", vec![]),
    ] {
        assert_eq!(
            sorted(found(&index, &words(q), None).await),
            expected,
            "{q}"
        );
    }
    let hit = index.find(&words("10023"), None).await.unwrap();
    assert!(
        hit.hits[0].text.contains("A-10023"),
        "the text comes back for the snippet"
    );
    assert_eq!(hit.hits[0].ticket.subject.as_str(), "Charged twice");
}

pub async fn every_word_must_match_and_the_last_may_be_a_beginning(index: Index) {
    let ids = SequentialIds::new();
    let (a, b) = (ids.ticket_ref(), ids.ticket_ref());
    index
        .put(
            &[
                doc(
                    a.clone(),
                    "billing",
                    "Refund request",
                    "please refund my order",
                    0,
                ),
                doc(b.clone(), "billing", "Order status", "where is my order", 1),
            ],
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        found(&index, &words("refund order "), None).await,
        vec![a.clone()]
    );
    assert_eq!(
        sorted(found(&index, &words("ord"), None).await),
        sorted(vec![a.clone(), b.clone()])
    );
    assert_eq!(
        found(&index, &words("order refu"), None).await,
        vec![a.clone()]
    );
    // A finished word is no beginning.
    assert!(found(&index, &words("refu "), None).await.is_empty());
}

pub async fn filters_narrow_and_the_scope_hides_other_categories(index: Index) {
    let ids = SequentialIds::new();
    let refs: Vec<TicketRef> = (0..4).map(|_| ids.ticket_ref()).collect();
    let mut docs = vec![
        doc(refs[0].clone(), "billing", "Refund one", "refund", 0),
        doc(refs[1].clone(), "billing", "Refund two", "refund", 10),
        doc(refs[2].clone(), "shipping", "Refund three", "refund", 20),
        doc(refs[3].clone(), "shipping", "Refund four", "refund", 30),
    ];
    docs[1].summary.status = Status::Open;
    docs[1].summary.assignee = Some(agent_id("ana"));
    docs[1].summary.priority = Priority::High;
    docs[1].summary.tags = vec![Tag::parse("vip").unwrap()];
    docs[2].summary.tier = Tier::Premium;
    docs[2].summary.tags = vec![Tag::parse("vip").unwrap(), Tag::parse("late").unwrap()];
    index.put(&docs, &[]).await.unwrap();
    let with = |f: fn(&mut RawSearch)| {
        let mut raw = RawSearch {
            q: Some("refund ".into()),
            ..RawSearch::default()
        };
        f(&mut raw);
        WordQuery::parse(&raw).unwrap()
    };
    let cases: Vec<(WordQuery, Vec<TicketRef>)> = vec![
        (
            with(|r| r.category = Some("shipping".into())),
            vec![refs[2].clone(), refs[3].clone()],
        ),
        (
            with(|r| r.status = Some("open".into())),
            vec![refs[1].clone()],
        ),
        (
            with(|r| r.assignee = Some("ana".into())),
            vec![refs[1].clone()],
        ),
        (
            with(|r| r.assignee = Some("none".into())),
            vec![refs[0].clone(), refs[2].clone(), refs[3].clone()],
        ),
        (
            with(|r| r.tag = Some("vip".into())),
            vec![refs[1].clone(), refs[2].clone()],
        ),
        (with(|r| r.tag = Some("late".into())), vec![refs[2].clone()]),
        (
            with(|r| r.priority = Some("high".into())),
            vec![refs[1].clone()],
        ),
        (
            with(|r| r.tier = Some("premium".into())),
            vec![refs[2].clone()],
        ),
        (
            with(|r| r.created_from = Some("2000-01-01T00:00:00Z".into())),
            refs.clone(),
        ),
    ];
    for (q, expected) in cases {
        assert_eq!(
            index.count(&q, None).await.unwrap(),
            expected.len() as u64,
            "count {:?}",
            q.filters
        );
        assert_eq!(
            sorted(found(&index, &q, None).await),
            sorted(expected),
            "{:?}",
            q.filters
        );
    }
    // Created in [+10 min, +30 min): the second and third.
    let mut ranged = words("refund ");
    ranged.filters.created.from = Some(t0() + Duration::minutes(10));
    ranged.filters.created.to = Some(t0() + Duration::minutes(30));
    assert_eq!(
        sorted(found(&index, &ranged, None).await),
        sorted(refs[1..3].to_vec())
    );
    let mut updated = words("refund ");
    updated.filters.updated.to = Some(t0() + Duration::minutes(10));
    assert_eq!(found(&index, &updated, None).await, vec![refs[0].clone()]);
    // Scope: an agent of billing never gets a shipping ticket, however asked.
    let billing = [category_id("billing")];
    assert_eq!(
        sorted(found(&index, &words("refund"), Some(&billing)).await),
        sorted(refs[..2].to_vec())
    );
    let mut foreign = words("refund");
    foreign.filters.category = Some(category_id("shipping"));
    assert!(found(&index, &foreign, Some(&billing)).await.is_empty());
    assert_eq!(
        index.count(&words("refund"), Some(&billing)).await.unwrap(),
        2
    );
    assert_eq!(index.count(&foreign, Some(&billing)).await.unwrap(), 0);
    assert!(found(&index, &words("refund"), Some(&[])).await.is_empty());
    let mut nobody = words("refund");
    nobody.filters.assignee = Some(Assignee::Agent(agent_id("bo")));
    assert!(found(&index, &nobody, None).await.is_empty());
}

pub async fn indexing_again_replaces_and_gone_tickets_leave(index: Index) {
    let ids = SequentialIds::new();
    let (a, b) = (ids.ticket_ref(), ids.ticket_ref());
    let first = doc(a.clone(), "billing", "Broken lamp", "the lamp flickers", 0);
    index
        .put(&[first.clone(), first.clone()], &[])
        .await
        .unwrap();
    index.put(&[first], &[]).await.unwrap();
    assert_eq!(
        index.find(&words("lamp"), None).await.unwrap().total,
        1,
        "once, however often indexed"
    );
    let mut later = doc(
        a.clone(),
        "shipping",
        "Broken lamp",
        "replacement shipped",
        5,
    );
    later.summary.status = Status::Resolved;
    index
        .put(
            &[later, doc(b.clone(), "billing", "Other", "other words", 1)],
            &[],
        )
        .await
        .unwrap();
    assert!(
        found(&index, &words("flickers"), None).await.is_empty(),
        "the old text is gone"
    );
    let page = index.find(&words("replacement"), None).await.unwrap();
    assert_eq!(page.hits.len(), 1);
    assert_eq!(
        page.hits[0].ticket.status,
        Status::Resolved,
        "the row is the new one"
    );
    assert_eq!(page.hits[0].ticket.category, category_id("shipping"));
    index
        .put(&[], &[a.clone(), ids.ticket_ref()])
        .await
        .unwrap();
    assert!(found(&index, &words("lamp"), None).await.is_empty());
    assert_eq!(found(&index, &words("other"), None).await, vec![b]);
}

pub async fn a_subject_match_ranks_first_then_the_latest_update(index: Index) {
    let ids = SequentialIds::new();
    let refs: Vec<TicketRef> = (0..3).map(|_| ids.ticket_ref()).collect();
    let body = "Hello, I wrote before about something else entirely and now the printer jams";
    index
        .put(
            &[
                doc(refs[0].clone(), "billing", "Question one", body, 0),
                doc(
                    refs[1].clone(),
                    "billing",
                    "Printer jams",
                    "it jams on every page",
                    5,
                ),
                doc(refs[2].clone(), "billing", "Question two", body, 9),
            ],
            &[],
        )
        .await
        .unwrap();
    // The two body matches are equally relevant (same words, same lengths): the
    // later update comes first.
    let order = found(&index, &words("printer "), None).await;
    assert_eq!(
        order,
        vec![refs[1].clone(), refs[2].clone(), refs[0].clone()]
    );
}

pub async fn pages_hold_every_hit_once_and_the_total_counts_them_all(index: Index) {
    let ids = SequentialIds::new();
    let docs: Vec<SearchDoc> = (0..PAGE_SIZE as i64 + 5)
        .map(|i| {
            doc(
                ids.ticket_ref(),
                "billing",
                "Same words",
                "same words here",
                i,
            )
        })
        .collect();
    index.put(&docs, &[]).await.unwrap();
    let mut seen = Vec::new();
    let mut q = words("same");
    for page in 1..=2 {
        q.page = page;
        let got = index.find(&q, None).await.unwrap();
        assert_eq!(got.total, docs.len() as u64);
        seen.extend(got.hits.into_iter().map(|h| h.ticket.reference));
    }
    let mut newest_first: Vec<TicketRef> =
        docs.iter().map(|d| d.summary.reference.clone()).collect();
    newest_first.reverse();
    assert_eq!(
        seen, newest_first,
        "equal matches: the latest update first, nothing twice"
    );
    q.page = 3;
    assert!(index.find(&q, None).await.unwrap().hits.is_empty());
}

pub async fn filters_alone_list_the_latest_first(index: Index) {
    let ids = SequentialIds::new();
    let refs: Vec<TicketRef> = (0..3).map(|_| ids.ticket_ref()).collect();
    let mut docs: Vec<SearchDoc> = refs
        .iter()
        .enumerate()
        .map(|(i, r)| doc(r.clone(), "billing", "Anything", "at all", i as i64))
        .collect();
    for d in &mut docs[1..] {
        d.summary.tags = vec![Tag::parse("vip").unwrap()];
    }
    index.put(&docs, &[]).await.unwrap();
    let q = WordQuery::parse(&RawSearch {
        tag: Some("vip".into()),
        ..RawSearch::default()
    })
    .unwrap();
    assert_eq!(
        found(&index, &q, None).await,
        vec![refs[2].clone(), refs[1].clone()]
    );
}

pub async fn an_older_version_never_replaces_a_newer_one(index: Index) {
    let ids = SequentialIds::new();
    let r = ids.ticket_ref();
    let mut newer = doc(r.clone(), "shipping", "Moved", "now in shipping", 5);
    newer.summary.version = 3;
    let mut older = doc(r.clone(), "billing", "Moved", "still in billing", 0);
    older.summary.version = 2;
    index.put(&[newer], &[]).await.unwrap();
    // A rebuild that read the ticket before its last change comes late.
    index.put(&[older.clone()], &[]).await.unwrap();
    let billing = [category_id("billing")];
    assert!(
        found(&index, &words("billing"), None).await.is_empty(),
        "the old text is not back"
    );
    assert!(
        found(&index, &words("moved"), Some(&billing))
            .await
            .is_empty(),
        "nor the old category"
    );
    assert_eq!(
        index.count(&words("moved"), Some(&billing)).await.unwrap(),
        0
    );
    let page = index.find(&words("moved"), None).await.unwrap();
    assert_eq!(page.hits[0].ticket.version, 3);
    // Both in one batch: the newer counts, in either order.
    let mut newest = doc(r.clone(), "returns", "Moved", "now in returns", 9);
    newest.summary.version = 4;
    index.put(&[newest, older], &[]).await.unwrap();
    assert_eq!(found(&index, &words("returns"), None).await, vec![r]);
}
