//! The local runner over real HTTP and real queues: API Gateway events, SQS event
//! source mapping semantics, SES → S3 → SQS delivery, the schedule tick.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use helpdesk_domain::ports::TicketRecords;
use local_runner::Runner;
use local_runner::pollers::{PollOutcome, SqsHandler, poll_once};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use testkit::local::LocalEnv;

/// Serves the runner's app on an ephemeral loopback port; returns its base URL.
async fn serve(env: &LocalEnv) -> (String, Runner) {
    let mut vars = env.vars.clone();
    vars.insert(
        "HELPDESK_WEB_DIR".into(),
        format!("{}/../web", env!("CARGO_MANIFEST_DIR")),
    );
    let runner = Runner::from_source(env.aws.clone(), &vars).unwrap_or_else(|e| panic!("{e}"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let app = runner
        .app()
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), runner)
}

/// Minimal HTTP client over the same hyper the SDK uses.
async fn request(method: &str, url: &str, body: &[u8]) -> (u16, String) {
    request_as(None, method, url, body).await
}

/// As [`request`], with `Authorization: Bearer <token>` when given.
async fn request_as(token: Option<&str>, method: &str, url: &str, body: &[u8]) -> (u16, String) {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = bearer
        .iter()
        .map(|b| ("authorization", b.as_str()))
        .collect();
    request_full(method, url, &headers, body).await
}

/// A JSON request with extra headers: the status and the body.
async fn request_full(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    use http_body_util::{BodyExt, Full};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    let client: Client<_, Full<bytes::Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut req = http::Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req
        .body(Full::new(bytes::Bytes::copy_from_slice(body)))
        .unwrap_or_else(|e| panic!("{e}"));
    let response = client
        .request(req)
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[tokio::test]
async fn api_routes_reach_the_functions_through_api_gateway_events() {
    let env = LocalEnv::fresh().await;
    let (base, _runner) = serve(&env).await;
    let (status, body) = request("GET", &format!("{base}/api/health"), b"").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["status"], "ok");
    let (status, body) = request(
        "POST",
        &format!("{base}/api/tickets?x=1&x=2"),
        b"{\"subject\":\"hi\"}",
    )
    .await;
    // The content is checked: the query string and JSON body reached the function.
    assert_eq!(status, 400, "{body}");
    assert_eq!(json(&body)["error"]["code"], "invalid_input");
    let (status, body) = request("GET", &format!("{base}/api/no-such-route"), b"").await;
    assert_eq!(
        (status, json(&body)["error"]["code"].clone()),
        (404, Value::from("not_found"))
    );
}

#[tokio::test]
async fn agent_routes_need_a_token_of_the_local_issuer_and_get_its_claims() {
    let env = LocalEnv::fresh().await;
    let (base, runner) = serve(&env).await;
    local_runner::seed::seed_demo(&*runner.functions.submit_form_deps.catalog)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Like API Gateway's JWT authorizer: no or a bad token never reaches the function.
    let me = format!("{base}/api/agent/me");
    let (status, body) = request("GET", &me, b"").await;
    assert_eq!(
        (status, json(&body)),
        (401, serde_json::json!({"message": "Unauthorized"}))
    );
    let (status, _) = request_as(Some("a.b.c"), "GET", &me, b"").await;
    assert_eq!(status, 401);
    let login = format!("{base}/dev/auth/token");
    let ana = demo_login("ana");
    let code = |at: i64| local_runner::totp::code(&ana.totp_secret, at).unwrap_or_default();
    let now = chrono::Utc::now().timestamp();
    let wrong_code = if code(now) == "000000" {
        "111111"
    } else {
        "000000"
    };
    for (password, code) in [
        ("wrong", code(now)),
        (ana.password.as_str(), wrong_code.into()),
    ] {
        let body = serde_json::json!({"username": "ana", "password": password, "code": code});
        let (status, body) = request("POST", &login, body.to_string().as_bytes()).await;
        assert_eq!(
            (status, json(&body)["error"]["code"].clone()),
            (401, Value::from("invalid_credentials")),
            "{password} {code}"
        );
    }
    let body = serde_json::json!({"username": "ana", "password": ana.password, "code": code(now)});
    let (status, body) = request("POST", &login, body.to_string().as_bytes()).await;
    assert_eq!(status, 200, "{body}");
    let token = json(&body)["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (status, body) = request_as(Some(&token), "GET", &me, b"").await;
    assert_eq!(status, 200, "{body}");
    let me = json(&body);
    assert_eq!(me["agent"]["id"], "ana");
    assert_eq!(me["agent"]["role"], "agent");
    let (status, body) = request("GET", &format!("{base}/agent/config.json"), b"").await;
    assert_eq!(status, 200);
    assert_eq!(json(&body)["auth"], "cognito");
    assert_eq!(json(&body)["endpoint"], "/dev/cognito/");
    // The console's pool speaks Cognito's protocol: the operation in X-Amz-Target,
    // refusals as HTTP 400 with `__type`.
    let pool = format!("{base}/dev/cognito/");
    let initiate = serde_json::json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "local-console",
        "AuthParameters": {"USERNAME": "ana@helpdesk.test", "PASSWORD": ana.password}});
    let target = (
        "x-amz-target",
        "AWSCognitoIdentityProviderService.InitiateAuth",
    );
    let (status, body) =
        request_full("POST", &pool, &[target], initiate.to_string().as_bytes()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    let (status, body) = request_full("POST", &pool, &[target], b"[]").await;
    assert_eq!(
        (status, json(&body)["__type"].clone()),
        (400, Value::from("SerializationException"))
    );
    let unknown = (
        "x-amz-target",
        "AWSCognitoIdentityProviderService.AdminDeleteUser",
    );
    let (status, body) = request_full("POST", &pool, &[unknown], b"{}").await;
    assert_eq!(
        (status, json(&body)["__type"].clone()),
        (400, Value::from("UnknownOperationException"))
    );
}

