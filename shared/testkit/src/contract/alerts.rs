//! The `Presence` and `AlertLog` parts, and an agent's alert choices: presence
//! is noted at most once a minute and forgotten on leaving; an alert is noted
//! once per agent, kind and ticket until the agent is seen after it; waiting
//! lines close once, with their digest or without.

// Test scenarios: a failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use super::{Stores, setup};
use crate::fixtures::{agent, agent_id, email};
use chrono::Duration;
use helpdesk_domain::agents::alert_mail::{
    AlertChoices, AlertDigest, AlertKind, AlertLine, AlertMail, DigestMinutes,
};
use helpdesk_domain::agents::profile::Role;
use helpdesk_domain::mail::outbound::job::{MailKind, OutboundJob, OutboxState};
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::ports::{Clock, IdSource};

fn line(
    who: &str,
    kind: AlertKind,
    ticket: &helpdesk_domain::TicketRef,
    at: chrono::DateTime<chrono::Utc>,
) -> AlertLine {
    AlertLine {
        kind,
        ticket: ticket.clone(),
        category: crate::fixtures::category_id("billing"),
        subject: "Charged twice".into(),
        requester: "jane@example.com".into(),
        at,
        agent: agent_id(who),
    }
}

pub async fn presence_is_noted_at_most_once_a_minute_and_forgotten_on_leaving(stores: &Stores) {
    let (clock, _) = setup();
    let t0 = clock.now();
    let ana = agent_id("presence-ana");
    let seen = |stores: &Stores| {
        let tickets = stores.tickets.clone();
        let ana = ana.clone();
        async move { tickets.agents_seen().await.unwrap().get(&ana).copied() }
    };
    assert_eq!(seen(stores).await, None);
    stores.tickets.saw_agent(&ana, t0).await.unwrap();
    assert_eq!(seen(stores).await, Some(t0));
    // 30 s later: the note stands (a console asks every 15 s).
    stores
        .tickets
        .saw_agent(&ana, t0 + Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(seen(stores).await, Some(t0));
    let later = t0 + Duration::seconds(61);
    stores.tickets.saw_agent(&ana, later).await.unwrap();
    assert_eq!(seen(stores).await, Some(later));
    // Leaving: noted as seen just long enough ago to be away, so "back in the
    // console since an alert" still holds.
    let left = later + Duration::seconds(20);
    stores.tickets.left_console(&ana, left).await.unwrap();
    let away = helpdesk_domain::agents::alert_mail::left_at(left);
    assert_eq!(seen(stores).await, Some(away));
    assert_eq!(stores.tickets.agent_seen(&ana).await, Ok(Some(away)));
    assert!(!helpdesk_domain::agents::alerts::active(Some(away), left));
    // The console asking again right after: noted at once (the note is old).
    stores
        .tickets
        .saw_agent(&ana, left + Duration::seconds(5))
        .await
        .unwrap();
    assert_eq!(seen(stores).await, Some(left + Duration::seconds(5)));
    assert_eq!(
        stores.tickets.agent_seen(&agent_id("never-here")).await,
        Ok(None)
    );
}

pub async fn an_alert_is_noted_once_per_kind_and_ticket_until_the_agent_is_seen(stores: &Stores) {
    let (clock, ids) = setup();
    let t0 = clock.now();
    let (one, two) = (ids.ticket_ref(), ids.ticket_ref());
    let first = line("note-ana", AlertKind::CustomerReplied, &one, t0);
    let job = ids.outbox_id();
    let log = &stores.mail;
    assert_eq!(log.note_alert(&first, &job, false, None).await, Ok(true));
    // The same job again (a redelivery): still its own.
    assert_eq!(log.note_alert(&first, &job, false, None).await, Ok(true));
    // Another reply, the agent not seen since: refused.
    let second = AlertLine {
        at: t0 + Duration::minutes(5),
        ..first.clone()
    };
    assert_eq!(
        log.note_alert(
            &second,
            &ids.outbox_id(),
            false,
            Some(t0 - Duration::minutes(1))
        )
        .await,
        Ok(false)
    );
    // Another kind, or another ticket: news of their own.
    let assigned = AlertLine {
        kind: AlertKind::Assigned,
        ..second.clone()
    };
    assert_eq!(
        log.note_alert(&assigned, &ids.outbox_id(), false, None)
            .await,
        Ok(true)
    );
    let elsewhere = AlertLine {
        ticket: two,
        ..second.clone()
    };
    assert_eq!(
        log.note_alert(&elsewhere, &ids.outbox_id(), false, None)
            .await,
        Ok(true)
    );
    // Seen after the first alert: told again.
    assert_eq!(
        log.note_alert(
            &second,
            &ids.outbox_id(),
            false,
            Some(t0 + Duration::minutes(1))
        )
        .await,
        Ok(true)
    );
    // None of them waits for a digest.
    assert_eq!(log.waiting_alerts(&agent_id("note-ana")).await, Ok(vec![]));
}

pub async fn waiting_alerts_close_once_with_their_digest(stores: &Stores) {
    let (clock, ids) = setup();
    let t0 = clock.now();
    let who = "digest-ana";
    let (one, two) = (ids.ticket_ref(), ids.ticket_ref());
    let a = line(who, AlertKind::NewTicket, &one, t0);
    let b = line(who, AlertKind::NewTicket, &two, t0 + Duration::minutes(1));
    let log = &stores.mail;
    let a_job = ids.outbox_id();
    assert_eq!(log.note_alert(&a, &a_job, true, None).await, Ok(true));
    assert_eq!(
        log.note_alert(&b, &ids.outbox_id(), true, None).await,
        Ok(true)
    );
    let mut waiting = log.waiting_alerts(&agent_id(who)).await.unwrap();
    waiting.sort_by_key(|l| l.at);
    assert_eq!(waiting, vec![a.clone(), b.clone()]);
    let digest = OutboundJob {
        outbox_id: ids.outbox_id(),
        kind: MailKind::AlertDigest,
        ticket: None,
        message: None,
        recipient: email("digest-ana@helpdesk.test"),
        throttled: 0,
        digest: None,
        alert: Some(Box::new(AlertMail::Digest(AlertDigest {
            lines: waiting.clone(),
        }))),
    };
    let at = t0 + Duration::minutes(20);
    log.close_alerts(&waiting, Some(&digest), at).await.unwrap();
    assert_eq!(log.waiting_alerts(&agent_id(who)).await, Ok(vec![]));
    // The digest is stored whole and queued.
    let (stored, state) = log.outbox_item(&digest.outbox_id).await.unwrap().unwrap();
    assert_eq!((stored, state), (digest.clone(), OutboxState::Queued));
    // The job that noted a line, handed over again: its own, and the line stays closed.
    assert_eq!(log.note_alert(&a, &a_job, true, None).await, Ok(true));
    assert_eq!(log.waiting_alerts(&agent_id(who)).await, Ok(vec![]));
    // Closing them again (a second pass): refused, nothing stored twice.
    assert_eq!(
        log.close_alerts(&waiting, Some(&digest), at).await,
        Err(StoreError::Conflict)
    );
    // A line replaced after it was read (newer news) is not closed by the old read.
    let c = line(who, AlertKind::CustomerReplied, &one, t0);
    log.note_alert(&c, &ids.outbox_id(), true, None)
        .await
        .unwrap();
    let newer = AlertLine {
        at: t0 + Duration::minutes(30),
        ..c.clone()
    };
    log.note_alert(
        &newer,
        &ids.outbox_id(),
        true,
        Some(t0 + Duration::minutes(25)),
    )
    .await
    .unwrap();
    assert_eq!(
        log.close_alerts(&[c], None, at).await,
        Err(StoreError::Conflict)
    );
    assert_eq!(
        log.waiting_alerts(&agent_id(who)).await,
        Ok(vec![newer.clone()])
    );
    log.close_alerts(&[newer], None, at).await.unwrap();
    assert_eq!(log.waiting_alerts(&agent_id(who)).await, Ok(vec![]));
}

pub async fn alert_choices_change_alone(stores: &Stores) {
    let mut ana = agent("choices-ana", Role::Agent, &["billing"]);
    ana.signature = Some("Ana".into());
    stores.catalog.put_agent(&ana).await.unwrap();
    assert_eq!(
        stores
            .catalog
            .agent(&ana.id)
            .await
            .unwrap()
            .unwrap()
            .alert_choices(),
        AlertChoices::default()
    );
    let choices = AlertChoices {
        new_ticket: true,
        assigned: true,
        customer_replied: false,
        sla_warning: false,
        digest_minutes: Some(DigestMinutes(60)),
    };
    let saved = stores
        .catalog
        .set_alert_choices(&ana.id, &choices)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        saved,
        helpdesk_domain::agents::profile::Agent {
            alerts: Some(choices.clone()),
            ..ana.clone()
        }
    );
    assert_eq!(stores.catalog.agent(&ana.id).await.unwrap(), Some(saved));
    assert_eq!(
        stores
            .catalog
            .set_alert_choices(&agent_id("nobody-here"), &choices)
            .await,
        Ok(None)
    );
}

