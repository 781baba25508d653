//! `make bench` (stack part): what each operation costs on the local stack
//! (DynamoDB Local, moto's SQS, S3 and SES), run through the functions' own
//! handlers with the dependencies their `main` builds. Every AWS call is counted
//! on the wire by an SDK interceptor, with the capacity units DynamoDB reports
//! and the bytes the items take. Then tickets per second through submit-form at
//! concurrency 1 and 2, with CPU time per ticket, beside the floor: the same
//! DynamoDB write and SQS send made bare, in the same run.
//!
//! Needs the local stack's environment (`. .local/stack.env`); prints tables and
//! writes JSON.

use anyhow::{Context, bail, ensure};
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use helpdesk_domain::EmailAddress;
use helpdesk_domain::ports::TicketRecords;
use lambda_kit::Aws;
use lambda_kit::config::{
    AgentApiConfig, InboundMailConfig, SendReplyConfig, SlaEscalationConfig, SubmitFormConfig,
};
use serde::Serialize;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use testkit::calls::{Call, CallLog};
use testkit::events::{agent_request, event_text, invoke};
use testkit::local::{LocalEnv, unique};

/// Tickets due at once in the escalation run.
const DUE_TICKETS: usize = 20;
/// Tickets per throughput measurement.
const THROUGHPUT_TICKETS: usize = 240;

#[derive(Serialize)]
struct Cost {
    operation: String,
    budget: &'static str,
    dynamodb: usize,
    sqs: usize,
    s3: usize,
    ses: usize,
    /// Read and write capacity units DynamoDB reported.
    capacity_units: f64,
    /// Write units the secondary indexes would add on AWS (DynamoDB Local does
    /// not report them; counted from the items written, `testkit::calls`).
    index_units: f64,
    /// Bytes of the items written with `Put` (updates are in the units).
    item_bytes: usize,
    /// Bytes of every request body sent to AWS.
    request_bytes: usize,
    calls: Vec<String>,
}

impl Cost {
    fn of(operation: impl Into<String>, budget: &'static str, calls: &[Call]) -> Self {
        let count = |service: &str| {
            calls
                .iter()
                .filter(|c| c.operation.to_ascii_lowercase().starts_with(service))
                .count()
        };
        Self {
            operation: operation.into(),
            budget,
            dynamodb: count("dynamodb"),
            sqs: count("amazonsqs"),
            s3: count("s3."),
            ses: count("sesv2."),
            capacity_units: calls.iter().map(|c| c.capacity_units).sum(),
            index_units: calls.iter().map(|c| c.index_units).sum(),
            item_bytes: calls.iter().map(|c| c.item_bytes).sum(),
            request_bytes: calls.iter().map(|c| c.request_bytes).sum(),
            calls: calls.iter().map(|c| c.short().to_owned()).collect(),
        }
    }
}

#[derive(Serialize)]
struct Throughput {
    path: String,
    concurrency: usize,
    per_second: f64,
    ratio_to_floor: f64,
    /// CPU time of this process (every thread) per ticket.
    cpu_us_per_ticket: f64,
}

#[derive(Serialize)]
struct Report {
    costs: Vec<Cost>,
    throughput: Vec<Throughput>,
    /// USD per 1,000 tickets from the units measured above (infra/README.md,
    /// "What it costs", states the same assumptions).
    cost_per_1000: CostModel,
}

/// What a month of tickets costs, per 1,000 tickets, at us-east-1 list prices.
#[derive(Serialize, Debug, PartialEq)]
struct CostModel {
    /// DynamoDB units per ticket: one creation, five agent changes, five mails
    /// sent and three received, indexes included.
    units_per_ticket: f64,
    dynamodb: f64,
    ses: f64,
    /// Lambda, HTTP API, SQS and SNS together.
    rest: f64,
    total: f64,
    /// What we control: everything but SES's own prices.
    ours: f64,
    target: f64,
    met: bool,
}

