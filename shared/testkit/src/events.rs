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
