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
