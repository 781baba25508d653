//! The SQS, SES and S3 adapters against the local emulators.

use helpdesk_domain::mail::outbound::job::{MailKind, OutboundJob};
use helpdesk_domain::ports::{IdSource, Mailer, OutboundQueue, RawMailError, RawMailStore};
use testkit::SequentialIds;
use testkit::fixtures::email;
use testkit::local::LocalEnv;

#[tokio::test]
async fn an_enqueued_job_arrives_as_json_the_consumer_parses() {
    let env = LocalEnv::fresh().await;
    let url = env.var("HELPDESK_OUTBOUND_QUEUE_URL");
    let queue = env.aws.outbound(&url);
    let ids = SequentialIds::new();
    let job = OutboundJob {
        outbox_id: ids.outbox_id(),
        kind: MailKind::TicketConfirmation,
        ticket: Some(ids.ticket_ref()),
        message: None,
        recipient: email("jane@example.com"),
        throttled: 0,
        digest: None,
        alert: None,
    };
    queue.enqueue(&job).await.unwrap_or_else(|e| panic!("{e}"));
    let bodies = env.received("HELPDESK_OUTBOUND_QUEUE_URL").await;
    assert_eq!(bodies.len(), 1);
    assert_eq!(OutboundJob::parse(&bodies[0]).ok(), Some(job));
}

#[tokio::test]
async fn raw_mail_round_trips_its_start_is_read_alone_and_oversized_mail_is_refused() {
    let env = LocalEnv::fresh().await;
    let store = env.aws.raw_mail(&env.var("HELPDESK_RAW_MAIL_BUCKET"));
    let raw = b"From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n";
    store
        .put("ses-id-1", raw)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.get("ses-id-1", 1024).await.as_deref(), Ok(&raw[..]));
    assert_eq!(
        store.get("raw/ses-id-1", 1024).await.as_deref(),
        Ok(&raw[..])
    );
    assert_eq!(
        store.get("ses-id-1", 10).await,
        Err(RawMailError::TooLarge(10))
    );
    assert_eq!(
        store.get("missing", 1024).await,
        Err(RawMailError::NotFound)
    );
    // The start only (whom the headers name), or all of a shorter mail.
    assert_eq!(store.head("ses-id-1", 8).await.as_deref(), Ok(&raw[..8]));
    assert_eq!(store.head("ses-id-1", 4096).await.as_deref(), Ok(&raw[..]));
    assert_eq!(store.head("missing", 8).await, Err(RawMailError::NotFound));
    store
        .put("empty", b"")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.head("empty", 8).await, Ok(Vec::new()));
}

#[tokio::test]
async fn many_jobs_go_ten_to_a_call_and_all_arrive() {
    let env = LocalEnv::fresh().await;
    let calls = testkit::calls::CallLog::default();
    let queue = env
        .aws
        .intercepted(calls.shared())
        .outbound(&env.var("HELPDESK_OUTBOUND_QUEUE_URL"));
    let ids = SequentialIds::new();
    let jobs: Vec<OutboundJob> = (0..23)
        .map(|_| OutboundJob {
            outbox_id: ids.outbox_id(),
            kind: MailKind::Escalation,
            ticket: Some(ids.ticket_ref()),
            message: None,
            recipient: email("sue@helpdesk.test"),
            throttled: 0,
            digest: None,
            alert: None,
        })
        .collect();
    let results = queue.enqueue_all(&jobs).await;
    assert_eq!(results.len(), 23);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(calls.take(), vec!["AmazonSQS.SendMessageBatch"; 3]);
    let mut arrived = Vec::new();
    for _ in 0..10 {
        let bodies = env.received("HELPDESK_OUTBOUND_QUEUE_URL").await;
        if bodies.is_empty() {
            break;
        }
        arrived.extend(bodies.iter().filter_map(|b| OutboundJob::parse(b).ok()));
    }
    arrived.sort_by(|a, b| a.outbox_id.cmp(&b.outbox_id));
    assert_eq!(arrived, jobs, "each job once");
}

#[tokio::test]
async fn ses_accepts_raw_mail_and_returns_its_message_id() {
    let env = LocalEnv::fresh().await;
    let mailer = env.aws.mailer(None);
    let subject = testkit::local::unique("adapter-test");
    let raw = format!(
        "From: support@helpdesk.test\r\nTo: jane@example.com\r\nSubject: {subject}\r\n\r\nHello\r\n"
    );
    let id = mailer
        .send_raw(
            &email("support@helpdesk.test"),
            &[email("jane@example.com")],
            raw.as_bytes(),
            // With its outbox tag, as send-reply sends.
            Some(&helpdesk_domain::values::ids::OutboxId::parse("0f1e2d3c4b5a6978").unwrap()),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!id.is_empty());
    let sent = local_runner::dev::sent_mail(&env.var("HELPDESK_MOTO_URL"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let ours: Vec<_> = sent
        .iter()
        .filter(|m| m.raw_data.contains(&subject))
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].id, id);
}