pub async fn a_customer_note_is_kept_per_address_whatever_its_case(stores: &Stores) {
    use helpdesk_domain::ports::store::CustomerNote;
    let (clock, _) = setup();
    let jane = email("Jane.Note@Example.com");
    assert_eq!(stores.tickets.customer_note(&jane).await, Ok(None));
    let note = CustomerNote {
        text: "Prefers mail.\nVIP.".into(),
        by: agent_id("ana"),
        at: clock.now(),
    };
    stores
        .tickets
        .set_customer_note(&jane, Some(&note))
        .await
        .unwrap();
    assert_eq!(
        stores
            .tickets
            .customer_note(&email("jane.note@example.com"))
            .await,
        Ok(Some(note.clone()))
    );
    assert_eq!(
        stores
            .tickets
            .customer_note(&email("other@example.com"))
            .await,
        Ok(None)
    );
    stores.tickets.set_customer_note(&jane, None).await.unwrap();
    assert_eq!(stores.tickets.customer_note(&jane).await, Ok(None));
    // Removing what is not there is no error.
    stores.tickets.set_customer_note(&jane, None).await.unwrap();
}

pub async fn tags_in_use_are_a_set_that_grows_and_forgets(stores: &Stores) {
    use helpdesk_domain::values::tag::Tag;
    let tag = |s: &str| Tag::parse(s).unwrap();
    let before = stores.tickets.tags_in_use().await.unwrap();
    stores.tickets.note_tags(&[]).await.unwrap();
    stores
        .tickets
        .note_tags(&[tag("contract-refund"), tag("contract-vip")])
        .await
        .unwrap();
    stores
        .tickets
        .note_tags(&[tag("contract-vip"), tag("contract-kettle")])
        .await
        .unwrap();
    let after = stores.tickets.tags_in_use().await.unwrap();
    let new: Vec<&str> = after
        .iter()
        .filter(|t| !before.contains(t))
        .map(|t| t.as_str())
        .collect();
    assert_eq!(new, ["contract-kettle", "contract-refund", "contract-vip"]);
    // A tag renamed away leaves the list; forgetting one not there is no error.
    stores
        .tickets
        .forget_tags(&[tag("contract-vip"), tag("contract-never")])
        .await
        .unwrap();
    let left = stores.tickets.tags_in_use().await.unwrap();
    assert!(!left.contains(&tag("contract-vip")));
    assert!(left.contains(&tag("contract-kettle")));
    stores.tickets.forget_tags(&[]).await.unwrap();
}

