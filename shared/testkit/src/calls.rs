//! Counts the AWS calls a piece of code makes, as they go on the wire: an SDK
//! interceptor that records each attempt's operation (`x-amz-target`, which
//! DynamoDB and SQS requests carry). Used to hold the round-trip budgets of
//! DESIGN.md §7.

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use lambda_kit::Aws;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<Vec<String>>>);

impl CallLog {
    /// Operations since the last `take`, e.g. `DynamoDB_20120810.TransactWriteItems`.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// A DynamoDB client whose calls land in this log.
    pub fn dynamodb(&self, aws: &Aws) -> aws_sdk_dynamodb::Client {
        let conf = aws_sdk_dynamodb::config::Builder::from(aws.sdk_config())
            .interceptor(self.clone())
            .build();
        aws_sdk_dynamodb::Client::from_conf(conf)
    }

    /// An SQS client whose calls land in this log.
    pub fn sqs(&self, aws: &Aws) -> aws_sdk_sqs::Client {
        let conf = aws_sdk_sqs::config::Builder::from(aws.sdk_config())
            .interceptor(self.clone())
            .build();
        aws_sdk_sqs::Client::from_conf(conf)
    }
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "CallLog"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or("(no target)")
            .to_owned();
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(target);
        Ok(())
    }
}
