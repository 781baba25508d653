//! What a customer does through a tracking link: read the ticket, reply, and say
//! whether a solved ticket is really solved. The secret is checked first; every
//! failure to open the ticket is the same `NotFound`.

use crate::TicketRef;
use crate::agents::alerts;
use crate::catalog::category::FieldError;
use crate::customers::limits::{IntakePolicy, ReplyLimits};
use crate::ports::store::{StoreError, TicketThread, TicketUpdate, TrackingToken};
use crate::ports::{Clock, IdSource, TicketStore};
use crate::tickets::message::{Author, Message, MessageKind, ThreadedBy};
use crate::tickets::rating::{MAX_COMMENT_CHARS, Rating, Score};
use crate::tickets::ticket::{Status, Ticket};
use crate::values::token::SecretToken;
use chrono::Duration;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrackingError {
    /// Unknown ticket, wrong or expired secret: indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldError>),
    /// Only a solved ticket can be confirmed or reopened that way.
    #[error("this request is not waiting for your confirmation")]
    NotAwaitingConfirmation,
    /// Only a solved or closed request is rated, through a link we mailed.
    #[error("only a solved request can be rated, from the link in our mail")]
    NotRateable,
    /// The rating was given more than the allowed while ago.
    #[error("this rating can no longer be changed")]
    RatingFinal,
    /// Closed as a duplicate: the conversation goes on in that ticket.
    #[error("this request was merged into {0}; we answer there")]
    Merged(TicketRef),
    /// The thread holds [`crate::tickets::ticket::MAX_THREAD_MESSAGES`] messages.
    #[error(
        "this conversation has reached {max} messages; please send a new request and mention {0}",
        max = crate::tickets::ticket::MAX_THREAD_MESSAGES
    )]
    ThreadFull(TicketRef),
    #[error(transparent)]
    Store(StoreError),
}

impl TrackingError {
    /// What the tracking page says about a refusal, in the reader's language
    /// (`None`: nothing of the customer's to say, as for a store failure).
    pub fn reason(&self, language: crate::i18n::Language) -> Option<String> {
        let max = crate::tickets::ticket::MAX_THREAD_MESSAGES.to_string();
        Some(match self {
            TrackingError::NotAwaitingConfirmation => language.text("track-not-awaiting", &[]),
            TrackingError::NotRateable => language.text("track-not-rateable", &[]),
            TrackingError::RatingFinal => language.text("track-rating-final", &[]),
            TrackingError::Merged(into) => {
                language.text("track-merged-refused", &[("reference", &into.to_string())])
            }
            TrackingError::ThreadFull(r) => language.text(
                "track-thread-full",
                &[("max", &max), ("reference", &r.to_string())],
            ),
            TrackingError::NotFound | TrackingError::Invalid(_) | TrackingError::Store(_) => {
                return None;
            }
        })
    }
}

impl From<StoreError> for TrackingError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => TrackingError::NotFound,
            other => TrackingError::Store(other),
        }
    }
}

pub const MAX_REPLY: usize = 20_000;

/// A change to make: the ticket after it, the messages (text and files) to add,
/// and who writes them.
type Change = (
    Ticket,
    Vec<(String, Vec<crate::tickets::message::AttachmentRef>)>,
    MessageKind,
);

/// How often a customer's change is retried when an agent changed the ticket at
/// the same moment (the customer's message is additive, so it is never refused).
const ATTEMPTS: usize = 3;

pub struct Tracking<'a> {
    pub tickets: &'a dyn TicketStore,
    pub catalog: &'a dyn crate::ports::CatalogStore,
    pub attachments: &'a dyn crate::ports::AttachmentStore,
    /// Where the alerts a customer's message raises are queued.
    pub outbound: &'a dyn crate::ports::OutboundQueue,
    pub clock: &'a dyn Clock,
    pub ids: &'a dyn IdSource,
    /// A link stays valid this long after the last activity on it.
    pub token_ttl: Duration,
    pub replies: ReplyLimits,
    /// The reader's: why a message or comment was refused is said in it.
    pub language: crate::i18n::Language,
}

