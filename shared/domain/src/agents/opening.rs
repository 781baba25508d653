//! Tickets agents open for a customer: what they were told on the phone or in a
//! chat elsewhere (logged, and the customer gets the usual confirmation with
//! the reference and their link), or a message we send first ("your order is
//! delayed", mailed with the customer's link). Either way one write: the
//! ticket, its first message and its mail.

use super::actions::{Caller, Desk, MAX_BODY_CHARS};
use crate::agents::alerts;
use crate::catalog::category::FieldError;
use crate::mail::outbound::job::{MailKind, OutboundJob};
use crate::ports::store::{Created, IdempotencyClaim, NewTicket, RateLimitClaim, StoreError};
use crate::sla::clocks::{self, Happened, Rules};
use crate::tickets::message::{Author, Message, MessageKind, ThreadedBy};
use crate::tickets::ticket::{Channel, Requester, Status, Ticket};
use crate::values::email::EmailAddress;
use crate::values::ids::CategoryId;
use crate::values::text::{DisplayName, Subject};
use chrono::Duration;
use std::collections::BTreeMap;

/// How the ticket's first message reaches the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstMessage {
    /// What the customer told us, in the agent's words; they get the usual
    /// confirmation (reference and link).
    Logged,
    /// Our message to the customer, mailed with their link.
    Mailed,
}

