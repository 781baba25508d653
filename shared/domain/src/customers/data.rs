//! The customer's data: everything we hold about an address, handed over as one
//! archive or erased, and the retention that purges old closed tickets.
//!
//! Erasing keeps each ticket as an anonymous shell (its category, status, tier,
//! times, tags and rating score), so the reports keep their counts; everything
//! that says who wrote or what was written goes: messages and notes, the files
//! and raw mail in S3, link tokens, Message-ID records, the rating's comment,
//! the agents' note about the customer and the address's own rules. It works in
//! batches and can be repeated until done: files go first and the ticket's shell
//! last, so a crash in between leaves the ticket found, and finished, next time.

use crate::agents::audit::{Actor, AuditAction, AuditEntry, fingerprint};
use crate::catalog::category::Category;
use crate::customers::archive::{ArchiveError, ZipWriter, safe_name};
use crate::customers::attachments::AttachmentError;
use crate::customers::links;
use crate::mail::inbound::parse::raw_mail_key;
use crate::mail::inbound::quarantine::SenderPattern;
use crate::ports::store::{StoreError, TicketThread, TicketUpdate};
use crate::ports::{
    AgentProfiles, AttachmentStore, AuditTrail, CustomerNotes, CustomerTiers, DataStore,
    DoNotEmail, Erasure, RawMailError, RawMailStore, SenderRules, TicketRecords,
};
use crate::tickets::message::Author;
use crate::tickets::people;
use crate::tickets::ticket::{Requester, Status, Ticket};
use crate::values::email::EmailAddress;
use crate::values::ids::TicketRef;
use crate::values::text::{DisplayName, Subject};
use chrono::{DateTime, Months, Utc};
use serde::Serialize;

/// Tickets erased per call: each is a read, its files, a few deletes and a write.
pub const ERASE_BATCH: u16 = 10;
/// Held mails of the address erased per call: a delete in S3 and two items each.
pub const HELD_BATCH: u16 = 50;
/// The most items (the address's requests, other customers' requests it is
/// on, and held mails) one part of an export holds.
pub const MAX_EXPORT_TICKETS: u16 = 300;
/// The most bytes of files and mail one export holds (built in memory).
pub const MAX_EXPORT_BYTES: u64 = 50 * 1024 * 1024;
/// Tickets the schedule purges per run, over all categories.
pub const RETENTION_BATCH: u16 = 25;
/// How many times a ticket changed meanwhile is read and erased again.
const ATTEMPTS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("file storage: {0}")]
    Files(String),
    #[error("{0}")]
    TooLarge(String),
    /// An export part past the last one.
    #[error("{0}")]
    NoSuchPart(String),
}

impl From<AttachmentError> for DataError {
    fn from(e: AttachmentError) -> Self {
        DataError::Files(e.to_string())
    }
}

impl From<RawMailError> for DataError {
    fn from(e: RawMailError) -> Self {
        DataError::Files(e.to_string())
    }
}

impl From<ArchiveError> for DataError {
    fn from(e: ArchiveError) -> Self {
        DataError::TooLarge(e.to_string())
    }
}

/// What an erasing call did, and whether the address is done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Erased {
    pub tickets: u32,
    /// Other customers' tickets the address was taken out of (they stay,
    /// without its messages and without it among the people copied).
    pub shared_tickets: u32,
    pub messages: u32,
    /// Attachments and raw mail deleted from S3.
    pub files: u32,
    /// Other items: tokens, Message-ID records, the note, rules.
    pub other: u32,
    /// Nothing of the address is left; otherwise call again.
    pub done: bool,
}

/// How long the link to a stored export works (the file itself is deleted a
/// day after, by the bucket's lifecycle rule).
pub const EXPORT_LINK_MINUTES: i64 = 10;

/// An export stored for an admin: the link to it and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredExport {
    pub url: String,
    pub tickets: usize,
    pub messages: usize,
    pub files: usize,
    pub bytes: usize,
    pub from: ExportFrom,
    /// Where the next part starts, when there is one.
    pub next: Option<usize>,
    /// Files larger than any archive holds, as they would be named in it.
    pub left_out: Vec<String>,
}

/// An export: the archive, and what it holds.
#[derive(Debug)]
pub struct Export {
    pub archive: Vec<u8>,
    pub tickets: usize,
    pub messages: usize,
    pub files: usize,
    pub from: ExportFrom,
    /// Where the next part starts, when there is one.
    pub next: Option<usize>,
    /// Files larger than any archive holds, as they would be named in it.
    pub left_out: Vec<String>,
}