/// The tracking page's path for a ticket; the secret rides in the fragment, which
/// browsers never send to a server (so it never reaches a log).
pub fn link_path(reference: &TicketRef, secret: &SecretToken) -> String {
    link_path_in(reference, secret, crate::i18n::Language::En)
}

/// As [`link_path`], the page opening in `language` when it is not English
/// (a link in a German mail opens a German page, whatever the browser prefers).
pub fn link_path_in(
    reference: &TicketRef,
    secret: &SecretToken,
    language: crate::i18n::Language,
) -> String {
    let lang = match language {
        crate::i18n::Language::En => String::new(),
        other => format!("&lang={}", other.as_str()),
    };
    format!(
        "/track/?ticket={}{lang}#token={}",
        reference.as_str(),
        secret.expose()
    )
}

/// The "my requests" page for a links mail: one link that carries each
/// request's own secret in its fragment (`t=REF.secret,…`), so the page opens
/// every request with the key it would need alone and no new kind of key exists.
/// `links` are full tracking links as [`link_path`] makes them.
pub fn mine_link(help_url: &str, links: &[(TicketRef, String)]) -> String {
    let pairs: Vec<String> = links
        .iter()
        .filter_map(|(r, link)| {
            let (_, secret) = link.split_once("#token=")?;
            Some(format!("{}.{secret}", r.as_str()))
        })
        .collect();
    format!("{help_url}/track/mine/#t={}", pairs.join(","))
}

/// Parses a secret as it came from outside; a malformed one is simply not found.
pub fn parse_secret(raw: Option<&str>) -> Result<SecretToken, TrackingError> {
    raw.and_then(|t| SecretToken::parse(t).ok())
        .ok_or(TrackingError::NotFound)
}

fn reply_text(body: &str, language: crate::i18n::Language) -> Result<String, TrackingError> {
    let text = body.trim();
    let problem = if text.is_empty() {
        Some(language.text("message-empty", &[]))
    } else if text.chars().count() > MAX_REPLY {
        Some(language.text("message-too-long", &[("max", &MAX_REPLY.to_string())]))
    } else if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Some(language.text("message-control", &[]))
    } else {
        None
    };
    match problem {
        Some(reason) => Err(TrackingError::Invalid(vec![FieldError::new(
            "body", reason,
        )])),
        None => Ok(text.to_owned()),
    }
}

fn rating_comment(comment: &str, language: crate::i18n::Language) -> Result<String, TrackingError> {
    let text = comment.trim();
    let problem = if text.chars().count() > MAX_COMMENT_CHARS {
        Some(language.text(
            "comment-too-long",
            &[("max", &MAX_COMMENT_CHARS.to_string())],
        ))
    } else if text.chars().any(|c| {
        (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            // Characters that turn text around or hide it, so it reads
            // otherwise than it is.
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    }) {
        Some(language.text("comment-control", &[]))
    } else {
        None
    };
    match problem {
        Some(reason) => Err(TrackingError::Invalid(vec![FieldError::new(
            "comment", reason,
        )])),
        None => Ok(text.to_owned()),
    }
}

/// A ticket as its tracking link opens it.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub thread: TicketThread,
    /// May the page show our answers? Only through a link we mailed to the
    /// requester's address (opening one also marks the ticket verified for the
    /// agents). The form's own secret is held by whoever filled the form in, who
    /// need not own the address: it shows the request and where it stands, never
    /// our answers, even after the owner has verified.
    pub answers: bool,
}

impl Opened {
    /// What the tracking page shows of the thread: the public messages, and
    /// without [`Opened::answers`] only those the requester wrote.
    pub fn shown(&self) -> impl Iterator<Item = &crate::tickets::message::Message> {
        self.thread
            .messages
            .iter()
            .filter(|m| m.kind.is_public())
            .filter(|m| self.answers || matches!(m.author, Author::Customer { .. }))
    }
}

