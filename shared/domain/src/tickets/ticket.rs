//! The ticket and its status machine.

use crate::catalog::category::DetailValues;
use crate::sla::clocks::Clocks;
use crate::values::email::EmailAddress;
use crate::values::ids::{AgentId, CategoryId, TicketRef};
use crate::values::text::{DisplayName, Subject};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Open,
    WaitingOnCustomer,
    Resolved,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a ticket that is {} cannot become {}", from.label(), to.label())]
pub struct InvalidTransition {
    pub from: Status,
    pub to: Status,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::New,
        Status::Open,
        Status::WaitingOnCustomer,
        Status::Resolved,
        Status::Closed,
    ];

    /// The moves a ticket may make. Reopening is Resolved/Closed → Open; a ticket
    /// never moves to the status it already has (that would hide a lost update).
    pub fn can_become(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (New, Open | WaitingOnCustomer | Resolved | Closed)
                | (Open, WaitingOnCustomer | Resolved | Closed)
                | (WaitingOnCustomer, Open | Resolved | Closed)
                | (Resolved, Open | Closed)
                | (Closed, Open)
        )
    }

    pub fn transition(self, to: Status) -> Result<Status, InvalidTransition> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(InvalidTransition { from: self, to })
        }
    }

    /// Not solved yet: the ticket is in someone's work (new, open or waiting).
    pub fn is_active(self) -> bool {
        matches!(self, Status::New | Status::Open | Status::WaitingOnCustomer)
    }

    /// The ticket waits for an agent (counts towards "awaiting response").
    pub fn awaits_agent(self) -> bool {
        matches!(self, Status::New | Status::Open)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::WaitingOnCustomer => "waiting_on_customer",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    pub fn parse(input: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == input)
    }

    /// What agents read ("waiting on customer"), in a sentence.
    pub fn label(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::WaitingOnCustomer => "waiting on customer",
            Status::Resolved => "solved",
            Status::Closed => "closed",
        }
    }

    /// A status as the customer reads it (the tracking page, the links mail),
    /// in their language.
    pub fn customer_label(self, language: crate::i18n::Language) -> String {
        let key = match self {
            Status::New => "status-new",
            Status::Open => "status-open",
            Status::WaitingOnCustomer => "status-waiting",
            Status::Resolved => "status-solved",
            Status::Closed => "status-closed",
        };
        language.text(key, &[])
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    #[default]
    Standard,
    Premium,
}

