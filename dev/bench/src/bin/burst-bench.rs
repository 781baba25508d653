//! `make bench` (burst part): new tickets in one category at concurrency 1 to 32
//! on DynamoDB Local, each written as intake writes it (the ticket, its first
//! message, its confirmation's outbox item, the live counters and the day's report
//! figures in one transaction). Reports per concurrency: tickets per second,
//! transactions cancelled by `TransactionConflict` and sent again, and failed
//! writes (target 0); then checks that the category's counters equal the tickets.
//!
//! DynamoDB Local runs transactions one at a time, so it rarely reports a conflict
//! where DynamoDB would; SCALING.md models DynamoDB itself.
//!
//! Needs the local stack's environment (`. .local/stack.env`); prints a table and
//! writes JSON.

use anyhow::{Context, ensure};
use futures::StreamExt;
use helpdesk_domain::ports::{Categories, Queues, RandomIds, TicketRecords};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;
use testkit::local::LocalEnv;

const PER_LEVEL: usize = 400;
const LEVELS: [usize; 6] = [1, 2, 4, 8, 16, 32];

#[derive(Serialize)]
struct Level {
    concurrency: usize,
    tickets: usize,
    per_second: f64,
    conflicts_retried: u64,
    failed: usize,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .context("usage: burst-bench <json out>")?,
    );
    let env = LocalEnv::fresh().await;
    let store = env.store();
    local_runner::seed::seed_demo(&*store).await?;
    let category = store
        .categories()
        .await?
        .first()
        .context("no demo category")?
        .id
        .clone();
    let before: i64 = store.status_counts(&category).await?.0.values().sum();
    let mut levels = Vec::new();
    let mut written = 0;
    for concurrency in LEVELS {
        let conflicts_before = store.conflicts_retried();
        let started = Instant::now();
        let results: Vec<bool> = futures::stream::iter(0..PER_LEVEL)
            .map(|n| {
                let store = store.clone();
                let category = category.clone();
                async move {
                    let mut new = testkit::fixtures::new_ticket(
                        &RandomIds,
                        category.as_str(),
                        &format!("burst-{concurrency}-{n}@example.com"),
                        chrono::Utc::now(),
                    );
                    new.outbox = vec![testkit::fixtures::confirmation_job(&RandomIds, &new.ticket)];
                    store.create_ticket(new).await.is_ok()
                }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        let seconds = started.elapsed().as_secs_f64();
        let failed = results.iter().filter(|ok| !**ok).count();
        written += PER_LEVEL - failed;
        levels.push(Level {
            concurrency,
            tickets: PER_LEVEL,
            per_second: PER_LEVEL as f64 / seconds,
            conflicts_retried: store.conflicts_retried() - conflicts_before,
            failed,
        });
    }
    println!(
        "{:<32} {:>11} {:>11} {:>10} {:>7}",
        "burst in one category", "concurrency", "per second", "conflicts", "failed"
    );
    for l in &levels {
        println!(
            "{:<32} {:>11} {:>11.1} {:>10} {:>7}",
            "create ticket (DynamoDB Local)",
            l.concurrency,
            l.per_second,
            l.conflicts_retried,
            l.failed
        );
    }
    // The counters, summed over their shards, equal the tickets written.
    let counts = store.status_counts(&category).await?;
    let counted: i64 = counts.0.values().sum::<i64>() - before;
    println!("tickets written {written}, counted in the category's live counters {counted}");
    ensure!(
        counted == written as i64,
        "the counters drifted from the tickets"
    );
    std::fs::write(&out, serde_json::to_vec_pretty(&levels)?)?;
    println!("written: {}", out.display());
    Ok(())
}
