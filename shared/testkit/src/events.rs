//! Loads the sample events under `events/`, the same files `cargo lambda invoke
//! --data-file` uses.

use serde::de::DeserializeOwned;
use std::path::PathBuf;

pub fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events")
}

/// The raw JSON text of `events/<name>`.
pub fn event_text(name: &str) -> String {
    let path = events_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// `events/<name>` parsed as `T`.
pub fn load_event<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&event_text(name)).unwrap_or_else(|e| panic!("parsing events/{name}: {e}"))
}

/// An API Gateway event's `queryStringParameters` for a query string.
pub fn query_parameters(query: &str) -> serde_json::Value {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query).unwrap_or_else(|e| panic!("query string {query:?}: {e}"));
    serde_json::Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect(),
    )
}

/// An agent-api request as API Gateway passes it after checking `user`'s token
/// (`group`: agents, supervisors or admins); `path` may carry a query string.
pub fn agent_request(
    user: &str,
    group: &str,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> String {
    use serde_json::json;
    let mut event: serde_json::Value =
        serde_json::from_str(&event_text("agent-api.apigw.tickets.json"))
            .unwrap_or_else(|e| panic!("parsing the agent event: {e}"));
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    event["rawPath"] = json!(path);
    event["rawQueryString"] = json!(query);
    event["requestContext"]["http"]["path"] = json!(path);
    event["requestContext"]["http"]["method"] = json!(method);
    event["queryStringParameters"] = query_parameters(query);
    let claims = &mut event["requestContext"]["authorizer"]["jwt"]["claims"];
    claims["username"] = json!(user);
    claims["cognito:groups"] = json!(format!("[{group}]"));
    if let Some(b) = body {
        event["body"] = json!(b.to_string());
    }
    event.to_string()
}

/// Hands an API Gateway event to a function's router, as lambda_http does; the
/// status and the JSON body (`Null` when the body is not JSON).
pub async fn invoke(router: axum::Router, event_json: &str) -> (u16, serde_json::Value) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request =
        lambda_http::request::from_str(event_json).unwrap_or_else(|e| panic!("event: {e}"));
    let response = router
        .oneshot(request)
        .await
        .unwrap_or_else(|never| match never {});
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

/// An SES event sample (`events/send-reply.sqs.ses-*.json`) as the outbound queue
/// hands it over, about the mail SES knows as `ses_id` (and, for a send event,
/// tagged with the outbox item `outbox`).
pub fn ses_event(
    name: &str,
    ses_id: &str,
    outbox: &str,
) -> aws_lambda_events::event::sqs::SqsEvent {
    let mut event: aws_lambda_events::event::sqs::SqsEvent = load_event(name);
    for record in &mut event.records {
        record.body = record.body.take().map(|b| {
            b.replace("SES-MESSAGE-ID", ses_id)
                .replace("OUTBOX-ID", outbox)
        });
    }
    event
}
