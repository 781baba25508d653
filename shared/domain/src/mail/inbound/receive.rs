//! inbound-mail's use case: a mail SES stored becomes a message on the right
//! ticket, a new ticket with a confirmation, or a quarantine record — once, however
//! often the notification arrives.

use super::parse::{InboundMail, MailLimits, Unreadable, parse};
use super::quarantine::{QuarantineReason, Quarantined, SenderVerdict};
use super::rules::CachedSenderRules;
use super::threading::Clues;
use crate::agents::alerts;
use crate::catalog::category::Category;
use crate::mail::outbound::job::{MailKind, OutboundJob};
use crate::mail::reply_token::ReplyKeys;
use crate::ports::AttachmentStore;
use crate::ports::store::{
    Created, IdempotencyClaim, NewTicket, StoreError, TicketThread, TicketUpdate,
};
use crate::ports::{
    CatalogStore, Clock, IdSource, MailStore, OutboundQueue, RawMailError, RawMailStore,
    TicketStore,
};
use crate::tickets::message::{
    AttachmentRef, Author, EmailIds, Message, MessageKind, SanitizedHtml, ThreadedBy,
};
use crate::tickets::ticket::{Channel, Requester, Status, Ticket};
use crate::values::email::EmailAddress;
use crate::values::ids::TicketRef;
use crate::values::text::DisplayName;
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone)]
pub struct InboxSettings {
    /// Our mail domain: where reply tokens and thread ids live.
    pub mail_domain: String,
    pub limits: MailLimits,
    /// How long a delivered mail is remembered, to recognise it delivered again
    /// (longer than SQS keeps a message and a sending server retries).
    pub dedupe_ttl: Duration,
}

