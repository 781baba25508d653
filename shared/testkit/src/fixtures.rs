//! Sample data for tests.

use chrono::{DateTime, Utc};
use helpdesk_domain::agents::profile::{Agent, Role};
use helpdesk_domain::catalog::faq::FaqEntry;
use helpdesk_domain::ports::IdSource;
use helpdesk_domain::ports::store::{IdempotencyClaim, NewTicket};
use helpdesk_domain::tickets::message::{EmailIds, ThreadedBy};
use helpdesk_domain::tickets::ticket::{Channel, Requester};
use helpdesk_domain::values::ids::FaqId;
use helpdesk_domain::values::text::{DisplayName, Subject};
use helpdesk_domain::{
    AgentId, Author, Category, CategoryId, EmailAddress, FieldKind, FieldSchema, Message,
    MessageKind, Priority, Status, Ticket, TicketRef, Tier,
};

/// Parses a literal that the test author knows is valid.
pub fn email(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap_or_else(|e| panic!("test email {s:?}: {e}"))
}

pub fn category_id(s: &str) -> CategoryId {
    CategoryId::parse(s).unwrap_or_else(|e| panic!("test category {s:?}: {e}"))
}

pub fn agent_id(s: &str) -> AgentId {
    AgentId::parse(s).unwrap_or_else(|e| panic!("test agent {s:?}: {e}"))
}

pub fn category(id: &str, position: u32) -> Category {
    Category {
        id: category_id(id),
        name: format!("Category {id}"),
        description: format!("Questions about {id}"),
        hints: vec!["Include your order number".into()],
        fields: vec![FieldSchema {
            name: "order_id".into(),
            label: "Order number".into(),
            kind: FieldKind::Text { max_len: 20 },
            required: false,
            help: "On your receipt".into(),
        }],
        addresses: vec![email(&format!("{id}@helpdesk.test"))],
        agents: vec![],
        sla_policy: "default".into(),
        position,
        lifecycle: Default::default(),
        retention_months: None,
        translations: Default::default(),
    }
}

pub fn agent(id: &str, role: Role, categories: &[&str]) -> Agent {
    Agent {
        id: agent_id(id),
        name: id.to_owned(),
        email: email(&format!("{id}@helpdesk.test")),
        role,
        categories: categories.iter().map(|c| category_id(c)).collect(),
        display_name: None,
        signature: None,
        alerts: None,
    }
}

/// A signed-in caller whose role the identity provider vouches for.
pub fn caller(
    id: &str,
    role: Role,
    categories: &[&str],
) -> helpdesk_domain::agents::actions::Caller {
    helpdesk_domain::agents::actions::Caller {
        agent: agent(id, role, categories),
        role,
    }
}

/// A supervisor: sees every category.
pub fn supervisor(id: &str) -> helpdesk_domain::agents::actions::Caller {
    caller(id, Role::Supervisor, &[])
}

/// An agent's reply as the console sends it.
pub fn reply(body: &str) -> helpdesk_domain::agents::actions::Action {
    helpdesk_domain::agents::actions::Action::Reply {
        body: body.to_owned(),
        solve: false,
        attachments: vec![],
        then: Default::default(),
    }
}

pub fn faq(id: &str, category: &str, position: u32) -> FaqEntry {
    FaqEntry {
        id: FaqId::parse(id).unwrap_or_else(|e| panic!("test faq id {id:?}: {e}")),
        category: category_id(category),
        question: format!("Question {id}?"),
        answer: format!("Answer {id}."),
        published: true,
        position,
        source_ticket: None,
        pinned: false,
        translations: Default::default(),
    }
}

/// A new web ticket in `category` from `requester`, created at `at`.
pub fn new_ticket(
    ids: &dyn IdSource,
    category: &str,
    requester: &str,
    at: DateTime<Utc>,
) -> NewTicket {
    let reference = ids.ticket_ref();
    new_ticket_with_ref(ids, reference, category, requester, at)
}

pub fn new_ticket_with_ref(
    ids: &dyn IdSource,
    reference: TicketRef,
    category: &str,
    requester: &str,
    at: DateTime<Utc>,
) -> NewTicket {
    let requester = Requester {
        name: DisplayName::from_mail("Jane Customer"),
        email: email(requester),
    };
    let ticket = Ticket {
        reference: reference.clone(),
        category: category_id(category),
        tier: Tier::Standard,
        priority: Priority::Normal,
        requester: requester.clone(),
        subject: Subject::from_mail("My order did not arrive"),
        status: Status::New,
        assignee: None,
        details: Default::default(),
        channel: Channel::Web,
        created_at: at,
        updated_at: at,
        due_at: None,
        version: 1,
        merged_into: None,
        sla: Default::default(),
        participants: vec![],
        cc: vec![],
        tags: vec![],
        email_verified: true,
        rating: None,
        erased_at: None,
        words_removed_in: None,
        language: Default::default(),
        time_zone: None,
    };
    let first_message = Message {
        id: ids.message_id(at),
        ticket: reference,
        kind: MessageKind::Customer,
        author: Author::Customer {
            name: requester.name,
            email: requester.email,
        },
        body_text: "Hello, my order 1234 did not arrive.".into(),
        body_html: None,
        attachments: vec![],
        email: None,
        threaded_by: ThreadedBy::WebForm,
        created_at: at,
        about: vec![],
    };
    NewTicket {
        ticket,
        first_message,
        idempotency: None,
        tracking_token: None,
        rate_limits: vec![],
        outbox: vec![],
        faq_read: vec![],
    }
}

