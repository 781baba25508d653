//! Plays the DynamoDB stream event source mapping: reads the main table's
//! change stream shard by shard from its oldest record, hands each batch to the
//! function as a real stream event, and moves on only when the function did not
//! report it failed (`ReportBatchItemFailures`): a failed batch comes again.

use anyhow::Context;
use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use aws_sdk_dynamodbstreams::types::{AttributeValue, ShardIteratorType};
use base64::Engine;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

pub type StreamHandler =
    Arc<dyn Fn(Event) -> BoxFuture<'static, DynamoDbEventResponse> + Send + Sync>;

/// Records handed over at once (the mapping's batch size).
const BATCH: i32 = 100;

pub struct StreamReader {
    streams: aws_sdk_dynamodbstreams::Client,
    dynamodb: aws_sdk_dynamodb::Client,
    table: String,
    arn: Option<String>,
    /// Each open shard's next iterator.
    iterators: HashMap<String, String>,
    finished: HashSet<String>,
}

impl StreamReader {
    pub fn new(
        streams: aws_sdk_dynamodbstreams::Client,
        dynamodb: aws_sdk_dynamodb::Client,
        table: String,
    ) -> Self {
        Self {
            streams,
            dynamodb,
            table,
            arn: None,
            iterators: HashMap::new(),
            finished: HashSet::new(),
        }
    }

    async fn stream_arn(&mut self) -> anyhow::Result<String> {
        if let Some(arn) = &self.arn {
            return Ok(arn.clone());
        }
        let table = self
            .dynamodb
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .with_context(|| format!("describing {}", self.table))?;
        let arn = table
            .table
            .and_then(|t| t.latest_stream_arn)
            .with_context(|| {
                format!(
                    "{} has no stream (infra/resources.json gives it one)",
                    self.table
                )
            })?;
        self.arn = Some(arn.clone());
        Ok(arn)
    }

    /// One pass over the shards: every batch waiting is handed over. Returns
    /// how many records the function took (a batch it handed back is not counted).
    pub async fn poll_once(&mut self, handler: &StreamHandler) -> anyhow::Result<usize> {
        let arn = self.stream_arn().await?;
        let described = self
            .streams
            .describe_stream()
            .stream_arn(&arn)
            .send()
            .await
            .context("describing the stream")?;
        let shards: Vec<String> = described
            .stream_description
            .and_then(|d| d.shards)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| s.shard_id)
            .collect();
        for shard in &shards {
            if self.finished.contains(shard) || self.iterators.contains_key(shard) {
                continue;
            }
            let it = self
                .streams
                .get_shard_iterator()
                .stream_arn(&arn)
                .shard_id(shard)
                .shard_iterator_type(ShardIteratorType::TrimHorizon)
                .send()
                .await
                .context("opening a shard")?;
            match it.shard_iterator {
                Some(it) => {
                    self.iterators.insert(shard.clone(), it);
                }
                None => {
                    self.finished.insert(shard.clone());
                }
            }
        }
        let mut handed = 0;
        let open: Vec<(String, String)> = self
            .iterators
            .iter()
            .map(|(s, i)| (s.clone(), i.clone()))
            .collect();
        for (shard, iterator) in open {
            let out = self
                .streams
                .get_records()
                .shard_iterator(&iterator)
                .limit(BATCH)
                .send()
                .await;
            let out = match out {
                Ok(out) => out,
                Err(e) => {
                    // An expired iterator: the shard is opened again next pass
                    // (from its oldest record: indexing again is harmless).
                    tracing::warn!(shard, error = %aws_sdk_dynamodbstreams::error::DisplayErrorContext(&e), "reading a shard");
                    self.iterators.remove(&shard);
                    continue;
                }
            };
            let records = out.records.unwrap_or_default();
            if !records.is_empty() {
                let event = event(&arn, &records)?;
                let response = handler(event).await;
                if !response.batch_item_failures.is_empty() {
                    // The same iterator again after the idle wait: the batch
                    // comes again (not at once: a failing batch would spin).
                    continue;
                }
                handed += records.len();
            }
            match out.next_shard_iterator {
                Some(next) => {
                    self.iterators.insert(shard, next);
                }
                None => {
                    self.iterators.remove(&shard);
                    self.finished.insert(shard);
                }
            }
        }
        Ok(handed)
    }
}

fn attribute(v: &AttributeValue) -> Value {
    match v {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::B(b) => {
            json!({ "B": base64::engine::general_purpose::STANDARD.encode(b.as_ref()) })
        }
        _ => json!({ "NULL": true }),
    }
}

/// The records as Lambda hands them to the function.
fn event(arn: &str, records: &[aws_sdk_dynamodbstreams::types::Record]) -> anyhow::Result<Event> {
    let region = arn.split(':').nth(3).unwrap_or("us-east-1");
    let records: Vec<Value> = records
        .iter()
        .map(|r| {
            let change = r.dynamodb.as_ref();
            let keys: Map<String, Value> = change
                .and_then(|c| c.keys.as_ref())
                .map(|k| k.iter().map(|(n, v)| (n.clone(), attribute(v))).collect())
                .unwrap_or_default();
            json!({
                "eventID": r.event_id,
                "eventName": r.event_name.as_ref().map(|n| n.as_str()),
                "eventVersion": r.event_version,
                "eventSource": "aws:dynamodb",
                "awsRegion": region,
                "eventSourceARN": arn,
                "dynamodb": {
                    "ApproximateCreationDateTime": change
                        .and_then(|c| c.approximate_creation_date_time)
                        .map(|t| t.secs() as f64),
                    "Keys": keys,
                    "SequenceNumber": change.and_then(|c| c.sequence_number.clone()),
                    "SizeBytes": change.and_then(|c| c.size_bytes).unwrap_or(0),
                    "StreamViewType": "KEYS_ONLY",
                },
            })
        })
        .collect();
    serde_json::from_value(json!({ "Records": records })).context("shaping the stream event")
}

/// Polls for ever: at once again after a busy pass, after `idle` otherwise.
pub async fn stream_forever(
    mut reader: StreamReader,
    name: &'static str,
    handler: StreamHandler,
    idle: Duration,
) {
    loop {
        match reader.poll_once(&handler).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(function = name, error = %format!("{e:#}"), "stream poll failed")
            }
        }
        tokio::time::sleep(idle).await;
    }
}
