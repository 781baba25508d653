//! What an alert is: the kinds of news an agent can be told of by mail, their
//! choices, and what an alert mail says. Values only; the use cases are in
//! `agents::alerts`.

use crate::values::ids::{AgentId, CategoryId, TicketRef};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// An agent whose console asked for news this recently is in the console (it
/// asks every 15 s while open, in any tab).
pub const ACTIVE_MINUTES: i64 = 2;

/// What is noted as an agent's last question when they leave the console: just
/// long enough ago to count as away.
pub fn left_at(at: DateTime<Utc>) -> DateTime<Utc> {
    at - Duration::minutes(ACTIVE_MINUTES) - Duration::seconds(1)
}

/// At-once alert mails one agent gets in an hour at most; past it they wait for
/// the window (the console shows everything).
pub const ALERTS_PER_HOUR: u32 = 30;

/// Agents told of one new ticket by one write at most (each is an outbox item in
/// the ticket's own transaction, which DynamoDB limits to 100 writes).
pub const MAX_ALERTED: usize = 25;

/// The digest intervals an agent may choose, in minutes.
pub const DIGEST_MINUTES: [u16; 5] = [15, 30, 60, 120, 240];

/// How many lines one digest lists; the rest wait for the next one.
pub const DIGEST_MAX_LINES: usize = 50;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A ticket arrived in a category the agent covers.
    NewTicket,
    /// Someone else assigned a ticket to the agent.
    Assigned,
    /// The customer wrote again on a ticket assigned to the agent.
    CustomerReplied,
    /// A response target of the agent's ticket is close.
    SlaWarning,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::NewTicket => "new_ticket",
            AlertKind::Assigned => "assigned",
            AlertKind::CustomerReplied => "customer_replied",
            AlertKind::SlaWarning => "sla_warning",
        }
    }

    /// What the mail says happened.
    pub fn said(self) -> &'static str {
        match self {
            AlertKind::NewTicket => "New ticket",
            AlertKind::Assigned => "Assigned to you",
            AlertKind::CustomerReplied => "The customer replied",
            AlertKind::SlaWarning => "SLA warning",
        }
    }
}

/// What one agent wants to hear of by mail. Nobody has chosen yet: SLA warnings
/// only, as before there were choices.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertChoices {
    #[serde(default)]
    pub new_ticket: bool,
    #[serde(default)]
    pub assigned: bool,
    #[serde(default)]
    pub customer_replied: bool,
    #[serde(default = "yes")]
    pub sla_warning: bool,
    /// `None`: each alert at once; else one digest at most every so many minutes
    /// (one of [`DIGEST_MINUTES`]).
    #[serde(default)]
    pub digest_minutes: Option<DigestMinutes>,
}

/// A digest interval as written: checked by [`AlertChoices::validate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DigestMinutes(pub u16);

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for DigestMinutes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .enum_values(Some(DIGEST_MINUTES))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for DigestMinutes {}

fn yes() -> bool {
    true
}

impl Default for AlertChoices {
    fn default() -> Self {
        Self {
            new_ticket: false,
            assigned: false,
            customer_replied: false,
            sla_warning: true,
            digest_minutes: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is one of 15, 30, 60, 120 or 240 (minutes), or null for each alert at once")]
pub struct DigestMinutesError;

impl AlertChoices {
    pub fn wants(&self, kind: AlertKind) -> bool {
        match kind {
            AlertKind::NewTicket => self.new_ticket,
            AlertKind::Assigned => self.assigned,
            AlertKind::CustomerReplied => self.customer_replied,
            AlertKind::SlaWarning => self.sla_warning,
        }
    }

    /// Checks the digest interval (the rest are plain switches).
    pub fn validate(&self) -> Result<(), DigestMinutesError> {
        match self.digest_minutes {
            Some(DigestMinutes(m)) if !DIGEST_MINUTES.contains(&m) => Err(DigestMinutesError),
            _ => Ok(()),
        }
    }

    pub fn every(&self) -> Option<Duration> {
        self.digest_minutes
            .map(|DigestMinutes(m)| Duration::minutes(i64::from(m)))
    }
}

/// One thing an agent is told of: the payload of an `Alert` mail and a line of
/// an `AlertDigest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertLine {
    pub kind: AlertKind,
    pub ticket: TicketRef,
    pub category: CategoryId,
    pub subject: String,
    /// Who it is about: the requester's address.
    pub requester: String,
    pub at: DateTime<Utc>,
    /// The agent it is for.
    pub agent: AgentId,
}

impl AlertLine {
    /// The key of "this kind of news on this ticket" in the agent's alert log.
    pub fn key(&self) -> String {
        format!("{}#{}", self.kind.as_str(), self.ticket.as_str())
    }
}

/// What an `AlertDigest` mail lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDigest {
    pub lines: Vec<AlertLine>,
}

/// An alert mail's payload, kept with its outbox item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertMail {
    One(AlertLine),
    Digest(AlertDigest),
}