/// Where a part of an address's export starts: how many items (the
/// address's requests, newest first, then the other customers' requests it
/// is on, then the mails of it held back) the parts before it held. A part
/// holds at most [`MAX_EXPORT_TICKETS`] items and [`MAX_EXPORT_BYTES`] of
/// files, so nobody can make an address's data too large to export by
/// copying it on requests or by mailing as it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportFrom(usize);

impl ExportFrom {
    pub const START: ExportFrom = ExportFrom(0);
    /// The last item a part can start at (its lists are read up to 60,001).
    pub const LAST: usize = 59_700;

    pub fn parse(raw: &str) -> Result<ExportFrom, String> {
        match raw.parse::<usize>() {
            Ok(n) if n <= Self::LAST => Ok(ExportFrom(n)),
            _ => Err(format!("must be a whole number from 0 to {}", Self::LAST)),
        }
    }

    pub fn at(n: usize) -> Option<ExportFrom> {
        (n <= Self::LAST).then_some(ExportFrom(n))
    }

    pub fn get(self) -> usize {
        self.0
    }
}

/// One thing an export holds.
enum Item {
    Own(TicketRef),
    Shared(TicketRef),
    Held(String),
}

/// A part's items, and whether any come after them.
struct Items {
    here: Vec<Item>,
    more: bool,
}

/// What an item put in the archive.
#[derive(Default)]
struct Added {
    tickets: usize,
    messages: usize,
    files: usize,
    /// Another customer's request it is on (still there to read).
    copied: bool,
}

impl Added {
    fn add(&mut self, one: Added) {
        self.tickets += one.tickets;
        self.messages += one.messages;
        self.files += one.files;
    }
}

/// The ports the customer's data lives behind.
pub struct CustomerData<'a> {
    pub tickets: &'a dyn TicketRecords,
    pub erasure: &'a dyn Erasure,
    pub notes: &'a dyn CustomerNotes,
    pub do_not_email: &'a dyn DoNotEmail,
    pub tiers: &'a dyn CustomerTiers,
    pub senders: &'a dyn SenderRules,
    pub audit: &'a dyn AuditTrail,
    /// Whose alert logs to clear.
    pub agents: &'a dyn AgentProfiles,
    pub attachments: &'a dyn AttachmentStore,
    pub raw_mail: &'a dyn RawMailStore,
}

/// Where an export of `email`'s data is stored: under a folder of the address's
/// fingerprint, so erasing the address deletes the archives made before.
pub fn export_key(email: &EmailAddress, name: &str) -> String {
    format!("{}{name}.zip", export_folder(email))
}

fn export_folder(email: &EmailAddress) -> String {
    let print = fingerprint(email);
    format!("exports/{}/", print.trim_start_matches("customer:"))
}

/// Where an erased ticket's requester points: an address no mail can reach.
pub fn erased_requester() -> Requester {
    Requester {
        name: DisplayName::from_mail("Erased customer"),
        email: EmailAddress::parse("erased@erased.invalid")
            .unwrap_or_else(|_| unreachable!("a valid address")),
    }
}

/// The ticket without anything that says who wrote or what: closed, nobody's,
/// no clock running.
pub fn shell(ticket: &Ticket, now: DateTime<Utc>) -> Ticket {
    let mut t = ticket.clone();
    t.requester = erased_requester();
    t.subject = Subject::from_mail("(erased)");
    t.details = Default::default();
    t.participants.clear();
    t.cc.clear();
    t.email_verified = false;
    if let Some(rating) = &mut t.rating {
        rating.comment.clear();
    }
    if t.status != Status::Closed {
        t.status = Status::Closed;
        t.assignee = None;
    }
    t.due_at = None;
    t.sla.wake_at = None;
    t.sla.idle = None;
    t.merged_into = None;
    t.erased_at = Some(now);
    t.updated_at = now;
    t
}

/// The thread's files in the attachments bucket, and its raw mail.
fn stored_files(thread: &TicketThread) -> (Vec<String>, Vec<String>) {
    let attachments = thread
        .messages
        .iter()
        .flat_map(|m| m.attachments.iter().map(|a| a.key.clone()))
        .collect();
    let raw = thread
        .messages
        .iter()
        .filter(|m| matches!(m.author, Author::Customer { .. }))
        .filter_map(|m| m.email.as_ref()?.ses_message_id.as_deref())
        .map(raw_mail_key)
        .collect();
    (attachments, raw)
}

