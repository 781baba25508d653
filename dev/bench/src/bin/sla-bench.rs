//! `make bench` (SLA part): 10,000 tickets due at once on the local stack
//! (DynamoDB Local, moto's SQS), and sla-escalation's handler built as its `main`
//! builds it, ticking until none is left. Reports each run's tickets and time
//! against the function's 120 s timeout, the tickets per second, and the mail the
//! runs queued per recipient (customers and agents apart). In the same process,
//! the floor: one bare DynamoDB read and write per ticket at the same concurrency.
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
use std::collections::BTreeMap;
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
    seconds: f64,
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
    /// Mail queued to each agent over all runs: most, and recipients.
    agent_mail_most: usize,
    agent_recipients: usize,
    /// Reminders and "is it solved?" mail to the tickets' customers.
    customer_mail: usize,
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
        println!(
            "run: {} tickets in {seconds:.1} s, {} escalated, left for the next run: {}",
            report.sla.looked_at, report.sla.escalated, report.sla.left_for_next_run
        );
        runs.push(Run {
            tickets: report.sla.looked_at,
            seconds,
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

    // The floor: a bare read and conditional write per ticket, same concurrency.
    let ddb = env.aws.dynamodb();
    let table = env.vars["HELPDESK_OPS_TABLE"].clone();
    let floor_n = 2_000;
    let floor_started = Instant::now();
    futures::stream::iter(0..floor_n)
        .map(|n| {
            let ddb = ddb.clone();
            let table = table.clone();
            async move {
                let key = aws_sdk_dynamodb::types::AttributeValue::S(format!("floor#{n}"));
                ddb.get_item()
                    .table_name(&table)
                    .key("pk", key.clone())
                    .send()
                    .await?;
                ddb.put_item()
                    .table_name(&table)
                    .item("pk", key)
                    .condition_expression("attribute_not_exists(pk)")
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

    // The mail the runs queued, per recipient.
    let mut per_recipient: BTreeMap<String, usize> = BTreeMap::new();
    for body in env.received("HELPDESK_OUTBOUND_QUEUE_URL").await {
        if let Ok(job) = helpdesk_domain::mail::outbound::job::OutboundJob::parse(&body) {
            *per_recipient
                .entry(job.recipient.as_str().to_owned())
                .or_default() += 1;
        }
    }
    let (customers, agents): (Vec<_>, Vec<_>) = per_recipient
        .iter()
        .partition(|(r, _)| r.starts_with("due-"));
    let report = Report {
        due: DUE,
        handled,
        tickets_per_second: per_second,
        floor_per_second: floor,
        ratio_to_floor: per_second / floor,
        agent_mail_most: agents.iter().map(|(_, n)| **n).max().unwrap_or(0),
        agent_recipients: agents.len(),
        customer_mail: customers.iter().map(|(_, n)| **n).sum(),
        runs,
    };
    println!(
        "SLA run over {DUE} due tickets: {} handled in {} run(s), {:.0} tickets/s ({:.2}x the bare read+write floor of {:.0}/s); longest run {:.1} s of the {TIMEOUT_S:.0} s timeout",
        report.handled,
        report.runs.len(),
        report.tickets_per_second,
        report.ratio_to_floor,
        report.floor_per_second,
        report.runs.iter().map(|r| r.seconds).fold(0.0, f64::max)
    );
    println!(
        "mail queued: {} to customers; {} agents, the most to one agent: {}",
        report.customer_mail, report.agent_recipients, report.agent_mail_most
    );
    std::fs::write(&out, serde_json::to_vec_pretty(&report)?)?;
    println!("written: {}", out.display());
    Ok(())
}
