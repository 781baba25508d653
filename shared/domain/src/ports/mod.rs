//! The ports: what the use cases need from the outside world, as async traits held
//! as `Arc<dyn Port>`. Adapters live in `helpdesk-aws`; fakes in `testkit`.

pub mod claims;
pub mod error;
pub mod store;

use crate::agents::alert_mail::AlertLine;
use crate::agents::canned::CannedReply;
use crate::agents::profile::Agent;
use crate::catalog::category::Category;
use crate::customers::attachments::{AttachmentError, StoredObject, UploadRequest};

use crate::catalog::faq::FaqEntry;
use crate::catalog::faq::{FaqReadCount, FaqSearch, FaqSearchCount};
use crate::mail::inbound::quarantine::{
    HeldPosition, QuarantineReason, Quarantined, Release, SenderPattern, SenderRule,
};
use crate::mail::outbound::job::{Claimed, OutboundJob, OutboxClaim, OutboxFinish, OutboxState};
use crate::ops::probe::{Probe, ProbeOutcome};
use crate::ports::store::{
    Created, NewTicket, QueuePage, QueueQuery, RateLimitClaim, StoreError, TicketSummary,
    TicketThread, TicketUpdate, TrackingToken, Waking,
};
use crate::reports::figures::{DayFigures, ReportScope};
use crate::sla::notice::Notice;
use crate::sla::policy::SlaPolicy;
use crate::tickets::counters::{QueueCounts, StatusCounts};
use crate::tickets::message::Message;
use crate::tickets::ticket::Ticket;
use crate::values::email::EmailAddress;
use crate::values::ids::{AgentId, CategoryId, FaqId, MessageId, OutboxId, RunId, TicketRef};
use crate::values::token::{SecretToken, TokenHash};
use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The tickets themselves: create, read, change (one or several at once), a
/// requester's list, and system notes.
#[async_trait]
pub trait TicketRecords: Send + Sync {
    /// Ticket, first message, idempotency claim, counters and Message-ID lookup
    /// items in one atomic write. A taken reference is `Duplicate`.
    async fn create_ticket(&self, new: NewTicket) -> Result<Created, StoreError>;

    /// The ticket with its whole thread, oldest message first.
    async fn load_ticket(&self, reference: &TicketRef) -> Result<TicketThread, StoreError>;

    /// Writes the change, its messages and counters atomically, if the ticket is
    /// still at the version the change was made from; else `Conflict`.
    async fn update_ticket(&self, update: TicketUpdate) -> Result<Ticket, StoreError>;

    /// Several tickets' changes in one atomic write (e.g. a merge): all or none.
    async fn update_tickets(&self, updates: Vec<TicketUpdate>) -> Result<Vec<Ticket>, StoreError>;

    /// A requester's tickets, newest first.
    async fn tickets_of_requester(
        &self,
        email: &EmailAddress,
        limit: u16,
    ) -> Result<Vec<TicketSummary>, StoreError>;

    /// A system note on a ticket that changes nothing else (a failed or bounced
    /// mail); written once per message id.
    async fn add_note(&self, note: &crate::tickets::message::Message) -> Result<(), StoreError>;

    /// Every ticket's reference, a page at a time, in no particular order:
    /// for rebuilding what is derived from the tickets (the word index), never
    /// for a screen (it reads the whole table). `after` is the page's cursor.
    async fn all_tickets(
        &self,
        after: Option<String>,
    ) -> Result<(Vec<TicketRef>, Option<String>), StoreError>;
}

/// The listings and live counters behind the console's views.
#[async_trait]
pub trait Queues: Send + Sync {
    /// One page of a listing, from just after `query.after`.
    async fn queue(&self, query: QueueQuery) -> Result<QueuePage, StoreError>;

    /// The counters behind the console's views: each category's and the agent's,
    /// in one round trip.
    async fn queue_counts(
        &self,
        categories: &[CategoryId],
        agent: &AgentId,
    ) -> Result<QueueCounts, StoreError>;

    async fn status_counts(&self, category: &CategoryId) -> Result<StatusCounts, StoreError>;
}

/// When the SLA run must next look at a ticket (the sparse wake index).
#[async_trait]
pub trait Wakeups: Send + Sync {
    /// Tickets whose `sla.wake_at` has come by `before`, that instant included
    /// ([`crate::sla::clocks::reached`]), earliest first: the sparse wake index, never
    /// a scan.
    async fn waking(&self, before: DateTime<Utc>, limit: u16) -> Result<Vec<Waking>, StoreError>;
}