pub async fn saved_views_are_kept_per_scope_and_deleted_alone(stores: &Stores) {
    use helpdesk_domain::agents::saved_views::{SavedView, ViewScope};
    let (clock, _) = setup();
    let view = |id: &str, owner: &str, shared: Option<&str>| SavedView {
        id: id.into(),
        name: format!("View {id}"),
        owner: agent_id(owner),
        shared_with: shared.map(crate::fixtures::category_id),
        search: [("q".to_owned(), "refund".to_owned())]
            .into_iter()
            .collect(),
        created_at: clock.now(),
    };
    let mine = view("v1", "ana", None);
    let team = view("v2", "ana", Some("billing"));
    let bens = view("v3", "ben", None);
    for v in [&mine, &team, &bens] {
        stores.tickets.put_saved_view(v).await.unwrap();
    }
    let ana = ViewScope::Mine(agent_id("ana"));
    let billing = ViewScope::Team(crate::fixtures::category_id("billing"));
    assert_eq!(
        stores.tickets.saved_views(&ana).await.unwrap(),
        vec![mine.clone()]
    );
    assert_eq!(
        stores.tickets.saved_views(&billing).await.unwrap(),
        vec![team.clone()]
    );
    // Saved again under its id: replaced, not doubled.
    let mut renamed = mine.clone();
    renamed.name = "Refunds".into();
    stores.tickets.put_saved_view(&renamed).await.unwrap();
    assert_eq!(
        stores.tickets.saved_views(&ana).await.unwrap(),
        vec![renamed]
    );
    stores.tickets.delete_saved_view(&ana, "v1").await.unwrap();
    assert!(stores.tickets.saved_views(&ana).await.unwrap().is_empty());
    // Deleting what is not there is no error.
    stores.tickets.delete_saved_view(&ana, "v1").await.unwrap();
    assert_eq!(
        stores.tickets.saved_views(&billing).await.unwrap(),
        vec![team]
    );
    assert_eq!(
        stores
            .tickets
            .saved_views(&ViewScope::Mine(agent_id("ben")))
            .await
            .unwrap(),
        vec![bens]
    );
}
