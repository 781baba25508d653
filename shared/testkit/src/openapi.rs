//! Holds a function's committed OpenAPI document to the one its types generate,
//! and its operations to its routes (both APIs use these in their own tests).

/// Fails when the committed file at `committed` differs from `fresh`;
/// `HELPDESK_WRITE_OPENAPI=1` rewrites it instead (`make openapi` does).
pub fn assert_committed_is_current(committed: &str, fresh: &str) {
    if std::env::var_os("HELPDESK_WRITE_OPENAPI").is_some() {
        std::fs::write(committed, fresh).unwrap_or_else(|e| panic!("{committed}: {e}"));
    }
    let on_disk = std::fs::read_to_string(committed).unwrap_or_default();
    assert!(
        on_disk == fresh,
        "{committed} is stale: run `make openapi` and commit it (and web/console/src/api.gen.ts)"
    );
}

/// Fails unless the document's operations are exactly `routes` (method, path).
pub fn assert_operations_are(document: &str, routes: &[(&str, &str)]) {
    let doc: serde_json::Value =
        serde_json::from_str(document).unwrap_or_else(|e| panic!("the document: {e}"));
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().into_iter().flatten() {
        for method in ops.as_object().into_iter().flatten().map(|(m, _)| m) {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    documented.sort();
    let mut expected: Vec<(String, String)> = routes
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    expected.sort();
    assert_eq!(documented, expected);
}
