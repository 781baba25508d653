//! Both mail use cases wired to the in-memory fakes: a mail goes in through the
//! inbox, what it queues goes out through the postman, and a test reads the raw
//! MIME the fake mailer was handed.

use crate::fakes::{InMemoryAttachments, InMemoryRawMail, RecordingMailer, RecordingQueue};
use crate::fixtures::{category, office_policy};
use crate::local::TEST_REPLY_KEYS;
use crate::{FixedClock, InMemoryStore, SequentialIds};
use helpdesk_domain::EmailAddress;
use helpdesk_domain::mail::inbound::receive::{Inbox, InboxError, InboxSettings, Received};
use helpdesk_domain::mail::outbound::job::OutboundJob;
use helpdesk_domain::mail::outbound::render::Brand;
use helpdesk_domain::mail::outbound::send::{Delivery, DeliveryError, MailSettings, Postman};
use helpdesk_domain::mail::reply_token::ReplyKeys;
use helpdesk_domain::ports::RawMailStore;
use helpdesk_domain::ports::{Categories, SlaPolicies};
use std::sync::Arc;

pub struct MailHarness {
    pub store: Arc<InMemoryStore>,
    pub raw: InMemoryRawMail,
    pub attachments: InMemoryAttachments,
    pub queue: RecordingQueue,
    pub mailer: RecordingMailer,
    pub clock: FixedClock,
    pub ids: SequentialIds,
    pub keys: ReplyKeys,
    pub inbox_settings: InboxSettings,
    pub mail_settings: MailSettings,
    /// Read fresh for every mail (a rule holds at once in tests).
    pub rules: helpdesk_domain::mail::inbound::rules::CachedSenderRules,
    /// Jobs already handed to the postman by [`MailHarness::send_queued`].
    sent_jobs: std::sync::Mutex<usize>,
}

impl MailHarness {
    /// Categories `support` (first) and `billing`, each with its address at
    /// `helpdesk.test`, on the office-hours policy.
    pub async fn new() -> Self {
        let store = Arc::new(InMemoryStore::default());
        for (id, position) in [("support", 1), ("billing", 2)] {
            store
                .put_category(&category(id, position))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        store
            .put_policy(&office_policy("default"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let from = EmailAddress::parse("support@helpdesk.test").unwrap_or_else(|e| panic!("{e}"));
        Self {
            store: store.clone(),
            raw: InMemoryRawMail::default(),
            attachments: InMemoryAttachments::default(),
            queue: RecordingQueue::default(),
            mailer: RecordingMailer::default(),
            clock: FixedClock::monday_morning(),
            ids: SequentialIds::new(),
            keys: ReplyKeys::parse(TEST_REPLY_KEYS).unwrap_or_else(|e| panic!("{e}")),
            inbox_settings: InboxSettings::new("helpdesk.test".into()),
            rules: helpdesk_domain::mail::inbound::rules::CachedSenderRules::new(
                store.clone(),
                Arc::new(FixedClock::monday_morning()),
                chrono::Duration::zero(),
            ),
            mail_settings: MailSettings::new(
                from,
                Brand {
                    name: "ACME Support".into(),
                    help_url: "https://help.example.com".into(),
                },
            ),
            sent_jobs: std::sync::Mutex::new(0),
        }
    }

    pub fn inbox(&self) -> Inbox<'_> {
        Inbox {
            tickets: self.store.as_ref(),
            mail: self.store.as_ref(),
            rules: &self.rules,
            catalog: self.store.as_ref(),
            raw_mail: &self.raw,
            attachments: &self.attachments,
            outbound: &self.queue,
            clock: &self.clock,
            ids: &self.ids,
            keys: &self.keys,
            settings: &self.inbox_settings,
        }
    }

    /// The agents' side (replies) on the same fakes.
    pub fn desk(&self) -> helpdesk_domain::agents::actions::Desk<'_> {
        helpdesk_domain::agents::actions::Desk {
            tickets: self.store.as_ref(),
            catalog: self.store.as_ref(),
            outbound: &self.queue,
            clock: &self.clock,
            ids: &self.ids,
        }
    }

    pub fn postman(&self) -> Postman<'_> {
        Postman {
            tickets: self.store.as_ref(),
            mail: self.store.as_ref(),
            catalog: self.store.as_ref(),
            attachments: &self.attachments,
            mailer: &self.mailer,
            clock: &self.clock,
            ids: &self.ids,
            keys: &self.keys,
            settings: &self.mail_settings,
        }
    }

    /// Stores `raw` as SES would under `raw/<ses_id>` and lets the inbox take it.
    pub async fn deliver(&self, ses_id: &str, raw: &[u8]) -> Result<Received, InboxError> {
        let key = helpdesk_domain::mail::inbound::parse::raw_mail_key(ses_id);
        self.raw
            .put(&key, raw)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        self.inbox().receive(&key).await
    }

    /// Hands every job queued since the last call to the postman.
    pub async fn send_queued(&self) -> Vec<(OutboundJob, Result<Delivery, DeliveryError>)> {
        let jobs = self.queue.jobs();
        let fresh: Vec<OutboundJob> = {
            let mut done = self.sent_jobs.lock().unwrap_or_else(|e| e.into_inner());
            let fresh = jobs[*done..].to_vec();
            *done = jobs.len();
            fresh
        };
        let mut results = Vec::new();
        for job in fresh {
            let result = self.postman().deliver(&job).await;
            results.push((job, result));
        }
        results
    }

    /// The raw MIME of every mail sent so far, oldest first.
    pub fn sent_raw(&self) -> Vec<String> {
        self.mailer
            .sent()
            .into_iter()
            .map(|m| String::from_utf8_lossy(&m.raw).into_owned())
            .collect()
    }
}

/// A corpus file from `tests/mail/`, with `{REF}` and `{PARENT}` filled in.
pub fn corpus(name: &str, reference: &str, parent: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/mail/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let text = String::from_utf8_lossy(&bytes);
    if text.contains("{REF}") || text.contains("{PARENT}") {
        text.replace("{REF}", reference)
            .replace("{PARENT}", parent)
            .into_bytes()
    } else {
        bytes
    }
}

impl MailHarness {
    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use helpdesk_domain::ports::Clock;
        self.clock.now()
    }

    pub fn clock_day(&self) -> chrono::NaiveDate {
        self.clock_now().date_naive()
    }
}

/// A plain customer mail with one base64 attachment of `bytes`.
pub fn mail_with_attachment(filename: &str, bytes: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut raw = String::with_capacity(encoded.len() * 78 / 76 + 1024);
    raw.push_str(
        "From: Ann Example <ann@example.org>\r\nTo: support@helpdesk.test\r\nSubject: Log file\r\n\
         Message-ID: <big-1@mail.example.org>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\n\
         Content-Type: text/plain\r\n\r\nThe log is attached.\r\n--B\r\n",
    );
    raw.push_str(&format!(
        "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"{filename}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n"
    ));
    for line in encoded.as_bytes().chunks(76) {
        raw.push_str(&String::from_utf8_lossy(line));
        raw.push_str("\r\n");
    }
    raw.push_str("--B--\r\n");
    raw.into_bytes()
}
