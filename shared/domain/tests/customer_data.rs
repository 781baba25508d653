//! The customer's data (`customers::data`) on the in-memory store and files:
//! an export holds everything of the address and nothing of anyone else's; erasing
//! leaves anonymous shells and no file, rule or note behind, in batches; the
//! retention purges old closed tickets.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use chrono::Duration;
use helpdesk_domain::agents::audit::{Actor, AuditAction, fingerprint};
use helpdesk_domain::customers::data::{CustomerData, DataError, ERASE_BATCH, ExportFrom};
use helpdesk_domain::customers::tier_rule::TierRule;
use helpdesk_domain::mail::inbound::quarantine::SenderPattern;
use helpdesk_domain::ports::store::{CustomerNote, StoreError, TicketUpdate};
use helpdesk_domain::ports::{
    AttachmentStore, AuditTrail, Categories, Clock, CustomerNotes, CustomerTiers, DoNotEmail,
    Erasure, IdSource, MessageIds, Quarantine, Queues, RawMailStore, ReportDays, TicketRecords,
};
use helpdesk_domain::tickets::message::AttachmentRef;
use helpdesk_domain::tickets::ticket::Tier;
use helpdesk_domain::{Status, Ticket};
use testkit::fakes::{FixedClock, InMemoryAttachments, InMemoryRawMail, SequentialIds};
use testkit::fixtures::{agent_id, category, email, new_ticket};
use testkit::memory_store::InMemoryStore;

struct World {
    store: InMemoryStore,
    files: InMemoryAttachments,
    raw: InMemoryRawMail,
    clock: FixedClock,
    ids: SequentialIds,
}

impl World {
    fn new() -> Self {
        Self {
            store: InMemoryStore::default(),
            files: InMemoryAttachments::default(),
            raw: InMemoryRawMail::default(),
            clock: FixedClock::monday_morning(),
            ids: SequentialIds::new(),
        }
    }

    fn data(&self) -> CustomerData<'_> {
        CustomerData {
            tickets: &self.store,
            erasure: &self.store,
            notes: &self.store,
            do_not_email: &self.store,
            tiers: &self.store,
            senders: &self.store,
            audit: &self.store,
            agents: &self.store,
            attachments: &self.files,
            raw_mail: &self.raw,
        }
    }

    /// A mail from `who` with one attached file (named `filename`), its raw
    /// mail stored as SES would.
    async fn mail_ticket(&self, who: &str, ses_id: &str, filename: &str) -> Ticket {
        let mut new = new_ticket(&self.ids, "billing", who, self.clock.now());
        let (file, ids) = self
            .stored_mail(
                ses_id,
                (filename, b"%PDF secret"),
                b"From: someone\r\n\r\nhello",
            )
            .await;
        new.first_message.attachments = vec![file];
        new.first_message.email = Some(ids);
        let ticket = new.ticket.clone();
        self.store.create_ticket(new).await.unwrap();
        self.clock.advance(Duration::minutes(1));
        ticket
    }
}

impl World {
    /// A received mail's file (`name`, `bytes`) and its raw mail, stored as
    /// inbound-mail stores them; the file's reference and the mail's ids.
    async fn stored_mail(
        &self,
        ses_id: &str,
        (name, bytes): (&str, &[u8]),
        raw: &[u8],
    ) -> (AttachmentRef, helpdesk_domain::tickets::message::EmailIds) {
        let key = format!("mail/{ses_id}/1-x");
        self.files
            .put(&key, "application/octet-stream", bytes.to_vec())
            .await
            .unwrap();
        self.raw.put(&format!("raw/{ses_id}"), raw).await.unwrap();
        let file = AttachmentRef {
            key,
            filename: name.into(),
            content_type: "application/octet-stream".into(),
            size: bytes.len() as u64,
            content_id: None,
        };
        let ids = helpdesk_domain::tickets::message::EmailIds {
            message_id: Some(format!("<{ses_id}@example.com>")),
            ses_message_id: Some(ses_id.into()),
            ..Default::default()
        };
        (file, ids)
    }

    /// A mail from `from` held back as spam, stored as received (`raw`).
    async fn held(&self, ses_id: &str, from: &str, raw: &[u8]) {
        use helpdesk_domain::mail::inbound::quarantine::{QuarantineReason, Quarantined};

        self.raw.put(&format!("raw/{ses_id}"), raw).await.unwrap();
        let held = Quarantined {
            ses_id: ses_id.into(),
            received_at: self.clock.now(),
            from: Some(from.into()),
            subject: "Held".into(),
            reason: QuarantineReason::Spam,
            released: None,
        };
        assert!(self.store.quarantine(&held).await.unwrap());
    }
}

fn names(zip: &[u8]) -> Vec<String> {
    // The central directory's names, from the end record on.
    let end = zip.len() - 22;
    let at = |i: usize| u32::from_le_bytes([zip[i], zip[i + 1], zip[i + 2], zip[i + 3]]) as usize;
    let short = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]) as usize;
    let mut record = at(end + 16);
    let mut names = Vec::new();
    for _ in 0..short(end + 10) {
        let len = short(record + 28);
        names.push(String::from_utf8(zip[record + 46..record + 46 + len].to_vec()).unwrap());
        record += 46 + len;
    }
    names
}