/// Per ticket: 5 mails sent and 3 received (each under 256 KB, one chunk), 5
/// agent changes; USD 0.625 per million write units (reads priced as writes: an
/// upper bound); SES USD 0.10 per 1,000 sent, 0.10 per 1,000 received and 0.09
/// per 1,000 incoming chunks; Lambda, HTTP API, SQS and SNS about USD 0.05.
fn cost_model(costs: &[Cost]) -> anyhow::Result<CostModel> {
    let units = |name: &str| {
        costs
            .iter()
            .find(|c| c.operation == name)
            .map(|c| c.capacity_units + c.index_units)
            .with_context(|| format!("no measurement of {name:?}"))
    };
    let per_ticket = units("create a ticket (web form)")?
        + 5.0 * units("agent reply")?
        + 5.0 * units("send a confirmation")?
        + 3.0 * units("inbound mail, reply by token")?;
    let dynamodb = per_ticket * 1_000.0 * 0.625 / 1_000_000.0;
    let (sent, received) = (5.0, 3.0);
    let ses = sent * 0.10 + received * (0.10 + 0.09);
    let rest = 0.05;
    let total = dynamodb + ses + rest;
    Ok(CostModel {
        units_per_ticket: per_ticket,
        dynamodb,
        ses,
        rest,
        total,
        ours: dynamodb + rest,
        target: 1.0,
        met: total <= 1.0,
    })
}

/// The stack the functions run on, every client counted into `log`.
struct Stack {
    env: LocalEnv,
    log: CallLog,
    counted: Aws,
}

impl Stack {
    async fn new() -> anyhow::Result<Self> {
        let env = LocalEnv::fresh().await;
        env.connect_raw_mail_to_inbound().await;
        local_runner::seed::seed_demo(&*env.store()).await?;
        let log = CallLog::default();
        let counted = env.aws.intercepted(log.shared());
        Ok(Self { env, log, counted })
    }

    /// Runs `step` and returns what it cost on the wire.
    async fn cost<F: Future<Output = anyhow::Result<()>>>(
        &self,
        operation: impl Into<String>,
        budget: &'static str,
        step: F,
    ) -> anyhow::Result<Cost> {
        self.log.take_calls();
        step.await?;
        Ok(Cost::of(operation, budget, &self.log.take_calls()))
    }

    /// Up to `n` waiting messages of a queue, as the event source mapping hands
    /// them over, taken off the queue (with an uncounted client). S3's test event
    /// (sent when the notification is set up) is skipped.
    async fn batch(&self, queue_var: &str, n: i32) -> anyhow::Result<SqsEvent> {
        let sqs = self.env.aws.sqs();
        let queue = self.env.var(queue_var);
        let mut event = SqsEvent::default();
        while event.records.is_empty() {
            let out = sqs
                .receive_message()
                .queue_url(&queue)
                .max_number_of_messages(n)
                .wait_time_seconds(1)
                .send()
                .await?;
            let messages = out.messages.unwrap_or_default();
            ensure!(!messages.is_empty(), "{queue_var} is empty");
            for m in messages {
                if let Some(handle) = &m.receipt_handle {
                    sqs.delete_message()
                        .queue_url(&queue)
                        .receipt_handle(handle)
                        .send()
                        .await?;
                }
                if m.body
                    .as_deref()
                    .is_some_and(|b| b.contains("s3:TestEvent"))
                {
                    continue;
                }
                let mut record = SqsMessage::default();
                record.message_id = m.message_id;
                record.body = m.body;
                event.records.push(record);
            }
        }
        Ok(event)
    }

    /// Stores raw mail as SES does; S3 notifies the inbound queue.
    async fn arrive(&self, raw: String) -> anyhow::Result<()> {
        self.env
            .aws
            .s3()
            .put_object()
            .bucket(self.env.var("HELPDESK_RAW_MAIL_BUCKET"))
            .key(format!("raw/{}", unique("ses")))
            .body(raw.into_bytes().into())
            .send()
            .await?;
        Ok(())
    }
}

/// A help-center request for the technical category from its own address and
/// network address (so no rate limit is reached).
fn ticket_request(n: usize) -> anyhow::Result<String> {
    let mut event: Value =
        serde_json::from_str(&event_text("submit-form.apigw.create-ticket.json"))?;
    let ip = format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255);
    event["body"] = json!(
        json!({
            "category": "technical", "name": "Jane Customer",
            "email": format!("bench-{n}-{}@example.com", std::process::id()),
            "subject": "Kettle switches off early",
            "description": "It stops before the water boils, every time since Monday.",
            "details": {"model": "Kettle K2", "serial": "K2-000123"},
            "website": "", "elapsed_ms": 52000
        })
        .to_string()
    );
    event["requestContext"]["http"]["sourceIp"] = json!(ip);
    let headers = event["headers"]
        .as_object_mut()
        .context("the sample event has headers")?;
    headers.insert("x-forwarded-for".into(), json!(ip));
    headers.insert("idempotency-key".into(), json!(unique("bench")));
    Ok(event.to_string())
}

