//! The scheduled SLA run (`sla::escalation`) on the in-memory store.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use chrono::Duration;
use helpdesk_domain::ports::{AgentProfiles, Categories, Clock, SlaPolicies, TicketRecords};
use helpdesk_domain::sla::clocks::{self, Rules};
use helpdesk_domain::sla::escalation::{SlaRun, Stop};
use std::sync::Arc;
use testkit::fakes::{FixedClock, RecordingQueue, SequentialIds};
use testkit::fixtures::{category, new_ticket, office_policy};
use testkit::memory_store::InMemoryStore;

#[tokio::test]
async fn a_run_handles_at_most_its_limit_and_the_next_run_takes_the_rest() {
    let store = Arc::new(InMemoryStore::default());
    let billing = category("billing", 1);
    store.put_category(&billing).await.unwrap();
    store.put_policy(&office_policy("default")).await.unwrap();
    // Who is told of an escalation.
    let sue = testkit::fixtures::agent(
        "sue",
        helpdesk_domain::agents::profile::Role::Supervisor,
        &[],
    );
    store.put_agent(&sue).await.unwrap();
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
        concurrency: 2,
        stop: None,
    };
    // The queue refuses one message: counted, the rest still go out.
    queue.fail_next(helpdesk_domain::ports::QueueError::Throttled);
    let first = run(2).run().await.unwrap();
    assert_eq!(
        (first.looked_at, first.left_for_next_run),
        (2, true),
        "{first:?}"
    );
    // A run that stops at its limit has queued the mail of every step it stored.
    let queued = queue.jobs().len() as u32;
    assert!(queued > 0, "{first:?}");
    assert_eq!(first.mail_not_queued, 1);
    assert!(
        queue
            .jobs()
            .iter()
            .all(|j| j.recipient.as_str().starts_with("sue"))
    );
    let second = run(2).run().await.unwrap();
    assert_eq!(
        (second.looked_at, second.left_for_next_run),
        (1, false),
        "{second:?}"
    );
    assert_eq!(first.escalated + second.escalated, 3);
}

/// A wall clock that moves a second each time it is read.
struct Ticking(std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

impl Clock for Ticking {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        let mut t = self.0.lock().unwrap();
        *t += Duration::seconds(1);
        *t
    }
}

#[tokio::test]
async fn a_run_out_of_time_stops_taking_tickets_and_the_next_run_takes_the_rest() {
    let store = Arc::new(InMemoryStore::default());
    let billing = category("billing", 1);
    store.put_category(&billing).await.unwrap();
    store.put_policy(&office_policy("default")).await.unwrap();
    let clock = FixedClock::monday_morning();
    let ids = SequentialIds::new();
    let rules = Rules::load(&*store, &billing.id).await.unwrap();
    for n in 0..10 {
        let mut new = new_ticket(&ids, "billing", &format!("c{n}@example.com"), clock.now());
        clocks::open(&mut new.ticket, &rules, clock.now());
        store.create_ticket(new).await.unwrap();
    }
    clock.advance(Duration::days(7));
    let queue = RecordingQueue::default();
    let wall = Ticking(std::sync::Mutex::new(clock.now()));
    let started = clock.now();
    let run = |stop| SlaRun {
        tickets: &*store,
        catalog: &*store,
        outbound: &queue,
        clock: &clock,
        ids: &ids,
        max_tickets: 100,
        concurrency: 1,
        stop,
    };
    // The wall clock passes the stop on its fifth reading: four tickets are taken.
    let first = run(Some(Stop {
        wall: &wall,
        at: started + Duration::milliseconds(4_500),
    }))
    .run()
    .await
    .unwrap();
    assert_eq!(
        (first.looked_at, first.left_for_next_run),
        (4, true),
        "{first:?}"
    );
    let second = run(None).run().await.unwrap();
    assert_eq!(
        (second.looked_at, second.left_for_next_run),
        (6, false),
        "{second:?}"
    );
    // Every ticket's steps were taken once.
    assert_eq!(first.escalated + second.escalated, 10);
}

#[tokio::test]
async fn tickets_taken_at_once_are_each_handled_once() {
    let store = Arc::new(InMemoryStore::default());
    let billing = category("billing", 1);
    store.put_category(&billing).await.unwrap();
    store.put_policy(&office_policy("default")).await.unwrap();
    let clock = FixedClock::monday_morning();
    let ids = SequentialIds::new();
    let rules = Rules::load(&*store, &billing.id).await.unwrap();
    for n in 0..250 {
        let mut new = new_ticket(&ids, "billing", &format!("c{n}@example.com"), clock.now());
        clocks::open(&mut new.ticket, &rules, clock.now());
        store.create_ticket(new).await.unwrap();
    }
    clock.advance(Duration::days(7));
    let queue = RecordingQueue::default();
    let report = SlaRun {
        tickets: &*store,
        catalog: &*store,
        outbound: &queue,
        clock: &clock,
        ids: &ids,
        max_tickets: 1_000,
        concurrency: 16,
        stop: None,
    }
    .run()
    .await
    .unwrap();
    assert_eq!(report.looked_at, 250, "{report:?}");
    assert_eq!(report.escalated, 250, "{report:?}");
    assert!(!report.left_for_next_run);
}
