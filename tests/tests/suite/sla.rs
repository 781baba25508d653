//! The SLA run on the local stack, with the schedule's clock set by the event's
//! time: a late ticket is warned, breached and escalated once per level (also when
//! two runs overlap), the agents and supervisors are mailed, the console counts it
//! overdue; a quiet ticket is reminded, solved and closed, and a reply reopens it.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, Utc};
use helpdesk_domain::ports::Queues;
use helpdesk_domain::ports::TicketRecords;
use helpdesk_domain::ports::TrackingTokens;
use helpdesk_domain::ports::store::TrackingToken;
use helpdesk_domain::ports::{RandomIds, SystemClock};
use helpdesk_domain::sla::clocks::{Stage, Target};
use helpdesk_domain::sla::escalation::RunReport;
use helpdesk_domain::values::token::SecretToken;
use helpdesk_domain::{MessageKind, Priority, Status, Ticket, TicketRef};
use lambda_kit::config::{AgentApiConfig, SendReplyConfig, SlaEscalationConfig};
use serde_json::{Value, json};
use std::sync::Arc;
use testkit::local::{LocalEnv, unique};

pub(crate) struct Desk {
    pub(crate) env: LocalEnv,
    sla: sla_escalation::Deps,
}

impl Desk {
    pub(crate) async fn new() -> Self {
        let env = LocalEnv::fresh().await;
        local_runner::seed::seed_demo(&*env.store()).await.unwrap();
        let mut config = SlaEscalationConfig::from_source(&env.vars).unwrap();
        // The channel self-test has its own test (`selftest.rs`).
        config.self_test = None;
        let sla = sla_escalation::Deps::connect(
            &testkit::iam::recorded(&env.aws, "sla-escalation"),
            &config,
        );
        Self { env, sla }
    }

    /// A request from `email` through the public API.
    pub(crate) async fn submit(&self, email: &str) -> TicketRef {
        TicketRef::parse(&crate::agent::submit_billing(&self.env, email).await).unwrap()
    }

    pub(crate) async fn ticket(
        &self,
        reference: &TicketRef,
    ) -> (Ticket, Vec<helpdesk_domain::Message>) {
        let thread = self.env.store().load_ticket(reference).await.unwrap();
        (thread.ticket, thread.messages)
    }

    /// One run of the schedule, fired at `at` (EventBridge's times are whole
    /// seconds: the next one at or after `at`).
    async fn tick(&self, at: DateTime<Utc>) -> RunReport {
        let up = i64::from(at.timestamp_subsec_nanos() > 0);
        let at = DateTime::from_timestamp(at.timestamp() + up, 0).unwrap();
        let event = local_runner::schedule::scheduled_event(at).unwrap();
        sla_escalation::handle(&self.sla, event).await.unwrap().sla
    }

    /// What an agent-api call as `user` (of the agents group) answers.
    async fn agent(
        &self,
        user: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.agent_in(user, "agents", method, path, body).await
    }

    pub(crate) async fn agent_in(
        &self,
        user: &str,
        group: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let config = AgentApiConfig::from_source(&self.env.vars).unwrap();
        let router = agent_api::router(Arc::new(agent_api::Deps::connect(
            &testkit::iam::recorded(&self.env.aws, "agent-api"),
            &config,
        )));
        let event = crate::agent::as_agent(user, group, method, path, body);
        crate::functions::invoke(router, &event).await
    }

    /// Ana acts on the ticket as she sees it now (`action` is the route's last
    /// part, `body` its fields besides the version and the last entry seen).
    pub(crate) async fn ana_does(&self, reference: &TicketRef, action: &str, mut body: Value) {
        let path = format!("/api/agent/tickets/{reference}");
        let (status, view) = self.agent("ana", "GET", &path, None).await;
        assert_eq!(status, 200, "{view}");
        body["version"] = view["ticket"]["version"].clone();
        body["last_seen"] = view["thread"].as_array().unwrap().last().unwrap()["id"].clone();
        let (status, done) = self
            .agent("ana", "POST", &format!("{path}/{action}"), Some(body))
            .await;
        assert_eq!(status, 200, "{done}");
    }

