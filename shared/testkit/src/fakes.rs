//! Fakes of the small ports: they record what they were given so tests can assert
//! what a user would notice (the job queued, the mail sent).

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use helpdesk_domain::mail::outbound::job::OutboundJob;
use helpdesk_domain::ports::{
    Clock, IdSource, MailError, Mailer, OutboundQueue, QueueError, RawMailError, RawMailStore,
    time_ordered_id,
};
use helpdesk_domain::values::token::SecretToken;
use helpdesk_domain::{EmailAddress, MessageId, OutboxId, TicketRef};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn at(t: DateTime<Utc>) -> Self {
        Self(Mutex::new(t))
    }

    /// Monday 2 March 2026, 09:00 UTC.
    pub fn monday_morning() -> Self {
        Self::at(
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
                .single()
                .unwrap_or_default(),
        )
    }

    pub fn advance(&self, by: Duration) {
        *lock(&self.0) += by;
    }

    pub fn set(&self, t: DateTime<Utc>) {
        *lock(&self.0) = t;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *lock(&self.0)
    }
}

/// Predictable ids: 1, 2, 3 … in every kind. `seed` keeps runs of different tests
/// that share one table apart.
#[derive(Debug, Default)]
pub struct SequentialIds {
    next: AtomicU64,
    seed: u64,
}

impl SequentialIds {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn seeded(seed: u64) -> Self {
        Self {
            next: AtomicU64::new(0),
            seed: seed << 20,
        }
    }

    fn bump(&self) -> u64 {
        self.seed + self.next.fetch_add(1, Ordering::SeqCst) + 1
    }
}

impl IdSource for SequentialIds {
    fn ticket_ref(&self) -> TicketRef {
        TicketRef::from_bits(self.bump())
    }

    fn message_id(&self, at: DateTime<Utc>) -> MessageId {
        time_ordered_id(at, self.bump() as u32)
    }

    fn outbox_id(&self) -> OutboxId {
        OutboxId::parse(&format!("outbox-{:08}", self.bump()))
            .unwrap_or_else(|_| unreachable!("valid by construction"))
    }

    fn secret_token(&self) -> SecretToken {
        let mut bytes = [0u8; 16];
        bytes[8..].copy_from_slice(&self.bump().to_be_bytes());
        SecretToken::from_bytes(bytes)
    }
}

/// An outbound queue that keeps what was enqueued.
#[derive(Debug, Default)]
pub struct RecordingQueue {
    jobs: Mutex<Vec<OutboundJob>>,
    /// Jobs put back with a delay, in order.
    delayed: Mutex<Vec<(OutboundJob, chrono::Duration)>>,
    fail_next: Mutex<Option<QueueError>>,
}

impl RecordingQueue {
    pub fn jobs(&self) -> Vec<OutboundJob> {
        lock(&self.jobs).clone()
    }

    pub fn delayed(&self) -> Vec<(OutboundJob, chrono::Duration)> {
        lock(&self.delayed).clone()
    }

    /// Takes every job enqueued so far, delayed ones included (a consumer's poll).
    pub fn drain(&self) -> Vec<(OutboundJob, chrono::Duration)> {
        let mut all: Vec<(OutboundJob, chrono::Duration)> = lock(&self.jobs)
            .drain(..)
            .map(|j| (j, chrono::Duration::zero()))
            .collect();
        all.extend(lock(&self.delayed).drain(..));
        all
    }

    pub fn fail_next(&self, error: QueueError) {
        *lock(&self.fail_next) = Some(error);
    }
}

#[async_trait]
impl OutboundQueue for RecordingQueue {
    async fn enqueue(&self, job: &OutboundJob) -> Result<(), QueueError> {
        if let Some(e) = lock(&self.fail_next).take() {
            return Err(e);
        }
        lock(&self.jobs).push(job.queue_message());
        Ok(())
    }

    async fn enqueue_after(
        &self,
        job: &OutboundJob,
        delay: chrono::Duration,
    ) -> Result<(), QueueError> {
        if let Some(e) = lock(&self.fail_next).take() {
            return Err(e);
        }
        lock(&self.delayed).push((job.queue_message(), delay));
        Ok(())
    }
}

/// The inbound queue as agent-api hands released mail to it: keeps the keys.
#[derive(Debug, Default)]
pub struct RecordingRedelivery {
    keys: Mutex<Vec<String>>,
    fail_next: Mutex<Option<QueueError>>,
}

impl RecordingRedelivery {
    pub fn keys(&self) -> Vec<String> {
        lock(&self.keys).clone()
    }

    pub fn fail_next(&self, error: QueueError) {
        *lock(&self.fail_next) = Some(error);
    }
}

