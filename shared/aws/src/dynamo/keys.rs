//! Every key the main and ops tables use, in one place.

use chrono::{DateTime, NaiveDate, Utc};
use helpdesk_domain::ports::store::{StoreError, Waking};
use helpdesk_domain::reports::ReportScope;
use helpdesk_domain::tickets::counters::CounterKey;
use helpdesk_domain::values::ids::FaqId;
use helpdesk_domain::values::time::sortable;
use helpdesk_domain::{AgentId, CategoryId, Message, Status, Ticket, TicketRef};

pub const TICKET_SK: &str = "T";
pub const DUE_PARTITION: &str = "DUE";
pub const WAKE_PARTITION: &str = "WAKE";
pub const MESSAGE_ID_SK: &str = "MID";
pub const CATEGORY_PK: &str = "CATEGORY";
pub const AGENT_PK: &str = "AGENT";
pub const POLICY_PK: &str = "POLICY";
pub const CANNED_PK: &str = "CANNED";
pub const PROBE_PK: &str = "PROBE";

/// A global secondary index of the main table: its name and its key attributes,
/// as `infra/resources.json` declares them (a test holds the two together). The
/// item structs in `items.rs` carry the attributes under the same names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Index {
    pub name: &'static str,
    pub pk: &'static str,
    pub sk: &'static str,
}

/// A category's tickets in one status, by creation time.
pub const QUEUE: Index = Index {
    name: "queue",
    pk: "gsi1pk",
    sk: "gsi1sk",
};
/// Sparse: running SLA clocks by due time.
pub const DUE: Index = Index {
    name: "due",
    pk: "gsi2pk",
    sk: "gsi2sk",
};
/// One requester's tickets.
pub const REQUESTER: Index = Index {
    name: "requester",
    pk: "gsi3pk",
    sk: "gsi3sk",
};
/// Sparse: active tickets by assignee, or unassigned by category.
pub const OWNER: Index = Index {
    name: "owner",
    pk: "gsi4pk",
    sk: "gsi4sk",
};
/// Sparse, keys only: when the SLA run must next look at a ticket.
pub const WAKE: Index = Index {
    name: "wake",
    pk: "gsi5pk",
    sk: "gsi5sk",
};
/// Sparse: outbox items not yet sent, by when they were (re)queued or their
/// lease ends.
pub const UNSENT: Index = Index {
    name: "unsent",
    pk: "gsi6pk",
    sk: "gsi6sk",
};
pub const INDEXES: [Index; 6] = [QUEUE, DUE, REQUESTER, OWNER, WAKE, UNSENT];
pub const UNSENT_PARTITION: &str = "UNSENT";

pub fn ticket_pk(r: &TicketRef) -> String {
    format!("T#{}", r.as_str())
}

/// The ticket whose word-index document a change of item (`pk`, `sk`) alters:
/// the ticket item itself and its messages; its tokens, outbox items and the
/// rest change nothing that is searched.
pub fn searched_ticket(pk: &str, sk: &str) -> Option<TicketRef> {
    let reference = pk.strip_prefix("T#")?;
    (sk == TICKET_SK || sk.starts_with("M#"))
        .then(|| TicketRef::parse(reference).ok())
        .flatten()
}

pub fn message_sk(m: &Message) -> String {
    format!("M#{}#{}", sortable(m.created_at), m.id.as_str())
}

pub fn queue_pk(category: &CategoryId, status: Status) -> String {
    format!("Q#{}#{}", category.as_str(), status.as_str())
}

pub fn created_sk(t: &Ticket) -> String {
    position_sk(t.created_at, &t.reference)
}

/// Sort keys of every listing: the sort time, then the reference.
pub fn position_sk(at: DateTime<Utc>, r: &TicketRef) -> String {
    format!("{}#{}", sortable(at), r.as_str())
}

/// The owner index holds active tickets only: by assignee, or unassigned by category.
pub fn owner_pk(t: &Ticket) -> Option<String> {
    t.status.is_active().then(|| match &t.assignee {
        Some(agent) => assigned_pk(agent),
        None => unassigned_pk(&t.category),
    })
}

pub fn assigned_pk(agent: &AgentId) -> String {
    format!("O#A#{}", agent.as_str())
}

pub fn unassigned_pk(category: &CategoryId) -> String {
    format!("O#U#{}", category.as_str())
}

/// A wake index entry (keys only) read back: the ticket and its wake time.
pub fn waking(item: &super::items::Item) -> Result<Waking, StoreError> {
    let text = |name: &str| {
        item.get(name)
            .and_then(|v| v.as_s().ok())
            .ok_or_else(|| StoreError::Corrupt(format!("wake entry without {name}")))
    };
    let reference = text("pk")?
        .strip_prefix("T#")
        .and_then(|r| TicketRef::parse(r).ok())
        .ok_or_else(|| StoreError::Corrupt("wake entry with a bad ticket key".into()))?;
    let at = text(WAKE.sk)?
        .split_once('#')
        .and_then(|(at, _)| DateTime::parse_from_rfc3339(at).ok())
        .ok_or_else(|| StoreError::Corrupt("wake entry with a bad time".into()))?
        .with_timezone(&Utc);
    Ok(Waking { reference, at })
}