/// A demo agent's login as dev/runner/demo-data.json has it.
fn demo_login(agent: &str) -> local_runner::cognito::Login {
    local_runner::seed::demo()
        .unwrap_or_else(|e| panic!("{e}"))
        .logins
        .into_iter()
        .find(|l| l.agent == agent)
        .unwrap_or_else(|| panic!("no demo login {agent}"))
}

#[tokio::test]
async fn static_pages_are_served_for_the_help_center_and_the_console() {
    let env = LocalEnv::fresh().await;
    let (base, _runner) = serve(&env).await;
    let (status, body) = request("GET", &format!("{base}/"), b"").await;
    assert_eq!(status, 200);
    assert!(body.contains(">How can we help?</h1>"));
    // The pages' words in German: the catalog the functions compile in.
    let (status, catalog) = request("GET", &format!("{base}/assets/locales/de.ftl"), b"").await;
    assert_eq!(status, 200);
    assert!(catalog.contains("help-heading = Wie können wir helfen?"));
    for page in [
        "/new/?category=billing",
        "/track/?ticket=X",
        "/assets/help.js",
        "/assets/i18n.js",
        "/assets/locales/en.ftl",
    ] {
        assert_eq!(
            request("GET", &format!("{base}{page}"), b"").await.0,
            200,
            "{page}"
        );
    }
    let (status, body) = request("GET", &format!("{base}/agent/"), b"").await;
    assert_eq!(status, 200);
    assert!(body.contains("<title>Agent console"), "{body}");
    assert_eq!(request("GET", &format!("{base}/agent"), b"").await.0, 308);
    assert_eq!(
        request("GET", &format!("{base}/no-such-page"), b"").await.0,
        404
    );
}

fn failing_middle_handler() -> SqsHandler {
    Arc::new(|event: SqsEvent| {
        Box::pin(async move {
            let mut response = SqsBatchResponse::default();
            for record in event.records {
                if record.body.as_deref() == Some("bad") {
                    let mut failure = BatchItemFailure::default();
                    failure.item_identifier = record.message_id.unwrap_or_default();
                    response.batch_item_failures.push(failure);
                }
            }
            response
        })
    })
}

async fn queue_depth(env: &LocalEnv, url: &str) -> (i64, i64) {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let out = env
        .aws
        .sqs()
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(A::ApproximateNumberOfMessages)
        .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let attrs = out.attributes.unwrap_or_default();
    let n = |k: A| attrs.get(&k).and_then(|v| v.parse().ok()).unwrap_or(-1);
    (
        n(A::ApproximateNumberOfMessages),
        n(A::ApproximateNumberOfMessagesNotVisible),
    )
}

