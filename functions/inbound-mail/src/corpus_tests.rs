//! The mail corpus (`tests/mail/`) through the inbox on the in-memory fakes: what
//! each kind of mail becomes, and the handler's batch behaviour.

use helpdesk_domain::mail::inbound::auto::AutoReason;
use helpdesk_domain::mail::inbound::quarantine::QuarantineReason;
use helpdesk_domain::mail::inbound::receive::Received;
use helpdesk_domain::mail::outbound::job::MailKind;
use helpdesk_domain::ports::AgentProfiles;
use helpdesk_domain::ports::Clock;
use helpdesk_domain::ports::Quarantine;
use helpdesk_domain::ports::TicketRecords;
use helpdesk_domain::ports::store::TicketThread;
use helpdesk_domain::{Message, MessageKind, Status, ThreadedBy, TicketRef};
use testkit::mail_harness::{MailHarness, corpus};

async fn thread(h: &MailHarness, r: &TicketRef) -> TicketThread {
    h.store.load_ticket(r).await.unwrap()
}

async fn created(h: &MailHarness, ses: &str, name: &str) -> (TicketRef, Message) {
    match h.deliver(ses, &corpus(name, "", "")).await {
        Ok(Received::Created(r)) => {
            let t = thread(h, &r).await;
            (r, t.messages[0].clone())
        }
        other => panic!("{name}: {other:?}"),
    }
}

#[tokio::test]
async fn plain_mail_opens_a_ticket_with_its_verdicts_and_queues_one_confirmation() {
    let h = MailHarness::new().await;
    let (r, m) = created(&h, "ses-plain", "plain.eml").await;
    let t = thread(&h, &r).await.ticket;
    assert_eq!(t.subject.as_str(), "Router keeps rebooting");
    assert_eq!(t.requester.name.as_str(), "Ann Example");
    assert_eq!(t.category.as_str(), "support");
    assert_eq!(t.status, Status::New);
    assert!(t.due_at.is_some(), "the SLA clock runs from the first mail");
    assert!(
        m.body_text.contains("reboots every ten minutes"),
        "{}",
        m.body_text
    );
    assert_eq!(m.threaded_by, ThreadedBy::NewTicket);
    let email = m.email.unwrap();
    assert_eq!(
        email.message_id.as_deref(),
        Some("plain-1@mail.example.org")
    );
    assert_eq!(email.ses_message_id.as_deref(), Some("ses-plain"));
    let auth = email.authentication.unwrap();
    assert_eq!(
        (
            auth.spf.as_deref(),
            auth.dkim.as_deref(),
            auth.dmarc.as_deref()
        ),
        (Some("pass"), Some("pass"), Some("pass"))
    );
    let jobs = h.queue.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, MailKind::TicketConfirmation);
    assert_eq!(jobs[0].recipient.as_str(), "ann@example.org");
}

#[tokio::test]
async fn the_recipient_address_picks_the_category() {
    let h = MailHarness::new().await;
    let raw = String::from_utf8(corpus("plain.eml", "", ""))
        .unwrap()
        .replace(
            "To: Support <support@helpdesk.test>",
            "To: Billing <Billing@helpdesk.test>",
        );
    let Ok(Received::Created(r)) = h.deliver("ses-billing", raw.as_bytes()).await else {
        panic!("no ticket")
    };
    assert_eq!(thread(&h, &r).await.ticket.category.as_str(), "billing");
}

#[tokio::test]
async fn mail_from_a_listed_customer_opens_a_premium_ticket_with_its_sooner_promise() {
    use helpdesk_domain::ports::CustomerTiers;
    let standard = MailHarness::new().await;
    let (r, _) = created(&standard, "ses-plain", "plain.eml").await;
    let before = thread(&standard, &r).await.ticket;
    assert_eq!(before.tier, helpdesk_domain::Tier::Standard);

    let h = MailHarness::new().await;
    h.store
        .put_tier_rule(&helpdesk_domain::customers::tier_rule::TierRule {
            pattern: helpdesk_domain::mail::inbound::quarantine::SenderPattern::parse(
                "ann@example.org",
            )
            .unwrap(),
            tier: helpdesk_domain::Tier::Premium,
            note: "Business plan".into(),
            by: testkit::fixtures::agent_id("adam"),
            at: h.clock.now(),
        })
        .await
        .unwrap();
    let (r, _) = created(&h, "ses-plain", "plain.eml").await;
    let t = thread(&h, &r).await.ticket;
    assert_eq!(t.tier, helpdesk_domain::Tier::Premium);
    assert!(
        t.due_at < before.due_at,
        "{:?} is sooner than {:?}",
        t.due_at,
        before.due_at
    );
}