    /// Mails every queued job, as send-reply would.
    async fn send_queued_mail(&self) {
        let outbound = send_reply::Deps::connect(
            &testkit::iam::recorded(&self.env.aws, "send-reply"),
            &SendReplyConfig::from_source(&self.env.vars).unwrap(),
        );
        loop {
            let batch = crate::mail::receive_batch(&self.env, "HELPDESK_OUTBOUND_QUEUE_URL").await;
            if batch.records.is_empty() {
                break;
            }
            let response = send_reply::handle(&outbound, batch).await;
            assert!(response.batch_item_failures.is_empty());
        }
    }

    /// The raw mail sent to `to` that mentions `reference`.
    async fn mail_to(&self, to: &str, reference: &TicketRef) -> Vec<String> {
        local_runner::dev::sent_mail(&self.env.var("HELPDESK_MOTO_URL"))
            .await
            .unwrap()
            .into_iter()
            .filter(|m| {
                m.destinations.iter().any(|d| d == to) && m.raw_data.contains(reference.as_str())
            })
            .map(|m| m.raw_data)
            .collect()
    }
}

fn events(messages: &[helpdesk_domain::Message]) -> Vec<String> {
    messages
        .iter()
        .filter(|m| m.kind == MessageKind::SystemEvent)
        .map(|m| m.body_text.clone())
        .collect()
}

