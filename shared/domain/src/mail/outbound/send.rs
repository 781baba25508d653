//! send-reply's use case: one outbound job becomes at most one mail, whatever the
//! queue does (README.md, "Mail": "What is guaranteed").

use super::compose::{self, AutoSubmitted, Envelope, Letter};
use super::job::{Claimed, MailKind, OutboundJob, OutboxClaim, OutboxFinish, OutboxState};
use super::render::{self, Brand};
use crate::agents::alert_mail::AlertMail;
use crate::agents::alerts::{self, Gate};
use crate::customers::attachments::{AttachmentError, MAX_SIZE};
use crate::mail::inbound::auto::is_system_mailbox;
use crate::mail::reply_token::ReplyKeys;
use crate::ports::store::{RateLimitClaim, StoreError, TicketThread, TrackingToken};
use crate::ports::{CatalogStore, Clock, IdSource, MailError, MailStore, Mailer, TicketStore};
use crate::tickets::message::{Author, Message, MessageKind, ThreadedBy};
use crate::tickets::ticket::Ticket;
use crate::values::email::EmailAddress;
use crate::values::ids::TicketRef;
use chrono::Duration;

/// The default claim lease (see [`MailSettings::lease`]).
pub const SEND_LEASE_SECONDS: i64 = 120;

#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The From address, e.g. `support@help.example.com`; replies come back to it
    /// plus-addressed.
    pub from: EmailAddress,
    pub brand: Brand,
    /// How long a link in a mail opens the ticket.
    pub link_ttl: Duration,
    /// Automatic mail per recipient per window (loop and flood guard).
    pub auto_cap: (u32, Duration),
    /// How long a claim holds before another delivery may take over. Longer than
    /// send-reply may run (its timeout), so a live sender is never overtaken;
    /// shorter than the outbound queue's visibility × (max receives − 1), so a
    /// redelivery comes after it ends before the job could reach the DLQ. The
    /// infra tests check both against the template.
    pub lease: Duration,
}

/// How many of an address's requests a links mail lists (newest first).
const MAX_LINKS: u16 = 20;

impl MailSettings {
    pub fn new(from: EmailAddress, brand: Brand) -> Self {
        Self {
            from,
            brand,
            link_ttl: Duration::days(90),
            auto_cap: (10, Duration::hours(3)),
            lease: Duration::seconds(SEND_LEASE_SECONDS),
        }
    }

    pub fn domain(&self) -> &str {
        self.from.domain()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent {
        provider_id: String,
    },
    /// A duplicate or redelivered job: the mail went out before.
    AlreadySent,
    /// Deliberately not sent, with the reason (recorded on the outbox item).
    Skipped(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Try again later (an outage, another delivery in flight).
    #[error("retry later: {0}")]
    Retry(String),
    /// SES is over its sending rate: the job waits its backoff and goes again,
    /// as a new queue message, so throttling never counts towards the DLQ.
    #[error("throttled by the mail provider")]
    Throttled,
    /// Will never work; the job should end in the DLQ where people see it.
    #[error("cannot be sent: {0}")]
    Permanent(String),
}

/// How long a throttled job waits before it goes again: doubling from `first`
/// with each throttle, at most `longest`, and spread over the upper half of that
/// span so a burst that was throttled together does not come back together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub longest: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            first: Duration::seconds(2),
            // SQS delays a message at most 15 minutes.
            longest: Duration::minutes(15),
        }
    }
}

impl Backoff {
    /// The wait after the `throttled`-th throttle (1 for the first); `spread` is
    /// a random number in [0, 1).
    pub fn wait(&self, throttled: u32, spread: f64) -> Duration {
        let doubled = self
            .first
            .num_milliseconds()
            .saturating_mul(1_i64 << throttled.saturating_sub(1).min(30));
        let span = doubled.min(self.longest.num_milliseconds()).max(2);
        let spread = spread.clamp(0.0, 1.0);
        Duration::milliseconds(span / 2 + (span as f64 / 2.0 * spread) as i64)
    }
}