impl<'a> CustomerData<'a> {
    /// Every store part from one store.
    pub fn new(
        store: &'a dyn DataStore,
        attachments: &'a dyn AttachmentStore,
        raw_mail: &'a dyn RawMailStore,
    ) -> Self {
        Self {
            tickets: store,
            erasure: store,
            notes: store,
            do_not_email: store,
            tiers: store,
            senders: store,
            audit: store,
            agents: store,
            attachments,
            raw_mail,
        }
    }

    /// Everything we hold about `email` as one ZIP: `README.txt`, `customer.json`
    /// (the agents' note, do-not-email, the customer-list entry, the audit
    /// entries about the address, the other customers' requests it is on), per
    /// ticket `ticket.json`, `messages.json`, its files and its raw mail, and
    /// from other customers' requests only the messages it wrote there or that
    /// are about it, with their files.
    pub async fn export(
        &self,
        email: &EmailAddress,
        from: ExportFrom,
        now: DateTime<Utc>,
    ) -> Result<Export, DataError> {
        let items = self.export_items(email, from).await?;
        let mut zip = ZipWriter::new(now);
        let mut budget = Budget::default();
        let mut added = Added::default();
        let mut copied_on = Vec::new();
        let mut next = items.more.then_some(from.0 + items.here.len());
        for (n, item) in items.here.iter().enumerate() {
            let mark = zip.mark();
            budget.lenient = n == 0;
            match self.export_item(email, item, &mut zip, &mut budget).await {
                Ok(one) => {
                    if let (Item::Shared(reference), true) = (item, one.copied) {
                        copied_on.push(reference.clone());
                    }
                    added.add(one);
                }
                // Past what one archive holds: this item starts the next part,
                // unless it is this part's first (one request alone too large).
                Err(DataError::TooLarge(_)) if n > 0 => {
                    zip.rollback(mark);
                    next = Some(from.0 + n);
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        let customer = CustomerJson {
            address: email.as_str(),
            from: from.0,
            next,
            left_out: &budget.left_out,
            copied_on,
            exported_at: now,
            note: self.notes.customer_note(email).await?.map(|n| n.text),
            do_not_email: self.do_not_email.do_not_email(email).await?,
            customer_list: self
                .tiers
                .tier_rules()
                .await?
                .into_iter()
                .filter(|r| r.pattern == SenderPattern::Address(email.clone()))
                .map(|r| r.tier.as_str())
                .next(),
            audit: self.audit.audit_entries_about(&fingerprint(email)).await?,
        };
        zip.add("customer.json", &json(&customer)?)?;
        let readme = readme(email, now, added.tickets, from.0, next, &budget.left_out);
        zip.add("README.txt", readme.as_bytes())?;
        Ok(Export {
            archive: zip.finish(),
            tickets: added.tickets,
            messages: added.messages,
            files: added.files,
            from,
            next,
            left_out: budget.left_out,
        })
    }

    /// The items from `from` on, at most [`MAX_EXPORT_TICKETS`]: the address's
    /// own requests (newest first), then the other customers' requests it is
    /// on, then the mails of it held back. Each list is read up to one past
    /// them: whether there is more.
    async fn export_items(
        &self,
        email: &EmailAddress,
        from: ExportFrom,
    ) -> Result<Items, DataError> {
        let end = from.0 + usize::from(MAX_EXPORT_TICKETS);
        let wanted = |before: usize| u16::try_from((end + 1).saturating_sub(before));
        let wanted = |before: usize| wanted(before).unwrap_or(u16::MAX);
        let mut all: Vec<Item> = (self.tickets.tickets_of_requester(email, wanted(0)).await?)
            .into_iter()
            .map(|t| Item::Own(t.reference))
            .collect();
        if wanted(all.len()) > 0 {
            let shared = self
                .erasure
                .tickets_linked_to(email, wanted(all.len()))
                .await?;
            all.extend(shared.into_iter().map(Item::Shared));
        }
        if wanted(all.len()) > 0 {
            let held = self
                .erasure
                .held_mail_from(email, wanted(all.len()))
                .await?;
            all.extend(held.into_iter().map(Item::Held));
        }
        if from.0 > 0 && all.len() <= from.0 {
            return Err(DataError::NoSuchPart(format!(
                "this address has {} requests and held mails in all",
                all.len()
            )));
        }
        let more = all.len() > end;
        all.truncate(end);
        Ok(Items {
            here: all.split_off(from.0.min(all.len())),
            more,
        })
    }

    /// One item of an export added to `zip`.
    async fn export_item(
        &self,
        email: &EmailAddress,
        item: &Item,
        zip: &mut ZipWriter,
        budget: &mut Budget,
    ) -> Result<Added, DataError> {
        let mut added = Added::default();
        match item {
            Item::Own(reference) => {
                let thread = self.tickets.load_ticket(reference).await?;
                let dir = format!("tickets/{reference}");
                zip.add(&format!("{dir}/ticket.json"), &json(&thread.ticket)?)?;
                zip.add(&format!("{dir}/messages.json"), &json(&thread.messages)?)?;
                added.tickets = 1;
                added.messages = thread.messages.len();
                added.files = self.export_files(&thread, &dir, zip, budget).await?;
            }
            // Another customer's request: only what the address wrote there or
            // what is about it, and its files; the rest is theirs.
            Item::Shared(reference) => {
                let thread = match self.tickets.load_ticket(reference).await {
                    Ok(thread) => thread,
                    Err(StoreError::NotFound) => return Ok(added),
                    Err(e) => return Err(e.into()),
                };
                if thread.ticket.erased_at.is_some()
                    || people::same(&thread.ticket.requester.email, email)
                {
                    return Ok(added);
                }
                added.copied = true;
                let removal = links::removal(&thread, email);
                if removal.deleted.is_empty() {
                    return Ok(added);
                }
                let dir = format!("copied/{reference}");
                zip.add(&format!("{dir}/messages.json"), &json(&removal.deleted)?)?;
                added.messages = removal.deleted.len();
                let theirs = TicketThread {
                    ticket: thread.ticket,
                    messages: removal.deleted,
                };
                added.files = self.export_files(&theirs, &dir, zip, budget).await?;
            }
            // Mail it sent that was held (never a ticket, or not yet).
            Item::Held(ses_id) => {
                match self
                    .raw_mail
                    .get(&raw_mail_key(ses_id), budget.left())
                    .await
                {
                    Ok(raw) => {
                        budget.take(raw.len())?;
                        zip.add(&format!("held/{}.eml", safe_name(ses_id)), &raw)?;
                        added.files = 1;
                    }
                    Err(RawMailError::NotFound) => {}
                    Err(RawMailError::TooLarge(_)) => {
                        budget.too_large(format!("held/{}.eml", safe_name(ses_id)))?
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(added)
    }

    /// The files of `thread`'s messages and its raw mail, added under `dir`;
    /// how many.
    async fn export_files(
        &self,
        thread: &TicketThread,
        dir: &str,
        zip: &mut ZipWriter,
        budget: &mut Budget,
    ) -> Result<usize, DataError> {
        let mut files = 0;
        for a in thread.messages.iter().flat_map(|m| &m.attachments) {
            match self.attachments.get(&a.key, budget.left()).await {
                Ok(Some(file)) => {
                    budget.take(file.len())?;
                    let name = safe_name(&a.filename);
                    zip.add(&format!("{dir}/files/{name}"), &file)?;
                    files += 1;
                }
                Ok(None) => {}
                Err(AttachmentError::TooLarge(_)) => {
                    let name = safe_name(&a.filename);
                    budget.too_large(format!("{dir}/files/{name} ({} bytes)", a.size))?
                }
                Err(e) => return Err(e.into()),
            }
        }
        for key in stored_files(thread).1 {
            let name = key.rsplit('/').next().unwrap_or("mail").to_owned();
            match self.raw_mail.get(&key, budget.left()).await {
                Ok(raw) => {
                    budget.take(raw.len())?;
                    zip.add(&format!("{dir}/mail/{name}.eml"), &raw)?;
                    files += 1;
                }
                // Expired (the bucket keeps raw mail a year) or already erased.
                Err(RawMailError::NotFound) => {}
                Err(RawMailError::TooLarge(_)) => {
                    budget.too_large(format!("{dir}/mail/{name}.eml"))?
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(files)
    }

    /// [`Self::export`], stored under the address's export folder (`name` is
    /// the file's own random name), linked for [`EXPORT_LINK_MINUTES`], and
    /// written in the audit log.
    pub async fn export_stored(
        &self,
        email: &EmailAddress,
        from: ExportFrom,
        name: &str,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<StoredExport, DataError> {
        let export = self.export(email, from, now).await?;
        let key = export_key(email, name);
        let bytes = export.archive.len();
        self.attachments
            .put(&key, "application/zip", export.archive)
            .await?;
        let url = self
            .attachments
            .presign_download(
                &key,
                "customer-data.zip",
                chrono::Duration::minutes(EXPORT_LINK_MINUTES),
            )
            .await?;
        self.audit
            .record_audit(&AuditEntry::new(
                now,
                actor,
                AuditAction::CustomerExported,
                fingerprint(email),
                format!(
                    "{}{} tickets, {} messages, {} files",
                    match (export.from.get(), export.next) {
                        (0, None) => String::new(),
                        (from, _) => format!("part from item {}: ", from + 1),
                    },
                    export.tickets,
                    export.messages,
                    export.files
                ),
            ))
            .await?;
        Ok(StoredExport {
            url,
            tickets: export.tickets,
            messages: export.messages,
            files: export.files,
            bytes,
            from: export.from,
            next: export.next,
            left_out: export.left_out,
        })
    }

    /// Erases up to [`ERASE_BATCH`] of the address's tickets; once none is
    /// left, what else we keep under the address. Each call leaves an entry in
    /// the audit log with what it did.
    pub async fn erase(
        &self,
        email: &EmailAddress,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<Erased, DataError> {
        let batch = self
            .tickets
            .tickets_of_requester(email, ERASE_BATCH)
            .await?;
        let mut erased = Erased::default();
        // A ticket that kept changing is left for the next call; the rest of
        // the batch goes on, and this call's entry is still written.
        let mut busy = false;
        let mut settle = |one: Result<Erased, DataError>| match one {
            Ok(one) => {
                erased.add(one);
                Ok(())
            }
            Err(DataError::Store(StoreError::Conflict)) => {
                busy = true;
                Ok(())
            }
            Err(e) => Err(e),
        };
        for summary in &batch {
            settle(self.erase_ticket(&summary.reference, now).await)?;
        }
        let mut shared = Vec::new();
        if batch.len() < usize::from(ERASE_BATCH) {
            // Its own tickets are done: then other customers' tickets it is on.
            shared = self.erasure.tickets_linked_to(email, ERASE_BATCH).await?;
            for reference in &shared {
                settle(self.erase_from(email, reference, now).await)?;
            }
        }
        let rest = !busy
            && batch.len() < usize::from(ERASE_BATCH)
            && shared.len() < usize::from(ERASE_BATCH);
        if rest {
            // Then the mail it sent that was held, and the record of it.
            let held = self.erasure.held_mail_from(email, HELD_BATCH).await?;
            for ses_id in &held {
                self.raw_mail.delete(&raw_mail_key(ses_id)).await?;
                erased.files += 1;
                erased.other += self.erasure.forget_held(email, ses_id).await?;
            }
            if held.len() < usize::from(HELD_BATCH) {
                erased.other += self.forget_address(email).await?;
                erased.done = true;
            }
        }
        let detail = format!(
            "{} tickets, {} other customers' tickets, {} messages, {} files, {} other items{}",
            erased.tickets,
            erased.shared_tickets,
            erased.messages,
            erased.files,
            erased.other,
            if erased.done { "" } else { "; more to erase" }
        );
        self.audit
            .record_audit(&AuditEntry::new(
                now,
                actor,
                AuditAction::CustomerErased,
                fingerprint(email),
                detail,
            ))
            .await?;
        Ok(erased)
    }

    /// What the address has outside its tickets: the agents' note, the
    /// do-not-email entry, the lines about it in agents' alert logs, the archives
    /// exported before, and a customer-list or sender rule on the address itself.
    async fn forget_address(&self, email: &EmailAddress) -> Result<u32, DataError> {
        let mut other = 0;
        if self.notes.customer_note(email).await?.is_some() {
            self.notes.set_customer_note(email, None).await?;
            other += 1;
        }
        other += u32::from(self.erasure.forget_do_not_email(email).await?);
        let agents: Vec<_> = self
            .agents
            .agents()
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect();
        other += self.erasure.forget_alerts_about(email, &agents).await?;
        other += self.attachments.delete_under(&export_folder(email)).await?;
        let pattern = SenderPattern::Address(email.clone());
        other += u32::from(self.tiers.delete_tier_rule(&pattern).await?);
        other += u32::from(self.senders.delete_sender_rule(&pattern).await?);
        Ok(other)
    }

    /// Takes `email` out of a ticket whose requester is someone else: the
    /// messages it wrote or that are about it go (with their files and raw
    /// mail), so does the rest's raw mail whose headers name it, it leaves the
    /// Cc of the replies and the ticket's participants and Cc, and mail
    /// forwarded to it goes. Its link goes last, once a fresh read finds
    /// nothing of it left (a write meanwhile links it again). The ticket stays.
    /// Safe to repeat.
    pub async fn erase_from(
        &self,
        email: &EmailAddress,
        reference: &TicketRef,
        now: DateTime<Utc>,
    ) -> Result<Erased, DataError> {
        let mut done = Erased::default();
        // One more than elsewhere: the last read only confirms.
        for _ in 0..=ATTEMPTS {
            let thread = match self.tickets.load_ticket(reference).await {
                Ok(thread) => thread,
                Err(StoreError::NotFound) => return self.unlinked(email, reference, done).await,
                Err(e) => return Err(e.into()),
            };
            // Erased with its requester: only the link is left.
            if thread.ticket.erased_at.is_some() {
                return self.unlinked(email, reference, done).await;
            }
            if people::same(&thread.ticket.requester.email, email) {
                done.add(self.erase_ticket(reference, now).await?);
                return self.unlinked(email, reference, done).await;
            }
            let removal = links::removal(&thread, email);
            if removal.is_empty() {
                // Mail forwarded to it may outlast a call that failed midway.
                done.other += self.erasure.delete_mail_to(reference, email).await?;
                // Its words may live on in the word index's files as an older
                // version of the ticket: a write saying they were taken out
                // has the indexer rewrite them. Last, so that nothing of it is
                // left when the indexer reads the ticket; before the link goes,
                // so that a call that dies here writes it next time. Written
                // every time: a marker already there may be another erasure's,
                // and a call that died may have taken words out since.
                let mut after = thread.ticket.clone();
                after.words_removed_in = Some(thread.ticket.version + 1);
                let update = TicketUpdate::new(&thread.ticket, after, vec![]);
                match self.tickets.update_ticket(update).await {
                    Ok(_) => {}
                    Err(StoreError::Conflict) => continue,
                    Err(e) => return Err(e.into()),
                }
                let result = self.unlinked(email, reference, done.clone()).await?;
                let again = match self.tickets.load_ticket(reference).await {
                    Ok(again) => again,
                    Err(StoreError::NotFound) => return Ok(result),
                    Err(e) => return Err(e.into()),
                };
                if again.ticket.erased_at.is_some() || links::removal(&again, email).is_empty() {
                    return Ok(result);
                }
                // A write brought it back meanwhile: linked again, and once more.
                self.erasure
                    .link_addresses(reference, std::slice::from_ref(email))
                    .await?;
                continue;
            }
            done.shared_tickets = 1;
            let gone = TicketThread {
                ticket: thread.ticket.clone(),
                messages: removal.deleted.clone(),
            };
            let (attachments, mut raw) = stored_files(&gone);
            // The rest's mail as received names it too when it was copied in
            // (a To or Cc header, with its name): that goes, the messages stay.
            let kept = TicketThread {
                ticket: thread.ticket.clone(),
                messages: (thread.messages.iter())
                    .filter(|m| !removal.deleted.iter().any(|d| d.id == m.id))
                    .cloned()
                    .collect(),
            };
            raw.extend(self.raw_mail_naming(&kept, email).await?);
            raw.sort();
            raw.dedup();
            for key in &attachments {
                self.attachments.delete(key).await?;
            }
            for key in &raw {
                self.raw_mail.delete(key).await?;
            }
            // What is found through the messages before the messages.
            self.erasure.rewrite_messages(&removal.rewritten).await?;
            let mail = self.erasure.delete_mail_to(reference, email).await?;
            let deleted = self
                .erasure
                .delete_messages(reference, &removal.deleted)
                .await?;
            let messages = removal.deleted.len() as u32;
            done.messages += messages;
            done.files += (attachments.len() + raw.len()) as u32;
            done.other += deleted.saturating_sub(messages) + removal.rewritten.len() as u32 + mail;
            if let Some(after) = removal.ticket {
                let update = TicketUpdate::new(&thread.ticket, after, vec![]);
                match self.tickets.update_ticket(update).await {
                    // Changed meanwhile: read again, as after any step.
                    Ok(_) | Err(StoreError::Conflict) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        // Kept changing: the link stays, and the next call comes back here.
        Err(StoreError::Conflict.into())
    }

    /// Nothing of the address is left on the ticket but its link: it goes.
    async fn unlinked(
        &self,
        email: &EmailAddress,
        reference: &TicketRef,
        mut done: Erased,
    ) -> Result<Erased, DataError> {
        done.other += u32::from(self.erasure.unlink_address(email, reference).await?);
        Ok(done)
    }

    /// The keys of `thread`'s raw mail whose headers name `email`.
    async fn raw_mail_naming(
        &self,
        thread: &TicketThread,
        email: &EmailAddress,
    ) -> Result<Vec<String>, DataError> {
        // The parser's own reading first: a received mail whose To or Cc held it.
        let mut naming: Vec<String> = (thread.messages.iter())
            .filter(|m| matches!(m.author, Author::Customer { .. }))
            .filter_map(|m| m.email.as_ref())
            .filter(|e| e.named.iter().any(|a| people::same(a, email)))
            .filter_map(|e| e.ses_message_id.as_deref())
            .map(raw_mail_key)
            .collect();
        for key in stored_files(thread).1 {
            if naming.contains(&key) {
                continue;
            }
            match self.raw_mail.head(&key, links::HEADER_BYTES).await {
                Ok(start) if links::headers_name(&start, email) => naming.push(key),
                Ok(_) => {}
                // Expired, or erased before.
                Err(RawMailError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(naming)
    }

    /// Erases one ticket (a no-op for one erased already).
    pub async fn erase_ticket(
        &self,
        reference: &TicketRef,
        now: DateTime<Utc>,
    ) -> Result<Erased, DataError> {
        self.erase_ticket_if(reference, now, &|_| true).await
    }

    /// Erases a ticket retention found, if it is still closed and last changed
    /// before `cutoff` when read (a reply may have reopened it meanwhile).
    pub async fn purge(
        &self,
        reference: &TicketRef,
        cutoff: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Erased, DataError> {
        let still = |t: &Ticket| t.status == Status::Closed && t.updated_at < cutoff;
        self.erase_ticket_if(reference, now, &still).await
    }

    /// Erases one ticket if `still` holds for it as read, on every attempt (a
    /// purge must not erase a request reopened a moment ago).
    async fn erase_ticket_if(
        &self,
        reference: &TicketRef,
        now: DateTime<Utc>,
        still: &(dyn Fn(&Ticket) -> bool + Sync),
    ) -> Result<Erased, DataError> {
        for _ in 0..ATTEMPTS {
            let thread = self.tickets.load_ticket(reference).await?;
            if thread.ticket.erased_at.is_none() && !still(&thread.ticket) {
                return Ok(Erased::default());
            }
            if thread.ticket.erased_at.is_some() {
                // Erased before: only what came since (a mail queued in the
                // very moment, settled after) is left to delete.
                let other = self.erasure.delete_thread(&thread).await?;
                return Ok(Erased {
                    other,
                    ..Erased::default()
                });
            }
            let (attachments, raw) = stored_files(&thread);
            for key in &attachments {
                self.attachments.delete(key).await?;
            }
            for key in &raw {
                self.raw_mail.delete(key).await?;
            }
            let other = self.erasure.delete_thread(&thread).await?;
            let update = TicketUpdate::new(&thread.ticket, shell(&thread.ticket, now), vec![]);
            match self.tickets.update_ticket(update).await {
                Ok(_) => {
                    // The shell holds no one now: its links to others go too.
                    for address in links::of_thread(&thread) {
                        self.erasure.unlink_address(&address, reference).await?;
                    }
                    let messages = thread.messages.len() as u32;
                    return Ok(Erased {
                        tickets: 1,
                        messages,
                        files: (attachments.len() + raw.len()) as u32,
                        other: other.saturating_sub(messages),
                        done: true,
                        ..Erased::default()
                    });
                }
                // Changed meanwhile (a reply came in): read it again, erase what came.
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// Purges closed tickets older than their category's retention, at most
    /// [`RETENTION_BATCH`] a run over all categories; one audit entry per
    /// category that had any. Returns how many were purged.
    pub async fn purge_expired(
        &self,
        categories: &[Category],
        now: DateTime<Utc>,
    ) -> Result<u32, DataError> {
        let mut left = RETENTION_BATCH;
        let mut purged = 0;
        for category in categories {
            let Some(months) = category.retention_months else {
                continue;
            };
            if left == 0 {
                break;
            }
            let Some(cutoff) = now.checked_sub_months(Months::new(u32::from(months))) else {
                continue;
            };
            let due = self
                .erasure
                .closed_before(&category.id, cutoff, left)
                .await?;
            let mut here = 0;
            for reference in &due {
                // One ticket that fails is left for the next run, not the rest.
                match self.purge(reference, cutoff, now).await {
                    Ok(done) => here += done.tickets,
                    Err(e) => {
                        tracing::warn!(ticket = %reference, error = %e, "retention could not erase a ticket");
                    }
                }
            }
            left = left.saturating_sub(due.len() as u16);
            if here > 0 {
                purged += here;
                self.audit
                    .record_audit(&AuditEntry::new(
                        now,
                        Actor::Schedule,
                        AuditAction::RetentionPurged,
                        category.id.as_str(),
                        format!("{here} closed tickets older than {months} months"),
                    ))
                    .await?;
            }
        }
        Ok(purged)
    }
}

impl Erased {
    fn add(&mut self, one: Erased) {
        self.tickets += one.tickets;
        self.shared_tickets += one.shared_tickets;
        self.messages += one.messages;
        self.files += one.files;
        self.other += one.other;
    }
}

/// The bytes of files an export has taken so far.
/// The bytes of files a part may still take.
#[derive(Default)]
struct Budget {
    used: u64,
    /// For the part's first item: a file past what any archive holds is
    /// left out (and named) instead of ending the part, so every part holds
    /// at least one item and no file can stop an export.
    lenient: bool,
    left_out: Vec<String>,
}

impl Budget {
    fn left(&self) -> u64 {
        MAX_EXPORT_BYTES.saturating_sub(self.used).max(1)
    }

    fn take(&mut self, len: usize) -> Result<(), DataError> {
        self.used = self.used.saturating_add(len as u64);
        if self.used > MAX_EXPORT_BYTES {
            Err(self.full())
        } else {
            Ok(())
        }
    }

    /// A file at `path` in the archive does not fit.
    fn too_large(&mut self, path: String) -> Result<(), DataError> {
        if self.lenient {
            self.left_out.push(path);
            return Ok(());
        }
        Err(self.full())
    }

    fn full(&self) -> DataError {
        DataError::TooLarge(format!(
            "the files of this address come to more than {} MB",
            MAX_EXPORT_BYTES / 1024 / 1024
        ))
    }
}

#[derive(Serialize)]
struct CustomerJson<'a> {
    address: &'a str,
    /// Where this part of the export starts (0: the first), and where the
    /// next does, when there is one.
    from: usize,
    next: Option<usize>,
    /// Files larger than any archive holds: ask the desk for them.
    left_out: &'a [String],
    /// Other customers' requests the address was copied on or wrote into.
    copied_on: Vec<TicketRef>,
    exported_at: DateTime<Utc>,
    note: Option<String>,
    do_not_email: Option<String>,
    customer_list: Option<&'static str>,
    audit: Vec<AuditEntry>,
}

fn json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, DataError> {
    serde_json::to_vec_pretty(value)
        .map_err(|e| DataError::Store(StoreError::Corrupt(format!("export: {e}"))))
}

fn readme(
    email: &EmailAddress,
    now: DateTime<Utc>,
    tickets: usize,
    from: usize,
    next: Option<usize>,
    left_out: &[String],
) -> String {
    let parts = match (from, next) {
        (0, None) => String::new(),
        (from, Some(next)) => format!(
            "This is one part of it, items {} to {}; the next part starts at item {}.\n\n",
            from + 1,
            next,
            next + 1
        ),
        (from, None) => format!(
            "This is the last part of it, from item {} on.\n\n",
            from + 1
        ),
    };
    let parts = match left_out.len() {
        0 => parts,
        n => format!(
            "{parts}{n} files were larger than an archive holds and are not in it \
             (customer.json lists them under left_out); ask us for them.\n\n"
        ),
    };
    format!(
        "Everything this help desk holds about {}, as of {} (UTC).\n\n{parts}\
         customer.json        our note about you, whether we may mail you, your service level,\n\
         \x20                    and the log of who exported or erased this data\n\
         tickets/<ref>/       each of your {} requests here:\n\
         \x20 ticket.json       the request: category, status, times, details, your rating\n\
         \x20 messages.json     every message in it, yours and ours, and our internal notes\n\
         \x20 files/            the files attached to them\n\
         \x20 mail/             your mail as we received it\n\
         copied/<ref>/        other people's requests you were copied on or wrote into:\n\
         \x20 messages.json     only your messages there, and what we wrote about you\n\
         \x20 files/, mail/     their files, and your mail as we received it\n\
         held/                mail of yours we held back (spam, blocked, unverified) as received\n",
        email.as_str(),
        now.format("%Y-%m-%d %H:%M"),
        tickets
    )
}
