//! The AWS SDK config, loaded once per cold start, and one client per service
//! built from it on first use (a client costs about 0.2 ms to build, and a
//! function's dependencies often share one).

use crate::config::StoreConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_dynamodb::config::SharedInterceptor;
use helpdesk_aws::{DynamoStore, S3RawMailStore, SesMailer, SqsOutboundQueue, Tables};
use std::sync::{Arc, OnceLock};

/// A health check asks each dependency at most this often: a public route must
/// not turn every request into calls to each table, queue and bucket.
const HEALTH_CACHE_SECONDS: i64 = 30;

#[derive(Debug, Clone)]
pub struct Aws {
    config: SdkConfig,
    /// Watches every call of every client built from here (tests, benchmarks).
    interceptor: Option<SharedInterceptor>,
    clients: Arc<Clients>,
}

#[derive(Debug, Default)]
struct Clients {
    dynamodb: OnceLock<aws_sdk_dynamodb::Client>,
    sqs: OnceLock<aws_sdk_sqs::Client>,
    s3: OnceLock<aws_sdk_s3::Client>,
    sesv2: OnceLock<aws_sdk_sesv2::Client>,
    ssm: OnceLock<aws_sdk_ssm::Client>,
}

/// Each SDK's config builder, with the interceptor if there is one.
macro_rules! builder {
    ($aws:expr, $sdk:ident) => {{
        let mut conf = $sdk::config::Builder::from(&$aws.config);
        if let Some(i) = &$aws.interceptor {
            conf.push_interceptor(i.clone());
        }
        conf
    }};
}

impl Aws {
    /// Region, credentials and endpoints (`AWS_ENDPOINT_URL*` for the local stack)
    /// come from the SDK's own provider chain.
    pub async fn load() -> Self {
        Self {
            config: aws_config::defaults(BehaviorVersion::latest()).load().await,
            interceptor: None,
            clients: Arc::default(),
        }
    }

    /// The same config, with `interceptor` on every client built from it: how tests
    /// and benchmarks count the calls a function's real dependencies make.
    pub fn intercepted(&self, interceptor: SharedInterceptor) -> Self {
        Self {
            config: self.config.clone(),
            interceptor: Some(interceptor),
            clients: Arc::default(),
        }
    }

    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        let build =
            || aws_sdk_dynamodb::Client::from_conf(builder!(self, aws_sdk_dynamodb).build());
        self.clients.dynamodb.get_or_init(build).clone()
    }

    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        let build = || aws_sdk_sqs::Client::from_conf(builder!(self, aws_sdk_sqs).build());
        self.clients.sqs.get_or_init(build).clone()
    }

    /// The loaded SDK config (the local runner builds its stream reader from it).
    pub fn sdk_config(&self) -> &SdkConfig {
        &self.config
    }

    pub fn s3(&self) -> aws_sdk_s3::Client {
        // Path-style works with every endpoint, local ones included.
        let build = || {
            let conf = builder!(self, aws_sdk_s3).force_path_style(true).build();
            aws_sdk_s3::Client::from_conf(conf)
        };
        self.clients.s3.get_or_init(build).clone()
    }

    pub fn sesv2(&self) -> aws_sdk_sesv2::Client {
        let build = || aws_sdk_sesv2::Client::from_conf(builder!(self, aws_sdk_sesv2).build());
        self.clients.sesv2.get_or_init(build).clone()
    }

    pub fn ssm(&self) -> aws_sdk_ssm::Client {
        let build = || aws_sdk_ssm::Client::from_conf(builder!(self, aws_sdk_ssm).build());
        self.clients.ssm.get_or_init(build).clone()
    }

    /// A SecureString parameter's value, decrypted (read once, at cold start).
    pub async fn secure_parameter(&self, name: &str) -> Result<String, String> {
        let out = self
            .ssm()
            .get_parameter()
            .name(name)
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| aws_sdk_ssm::error::DisplayErrorContext(e).to_string())?;
        out.parameter
            .and_then(|p| p.value)
            .ok_or_else(|| "the parameter has no value".to_owned())
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

    /// Hands stored mail to inbound-mail again (a released quarantined mail).
    pub fn redelivery(
        &self,
        queue_url: &str,
        raw_mail_bucket: &str,
    ) -> Arc<helpdesk_aws::sqs::SqsRedelivery> {
        Arc::new(helpdesk_aws::sqs::SqsRedelivery::new(
            self.sqs(),
            queue_url.to_owned(),
            raw_mail_bucket.to_owned(),
        ))
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

    /// The word index of `store`'s tickets as the indexer writes it: its copy
    /// in `search.dir`, its files in `bucket`.
    pub fn search_writer(
        &self,
        bucket: &str,
        store: &StoreConfig,
        search: &crate::config::SearchConfig,
    ) -> Arc<helpdesk_search::synced::LazySynced> {
        Arc::new(helpdesk_search::synced::LazySynced::writer(
            search.dir.clone().into(),
            self.search_files(bucket, store),
        ))
    }

    /// The word index as a searching function reads it.
    pub fn search_reader(
        &self,
        bucket: &str,
        store: &StoreConfig,
        search: &crate::config::SearchConfig,
    ) -> Arc<helpdesk_search::synced::LazySynced> {
        Arc::new(helpdesk_search::synced::LazySynced::reader(
            search.dir.clone().into(),
            self.search_files(bucket, store),
            std::time::Duration::from_secs(search.check_seconds),
        ))
    }

    fn search_files(&self, bucket: &str, store: &StoreConfig) -> Arc<helpdesk_aws::S3IndexFiles> {
        Arc::new(helpdesk_aws::S3IndexFiles::new(
            self.s3(),
            bucket.to_owned(),
            self.dynamodb(),
            &store.main_table,
        ))
    }

    pub fn mailer(&self, configuration_set: Option<String>) -> Arc<SesMailer> {
        Arc::new(SesMailer::new(self.sesv2(), configuration_set))
    }
}

impl Aws {
    /// Probes the given tables, queues and buckets for `/api/health`.
    /// A function's health check: both tables, the outbound queue, `buckets` and
    /// `dead_letter_urls`, each asked at most every 30 s (`clock` says when).
    pub fn function_health(
        &self,
        store: &StoreConfig,
        outbound_queue_url: &str,
        buckets: Vec<String>,
        dead_letter_urls: Vec<String>,
        clock: Arc<dyn helpdesk_domain::ports::Clock>,
    ) -> Arc<dyn helpdesk_domain::ports::HealthProbe> {
        let probe = self.health(
            vec![store.main_table.clone(), store.ops_table.clone()],
            vec![outbound_queue_url.to_owned()],
            buckets,
            dead_letter_urls,
        );
        Arc::new(helpdesk_domain::ops::health::CachedHealth::new(
            probe,
            clock,
            chrono::Duration::seconds(HEALTH_CACHE_SECONDS),
        ))
    }

    /// `dead_letter_urls`: queues that are healthy only when empty.
    pub fn health(
        &self,
        tables: Vec<String>,
        queue_urls: Vec<String>,
        buckets: Vec<String>,
        dead_letter_urls: Vec<String>,
    ) -> Arc<helpdesk_aws::AwsHealth> {
        Arc::new(helpdesk_aws::AwsHealth {
            dynamodb: self.dynamodb(),
            sqs: self.sqs(),
            s3: self.s3(),
            tables,
            queue_urls,
            buckets,
            dead_letter_urls,
        })
    }
}
