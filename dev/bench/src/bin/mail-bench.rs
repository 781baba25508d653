//! `make bench` (mail part): inbound parsing throughput against bare mail-parser on
//! the same corpus (`tests/mail/*.eml`), in the same process, interleaved round by
//! round; and peak memory (VmHWM) for a 40 MB message, measured in a child process
//! beside a child that only reads the file; and send-reply's peak memory for an
//! agent's reply carrying the most files a mail may (5 × 5 MB, 25 MB), beside a
//! child that only holds those files. Prints a table and writes JSON.
//!
//! Three paths per message: bare `mail-parser`; our `inbound::parse` (limits,
//! verdicts, automatic-mail classification); and the whole inbox (`Inbox::receive`
//! on the in-memory fakes: parse → thread → sanitize → store the ticket → queue
//! the confirmation).

use anyhow::Context;
use helpdesk_domain::mail::inbound::parse::{MailLimits, parse};
use mail_parser::MessageParser;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const ROUNDS: usize = 15;
/// Whole-inbox deliveries per round (each makes a ticket in the fake store).
const INBOX_PASSES: usize = 3;
const BIG_BYTES: usize = 40 * 1024 * 1024;

#[derive(Serialize)]
struct Throughput {
    path: &'static str,
    messages_per_second: f64,
    megabytes_per_second: f64,
    ratio_to_bare: f64,
}

#[derive(Serialize)]
struct Memory {
    case: &'static str,
    peak_rss_mb: f64,
}

#[derive(Serialize)]
struct Report {
    corpus_messages: usize,
    corpus_bytes: usize,
    rounds: usize,
    throughput: Vec<Throughput>,
    memory: Vec<Memory>,
    /// send-reply with the most files a mail may carry.
    sending: Vec<Memory>,
    /// A burst of confirmations meeting SES's send rate.
    throttled: Throttled,
}

/// 1,000 confirmations at once, nothing pacing them, against an SES that takes
/// 14 a second (a new account's rate), played through the queue in simulated
/// time (`testkit::burst`).
#[derive(Serialize)]
struct Throttled {
    confirmations: usize,
    sent_once: usize,
    throttled_calls: u32,
    failed_queue_messages: usize,
    /// Simulated seconds until every one was sent, and the floor at the rate.
    seconds: f64,
    seconds_at_the_rate: f64,
    longest_wait_seconds: f64,
}

async fn throttled_burst() -> anyhow::Result<Throttled> {
    use helpdesk_domain::ports::TicketRecords;
    use std::sync::Arc;
    const N: usize = 1_000;
    const RATE: u32 = 14;
    let h = testkit::mail_harness::MailHarness::new().await;
    let ids = testkit::SequentialIds::seeded(77);
    let mut jobs = Vec::with_capacity(N);
    for n in 0..N {
        let mut new = testkit::fixtures::new_ticket(
            &ids,
            "billing",
            &format!("c{n}@example.com"),
            h.clock_now(),
        );
        let job = testkit::fixtures::confirmation_job(&ids, &new.ticket);
        new.outbox = vec![job.clone()];
        h.store
            .create_ticket(new)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        jobs.push(job);
    }
    let start = h.clock_now();
    let ses_clock = Arc::new(testkit::FixedClock::at(start));
    let mailer = Arc::new(testkit::fakes::ThrottlingMailer::new(
        RATE,
        ses_clock.clone(),
    ));
    let queue = Arc::new(testkit::fakes::RecordingQueue::default());
    let deps = send_reply::Deps {
        tickets: h.store.clone(),
        mail: h.store.clone(),
        catalog: h.store.clone(),
        attachments: Arc::new(testkit::fakes::InMemoryAttachments::default()),
        mailer: mailer.clone(),
        clock: Arc::new(testkit::FixedClock::at(start)),
        ids: Arc::new(testkit::SequentialIds::seeded(9)),
        keys: h.keys.clone(),
        settings: h.mail_settings.clone(),
        outbound: queue.clone(),
        backoff: Default::default(),
    };
    let drained = testkit::burst::drain(
        jobs,
        &queue,
        20_000,
        |ms| ses_clock.set(start + chrono::Duration::milliseconds(ms)),
        |event| send_reply::handle(&deps, event),
    )
    .await
    .context("the burst never drained")?;
    let mut once: Vec<_> = mailer
        .accepted
        .sent()
        .iter()
        .filter_map(|m| m.outbox.clone())
        .collect();
    once.sort();
    once.dedup();
    Ok(Throttled {
        confirmations: N,
        sent_once: once.len(),
        throttled_calls: mailer.throttled(),
        failed_queue_messages: drained.failed,
        seconds: drained.millis as f64 / 1000.0,
        seconds_at_the_rate: N as f64 / f64::from(RATE),
        longest_wait_seconds: drained.longest_wait_millis as f64 / 1000.0,
    })
}

