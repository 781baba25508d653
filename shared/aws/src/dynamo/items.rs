//! The item shapes. Domain values are nested under one attribute each, so key
//! attributes never mix with domain fields; serde_dynamo maps them, and reading an
//! item back goes through the domain's parsers.

use super::keys;
use aws_sdk_dynamodb::types::AttributeValue;
use helpdesk_domain::agents::profile::Agent;
use helpdesk_domain::catalog::faq::FaqEntry;
use helpdesk_domain::mail::outbound::job::{OutboundJob, OutboxState};
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::{Category, Message, Ticket, TicketRef};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

#[derive(Serialize, Deserialize)]
pub struct TicketItem {
    pub pk: String,
    pub sk: String,
    /// The queue and requester entries: `None` for an erased ticket's shell,
    /// which no listing shows.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gsi1pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gsi1sk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gsi2pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gsi2sk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gsi3pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gsi3sk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gsi4pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gsi4sk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gsi5pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gsi5sk: Option<String>,
    /// Top level so conditions can read it.
    pub version: u64,
    pub ticket: Ticket,
}

impl TicketItem {
    pub fn of(ticket: &Ticket) -> Self {
        let due = ticket.due_at.map(|d| keys::due_sk(d, &ticket.reference));
        let owner = keys::owner_pk(ticket);
        let wake = ticket
            .sla
            .wake_at
            .map(|w| keys::due_sk(w, &ticket.reference));
        let listed = ticket.erased_at.is_none();
        Self {
            pk: keys::ticket_pk(&ticket.reference),
            sk: keys::TICKET_SK.into(),
            gsi1pk: listed.then(|| keys::queue_pk(&ticket.category, ticket.status)),
            gsi1sk: listed.then(|| keys::created_sk(ticket)),
            gsi2pk: due.as_ref().map(|_| keys::DUE_PARTITION.to_owned()),
            gsi2sk: due,
            gsi3pk: listed.then(|| keys::requester_pk(ticket)),
            gsi3sk: listed.then(|| keys::created_sk(ticket)),
            gsi4pk: owner.clone(),
            gsi4sk: owner.map(|_| keys::created_sk(ticket)),
            gsi5pk: wake.as_ref().map(|_| keys::WAKE_PARTITION.to_owned()),
            gsi5sk: wake,
            version: ticket.version,
            ticket: ticket.clone(),
        }
    }
}

#[derive(Serialize, Deserialize)]
pub struct MessageItem {
    pub pk: String,
    pub sk: String,
    pub message: Message,
}

impl MessageItem {
    pub fn of(message: &Message) -> Self {
        Self {
            pk: keys::ticket_pk(&message.ticket),
            sk: keys::message_sk(message),
            message: message.clone(),
        }
    }
}

#[derive(Serialize, Deserialize)]
pub struct MessageIdItem {
    pub pk: String,
    pub sk: String,
    pub ticket: String,
}

/// A held mail's sender's link to it (`keys::held_link_sk`).
#[derive(Serialize, Deserialize)]
pub struct HeldLinkItem {
    pub pk: String,
    pub sk: String,
    pub ses_id: String,
    /// Epoch seconds: gone with the mail as received (the table's TTL).
    pub expires_at: i64,
}

/// An address's link to a ticket it is on (`keys::link_pk`).
#[derive(Serialize, Deserialize)]
pub struct LinkItem {
    pub pk: String,
    pub sk: String,
    pub ticket: String,
}

impl LinkItem {
    /// The item linking `email` to the ticket.
    pub fn of(
        email: &helpdesk_domain::EmailAddress,
        reference: &TicketRef,
    ) -> Result<Item, StoreError> {
        to_item(&LinkItem {
            pk: keys::link_pk(email),
            sk: keys::link_sk(reference),
            ticket: reference.as_str().to_owned(),
        })
    }
}

#[derive(Serialize, Deserialize)]
pub struct IdempotencyItem {
    pub pk: String,
    pub fingerprint: String,
    pub ticket: String,
    /// Epoch seconds: the ops table's TTL attribute.
    pub expires_at: i64,
}

/// A tracking link secret's hash, in the ticket's partition.
#[derive(Serialize, Deserialize)]
pub struct TokenItem {
    pub pk: String,
    pub sk: String,
    /// Epoch seconds; also the table's TTL attribute, so old secrets disappear.
    pub expires_at: i64,
    /// Minted for a mail to the requester (see `TrackingToken::mailed`). Secrets
    /// stored before this was recorded read as mailed, as they were treated then.
    #[serde(default = "stored_before_mailed")]
    pub mailed: bool,
}

fn stored_before_mailed() -> bool {
    true
}

/// A ticket's pointer to an outbox item of mail about it (`keys::outbox_ref_sk`).
#[derive(Serialize, Deserialize)]
pub struct OutboxRefItem {
    pub pk: String,
    pub sk: String,
    pub outbox: String,
}

