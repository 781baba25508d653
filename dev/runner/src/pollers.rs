//! Plays the SQS event source mapping: receive a batch, hand it to the function as
//! a real SQS event, delete only what the function did not report as failed
//! (`ReportBatchItemFailures`). Failed messages come back after the visibility
//! timeout and, after maxReceiveCount, land in the DLQ, as on AWS.

use anyhow::Context;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, MessageSystemAttributeName, QueueAttributeName,
};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

pub type SqsHandler = Arc<dyn Fn(SqsEvent) -> BoxFuture<'static, SqsBatchResponse> + Send + Sync>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PollOutcome {
    pub received: usize,
    pub failed: usize,
}

async fn queue_arn(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> anyhow::Result<String> {
    let out = sqs
        .get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .with_context(|| format!("reading {queue_url}"))?;
    out.attributes
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .context("queue has no ARN")
}

/// One receive → invoke → delete round. `wait` is the long-poll time.
pub async fn poll_once(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    handler: &SqsHandler,
    wait: Duration,
) -> anyhow::Result<PollOutcome> {
    let arn = queue_arn(sqs, queue_url).await?;
    let out = sqs
        .receive_message()
        .queue_url(queue_url)
        .max_number_of_messages(10)
        .wait_time_seconds(wait.as_secs().min(20) as i32)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .context("receiving")?;
    let messages = out.messages.unwrap_or_default();
    if messages.is_empty() {
        return Ok(PollOutcome::default());
    }
    let region = arn.split(':').nth(3).unwrap_or("us-east-1").to_owned();
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            let attributes: Map<String, Value> = m
                .attributes
                .iter()
                .flatten()
                .map(|(k, v)| (k.as_str().to_owned(), Value::String(v.clone())))
                .collect();
            json!({
                "messageId": m.message_id,
                "receiptHandle": m.receipt_handle,
                "body": m.body,
                "md5OfBody": m.md5_of_body,
                "attributes": attributes,
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": region,
            })
        })
        .collect();
    let event: SqsEvent =
        serde_json::from_value(json!({ "Records": records })).context("building the SQS event")?;
    // Run in its own task: a panic fails this batch (as the Lambda runtime reports
    // it) instead of killing the poller.
    let run = handler(event);
    let failed_ids: HashSet<String> = match tokio::spawn(run).await {
        Ok(response) => response
            .batch_item_failures
            .into_iter()
            .map(|f| f.item_identifier)
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "handler panicked; the whole batch will be retried");
            messages
                .iter()
                .filter_map(|m| m.message_id.clone())
                .collect()
        }
    };
    let entries: Vec<DeleteMessageBatchRequestEntry> = messages
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            m.message_id
                .as_ref()
                .is_some_and(|id| !failed_ids.contains(id))
        })
        .filter_map(|(i, m)| {
            DeleteMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .set_receipt_handle(m.receipt_handle.clone())
                .build()
                .ok()
        })
        .collect();
    if !entries.is_empty() {
        sqs.delete_message_batch()
            .queue_url(queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .context("deleting")?;
    }
    Ok(PollOutcome {
        received: messages.len(),
        failed: failed_ids.len(),
    })
}

pub async fn poll_forever(
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    function: &'static str,
    handler: SqsHandler,
) {
    let mut failing = false;
    loop {
        match poll_once(&sqs, &queue_url, &handler, Duration::from_secs(5)).await {
            Ok(outcome) => {
                failing = false;
                if outcome.received > 0 {
                    tracing::info!(
                        function,
                        received = outcome.received,
                        failed = outcome.failed,
                        "batch handled"
                    );
                }
            }
            Err(e) => {
                if !failing {
                    tracing::warn!(function, error = %format!("{e:#}"), "polling failed; retrying every 2 s");
                }
                failing = true;
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}
