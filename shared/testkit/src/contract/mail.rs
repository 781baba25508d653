//! `MessageIds`, `Quarantine` and `SenderRules`: Message-IDs lead to their ticket,
//! in the order asked; a mail is quarantined once and released once; a sender's
//! own rule wins over its domain's.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use super::{Stores, create, setup};
use crate::fixtures::{new_ticket, with_mail_id};
use chrono::{DateTime, Duration, Utc};
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

fn held(ses_id: &str, at: DateTime<Utc>, reason: QuarantineReason) -> Quarantined {
    Quarantined {
        ses_id: ses_id.into(),
        received_at: at,
        from: Some("someone@example.net".into()),
        subject: format!("About {ses_id}"),
        reason,
        released: None,
    }
}

pub async fn mail_is_quarantined_once_per_ses_id(stores: &Stores) {
    let (clock, _) = setup();
    let item = held("ses-spam-1", clock.now(), QuarantineReason::Spam);
    assert_eq!(stores.mail.quarantine(&item).await, Ok(true));
    assert_eq!(stores.mail.quarantine(&item).await, Ok(false));
    let auto = held(
        "ses-auto-1",
        clock.now() + Duration::minutes(1),
        QuarantineReason::Automatic(AutoReason::AutoSubmitted("auto-replied".into())),
    );
    assert_eq!(stores.mail.quarantine(&auto).await, Ok(true));
    let today = clock.now().date_naive();
    let day = stores.mail.quarantined(today, None, 10).await.unwrap();
    assert_eq!(day, vec![auto.clone(), item.clone()], "newest first");
    let other_day = today + Duration::days(1);
    assert_eq!(
        stores.mail.quarantined(other_day, None, 10).await,
        Ok(vec![])
    );
    assert_eq!(stores.mail.held("ses-spam-1").await, Ok(Some(item)));
    assert_eq!(stores.mail.held("ses-auto-1").await, Ok(Some(auto)));
    assert_eq!(stores.mail.held("ses-none").await, Ok(None));
}

pub async fn a_days_held_mail_comes_in_pages_newest_first(stores: &Stores) {
    let (clock, _) = setup();
    let t = clock.now();
    // Two at the same instant: their SES ids order them.
    let all = [
        held("ses-e", t + Duration::minutes(9), QuarantineReason::Spam),
        held("ses-d", t + Duration::minutes(5), QuarantineReason::Spam),
        held("ses-c", t + Duration::minutes(5), QuarantineReason::Spam),
        held("ses-b", t + Duration::minutes(2), QuarantineReason::Spam),
        held("ses-a", t, QuarantineReason::Spam),
    ];
    let yesterday = held("ses-y", t - Duration::days(1), QuarantineReason::Spam);
    for q in all.iter().chain([&yesterday]) {
        assert_eq!(stores.mail.quarantine(q).await, Ok(true));
    }
    let day = t.date_naive();
    let mut seen = Vec::new();
    let mut before = None;
    for _ in 0..4 {
        let page = stores
            .mail
            .quarantined(day, before.as_ref(), 2)
            .await
            .unwrap();
        assert!(page.len() <= 2, "a page holds at most its limit");
        before = page.last().map(Quarantined::position);
        seen.extend(page);
        if before.is_none() {
            break;
        }
    }
    assert_eq!(seen, all.to_vec(), "each once, newest first, across pages");
    assert_eq!(
        stores.mail.quarantined(day, None, 1).await,
        Ok(vec![all[0].clone()])
    );
}

pub async fn a_quarantined_mail_is_released_once_and_remembered(stores: &Stores) {
    let (clock, _) = setup();
    let item = held("ses-real-1", clock.now(), QuarantineReason::Spam);
    assert_eq!(stores.mail.quarantine(&item).await, Ok(true));
    let sue = AgentId::parse("sue").unwrap();
    let ben = AgentId::parse("ben").unwrap();
    let later = clock.now() + Duration::minutes(5);
    let released = Quarantined {
        released: Some(Released {
            by: sue.clone(),
            at: later,
        }),
        ..item.clone()
    };
    assert_eq!(
        stores.mail.release("ses-real-1", &sue, later).await,
        Ok(Release::Released(released.clone()))
    );
    // Read strongly: receiving the mail a moment later sees the release.
    assert_eq!(
        stores.mail.held("ses-real-1").await,
        Ok(Some(released.clone()))
    );
    assert_eq!(
        stores
            .mail
            .release("ses-real-1", &ben, later + Duration::minutes(1))
            .await,
        Ok(Release::Already(released.clone())),
        "the first release stands"
    );
    assert_eq!(
        stores
            .mail
            .quarantined(clock.now().date_naive(), None, 10)
            .await,
        Ok(vec![released.clone()])
    );
    assert_eq!(
        stores.mail.release("ses-nothing", &sue, later).await,
        Ok(Release::NotFound)
    );
    // Held again as forged: the record says so, and who released it.
    let forged = QuarantineReason::Spoofed("fails DMARC".into());
    assert_eq!(stores.mail.hold_again("ses-real-1", &forged).await, Ok(()));
    assert_eq!(
        stores.mail.held("ses-real-1").await,
        Ok(Some(Quarantined {
            reason: forged.clone(),
            ..released
        }))
    );
    assert_eq!(stores.mail.hold_again("ses-nothing", &forged).await, Ok(()));
    assert_eq!(stores.mail.held("ses-nothing").await, Ok(None));
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