impl Tier {
    pub fn parse(input: &str) -> Result<Tier, String> {
        match input {
            "standard" => Ok(Tier::Standard),
            "premium" => Ok(Tier::Premium),
            _ => Err("must be standard or premium".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Standard => "standard",
            Tier::Premium => "premium",
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(input: &str) -> Result<Priority, String> {
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str() == input)
            .ok_or_else(|| "must be one of low, normal, high, urgent".into())
    }

    /// One step up, for escalation; Urgent stays Urgent.
    pub fn raised(self) -> Priority {
        match self {
            Priority::Low => Priority::Normal,
            Priority::Normal => Priority::High,
            Priority::High | Priority::Urgent => Priority::Urgent,
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Email,
    /// Opened by an agent for the customer (a call, a chat elsewhere, or our
    /// own first message).
    Agent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requester {
    pub name: DisplayName,
    pub email: EmailAddress,
}

/// The most messages a ticket's thread holds. Past it a customer's web reply is
/// refused with a clear error and a mail reply opens a new ticket: one thread must
/// stay readable in one page load, and a flood cannot grow it without bound.
pub const MAX_THREAD_MESSAGES: usize = 500;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub reference: TicketRef,
    pub category: CategoryId,
    pub tier: Tier,
    pub priority: Priority,
    pub requester: Requester,
    pub subject: Subject,
    pub status: Status,
    pub assignee: Option<AgentId>,
    pub details: DetailValues,
    pub channel: Channel,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the running SLA clock next falls due; `None` while no clock runs.
    pub due_at: Option<DateTime<Utc>>,
    /// Bumped by every stored change; writes are conditional on the version read.
    pub version: u64,
    /// Closed as a duplicate of this ticket: mail to it threads there instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<TicketRef>,
    /// The SLA clocks and quiet-ticket timers; see [`crate::clocks`].
    #[serde(default)]
    pub sla: Clocks,
    /// Besides the requester, who may write into this ticket by mail that names
    /// it: the addresses the requester's own authenticated mail copied in. A mail
    /// never makes its own sender one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<EmailAddress>,
    /// Who an agent copies on our replies (participants too: their mail that
    /// names the ticket threads into it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<EmailAddress>,
    /// Agents' words for grouping tickets, sorted, at most 10.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<crate::values::tag::Tag>,
    /// Has the requester shown the address is theirs? A web request is not
    /// verified until its requester opens a link we mailed to the address (or
    /// answers our mail); a mail is, when its sender passes the receiving
    /// server's authentication. Until then the tracking page shows no answer and
    /// agents see none of the address's other tickets. Tickets stored before this
    /// was recorded read as verified, as they were treated then.
    #[serde(default = "stored_before_verification")]
    pub email_verified: bool,
    /// How the customer rated our help once it was solved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<crate::tickets::rating::Rating>,
    /// When the customer's data was erased from it (`customers::data`): an
    /// anonymous shell, kept for the reports, in no listing any more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erased_at: Option<DateTime<Utc>>,
    /// The version whose write confirmed that someone's words were taken out
    /// of this ticket while it stays (an erasure of a person copied on it, see
    /// `customers::data::erase_from`). The word index still holds an older
    /// version's words in its files until it rewrites them; it does so when it
    /// indexes this version or a later one over an older.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words_removed_in: Option<u64>,
    /// The customer's language: every mail to them is written in it.
    #[serde(default)]
    pub language: crate::i18n::Language,
    /// The customer's time zone (IANA name), when their browser said it: the
    /// times in mail to them are written in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

fn stored_before_verification() -> bool {
    true
}

impl Ticket {
    /// A new ticket as it comes in: new, standard tier, normal priority, nobody
    /// assigned, no clock running yet (`sla::clocks::open` starts them), the
    /// address not verified.
    pub fn opened(
        reference: TicketRef,
        category: CategoryId,
        requester: Requester,
        subject: Subject,
        channel: Channel,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            reference,
            category,
            tier: Tier::Standard,
            priority: Priority::Normal,
            requester,
            subject,
            status: Status::New,
            assignee: None,
            details: Default::default(),
            channel,
            created_at: now,
            updated_at: now,
            due_at: None,
            version: 1,
            merged_into: None,
            sla: Default::default(),
            participants: vec![],
            cc: vec![],
            tags: vec![],
            email_verified: false,
            rating: None,
            erased_at: None,
            words_removed_in: None,
            language: Default::default(),
            time_zone: None,
        }
    }

    /// A time as the customer reads it in our mail: in their own time zone when
    /// we know it, else in `fallback` (the desk's), the zone named either way.
    pub fn customer_time(&self, at: DateTime<Utc>, fallback: Option<chrono_tz::Tz>) -> String {
        let zone = self
            .time_zone
            .as_deref()
            .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
            .or(fallback);
        match zone {
            Some(zone) => self.language.date_time_in(at, zone),
            None => format!("{} UTC", self.language.date_time(&at)),
        }
    }

    /// Moves the ticket to `to`, or says why it can't.
    pub fn change_status(
        &mut self,
        to: Status,
        at: DateTime<Utc>,
    ) -> Result<(), InvalidTransition> {
        self.status = self.status.transition(to)?;
        self.updated_at = at;
        Ok(())
    }

    /// The first-line text for subjects of mail about this ticket: `[#REF]`.
    pub fn subject_tag(&self) -> String {
        format!("[#{}]", self.reference.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_is_written_in_the_customer_s_zone_else_the_desk_s_else_utc() {
        let mut t = Ticket::opened(
            TicketRef::from_bits(42),
            CategoryId::parse("billing").unwrap(),
            Requester {
                name: DisplayName::default(),
                email: EmailAddress::parse("jana@example.org").unwrap(),
            },
            Subject::parse("Rechnung").unwrap(),
            Channel::Web,
            DateTime::UNIX_EPOCH,
        );
        let at: DateTime<Utc> = "2026-03-05T09:00:00Z".parse().unwrap();
        let berlin = Some(chrono_tz::Tz::Europe__Berlin);
        assert_eq!(
            t.customer_time(at, berlin),
            "Thu 5 Mar 2026, 10:00 (Europe/Berlin)"
        );
        assert_eq!(t.customer_time(at, None), "Thu 5 Mar 2026, 09:00 UTC");
        t.language = crate::i18n::Language::De;
        t.time_zone = Some("America/New_York".into());
        assert_eq!(
            t.customer_time(at, berlin),
            "Do., 5. März 2026, 04:00 Uhr (America/New_York)"
        );
        // A stored name no longer known reads as not said.
        t.time_zone = Some("Mars/Olympus".into());
        assert_eq!(
            t.customer_time(at, berlin),
            "Do., 5. März 2026, 10:00 Uhr (Europe/Berlin)"
        );
    }

    #[test]
    fn the_state_machine_allows_the_lifecycle_and_reopen() {
        use Status::*;
        let path = [
            New,
            Open,
            WaitingOnCustomer,
            Open,
            Resolved,
            Open,
            Resolved,
            Closed,
            Open,
        ];
        let mut s = New;
        for next in &path[1..] {
            s = s.transition(*next).unwrap();
        }
        assert_eq!(s, Open);
    }

    #[test]
    fn invalid_moves_are_typed_errors() {
        use Status::*;
        for s in Status::ALL {
            assert_eq!(s.transition(s), Err(InvalidTransition { from: s, to: s }));
            assert!(s.transition(New).is_err(), "nothing goes back to new");
        }
        assert!(Closed.transition(Resolved).is_err());
        assert!(Closed.transition(WaitingOnCustomer).is_err());
        assert!(Resolved.transition(WaitingOnCustomer).is_err());
        assert_eq!(
            Closed.transition(Resolved).unwrap_err().to_string(),
            "a ticket that is closed cannot become solved"
        );
    }

    #[test]
    fn priority_text_round_trips_like_its_json() {
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Ok(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        assert!(Priority::parse("asap").is_err());
        assert_eq!(Tier::parse("premium"), Ok(Tier::Premium));
        assert!(Tier::parse("gold").is_err());
    }

    #[test]
    fn status_text_round_trips() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(Status::parse("pending"), None);
    }
}