#[tokio::test]
async fn html_is_sanitized_and_remote_images_are_blocked() {
    let h = MailHarness::new().await;
    let (_, m) = created(&h, "ses-html", "html-only.eml").await;
    assert!(m.body_text.contains("charged twice"), "{}", m.body_text);
    let html = m.body_html.unwrap();
    let html = html.as_str();
    assert!(html.contains("<b>why</b>"), "{html}");
    for bad in ["script", "alert", "tracker.example.net", "onerror", "steal"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert_eq!(m.email.unwrap().remote_images_blocked, 1);

    let (_, alt) = created(&h, "ses-alt", "alternative.eml").await;
    assert_eq!(alt.body_text, "The reset mail never arrives.");
    assert!(alt.body_html.unwrap().as_str().contains("<i>never</i>"));
}

#[tokio::test]
async fn attachments_inline_images_and_forwarded_mail_are_stored_as_files() {
    let h = MailHarness::new().await;
    let (_, m) = created(&h, "ses-att", "attachment.eml").await;
    assert_eq!(m.attachments.len(), 1);
    let a = &m.attachments[0];
    assert_eq!(
        (a.filename.as_str(), a.content_type.as_str()),
        // The same safe-name rule as uploads.
        ("invoice_2026-03.pdf", "application/pdf")
    );
    assert!(a.key.starts_with("mail/ses-att/0-") && a.size > 20, "{a:?}");
    use helpdesk_domain::ports::AttachmentStore;
    let stored = h.attachments.describe(&a.key).await.unwrap().unwrap();
    assert_eq!(stored.size, a.size);

    let (_, inline) = created(&h, "ses-inline", "inline-image.eml").await;
    assert_eq!(inline.attachments[0].content_type, "image/png");
    assert!(
        inline
            .body_html
            .unwrap()
            .as_str()
            .contains("cid:shot1@example.org")
    );

    let (_, fwd) = created(&h, "ses-fwd", "forwarded.eml").await;
    assert!(fwd.body_text.contains("order never came"));
    assert_eq!(fwd.attachments[0].content_type, "message/rfc822");
}

#[tokio::test]
async fn other_charsets_are_decoded() {
    let h = MailHarness::new().await;
    let (r, m) = created(&h, "ses-latin1", "latin1.eml").await;
    let t = thread(&h, &r).await.ticket;
    assert_eq!(t.subject.as_str(), "Rechnung für März");
    assert_eq!(t.requester.name.as_str(), "Jürgen Müller");
    assert!(
        m.body_text.contains("Grüße, die Rechnung für März"),
        "{}",
        m.body_text
    );
    let (_, cp) = created(&h, "ses-1252", "windows-1252.eml").await;
    assert!(
        cp.body_text.contains("“error” – costs € 20"),
        "{}",
        cp.body_text
    );
    let (r, sj) = created(&h, "ses-sjis", "shift-jis.eml").await;
    assert!(
        sj.body_text.contains("注文が届きません"),
        "{}",
        sj.body_text
    );
    assert!(!thread(&h, &r).await.ticket.subject.as_str().contains("=?"));
}

#[tokio::test]
async fn automatic_mail_never_opens_a_ticket_or_gets_an_answer() {
    let h = MailHarness::new().await;
    let cases = [
        (
            "auto-submitted.eml",
            AutoReason::AutoSubmitted("auto-replied".into()),
        ),
        (
            "auto-precedence.eml",
            AutoReason::Precedence("auto_reply".into()),
        ),
        ("auto-x-autoreply.eml", AutoReason::XAutoreply),
        ("auto-suppress.eml", AutoReason::AutoResponseSuppress),
        ("list-mail.eml", AutoReason::ListId),
        ("null-return-path.eml", AutoReason::NullReturnPath),
        ("dsn-bounce.eml", AutoReason::NullReturnPath),
    ];
    for (n, (name, reason)) in cases.into_iter().enumerate() {
        let got = h
            .deliver(&format!("ses-auto-{n}"), &corpus(name, "", ""))
            .await;
        assert_eq!(
            got,
            Ok(Received::Quarantined(QuarantineReason::Automatic(reason))),
            "{name}"
        );
    }
    assert!(h.queue.jobs().is_empty(), "nothing answered");
    let day = h.store.quarantined(h.clock_day(), None, 100).await.unwrap();
    assert_eq!(day.len(), 7);
}

#[tokio::test]
async fn a_bounce_is_recognised_by_its_report_type_and_sender_too() {
    let h = MailHarness::new().await;
    let raw = String::from_utf8(corpus("dsn-bounce.eml", "", ""))
        .unwrap()
        .replace("Return-Path: <>\r\n", "");
    let got = h.deliver("ses-dsn", raw.as_bytes()).await;
    assert_eq!(
        got,
        Ok(Received::Quarantined(QuarantineReason::Automatic(
            AutoReason::DeliveryReport
        )))
    );
}

#[tokio::test]
async fn spam_and_virus_verdicts_quarantine_and_a_forged_pass_does_not_help() {
    let h = MailHarness::new().await;
    for (ses, name, reason) in [
        ("ses-spam", "spam-fail.eml", QuarantineReason::Spam),
        ("ses-virus", "virus-fail.eml", QuarantineReason::Virus),
        ("ses-forged", "forged-verdict.eml", QuarantineReason::Spam),
    ] {
        assert_eq!(
            h.deliver(ses, &corpus(name, "", "")).await,
            Ok(Received::Quarantined(reason)),
            "{name}"
        );
    }
    assert!(h.queue.jobs().is_empty());
    let seen = h.store.quarantined(h.clock_day(), None, 100).await.unwrap();
    let spam = seen.iter().find(|q| q.ses_id == "ses-spam");
    assert_eq!(
        spam.and_then(|q| q.from.as_deref()),
        Some("winner@example.net")
    );
}

#[tokio::test]
async fn the_same_stored_mail_delivered_twice_is_one_message() {
    let h = MailHarness::new().await;
    let raw = corpus("plain.eml", "", "");
    let Ok(Received::Created(r)) = h.deliver("ses-twice", &raw).await else {
        panic!()
    };
    assert_eq!(
        h.deliver("ses-twice", &raw).await,
        Ok(Received::AlreadyHandled)
    );
    assert_eq!(thread(&h, &r).await.messages.len(), 1);
    assert_eq!(h.queue.jobs().len(), 1, "one confirmation");
    // The same for a reply and for a quarantined mail.
    let reply = corpus("reply-gmail.eml", r.as_str(), "plain-1@mail.example.org");
    assert!(matches!(
        h.deliver("ses-reply", &reply).await,
        Ok(Received::Appended(..))
    ));
    assert_eq!(
        h.deliver("ses-reply", &reply).await,
        Ok(Received::AlreadyHandled)
    );
    assert_eq!(thread(&h, &r).await.messages.len(), 2);
    let spam = corpus("spam-fail.eml", "", "");
    assert!(matches!(
        h.deliver("ses-sp", &spam).await,
        Ok(Received::Quarantined(_))
    ));
    assert_eq!(
        h.deliver("ses-sp", &spam).await,
        Ok(Received::AlreadyHandled)
    );
}

/// The sender's server (or SES) delivering the same mail again stores it under a
/// new SES id, with transport headers of its own: still one ticket, one
/// confirmation, one message per reply. The same sender reusing a Message-ID for
/// a mail that says something else is not a duplicate.
#[tokio::test]
async fn the_same_mail_delivered_again_under_a_new_ses_id_is_one_ticket_and_one_message() {
    let h = MailHarness::new().await;
    let raw = corpus("plain.eml", "", "");
    let Ok(Received::Created(r)) = h.deliver("ses-first-try", &raw).await else {
        panic!()
    };
    let mut again = b"Received: from mx2.example.org by inbound-smtp (retry)\r\n".to_vec();
    again.extend_from_slice(&raw);
    assert_eq!(
        h.deliver("ses-second-try", &again).await,
        Ok(Received::AlreadyHandled)
    );
    assert_eq!(thread(&h, &r).await.messages.len(), 1);
    assert_eq!(h.queue.jobs().len(), 1, "one confirmation");

    let reply = corpus("reply-gmail.eml", r.as_str(), "plain-1@mail.example.org");
    assert!(matches!(
        h.deliver("ses-reply-1", &reply).await,
        Ok(Received::Appended(..))
    ));
    assert_eq!(
        h.deliver("ses-reply-2", &reply).await,
        Ok(Received::AlreadyHandled)
    );
    assert_eq!(thread(&h, &r).await.messages.len(), 2);

    // Same Message-ID, same sender, other words: a mail of its own.
    let text = String::from_utf8(raw).unwrap();
    let other = text.replace("Subject: ", "Subject: Also: ");
    assert_ne!(other, text);
    assert!(matches!(
        h.deliver("ses-reused-id", other.as_bytes()).await,
        Ok(Received::Created(_))
    ));
    assert_eq!(h.queue.jobs().len(), 2);
}

#[tokio::test]
async fn replies_from_every_client_thread_and_keep_only_the_new_text() {
    let cases = [
        ("reply-gmail.eml", "That fixed it, thank you!"),
        ("reply-outlook.eml", "It happens again since this morning."),
        ("reply-apple.eml", "Done, works now."),
        ("reply-thunderbird.eml", "Serial is 12345."),
    ];
    for (name, new_text) in cases {
        let h = MailHarness::new().await;
        let (r, _) = created(&h, "ses-first", "plain.eml").await;
        let raw = corpus(name, r.as_str(), "plain-1@mail.example.org");
        let got = h.deliver("ses-second", &raw).await;
        assert_eq!(
            got,
            Ok(Received::Appended(r.clone(), ThreadedBy::RecordedMessageId)),
            "{name}"
        );
        let t = thread(&h, &r).await;
        let m = &t.messages[1];
        assert_eq!(m.body_text, new_text, "{name}");
        assert!(
            m.email
                .as_ref()
                .unwrap()
                .full_text
                .as_deref()
                .unwrap_or("")
                .len()
                > new_text.len()
        );
        assert_eq!(
            h.queue.jobs().len(),
            1,
            "{name}: no confirmation for a reply"
        );
    }
}

#[tokio::test]
async fn a_reply_reopens_a_ticket_waiting_on_the_customer() {
    let h = MailHarness::new().await;
    let (r, _) = created(&h, "ses-first", "plain.eml").await;
    let before = thread(&h, &r).await.ticket;
    let mut after = before.clone();
    after
        .change_status(Status::WaitingOnCustomer, h.clock_now())
        .unwrap();
    h.store
        .update_ticket(helpdesk_domain::ports::store::TicketUpdate::new(
            &before,
            after,
            vec![],
        ))
        .await
        .unwrap();
    let raw = corpus("reply-gmail.eml", r.as_str(), "plain-1@mail.example.org");
    h.deliver("ses-second", &raw).await.unwrap();
    assert_eq!(thread(&h, &r).await.ticket.status, Status::Open);
}

#[tokio::test]
async fn a_cc_d_colleague_threads_by_message_id_and_is_the_author() {
    let h = MailHarness::new().await;
    // Ann's first mail copies Carl in: he is one of the ticket's people.
    let first = String::from_utf8(corpus("plain.eml", "", ""))
        .unwrap()
        .replace(
            "To: Support <support@helpdesk.test>\r\n",
            "To: Support <support@helpdesk.test>\r\nCc: Carl Colleague <carl@example.org>\r\n",
        );
    let Ok(Received::Created(r)) = h.deliver("ses-first", first.as_bytes()).await else {
        panic!()
    };
    let raw = corpus("cc-reply.eml", r.as_str(), "plain-1@mail.example.org");
    assert_eq!(
        h.deliver("ses-cc", &raw).await,
        Ok(Received::Appended(r.clone(), ThreadedBy::RecordedMessageId))
    );
    let m = thread(&h, &r).await.messages[1].clone();
    assert_eq!(m.kind, MessageKind::Customer);
    assert!(
        matches!(m.author, helpdesk_domain::Author::Customer { ref email, .. } if email.as_str() == "carl@example.org")
    );
}

#[tokio::test]
async fn everyone_a_mail_names_is_linked_to_its_ticket_even_when_not_copied_in() {
    use helpdesk_domain::ports::Erasure;
    let h = MailHarness::new().await;
    // Not authenticated: Carl and Dora are not made people of the ticket, but
    // the mail as stored names them (erasing either must find it).
    let raw = String::from_utf8(corpus("plain.eml", "", ""))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("Authentication-Results"))
        .collect::<Vec<_>>()
        .join("\r\n")
        .replace(
            "To: Support <support@helpdesk.test>",
            "To: Support <support@helpdesk.test>, dora@example.net\r\n\
             Cc: Carl <carl@example.org>, Ann <ann@example.org>, alerts@helpdesk.test",
        );
    let Ok(Received::Created(r)) = h.deliver("ses-named", raw.as_bytes()).await else {
        panic!()
    };
    let t = thread(&h, &r).await;
    assert!(
        t.ticket.participants.is_empty(),
        "{:?}",
        t.ticket.participants
    );
    let named: Vec<&str> = t.messages[0]
        .email
        .as_ref()
        .unwrap()
        .named
        .iter()
        .map(|a| a.as_str())
        .collect();
    // Not us, not the sender.
    assert_eq!(named, ["dora@example.net", "carl@example.org"]);
    for who in ["carl@example.org", "dora@example.net"] {
        let who = helpdesk_domain::EmailAddress::parse(who).unwrap();
        assert_eq!(
            h.store.tickets_linked_to(&who, 10).await,
            Ok(vec![r.clone()])
        );
    }
}