pub fn due_sk(due: DateTime<Utc>, r: &TicketRef) -> String {
    position_sk(due, r)
}

pub fn requester_pk(t: &Ticket) -> String {
    format!("R#{}", t.requester.email.key())
}

/// An address's links to tickets it is on besides its own (`customers::links`):
/// one partition per address, an item per ticket.
pub fn link_pk(email: &helpdesk_domain::EmailAddress) -> String {
    format!("LINK#{}", email.key())
}

pub fn link_sk(r: &TicketRef) -> String {
    format!("{LINK_TICKET_PREFIX}{}", r.as_str())
}

pub const LINK_TICKET_PREFIX: &str = "T#";
pub const LINK_HELD_PREFIX: &str = "HELD#";

/// The link of a held mail's sender to it (in the sender's link partition).
pub fn held_link_sk(ses_id: &str) -> String {
    format!("{LINK_HELD_PREFIX}{ses_id}")
}

pub fn message_id_pk(normalized_id: &str) -> String {
    format!("MID#{normalized_id}")
}

pub const TOKEN_SK_PREFIX: &str = "TOK#";
pub const OUTBOX_SK: &str = "OUT";

/// Beside a ticket, one small item per outbox item of mail about it, naming it:
/// erasing the customer's data finds the mail it must delete this way (an
/// outbox item holds the recipient's address).
pub const OUTBOX_REF_PREFIX: &str = "OUTREF#";

pub fn outbox_ref_sk(id: &helpdesk_domain::OutboxId) -> String {
    format!("{OUTBOX_REF_PREFIX}{}", id.as_str())
}

pub fn token_sk(hash: &helpdesk_domain::values::token::TokenHash) -> String {
    format!("{TOKEN_SK_PREFIX}{}", hash.as_str())
}

/// Where an unsettled outbox item sits in the unsent index: a queued one at the
/// time it was queued, a `sending` one at the end of its lease.
pub fn unsent_sk(at: DateTime<Utc>, id: &helpdesk_domain::OutboxId) -> String {
    format!("{}#{}", sortable(at), id.as_str())
}

pub fn outbox_pk(id: &helpdesk_domain::OutboxId) -> String {
    format!("OUT#{}", id.as_str())
}

/// Open SLA runs: one partition, an item per run (normally none or one).
pub const NOTICE_RUNS_PK: &str = "NOTICE-RUNS";

/// A run's notices: one partition per run, an item per step.
pub fn notices_pk(run: &helpdesk_domain::values::ids::RunId) -> String {
    format!("NOTICES#{}", run.as_str())
}

pub fn notice_sk(n: &helpdesk_domain::sla::notice::Notice) -> String {
    format!("{}#{}", n.line.ticket.as_str(), n.message.as_str())
}

pub const DO_NOT_EMAIL_SK: &str = "DNE";

pub fn do_not_email_pk(email: &helpdesk_domain::EmailAddress) -> String {
    format!("DNE#{}", email.key())
}

/// A held mail's record (one item per SES id).
pub fn held_pk(ses_id: &str) -> String {
    format!("HELD#{ses_id}")
}
pub const HELD_SK: &str = "H";

/// The day's held mail in the queue index, ordered by [`held_position`].
pub fn quarantine_day(d: NaiveDate) -> String {
    format!("QUAR#{}", d.format("%Y-%m-%d"))
}

pub fn held_position(p: &helpdesk_domain::mail::inbound::quarantine::HeldPosition) -> String {
    format!("{}#{}", sortable(p.received_at), p.ses_id)
}

/// Sender rules: one partition, sorted by the pattern's text (`name@x`, `@x`).
pub const SENDER_RULE_PK: &str = "SENDER_RULE";

/// The ratings customers gave in a category, by when: `RATINGS#<category>`.
pub fn ratings_pk(category: &CategoryId) -> String {
    format!("RATINGS#{}", category.as_str())
}

/// One rating's place in its category's list: `<when>#<reference>`.
pub fn rating_sk(at: DateTime<Utc>, reference: &TicketRef) -> String {
    format!("{}#{}", sortable(at), reference.as_str())
}

/// The first and last sort keys of the ratings given on `from..=to`.
pub fn ratings_range(from: NaiveDate, to: NaiveDate) -> (String, String) {
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let end = to
        .succ_opt()
        .unwrap_or(to)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    (sortable(start), sortable(end))
}

