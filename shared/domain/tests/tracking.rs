//! The tracking page's use case (`customers::tracking`) on the in-memory store:
//! which secret opens what, who sees our answers, and a customer's reply.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use chrono::Duration;
use helpdesk_domain::agents::profile::Role;
use helpdesk_domain::customers::limits::ReplyLimits;
use helpdesk_domain::customers::tracking::{Tracking, TrackingError};
use helpdesk_domain::ports::store::TrackingToken;
use helpdesk_domain::ports::{
    Categories, Clock, IdSource, SlaPolicies, TicketRecords, TrackingTokens,
};
use helpdesk_domain::values::token::SecretToken;
use helpdesk_domain::{MessageKind, Status, TicketRef};
use testkit::fakes::{FixedClock, InMemoryAttachments, RecordingQueue, SequentialIds};
use testkit::fixtures::{caller, category, new_ticket, office_policy, reply};
use testkit::memory_store::InMemoryStore;

struct World {
    store: InMemoryStore,
    attachments: InMemoryAttachments,
    outbound: RecordingQueue,
    clock: FixedClock,
    ids: SequentialIds,
    reference: TicketRef,
}

impl World {
    /// One ticket from jane@example.com, answered once by an agent.
    async fn new() -> Self {
        let store = InMemoryStore::default();
        store.put_category(&category("billing", 1)).await.unwrap();
        store.put_policy(&office_policy("default")).await.unwrap();
        let clock = FixedClock::monday_morning();
        let ids = SequentialIds::new();
        let mut new = new_ticket(&ids, "billing", "jane@example.com", clock.now());
        // Sent through the form: nobody has shown the address is theirs yet.
        new.ticket.email_verified = false;
        let reference = new.ticket.reference.clone();
        store.create_ticket(new).await.unwrap();
        let desk = helpdesk_domain::agents::actions::Desk {
            tickets: &store,
            catalog: &store,
            outbound: &RecordingQueue::default(),
            clock: &clock,
            ids: &ids,
        };
        let ana = caller("ana", Role::Agent, &["billing"]);
        let version = store.load_ticket(&reference).await.unwrap().ticket.version;
        desk.act(
            &ana,
            &reference,
            version,
            None,
            reply("Your refund is on its way."),
        )
        .await
        .unwrap();
        Self {
            store,
            attachments: InMemoryAttachments::default(),
            outbound: RecordingQueue::default(),
            clock,
            ids,
            reference,
        }
    }

    /// A secret for the ticket: `mailed` to the requester, or handed to whoever
    /// filled in the form.
    async fn secret(&self, mailed: bool, valid_for: Duration) -> SecretToken {
        let secret = self.ids.secret_token();
        let token = TrackingToken {
            hash: secret.hash(),
            expires_at: self.clock.now() + valid_for,
            mailed,
        };
        self.store
            .add_tracking_token(&self.reference, token)
            .await
            .unwrap();
        secret
    }

    fn tracking(&self) -> Tracking<'_> {
        Tracking {
            tickets: &self.store,
            catalog: &self.store,
            attachments: &self.attachments,
            outbound: &self.outbound,
            clock: &self.clock,
            ids: &self.ids,
            token_ttl: Duration::days(90),
            replies: ReplyLimits::default(),
            language: helpdesk_domain::i18n::Language::En,
        }
    }
}

#[tokio::test]
async fn the_forms_secret_shows_the_request_but_never_our_answers() {
    let w = World::new().await;
    let secret = w.secret(false, Duration::days(90)).await;
    let opened = w.tracking().open(&w.reference, &secret).await.unwrap();
    assert!(!opened.answers);
    let shown: Vec<MessageKind> = opened.shown().map(|m| m.kind).collect();
    assert_eq!(shown, [MessageKind::Customer]);
    assert!(!opened.thread.ticket.email_verified);
}

#[tokio::test]
async fn a_mailed_secret_shows_our_answers_and_verifies_the_address_once() {
    let w = World::new().await;
    let secret = w.secret(true, Duration::days(90)).await;
    let opened = w.tracking().open(&w.reference, &secret).await.unwrap();
    assert!(opened.answers);
    assert!(
        opened
            .shown()
            .any(|m| m.body_text.contains("refund is on its way"))
    );
    assert!(opened.thread.ticket.email_verified);
    let version = opened.thread.ticket.version;
    // Opening it again writes nothing more.
    let again = w.tracking().open(&w.reference, &secret).await.unwrap();
    assert_eq!(again.thread.ticket.version, version);
    let verified_notes = again
        .thread
        .messages
        .iter()
        .filter(|m| m.body_text.contains("it is verified"))
        .count();
    assert_eq!(verified_notes, 1);
}

#[tokio::test]
async fn another_tickets_expired_or_unknown_secret_opens_nothing() {
    let w = World::new().await;
    let expired = w.secret(true, Duration::minutes(5)).await;
    w.clock.advance(Duration::minutes(6));
    let unknown = SecretToken::random();
    // A secret that opens another ticket.
    let other = new_ticket(&w.ids, "billing", "mallory@example.com", w.clock.now());
    let other_ref = other.ticket.reference.clone();
    w.store.create_ticket(other).await.unwrap();
    let others_secret = w.ids.secret_token();
    w.store
        .add_tracking_token(
            &other_ref,
            TrackingToken {
                hash: others_secret.hash(),
                expires_at: w.clock.now() + Duration::days(1),
                mailed: true,
            },
        )
        .await
        .unwrap();
    for secret in [&expired, &unknown, &others_secret] {
        let result = w.tracking().open(&w.reference, secret).await;
        assert!(matches!(result, Err(TrackingError::NotFound)), "{result:?}");
    }
}

#[tokio::test]
async fn the_customers_reply_reopens_a_ticket_that_waits_on_them() {
    let w = World::new().await;
    let secret = w.secret(false, Duration::days(90)).await;
    let before = w.store.load_ticket(&w.reference).await.unwrap().ticket;
    assert_eq!(before.status, Status::WaitingOnCustomer);
    let after = w
        .tracking()
        .reply(&w.reference, &secret, "It has not arrived yet.", &[])
        .await
        .unwrap();
    assert_eq!(after.status, Status::Open);
    let thread = w.store.load_ticket(&w.reference).await.unwrap();
    let last = thread.messages.last().unwrap();
    assert_eq!(last.kind, MessageKind::Customer);
    assert_eq!(last.body_text, "It has not arrived yet.");
    // An empty reply is refused, naming the field.
    let empty = w.tracking().reply(&w.reference, &secret, "   ", &[]).await;
    let Err(TrackingError::Invalid(fields)) = empty else {
        panic!("an empty reply was taken: {empty:?}")
    };
    assert_eq!(fields[0].field, "body");
}
