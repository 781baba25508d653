//! `make bench` (search part): the word index on a generated corpus of 100,000
//! tickets and 1,000,000 messages (ten per ticket, words drawn from a Zipf-like
//! vocabulary of 20,000, an order number and a name per ticket, tags and six
//! categories). Reports:
//! - the index: build time, size on disk and per ticket (what S3 keeps);
//! - queries as an agent of two categories asks them (words, a typed prefix,
//!   an order number, words with filters, filters alone), each with its
//!   snippets: p50/p95/p99 against the 300 ms budget, and against the floor
//!   in the same process (one page of the whole index, no words);
//! - visibility: the index shared through the local stack (S3 in moto, its
//!   manifest in DynamoDB Local) as the functions share it: the searching
//!   side's cold start (the whole index downloaded), and for single-ticket
//!   writes the time until the searching side finds them (budget 5 s, with the
//!   stream's own second before it).
//!
//! The corpus goes straight into the index: writing a million messages into
//! DynamoDB Local first would take hours and measure DynamoDB Local. Needs the
//! local stack's environment (`. .local/stack.env`); prints a table and writes JSON.

use anyhow::Context;
use chrono::{Duration, TimeZone, Utc};
use helpdesk_domain::agents::actions::Caller;
use helpdesk_domain::agents::profile::Role;
use helpdesk_domain::ports::WordIndex;
use helpdesk_domain::ports::store::TicketSummary;
use helpdesk_domain::search::query::RawSearch;
use helpdesk_domain::search::{SearchDoc, WordQuery};
use helpdesk_domain::values::tag::Tag;
use helpdesk_domain::values::text::Subject;
use helpdesk_domain::{Priority, Status, TicketRef, Tier};
use helpdesk_search::TantivyIndex;
use helpdesk_search::files::IndexFiles;
use helpdesk_search::synced::SyncedIndex;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The corpus (a smaller one may be given as the second argument, to try the bench).
const TICKETS: usize = 100_000;
const MESSAGES_PER_TICKET: usize = 10;
const WORDS_PER_MESSAGE: usize = 30;
const VOCABULARY: usize = 20_000;
const CATEGORIES: [&str; 6] = [
    "billing",
    "shipping",
    "returns",
    "technical",
    "sales",
    "account",
];
const STATUSES: [Status; 5] = [
    Status::New,
    Status::Open,
    Status::WaitingOnCustomer,
    Status::Resolved,
    Status::Closed,
];
/// Each query kind asked this often (the percentiles are over all of them).
const ROUNDS: usize = 60;
const BUDGET_MS: f64 = 300.0;
const VISIBLE_BUDGET_S: f64 = 5.0;
const WRITES: usize = 10;

/// A small deterministic generator (xorshift): the corpus is the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A word's rank, Zipf-like: rank r with weight 1/r.
    fn zipf(&mut self, cumulative: &[f64]) -> usize {
        let total = cumulative.last().copied().unwrap_or(1.0);
        let x = (self.next() % 1_000_000_007) as f64 / 1_000_000_007.0 * total;
        cumulative
            .partition_point(|c| *c < x)
            .min(cumulative.len() - 1)
    }
}

fn vocabulary() -> Vec<String> {
    const SYLLABLES: [&str; 24] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "der", "bal", "cor", "fen", "gra", "hul",
        "jin", "mor", "pel", "quo", "ras", "sul", "tam", "ven", "wix", "zor",
    ];
    (0..VOCABULARY)
        .map(|i| {
            let mut w = String::new();
            let mut n = i + 24;
            while n > 0 {
                w.push_str(SYLLABLES[n % 24]);
                n /= 24;
            }
            w
        })
        .collect()
}

fn corpus(words: &[String], tickets: usize) -> Vec<SearchDoc> {
    let cumulative: Vec<f64> = (1..=words.len())
        .scan(0.0, |acc, r| {
            *acc += 1.0 / r as f64;
            Some(*acc)
        })
        .collect();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let agents = ["ana", "ben", "bea", "sue"];
    (0..tickets)
        .map(|n| {
            let sentence = |len: usize, rng: &mut Rng| {
                (0..len)
                    .map(|_| words[rng.zipf(&cumulative)].as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let subject = sentence(5, &mut rng);
            let mut text = format!("Customer {n} <customer{n}@example.com>\nA-{:06}\n", n);
            for _ in 0..MESSAGES_PER_TICKET {
                text.push_str(&sentence(WORDS_PER_MESSAGE, &mut rng));
                text.push('\n');
            }
            let created = start + Duration::minutes(n as i64 * 3);
            let summary = TicketSummary {
                reference: TicketRef::random(),
                category: helpdesk_domain::CategoryId::parse(CATEGORIES[n % 6])
                    .unwrap_or_else(|e| panic!("{e}")),
                subject: Subject::parse(&subject).unwrap_or_else(|e| panic!("{e}")),
                status: STATUSES[rng.below(5)],
                priority: Priority::Normal,
                tier: if n % 10 == 0 {
                    Tier::Premium
                } else {
                    Tier::Standard
                },
                requester: helpdesk_domain::EmailAddress::parse(&format!(
                    "customer{n}@example.com"
                ))
                .unwrap_or_else(|e| panic!("{e}")),
                assignee: (n % 3 != 0).then(|| {
                    helpdesk_domain::AgentId::parse(agents[n % 4]).unwrap_or_else(|e| panic!("{e}"))
                }),
                created_at: created,
                updated_at: created + Duration::minutes(rng.below(10_000) as i64),
                due_at: None,
                email_verified: true,
                version: 1,
                tags: if n % 7 == 0 {
                    vec![Tag::parse("vip").unwrap_or_else(|e| panic!("{e}"))]
                } else {
                    vec![]
                },
                language: Default::default(),
            };
            SearchDoc {
                summary,
                subject,
                text,
                words_removed_in: None,
            }
        })
        .collect()
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    e.metadata()
                        .map(|m| {
                            if m.is_dir() {
                                dir_size(&e.path())
                            } else {
                                m.len()
                            }
                        })
                        .unwrap_or(0)
                })
                .sum()
        })
        .unwrap_or(0)
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

