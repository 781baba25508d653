use super::*;
use helpdesk_domain::clocks::{self, Rules};
use testkit::fakes::{FixedClock, RecordingQueue, SequentialIds};
use testkit::fixtures::{category, new_ticket, office_policy};
use testkit::memory_store::InMemoryStore;

#[tokio::test]
async fn a_run_handles_at_most_its_limit_and_the_next_run_takes_the_rest() {
    let store = Arc::new(InMemoryStore::default());
    let billing = category("billing", 1);
    store.put_category(&billing).await.unwrap();
    store.put_policy(&office_policy("default")).await.unwrap();
    let clock = FixedClock::monday_morning();
    let ids = SequentialIds::new();
    let rules = Rules::load(&*store, &billing.id).await.unwrap();
    for n in 0..3 {
        let mut new = new_ticket(&ids, "billing", &format!("c{n}@example.com"), clock.now());
        clocks::open(&mut new.ticket, &rules, clock.now());
        store.create_ticket(new).await.unwrap();
    }
    // A week later every first-response clock is long past level 2.
    clock.advance(Duration::days(7));
    let queue = RecordingQueue::default();
    let run = |max_tickets| SlaRun {
        tickets: &*store,
        catalog: &*store,
        outbound: &queue,
        clock: &clock,
        ids: &ids,
        max_tickets,
    };
    let first = run(2).run().await.unwrap();
    assert_eq!(
        (first.looked_at, first.left_for_next_run),
        (2, true),
        "{first:?}"
    );
    let second = run(2).run().await.unwrap();
    assert_eq!(
        (second.looked_at, second.left_for_next_run),
        (1, false),
        "{second:?}"
    );
    assert_eq!(first.escalated + second.escalated, 3);
}