/// A ticket as an agent asks to open it, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenRequest {
    pub category: String,
    pub email: String,
    /// Empty: taken from the address.
    pub name: String,
    pub subject: String,
    pub body: String,
    pub details: BTreeMap<String, String>,
    pub first: FirstMessage,
    /// The console's id for this request: sending it twice opens one ticket.
    pub request_id: Option<String>,
    /// The customer's language: every mail to them is written in it.
    pub language: crate::i18n::Language,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OpenError {
    #[error("some fields need attention")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Tickets one agent may open in an hour (each mails a customer).
pub const OPENED_PER_HOUR: u32 = 60;
/// How long a console request id keeps a second send from opening a second ticket.
const REQUEST_ID_HOURS: i64 = 24;
const ATTEMPTS: usize = 3;

impl Desk<'_> {
    /// Opens a ticket for a customer in one of the caller's categories.
    pub async fn open_for_customer(
        &self,
        caller: &Caller,
        request: &OpenRequest,
    ) -> Result<Created, OpenError> {
        let mut errors = Vec::new();
        let category = match CategoryId::parse(request.category.trim()) {
            Ok(id) if caller.covers(&id) => self.catalog.category(&id).await?,
            _ => None,
        };
        if category.is_none() {
            errors.push(FieldError::new("category", "name one of your categories"));
        }
        let email = field(&mut errors, "email", EmailAddress::parse(&request.email));
        let subject = field(&mut errors, "subject", Subject::parse(&request.subject));
        let name = if request.name.trim().is_empty() {
            email
                .as_ref()
                .map(|e| Ok(DisplayName::from_mail(e.local_part())))
        } else {
            Some(DisplayName::parse(&request.name))
        };
        let name = name.and_then(|n| field(&mut errors, "name", n));
        let body = request.body.trim();
        if body.is_empty() {
            errors.push(FieldError::new("body", "write something first"));
        } else if body.chars().count() > MAX_BODY_CHARS {
            errors.push(FieldError::new(
                "body",
                format!("at most {MAX_BODY_CHARS} characters"),
            ));
        }
        let details = match &category {
            Some(c) => c
                .parse_details(&request.details, crate::i18n::Language::En)
                .unwrap_or_else(|e| {
                    errors.extend(e);
                    Default::default()
                }),
            None => Default::default(),
        };
        let (Some(category), Some(email), Some(subject), Some(name), true) =
            (category, email, subject, name, errors.is_empty())
        else {
            return Err(OpenError::Invalid(errors));
        };
        let now = self.clock.now();
        let policy = self.catalog.policy(&category.sla_policy).await?;
        let rules = Rules::new(Some(&category), policy);
        let tier = crate::customers::tiers::tier_of_request(
            self.catalog,
            &email,
            Some(&category),
            &details,
        )
        .await;
        let mut last = StoreError::Duplicate;
        for _ in 0..ATTEMPTS {
            let reference = self.ids.ticket_ref();
            let requester = Requester {
                name: name.clone(),
                email: email.clone(),
            };
            // The agent typed the address: the customer shows it is theirs by
            // opening the link we mail there (`opened` leaves it unverified).
            let mut ticket = Ticket::opened(
                reference.clone(),
                category.id.clone(),
                requester,
                subject.clone(),
                Channel::Agent,
                now,
            );
            ticket.assignee = Some(caller.id().clone());
            ticket.language = request.language;
            ticket.details = details.clone();
            ticket.tier = tier;
            clocks::open(&mut ticket, &rules, now);
            let (kind, signed, mail) = match request.first {
                FirstMessage::Logged => (MessageKind::Customer, None, MailKind::TicketConfirmation),
                FirstMessage::Mailed => (
                    MessageKind::AgentReply,
                    Some(caller.agent.signoff()),
                    MailKind::AgentReply,
                ),
            };
            if request.first == FirstMessage::Mailed {
                // We wrote first: the ball is with the customer.
                let before = ticket.clone();
                ticket.status = Status::WaitingOnCustomer;
                clocks::apply(&before, &mut ticket, Happened::AgentAnswered, &rules, now);
            } else {
                ticket.status = Status::Open;
            }
            let first = Message {
                id: self.ids.message_id(now),
                ticket: reference.clone(),
                kind,
                author: Author::Agent {
                    id: caller.id().clone(),
                    signed,
                },
                body_text: Message::clamp_body(body),
                body_html: None,
                attachments: vec![],
                email: None,
                threaded_by: ThreadedBy::Console,
                created_at: now,
                about: vec![],
            };
            let job = OutboundJob {
                outbox_id: self.ids.outbox_id(),
                kind: mail,
                ticket: Some(reference.clone()),
                message: Some(first.id.clone()),
                recipient: email.clone(),
                throttled: 0,
                digest: None,
                alert: None,
            };
            let raised = alerts::Raised {
                kind: alerts::AlertKind::NewTicket,
                ticket: &ticket,
                by: Some(caller.id()),
                at: now,
            };
            let mut outbox = vec![job];
            outbox.extend(alerts::raise(self.catalog, self.ids, &raised).await?);
            let new = NewTicket {
                ticket,
                first_message: first,
                idempotency: request.request_id.as_ref().map(|id| IdempotencyClaim {
                    key: format!("agent-open:{}:{id}", caller.id()),
                    fingerprint: fingerprint(request),
                    expires_at: now + Duration::hours(REQUEST_ID_HOURS),
                }),
                tracking_token: None,
                rate_limits: vec![RateLimitClaim::fixed_window(
                    &format!("agent-open:{}", caller.id()),
                    OPENED_PER_HOUR,
                    Duration::hours(1),
                    now,
                )],
                outbox: outbox.clone(),
                faq_read: vec![],
            };
            match self.tickets.create_ticket(new).await {
                Ok(Created::New(t)) => {
                    // Stored `queued`: the schedule's sweep sends what the queue refuses.
                    alerts::queue_stored(self.outbound, &outbox).await;
                    return Ok(Created::New(t));
                }
                Ok(replayed) => return Ok(replayed),
                Err(e @ (StoreError::Duplicate | StoreError::Conflict)) => last = e,
                Err(e) => return Err(e.into()),
            }
        }
        Err(last.into())
    }
}

fn field<T, E: std::fmt::Display>(
    errors: &mut Vec<FieldError>,
    name: &str,
    parsed: Result<T, E>,
) -> Option<T> {
    parsed
        .map_err(|e| errors.push(FieldError::new(name, e.to_string())))
        .ok()
}

/// The same request sent again, or another one under the same id.
fn fingerprint(r: &OpenRequest) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [&r.category, &r.email, &r.name, &r.subject, &r.body] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    for (k, v) in &r.details {
        h.update(k.as_bytes());
        h.update([1]);
        h.update(v.as_bytes());
        h.update([0]);
    }
    h.update([r.first as u8]);
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}
