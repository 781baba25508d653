//! The handler: a scheduled tick puts lost mail back on the queue. The run's
//! use cases (the SLA run, the self-test) are tested in the domain crate.

use super::*;
use helpdesk_domain::ports::Categories;
use helpdesk_domain::ports::Outbox;
use helpdesk_domain::ports::TicketRecords;
use testkit::fakes::{FixedClock, RecordingQueue, SequentialIds};
use testkit::fixtures::{category, new_ticket};
use testkit::memory_store::InMemoryStore;

/// A ticket whose confirmation was stored (the outbox item `queued`) and whose
/// queue message never went out; the run's deps on the same fakes.
struct LostMail {
    store: Arc<InMemoryStore>,
    clock: Arc<FixedClock>,
    job: helpdesk_domain::mail::outbound::job::OutboundJob,
    queue: Arc<RecordingQueue>,
    deps: Deps,
}

impl LostMail {
    async fn new() -> Self {
        let store = Arc::new(InMemoryStore::default());
        store.put_category(&category("billing", 1)).await.unwrap();
        let clock = Arc::new(FixedClock::monday_morning());
        let ids = SequentialIds::new();
        let mut new = new_ticket(&ids, "billing", "jane@example.com", clock.now());
        let job = testkit::fixtures::confirmation_job(&ids, &new.ticket);
        new.outbox = vec![job.clone()];
        store.create_ticket(new).await.unwrap();
        let queue = Arc::new(RecordingQueue::default());
        let deps = Deps {
            tickets: store.clone(),
            catalog: store.clone(),
            catalog_now: store.clone(),
            outbound: queue.clone(),
            clock: clock.clone(),
            ids: Arc::new(SequentialIds::new()),
            self_test: None,
            data: store.clone(),
            attachments: Arc::new(testkit::InMemoryAttachments::default()),
            raw_mail: Arc::new(testkit::InMemoryRawMail::default()),
        };
        Self {
            store,
            clock,
            job,
            queue,
            deps,
        }
    }

    /// send-reply's claim at `minutes` after the start, for two minutes.
    async fn claim(&self, minutes: i64) {
        let now = self.clock.now() + Duration::minutes(minutes);
        let claim = helpdesk_domain::mail::outbound::job::OutboxClaim {
            job: self.job.clone(),
            now,
            lease_until: now + Duration::minutes(2),
            cap: None,
            tokens: vec![],
        };
        let claimed = self.store.claim_outbox(&claim).await.unwrap();
        assert_eq!(claimed, helpdesk_domain::mail::outbound::job::Claimed::Go);
    }

    /// The schedule's run `minutes` after the start: what it put back on the queue.
    async fn tick(&self, minutes: i64) -> helpdesk_domain::mail::outbound::resend::Resent {
        let at = self.clock.now() + Duration::minutes(minutes);
        let event = serde_json::from_value(serde_json::json!({
            "version": "0", "id": "t", "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "1", "time": at.to_rfc3339(), "region": "us-east-1", "resources": [], "detail": {}
        }))
        .unwrap();
        handle(&self.deps, event).await.unwrap().unsent_mail
    }
}

#[tokio::test]
async fn mail_whose_queue_message_was_lost_is_queued_again_until_sent() {
    let m = LostMail::new().await;
    assert_eq!(m.tick(5).await.resent, 0, "still within the grace time");
    assert_eq!(m.tick(11).await.resent, 1);
    assert_eq!(m.queue.jobs(), std::slice::from_ref(&m.job));
    assert_eq!(m.tick(15).await.resent, 0, "waits again from the resend");
    // The queue refuses: counted, tried again next run.
    m.queue
        .fail_next(helpdesk_domain::ports::QueueError::Unavailable(
            "down".into(),
        ));
    assert_eq!(m.tick(22).await.failed, 1);
    assert_eq!(m.tick(23).await.resent, 1);
    // send-reply claims it: left alone while the claim's lease (and the grace) runs,
    m.claim(24).await;
    assert_eq!(m.tick(35).await.resent, 0);
    assert_eq!(m.queue.jobs().len(), 2);
    // and once it is sent, never resent again.
    let sent = helpdesk_domain::mail::outbound::job::OutboxFinish::Sent {
        provider_id: "ses-1".into(),
        message_ids: vec![],
        ticket: None,
    };
    let at = m.clock.now() + Duration::minutes(25);
    m.store.finish_outbox(&m.job, sent, at).await.unwrap();
    assert_eq!(m.tick(60).await.resent, 0);
    assert_eq!(m.queue.jobs().len(), 2);
}

/// The sender died holding the claim (before SES) and the queue gave up on the
/// job: once the lease and the grace are over, the run puts it back.
#[tokio::test]
async fn mail_whose_sender_died_holding_the_claim_is_queued_again_after_its_lease() {
    let m = LostMail::new().await;
    m.claim(0).await;
    assert_eq!(
        m.tick(11).await.resent,
        0,
        "lease (2) + grace (10) not over"
    );
    assert_eq!(m.tick(13).await.resent, 1);
    assert_eq!(m.queue.jobs(), vec![m.job.clone()]);
}

#[tokio::test]
async fn a_tick_purges_closed_tickets_past_their_category_s_retention() {
    let lost = LostMail::new().await;
    let mut billing = category("billing", 1);
    billing.retention_months = Some(3);
    lost.store.put_category(&billing).await.unwrap();
    let reference = lost.job.ticket.clone().unwrap();
    let before = lost.store.load_ticket(&reference).await.unwrap().ticket;
    let mut closed = before.clone();
    closed.status = helpdesk_domain::Status::Closed;
    lost.store
        .update_ticket(helpdesk_domain::ports::store::TicketUpdate::new(
            &before,
            closed,
            vec![],
        ))
        .await
        .unwrap();
    let event = |days: i64| {
        let mut e = EventBridgeEvent::<serde_json::Value>::default();
        e.time = Some(lost.clock.now() + Duration::days(days));
        e
    };
    // Two months on it is kept; four months on the tick erases it.
    assert_eq!(handle(&lost.deps, event(60)).await.unwrap().purged, 0);
    assert_eq!(handle(&lost.deps, event(120)).await.unwrap().purged, 1);
    let shell = lost.store.load_ticket(&reference).await.unwrap();
    assert!(shell.ticket.erased_at.is_some());
    assert!(shell.messages.is_empty());
}