#[tokio::test]
async fn a_colleague_ann_never_copied_in_gets_a_ticket_of_his_own() {
    let h = MailHarness::new().await;
    let (r, _) = created(&h, "ses-first", "plain.eml").await;
    let raw = corpus("cc-reply.eml", r.as_str(), "plain-1@mail.example.org");
    let Ok(Received::Created(carl)) = h.deliver("ses-cc", &raw).await else {
        panic!()
    };
    assert_ne!(carl, r);
    assert_eq!(thread(&h, &r).await.messages.len(), 1);
}

/// The forged-mail corpus (`tests/mail/`): what a stranger, another customer or
/// a spoofer sends naming Ann's ticket never lands in it.
mod forged {
    use super::*;
    use helpdesk_domain::EmailAddress;

    async fn ann_ticket(h: &MailHarness) -> TicketRef {
        created(h, "ses-ann", "plain.eml").await.0
    }

    fn untouched(t: &TicketThread) {
        assert_eq!(t.messages.len(), 1, "{:?}", t.messages);
        assert!(
            t.ticket.participants.is_empty(),
            "{:?}",
            t.ticket.participants
        );
    }

    #[tokio::test]
    async fn a_stranger_answering_the_customer_s_message_id_opens_their_own_ticket() {
        let h = MailHarness::new().await;
        let ann = ann_ticket(&h).await;
        let raw = corpus("forged-in-reply-to.eml", "", "plain-1@mail.example.org");
        let Ok(Received::Created(eve)) = h.deliver("ses-eve", &raw).await else {
            panic!()
        };
        assert_ne!(eve, ann);
        untouched(&thread(&h, &ann).await);
        // Eve is on her own ticket only: her next mail naming Ann's (subject
        // reference, our confirmation's id) opens another of her own.
        let again = String::from_utf8(raw)
            .unwrap()
            .replace(
                "Subject: Re: Router",
                &format!("Subject: Re: [#{}] Router", ann.as_str()),
            )
            .replace("forged-1@", "forged-2@");
        let Ok(Received::Created(third)) = h.deliver("ses-eve-2", again.as_bytes()).await else {
            panic!()
        };
        assert!(third != ann && third != eve);
        untouched(&thread(&h, &ann).await);
    }