#[tokio::test]
async fn an_export_holds_the_address_s_tickets_files_and_mail_and_no_one_else_s() {
    let w = World::new();
    let jane = w
        .mail_ticket("jane@example.com", "ses-jane", "../../etc/passwd")
        .await;
    w.mail_ticket("bob@example.com", "ses-bob", "bob.pdf").await;
    let jane_addr = email("jane@example.com");
    w.store
        .set_customer_note(
            &jane_addr,
            Some(&CustomerNote {
                text: "Prefers mail".into(),
                by: agent_id("ana"),
                at: w.clock.now(),
            }),
        )
        .await
        .unwrap();

    let export = w
        .data()
        .export(&email("JANE@example.com"), ExportFrom::START, w.clock.now())
        .await
        .unwrap();
    assert_eq!((export.tickets, export.messages, export.files), (1, 1, 2));
    let dir = format!("tickets/{}", jane.reference);
    assert_eq!(
        names(&export.archive),
        [
            format!("{dir}/ticket.json"),
            format!("{dir}/messages.json"),
            // The hostile name stays inside the ticket's folder.
            format!("{dir}/files/_.._etc_passwd"),
            format!("{dir}/mail/ses-jane.eml"),
            "customer.json".into(),
            "README.txt".into(),
        ]
    );
    let text = String::from_utf8_lossy(&export.archive);
    assert!(text.contains("Prefers mail"));
    assert!(text.contains("%PDF secret"));
    assert!(!text.contains("bob@example.com"), "another customer's data");
}