fn corpus(dir: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read(p).with_context(|| p.display().to_string()))
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A message of about `size` bytes: a short text and one big attachment.
fn big_message(size: usize) -> Vec<u8> {
    let mut raw = String::from(
        "From: Big Sender <big@example.org>\r\nTo: support@helpdesk.test\r\nSubject: Logs attached\r\n\
         Message-ID: <big-1@example.org>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nThe logs you asked for.\r\n--b1\r\n\
         Content-Type: application/octet-stream; name=\"logs.bin\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"logs.bin\"\r\n\r\n",
    );
    let line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n";
    while raw.len() + line.len() + 10 < size {
        raw.push_str(line);
    }
    raw.push_str("--b1--\r\n");
    raw.into_bytes()
}

fn vm_hwm_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The child: reads the file, optionally runs a path on it, prints its VmHWM.
async fn child(case: &str, file: &Path) -> anyhow::Result<()> {
    let raw = if matches!(case, "files" | "send") {
        Vec::new()
    } else {
        std::fs::read(file)?
    };
    match case {
        "read" => {}
        "parse" => {
            let mail = parse(&raw, &MailLimits::default())
                .map_err(|e| anyhow::anyhow!("unreadable: {e:?}"))?;
            anyhow::ensure!(mail.attachments.len() == 1, "the attachment was not read");
        }
        "inbox" => {
            let h = testkit::mail_harness::MailHarness::new().await;
            let received = h.deliver("big-1", &raw).await;
            anyhow::ensure!(
                matches!(
                    received,
                    Ok(helpdesk_domain::mail::inbound::receive::Received::Created(
                        _
                    ))
                ),
                "{received:?}"
            );
        }
        "files" => {
            std::hint::black_box(reply_with_files().await?);
        }
        "send" => {
            let (h, job) = reply_with_files().await?;
            let sent = h.postman().deliver(&job).await;
            anyhow::ensure!(
                matches!(
                    sent,
                    Ok(helpdesk_domain::mail::outbound::send::Delivery::Sent { .. })
                ),
                "{sent:?}"
            );
            let raw = h.mailer.sent().first().map_or(0, |m| m.raw.len());
            anyhow::ensure!(
                raw > REPLY_FILES * FILE_BYTES,
                "the files went out: {raw} B"
            );
        }
        other => anyhow::bail!("unknown case {other}"),
    }
    println!("{}", vm_hwm_mb());
    Ok(())
}

const REPLY_FILES: usize = 5;
const FILE_BYTES: usize = 5 * 1024 * 1024;

/// A ticket on the fakes with an agent's reply naming five 5 MB files, stored
/// where send-reply reads them; the reply's job.
async fn reply_with_files() -> anyhow::Result<(
    testkit::mail_harness::MailHarness,
    helpdesk_domain::mail::outbound::job::OutboundJob,
)> {
    use helpdesk_domain::ports::{AttachmentStore, Clock, IdSource, TicketRecords};
    let h = testkit::mail_harness::MailHarness::new().await;
    let reference = match h
        .deliver(
            "files-1",
            &testkit::mail_harness::corpus("plain.eml", "", ""),
        )
        .await
    {
        Ok(helpdesk_domain::mail::inbound::receive::Received::Created(r)) => r,
        other => anyhow::bail!("{other:?}"),
    };
    let before = h.store.load_ticket(&reference).await?.ticket;
    let mut reply = testkit::fixtures::agent_reply(&h.ids, &before, "ana", h.clock.now());
    for n in 0..REPLY_FILES {
        let key = format!("uploads/bench/{n}/label-{n}.pdf");
        // Bytes that do not compress: base64 of them is what SES would carry.
        let bytes: Vec<u8> = (0..FILE_BYTES)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        h.attachments
            .put(&key, "application/pdf", bytes)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        reply
            .attachments
            .push(helpdesk_domain::tickets::message::AttachmentRef {
                key,
                filename: format!("label-{n}.pdf"),
                content_type: "application/pdf".into(),
                size: FILE_BYTES as u64,
                content_id: None,
            });
    }
    let job = helpdesk_domain::mail::outbound::job::OutboundJob {
        outbox_id: h.ids.outbox_id(),
        kind: helpdesk_domain::mail::outbound::job::MailKind::AgentReply,
        ticket: Some(reference.clone()),
        message: Some(reply.id.clone()),
        recipient: before.requester.email.clone(),
        throttled: 0,
        digest: None,
        alert: None,
    };
    let mut after = before.clone();
    after.status = helpdesk_domain::Status::WaitingOnCustomer;
    h.store
        .update_ticket(
            helpdesk_domain::ports::store::TicketUpdate::new(&before, after, vec![reply])
                .with_outbox(vec![job.clone()]),
        )
        .await?;
    Ok((h, job))
}