    #[tokio::test]
    async fn our_confirmation_s_message_id_from_a_stranger_does_not_thread_either() {
        let h = MailHarness::new().await;
        let ann = ann_ticket(&h).await;
        let sent = h.send_queued().await;
        assert!(matches!(
            sent[0].1,
            Ok(helpdesk_domain::mail::outbound::send::Delivery::Sent { .. })
        ));
        let ours = helpdesk_domain::mail::outbound::send::our_message_id(
            &sent[0].0.outbox_id,
            "helpdesk.test",
        );
        let raw = corpus("forged-in-reply-to.eml", "", &ours);
        let Ok(Received::Created(eve)) = h.deliver("ses-eve", &raw).await else {
            panic!()
        };
        assert_ne!(eve, ann);
        untouched(&thread(&h, &ann).await);
    }

    #[tokio::test]
    async fn another_customer_with_a_s_token_and_a_s_in_reply_to_is_refused_both_ways() {
        let h = MailHarness::new().await;
        let ann = ann_ticket(&h).await;
        let ann_address = EmailAddress::parse("ann@example.org").unwrap();
        let reply_to = h
            .keys
            .reply_address(&h.mail_settings.from, &ann, &ann_address);
        let raw = String::from_utf8(corpus(
            "token-from-another-sender.eml",
            ann.as_str(),
            "plain-1@mail.example.org",
        ))
        .unwrap()
        .replace("{REPLY_TO}", reply_to.as_str());
        let Ok(Received::Created(bob)) = h.deliver("ses-bob", raw.as_bytes()).await else {
            panic!()
        };
        assert_ne!(bob, ann);
        untouched(&thread(&h, &ann).await);
    }