impl InboxSettings {
    pub fn new(mail_domain: String) -> Self {
        Self {
            mail_domain,
            limits: MailLimits::default(),
            dedupe_ttl: Duration::days(30),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    Created(TicketRef),
    Appended(TicketRef, ThreadedBy),
    Quarantined(QuarantineReason),
    /// The same mail was handled before (a redelivered notification).
    AlreadyHandled,
    /// The stored mail is gone (deleted by lifecycle or by hand): nothing to do.
    Gone,
    /// Our own channel self-test came through: recorded, nothing else.
    Probe,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InboxError {
    /// Storage or queue trouble: the notification is retried, then ends in the DLQ.
    #[error("retry later: {0}")]
    Retry(String),
}

impl From<StoreError> for InboxError {
    fn from(e: StoreError) -> Self {
        InboxError::Retry(e.to_string())
    }
}

pub struct Inbox<'a> {
    pub tickets: &'a dyn TicketStore,
    pub mail: &'a dyn MailStore,
    /// Who supervisors blocked or always allow (kept in memory for a while).
    pub rules: &'a CachedSenderRules,
    pub catalog: &'a dyn CatalogStore,
    pub raw_mail: &'a dyn RawMailStore,
    pub attachments: &'a dyn AttachmentStore,
    pub outbound: &'a dyn OutboundQueue,
    pub clock: &'a dyn Clock,
    pub ids: &'a dyn IdSource,
    pub keys: &'a ReplyKeys,
    pub settings: &'a InboxSettings,
}

/// Where a mail belongs, and why.
struct Threading {
    found: Option<TicketThread>,
    by: ThreadedBy,
    /// Another mail already used this mail's Message-ID (senders reuse them):
    /// it must not be recorded again, or replies to the first would come here.
    own_id_taken: bool,
    /// Why the sender is not who the From address says (see [`Inbox::thread`]).
    spoofed: Option<String>,
}

/// Addresses the requester's mail may copy in, at most (a ticket item stays small).
const MAX_PARTICIPANTS: usize = 20;

/// Is `sender` one of the ticket's people: its requester or a participant?
fn is_on_ticket(ticket: &Ticket, sender: &EmailAddress) -> bool {
    ticket.requester.email.same_mailbox(sender)
        || ticket.participants.iter().any(|p| p.same_mailbox(sender))
        || ticket.cc.iter().any(|p| p.same_mailbox(sender))
}

/// `ticket`'s participants with `more` added (once each, up to the cap).
fn with_participants(ticket: &mut Ticket, more: Vec<EmailAddress>) {
    for address in more {
        if ticket.participants.len() < MAX_PARTICIPANTS && !is_on_ticket(ticket, &address) {
            ticket.participants.push(address);
        }
    }
}

/// How often a reply is retried when an agent changed the ticket at that moment.
const ATTEMPTS: usize = 3;

/// A file name safe as part of an object key.
fn key_safe(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    if cleaned.trim_matches(['.', '_']).is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

impl Inbox<'_> {
    /// `key` is the raw mail's object key; its last segment is the SES message id.
    pub async fn receive(&self, key: &str) -> Result<Received, InboxError> {
        let ses_id = key.rsplit('/').next().unwrap_or(key).to_owned();
        let now = self.clock.now();
        let max = self.settings.limits.max_bytes as u64;
        let raw = match self.raw_mail.get(key, max).await {
            Ok(raw) => raw,
            Err(RawMailError::NotFound) => {
                tracing::warn!(key, "raw mail not found; nothing to do");
                return Ok(Received::Gone);
            }
            Err(RawMailError::TooLarge(_)) => {
                return self
                    .quarantine(
                        &ses_id,
                        now,
                        None,
                        "",
                        QuarantineReason::Unreadable(Unreadable::TooLarge),
                    )
                    .await;
            }
            Err(e @ RawMailError::Unavailable(_)) => return Err(InboxError::Retry(e.to_string())),
        };
        let mail = match parse(&raw, &self.settings.limits) {
            Ok(mail) => mail,
            Err(why) => {
                return self
                    .quarantine(&ses_id, now, None, "", QuarantineReason::Unreadable(why))
                    .await;
            }
        };
        drop(raw);
        let sender = Some(mail.from.as_str().to_owned());
        // Taken before threading may forget a reused Message-ID: a second delivery
        // of this mail must find the first one's key.
        let dedupe_key = format!("inbound-mail:{}", mail.dedupe_key());
        if mail.verdicts.failed() == Some("virus") {
            return self
                .quarantine(
                    &ses_id,
                    now,
                    sender,
                    mail.subject.as_str(),
                    QuarantineReason::Virus,
                )
                .await;
        }
        // What a person decided: a rule on the sender, or this mail released.
        let rule = self.rules.rule_for(&mail.from).await?;
        let mut released = None;
        let held = match rule.as_ref().map(|r| r.verdict) {
            Some(SenderVerdict::Block) => rule
                .as_ref()
                .map(|r| QuarantineReason::Blocked(r.pattern.text())),
            // Allowed past a spam verdict only when authentication vouches for the
            // From address: anyone can write an allowed address into From.
            Some(SenderVerdict::Allow) if mail.verdicts.vouch_for(&mail.from) => None,
            _ => mail.verdicts.failed().map(|_| QuarantineReason::Spam),
        };
        if let Some(reason) = held
            && !self.released(&ses_id, &mut released).await?
        {
            return self
                .quarantine(&ses_id, now, sender, mail.subject.as_str(), reason)
                .await;
        }
        if let Some(secret) = &mail.probe {
            // Only a pending probe's secret counts; any other is an ordinary mail.
            let category = self.category_for(&mail).await?;
            let arrived = crate::ops::probe::ProbeOutcome::Arrived {
                at: now,
                category: Some(category.id),
            };
            if self.tickets.settle_probe(&secret.hash(), arrived).await? {
                return Ok(Received::Probe);
            }
        }
        let Threading {
            found,
            by: threaded_by,
            own_id_taken,
            spoofed,
        } = self.thread(&mail).await?;
        if let Some(why) = spoofed {
            let reason = QuarantineReason::Spoofed(why);
            let held = self
                .quarantine(&ses_id, now, sender, mail.subject.as_str(), reason.clone())
                .await?;
            // Released past a spam verdict, but forged: its record must say so,
            // or the release would seem to have made a ticket.
            if held == Received::AlreadyHandled && self.released(&ses_id, &mut released).await? {
                self.mail.hold_again(&ses_id, &reason).await?;
                return Ok(Received::Quarantined(reason));
            }
            return Ok(held);
        }
        let mut mail = mail;
        if own_id_taken {
            tracing::warn!(message_id = ?mail.message_id, "a reused Message-ID is not recorded again");
            mail.message_id = None;
        }
        // A closed ticket, or a thread that is full, is not written to again: the
        // mail opens a ticket of its own.
        let target = found.filter(|t| {
            t.ticket.status != Status::Closed
                && t.messages.len() < crate::tickets::ticket::MAX_THREAD_MESSAGES
        });
        if target.is_none()
            && let Some(auto) = &mail.automatic
            && !self.released(&ses_id, &mut released).await?
        {
            let reason = QuarantineReason::Automatic(auto.clone());
            return self
                .quarantine(&ses_id, now, sender, mail.subject.as_str(), reason)
                .await;
        }
        // One key for every delivery of the same mail (the same stored object
        // again, or the sender's server or SES delivering it twice): one ticket
        // or message, one confirmation.
        let dedupe = IdempotencyClaim {
            key: dedupe_key,
            fingerprint: "mail".into(),
            expires_at: now + self.settings.dedupe_ttl,
        };
        let attachments = self.store_attachments(&ses_id, &mail).await?;
        match target {
            Some(thread) => {
                let message = self.message(
                    &mail,
                    &ses_id,
                    &thread.ticket.reference,
                    threaded_by,
                    attachments,
                    now,
                );
                let copied = self.copied_in(&thread.ticket, &mail);
                self.append(thread, message, mail.automatic.is_some(), copied, dedupe)
                    .await
            }
            None => self.open(&mail, &ses_id, attachments, dedupe, now).await,
        }
    }

    /// The threading rule. A mail becomes a message on an existing ticket only
    /// (a) with a valid reply token bound to its sender (our Reply-To
    /// plus-address, or our id in References), or (b) when it names the ticket —
    /// a Message-ID we recorded in In-Reply-To/References, or `[#REF]` in the
    /// subject — and comes from one of the ticket's people (the requester, or an
    /// address the requester's authenticated mail copied in) without failing
    /// the receiving server's authentication. Anything else opens a ticket of
    /// its own; mail claiming to be us, or one of the ticket's people failing
    /// authentication, is spoofed (quarantined).
    async fn thread(&self, mail: &InboundMail) -> Result<Threading, InboxError> {
        let clues = Clues::of(mail, self.keys, &self.settings.mail_domain);
        let mut threading = Threading {
            found: None,
            by: ThreadedBy::NewTicket,
            own_id_taken: false,
            spoofed: None,
        };
        if let Some(why) = self.claims_to_be_us(mail).await? {
            threading.spoofed = Some(why);
            return Ok(threading);
        }
        if let Some((reference, by)) = clues.token {
            match self.tickets.load_ticket(&reference).await {
                // The token is the sender's own; a domain that says the mail is not
                // from that address still wins.
                Ok(_) if mail.verdicts.unauthenticated() => {
                    threading.spoofed = Some(format!(
                        "carries ticket {}'s reply token, but fails sender authentication",
                        reference.as_str()
                    ));
                    return Ok(threading);
                }
                Ok(thread) => {
                    // An erased customer's ticket takes no more mail: a reply to
                    // an old mail opens a ticket of its own.
                    if let Some(found) = self.follow_merge(thread).await? {
                        threading.found = Some(found);
                        threading.by = by;
                        return Ok(threading);
                    }
                }
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let known = self
            .mail
            .tickets_for_message_ids(&clues.message_ids)
            .await?;
        let own = mail.message_id.as_ref();
        threading.own_id_taken = own.is_some_and(|own| known.iter().any(|(id, _)| id == own));
        let named = known
            .into_iter()
            .find(|(id, _)| Some(id) != own)
            .map(|(_, t)| (t, ThreadedBy::RecordedMessageId))
            .into_iter()
            .chain(
                clues
                    .subject_reference
                    .map(|r| (r, ThreadedBy::SubjectReference)),
            );
        for (reference, by) in named {
            let thread = match self.tickets.load_ticket(&reference).await {
                Ok(thread) => thread,
                Err(StoreError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            };
            // Someone else naming a ticket gets a ticket of their own.
            if !is_on_ticket(&thread.ticket, &mail.from) {
                continue;
            }
            if mail.verdicts.unauthenticated() {
                threading.spoofed = Some(format!(
                    "names ticket {} as one of its people, but fails sender authentication",
                    reference.as_str()
                ));
                return Ok(threading);
            }
            // Not failing is not enough to join by naming the ticket: the sender's
            // domain must vouch for the address (else a ticket of its own).
            if !mail.verdicts.vouch_for(&mail.from) {
                continue;
            }
            if let Some(found) = self.follow_merge(thread).await? {
                threading.found = Some(found);
                threading.by = by;
                return Ok(threading);
            }
        }
        Ok(threading)
    }

    /// Mail from outside claiming our own domain, one of our addresses or an
    /// agent's: nobody here sends support mail that way (the channel self-test's
    /// probes are settled before this), so it is spoofed.
    async fn claims_to_be_us(&self, mail: &InboundMail) -> Result<Option<String>, InboxError> {
        let domain = mail.from.domain().to_ascii_lowercase();
        let ours = self.settings.mail_domain.to_ascii_lowercase();
        if domain == ours || domain.ends_with(&format!(".{ours}")) {
            return Ok(Some(format!("claims our own domain ({domain})")));
        }
        let categories = self.catalog.categories().await?;
        if categories
            .iter()
            .flat_map(|c| &c.addresses)
            .any(|a| a.same_mailbox(&mail.from))
        {
            return Ok(Some("claims one of our support addresses".into()));
        }
        if let Some(agent) = self
            .catalog
            .agents()
            .await?
            .into_iter()
            .find(|a| a.email.same_mailbox(&mail.from))
        {
            return Ok(Some(format!(
                "claims agent {}'s address",
                agent.id.as_str()
            )));
        }
        Ok(None)
    }

    /// The addresses this mail copies in that may write into its ticket later:
    /// only from the requester's own authenticated mail, never ours or a system
    /// mailbox's.
    fn copied_in(&self, ticket: &Ticket, mail: &InboundMail) -> Vec<EmailAddress> {
        if !ticket.requester.email.same_mailbox(&mail.from) || !mail.verdicts.vouch_for(&mail.from)
        {
            return vec![];
        }
        self.people_named(mail)
            .filter(|a| !is_on_ticket(ticket, a))
            .cloned()
            .collect()
    }

    /// The people the mail's To and Cc name besides us (and our system
    /// mailboxes).
    fn people_named<'m>(&self, mail: &'m InboundMail) -> impl Iterator<Item = &'m EmailAddress> {
        let ours = self.settings.mail_domain.to_ascii_lowercase();
        mail.recipients.iter().filter(move |a| {
            let domain = a.domain().to_ascii_lowercase();
            domain != ours
                && !domain.ends_with(&format!(".{ours}"))
                && !super::auto::is_system_mailbox(a)
        })
    }

    /// Whom the stored mail names besides its sender, at most
    /// [`MAX_PARTICIPANTS`] (each is linked to the ticket).
    fn named_in(&self, mail: &InboundMail) -> Vec<EmailAddress> {
        let mut named: Vec<EmailAddress> = Vec::new();
        for a in self.people_named(mail) {
            if named.len() < MAX_PARTICIPANTS
                && !a.same_mailbox(&mail.from)
                && !named.iter().any(|n| n.key() == a.key())
            {
                named.push(a.clone());
            }
        }
        named
    }

    /// A ticket merged into another hands its mail on (a target merged later on
    /// hands it further; a few hops at most). `None` when it ends at an erased
    /// customer's ticket, which takes no more mail.
    async fn follow_merge(
        &self,
        mut thread: TicketThread,
    ) -> Result<Option<TicketThread>, InboxError> {
        for _ in 0..4 {
            let Some(target) = thread.ticket.merged_into.clone() else {
                break;
            };
            match self.tickets.load_ticket(&target).await {
                Ok(into) => thread = into,
                Err(StoreError::NotFound) => break,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(thread.ticket.erased_at.is_none().then_some(thread))
    }

    async fn store_attachments(
        &self,
        ses_id: &str,
        mail: &InboundMail,
    ) -> Result<Vec<AttachmentRef>, InboxError> {
        let mut stored = Vec::new();
        for (n, file) in mail.attachments.iter().enumerate() {
            // Deterministic keys: a redelivered mail overwrites, never duplicates.
            let key = format!("mail/{}/{n}-{}", key_safe(ses_id), key_safe(&file.filename));
            self.attachments
                .put(&key, &file.content_type, file.bytes.clone())
                .await
                .map_err(|e| InboxError::Retry(e.to_string()))?;
            stored.push(AttachmentRef {
                key,
                // The same rule as uploads: no path, quote or direction mark survives.
                filename: crate::customers::attachments::safe_filename(&file.filename),
                content_type: file.content_type.clone(),
                size: file.bytes.len() as u64,
                content_id: file.content_id.clone(),
            });
        }
        Ok(stored)
    }

    fn message(
        &self,
        mail: &InboundMail,
        ses_id: &str,
        ticket: &TicketRef,
        threaded_by: ThreadedBy,
        attachments: Vec<AttachmentRef>,
        now: DateTime<Utc>,
    ) -> Message {
        let stripped = super::quote::strip(&mail.text);
        let full_text =
            (stripped.trim() != mail.text.trim()).then(|| Message::clamp_body(&mail.text));
        let (html, blocked) = match &mail.html {
            Some(h) => {
                let (clean, blocked) = SanitizedHtml::sanitize_mail(h);
                (Some(clean), blocked)
            }
            None => (None, 0),
        };
        Message {
            id: self.ids.message_id(now),
            ticket: ticket.clone(),
            kind: MessageKind::Customer,
            author: Author::Customer {
                name: mail.from_name.clone(),
                email: mail.from.clone(),
            },
            body_text: Message::clamp_body(&stripped),
            body_html: html
                .filter(|h| h.as_str().len() <= crate::tickets::message::MAX_INLINE_BODY),
            attachments,
            email: Some(EmailIds {
                message_id: mail.message_id.clone(),
                in_reply_to: mail.in_reply_to.first().cloned(),
                references: mail
                    .references
                    .iter()
                    .rev()
                    .take(20)
                    .rev()
                    .cloned()
                    .collect(),
                ses_message_id: Some(ses_id.to_owned()),
                full_text,
                cc: vec![],
                named: self.named_in(mail),
                authentication: Some(mail.verdicts.clone()),
                remote_images_blocked: blocked,
            }),
            threaded_by,
            created_at: now,
            about: vec![],
        }
    }

    async fn append(
        &self,
        mut thread: TicketThread,
        message: Message,
        automatic: bool,
        copied: Vec<EmailAddress>,
        dedupe: IdempotencyClaim,
    ) -> Result<Received, InboxError> {
        let reference = thread.ticket.reference.clone();
        let by = message.threaded_by;
        let mut message = message;
        // Someone the ticket was forwarded to answers the agents, not the customer
        // (a colleague the customer copied in stays on the customer's side).
        // So does anyone else who reaches a ticket they are not on: through a
        // ticket merged into this one, whose requester may be someone else.
        if let Author::Customer { email, .. } = &message.author
            && !is_on_ticket(&thread.ticket, email)
        {
            message.kind = MessageKind::InternalNote;
        }
        let rules = crate::sla::clocks::Rules::load(self.catalog, &thread.ticket.category).await?;
        for _ in 0..ATTEMPTS {
            let before = &thread.ticket;
            let mut after = before.clone();
            with_participants(&mut after, copied.clone());
            // Answering our mail by its reply token shows the address is the requester's.
            if matches!(by, ThreadedBy::ReplyToToken | ThreadedBy::ReferencesToken)
                && matches!(&message.author, Author::Customer { email, .. } if before.requester.email.same_mailbox(email))
            {
                after.email_verified = true;
            }
            // An out-of-office note is kept on the ticket but changes nothing.
            if !automatic && !before.status.awaits_agent() {
                after
                    .change_status(Status::Open, message.created_at)
                    .map_err(|e| InboxError::Retry(e.to_string()))?;
            }
            after.updated_at = message.created_at;
            // The customer's word starts a response clock; an answer from someone the
            // ticket was forwarded to only moves the clocks with the status it set.
            if !automatic {
                let happened = if message.kind == MessageKind::Customer {
                    crate::sla::clocks::Happened::CustomerWrote
                } else {
                    crate::sla::clocks::Happened::Changed
                };
                crate::sla::clocks::apply(before, &mut after, happened, &rules, message.created_at);
            }
            // The customer's own word is news for the agent looking after it.
            let alerted = if !automatic && message.kind == MessageKind::Customer {
                let raised = alerts::Raised {
                    kind: alerts::AlertKind::CustomerReplied,
                    ticket: &after,
                    by: None,
                    at: message.created_at,
                };
                alerts::raise(self.catalog, self.ids, &raised).await?
            } else {
                vec![]
            };
            let update = TicketUpdate::new(before, after, vec![message.clone()])
                .with_outbox(alerted.clone())
                .deduplicated_by(dedupe.clone());
            match self.tickets.update_ticket(update).await {
                Ok(_) => {
                    alerts::queue_stored(self.outbound, &alerted).await;
                    return Ok(Received::Appended(reference, by));
                }
                Err(StoreError::AlreadyApplied) => return Ok(Received::AlreadyHandled),
                Err(StoreError::Conflict) => thread = self.tickets.load_ticket(&reference).await?,
                Err(e) => return Err(e.into()),
            }
        }
        Err(InboxError::Retry("the ticket kept changing".into()))
    }

    async fn category_for(&self, mail: &InboundMail) -> Result<Category, InboxError> {
        let categories = self.catalog.categories().await?;
        let by_address = mail.recipients.iter().find_map(|to| {
            categories
                .iter()
                .find(|c| c.addresses.iter().any(|a| a.same_mailbox(to)))
        });
        by_address
            .or_else(|| categories.first())
            .cloned()
            .ok_or_else(|| InboxError::Retry("no categories are configured".into()))
    }

    async fn open(
        &self,
        mail: &InboundMail,
        ses_id: &str,
        attachments: Vec<AttachmentRef>,
        dedupe: IdempotencyClaim,
        now: DateTime<Utc>,
    ) -> Result<Received, InboxError> {
        let category = self.category_for(mail).await?;
        let policy = self.catalog.policy(&category.sla_policy).await?;
        let rules = crate::sla::clocks::Rules::new(Some(&category), policy);
        let tier = crate::customers::tiers::tier_of_request(
            self.catalog,
            &mail.from,
            Some(&category),
            &Default::default(),
        )
        .await;
        let name = if mail.from_name.as_str().is_empty() {
            DisplayName::from_mail(mail.from.local_part())
        } else {
            mail.from_name.clone()
        };
        for _ in 0..ATTEMPTS {
            let reference = self.ids.ticket_ref();
            let requester = Requester {
                name: name.clone(),
                email: mail.from.clone(),
            };
            let mut ticket = Ticket::opened(
                reference.clone(),
                category.id.clone(),
                requester,
                mail.subject.clone(),
                Channel::Email,
                now,
            );
            ticket.email_verified = mail.verdicts.vouch_for(&mail.from);
            ticket.tier = tier;
            ticket.language = mail.language.unwrap_or_default();
            let copied = self.copied_in(&ticket, mail);
            with_participants(&mut ticket, copied);
            crate::sla::clocks::open(&mut ticket, &rules, now);
            let first = self.message(
                mail,
                ses_id,
                &reference,
                ThreadedBy::NewTicket,
                attachments.clone(),
                now,
            );
            // Automatic mail (released by a person) is never answered: an
            // auto-reply answering an auto-reply is how mail loops start.
            let confirmation = mail.automatic.is_none().then(|| OutboundJob {
                outbox_id: self.ids.outbox_id(),
                kind: MailKind::TicketConfirmation,
                ticket: Some(reference.clone()),
                message: Some(first.id.clone()),
                recipient: mail.from.clone(),
                throttled: 0,
                digest: None,
                alert: None,
            });
            let raised = alerts::Raised {
                kind: alerts::AlertKind::NewTicket,
                ticket: &ticket,
                by: None,
                at: now,
            };
            let mut outbox: Vec<OutboundJob> = confirmation.into_iter().collect();
            outbox.extend(alerts::raise(self.catalog, self.ids, &raised).await?);
            let new = NewTicket {
                ticket,
                first_message: first,
                idempotency: Some(dedupe.clone()),
                tracking_token: None,
                rate_limits: vec![],
                outbox: outbox.clone(),
                faq_read: vec![],
            };
            match self.tickets.create_ticket(new).await {
                Ok(Created::New(t)) => {
                    // The outbox items are stored: a failed send can be swept and resent.
                    alerts::queue_stored(self.outbound, &outbox).await;
                    return Ok(Received::Created(t.reference));
                }
                Ok(Created::Replayed(_)) | Err(StoreError::IdempotencyMismatch) => {
                    return Ok(Received::AlreadyHandled);
                }
                Err(StoreError::Duplicate) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(InboxError::Retry("no free ticket reference".into()))
    }

    /// Was this mail released from quarantine? Asked only when it would be held,
    /// once per receiving.
    async fn released(&self, ses_id: &str, known: &mut Option<bool>) -> Result<bool, InboxError> {
        if let Some(k) = known {
            return Ok(*k);
        }
        let is = self
            .mail
            .held(ses_id)
            .await?
            .is_some_and(|q| q.released.is_some());
        *known = Some(is);
        Ok(is)
    }

    async fn quarantine(
        &self,
        ses_id: &str,
        now: DateTime<Utc>,
        from: Option<String>,
        subject: &str,
        reason: QuarantineReason,
    ) -> Result<Received, InboxError> {
        let item = Quarantined {
            ses_id: ses_id.to_owned(),
            received_at: now,
            from,
            subject: subject.to_owned(),
            reason: reason.clone(),
            released: None,
        };
        tracing::info!(ses_id, reason = ?reason, "mail quarantined");
        Ok(if self.mail.quarantine(&item).await? {
            Received::Quarantined(reason)
        } else {
            Received::AlreadyHandled
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_parts_are_safe() {
        assert_eq!(key_safe("../../etc/passwd"), ".._.._etc_passwd");
        assert_eq!(key_safe("Rechnung März.pdf"), "Rechnung_M_rz.pdf");
        assert_eq!(key_safe("..."), "file");
    }
}
