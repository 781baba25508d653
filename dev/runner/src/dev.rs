//! Dev pages: the mail that was sent (read from the SES emulator), a way to deliver
//! a raw `.eml` as inbound mail the way SES does (stored in the raw-mail bucket,
//! whose notification feeds the inbound queue), and a manual schedule tick.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use lambda_kit::http::ApiError;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// SES's own cap on a received message.
pub const MAX_INBOUND: usize = 40 * 1024 * 1024;

pub struct DevState {
    pub moto_url: String,
    pub s3: aws_sdk_s3::Client,
    pub raw_mail_bucket: String,
    pub sla: Arc<sla_escalation::Deps>,
    /// Mail sent to this domain comes back in, as SES receiving would take it.
    pub mail_domain: String,
    /// Sent mail already brought back in (moto's ids).
    pub looped: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentMail {
    pub id: String,
    pub source: String,
    pub destinations: Vec<String>,
    pub raw_data: String,
}

/// What the SES emulator recorded as sent, newest first.
pub async fn sent_mail(moto_url: &str) -> anyhow::Result<Vec<SentMail>> {
    let url = format!("{moto_url}/moto-api/data.json");
    // moto builds this dump while other requests change its state, and now and then
    // fails with a 500 ("dictionary changed size during iteration"): ask again.
    let mut attempt = 0;
    let data: serde_json::Value = loop {
        match fetch_json(&url).await {
            Ok(data) => break data,
            Err(e) if attempt >= 4 => return Err(e),
            Err(_) => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await;
            }
        }
    };
    let raw = data.pointer("/ses/RawMessage").cloned().unwrap_or_default();
    let mut mails: Vec<SentMail> = serde_json::from_value(raw).unwrap_or_default();
    mails.reverse();
    Ok(mails)
}

/// GET a JSON document over plain HTTP (the emulator is on loopback).
async fn fetch_json(url: &str) -> anyhow::Result<serde_json::Value> {
    use http_body_util::{BodyExt, Empty};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let response = client.get(url.parse()?).await?;
    anyhow::ensure!(
        response.status().is_success(),
        "{url} answered {}",
        response.status()
    );
    let body = response.into_body().collect().await?.to_bytes();
    Ok(serde_json::from_slice(&body)?)
}

pub async fn mail_json(State(dev): State<Arc<DevState>>) -> Response {
    match sent_mail(&dev.moto_url).await {
        Ok(mails) => Json(mails).into_response(),
        Err(e) => unreachable_stack(e),
    }
}

fn unreachable_stack(e: anyhow::Error) -> Response {
    tracing::warn!(error = %e, "SES emulator unreachable");
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        "stack_unreachable",
        "The local SES emulator does not answer; is `make stack-up` running?",
    )
    .into_response()
}

fn header<'a>(raw: &'a str, name: &str) -> &'a str {
    raw.split("\r\n\r\n")
        .next()
        .unwrap_or("")
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim())
        })
        .unwrap_or("")
}

pub async fn mail_page(State(dev): State<Arc<DevState>>) -> Response {
    let mails = match sent_mail(&dev.moto_url).await {
        Ok(m) => m,
        Err(e) => return unreachable_stack(e),
    };
    let mut rows = String::new();
    for m in &mails {
        let reply = customer_reply(
            &m.raw_data,
            m.destinations.first().map_or("", String::as_str),
        );
        rows.push_str(&format!(
            "<details><summary><b>{}</b> — to {} <small>({})</small></summary><pre>{}</pre>\
             <form method=\"post\" action=\"/dev/inbound\" enctype=\"text/plain\">\
             <label>Reply as the customer (edit, then deliver)<textarea name=\"raw\">{}</textarea></label>\
             <button>Reply as the customer</button></form></details>\n",
            helpdesk_domain::values::text::escape_html(header(&m.raw_data, "Subject")),
            helpdesk_domain::values::text::escape_html(&m.destinations.join(", ")),
            helpdesk_domain::values::text::escape_html(&m.id),
            helpdesk_domain::values::text::escape_html(&m.raw_data),
            helpdesk_domain::values::text::escape_html(&reply),
        ));
    }
    if mails.is_empty() {
        rows.push_str("<p>No mail has been sent yet.</p>");
    }
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sent mail — Helpdesk dev</title>
<style>body{{font:15px system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}pre{{white-space:pre-wrap;background:#f4f4f4;padding:1rem}}textarea{{width:100%;height:10rem}}</style></head>
<body><h1>Sent mail ({count})</h1>{rows}
<h2>Deliver an inbound mail</h2>
<p>Paste a raw message (.eml). It is stored in the raw-mail bucket as SES would store it; the bucket's notification puts it on the inbound queue.</p>
<form method="post" action="/dev/inbound" enctype="text/plain"><textarea name="raw" required></textarea><button>Deliver</button></form>
</body></html>"#,
        count = mails.len()
    ))
    .into_response()
}

/// The answer a customer's mail client would write to a mail we sent: to its
/// Reply-To, `Re:` subject, In-Reply-To/References, the text quoted below.
pub fn customer_reply(sent_raw: &str, customer: &str) -> String {
    let Some(m) = mail_parser::MessageParser::default().parse(sent_raw.as_bytes()) else {
        return String::new();
    };
    let reply_to = m
        .reply_to()
        .or_else(|| m.from())
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or("support@helpdesk.test");
    let subject = m.subject().unwrap_or("");
    let id = m.message_id().unwrap_or("");
    let mut references: Vec<String> = m
        .references()
        .as_text_list()
        .map(|l| l.iter().map(|r| format!("<{r}>")).collect())
        .or_else(|| m.references().as_text().map(|r| vec![format!("<{r}>")]))
        .unwrap_or_default();
    references.push(format!("<{id}>"));
    let quoted: String = m
        .body_text(0)
        .unwrap_or_default()
        .lines()
        .map(|l| format!("> {l}\r\n"))
        .collect();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "From: {customer}\r\nTo: {reply_to}\r\nSubject: Re: {subject}\r\n\
         Message-ID: <dev-reply-{nanos:x}@customer.example>\r\nIn-Reply-To: <{id}>\r\n\
         References: {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Thanks, here is my answer.\r\n\r\nOn {}, Support wrote:\r\n{quoted}",
        references.join(" "),
        header(sent_raw, "Date"),
    )
}

