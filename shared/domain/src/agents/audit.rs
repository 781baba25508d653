//! The admins' audit log: who changed what in the configuration, and whose data
//! was exported or erased. Entries are only ever added.

use crate::mail::inbound::quarantine::SenderPattern;
use crate::values::email::EmailAddress;
use crate::values::ids::AgentId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    CategorySaved,
    AgentSaved,
    PolicySaved,
    TierRuleSaved,
    TierRuleRemoved,
    SenderRuleSaved,
    SenderRuleRemoved,
    CustomerExported,
    CustomerErased,
    RetentionPurged,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::CategorySaved => "category_saved",
            AuditAction::AgentSaved => "agent_saved",
            AuditAction::PolicySaved => "policy_saved",
            AuditAction::TierRuleSaved => "tier_rule_saved",
            AuditAction::TierRuleRemoved => "tier_rule_removed",
            AuditAction::SenderRuleSaved => "sender_rule_saved",
            AuditAction::SenderRuleRemoved => "sender_rule_removed",
            AuditAction::CustomerExported => "customer_exported",
            AuditAction::CustomerErased => "customer_erased",
            AuditAction::RetentionPurged => "retention_purged",
        }
    }
}

/// Who made a change: an agent, or the schedule (retention).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Actor {
    Agent(AgentId),
    Schedule,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// Makes two entries of one instant distinct (random).
    pub id: String,
    pub actor: Actor,
    pub action: AuditAction,
    /// What was changed: a category's, agent's or policy's id, a pattern, or a
    /// customer's [`fingerprint`] (never the address itself, which erasing
    /// must not leave behind here).
    pub subject: String,
    /// What it came to, in one line ("3 tickets, 12 messages, 4 files").
    #[serde(default)]
    pub detail: String,
}

impl AuditEntry {
    pub fn new(
        at: DateTime<Utc>,
        actor: Actor,
        action: AuditAction,
        subject: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            at,
            id: format!("{:08x}", rand::random::<u32>()),
            actor,
            action,
            subject: subject.into(),
            detail: detail.into(),
        }
    }

    pub fn cursor(&self) -> AuditCursor {
        AuditCursor {
            at: self.at,
            id: self.id.clone(),
        }
    }
}

/// Where a page of the log ends: the last entry's time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCursor {
    pub at: DateTime<Utc>,
    pub id: String,
}

impl AuditCursor {
    /// `<microseconds since 1970>_<id>`, as the API hands it out (safe in a URL).
    pub fn encode(&self) -> String {
        format!("{}_{}", self.at.timestamp_micros(), self.id)
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let (at, id) = text
            .split_once('_')
            .ok_or("must be a cursor the log gave")?;
        let at = at
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_micros)
            .ok_or("must be a cursor the log gave")?;
        if id.len() != 8 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("must be a cursor the log gave".into());
        }
        Ok(Self {
            at,
            id: id.to_owned(),
        })
    }
}

/// How the log names a customer: `customer:` and the first 16 hex digits of the
/// SHA-256 of the address's key. Whoever knows the address can find its entries;
/// the log alone does not tell it.
pub fn fingerprint(email: &EmailAddress) -> String {
    let digest = Sha256::digest(email.key().as_bytes());
    format!("customer:{}", &hex::encode(digest)[..16])
}

/// How the log names a customer-list or sender rule: a domain as `@domain`, an
/// address by its [`fingerprint`].
pub fn pattern_subject(pattern: &SenderPattern) -> String {
    match pattern {
        SenderPattern::Address(a) => fingerprint(a),
        SenderPattern::Domain(d) => format!("@{d}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_ignores_case_and_hides_the_address() {
        let a = EmailAddress::parse("Jane@Example.com").unwrap();
        let b = EmailAddress::parse("jane@example.COM").unwrap();
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert!(fingerprint(&a).starts_with("customer:"));
        assert!(!fingerprint(&a).contains("jane"));
        assert_eq!(fingerprint(&a).len(), "customer:".len() + 16);
    }

    #[test]
    fn a_cursor_reads_back_and_refuses_anything_else() {
        let at = DateTime::parse_from_rfc3339("2026-03-02T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let entry = AuditEntry::new(at, Actor::Schedule, AuditAction::RetentionPurged, "x", "");
        let cursor = entry.cursor();
        assert_eq!(AuditCursor::parse(&cursor.encode()), Ok(cursor));
        for bad in [
            "",
            "x_y",
            "1_zz",
            "1772445600000000",
            "2026-03-02T10:00:00Z_0000000a",
        ] {
            assert!(AuditCursor::parse(bad).is_err(), "{bad}");
        }
    }
}