impl Tracking<'_> {
    pub async fn open(
        &self,
        reference: &TicketRef,
        secret: &SecretToken,
    ) -> Result<Opened, TrackingError> {
        let token = self.check(reference, secret).await?;
        let mut thread = self.tickets.load_ticket(reference).await?;
        if token.mailed && !thread.ticket.email_verified && thread.ticket.merged_into.is_none() {
            let verified = self
                .change(reference, |ticket, _| {
                    // Two page loads at once: the second finds it done.
                    if ticket.email_verified {
                        return Err(TrackingError::Store(StoreError::AlreadyApplied));
                    }
                    let mut after = ticket.clone();
                    after.email_verified = true;
                    let note =
                        "The requester opened a link we mailed to their address: it is verified.";
                    Ok((
                        after,
                        vec![(note.to_owned(), vec![])],
                        MessageKind::SystemEvent,
                    ))
                })
                .await;
            match verified {
                Ok(_) | Err(TrackingError::Store(StoreError::AlreadyApplied)) => {}
                Err(e) => return Err(e),
            }
            thread = self.tickets.load_ticket(reference).await?;
        }
        Ok(Opened {
            thread,
            answers: token.mailed,
        })
    }

    /// Adds the customer's message; a ticket waiting on them, solved or closed
    /// becomes open again.
    pub async fn reply(
        &self,
        reference: &TicketRef,
        secret: &SecretToken,
        body: &str,
        attachment_keys: &[String],
    ) -> Result<Ticket, TrackingError> {
        let token = self.check(reference, secret).await?;
        let text = reply_text(body, self.language)?;
        let now = self.clock.now();
        let (per_ticket, ticket_window) = self.replies.per_ticket;
        let (per_link, link_window) = self.replies.per_link;
        let claims = [
            crate::ports::store::RateLimitClaim::fixed_window(
                &format!("reply-ticket:{}", reference.as_str()),
                per_ticket,
                ticket_window,
                now,
            ),
            crate::ports::store::RateLimitClaim::fixed_window(
                &format!("reply-link:{}", secret.hash().as_str()),
                per_link,
                link_window,
                now,
            ),
        ];
        self.tickets.hit_rate_limits(&claims, now).await?;
        let files = crate::customers::attaching::resolve(
            self.attachments,
            self.ids,
            attachment_keys,
            "attachments",
        )
        .await
        .map_err(|e| TrackingError::Store(StoreError::Unavailable(e.to_string())))?
        .map_err(TrackingError::Invalid)?;
        let saved = self
            .change(reference, |ticket, now| {
                let mut after = ticket.clone();
                if !ticket.status.awaits_agent() {
                    after
                        .change_status(Status::Open, now)
                        .map_err(|_| TrackingError::NotAwaitingConfirmation)?;
                }
                after.updated_at = now;
                Ok((
                    after,
                    vec![(text.clone(), files.clone())],
                    MessageKind::Customer,
                ))
            })
            .await?;
        self.extend(reference, &token).await?;
        Ok(saved)
    }

    /// "Yes, it's solved" closes a solved ticket; "No, I still need help" reopens it.
    /// Only for someone who can read the answer (see [`Opened::answers`]).
    pub async fn confirm(
        &self,
        reference: &TicketRef,
        secret: &SecretToken,
        solved: bool,
    ) -> Result<Ticket, TrackingError> {
        let token = self.check(reference, secret).await?;
        let saved = self
            .change(reference, |ticket, now| {
                if ticket.status != Status::Resolved || !token.mailed {
                    return Err(TrackingError::NotAwaitingConfirmation);
                }
                let (to, note) = if solved {
                    (
                        Status::Closed,
                        "The customer confirmed the request is solved.",
                    )
                } else {
                    (
                        Status::Open,
                        "The customer still needs help: the request was reopened.",
                    )
                };
                let mut after = ticket.clone();
                after
                    .change_status(to, now)
                    .map_err(|_| TrackingError::NotAwaitingConfirmation)?;
                Ok((
                    after,
                    vec![(note.to_owned(), vec![])],
                    MessageKind::SystemEvent,
                ))
            })
            .await?;
        self.extend(reference, &token).await?;
        Ok(saved)
    }

    /// "How did we do?": the customer rates our help on a solved or closed
    /// request, once; they may change it for `rating::changeable_for` after the
    /// first time. Only for someone who can read the answer (see
    /// [`Opened::answers`]). Agents see it on the ticket; reports count it.
    pub async fn rate(
        &self,
        reference: &TicketRef,
        secret: &SecretToken,
        score: Score,
        comment: &str,
    ) -> Result<Ticket, TrackingError> {
        let comment = rating_comment(comment, self.language)?;
        let token = self.check(reference, secret).await?;
        if !token.mailed {
            return Err(TrackingError::NotRateable);
        }
        // The same rating sent again (a double click, a retry): nothing to write.
        let current = self.tickets.load_ticket(reference).await?.ticket;
        if current
            .rating
            .as_ref()
            .is_some_and(|r| r.score == score && r.comment == comment)
        {
            return Ok(current);
        }
        let saved = self
            .change(reference, |ticket, now| {
                if !matches!(ticket.status, Status::Resolved | Status::Closed) {
                    return Err(TrackingError::NotRateable);
                }
                let (first_at, changes) = match &ticket.rating {
                    Some(r) if !r.changeable(now) => return Err(TrackingError::RatingFinal),
                    Some(r) => (r.first_at, r.changes + 1),
                    None => (now, 0),
                };
                let note = match &ticket.rating {
                    None => format!("The customer rated our help: {}.", score.as_str()),
                    Some(_) => format!("The customer changed their rating to {}.", score.as_str()),
                };
                let mut after = ticket.clone();
                after.rating = Some(Rating {
                    score,
                    comment: comment.clone(),
                    at: now,
                    first_at,
                    category: ticket.category.clone(),
                    assignee: ticket.assignee.clone(),
                    premium: ticket.tier == crate::tickets::ticket::Tier::Premium,
                    changes,
                });
                after.updated_at = now;
                Ok((after, vec![(note, vec![])], MessageKind::SystemEvent))
            })
            .await?;
        self.extend(reference, &token).await?;
        Ok(saved)
    }

    async fn check(
        &self,
        reference: &TicketRef,
        secret: &SecretToken,
    ) -> Result<TrackingToken, TrackingError> {
        self.tickets
            .tracking_token(reference, &secret.hash(), self.clock.now())
            .await?
            .ok_or(TrackingError::NotFound)
    }

    /// Activity keeps the link alive (a mailed one stays a mailed one).
    async fn extend(
        &self,
        reference: &TicketRef,
        token: &TrackingToken,
    ) -> Result<(), TrackingError> {
        let token = TrackingToken {
            expires_at: self.clock.now() + self.token_ttl,
            ..token.clone()
        };
        Ok(self.tickets.add_tracking_token(reference, token).await?)
    }

    /// Loads, applies `f`, writes conditionally; reloads and retries on a
    /// concurrent change.
    async fn change<F>(&self, reference: &TicketRef, f: F) -> Result<Ticket, TrackingError>
    where
        F: Fn(&Ticket, chrono::DateTime<chrono::Utc>) -> Result<Change, TrackingError>,
    {
        let mut last = TrackingError::Store(StoreError::Conflict);
        for _ in 0..ATTEMPTS {
            let now = self.clock.now();
            let thread = self.tickets.load_ticket(reference).await?;
            let held = thread.messages.len();
            let before = thread.ticket;
            if let Some(target) = &before.merged_into {
                return Err(TrackingError::Merged(target.clone()));
            }
            let (mut after, texts, kind) = f(&before, now)?;
            if kind == MessageKind::Customer
                && held + texts.len() > crate::tickets::ticket::MAX_THREAD_MESSAGES
            {
                return Err(TrackingError::ThreadFull(reference.clone()));
            }
            let rules = crate::sla::clocks::Rules::load(self.catalog, &after.category).await?;
            // The customer's word, or their "I still need help", is theirs to be
            // answered; anything else (the address verified) moves no clock.
            let happened = if after.status.awaits_agent()
                && (kind == MessageKind::Customer || after.status != before.status)
            {
                crate::sla::clocks::Happened::CustomerWrote
            } else {
                crate::sla::clocks::Happened::Changed
            };
            crate::sla::clocks::apply(&before, &mut after, happened, &rules, now);
            let author = match kind {
                MessageKind::Customer => Author::Customer {
                    name: before.requester.name.clone(),
                    email: before.requester.email.clone(),
                },
                _ => Author::System,
            };
            let messages = texts
                .into_iter()
                .map(|(text, attachments)| Message {
                    id: self.ids.message_id(now),
                    ticket: reference.clone(),
                    kind,
                    author: author.clone(),
                    body_text: text,
                    body_html: None,
                    attachments,
                    email: None,
                    threaded_by: if kind == MessageKind::Customer {
                        ThreadedBy::TrackingPage
                    } else {
                        ThreadedBy::System
                    },
                    created_at: now,
                    about: vec![],
                })
                .collect();
            let alerted = if kind == MessageKind::Customer {
                let raised = alerts::Raised {
                    kind: alerts::AlertKind::CustomerReplied,
                    ticket: &after,
                    by: None,
                    at: now,
                };
                alerts::raise(self.catalog, self.ids, &raised).await?
            } else {
                vec![]
            };
            match self
                .tickets
                .update_ticket(
                    TicketUpdate::new(&before, after, messages).with_outbox(alerted.clone()),
                )
                .await
            {
                Ok(saved) => {
                    alerts::queue_stored(self.outbound, &alerted).await;
                    return Ok(saved);
                }
                Err(StoreError::Conflict) => last = TrackingError::Store(StoreError::Conflict),
                Err(e) => return Err(e.into()),
            }
        }
        Err(last)
    }
}

