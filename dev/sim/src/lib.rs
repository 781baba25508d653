//! A deterministic fault simulation of the mail pipeline, in the spirit of
//! FoundationDB's simulation testing: one seed drives customers submitting
//! requests and writing mail (new ones, answers through our reply address, and
//! the same mail delivered again), agents replying, send-reply draining an SQS
//! queue, SES accepting mail and publishing its "sent" events, and the
//! schedule's SLA run and sweep, all on the
//! in-memory ports, while a fault plan drawn from the same seed makes store,
//! queue and SES calls fail before or after their effect, or kills the process
//! at that call (the invocation is dropped where it stands and the next one
//! starts cold). Then a quiet phase lets the system settle, and the README's
//! guarantees are checked. The same seed replays the same run exactly.

mod faults;
mod faulty;
mod world;

pub use faults::{Fault, FaultPlan, Rng};

use chrono::Duration;
use faulty::Faulty;
use helpdesk_domain::agents::actions::{Action, Desk};
use helpdesk_domain::customers::intake::{IdempotencyKey, Intake, Outcome, SubmissionInput};
use helpdesk_domain::customers::limits::IntakePolicy;
use helpdesk_domain::mail::outbound::feedback::{Feedback, FeedbackDesk};
use helpdesk_domain::mail::outbound::job::OutboxState;
use helpdesk_domain::mail::outbound::render::Brand;
use helpdesk_domain::mail::outbound::send::{MailSettings, Postman};
use helpdesk_domain::mail::reply_token::ReplyKeys;
use helpdesk_domain::ports::Clock;
use helpdesk_domain::ports::Queues;
use helpdesk_domain::ports::TicketRecords;
use helpdesk_domain::ports::{AgentProfiles, Categories, SlaPolicies};
use helpdesk_domain::tickets::ticket::Channel;
use helpdesk_domain::{EmailAddress, OutboxId, Status, TicketRef};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use testkit::{FixedClock, InMemoryAttachments, InMemoryStore, SequentialIds};
use world::{SimQueue, SimSes};

/// What one seed did and what it found.
#[derive(Debug, Default)]
pub struct Report {
    pub seed: u64,
    pub steps: u32,
    pub faults: u64,
    pub crashes: u32,
    pub accepted_requests: usize,
    pub agent_replies: usize,
    /// Distinct mails that came in, and how many of them answered a ticket.
    pub mails_in: usize,
    pub mail_replies_threaded: usize,
    pub mails_accepted: u32,
    /// Warnings, breaches, escalations, reminders, solved and closed by SLA runs.
    pub sla_steps: u32,
    pub duplicate_window_mails: u32,
    pub dead_letters: usize,
    pub invariants_checked: usize,
    pub violations: Vec<String>,
}

enum Ran<T> {
    Done(T),
    Crashed,
}

/// Runs one invocation to its end, or to the point where the process died (a
/// crash fault): everything here is in memory, so a future that is not ready
/// is one that will never be.
fn invoke<F: Future>(plan: &FaultPlan, fut: F) -> Ran<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1000 {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return Ran::Done(v);
        }
        if plan.take_crash() {
            return Ran::Crashed;
        }
    }
    // Nothing here waits for anything real: a future still pending without a
    // crash is waiting forever (a lock never released, a lost wake-up).
    panic!("an invocation hung without a crash");
}

struct Sim {
    rng: Rng,
    plan: Arc<FaultPlan>,
    store: Arc<InMemoryStore>,
    faulty: Faulty,
    /// The sender rules as inbound mail reads them, through the faulty store
    /// (kept for no time: every mail reads them).
    rules: helpdesk_domain::mail::inbound::rules::CachedSenderRules,
    clock: Arc<FixedClock>,
    ids: SequentialIds,
    queue: SimQueue,
    ses: SimSes,
    files: InMemoryAttachments,
    keys: ReplyKeys,
    settings: MailSettings,
    policy: IntakePolicy,
    /// Requests the customer was told were received: idempotency key → ticket.
    accepted: BTreeMap<String, TicketRef>,
    /// Requests whose answer the customer never got, and when they first sent
    /// them; they retry with the same key within the hour, or give up.
    retry: Vec<(String, SubmissionInput, chrono::DateTime<chrono::Utc>)>,
    raw_mail: testkit::fakes::InMemoryRawMail,
    inbox_settings: helpdesk_domain::mail::inbound::receive::InboxSettings,
    /// Every mail that came in, by Message-ID, and its bytes (SES may deliver one again).
    mails: BTreeMap<String, Vec<u8>>,
    /// Stored mail whose notification the queue will deliver again (it failed or died).
    inbound_retry: Vec<String>,
    ses_ids: u64,
    /// How often SES took an outbox item's mail in an invocation that then failed
    /// or died: each such time may send it once more (the documented window).
    window: HashMap<OutboxId, u32>,
    report: Report,
}

