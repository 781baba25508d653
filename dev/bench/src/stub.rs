//! A Lambda Runtime API on loopback, just enough for lambda_runtime: hands out
//! the same event N times with fresh request ids and notes when each `next`,
//! response and error arrives.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::path::Path as FsPath;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

#[derive(Default)]
struct Log {
    first_next: Option<Instant>,
    handed_out: Vec<Instant>,
    answered: Vec<Instant>,
    /// The first answer: `response` or `error`, and its body.
    first_answer: Option<String>,
}

struct Stub {
    event: Vec<u8>,
    total: usize,
    log: Mutex<Log>,
    done: Notify,
}

pub struct Measurement {
    pub to_first_next: Duration,
    pub to_first_response: Duration,
    pub warm: Vec<Duration>,
    pub peak_rss_kb: u64,
    /// What the function answered to the first event, shortened.
    pub first_answer: String,
}

async fn next(State(stub): State<Arc<Stub>>) -> Response {
    let id = {
        let mut log = stub.log.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        log.first_next.get_or_insert(now);
        if log.handed_out.len() >= stub.total {
            None
        } else {
            log.handed_out.push(now);
            Some(log.handed_out.len())
        }
    };
    let Some(id) = id else {
        // Nothing left: hold the request until the process is stopped.
        std::future::pending::<()>().await;
        return StatusCode::GONE.into_response();
    };
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() + 30_000);
    let mut headers = HeaderMap::new();
    let set = |h: &mut HeaderMap, k: &'static str, v: String| {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    };
    set(
        &mut headers,
        "lambda-runtime-aws-request-id",
        format!("bench-{id}"),
    );
    set(
        &mut headers,
        "lambda-runtime-deadline-ms",
        deadline.to_string(),
    );
    set(
        &mut headers,
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:us-east-1:000000000000:function:bench".into(),
    );
    set(
        &mut headers,
        "lambda-runtime-trace-id",
        "Root=1-00000000-000000000000000000000000".into(),
    );
    (headers, stub.event.clone()).into_response()
}

async fn responded(state: State<Arc<Stub>>, id: Path<String>, body: Bytes) -> StatusCode {
    answered(state, id, "response", body)
}

async fn failed(state: State<Arc<Stub>>, id: Path<String>, body: Bytes) -> StatusCode {
    answered(state, id, "error", body)
}

fn answered(
    State(stub): State<Arc<Stub>>,
    Path(_id): Path<String>,
    kind: &str,
    body: Bytes,
) -> StatusCode {
    let mut log = stub.log.lock().unwrap_or_else(PoisonError::into_inner);
    log.answered.push(Instant::now());
    log.first_answer.get_or_insert_with(|| {
        let text: String = String::from_utf8_lossy(&body).chars().take(160).collect();
        format!("{kind}: {text}")
    });
    if log.answered.len() >= stub.total {
        stub.done.notify_one();
    }
    StatusCode::ACCEPTED
}

async fn init_error(State(stub): State<Arc<Stub>>, _body: Bytes) -> StatusCode {
    stub.done.notify_one();
    StatusCode::ACCEPTED
}

fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// Starts `binary` under a fresh stub, serves `event` `total` times, measures.
pub async fn measure(
    binary: &FsPath,
    event: &[u8],
    total: usize,
    limit: Duration,
) -> anyhow::Result<Measurement> {
    let stub = Arc::new(Stub {
        event: event.to_vec(),
        total,
        log: Mutex::new(Log::default()),
        done: Notify::new(),
    });
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(responded),
        )
        .route("/2018-06-01/runtime/invocation/{id}/error", post(failed))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .with_state(stub.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let started = Instant::now();
    let mut child = tokio::process::Command::new(binary)
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "bench")
        // On Lambda a function refuses the keys this repository publishes and needs
        // the origin secret: give it a fresh key, as a deploy would have its own.
        .env(
            "HELPDESK_REPLY_KEYS",
            format!(
                "bench:{}",
                helpdesk_domain::ports::IdSource::secret_token(&helpdesk_domain::ports::RandomIds)
                    .expose()
            ),
        )
        // (submit-form's sample event came through CloudFront with this secret).
        .env(
            "HELPDESK_ORIGIN_SECRET",
            "example-origin-secret-0123456789abcdef",
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let finished = tokio::time::timeout(limit, stub.done.notified()).await;
    let rss = child.id().map_or(0, peak_rss_kb);
    child.kill().await.ok();
    server.abort();
    finished.map_err(|_| {
        anyhow::anyhow!(
            "{} did not answer {total} events within {limit:?}",
            binary.display()
        )
    })?;

    let log = stub.log.lock().unwrap_or_else(PoisonError::into_inner);
    let first_next = log.first_next.ok_or_else(|| anyhow::anyhow!("no next"))?;
    let first_answer = *log
        .answered
        .first()
        .ok_or_else(|| anyhow::anyhow!("no response (init error?)"))?;
    let warm = log
        .handed_out
        .iter()
        .zip(&log.answered)
        .skip(1)
        .map(|(out, back)| back.duration_since(*out))
        .collect();
    Ok(Measurement {
        to_first_next: first_next.duration_since(started),
        to_first_response: first_answer.duration_since(started),
        warm,
        peak_rss_kb: rss,
        first_answer: log.first_answer.clone().unwrap_or_default(),
    })
}
