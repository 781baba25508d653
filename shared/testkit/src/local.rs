//! Per-test resources on the local AWS stack, created from `infra/resources.json`
//! (the definition the stack script and the SAM template follow), under unique
//! names so tests run in parallel without seeing each other.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
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
    /// The resource in infra/template.yaml this stands for.
    pub template: String,
    pub key: Vec<String>,
    pub indexes: Vec<IndexSpec>,
    pub ttl: Option<String>,
    /// The change stream's view (`KEYS_ONLY`), when the table has one.
    #[serde(default)]
    pub stream: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct IndexSpec {
    pub name: String,
    pub key: Vec<String>,
    /// `keys_only`, or every attribute when left out.
    #[serde(default)]
    pub projection: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct QueueSpec {
    pub name: String,
    pub env: String,
    /// The resource in infra/template.yaml this stands for.
    pub template: String,
    /// The template resource of its dead-letter queue.
    pub dead_letter_template: String,
    pub visibility_timeout: u32,
    pub max_receive_count: u32,
}

#[derive(Debug, Deserialize)]
pub struct BucketSpec {
    pub name: String,
    pub env: String,
    /// The resource in infra/template.yaml this stands for.
    pub template: String,
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
                        .projection_type(match index.projection.as_deref() {
                            Some("keys_only") => ProjectionType::KeysOnly,
                            _ => ProjectionType::All,
                        })
                        .build(),
                )
                .build()
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    if let Some(view) = &spec.stream {
        req = req.stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::from(view.as_str()))
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

async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> String {
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}"))
        .attributes
        .and_then(|a| {
            a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)
                .cloned()
        })
        .unwrap_or_else(|| panic!("{url} has no ARN"))
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
    let arn = queue_arn(&sqs, &dlq_url).await;
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

/// The key tests sign reply addresses with (and can forge tokens with).
pub const TEST_REPLY_KEYS: &str = "t1:74657374732d6f6e6c792d6b65792d3031";

/// A complete, fresh set of resources as the functions' environment variables
/// name them, so a test builds each function's config with `from_source` exactly
/// as the function does at cold start.
pub struct LocalEnv {
    pub aws: Aws,
    pub vars: std::collections::HashMap<String, String>,
}

impl LocalEnv {
    pub async fn fresh() -> Self {
        let aws = local_aws().await;
        let res = resources();
        let tables = fresh_tables(&aws).await;
        let (outbound, outbound_dlq) = fresh_queue(&aws, "outbound").await;
        let (inbound, inbound_dlq) = fresh_queue(&aws, "inbound").await;
        let raw = fresh_bucket(&aws, "raw_mail").await;
        let attachments = fresh_bucket(&aws, "attachments").await;
        let mut vars = std::collections::HashMap::new();
        vars.insert(res.tables["main"].env.clone(), tables.main);
        vars.insert(res.tables["ops"].env.clone(), tables.ops);
        vars.insert(res.queues["outbound"].env.clone(), outbound);
        vars.insert("HELPDESK_OUTBOUND_DLQ_URL".into(), outbound_dlq);
        vars.insert(res.queues["inbound"].env.clone(), inbound);
        vars.insert("HELPDESK_INBOUND_DLQ_URL".into(), inbound_dlq);
        vars.insert(res.buckets["raw_mail"].env.clone(), raw);
        vars.insert(res.buckets["attachments"].env.clone(), attachments);
        vars.insert("HELPDESK_MAIL_DOMAIN".into(), "helpdesk.test".into());
        vars.insert("HELPDESK_MAIL_FROM".into(), "support@helpdesk.test".into());
        vars.insert("HELPDESK_REPLY_KEYS".into(), TEST_REPLY_KEYS.into());
        vars.insert(
            "HELPDESK_HELP_URL".into(),
            "http://help.helpdesk.test".into(),
        );
        if let Ok(moto) = std::env::var("HELPDESK_MOTO_URL") {
            vars.insert("HELPDESK_MOTO_URL".into(), moto);
        }
        Self { aws, vars }
    }

    /// The DynamoDB store on this environment's tables.
    pub fn store(&self) -> std::sync::Arc<helpdesk_aws::DynamoStore> {
        std::sync::Arc::new(helpdesk_aws::DynamoStore::new(
            self.aws.dynamodb(),
            Tables {
                main: self.var("HELPDESK_MAIN_TABLE"),
                ops: self.var("HELPDESK_OPS_TABLE"),
            },
        ))
    }

    /// The bodies of the messages waiting on the queue `queue_var` names (one
    /// receive of up to 10, waiting at most a second).
    pub async fn received(&self, queue_var: &str) -> Vec<String> {
        self.aws
            .sqs()
            .receive_message()
            .queue_url(self.var(queue_var))
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"))
            .messages
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| m.body)
            .collect()
    }

    /// A message on the queue `queue_var` names (e.g. a DLQ, as if a job had
    /// failed every retry); its URL.
    pub async fn put_message(&self, queue_var: &str, body: &str) -> String {
        let url = self.var(queue_var);
        self.aws
            .sqs()
            .send_message()
            .queue_url(&url)
            .message_body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        url
    }

    pub fn var(&self, name: &str) -> String {
        self.vars
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} is not in the test environment"))
    }

    /// Makes the raw-mail bucket notify the inbound queue, as SES → S3 → SQS does.
    pub async fn connect_raw_mail_to_inbound(&self) {
        let sqs = self.aws.sqs();
        let arn = queue_arn(&sqs, &self.var("HELPDESK_INBOUND_QUEUE_URL")).await;
        use aws_sdk_s3::types::{Event, NotificationConfiguration, QueueConfiguration};
        let queue = QueueConfiguration::builder()
            .queue_arn(arn)
            .events(Event::from("s3:ObjectCreated:*"))
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        self.aws
            .s3()
            .put_bucket_notification_configuration()
            .bucket(self.var("HELPDESK_RAW_MAIL_BUCKET"))
            .notification_configuration(
                NotificationConfiguration::builder()
                    .queue_configurations(queue)
                    .build(),
            )
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
    }
}