#[derive(Serialize)]
struct Kind {
    name: &'static str,
    p50_ms: f64,
    p95_ms: f64,
    mean_hits: f64,
}

#[derive(Serialize)]
struct Report {
    tickets: usize,
    messages: usize,
    build_seconds: f64,
    index_bytes: u64,
    bytes_per_ticket: f64,
    kinds: Vec<Kind>,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    floor_p95_ms: f64,
    ratio_p95_to_floor: f64,
    within_budget: bool,
    reader_cold_start_seconds: f64,
    visible_p50_s: f64,
    visible_max_s: f64,
    visible_within_budget: bool,
}

/// The i-th query of one kind.
type QueryOf<'a> = Box<dyn Fn(usize) -> WordQuery + 'a>;

fn query(pairs: &[(&str, &str)]) -> WordQuery {
    let raw = RawSearch::from_pairs(pairs.iter().copied()).unwrap_or_else(|e| panic!("{e:?}"));
    WordQuery::parse(&raw).unwrap_or_else(|e| panic!("{e:?}"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .context("usage: search-bench <json out>")?,
    );
    let tickets: usize = match std::env::args().nth(2) {
        Some(n) => n
            .parse()
            .context("the second argument is a number of tickets")?,
        None => TICKETS,
    };
    let words = vocabulary();
    let t = Instant::now();
    let docs = corpus(&words, tickets);
    println!(
        "corpus: {tickets} tickets, {} messages, generated in {:.1} s",
        tickets * MESSAGES_PER_TICKET,
        t.elapsed().as_secs_f64()
    );

    // The index, built as a rebuild builds it, on disk.
    let dir = std::env::temp_dir().join(format!("search-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let index = TantivyIndex::open(&dir).map_err(|e| anyhow::anyhow!("{e}"))?;
    let t = Instant::now();
    for chunk in docs.chunks(5_000) {
        index
            .add_uncommitted(chunk)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    index.commit().map_err(|e| anyhow::anyhow!("{e}"))?;
    let build_seconds = t.elapsed().as_secs_f64();
    let index_bytes = dir_size(&dir);
    println!(
        "index: built in {build_seconds:.1} s, {:.1} MB ({:.0} bytes a ticket)",
        index_bytes as f64 / 1e6,
        index_bytes as f64 / tickets as f64
    );

    // An agent of two of the six categories.
    let agent = testkit::fixtures::agent("ana", Role::Agent, &["billing", "shipping"]);
    let caller = Caller {
        agent,
        role: Role::Agent,
    };
    let w = |rank: usize| words[rank].clone();
    let kinds: Vec<(&'static str, QueryOf<'_>)> = vec![
        (
            "a common word",
            Box::new(move |i| query(&[("q", &format!("{} ", w(i % 20)))])),
        ),
        (
            "a rare word",
            Box::new({
                let words = words.clone();
                move |i| query(&[("q", &format!("{} ", words[5_000 + i * 97 % 10_000]))])
            }),
        ),
        (
            "two words",
            Box::new({
                let words = words.clone();
                move |i| query(&[("q", &format!("{} {} ", words[i % 50], words[200 + i % 500]))])
            }),
        ),
        (
            "a word being typed",
            Box::new({
                let words = words.clone();
                move |i| query(&[("q", &words[30 + i % 200][..4])])
            }),
        ),
        (
            // Of a ticket in billing (every sixth), which the agent covers.
            "an order number",
            Box::new(move |i| query(&[("q", &format!("A-{:06}", i * 1_613 % (tickets / 6) * 6))])),
        ),
        (
            "words and filters",
            Box::new({
                let words = words.clone();
                move |i| {
                    query(&[
                        ("q", &format!("{} ", words[i % 100])),
                        ("status", "open"),
                        ("tag", "vip"),
                    ])
                }
            }),
        ),
        (
            "filters alone",
            Box::new(move |i| {
                query(&[
                    ("status", ["new", "open", "closed"][i % 3]),
                    ("assignee", "none"),
                ])
            }),
        ),
    ];
    let floor_query = query(&[("status", "open")]);
    let mut all = Vec::new();
    let mut floor = Vec::new();
    let mut report_kinds = Vec::new();
    // Warm the page cache as a warm function would have it.
    let _ = helpdesk_domain::search::find::find(&index, &caller, &query(&[("q", "ka")])).await;
    for (name, make) in &kinds {
        let mut times = Vec::new();
        let mut hits = 0usize;
        for i in 0..ROUNDS {
            let q = make(i);
            let t = Instant::now();
            let found = helpdesk_domain::search::find::find(&index, &caller, &q)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            times.push(t.elapsed().as_secs_f64() * 1e3);
            hits += found.total as usize;
            // The floor, interleaved: one page of the covered tickets, no words
            // and no snippets to cut.
            let t = Instant::now();
            index
                .find(&floor_query, None)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            floor.push(t.elapsed().as_secs_f64() * 1e3);
        }
        report_kinds.push(Kind {
            name,
            p50_ms: percentile(times.clone(), 0.5),
            p95_ms: percentile(times.clone(), 0.95),
            mean_hits: hits as f64 / ROUNDS as f64,
        });
        all.extend(times);
    }
    let (p50, p95, p99) = (
        percentile(all.clone(), 0.5),
        percentile(all.clone(), 0.95),
        percentile(all.clone(), 0.99),
    );
    let floor_p95 = percentile(floor, 0.95);

    // Visibility through the local stack, as the functions share the index.
    let env = testkit::local::LocalEnv::fresh().await;
    let aws = &env.aws;
    let files: Arc<dyn IndexFiles> = Arc::new(helpdesk_aws::S3IndexFiles::new(
        aws.s3(),
        env.var("HELPDESK_ATTACHMENTS_BUCKET"),
        aws.dynamodb(),
        &env.var("HELPDESK_MAIN_TABLE"),
    ));
    let writer_dir = dir.with_extension("writer");
    let writer = SyncedIndex::writer(&writer_dir, files.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let t = Instant::now();
    for chunk in docs.chunks(20_000) {
        writer
            .put(chunk, &[])
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    println!(
        "shared: the whole index uploaded in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let reader = SyncedIndex::reader(
        &dir.with_extension("reader"),
        files.clone(),
        std::time::Duration::from_secs(2),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let reader_cold = t.elapsed().as_secs_f64();
    let mut visible = Vec::new();
    for i in 0..WRITES {
        let mut doc = docs[i * 7].clone();
        let marker = format!("zzmarker{}", words[i]);
        doc.text.push_str(&marker);
        let q = query(&[("q", &format!("{marker} "))]);
        let t = Instant::now();
        writer
            .put(&[doc], &[])
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        loop {
            if reader
                .find(&q, None)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .total
                > 0
            {
                break;
            }
            anyhow::ensure!(t.elapsed().as_secs() < 60, "write {i} never became visible");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        visible.push(t.elapsed().as_secs_f64());
    }
    let visible_max = visible.iter().copied().fold(0.0, f64::max);
    let report = Report {
        tickets,
        messages: tickets * MESSAGES_PER_TICKET,
        build_seconds,
        index_bytes,
        bytes_per_ticket: index_bytes as f64 / tickets as f64,
        p50_ms: p50,
        p95_ms: p95,
        p99_ms: p99,
        floor_p95_ms: floor_p95,
        ratio_p95_to_floor: p95 / floor_p95.max(1e-6),
        within_budget: p95 < BUDGET_MS,
        reader_cold_start_seconds: reader_cold,
        visible_p50_s: percentile(visible.clone(), 0.5),
        visible_max_s: visible_max,
        visible_within_budget: visible_max + 1.0 < VISIBLE_BUDGET_S,
        kinds: report_kinds,
    };
    println!(
        "\n{:<22} {:>9} {:>9} {:>11}",
        "query", "p50 ms", "p95 ms", "mean hits"
    );
    for k in &report.kinds {
        println!(
            "{:<22} {:>9.1} {:>9.1} {:>11.0}",
            k.name, k.p50_ms, k.p95_ms, k.mean_hits
        );
    }
    println!(
        "all {} queries: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms (budget {BUDGET_MS} ms: {}); floor p95 {:.2} ms, p95 = {:.1}× the floor",
        all.len(),
        p50,
        p95,
        p99,
        if report.within_budget {
            "met"
        } else {
            "MISSED"
        },
        floor_p95,
        report.ratio_p95_to_floor
    );
    println!(
        "shared index: the searching side's cold start {:.1} s (whole index downloaded); a write visible after p50 {:.2} s, at most {:.2} s (+1 s the stream batches: budget {VISIBLE_BUDGET_S} s: {})",
        reader_cold,
        report.visible_p50_s,
        visible_max,
        if report.visible_within_budget {
            "met"
        } else {
            "MISSED"
        }
    );
    std::fs::write(&out, serde_json::to_vec_pretty(&report)?)?;
    for d in [dir.clone(), writer_dir, dir.with_extension("reader")] {
        let _ = std::fs::remove_dir_all(d);
    }
    Ok(())
}