#[tokio::test]
async fn the_poller_deletes_only_what_the_function_handled() {
    let env = LocalEnv::fresh().await;
    let url = env.var("HELPDESK_OUTBOUND_QUEUE_URL");
    let sqs = env.aws.sqs();
    for body in ["ok-1", "bad", "ok-2"] {
        sqs.send_message()
            .queue_url(&url)
            .message_body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
    }
    let outcome = poll_once(
        &sqs,
        &url,
        &failing_middle_handler(),
        Duration::from_secs(1),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        outcome,
        PollOutcome {
            received: 3,
            failed: 1
        }
    );
    // The failed one is in flight (back after the visibility timeout), the others are gone.
    assert_eq!(queue_depth(&env, &url).await, (0, 1));
}

#[tokio::test]
async fn mail_delivered_to_dev_inbound_reaches_inbound_mail_through_s3_and_sqs() {
    let env = LocalEnv::fresh().await;
    env.connect_raw_mail_to_inbound().await;
    local_runner::seed::seed_demo(&*env.store())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (base, runner) = serve(&env).await;
    let raw = b"From: Jane <jane@example.com>\r\nTo: support@helpdesk.test\r\nSubject: Broken kettle\r\n\r\nHelp\r\n";
    let (status, body) = request("POST", &format!("{base}/dev/inbound"), raw).await;
    assert_eq!(status, 202, "{body}");
    let key = json(&body)["key"].as_str().unwrap_or_default().to_owned();
    assert!(key.starts_with("raw/"));
    let stored = env.aws.raw_mail(&env.var("HELPDESK_RAW_MAIL_BUCKET"));
    use helpdesk_domain::ports::RawMailStore;
    assert_eq!(stored.get(&key, 1 << 20).await.as_deref(), Ok(&raw[..]));

    // S3 notifies the queue (after its test event); the poller invokes inbound-mail,
    // which makes the mail a ticket; both messages are handled and deleted.
    let url = env.var("HELPDESK_INBOUND_QUEUE_URL");
    let handler = runner.functions.inbound_handler();
    let mut total = PollOutcome::default();
    for _ in 0..5 {
        let o = poll_once(&env.aws.sqs(), &url, &handler, Duration::from_secs(1))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        total.received += o.received;
        total.failed += o.failed;
        if total.received >= 2 {
            break;
        }
    }
    assert_eq!(
        total,
        PollOutcome {
            received: 2,
            failed: 0
        },
        "the test event and the mail's notification"
    );
    assert_eq!(queue_depth(&env, &url).await, (0, 0));

    let jane =
        helpdesk_domain::EmailAddress::parse("jane@example.com").unwrap_or_else(|e| panic!("{e}"));
    let tickets = env
        .store()
        .tickets_of_requester(&jane, 5)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0].subject.as_str(), "Broken kettle");
}

#[tokio::test]
async fn empty_inbound_mail_is_refused_with_the_field_named() {
    let env = LocalEnv::fresh().await;
    let (base, _runner) = serve(&env).await;
    let (status, body) = request("POST", &format!("{base}/dev/inbound"), b"").await;
    assert_eq!(status, 400);
    assert_eq!(json(&body)["error"]["fields"][0]["field"], "body");
}

#[tokio::test]
async fn inbound_mail_up_to_what_the_function_takes_is_delivered_and_more_is_refused_as_json() {
    let env = LocalEnv::fresh().await;
    let (base, _runner) = serve(&env).await;
    // Over axum's default 2 MB body limit, well under SES's 40 MB.
    let mut raw =
        b"From: ann@example.org\r\nTo: support@helpdesk.test\r\nSubject: big\r\n\r\n".to_vec();
    raw.resize(raw.len() + 3 * 1024 * 1024, b'x');
    let (status, body) = request("POST", &format!("{base}/dev/inbound"), &raw).await;
    assert_eq!(status, 202, "{body}");
    let over = vec![b'x'; 40 * 1024 * 1024 + 1];
    let (status, body) = request("POST", &format!("{base}/dev/inbound"), &over).await;
    assert_eq!(status, 413);
    assert_eq!(json(&body)["error"]["code"], "too_large", "{body}");
}

