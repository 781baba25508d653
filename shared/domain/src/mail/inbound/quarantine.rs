//! Mail that never became a ticket: kept 30 days for supervisors and admins to
//! review, with the reason; the ones released into tickets, and the senders
//! they block or always allow.

use super::auto::AutoReason;
use super::parse::Unreadable;
use crate::values::email::EmailAddress;
use crate::values::ids::AgentId;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long quarantined mail is kept for review.
pub const KEPT_DAYS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum QuarantineReason {
    Spam,
    Virus,
    Unreadable(Unreadable),
    /// Automatic mail (auto-reply, bounce, list) that belongs to no ticket.
    Automatic(AutoReason),
    /// The sender is not who the From address says: mail from outside claiming
    /// our own domain or an agent, or a ticket's participant failing the
    /// receiving server's authentication. Never threaded, never answered.
    Spoofed(String),
    /// A supervisor blocked the sender or its domain (the rule, e.g. `@spam.example`).
    Blocked(String),
}

impl QuarantineReason {
    /// May a person release it into a ticket? Spam verdicts, blocks and automatic
    /// mail are judgements a person may overrule; a virus, a mail that cannot be
    /// read, and a forged sender are not.
    pub fn releasable(&self) -> bool {
        matches!(self, Self::Spam | Self::Automatic(_) | Self::Blocked(_))
    }
}

/// Who released a quarantined mail into a ticket, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Released {
    pub by: AgentId,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quarantined {
    /// The SES message id: the raw mail's key, to look at or release it.
    pub ses_id: String,
    pub received_at: DateTime<Utc>,
    pub from: Option<String>,
    pub subject: String,
    pub reason: QuarantineReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released: Option<Released>,
}

impl Quarantined {
    /// Its sender, when the From address was one: linked to the held mail so
    /// exporting or erasing the address finds it (the record goes after 30
    /// days, the mail as received stays a year).
    pub fn sender(&self) -> Option<crate::values::email::EmailAddress> {
        self.from
            .as_deref()
            .and_then(|f| crate::values::email::EmailAddress::parse(f).ok())
    }

    /// When the record (not the raw mail) is forgotten.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.received_at + Duration::days(KEPT_DAYS)
    }

    /// Past its review time: no longer listed, shown or released, whether or
    /// not the store has deleted it yet.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at()
    }

    /// Where it stands among the mail held the same day.
    pub fn position(&self) -> HeldPosition {
        HeldPosition {
            received_at: self.received_at,
            ses_id: self.ses_id.clone(),
        }
    }
}

/// A held mail's place in its day's list (newest first): when it came, then
/// its SES id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct HeldPosition {
    pub received_at: DateTime<Utc>,
    pub ses_id: String,
}

/// What releasing a quarantined mail found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Release {
    /// Marked released now: the mail goes through receiving again.
    Released(Quarantined),
    /// Released before (by whom it says).
    Already(Quarantined),
    NotFound,
}

/// A sender an admin or supervisor ruled on: one address, or a whole domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum SenderPattern {
    Address(EmailAddress),
    Domain(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SenderPatternError {
    #[error("give an address (name@example.com) or a domain (@example.com)")]
    Invalid,
    #[error("@{0} is shared by a great many people: rule on one address instead")]
    SharedDomain(String),
}

/// Public mail providers: a rule on the whole domain would block, or let past
/// a spam verdict, every one of their users (and DMARC passes for all of them).
const SHARED_DOMAINS: &[&str] = &[
    "aol.com",
    "fastmail.com",
    "gmail.com",
    "gmx.at",
    "gmx.ch",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hey.com",
    "hotmail.com",
    "hotmail.de",
    "icloud.com",
    "live.com",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "outlook.com",
    "outlook.de",
    "pm.me",
    "posteo.de",
    "proton.me",
    "protonmail.com",
    "t-online.de",
    "web.de",
    "yahoo.com",
    "yahoo.de",
    "yandex.ru",
    "ymail.com",
    "zoho.com",
];

impl SenderPattern {
    /// `name@example.com` (that address) or `@example.com` / `example.com` (the
    /// domain and nothing else: not its subdomains).
    pub fn parse(text: &str) -> Result<Self, SenderPatternError> {
        let text = text.trim();
        let domain = text.strip_prefix('@').unwrap_or(text);
        if !domain.contains('@') {
            // A domain is checked as the domain of an address would be.
            let probe = format!("x@{domain}");
            return EmailAddress::parse(&probe)
                .map(|a| Self::Domain(a.domain().to_ascii_lowercase()))
                .map_err(|_| SenderPatternError::Invalid);
        }
        EmailAddress::parse(text)
            .map(Self::Address)
            .map_err(|_| SenderPatternError::Invalid)
    }

    /// As [`SenderPattern::parse`], refusing a whole public mail provider.
    pub fn parse_for_rule(text: &str) -> Result<Self, SenderPatternError> {
        match Self::parse(text)? {
            Self::Domain(d) if SHARED_DOMAINS.contains(&d.as_str()) => {
                Err(SenderPatternError::SharedDomain(d))
            }
            pattern => Ok(pattern),
        }
    }

    /// As people write it: `name@example.com` or `@example.com`.
    pub fn text(&self) -> String {
        match self {
            Self::Address(a) => a.mailbox_key(),
            Self::Domain(d) => format!("@{d}"),
        }
    }

    /// The patterns that could rule on mail from `from`, the address first.
    pub fn candidates(from: &EmailAddress) -> [Self; 2] {
        [
            Self::Address(from.clone()),
            Self::Domain(from.domain().to_ascii_lowercase()),
        ]
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SenderVerdict {
    /// Always quarantined (as `Blocked`), spam verdict or not.
    Block,
    /// Not quarantined for a spam verdict when authentication (DMARC, or DKIM
    /// of its domain) vouches for the From address; a virus, a forged sender
    /// and automatic mail still are.
    Allow,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderRule {
    pub pattern: SenderPattern,
    pub verdict: SenderVerdict,
    pub by: AgentId,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_takes_an_address_or_a_domain_but_never_a_whole_public_provider() {
        let rule = |t: &str| SenderPattern::parse_for_rule(t).map(|p| p.text());
        assert_eq!(rule("Jane@Shop.example"), Ok("jane@shop.example".into()));
        assert_eq!(rule("@Shop.example"), Ok("@shop.example".into()));
        assert_eq!(rule("jane.doe@gmail.com"), Ok("janedoe@gmail.com".into()));
        assert_eq!(
            rule("@GMail.com"),
            Err(SenderPatternError::SharedDomain("gmail.com".into()))
        );
        assert_eq!(
            rule("web.de"),
            Err(SenderPatternError::SharedDomain("web.de".into()))
        );
        assert_eq!(rule("@"), Err(SenderPatternError::Invalid));
    }
}