    #[tokio::test]
    async fn mail_claiming_our_address_or_an_agent_s_is_quarantined_as_spoofed() {
        let h = MailHarness::new().await;
        let ann = ann_ticket(&h).await;
        h.store
            .put_agent(&helpdesk_domain::agents::profile::Agent {
                email: EmailAddress::parse("ana@shop.example").unwrap(),
                ..testkit::fixtures::agent(
                    "ana",
                    helpdesk_domain::agents::profile::Role::Agent,
                    &["support"],
                )
            })
            .await
            .unwrap();
        for (ses, file) in [
            ("ses-own", "from-our-address.eml"),
            ("ses-agent", "from-an-agent.eml"),
        ] {
            let got = h.deliver(ses, &corpus(file, ann.as_str(), "")).await;
            assert!(
                matches!(got, Ok(Received::Quarantined(QuarantineReason::Spoofed(_)))),
                "{file}: {got:?}"
            );
        }
        untouched(&thread(&h, &ann).await);
        assert_eq!(
            h.queue.jobs().len(),
            1,
            "only Ann's confirmation: nothing answered"
        );
    }

    #[tokio::test]
    async fn attachment_names_and_subjects_cannot_pose_as_something_else() {
        let h = MailHarness::new().await;
        let (r, m) = created(&h, "ses-names", "attachment-name-tricks.eml").await;
        let names: Vec<&str> = m.attachments.iter().map(|a| a.filename.as_str()).collect();
        assert_eq!(names.len(), 2);
        for name in &names {
            assert!(
                name.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_')),
                "{name}"
            );
        }
        assert!(!names[0].ends_with(".html"), "{names:?}");
        assert_eq!(names[1], "invoicefdp.exe", "the override mark is gone");
        let header = helpdesk_domain::customers::attachments::content_disposition(names[0]);
        assert_eq!(header.matches('"').count(), 2, "{header}");
        let t = thread(&h, &r).await;
        assert_eq!(t.ticket.subject.as_str(), "Your invoice gnp.exe");
        assert_eq!(t.ticket.requester.name.as_str(), "Ann elpmaxE");
    }

    #[tokio::test]
    async fn a_mail_ticket_is_verified_when_authenticated_and_a_token_reply_verifies_a_web_one() {
        let h = MailHarness::new().await;
        let ann = ann_ticket(&h).await;
        assert!(thread(&h, &ann).await.ticket.email_verified);
        // A new request whose sender fails DMARC: a ticket, not verified.
        let failing = String::from_utf8(corpus("spoofed-customer-dmarc-fail.eml", "", ""))
            .unwrap()
            .replace("Subject: Re: [#] Router", "Subject: Router");
        let Ok(Received::Created(doubtful)) = h.deliver("ses-doubt", failing.as_bytes()).await
        else {
            panic!()
        };
        assert!(!thread(&h, &doubtful).await.ticket.email_verified);
        // A web request in Ann's name: answering our mail by its reply token shows
        // the address is hers.
        let mut new =
            testkit::fixtures::new_ticket(&h.ids, "support", "ann@example.org", h.clock_now());
        new.ticket.email_verified = false;
        let web = new.ticket.reference.clone();
        h.store.create_ticket(new).await.unwrap();
        let token = h
            .keys
            .sign(&web, &EmailAddress::parse("ann@example.org").unwrap());
        let raw = format!(
            "From: ann@example.org\r\nTo: support+{token}@helpdesk.test\r\nSubject: Re: hello\r\nMessage-ID: <verify-1@x.example>\r\n\r\nThanks, that helps.\r\n"
        );
        assert_eq!(
            h.deliver("ses-verify", raw.as_bytes()).await,
            Ok(Received::Appended(web.clone(), ThreadedBy::ReplyToToken))
        );
        assert!(thread(&h, &web).await.ticket.email_verified);
    }

    /// Ann's genuine reply, as a domain without DMARC would send it: SES's
    /// results vouch for nobody.
    fn without_authentication(raw: Vec<u8>) -> String {
        String::from_utf8(raw).unwrap().replace(
            "dkim=pass header.i=@example.org; dmarc=pass header.from=example.org;",
            "dkim=none; dmarc=none header.from=example.org;",
        )
    }

    #[tokio::test]
    async fn naming_the_ticket_needs_a_domain_that_vouches_for_the_sender_a_token_does_not() {
        let h = MailHarness::new().await;
        let ann = ann_ticket(&h).await;
        // By subject reference alone, and nothing vouches: a ticket of its own.
        let by_subject =
            without_authentication(corpus("reply-gmail.eml", ann.as_str(), "unknown@x"))
                .replace("References: <plain-1@mail.example.org> <unknown@x>\r\n", "")
                .replace("In-Reply-To: <unknown@x>\r\n", "");
        let Ok(Received::Created(other)) = h.deliver("ses-none", by_subject.as_bytes()).await
        else {
            panic!()
        };
        assert_ne!(other, ann);
        untouched(&thread(&h, &ann).await);
        // Her reply address carries a token only she was sent: that is enough.
        let reply_to = h.keys.reply_address(
            &h.mail_settings.from,
            &ann,
            &EmailAddress::parse("ann@example.org").unwrap(),
        );
        let by_token = by_subject
            .replace(
                "To: Support <support@helpdesk.test>",
                &format!("To: <{}>", reply_to.as_str()),
            )
            .replace("gmail-2@", "gmail-3@");
        assert_eq!(
            h.deliver("ses-token", by_token.as_bytes()).await,
            Ok(Received::Appended(ann.clone(), ThreadedBy::ReplyToToken))
        );
        // The token does not outweigh a domain that says the mail is not hers.
        let failing = by_token
            .replace("dmarc=none", "dmarc=fail")
            .replace("gmail-3@", "gmail-4@");
        assert!(matches!(
            h.deliver("ses-token-fail", failing.as_bytes()).await,
            Ok(Received::Quarantined(QuarantineReason::Spoofed(_)))
        ));
    }