#[async_trait]
impl helpdesk_domain::ports::Redelivery for RecordingRedelivery {
    async fn redeliver(&self, raw_key: &str) -> Result<(), QueueError> {
        if let Some(e) = lock(&self.fail_next).take() {
            return Err(e);
        }
        lock(&self.keys).push(raw_key.to_owned());
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMail {
    pub from: EmailAddress,
    pub to: Vec<EmailAddress>,
    pub raw: Vec<u8>,
    pub provider_id: String,
    /// The outbox item the mail was tagged with.
    pub outbox: Option<helpdesk_domain::values::ids::OutboxId>,
}

/// A mailer that keeps what was sent and answers like SES with a fresh id.
#[derive(Debug, Default)]
pub struct RecordingMailer {
    sent: Mutex<Vec<SentMail>>,
    fail_next: Mutex<Option<MailError>>,
}

impl RecordingMailer {
    pub fn sent(&self) -> Vec<SentMail> {
        lock(&self.sent).clone()
    }

    pub fn fail_next(&self, error: MailError) {
        *lock(&self.fail_next) = Some(error);
    }
}

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send_raw(
        &self,
        from: &EmailAddress,
        to: &[EmailAddress],
        raw_mime: &[u8],
        outbox: Option<&helpdesk_domain::values::ids::OutboxId>,
    ) -> Result<String, MailError> {
        if let Some(e) = lock(&self.fail_next).take() {
            return Err(e);
        }
        let mut sent = lock(&self.sent);
        let provider_id = format!("fake-ses-{:06}", sent.len() + 1);
        sent.push(SentMail {
            from: from.clone(),
            to: to.to_vec(),
            raw: raw_mime.to_vec(),
            provider_id: provider_id.clone(),
            outbox: outbox.cloned(),
        });
        Ok(provider_id)
    }
}

/// SES with a maximum send rate: at most `per_second` mails in each second of
/// `clock`; the calls over it are throttled.
pub struct ThrottlingMailer {
    pub accepted: RecordingMailer,
    per_second: u32,
    clock: std::sync::Arc<dyn Clock>,
    /// The second being counted, and the mails accepted in it.
    window: Mutex<(i64, u32)>,
    throttled: Mutex<u32>,
}

impl ThrottlingMailer {
    pub fn new(per_second: u32, clock: std::sync::Arc<dyn Clock>) -> Self {
        Self {
            accepted: RecordingMailer::default(),
            per_second,
            clock,
            window: Mutex::new((i64::MIN, 0)),
            throttled: Mutex::new(0),
        }
    }

    /// Calls answered with throttling so far.
    pub fn throttled(&self) -> u32 {
        *lock(&self.throttled)
    }
}

#[async_trait]
impl Mailer for ThrottlingMailer {
    async fn send_raw(
        &self,
        from: &EmailAddress,
        to: &[EmailAddress],
        raw_mime: &[u8],
        outbox: Option<&helpdesk_domain::values::ids::OutboxId>,
    ) -> Result<String, MailError> {
        let second = self.clock.now().timestamp();
        {
            let mut window = lock(&self.window);
            if window.0 != second {
                *window = (second, 0);
            }
            if window.1 >= self.per_second {
                *lock(&self.throttled) += 1;
                return Err(MailError::Throttled);
            }
            window.1 += 1;
        }
        self.accepted.send_raw(from, to, raw_mime, outbox).await
    }
}

#[derive(Debug, Default)]
pub struct InMemoryRawMail(Mutex<HashMap<String, Vec<u8>>>);

#[async_trait]
impl RawMailStore for InMemoryRawMail {
    async fn get(&self, key: &str, max_bytes: u64) -> Result<Vec<u8>, RawMailError> {
        let raw = lock(&self.0)
            .get(key)
            .cloned()
            .ok_or(RawMailError::NotFound)?;
        if raw.len() as u64 > max_bytes {
            return Err(RawMailError::TooLarge(max_bytes));
        }
        Ok(raw)
    }

    async fn head(&self, key: &str, bytes: u64) -> Result<Vec<u8>, RawMailError> {
        let raw = lock(&self.0)
            .get(key)
            .cloned()
            .ok_or(RawMailError::NotFound)?;
        let end = usize::try_from(bytes).unwrap_or(usize::MAX).min(raw.len());
        Ok(raw[..end].to_vec())
    }

    async fn put(&self, key: &str, raw: &[u8]) -> Result<(), RawMailError> {
        lock(&self.0).insert(key.to_owned(), raw.to_vec());
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), RawMailError> {
        lock(&self.0).remove(key);
        Ok(())
    }
}

impl InMemoryRawMail {
    /// The keys stored now.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = lock(&self.0).keys().cloned().collect();
        keys.sort();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use helpdesk_domain::mail::outbound::job::MailKind;