impl Sim {
    fn new(seed: u64, fault_rate: u64) -> anyhow::Result<Self> {
        let plan = Arc::new(FaultPlan::new(seed, fault_rate));
        let store = Arc::new(InMemoryStore::default());
        let clock = Arc::new(FixedClock::monday_morning());
        Ok(Self {
            rng: Rng::new(seed),
            faulty: Faulty {
                inner: store.clone(),
                plan: plan.clone(),
            },
            rules: helpdesk_domain::mail::inbound::rules::CachedSenderRules::new(
                Arc::new(Faulty {
                    inner: store.clone(),
                    plan: plan.clone(),
                }),
                clock.clone(),
                chrono::Duration::zero(),
            ),
            queue: SimQueue::new(plan.clone(), clock.clone()),
            ses: SimSes::new(plan.clone()),
            plan,
            store,
            clock,
            ids: SequentialIds::seeded(seed),
            files: InMemoryAttachments::default(),
            keys: ReplyKeys::parse("sim:73696d756c6174696f6e2d6f6e6c7921")?,
            settings: MailSettings::new(
                EmailAddress::parse("support@helpdesk.test")?,
                Brand {
                    name: "Sim Support".into(),
                    help_url: "https://help.example.com".into(),
                },
            ),
            policy: IntakePolicy::default(),
            accepted: BTreeMap::new(),
            retry: Vec::new(),
            window: HashMap::new(),
            raw_mail: testkit::fakes::InMemoryRawMail::default(),
            inbox_settings: helpdesk_domain::mail::inbound::receive::InboxSettings::new(
                "helpdesk.test".into(),
            ),
            mails: BTreeMap::new(),
            inbound_retry: Vec::new(),
            ses_ids: 0,
            report: Report {
                seed,
                ..Report::default()
            },
        })
    }

    async fn setup(&self) -> anyhow::Result<()> {
        for (id, position) in [("support", 1), ("billing", 2)] {
            self.store
                .put_category(&testkit::fixtures::category(id, position))
                .await?;
        }
        self.store
            .put_policy(&testkit::fixtures::office_policy("default"))
            .await?;
        // Who the SLA run tells: level 1 the category's agents, level 2 the supervisor.
        use helpdesk_domain::agents::profile::Role;
        for (id, role, categories) in [
            ("ana", Role::Agent, &["billing"][..]),
            ("sam", Role::Agent, &["support"][..]),
            ("sue", Role::Supervisor, &[][..]),
        ] {
            self.store
                .put_agent(&testkit::fixtures::agent(id, role, categories))
                .await?;
        }
        Ok(())
    }

