//! Which IAM permissions each function's AWS calls need, as the test suite makes
//! them: an SDK interceptor on a function's clients appends one line per action
//! and resource a call needs, `<function>\t<action>\t<resource>`, to the file
//! named by `HELPDESK_IAM_LOG` (scripts/test.sh sets it;
//! `scripts/check-permissions.py` then holds every line to that function's role in
//! the SAM template, action and resource). Without the variable nothing is
//! recorded.
//!
//! A resource is written `kind:name[/rest]`: `table:NAME[/index/INDEX]`,
//! `queue:NAME`, `bucket:NAME[/KEY]`, `parameter:/PATH`, `identity:DOMAIN`, or `*`
//! for a call that names none; the names are the local ones, which the check
//! maps to the template's resources.

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
        let call = Call {
            operation: &operation,
            uri: request.uri(),
            copy_source: request.headers().get("x-amz-copy-source"),
            body: body.as_ref(),
        };
        let mut lines = String::new();
        for (action, resource) in needs(&call) {
            lines.push_str(&format!("{}\t{action}\t{resource}\n", self.function));
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

/// What the recorder sees of one request.
pub struct Call<'a> {
    /// `Service.Operation`, as [`crate::calls::operation`] names it.
    pub operation: &'a str,
    pub uri: &'a str,
    /// S3's `x-amz-copy-source` (`bucket/key`), for a copy.
    pub copy_source: Option<&'a str>,
    /// The JSON body of a JSON-protocol call.
    pub body: Option<&'a Value>,
}

fn table(body: &Value) -> String {
    let name = body["TableName"].as_str().unwrap_or("?");
    match body["IndexName"].as_str() {
        Some(index) => format!("table:{name}/index/{index}"),
        None => format!("table:{name}"),
    }
}

/// `bucket:NAME[/KEY]` of a path-style S3 URI (the local stack's style).
fn bucket(uri: &str) -> String {
    let path = uri
        .split_once("://")
        .map_or(uri, |(_, rest)| rest.split_once('/').map_or("", |(_, p)| p));
    let path = path.split(['?', '#']).next().unwrap_or("");
    format!("bucket:{}", path.trim_end_matches('/'))
}