    #[tokio::test]
    async fn fakes_record_and_fail_on_request() {
        let ids = SequentialIds::new();
        assert_ne!(ids.ticket_ref(), ids.ticket_ref());
        let q = RecordingQueue::default();
        let job = OutboundJob {
            outbox_id: ids.outbox_id(),
            kind: MailKind::TicketConfirmation,
            ticket: None,
            message: None,
            recipient: EmailAddress::parse("a@example.com").unwrap(),
            throttled: 0,
            digest: None,
            alert: None,
        };
        q.fail_next(QueueError::Throttled);
        assert_eq!(q.enqueue(&job).await, Err(QueueError::Throttled));
        q.enqueue(&job).await.unwrap();
        assert_eq!(q.jobs(), vec![job]);
        let raw = InMemoryRawMail::default();
        raw.put("k", b"12345").await.unwrap();
        assert_eq!(raw.get("k", 4).await, Err(RawMailError::TooLarge(4)));
        assert_eq!(raw.get("nope", 4).await, Err(RawMailError::NotFound));
    }
}

/// Attachments in memory: `upload` plays the browser's PUT (its bytes are
/// `size` times `x`); `put` keeps the bytes it is given.
#[derive(Debug, Default)]
pub struct InMemoryAttachments(
    Mutex<HashMap<String, helpdesk_domain::customers::attachments::StoredObject>>,
    Mutex<HashMap<String, Vec<u8>>>,
);

impl InMemoryAttachments {
    /// The keys stored now, sorted.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = lock(&self.0).keys().cloned().collect();
        keys.sort();
        keys
    }

    pub fn upload(&self, key: &str, size: u64, content_type: &str) {
        let mut files = lock(&self.0);
        // Each upload is a version of its own, as S3's ETag tells them apart.
        let etag = format!("\"v{}\"", files.len() + 1);
        files.insert(
            key.to_owned(),
            helpdesk_domain::customers::attachments::StoredObject {
                size,
                content_type: content_type.to_owned(),
                etag: Some(etag),
            },
        );
    }
}

#[async_trait]
impl helpdesk_domain::ports::AttachmentStore for InMemoryAttachments {
    async fn presign_upload(
        &self,
        key: &str,
        request: &helpdesk_domain::customers::attachments::UploadRequest,
        _valid_for: chrono::Duration,
    ) -> Result<
        (String, Vec<(String, String)>),
        helpdesk_domain::customers::attachments::AttachmentError,
    > {
        Ok((
            format!("memory://upload/{key}"),
            vec![("content-type".into(), request.content_type.clone())],
        ))
    }

    async fn put(
        &self,
        key: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(), helpdesk_domain::customers::attachments::AttachmentError> {
        self.upload(key, bytes.len() as u64, content_type);
        lock(&self.1).insert(key.to_owned(), bytes);
        Ok(())
    }

    async fn get(
        &self,
        key: &str,
        max_bytes: u64,
    ) -> Result<Option<Vec<u8>>, helpdesk_domain::customers::attachments::AttachmentError> {
        let Some(object) = lock(&self.0).get(key).cloned() else {
            return Ok(None);
        };
        if object.size > max_bytes {
            return Err(
                helpdesk_domain::customers::attachments::AttachmentError::TooLarge(max_bytes),
            );
        }
        Ok(Some(lock(&self.1).get(key).cloned().unwrap_or_else(|| {
            vec![b'x'; usize::try_from(object.size).unwrap_or(0)]
        })))
    }

    async fn delete(
        &self,
        key: &str,
    ) -> Result<(), helpdesk_domain::customers::attachments::AttachmentError> {
        lock(&self.0).remove(key);
        lock(&self.1).remove(key);
        Ok(())
    }

    async fn delete_under(
        &self,
        prefix: &str,
    ) -> Result<u32, helpdesk_domain::customers::attachments::AttachmentError> {
        let keys: Vec<String> = self
            .keys()
            .into_iter()
            .filter(|k| k.starts_with(prefix))
            .collect();
        for key in &keys {
            lock(&self.0).remove(key);
            lock(&self.1).remove(key);
        }
        Ok(u32::try_from(keys.len()).unwrap_or(u32::MAX))
    }

    async fn describe(
        &self,
        key: &str,
    ) -> Result<
        Option<helpdesk_domain::customers::attachments::StoredObject>,
        helpdesk_domain::customers::attachments::AttachmentError,
    > {
        Ok(lock(&self.0).get(key).cloned())
    }

    async fn keep(
        &self,
        from: &str,
        etag: Option<&str>,
        to: &str,
    ) -> Result<(), helpdesk_domain::customers::attachments::AttachmentError> {
        let mut files = lock(&self.0);
        let object = files
            .get(from)
            .cloned()
            .filter(|o| etag.is_none() || o.etag.as_deref() == etag)
            .ok_or_else(|| {
                helpdesk_domain::customers::attachments::AttachmentError::Unavailable(format!(
                    "no {from} at {etag:?}"
                ))
            })?;
        files.insert(to.to_owned(), object);
        let mut bytes = lock(&self.1);
        if let Some(b) = bytes.get(from).cloned() {
            bytes.insert(to.to_owned(), b);
        }
        Ok(())
    }

    async fn presign_download(
        &self,
        key: &str,
        _filename: &str,
        _valid_for: chrono::Duration,
    ) -> Result<String, helpdesk_domain::customers::attachments::AttachmentError> {
        Ok(format!("memory://download/{key}"))
    }
}