/// "Lost your link?": fresh links for a requester's open tickets are mailed to
/// that address only. The answer and the work are the same whether or not the
/// address has tickets: the job always goes out, and send-reply, which mints the
/// fresh secrets when it writes the mail, finds the tickets (or none).
pub struct LinkRequest<'a> {
    pub tickets: &'a dyn TicketStore,
    pub outbound: &'a dyn crate::ports::OutboundQueue,
    pub clock: &'a dyn Clock,
    pub ids: &'a dyn IdSource,
    pub policy: &'a IntakePolicy,
    /// The reader's: why an address was refused is said in it.
    pub language: crate::i18n::Language,
}

impl LinkRequest<'_> {
    pub async fn send(&self, raw_email: &str, client_ip: &str) -> Result<(), TrackingError> {
        let email = crate::EmailAddress::parse(raw_email).map_err(|e| {
            TrackingError::Invalid(vec![FieldError::new(
                "email",
                e.field_reason(self.language),
            )])
        })?;
        let now = self.clock.now();
        let (ip_limit, ip_window) = self.policy.links_per_ip;
        let (email_limit, email_window) = self.policy.links_per_email;
        let claims = [
            crate::ports::store::RateLimitClaim::fixed_window(
                &format!("links-ip:{client_ip}"),
                ip_limit,
                ip_window,
                now,
            ),
            crate::ports::store::RateLimitClaim::fixed_window(
                &format!("links-email:{}", email.mailbox_key()),
                email_limit,
                email_window,
                now,
            ),
        ];
        self.tickets.hit_rate_limits(&claims, now).await?;
        let job = crate::mail::outbound::job::OutboundJob {
            outbox_id: self.ids.outbox_id(),
            kind: crate::mail::outbound::job::MailKind::TrackingLinks,
            ticket: None,
            message: None,
            recipient: email,
            throttled: 0,
            digest: None,
            alert: None,
        };
        self.outbound
            .enqueue(&job)
            .await
            .map_err(|_| TrackingError::Store(StoreError::Unavailable("outbound queue".into())))
    }
}