#[tokio::test]
async fn a_late_ticket_is_warned_breached_and_escalated_once_per_level() {
    let desk = Desk::new().await;
    let customer = format!("{}@example.com", unique("late"));
    let reference = desk.submit(&customer).await;
    let (ticket, _) = desk.ticket(&reference).await;
    let response = ticket.sla.response.unwrap();
    assert_eq!(response.target, Target::FirstResponse);
    let spell = response.spell.unwrap();
    assert_eq!(ticket.due_at, Some(spell.due_at));

    // Nothing is due a second before the warning; at it, the warning, once.
    let quiet = desk.tick(spell.warn_at - Duration::seconds(1)).await;
    assert_eq!((quiet.looked_at, quiet.warned), (0, 0), "{quiet:?}");
    let warned = desk.tick(spell.warn_at).await;
    assert_eq!((warned.looked_at, warned.warned), (1, 1), "{warned:?}");
    assert_eq!(desk.tick(spell.warn_at).await.looked_at, 0, "warned once");

    // At the due time: level 1, priority up; the billing agent (ana) hears of it.
    let breached = desk.tick(spell.due_at).await;
    assert_eq!(breached.breached, 1, "{breached:?}");
    let (ticket, _) = desk.ticket(&reference).await;
    assert_eq!(ticket.priority, Priority::High);
    assert_eq!(ticket.sla.response.unwrap().stage, Stage::Breached);
    let counts = desk
        .env
        .store()
        .queue_counts(
            std::slice::from_ref(&ticket.category),
            &helpdesk_domain::AgentId::parse("ana").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(counts.categories[&ticket.category].overdue, 1);
    let (status, counts) = desk.agent("ana", "GET", "/api/agent/counts", None).await;
    assert_eq!(status, 200, "{counts}");
    assert_eq!(counts["views"]["overdue"], 1);

    // Two runs at once at the level-2 time: escalated exactly once.
    let (a, b) = tokio::join!(desk.tick(spell.escalate_at), desk.tick(spell.escalate_at));
    assert_eq!(a.escalated + b.escalated, 1, "{a:?} {b:?}");
    let (ticket, messages) = desk.ticket(&reference).await;
    assert_eq!(ticket.priority, Priority::Urgent);
    let events = events(&messages);
    let count = |text: &str| events.iter().filter(|e| e.contains(text)).count();
    assert_eq!(
        (count("SLA warning"), count("level 1"), count("level 2")),
        (1, 1, 1),
        "{events:#?}"
    );

    desk.send_queued_mail().await;
    let to_ana = desk.mail_to("ana@helpdesk.test", &reference).await;
    assert_eq!(to_ana.len(), 1, "level 1 goes to the category's agent");
    assert!(to_ana[0].contains("SLA breached (level 1)"));
    assert!(to_ana[0].contains(&format!("/agent/#/ticket/{}", reference.as_str())));
    let to_sue = desk.mail_to("sue@helpdesk.test", &reference).await;
    assert_eq!(to_sue.len(), 1, "level 2 goes to the supervisor");
    assert!(to_sue[0].contains("Auto-Submitted: auto-generated"));
    assert!(
        desk.mail_to("ben@helpdesk.test", &reference)
            .await
            .is_empty(),
        "ben does not work on billing"
    );

    // The agent answers: the response clock stops and the ticket is no longer overdue.
    desk.ana_does(&reference, "replies", json!({"body": "Refunded."}))
        .await;
    let (ticket, _) = desk.ticket(&reference).await;
    assert_eq!(ticket.sla.targets_met, (0, 1), "the first answer came late");
    let (_, counts) = desk.agent("ana", "GET", "/api/agent/counts", None).await;
    assert_eq!(counts["views"]["overdue"], 0);
}

#[tokio::test]
async fn a_quiet_ticket_is_reminded_solved_and_closed_and_a_reply_reopens_it() {
    let desk = Desk::new().await;
    let customer = format!("{}@example.com", unique("quiet"));
    let reference = desk.submit(&customer).await;
    desk.ana_does(
        &reference,
        "replies",
        json!({"body": "Which card did you use?"}),
    )
    .await;
    let (ticket, _) = desk.ticket(&reference).await;
    assert_eq!(ticket.status, Status::WaitingOnCustomer);
    assert_eq!(
        ticket.due_at, None,
        "no clock runs while the customer has the ball"
    );
    let since = ticket.sla.idle.unwrap().since;
    let day = |n: i64| since + Duration::days(n);

    // Demo lifecycle: reminder after 3 days, solved after 7, closed 7 days later.
    assert_eq!(desk.tick(day(3) - Duration::minutes(1)).await.reminded, 0);
    assert_eq!(desk.tick(day(3)).await.reminded, 1);
    assert_eq!(
        desk.tick(day(3) + Duration::minutes(5)).await.reminded,
        0,
        "once"
    );
    let solved = desk.tick(day(7)).await;
    assert_eq!(solved.solved, 1, "{solved:?}");
    let (ticket, messages) = desk.ticket(&reference).await;
    assert_eq!(ticket.status, Status::Resolved);
    assert!(
        events(&messages)
            .iter()
            .any(|e| e.contains("marked solved"))
    );
    desk.send_queued_mail().await;
    let to_customer = desk.mail_to(&customer, &reference).await;
    assert!(
        to_customer.iter().any(|m| m.contains("Reminder:")),
        "the reminder was mailed"
    );
    assert!(
        to_customer
            .iter()
            .any(|m| m.contains("Is your request solved?")),
        "the confirmation request was mailed"
    );

    // The customer answers on the tracking page: open again, a next-response clock runs.
    let secret = SecretToken::random();
    desk.env
        .store()
        .add_tracking_token(
            &reference,
            TrackingToken {
                hash: secret.hash(),
                expires_at: Utc::now() + Duration::days(30),
                mailed: true,
            },
        )
        .await
        .unwrap();
    let store = desk.env.store();
    let catalog = desk.env.store();
    let attachments = testkit::fakes::InMemoryAttachments::default();
    let tracking = helpdesk_domain::customers::tracking::Tracking {
        tickets: &*store,
        catalog: &*catalog,
        attachments: &attachments,
        outbound: &testkit::fakes::RecordingQueue::default(),
        clock: &SystemClock,
        ids: &RandomIds,
        token_ttl: Duration::days(30),
        replies: Default::default(),
        language: Default::default(),
    };
    let reopened = tracking
        .reply(&reference, &secret, "Still charged twice.", &[])
        .await
        .unwrap();
    assert_eq!(reopened.status, Status::Open);
    assert_eq!(reopened.sla.response.unwrap().target, Target::NextResponse);
    assert!(reopened.due_at.is_some());

    // Solved again and left alone: a reminder halfway, then closed.
    desk.ana_does(&reference, "status", json!({"status": "resolved"}))
        .await;
    let (ticket, _) = desk.ticket(&reference).await;
    let solved_at = ticket.sla.idle.unwrap().since;
    let end = solved_at + Duration::days(7);
    assert_eq!(desk.tick(end).await.reminded, 1, "reminded before closing");
    let closed = desk.tick(end).await;
    assert_eq!(closed.closed, 1, "{closed:?}");
    let (ticket, _) = desk.ticket(&reference).await;
    assert_eq!(ticket.status, Status::Closed);
    assert_eq!((ticket.due_at, ticket.sla.wake_at), (None, None));
    assert_eq!(desk.tick(end + Duration::days(30)).await.looked_at, 0);
}