pub fn with_idempotency(mut new: NewTicket, key: &str, fingerprint: &str) -> NewTicket {
    new.idempotency = Some(IdempotencyClaim {
        key: key.to_owned(),
        fingerprint: fingerprint.to_owned(),
        expires_at: new.ticket.created_at + chrono::Duration::hours(24),
    });
    new
}

pub fn with_mail_id(mut new: NewTicket, message_id: &str) -> NewTicket {
    new.ticket.channel = Channel::Email;
    new.first_message.threaded_by = ThreadedBy::NewTicket;
    new.first_message.email = Some(EmailIds {
        message_id: Some(message_id.to_owned()),
        ses_message_id: Some("ses-0001".into()),
        ..Default::default()
    });
    new
}

/// An agent reply on `ticket` at `at`.
pub fn agent_reply(ids: &dyn IdSource, ticket: &Ticket, agent: &str, at: DateTime<Utc>) -> Message {
    Message {
        id: ids.message_id(at),
        ticket: ticket.reference.clone(),
        kind: MessageKind::AgentReply,
        author: Author::Agent {
            id: agent_id(agent),
            signed: None,
        },
        body_text: "We are on it.".into(),
        body_html: None,
        attachments: vec![],
        email: None,
        threaded_by: ThreadedBy::Console,
        created_at: at,
        about: vec![],
    }
}

/// Monday to Friday 09:00–17:00 in Berlin, Christmas Day closed; standard answers
/// within 24 business hours, premium within 2.
pub fn office_policy(id: &str) -> helpdesk_domain::sla::policy::SlaPolicy {
    use chrono::{NaiveDate, NaiveTime};
    use helpdesk_domain::sla::policy::{Calendar, SlaPolicy, Targets};
    let at = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
    let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).into_iter().collect();
    let calendar = Calendar::weekdays("Europe/Berlin", at(9), at(17), christmas)
        .unwrap_or_else(|e| panic!("{e}"));
    SlaPolicy {
        id: id.to_owned(),
        calendar,
        standard: Targets {
            first_response_minutes: 24 * 60,
            next_response_minutes: 24 * 60,
            resolution_minutes: 80 * 60,
        },
        premium: Targets {
            first_response_minutes: 120,
            next_response_minutes: 240,
            resolution_minutes: 24 * 60,
        },
        warn_percent: 80,
        escalate_percent: 150,
    }
}

/// The confirmation mail of `ticket` as its creation queues it.
pub fn confirmation_job(
    ids: &dyn helpdesk_domain::ports::IdSource,
    ticket: &helpdesk_domain::Ticket,
) -> helpdesk_domain::mail::outbound::job::OutboundJob {
    helpdesk_domain::mail::outbound::job::OutboundJob {
        outbox_id: ids.outbox_id(),
        kind: helpdesk_domain::mail::outbound::job::MailKind::TicketConfirmation,
        ticket: Some(ticket.reference.clone()),
        message: None,
        recipient: ticket.requester.email.clone(),
        throttled: 0,
        digest: None,
        alert: None,
    }
}

/// Adds agents' replies to `reference` until its thread holds `total` messages
/// (a long conversation, for the thread size cap), 50 to a write.
pub async fn fill_thread(
    store: &dyn helpdesk_domain::ports::TicketStore,
    ids: &dyn IdSource,
    reference: &helpdesk_domain::TicketRef,
    total: usize,
) {
    loop {
        let thread = store
            .load_ticket(reference)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let held = thread.messages.len();
        if held >= total {
            return;
        }
        let at = thread.ticket.updated_at;
        let replies = (held..total.min(held + 50))
            .map(|i| {
                let at = at + chrono::Duration::milliseconds(i as i64);
                agent_reply(ids, &thread.ticket, "agent-1", at)
            })
            .collect();
        let update = helpdesk_domain::ports::store::TicketUpdate::new(
            &thread.ticket,
            thread.ticket.clone(),
            replies,
        );
        store
            .update_ticket(update)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
}
