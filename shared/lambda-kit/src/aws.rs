//! The AWS SDK config, loaded once per cold start; clients are cheap after that.

use crate::config::StoreConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use helpdesk_aws::{DynamoStore, S3RawMailStore, SesMailer, SqsOutboundQueue, Tables};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Aws {
    config: SdkConfig,
}

impl Aws {
    /// Region, credentials and endpoints (`AWS_ENDPOINT_URL*` for the local stack)
    /// come from the SDK's own provider chain.
    pub async fn load() -> Self {
        Self {
            config: aws_config::defaults(BehaviorVersion::latest()).load().await,
        }
    }

    /// The loaded config, for clients built with extra settings (tests, benchmarks).
    pub fn sdk_config(&self) -> &SdkConfig {
        &self.config
    }

    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::new(&self.config)
    }

    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.config)
    }

    pub fn s3(&self) -> aws_sdk_s3::Client {
        // Path-style works with every endpoint, local ones included.
        let conf = aws_sdk_s3::config::Builder::from(&self.config)
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    pub fn sesv2(&self) -> aws_sdk_sesv2::Client {
        aws_sdk_sesv2::Client::new(&self.config)
    }

    pub fn store(&self, c: &StoreConfig) -> Arc<DynamoStore> {
        Arc::new(DynamoStore::new(
            self.dynamodb(),
            Tables {
                main: c.main_table.clone(),
                ops: c.ops_table.clone(),
            },
        ))
    }

    pub fn outbound(&self, queue_url: &str) -> Arc<SqsOutboundQueue> {
        Arc::new(SqsOutboundQueue::new(self.sqs(), queue_url.to_owned()))
    }

    pub fn raw_mail(&self, bucket: &str) -> Arc<S3RawMailStore> {
        Arc::new(S3RawMailStore::new(
            self.s3(),
            bucket.to_owned(),
            "raw/".to_owned(),
        ))
    }

    pub fn attachments(&self, bucket: &str) -> Arc<helpdesk_aws::S3AttachmentStore> {
        Arc::new(helpdesk_aws::S3AttachmentStore::new(
            self.s3(),
            bucket.to_owned(),
        ))
    }

    pub fn mailer(&self, configuration_set: Option<String>) -> Arc<SesMailer> {
        Arc::new(SesMailer::new(self.sesv2(), configuration_set))
    }
}

impl Aws {
    /// Probes the given tables, queues and buckets for `/api/health`.
    pub fn health(
        &self,
        tables: Vec<String>,
        queue_urls: Vec<String>,
        buckets: Vec<String>,
    ) -> Arc<helpdesk_aws::AwsHealth> {
        Arc::new(helpdesk_aws::AwsHealth {
            dynamodb: self.dynamodb(),
            sqs: self.sqs(),
            s3: self.s3(),
            tables,
            queue_urls,
            buckets,
        })
    }
}