#[tokio::test]
async fn erasing_leaves_shells_and_no_file_rule_or_note_and_the_counts_stay() {
    let w = World::new();
    let jane = w.mail_ticket("jane@example.com", "ses-jane", "a.pdf").await;
    let bob = w.mail_ticket("bob@example.com", "ses-bob", "b.pdf").await;
    let jane_addr = email("jane@example.com");
    let pattern = SenderPattern::Address(jane_addr.clone());
    w.store
        .put_tier_rule(&TierRule {
            pattern: pattern.clone(),
            tier: Tier::Premium,
            note: String::new(),
            by: agent_id("admin"),
            at: w.clock.now(),
        })
        .await
        .unwrap();
    w.store
        .set_do_not_email(&jane_addr, "complaint", w.clock.now())
        .await
        .unwrap();
    let counts = w.store.status_counts(&jane.category).await.unwrap();
    let day = w.clock.now().date_naive();
    let figures_before = w
        .store
        .report_days(
            &helpdesk_domain::reports::ReportScope::Category(jane.category.clone()),
            day,
            day,
        )
        .await
        .unwrap();

    let erased = w
        .data()
        .erase(&jane_addr, Actor::Agent(agent_id("admin")), w.clock.now())
        .await
        .unwrap();
    assert_eq!(
        (erased.tickets, erased.messages, erased.files, erased.done),
        (1, 1, 2, true)
    );
    // The Message-ID record, the tier rule and the do-not-email entry.
    assert_eq!(erased.other, 3);
    let shell = w.store.load_ticket(&jane.reference).await.unwrap();
    assert!(shell.messages.is_empty());
    assert_eq!(shell.ticket.subject.as_str(), "(erased)");
    assert_eq!(shell.ticket.status, Status::Closed);
    assert_eq!(
        w.store.tickets_of_requester(&jane_addr, 10).await.unwrap(),
        vec![]
    );
    assert_eq!(w.raw.keys(), ["raw/ses-bob"]);
    assert_eq!(w.files.get("mail/ses-jane/1-x", 100).await.unwrap(), None);
    assert!(
        w.files
            .get("mail/ses-bob/1-x", 100)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(w.store.tier_rules().await.unwrap(), vec![]);
    assert_eq!(w.store.do_not_email(&jane_addr).await.unwrap(), None);
    // Bob's ticket is untouched; the category's counts are all still there.
    assert_eq!(
        w.store.load_ticket(&bob.reference).await.unwrap().ticket,
        bob
    );
    // Erasing closed the open request: no report figure moved (nobody solved it).
    let today = w.clock.now().date_naive();
    let scope = helpdesk_domain::reports::ReportScope::Category(jane.category.clone());
    let figures = w.store.report_days(&scope, today, today).await.unwrap();
    assert_eq!(figures, figures_before);
    let after = w.store.status_counts(&jane.category).await.unwrap();
    assert_eq!(
        after.0.values().sum::<i64>(),
        counts.0.values().sum::<i64>()
    );
    // The log names the customer by fingerprint only.
    let log = w.store.audit_entries(None, 10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, AuditAction::CustomerErased);
    assert_eq!(log[0].subject, fingerprint(&jane_addr));
    assert!(!format!("{log:?}").contains("jane"));
    // Again: nothing left to do, and it says so.
    let again = w
        .data()
        .erase(&jane_addr, Actor::Agent(agent_id("admin")), w.clock.now())
        .await
        .unwrap();
    assert_eq!((again.tickets, again.files, again.done), (0, 0, true));
}

#[tokio::test]
async fn many_tickets_are_erased_in_batches_until_done() {
    let w = World::new();
    for i in 0..ERASE_BATCH + 2 {
        w.mail_ticket("jane@example.com", &format!("ses-{i}"), "a.pdf")
            .await;
    }
    let jane = email("jane@example.com");
    let first = w
        .data()
        .erase(&jane, Actor::Schedule, w.clock.now())
        .await
        .unwrap();
    assert_eq!((first.tickets, first.done), (u32::from(ERASE_BATCH), false));
    let second = w
        .data()
        .erase(&jane, Actor::Schedule, w.clock.now())
        .await
        .unwrap();
    assert_eq!((second.tickets, second.done), (2, true));
    assert!(w.raw.keys().is_empty());
    assert_eq!(w.store.audit_entries(None, 10).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_ticket_changed_while_it_is_erased_is_read_again() {
    let w = World::new();
    let jane = w.mail_ticket("jane@example.com", "ses-jane", "a.pdf").await;
    // A reply lands after the erasure read the thread: the shell's write fails
    // on the version, and the next attempt erases the new message too.
    let thread = w.store.load_ticket(&jane.reference).await.unwrap();
    let mut changed = thread.ticket.clone();
    changed.status = Status::Open;
    let reply = testkit::fixtures::agent_reply(&w.ids, &jane, "ana", w.clock.now());
    w.store
        .update_ticket(TicketUpdate::new(&thread.ticket, changed, vec![reply]))
        .await
        .unwrap();
    let erased = w
        .data()
        .erase_ticket(&jane.reference, w.clock.now())
        .await
        .unwrap();
    assert_eq!(erased.messages, 2);
    assert!(
        w.store
            .load_ticket(&jane.reference)
            .await
            .unwrap()
            .messages
            .is_empty()
    );
}

#[tokio::test]
async fn a_file_past_what_any_archive_holds_is_left_out_and_named() {
    let w = World::new();
    let t = w
        .mail_ticket("jane@example.com", "ses-big", "big.bin")
        .await;
    let key = "mail/ses-big/2-big";
    w.files
        .upload(key, 101 * 1024 * 1024, "application/octet-stream");
    let thread = w.store.load_ticket(&t.reference).await.unwrap();
    let mut m = thread.messages[0].clone();
    m.id = w.ids.message_id(w.clock.now());
    m.attachments[0].key = key.into();
    m.email = None;
    w.store.add_note(&m).await.unwrap();
    let export = w
        .data()
        .export(&email("jane@example.com"), ExportFrom::START, w.clock.now())
        .await
        .unwrap();
    // Everything else of hers is in it; that file is named, not lost silently.
    let dir = format!("tickets/{}", t.reference);
    assert_eq!(
        export.left_out,
        vec![format!("{dir}/files/big.bin (11 bytes)")]
    );
    let names = names(&export.archive);
    assert!(names.contains(&format!("{dir}/files/big.bin")), "{names:?}");
    assert!(names.contains(&format!("{dir}/messages.json")));
}

#[tokio::test]
async fn retention_purges_old_closed_tickets_of_its_category_only() {
    let w = World::new();
    let mut billing = category("billing", 1);
    billing.retention_months = Some(6);
    w.store.put_category(&billing).await.unwrap();
    let old = w.mail_ticket("jane@example.com", "ses-old", "a.pdf").await;
    let recent = w
        .mail_ticket("bob@example.com", "ses-recent", "b.pdf")
        .await;
    for (t, at) in [
        (&old, w.clock.now() - Duration::days(200)),
        (&recent, w.clock.now() - Duration::days(20)),
    ] {
        let mut closed = t.clone();
        closed.status = Status::Closed;
        closed.updated_at = at;
        w.store
            .update_ticket(TicketUpdate::new(t, closed, vec![]))
            .await
            .unwrap();
    }
    let categories = w.store.categories().await.unwrap();
    let purged = w
        .data()
        .purge_expired(&categories, w.clock.now())
        .await
        .unwrap();
    assert_eq!(purged, 1);
    let stored = w.store.load_ticket(&old.reference).await.unwrap();
    assert!(stored.ticket.erased_at.is_some());
    assert!(stored.messages.is_empty());
    assert!(
        w.store
            .load_ticket(&recent.reference)
            .await
            .unwrap()
            .ticket
            .erased_at
            .is_none()
    );
    assert_eq!(w.raw.keys(), ["raw/ses-recent"]);
    let log = w.store.audit_entries(None, 10).await.unwrap();
    assert_eq!(
        (log[0].action, log[0].actor.clone(), log[0].subject.as_str()),
        (AuditAction::RetentionPurged, Actor::Schedule, "billing")
    );
    // A request reopened after the finder read it is not erased.
    let reopened = w
        .mail_ticket("cy@example.com", "ses-reopened", "c.pdf")
        .await;
    let mut closed = reopened.clone();
    closed.status = Status::Closed;
    closed.updated_at = w.clock.now() - Duration::days(300);
    let closed = w
        .store
        .update_ticket(TicketUpdate::new(&reopened, closed, vec![]))
        .await
        .unwrap();
    let mut open_again = closed.clone();
    open_again.status = Status::Open;
    open_again.updated_at = w.clock.now();
    w.store
        .update_ticket(TicketUpdate::new(&closed, open_again, vec![]))
        .await
        .unwrap();
    assert_eq!(
        w.data()
            .purge(
                &reopened.reference,
                w.clock.now() - Duration::days(180),
                w.clock.now()
            )
            .await
            .unwrap()
            .tickets,
        0
    );
    assert!(
        w.store
            .load_ticket(&reopened.reference)
            .await
            .unwrap()
            .ticket
            .erased_at
            .is_none()
    );
    // The next run finds nothing more.
    assert_eq!(
        w.data()
            .purge_expired(&categories, w.clock.now())
            .await
            .unwrap(),
        0
    );
}

/// Bob copied on Jane's request, writing into it with a file; an agent copies
/// him on a reply and forwards to him. Returns Jane's ticket and Bob's mail.
async fn bob_on_jane_s_ticket(w: &World) -> (Ticket, helpdesk_domain::Message) {
    use helpdesk_domain::mail::outbound::job::MailKind;
    use helpdesk_domain::tickets::message::{Author, EmailIds};
    let jane = w.mail_ticket("jane@example.com", "ses-jane", "a.pdf").await;
    let bob = email("bob@example.com");
    let (photo, ids) = w
        .stored_mail(
            "ses-bob-in",
            ("photo.png", b"bob's photo"),
            b"From: bob\r\n\r\nhere is my photo",
        )
        .await;
    let at = w.clock.now();
    let mut from_bob = testkit::fixtures::agent_reply(&w.ids, &jane, "ana", at);
    from_bob.kind = helpdesk_domain::tickets::message::MessageKind::Customer;
    from_bob.author = Author::Customer {
        name: helpdesk_domain::values::text::DisplayName::from_mail("Bob"),
        email: bob.clone(),
    };
    from_bob.body_text = "Bob's own words".into();
    from_bob.attachments = vec![photo];
    from_bob.email = Some(ids);
    let mut reply = testkit::fixtures::agent_reply(&w.ids, &jane, "ana", at);
    reply.email = Some(EmailIds {
        cc: vec![bob.clone()],
        ..Default::default()
    });
    let mut forward = testkit::fixtures::agent_reply(&w.ids, &jane, "ana", at);
    forward.kind = helpdesk_domain::tickets::message::MessageKind::InternalNote;
    forward.body_text = "Forwarded to bob@example.com.".into();
    forward.about = vec![bob.clone()];
    let mut job = testkit::fixtures::confirmation_job(&w.ids, &jane);
    job.kind = MailKind::Forward;
    job.recipient = bob.clone();
    let mut after = jane.clone();
    after.participants = vec![bob.clone()];
    after.cc = vec![bob.clone(), email("carol@example.com")];
    let update = TicketUpdate::new(&jane, after, vec![from_bob.clone(), reply, forward])
        .with_outbox(vec![job]);
    let jane = w.store.update_ticket(update).await.unwrap();
    (jane, from_bob)
}

#[tokio::test]
async fn an_export_holds_what_the_address_wrote_on_someone_else_s_request_and_nothing_of_theirs() {
    let w = World::new();
    let (jane, _) = bob_on_jane_s_ticket(&w).await;
    let export = w
        .data()
        .export(&email("bob@example.com"), ExportFrom::START, w.clock.now())
        .await
        .unwrap();
    // His message and the forward about him, his photo and his raw mail.
    assert_eq!((export.tickets, export.messages, export.files), (0, 2, 2));
    let dir = format!("copied/{}", jane.reference);
    assert_eq!(
        names(&export.archive),
        [
            format!("{dir}/messages.json"),
            format!("{dir}/files/photo.png"),
            format!("{dir}/mail/ses-bob-in.eml"),
            "customer.json".into(),
            "README.txt".into(),
        ]
    );
    let text = String::from_utf8_lossy(&export.archive);
    assert!(text.contains("Bob's own words"));
    assert!(text.contains(&format!(
        "\"copied_on\": [\n    \"{}\"",
        jane.reference.as_str()
    )));
    // Nothing of Jane's: not her message, her file or her mail.
    assert!(!text.contains("my order 1234"), "{text}");
    assert!(!text.contains("%PDF secret"));
}

#[tokio::test]
async fn erasing_an_address_takes_it_out_of_someone_else_s_request_and_keeps_the_request() {
    let w = World::new();
    let (jane, from_bob) = bob_on_jane_s_ticket(&w).await;
    let own = w.mail_ticket("bob@example.com", "ses-bob", "b.pdf").await;
    // Jane's mail as received named him in its Cc.
    w.raw
        .put(
            "raw/ses-jane",
            b"From: jane\r\nCc: Bob <Bob@Example.com>\r\n\r\nhello",
        )
        .await
        .unwrap();
    let bob = email("BOB@example.com");
    assert_eq!(
        w.store.tickets_linked_to(&bob, 10).await.unwrap(),
        vec![jane.reference.clone()]
    );
    // His mail's Message-ID leads to her request until he is erased.
    assert_eq!(
        w.store
            .ticket_for_message_id("<ses-bob-in@example.com>")
            .await
            .unwrap(),
        Some(jane.reference.clone())
    );

    let erased = w
        .data()
        .erase(&bob, Actor::Agent(agent_id("admin")), w.clock.now())
        .await
        .unwrap();
    // His own request as a shell; on Jane's: his message and the forward note,
    // his photo and raw mail, Jane's raw mail naming him; the reply's Cc, the
    // forward's mail, his link and his message's Message-ID record.
    assert_eq!(
        (
            erased.tickets,
            erased.shared_tickets,
            erased.messages,
            erased.done
        ),
        (1, 1, 3, true)
    );
    assert_eq!(erased.files, 5);
    let thread = w.store.load_ticket(&jane.reference).await.unwrap();
    assert_eq!(thread.ticket.erased_at, None);
    assert_eq!(thread.ticket.requester.email.as_str(), "jane@example.com");
    assert!(thread.ticket.participants.is_empty());
    assert_eq!(thread.ticket.cc, vec![email("carol@example.com")]);
    let all = format!("{thread:?}").to_lowercase();
    assert!(!all.contains("bob"), "{all}");
    // Its last write, once nothing of him was left, says words were taken out
    // (the word index then rewrites its files without his).
    assert_eq!(thread.ticket.words_removed_in, Some(thread.ticket.version));
    assert_eq!(
        thread.ticket.updated_at, jane.updated_at,
        "not news to agents"
    );
    // Jane's message and the agent's reply stay.
    assert_eq!(thread.messages.len(), 2);
    assert!(thread.messages.iter().all(|m| m.id != from_bob.id));
    assert_eq!(
        w.store
            .ticket_for_message_id("<bob-in@example.com>")
            .await
            .unwrap(),
        None
    );
    assert!(
        w.files
            .get("mail/ses-bob-in/1-x", 100)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        w.files
            .get("mail/ses-jane/1-x", 100)
            .await
            .unwrap()
            .is_some()
    );
    // Her mail as received named him: gone; her message, as read, stays.
    assert!(w.raw.keys().is_empty(), "{:?}", w.raw.keys());
    assert!(
        w.store
            .outbox_snapshot()
            .iter()
            .all(|(job, _)| job.recipient.key() != "bob@example.com")
    );
    assert_eq!(w.store.tickets_linked_to(&bob, 10).await.unwrap(), vec![]);
    assert!(
        w.store
            .load_ticket(&own.reference)
            .await
            .unwrap()
            .ticket
            .erased_at
            .is_some()
    );
    // Again: nothing is left, and it says so.
    let again = w
        .data()
        .erase(&bob, Actor::Agent(agent_id("admin")), w.clock.now())
        .await
        .unwrap();
    assert_eq!(
        (again.shared_tickets, again.messages, again.done),
        (0, 0, true)
    );
}

#[tokio::test]
async fn each_erasure_from_a_request_says_again_that_words_were_taken_out() {
    use helpdesk_domain::tickets::message::{Author, MessageKind};
    let w = World::new();
    let jane = w.mail_ticket("jane@example.com", "ses-jane", "a.pdf").await;
    // Bob wrote into her request (he is no participant); Carol is in its Cc.
    let bob = email("bob@example.com");
    let mut from_bob = testkit::fixtures::agent_reply(&w.ids, &jane, "ana", w.clock.now());
    from_bob.kind = MessageKind::Customer;
    from_bob.author = Author::Customer {
        name: helpdesk_domain::values::text::DisplayName::from_mail("Bob"),
        email: bob.clone(),
    };
    from_bob.body_text = "Bob's own words".into();
    let mut after = jane.clone();
    after.cc = vec![email("carol@example.com")];
    let update = TicketUpdate::new(&jane, after, vec![from_bob]);
    w.store.update_ticket(update).await.unwrap();
    // Carol first: the marker is the request's last write.
    let carol = email("carol@example.com");
    w.data()
        .erase(&carol, Actor::Schedule, w.clock.now())
        .await
        .unwrap();
    let marked = w.store.load_ticket(&jane.reference).await.unwrap().ticket;
    assert_eq!(marked.words_removed_in, Some(marked.version));
    // Then Bob: taking his message out changes no version, and the marker
    // there is Carol's: written again, or his words stay in the index's files.
    let erased = w
        .data()
        .erase(&bob, Actor::Schedule, w.clock.now())
        .await
        .unwrap();
    assert_eq!((erased.shared_tickets, erased.messages), (1, 1));
    let thread = w.store.load_ticket(&jane.reference).await.unwrap();
    assert!(!format!("{thread:?}").contains("Bob's own words"));
    assert_eq!(thread.ticket.version, marked.version + 1);
    assert_eq!(thread.ticket.words_removed_in, Some(thread.ticket.version));
}

#[tokio::test]
async fn erasing_a_requester_drops_the_links_of_the_people_on_their_request() {
    let w = World::new();
    let (jane, _) = bob_on_jane_s_ticket(&w).await;
    let erased = w
        .data()
        .erase(&email("jane@example.com"), Actor::Schedule, w.clock.now())
        .await
        .unwrap();
    assert_eq!((erased.tickets, erased.done), (1, true));
    // The shell holds no one: Bob's and Carol's links to it are gone.
    for who in ["bob@example.com", "carol@example.com"] {
        assert_eq!(
            w.store.tickets_linked_to(&email(who), 10).await.unwrap(),
            vec![]
        );
    }
    let shell = w.store.load_ticket(&jane.reference).await.unwrap();
    assert!(shell.messages.is_empty() && shell.ticket.cc.is_empty());
}

#[tokio::test]
async fn the_backfill_links_the_people_of_tickets_written_before_links_were_kept() {
    let w = World::new();
    let (jane, _) = bob_on_jane_s_ticket(&w).await;
    let (bob, carol) = (email("bob@example.com"), email("carol@example.com"));
    // As a ticket stored before links were kept: none.
    for who in [&bob, &carol] {
        w.store.unlink_address(who, &jane.reference).await.unwrap();
        assert_eq!(w.store.tickets_linked_to(who, 10).await.unwrap(), vec![]);
    }
    let read = helpdesk_domain::customers::links::backfill(&w.store, &w.store)
        .await
        .unwrap();
    assert_eq!(read, 1);
    for who in [&bob, &carol] {
        assert_eq!(
            w.store.tickets_linked_to(who, 10).await.unwrap(),
            vec![jane.reference.clone()]
        );
    }
    assert_eq!(
        w.store
            .tickets_linked_to(&email("jane@example.com"), 10)
            .await
            .unwrap(),
        vec![]
    );
    // Erasing Bob now finds Jane's request through the backfilled link.
    let erased = w
        .data()
        .erase(&bob, Actor::Schedule, w.clock.now())
        .await
        .unwrap();
    assert_eq!((erased.shared_tickets, erased.done), (1, true));
}

/// The store as an agent working the ticket without pause makes it: every
/// change of a ticket finds it changed.
struct Busy<'a>(&'a InMemoryStore);

#[async_trait::async_trait]
impl TicketRecords for Busy<'_> {
    async fn create_ticket(
        &self,
        new: helpdesk_domain::ports::store::NewTicket,
    ) -> Result<helpdesk_domain::ports::store::Created, StoreError> {
        self.0.create_ticket(new).await
    }
    async fn load_ticket(
        &self,
        reference: &helpdesk_domain::TicketRef,
    ) -> Result<helpdesk_domain::ports::store::TicketThread, StoreError> {
        self.0.load_ticket(reference).await
    }
    async fn update_ticket(&self, _: TicketUpdate) -> Result<Ticket, StoreError> {
        Err(StoreError::Conflict)
    }
    async fn update_tickets(&self, _: Vec<TicketUpdate>) -> Result<Vec<Ticket>, StoreError> {
        Err(StoreError::Conflict)
    }
    async fn tickets_of_requester(
        &self,
        email: &helpdesk_domain::EmailAddress,
        limit: u16,
    ) -> Result<Vec<helpdesk_domain::ports::store::TicketSummary>, StoreError> {
        self.0.tickets_of_requester(email, limit).await
    }
    async fn add_note(&self, note: &helpdesk_domain::Message) -> Result<(), StoreError> {
        self.0.add_note(note).await
    }
    async fn all_tickets(
        &self,
        after: Option<String>,
    ) -> Result<(Vec<helpdesk_domain::TicketRef>, Option<String>), StoreError> {
        self.0.all_tickets(after).await
    }
}

#[tokio::test]
async fn a_request_that_keeps_changing_keeps_the_link_until_the_address_is_out_of_it() {
    let w = World::new();
    let (jane, _) = bob_on_jane_s_ticket(&w).await;
    let bob = email("bob@example.com");
    let busy = Busy(&w.store);
    let data = CustomerData {
        tickets: &busy,
        ..w.data()
    };
    let first = data
        .erase(&bob, Actor::Schedule, w.clock.now())
        .await
        .unwrap();
    // Not done, and said so in the log; his words went meanwhile.
    assert!(!first.done, "{first:?}");
    let thread = w.store.load_ticket(&jane.reference).await.unwrap();
    assert!(!format!("{:?}", thread.messages).contains("Bob's own words"));
    let log = w.store.audit_entries(None, 10).await.unwrap();
    assert!(log[0].detail.ends_with("more to erase"), "{:?}", log[0]);
    // He is still among the people copied, so his link stays for the next call.
    let thread = w.store.load_ticket(&jane.reference).await.unwrap();
    assert!(
        thread
            .ticket
            .cc
            .iter()
            .any(|a| a.key() == "bob@example.com")
    );
    assert_eq!(
        w.store.tickets_linked_to(&bob, 10).await.unwrap(),
        vec![jane.reference.clone()]
    );
    // The next call, once the ticket holds still, finishes.
    let erased = w
        .data()
        .erase(&bob, Actor::Schedule, w.clock.now())
        .await
        .unwrap();
    assert_eq!((erased.shared_tickets, erased.done), (1, true));
    assert_eq!(w.store.tickets_linked_to(&bob, 10).await.unwrap(), vec![]);
}

#[tokio::test]
async fn mail_held_from_the_address_is_exported_and_erased_with_its_record() {
    let w = World::new();
    w.held(
        "ses-held",
        "bob@example.com",
        b"From: bob@example.com\r\n\r\nBob's held words",
    )
    .await;
    let bob = email("bob@example.com");
    let export = w
        .data()
        .export(&bob, ExportFrom::START, w.clock.now())
        .await
        .unwrap();
    assert!(names(&export.archive).contains(&"held/ses-held.eml".to_owned()));
    assert!(String::from_utf8_lossy(&export.archive).contains("Bob's held words"));
    let erased = w
        .data()
        .erase(&bob, Actor::Schedule, w.clock.now())
        .await
        .unwrap();
    // The mail as received, and its record and link.
    assert_eq!((erased.files, erased.other, erased.done), (1, 2, true));
    assert!(w.raw.keys().is_empty());
    assert_eq!(w.store.held("ses-held").await.unwrap(), None);
}

#[tokio::test]
async fn an_address_on_many_requests_is_exported_in_parts_and_nothing_is_left_out() {
    use helpdesk_domain::customers::data::MAX_EXPORT_TICKETS;
    let w = World::new();
    let bob = email("bob@example.com");
    // Two requests of his own; Mallory copied him on 300 of hers; three of
    // his mails were held back.
    let mut own = vec![];
    for n in 0..2 {
        let t = w
            .mail_ticket("bob@example.com", &format!("ses-own-{n}"), "a.pdf")
            .await;
        own.push(t.reference);
    }
    let mut copied = std::collections::BTreeSet::new();
    for _ in 0..MAX_EXPORT_TICKETS {
        let mut new = new_ticket(&w.ids, "billing", "mallory@example.com", w.clock.now());
        new.ticket.participants = vec![bob.clone()];
        copied.insert(new.ticket.reference.clone());
        w.store.create_ticket(new).await.unwrap();
    }
    for n in 0..3 {
        let raw = b"From: bob@example.com\r\n\r\nheld";
        w.held(&format!("ses-held-{n}"), "bob@example.com", raw)
            .await;
    }
    let from = |n: usize| ExportFrom::at(n).unwrap();
    // customer.json as stored (the archive does not compress).
    let customer = |archive: &[u8]| -> serde_json::Value {
        let start = b"{\n  \"address\"";
        let at = (archive.windows(start.len()))
            .position(|w| w == start)
            .unwrap();
        let mut values = serde_json::Deserializer::from_slice(&archive[at..]).into_iter();
        values.next().unwrap().unwrap()
    };
    // Part 1: his own two, and the first 298 of hers.
    let first = w.data().export(&bob, from(0), w.clock.now()).await.unwrap();
    assert_eq!((first.tickets, first.next), (2, Some(300)));
    let names1 = names(&first.archive);
    assert!(
        own.iter()
            .all(|r| names1.contains(&format!("tickets/{r}/ticket.json")))
    );
    assert!(!names1.iter().any(|n| n.starts_with("held/")));
    let json1 = customer(&first.archive);
    assert_eq!(
        (json1["from"].as_u64(), json1["next"].as_u64()),
        (Some(0), Some(300))
    );
    let readme = String::from_utf8_lossy(&first.archive).into_owned();
    assert!(readme.contains("items 1 to 300; the next part starts at item 301"));
    // Part 2: the rest of hers and his held mail; the last.
    let second = w
        .data()
        .export(&bob, from(300), w.clock.now())
        .await
        .unwrap();
    assert_eq!((second.tickets, second.next), (0, None));
    let names2 = names(&second.archive);
    assert_eq!(names2.iter().filter(|n| n.starts_with("held/")).count(), 3);
    let json2 = customer(&second.archive);
    assert_eq!(json2["from"].as_u64(), Some(300));
    // Every request he was copied on is in exactly one part.
    let listed: Vec<String> = [json1, json2]
        .iter()
        .flat_map(|j| j["copied_on"].as_array().cloned().unwrap_or_default())
        .filter_map(|r| r.as_str().map(str::to_owned))
        .collect();
    assert_eq!(listed.len(), usize::from(MAX_EXPORT_TICKETS));
    let expected: Vec<String> = (copied.iter())
        .map(|r| {
            serde_json::to_value(r)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, expected);
    // Exactly at the end: nothing more; past it: refused, saying how many.
    let last = w
        .data()
        .export(&bob, from(304), w.clock.now())
        .await
        .unwrap();
    assert_eq!(
        (
            names(&last.archive)
                .iter()
                .filter(|n| n.starts_with("held/"))
                .count(),
            last.next
        ),
        (1, None)
    );
    let past = w.data().export(&bob, from(305), w.clock.now()).await;
    assert!(
        matches!(&past, Err(DataError::NoSuchPart(r)) if r.contains("305 requests and held mails")),
        "{past:?}"
    );
    for bad in ["-1", "one", "", "59701", " 3"] {
        assert!(ExportFrom::parse(bad).is_err(), "{bad:?}");
    }
    assert_eq!(ExportFrom::parse("59700").map(ExportFrom::get), Ok(59_700));
}

#[tokio::test]
async fn a_part_ends_before_the_file_that_would_make_it_too_large() {
    let w = World::new();
    let sam = email("sam@example.com");
    // Three mails held from his address, 20 MB each: someone mailing as him
    // cannot make his data too large to export.
    for n in 0..3 {
        let mut raw = b"From: sam@example.com\r\n\r\n".to_vec();
        raw.resize(20 * 1024 * 1024, b'x');
        w.held(&format!("ses-big-{n}"), "sam@example.com", &raw)
            .await;
    }
    let first = w
        .data()
        .export(&sam, ExportFrom::START, w.clock.now())
        .await
        .unwrap();
    assert_eq!((first.files, first.next), (2, Some(2)));
    let held = |archive: &[u8]| {
        names(archive)
            .into_iter()
            .filter(|n| n.starts_with("held/"))
            .collect::<Vec<_>>()
    };
    let part1 = held(&first.archive);
    assert_eq!(part1.len(), 2, "{part1:?}");
    let second = w
        .data()
        .export(&sam, ExportFrom::at(2).unwrap(), w.clock.now())
        .await
        .unwrap();
    assert_eq!((second.files, second.next), (1, None));
    let part2 = held(&second.archive);
    assert_eq!(part2.len(), 1);
    assert!(!part1.contains(&part2[0]), "each mail in one part");
}

#[tokio::test]
async fn a_request_too_large_for_the_part_starts_the_next_and_files_past_any_archive_are_named() {
    let w = World::new();
    // His older request holds two files of 30 MB; his newer one is small.
    let big = w.mail_ticket("tom@example.com", "ses-big", "b.pdf").await;
    let mut files = vec![];
    for name in ["big1.bin", "big2.bin"] {
        let key = format!("mail/ses-big/{name}");
        w.files
            .put(
                &key,
                "application/octet-stream",
                vec![b'x'; 30 * 1024 * 1024],
            )
            .await
            .unwrap();
        files.push(AttachmentRef {
            key,
            filename: name.into(),
            content_type: "application/octet-stream".into(),
            size: 30 * 1024 * 1024,
            content_id: None,
        });
    }
    let mut note = testkit::fixtures::agent_reply(&w.ids, &big, "ana", w.clock.now());
    note.attachments = files;
    w.store
        .update_ticket(TicketUpdate::new(&big, big.clone(), vec![note]))
        .await
        .unwrap();
    let small = w.mail_ticket("tom@example.com", "ses-small", "s.pdf").await;
    let tom = email("tom@example.com");
    // Part 1: the small one only; the large one's files were taken out again.
    let first = w
        .data()
        .export(&tom, ExportFrom::START, w.clock.now())
        .await
        .unwrap();
    assert_eq!((first.tickets, first.next), (1, Some(1)));
    let names1 = names(&first.archive);
    assert!(names1.contains(&format!("tickets/{}/ticket.json", small.reference)));
    assert!(
        !names1
            .iter()
            .any(|n| n.starts_with(&format!("tickets/{}", big.reference))),
        "{names1:?}"
    );
    // Part 2: the large one alone, with what fits; the file past that is named.
    let second = w
        .data()
        .export(&tom, ExportFrom::at(1).unwrap(), w.clock.now())
        .await
        .unwrap();
    assert_eq!((second.tickets, second.next), (1, None));
    let dir = format!("tickets/{}", big.reference);
    let names2 = names(&second.archive);
    for name in [
        "ticket.json",
        "messages.json",
        "files/b.pdf",
        "files/big1.bin",
    ] {
        assert!(
            names2.contains(&format!("{dir}/{name}")),
            "{name}: {names2:?}"
        );
    }
    assert_eq!(
        second.left_out,
        vec![format!("{dir}/files/big2.bin ({} bytes)", 30 * 1024 * 1024)]
    );
    let text = String::from_utf8_lossy(&second.archive[second.archive.len() - 4096..]).into_owned();
    assert!(
        text.contains("1 files were larger than an archive holds"),
        "{text}"
    );
}

/// The store as a call that dies at one step sees it: that step fails once.
struct DiesOnce<'a> {
    store: &'a InMemoryStore,
    step: &'static str,
    /// Which call of `step` dies (1: the first); the others go through.
    nth: u32,
    calls: std::sync::atomic::AtomicU32,
}

impl DiesOnce<'_> {
    fn at(&self, step: &str) -> Result<(), StoreError> {
        if step == self.step
            && self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == self.nth
        {
            return Err(StoreError::Unavailable(format!(
                "the function died at {step}"
            )));
        }
        Ok(())
    }
}

