//! Finding a ticket from what an agent has at hand: its reference (any case,
//! with or without the dash; a typo is caught by the check character and
//! answered with "did you mean"), the customer's address, or a mail's
//! Message-ID. Only tickets of categories the caller covers are ever named.
//! Word search over the tickets' text is not built yet: a query of words is
//! answered as such, never with a guess.
//!
//! The customer's page: everything we have with one address, as far as the
//! caller covers it, and the agents' private note about that customer.

use crate::agents::actions::Caller;
use crate::catalog::category::FieldError;
use crate::ports::store::{CustomerNote, StoreError, TicketSummary};
use crate::ports::{CustomerNotes, MessageIds, TicketRecords};
use crate::tickets::ticket::Tier;
use crate::values::email::EmailAddress;
use crate::values::ids::{TicketRef, TicketRefError};
use chrono::{DateTime, Utc};

/// The longest query taken (a reference, an address or a Message-ID fit easily).
pub const MAX_QUERY_CHARS: usize = 200;
/// Tickets of one address listed, newest first.
pub const CUSTOMER_TICKETS: u16 = 100;
/// The longest private note about a customer.
pub const MAX_NOTE_CHARS: usize = 2_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("invalid input")]
    Invalid(FieldError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a query found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Found {
    /// What the query was read as.
    pub read_as: ReadAs,
    /// The tickets it names that the caller covers, newest first.
    pub tickets: Vec<TicketSummary>,
    /// The address whose page lists these tickets, when the query was one.
    pub customer: Option<EmailAddress>,
    /// A mistyped reference: the tickets one typo away that exist and the
    /// caller covers.
    pub did_you_mean: Vec<TicketSummary>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadAs {
    #[default]
    Reference,
    MistypedReference,
    Address,
    MessageId,
    /// Words: not searched (word search is not built yet).
    Words,
}

fn invalid(reason: &str) -> SearchError {
    SearchError::Invalid(FieldError::new("q", reason))
}

/// Reads the query and finds what it names.
pub async fn search<S>(store: &S, caller: &Caller, raw: &str) -> Result<Found, SearchError>
where
    S: TicketRecords + MessageIds + ?Sized,
{
    let q = raw.trim();
    if q.is_empty() {
        return Err(invalid(
            "is empty: type a reference, an address or a Message-ID",
        ));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(invalid("is longer than 200 characters"));
    }
    if q.chars().any(char::is_control) {
        return Err(invalid("contains control characters"));
    }
    let mut found = Found::default();
    let covered = |t: &TicketSummary| caller.covers(&t.category);
    if let Some(inner) = q.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
        found.read_as = ReadAs::MessageId;
        found.tickets = by_message_id(store, inner).await?;
    } else if q.contains('@') && !q.contains(char::is_whitespace) {
        // An address, or a Message-ID written without its brackets: both looked up.
        found.read_as = ReadAs::MessageId;
        let mut tickets = by_message_id(store, q).await?;
        if let Ok(email) = EmailAddress::parse(q) {
            let theirs = store.tickets_of_requester(&email, CUSTOMER_TICKETS).await?;
            if theirs.iter().any(covered) {
                found.read_as = ReadAs::Address;
                found.customer = Some(email);
            }
            tickets.extend(theirs);
        }
        found.tickets = tickets;
    } else {
        match TicketRef::parse(q) {
            Ok(reference) => found.tickets = by_reference(store, &reference).await?,
            Err(TicketRefError::Checksum) => {
                found.read_as = ReadAs::MistypedReference;
                for near in TicketRef::near(q) {
                    found.did_you_mean.extend(by_reference(store, &near).await?);
                }
                found.did_you_mean.retain(covered);
            }
            Err(_) => found.read_as = ReadAs::Words,
        }
    }
    found.tickets.retain(covered);
    found.tickets.sort_by(|a, b| {
        b.updated_at
            .cmp(&a.updated_at)
            .then_with(|| a.reference.cmp(&b.reference))
    });
    found.tickets.dedup_by(|a, b| a.reference == b.reference);
    Ok(found)
}

async fn by_reference<S>(store: &S, reference: &TicketRef) -> Result<Vec<TicketSummary>, StoreError>
where
    S: TicketRecords + ?Sized,
{
    match store.load_ticket(reference).await {
        Ok(thread) => Ok(vec![TicketSummary::from(&thread.ticket)]),
        Err(StoreError::NotFound) => Ok(vec![]),
        Err(e) => Err(e),
    }
}

async fn by_message_id<S>(store: &S, id: &str) -> Result<Vec<TicketSummary>, StoreError>
where
    S: TicketRecords + MessageIds + ?Sized,
{
    match store.ticket_for_message_id(id).await? {
        Some(reference) => by_reference(store, &reference).await,
        None => Ok(vec![]),
    }
}

/// Everything we have with one address that the caller covers.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerPage {
    pub email: EmailAddress,
    /// The name on their newest ticket.
    pub tickets: Vec<TicketSummary>,
    pub first_contact: DateTime<Utc>,
    pub last_contact: DateTime<Utc>,
    /// The highest tier any of their tickets has.
    pub tier: Tier,
    /// Whether they have shown the address is theirs on any ticket.
    pub verified: bool,
    pub note: Option<CustomerNote>,
}

/// The customer's page; `None` when the caller covers none of their tickets (a
/// 404, as for any ticket outside the caller's categories).
pub async fn customer_page<S>(
    store: &S,
    caller: &Caller,
    email: &EmailAddress,
) -> Result<Option<CustomerPage>, StoreError>
where
    S: TicketRecords + CustomerNotes + ?Sized,
{
    let mut tickets = store.tickets_of_requester(email, CUSTOMER_TICKETS).await?;
    tickets.retain(|t| caller.covers(&t.category));
    let (Some(first), Some(last)) = (
        tickets.iter().map(|t| t.created_at).min(),
        tickets.iter().map(|t| t.updated_at).max(),
    ) else {
        return Ok(None);
    };
    let tier = tickets
        .iter()
        .map(|t| t.tier)
        .max_by_key(|t| matches!(t, Tier::Premium))
        .unwrap_or(Tier::Standard);
    Ok(Some(CustomerPage {
        email: email.clone(),
        verified: tickets.iter().any(|t| t.email_verified),
        first_contact: first,
        last_contact: last,
        tier,
        note: store.customer_note(email).await?,
        tickets,
    }))
}

/// Sets (or, empty, removes) the agents' note about a customer the caller covers;
/// `Ok(None)` when they cover none of the customer's tickets.
pub async fn set_customer_note<S>(
    store: &S,
    caller: &Caller,
    email: &EmailAddress,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Option<Option<CustomerNote>>, SearchError>
where
    S: TicketRecords + CustomerNotes + ?Sized,
{
    let text = text.trim().replace("\r\n", "\n");
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(SearchError::Invalid(FieldError::new(
            "text",
            "is longer than 2,000 characters",
        )));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(SearchError::Invalid(FieldError::new(
            "text",
            "contains control characters",
        )));
    }
    let theirs = store.tickets_of_requester(email, CUSTOMER_TICKETS).await?;
    if !theirs.iter().any(|t| caller.covers(&t.category)) {
        return Ok(None);
    }
    let note = (!text.is_empty()).then(|| CustomerNote {
        text,
        by: caller.agent.id.clone(),
        at: now,
    });
    store.set_customer_note(email, note.as_ref()).await?;
    Ok(Some(note))
}
