//! `make bench` (SLA part): 10,000 tickets due at once on the local stack
//! (DynamoDB Local, moto's SQS), and sla-escalation's handler built as its `main`
//! builds it, ticking until none is left (at most three runs). Reports each run's
//! tickets, steps and time against the function's 120 s timeout, and the tickets
//! per second, and the mail each run queued per recipient (read back off the
//! outbound queue: the target is at most one per agent per run). In the same
//! process, the floor: a bare query and an eight-item transaction per ticket at
//! the same concurrency.
//!
//! Needs the local stack's environment (`. .local/stack.env`); prints a table and
//! writes JSON.

use anyhow::{Context, ensure};
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use futures::StreamExt;
use helpdesk_domain::ports::{Categories, Clock, RandomIds, SlaPolicies, TicketRecords};
use helpdesk_domain::sla::clocks::{self, Rules};
use lambda_kit::config::SlaEscalationConfig;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;
use testkit::local::LocalEnv;

const DUE: usize = 10_000;
/// The function's timeout (infra/template.yaml).
const TIMEOUT_S: f64 = 120.0;
/// Runs measured at most (each stops itself after 80 s); what is left is reported.
const MAX_RUNS: usize = 3;

#[derive(Serialize)]
struct Run {
    tickets: u32,
    steps: u32,
    seconds: f64,
    /// Mails the run queued, and the most any one recipient got.
    mails: usize,
    most_to_one_recipient: usize,
    left_for_next_run: bool,
    within_timeout: bool,
}