type Refs = Vec<helpdesk_domain::TicketRef>;

#[async_trait::async_trait]
impl Erasure for DiesOnce<'_> {
    async fn delete_thread(
        &self,
        thread: &helpdesk_domain::ports::store::TicketThread,
    ) -> Result<u32, StoreError> {
        self.store.delete_thread(thread).await
    }
    async fn delete_messages(
        &self,
        reference: &helpdesk_domain::TicketRef,
        messages: &[helpdesk_domain::Message],
    ) -> Result<u32, StoreError> {
        self.at("messages")?;
        self.store.delete_messages(reference, messages).await
    }
    async fn rewrite_messages(
        &self,
        messages: &[helpdesk_domain::Message],
    ) -> Result<(), StoreError> {
        self.at("rewrite")?;
        self.store.rewrite_messages(messages).await
    }
    async fn delete_mail_to(
        &self,
        reference: &helpdesk_domain::TicketRef,
        email: &helpdesk_domain::EmailAddress,
    ) -> Result<u32, StoreError> {
        self.at("mail")?;
        self.store.delete_mail_to(reference, email).await
    }
    async fn tickets_linked_to(
        &self,
        email: &helpdesk_domain::EmailAddress,
        limit: u16,
    ) -> Result<Refs, StoreError> {
        self.store.tickets_linked_to(email, limit).await
    }
    async fn link_addresses(
        &self,
        reference: &helpdesk_domain::TicketRef,
        addresses: &[helpdesk_domain::EmailAddress],
    ) -> Result<(), StoreError> {
        self.store.link_addresses(reference, addresses).await
    }
    async fn held_mail_from(
        &self,
        email: &helpdesk_domain::EmailAddress,
        limit: u16,
    ) -> Result<Vec<String>, StoreError> {
        self.store.held_mail_from(email, limit).await
    }
    async fn forget_held(
        &self,
        email: &helpdesk_domain::EmailAddress,
        ses_id: &str,
    ) -> Result<u32, StoreError> {
        self.store.forget_held(email, ses_id).await
    }
    async fn unlink_address(
        &self,
        email: &helpdesk_domain::EmailAddress,
        reference: &helpdesk_domain::TicketRef,
    ) -> Result<bool, StoreError> {
        self.at("unlink")?;
        self.store.unlink_address(email, reference).await
    }
    async fn forget_do_not_email(
        &self,
        email: &helpdesk_domain::EmailAddress,
    ) -> Result<bool, StoreError> {
        self.store.forget_do_not_email(email).await
    }
    async fn forget_alerts_about(
        &self,
        email: &helpdesk_domain::EmailAddress,
        agents: &[helpdesk_domain::AgentId],
    ) -> Result<u32, StoreError> {
        self.store.forget_alerts_about(email, agents).await
    }
    async fn closed_before(
        &self,
        category: &helpdesk_domain::CategoryId,
        before: chrono::DateTime<chrono::Utc>,
        limit: u16,
    ) -> Result<Refs, StoreError> {
        self.store.closed_before(category, before, limit).await
    }
}

