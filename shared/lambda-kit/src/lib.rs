//! Glue shared by the functions: the only place that reads the environment, loads
//! the AWS SDK config once per cold start, maps errors to HTTP responses and SQS
//! batch failures, and sets up tracing.

pub mod aws;
pub mod client;
pub mod config;
pub mod http;
pub mod metrics;
pub mod pace;
pub mod sqs;

pub use aws::Aws;
pub use config::ConfigError;

/// What a function's `main` may return.
pub type Error = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The runtime's default subscriber (JSON when the function's log format says so),
/// quiet unless `RUST_LOG`/`AWS_LAMBDA_LOG_LEVEL` asks for more.
pub fn init_tracing() {
    lambda_runtime::tracing::init_default_subscriber();
}
