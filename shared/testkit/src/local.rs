//! Per-test resources on the local AWS stack, created from `infra/resources.json`
//! (the definition the stack script and the SAM template follow), under unique
//! names so tests run in parallel without seeing each other.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use helpdesk_aws::Tables;
use lambda_kit::Aws;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};

const RESOURCES: &str = include_str!("../../../infra/resources.json");

#[derive(Debug, Deserialize)]
pub struct Resources {
    pub tables: BTreeMap<String, TableSpec>,
    pub queues: BTreeMap<String, QueueSpec>,
    pub buckets: BTreeMap<String, BucketSpec>,
}

#[derive(Debug, Deserialize)]
pub struct TableSpec {
    pub name: String,
    pub env: String,
    pub key: Vec<String>,
    pub indexes: Vec<IndexSpec>,
    pub ttl: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct IndexSpec {
    pub name: String,
    pub key: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct QueueSpec {
    pub name: String,
    pub env: String,
    pub visibility_timeout: u32,
    pub max_receive_count: u32,
}

#[derive(Debug, Deserialize)]
pub struct BucketSpec {
    pub name: String,
    pub env: String,
}

pub fn resources() -> Resources {
    serde_json::from_str(RESOURCES).unwrap_or_else(|e| panic!("infra/resources.json: {e}"))
}

/// The SDK config for the local stack. Panics with what to do when the stack's
/// environment is missing, so a test can never reach real AWS by accident.
pub async fn local_aws() -> Aws {
    if std::env::var("AWS_ENDPOINT_URL_DYNAMODB").is_err() {
        panic!(
            "the local AWS stack is not configured: run `make test` (it starts the stack), \
             or `make stack-up` and `source .local/stack.env` before `cargo test`"
        );
    }
    Aws::load().await
}

/// A name no other test in any process uses.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}-{:06x}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        rand::random::<u32>() & 0xff_ffff
    )
}

fn key_schema(key: &[String]) -> Vec<KeySchemaElement> {
    key.iter()
        .zip([KeyType::Hash, KeyType::Range])
        .map(|(name, kind)| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

async fn create_table(client: &aws_sdk_dynamodb::Client, name: &str, spec: &TableSpec) {
    let mut attrs: Vec<&String> = spec
        .key
        .iter()
        .chain(spec.indexes.iter().flat_map(|i| i.key.iter()))
        .collect();
    attrs.sort();
    attrs.dedup();
    let mut req = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(key_schema(&spec.key)));
    for a in attrs {
        req = req.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(a)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    for index in &spec.indexes {
        req = req.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(&index.name)
                .set_key_schema(Some(key_schema(&index.key)))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    req.send().await.unwrap_or_else(|e| {
        panic!(
            "creating table {name}: {}",
            aws_sdk_dynamodb::error::DisplayErrorContext(e)
        )
    });
}

/// Fresh, empty main and ops tables with the production schema.
pub async fn fresh_tables(aws: &Aws) -> Tables {
    let res = resources();
    let client = aws.dynamodb();
    let main = unique("test-main");
    let ops = unique("test-ops");
    create_table(&client, &main, &res.tables["main"]).await;
    create_table(&client, &ops, &res.tables["ops"]).await;
    Tables { main, ops }
}

/// A fresh queue with its DLQ and redrive policy, like the stack's; returns
/// (queue url, dlq url).
pub async fn fresh_queue(aws: &Aws, which: &str) -> (String, String) {
    let res = resources();
    let spec = &res.queues[which];
    let sqs = aws.sqs();
    let name = unique(&format!("test-{which}"));
    let dlq = sqs
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let dlq_url = dlq.queue_url.unwrap_or_default();
    let arn = sqs
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}"))
        .attributes
        .and_then(|a| {
            a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)
                .cloned()
        })
        .unwrap_or_default();
    let redrive = serde_json::json!({"deadLetterTargetArn": arn, "maxReceiveCount": spec.max_receive_count.to_string()});
    let queue = sqs
        .create_queue()
        .queue_name(name)
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout,
            spec.visibility_timeout.to_string(),
        )
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy,
            redrive.to_string(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    (queue.queue_url.unwrap_or_default(), dlq_url)
}

/// A fresh, empty bucket.
pub async fn fresh_bucket(aws: &Aws, which: &str) -> String {
    let name = unique(&format!("test-{}", which.replace('_', "-")));
    aws.s3()
        .create_bucket()
        .bucket(&name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    name
}
