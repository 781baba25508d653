//! SES throttling as send-reply meets it on AWS: an HTTP front before moto's SES
//! passes at most `FRONT_RATE` sends a second and answers the rest as SES does
//! (HTTP 429, `TooManyRequestsException`), through the real SDK client,
//! send-reply's handler and the outbound queue with its delays. Every
//! confirmation must go out exactly once and no job may reach the DLQ.
//!
//! The client's own retries are off here, so every throttle reaches send-reply's
//! backoff: with them on (as deployed) most are absorbed inside the client (one
//! run: 63 throttled calls, one job backed off), and the test would not show
//! what happens when they run out.

// A failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use helpdesk_domain::mail::outbound::job::{OutboundJob, OutboxState};
use helpdesk_domain::mail::outbound::send::Backoff;
use helpdesk_domain::ports::{Categories, Clock, OutboundQueue, Outbox, SlaPolicies, SystemClock};
use helpdesk_domain::ports::{RandomIds, TicketRecords};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use lambda_kit::config::SendReplyConfig;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use testkit::fixtures::{category, confirmation_job, new_ticket, office_policy};
use testkit::local::{LocalEnv, unique};

/// Confirmations queued at once.
const MAILS: usize = 120;
/// Sends a second the front passes on; send-reply runs two instances, each
/// paced at four times that (as if `SendRatePerSecond` were set too high).
const FRONT_RATE: f64 = 5.0;
const PACED_RATE: u32 = 20;
const INSTANCES: usize = 2;

/// The front: a token bucket over SES's send call, everything else passed on.
struct Front {
    moto: String,
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    bucket: Mutex<(Instant, f64)>,
    throttled: AtomicU64,
    passed: AtomicU64,
}

impl Front {
    fn take(&self) -> bool {
        let mut b = self.bucket.lock().unwrap();
        let now = Instant::now();
        b.1 = (b.1 + now.duration_since(b.0).as_secs_f64() * FRONT_RATE).min(FRONT_RATE);
        b.0 = now;
        if b.1 >= 1.0 {
            b.1 -= 1.0;
            true
        } else {
            false
        }
    }
}

async fn front(State(f): State<Arc<Front>>, request: Request) -> Response {
    let sends = request.uri().path().ends_with("/outbound-emails");
    if sends && !f.take() {
        f.throttled.fetch_add(1, Ordering::Relaxed);
        return Response::builder()
            .status(429)
            .header("content-type", "application/json")
            .header("x-amzn-ErrorType", "TooManyRequestsException")
            .body(Body::from(
                r#"{"message":"Maximum sending rate exceeded."}"#,
            ))
            .unwrap();
    }
    if sends {
        f.passed.fetch_add(1, Ordering::Relaxed);
    }
    let (parts, body) = request.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut onward = http::Request::builder()
        .method(parts.method)
        .uri(format!("{}{path}", f.moto));
    for (name, value) in &parts.headers {
        if name != http::header::HOST {
            onward = onward.header(name, value);
        }
    }
    let answer = f
        .client
        .request(onward.body(Full::new(bytes)).unwrap())
        .await
        .unwrap();
    let (parts, body) = answer.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    Response::from_parts(parts, Body::from(bytes))
}

/// Takes up to ten waiting messages, as the event source mapping does.
async fn batch(env: &LocalEnv) -> (SqsEvent, Vec<(String, String)>) {
    let out = env
        .aws
        .sqs()
        .receive_message()
        .queue_url(env.var("HELPDESK_OUTBOUND_QUEUE_URL"))
        .max_number_of_messages(10)
        .wait_time_seconds(1)
        .send()
        .await
        .unwrap();
    let mut event = SqsEvent::default();
    let mut handles = Vec::new();
    for m in out.messages.unwrap_or_default() {
        let mut record = SqsMessage::default();
        record.message_id = m.message_id.clone();
        record.body = m.body;
        event.records.push(record);
        handles.push((
            m.message_id.unwrap_or_default(),
            m.receipt_handle.unwrap_or_default(),
        ));
    }
    (event, handles)
}