/// The IAM actions one call needs, each with the resource it acts on. A
/// transaction needs each of its items' actions on each item's table (there is
/// no `TransactWriteItems` action); batches and a few SQS and S3 operations are
/// authorised under another operation's name.
pub fn needs(call: &Call<'_>) -> Vec<(String, String)> {
    let (service, name) = call
        .operation
        .rsplit_once('.')
        .unwrap_or(("(unknown)", call.operation));
    let service = service.to_ascii_lowercase();
    let body = call.body.unwrap_or(&Value::Null);
    let mut out: Vec<(String, String)> = Vec::new();
    if service.starts_with("dynamodb") {
        match name {
            "TransactWriteItems" | "TransactGetItems" => {
                for item in body["TransactItems"].as_array().into_iter().flatten() {
                    for (kind, action) in [
                        ("Put", "PutItem"),
                        ("Update", "UpdateItem"),
                        ("Delete", "DeleteItem"),
                        ("ConditionCheck", "ConditionCheckItem"),
                        ("Get", "GetItem"),
                    ] {
                        if let Some(part) = item.get(kind) {
                            out.push((format!("dynamodb:{action}"), table(part)));
                        }
                    }
                }
            }
            "BatchGetItem" | "BatchWriteItem" => {
                for t in body["RequestItems"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(t, _)| t)
                {
                    out.push((format!("dynamodb:{name}"), format!("table:{t}")));
                }
            }
            other => out.push((format!("dynamodb:{other}"), table(body))),
        }
    } else if service.starts_with("amazonsqs") || service == "sqs" {
        let queue = body["QueueUrl"]
            .as_str()
            .and_then(|u| u.rsplit('/').next())
            .or_else(|| body["QueueName"].as_str())
            .map_or_else(|| "*".to_owned(), |q| format!("queue:{q}"));
        out.push((format!("sqs:{}", name.trim_end_matches("Batch")), queue));
    } else if service == "s3" {
        let here = bucket(call.uri);
        match name {
            "HeadObject" | "GetObject" => out.push(("s3:GetObject".into(), here)),
            "CopyObject" => {
                let source = call.copy_source.unwrap_or("?").trim_start_matches('/');
                out.push(("s3:GetObject".into(), format!("bucket:{source}")));
                out.push(("s3:PutObject".into(), here));
            }
            "ListObjectsV2" | "HeadBucket" => out.push(("s3:ListBucket".into(), here)),
            other => out.push((format!("s3:{other}"), here)),
        }
    } else if service == "sesv2" {
        let domain = body["FromEmailAddress"]
            .as_str()
            .and_then(|a| a.rsplit_once('@'))
            .map(|(_, d)| d.trim_end_matches('>'));
        let identity = domain.map_or_else(|| "*".to_owned(), |d| format!("identity:{d}"));
        out.push((format!("ses:{name}"), identity));
    } else if service == "ssm" || service.starts_with("amazonssm") {
        let parameter = body["Name"]
            .as_str()
            .map_or_else(|| "*".to_owned(), |n| format!("parameter:{n}"));
        out.push((format!("ssm:{name}"), parameter));
    } else {
        out.push((format!("{service}:{name}"), "*".into()));
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::{Call, needs};
    use serde_json::{Value, json};

    fn of(operation: &str, uri: &str, body: Option<&Value>) -> Vec<(String, String)> {
        needs(&Call {
            operation,
            uri,
            copy_source: None,
            body,
        })
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, r)| ((*a).to_owned(), (*r).to_owned()))
            .collect()
    }

    #[test]
    fn calls_are_named_by_the_actions_and_resources_iam_checks() {
        let tx = json!({"TransactItems": [
            {"Put": {"TableName": "main"}}, {"Update": {"TableName": "ops"}},
            {"ConditionCheck": {"TableName": "main"}}, {"Put": {"TableName": "main"}}
        ]});
        assert_eq!(
            of("DynamoDB_20120810.TransactWriteItems", "", Some(&tx)),
            pairs(&[
                ("dynamodb:ConditionCheckItem", "table:main"),
                ("dynamodb:PutItem", "table:main"),
                ("dynamodb:UpdateItem", "table:ops"),
            ])
        );
        let query = json!({"TableName": "main", "IndexName": "queue"});
        assert_eq!(
            of("DynamoDB_20120810.Query", "", Some(&query)),
            pairs(&[("dynamodb:Query", "table:main/index/queue")])
        );
        let batch = json!({"RequestItems": {"main": {}}});
        assert_eq!(
            of("DynamoDB_20120810.BatchGetItem", "", Some(&batch)),
            pairs(&[("dynamodb:BatchGetItem", "table:main")])
        );
        let send = json!({"QueueUrl": "http://127.0.0.1:5050/123456789012/helpdesk-outbound"});
        assert_eq!(
            of("AmazonSQS.SendMessageBatch", "", Some(&send)),
            pairs(&[("sqs:SendMessage", "queue:helpdesk-outbound")])
        );
        assert_eq!(
            needs(&Call {
                operation: "S3.CopyObject",
                uri: "http://127.0.0.1:5050/att/mail/x.pdf?x-id=CopyObject",
                copy_source: Some("att/uploads/x.pdf"),
                body: None,
            }),
            pairs(&[
                ("s3:GetObject", "bucket:att/uploads/x.pdf"),
                ("s3:PutObject", "bucket:att/mail/x.pdf"),
            ])
        );
        assert_eq!(
            of("S3.HeadBucket", "http://127.0.0.1:5050/raw/", None),
            pairs(&[("s3:ListBucket", "bucket:raw")])
        );
        let mail = json!({"FromEmailAddress": "Shop <support@helpdesk.test>"});
        assert_eq!(
            of("SESv2.SendEmail", "", Some(&mail)),
            pairs(&[("ses:SendEmail", "identity:helpdesk.test")])
        );
        let parameter = json!({"Name": "/helpdesk/prod/reply-keys"});
        assert_eq!(
            of("AmazonSSM.GetParameter", "", Some(&parameter)),
            pairs(&[("ssm:GetParameter", "parameter:/helpdesk/prod/reply-keys")])
        );
    }
}
