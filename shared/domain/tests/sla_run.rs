//! The scheduled SLA run (`sla::escalation`) on the in-memory store.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use chrono::Duration;
use helpdesk_domain::mail::outbound::job::{MailKind, OutboxState};
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
    // The queue refuses the run's digest: counted, and kept in the outbox for
    // the sweeper.
    queue.fail_next(helpdesk_domain::ports::QueueError::Throttled);
    let first = run(2).run().await.unwrap();
    assert_eq!(
        (first.looked_at, first.left_for_next_run),
        (2, true),
        "{first:?}"
    );
    assert_eq!((first.digests, first.mail_not_queued), (1, 1), "{first:?}");
    assert!(queue.jobs().is_empty());
    let stored: Vec<_> = store
        .outbox_snapshot()
        .into_iter()
        .filter(|(j, _)| j.kind == MailKind::SlaDigest)
        .collect();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].1, OutboxState::Queued);
    assert!(stored[0].0.recipient.as_str().starts_with("sue"));
    let second = run(2).run().await.unwrap();
    assert_eq!(
        (second.looked_at, second.left_for_next_run),
        (1, false),
        "{second:?}"
    );
    assert_eq!(first.escalated + second.escalated, 3);
    // The second run's digest went out.
    assert_eq!(queue.jobs().len(), 1);
    assert_eq!(queue.jobs()[0].kind, MailKind::SlaDigest);
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
    let (store, clock, ids) = desk_with_tickets(10).await;
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
    let (store, clock, ids) = desk_with_tickets(250).await;
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

/// A store with billing, a supervisor (sue), an admin (ada) and a billing agent
/// (ana), and `n` billing tickets opened on Monday morning.
async fn desk_with_tickets(n: usize) -> (Arc<InMemoryStore>, FixedClock, SequentialIds) {
    use helpdesk_domain::agents::profile::Role;
    let store = Arc::new(InMemoryStore::default());
    let billing = category("billing", 1);
    store.put_category(&billing).await.unwrap();
    store.put_policy(&office_policy("default")).await.unwrap();
    for (id, role, cats) in [
        ("sue", Role::Supervisor, vec![]),
        ("ada", Role::Admin, vec![]),
        ("ana", Role::Agent, vec!["billing"]),
    ] {
        let a = testkit::fixtures::agent(id, role, &cats);
        store.put_agent(&a).await.unwrap();
    }
    let clock = FixedClock::monday_morning();
    let ids = SequentialIds::new();
    let rules = Rules::load(&*store, &billing.id).await.unwrap();
    for k in 0..n {
        let mut new = new_ticket(&ids, "billing", &format!("c{k}@example.com"), clock.now());
        clocks::open(&mut new.ticket, &rules, clock.now());
        store.create_ticket(new).await.unwrap();
    }
    (store, clock, ids)
}

fn run_on<'a>(
    store: &'a InMemoryStore,
    queue: &'a RecordingQueue,
    clock: &'a FixedClock,
    ids: &'a SequentialIds,
) -> SlaRun<'a> {
    SlaRun {
        tickets: store,
        catalog: store,
        outbound: queue,
        clock,
        ids,
        max_tickets: 10_000,
        concurrency: 8,
        stop: None,
    }
}

