//! Which tier a new request gets: the customer list's rule for the address (else
//! for its domain), raised to premium by a category's choice answer that means
//! premium. Agents may change it later; the clocks then retime.

use crate::catalog::category::{Category, DetailValues, FieldKind, FieldValue};
use crate::customers::tier_rule::TierRule;
use crate::mail::inbound::quarantine::{SenderPattern, SenderPatternError};
use crate::ports::CustomerTiers;
use crate::ports::store::StoreError;
use crate::tickets::ticket::Tier;
use crate::values::email::EmailAddress;
use crate::values::ids::AgentId;
use chrono::{DateTime, Utc};

/// Most rules on the list: it is read whole into memory by every intake.
pub const MAX_RULES: usize = 2_000;
/// Longest note on a rule.
pub const MAX_NOTE_CHARS: usize = 200;

/// The tier for a request from `from` in `category` with `details` answered.
pub fn tier_for(
    rules: &[TierRule],
    from: &EmailAddress,
    category: Option<&Category>,
    details: &DetailValues,
) -> Tier {
    // By text: an address matches as its mailbox (case, dots and +tags aside).
    let listed = SenderPattern::candidates(from)
        .iter()
        .map(SenderPattern::text)
        .find_map(|p| rules.iter().find(|r| r.pattern.text() == p))
        .map(|r| r.tier)
        .unwrap_or_default();
    if listed == Tier::Premium || category.is_some_and(|c| answers_premium(c, details)) {
        Tier::Premium
    } else {
        Tier::Standard
    }
}

/// Does an answer to one of the category's choice fields mean premium?
fn answers_premium(category: &Category, details: &DetailValues) -> bool {
    category
        .fields
        .iter()
        .any(|f| match (&f.kind, details.get(&f.name)) {
            (FieldKind::Choice { premium, .. }, Some(FieldValue::Choice(answer))) => {
                premium.contains(answer)
            }
            _ => false,
        })
}

/// The tier for a new request, read from the store's list. A list that cannot
/// be read costs the premium promise, never the request: standard, logged.
pub async fn tier_of_request(
    store: &dyn CustomerTiers,
    from: &EmailAddress,
    category: Option<&Category>,
    details: &DetailValues,
) -> Tier {
    let rules = store.tier_rules().await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "the customer list could not be read: standard tier");
        vec![]
    });
    tier_for(&rules, from, category, details)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TierRuleError {
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &'static str, reason: impl Into<String>) -> TierRuleError {
    TierRuleError::Invalid {
        field,
        reason: reason.into(),
    }
}

/// Puts `pattern` on the list with `tier` (replacing its rule if it has one).
pub async fn save_rule(
    store: &dyn CustomerTiers,
    pattern: &str,
    tier: Tier,
    note: &str,
    by: &AgentId,
    at: DateTime<Utc>,
) -> Result<TierRule, TierRuleError> {
    let pattern = SenderPattern::parse_for_rule(pattern).map_err(|e| match e {
        SenderPatternError::SharedDomain(d) => invalid(
            "pattern",
            format!("@{d} is shared by a great many people: list one address instead"),
        ),
        e => invalid("pattern", e.to_string()),
    })?;
    let note = note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(invalid(
            "note",
            format!("at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    if note.chars().any(char::is_control) {
        return Err(invalid("note", "one line, without control characters"));
    }
    let rules = store.tier_rules().await?;
    let text = pattern.text();
    if rules.len() >= MAX_RULES && !rules.iter().any(|r| r.pattern.text() == text) {
        return Err(invalid(
            "pattern",
            format!("the list holds at most {MAX_RULES} entries; remove one first"),
        ));
    }
    let rule = TierRule {
        pattern,
        tier,
        note: note.to_owned(),
        by: by.clone(),
        at,
    };
    store.put_tier_rule(&rule).await?;
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::category::FieldSchema;
    use crate::values::ids::CategoryId;

    fn rule(text: &str, tier: Tier) -> TierRule {
        TierRule {
            pattern: SenderPattern::parse(text).unwrap_or_else(|_| unreachable!()),
            tier,
            note: String::new(),
            by: AgentId::parse("ada").unwrap_or_else(|_| unreachable!()),
            at: DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default(),
        }
    }

    fn address(text: &str) -> EmailAddress {
        EmailAddress::parse(text).unwrap_or_else(|_| unreachable!())
    }

    fn category_with_plan() -> Category {
        Category {
            id: CategoryId::parse("billing").unwrap_or_else(|_| unreachable!()),
            name: "Billing".into(),
            description: String::new(),
            hints: vec![],
            fields: vec![FieldSchema {
                name: "plan".into(),
                label: "Your plan".into(),
                kind: FieldKind::Choice {
                    options: vec!["Basic".into(), "Business".into()],
                    premium: vec!["Business".into()],
                },
                required: false,
                help: String::new(),
            }],
            addresses: vec![],
            agents: vec![],
            sla_policy: "default".into(),
            position: 0,
            lifecycle: Default::default(),
            retention_months: None,
            translations: Default::default(),
        }
    }

    #[test]
    fn the_address_rule_wins_over_its_domain_and_an_unlisted_address_is_standard() {
        let rules = [
            rule("@bigcorp.example", Tier::Premium),
            rule("Intern@BigCorp.example", Tier::Standard),
        ];
        let none = DetailValues::default();
        let tier = |a: &str| tier_for(&rules, &address(a), None, &none);
        assert_eq!(tier("Ceo@BigCorp.example"), Tier::Premium);
        assert_eq!(tier("intern@bigcorp.example"), Tier::Standard);
        assert_eq!(tier("someone@sub.bigcorp.example"), Tier::Standard);
        assert_eq!(tier("bigcorp.example@evil.example"), Tier::Standard);
    }

    #[test]
    fn a_choice_answer_that_means_premium_raises_the_tier_and_no_other_does() {
        let category = category_with_plan();
        let with = |answer: &str| {
            DetailValues::from([("plan".to_owned(), FieldValue::Choice(answer.into()))])
        };
        let from = address("jane@shop.example");
        assert_eq!(
            tier_for(&[], &from, Some(&category), &with("Business")),
            Tier::Premium
        );
        assert_eq!(
            tier_for(&[], &from, Some(&category), &with("Basic")),
            Tier::Standard
        );
        // A text answer that spells the option is not the choice.
        let typed = DetailValues::from([("plan".to_owned(), FieldValue::Text("Business".into()))]);
        assert_eq!(
            tier_for(&[], &from, Some(&category), &typed),
            Tier::Standard
        );
    }
}