fn run_child(case: &str, file: &Path) -> anyhow::Result<f64> {
    let out = std::process::Command::new(std::env::current_exe()?)
        .args(["--child", case])
        .arg(file)
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "{case}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().parse()?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        let (Some(case), Some(file)) = (args.get(2), args.get(3)) else {
            anyhow::bail!("usage: mail-bench --child <read|parse|inbox|files|send> <file>");
        };
        return child(case, Path::new(file)).await;
    }
    let corpus_dir = PathBuf::from(
        args.get(1)
            .context("usage: mail-bench <corpus dir> <out json>")?,
    );
    let out = PathBuf::from(
        args.get(2)
            .context("usage: mail-bench <corpus dir> <out json>")?,
    );
    let mails = corpus(&corpus_dir)?;
    let bytes: usize = mails.iter().map(Vec::len).sum();
    let limits = MailLimits::default();

    let (mut bare, mut ours, mut inbox) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let t = Instant::now();
        for m in &mails {
            std::hint::black_box(MessageParser::default().parse(m.as_slice()));
        }
        bare.push(t.elapsed());
        let t = Instant::now();
        for m in &mails {
            std::hint::black_box(parse(m, &limits).ok());
        }
        ours.push(t.elapsed());
        // A fresh desk each round, so stored tickets don't pile up between rounds.
        let h = testkit::mail_harness::MailHarness::new().await;
        let t = Instant::now();
        for pass in 0..INBOX_PASSES {
            for (i, m) in mails.iter().enumerate() {
                std::hint::black_box(h.deliver(&format!("r{round}-p{pass}-m{i}"), m).await.ok());
            }
        }
        inbox.push(t.elapsed() / INBOX_PASSES as u32);
    }
    let rate = |path: &'static str, d: Duration, floor: Duration| Throughput {
        path,
        messages_per_second: mails.len() as f64 / d.as_secs_f64(),
        megabytes_per_second: bytes as f64 / 1_048_576.0 / d.as_secs_f64(),
        ratio_to_bare: floor.as_secs_f64() / d.as_secs_f64(),
    };
    let floor = median(bare);
    let throughput = vec![
        rate("bare mail-parser", floor, floor),
        rate("inbound::parse", median(ours), floor),
        rate("whole inbox (fakes)", median(inbox), floor),
    ];

    let big = std::env::temp_dir().join("helpdesk-bench-40mb.eml");
    std::fs::write(&big, big_message(BIG_BYTES))?;
    let memory = vec![
        Memory {
            case: "read the 40 MB file only",
            peak_rss_mb: run_child("read", &big)?,
        },
        Memory {
            case: "inbound::parse of it",
            peak_rss_mb: run_child("parse", &big)?,
        },
        Memory {
            case: "whole inbox on fakes (keeps its own copies)",
            peak_rss_mb: run_child("inbox", &big)?,
        },
    ];
    std::fs::remove_file(&big).ok();
    let sending = vec![
        Memory {
            case: "hold a reply's 5 × 5 MB files on the fakes only",
            peak_rss_mb: run_child("files", &big)?,
        },
        Memory {
            case: "send-reply mails that reply (Postman::deliver)",
            peak_rss_mb: run_child("send", &big)?,
        },
    ];

    println!(
        "corpus: {} messages, {:.1} KB; median of {ROUNDS} interleaved rounds\n",
        mails.len(),
        bytes as f64 / 1024.0
    );
    println!("| path | messages/s | MB/s | × bare |\n|---|---|---|---|");
    for t in &throughput {
        println!(
            "| {} | {:.0} | {:.1} | {:.2} |",
            t.path, t.messages_per_second, t.megabytes_per_second, t.ratio_to_bare
        );
    }
    println!("\n| 40 MB message | peak RSS |\n|---|---|");
    for m in &memory {
        println!("| {} | {:.0} MB |", m.case, m.peak_rss_mb);
    }
    println!("\n| a reply with 25 MB of files | peak RSS |\n|---|---|");
    for m in &sending {
        println!("| {} | {:.0} MB |", m.case, m.peak_rss_mb);
    }
    let throttled = throttled_burst().await?;
    println!(
        "\n| throttled SES | confirmations | sent once | throttled calls | failed queue messages | seconds | × the rate's floor | longest wait |\n|---|---|---|---|---|---|---|---|"
    );
    println!(
        "| {}/s | {} | {} | {} | {} | {:.0} s | {:.2} | {:.0} s |",
        14,
        throttled.confirmations,
        throttled.sent_once,
        throttled.throttled_calls,
        throttled.failed_queue_messages,
        throttled.seconds,
        throttled.seconds / throttled.seconds_at_the_rate,
        throttled.longest_wait_seconds
    );
    let report = Report {
        throttled,
        corpus_messages: mails.len(),
        corpus_bytes: bytes,
        rounds: ROUNDS,
        throughput,
        memory,
        sending,
    };
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    Ok(())
}