#[tokio::test]
async fn a_presigned_upload_lands_in_s3_and_is_described_by_what_arrived() {
    use helpdesk_domain::customers::attachments::UploadRequest;
    use helpdesk_domain::ports::AttachmentStore;
    let env = LocalEnv::fresh().await;
    let store = env.aws.attachments(&env.var("HELPDESK_ATTACHMENTS_BUCKET"));
    // A name with a letter beyond ASCII: the copy on attaching must encode it.
    let request = UploadRequest::parse("Notiz März.txt", "text/plain", Some(11))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let secret = "0123456789abcdef0123456789abcdef";
    let key = request.key(secret);
    assert_eq!(store.describe(&key).await, Ok(None));
    let (url, headers) = store
        .presign_upload(&key, &request, chrono::Duration::minutes(15))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Upload as a browser would: a plain PUT to the URL with the signed headers.
    use http_body_util::Full;
    use hyper_util::client::legacy::Client;
    let client: Client<_, Full<bytes::Bytes>> =
        Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    let mut put = http::Request::builder().method("PUT").uri(&url);
    for (k, v) in &headers {
        put = put.header(k.as_str(), v.as_str());
    }
    let response = client
        .request(
            put.body(Full::new(bytes::Bytes::from_static(b"hello world")))
                .unwrap_or_else(|e| panic!("{e}")),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(response.status().is_success(), "{}", response.status());
    let stored = store
        .describe(&key)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("not stored"));
    assert_eq!(
        (stored.size, stored.content_type.as_str()),
        (11, "text/plain")
    );
    let link = store
        .presign_download(&key, "notes.txt", chrono::Duration::minutes(5))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        link.contains("response-content-disposition=attachment"),
        "{link}"
    );
    // Attaching copies it to where attached files live.
    let files = helpdesk_domain::customers::attaching::resolve(
        &*store,
        &SequentialIds::new(),
        &[request.handle(secret)],
        "a",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(files[0].filename, "Notiz_März.txt");
    assert!(files[0].key.starts_with("uploads/"), "{}", files[0].key);
    let kept = store
        .describe(&files[0].key)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("not copied"));
    assert_eq!(kept.size, 11);
    // (The copy is pinned to the checked version by CopySourceIfMatch; moto
    // ignores that condition, so only S3 itself and the in-memory store hold it.)
}

/// The template keeps the reply keys in an SSM SecureString: inbound-mail and
/// send-reply read it at cold start and sign exactly as with the keys in hand.
#[tokio::test]
async fn reply_keys_come_from_an_ssm_secure_string() {
    use helpdesk_domain::mail::reply_token::ReplyKeys;
    use lambda_kit::config::{InboundMailConfig, SendReplyConfig};
    let env = LocalEnv::fresh().await;
    // Named after this test's own tables: unique on a stack the suite reuses.
    let name = format!("/helpdesk/{}/reply-keys", env.var("HELPDESK_MAIN_TABLE"));
    let secret = "k2:00112233445566778899aabbccddeeff,k1:ffeeddccbbaa99887766554433221100";
    env.aws
        .ssm()
        .put_parameter()
        .name(&name)
        .value(secret)
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .overwrite(true)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{}", aws_sdk_ssm::error::DisplayErrorContext(e)));
    let mut vars = env.vars.clone();
    vars.remove("HELPDESK_REPLY_KEYS");
    vars.insert("HELPDESK_REPLY_KEYS_PARAMETER".into(), name.clone());
    let inbound = InboundMailConfig::load_from(&vars, &env.aws)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let send = SendReplyConfig::load_from(&vars, &env.aws)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let expected = ReplyKeys::parse(secret).unwrap_or_else(|e| panic!("{e}"));
    let ticket = helpdesk_domain::TicketRef::parse("K7Q4M2XP9H").unwrap_or_else(|e| panic!("{e}"));
    let ann = email("ann@example.org");
    let signed = expected.sign(&ticket, &ann);
    assert_eq!(inbound.reply_keys.sign(&ticket, &ann), signed);
    assert_eq!(send.reply_keys.verify(&signed, &ann), Some(ticket));

    // A parameter that is not there names the variable; both ways at once is refused.
    vars.insert(
        "HELPDESK_REPLY_KEYS_PARAMETER".into(),
        format!("{name}-missing"),
    );
    let e = InboundMailConfig::load_from(&vars, &env.aws)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("HELPDESK_REPLY_KEYS_PARAMETER"),
        "{e}"
    );
    vars.insert("HELPDESK_REPLY_KEYS_PARAMETER".into(), name);
    vars.insert("HELPDESK_REPLY_KEYS".into(), secret.into());
    let e = SendReplyConfig::load_from(&vars, &env.aws)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("one of them"), "{e}");
}
