//! `HealthProbe` on AWS: each table, queue and bucket is asked one cheap question,
//! all at once.

use async_trait::async_trait;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use helpdesk_domain::ports::{ComponentHealth, HealthProbe};

#[derive(Debug, Clone)]
pub struct AwsHealth {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub s3: aws_sdk_s3::Client,
    pub tables: Vec<String>,
    pub queue_urls: Vec<String>,
    pub buckets: Vec<String>,
    /// Dead-letter queues: healthy only when empty (what lands there needs a person).
    pub dead_letter_urls: Vec<String>,
}

impl AwsHealth {
    /// How many messages wait in `queue_url` (SQS's approximate count).
    async fn depth(&self, queue_url: &str) -> Result<u64, String> {
        let out = self
            .sqs
            .get_queue_attributes()
            .queue_url(queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .map_err(failure)?;
        Ok(out
            .attributes
            .and_then(|a| {
                a.get(&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
                    .and_then(|d| d.parse().ok())
            })
            .unwrap_or(0))
    }
}

fn queue_name(url: &str) -> String {
    url.rsplit('/').next().unwrap_or(url).to_owned()
}

fn component(name: String, result: Result<String, String>) -> ComponentHealth {
    match result {
        Ok(detail) => ComponentHealth {
            name,
            ok: true,
            detail,
        },
        Err(detail) => ComponentHealth {
            name,
            ok: false,
            detail,
        },
    }
}

fn failure<E: ProvideErrorMetadata, R>(e: aws_sdk_dynamodb::error::SdkError<E, R>) -> String {
    match e.as_service_error().and_then(|s| s.code()) {
        Some(code) => code.to_owned(),
        None => match e {
            aws_sdk_dynamodb::error::SdkError::DispatchFailure(_) => "unreachable".to_owned(),
            aws_sdk_dynamodb::error::SdkError::TimeoutError(_) => "timed out".to_owned(),
            _ => "failed".to_owned(),
        },
    }
}

#[async_trait]
impl HealthProbe for AwsHealth {
    async fn check(&self) -> Vec<ComponentHealth> {
        let tables = self.tables.iter().map(|t| async move {
            let r = self.dynamodb.describe_table().table_name(t).send().await;
            component(
                format!("dynamodb:{t}"),
                r.map(|o| {
                    o.table
                        .and_then(|t| t.table_status)
                        .map_or("unknown".into(), |s| s.as_str().to_lowercase())
                })
                .map_err(failure),
            )
        });
        let queues = self.queue_urls.iter().map(|q| async move {
            component(
                format!("sqs:{}", queue_name(q)),
                self.depth(q).await.map(|d| format!("{d} waiting")),
            )
        });
        let dead_letters = self.dead_letter_urls.iter().map(|q| async move {
            let name = format!("sqs:{}", queue_name(q));
            match self.depth(q).await {
                Ok(0) => component(name, Ok("empty".into())),
                Ok(d) => component(
                    name,
                    Err(format!(
                        "{d} dead-lettered: failed every retry, needs a look"
                    )),
                ),
                Err(e) => component(name, Err(e)),
            }
        });
        let buckets = self.buckets.iter().map(|b| async move {
            let r = self.s3.head_bucket().bucket(b).send().await;
            component(
                format!("s3:{b}"),
                r.map(|_| "reachable".to_owned()).map_err(failure),
            )
        });
        let (mut all, queues, dead_letters, buckets) = futures::join!(
            futures::future::join_all(tables),
            futures::future::join_all(queues),
            futures::future::join_all(dead_letters),
            futures::future::join_all(buckets)
        );
        all.extend(queues);
        all.extend(dead_letters);
        all.extend(buckets);
        all
    }
}