/// Which ticket an email Message-ID belongs to (threading in both directions).
#[async_trait]
pub trait MessageIds: Send + Sync {
    /// Which ticket an email Message-ID (sent or received) belongs to.
    async fn ticket_for_message_id(
        &self,
        message_id: &str,
    ) -> Result<Option<TicketRef>, StoreError>;

    /// Records a Message-ID learnt after the fact (SES assigns ours when sending).
    async fn record_message_id(
        &self,
        message_id: &str,
        ticket: &TicketRef,
    ) -> Result<(), StoreError>;

    /// The tickets the given Message-IDs lead to, in the order given (unknown ids
    /// left out), normalized; one round trip.
    async fn tickets_for_message_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, TicketRef)>, StoreError>;
}

/// The secrets of tracking links.
#[async_trait]
pub trait TrackingTokens: Send + Sync {
    /// Adds another tracking link secret to a ticket (links can be re-requested).
    async fn add_tracking_token(
        &self,
        ticket: &TicketRef,
        token: TrackingToken,
    ) -> Result<(), StoreError>;

    /// The secret that opens this ticket at `now`, as stored. Wrong ticket,
    /// unknown or expired secret: none.
    async fn tracking_token(
        &self,
        ticket: &TicketRef,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<TrackingToken>, StoreError>;

    /// Does this secret open this ticket at `now`?
    async fn tracking_token_valid(
        &self,
        ticket: &TicketRef,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Ok(self.tracking_token(ticket, hash, now).await?.is_some())
    }
}

/// Counted limits (per mailbox, per address, per window).
#[async_trait]
pub trait RateLimits: Send + Sync {
    /// Counts one hit on each limit, all or none; `RateLimited` when one is full.
    async fn hit_rate_limits(
        &self,
        claims: &[RateLimitClaim],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// The outbox state machine: every mail we send, from queued to sent or failed.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// An outbox item and where it stands, read consistently.
    async fn outbox_item(
        &self,
        id: &OutboxId,
    ) -> Result<Option<(OutboundJob, OutboxState)>, StoreError>;

    /// Unsettled outbox items waiting since before `queued_before`, oldest first:
    /// `queued` ones whose queue message was lost (or send-reply is down), and
    /// `sending` ones whose lease ended then (their sender died, and the queue
    /// message may be in the DLQ). The sparse unsent index, never a scan.
    async fn unsent_outbox(
        &self,
        queued_before: DateTime<Utc>,
        limit: u16,
    ) -> Result<Vec<OutboundJob>, StoreError>;

    /// An item still queued, or sending with its lease over, was put on the queue
    /// again at `at`: it waits from then. Anything else is left as it is.
    async fn outbox_requeued(&self, job: &OutboundJob, at: DateTime<Utc>)
    -> Result<(), StoreError>;

    /// Moves the job's outbox item to `sending` (creating it if the producer did not
    /// store one), with the checks of [`OutboxClaim`], all in one write.
    async fn claim_outbox(&self, claim: &OutboxClaim) -> Result<Claimed, StoreError>;

    /// Ends a claim: `Sent`, `Released` and `Failed` move only a `sending` item;
    /// `Skipped` marks a `queued` (or never stored) one.
    async fn finish_outbox(
        &self,
        job: &OutboundJob,
        finish: OutboxFinish,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// The SLA run's notices, gathered into one digest per recipient at the run's end.
/// A ticket's notices are written with its step ([`TicketUpdate::with_notices`]).
#[async_trait]
pub trait SlaNotices: Send + Sync {
    /// Marks `run` as leaving notices, before its first step: a run that dies
    /// before gathering them is found by a later one.
    async fn open_notice_run(&self, run: &RunId, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// Runs opened before `before` and not closed (their function died or timed
    /// out), oldest first.
    async fn open_notice_runs(&self, before: DateTime<Utc>) -> Result<Vec<RunId>, StoreError>;

    /// Every notice the run's steps left (read consistently: the run's own steps
    /// are all there).
    async fn notices(&self, run: &RunId) -> Result<Vec<Notice>, StoreError>;

    /// Stores the run's digests `queued` at `at` (an outbox id stored before is
    /// left as it is, so gathering a run twice mails once), then closes the run:
    /// it is no longer open, and its notices are left to expire.
    async fn close_notice_run(
        &self,
        run: &RunId,
        digests: &[OutboundJob],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// When each agent's console last asked for news: who is in the console now.
#[async_trait]
pub trait Presence: Send + Sync {
    /// Notes that `agent`'s console asked at `at`; a note younger than a minute
    /// is left as it is (a console asks every 15 s).
    async fn saw_agent(&self, agent: &AgentId, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// The agent left the console (signed out, closed it) at `at`: noted as
    /// seen just long enough ago to count as away, so alerts flow at once while
    /// "back in the console since an alert" still holds.
    async fn left_console(&self, agent: &AgentId, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// When one agent's console last asked (one read).
    async fn agent_seen(&self, agent: &AgentId) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// When each agent's console last asked (agents never seen are missing).
    async fn agents_seen(
        &self,
    ) -> Result<std::collections::HashMap<AgentId, DateTime<Utc>>, StoreError>;
}

/// What each agent was told of by mail, one item per agent, kind and ticket:
/// the guard that tells an agent once, and a digest agent's waiting lines.
#[async_trait]
pub trait AlertLog: Send + Sync {
    /// Notes that `line` goes to its agent by outbox `job`, waiting for a digest
    /// when `waiting`. False (nothing written) when another job told the agent of
    /// the same kind on the same ticket and the agent has not been in the
    /// console since (`seen`); true, and nothing rewritten, when the same job
    /// noted it before (a redelivery must not reopen a line a digest closed).
    async fn note_alert(
        &self,
        line: &AlertLine,
        job: &OutboxId,
        waiting: bool,
        seen: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError>;

    /// A digest agent's waiting lines (read consistently).
    async fn waiting_alerts(&self, agent: &AgentId) -> Result<Vec<AlertLine>, StoreError>;

    /// Ends the lines' wait and stores `digest` `queued` at `at`, in one write:
    /// `Conflict` when another run closed any of them first.
    async fn close_alerts(
        &self,
        lines: &[AlertLine],
        digest: Option<&OutboundJob>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// The word index over the tickets (see [`crate::search`]).
#[async_trait]
pub trait WordIndex: Send + Sync {
    /// Replaces what the index holds of each document's ticket and removes the
    /// `gone` ones; visible to the next `find` once this returns. A removed
    /// ticket's words are then in no file the index keeps (erasure relies on it).
    async fn put(
        &self,
        docs: &[crate::search::SearchDoc],
        gone: &[TicketRef],
    ) -> Result<(), StoreError>;

    /// The page `query.page` of the tickets matching every word and filter, in
    /// the categories of `scope` (`None`: all), by relevance (a subject match
    /// weighs more), then the most recently updated first; with the total.
    async fn find(
        &self,
        query: &crate::search::WordQuery,
        scope: Option<&[CategoryId]>,
    ) -> Result<crate::search::hits::IndexPage, StoreError>;

    /// How many tickets match (a saved view's count), without reading any.
    async fn count(
        &self,
        query: &crate::search::WordQuery,
        scope: Option<&[CategoryId]>,
    ) -> Result<u64, StoreError> {
        Ok(self.find(query, scope).await?.total)
    }
}

/// Saved views, kept per agent or per category's team.
#[async_trait]
pub trait SavedViews: Send + Sync {
    /// The views kept in `scope`, in no particular order.
    async fn saved_views(
        &self,
        scope: &crate::agents::saved_view::ViewScope,
    ) -> Result<Vec<crate::agents::saved_view::SavedView>, StoreError>;

    async fn put_saved_view(
        &self,
        view: &crate::agents::saved_view::SavedView,
    ) -> Result<(), StoreError>;

    async fn delete_saved_view(
        &self,
        scope: &crate::agents::saved_view::ViewScope,
        id: &str,
    ) -> Result<(), StoreError>;
}

/// The tags agents have used, for their autocomplete.
#[async_trait]
pub trait TagsInUse: Send + Sync {
    /// Adds `tags` to the list (a set: each once).
    async fn note_tags(&self, tags: &[crate::values::tag::Tag]) -> Result<(), StoreError>;

    /// Every tag used so far, sorted.
    async fn tags_in_use(&self) -> Result<Vec<crate::values::tag::Tag>, StoreError>;

    /// Takes `tags` off the list (a tag renamed away).
    async fn forget_tags(&self, tags: &[crate::values::tag::Tag]) -> Result<(), StoreError>;
}

/// Agents' private notes about customers, one per address.
#[async_trait]
pub trait CustomerNotes: Send + Sync {
    async fn customer_note(
        &self,
        customer: &EmailAddress,
    ) -> Result<Option<crate::ports::store::CustomerNote>, StoreError>;

    /// Replaces the note; `None` removes it.
    async fn set_customer_note(
        &self,
        customer: &EmailAddress,
        note: Option<&crate::ports::store::CustomerNote>,
    ) -> Result<(), StoreError>;
}

/// The channel self-test's probes.
#[async_trait]
pub trait Probes: Send + Sync {
    /// Records a channel self-test probe.
    async fn put_probe(&self, probe: &Probe) -> Result<(), StoreError>;

    /// The probes on record (about the last two days'), in no order.
    async fn probes(&self) -> Result<Vec<Probe>, StoreError>;

    /// Gives the pending probe with this secret its outcome, atomically; false
    /// when there is none (never sent, expired, or already settled).
    async fn settle_probe(
        &self,
        hash: &TokenHash,
        outcome: ProbeOutcome,
    ) -> Result<bool, StoreError>;
}

/// The daily report figures.
#[async_trait]
pub trait ReportDays: Send + Sync {
    /// A category's or an agent's report figures for the days `from..=to` that
    /// have any, oldest first.
    async fn report_days(
        &self,
        scope: &ReportScope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, DayFigures)>, StoreError>;

    /// The ratings customers gave in `category` on the days `from..=to` (by
    /// when each was given or last changed), newest first.
    async fn ratings(
        &self,
        category: &CategoryId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<crate::tickets::rated::RatedTicket>, StoreError>;
}

/// Mail held back from tickets.
#[async_trait]
pub trait Quarantine: Send + Sync {
    /// Stores a quarantined mail once per SES id; false when it was stored before.
    async fn quarantine(&self, item: &Quarantined) -> Result<bool, StoreError>;

    /// The mail held on `day`, newest first: at most `limit` of them, and only
    /// those held before `before` (where the previous page ended) when given.
    async fn quarantined(
        &self,
        day: NaiveDate,
        before: Option<&HeldPosition>,
        limit: usize,
    ) -> Result<Vec<Quarantined>, StoreError>;

    /// The held mail `ses_id` (expired or not), read strongly consistent: a
    /// release a moment ago is seen.
    async fn held(&self, ses_id: &str) -> Result<Option<Quarantined>, StoreError>;

    /// Marks the held mail `ses_id` released by `by`, once.
    async fn release(
        &self,
        ses_id: &str,
        by: &AgentId,
        at: DateTime<Utc>,
    ) -> Result<Release, StoreError>;

    /// A released mail was held again for a reason no person overrules (a
    /// forged sender): its record now names that reason, and who released it.
    async fn hold_again(&self, ses_id: &str, reason: &QuarantineReason) -> Result<(), StoreError>;
}

/// The customer list: addresses and domains whose requests get a tier.
#[async_trait]
pub trait CustomerTiers: Send + Sync {
    /// Every rule (at most `customers::tiers::MAX_RULES`), in no set order.
    async fn tier_rules(&self) -> Result<Vec<crate::customers::tier_rule::TierRule>, StoreError>;

    /// Puts the rule, replacing the one on the same address or domain.
    async fn put_tier_rule(
        &self,
        rule: &crate::customers::tier_rule::TierRule,
    ) -> Result<(), StoreError>;

    /// Removes the rule on `pattern`; false when there was none.
    async fn delete_tier_rule(&self, pattern: &SenderPattern) -> Result<bool, StoreError>;
}

/// Senders a supervisor or admin blocked or always allows.
#[async_trait]
pub trait SenderRules: Send + Sync {
    /// The rule for mail from `from`: its address's, else its domain's.
    async fn sender_rule(&self, from: &EmailAddress) -> Result<Option<SenderRule>, StoreError>;

    /// Every rule, addresses and domains, in the order of their text.
    async fn sender_rules(&self) -> Result<Vec<SenderRule>, StoreError>;

    /// Sets the rule for its pattern (replacing one there was).
    async fn put_sender_rule(&self, rule: &SenderRule) -> Result<(), StoreError>;

    /// False when there was none.
    async fn delete_sender_rule(&self, pattern: &SenderPattern) -> Result<bool, StoreError>;
}

/// Addresses we must never mail again (hard bounces, complaints).
#[async_trait]
pub trait DoNotEmail: Send + Sync {
    /// Never mail this address again (hard bounce, complaint).
    async fn set_do_not_email(
        &self,
        email: &EmailAddress,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    async fn do_not_email(&self, email: &EmailAddress) -> Result<Option<String>, StoreError>;
}

/// Erasing a customer's data: what the ticket's own write ([`TicketRecords::update_ticket`])
/// does not reach.
#[async_trait]
pub trait Erasure: Send + Sync {
    /// Deletes everything of the ticket but its ticket item: its messages and
    /// notes, its link tokens, the Message-ID records that lead to it and the
    /// outbox items of mail about it (they hold the recipient). Returns how many
    /// items went. Safe to repeat: what is already gone is skipped.
    async fn delete_thread(&self, thread: &TicketThread) -> Result<u32, StoreError>;

    /// Deletes these messages of a ticket (kept: the rest of it) and the
    /// Message-ID records that lead to it through them; how many items went.
    async fn delete_messages(
        &self,
        reference: &TicketRef,
        messages: &[Message],
    ) -> Result<u32, StoreError>;

    /// Writes these stored messages again as given (same ticket, id and time):
    /// how erasing takes an address out of a message's Cc.
    async fn rewrite_messages(&self, messages: &[Message]) -> Result<(), StoreError>;

    /// Deletes the outbox items of mail about the ticket sent to `email` (a
    /// forward's); how many went.
    async fn delete_mail_to(
        &self,
        reference: &TicketRef,
        email: &EmailAddress,
    ) -> Result<u32, StoreError>;

    /// Up to `limit` tickets linked to `email` other than as their requester
    /// (`customers::links`).
    async fn tickets_linked_to(
        &self,
        email: &EmailAddress,
        limit: u16,
    ) -> Result<Vec<TicketRef>, StoreError>;

    /// Links these addresses to the ticket (each once; linking again is a
    /// no-op): the backfill of tickets written before links were kept.
    async fn link_addresses(
        &self,
        reference: &TicketRef,
        addresses: &[EmailAddress],
    ) -> Result<(), StoreError>;

    /// Up to `limit` held mails (their SES ids) whose sender was `email`,
    /// found by the link written when each was held.
    async fn held_mail_from(
        &self,
        email: &EmailAddress,
        limit: u16,
    ) -> Result<Vec<String>, StoreError>;

    /// Deletes the held mail's record (if still kept) and its link to
    /// `email`; how many items went.
    async fn forget_held(&self, email: &EmailAddress, ses_id: &str) -> Result<u32, StoreError>;

    /// Removes the link of `email` to the ticket; whether there was one.
    async fn unlink_address(
        &self,
        email: &EmailAddress,
        reference: &TicketRef,
    ) -> Result<bool, StoreError>;

    /// Deletes the address's do-not-email entry; whether there was one.
    async fn forget_do_not_email(&self, email: &EmailAddress) -> Result<bool, StoreError>;

    /// Deletes the lines about requests from `email` in these agents' alert
    /// logs (a line names the requester and the subject); how many went.
    async fn forget_alerts_about(
        &self,
        email: &EmailAddress,
        agents: &[AgentId],
    ) -> Result<u32, StoreError>;

    /// Up to `limit` tickets of `category`, closed and last changed before
    /// `before`, not erased yet: what a retention setting purges.
    async fn closed_before(
        &self,
        category: &CategoryId,
        before: DateTime<Utc>,
        limit: u16,
    ) -> Result<Vec<TicketRef>, StoreError>;
}

/// What admins changed, newest first; kept for good.
#[async_trait]
pub trait AuditTrail: Send + Sync {
    async fn record_audit(
        &self,
        entry: &crate::agents::audit::AuditEntry,
    ) -> Result<(), StoreError>;

    /// Up to `limit` entries older than `before` (all when `None`), newest first.
    async fn audit_entries(
        &self,
        before: Option<&crate::agents::audit::AuditCursor>,
        limit: u16,
    ) -> Result<Vec<crate::agents::audit::AuditEntry>, StoreError>;

    /// Every entry about `subject` (an address's fingerprint or a pattern), oldest first.
    async fn audit_entries_about(
        &self,
        subject: &str,
    ) -> Result<Vec<crate::agents::audit::AuditEntry>, StoreError>;
}

/// Where a customer's data lives in the store: what exporting and erasing read
/// and write (`customers::data`).
pub trait DataStore:
    TicketRecords
    + Erasure
    + CustomerNotes
    + DoNotEmail
    + SenderRules
    + CustomerTiers
    + AuditTrail
    + AgentProfiles
{
}

impl<T> DataStore for T where
    T: TicketRecords
        + AgentProfiles
        + Erasure
        + CustomerNotes
        + DoNotEmail
        + SenderRules
        + CustomerTiers
        + AuditTrail
        + ?Sized
{
}

/// Everything the ticket side of the store does, for a use case that needs much of
/// it; a use case that needs one role asks for that trait alone.
pub trait TicketStore:
    TicketRecords
    + Queues
    + Wakeups
    + MessageIds
    + TrackingTokens
    + RateLimits
    + Outbox
    + SlaNotices
    + Probes
    + ReportDays
    + Presence
    + AlertLog
    + CustomerNotes
    + TagsInUse
    + SavedViews
{
}

impl<T> TicketStore for T where
    T: TicketRecords
        + Queues
        + Wakeups
        + MessageIds
        + TrackingTokens
        + RateLimits
        + Outbox
        + SlaNotices
        + Probes
        + ReportDays
        + Presence
        + AlertLog
        + CustomerNotes
        + TagsInUse
        + SavedViews
        + ?Sized
{
}

/// What the mail functions keep besides tickets: the outbox, the quarantine, the
/// do-not-email list, Message-ID lookups and system notes.
pub trait MailStore:
    TicketRecords + Outbox + Quarantine + SenderRules + DoNotEmail + MessageIds + Presence + AlertLog
{
}

impl<T> MailStore for T where
    T: TicketRecords
        + Outbox
        + Quarantine
        + SenderRules
        + DoNotEmail
        + MessageIds
        + Presence
        + AlertLog
        + ?Sized
{
}

/// Categories, in their display order, with their own fields.
#[async_trait]
pub trait Categories: Send + Sync {
    /// All categories, in their display order.
    async fn categories(&self) -> Result<Vec<Category>, StoreError>;

    async fn category(&self, id: &CategoryId) -> Result<Option<Category>, StoreError>;

    async fn put_category(&self, category: &Category) -> Result<(), StoreError>;
}

/// Agents: their role, categories and settings.
#[async_trait]
pub trait AgentProfiles: Send + Sync {
    async fn agents(&self) -> Result<Vec<Agent>, StoreError>;

    async fn agent(&self, id: &AgentId) -> Result<Option<Agent>, StoreError>;

    async fn put_agent(&self, agent: &Agent) -> Result<(), StoreError>;

    /// Sets how the agent signs (name customers read, signature), changing
    /// nothing else of the record (an admin may be changing the rest); the
    /// record as it is now, or `None` when there is no such agent.
    async fn set_signoff(
        &self,
        id: &AgentId,
        display_name: Option<String>,
        signature: Option<String>,
    ) -> Result<Option<Agent>, StoreError>;

    /// Sets what the agent is told of by mail, and nothing else of the record;
    /// the record as it is now, or `None` when there is no such agent.
    async fn set_alert_choices(
        &self,
        id: &AgentId,
        choices: &crate::agents::alert_mail::AlertChoices,
    ) -> Result<Option<Agent>, StoreError>;
}

/// The FAQ entries of each category.
#[async_trait]
pub trait FaqEntries: Send + Sync {
    /// A category's FAQ entries (published or not), in display order.
    async fn faq(&self, category: &CategoryId) -> Result<Vec<FaqEntry>, StoreError>;

    async fn put_faq(&self, entry: &FaqEntry) -> Result<(), StoreError>;

    /// As [`FaqEntries::faq`], but newer than a cache would keep it (an answer
    /// published a moment ago must have its page at once). Stores without a
    /// cache read as `faq` does.
    async fn faq_fresh(&self, category: &CategoryId) -> Result<Vec<FaqEntry>, StoreError> {
        self.faq(category).await
    }

    /// Removes the entry; false when there was none.
    async fn delete_faq(&self, category: &CategoryId, id: &FaqId) -> Result<bool, StoreError>;
}

/// What visitors searched and read in the FAQ, counted per day for the reports.
#[async_trait]
pub trait FaqStats: Send + Sync {
    /// Counts a search (by its normalized query) in the day's log. A query not yet
    /// in the day's log takes one of `new_queries_per_day` places; when they are
    /// taken it is not logged (false), while queries already there keep counting.
    async fn log_faq_search(
        &self,
        search: &FaqSearch,
        new_queries_per_day: u32,
    ) -> Result<bool, StoreError>;

    /// The searches of the days `from..=to`, each query (per category) summed over
    /// the days, most searched first.
    async fn faq_search_log(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FaqSearchCount>, StoreError>;

    /// Counts answers read on the day of `at`: opened, or (`then_ticket`) read
    /// in a visit that then sent a request.
    async fn count_faq_reads(
        &self,
        entries: &[(CategoryId, FaqId)],
        then_ticket: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Counts one "did this help?" answer on the day of `at`.
    async fn count_faq_vote(
        &self,
        category: &CategoryId,
        entry: &FaqId,
        helpful: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The reads of the days `from..=to`, summed per entry.
    async fn faq_read_log(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FaqReadCount>, StoreError>;

    /// As [`FaqStats::faq_read_log`], but may be as old as a cache keeps it (the
    /// help center's top answers, asked on every start page). Stores without a
    /// cache read as `faq_read_log` does.
    async fn faq_read_log_kept(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FaqReadCount>, StoreError> {
        self.faq_read_log(from, to).await
    }
}

/// Canned replies agents insert into their answers.
#[async_trait]
pub trait CannedReplies: Send + Sync {
    /// Every canned reply (all categories), by title.
    async fn canned_replies(&self) -> Result<Vec<CannedReply>, StoreError>;

    async fn put_canned(&self, reply: &CannedReply) -> Result<(), StoreError>;

    /// Removing one that does not exist is not an error.
    async fn delete_canned(&self, id: &FaqId) -> Result<(), StoreError>;
}

/// The response-time policies categories point to.
#[async_trait]
pub trait SlaPolicies: Send + Sync {
    async fn policies(&self) -> Result<Vec<SlaPolicy>, StoreError>;

    async fn policy(&self, id: &str) -> Result<Option<SlaPolicy>, StoreError>;

    async fn put_policy(&self, policy: &SlaPolicy) -> Result<(), StoreError>;
}

/// Configuration, all of it: what a function that serves several parts of the
/// catalog (the agent API, the cache in front of the store) holds. Implemented for
/// anything that implements the parts.
pub trait CatalogStore:
    Categories + AgentProfiles + FaqEntries + FaqStats + CannedReplies + SlaPolicies + CustomerTiers
{
}

impl<T> CatalogStore for T where
    T: Categories
        + AgentProfiles
        + FaqEntries
        + FaqStats
        + CannedReplies
        + SlaPolicies
        + CustomerTiers
        + ?Sized
{
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error("queue throttled, retry later")]
    Throttled,
    #[error("queue unavailable: {0}")]
    Unavailable(String),
}

/// The inbound queue, for a mail stored before to be received again (a released
/// quarantined mail).
#[async_trait]
pub trait Redelivery: Send + Sync {
    /// Hands the raw mail `raw_key` to inbound-mail again, as storing it did.
    async fn redeliver(&self, raw_key: &str) -> Result<(), QueueError>;
}

#[async_trait]
pub trait OutboundQueue: Send + Sync {
    async fn enqueue(&self, job: &OutboundJob) -> Result<(), QueueError>;

    /// The job again, seen by the consumer no sooner than `delay` from now (SQS:
    /// at most 15 minutes). A fresh message: its receive count starts again.
    async fn enqueue_after(&self, job: &OutboundJob, delay: Duration) -> Result<(), QueueError>;

    /// Several jobs with as few calls as the queue allows (SQS: ten a call); one
    /// result per job, in order.
    async fn enqueue_all(&self, jobs: &[OutboundJob]) -> Vec<Result<(), QueueError>> {
        let mut results = Vec::with_capacity(jobs.len());
        for job in jobs {
            results.push(self.enqueue(job).await);
        }
        results
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Sending rate exceeded: retry later.
    #[error("mail provider throttled, retry later")]
    Throttled,
    /// The provider refused this mail for good (bad address, suppressed, too large).
    #[error("mail rejected: {0}")]
    Rejected(String),
    #[error("mail provider unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends a complete MIME message; returns the provider's message id (SES's,
    /// which becomes the Message-ID the recipient sees). A mail from the outbox
    /// carries its id as a tag, so SES's own "sent" event can record it even when
    /// the sender stops before it does (`feedback`).
    async fn send_raw(
        &self,
        from: &EmailAddress,
        to: &[EmailAddress],
        raw_mime: &[u8],
        outbox: Option<&crate::values::ids::OutboxId>,
    ) -> Result<String, MailError>;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RawMailError {
    #[error("no stored mail under that key")]
    NotFound,
    #[error("stored mail is larger than {0} bytes")]
    TooLarge(u64),
    #[error("raw mail store unavailable: {0}")]
    Unavailable(String),
}

/// Raw MIME as SES stored it (inbound) — the key is the SES message id.
#[async_trait]
pub trait RawMailStore: Send + Sync {
    async fn get(&self, key: &str, max_bytes: u64) -> Result<Vec<u8>, RawMailError>;
    /// The first `bytes` bytes of the stored mail (all of a shorter one).
    async fn head(&self, key: &str, bytes: u64) -> Result<Vec<u8>, RawMailError>;
    async fn put(&self, key: &str, raw: &[u8]) -> Result<(), RawMailError>;
    /// Deletes the stored mail; a key with nothing under it is not an error
    /// (erasing is repeated until it is done).
    async fn delete(&self, key: &str) -> Result<(), RawMailError>;
}

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub trait IdSource: Send + Sync {
    fn ticket_ref(&self) -> TicketRef;
    fn message_id(&self, at: DateTime<Utc>) -> MessageId;
    fn outbox_id(&self) -> OutboxId;
    fn secret_token(&self) -> SecretToken;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Ids from the operating system's CSPRNG (via `rand`'s thread generator).
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomIds;

impl IdSource for RandomIds {
    fn ticket_ref(&self) -> TicketRef {
        TicketRef::random()
    }

    fn message_id(&self, at: DateTime<Utc>) -> MessageId {
        time_ordered_id(at, rand::random::<u32>())
    }

    fn outbox_id(&self) -> OutboxId {
        let hex = format!("{:032x}", rand::random::<u128>());
        OutboxId::parse(&hex)
            .unwrap_or_else(|_| unreachable!("32 hex digits are a valid outbox id"))
    }

    fn secret_token(&self) -> SecretToken {
        SecretToken::random()
    }
}

/// `<micros since epoch, 14 hex>-<suffix, 8 hex>`: sorts by time, unique by suffix.
pub fn time_ordered_id(at: DateTime<Utc>, suffix: u32) -> MessageId {
    let micros = at.timestamp_micros().max(0);
    MessageId::parse(&format!("{micros:014x}-{suffix:08x}"))
        .unwrap_or_else(|_| unreachable!("hex digits and a dash are a valid message id"))
}

/// One dependency's state, as the agents' health page reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentHealth {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// Where attachments are uploaded, checked, kept and downloaded from (S3 on AWS).
#[async_trait]
pub trait AttachmentStore: Send + Sync {
    async fn presign_upload(
        &self,
        key: &str,
        request: &UploadRequest,
        valid_for: Duration,
    ) -> Result<(String, Vec<(String, String)>), AttachmentError>;
    /// What was really uploaded under `key`, if anything.
    async fn describe(&self, key: &str) -> Result<Option<StoredObject>, AttachmentError>;
    /// Stores a file that came with a mail (server-side; the key is ours).
    async fn put(
        &self,
        key: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(), AttachmentError>;
    /// Copies the upload `from`, as long as it is still the version `etag` names
    /// (when given), to where attached files live (`to`, which no visitor can
    /// write), so what was checked is what stays attached.
    async fn keep(&self, from: &str, etag: Option<&str>, to: &str) -> Result<(), AttachmentError>;
    /// The file's bytes, to attach to a mail; `None` when there is no such file.
    /// Refused (`TooLarge`) beyond `max_bytes`, before reading it.
    async fn get(&self, key: &str, max_bytes: u64) -> Result<Option<Vec<u8>>, AttachmentError>;
    /// A short-lived link that downloads the file (never shows it inline).
    async fn presign_download(
        &self,
        key: &str,
        filename: &str,
        valid_for: Duration,
    ) -> Result<String, AttachmentError>;
    /// Deletes the file; a key with nothing under it is not an error.
    async fn delete(&self, key: &str) -> Result<(), AttachmentError>;
    /// Deletes every file whose key starts with `prefix`; how many there were.
    async fn delete_under(&self, prefix: &str) -> Result<u32, AttachmentError>;
}

/// How long a download link works.
/// Submits a probe through the public API, as a visitor's browser would.
#[async_trait]
pub trait WebProbe: Send + Sync {
    async fn submit(
        &self,
        secret: &SecretToken,
        category: &CategoryId,
        email: &EmailAddress,
    ) -> Result<(), String>;
}

/// Checks that what a function depends on answers (tables, queues, buckets).
#[async_trait]
pub trait HealthProbe: Send + Sync {
    async fn check(&self) -> Vec<ComponentHealth>;
}
