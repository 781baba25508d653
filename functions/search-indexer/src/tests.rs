//! The indexer on the in-memory store and index, fed stream events shaped as
//! Lambda hands them over.

use super::*;
use async_trait::async_trait;
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::ports::{Clock, TicketRecords};
use helpdesk_domain::search::find::IndexPage;
use helpdesk_domain::search::{SearchDoc, WordQuery};
use helpdesk_domain::{CategoryId, Ticket};
use testkit::fixtures::new_ticket;
use testkit::{FixedClock, InMemoryStore, MemoryIndex, SequentialIds};

fn record(sequence: u64, pk: &str, sk: &str) -> serde_json::Value {
    serde_json::json!({
        "eventID": format!("e{sequence}"),
        "eventName": "MODIFY",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/helpdesk-main/stream/2026-12-04T00:00:00.000",
        "dynamodb": {
            "ApproximateCreationDateTime": 1764806400.0,
            "Keys": { "pk": { "S": pk }, "sk": { "S": sk } },
            "SequenceNumber": sequence.to_string(),
            "SizeBytes": 40,
            "StreamViewType": "KEYS_ONLY"
        }
    })
}

fn event(records: Vec<serde_json::Value>) -> Event {
    serde_json::from_value(serde_json::json!({ "Records": records }))
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn ticket(store: &InMemoryStore, ids: &SequentialIds, body: &str) -> Ticket {
    let mut new = new_ticket(
        ids,
        "billing",
        "ana@example.com",
        FixedClock::monday_morning().now(),
    );
    new.first_message.body_text = body.to_owned();
    match store.create_ticket(new).await {
        Ok(helpdesk_domain::ports::store::Created::New(t)) => *t,
        other => panic!("{other:?}"),
    }
}

fn words(q: &str) -> WordQuery {
    WordQuery {
        words: WordQuery::words_of(q),
        ..WordQuery::default()
    }
}

fn deps(store: Arc<InMemoryStore>, index: Arc<dyn WordIndex>) -> Deps {
    Deps {
        tickets: store.clone(),
        index,
        links: store,
    }
}

#[tokio::test]
async fn a_changed_ticket_and_its_messages_are_indexed_once_and_other_items_are_not_looked_at() {
    let store = Arc::new(InMemoryStore::default());
    let ids = SequentialIds::new();
    let t = ticket(&store, &ids, "The blender A-7731 smokes").await;
    let index = Arc::new(MemoryIndex::default());
    let d = deps(store, index.clone());
    let pk = format!("T#{}", t.reference.as_str());
    let out = handle(
        &d,
        event(vec![
            record(1, &pk, "T"),
            record(2, &pk, "M#2026-12-04T09:00:00Z#m1"),
            record(3, &pk, "OUT#x"),
            record(4, "CATEGORY", "billing"),
        ]),
    )
    .await;
    assert!(out.batch_item_failures.is_empty());
    let page = index
        .find(&words("blender smokes"), None)
        .await
        .unwrap_or_default();
    assert_eq!(page.total, 1);
    assert_eq!(page.hits[0].ticket.reference, t.reference);
    // The same records again (the stream delivers at least once): still one.
    handle(&d, event(vec![record(1, &pk, "T")])).await;
    assert_eq!(
        index
            .find(&words("a 7731"), None)
            .await
            .unwrap_or_default()
            .total,
        1
    );
}

#[tokio::test]
async fn a_ticket_no_longer_stored_leaves_the_index() {
    let store = Arc::new(InMemoryStore::default());
    let ids = SequentialIds::new();
    let index = Arc::new(MemoryIndex::default());
    let t = ticket(&store, &ids, "kettle").await;
    // Indexed as it was, then gone from the store (erased): a second store
    // without it stands for the table after the deletion.
    index
        .put(
            &[SearchDoc::of(
                &store
                    .load_ticket(&t.reference)
                    .await
                    .unwrap_or_else(|e| panic!("{e}")),
            )],
            &[],
        )
        .await
        .unwrap_or_default();
    let d = deps(Arc::new(InMemoryStore::default()), index.clone());
    let pk = format!("T#{}", t.reference.as_str());
    handle(&d, event(vec![record(9, &pk, "T")])).await;
    assert_eq!(
        index
            .find(&words("kettle"), None)
            .await
            .unwrap_or_default()
            .total,
        0
    );
}

#[tokio::test]
async fn an_erased_customer_s_ticket_leaves_the_index() {
    let store = Arc::new(InMemoryStore::default());
    let ids = SequentialIds::new();
    let index = Arc::new(MemoryIndex::default());
    let t = ticket(&store, &ids, "samovar").await;
    let d = deps(store.clone(), index.clone());
    let pk = format!("T#{}", t.reference.as_str());
    handle(&d, event(vec![record(1, &pk, "T")])).await;
    let found = |q: &'static str| {
        let index = index.clone();
        async move { index.find(&words(q), None).await.unwrap_or_default().total }
    };
    assert_eq!(found("samovar").await, 1);
    let shell = helpdesk_domain::customers::data::shell(&t, t.created_at);
    store
        .update_ticket(helpdesk_domain::ports::store::TicketUpdate::new(
            &t,
            shell,
            vec![],
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    handle(&d, event(vec![record(2, &pk, "T")])).await;
    // Not found by its old words, nor listed as a shell.
    assert_eq!(found("samovar").await, 0);
    assert_eq!(found("erased").await, 0);
}

/// An index that is down.
struct Down;

#[async_trait]
impl WordIndex for Down {
    async fn put(&self, _: &[SearchDoc], _: &[TicketRef]) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("S3 down".into()))
    }

    async fn find(&self, _: &WordQuery, _: Option<&[CategoryId]>) -> Result<IndexPage, StoreError> {
        Err(StoreError::Unavailable("S3 down".into()))
    }
}