#[derive(Serialize, Deserialize)]
pub struct OutboxItem {
    pub pk: String,
    pub sk: String,
    pub state: OutboxState,
    pub job: OutboundJob,
    /// Epoch seconds until which a `sending` claim holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<i64>,
    #[serde(default)]
    pub attempts: u32,
    /// Why it failed or was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The id SES gave the sent mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// In the unsent index until it is sent, failed or skipped (a claim moves it to
    /// its lease's end, so a sender that died is swept too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi6pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi6sk: Option<String>,
}

impl OutboxItem {
    pub fn queued(job: &OutboundJob, at: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            pk: keys::outbox_pk(&job.outbox_id),
            sk: keys::OUTBOX_SK.into(),
            state: OutboxState::Queued,
            job: job.clone(),
            lease_until: None,
            attempts: 0,
            reason: None,
            provider_id: None,
            gsi6pk: Some(keys::UNSENT_PARTITION.into()),
            gsi6sk: Some(keys::unsent_sk(at, &job.outbox_id)),
        }
    }
}

/// A day's count of one FAQ query in one category.
#[derive(Serialize, Deserialize)]
pub struct FaqLogItem {
    pub query: String,
    #[serde(default)]
    pub category: Option<helpdesk_domain::CategoryId>,
    #[serde(default)]
    pub searches: u32,
    #[serde(default)]
    pub zero_results: u32,
}

#[derive(Serialize, Deserialize)]
pub struct PolicyItem {
    pub pk: String,
    pub sk: String,
    pub policy: helpdesk_domain::sla::policy::SlaPolicy,
}

#[derive(Serialize, Deserialize)]
pub struct CategoryItem {
    pub pk: String,
    pub sk: String,
    pub category: Category,
}

#[derive(Serialize, Deserialize)]
pub struct AgentItem {
    pub pk: String,
    pub sk: String,
    pub agent: Agent,
}

#[derive(Serialize, Deserialize)]
pub struct CannedItem {
    pub pk: String,
    pub sk: String,
    pub canned: helpdesk_domain::agents::canned::CannedReply,
}

#[derive(Serialize, Deserialize)]
pub struct FaqItem {
    pub pk: String,
    pub sk: String,
    pub entry: FaqEntry,
}

pub fn to_item<T: Serialize>(value: &T) -> Result<Item, StoreError> {
    serde_dynamo::to_item(value).map_err(|e| StoreError::Corrupt(format!("cannot write item: {e}")))
}

pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A numeric attribute, 0 when absent.
pub fn number(item: &Item, name: &str) -> Result<i64, StoreError> {
    match item.get(name) {
        None => Ok(0),
        Some(AttributeValue::N(v)) => v
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("{name} is not a number"))),
        Some(_) => Err(StoreError::Corrupt(format!("{name} is not a number"))),
    }
}

/// The number attributes of several shards of one counter item, summed by name
/// (keys and other attributes left out).
pub fn summed_numbers(
    shards: &[Item],
) -> Result<std::collections::BTreeMap<String, i64>, StoreError> {
    let mut sums = std::collections::BTreeMap::new();
    for item in shards {
        for (name, value) in item {
            if matches!(value, AttributeValue::N(_)) {
                *sums.entry(name.clone()).or_insert(0) += number(item, name)?;
            }
        }
    }
    Ok(sums)
}

pub fn string<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Ok(v),
        _ => Err(StoreError::Corrupt(format!("{name} is missing"))),
    }
}

/// A channel self-test probe; `state` is top-level so settling can be conditional.
#[derive(Serialize, Deserialize)]
pub struct ProbeItem {
    pub pk: String,
    pub sk: String,
    pub probe: helpdesk_domain::ops::probe::Probe,
    pub state: String,
    pub expires_at: i64,
}

/// One SLA step's notice, kept for its run's digest; expires on its own (nothing
/// reads a closed run's notices, and TTL deletes cost nothing).
#[derive(Serialize, Deserialize)]
pub struct NoticeItem {
    pub pk: String,
    pub sk: String,
    pub notice: helpdesk_domain::sla::notice::Notice,
    pub expires_at: i64,
}

/// How long a notice is kept: far longer than a run that died stays ungathered.
pub const NOTICE_DAYS: i64 = 14;

impl NoticeItem {
    pub fn of(
        notice: &helpdesk_domain::sla::notice::Notice,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        Self {
            pk: keys::notices_pk(&notice.run),
            sk: keys::notice_sk(notice),
            notice: notice.clone(),
            expires_at: (at + chrono::Duration::days(NOTICE_DAYS)).timestamp(),
        }
    }
}

/// An SLA run that may have left notices, until its digests are stored.
#[derive(Serialize, Deserialize)]
pub struct NoticeRunItem {
    pub pk: String,
    pub sk: String,
    pub run: helpdesk_domain::values::ids::RunId,
    /// Epoch milliseconds (seconds would make a run opened late in a second look
    /// younger than it is, and miss the recovery tick).
    pub opened_at: i64,
}