#[tokio::test]
async fn a_call_that_dies_at_any_step_is_finished_by_the_next_and_nothing_of_the_address_is_left() {
    // The second call for mail forwarded to him is the last look before the
    // write that has the word index forget his words.
    for (step, nth) in [
        ("rewrite", 1),
        ("mail", 1),
        ("messages", 1),
        ("mail", 2),
        ("unlink", 1),
    ] {
        let w = World::new();
        let (jane, _) = bob_on_jane_s_ticket(&w).await;
        let bob = email("bob@example.com");
        let dies = DiesOnce {
            store: &w.store,
            step,
            nth,
            calls: Default::default(),
        };
        let data = CustomerData {
            erasure: &dies,
            ..w.data()
        };
        let died = data.erase(&bob, Actor::Schedule, w.clock.now()).await;
        assert!(
            matches!(died, Err(DataError::Store(StoreError::Unavailable(_)))),
            "{step}: {died:?}"
        );
        // Half done: the link stays, so the next call comes back to her request.
        assert_eq!(
            w.store.tickets_linked_to(&bob, 10).await.unwrap(),
            vec![jane.reference.clone()],
            "{step}"
        );
        let half = w.store.load_ticket(&jane.reference).await.unwrap().ticket;
        // Said only once nothing of him is left: after the last look, not before.
        assert_eq!(
            half.words_removed_in.is_some(),
            step == "unlink",
            "{step} #{nth}"
        );
        let erased = data
            .erase(&bob, Actor::Schedule, w.clock.now())
            .await
            .unwrap();
        assert!(erased.done, "{step}: {erased:?}");
        let thread = w.store.load_ticket(&jane.reference).await.unwrap();
        assert!(
            !format!("{thread:?}").to_lowercase().contains("bob"),
            "{step}"
        );
        // The last write to her request says words were taken out of it.
        assert_eq!(
            thread.ticket.words_removed_in,
            Some(thread.ticket.version),
            "{step} #{nth}"
        );

        assert!(
            (w.store.outbox_snapshot().iter())
                .all(|(job, _)| job.recipient.key() != "bob@example.com"),
            "{step}: a forward to him is left"
        );
        assert_eq!(
            w.store.tickets_linked_to(&bob, 10).await.unwrap(),
            vec![],
            "{step}"
        );
        assert!(w.raw.keys().iter().all(|k| k != "raw/ses-bob-in"), "{step}");
    }
}
