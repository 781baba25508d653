//! What agents do to tickets: read them within their categories, and change them
//! only from the version they saw, so two agents never answer blind.

use crate::agents::alerts;
use crate::agents::canned::{MacroActions, MacroAssign};
use crate::agents::profile::{Agent, Role};
use crate::mail::outbound::job::{MailKind, OutboundJob};
use crate::ports::store::{StoreError, TicketThread, TicketUpdate};
use crate::ports::{CatalogStore, Clock, IdSource, OutboundQueue, TicketStore};
use crate::sla::clocks::{self, Happened, Rules};
use crate::tickets::message::{AttachmentRef, Author, EmailIds, Message, MessageKind, ThreadedBy};
use crate::tickets::ticket::{Priority, Status, Ticket, Tier};
use crate::values::email::EmailAddress;
use crate::values::ids::{AgentId, CategoryId, MessageId, TicketRef};

/// Who is asking: the agent's record and the role the identity provider vouches for.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub agent: Agent,
    pub role: Role,
}

impl Caller {
    /// May the caller see and touch tickets of `category`?
    pub fn covers(&self, category: &CategoryId) -> bool {
        self.role != Role::Agent || self.agent.categories.contains(category)
    }

    /// Of `all` categories, those the caller works on, in the same order.
    pub fn categories<'a>(&self, all: impl IntoIterator<Item = &'a CategoryId>) -> Vec<CategoryId> {
        all.into_iter()
            .filter(|c| self.covers(c))
            .cloned()
            .collect()
    }

    pub fn id(&self) -> &AgentId {
        &self.agent.id
    }

    /// Supervisors and admins hand tickets to anyone; agents take or drop their own.
    pub fn may_assign_others(&self) -> bool {
        self.role != Role::Agent
    }
}