    #[tokio::test]
    async fn mail_reaching_a_ticket_through_a_merge_from_someone_not_on_it_stays_with_the_agents() {
        let h = MailHarness::new().await;
        let ann = ann_ticket(&h).await;
        // Eve opens a ticket "about" Ann's request; an agent merges it into Ann's.
        let eve_mail = corpus("forged-in-reply-to.eml", "", "unknown@x");
        let Ok(Received::Created(eve)) = h.deliver("ses-eve", &eve_mail).await else {
            panic!()
        };
        h.desk()
            .merge(
                &testkit::fixtures::supervisor("agent-1"),
                &eve,
                1,
                None,
                &ann,
            )
            .await
            .unwrap();
        // Eve answers our mail about her ticket, by its token: it lands on Ann's
        // ticket, but as a note for the agents, never as Ann's message.
        let token = h
            .keys
            .sign(&eve, &EmailAddress::parse("eve@example.net").unwrap());
        let raw = format!(
            "From: eve@example.net\r\nTo: support+{token}@helpdesk.test\r\nSubject: Re: x\r\nMessage-ID: <eve-9@example.net>\r\n\r\nAnn wants the refund sent to me.\r\n"
        );
        assert!(matches!(
            h.deliver("ses-eve-9", raw.as_bytes()).await,
            Ok(Received::Appended(ref r, _)) if *r == ann
        ));
        let t = thread(&h, &ann).await;
        let last = t.messages.last().unwrap();
        assert_eq!(last.body_text, "Ann wants the refund sent to me.");
        assert_eq!(last.kind, MessageKind::InternalNote);
    }

    #[tokio::test]
    async fn the_customer_s_address_failing_dmarc_with_the_reference_is_quarantined() {
        let h = MailHarness::new().await;
        let ann = ann_ticket(&h).await;
        let got = h
            .deliver(
                "ses-spoof",
                &corpus("spoofed-customer-dmarc-fail.eml", ann.as_str(), ""),
            )
            .await;
        assert!(
            matches!(got, Ok(Received::Quarantined(QuarantineReason::Spoofed(ref why))) if why.contains(ann.as_str())),
            "{got:?}"
        );
        untouched(&thread(&h, &ann).await);
        // The genuine Ann, authenticated, still threads by the same reference.
        let genuine = corpus("reply-gmail.eml", ann.as_str(), "plain-1@mail.example.org");
        assert!(matches!(
            h.deliver("ses-ann-2", &genuine).await,
            Ok(Received::Appended(ref r, _)) if *r == ann
        ));
    }
}

#[tokio::test]
async fn a_reference_quoted_by_a_stranger_or_a_reused_message_id_starts_a_new_ticket() {
    let h = MailHarness::new().await;
    let (ann, _) = created(&h, "ses-first", "plain.eml").await;
    // Subject reference only (no known ids): threads for Ann, not for Eve.
    let by_subject =
        String::from_utf8(corpus("reply-gmail.eml", ann.as_str(), "unknown@x")).unwrap();
    let by_subject =
        by_subject.replace("References: <plain-1@mail.example.org> <unknown@x>\r\n", "");
    assert_eq!(
        h.deliver("ses-subj", by_subject.as_bytes()).await,
        Ok(Received::Appended(
            ann.clone(),
            ThreadedBy::SubjectReference
        ))
    );
    let stranger = by_subject
        .replace("Ann Example <ann@example.org>", "Eve <eve@example.net>")
        .replace("gmail-2@", "eve-2@");
    let Ok(Received::Created(eve)) = h.deliver("ses-eve", stranger.as_bytes()).await else {
        panic!()
    };
    assert_ne!(eve, ann);
    // Eve reusing Ann's Message-ID gets her own ticket and does not steal replies.
    let Ok(Received::Created(reuser)) = h
        .deliver("ses-reuse", &corpus("reused-message-id.eml", "", ""))
        .await
    else {
        panic!()
    };
    assert_ne!(reuser, ann);
    let reply = corpus("reply-gmail.eml", "", "plain-1@mail.example.org");
    assert_eq!(
        h.deliver("ses-after", &reply).await,
        Ok(Received::Appended(
            ann.clone(),
            ThreadedBy::RecordedMessageId
        ))
    );
}

#[tokio::test]
async fn mail_without_message_id_is_accepted() {
    let h = MailHarness::new().await;
    let (_, m) = created(&h, "ses-noid", "no-message-id.eml").await;
    assert_eq!(m.email.unwrap().message_id, None);
}

