//! Counts the AWS calls a piece of code makes, as they go on the wire: an SDK
//! interceptor that records each attempt's operation, and for DynamoDB what it
//! costs. Used to hold the round-trip budgets of BENCHMARKS.md (tests) and to
//! measure them (`make bench`).
//!
//! Put it on every client with `Aws::intercepted(log.shared())`, so a function's
//! own `Deps::connect` builds counted clients.

use aws_sdk_dynamodb::config::interceptors::{
    AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextMut,
    BeforeTransmitInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents, SharedInterceptor};
use aws_sdk_dynamodb::error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_types::body::SdkBody;
use serde_json::Value;
use std::sync::{Arc, Mutex, PoisonError};

/// One attempt on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// `DynamoDB_20120810.TransactWriteItems`, `AmazonSQS.SendMessage` (the
    /// `x-amz-target` of JSON protocols), else `S3.GetObject`, `SESv2.SendEmail`.
    pub operation: String,
    /// Bytes of the request body.
    pub request_bytes: usize,
    /// DynamoDB only: the items a write puts, sized by DynamoDB's rules.
    pub item_bytes: usize,
    /// DynamoDB only: the items a write touches (puts, updates, deletes, checks).
    pub write_items: usize,
    /// DynamoDB only: read or write capacity units the table reported.
    pub capacity_units: f64,
    /// DynamoDB only: write units the secondary indexes would take on AWS, which
    /// DynamoDB Local leaves out of `capacity_units` (see [`index_write_units`]).
    pub index_units: f64,
}

impl Call {
    /// The operation without its service: `TransactWriteItems`.
    pub fn short(&self) -> &str {
        self.operation.rsplit('.').next().unwrap_or(&self.operation)
    }
}

#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<Vec<Call>>>);

impl CallLog {
    /// Operations since the last `take`, e.g. `DynamoDB_20120810.TransactWriteItems`.
    pub fn take(&self) -> Vec<String> {
        self.take_calls().into_iter().map(|c| c.operation).collect()
    }

    /// Calls since the last `take`, with their sizes and costs.
    pub fn take_calls(&self) -> Vec<Call> {
        std::mem::take(&mut *self.lock())
    }

    /// This log as an interceptor for any client's config.
    pub fn shared(&self) -> SharedInterceptor {
        SharedInterceptor::new(self.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Call>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What the interceptor notes about an attempt between its hooks.
#[derive(Debug, Clone)]
struct Pending(usize);

impl aws_smithy_types::config_bag::Storable for Pending {
    type Storer = aws_smithy_types::config_bag::StoreReplace<Self>;
}

/// The operation a request is for: its `x-amz-target` (JSON protocols), else
/// the SDK's own service and operation names.
pub(crate) fn operation(target: Option<&str>, cfg: &ConfigBag) -> String {
    if let Some(t) = target {
        return t.to_owned();
    }
    match cfg.load::<Metadata>() {
        Some(m) => format!("{}.{}", m.service(), m.name()),
        None => "(unknown)".to_owned(),
    }
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "CallLog"
    }

    /// DynamoDB requests ask for their consumed capacity (before signing, so the
    /// signature covers the body that is sent).
    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let is_dynamodb = request
            .headers()
            .get("x-amz-target")
            .is_some_and(|t| t.starts_with("DynamoDB_"));
        if !is_dynamodb {
            return Ok(());
        }
        let Some(Ok(Value::Object(mut body))) =
            request.body().bytes().map(serde_json::from_slice::<Value>)
        else {
            return Ok(());
        };
        body.entry("ReturnConsumedCapacity")
            .or_insert_with(|| Value::from("TOTAL"));
        let bytes = serde_json::to_vec(&body)?;
        request
            .headers_mut()
            .insert("content-length", bytes.len().to_string());
        *request.body_mut() = SdkBody::from(bytes);
        Ok(())
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        let body = request.body().bytes();
        let json = body.and_then(|b| serde_json::from_slice::<Value>(b).ok());
        let item_bytes = json.as_ref().map_or(0, put_item_bytes);
        let write_items = json.as_ref().map_or(0, written_items);
        let index_units = json.as_ref().map_or(0.0, index_write_units);
        cfg.interceptor_state()
            .store_put(Pending(self.lock().len()));
        self.lock().push(Call {
            operation: operation(request.headers().get("x-amz-target"), cfg),
            request_bytes: body.map_or(0, <[u8]>::len),
            item_bytes,
            write_items,
            capacity_units: 0.0,
            index_units,
        });
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(Pending(index)) = cfg.load::<Pending>().cloned() else {
            return Ok(());
        };
        let units = context
            .response()
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice::<Value>(b).ok())
            .map_or(0.0, |v| consumed_units(&v["ConsumedCapacity"]));
        if let Some(call) = self.lock().get_mut(index) {
            call.capacity_units = units;
        }
        Ok(())
    }
}

