//! `make bench` (cold start part): each function's release binary is started
//! under a local Lambda Runtime API on loopback and timed from exec to its first
//! `next` and to the response to a real event from `events/`; then warm
//! invocations (median, p99) and peak RSS (VmHWM). Beside them, in the same run,
//! a hello-world lambda_runtime binary built with the same profile: the floor.
//! Prints a table and writes JSON; figures are ratios to the floor because the
//! machine is shared and noisy.

mod stub;

use anyhow::Context;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

const COLD_RUNS: usize = 11;
const WARM_INVOCATIONS: usize = 1000;

/// (binary, event file or None for an empty object).
/// The first two are the floors: bare lambda_runtime, and with a DynamoDB client.
const TARGETS: [(&str, Option<&str>); 7] = [
    ("hello-lambda", None),
    ("hello-dynamodb", None),
    ("submit-form", Some("submit-form.apigw.categories.json")),
    ("agent-api", Some("agent-api.apigw.tickets.json")),
    (
        "inbound-mail",
        Some("inbound-mail.sqs.s3-notification.json"),
    ),
    ("send-reply", Some("send-reply.sqs.confirmation.json")),
    (
        "sla-escalation",
        Some("sla-escalation.eventbridge.scheduled.json"),
    ),
];

#[derive(Debug, Serialize)]
struct Result {
    function: String,
    /// exec → first `next`: the init phase.
    to_first_next_ms: f64,
    init_ratio_to_floor: f64,
    init_ratio_to_sdk_floor: f64,
    /// exec → the response to the first event.
    to_first_response_ms: f64,
    cold_ratio_to_floor: f64,
    warm_median_us: f64,
    warm_p99_us: f64,
    peak_rss_mb: f64,
    /// What the function answered to the event (so a failing event shows).
    first_answer: String,
}

/// Every run of one target.
#[derive(Default)]
struct Runs {
    cold_next: Vec<f64>,
    cold_response: Vec<f64>,
    warm: Vec<f64>,
    rss: Vec<f64>,
    first_answer: String,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i).copied().unwrap_or(f64::NAN)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let bin_dir = PathBuf::from(
        args.next()
            .context("usage: bench <release bin dir> <events dir> <json out>")?,
    );
    let events_dir = PathBuf::from(args.next().context("missing events dir")?);
    let out = PathBuf::from(args.next().context("missing json out")?);

    let mut bodies = Vec::new();
    for (name, event) in TARGETS {
        bodies.push(match event {
            Some(file) => {
                std::fs::read(events_dir.join(file)).with_context(|| format!("events/{file}"))?
            }
            None => b"{}".to_vec(),
        });
        anyhow::ensure!(bin_dir.join(name).exists(), "{name} is not built");
    }
    // Round by round over every target, so a noisy spell of the machine touches
    // all of them alike.
    let mut runs: Vec<Runs> = TARGETS.iter().map(|_| Runs::default()).collect();
    for run in 0..COLD_RUNS {
        for ((name, _), (body, r)) in TARGETS.iter().zip(bodies.iter().zip(&mut runs)) {
            let invocations = if run == 0 { 1 + WARM_INVOCATIONS } else { 1 };
            let m = stub::measure(
                &bin_dir.join(name),
                body,
                invocations,
                Duration::from_secs(60),
            )
            .await
            .with_context(|| (*name).to_owned())?;
            r.cold_next.push(m.to_first_next.as_secs_f64() * 1e3);
            r.cold_response
                .push(m.to_first_response.as_secs_f64() * 1e3);
            r.rss.push(m.peak_rss_kb as f64 / 1024.0);
            if run == 0 {
                r.first_answer = m.first_answer;
                r.warm = m.warm.iter().map(|d| d.as_secs_f64() * 1e6).collect();
            }
        }
    }
    let medians: Vec<(f64, f64)> = runs
        .iter()
        .map(|r| (median(r.cold_next.clone()), median(r.cold_response.clone())))
        .collect();
    let (floor_init, floor_response) = medians[0];
    let (sdk_floor_init, _) = medians[1];
    let results: Vec<Result> = TARGETS
        .iter()
        .zip(runs)
        .zip(medians)
        .map(|(((name, _), r), (init, response))| Result {
            function: (*name).to_owned(),
            to_first_next_ms: init,
            init_ratio_to_floor: init / floor_init,
            init_ratio_to_sdk_floor: init / sdk_floor_init,
            to_first_response_ms: response,
            cold_ratio_to_floor: response / floor_response,
            warm_median_us: median(r.warm.clone()),
            warm_p99_us: percentile(r.warm, 0.99),
            peak_rss_mb: r.rss.into_iter().fold(0.0, f64::max),
            first_answer: r.first_answer,
        })
        .collect();
    println!(
        "{:<16} {:>9} {:>8} {:>8} {:>10} {:>8} {:>12} {:>10} {:>9}",
        "function",
        "init",
        "x floor",
        "x SDK",
        "1st resp.",
        "x floor",
        "warm median",
        "warm p99",
        "peak RSS"
    );
    for r in &results {
        println!(
            "{:<16} {:>6.1} ms {:>7.2}x {:>7.2}x {:>7.1} ms {:>7.2}x {:>9.0} µs {:>7.0} µs {:>6.1} MB",
            r.function,
            r.to_first_next_ms,
            r.init_ratio_to_floor,
            r.init_ratio_to_sdk_floor,
            r.to_first_response_ms,
            r.cold_ratio_to_floor,
            r.warm_median_us,
            r.warm_p99_us,
            r.peak_rss_mb
        );
    }
    for r in &results {
        println!("{:<16} answered {}", r.function, r.first_answer);
    }
    println!(
        "(medians of {COLD_RUNS} cold starts, interleaved; init = exec to the first `next`; x SDK = against hello-dynamodb; warm: {WARM_INVOCATIONS} invocations after the first; target: first response ≤ 1.5x floor)"
    );
    std::fs::write(&out, serde_json::to_vec_pretty(&results)?)?;
    println!("written: {}", out.display());
    Ok(())
}