#[tokio::test]
async fn the_schedule_tick_reports_what_the_run_did() {
    let env = LocalEnv::fresh().await;
    let (base, _runner) = serve(&env).await;
    let (status, body) = request("POST", &format!("{base}/dev/tick"), b"").await;
    assert_eq!(status, 200);
    assert_eq!(json(&body)["report"]["looked_at"], 0);
    // A run as if the schedule fired later; a bad time is named.
    let later = format!("{base}/dev/tick?at=2030-01-07T09:00:00Z");
    let (status, body) = request("POST", &later, b"").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = request("POST", &format!("{base}/dev/tick?at=monday"), b"").await;
    assert_eq!(status, 400);
    assert_eq!(json(&body)["error"]["fields"][0]["field"], "at");
}

#[tokio::test]
async fn sent_mail_is_listed_on_the_dev_mail_page() {
    let env = LocalEnv::fresh().await;
    let (base, _runner) = serve(&env).await;
    let subject = testkit::local::unique("dev-mail-page");
    let raw = format!(
        "From: support@helpdesk.test\r\nTo: jane@example.com\r\nSubject: {subject}\r\n\r\n<b>not html</b>\r\n"
    );
    use helpdesk_domain::ports::Mailer;
    env.aws
        .mailer(None)
        .send_raw(
            &testkit::fixtures::email("support@helpdesk.test"),
            &[testkit::fixtures::email("jane@example.com")],
            raw.as_bytes(),
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, page) = request("GET", &format!("{base}/dev/mail"), b"").await;
    assert_eq!(status, 200);
    assert!(page.contains(&subject));
    assert!(
        page.contains("&lt;b&gt;not html&lt;/b&gt;"),
        "mail content is escaped"
    );
}

#[tokio::test]
async fn seeding_writes_demo_data_once() {
    let env = LocalEnv::fresh().await;
    let (_, runner) = serve(&env).await;
    let catalog = runner.functions.submit_form_deps.catalog.clone();
    let first = local_runner::seed::seed_demo(&*catalog)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(first.written);
    assert_eq!(first.categories.len(), 4);
    let second = local_runner::seed::seed_demo(&*catalog)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!second.written);
    assert_eq!(
        second
            .categories
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>(),
        ["billing", "sales", "technical", "suggestion"]
    );
    let faq = catalog
        .faq(&testkit::fixtures::category_id("billing"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(faq.len(), 2);
}

#[tokio::test]
async fn mail_from_a_real_client_over_smtp_is_stored_as_ses_stores_it() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let env = LocalEnv::fresh().await;
    let (_, runner) = serve(&env).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(local_runner::smtp::serve(listener, runner.dev_state()));
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut last = String::new();
    let mut say = async |text: &str| {
        write
            .write_all(text.as_bytes())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    };
    let greeting = lines
        .next_line()
        .await
        .unwrap_or_default()
        .unwrap_or_default();
    assert!(greeting.starts_with("220"), "{greeting}");
    say("EHLO client.example\r\n").await;
    // EHLO answers with several lines; the last one has a space after the code.
    while let Ok(Some(l)) = lines.next_line().await {
        if l.starts_with("250 ") {
            break;
        }
    }
    for (command, code) in [
        ("MAIL FROM:<jane@example.com>\r\n", "250"),
        ("RCPT TO:<support@helpdesk.test>\r\n", "250"),
        ("DATA\r\n", "354"),
    ] {
        say(command).await;
        last = lines
            .next_line()
            .await
            .unwrap_or_default()
            .unwrap_or_default();
        assert!(last.starts_with(code), "{command}: {last}");
    }
    say("From: Jane <jane@example.com>\r\nTo: support@helpdesk.test\r\nSubject: Via SMTP\r\n\r\n..a line that began with a dot\r\nbye\r\n.\r\n").await;
    let stored = lines
        .next_line()
        .await
        .unwrap_or_default()
        .unwrap_or_default();
    assert!(
        stored.starts_with("250 OK stored as raw/"),
        "{stored} after {last}"
    );
    say("QUIT\r\n").await;
    let key = stored.trim_start_matches("250 OK stored as ").to_owned();
    use helpdesk_domain::ports::RawMailStore;
    let raw = env
        .aws
        .raw_mail(&env.var("HELPDESK_RAW_MAIL_BUCKET"))
        .get(&key, 1 << 20)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        String::from_utf8_lossy(&raw),
        "From: Jane <jane@example.com>\r\nTo: support@helpdesk.test\r\nSubject: Via SMTP\r\n\r\n.a line that began with a dot\r\nbye\r\n"
    );
}

