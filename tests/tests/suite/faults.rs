//! Real faults on the real emulators. The whole system (the local runner, as its
//! own process) runs against a DynamoDB Local and a moto of this test's own, each
//! behind a fault proxy. While customers submit, mail in (some mails twice) and an
//! agent replies, the test adds latency, stalls, resets and a cut connection,
//! pauses each emulator (SIGSTOP/SIGCONT) and kills the runner twice mid-burst.
//! Then it lets time pass and checks, through the stores, what the simulation
//! checks on the fakes: every request and mail is one ticket, every reply one
//! message, no message on a foreign ticket, every outbox item sent, no mail sent
//! twice outside the documented window, counters equal to the tickets.
//!
//! Time is scaled down so a killed sender's jobs come back in seconds: the queues'
//! visibility is 4 s and send-reply's lease 3 s, which keeps the rule the infra
//! tests hold the template to (the lease ends before the queue could give up on
//! the job: lease < visibility × (max receives − 1)).
//!
//! Faults on moto never lose an answer after moto acted (request-side stalls,
//! latency, pauses): a lost SES answer is the documented duplicate window, which
//! the seeded simulation covers.

use helpdesk_aws::{DynamoStore, Tables};
use helpdesk_domain::ports::Queues;
use helpdesk_domain::ports::TicketRecords;
use helpdesk_domain::{CategoryId, Status, TicketRef};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use testkit::emulators;
use testkit::fault_proxy::{Fault, FaultProxy, Way};

const VISIBILITY_SECONDS: u32 = 4;
const LEASE_SECONDS: u32 = 3;
const WEB_REQUESTS: usize = 12;
const MAILS: usize = 8;
const AGENT_REPLIES: usize = 4;
/// Every client gives up after this long; the faults are over well before.
const CLIENT_DEADLINE: Duration = Duration::from_secs(120);

/// target/<profile>/local-runner, built by `cargo build --bins` (make test does).
fn runner_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|dir| dir.join("local-runner"))
        .unwrap_or_default();
    assert!(
        path.exists(),
        "{path:?} is missing: build it with `cargo build --bins` (make test does)"
    );
    path
}

/// The runner as a process of its own, so it can be killed mid-burst.
struct RunnerProcess {
    env: HashMap<String, String>,
    port: u16,
    log: PathBuf,
    child: Option<Child>,
    starts: u32,
    kills: u32,
}

