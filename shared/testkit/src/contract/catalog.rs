//! The catalog's parts: `Categories`, `AgentProfiles`, `CannedReplies`, `SlaPolicies`,
//! `FaqEntries` and `FaqStats`.

use super::{Stores, setup};
use crate::fixtures;
use crate::fixtures::new_ticket;
use chrono::Duration;
use helpdesk_domain::AgentId;
use helpdesk_domain::agents::profile::Role;
use helpdesk_domain::catalog::faq::{FaqSearch, FaqSearchCount};
use helpdesk_domain::ports::Clock;

pub async fn catalog_keeps_order_and_replaces_by_id(stores: &Stores) {
    let c = &stores.catalog;
    for (id, pos) in [("sales", 2), ("billing", 1), ("technical", 3)] {
        c.put_category(&fixtures::category(id, pos))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut renamed = fixtures::category("sales", 0);
    renamed.name = "Sales questions".into();
    // What German readers see is kept with it, field labels by field name.
    renamed.translations.insert(
        helpdesk_domain::i18n::Language::De,
        helpdesk_domain::catalog::translations::CategoryText {
            name: "Verkauf".into(),
            hints: vec!["Nennen Sie die Stückzahl".into()],
            fields: [(
                "order_id".to_owned(),
                helpdesk_domain::catalog::translations::FieldText {
                    label: "Bestellnummer".into(),
                    help: String::new(),
                    options: Default::default(),
                },
            )]
            .into(),
            ..Default::default()
        },
    );
    c.put_category(&renamed)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let all = c.categories().await.unwrap_or_else(|e| panic!("{e}"));
    let order: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(order, ["sales", "billing", "technical"]);
    assert_eq!(
        c.category(&fixtures::category_id("sales")).await,
        Ok(Some(renamed))
    );
    assert_eq!(c.category(&fixtures::category_id("nope")).await, Ok(None));

    let ana = fixtures::agent("ana", Role::Agent, &["billing"]);
    c.put_agent(&ana).await.unwrap_or_else(|e| panic!("{e}"));
    c.put_agent(&fixtures::agent("sue", Role::Supervisor, &[]))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        c.agent(&fixtures::agent_id("ana")).await,
        Ok(Some(ana.clone()))
    );
    assert_eq!(c.agents().await.map(|a| a.len()), Ok(2));
    assert!(ana.covers(&fixtures::category_id("billing")));
    assert!(!ana.covers(&fixtures::category_id("sales")));
    // How she signs changes, and nothing else of her record.
    let signed = helpdesk_domain::agents::profile::Agent {
        display_name: Some("Ana".into()),
        signature: Some("Ana Lima\nBilling".into()),
        ..ana.clone()
    };
    let id = fixtures::agent_id("ana");
    assert_eq!(
        c.set_signoff(&id, Some("Ana".into()), Some("Ana Lima\nBilling".into()))
            .await,
        Ok(Some(signed.clone()))
    );
    assert_eq!(c.agent(&id).await, Ok(Some(signed)));
    assert_eq!(
        c.set_signoff(&id, None, None).await,
        Ok(Some(ana.clone())),
        "emptied, as it was"
    );
    assert_eq!(
        c.set_signoff(&fixtures::agent_id("nobody"), Some("X".into()), None)
            .await,
        Ok(None)
    );
    assert_eq!(c.agent(&fixtures::agent_id("nobody")).await, Ok(None));

    c.put_faq(&fixtures::faq("b", "billing", 2))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    c.put_faq(&fixtures::faq("a", "billing", 1))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    c.put_faq(&fixtures::faq("z", "sales", 1))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut edited = fixtures::faq("b", "billing", 2);
    edited.published = false;
    edited.translations.insert(
        helpdesk_domain::i18n::Language::De,
        helpdesk_domain::catalog::translations::FaqText {
            question: "Frage b?".into(),
            answer: "Antwort b.".into(),
        },
    );
    c.put_faq(&edited).await.unwrap_or_else(|e| panic!("{e}"));
    let faq = c
        .faq(&fixtures::category_id("billing"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        faq.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert!(!faq[1].published);
    assert_eq!(faq[1], edited, "the German text kept too");
    // Deleted alone: the other category's entry with its own id stays.
    let a = helpdesk_domain::values::ids::FaqId::parse("a").unwrap_or_else(|e| panic!("{e}"));
    let billing = fixtures::category_id("billing");
    assert_eq!(c.delete_faq(&billing, &a).await, Ok(true));
    assert_eq!(c.delete_faq(&billing, &a).await, Ok(false));
    assert_eq!(c.faq(&billing).await.map(|f| f.len()), Ok(1));
    assert_eq!(
        c.faq(&fixtures::category_id("sales"))
            .await
            .map(|f| f.len()),
        Ok(1)
    );
}

pub async fn canned_replies_list_by_title_replace_by_id_and_delete(stores: &Stores) {
    use helpdesk_domain::agents::canned::CannedReply;
    use helpdesk_domain::values::ids::FaqId;
    let (clock, _) = setup();
    let reply = |id: &str, title: &str, category: Option<&str>| CannedReply {
        id: FaqId::parse(id).unwrap_or_else(|e| panic!("{e}")),
        category: category.map(fixtures::category_id),
        title: title.to_owned(),
        body: format!("{title} body"),
        updated_by: AgentId::parse("sue").unwrap_or_else(|e| panic!("{e}")),
        updated_at: clock.now(),
        actions: Default::default(),
    };
    let catalog = &stores.catalog;
    for r in [
        reply("c-1", "thanks", None),
        reply("c-2", "Refund sent", Some("billing")),
    ] {
        catalog
            .put_canned(&r)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let titles = |all: Vec<CannedReply>| all.into_iter().map(|c| c.title).collect::<Vec<_>>();
    assert_eq!(
        titles(
            catalog
                .canned_replies()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        ),
        vec!["Refund sent", "thanks"]
    );
    catalog
        .put_canned(&reply("c-2", "Apology", Some("billing")))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let all = catalog
        .canned_replies()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all[0], reply("c-2", "Apology", Some("billing")));
    assert_eq!(all.len(), 2);
    // A macro keeps its actions.
    let mut with_actions = reply("c-2", "Refund done", Some("billing"));
    with_actions.actions = helpdesk_domain::agents::canned::MacroActions {
        solve: true,
        priority: Some(helpdesk_domain::Priority::High),
        assign: Some(helpdesk_domain::agents::canned::MacroAssign::Sender),
        category: Some(fixtures::category_id("technical")),
    };
    catalog
        .put_canned(&with_actions)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let all = catalog
        .canned_replies()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(all.contains(&with_actions), "{all:?}");
    let c1 = FaqId::parse("c-1").unwrap_or_else(|e| panic!("{e}"));
    catalog
        .delete_canned(&c1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    catalog
        .delete_canned(&c1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        titles(
            catalog
                .canned_replies()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        ),
        vec!["Refund done"]
    );
}

pub async fn sla_policies_round_trip(stores: &Stores) {
    let c = &stores.catalog;
    let office = fixtures::office_policy("default");
    c.put_policy(&office)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut strict = fixtures::office_policy("strict");
    strict.standard.first_response_minutes = 60;
    c.put_policy(&strict)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.policy("default").await, Ok(Some(office)));
    assert_eq!(c.policy("missing").await, Ok(None));
    let ids: Vec<String> = c
        .policies()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids, ["default", "strict"]);
}

pub async fn faq_searches_are_counted_per_day_query_and_category(stores: &Stores) {
    let (clock, _) = setup();
    let now = clock.now();
    let billing = Some(fixtures::category_id("billing"));
    let search =
        |query: &str, category: Option<helpdesk_domain::CategoryId>, results: u32, at| FaqSearch {
            query: query.to_owned(),
            category,
            results,
            at,
        };
    for s in [
        search("refund", billing.clone(), 2, now),
        search("cancel order", billing.clone(), 0, now),
        search(
            "cancel order",
            billing.clone(),
            0,
            now + Duration::minutes(1),
        ),
        search("cancel order", None, 0, now),
        search("refund", billing.clone(), 2, now + Duration::days(1)),
        search("refund", billing.clone(), 0, now + Duration::days(40)),
    ] {
        stores
            .catalog
            .log_faq_search(&s, 100)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let log_of = |from: chrono::NaiveDate, to: chrono::NaiveDate| {
        let catalog = stores.catalog.clone();
        async move {
            catalog
                .faq_search_log(from, to)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let today = now.date_naive();
    let log = log_of(today, today).await;
    let count = |query: &str,
                 category: Option<helpdesk_domain::CategoryId>,
                 searches,
                 zero_results| FaqSearchCount {
        query: query.to_owned(),
        category,
        searches,
        zero_results,
    };
    assert_eq!(
        log,
        vec![
            count("cancel order", billing.clone(), 2, 2),
            count("cancel order", None, 1, 1),
            count("refund", billing.clone(), 1, 0),
        ]
    );
    // A range sums each query over its days, across month partitions.
    let two_days = log_of(today, today + Duration::days(1)).await;
    assert_eq!(
        two_days,
        vec![
            count("cancel order", billing.clone(), 2, 2),
            count("refund", billing.clone(), 2, 0),
            count("cancel order", None, 1, 1),
        ]
    );
    let forty_days = log_of(today, today + Duration::days(40)).await;
    assert_eq!(
        forty_days,
        vec![
            count("refund", billing.clone(), 3, 1),
            count("cancel order", billing, 2, 2),
            count("cancel order", None, 1, 1),
        ]
    );
    assert!(
        log_of(today + Duration::days(2), today + Duration::days(39))
            .await
            .is_empty()
    );
}

/// Someone scripting random queries fills a day's places, not the table: known
/// queries keep counting, and the next day starts afresh.
pub async fn a_day_logs_at_most_its_cap_of_new_queries_and_keeps_counting_known_ones(
    stores: &Stores,
) {
    let (clock, _) = setup();
    let now = clock.now();
    let log = |query: &str, at| {
        let catalog = stores.catalog.clone();
        let search = FaqSearch {
            query: query.to_owned(),
            category: None,
            results: 0,
            at,
        };
        async move {
            catalog
                .log_faq_search(&search, 3)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let mut logged = vec![];
    for q in ["one", "two", "three", "four", "one", "five"] {
        logged.push(log(q, now).await);
    }
    assert_eq!(logged, [true, true, true, false, true, false]);
    assert!(log("four", now + Duration::days(1)).await, "a new day");
    let today = now.date_naive();
    let day = stores
        .catalog
        .faq_search_log(today, today)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut queries: Vec<(String, u32)> = day.into_iter().map(|c| (c.query, c.searches)).collect();
    queries.sort();
    assert_eq!(
        queries,
        [
            ("one".to_owned(), 2),
            ("three".to_owned(), 1),
            ("two".to_owned(), 1)
        ]
    );
}

pub async fn faq_reads_are_counted_per_entry_over_any_period(stores: &Stores) {
    use helpdesk_domain::catalog::faq::FaqReadCount;
    use helpdesk_domain::values::ids::FaqId;
    let (clock, _) = setup();
    let now = clock.now();
    let billing = fixtures::category_id("billing");
    let refund = (
        billing.clone(),
        FaqId::parse("refund-time").unwrap_or_else(|e| panic!("{e}")),
    );
    let twice = (
        billing.clone(),
        FaqId::parse("double-charge").unwrap_or_else(|e| panic!("{e}")),
    );
    let count = |entries: Vec<(helpdesk_domain::CategoryId, FaqId)>, then_ticket: bool, at| {
        let catalog = stores.catalog.clone();
        async move {
            catalog
                .count_faq_reads(&entries, then_ticket, at)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    // Three visits read the refund answer (one of them then wrote to us), one the
    // double-charge answer and wrote anyway; one more read 40 days later.
    for _ in 0..3 {
        count(vec![refund.clone()], false, now).await;
    }
    // The visit that wrote anyway: counted with its ticket, in the same write.
    let (_, ids) = setup();
    let mut new = new_ticket(&ids, "billing", "jane@example.com", now);
    new.faq_read = vec![refund.clone(), twice.clone()];
    stores
        .tickets
        .create_ticket(new)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    count(vec![twice.clone()], false, now + Duration::days(1)).await;
    count(vec![refund.clone()], false, now + Duration::days(40)).await;
    let log = |from: chrono::NaiveDate, to: chrono::NaiveDate| {
        let catalog = stores.catalog.clone();
        async move {
            catalog
                .faq_read_log(from, to)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let today = now.date_naive();
    // "Did this help?": twice yes and once no on the refund answer.
    for helpful in [true, true, false] {
        stores
            .catalog
            .count_faq_vote(&refund.0, &refund.1, helpful, now)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let read = |(category, entry): &(helpdesk_domain::CategoryId, FaqId),
                opened,
                then_ticket,
                helpful,
                unhelpful| FaqReadCount {
        category: category.clone(),
        entry: entry.clone(),
        opened,
        then_ticket,
        helpful,
        unhelpful,
    };
    assert_eq!(
        log(today, today + Duration::days(1)).await,
        vec![read(&refund, 3, 1, 2, 1), read(&twice, 1, 1, 0, 0)]
    );
    assert_eq!(
        log(today, today + Duration::days(40)).await,
        vec![read(&refund, 4, 1, 2, 1), read(&twice, 1, 1, 0, 0)]
    );
    assert!(
        log(today + Duration::days(2), today + Duration::days(39))
            .await
            .is_empty()
    );
}

pub async fn the_customer_list_keeps_one_rule_per_address_or_domain(stores: &Stores) {
    use helpdesk_domain::customers::tier_rule::TierRule;
    use helpdesk_domain::customers::tiers::tier_for;
    use helpdesk_domain::mail::inbound::quarantine::SenderPattern;
    use helpdesk_domain::tickets::ticket::Tier;
    let (clock, _) = setup();
    let c = &stores.catalog;
    let rule = |text: &str, tier, note: &str| TierRule {
        pattern: SenderPattern::parse(text).unwrap_or_else(|e| panic!("{e}")),
        tier,
        note: note.into(),
        by: fixtures::agent_id("ada"),
        at: clock.now(),
    };
    assert_eq!(c.tier_rules().await, Ok(vec![]));
    for r in [
        rule("@bigcorp.example", Tier::Premium, "Business plan"),
        rule("Intern@BigCorp.example", Tier::Standard, ""),
        rule(
            "@bigcorp.example",
            Tier::Premium,
            "Business plan until 2027",
        ),
    ] {
        c.put_tier_rule(&r).await.unwrap_or_else(|e| panic!("{e}"));
    }
    let mut rules = c.tier_rules().await.unwrap_or_else(|e| panic!("{e}"));
    rules.sort_by_key(|r| r.pattern.text());
    let kept: Vec<(String, Tier, &str)> = rules
        .iter()
        .map(|r| (r.pattern.text(), r.tier, r.note.as_str()))
        .collect();
    assert_eq!(
        kept,
        vec![
            (
                "@bigcorp.example".to_owned(),
                Tier::Premium,
                "Business plan until 2027"
            ),
            ("intern@bigcorp.example".to_owned(), Tier::Standard, ""),
        ],
        "replaced by pattern, the address kept as its mailbox"
    );
    let none = Default::default();
    let tier = |a: &str| {
        let a = helpdesk_domain::EmailAddress::parse(a).unwrap_or_else(|e| panic!("{e}"));
        tier_for(&rules, &a, None, &none)
    };
    assert_eq!(tier("ceo@bigcorp.example"), Tier::Premium);
    assert_eq!(tier("intern@bigcorp.example"), Tier::Standard);
    let domain = SenderPattern::parse("@bigcorp.example").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.delete_tier_rule(&domain).await, Ok(true));
    assert_eq!(c.delete_tier_rule(&domain).await, Ok(false));
    assert_eq!(c.tier_rules().await.map(|r| r.len()), Ok(1));
}
