//! Mail both ways on the local stack: SES's S3 → SQS path into inbound-mail, the
//! outbound queue into send-reply and moto's SES, and back — with the functions'
//! own handlers and configs, and redelivery at every step.

// A failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use helpdesk_domain::agents::actions::Desk;
use helpdesk_domain::ports::MessageIds;
use helpdesk_domain::ports::Outbox;
use helpdesk_domain::ports::Quarantine;
use helpdesk_domain::ports::TicketRecords;
use helpdesk_domain::ports::{AgentProfiles, Categories, SlaPolicies};
use helpdesk_domain::ports::{Clock, SystemClock};
use helpdesk_domain::{EmailAddress, Status, ThreadedBy, TicketRef};
use lambda_kit::config::{InboundMailConfig, SendReplyConfig};
use testkit::fixtures::{category, office_policy};
use testkit::local::{LocalEnv, unique};
use testkit::mail_harness::corpus;

/// What the event source mapping would hand a function: the waiting messages of
/// the queue named by `queue_var`.
pub async fn receive_batch(env: &LocalEnv, queue_var: &str) -> SqsEvent {
    let out = env
        .aws
        .sqs()
        .receive_message()
        .queue_url(env.var(queue_var))
        .max_number_of_messages(10)
        .wait_time_seconds(2)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let mut event = SqsEvent::default();
    for m in out.messages.unwrap_or_default() {
        let mut record = SqsMessage::default();
        record.message_id = m.message_id;
        record.body = m.body;
        event.records.push(record);
    }
    event
}

struct Mail {
    env: LocalEnv,
    inbound: inbound_mail::Deps,
    outbound: send_reply::Deps,
    customer: String,
}

impl Mail {
    async fn new() -> Self {
        let env = LocalEnv::fresh().await;
        env.connect_raw_mail_to_inbound().await;
        let store = env.store();
        store.put_category(&category("support", 1)).await.unwrap();
        store.put_policy(&office_policy("default")).await.unwrap();
        let inbound = InboundMailConfig::from_source(&env.vars).unwrap_or_else(|e| panic!("{e}"));
        let outbound = SendReplyConfig::from_source(&env.vars).unwrap_or_else(|e| panic!("{e}"));
        Self {
            inbound: inbound_mail::Deps::connect(
                &testkit::iam::recorded(&env.aws, "inbound-mail"),
                &inbound,
            ),
            outbound: send_reply::Deps::connect(
                &testkit::iam::recorded(&env.aws, "send-reply"),
                &outbound,
            ),
            customer: format!("{}@example.org", unique("ann")),
            env,
        }
    }

    /// Stores raw mail as SES does (`raw/<ses id>`); S3 notifies the inbound queue.
    async fn arrive(&self, ses_id: &str, raw: &str) {
        self.env
            .aws
            .s3()
            .put_object()
            .bucket(self.env.var("HELPDESK_RAW_MAIL_BUCKET"))
            .key(format!("raw/{ses_id}"))
            .body(raw.as_bytes().to_vec().into())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
    }

    /// What the event source mapping would hand the function: the waiting messages.
    async fn batch(&self, queue_var: &str) -> SqsEvent {
        receive_batch(&self.env, queue_var).await
    }

    /// Raw MIME of the mail moto's SES sent to `to`, oldest first.
    async fn sent_to(&self, to: &str) -> Vec<String> {
        let moto = self.env.var("HELPDESK_MOTO_URL");
        let mut mails: Vec<String> = local_runner::dev::sent_mail(&moto)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .filter(|m| m.destinations.iter().any(|d| d == to))
            .map(|m| m.raw_data)
            .collect();
        mails.reverse();
        mails
    }

    /// Hands inbound-mail every waiting notification, until the queue is empty.
    async fn drain_inbound(&self) {
        loop {
            let batch = self.batch("HELPDESK_INBOUND_QUEUE_URL").await;
            if batch.records.is_empty() {
                break;
            }
            no_failures(inbound_mail::handle(&self.inbound, batch).await);
        }
    }

    fn customer_mail(&self, name: &str) -> String {
        String::from_utf8(corpus(name, "", ""))
            .unwrap()
            .replace("ann@example.org", &self.customer)
    }
}

fn no_failures(response: aws_lambda_events::event::sqs::SqsBatchResponse) {
    assert!(
        response.batch_item_failures.is_empty(),
        "{:?}",
        response.batch_item_failures
    );
}

