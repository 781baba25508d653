//! `MessageIds` and `Quarantine`: Message-IDs lead to their ticket, in the order asked;
//! a mail is quarantined once.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use super::{Stores, create, setup};
use crate::fixtures::{new_ticket, with_mail_id};
use chrono::Duration;
use helpdesk_domain::mail::inbound::auto::AutoReason;
use helpdesk_domain::mail::inbound::quarantine::{QuarantineReason, Quarantined};
use helpdesk_domain::ports::Clock;

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
    };
    assert_eq!(stores.mail.quarantine(&item).await, Ok(true));
    assert_eq!(stores.mail.quarantine(&item).await, Ok(false));
    let auto = Quarantined {
        ses_id: "ses-auto-1".into(),
        received_at: clock.now() + Duration::minutes(1),
        from: None,
        subject: "Out of office".into(),
        reason: QuarantineReason::Automatic(AutoReason::AutoSubmitted("auto-replied".into())),
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
