//! The second floor for cold-start benchmarks: the smallest function that can
//! talk to DynamoDB. It loads the AWS SDK config and builds a client at start,
//! as every one of ours does, and answers without calling it.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| {
        let region = client.config().region().map(ToString::to_string);
        async move { Ok::<_, Error>(json!({ "hello": "world", "region": region })) }
    }))
    .await
}