#[tokio::test]
async fn a_mail_conversation_threads_into_one_ticket_and_nothing_is_sent_twice() {
    let m = Mail::new().await;
    let store = m.env.store();
    let customer = EmailAddress::parse(&m.customer).unwrap();

    // 1. The customer writes; the notification is delivered twice.
    m.arrive(&unique("ses"), &m.customer_mail("plain.eml"))
        .await;
    let notice = m.batch("HELPDESK_INBOUND_QUEUE_URL").await;
    assert!(!notice.records.is_empty(), "S3 notified the inbound queue");
    no_failures(inbound_mail::handle(&m.inbound, notice.clone()).await);
    no_failures(inbound_mail::handle(&m.inbound, notice).await);
    let tickets = store.tickets_of_requester(&customer, 10).await.unwrap();
    assert_eq!(tickets.len(), 1);
    let r = tickets[0].reference.clone();
    assert_eq!(store.load_ticket(&r).await.unwrap().messages.len(), 1);

    // 2. The confirmation goes out once, however often its job arrives.
    let jobs = m.batch("HELPDESK_OUTBOUND_QUEUE_URL").await;
    assert_eq!(jobs.records.len(), 1);
    no_failures(send_reply::handle(&m.outbound, jobs.clone()).await);
    no_failures(send_reply::handle(&m.outbound, jobs).await);
    let sent = m.sent_to(&m.customer).await;
    assert_eq!(sent.len(), 1, "one confirmation");
    assert!(sent[0].contains(&format!("[#{}]", r.as_str())));
    assert!(sent[0].contains("Auto-Submitted: auto-replied"));

    // 3. An agent answers; the mail threads to the customer's message.
    let desk = Desk {
        tickets: store.as_ref(),
        catalog: store.as_ref(),
        outbound: m.inbound.outbound.as_ref(),
        clock: &SystemClock,
        ids: m.inbound.ids.as_ref(),
    };
    let agent = testkit::fixtures::supervisor("agent-1");
    desk.act(
        &agent,
        &r,
        1,
        None,
        testkit::fixtures::reply("Please update the firmware to 2.1."),
    )
    .await
    .unwrap();
    no_failures(
        send_reply::handle(&m.outbound, m.batch("HELPDESK_OUTBOUND_QUEUE_URL").await).await,
    );
    let sent = m.sent_to(&m.customer).await;
    assert_eq!(sent.len(), 2);
    let answer = mail_parser::MessageParser::default()
        .parse(sent[1].as_bytes())
        .unwrap();
    assert_eq!(
        answer.in_reply_to().as_text(),
        Some("plain-1@mail.example.org")
    );

    // 4. The customer replies from their mail client to what they received.
    let reply_to = answer
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap();
    let raw = format!(
        "From: Ann <{}>\r\nTo: {reply_to}\r\nSubject: Re: {}\r\nMessage-ID: <{}@mail.example.org>\r\n\
         In-Reply-To: <{id}>\r\nReferences: <plain-1@mail.example.org> <{id}>\r\n\r\n\
         Updated, all good now.\r\n\r\nOn Mon, 2 Mar 2026 at 10:00, Support <{reply_to}> wrote:\r\n> Please update\r\n",
        m.customer,
        answer.subject().unwrap(),
        unique("ann-3"),
        id = answer.message_id().unwrap(),
    );
    m.arrive(&unique("ses"), &raw).await;
    no_failures(
        inbound_mail::handle(&m.inbound, m.batch("HELPDESK_INBOUND_QUEUE_URL").await).await,
    );
    let thread = store.load_ticket(&r).await.unwrap();
    assert_eq!(thread.messages.len(), 3);
    let last = thread.messages.last().unwrap();
    assert_eq!(
        (last.threaded_by, last.body_text.as_str()),
        (ThreadedBy::ReplyToToken, "Updated, all good now.")
    );
    assert_eq!(thread.ticket.status, Status::Open);
    assert!(
        m.batch("HELPDESK_OUTBOUND_QUEUE_URL")
            .await
            .records
            .is_empty(),
        "no answer to a reply"
    );
}