#[derive(Serialize)]
struct Report {
    due: usize,
    handled: u32,
    runs: Vec<Run>,
    tickets_per_second: f64,
    floor_per_second: f64,
    ratio_to_floor: f64,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .context("usage: sla-bench <json out>")?,
    );
    let env = LocalEnv::fresh().await;
    let store = env.store();
    local_runner::seed::seed_demo(&*store).await?;
    let categories = store.categories().await?;
    let category = categories.first().context("no demo category")?.clone();
    let policy = store
        .policy(&category.sla_policy)
        .await?
        .context("no demo policy")?;
    let rules = Rules::new(Some(&category), Some(policy));
    let opened = chrono::Utc::now() - chrono::Duration::days(30);

    // The due tickets, written as intake writes them (clocks started a month ago).
    let started = Instant::now();
    futures::stream::iter(0..DUE)
        .map(|n| {
            let store = store.clone();
            let rules = rules.clone();
            let category = category.id.as_str().to_owned();
            async move {
                let mut new = testkit::fixtures::new_ticket(
                    &RandomIds,
                    &category,
                    &format!("due-{n}@example.com"),
                    opened,
                );
                clocks::open(&mut new.ticket, &rules, opened);
                store.create_ticket(new).await.map(|_| ())
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<Vec<()>, _>>()?;
    println!(
        "{DUE} due tickets written in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Ticks until nothing is due; each one as the schedule fires it.
    let mut sla =
        sla_escalation::Deps::connect(&env.aws, &SlaEscalationConfig::from_source(&env.vars)?);
    sla.self_test = None;
    let mut runs = Vec::new();
    let all = Instant::now();
    loop {
        let mut tick = EventBridgeEvent::default();
        tick.time = Some(helpdesk_domain::ports::SystemClock.now());
        let began = Instant::now();
        let report = sla_escalation::handle(&sla, tick)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let seconds = began.elapsed().as_secs_f64();
        let per_recipient = drain_outbound(&env).await?;
        let mails: usize = per_recipient.values().sum();
        let most = per_recipient.values().copied().max().unwrap_or(0);
        println!(
            "run: {} tickets in {seconds:.1} s, {} breached, {} escalated, {} already done, {} mail not queued, {mails} mails queued to {} recipients (at most {most} to one), left for the next run: {}",
            report.sla.looked_at,
            report.sla.breached,
            report.sla.escalated,
            report.sla.already_done,
            report.sla.mail_not_queued,
            per_recipient.len(),
            report.sla.left_for_next_run
        );
        runs.push(Run {
            tickets: report.sla.looked_at,
            steps: report.sla.warned + report.sla.breached + report.sla.escalated,
            seconds,
            mails,
            most_to_one_recipient: most,
            left_for_next_run: report.sla.left_for_next_run,
            within_timeout: seconds < TIMEOUT_S,
        });
        if !report.sla.left_for_next_run || runs.len() >= MAX_RUNS {
            break;
        }
    }
    let handled: u32 = runs.iter().map(|r| r.tickets).sum();
    ensure!(handled > 0, "no run handled a ticket");
    let per_second = handled as f64 / all.elapsed().as_secs_f64();

    // The floor: per ticket, what a visit cannot do without on the same stack at
    // the same concurrency: one query of a partition and one transaction of eight
    // small puts (a ticket update, two events and five outbox items is the size of
    // an escalation's write here).
    let ddb = env.aws.dynamodb();
    let table = env.vars["HELPDESK_MAIN_TABLE"].clone();
    let floor_n = 1_000;
    let floor_started = Instant::now();
    futures::stream::iter(0..floor_n)
        .map(|n| {
            let ddb = ddb.clone();
            let table = table.clone();
            async move {
                use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
                let pk = AttributeValue::S(format!("FLOOR#{n}"));
                ddb.query()
                    .table_name(&table)
                    .key_condition_expression("pk = :pk")
                    .expression_attribute_values(":pk", pk.clone())
                    .send()
                    .await?;
                let mut writes = Vec::new();
                for i in 0..8 {
                    let put = Put::builder()
                        .table_name(&table)
                        .item("pk", pk.clone())
                        .item("sk", AttributeValue::S(format!("ITEM#{i}")))
                        .item("body", AttributeValue::S("x".repeat(300)))
                        .build()?;
                    writes.push(TransactWriteItem::builder().put(put).build());
                }
                ddb.transact_write_items()
                    .set_transact_items(Some(writes))
                    .send()
                    .await?;
                anyhow::Ok(())
            }
        })
        .buffer_unordered(sla_escalation::RUN_CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<Vec<()>, _>>()?;
    let floor = floor_n as f64 / floor_started.elapsed().as_secs_f64();

    let report = Report {
        due: DUE,
        handled,
        tickets_per_second: per_second,
        floor_per_second: floor,
        ratio_to_floor: per_second / floor,
        runs,
    };
    println!(
        "SLA run over {DUE} due tickets: {} handled in {} run(s), {:.0} tickets/s ({:.2}x the floor of {:.0}/s: a query and an 8-item transaction); longest run {:.1} s of the {TIMEOUT_S:.0} s timeout",
        report.handled,
        report.runs.len(),
        report.tickets_per_second,
        report.ratio_to_floor,
        report.floor_per_second,
        report.runs.iter().map(|r| r.seconds).fold(0.0, f64::max)
    );
    std::fs::write(&out, serde_json::to_vec_pretty(&report)?)?;
    println!("written: {}", out.display());
    Ok(())
}

/// Takes every message off the outbound queue and counts them per recipient.
async fn drain_outbound(
    env: &LocalEnv,
) -> anyhow::Result<std::collections::BTreeMap<String, usize>> {
    let sqs = env.aws.sqs();
    let url = env.vars["HELPDESK_OUTBOUND_QUEUE_URL"].clone();
    let mut per_recipient = std::collections::BTreeMap::new();
    loop {
        let got = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .send()
            .await?;
        let messages = got.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok(per_recipient);
        }
        for m in messages {
            let job = helpdesk_domain::mail::outbound::job::OutboundJob::parse(
                m.body.as_deref().unwrap_or_default(),
            )?;
            *per_recipient
                .entry(job.recipient.as_str().to_owned())
                .or_insert(0) += 1;
            if let Some(handle) = m.receipt_handle {
                sqs.delete_message()
                    .queue_url(&url)
                    .receipt_handle(handle)
                    .send()
                    .await?;
            }
        }
    }
}
