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

    pub(super) async fn commit(self, store: &DynamoStore) -> Result<(), TxError<R>> {
        let Self { writes, roles } = self;
        let Err(e) = store.transact(writes).await else {
            return Ok(());
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

impl<R> Default for Transaction<R> {
    fn default() -> Self {
        Self::new()
    }
}
