//! What agents do to tickets. For now the reply: the agent API (#5) builds on it.

use crate::ids::{AgentId, TicketRef};
use crate::message::{Author, Message, MessageKind, ThreadedBy};
use crate::outbound::{MailKind, OutboundJob};
use crate::ports::{Clock, IdSource, OutboundQueue, TicketStore};
use crate::store::{StoreError, TicketUpdate};
use crate::ticket::{Status, Ticket};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeskError {
    #[error("the reply is empty")]
    EmptyReply,
    /// The ticket changed since the agent loaded it: show what changed, don't write.
    #[error("the ticket changed since it was loaded")]
    Changed(Box<Ticket>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct Desk<'a> {
    pub tickets: &'a dyn TicketStore,
    pub outbound: &'a dyn OutboundQueue,
    pub clock: &'a dyn Clock,
    pub ids: &'a dyn IdSource,
}

impl Desk<'_> {
    /// Adds the agent's reply to the ticket the agent saw (`seen_version`), marks
    /// it waiting on the customer and queues the mail, all in one write.
    pub async fn reply(
        &self,
        reference: &TicketRef,
        agent: &AgentId,
        body: &str,
        seen_version: u64,
    ) -> Result<(Ticket, OutboundJob), DeskError> {
        let text = body.trim();
        if text.is_empty() {
            return Err(DeskError::EmptyReply);
        }
        let thread = self.tickets.load_ticket(reference).await?;
        let before = thread.ticket;
        if before.version != seen_version {
            return Err(DeskError::Changed(Box::new(before)));
        }
        let now = self.clock.now();
        let message = Message {
            id: self.ids.message_id(now),
            ticket: reference.clone(),
            kind: MessageKind::AgentReply,
            author: Author::Agent { id: agent.clone() },
            body_text: Message::clamp_body(text),
            body_html: None,
            attachments: vec![],
            email: None,
            threaded_by: ThreadedBy::Console,
            created_at: now,
        };
        let mut after = before.clone();
        if after.status != Status::WaitingOnCustomer {
            after
                .change_status(Status::WaitingOnCustomer, now)
                .map_err(|_| DeskError::Changed(Box::new(before.clone())))?;
        }
        after.updated_at = now;
        if after.assignee.is_none() {
            after.assignee = Some(agent.clone());
        }
        let job = OutboundJob {
            outbox_id: self.ids.outbox_id(),
            kind: MailKind::AgentReply,
            ticket: Some(reference.clone()),
            message: Some(message.id.clone()),
            recipient: before.requester.email.clone(),
        };
        let update =
            TicketUpdate::new(&before, after, vec![message]).with_outbox(vec![job.clone()]);
        let saved = match self.tickets.update_ticket(update).await {
            Ok(saved) => saved,
            Err(StoreError::Conflict) => {
                let now = self.tickets.load_ticket(reference).await?.ticket;
                return Err(DeskError::Changed(Box::new(now)));
            }
            Err(e) => return Err(e.into()),
        };
        if let Err(e) = self.outbound.enqueue(&job).await {
            tracing::warn!(ticket = %reference, error = %e, "reply stored, mail not queued yet");
        }
        Ok((saved, job))
    }
}