    fn postman(&self) -> Postman<'_> {
        Postman {
            tickets: &self.faulty,
            mail: &self.faulty,
            catalog: &*self.store,
            attachments: &self.files,
            mailer: &self.ses,
            clock: &*self.clock,
            ids: &self.ids,
            keys: &self.keys,
            settings: &self.settings,
        }
    }

    /// A customer sends the help-center form (or retries one whose answer was lost).
    fn submit(&mut self) {
        // Past the hour a customer has given up (and the key's 24 hours are a
        // window this run does not test by waiting days).
        let now = self.clock.now();
        self.retry
            .retain(|(_, _, first)| now - *first < Duration::hours(1));
        let (key, input, first) = match self.retry.pop() {
            Some(again) if self.rng.chance(700) => again,
            Some(later) => {
                self.retry.push(later);
                let (k, i) = self.fresh_request();
                (k, i, now)
            }
            None => {
                let (k, i) = self.fresh_request();
                (k, i, now)
            }
        };
        let intake = Intake {
            tickets: &self.faulty,
            attachments: &self.files,
            catalog: &*self.store,
            outbound: &self.queue,
            clock: &*self.clock,
            ids: &self.ids,
            policy: &self.policy,
        };
        let ip = format!("198.51.100.{}", self.rng.below(250) + 1);
        let idempotency = IdempotencyKey {
            key: key.clone(),
            fingerprint: key.clone(),
        };
        match invoke(&self.plan, intake.submit(&input, Some(idempotency), &ip)) {
            Ran::Done(Ok(Outcome::Created(r) | Outcome::Replayed(r))) => {
                if let Some(before) = self.accepted.insert(key.clone(), r.reference.clone())
                    && before != r.reference
                {
                    self.report.violations.push(format!(
                        "request {key} answered with {before} and then {}",
                        r.reference
                    ));
                }
            }
            Ran::Done(Ok(Outcome::Discarded(_))) => {}
            Ran::Done(Err(_)) => self.retry.push((key, input, first)),
            Ran::Crashed => {
                self.report.crashes += 1;
                self.retry.push((key, input, first));
            }
        }
    }

    fn fresh_request(&mut self) -> (String, SubmissionInput) {
        let n = self.rng.next_u64() % 1_000_000_000;
        let key = format!("request-{n}");
        let input = SubmissionInput {
            category: if self.rng.chance(500) {
                "support"
            } else {
                "billing"
            }
            .into(),
            name: "Sim Customer".into(),
            email: format!("customer-{n}@example.com"),
            subject: format!("Order {n} did not arrive"),
            description: "It has been two weeks.".into(),
            details: Default::default(),
            website: String::new(),
            elapsed_ms: Some(60_000),
            attachments: vec![],
            faq_read: vec![],
            ..Default::default()
        };
        (key, input)
    }

    /// A mail arrives: a new request, a customer answering our mail through its
    /// reply address, or (SES or the sender's server delivering again) one that
    /// came before, under a new SES id.
    fn mail_in(&mut self) {
        let again = !self.mails.is_empty() && self.rng.chance(200);
        let raw = if again {
            let i = self.rng.below(self.mails.len() as u64) as usize;
            self.mails.values().nth(i).cloned().unwrap_or_default()
        } else {
            let n = self.rng.next_u64() % 1_000_000_000;
            let message_id = format!("sim-{n}@mail.example.org");
            let tickets: Vec<(String, TicketRef)> = self
                .accepted
                .iter()
                .map(|(k, r)| (k.clone(), r.clone()))
                .collect();
            let (from, to, subject) = match tickets.is_empty() || self.rng.chance(500) {
                true => (
                    format!("writer-{n}@example.org"),
                    "support@helpdesk.test".to_owned(),
                    format!("Question {n}"),
                ),
                false => {
                    let (key, r) = &tickets[self.rng.below(tickets.len() as u64) as usize];
                    let n = key.trim_start_matches("request-");
                    let from = format!("customer-{n}@example.com");
                    let (Ok(me), Ok(base)) = (
                        EmailAddress::parse(&from),
                        EmailAddress::parse("support@helpdesk.test"),
                    ) else {
                        return;
                    };
                    let to = self.keys.reply_address(&base, r, &me).as_str().to_owned();
                    (from, to, format!("Re: [#{r}] your request"))
                }
            };
            let domain = from.rsplit('@').next().unwrap_or_default().to_owned();
            let raw = format!(
                "X-SES-Spam-Verdict: PASS\r\nX-SES-Virus-Verdict: PASS\r\n\
                 Authentication-Results: amazonses.com; spf=pass; dkim=pass header.i=@{domain}; dmarc=pass header.from={domain};\r\n\
                 From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n\
                 Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
                 Mail number {n}.\r\n"
            )
            .into_bytes();
            self.mails.insert(message_id, raw.clone());
            raw
        };
        self.ses_ids += 1;
        let ses_id = format!("ses-{:08}", self.ses_ids);
        let key = helpdesk_domain::mail::inbound::parse::raw_mail_key(&ses_id);
        use helpdesk_domain::ports::RawMailStore;
        if let Ran::Done(Ok(())) = invoke(&self.plan, self.raw_mail.put(&key, &raw)) {
            self.receive(key);
        }
    }

    /// inbound-mail takes one S3 notification.
    fn receive(&mut self, key: String) {
        let inbox = helpdesk_domain::mail::inbound::receive::Inbox {
            tickets: &self.faulty,
            mail: &self.faulty,
            rules: &self.rules,
            catalog: &*self.store,
            raw_mail: &self.raw_mail,
            attachments: &self.files,
            outbound: &self.queue,
            clock: &*self.clock,
            ids: &self.ids,
            keys: &self.keys,
            settings: &self.inbox_settings,
        };
        match invoke(&self.plan, inbox.receive(&key)) {
            Ran::Done(Ok(_)) => {}
            Ran::Done(Err(_)) => self.inbound_retry.push(key),
            Ran::Crashed => {
                self.report.crashes += 1;
                self.inbound_retry.push(key);
            }
        }
    }

    /// An agent acts on one of the tickets: mostly a reply, else a status,
    /// category or assignee change, or a merge into another ticket.
    fn agent_reply(&mut self) {
        let tickets: Vec<TicketRef> = self.accepted.values().cloned().collect();
        if tickets.is_empty() {
            return;
        }
        let r = &tickets[self.rng.below(tickets.len() as u64) as usize];
        // The version the agent's screen shows (read outside the fault plan).
        let Ran::Done(Ok(thread)) = invoke(&self.plan, self.store.load_ticket(r)) else {
            return;
        };
        let desk = Desk {
            tickets: &self.faulty,
            catalog: &*self.store,
            outbound: &self.queue,
            clock: &*self.clock,
            ids: &self.ids,
        };
        let caller = testkit::fixtures::supervisor("agent-1");
        let version = thread.ticket.version;
        let action = match self.rng.below(10) {
            0 => Action::Status {
                to: [
                    Status::Open,
                    Status::WaitingOnCustomer,
                    Status::Resolved,
                    Status::Closed,
                ][self.rng.below(4) as usize],
            },
            1 => Action::Category {
                to: testkit::fixtures::category_id(
                    if thread.ticket.category.as_str() == "support" {
                        "billing"
                    } else {
                        "support"
                    },
                ),
            },
            2 => Action::Assign {
                to: self
                    .rng
                    .chance(500)
                    .then(|| testkit::fixtures::agent_id("agent-1")),
            },
            3 => {
                // A duplicate: merged into another of the tickets.
                let target = &tickets[self.rng.below(tickets.len() as u64) as usize];
                match invoke(&self.plan, desk.merge(&caller, r, version, None, target)) {
                    Ran::Done(_) => {}
                    Ran::Crashed => self.report.crashes += 1,
                }
                return;
            }
            _ => Action::Reply {
                body: "We have sent a replacement.".into(),
                solve: self.rng.chance(300),
                attachments: vec![],
                then: Default::default(),
            },
        };
        match invoke(&self.plan, desk.act(&caller, r, version, None, action)) {
            Ran::Done(Ok(_)) => self.report.agent_replies += 1,
            Ran::Done(Err(_)) => {}
            Ran::Crashed => self.report.crashes += 1,
        }
    }

    /// send-reply takes a batch from the queue; each message is deleted only when
    /// its job is done.
    fn deliver(&mut self) {
        // SQS keeps no order: a batch is handled in any order.
        let mut batch = self.queue.receive(3);
        for i in (1..batch.len()).rev() {
            batch.swap(i, self.rng.below(i as u64 + 1) as usize);
        }
        for message in batch {
            self.ses.start_invocation();
            let outcome = invoke(&self.plan, self.postman().deliver(&message.job));
            let accepted: Vec<OutboxId> = self.ses.accepted_in_invocation();
            match outcome {
                Ran::Done(Ok(_)) => {
                    self.queue.delete(message.id);
                    // Sent, but recording it failed every try (send-reply logs it
                    // and leaves it to SES's event or, failing that, the sweep).
                    let unrecorded: Vec<OutboxId> = accepted
                        .into_iter()
                        .filter(|id| {
                            !self
                                .store
                                .outbox_snapshot()
                                .iter()
                                .any(|(j, s)| &j.outbox_id == id && *s == OutboxState::Sent)
                        })
                        .collect();
                    self.widen(unrecorded);
                }
                // Left for the queue to show again; if SES took the mail in this
                // invocation, the retry may send it again: the documented window.
                Ran::Done(Err(_)) => self.widen(accepted),
                Ran::Crashed => {
                    self.report.crashes += 1;
                    self.widen(accepted);
                }
            }
        }
    }

    fn widen(&mut self, accepted: Vec<OutboxId>) {
        for id in accepted {
            *self.window.entry(id).or_insert(0) += 1;
        }
    }

    /// SES publishes one "sent" event (some later, some never).
    fn ses_event(&mut self) {
        let event = {
            let mut events = self.ses.events.lock().unwrap_or_else(|p| p.into_inner());
            if events.is_empty() {
                return;
            }
            let i = self.rng.below(events.len() as u64) as usize;
            events.remove(i)
        };
        if self.rng.chance(200) {
            return; // never published
        }
        let desk = FeedbackDesk {
            mail: &self.faulty,
            tickets: &self.faulty,
            clock: &*self.clock,
            domain: self.settings.domain(),
        };
        let feedback = Feedback::Sent {
            ses_id: event.0.clone(),
            outbox: event.1.clone(),
        };
        match invoke(&self.plan, desk.apply(&feedback)) {
            Ran::Done(Ok(())) => {}
            // The event stays on the queue and comes again.
            Ran::Done(Err(_)) => self
                .ses
                .events
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(event),
            Ran::Crashed => {
                self.report.crashes += 1;
                self.ses
                    .events
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(event);
            }
        }
    }

    /// The schedule's SLA run: warnings, breaches, escalations, reminders,
    /// solving and closing quiet tickets, each step with its mail.
    fn sla_run(&mut self) {
        let run = helpdesk_domain::sla::escalation::SlaRun {
            tickets: &self.faulty,
            catalog: &*self.store,
            outbound: &self.queue,
            clock: &*self.clock,
            ids: &self.ids,
            max_tickets: 50,
            // Several at once: the simulation's faults then hit interleaved visits.
            concurrency: 4,
            stop: None,
        };
        match invoke(&self.plan, run.run()) {
            Ran::Done(Ok(report)) => {
                self.report.sla_steps += report.warned
                    + report.breached
                    + report.escalated
                    + report.reminded
                    + report.solved
                    + report.closed
            }
            Ran::Done(Err(_)) => {}
            Ran::Crashed => self.report.crashes += 1,
        }
    }

    /// The schedule's sweep: lost or abandoned mail back on the queue.
    fn sweep(&mut self) {
        let now = self.clock.now();
        match invoke(
            &self.plan,
            helpdesk_domain::mail::outbound::resend::resend_unsent(
                &self.faulty,
                &self.queue,
                now,
                Duration::minutes(10),
                100,
            ),
        ) {
            Ran::Crashed => self.report.crashes += 1,
            Ran::Done(_) => {}
        }
    }

    fn step(&mut self) {
        match self.rng.below(100) {
            0..=19 => self.submit(),
            20..=29 => self.mail_in(),
            30..=39 => match self.inbound_retry.pop() {
                Some(key) if self.rng.chance(500) => self.receive(key),
                Some(key) => {
                    self.inbound_retry.push(key);
                    self.agent_reply()
                }
                None => self.agent_reply(),
            },
            40..=69 => self.deliver(),
            70..=79 => self.ses_event(),
            80..=82 => self.sweep(),
            83..=85 => self.sla_run(),
            // Now and then hours or days pass (a night, a weekend): promises fall
            // due, quiet tickets are reminded, solved and closed.
            86..=87 => self
                .clock
                .advance(Duration::hours(1 + self.rng.below(48) as i64)),
            _ => self
                .clock
                .advance(Duration::seconds(1 + self.rng.below(120) as i64)),
        }
    }

    /// No more faults: the queue drains, the sweep runs every 5 minutes, every
    /// pending request is retried, every "sent" event arrives.
    fn settle(&mut self) {
        self.plan.quiet();
        while !self.retry.is_empty() {
            self.submit();
        }
        while let Some(key) = self.inbound_retry.pop() {
            self.receive(key);
        }
        for _ in 0..200 {
            self.clock.advance(Duration::minutes(5));
            self.sla_run();
            self.sweep();
            while !self.queue.is_empty() {
                self.clock.advance(Duration::seconds(61));
                self.deliver();
            }
            while !self
                .ses
                .events
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_empty()
            {
                self.ses_event();
            }
            let unsent = self
                .store
                .outbox_snapshot()
                .iter()
                .any(|(_, s)| matches!(s, OutboxState::Queued | OutboxState::Sending));
            // A run that died leaves its digests to a run ten minutes on.
            let open_runs = !self.store.notices_snapshot().1.is_empty();
            if !unsent && !open_runs && self.queue.is_empty() {
                break;
            }
        }
    }

    fn check(&mut self) {
        let mut checked = 0;
        let threads = self.store.threads_snapshot();
        // 1. Every request the customer was told about exists, once.
        let mut per_requester: HashMap<String, Vec<TicketRef>> = HashMap::new();
        // (Their mail may open more: to a closed ticket, for one.)
        for (t, _) in threads.iter().filter(|(t, _)| t.channel == Channel::Web) {
            per_requester
                .entry(t.requester.email.key())
                .or_default()
                .push(t.reference.clone());
        }
        for (key, r) in &self.accepted {
            checked += 1;
            if !threads.iter().any(|(t, _)| &t.reference == r) {
                self.report
                    .violations
                    .push(format!("request {key}: ticket {r} is missing"));
            }
        }
        for (who, refs) in &per_requester {
            checked += 1;
            if refs.len() > 1 {
                self.report.violations.push(format!(
                    "{who} has {} tickets for one request: {refs:?}",
                    refs.len()
                ));
            }
        }
        // 2. Every mail that came in is one ticket or message, however often it
        //    was delivered.
        for message_id in self.mails.keys() {
            checked += 1;
            let found = threads
                .iter()
                .flat_map(|(_, messages)| messages.iter())
                .filter(|m| {
                    m.email
                        .as_ref()
                        .and_then(|e| e.message_id.as_deref())
                        .is_some_and(|id| id.trim_matches(|c| c == '<' || c == '>') == message_id)
                })
                .count();
            if found != 1 {
                self.report
                    .violations
                    .push(format!("mail <{message_id}> is {found} messages"));
            }
        }
        // 3. Each SLA step is done once per clock: its event names the target,
        //    the stage and the due instant, so the same text twice is one step
        //    done twice.
        for (t, messages) in &threads {
            let mut seen = std::collections::HashSet::new();
            for m in messages.iter().filter(|m| m.body_text.starts_with("SLA ")) {
                checked += 1;
                if !seen.insert(m.body_text.as_str()) {
                    self.report
                        .violations
                        .push(format!("{}: \"{}\" twice", t.reference, m.body_text));
                }
            }
        }
        // 4. No message on a ticket other than its own.
        for (t, messages) in &threads {
            for m in messages {
                checked += 1;
                if m.ticket != t.reference {
                    self.report.violations.push(format!(
                        "message {:?} of {} stored on {}",
                        m.id, m.ticket, t.reference
                    ));
                }
            }
        }
        // 5. Every mail settled, sent at most once outside the documented window,
        //    and a mail recorded as sent was accepted by SES.
        let accepted = self.ses.accepted();
        for (job, state) in self.store.outbox_snapshot() {
            checked += 1;
            let times = accepted.get(&job.outbox_id).copied().unwrap_or(0);
            match state {
                OutboxState::Queued | OutboxState::Sending => self.report.violations.push(format!(
                    "outbox {} ({:?}) still {state:?} after the system settled",
                    job.outbox_id.as_str(),
                    job.kind
                )),
                OutboxState::Sent if times == 0 => self.report.violations.push(format!(
                    "outbox {} recorded sent but SES never took it",
                    job.outbox_id.as_str()
                )),
                _ => {}
            }
            let allowed = 1 + self.window.get(&job.outbox_id).copied().unwrap_or(0);
            if times > allowed {
                self.report.violations.push(format!(
                    "outbox {} ({:?}) mailed {times} times",
                    job.outbox_id.as_str(),
                    job.kind
                ));
            }
            if times > 1 {
                self.report.duplicate_window_mails += times - 1;
            }
        }
        // 6. The live counters say what the tickets say.
        for category in ["support", "billing"] {
            let id = testkit::fixtures::category_id(category);
            let Ran::Done(Ok(counts)) = invoke(&self.plan, self.store.status_counts(&id)) else {
                continue;
            };
            for status in Status::ALL {
                checked += 1;
                let real = threads
                    .iter()
                    .filter(|(t, _)| t.category == id && t.status == status)
                    .count() as i64;
                if counts.get(status) != real {
                    self.report.violations.push(format!(
                        "{category}/{status:?}: counter {} but {real} tickets",
                        counts.get(status)
                    ));
                }
            }
        }
        // 7. Every SLA step an agent is told of reaches them in their one digest
        //    of its run, counted there, and no run is left open.
        let (notices, open_runs) = self.store.notices_snapshot();
        let outbox: HashMap<_, _> = self
            .store
            .outbox_snapshot()
            .into_iter()
            .map(|(j, state)| (j.outbox_id.clone(), (j, state)))
            .collect();
        let mut told: HashMap<_, (u32, String)> = HashMap::new();
        for n in &notices {
            for to in &n.recipients {
                let id = helpdesk_domain::mail::outbound::digest::digest_outbox_id(&n.run, to);
                told.entry(id).or_insert((0, to.as_str().to_owned())).0 += 1;
            }
        }
        for (id, (steps, to)) in told {
            checked += 1;
            let found = outbox.get(&id);
            if let Some((job, state)) = found
                && (job.recipient.as_str() != to || *state != OutboxState::Sent)
            {
                self.report.violations.push(format!(
                    "digest {} for {to} went to {} and is {state:?}",
                    id.as_str(),
                    job.recipient.as_str()
                ));
            }
            match found.and_then(|(j, _)| j.digest.as_ref()) {
                Some(d) if d.total == steps => {}
                Some(d) => self.report.violations.push(format!(
                    "digest {} counts {} steps of {steps}",
                    id.as_str(),
                    d.total
                )),
                None => self.report.violations.push(format!(
                    "{steps} SLA steps told in no digest ({})",
                    id.as_str()
                )),
            }
        }
        for run in open_runs {
            checked += 1;
            self.report.violations.push(format!(
                "SLA run {} still open after the system settled",
                run.as_str()
            ));
        }
        self.report.mails_accepted = accepted.values().sum();
        self.report.mails_in = self.mails.len();
        self.report.mail_replies_threaded = threads
            .iter()
            .flat_map(|(_, messages)| messages.iter())
            .filter(|m| {
                m.threaded_by == helpdesk_domain::tickets::message::ThreadedBy::ReplyToToken
            })
            .count();
        self.report.accepted_requests = self.accepted.len();
        self.report.dead_letters = self.queue.dead_letters();
        self.report.faults = self.plan.faults_drawn();
        self.report.invariants_checked = checked;
    }
}