#[tokio::test]
async fn a_30_mb_attachment_is_stored_whole() {
    let h = MailHarness::new().await;
    // 30 MB is about 41 MB once base64-encoded: just under SES's 40 MiB.
    let payload: Vec<u8> = (0..30_000_000u32).map(|i| (i % 251) as u8).collect();
    let raw = testkit::mail_harness::mail_with_attachment("big.bin", &payload);
    let got = h.deliver("ses-big", &raw).await;
    let Ok(Received::Created(r)) = got else {
        panic!("not created: {got:?}")
    };
    let m = thread(&h, &r).await.messages[0].clone();
    assert_eq!(m.attachments[0].size, payload.len() as u64);
}

#[tokio::test]
async fn mail_over_the_limit_or_unreadable_is_quarantined_not_lost() {
    use helpdesk_domain::mail::inbound::parse::Unreadable;
    let h = MailHarness::new().await;
    assert_eq!(
        h.deliver("ses-empty", b"").await,
        Ok(Received::Quarantined(QuarantineReason::Unreadable(
            Unreadable::Unparseable
        )))
    );
    assert_eq!(
        h.deliver("ses-nofrom", b"Subject: who?\r\n\r\nbody").await,
        Ok(Received::Quarantined(QuarantineReason::Unreadable(
            Unreadable::NoSender
        )))
    );
    let nested = format!(
        "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n{}",
        (1..200)
            .map(|i| format!(
                "--b{}\r\nContent-Type: multipart/mixed; boundary=b{i}\r\n\r\n",
                i - 1
            ))
            .collect::<String>()
    );
    assert_eq!(
        h.deliver("ses-nested", nested.as_bytes()).await,
        Ok(Received::Quarantined(QuarantineReason::Unreadable(
            Unreadable::TooComplex
        )))
    );
    let headers = format!(
        "From: a@example.org\r\nX-Pad: {}\r\n\r\nbody",
        "x".repeat(300 * 1024)
    );
    assert_eq!(
        h.deliver("ses-headers", headers.as_bytes()).await,
        Ok(Received::Quarantined(QuarantineReason::Unreadable(
            Unreadable::HeadersTooLarge
        )))
    );
    assert_eq!(
        h.inbox().receive("raw/never-stored").await,
        Ok(Received::Gone)
    );
}

#[tokio::test]
async fn a_released_spam_verdict_opens_its_ticket_once_and_a_virus_stays_held() {
    use helpdesk_domain::mail::inbound::quarantine::Release;
    let h = MailHarness::new().await;
    let spam = corpus("spam-fail.eml", "", "");
    assert_eq!(
        h.deliver("ses-fp", &spam).await,
        Ok(Received::Quarantined(QuarantineReason::Spam))
    );
    let sue = helpdesk_domain::AgentId::parse("sue").unwrap();
    assert!(matches!(
        h.store.release("ses-fp", &sue, h.clock.now()).await,
        Ok(Release::Released(_))
    ));
    // The release hands the stored mail to receiving again: now a ticket, with
    // its confirmation, and only once however often it comes.
    let key = helpdesk_domain::mail::inbound::parse::raw_mail_key("ses-fp");
    let Ok(Received::Created(r)) = h.inbox().receive(&key).await else {
        panic!("the released mail opens a ticket")
    };
    assert_eq!(h.inbox().receive(&key).await, Ok(Received::AlreadyHandled));
    assert_eq!(thread(&h, &r).await.messages.len(), 1);
    assert_eq!(h.queue.jobs().len(), 1, "one confirmation");

    // A released virus verdict is no release: it is held again.
    let virus = corpus("virus-fail.eml", "", "");
    assert_eq!(
        h.deliver("ses-v", &virus).await,
        Ok(Received::Quarantined(QuarantineReason::Virus))
    );
    // The review refuses it; were the record marked released all the same,
    // receiving still holds it (the virus check comes before any release).
    assert!(matches!(
        h.store.release("ses-v", &sue, h.clock.now()).await,
        Ok(Release::Released(_))
    ));
    let key = helpdesk_domain::mail::inbound::parse::raw_mail_key("ses-v");
    assert_eq!(
        h.inbox().receive(&key).await,
        Ok(Received::AlreadyHandled),
        "quarantined once; releasing a virus changes nothing"
    );
    assert_eq!(h.queue.jobs().len(), 1, "still only the first confirmation");
    let infected = helpdesk_domain::EmailAddress::parse("ann@example.org").unwrap();
    let theirs = h.store.tickets_of_requester(&infected, 10).await.unwrap();
    assert!(theirs.is_empty(), "no ticket from the virus: {theirs:?}");
}

#[tokio::test]
async fn a_released_auto_reply_becomes_a_ticket_that_is_never_answered() {
    use helpdesk_domain::mail::inbound::quarantine::Release;
    let h = MailHarness::new().await;
    let auto = corpus("auto-submitted.eml", "", "");
    assert!(matches!(
        h.deliver("ses-ooo", &auto).await,
        Ok(Received::Quarantined(QuarantineReason::Automatic(_)))
    ));
    let sue = helpdesk_domain::AgentId::parse("sue").unwrap();
    assert!(matches!(
        h.store.release("ses-ooo", &sue, h.clock.now()).await,
        Ok(Release::Released(_))
    ));
    let key = helpdesk_domain::mail::inbound::parse::raw_mail_key("ses-ooo");
    let Ok(Received::Created(r)) = h.inbox().receive(&key).await else {
        panic!("the released mail opens a ticket")
    };
    assert_eq!(thread(&h, &r).await.messages.len(), 1);
    assert!(
        h.queue.jobs().is_empty(),
        "no confirmation to an auto-reply: {:?}",
        h.queue.jobs()
    );
}

