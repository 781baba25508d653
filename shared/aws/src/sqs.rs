//! The outbound queue on SQS.

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::ProvideErrorMetadata;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use helpdesk_domain::mail::outbound::job::OutboundJob;
use helpdesk_domain::ports::{OutboundQueue, QueueError, Redelivery};

#[derive(Debug, Clone)]
pub struct SqsOutboundQueue {
    client: Client,
    queue_url: String,
}

impl SqsOutboundQueue {
    pub fn new(client: Client, queue_url: String) -> Self {
        Self { client, queue_url }
    }
}

impl SqsOutboundQueue {
    /// One `SendMessage`, delayed by `delay_seconds` when given.
    async fn send(&self, job: &OutboundJob, delay_seconds: Option<i32>) -> Result<(), QueueError> {
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body(job)?)
            .set_delay_seconds(delay_seconds)
            .send()
            .await
            .map_err(|e| {
                let code = e.as_service_error().and_then(|s| s.code());
                queue_error(code, &aws_sdk_sqs::error::DisplayErrorContext(&e))
            })?;
        Ok(())
    }
}

#[async_trait]
impl OutboundQueue for SqsOutboundQueue {
    async fn enqueue(&self, job: &OutboundJob) -> Result<(), QueueError> {
        self.send(job, None).await
    }

    async fn enqueue_after(
        &self,
        job: &OutboundJob,
        delay: chrono::Duration,
    ) -> Result<(), QueueError> {
        // SQS takes 0 to 900 seconds.
        let seconds = delay.num_seconds().clamp(0, 900) as i32;
        self.send(job, Some(seconds)).await
    }

    async fn enqueue_all(&self, jobs: &[OutboundJob]) -> Vec<Result<(), QueueError>> {
        let mut results = Vec::with_capacity(jobs.len());
        for chunk in jobs.chunks(BATCH) {
            results.extend(self.send_batch(chunk).await);
        }
        results
    }
}

/// SQS takes at most ten messages a call.
const BATCH: usize = 10;

impl SqsOutboundQueue {
    /// One SendMessageBatch; each entry's own outcome (entry ids are positions).
    async fn send_batch(&self, jobs: &[OutboundJob]) -> Vec<Result<(), QueueError>> {
        let mut results: Vec<Result<(), QueueError>> = vec![Ok(()); jobs.len()];
        let mut entries = Vec::with_capacity(jobs.len());
        for (i, job) in jobs.iter().enumerate() {
            let entry = body(job).and_then(|b| {
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(b)
                    .build()
                    .map_err(|e| QueueError::Unavailable(e.to_string()))
            });
            match entry {
                Ok(entry) => entries.push(entry),
                Err(e) => results[i] = Err(e),
            }
        }
        if entries.is_empty() {
            return results;
        }
        let out = self
            .client
            .send_message_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries))
            .send()
            .await;
        match out {
            Ok(out) => {
                for failed in out.failed {
                    if let Some(slot) = failed
                        .id
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| results.get_mut(i))
                    {
                        *slot = Err(queue_error(Some(&failed.code), &failed.code));
                    }
                }
            }
            Err(e) => {
                let code = e.as_service_error().and_then(|s| s.code());
                let error = queue_error(code, &aws_sdk_sqs::error::DisplayErrorContext(&e));
                for slot in results.iter_mut().filter(|r| r.is_ok()) {
                    *slot = Err(error.clone());
                }
            }
        }
        results
    }
}

fn body(job: &OutboundJob) -> Result<String, QueueError> {
    serde_json::to_string(&job.queue_message()).map_err(|e| QueueError::Unavailable(e.to_string()))
}

/// Throttling is retried later; anything else names its code (or the whole error).
fn queue_error(code: Option<&str>, whole: &dyn std::fmt::Display) -> QueueError {
    if crate::is_throttling(code) {
        QueueError::Throttled
    } else {
        QueueError::Unavailable(code.map_or_else(|| whole.to_string(), str::to_owned))
    }
}

/// The inbound queue, written to as the raw-mail bucket's notification writes to
/// it: a stored mail handed to inbound-mail again.
#[derive(Debug, Clone)]
pub struct SqsRedelivery {
    client: Client,
    queue_url: String,
    raw_mail_bucket: String,
}

impl SqsRedelivery {
    pub fn new(client: Client, queue_url: String, raw_mail_bucket: String) -> Self {
        Self {
            client,
            queue_url,
            raw_mail_bucket,
        }
    }
}

#[async_trait]
impl Redelivery for SqsRedelivery {
    async fn redeliver(&self, raw_key: &str) -> Result<(), QueueError> {
        // The parts of S3's notification that inbound-mail reads (bucket and key;
        // S3 URL-encodes the key, and a raw-mail key has nothing to encode).
        let notice = serde_json::json!({"Records": [{
            "eventSource": "helpdesk:release",
            "s3": {"bucket": {"name": self.raw_mail_bucket}, "object": {"key": raw_key}},
        }]});
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(notice.to_string())
            .send()
            .await
            .map_err(|e| {
                let code = e.as_service_error().and_then(|s| s.code());
                queue_error(code, &aws_sdk_sqs::error::DisplayErrorContext(&e))
            })?;
        Ok(())
    }
}
