//! Adapters: the domain's ports implemented with DynamoDB, SQS, SES v2 and S3.
//! Clients are built once by the caller (lambda-kit) and handed in.

pub mod attachments;
pub mod dynamo;
pub mod health;
pub mod s3;
pub mod search_files;
pub mod ses;
pub mod sqs;
pub mod web_probe;

pub use attachments::S3AttachmentStore;
pub use dynamo::{DynamoStore, Tables};
pub use health::AwsHealth;
pub use s3::S3RawMailStore;
pub use search_files::S3IndexFiles;
pub use ses::SesMailer;
pub use sqs::SqsOutboundQueue;

/// The error code AWS put on a failed call, if any ("ThrottlingException", …).
pub(crate) fn error_code<E: aws_sdk_dynamodb::error::ProvideErrorMetadata>(e: &E) -> Option<&str> {
    e.code()
}

/// Codes that mean "slow down and try again".
pub(crate) fn is_throttling(code: Option<&str>) -> bool {
    matches!(
        code,
        Some(
            "ThrottlingException"
                | "Throttling"
                | "ProvisionedThroughputExceededException"
                | "RequestLimitExceeded"
                | "TooManyRequestsException"
                | "RequestThrottled"
                | "SlowDown"
        )
    )
}