impl RunnerProcess {
    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap_or_else(|e| panic!("{:?}: {e}", self.log));
        let err = log.try_clone().unwrap_or_else(|e| panic!("{e}"));
        let child = Command::new(runner_binary())
            .env_clear()
            .envs(&self.env)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("local-runner: {e}"));
        self.child = Some(child);
        self.starts += 1;
    }

    /// SIGKILL: no shutdown, no flush; whatever it was doing stops at that instant.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
            self.kills += 1;
        }
    }

    /// Starts it again if it has exited (it exits when it cannot seed its demo
    /// data during a fault, as a cold start that fails would).
    fn keep_alive(&mut self) {
        let exited = match self.child.as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(Some(_))),
            None => true,
        };
        if exited {
            self.child = None;
            self.spawn();
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for RunnerProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One HTTP exchange; an error for anything short of a response (refused,
/// reset, no answer in 15 s).
async fn call(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<(u16, String), String> {
    use http_body_util::{BodyExt, Full};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    let client: Client<_, Full<bytes::Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut req = http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let req = req
        .body(Full::new(bytes::Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let exchange = async {
        let response = client.request(req).await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok::<_, String>((status, String::from_utf8_lossy(&bytes).into_owned()))
    };
    tokio::time::timeout(Duration::from_secs(15), exchange)
        .await
        .map_err(|_| "no answer within 15 s".to_owned())?
}

/// Calls until an answer that is not "try again" (5xx, 429, no answer) or the
/// deadline; returns the last answer and how many calls it took.
async fn until_answered(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (Result<(u16, String), String>, u32) {
    let start = Instant::now();
    let mut calls = 0;
    loop {
        calls += 1;
        let result = call(method, url, headers, body.to_vec()).await;
        let again = match &result {
            Ok((status, _)) => *status >= 500 || *status == 429,
            Err(_) => true,
        };
        if !again || start.elapsed() > CLIENT_DEADLINE {
            return (result, calls);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn web_submission(i: usize) -> Vec<u8> {
    json!({
        "category": "technical",
        "name": format!("Web Customer {i}"),
        "email": format!("web{i}@customers.test"),
        "subject": format!("Kettle {i} switches off early"),
        "description": format!("Web request {i}: it stops before the water boils."),
        "details": { "model": "Kettle K2", "serial": format!("K2-{i:06}") },
        "website": "",
        "elapsed_ms": 52000
    })
    .to_string()
    .into_bytes()
}

fn mail(j: usize) -> Vec<u8> {
    format!(
        "Return-Path: <mail{j}@customers.test>\r\n\
         X-SES-Spam-Verdict: PASS\r\n\
         X-SES-Virus-Verdict: PASS\r\n\
         Authentication-Results: amazonses.com; spf=pass; dkim=pass header.i=@customers.test; dmarc=pass header.from=customers.test;\r\n\
         From: Mail Customer {j} <mail{j}@customers.test>\r\n\
         To: Support <support@helpdesk.test>\r\n\
         Subject: Order {j} never arrived\r\n\
         Date: Thu, 03 Dec 2026 10:00:00 +0000\r\n\
         Message-ID: <fault-mail-{j}@customers.test>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         Mail {j}: my order never arrived.\r\n"
    )
    .into_bytes()
}

/// What the clients were told, to hold the stores to.
#[derive(Default)]
struct Told {
    /// Web request i → the reference it was given.
    web: BTreeMap<usize, String>,
    mails_accepted: usize,
    /// Agent reply bodies the API confirmed (2xx), and those it answered 409 to
    /// after an earlier try that got no answer (may or may not have landed).
    replies_confirmed: Vec<String>,
    replies_unsure: Vec<String>,
    calls: u32,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nothing_is_lost_or_sent_twice_while_the_network_and_the_processes_fail_mid_burst() {
    let dir = std::env::temp_dir().join(testkit::local::unique("faults"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let ddb = emulators::dynamodb(&dir).await;
    let moto = emulators::moto(&dir).await;
    let vars = emulators::provision(&ddb.url(), &moto.url(), Some(VISIBILITY_SECONDS));
    let mut ddb_proxy = FaultProxy::start("dynamodb", ddb.addr, 7).await;
    let mut moto_proxy = FaultProxy::start("moto", moto.addr, 11).await;

    let port = emulators::free_port();
    let mut env = vars.clone();
    for (k, v) in [
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "local".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "local".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("AWS_ENDPOINT_URL", moto_proxy.url()),
        ("AWS_ENDPOINT_URL_SQS", moto_proxy.url()),
        ("AWS_ENDPOINT_URL_SESV2", moto_proxy.url()),
        ("AWS_ENDPOINT_URL_S3", moto_proxy.url()),
        ("AWS_ENDPOINT_URL_DYNAMODB", ddb_proxy.url()),
        // The dev pages read sent mail straight from moto.
        ("HELPDESK_MOTO_URL", moto.url()),
        ("HELPDESK_PORT", port.to_string()),
        ("HELPDESK_SMTP_PORT", emulators::free_port().to_string()),
        // The schedule is driven by this test (`/dev/tick`).
        ("HELPDESK_TICK_SECONDS", "3600".to_owned()),
        ("HELPDESK_DEV_SEND_LEASE_SECONDS", LEASE_SECONDS.to_string()),
        (
            "HELPDESK_WEB_DIR",
            format!("{}/../web", env!("CARGO_MANIFEST_DIR")),
        ),
        ("RUST_LOG", "warn".to_owned()),
    ] {
        env.insert(k.to_owned(), v);
    }
    let mut runner = RunnerProcess {
        env,
        port,
        log: dir.join("runner.log"),
        child: None,
        starts: 0,
        kills: 0,
    };
    runner.spawn();
    let base = runner.base();
    let (health, _) = until_answered("GET", &format!("{base}/api/health"), &[], b"").await;
    assert!(
        matches!(health, Ok((200, _))),
        "the runner did not start: {health:?}; see {:?}",
        runner.log
    );

    let told = Arc::new(Mutex::new(Told::default()));
    let mut clients = tokio::task::JoinSet::new();
    // Customers on the web, spread over the first 9 s.
    for i in 0..WEB_REQUESTS {
        let (base, told) = (base.clone(), told.clone());
        clients.spawn(async move {
            tokio::time::sleep(Duration::from_millis(750 * i as u64)).await;
            let key = format!("fault-web-{i}");
            let headers = [
                ("content-type", "application/json"),
                ("idempotency-key", key.as_str()),
            ];
            let url = format!("{base}/api/tickets");
            let (answer, calls) = until_answered("POST", &url, &headers, &web_submission(i)).await;
            let body = match answer {
                Ok((201, body)) => body,
                other => panic!("web request {i} was not accepted: {other:?}"),
            };
            let reference = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v["reference"].as_str().map(str::to_owned))
                .unwrap_or_else(|| panic!("no reference in {body}"));
            let mut told = told.lock().unwrap_or_else(|e| e.into_inner());
            told.web.insert(i, reference);
            told.calls += calls;
        });
    }
    // Mail, spread over the first 10 s; every other mail is delivered twice, as a
    // sender's server or SES does after a timeout.
    for j in 0..MAILS {
        let (base, told) = (base.clone(), told.clone());
        clients.spawn(async move {
            tokio::time::sleep(Duration::from_millis(400 + 1200 * j as u64)).await;
            let deliveries = if j % 2 == 0 { 2 } else { 1 };
            for _ in 0..deliveries {
                let url = format!("{base}/dev/inbound");
                let (answer, calls) = until_answered(
                    "POST",
                    &url,
                    &[("content-type", "message/rfc822")],
                    &mail(j),
                )
                .await;
                match answer {
                    Ok((status, _)) if (200..300).contains(&status) => {}
                    other => panic!("mail {j} was not delivered: {other:?}"),
                }
                told.lock().unwrap_or_else(|e| e.into_inner()).calls += calls;
                tokio::time::sleep(Duration::from_millis(900)).await;
            }
            told.lock()
                .unwrap_or_else(|e| e.into_inner())
                .mails_accepted += 1;
        });
    }
    // An agent answers the first web tickets as they arrive.
    {
        let (base, told) = (base.clone(), told.clone());
        clients.spawn(async move { agent_replies(&base, &told).await });
    }

    // The faults, on a fixed timeline over the burst.
    let start = Instant::now();
    let at = |seconds: f64| start + Duration::from_secs_f64(seconds);
    let mut timeline_step = 0;
    // All within the burst (web requests until 8.25 s, mail until about 9.7 s).
    let steps: Vec<f64> = vec![0.3, 1.2, 2.0, 2.6, 3.4, 4.2, 5.0, 6.0, 7.0, 7.6, 8.2, 9.2];
    while timeline_step < steps.len() {
        while Instant::now() < at(steps[timeline_step]) {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if timeline_step != 3 {
                runner.keep_alive();
            }
        }
        match timeline_step {
            0 => {
                ddb_proxy
                    .add(
                        "slow",
                        Fault::Latency {
                            ms: 250,
                            jitter: 150,
                        },
                        Way::Response,
                        1.0,
                    )
                    .await
            }
            1 => {
                ddb_proxy.clear().await;
                moto_proxy
                    .add("stall", Fault::Stall { ms: 1500 }, Way::Request, 0.5)
                    .await;
            }
            2 => runner.kill(),
            3 => runner.spawn(),
            4 => {
                moto_proxy.clear().await;
                ddb_proxy
                    .add(
                        "reset",
                        Fault::ResetAfter { bytes: 1200 },
                        Way::Response,
                        0.3,
                    )
                    .await;
            }
            5 => ddb_proxy.cut(),
            6 => {
                ddb_proxy.restore().await;
                ddb_proxy.clear().await;
                ddb.pause();
            }
            7 => {
                ddb.resume();
                moto.pause();
            }
            8 => {
                moto.resume();
                moto_proxy
                    .add(
                        "slow",
                        Fault::Latency {
                            ms: 300,
                            jitter: 100,
                        },
                        Way::Response,
                        1.0,
                    )
                    .await;
            }
            9 => {
                runner.kill();
                runner.spawn();
            }
            10 => {
                ddb_proxy
                    .add("stall", Fault::Stall { ms: 1200 }, Way::Request, 0.4)
                    .await
            }
            _ => {
                ddb_proxy.clear().await;
                moto_proxy.clear().await;
            }
        }
        timeline_step += 1;
    }

    // The clients finish (each retries until answered, as a person would).
    while let Some(done) = clients.join_next().await {
        if let Err(e) = done {
            runner.kill();
            panic!("a client failed: {e}; runner log: {:?}", runner.log);
        }
        runner.keep_alive();
    }

    // Time passes: the schedule runs as if each run were 15 minutes later, which
    // puts every unsent item back on the queue (the sweep's grace is 10 minutes),
    // and the queues redeliver what the killed runner held.
    let store = DynamoStore::new(
        ddb_client(&ddb.url()).await,
        Tables {
            main: vars["HELPDESK_MAIN_TABLE"].clone(),
            ops: vars["HELPDESK_OPS_TABLE"].clone(),
        },
    );
    let settle_start = Instant::now();
    let outbox = loop {
        runner.keep_alive();
        let later = chrono::Utc::now() + chrono::Duration::minutes(15);
        let tick = format!(
            "{base}/dev/tick?at={}",
            later.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        let _ = call("POST", &tick, &[], vec![]).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let outbox = outbox_states(&ddb.url(), &vars["HELPDESK_MAIN_TABLE"]).await;
        let waiting = queue_depth(
            &moto.url(),
            &vars,
            &["HELPDESK_INBOUND_QUEUE_URL", "HELPDESK_OUTBOUND_QUEUE_URL"],
        )
        .await;
        let settled = waiting == 0 && outbox.values().all(|s| s != "queued" && s != "sending");
        if settled || settle_start.elapsed() > Duration::from_secs(90) {
            break outbox;
        }
    };
    let settle_seconds = settle_start.elapsed().as_secs();

    // The faults met traffic: each proxy acted on chunks.
    let (ddb_hits, moto_hits) = (ddb_proxy.applied(), moto_proxy.applied());
    assert!(
        ddb_hits > 0 && moto_hits > 0,
        "faults acted {ddb_hits} times on DynamoDB and {moto_hits} on moto"
    );

    // Hold the stores to what the clients were told.
    let told = std::mem::take(&mut *told.lock().unwrap_or_else(|e| e.into_inner()));
    let tickets = all_tickets(&store, &ddb.url(), &vars["HELPDESK_MAIN_TABLE"]).await;
    let mut problems = Vec::new();
    let by_requester = |email: &str| -> Vec<&helpdesk_domain::ports::store::TicketThread> {
        tickets
            .iter()
            .filter(|t| t.ticket.requester.email.as_str() == email)
            .collect()
    };
    for (i, reference) in &told.web {
        let mine = by_requester(&format!("web{i}@customers.test"));
        let told_ref = TicketRef::parse(reference).ok();
        if mine.len() != 1 || Some(&mine[0].ticket.reference) != told_ref.as_ref() {
            problems.push(format!(
                "web request {i} (told {reference}) has {} tickets",
                mine.len()
            ));
        }
    }
    for j in 0..MAILS {
        let mine = by_requester(&format!("mail{j}@customers.test"));
        let messages: usize = mine
            .iter()
            .map(|t| {
                t.messages
                    .iter()
                    .filter(|m| m.body_text.contains(&format!("Mail {j}:")))
                    .count()
            })
            .sum();
        if mine.len() != 1 || messages != 1 {
            problems.push(format!(
                "mail {j} is {} tickets and {messages} messages",
                mine.len()
            ));
        }
    }
    for thread in &tickets {
        for m in &thread.messages {
            if let helpdesk_domain::tickets::message::Author::Customer { email, .. } = &m.author
                && email != &thread.ticket.requester.email
            {
                problems.push(format!(
                    "{} holds a message from {}",
                    thread.ticket.reference.as_str(),
                    email.as_str()
                ));
            }
        }
    }
    let reply_count = |body: &str| -> usize {
        tickets
            .iter()
            .flat_map(|t| t.messages.iter())
            .filter(|m| m.body_text.starts_with(body))
            .count()
    };
    let replies = told.replies_confirmed.len() + told.replies_unsure.len();
    if replies != AGENT_REPLIES {
        problems.push(format!(
            "{replies} of {AGENT_REPLIES} agent replies answered"
        ));
    }
    for (i, reference) in told.web.iter().take(AGENT_REPLIES) {
        let prefix = format!("Agent reply {i}:");
        let elsewhere = tickets
            .iter()
            .filter(|t| TicketRef::parse(reference).ok().as_ref() != Some(&t.ticket.reference))
            .flat_map(|t| t.messages.iter())
            .any(|m| m.body_text.starts_with(&prefix));
        if elsewhere {
            problems.push(format!("agent reply {i} is not on {reference}"));
        }
    }
    for body in &told.replies_confirmed {
        if reply_count(body) != 1 {
            problems.push(format!(
                "confirmed reply {body:?} is there {} times",
                reply_count(body)
            ));
        }
    }
    for body in &told.replies_unsure {
        if reply_count(body) > 1 {
            problems.push(format!(
                "reply {body:?} is there {} times",
                reply_count(body)
            ));
        }
    }
    let stuck: Vec<_> = outbox
        .iter()
        .filter(|(_, s)| s.as_str() != "sent")
        .collect();
    if !stuck.is_empty() {
        problems.push(format!(
            "outbox items not sent after {settle_seconds} s: {stuck:?}"
        ));
    }
    // Counters equal what the tickets say.
    let category = CategoryId::parse("technical").unwrap_or_else(|e| panic!("{e}"));
    let counts = store
        .status_counts(&category)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for status in [
        Status::New,
        Status::Open,
        Status::WaitingOnCustomer,
        Status::Resolved,
        Status::Closed,
    ] {
        let actual = tickets
            .iter()
            .filter(|t| t.ticket.category == category && t.ticket.status == status)
            .count() as i64;
        if counts.get(status) != actual {
            problems.push(format!(
                "{status:?}: counter {} but {actual} tickets",
                counts.get(status)
            ));
        }
    }
    // Each mail we sent (our Message-ID names its outbox item) went out once,
    // except inside the documented window: SES accepted it and the sender died or
    // could not record it before its lease ended.
    let sent = testkit_sent_message_ids(&moto.url()).await;
    let mut per_item: BTreeMap<String, usize> = BTreeMap::new();
    for id in &sent {
        *per_item.entry(id.clone()).or_default() += 1;
    }
    let twice: usize = per_item.values().map(|n| n.saturating_sub(1)).sum();
    for key in outbox.keys() {
        let id = format!("{}@helpdesk.test", key.trim_start_matches("OUT#"));
        match per_item.get(&id) {
            None => problems.push(format!("{key} is `sent` but SES took no mail {id}")),
            Some(n) if *n > 2 => problems.push(format!("{id} went out {n} times")),
            Some(_) => {}
        }
    }
    let log = std::fs::read_to_string(&runner.log).unwrap_or_default();
    let unrecorded = log.matches("sent mail left in `sending`").count();
    if twice > runner.kills as usize + unrecorded {
        problems.push(format!(
            "{twice} mails went out twice; the window explains at most {} ({} kills, {unrecorded} sends left unrecorded)",
            runner.kills as usize + unrecorded,
            runner.kills
        ));
    }
    let dead_letters = queue_depth(
        &moto.url(),
        &vars,
        &["HELPDESK_OUTBOUND_DLQ_URL", "HELPDESK_INBOUND_DLQ_URL"],
    )
    .await;
    if dead_letters > 0 {
        problems.push(format!("{dead_letters} jobs in the dead-letter queues"));
    }
    println!(
        "faults on the emulators: {} web requests, {} mails ({} delivered twice), {} agent replies \
         ({} of them answered 409 after a try without answer), {} client calls; runner started {} times, killed {}; {} tickets, {} outbox \
         items, {} mails sent ({twice} twice, {unrecorded} left unrecorded), settled in {settle_seconds} s; \
         faults acted {ddb_hits} times on DynamoDB, {moto_hits} on moto",
        told.web.len(),
        told.mails_accepted,
        MAILS.div_ceil(2),
        told.replies_confirmed.len() + told.replies_unsure.len(),
        told.replies_unsure.len(),
        told.calls,
        runner.starts,
        runner.kills,
        tickets.len(),
        outbox.len(),
        sent.len(),
    );
    runner.kill();
    assert!(
        problems.is_empty(),
        "{problems:#?}\nrunner log: {:?}",
        runner.log
    );
    assert_eq!(told.web.len(), WEB_REQUESTS);
    assert_eq!(told.mails_accepted, MAILS);
    drop((ddb_proxy, moto_proxy, ddb, moto));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Ana's bearer token, from the local sign-in.
async fn sign_in(base: &str) -> String {
    let ana = local_runner::seed::demo()
        .unwrap_or_else(|e| panic!("{e}"))
        .logins
        .into_iter()
        .find(|l| l.agent == "ana")
        .unwrap_or_else(|| panic!("no demo login ana"));
    let start = Instant::now();
    loop {
        // A fresh code each try: retries through faults and restarts can outlast
        // a code's 30 seconds.
        let code = local_runner::totp::code(&ana.totp_secret, chrono::Utc::now().timestamp());
        let login = serde_json::json!({"username": "ana", "password": ana.password, "code": code});
        let url = format!("{base}/dev/auth/token");
        let headers = [("content-type", "application/json")];
        let answer = call("POST", &url, &headers, login.to_string().into_bytes()).await;
        match answer {
            Ok((200, body)) => {
                return serde_json::from_str::<Value>(&body)
                    .ok()
                    .and_then(|v| v["access_token"].as_str().map(|t| format!("Bearer {t}")))
                    .unwrap_or_default();
            }
            Ok((status, _)) if status < 500 && status != 429 => {
                panic!("Ana could not sign in: {answer:?}")
            }
            _ if start.elapsed() > CLIENT_DEADLINE => panic!("Ana could not sign in: {answer:?}"),
            _ => tokio::time::sleep(Duration::from_millis(300)).await,
        }
    }
}

/// As [`until_answered`], as Ana: a restarted runner signs with a new key (the
/// local sign-in, unlike Cognito, keeps none), so a 401 means sign in again.
async fn as_ana(
    base: &str,
    token: &mut String,
    method: &str,
    url: &str,
    body: &[u8],
) -> (Result<(u16, String), String>, u32) {
    let mut calls = 0;
    loop {
        let headers = [
            ("authorization", token.as_str()),
            ("content-type", "application/json"),
        ];
        let (answer, n) = until_answered(method, url, &headers, body).await;
        calls += n;
        if matches!(answer, Ok((401, _))) && calls < 20 {
            *token = sign_in(base).await;
            continue;
        }
        return (answer, calls);
    }
}

/// Replies to the first web tickets as they arrive, each reply sent with the
/// version Ana read; a call without an answer is tried again with the same
/// version, so a reply that landed is refused (409), never doubled.
async fn agent_replies(base: &str, told: &Mutex<Told>) {
    let mut token = sign_in(base).await;
    let mut answered = 0;
    let start = Instant::now();
    while answered < AGENT_REPLIES && start.elapsed() < CLIENT_DEADLINE {
        let next = told
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .web
            .get(&answered)
            .cloned();
        let Some(reference) = next else {
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        };
        let url = format!("{base}/api/agent/tickets/{reference}");
        let show: Value = match as_ana(base, &mut token, "GET", &url, b"").await.0 {
            Ok((200, body)) => serde_json::from_str(&body).unwrap_or_default(),
            other => panic!("Ana could not open {reference}: {other:?}"),
        };
        let version = show["ticket"]["version"].as_u64().unwrap_or_default();
        let last_seen = show["thread"]
            .as_array()
            .and_then(|t| t.last())
            .and_then(|m| m["id"].as_str())
            .map(str::to_owned);
        let text = format!("Agent reply {answered}: please try the reset button.");
        let body = json!({"version": version, "last_seen": last_seen, "body": text})
            .to_string()
            .into_bytes();
        let (answer, calls) =
            as_ana(base, &mut token, "POST", &format!("{url}/replies"), &body).await;
        let mut told = told.lock().unwrap_or_else(|e| e.into_inner());
        match answer {
            Ok((status, _)) if (200..300).contains(&status) => told.replies_confirmed.push(text),
            Ok((409, _)) if calls > 1 => told.replies_unsure.push(text),
            other => panic!("Ana's reply on {reference}: {other:?}"),
        }
        answered += 1;
    }
}

async fn ddb_client(url: &str) -> aws_sdk_dynamodb::Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(url)
        .load()
        .await;
    aws_sdk_dynamodb::Client::new(&config)
}

/// Every item of `table` (a test's table is small).
async fn scan(
    url: &str,
    table: &str,
) -> Vec<HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    let client = ddb_client(url).await;
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let out = client
            .scan()
            .table_name(table)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}", aws_sdk_dynamodb::error::DisplayErrorContext(e)));
        items.extend(out.items.unwrap_or_default());
        start = out.last_evaluated_key;
        if start.is_none() {
            return items;
        }
    }
}

fn text<'a>(
    item: &'a HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
    name: &str,
) -> &'a str {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .unwrap_or_default()
}

/// Outbox item key → its state.
async fn outbox_states(url: &str, table: &str) -> BTreeMap<String, String> {
    scan(url, table)
        .await
        .iter()
        .filter(|item| text(item, "sk") == "OUT")
        .map(|item| (text(item, "pk").to_owned(), text(item, "state").to_owned()))
        .collect()
}

async fn all_tickets(
    store: &DynamoStore,
    url: &str,
    table: &str,
) -> Vec<helpdesk_domain::ports::store::TicketThread> {
    let mut threads = Vec::new();
    for item in scan(url, table).await {
        if text(&item, "sk") != "T" {
            continue;
        }
        let reference = text(&item, "pk").trim_start_matches("T#");
        let reference = TicketRef::parse(reference).unwrap_or_else(|e| panic!("{reference}: {e}"));
        threads.push(
            store
                .load_ticket(&reference)
                .await
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    threads
}

/// The Message-IDs of every mail moto's SES took, one entry per send.
async fn testkit_sent_message_ids(moto: &str) -> Vec<String> {
    let mails = local_runner::dev::sent_mail(moto)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    mails
        .iter()
        .filter_map(|m| {
            mail_parser::MessageParser::default()
                .parse(m.raw_data.as_bytes())
                .and_then(|p| p.message_id().map(str::to_owned))
        })
        .collect()
}

/// Messages waiting or in flight on the queues the variables `names` name.
async fn queue_depth(moto: &str, vars: &HashMap<String, String>, names: &[&str]) -> u64 {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(moto)
        .load()
        .await;
    let sqs = aws_sdk_sqs::Client::new(&config);
    let mut total = 0;
    for var in names {
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(&vars[*var])
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(
                aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
            )
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"))
            .attributes
            .unwrap_or_default();
        total += attributes
            .values()
            .filter_map(|v| v.parse::<u64>().ok())
            .sum::<u64>();
    }
    total
}