async fn create(router: &axum::Router, n: usize) -> anyhow::Result<String> {
    let (status, body) = invoke(router.clone(), &ticket_request(n)?).await;
    ensure!(status == 201, "creating a ticket: {status} {body}");
    body["reference"]
        .as_str()
        .map(str::to_owned)
        .context("no reference")
}

fn no_failures(r: &aws_lambda_events::event::sqs::SqsBatchResponse) -> anyhow::Result<()> {
    ensure!(r.batch_item_failures.is_empty(), "failed: {r:?}");
    Ok(())
}

fn mail_from(customer: &str, to: &str) -> String {
    format!(
        "From: Ann <{customer}>\r\nTo: {to}\r\nSubject: Toaster smells of burning\r\n\
         Message-ID: <{}@mail.example.org>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nIt started yesterday.\r\n\r\nAnn\r\n",
        unique("m")
    )
}

/// The functions' handlers, their dependencies built as their `main` builds them,
/// every client counted.
struct Functions {
    submit: axum::Router,
    send: send_reply::Deps,
    inbound: inbound_mail::Deps,
    agent: axum::Router,
}

impl Functions {
    fn connect(s: &Stack) -> anyhow::Result<Self> {
        let vars = &s.env.vars;
        Ok(Self {
            submit: submit_form::router(Arc::new(submit_form::Deps::connect(
                &s.counted,
                &SubmitFormConfig::from_source(vars)?,
            ))),
            send: send_reply::Deps::connect(&s.counted, &SendReplyConfig::from_source(vars)?),
            inbound: inbound_mail::Deps::connect(
                &s.counted,
                &InboundMailConfig::from_source(vars)?,
            ),
            agent: agent_api::router(Arc::new(agent_api::Deps::connect(
                &s.counted,
                &AgentApiConfig::from_source(vars)?,
            ))),
        })
    }
}

/// Each step once cold (caches empty, connections new), then measured warm.
async fn costs(s: &Stack, f: &Functions) -> anyhow::Result<Vec<Cost>> {
    let mut costs = Vec::new();
    let reference = web_form_and_confirmation(s, f, &mut costs).await?;
    inbound_mail(s, f, &mut costs).await?;
    agent_actions(s, f, &reference, &mut costs).await?;
    costs.push(escalation_run(s, f).await?);
    Ok(costs)
}

/// A ticket from the help center and its confirmation mail; the ticket's reference.
async fn web_form_and_confirmation(
    s: &Stack,
    f: &Functions,
    costs: &mut Vec<Cost>,
) -> anyhow::Result<String> {
    costs.push(
        s.cost("create a ticket (web form, cold)", "", async {
            create(&f.submit, 0).await.map(drop)
        })
        .await?,
    );
    let mut reference = String::new();
    costs.push(
        s.cost("create a ticket (web form)", "1 DynamoDB + 1 SQS", async {
            reference = create(&f.submit, 1).await?;
            Ok(())
        })
        .await?,
    );
    for name in ["send a confirmation (cold)", "send a confirmation"] {
        let event = s.batch("HELPDESK_OUTBOUND_QUEUE_URL", 1).await?;
        costs.push(
            s.cost(name, "", async {
                no_failures(&send_reply::handle(&f.send, event).await)
            })
            .await?,
        );
    }
    Ok(reference)
}

const INBOUND_BUDGET: &str = "1 S3 + <= 2 DynamoDB + <= 1 SQS";