/// `ConsumedCapacity` is one object (reads, single writes) or a list (transactions,
/// batches).
fn consumed_units(v: &Value) -> f64 {
    match v {
        Value::Array(all) => all.iter().map(consumed_units).sum(),
        Value::Object(o) => o
            .get("CapacityUnits")
            .and_then(Value::as_f64)
            .unwrap_or(0.0),
        _ => 0.0,
    }
}

/// The size of every item a write request puts (`PutItem`, the `Put`s of
/// `TransactWriteItems`, the `PutRequest`s of `BatchWriteItem`). Updates are left
/// out: their item is not in the request; the capacity units count them.
fn put_item_bytes(request: &Value) -> usize {
    let mut total = 0;
    if let Some(item) = request.get("Item") {
        total += item_size(item);
    }
    for t in request["TransactItems"].as_array().into_iter().flatten() {
        total += t["Put"].get("Item").map_or(0, item_size);
    }
    for writes in request["RequestItems"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
    {
        for w in writes.as_array().into_iter().flatten() {
            total += w["PutRequest"].get("Item").map_or(0, item_size);
        }
    }
    total
}

/// The main table's indexes as infra/resources.json declares them: the key
/// attribute that puts an item in the index, and whether the index holds the
/// whole item (or only its keys).
fn indexes() -> &'static [(String, bool)] {
    static INDEXES: std::sync::OnceLock<Vec<(String, bool)>> = std::sync::OnceLock::new();
    INDEXES.get_or_init(|| {
        crate::local::resources().tables["main"]
            .indexes
            .iter()
            .map(|i| {
                let pk = i.key.first().cloned().unwrap_or_default();
                (pk, i.projection.as_deref() != Some("keys_only"))
            })
            .collect()
    })
}