/// One seeded run of `steps` steps with `fault_rate` per mille of calls faulted.
pub fn run(seed: u64, steps: u32, fault_rate: u64) -> anyhow::Result<Report> {
    let mut sim = Sim::new(seed, fault_rate)?;
    match invoke(&sim.plan, sim.setup()) {
        Ran::Done(r) => r?,
        Ran::Crashed => anyhow::bail!("setup cannot crash"),
    }
    for _ in 0..steps {
        sim.step();
    }
    sim.report.steps = steps;
    sim.settle();
    sim.check();
    Ok(sim.report)
}

#[cfg(test)]
mod tests {
    /// A few seeds with every test run (`make test` also runs the binary over 100
    /// and prints its report; `make sim SEEDS=10000` runs many more).
    const SEEDS: u64 = 20;

    fn holds(seed: u64) {
        let report = super::run(seed, 400, 50).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert!(
            report.violations.is_empty(),
            "seed {seed} (replay: make sim SEED={seed}): {:#?}",
            report.violations
        );
        assert!(
            report.faults > 0 && report.accepted_requests > 0,
            "{report:?}"
        );
    }

    #[test]
    fn every_seed_keeps_the_guarantees() {
        for seed in 1..=SEEDS {
            holds(seed);
        }
    }

    /// Found a confirmation left `sending` for good when the claim took the item
    /// out of the unsent index and the sender died (fixed: the lease's end puts
    /// it back in reach of the sweep).
    #[test]
    fn seed_218_a_sender_dying_after_its_claim() {
        holds(218);
    }

    /// Found two tickets for one mail that SES delivered twice under two SES ids,
    /// when the only dedupe key was the SES id (fixed: the mail's own Message-ID,
    /// sender and content).
    #[test]
    fn seed_1_the_same_mail_delivered_twice() {
        holds(1);
    }

    #[test]
    fn a_seed_replays_exactly() {
        let a = super::run(7, 300, 50).unwrap_or_else(|e| panic!("{e}"));
        let b = super::run(7, 300, 50).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }
}