/// One change an agent makes to a ticket.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Mailed to the customer; the ticket then waits on them, or is solved.
    Reply {
        body: String,
        solve: bool,
        /// Files checked and kept already (`customers::attaching::resolve_for_mail`).
        attachments: Vec<AttachmentRef>,
        /// A macro's changes, made in the same write (`Default`: none).
        then: MacroActions,
    },
    /// For agents only.
    Note {
        body: String,
    },
    /// `None` unassigns.
    Assign {
        to: Option<AgentId>,
    },
    Status {
        to: Status,
    },
    Priority {
        to: Priority,
    },
    /// Which promises the ticket gets; its running clocks retime.
    Tier {
        to: Tier,
    },
    /// Re-routes the ticket to another category's queue.
    Category {
        to: CategoryId,
    },
    /// Who is copied on our replies from now on (the whole list).
    Cc {
        to: Vec<EmailAddress>,
    },
    /// Tags put on and taken off.
    Tag {
        add: Vec<crate::values::tag::Tag>,
        remove: Vec<crate::values::tag::Tag>,
    },
    /// Mails the conversation to someone outside (e.g. a shipping partner) with a
    /// note; their answer threads back for the agents only.
    Forward {
        to: EmailAddress,
        note: String,
    },
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeskError {
    /// Missing, or in a category the caller does not work on: the same answer.
    #[error("no such ticket")]
    NotFound,
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("{0}")]
    Forbidden(&'static str),
    /// The ticket changed since the agent loaded it: nothing was written. Carries
    /// the ticket as it is now and the thread entries after the last one seen.
    #[error("the ticket changed since it was loaded")]
    Changed {
        current: Box<Ticket>,
        since: Vec<Message>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DeskError {
    fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

/// An erased customer's ticket is an anonymous shell kept for the reports: it
/// takes no more replies, notes or changes.
fn not_erased(ticket: &Ticket) -> Result<(), DeskError> {
    if ticket.erased_at.is_some() {
        Err(DeskError::Forbidden(
            "this request's customer data was erased: it takes no more changes",
        ))
    } else {
        Ok(())
    }
}

/// Most addresses copied on a ticket's replies.
pub const MAX_CC: usize = 10;

/// Sets who is copied on the ticket's replies; says what changed.
fn set_cc(
    caller: &Caller,
    ticket: &mut Ticket,
    to: Vec<EmailAddress>,
) -> Result<String, DeskError> {
    let mut list: Vec<EmailAddress> = Vec::new();
    for address in to {
        if address.same_mailbox(&ticket.requester.email) {
            return Err(DeskError::invalid(
                "cc",
                "that is the customer, who receives every reply anyway",
            ));
        }
        if !list.iter().any(|a| a.same_mailbox(&address)) {
            list.push(address);
        }
    }
    if list.len() > MAX_CC {
        return Err(DeskError::invalid(
            "cc",
            format!("at most {MAX_CC} addresses"),
        ));
    }
    if list == ticket.cc {
        return Err(DeskError::invalid("cc", "the ticket has this Cc already"));
    }
    let text = if list.is_empty() {
        format!("{} removed everyone from the Cc.", caller.agent.name)
    } else {
        let names: Vec<&str> = list.iter().map(EmailAddress::as_str).collect();
        format!("{} set the Cc to {}.", caller.agent.name, names.join(", "))
    };
    ticket.cc = list;
    Ok(text)
}

/// The longest reply or note an agent can write.
pub const MAX_BODY_CHARS: usize = 50_000;

pub struct Desk<'a> {
    pub tickets: &'a dyn TicketStore,
    pub catalog: &'a dyn CatalogStore,
    pub outbound: &'a dyn OutboundQueue,
    pub clock: &'a dyn Clock,
    pub ids: &'a dyn IdSource,
}

/// What an action did, for the caller to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    pub ticket: Ticket,
    pub messages: Vec<Message>,
    pub mail: Option<OutboundJob>,
}

impl Desk<'_> {
    /// The ticket with its whole thread, if the caller works on its category.
    pub async fn open(
        &self,
        caller: &Caller,
        reference: &TicketRef,
    ) -> Result<TicketThread, DeskError> {
        let thread = match self.tickets.load_ticket(reference).await {
            Ok(t) => t,
            Err(StoreError::NotFound) => return Err(DeskError::NotFound),
            Err(e) => return Err(e.into()),
        };
        if !caller.covers(&thread.ticket.category) {
            return Err(DeskError::NotFound);
        }
        Ok(thread)
    }

    /// Applies `action` to the ticket as the caller saw it (`seen_version`, and
    /// `last_seen`, the newest thread entry on their screen), in one write with
    /// its thread entry, counters and mail.
    pub async fn act(
        &self,
        caller: &Caller,
        reference: &TicketRef,
        seen_version: u64,
        last_seen: Option<&MessageId>,
        action: Action,
    ) -> Result<Done, DeskError> {
        let thread = self.open(caller, reference).await?;
        not_erased(&thread.ticket)?;
        if thread.ticket.version != seen_version {
            return Err(changed(thread, last_seen));
        }
        let before = thread.ticket;
        let now = self.clock.now();
        let mut after = before.clone();
        after.updated_at = now;
        let entry = |kind, body: String| self.entry(caller, reference, kind, &body, now);
        let mut mail = None;
        // Thread entries besides the action's own (a macro's changes).
        let mut extra = Vec::new();
        let message = match action {
            Action::Reply {
                body,
                solve,
                attachments,
                then,
            } => {
                let body = body_text(&body)?;
                self.check_answer_links(&body).await?;
                let to = if solve || then.solve {
                    Status::Resolved
                } else {
                    Status::WaitingOnCustomer
                };
                if after.status != to {
                    after
                        .change_status(to, now)
                        .map_err(|e| DeskError::invalid("status", e.to_string()))?;
                }
                if after.assignee.is_none() {
                    after.assignee = Some(caller.id().clone());
                }
                let changes = self.apply_macro(caller, &mut after, &then).await?;
                if !changes.is_empty() {
                    // A microsecond after the reply: the thread shows it after.
                    extra.push(self.entry(
                        caller,
                        reference,
                        MessageKind::SystemEvent,
                        &format!(
                            "With the reply, {}: {}.",
                            caller.agent.name,
                            changes.join("; ")
                        ),
                        now + chrono::Duration::microseconds(1),
                    ));
                }
                let mut message = entry(MessageKind::AgentReply, body);
                message.attachments = attachments;
                if !after.cc.is_empty() {
                    // Who receives it, as the thread will show it.
                    message.email = Some(EmailIds {
                        cc: after.cc.clone(),
                        ..EmailIds::default()
                    });
                }
                mail = Some(self.job(MailKind::AgentReply, &before, Some(&message)));
                message
            }
            Action::Note { body } => entry(MessageKind::InternalNote, body_text(&body)?),
            Action::Assign { to } => {
                let text = self.assign(caller, &mut after, to).await?;
                entry(MessageKind::SystemEvent, text)
            }
            Action::Status { to } => {
                after
                    .change_status(to, now)
                    .map_err(|e| DeskError::invalid("status", e.to_string()))?;
                if to == Status::Resolved {
                    mail = Some(self.job(MailKind::ResolutionRequest, &before, None));
                }
                entry(
                    MessageKind::SystemEvent,
                    format!("Status changed from {} to {}.", before.status, to),
                )
            }
            Action::Cc { to } => {
                let text = set_cc(caller, &mut after, to)?;
                let mut event = entry(MessageKind::SystemEvent, text);
                // It names the addresses: the list as it was and as it is.
                event.about = before.cc.iter().chain(&after.cc).cloned().collect();
                event
            }
            Action::Tag { add, remove } => {
                let text = set_tags(&mut after, &add, &remove)?;
                entry(MessageKind::SystemEvent, text)
            }
            Action::Priority { to } => {
                if to == before.priority {
                    return Err(DeskError::invalid("priority", "the ticket has it already"));
                }
                after.priority = to;
                entry(
                    MessageKind::SystemEvent,
                    format!(
                        "Priority changed from {} to {}.",
                        before.priority.as_str(),
                        to.as_str()
                    ),
                )
            }
            Action::Tier { to } => {
                if to == before.tier {
                    return Err(DeskError::invalid("tier", "the ticket has it already"));
                }
                // Lowering retimes the clocks to looser targets: not for the agent
                // whose promise it is.
                if to == Tier::Standard && !caller.may_assign_others() {
                    return Err(DeskError::Forbidden(
                        "only a supervisor or an admin lowers a ticket's tier",
                    ));
                }
                after.tier = to;
                entry(
                    MessageKind::SystemEvent,
                    format!(
                        "Tier changed from {} to {}; the promises follow it.",
                        before.tier.as_str(),
                        to.as_str()
                    ),
                )
            }
            Action::Category { to } => {
                let text = self.reroute(&mut after, to).await?;
                entry(MessageKind::SystemEvent, text)
            }
            Action::Forward { to, note } => {
                let note = body_text(&note)?;
                if to.same_mailbox(&before.requester.email) {
                    return Err(DeskError::invalid(
                        "to",
                        "that is the customer; send a reply instead",
                    ));
                }
                let mut message = entry(MessageKind::InternalNote, forward_text(&to, &note));
                message.about = vec![to.clone()];
                let mut job = self.job(MailKind::Forward, &before, Some(&message));
                job.recipient = to;
                mail = Some(job);
                message
            }
        };
        let answered = message.kind == MessageKind::AgentReply;
        let happened = if answered {
            Happened::AgentAnswered
        } else {
            Happened::Changed
        };
        let rules = Rules::load(self.catalog, &after.category).await?;
        clocks::apply(&before, &mut after, happened, &rules, now);
        let mut messages = vec![message];
        messages.extend(extra);
        // A ticket someone else gave the agent is news for them.
        let mut outbox: Vec<OutboundJob> = mail.iter().cloned().collect();
        if after.assignee.is_some() && after.assignee != before.assignee {
            let raised = alerts::Raised {
                kind: alerts::AlertKind::Assigned,
                ticket: &after,
                by: Some(caller.id()),
                at: now,
            };
            outbox.extend(alerts::raise(self.catalog, self.ids, &raised).await?);
        }
        let update =
            TicketUpdate::new(&before, after, messages.clone()).with_outbox(outbox.clone());
        let saved = match self.tickets.update_ticket(update).await {
            Ok(saved) => saved,
            Err(StoreError::Conflict) => {
                let thread = self.tickets.load_ticket(reference).await?;
                return Err(changed(thread, last_seen));
            }
            Err(e) => return Err(e.into()),
        };
        // The outbox items are stored `queued`; the schedule's sweep sends any
        // the queue refuses now.
        alerts::queue_stored(self.outbound, &outbox).await;
        Ok(Done {
            ticket: saved,
            messages,
            mail,
        })
    }

    /// Every `{{faq:…}}` in a reply names a published answer: a customer is never
    /// mailed a link to nothing (an answer published a moment ago counts).
    async fn check_answer_links(&self, body: &str) -> Result<(), DeskError> {
        for (written, named) in crate::agents::canned::answer_placeholders(body) {
            use crate::catalog::help_center::{entries_with, published};
            let linkable = match &named {
                Some((category, id)) => {
                    published(&entries_with(self.catalog, category, id).await?, id).is_some()
                }
                None => false,
            };
            if !linkable {
                return Err(DeskError::invalid(
                    "body",
                    format!(
                        "{written} is not a published answer: copy its placeholder from the FAQ page"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Merges a duplicate (`source`, as the caller saw it) into `target`: the source
    /// closes and points to the target, so its mail threads there; the target gets
    /// the source's request as an event. Both change in one write.
    pub async fn merge(
        &self,
        caller: &Caller,
        source: &TicketRef,
        seen_version: u64,
        last_seen: Option<&MessageId>,
        target: &TicketRef,
    ) -> Result<Done, DeskError> {
        if source == target {
            return Err(DeskError::invalid(
                "into",
                "a ticket can't be merged into itself",
            ));
        }
        let from = self.open(caller, source).await?;
        if from.ticket.version != seen_version {
            return Err(changed(from, last_seen));
        }
        let into = match self.open(caller, target).await {
            Ok(t) => t,
            Err(DeskError::NotFound) => {
                return Err(DeskError::invalid(
                    "into",
                    "no such ticket in your categories",
                ));
            }
            Err(e) => return Err(e),
        };
        if from.ticket.merged_into.is_some() || from.ticket.status == Status::Closed {
            return Err(DeskError::invalid("into", "this ticket is closed already"));
        }
        if into.ticket.merged_into.is_some() || into.ticket.status == Status::Closed {
            return Err(DeskError::invalid(
                "into",
                "that ticket is closed; reopen it or merge the other way",
            ));
        }
        let now = self.clock.now();
        let event = |ticket: &TicketRef, text: String| {
            self.entry(caller, ticket, MessageKind::SystemEvent, &text, now)
        };
        let mut closed = from.ticket.clone();
        closed
            .change_status(Status::Closed, now)
            .map_err(|e| DeskError::invalid("into", e.to_string()))?;
        closed.merged_into = Some(target.clone());
        let rules = Rules::load(self.catalog, &closed.category).await?;
        clocks::apply(&from.ticket, &mut closed, Happened::Changed, &rules, now);
        let source_event = event(
            source,
            format!("{} merged this ticket into {target}.", caller.agent.name),
        );
        let request: String = from
            .messages
            .iter()
            .filter(|m| m.kind == MessageKind::Customer)
            .map(|m| m.body_text.trim())
            .collect::<Vec<_>>()
            .join("\n\n---\n\n");
        let requester = &from.ticket.requester;
        let mut text = format!(
            "{} merged {source} (\u{201c}{}\u{201d}, from {} <{}>) into this ticket.",
            caller.agent.name,
            from.ticket.subject.as_str(),
            requester.name.as_str(),
            requester.email.as_str(),
        );
        if !request.is_empty() {
            text.push_str("\n\n");
            text.push_str(&request);
        }
        let mut target_event = event(target, text);
        // It copies the source's customers' words: erasing one finds it.
        target_event.about = std::iter::once(&requester.email)
            .chain(from.messages.iter().filter_map(|m| match &m.author {
                Author::Customer { email, .. } if m.kind == MessageKind::Customer => Some(email),
                _ => None,
            }))
            .cloned()
            .collect();
        let mut kept = into.ticket.clone();
        kept.updated_at = now;
        // The stricter state: a ticket must not become verified by absorbing another.
        kept.email_verified &= from.ticket.email_verified;
        let updates = vec![
            TicketUpdate::new(&from.ticket, closed, vec![source_event.clone()]),
            TicketUpdate::new(&into.ticket, kept, vec![target_event]),
        ];
        match self.tickets.update_tickets(updates).await {
            Ok(mut saved) => Ok(Done {
                ticket: saved.swap_remove(0),
                messages: vec![source_event],
                mail: None,
            }),
            Err(StoreError::Conflict) => {
                let thread = self.tickets.load_ticket(source).await?;
                Err(changed(thread, last_seen))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Writes a system event on a ticket the caller can open (e.g. "made an FAQ
    /// entry from this"), from whatever version is current: it answers nobody.
    pub async fn record_event(
        &self,
        caller: &Caller,
        reference: &TicketRef,
        text: String,
    ) -> Result<Ticket, DeskError> {
        for _ in 0..3 {
            let before = self.open(caller, reference).await?.ticket;
            not_erased(&before)?;
            let now = self.clock.now();
            let mut after = before.clone();
            after.updated_at = now;
            let event = self.entry(caller, reference, MessageKind::SystemEvent, &text, now);
            match self
                .tickets
                .update_ticket(TicketUpdate::new(&before, after, vec![event]))
                .await
            {
                Err(StoreError::Conflict) => continue,
                other => return other.map_err(DeskError::from),
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// A thread entry the caller writes from the console.
    fn entry(
        &self,
        caller: &Caller,
        ticket: &TicketRef,
        kind: MessageKind,
        text: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Message {
        Message {
            id: self.ids.message_id(now),
            ticket: ticket.clone(),
            kind,
            author: Author::Agent {
                id: caller.id().clone(),
                signed: (kind == MessageKind::AgentReply).then(|| caller.agent.signoff()),
            },
            body_text: Message::clamp_body(text),
            body_html: None,
            attachments: vec![],
            email: None,
            threaded_by: ThreadedBy::Console,
            created_at: now,
            about: vec![],
        }
    }

    fn job(&self, kind: MailKind, ticket: &Ticket, message: Option<&Message>) -> OutboundJob {
        OutboundJob {
            outbox_id: self.ids.outbox_id(),
            kind,
            ticket: Some(ticket.reference.clone()),
            message: message.map(|m| m.id.clone()),
            recipient: ticket.requester.email.clone(),
            throttled: 0,
            digest: None,
            alert: None,
        }
    }

    async fn assign(
        &self,
        caller: &Caller,
        ticket: &mut Ticket,
        to: Option<AgentId>,
    ) -> Result<String, DeskError> {
        if ticket.assignee == to {
            return Err(DeskError::invalid(
                "assignee",
                "the ticket is assigned so already",
            ));
        }
        let own = |a: &Option<AgentId>| a.as_ref().is_none_or(|a| a == caller.id());
        let own_only = own(&to) && own(&ticket.assignee);
        if !(caller.may_assign_others() || own_only) {
            return Err(DeskError::Forbidden(
                "Agents take or drop their own tickets; a supervisor reassigns.",
            ));
        }
        let text = match &to {
            None => format!("{} unassigned the ticket.", caller.agent.name),
            Some(id) => {
                let agent = self
                    .catalog
                    .agent(id)
                    .await?
                    .ok_or_else(|| DeskError::invalid("assignee", "no such agent"))?;
                if !agent.covers(&ticket.category) {
                    return Err(DeskError::invalid(
                        "assignee",
                        format!("{} does not work on this category", agent.name),
                    ));
                }
                if id == caller.id() {
                    format!("{} took the ticket.", caller.agent.name)
                } else {
                    format!(
                        "{} assigned the ticket to {}.",
                        caller.agent.name, agent.name
                    )
                }
            }
        };
        ticket.assignee = to;
        Ok(text)
    }

    /// A macro's changes besides the reply's own, each said in a few words; what
    /// the ticket has already is left as it is.
    async fn apply_macro(
        &self,
        caller: &Caller,
        ticket: &mut Ticket,
        then: &MacroActions,
    ) -> Result<Vec<String>, DeskError> {
        let mut said = Vec::new();
        if let Some(to) = then.priority.filter(|p| *p != ticket.priority) {
            said.push(format!(
                "priority {} → {}",
                ticket.priority.as_str(),
                to.as_str()
            ));
            ticket.priority = to;
        }
        if let Some(to) = then.category.clone().filter(|c| *c != ticket.category) {
            if !caller.covers(&to) {
                return Err(DeskError::invalid(
                    "macro",
                    "it moves the ticket to a category you do not work on",
                ));
            }
            said.push(
                self.reroute(ticket, to)
                    .await?
                    .trim_end_matches('.')
                    .to_owned(),
            );
        }
        let assignee = match then.assign {
            Some(MacroAssign::Sender) => Some(Some(caller.id().clone())),
            Some(MacroAssign::Nobody) => Some(None),
            None => None,
        };
        if let Some(to) = assignee.filter(|to| *to != ticket.assignee) {
            said.push(
                self.assign(caller, ticket, to)
                    .await?
                    .trim_end_matches('.')
                    .to_owned(),
            );
        }
        Ok(said)
    }

    async fn reroute(&self, ticket: &mut Ticket, to: CategoryId) -> Result<String, DeskError> {
        if to == ticket.category {
            return Err(DeskError::invalid(
                "category",
                "the ticket is in it already",
            ));
        }
        let category = self
            .catalog
            .category(&to)
            .await?
            .ok_or_else(|| DeskError::invalid("category", "no such category"))?;
        let from = std::mem::replace(&mut ticket.category, to);
        let mut text = format!("Moved from {} to {}.", from, category.name);
        // The new team picks it up unless the assignee works there too.
        if let Some(assignee) = &ticket.assignee {
            let stays = self
                .catalog
                .agent(assignee)
                .await?
                .is_some_and(|a| a.covers(&ticket.category));
            if !stays {
                ticket.assignee = None;
                text.push_str(" It is unassigned now.");
            }
        }
        Ok(text)
    }
}

/// The thread entry of a forward: its first paragraph names the recipient.
fn forward_text(to: &EmailAddress, note: &str) -> String {
    format!("Forwarded to {}.\n\n{note}", to.as_str())
}

fn changed(thread: TicketThread, last_seen: Option<&MessageId>) -> DeskError {
    let since = match last_seen {
        Some(seen) => match thread.messages.iter().position(|m| &m.id == seen) {
            Some(i) => thread.messages[i + 1..].to_vec(),
            None => thread.messages,
        },
        None => thread.messages,
    };
    DeskError::Changed {
        current: Box::new(thread.ticket),
        since,
    }
}

fn body_text(body: &str) -> Result<String, DeskError> {
    let text = body.trim();
    if text.is_empty() {
        return Err(DeskError::invalid("body", "write something first"));
    }
    if text.chars().count() > MAX_BODY_CHARS {
        return Err(DeskError::invalid(
            "body",
            format!("at most {MAX_BODY_CHARS} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// Puts `add` on and takes `remove` off the ticket's tags (sorted, each once, at
/// most ten); the thread entry says what changed.
fn set_tags(
    after: &mut Ticket,
    add: &[crate::values::tag::Tag],
    remove: &[crate::values::tag::Tag],
) -> Result<String, DeskError> {
    use crate::values::tag::MAX_TAGS;
    let before = after.tags.clone();
    let mut tags: Vec<_> = before
        .iter()
        .filter(|t| !remove.contains(t))
        .cloned()
        .chain(add.iter().cloned())
        .collect();
    tags.sort();
    tags.dedup();
    if tags.len() > MAX_TAGS {
        return Err(DeskError::invalid(
            "tags",
            "a ticket carries at most 10 tags",
        ));
    }
    if tags == before {
        return Err(DeskError::invalid(
            "tags",
            "the ticket has these tags already",
        ));
    }
    let put: Vec<String> = tags
        .iter()
        .filter(|t| !before.contains(t))
        .map(ToString::to_string)
        .collect();
    let taken: Vec<String> = before
        .iter()
        .filter(|t| !tags.contains(t))
        .map(ToString::to_string)
        .collect();
    after.tags = tags;
    let mut said = Vec::new();
    if !put.is_empty() {
        said.push(format!("Tagged {}.", put.join(", ")));
    }
    if !taken.is_empty() {
        said.push(format!("Untagged {}.", taken.join(", ")));
    }
    Ok(said.join(" "))
}