#[derive(Serialize)]
struct Delivered {
    key: String,
    bucket: String,
}

/// `POST /dev/inbound` with a raw message as the body.
/// Takes what inbound-mail takes (40 MB); every refusal is the API's JSON error.
pub async fn deliver_inbound(
    State(dev): State<Arc<DevState>>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "SES does not accept messages over 40 MB.",
        )
        .into_response()
    };
    let body = match body {
        Ok(body) => body,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
        Err(e) => return ApiError::bad_field("body", e.body_text()).into_response(),
    };
    if body.is_empty() {
        return ApiError::bad_field("body", "is empty: send the raw message").into_response();
    }
    if body.len() > MAX_INBOUND {
        return too_large();
    }
    // The browser form sends `raw=<message>` as text/plain.
    let raw = body
        .strip_prefix(b"raw=")
        .map_or(body.clone(), Bytes::copy_from_slice);
    match store_inbound(&dev, raw.to_vec()).await {
        Ok(key) => (
            StatusCode::ACCEPTED,
            Json(Delivered {
                key,
                bucket: dev.raw_mail_bucket.clone(),
            }),
        )
            .into_response(),
        Err(e) => unreachable_stack(e),
    }
}

/// Stores a raw message under `raw/<id>` in the raw-mail bucket, as SES's receipt
/// rule does; the bucket's notification puts it on the inbound queue.
pub async fn store_inbound(dev: &DevState, raw: Vec<u8>) -> anyhow::Result<String> {
    let key = helpdesk_domain::mail::inbound::parse::raw_mail_key(&ses_like_id());
    dev.s3
        .put_object()
        .bucket(&dev.raw_mail_bucket)
        .key(&key)
        .body(raw.into())
        .send()
        .await
        .map_err(|e| anyhow::anyhow!(aws_sdk_s3::error::DisplayErrorContext(e).to_string()))?;
    Ok(key)
}

/// Plays SES receiving for the self-test: a probe the emulator "sent" to one of
/// our addresses is stored as inbound mail, once. Other mail to our domain (the
/// demo agents' own addresses) is left alone: in AWS it goes to their mailboxes.
pub async fn loop_back_own_mail(dev: &DevState) -> anyhow::Result<usize> {
    let suffix = format!("@{}", dev.mail_domain.to_ascii_lowercase());
    let mut fresh = Vec::new();
    for mail in sent_mail(&dev.moto_url).await? {
        let ours = mail
            .destinations
            .iter()
            .any(|d| d.to_ascii_lowercase().ends_with(&suffix))
            && mail
                .raw_data
                .contains(&format!("{}: ", helpdesk_domain::ops::probe::PROBE_HEADER));
        let new = ours
            && dev
                .looped
                .lock()
                .is_ok_and(|mut seen| seen.insert(mail.id.clone()));
        if new {
            fresh.push(mail.raw_data);
        }
    }
    let count = fresh.len();
    for raw in fresh {
        store_inbound(dev, raw.into_bytes()).await?;
    }
    Ok(count)
}

pub async fn loop_back_forever(dev: Arc<DevState>, every: std::time::Duration) {
    loop {
        tokio::time::sleep(every).await;
        if let Err(e) = loop_back_own_mail(&dev).await {
            tracing::debug!(error = %e, "own mail not looped back");
        }
    }
}

fn ses_like_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("local{nanos:032x}")
}

#[derive(serde::Deserialize)]
pub struct TickAt {
    /// RFC 3339; later than now to see what the schedule will do then.
    at: Option<String>,
}

/// `POST /dev/tick[?at=2026-11-30T09:00:00Z]`: run sla-escalation now (or as if
/// the schedule fired at `at`), and answer what the run did.
pub async fn tick(State(dev): State<Arc<DevState>>, Query(q): Query<TickAt>) -> Response {
    let at = match q.at.as_deref().map(chrono::DateTime::parse_from_rfc3339) {
        None => chrono::Utc::now(),
        Some(Ok(at)) => at.with_timezone(&chrono::Utc),
        Some(Err(e)) => {
            return ApiError::bad_field("at", format!("not an RFC 3339 time: {e}")).into_response();
        }
    };
    match crate::schedule::tick(&dev.sla, at).await {
        Ok(report) => {
            Json(serde_json::json!({"function": "sla-escalation", "ok": true, "report": report}))
                .into_response()
        }
        Err(error) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(serde_json::json!({"function": "sla-escalation", "ok": false, "error": error})),
        )
            .into_response(),
    }
}