/// A customer's mail opening a ticket, then their reply by the signed address.
async fn inbound_mail(s: &Stack, f: &Functions, costs: &mut Vec<Cost>) -> anyhow::Result<()> {
    let customer = format!("{}@example.org", unique("ann"));
    for (name, budget) in [
        ("inbound mail, new ticket (cold)", ""),
        ("inbound mail, new ticket", INBOUND_BUDGET),
    ] {
        s.arrive(mail_from(&customer, "support@helpdesk.test"))
            .await?;
        let event = s.batch("HELPDESK_INBOUND_QUEUE_URL", 1).await?;
        costs.push(
            s.cost(name, budget, async {
                no_failures(&inbound_mail::handle(&f.inbound, event).await)
            })
            .await?,
        );
    }
    let email = EmailAddress::parse(&customer).map_err(|e| anyhow::anyhow!("{e}"))?;
    let theirs = s.env.store().tickets_of_requester(&email, 1).await?;
    let Some(mailed) = theirs.first() else {
        bail!("the mail made no ticket");
    };
    let token = f.inbound.keys.sign(&mailed.reference, &email);
    s.arrive(mail_from(
        &customer,
        &format!("support+{token}@helpdesk.test"),
    ))
    .await?;
    let event = s.batch("HELPDESK_INBOUND_QUEUE_URL", 1).await?;
    costs.push(
        s.cost("inbound mail, reply by token", INBOUND_BUDGET, async {
            no_failures(&inbound_mail::handle(&f.inbound, event).await)
        })
        .await?,
    );
    Ok(())
}

/// Ana opens the web-form ticket and replies.
async fn agent_actions(
    s: &Stack,
    f: &Functions,
    reference: &str,
    costs: &mut Vec<Cost>,
) -> anyhow::Result<()> {
    let as_ana = |method: &str, path: String, body: Option<Value>| {
        agent_request("ana", "agents", method, &path, body)
    };
    let mut view = Value::Null;
    for name in ["agent opens a ticket (cold)", "agent opens a ticket"] {
        costs.push(
            s.cost(name, "", async {
                let path = format!("/api/agent/tickets/{reference}");
                let (status, body) = invoke(f.agent.clone(), &as_ana("GET", path, None)).await;
                ensure!(status == 200, "opening {reference}: {status} {body}");
                view = body;
                Ok(())
            })
            .await?,
        );
    }
    costs.push(
        s.cost("agent reply", "", async {
            let body = json!({
                "version": view["ticket"]["version"],
                "last_seen": view["thread"][0]["id"],
                "body": "Please hold the switch for three seconds."
            });
            let path = format!("/api/agent/tickets/{reference}/replies");
            let (status, answer) = invoke(f.agent.clone(), &as_ana("POST", path, Some(body))).await;
            ensure!(status == 200, "replying: {status} {answer}");
            Ok(())
        })
        .await?,
    );
    Ok(())
}

/// The escalation run with every open ticket overdue at once, their mail already
/// sent (so the run's own work is all it does).
async fn escalation_run(s: &Stack, f: &Functions) -> anyhow::Result<Cost> {
    for n in 0..DUE_TICKETS {
        create(&f.submit, 100 + n).await?;
    }
    drain_outbound(s, &f.send).await?;
    let mut sla =
        sla_escalation::Deps::connect(&s.counted, &SlaEscalationConfig::from_source(&s.env.vars)?);
    sla.self_test = None;
    let mut tick = EventBridgeEvent::default();
    tick.time = Some(chrono::Utc::now() + chrono::Duration::days(30));
    let mut done = None;
    let mut run = s
        .cost("escalation run", "", async {
            let report = sla_escalation::handle(&sla, tick)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            done = Some(report.sla);
            Ok(())
        })
        .await?;
    let done = done.context("the run reported nothing")?;
    run.operation = format!(
        "escalation run: {} due, {} escalated, {} breached",
        done.looked_at, done.escalated, done.breached
    );
    Ok(run)
}

/// Sends every queued mail (uncounted).
async fn drain_outbound(s: &Stack, send: &send_reply::Deps) -> anyhow::Result<()> {
    loop {
        let Ok(event) = s.batch("HELPDESK_OUTBOUND_QUEUE_URL", 10).await else {
            return Ok(());
        };
        no_failures(&send_reply::handle(send, event).await)?;
        s.log.take_calls();
    }
}

/// CPU time of every thread of this process, in microseconds.
fn cpu_us() -> anyhow::Result<f64> {
    let mut ns = 0u64;
    for task in std::fs::read_dir("/proc/self/task")? {
        let stat = std::fs::read_to_string(task?.path().join("schedstat"))?;
        ns += stat
            .split_whitespace()
            .next()
            .and_then(|x| x.parse::<u64>().ok())
            .context("schedstat")?;
    }
    Ok(ns as f64 / 1e3)
}

