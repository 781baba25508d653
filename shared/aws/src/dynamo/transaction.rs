//! A `TransactWriteItems` whose writes carry what each is for (its role), so a
//! cancellation is read by role: reordering or adding a write can never change
//! which error a caller sees.

use super::items::Item;
use super::{DynamoStore, sdk_error};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::TransactWriteItem;
use helpdesk_domain::ports::store::StoreError;

pub(super) struct Transaction<R> {
    writes: Vec<TransactWriteItem>,
    roles: Vec<R>,
}

/// Why a transaction did not commit.
#[derive(Debug)]
pub(super) enum TxError<R> {
    /// At least one write's condition failed: the role of each such write, with
    /// the item it found when DynamoDB returned one (and it was not empty).
    Failed(Vec<(R, Option<Item>)>),
    /// Cancelled with no condition failed: another transaction touched one of its
    /// items at the same time (`TransactionConflict`). Carries the store error the
    /// SDK error maps to, for callers that do not treat it as a conflict.
    Conflict(StoreError),
    /// Anything else (throttling, the network, a bad request).
    Other(StoreError),
}

impl<R: PartialEq> TxError<R> {
    /// Whether a write with `role` failed its condition.
    pub(super) fn failed(&self, role: &R) -> bool {
        self.found(role).is_some()
    }

    /// The first write with `role` that failed its condition, and the item it found.
    pub(super) fn found(&self, role: &R) -> Option<&Option<Item>> {
        match self {
            TxError::Failed(failed) => failed.iter().find(|(r, _)| r == role).map(|(_, i)| i),
            _ => None,
        }
    }

    /// The roles of the writes that failed their condition.
    pub(super) fn failed_roles(&self) -> impl Iterator<Item = &R> {
        let failed: &[(R, Option<Item>)] = match self {
            TxError::Failed(failed) => failed,
            _ => &[],
        };
        failed.iter().map(|(r, _)| r)
    }
}

impl<R> Transaction<R> {
    pub(super) fn new() -> Self {
        Self {
            writes: Vec::new(),
            roles: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, role: R, write: TransactWriteItem) {
        self.writes.push(write);
        self.roles.push(role);
    }

    /// Adds each write under the role `role(k)`, k counting from 0 (e.g. which
    /// rate-limit claim a write holds).
    pub(super) fn extend_numbered(
        &mut self,
        role: impl Fn(usize) -> R,
        writes: impl IntoIterator<Item = TransactWriteItem>,
    ) {
        for (k, write) in writes.into_iter().enumerate() {
            self.push(role(k), write);
        }
    }

    /// Commits; a transaction cancelled only because another touched one of its
    /// items at the same time (it wrote nothing) is sent again, after a jittered
    /// wait that doubles, up to `CONFLICT_RETRIES` times.
    pub(super) async fn commit(self, store: &DynamoStore) -> Result<(), TxError<R>> {
        let Self { writes, roles } = self;
        let mut retries = 0;
        let e = loop {
            let Err(e) = store.transact(writes.clone()).await else {
                return Ok(());
            };
            if retries < CONFLICT_RETRIES && only_conflicts(&e) {
                retries += 1;
                store
                    .conflicts
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::info!(retries, "transaction conflict; sending it again");
                tokio::time::sleep(conflict_wait(retries, rand::random::<f64>())).await;
                continue;
            }
            break e;
        };
        let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
            e.as_service_error()
        else {
            return Err(TxError::Other(sdk_error(e)));
        };
        // DynamoDB answers one reason per write, in the order they were sent.
        let mut failed = Vec::new();
        let mut conflict = false;
        for (reason, role) in cancelled.cancellation_reasons().iter().zip(roles) {
            match reason.code() {
                Some("ConditionalCheckFailed") => {
                    let old = reason.item().filter(|i| !i.is_empty()).cloned();
                    failed.push((role, old));
                }
                Some("TransactionConflict") => conflict = true,
                _ => {}
            }
        }
        Err(if !failed.is_empty() {
            TxError::Failed(failed)
        } else if conflict {
            TxError::Conflict(sdk_error(e))
        } else {
            TxError::Other(sdk_error(e))
        })
    }
}

/// How often a transaction cancelled by conflicts alone is sent again.
const CONFLICT_RETRIES: u32 = 5;

/// The wait before the `retry`-th resend: 10 ms doubling (10, 20, 40, 80, 160),
/// spread over the upper half so conflicting writers do not meet again.
fn conflict_wait(retry: u32, spread: f64) -> std::time::Duration {
    let span = 10u64 << retry.saturating_sub(1).min(10);
    let ms = span as f64 * (0.5 + 0.5 * spread.clamp(0.0, 1.0));
    std::time::Duration::from_micros((ms * 1_000.0) as u64)
}

/// Cancelled with `TransactionConflict` and no failed condition.
fn only_conflicts(
    e: &aws_sdk_dynamodb::error::SdkError<
        TransactWriteItemsError,
        aws_sdk_dynamodb::config::http::HttpResponse,
    >,
) -> bool {
    let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        e.as_service_error()
    else {
        return false;
    };
    let codes: Vec<Option<&str>> = cancelled
        .cancellation_reasons()
        .iter()
        .map(|r| r.code())
        .collect();
    codes.contains(&Some("TransactionConflict")) && !codes.contains(&Some("ConditionalCheckFailed"))
}

impl<R> Default for Transaction<R> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_wait_longer_each_time_and_never_long() {
        let ms = |retry, spread| conflict_wait(retry, spread).as_secs_f64() * 1_000.0;
        assert_eq!(ms(1, 0.0), 5.0);
        assert_eq!(ms(1, 1.0), 10.0);
        assert_eq!(ms(5, 1.0), 160.0);
        let total: f64 = (1..=CONFLICT_RETRIES).map(|r| ms(r, 1.0)).sum();
        assert!(total <= 310.0, "{total}");
        assert!(ms(u32::MAX, 9.0) <= 10_240.0);
    }
}