impl From<StoreError> for DeliveryError {
    fn from(e: StoreError) -> Self {
        DeliveryError::Retry(e.to_string())
    }
}

pub struct Postman<'a> {
    pub tickets: &'a dyn TicketStore,
    pub mail: &'a dyn MailStore,
    pub catalog: &'a dyn CatalogStore,
    /// Where the files an agent attached to a reply are read from.
    pub attachments: &'a dyn crate::ports::AttachmentStore,
    pub mailer: &'a dyn Mailer,
    pub clock: &'a dyn Clock,
    pub ids: &'a dyn IdSource,
    pub keys: &'a ReplyKeys,
    pub settings: &'a MailSettings,
}

/// What a mail is about, read before the claim.
enum Subject {
    Ticket(Box<TicketThread>),
    Links(Vec<crate::ports::store::TicketSummary>),
    Digest(Box<super::digest::Digest>),
    Alert(Box<AlertMail>),
}

/// The agent's reply a job mails (its files and Cc go with it); none for any
/// other mail.
fn reply_in<'s>(job: &OutboundJob, subject: &'s Subject) -> Option<&'s Message> {
    let Subject::Ticket(thread) = subject else {
        return None;
    };
    let id = job
        .message
        .as_ref()
        .filter(|_| job.kind == MailKind::AgentReply)?;
    thread.messages.iter().find(|m| &m.id == id)
}

/// The Message-ID we give the mail of an outbox item (SES may add its own; both
/// are recorded so replies to either thread).
pub fn our_message_id(outbox: &crate::values::ids::OutboxId, domain: &str) -> String {
    format!("{}@{domain}", outbox.as_str())
}

/// How many retries a finished send gets to record itself before we stop trying
/// (the mail is out: better an item left `sending` than a second mail).
const FINISH_ATTEMPTS: usize = 3;