/// Runs `one(i)` for `total` indexes on `concurrency` tasks; per second and CPU µs
/// per call.
async fn rate<F, Fut>(total: usize, concurrency: usize, one: F) -> anyhow::Result<(f64, f64)>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let one = Arc::new(one);
    let next = Arc::new(AtomicUsize::new(0));
    let cpu = cpu_us()?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (one, next) = (one.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= total {
                    return Ok::<_, anyhow::Error>(());
                }
                one(i).await?;
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    let elapsed = started.elapsed();
    let cpu = cpu_us()? - cpu;
    Ok((total as f64 / elapsed.as_secs_f64(), cpu / total as f64))
}

async fn throughput(s: &Stack, ticket_write: &Call) -> anyhow::Result<Vec<Throughput>> {
    let config = SubmitFormConfig::from_source(&s.env.vars)?;
    // Uncounted clients: the interceptor's own work is not the function's.
    let submit = submit_form::router(Arc::new(submit_form::Deps::connect(&s.env.aws, &config)));
    // Warm the caches and connections.
    create(&submit, 9_000).await?;
    let dynamodb = s.env.aws.dynamodb();
    let sqs = s.env.aws.sqs();
    let main_table = s.env.var("HELPDESK_MAIN_TABLE");
    let queue = config.outbound_queue_url.clone();
    let items = ticket_write.write_items.max(1);
    let filler = "x".repeat(ticket_write.item_bytes / items);
    let floor = Arc::new(move |i: usize| {
        let (dynamodb, sqs) = (dynamodb.clone(), sqs.clone());
        let (table, queue, filler) = (main_table.clone(), queue.clone(), filler.clone());
        async move { bare_ticket(&dynamodb, &sqs, &table, &queue, &filler, items, i).await }
    });
    let mut out = Vec::new();
    let mut base = 0;
    for concurrency in [1, 2] {
        let f = floor.clone();
        let (floor_rate, floor_cpu) =
            rate(THROUGHPUT_TICKETS, concurrency, move |i| f(i + base)).await?;
        let router = submit.clone();
        let (rate_, cpu) = rate(THROUGHPUT_TICKETS, concurrency, move |i| {
            let router = router.clone();
            async move { create(&router, 10_000 + base + i).await.map(drop) }
        })
        .await?;
        base += THROUGHPUT_TICKETS;
        out.push(Throughput {
            path: format!("bare calls ({items} items written + 1 send)"),
            concurrency,
            per_second: floor_rate,
            ratio_to_floor: 1.0,
            cpu_us_per_ticket: floor_cpu,
        });
        out.push(Throughput {
            path: "submit-form: create a ticket".into(),
            concurrency,
            per_second: rate_,
            ratio_to_floor: rate_ / floor_rate,
            cpu_us_per_ticket: cpu,
        });
    }
    Ok(out)
}

/// The floor for one ticket: one transaction putting as many items of the same
/// total size as a ticket's write, and one queue message.
async fn bare_ticket(
    dynamodb: &aws_sdk_dynamodb::Client,
    sqs: &aws_sdk_sqs::Client,
    table: &str,
    queue: &str,
    filler: &str,
    items: usize,
    i: usize,
) -> anyhow::Result<()> {
    use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
    let mut write = dynamodb.transact_write_items();
    for k in 0..items {
        let put = Put::builder()
            .table_name(table)
            .item("pk", AttributeValue::S(format!("BENCH#{i}")))
            .item("sk", AttributeValue::S(format!("ITEM#{k}")))
            .item("body", AttributeValue::S(filler.to_owned()))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        write = write.transact_items(TransactWriteItem::builder().put(put).build());
    }
    write.send().await?;
    sqs.send_message()
        .queue_url(queue)
        .message_body(format!("{{\"bench\":{i}}}"))
        .send()
        .await?;
    Ok(())
}