/// The customer list (tiers): one partition, sorted by the pattern's text.
pub const TIER_RULE_PK: &str = "TIER_RULE";

pub fn rate_limit_pk(key: &str) -> String {
    format!("RL#{key}")
}

pub fn idempotency_pk(key: &str) -> String {
    format!("IDEM#{key}")
}

/// FAQ searches are kept per month, one item per day and query, so a year's log
/// is at most thirteen queries.
pub fn faq_log_pk(d: NaiveDate) -> String {
    format!("FAQLOG#{}", d.format("%Y-%m"))
}

/// Which FAQ answers visitors read, per month like the search log; one counter
/// item per day and answer, which its sort key names.
pub fn faq_read_pk(d: NaiveDate) -> String {
    format!("FAQREAD#{}", d.format("%Y-%m"))
}

/// One shard of an answer's reads on day `d`: `<day>#<category>/<entry>#<shard>`
/// (items written before sharding end in `#` and are read alike).
pub fn faq_read_sk(d: NaiveDate, category: &CategoryId, entry: &FaqId, shard: u32) -> String {
    faq_log_sk(
        d,
        &format!("{}/{}", category.as_str(), entry.as_str()),
        &shard.to_string(),
    )
}

/// The answer a FAQ read item counts, from its sort key.
pub fn faq_read_entry(sk: &str) -> Option<(CategoryId, FaqId)> {
    let (category, entry) = sk.split('#').nth(1)?.split_once('/')?;
    Some((CategoryId::parse(category).ok()?, FaqId::parse(entry).ok()?))
}

pub fn faq_log_sk(d: NaiveDate, scope: &str, query: &str) -> String {
    format!("{}#{scope}#{query}", d.format("%Y-%m-%d"))
}

pub fn faq_pk(category: &CategoryId) -> String {
    format!("FAQ#{}", category.as_str())
}

/// A category's live counters (per status, unassigned, received).
pub const STATUS_SK: &str = "STATUS";
/// An agent's live counters (active tickets assigned).
pub const ACTIVE_SK: &str = "ACTIVE";

fn day(d: NaiveDate) -> String {
    format!("DAY#{}", d.format("%Y-%m-%d"))
}

/// How many items a category's live counters, each day's report figures and an
/// answer's reads of a day are spread over. Every new ticket of a category adds to them: in one item, all of
/// a burst's transactions would touch it at once (DynamoDB cancels concurrent
/// transactions on one item, and one item takes 1,000 writes a second). A ticket
/// always writes to the same shard; readers sum the shards.
pub const COUNTER_SHARDS: u32 = 8;

/// The shard of `reference`'s counter writes.
pub fn counter_shard(reference: &TicketRef) -> u32 {
    // FNV-1a: stable across builds, unlike the standard library's hasher.
    let hash = reference.as_str().bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    hash % COUNTER_SHARDS
}

/// The sort keys of every shard of the `base` item (`STATUS`, `DAY#…`): from the
/// base itself (an item written before sharding) to the last shard.
pub fn shard_range(base: &str) -> (String, String) {
    (base.to_owned(), format!("{base}#~"))
}

/// Where a counter lives, written from a ticket of counter shard `shard`:
/// (pk, sk, attribute).
pub fn counter_location(key: &CounterKey, shard: u32) -> (String, String, String) {
    let sharded = |base: &str| format!("{base}#{shard}");
    match key {
        CounterKey::InStatus { category, status } => (
            category_counter_pk(category),
            sharded(STATUS_SK),
            status.as_str().into(),
        ),
        CounterKey::Day {
            scope,
            day: d,
            figure,
        } => (report_pk(scope), sharded(&day(*d)), figure.name()),
        CounterKey::FaqVote {
            category,
            entry,
            day: d,
            helpful,
        } => (
            faq_read_pk(*d),
            faq_read_sk(*d, category, entry, shard),
            if *helpful { "helpful" } else { "unhelpful" }.into(),
        ),
        CounterKey::FaqRead {
            category,
            entry,
            day: d,
            then_ticket,
        } => (
            faq_read_pk(*d),
            faq_read_sk(*d, category, entry, shard),
            if *then_ticket {
                "then_ticket"
            } else {
                "opened"
            }
            .into(),
        ),
        CounterKey::Unassigned { category } => (
            category_counter_pk(category),
            sharded(STATUS_SK),
            "unassigned".into(),
        ),
        CounterKey::Overdue { category } => (
            category_counter_pk(category),
            sharded(STATUS_SK),
            "overdue".into(),
        ),
        CounterKey::Received { category } => (
            category_counter_pk(category),
            sharded(STATUS_SK),
            "received".into(),
        ),
        CounterKey::CustomerReplied { category } => (
            category_counter_pk(category),
            sharded(STATUS_SK),
            "replied".into(),
        ),
        CounterKey::AssignedTo { agent } => {
            (agent_counter_pk(agent), ACTIVE_SK.into(), "assigned".into())
        }
    }
}

