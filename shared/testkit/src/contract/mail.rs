//! `MessageIds`, `Quarantine` and `SenderRules`: Message-IDs lead to their ticket,
//! in the order asked; a mail is quarantined once and released once; a sender's
//! own rule wins over its domain's.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use super::{Stores, create, setup};
use crate::fixtures::{new_ticket, with_mail_id};
use chrono::Duration;
use helpdesk_domain::mail::inbound::auto::AutoReason;
use helpdesk_domain::mail::inbound::quarantine::{
    QuarantineReason, Quarantined, Release, Released, SenderPattern, SenderRule, SenderVerdict,
};
use helpdesk_domain::ports::Clock;
use helpdesk_domain::{AgentId, EmailAddress};

pub async fn message_ids_lead_to_their_ticket(stores: &Stores) {
    let (clock, ids) = setup();
    let new = with_mail_id(
        new_ticket(&ids, "billing", "jane@example.com", clock.now()),
        "<abc.123@mail.example.com>",
    );
    let reference = new.ticket.reference.clone();
    stores
        .tickets
        .create_ticket(new)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        stores
            .tickets
            .ticket_for_message_id("abc.123@mail.example.com")
            .await,
        Ok(Some(reference.clone()))
    );
    assert_eq!(
        stores
            .tickets
            .ticket_for_message_id(" <abc.123@mail.example.com> ")
            .await,
        Ok(Some(reference.clone()))
    );
    assert_eq!(
        stores
            .tickets
            .ticket_for_message_id("<other@example.com>")
            .await,
        Ok(None)
    );
    stores
        .tickets
        .record_message_id("<0100018f-ses@email.amazonses.com>", &reference)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        stores
            .tickets
            .ticket_for_message_id("0100018f-ses@email.amazonses.com")
            .await,
        Ok(Some(reference))
    );
}

pub async fn message_id_lookups_follow_the_given_order(stores: &Stores) {
    let (clock, ids) = setup();
    let first = create(stores, &ids, &clock, "billing", "ann@example.org").await;
    let second = create(stores, &ids, &clock, "billing", "bob@example.org").await;
    stores
        .tickets
        .record_message_id("a@x", &first.reference)
        .await
        .unwrap();
    stores
        .tickets
        .record_message_id("b@x", &second.reference)
        .await
        .unwrap();
    let lookup = |ids: &[&str]| {
        let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        let mail = stores.mail.clone();
        async move { mail.tickets_for_message_ids(&ids).await }
    };
    let (a, b) = (first.reference, second.reference);
    assert_eq!(
        lookup(&["nope@x", "b@x", "a@x"]).await,
        Ok(vec![("b@x".into(), b.clone()), ("a@x".into(), a.clone())])
    );
    assert_eq!(
        lookup(&["<a@x>", "b@x", "a@x"]).await,
        Ok(vec![("a@x".into(), a), ("b@x".into(), b)])
    );
    assert_eq!(lookup(&["nope@x", " "]).await, Ok(vec![]));
    assert_eq!(lookup(&[]).await, Ok(vec![]));
}

pub async fn mail_is_quarantined_once_per_ses_id(stores: &Stores) {
    let (clock, _) = setup();
    let item = Quarantined {
        ses_id: "ses-spam-1".into(),
        received_at: clock.now(),
        from: Some("spammer@example.net".into()),
        subject: "Win".into(),
        reason: QuarantineReason::Spam,
        released: None,
    };
    assert_eq!(stores.mail.quarantine(&item).await, Ok(true));
    assert_eq!(stores.mail.quarantine(&item).await, Ok(false));
    let auto = Quarantined {
        ses_id: "ses-auto-1".into(),
        received_at: clock.now() + Duration::minutes(1),
        from: None,
        subject: "Out of office".into(),
        reason: QuarantineReason::Automatic(AutoReason::AutoSubmitted("auto-replied".into())),
        released: None,
    };
    assert_eq!(stores.mail.quarantine(&auto).await, Ok(true));
    let day = stores
        .mail
        .quarantined(clock.now().date_naive())
        .await
        .unwrap();
    assert_eq!(day, vec![item, auto]);
    let other_day = clock.now().date_naive() + Duration::days(1);
    assert_eq!(stores.mail.quarantined(other_day).await, Ok(vec![]));
}

