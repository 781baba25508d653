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

const COLD_RUNS: usize = 7;
const WARM_INVOCATIONS: usize = 1000;

/// (binary, event file or None for an empty object).
const TARGETS: [(&str, Option<&str>); 6] = [
    ("hello-lambda", None),
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
    to_first_next_ms: f64,
    to_first_response_ms: f64,
    cold_ratio_to_floor: f64,
    warm_median_us: f64,
    warm_p99_us: f64,
    peak_rss_mb: f64,
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

    let mut results = Vec::new();
    let mut floor = f64::NAN;
    for (name, event) in TARGETS {
        let body = match event {
            Some(file) => {
                std::fs::read(events_dir.join(file)).with_context(|| format!("events/{file}"))?
            }
            None => b"{}".to_vec(),
        };
        let binary = bin_dir.join(name);
        let mut cold_next = Vec::new();
        let mut cold_response = Vec::new();
        let mut warm = Vec::new();
        let mut rss = Vec::new();
        for run in 0..COLD_RUNS {
            let invocations = if run == 0 { 1 + WARM_INVOCATIONS } else { 1 };
            let m = stub::measure(&binary, &body, invocations, Duration::from_secs(60))
                .await
                .with_context(|| name.to_owned())?;
            cold_next.push(m.to_first_next.as_secs_f64() * 1e3);
            cold_response.push(m.to_first_response.as_secs_f64() * 1e3);
            rss.push(m.peak_rss_kb as f64 / 1024.0);
            if run == 0 {
                warm = m.warm.iter().map(|d| d.as_secs_f64() * 1e6).collect();
            }
        }
        let to_response = median(cold_response);
        if name == "hello-lambda" {
            floor = to_response;
        }
        results.push(Result {
            function: name.to_owned(),
            to_first_next_ms: median(cold_next),
            to_first_response_ms: to_response,
            cold_ratio_to_floor: to_response / floor,
            warm_median_us: median(warm.clone()),
            warm_p99_us: percentile(warm, 0.99),
            peak_rss_mb: rss.into_iter().fold(0.0, f64::max),
        });
    }
    println!(
        "{:<16} {:>12} {:>14} {:>8} {:>12} {:>10} {:>9}",
        "function",
        "first next",
        "first response",
        "x floor",
        "warm median",
        "warm p99",
        "peak RSS"
    );
    for r in &results {
        println!(
            "{:<16} {:>9.1} ms {:>11.1} ms {:>7.2}x {:>9.0} µs {:>7.0} µs {:>6.1} MB",
            r.function,
            r.to_first_next_ms,
            r.to_first_response_ms,
            r.cold_ratio_to_floor,
            r.warm_median_us,
            r.warm_p99_us,
            r.peak_rss_mb
        );
    }
    println!(
        "(medians of {COLD_RUNS} cold starts; warm: {WARM_INVOCATIONS} invocations after the first; target: first response ≤ 1.5x floor)"
    );
    std::fs::write(&out, serde_json::to_vec_pretty(&results)?)?;
    println!("written: {}", out.display());
    Ok(())
}