/// The calls in order, or counted per operation when there are many.
fn call_list(calls: &[String]) -> String {
    if calls.len() <= 12 {
        return calls.join(" ");
    }
    let mut counted: Vec<(&str, usize)> = Vec::new();
    for c in calls {
        match counted.iter_mut().find(|(name, _)| name == c) {
            Some((_, n)) => *n += 1,
            None => counted.push((c, 1)),
        }
    }
    counted
        .iter()
        .map(|(name, n)| format!("{name} x{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_cost(m: &CostModel) {
    println!();
    println!(
        "cost per 1,000 tickets ({:.0} DynamoDB units a ticket, indexes included): DynamoDB USD {:.2}, SES USD {:.2}, Lambda/API/SQS USD {:.2}; total USD {:.2} against a target of USD {:.2}: {}",
        m.units_per_ticket,
        m.dynamodb,
        m.ses,
        m.rest,
        m.total,
        m.target,
        if m.met {
            "met".to_owned()
        } else if m.ses > m.target {
            format!(
                "missed, because SES's own list prices for 5 mails sent and 3 received a ticket are USD {:.2} alone; what we control is USD {:.2}",
                m.ses, m.ours
            )
        } else {
            "missed".to_owned()
        }
    );
}

fn print(report: &Report) {
    println!(
        "{:<58} {:>4} {:>4} {:>3} {:>4} {:>7} {:>7} {:>7} {:>8}  budget",
        "operation (warm unless cold)",
        "DDB",
        "SQS",
        "S3",
        "SES",
        "units",
        "index",
        "items B",
        "sent B"
    );
    for c in &report.costs {
        println!(
            "{:<58} {:>4} {:>4} {:>3} {:>4} {:>7.1} {:>7.1} {:>7} {:>8}  {}",
            c.operation,
            c.dynamodb,
            c.sqs,
            c.s3,
            c.ses,
            c.capacity_units,
            c.index_units,
            c.item_bytes,
            c.request_bytes,
            c.budget
        );
    }
    for c in &report.costs {
        println!("{:<40} {}", c.operation, call_list(&c.calls));
    }
    println!();
    println!(
        "{:<40} {:>11} {:>12} {:>8} {:>12}",
        "throughput (DynamoDB Local, moto)", "concurrency", "per second", "x floor", "CPU µs each"
    );
    for t in &report.throughput {
        println!(
            "{:<40} {:>11} {:>12.1} {:>7.2}x {:>12.0}",
            t.path, t.concurrency, t.per_second, t.ratio_to_floor, t.cpu_us_per_ticket
        );
    }
    print_cost(&report.cost_per_1000);
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .context("usage: stack-bench <json out>")?,
    );
    let stack = Stack::new().await?;
    let functions = Functions::connect(&stack)?;
    let costs = costs(&stack, &functions).await?;
    // A warm ticket's transaction sizes the floor of the throughput runs.
    create(&functions.submit, 8_000).await?;
    stack.log.take_calls();
    create(&functions.submit, 8_001).await?;
    let calls = stack.log.take_calls();
    let ticket_write = calls
        .iter()
        .rev()
        .find(|c| c.short() == "TransactWriteItems")
        .context("a ticket wrote nothing")?
        .clone();
    let throughput = throughput(&stack, &ticket_write).await?;
    let cost_per_1000 = cost_model(&costs)?;
    let report = Report {
        costs,
        throughput,
        cost_per_1000,
    };
    print(&report);
    std::fs::write(&out, serde_json::to_vec_pretty(&report)?)?;
    println!("written: {}", out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(operation: &str, units: f64, index: f64) -> Cost {
        Cost {
            operation: operation.into(),
            budget: "",
            dynamodb: 0,
            sqs: 0,
            s3: 0,
            ses: 0,
            capacity_units: units,
            index_units: index,
            item_bytes: 0,
            request_bytes: 0,
            calls: vec![],
        }
    }

    #[test]
    fn the_cost_model_adds_the_measured_units_and_says_why_the_target_is_missed() {
        let measured = [
            cost("create a ticket (web form)", 30.0, 10.0),
            cost("agent reply", 35.5, 9.0),
            cost("send a confirmation", 17.0, 3.0),
            cost("inbound mail, reply by token", 25.0, 14.0),
        ];
        let m = cost_model(&measured).unwrap();
        assert!((m.units_per_ticket - 479.5).abs() < 1e-9, "{m:?}");
        assert!((m.dynamodb - 0.2997).abs() < 1e-3, "{m:?}");
        assert!((m.ses - 1.07).abs() < 1e-9, "{m:?}");
        assert!(!m.met);
        assert!(
            cost_model(&measured[..3]).is_err(),
            "a missing measurement is an error"
        );
    }
}