#[tokio::test]
async fn confirmations_throttled_by_ses_over_http_are_all_sent_once_and_none_reaches_the_dlq() {
    let env = LocalEnv::fresh().await;
    let store = env.store();
    store.put_category(&category("support", 1)).await.unwrap();
    store.put_policy(&office_policy("default")).await.unwrap();

    // The front, on a port of its own.
    let f = Arc::new(Front {
        moto: env.var("HELPDESK_MOTO_URL"),
        client: Client::builder(TokioExecutor::new()).build_http(),
        bucket: Mutex::new((Instant::now(), FRONT_RATE)),
        throttled: AtomicU64::new(0),
        passed: AtomicU64::new(0),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(front).with_state(f.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    // send-reply as its main builds it, its SES client pointed at the front.
    let config = SendReplyConfig::from_source(&env.vars).unwrap();
    let mut deps =
        send_reply::Deps::connect(&testkit::iam::recorded(&env.aws, "send-reply"), &config);
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let ses = aws_sdk_sesv2::Client::from_conf(
        aws_sdk_sesv2::config::Builder::from(&sdk)
            .endpoint_url(&url)
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .build(),
    );
    deps.mailer = Arc::new(lambda_kit::pace::PacedMailer::new(
        Arc::new(helpdesk_aws::SesMailer::new(ses, None)),
        PACED_RATE,
    ));
    // Short waits, so the test does not sit through SES's real minutes.
    deps.backoff = Backoff {
        first: chrono::Duration::seconds(1),
        longest: chrono::Duration::seconds(4),
    };

    // The burst: a confirmation per new ticket, stored and queued.
    let outbound = env.aws.outbound(&env.var("HELPDESK_OUTBOUND_QUEUE_URL"));
    let run = unique("burst");
    let mut jobs = Vec::new();
    for i in 0..MAILS {
        let mut new = new_ticket(
            &RandomIds,
            "support",
            &format!("{run}-{i}@example.com"),
            SystemClock.now(),
        );
        let job = confirmation_job(&RandomIds, &new.ticket);
        new.outbox = vec![job.clone()];
        store.create_ticket(new).await.unwrap();
        outbound.enqueue(&job).await.unwrap();
        jobs.push(job);
    }

    // The event source mapping: two instances taking batches until every mail
    // is settled.
    let started = Instant::now();
    let consumer = || async {
        let sqs = env.aws.sqs();
        let queue = env.var("HELPDESK_OUTBOUND_QUEUE_URL");
        let (mut failures, mut backed_off) = (0, 0);
        loop {
            let mut unsettled = 0;
            for job in &jobs {
                let state = store
                    .outbox_item(&job.outbox_id)
                    .await
                    .unwrap()
                    .map(|s| s.1);
                if state != Some(OutboxState::Sent) {
                    unsettled += 1;
                }
            }
            if unsettled == 0 {
                return (failures, backed_off);
            }
            assert!(
                started.elapsed() < Duration::from_secs(240),
                "{unsettled} of {MAILS} mails unsent after 240 s"
            );
            let (event, handles) = batch(&env).await;
            // A job that comes back after a backoff says how often it was throttled.
            backed_off += event
                .records
                .iter()
                .filter_map(|r| r.body.as_deref())
                .filter_map(|b| OutboundJob::parse(b).ok())
                .filter(|j| j.throttled > 0)
                .count();
            if event.records.is_empty() {
                continue;
            }
            let response = send_reply::handle(&deps, event).await;
            failures += response.batch_item_failures.len();
            let failed: Vec<String> = response
                .batch_item_failures
                .iter()
                .map(|f| f.item_identifier.clone())
                .collect();
            for (id, handle) in handles {
                if !failed.contains(&id) {
                    sqs.delete_message()
                        .queue_url(&queue)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .unwrap();
                }
            }
        }
    };
    let results = {
        let (a, b) = tokio::join!(consumer(), consumer());
        vec![a, b]
    };
    assert_eq!(results.len(), INSTANCES);
    let failures: usize = results.iter().map(|r| r.0).sum();
    let backed_off: usize = results.iter().map(|r| r.1).sum();
    let sqs = env.aws.sqs();
    let seconds = started.elapsed().as_secs_f64();

    // Each customer got exactly one mail.
    let sent = local_runner::dev::sent_mail(&env.var("HELPDESK_MOTO_URL"))
        .await
        .unwrap();
    let mut per_recipient: HashMap<String, usize> = HashMap::new();
    for m in sent
        .iter()
        .filter(|m| m.raw_data.contains(&run) || m.destinations.iter().any(|d| d.starts_with(&run)))
    {
        for d in m.destinations.iter().filter(|d| d.starts_with(&run)) {
            *per_recipient.entry(d.clone()).or_default() += 1;
        }
    }
    assert_eq!(per_recipient.len(), MAILS);
    assert!(per_recipient.values().all(|n| *n == 1), "{per_recipient:?}");
    let throttled = f.throttled.load(Ordering::Relaxed);
    let passed = f.passed.load(Ordering::Relaxed);
    assert!(
        throttled > 0,
        "the front never throttled: the test proved nothing"
    );
    assert_eq!(passed, MAILS as u64, "SES took a send twice");
    assert_eq!(failures, 0, "throttling is never a failed queue item");
    assert!(
        backed_off > 0,
        "no job came back after a backoff: only the SDK's own retries were tested"
    );
    let dlq = sqs
        .get_queue_attributes()
        .queue_url(env.var("HELPDESK_OUTBOUND_DLQ_URL"))
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .unwrap();
    let depth = dlq
        .attributes
        .and_then(|a| {
            a.get(&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
                .cloned()
        })
        .unwrap_or_default();
    assert_eq!(depth, "0");
    println!(
        "{MAILS} confirmations through a {FRONT_RATE}/s SES front: all sent once in {seconds:.1} s ({:.1} s at the rate), {throttled} sends throttled, {backed_off} deliveries of jobs throttled before, 0 failed queue items",
        MAILS as f64 / FRONT_RATE
    );
}