pub async fn a_quarantined_mail_is_released_once_and_remembered(stores: &Stores) {
    let (clock, _) = setup();
    let item = Quarantined {
        ses_id: "ses-real-1".into(),
        received_at: clock.now(),
        from: Some("customer@shop.example".into()),
        subject: "Where is my order?".into(),
        reason: QuarantineReason::Spam,
        released: None,
    };
    assert_eq!(stores.mail.quarantine(&item).await, Ok(true));
    let day = clock.now().date_naive();
    let sue = AgentId::parse("sue").unwrap();
    let ben = AgentId::parse("ben").unwrap();
    assert_eq!(stores.mail.is_released("ses-real-1").await, Ok(false));
    let later = clock.now() + Duration::minutes(5);
    let released = Some(Released {
        by: sue.clone(),
        at: later,
    });
    assert_eq!(
        stores.mail.release(day, "ses-real-1", &sue, later).await,
        Ok(Release::Released(Quarantined {
            released: released.clone(),
            ..item.clone()
        }))
    );
    assert_eq!(stores.mail.is_released("ses-real-1").await, Ok(true));
    assert_eq!(
        stores
            .mail
            .release(day, "ses-real-1", &ben, later + Duration::minutes(1))
            .await,
        Ok(Release::Already(Quarantined {
            released: released.clone(),
            ..item.clone()
        })),
        "the first release stands"
    );
    assert_eq!(
        stores.mail.quarantined(day).await.unwrap(),
        vec![Quarantined { released, ..item }]
    );
    let other_day = day + Duration::days(1);
    assert_eq!(
        stores
            .mail
            .release(other_day, "ses-real-1", &sue, later)
            .await,
        Ok(Release::NotFound)
    );
    assert_eq!(
        stores.mail.release(day, "ses-nothing", &sue, later).await,
        Ok(Release::NotFound)
    );
    assert_eq!(stores.mail.is_released("ses-nothing").await, Ok(false));
}

pub async fn a_senders_own_rule_wins_over_its_domains(stores: &Stores) {
    let (clock, _) = setup();
    let sue = AgentId::parse("sue").unwrap();
    let rule = |text: &str, verdict| SenderRule {
        pattern: SenderPattern::parse(text).unwrap(),
        verdict,
        by: sue.clone(),
        at: clock.now(),
    };
    let jane = EmailAddress::parse("Jane+news@Shop.example").unwrap();
    assert_eq!(stores.mail.sender_rule(&jane).await, Ok(None));
    stores
        .mail
        .put_sender_rule(&rule("@shop.example", SenderVerdict::Block))
        .await
        .unwrap();
    assert_eq!(
        stores
            .mail
            .sender_rule(&jane)
            .await
            .unwrap()
            .map(|r| r.verdict),
        Some(SenderVerdict::Block)
    );
    stores
        .mail
        .put_sender_rule(&rule("jane@shop.example", SenderVerdict::Allow))
        .await
        .unwrap();
    assert_eq!(
        stores
            .mail
            .sender_rule(&jane)
            .await
            .unwrap()
            .map(|r| r.verdict),
        Some(SenderVerdict::Allow),
        "her own address (any +tag) over the domain"
    );
    let other = EmailAddress::parse("bob@shop.example").unwrap();
    assert_eq!(
        stores
            .mail
            .sender_rule(&other)
            .await
            .unwrap()
            .map(|r| r.verdict),
        Some(SenderVerdict::Block)
    );
    let sub = EmailAddress::parse("bob@mail.shop.example").unwrap();
    assert_eq!(
        stores.mail.sender_rule(&sub).await,
        Ok(None),
        "not subdomains"
    );
    // Replaced by pattern; listed in the order of their text; deleted once.
    stores
        .mail
        .put_sender_rule(&rule("@shop.example", SenderVerdict::Allow))
        .await
        .unwrap();
    let texts: Vec<(String, SenderVerdict)> = stores
        .mail
        .sender_rules()
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.pattern.text(), r.verdict))
        .collect();
    assert_eq!(
        texts,
        vec![
            ("@shop.example".to_owned(), SenderVerdict::Allow),
            ("jane@shop.example".to_owned(), SenderVerdict::Allow)
        ]
    );
    let domain = SenderPattern::parse("@shop.example").unwrap();
    assert_eq!(stores.mail.delete_sender_rule(&domain).await, Ok(true));
    assert_eq!(stores.mail.delete_sender_rule(&domain).await, Ok(false));
    assert_eq!(stores.mail.sender_rule(&other).await, Ok(None));
}