#[tokio::test]
async fn a_released_mail_that_turns_out_forged_is_held_again_and_says_so() {
    use helpdesk_domain::mail::inbound::quarantine::Release;
    let h = MailHarness::new().await;
    // Claims to come from us, and SES also judged it spam.
    let forged = String::from_utf8(corpus("from-our-address.eml", "AB12-CD34", ""))
        .unwrap()
        .replace("X-SES-Spam-Verdict: PASS", "X-SES-Spam-Verdict: FAIL");
    assert_eq!(
        h.deliver("ses-us", forged.as_bytes()).await,
        Ok(Received::Quarantined(QuarantineReason::Spam))
    );
    let sue = helpdesk_domain::AgentId::parse("sue").unwrap();
    assert!(matches!(
        h.store.release("ses-us", &sue, h.clock.now()).await,
        Ok(Release::Released(_))
    ));
    let key = helpdesk_domain::mail::inbound::parse::raw_mail_key("ses-us");
    let got = h.inbox().receive(&key).await;
    assert!(
        matches!(got, Ok(Received::Quarantined(QuarantineReason::Spoofed(_)))),
        "{got:?}"
    );
    let record = h.store.held("ses-us").await.unwrap().unwrap();
    assert!(
        matches!(record.reason, QuarantineReason::Spoofed(_)),
        "the list no longer shows it as spam, released: {record:?}"
    );
    assert_eq!(record.released.map(|r| r.by), Some(sue));
    assert!(h.queue.jobs().is_empty(), "nothing answered");
}

#[tokio::test]
async fn a_blocked_domain_is_held_an_allowed_sender_passes_its_spam_verdict_but_not_a_virus() {
    use helpdesk_domain::mail::inbound::quarantine::{SenderPattern, SenderRule, SenderVerdict};
    use helpdesk_domain::ports::SenderRules;
    let h = MailHarness::new().await;
    let rule = |text: &str, verdict| SenderRule {
        pattern: SenderPattern::parse(text).unwrap(),
        verdict,
        by: helpdesk_domain::AgentId::parse("sue").unwrap(),
        at: h.clock.now(),
    };
    // plain.eml comes from ann@example.org.
    h.store
        .put_sender_rule(&rule("@example.org", SenderVerdict::Block))
        .await
        .unwrap();
    assert_eq!(
        h.deliver("ses-b", &corpus("plain.eml", "", "")).await,
        Ok(Received::Quarantined(QuarantineReason::Blocked(
            "@example.org".into()
        )))
    );
    assert!(
        h.queue.jobs().is_empty(),
        "no confirmation to a blocked sender"
    );
    // The spam mail's sender, always allowed: its spam verdict is overruled when
    // authentication vouches for the From address, and only then (anyone can
    // write an allowed address into From).
    h.store
        .put_sender_rule(&rule("winner@example.net", SenderVerdict::Allow))
        .await
        .unwrap();
    assert_eq!(
        h.deliver("ses-forged-allowed", &corpus("spam-fail.eml", "", ""))
            .await,
        Ok(Received::Quarantined(QuarantineReason::Spam)),
        "DMARC passed for another domain: not the allowed sender's word"
    );
    let authenticated = String::from_utf8(corpus("spam-fail.eml", "", ""))
        .unwrap()
        .replace("header.from=example.org", "header.from=example.net")
        .replace("<spam-1@example.net>", "<spam-2@example.net>");
    assert!(matches!(
        h.deliver("ses-a", authenticated.as_bytes()).await,
        Ok(Received::Created(_))
    ));
    // Never a virus, allowed or not.
    let virus = String::from_utf8(corpus("virus-fail.eml", "", "")).unwrap();
    let from = virus
        .lines()
        .find_map(|l| l.strip_prefix("From: "))
        .unwrap_or_default()
        .to_owned();
    let address = from
        .rsplit_once('<')
        .map_or(from.as_str(), |(_, a)| a.trim_end_matches('>'))
        .to_owned();
    h.store
        .put_sender_rule(&rule(&address, SenderVerdict::Allow))
        .await
        .unwrap();
    assert_eq!(
        h.deliver("ses-v2", virus.as_bytes()).await,
        Ok(Received::Quarantined(QuarantineReason::Virus))
    );
}

#[tokio::test]
async fn mail_from_someone_an_agent_copied_threads_into_the_ticket_it_names() {
    let h = MailHarness::new().await;
    let r = match h.deliver("ses-first", &corpus("plain.eml", "", "")).await {
        Ok(Received::Created(r)) => r,
        other => panic!("{other:?}"),
    };
    // Before anyone copied Eve, her mail naming the ticket opens one of its own.
    let eve = corpus("participant-cascade.eml", r.as_str(), "");
    let before = h.deliver("ses-eve-1", &eve).await;
    assert!(matches!(before, Ok(Received::Created(_))), "{before:?}");
    let agent = testkit::fixtures::supervisor("ana");
    let cc = vec![helpdesk_domain::EmailAddress::parse("eve@example.net").unwrap()];
    h.desk()
        .act(
            &agent,
            &r,
            1,
            None,
            helpdesk_domain::agents::actions::Action::Cc { to: cc },
        )
        .await
        .unwrap();
    let again = String::from_utf8(eve)
        .unwrap()
        .replace("<forged-2@example.net>", "<eve-3@example.net>");
    let after = h.deliver("ses-eve-2", again.as_bytes()).await;
    assert!(
        matches!(&after, Ok(Received::Appended(t, _)) if *t == r),
        "{after:?}"
    );
}