#[tokio::test]
async fn agents_hear_of_a_runs_steps_in_one_digest_each_and_every_step_stays_an_event() {
    let (store, clock, ids) = desk_with_tickets(120).await;
    let queue = RecordingQueue::default();
    // Thursday noon in Berlin, past the first-response target of three working
    // days: level 1 everywhere (unassigned, so the category's agent hears of it).
    clock.advance(Duration::days(3) + Duration::hours(2));
    let first = run_on(&store, &queue, &clock, &ids).run().await.unwrap();
    assert_eq!((first.looked_at, first.breached), (120, 120), "{first:?}");
    let jobs = queue.jobs();
    assert_eq!(jobs.len(), 1, "one mail, to ana: {jobs:?}");
    assert_eq!(jobs[0].recipient.as_str(), "ana@helpdesk.test");
    // The queue message only points at the stored digest.
    let (stored, _) = store
        .outbox_snapshot()
        .into_iter()
        .find(|(j, _)| j.outbox_id == jobs[0].outbox_id)
        .unwrap();
    let digest = stored.digest.unwrap();
    assert_eq!((digest.total, digest.breached), (120, 120));
    assert_eq!(
        digest.lines.len(),
        helpdesk_domain::mail::outbound::digest::DIGEST_LINES
    );
    // A week later: level 2 for all, told to the supervisors (not the admin).
    clock.advance(Duration::days(7));
    let second = run_on(&store, &queue, &clock, &ids).run().await.unwrap();
    assert_eq!(second.escalated, 120, "{second:?}");
    let later: Vec<_> = queue.jobs().into_iter().skip(1).collect();
    assert_eq!(later.len(), 1, "{later:?}");
    assert_eq!(later[0].recipient.as_str(), "sue@helpdesk.test");
    // Every step is still an event on its ticket.
    for (ticket, messages) in store.threads_snapshot() {
        let events: Vec<_> = messages.iter().map(|m| m.body_text.as_str()).collect();
        for step in ["SLA breached (level 1)", "SLA escalated"] {
            assert!(
                events.iter().any(|e| e.starts_with(step)),
                "{}: {events:?}",
                ticket.reference
            );
        }
    }
    // Nothing else is mailed per ticket, and no run is left open.
    assert_eq!(
        store.outbox_snapshot().len(),
        2,
        "{:?}",
        store.outbox_snapshot()
    );
    use helpdesk_domain::ports::SlaNotices;
    assert!(
        store
            .open_notice_runs(clock.now() + Duration::days(1))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_run_that_died_before_its_digests_is_gathered_by_a_later_run_once() {
    use helpdesk_domain::mail::outbound::digest::DigestLine;
    use helpdesk_domain::ports::store::TicketUpdate;
    use helpdesk_domain::ports::{IdSource, SlaNotices};
    use helpdesk_domain::sla::clocks::Stage;
    use helpdesk_domain::sla::notice::Notice;
    use helpdesk_domain::values::ids::RunId;
    let (store, clock, ids) = desk_with_tickets(1).await;
    // A run opened, stored one step with its notice, and died.
    let dead = RunId::parse("dead-run-0001").unwrap();
    let t0 = clock.now();
    store.open_notice_run(&dead, t0).await.unwrap();
    let thread = store
        .load_ticket(&store.threads_snapshot()[0].0.reference)
        .await
        .unwrap();
    let event_id = ids.message_id(clock.now());
    let notice = Notice {
        run: dead.clone(),
        message: event_id,
        line: DigestLine {
            ticket: thread.ticket.reference.clone(),
            category: thread.ticket.category.clone(),
            subject: thread.ticket.subject.as_str().to_owned(),
            stage: Stage::Escalated,
            text: "SLA escalated to the supervisors (level 2)".into(),
        },
        recipients: vec![testkit::fixtures::email("sue@helpdesk.test")],
    };
    let mut after = thread.ticket.clone();
    after.updated_at = clock.now();
    store
        .update_ticket(
            TicketUpdate::new(&thread.ticket, after, vec![]).with_notices(vec![notice.clone()]),
        )
        .await
        .unwrap();
    let queue = RecordingQueue::default();
    // Five minutes on, the dead run might still be running: left alone.
    clock.advance(Duration::minutes(5));
    let next = run_on(&store, &queue, &clock, &ids).run().await.unwrap();
    assert_eq!((next.runs_recovered, next.digests), (0, 0), "{next:?}");
    assert!(queue.jobs().is_empty());
    // Ten minutes on it is dead: its digest goes out.
    clock.advance(Duration::minutes(6));
    let later = run_on(&store, &queue, &clock, &ids).run().await.unwrap();
    assert_eq!((later.runs_recovered, later.digests), (1, 1), "{later:?}");
    let jobs = queue.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].recipient.as_str(), "sue@helpdesk.test");
    let digests = || {
        store
            .outbox_snapshot()
            .into_iter()
            .filter(|(j, _)| j.kind == MailKind::SlaDigest)
            .map(|(j, _)| j)
            .collect::<Vec<_>>()
    };
    let first = digests();
    assert_eq!(first.len(), 1);
    // A crash after the digest was stored and before the run was closed: the
    // run is still open, and a later run gathers it again. Still one mail, the
    // one stored first, even though the notices now say more.
    store.open_notice_run(&dead, t0).await.unwrap();
    let mut more = notice.clone();
    more.message = ids.message_id(clock.now());
    more.line.text = "SLA escalated again".into();
    let mut after = store
        .load_ticket(&thread.ticket.reference)
        .await
        .unwrap()
        .ticket;
    let before = after.clone();
    after.updated_at = clock.now();
    store
        .update_ticket(TicketUpdate::new(&before, after, vec![]).with_notices(vec![more]))
        .await
        .unwrap();
    let again = run_on(&store, &queue, &clock, &ids).run().await.unwrap();
    assert_eq!((again.runs_recovered, again.digests), (1, 1), "{again:?}");
    assert_eq!(digests(), first);
    let last = run_on(&store, &queue, &clock, &ids).run().await.unwrap();
    assert_eq!(last.runs_recovered, 0, "{last:?}");
}

#[tokio::test]
async fn an_sla_warning_reaches_its_assignee_only_when_chosen_and_away_from_the_console() {
    use helpdesk_domain::agents::alert_mail::AlertChoices;
    use helpdesk_domain::ports::Presence;
    use helpdesk_domain::ports::store::TicketUpdate;
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Ana {
        AsBefore,
        TurnedOff,
        InConsole,
    }
    for ana in [Ana::AsBefore, Ana::TurnedOff, Ana::InConsole] {
        let (store, clock, ids) = desk_with_tickets(1).await;
        let ana_id = testkit::fixtures::agent_id("ana");
        let (ticket, _) = store.threads_snapshot().into_iter().next().unwrap();
        let before = store.load_ticket(&ticket.reference).await.unwrap().ticket;
        let mut after = before.clone();
        after.assignee = Some(ana_id.clone());
        store
            .update_ticket(TicketUpdate::new(&before, after, vec![]))
            .await
            .unwrap();
        if ana == Ana::TurnedOff {
            let off = AlertChoices {
                sla_warning: false,
                ..AlertChoices::default()
            };
            store.set_alert_choices(&ana_id, &off).await.unwrap();
        }
        let queue = RecordingQueue::default();
        let mut warned = 0;
        for _ in 0..72 {
            clock.advance(Duration::hours(1));
            if ana == Ana::InConsole {
                store.saw_agent(&ana_id, clock.now()).await.unwrap();
            }
            warned += run_on(&store, &queue, &clock, &ids)
                .run()
                .await
                .unwrap()
                .warned;
            if warned > 0 {
                break;
            }
        }
        assert_eq!(warned, 1, "{ana:?}: the step is taken and stays an event");
        let to_ana = queue
            .jobs()
            .into_iter()
            .filter(|j| {
                j.kind == MailKind::SlaDigest && j.recipient.as_str() == "ana@helpdesk.test"
            })
            .count();
        assert_eq!(to_ana, usize::from(ana == Ana::AsBefore), "{ana:?}");
    }
}