#[tokio::test]
async fn automatic_and_spam_mail_are_quarantined_and_never_answered() {
    let mut m = Mail::new().await;
    // Quarantine is kept per day: one instant, so midnight cannot split the three.
    let clock = std::sync::Arc::new(testkit::FixedClock::at(chrono::Utc::now()));
    m.inbound.clock = clock.clone();
    for name in ["auto-submitted.eml", "dsn-bounce.eml", "spam-fail.eml"] {
        m.arrive(&unique("ses"), &m.customer_mail(name)).await;
    }
    // S3's test event arrives too: four notifications in all.
    let mut handled = 0;
    while handled < 4 {
        let batch = m.batch("HELPDESK_INBOUND_QUEUE_URL").await;
        assert!(
            !batch.records.is_empty(),
            "notifications missing after {handled}"
        );
        handled += batch.records.len();
        no_failures(inbound_mail::handle(&m.inbound, batch).await);
    }
    let customer = EmailAddress::parse(&m.customer).unwrap();
    assert!(
        m.env
            .store()
            .tickets_of_requester(&customer, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let day = m
        .env
        .store()
        .quarantined(clock.now().date_naive(), None, 100)
        .await
        .unwrap();
    assert_eq!(day.len(), 3, "{day:?}");
    assert!(
        m.batch("HELPDESK_OUTBOUND_QUEUE_URL")
            .await
            .records
            .is_empty()
    );
}

#[tokio::test]
async fn a_reply_by_token_costs_one_s3_read_and_two_dynamodb_round_trips() {
    let m = Mail::new().await;
    let calls = testkit::calls::CallLog::default();
    let inbound = inbound_mail::Deps::connect(
        &m.env.aws.intercepted(calls.shared()),
        &InboundMailConfig::from_source(&m.env.vars).unwrap(),
    );
    m.arrive(&unique("ses"), &m.customer_mail("plain.eml"))
        .await;
    no_failures(inbound_mail::handle(&inbound, m.batch("HELPDESK_INBOUND_QUEUE_URL").await).await);
    let first = calls.take();
    let customer = EmailAddress::parse(&m.customer).unwrap();
    let r: TicketRef = m
        .env
        .store()
        .tickets_of_requester(&customer, 1)
        .await
        .unwrap()[0]
        .reference
        .clone();

    let token = inbound.keys.sign(&r, &customer);
    let raw = format!(
        "From: {}\r\nTo: support+{token}@helpdesk.test\r\nSubject: Re: x\r\nMessage-ID: <{}@x.example>\r\n\r\nMore details.\r\n",
        m.customer,
        unique("r")
    );
    m.arrive(&unique("ses"), &raw).await;
    no_failures(inbound_mail::handle(&inbound, m.batch("HELPDESK_INBOUND_QUEUE_URL").await).await);
    let reply = calls.take();
    let short: Vec<&str> = reply
        .iter()
        .map(|c| c.rsplit('.').next().unwrap_or(c))
        .collect();
    assert_eq!(
        short,
        ["GetObject", "Query", "TransactWriteItems"],
        "a reply with a token"
    );
    // A new ticket: the Message-ID lookup and one write (after the catalog, cached 60 s).
    let first: Vec<&str> = first
        .iter()
        .map(|c| c.rsplit('.').next().unwrap_or(c))
        .collect();
    assert_eq!(
        first.iter().filter(|c| **c == "TransactWriteItems").count(),
        1,
        "{first:?}"
    );
    assert!(first.contains(&"BatchGetItem"), "{first:?}");
}

#[tokio::test]
async fn ses_send_event_on_the_stack_records_a_mail_whose_sender_died() {
    use helpdesk_domain::mail::outbound::job::{Claimed, OutboundJob, OutboxClaim, OutboxState};
    use helpdesk_domain::ports::Mailer;
    let m = Mail::new().await;
    let store = m.env.store();
    m.arrive(&unique("ses"), &m.customer_mail("plain.eml"))
        .await;
    no_failures(
        inbound_mail::handle(&m.inbound, m.batch("HELPDESK_INBOUND_QUEUE_URL").await).await,
    );
    let jobs = m.batch("HELPDESK_OUTBOUND_QUEUE_URL").await;
    let job = OutboundJob::parse(jobs.records[0].body.as_deref().unwrap()).unwrap();

    // send-reply claimed it, SES (moto) accepted it, then the process died.
    let now = chrono::Utc::now();
    let claim = OutboxClaim {
        job: job.clone(),
        now,
        lease_until: now + chrono::Duration::minutes(5),
        cap: None,
        tokens: vec![],
    };
    assert_eq!(store.claim_outbox(&claim).await.unwrap(), Claimed::Go);
    let ses_id = m
        .env
        .aws
        .mailer(None)
        .send_raw(
            &testkit::fixtures::email("support@helpdesk.test"),
            std::slice::from_ref(&job.recipient),
            b"Subject: the confirmation\r\n\r\nx\r\n",
            Some(&job.outbox_id),
        )
        .await
        .unwrap();

    // SES's send event comes back through SNS onto the outbound queue.
    let event = testkit::events::ses_event(
        "send-reply.sqs.ses-send.json",
        &ses_id,
        job.outbox_id.as_str(),
    );
    no_failures(send_reply::handle(&m.outbound, event).await);
    let (_, state) = store.outbox_item(&job.outbox_id).await.unwrap().unwrap();
    assert_eq!(state, OutboxState::Sent);

    // The job itself, redelivered: nothing more reaches the customer.
    no_failures(send_reply::handle(&m.outbound, jobs).await);
    assert_eq!(
        m.sent_to(&m.customer).await.len(),
        1,
        "only the mail SES accepted before the crash"
    );
    let found = store.tickets_for_message_ids(&[ses_id]).await.unwrap();
    assert_eq!(found.len(), 1, "a reply to SES's id threads");
}

/// The forged-mail corpus of `tests/mail/`, end to end on the local stack: a
/// stranger answering the customer's Message-ID, another customer carrying the
/// ticket's reply token and In-Reply-To, mail claiming our address or an agent's,
/// the customer's own address failing DMARC with the ticket's reference, and the
/// stranger writing again with only the reference.
#[tokio::test]
async fn forged_mail_naming_a_customer_s_ticket_never_lands_in_it() {
    let mut m = Mail::new().await;
    let clock = std::sync::Arc::new(testkit::FixedClock::at(chrono::Utc::now()));
    m.inbound.clock = clock.clone();
    let store = m.env.store();
    store
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
    m.arrive(&unique("ses"), &m.customer_mail("plain.eml"))
        .await;
    m.drain_inbound().await;
    let customer = EmailAddress::parse(&m.customer).unwrap();
    let mine = store.tickets_of_requester(&customer, 10).await.unwrap();
    assert_eq!(mine.len(), 1);
    let ann = mine[0].reference.clone();
    let reply_to = m.inbound.keys.reply_address(
        &EmailAddress::parse("support@helpdesk.test").unwrap(),
        &ann,
        &customer,
    );

    let forged = [
        "forged-in-reply-to.eml",
        "token-from-another-sender.eml",
        "from-our-address.eml",
        "from-an-agent.eml",
        "spoofed-customer-dmarc-fail.eml",
        // Eve again, with only the reference: her first mail made her no participant.
        "participant-cascade.eml",
    ];
    for file in forged {
        let raw = String::from_utf8(corpus(file, ann.as_str(), "plain-1@mail.example.org"))
            .unwrap()
            .replace("{REPLY_TO}", reply_to.as_str())
            .replace("ann@example.org", &m.customer);
        m.arrive(&unique("ses"), &raw).await;
    }
    m.drain_inbound().await;

    let thread = store.load_ticket(&ann).await.unwrap();
    assert_eq!(thread.messages.len(), 1, "{:?}", thread.messages);
    assert!(thread.ticket.participants.is_empty());
    for (stranger, mails) in [("eve@example.net", 2), ("bob@example.com", 1)] {
        let theirs = store
            .tickets_of_requester(&EmailAddress::parse(stranger).unwrap(), 10)
            .await
            .unwrap();
        assert_eq!(theirs.len(), mails, "{stranger} gets tickets of their own");
    }
    let held = store
        .quarantined(clock.now().date_naive(), None, 100)
        .await
        .unwrap();
    let spoofed: Vec<_> = held
        .iter()
        .filter(|q| {
            matches!(
                q.reason,
                helpdesk_domain::mail::inbound::quarantine::QuarantineReason::Spoofed(_)
            )
        })
        .collect();
    assert_eq!(spoofed.len(), 3, "{held:?}");
    // Only confirmations went out: to Ann, Eve and Bob, none to a spoofed address.
    let jobs = m.batch("HELPDESK_OUTBOUND_QUEUE_URL").await;
    let mut to: Vec<String> = jobs
        .records
        .iter()
        .map(|r| {
            helpdesk_domain::mail::outbound::job::OutboundJob::parse(r.body.as_deref().unwrap())
                .unwrap()
                .recipient
                .as_str()
                .to_owned()
        })
        .collect();
    to.sort();
    let mut expected = vec![
        "bob@example.com".to_owned(),
        "eve@example.net".to_owned(),
        "eve@example.net".to_owned(),
        m.customer.clone(),
    ];
    expected.sort();
    assert_eq!(to, expected);
}
