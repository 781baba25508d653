//! Which IAM actions each function's AWS calls need, as the test suite makes
//! them: an SDK interceptor on a function's clients appends one line per call,
//! `<function>\t<action>`, to the file named by `HELPDESK_IAM_LOG`
//! (scripts/test.sh sets it; `scripts/check-permissions.py` then holds every
//! line to that function's role in the SAM template). Without the variable
//! nothing is recorded.

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents, SharedInterceptor};
use aws_sdk_dynamodb::error::BoxError;
use lambda_kit::Aws;
use serde_json::Value;
use std::io::Write;

/// The variable naming the log file.
pub const LOG_VAR: &str = "HELPDESK_IAM_LOG";

/// `aws` with every client recording its calls as `function`'s, when the log
/// is asked for; `aws` itself otherwise.
pub fn recorded(aws: &Aws, function: &str) -> Aws {
    match std::env::var_os(LOG_VAR) {
        Some(_) => aws.intercepted(SharedInterceptor::new(Recorder {
            function: function.to_owned(),
        })),
        None => aws.clone(),
    }
}

#[derive(Debug, Clone)]
struct Recorder {
    function: String,
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "IamRecorder"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        let operation = crate::calls::operation(request.headers().get("x-amz-target"), cfg);
        let body = request
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice::<Value>(b).ok());
        let Some(path) = std::env::var_os(LOG_VAR) else {
            return Ok(());
        };
        let mut lines = String::new();
        for action in actions(&operation, body.as_ref()) {
            lines.push_str(&format!("{}\t{action}\n", self.function));
        }
        // One write per call with O_APPEND: lines of concurrent tests never mix.
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?
            .write_all(lines.as_bytes())?;
        Ok(())
    }
}

/// The IAM actions one call needs. A transaction needs each of its items'
/// actions (there is no `TransactWriteItems` action); batches and a few SQS and
/// S3 operations are authorised under another operation's name.
pub fn actions(operation: &str, body: Option<&Value>) -> Vec<String> {
    let (service, name) = operation
        .rsplit_once('.')
        .unwrap_or(("(unknown)", operation));
    let service = service.to_ascii_lowercase();
    let mut out = Vec::new();
    if service.starts_with("dynamodb") {
        match name {
            "TransactWriteItems" => {
                for item in body
                    .and_then(|b| b["TransactItems"].as_array())
                    .into_iter()
                    .flatten()
                {
                    for (kind, action) in [
                        ("Put", "PutItem"),
                        ("Update", "UpdateItem"),
                        ("Delete", "DeleteItem"),
                        ("ConditionCheck", "ConditionCheckItem"),
                    ] {
                        if item.get(kind).is_some() {
                            out.push(format!("dynamodb:{action}"));
                        }
                    }
                }
            }
            "TransactGetItems" => out.push("dynamodb:GetItem".into()),
            other => out.push(format!("dynamodb:{other}")),
        }
    } else if service.starts_with("amazonsqs") || service == "sqs" {
        let name = name.trim_end_matches("Batch");
        out.push(format!("sqs:{name}"));
    } else if service == "s3" {
        match name {
            "HeadObject" | "GetObject" => out.push("s3:GetObject".into()),
            "CopyObject" => {
                out.push("s3:GetObject".into());
                out.push("s3:PutObject".into());
            }
            "ListObjectsV2" | "HeadBucket" => out.push("s3:ListBucket".into()),
            other => out.push(format!("s3:{other}")),
        }
    } else if service == "sesv2" {
        out.push(format!("ses:{name}"));
    } else if service == "ssm" || service.starts_with("amazonssm") {
        out.push(format!("ssm:{name}"));
    } else {
        out.push(format!("{service}:{name}"));
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::actions;
    use serde_json::json;

    #[test]
    fn calls_are_named_by_the_actions_iam_checks() {
        let tx = json!({"TransactItems": [
            {"Put": {}}, {"Update": {}}, {"ConditionCheck": {}}, {"Put": {}}
        ]});
        assert_eq!(
            actions("DynamoDB_20120810.TransactWriteItems", Some(&tx)),
            [
                "dynamodb:ConditionCheckItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem"
            ]
        );
        assert_eq!(actions("DynamoDB_20120810.Query", None), ["dynamodb:Query"]);
        assert_eq!(
            actions("AmazonSQS.SendMessageBatch", None),
            ["sqs:SendMessage"]
        );
        assert_eq!(
            actions("S3.CopyObject", None),
            ["s3:GetObject", "s3:PutObject"]
        );
        assert_eq!(actions("S3.HeadObject", None), ["s3:GetObject"]);
        assert_eq!(actions("SESv2.SendEmail", None), ["ses:SendEmail"]);
    }
}