impl Postman<'_> {
    pub async fn deliver(&self, job: &OutboundJob) -> Result<Delivery, DeliveryError> {
        // A digest is always stored before it is queued: the stored job says what
        // is sent and to whom, whatever the queue message claims.
        let stored;
        let job = if job.kind.is_stored_whole() {
            let (whole, state) = self.stored_digest(job).await?;
            // Settled before: a redelivery or the sweep must not run the
            // alert's bookkeeping again.
            match state {
                OutboxState::Sent => return Ok(Delivery::AlreadySent),
                OutboxState::Skipped => {
                    return Ok(Delivery::Skipped("settled before".into()));
                }
                OutboxState::Failed => {
                    return Err(DeliveryError::Permanent("failed before".into()));
                }
                OutboxState::Queued | OutboxState::Sending => {}
            }
            stored = whole;
            &stored
        } else {
            job
        };
        if let Some(reason) = self.never_mail(&job.recipient).await? {
            return self.skip(job, reason).await;
        }
        if job.kind == MailKind::Alert
            && let Some(reason) = self.hold_alert(job).await?
        {
            return self.skip(job, reason).await;
        }
        let subject = match self.read(job).await? {
            Ok(subject) => subject,
            Err(reason) => return self.skip(job, reason).await,
        };
        let now = self.clock.now();
        // Fresh link secrets: only hashes are stored, so every mail mints its own.
        let secrets: Vec<(TicketRef, crate::values::token::SecretToken)> = match &subject {
            // A forward goes to someone outside, an escalation to our own people:
            // no key to the customer's page.
            Subject::Ticket(_) if matches!(job.kind, MailKind::Forward | MailKind::Escalation) => {
                vec![]
            }
            Subject::Ticket(t) => vec![(t.ticket.reference.clone(), self.ids.secret_token())],
            Subject::Links(list) => list
                .iter()
                .map(|t| (t.reference.clone(), self.ids.secret_token()))
                .collect(),
            // For our own people: links to the console, no keys.
            Subject::Digest(_) | Subject::Alert(_) => vec![],
        };
        let claim = OutboxClaim {
            job: job.clone(),
            now,
            lease_until: now + self.settings.lease,
            cap: if job.kind == MailKind::Alert {
                // A flood of tickets must not become a flood of mail to an agent.
                Some(RateLimitClaim::fixed_window(
                    &format!("alert-mail:{}", job.recipient.mailbox_key()),
                    crate::agents::alert_mail::ALERTS_PER_HOUR,
                    Duration::hours(1),
                    now,
                ))
            } else {
                job.kind.is_capped().then(|| {
                    let (limit, window) = self.settings.auto_cap;
                    RateLimitClaim::fixed_window(
                        &format!("auto-mail:{}", job.recipient.mailbox_key()),
                        limit,
                        window,
                        now,
                    )
                })
            },
            tokens: secrets
                .iter()
                .map(|(t, s)| {
                    (
                        t.clone(),
                        TrackingToken {
                            hash: s.hash(),
                            expires_at: now + self.settings.link_ttl,
                            mailed: true,
                        },
                    )
                })
                .collect(),
        };
        match self.mail.claim_outbox(&claim).await? {
            Claimed::Go => {}
            Claimed::AlreadySent => return Ok(Delivery::AlreadySent),
            Claimed::InFlight => return Err(DeliveryError::Retry("being sent right now".into())),
            Claimed::AlreadyFailed(reason) => return Err(DeliveryError::Permanent(reason)),
            Claimed::DoNotEmail => {
                return self
                    .skip(job, "the address is on the do-not-email list".into())
                    .await;
            }
            Claimed::Capped if job.kind == MailKind::Alert => {
                return self
                    .skip(
                        job,
                        "30 alerts in the last hour: the rest wait in the console".into(),
                    )
                    .await;
            }
            Claimed::Capped => {
                return self
                    .skip(job, "automatic mail cap reached for this address".into())
                    .await;
            }
        }
        // A ticket's own mail opens its page in the customer's language; the
        // links mail, in the language it is written in (its newest request's).
        let language = match &subject {
            Subject::Ticket(thread) => thread.ticket.language,
            Subject::Links(list) => list
                .iter()
                .max_by_key(|t| t.created_at)
                .map(|t| t.language)
                .unwrap_or_default(),
            _ => crate::i18n::Language::En,
        };
        let links: Vec<(TicketRef, String)> = secrets
            .iter()
            .map(|(t, s)| {
                (
                    t.clone(),
                    format!(
                        "{}{}",
                        self.settings.brand.help_url,
                        crate::customers::tracking::link_path_in(t, s, language)
                    ),
                )
            })
            .collect();
        let (mut envelope, letter) = match self.compose(job, &subject, &links).await {
            Ok(parts) => parts,
            Err(reason) => return self.fail(job, &subject, reason).await,
        };
        let reply = reply_in(job, &subject);
        let files = match self.files(reply).await {
            Ok(files) => files,
            // Storage trouble: the job is tried again later, unsent.
            Err(AttachmentError::Unavailable(why)) => {
                return self
                    .retry_later(job, &claim, DeliveryError::Retry(why))
                    .await;
            }
            Err(e) => return self.fail(job, &subject, e.to_string()).await,
        };
        let cc = reply
            .and_then(|m| m.email.as_ref())
            .map(|e| e.cc.as_slice());
        envelope.cc = match self.copied(cc.unwrap_or_default()).await {
            Ok(cc) => cc,
            // Not sure whom it may go to: nobody yet, all of them later.
            Err(e) => return self.retry_later(job, &claim, e.into()).await,
        };
        let mut recipients = vec![job.recipient.clone()];
        recipients.extend(envelope.cc.iter().cloned());
        let raw = match compose::build_with(&envelope, &letter, &files) {
            Ok(raw) => raw,
            Err(e) => return self.fail(job, &subject, e.to_string()).await,
        };
        match self
            .mailer
            .send_raw(&self.settings.from, &recipients, &raw, Some(&job.outbox_id))
            .await
        {
            Ok(provider_id) => {
                self.record_sent(job, &subject, &envelope, &provider_id)
                    .await;
                Ok(Delivery::Sent { provider_id })
            }
            Err(MailError::Rejected(reason)) => self.fail(job, &subject, reason).await,
            Err(e @ (MailError::Throttled | MailError::Unavailable(_))) => {
                let why = match e {
                    MailError::Throttled => DeliveryError::Throttled,
                    other => DeliveryError::Retry(other.to_string()),
                };
                self.retry_later(job, &claim, why).await
            }
        }
    }

    /// Gives the claim back unsent (and the cap hit it took), so the job is
    /// tried again: `why`.
    async fn retry_later(
        &self,
        job: &OutboundJob,
        claim: &OutboxClaim,
        why: DeliveryError,
    ) -> Result<Delivery, DeliveryError> {
        let released = OutboxFinish::Released {
            refund: claim.cap.clone(),
        };
        self.mail
            .finish_outbox(job, released, self.clock.now())
            .await?;
        Err(why)
    }

    /// The files an agent attached to the reply this job mails, read from
    /// storage. A file gone or grown past the limit fails the mail (the ticket
    /// says so); storage trouble is retried.
    async fn files(
        &self,
        reply: Option<&Message>,
    ) -> Result<Vec<compose::MailFile>, AttachmentError> {
        let attached = reply.map(|m| m.attachments.as_slice()).unwrap_or_default();
        let mut files = Vec::with_capacity(attached.len());
        for a in attached {
            let Some(bytes) = self.attachments.get(&a.key, MAX_SIZE).await? else {
                return Err(AttachmentError::Missing(a.filename.clone()));
            };
            files.push(compose::MailFile {
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                bytes,
            });
        }
        Ok(files)
    }

    /// The digest job as its outbox item stores it. Not there (yet): retried, so
    /// a read that missed a fresh write never settles the item, and a queue
    /// message naming no stored digest ends in the DLQ.
    async fn stored_digest(
        &self,
        job: &OutboundJob,
    ) -> Result<(OutboundJob, OutboxState), DeliveryError> {
        match self.mail.outbox_item(&job.outbox_id).await? {
            Some((stored, state)) if stored.kind == job.kind => Ok((stored, state)),
            Some(_) => Err(DeliveryError::Permanent(format!(
                "the queue message calls a mail that is not {:?} {:?}",
                job.kind, job.kind
            ))),
            None => Err(DeliveryError::Retry("the digest is not stored".into())),
        }
    }

    /// Whether an alert stays unsent, and why: decided on fresh data (the agent's
    /// record and choices, their presence, the alert log), so a queue message
    /// delivered twice, or an agent back in the console, mails nothing more.
    async fn hold_alert(&self, job: &OutboundJob) -> Result<Option<String>, StoreError> {
        let Some(AlertMail::One(line)) = job.alert.as_deref() else {
            return Ok(Some("the stored alert says nothing".into()));
        };
        let agent = self
            .catalog
            .agent(&line.agent)
            .await?
            .filter(|a| a.email.same_mailbox(&job.recipient));
        let seen = self.mail.agent_seen(&line.agent).await?;
        let waiting = match alerts::gate(line, agent.as_ref(), seen, self.clock.now()) {
            Gate::Drop(reason) => return Ok(Some(reason)),
            Gate::Send => false,
            Gate::Digest => true,
        };
        let told = self
            .mail
            .note_alert(line, &job.outbox_id, waiting, seen)
            .await?;
        Ok(match (told, waiting) {
            (false, _) => {
                Some("already told of this ticket, and not back in the console since".into())
            }
            (true, true) => Some("kept for the agent's digest".into()),
            (true, false) => None,
        })
    }

    /// Of the addresses a reply copies, those mail may go to: no system or
    /// own mailbox, nobody on the do-not-email list.
    async fn copied(&self, cc: &[EmailAddress]) -> Result<Vec<EmailAddress>, StoreError> {
        let mut out = Vec::new();
        for address in cc {
            if self.never_mail(address).await?.is_none()
                && self.mail.do_not_email(address).await?.is_none()
            {
                out.push(address.clone());
            }
        }
        Ok(out)
    }

    /// Addresses no mail goes to: system mailboxes and our own (a loop).
    async fn never_mail(&self, to: &EmailAddress) -> Result<Option<String>, StoreError> {
        if is_system_mailbox(to) {
            return Ok(Some(
                "system mailbox (mailer-daemon, postmaster, no-reply)".into(),
            ));
        }
        if to.domain() == self.settings.domain() {
            let own = self.catalog.categories().await?;
            let base = |a: &EmailAddress| {
                let l = a.local_part().to_ascii_lowercase();
                l.split_once('+').map_or(l.clone(), |(b, _)| b.to_owned())
            };
            let ours = base(to) == base(&self.settings.from)
                || own
                    .iter()
                    .flat_map(|c| c.addresses.iter())
                    .any(|a| a.domain() == to.domain() && base(a) == base(to));
            if ours {
                return Ok(Some("one of our own addresses".into()));
            }
        }
        Ok(None)
    }

    async fn read(&self, job: &OutboundJob) -> Result<Result<Subject, String>, StoreError> {
        match job.kind {
            // Every request of the address, open and closed, newest first.
            MailKind::TrackingLinks => {
                let all = self
                    .tickets
                    .tickets_of_requester(&job.recipient, MAX_LINKS)
                    .await?;
                Ok(if all.is_empty() {
                    Err("no requests for this address".into())
                } else {
                    Ok(Subject::Links(all))
                })
            }
            // `job` is the stored one here (`stored_digest`).
            MailKind::Alert | MailKind::AlertDigest => Ok(match &job.alert {
                Some(alert) => Ok(Subject::Alert(alert.clone())),
                None => Err("the stored alert says nothing".into()),
            }),
            MailKind::SlaDigest => Ok(match &job.digest {
                Some(digest) => Ok(Subject::Digest(digest.clone())),
                None => Err("the stored digest says nothing".into()),
            }),
            _ => {
                let Some(reference) = &job.ticket else {
                    return Ok(Err("the job names no ticket".into()));
                };
                match self.tickets.load_ticket(reference).await {
                    // Nothing is mailed about a ticket whose customer's data was erased.
                    Ok(thread) if thread.ticket.erased_at.is_some() => {
                        Ok(Err("the customer's data was erased".into()))
                    }
                    Ok(thread) => Ok(Ok(Subject::Ticket(Box::new(thread)))),
                    Err(StoreError::NotFound) => Ok(Err("the ticket does not exist".into())),
                    Err(e) => Err(e),
                }
            }
        }
    }

    async fn compose(
        &self,
        job: &OutboundJob,
        subject: &Subject,
        links: &[(TicketRef, String)],
    ) -> Result<(Envelope, Letter), String> {
        let brand = &self.settings.brand;
        let from = &self.settings.from;
        let link = links.first().map(|(_, l)| l.as_str()).unwrap_or_default();
        let mut envelope = Envelope {
            from_name: brand.name.clone(),
            from: from.clone(),
            to_name: String::new(),
            to: job.recipient.clone(),
            cc: vec![],
            reply_to: from.clone(),
            message_id: our_message_id(&job.outbox_id, self.settings.domain()),
            in_reply_to: None,
            references: vec![],
            auto_submitted: match job.kind {
                MailKind::TicketConfirmation => Some(AutoSubmitted::AutoReplied),
                k if k.is_automatic() => Some(AutoSubmitted::AutoGenerated),
                _ => None,
            },
            // Agents' own mail stays in English, untagged; a customer's says theirs.
            language: None,
            probe: None,
            date: self.clock.now(),
        };
        let letter = match subject {
            Subject::Digest(digest) => render::sla_digest(brand, digest),
            Subject::Alert(alert) => match alert.as_ref() {
                AlertMail::One(line) => render::alert(brand, line),
                AlertMail::Digest(digest) => render::alert_digest(brand, digest),
            },
            Subject::Links(list) => {
                let pairs: Vec<_> = list
                    .iter()
                    .filter_map(|t| {
                        links
                            .iter()
                            .find(|(r, _)| r == &t.reference)
                            .map(|(_, l)| (t.clone(), l.clone()))
                    })
                    .collect();
                let mine = crate::customers::tracking::mine_link(&brand.help_url, links);
                envelope.language = Some(render::links_language(&pairs));
                render::tracking_links(brand, &pairs, &mine)
            }
            Subject::Ticket(thread) => {
                let ticket = &thread.ticket;
                // "How did we do?" while a rating can still be given or changed.
                let ask = ticket
                    .rating
                    .as_ref()
                    .is_none_or(|r| r.changeable(self.clock.now()));
                self.thread_headers(&mut envelope, thread);
                envelope.to_name = if job.recipient.same_mailbox(&ticket.requester.email) {
                    ticket.requester.name.as_str().to_owned()
                } else {
                    String::new()
                };
                let message = job
                    .message
                    .as_ref()
                    .and_then(|id| thread.messages.iter().find(|m| &m.id == id));
                envelope.language = (!matches!(job.kind, MailKind::Escalation | MailKind::Forward))
                    .then_some(ticket.language);
                match job.kind {
                    MailKind::TicketConfirmation => {
                        let reply_by = self.reply_by(ticket).await;
                        render::confirmation(brand, ticket, message, link, reply_by.as_deref())
                    }
                    MailKind::AgentReply => {
                        let reply = message.ok_or("the reply to send is not on the ticket")?;
                        if reply.kind != MessageKind::AgentReply {
                            return Err("only agent replies are mailed".into());
                        }
                        if let Author::Agent {
                            signed: Some(by), ..
                        } = &reply.author
                        {
                            envelope.from_name = render::from_agent(brand, by, ticket.language);
                        }
                        render::agent_reply(brand, ticket, reply, &thread.messages, link, ask)
                    }
                    MailKind::ResolutionRequest => {
                        render::resolution_request(brand, ticket, link, ask)
                    }
                    MailKind::Reminder => render::reminder(brand, ticket, link),
                    MailKind::Escalation => {
                        let event = message.ok_or("the escalation's event is not on the ticket")?;
                        // For our people: no reply token, no customer thread.
                        envelope.reply_to = from.clone();
                        envelope.in_reply_to = None;
                        envelope.references = vec![];
                        render::escalation(brand, ticket, event)
                    }
                    MailKind::Forward => {
                        let note = message.ok_or("the forward's note is not on the ticket")?;
                        // Only the partner's own thread id (the last one): the
                        // customer's Message-IDs stay ours, and so does any earlier
                        // thread id of ours in them, which carries a token bound to
                        // the customer.
                        envelope.in_reply_to = None;
                        let own = envelope.references.pop();
                        envelope.references = own.into_iter().collect();
                        render::forward(brand, ticket, note, &thread.messages)
                    }
                    other => return Err(format!("{other:?} mail is not supported yet")),
                }
            }
        };
        Ok((envelope, letter))
    }

    /// Reply-To with the signed token; In-Reply-To and References to the
    /// customer's last mail and our thread id.
    fn thread_headers(&self, envelope: &mut Envelope, thread: &TicketThread) {
        let ticket = &thread.ticket;
        let to = &envelope.to;
        envelope.reply_to = self
            .keys
            .reply_address(&self.settings.from, &ticket.reference, to);
        let last_mail = thread
            .messages
            .iter()
            .rev()
            .filter(|m| m.kind == MessageKind::Customer)
            .find_map(|m| {
                m.email
                    .as_ref()
                    .and_then(|e| e.message_id.as_ref().map(|id| (e, id)))
            });
        let mut references: Vec<String> = Vec::new();
        if let Some((ids, id)) = last_mail {
            let start = ids.references.len().saturating_sub(8);
            references.extend(ids.references[start..].iter().cloned());
            references.push(id.clone());
            envelope.in_reply_to = Some(id.clone());
        }
        references.push(
            self.keys
                .thread_id(self.settings.domain(), &ticket.reference, to),
        );
        envelope.references = references;
    }

    async fn reply_by(&self, ticket: &Ticket) -> Option<String> {
        let due = ticket.due_at?;
        let category = self.catalog.category(&ticket.category).await.ok().flatten();
        let policy = match category {
            Some(c) => self.catalog.policy(&c.sla_policy).await.ok().flatten(),
            None => None,
        };
        // In the customer's own time zone when their browser said it.
        Some(ticket.customer_time(due, policy.map(|p| p.calendar.zone())))
    }

    async fn skip(&self, job: &OutboundJob, reason: String) -> Result<Delivery, DeliveryError> {
        tracing::info!(outbox = %job.outbox_id.as_str(), reason, "mail not sent");
        match self
            .mail
            .finish_outbox(
                job,
                OutboxFinish::Skipped {
                    reason: reason.clone(),
                },
                self.clock.now(),
            )
            .await
        {
            // Already settled by an earlier delivery: nothing more to record.
            Ok(()) | Err(StoreError::Conflict) => Ok(Delivery::Skipped(reason)),
            Err(e) => Err(e.into()),
        }
    }

    async fn fail(
        &self,
        job: &OutboundJob,
        subject: &Subject,
        reason: String,
    ) -> Result<Delivery, DeliveryError> {
        let now = self.clock.now();
        let note = match subject {
            Subject::Ticket(thread) => Some(Box::new(Message {
                id: self.ids.message_id(now),
                ticket: thread.ticket.reference.clone(),
                kind: MessageKind::SystemEvent,
                author: Author::System,
                body_text: format!(
                    "The mail to {} could not be sent: {reason}",
                    job.recipient.as_str()
                ),
                body_html: None,
                attachments: vec![],
                email: None,
                threaded_by: ThreadedBy::System,
                created_at: now,
                about: vec![job.recipient.clone()],
            })),
            Subject::Links(_) | Subject::Digest(_) | Subject::Alert(_) => None,
        };
        self.mail
            .finish_outbox(
                job,
                OutboxFinish::Failed {
                    reason: reason.clone(),
                    note,
                },
                now,
            )
            .await?;
        Err(DeliveryError::Permanent(reason))
    }

    async fn record_sent(
        &self,
        job: &OutboundJob,
        subject: &Subject,
        envelope: &Envelope,
        provider_id: &str,
    ) {
        let ticket = match subject {
            Subject::Ticket(t) => Some(t.ticket.reference.clone()),
            Subject::Links(_) | Subject::Digest(_) | Subject::Alert(_) => None,
        };
        let finish = OutboxFinish::Sent {
            provider_id: provider_id.to_owned(),
            // SES shows `<provider id>@<region>.amazonses.com`; we also keep ours.
            message_ids: vec![provider_id.to_owned(), envelope.message_id.clone()],
            ticket,
        };
        for attempt in 1..=FINISH_ATTEMPTS {
            match self
                .mail
                .finish_outbox(job, finish.clone(), self.clock.now())
                .await
            {
                Ok(()) => return,
                Err(e) => {
                    // SES's own "send" event may have recorded it first.
                    if let Ok(Some((_, super::job::OutboxState::Sent))) =
                        self.tickets.outbox_item(&job.outbox_id).await
                    {
                        return;
                    }
                    tracing::warn!(attempt, error = %e, "sent, but not yet recorded");
                }
            }
        }
        // The documented duplicate window: if SES's send event has not recorded it
        // by the time the lease and the sweep's grace are over, it goes out again.
        tracing::error!(outbox = %job.outbox_id.as_str(), provider_id, "sent mail left in `sending`: SES's send event should record it; if not, the sweep sends it again after the lease");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttled_job_waits_twice_as_long_each_time_at_most_a_quarter_hour() {
        let b = Backoff::default();
        // The lowest and the highest of each wait's spread.
        let span = |n| (b.wait(n, 0.0), b.wait(n, 0.999_999));
        assert_eq!(
            span(1),
            (Duration::seconds(1), Duration::milliseconds(1_999))
        );
        assert_eq!(
            span(2),
            (Duration::seconds(2), Duration::milliseconds(3_999))
        );
        assert_eq!(span(10).0, Duration::seconds(450));
        assert_eq!(span(40).1, Duration::milliseconds(899_999));
        assert!(b.wait(u32::MAX, 2.0) <= Duration::minutes(15));
        assert!(b.wait(0, -1.0) >= Duration::milliseconds(1));
    }
}