#[test]
fn the_dev_reply_answers_the_reply_to_and_threads() {
    let sent = "From: ACME <support@helpdesk.test>\r\nTo: jane@example.com\r\nReply-To: support+t1-abc@helpdesk.test\r\nSubject: [#ABC] Hi\r\nMessage-ID: <out-1@helpdesk.test>\r\nReferences: <c-1@example.com> <hd-t1-abc@helpdesk.test>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nAnswer text\r\n";
    let reply = local_runner::dev::customer_reply(sent, "jane@example.com");
    for part in [
        "From: jane@example.com\r\n",
        "To: support+t1-abc@helpdesk.test\r\n",
        "Subject: Re: [#ABC] Hi\r\n",
        "In-Reply-To: <out-1@helpdesk.test>\r\n",
        "References: <c-1@example.com> <hd-t1-abc@helpdesk.test> <out-1@helpdesk.test>\r\n",
        "> Answer text",
    ] {
        assert!(reply.contains(part), "{part:?} in {reply}");
    }
}

/// One request with extra headers; the status and the response's headers.
async fn request_with(method: &str, url: &str, headers: &[(&str, &str)]) -> (u16, http::HeaderMap) {
    use http_body_util::Full;
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    let client: Client<_, Full<bytes::Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut req = http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let response = client
        .request(
            req.body(Full::new(bytes::Bytes::new()))
                .unwrap_or_else(|e| panic!("{e}")),
        )
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    (response.status().as_u16(), response.headers().clone())
}

/// The pages run under CloudFront's rules here too, and the dev tools answer
/// only this machine's own pages: another site cannot sign in as an agent,
/// deliver mail or move the clock through a visitor's browser.
#[tokio::test]
async fn the_runner_sends_cloudfront_s_headers_and_keeps_dev_routes_to_itself() {
    let env = LocalEnv::fresh().await;
    let (base, _runner) = serve(&env).await;
    for page in ["/", "/agent/", "/api/health"] {
        let (status, headers) = request_with("GET", &format!("{base}{page}"), &[]).await;
        assert!(status < 500, "{page}: {status}");
        let csp = headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{page}: {csp}"
        );
        assert_eq!(headers["x-frame-options"], "DENY", "{page}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{page}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{page}");
    }
    let port = base.rsplit(':').next().unwrap_or_default().to_owned();
    let own = format!("http://127.0.0.1:{port}");
    let (status, _) =
        request_with("GET", &format!("{base}/dev/mail.json"), &[("origin", &own)]).await;
    assert_eq!(status, 200);
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("host", "rebound.evil.example"),
    ] {
        for (method, path) in [
            ("POST", "/dev/tick"),
            ("POST", "/dev/auth/token"),
            ("POST", "/dev/cognito/"),
            ("GET", "/dev/mail.json"),
        ] {
            let (status, _) =
                request_with(method, &format!("{base}{path}"), &[(name, value)]).await;
            assert_eq!(status, 403, "{method} {path} with {name}: {value}");
        }
    }
}

/// `make dev` prints a message that failed every retry: the watch names the
/// dead-letter queue holding it.
#[tokio::test]
async fn the_dev_watch_names_a_dead_letter_queue_that_holds_mail() {
    let env = LocalEnv::fresh().await;
    let (_base, runner) = serve(&env).await;
    let f = &runner.functions;
    let probe = runner
        .aws
        .health(vec![], vec![], vec![], f.dead_letter_queue_urls.clone());
    let clock = helpdesk_domain::ports::SystemClock;
    let problems = || local_runner::watch::problems(&*probe, &*f.submit_form_deps.tickets, &clock);
    assert_eq!(f.dead_letter_queue_urls.len(), 2);
    assert_eq!(problems().await, Vec::<String>::new());
    let dlq = env.put_message("HELPDESK_INBOUND_DLQ_URL", "{}").await;
    let found = problems().await;
    let name = dlq.rsplit('/').next().unwrap_or_default();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(&format!("sqs:{name}: 1 dead-lettered")),
        "{found:?}"
    );
}