/// Write units the indexes take for a write request, by DynamoDB's rules for
/// secondary indexes (one unit per KB of the projected entry, never doubled for
/// transactions): every index entry a `Put` creates, plus one unit per index for
/// the old entry when the put replaces an item (its condition names the item
/// existing or its version: counted as if every key moved, an upper bound); an
/// update that sets an index key is counted as one 1 KB entry written and one
/// deleted, one that removes it as one deleted.
pub fn index_write_units(request: &Value) -> f64 {
    let mut puts: Vec<(&Value, bool)> = Vec::new();
    let mut updates: Vec<&Value> = Vec::new();
    let replaces = |w: &Value| {
        w["ConditionExpression"]
            .as_str()
            .is_some_and(|c| c.contains("attribute_exists(pk)") || c.contains("version ="))
    };
    if let Some(item) = request.get("Item") {
        puts.push((item, replaces(request)));
    }
    if request.get("UpdateExpression").is_some() {
        updates.push(request);
    }
    for t in request["TransactItems"].as_array().into_iter().flatten() {
        if let Some(item) = t["Put"].get("Item") {
            puts.push((item, replaces(&t["Put"])));
        }
        if t["Update"].get("UpdateExpression").is_some() {
            updates.push(&t["Update"]);
        }
    }
    for writes in request["RequestItems"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
    {
        for w in writes.as_array().into_iter().flatten() {
            if let Some(item) = w["PutRequest"].get("Item") {
                puts.push((item, false));
            }
        }
    }
    let mut units = 0.0;
    for (item, replacing) in puts {
        let size = item_size(item);
        for (key, whole) in indexes() {
            if item.get(key).is_some() {
                let entry = if *whole { size } else { 100 };
                units += entry.div_ceil(1024).max(1) as f64;
                if replacing {
                    units += 1.0;
                }
            }
        }
    }
    for update in updates {
        let (set, removed) = index_keys_touched(update);
        units += if set {
            2.0
        } else if removed {
            1.0
        } else {
            0.0
        };
    }
    units
}

/// Whether an update sets an index key attribute (the entry moves: one written,
/// one deleted) or only removes one (the entry is deleted).
fn index_keys_touched(update: &Value) -> (bool, bool) {
    let expression = update["UpdateExpression"].as_str().unwrap_or_default();
    let names = update["ExpressionAttributeNames"].as_object();
    let is_index_key = |token: &str| {
        let name = names
            .and_then(|n| n.get(token))
            .and_then(Value::as_str)
            .unwrap_or(token);
        indexes().iter().any(|(pk, _)| {
            let base = pk.trim_end_matches("pk");
            name == pk || name == format!("{base}sk")
        })
    };
    let (mut set, mut removed) = (false, false);
    let mut clause = "";
    for token in expression.split(|c: char| c == ',' || c == '=' || c.is_whitespace()) {
        match token {
            "SET" | "REMOVE" | "ADD" | "DELETE" => clause = token,
            t if is_index_key(t) => match clause {
                "SET" => set = true,
                "REMOVE" => removed = true,
                _ => {}
            },
            _ => {}
        }
    }
    (set, removed)
}

/// How many items a write request touches.
fn written_items(request: &Value) -> usize {
    let single =
        usize::from(request.get("Item").is_some() || request.get("UpdateExpression").is_some());
    let transact = request["TransactItems"].as_array().map_or(0, Vec::len);
    let batch: usize = request["RequestItems"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(Value::as_array)
        .filter(|w| {
            w.iter()
                .any(|x| x.get("PutRequest").or(x.get("DeleteRequest")).is_some())
        })
        .map(Vec::len)
        .sum();
    single + transact + batch
}

/// An item's size as DynamoDB counts it: each attribute's name plus its value.
fn item_size(item: &Value) -> usize {
    item.as_object().map_or(0, |attrs| {
        attrs
            .iter()
            .map(|(name, v)| name.len() + value_size(v))
            .sum()
    })
}

/// A typed attribute value (`{"S": "…"}`) by DynamoDB's sizing rules: strings and
/// binaries by their bytes, numbers by about one byte per two digits plus one,
/// maps and lists 3 bytes plus one per element plus their contents.
fn value_size(v: &Value) -> usize {
    let Some((kind, inner)) = v.as_object().and_then(|o| o.iter().next()) else {
        return 0;
    };
    let text = |x: &Value| x.as_str().map_or(0, str::len);
    match kind.as_str() {
        "S" => text(inner),
        "B" => text(inner) * 3 / 4,
        "N" => text(inner).div_ceil(2) + 1,
        "BOOL" | "NULL" => 1,
        "SS" | "NS" | "BS" => inner.as_array().map_or(0, |a| a.iter().map(text).sum()),
        "L" => {
            let items = inner.as_array().map_or(&[][..], Vec::as_slice);
            3 + items.len() + items.iter().map(value_size).sum::<usize>()
        }
        "M" => {
            let attrs = inner.as_object();
            3 + attrs.map_or(0, |m| m.len()) + item_size(inner)
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn items_are_sized_by_dynamodbs_rules() {
        let item = json!({
            "pk": {"S": "T#ABC"},
            "n": {"N": "12345"},
            "ok": {"BOOL": true},
            "tags": {"L": [{"S": "ab"}, {"S": "c"}]},
            "m": {"M": {"k": {"S": "vv"}}}
        });
        // pk 2+5, n 1+4, ok 2+1, tags 4+(3+2+3), m 1+(3+1+3)
        assert_eq!(item_size(&item), 7 + 5 + 3 + 12 + 8);
        let request = json!({"TransactItems": [
            {"Put": {"Item": item.clone()}},
            {"Update": {"Key": {"pk": {"S": "x"}}}},
            {"Put": {"Item": {"a": {"S": "b"}}}}
        ]});
        assert_eq!(put_item_bytes(&request), 35 + 2);
        assert_eq!(written_items(&request), 3);
        assert_eq!(written_items(&json!({"Item": {}})), 1);
        let reads = json!({"RequestItems": {"t": {"Keys": [{}, {}]}}});
        assert_eq!(written_items(&reads), 0);
    }

    #[test]
    fn index_entries_are_counted_per_index_the_item_is_in() {
        // A new item in two whole-item indexes (2.5 KB: 3 units each) and the
        // keys-only one (1 unit).
        let body = "x".repeat(2_500);
        let item = json!({
            "pk": {"S": "T#1"}, "sk": {"S": "T"}, "body": {"S": body},
            "gsi1pk": {"S": "Q"}, "gsi3pk": {"S": "R"}, "gsi5pk": {"S": "W"}
        });
        let new = json!({"TransactItems": [{"Put": {"Item": item.clone(),
            "ConditionExpression": "attribute_not_exists(pk)"}}]});
        assert!((index_write_units(&new) - 7.0).abs() < 1e-9);
        // Replacing it also deletes the old entries (one unit each).
        let replace = json!({"Item": item, "ConditionExpression": "attribute_exists(pk) AND version = :read"});
        assert!((index_write_units(&replace) - 10.0).abs() < 1e-9);
        // An item in no index costs the indexes nothing.
        let plain = json!({"Item": {"pk": {"S": "C"}, "sk": {"S": "1"}}});
        assert!(index_write_units(&plain).abs() < 1e-9);
        let names = json!({"#upk": "gsi6pk", "#usk": "gsi6sk", "#st": "state"});
        let moved = json!({"UpdateExpression": "SET #st = :s, #usk = :sk",
            "ExpressionAttributeNames": names});
        assert!((index_write_units(&moved) - 2.0).abs() < 1e-9);
        let removed = json!({"UpdateExpression": "SET #st = :to REMOVE lease_until, #upk, #usk",
            "ExpressionAttributeNames": names});
        assert!((index_write_units(&removed) - 1.0).abs() < 1e-9);
        let other = json!({"UpdateExpression": "SET #st = :to ADD attempts :one",
            "ExpressionAttributeNames": names});
        assert!(index_write_units(&other).abs() < 1e-9);
    }

    #[test]
    fn consumed_capacity_is_summed_over_tables() {
        let one = json!({"TableName": "t", "CapacityUnits": 1.5});
        assert!((consumed_units(&one) - 1.5).abs() < 1e-9);
        let many = json!([{"CapacityUnits": 4.0}, {"CapacityUnits": 2.0}]);
        assert!((consumed_units(&many) - 6.0).abs() < 1e-9);
        assert!(consumed_units(&Value::Null).abs() < 1e-9);
    }
}