#[tokio::test]
async fn a_failed_batch_is_handed_back_from_its_first_record() {
    let store = Arc::new(InMemoryStore::default());
    let ids = SequentialIds::new();
    let t = ticket(&store, &ids, "toaster").await;
    let d = deps(store, Arc::new(Down));
    let pk = format!("T#{}", t.reference.as_str());
    let out = handle(
        &d,
        event(vec![record(41, "CATEGORY", "x"), record(42, &pk, "T")]),
    )
    .await;
    let failed: Vec<Option<String>> = out
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    assert_eq!(
        failed,
        vec![Some("41".to_owned())],
        "from the batch's first record on"
    );
}

#[test]
fn keys_that_are_not_text_name_no_ticket() {
    let e = event(vec![serde_json::json!({
        "eventID": "1", "eventName": "REMOVE", "awsRegion": "us-east-1",
        "dynamodb": { "Keys": { "pk": { "N": "7" }, "sk": { "S": "T" } }, "SizeBytes": 1 }
    })]);
    assert_eq!(ticket_of(&e.records[0]), None);
}

#[tokio::test]
async fn a_rebuild_indexes_every_stored_ticket_page_by_page() {
    let store = Arc::new(InMemoryStore::default());
    let ids = SequentialIds::new();
    let mut refs = Vec::new();
    for n in 0..5 {
        refs.push(
            ticket(&store, &ids, &format!("rebuild word{n} common"))
                .await
                .reference,
        );
    }
    let index = Arc::new(MemoryIndex::default());
    let d = deps(store, index.clone());
    let done = rebuild(&d).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(done.indexed, 5);
    assert_eq!(
        index
            .find(&words("common"), None)
            .await
            .unwrap_or_default()
            .total,
        5
    );
    assert_eq!(
        index
            .find(&words("word3"), None)
            .await
            .unwrap_or_default()
            .total,
        1
    );
    // Again: the same five, not ten.
    rebuild(&d).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        index
            .find(&words("common"), None)
            .await
            .unwrap_or_default()
            .total,
        5
    );
}

#[tokio::test]
async fn words_erased_from_a_request_that_stays_leave_no_stored_index_file() {
    use helpdesk_domain::agents::audit::Actor;
    use helpdesk_domain::customers::data::CustomerData;
    use helpdesk_domain::tickets::message::{Author, MessageKind};
    let store = Arc::new(InMemoryStore::default());
    let ids = SequentialIds::new();
    let now = FixedClock::monday_morning().now();
    // Ana's request, and Bob writing into it.
    let t = ticket(&store, &ids, "The router reboots").await;
    let bob = testkit::fixtures::email("bob@example.com");
    let mut from_bob = testkit::fixtures::agent_reply(&ids, &t, "ana", now);
    from_bob.kind = MessageKind::Customer;
    from_bob.author = Author::Customer {
        name: helpdesk_domain::values::text::DisplayName::from_mail("Bob"),
        email: bob.clone(),
    };
    from_bob.body_text = "The logs of zanzibarqq".into();
    let update = helpdesk_domain::ports::store::TicketUpdate::new(&t, t.clone(), vec![from_bob]);
    store
        .update_ticket(update)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The indexer as on AWS: its index's files in a bucket.
    let files = Arc::new(helpdesk_search::files::MemoryFiles::default());
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let index = helpdesk_search::synced::SyncedIndex::writer(dir.path(), files.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let index = Arc::new(index);
    let d = deps(store.clone(), index.clone());
    let pk = format!("T#{}", t.reference.as_str());
    handle(&d, event(vec![record(1, &pk, "T")])).await;
    assert!(files.holding(b"zanzibarqq") > 0, "indexed");

    // Bob is erased; Ana's request stays.
    let (attachments, raw) = (
        testkit::fakes::InMemoryAttachments::default(),
        testkit::fakes::InMemoryRawMail::default(),
    );
    let data = CustomerData {
        tickets: &*store,
        erasure: &*store,
        notes: &*store,
        do_not_email: &*store,
        tiers: &*store,
        senders: &*store,
        audit: &*store,
        agents: &*store,
        attachments: &attachments,
        raw_mail: &raw,
    };
    let erased = data
        .erase(&bob, Actor::Schedule, now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((erased.shared_tickets, erased.messages), (1, 1));
    // The stream: his message's deletion and the ticket's last write. Read
    // now, the ticket says words were taken out after the version indexed.
    handle(
        &d,
        event(vec![
            record(2, &pk, "M#2026-12-07T09:00:00Z#m2"),
            record(3, &pk, "T"),
        ]),
    )
    .await;
    assert_eq!(
        files.holding(b"zanzibarqq"),
        0,
        "no stored file holds his words"
    );
    assert_eq!(
        index
            .find(&words("router reboots"), None)
            .await
            .map(|p| p.total)
            .ok(),
        Some(1),
        "her request is still found"
    );
}
