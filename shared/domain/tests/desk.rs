//! What agents do to tickets (`agents::actions`) on the in-memory store: only in
//! their categories, only from the version they saw, one mail per reply and none
//! for a note.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use helpdesk_domain::agents::actions::{Action, Desk, DeskError};
use helpdesk_domain::agents::profile::Role;
use helpdesk_domain::mail::outbound::job::MailKind;
use helpdesk_domain::ports::{AgentProfiles, Categories, Clock, SlaPolicies, TicketRecords};
use helpdesk_domain::{MessageKind, Status, TicketRef};
use testkit::fakes::{FixedClock, RecordingQueue, SequentialIds};
use testkit::fixtures::{agent, agent_id, caller, category, new_ticket, office_policy, reply};
use testkit::memory_store::InMemoryStore;

struct World {
    store: InMemoryStore,
    queue: RecordingQueue,
    clock: FixedClock,
    ids: SequentialIds,
}

impl World {
    async fn new() -> Self {
        let store = InMemoryStore::default();
        store.put_category(&category("billing", 1)).await.unwrap();
        store.put_category(&category("shipping", 2)).await.unwrap();
        store.put_policy(&office_policy("default")).await.unwrap();
        Self {
            store,
            queue: RecordingQueue::default(),
            clock: FixedClock::monday_morning(),
            ids: SequentialIds::new(),
        }
    }

    fn desk(&self) -> Desk<'_> {
        Desk {
            tickets: &self.store,
            catalog: &self.store,
            outbound: &self.queue,
            clock: &self.clock,
            ids: &self.ids,
        }
    }

    async fn ticket(&self, category: &str) -> TicketRef {
        let new = new_ticket(&self.ids, category, "jane@example.com", self.clock.now());
        let reference = new.ticket.reference.clone();
        self.store.create_ticket(new).await.unwrap();
        reference
    }

    async fn version(&self, reference: &TicketRef) -> u64 {
        self.store
            .load_ticket(reference)
            .await
            .unwrap()
            .ticket
            .version
    }
}

#[tokio::test]
async fn a_ticket_outside_the_agents_categories_is_as_missing_as_one_that_does_not_exist() {
    let w = World::new().await;
    let shipping = w.ticket("shipping").await;
    let ana = caller("ana", Role::Agent, &["billing"]);
    let version = w.version(&shipping).await;
    assert_eq!(
        w.desk().open(&ana, &shipping).await.unwrap_err(),
        DeskError::NotFound
    );
    let acted = w
        .desk()
        .act(&ana, &shipping, version, None, reply("Hello"))
        .await;
    assert_eq!(acted.unwrap_err(), DeskError::NotFound);
    assert_eq!(w.version(&shipping).await, version, "nothing was written");
    assert!(w.queue.jobs().is_empty());
    // A supervisor covers every category.
    let sue = caller("sue", Role::Supervisor, &[]);
    assert!(w.desk().open(&sue, &shipping).await.is_ok());
}

#[tokio::test]
async fn a_change_from_a_stale_version_writes_nothing_and_shows_what_happened_since() {
    let w = World::new().await;
    let reference = w.ticket("billing").await;
    let ana = caller("ana", Role::Agent, &["billing"]);
    let ben = caller("ben", Role::Agent, &["billing"]);
    let seen = w.version(&reference).await;
    // Ben answers first.
    let bens = w
        .desk()
        .act(&ben, &reference, seen, None, reply("Refund sent."))
        .await
        .unwrap();
    // Ana, still looking at the version before, answers blind: refused.
    let Err(DeskError::Changed { current, since }) = w
        .desk()
        .act(&ana, &reference, seen, None, reply("Looking into it."))
        .await
    else {
        panic!("a stale reply was accepted")
    };
    assert_eq!(current.version, bens.ticket.version);
    assert!(
        since.iter().any(|m| m.body_text.contains("Refund sent.")),
        "{since:?}"
    );
    let thread = w.store.load_ticket(&reference).await.unwrap();
    assert!(
        !thread
            .messages
            .iter()
            .any(|m| m.body_text.contains("Looking into it."))
    );
    assert_eq!(w.queue.jobs().len(), 1, "only Ben's reply is mailed");
}

#[tokio::test]
async fn a_reply_mails_the_customer_once_and_a_note_mails_nobody() {
    let w = World::new().await;
    let reference = w.ticket("billing").await;
    let ana = caller("ana", Role::Agent, &["billing"]);
    let v = w.version(&reference).await;
    let note = w
        .desk()
        .act(
            &ana,
            &reference,
            v,
            None,
            Action::Note {
                body: "Customer is on the old plan.".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(note.mail, None);
    assert_eq!(note.messages[0].kind, MessageKind::InternalNote);
    assert!(w.queue.jobs().is_empty());
    let replied = w
        .desk()
        .act(&ana, &reference, note.ticket.version, None, reply("Done."))
        .await
        .unwrap();
    let jobs = w.queue.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, MailKind::AgentReply);
    assert_eq!(jobs[0].recipient.as_str(), "jane@example.com");
    // The reply waits on the customer and is Ana's now.
    assert_eq!(replied.ticket.status, Status::WaitingOnCustomer);
    assert_eq!(replied.ticket.assignee, Some(agent_id("ana")));
}

#[tokio::test]
async fn an_agent_cannot_hand_a_ticket_to_someone_else_but_a_supervisor_can() {
    let w = World::new().await;
    let reference = w.ticket("billing").await;
    let ana = caller("ana", Role::Agent, &["billing"]);
    let v = w.version(&reference).await;
    let to_ben = Action::Assign {
        to: Some(agent_id("ben")),
    };
    assert!(matches!(
        w.desk()
            .act(&ana, &reference, v, None, to_ben.clone())
            .await
            .unwrap_err(),
        DeskError::Forbidden(_)
    ));
    assert_eq!(w.version(&reference).await, v);
    // A supervisor can, to an agent of the category, and to nobody else.
    let sue = caller("sue", Role::Supervisor, &[]);
    let unknown = w
        .desk()
        .act(&sue, &reference, v, None, to_ben.clone())
        .await;
    assert!(
        matches!(
            unknown,
            Err(DeskError::Invalid {
                field: "assignee",
                ..
            })
        ),
        "{unknown:?}"
    );
    w.store
        .put_agent(&agent("cleo", Role::Agent, &["shipping"]))
        .await
        .unwrap();
    let elsewhere = Action::Assign {
        to: Some(agent_id("cleo")),
    };
    let refused = w.desk().act(&sue, &reference, v, None, elsewhere).await;
    assert!(
        matches!(
            refused,
            Err(DeskError::Invalid {
                field: "assignee",
                ..
            })
        ),
        "{refused:?}"
    );
    w.store
        .put_agent(&agent("ben", Role::Agent, &["billing"]))
        .await
        .unwrap();
    let done = w
        .desk()
        .act(&sue, &reference, v, None, to_ben)
        .await
        .unwrap();
    assert_eq!(done.ticket.assignee, Some(agent_id("ben")));
    assert_eq!(done.messages[0].kind, MessageKind::SystemEvent);
}