pub fn category_counter_pk(category: &CategoryId) -> String {
    format!("C#{}", category.as_str())
}

pub fn agent_counter_pk(agent: &AgentId) -> String {
    format!("A#{}", agent.as_str())
}

pub fn day_sk(d: NaiveDate) -> String {
    day(d)
}

/// Where a category's or an agent's day items live (beside their live counters).
pub fn report_pk(scope: &ReportScope) -> String {
    match scope {
        ReportScope::Category(c) => category_counter_pk(c),
        ReportScope::Agent(a) => agent_counter_pk(a),
        ReportScope::Premium(c) => format!("PREMIUM#{}", c.as_str()),
    }
}

/// When each agent's console last asked for news: one small partition.
pub const PRESENCE_PK: &str = "PRESENCE";

/// One agent's alert log: an item per kind and ticket.
pub fn alerts_pk(agent: &helpdesk_domain::AgentId) -> String {
    format!("ALERTS#{}", agent.as_str())
}

/// Agents' note about one customer (by the address's key).
pub fn customer_pk(email: &helpdesk_domain::EmailAddress) -> String {
    format!("CUSTOMER#{}", email.key())
}
pub const CUSTOMER_NOTE_SK: &str = "NOTE";

/// Saved views: one partition per agent and one per category's team.
pub fn saved_views_pk(scope: &helpdesk_domain::agents::saved_views::ViewScope) -> String {
    use helpdesk_domain::agents::saved_views::ViewScope;
    match scope {
        ViewScope::Mine(agent) => format!("VIEWS#A#{}", agent.as_str()),
        ViewScope::Team(category) => format!("VIEWS#C#{}", category.as_str()),
    }
}

/// The tags agents have used: one item holding a string set.
pub const TAGS_PK: &str = "TAGS";
pub const TAGS_SK: &str = "IN-USE";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_ticket_and_its_messages_are_searched_changes() {
        let r = TicketRef::random();
        let pk = ticket_pk(&r);
        assert_eq!(searched_ticket(&pk, TICKET_SK), Some(r.clone()));
        assert_eq!(searched_ticket(&pk, "M#2026-12-03T10:00:00Z#abc"), Some(r));
        assert_eq!(searched_ticket(&pk, OUTBOX_SK), None);
        assert_eq!(searched_ticket(&pk, "TOK#x"), None);
        assert_eq!(searched_ticket("T#not-a-ref", TICKET_SK), None);
        assert_eq!(searched_ticket("MID#x", TICKET_SK), None);
    }

    #[test]
    fn a_burst_of_tickets_spreads_over_every_shard_and_readers_find_them_all() {
        let mut per_shard = [0u32; COUNTER_SHARDS as usize];
        for _ in 0..8_000 {
            per_shard[counter_shard(&TicketRef::random()) as usize] += 1;
        }
        // Each shard takes about an eighth (1,000); none is left idle or hot.
        assert!(
            per_shard.iter().all(|n| (800..1_200).contains(n)),
            "{per_shard:?}"
        );
        let reference = TicketRef::random();
        assert_eq!(counter_shard(&reference), counter_shard(&reference));
        let (from, to) = shard_range(STATUS_SK);
        for shard in 0..COUNTER_SHARDS {
            let key = CounterKey::Received {
                category: CategoryId::parse("billing").unwrap_or_else(|e| panic!("{e}")),
            };
            let (_, sk, _) = counter_location(&key, shard);
            assert!(from <= sk && sk <= to, "{sk}");
        }
        // The unsharded item of earlier versions is read too; the agents' are not.
        assert!(from.as_str() <= STATUS_SK && STATUS_SK <= to.as_str());
        assert!(!(from.as_str() <= ACTIVE_SK && ACTIVE_SK <= to.as_str()));
    }

    /// The indexes the code queries are the ones the template and the local stack
    /// create (`infra/resources.json`), attribute for attribute.
    #[test]
    fn the_indexes_are_the_ones_the_resources_declare() {
        let resources: serde_json::Value =
            serde_json::from_str(include_str!("../../../../infra/resources.json"))
                .unwrap_or_else(|e| panic!("{e}"));
        let declared: Vec<(String, String, String)> = resources["tables"]["main"]["indexes"]
            .as_array()
            .unwrap_or_else(|| panic!("no indexes"))
            .iter()
            .map(|i| {
                let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
                (text(&i["name"]), text(&i["key"][0]), text(&i["key"][1]))
            })
            .collect();
        let ours: Vec<(String, String, String)> = INDEXES
            .iter()
            .map(|i| (i.name.to_owned(), i.pk.to_owned(), i.sk.to_owned()))
            .collect();
        assert_eq!(ours, declared);
    }
}
