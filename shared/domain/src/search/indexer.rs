//! Keeps the word index in step with the tickets. It is told which tickets
//! changed (from the table's change stream, at least once and in no particular
//! order) and indexes each again from what is stored now: a ticket indexed
//! twice, or late, ends the same. A ticket no longer stored leaves the index.

use super::document::SearchDoc;
use crate::ports::store::StoreError;
use crate::ports::{TicketRecords, WordIndex};
use crate::values::ids::TicketRef;

/// What one batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Indexed {
    pub indexed: usize,
    pub removed: usize,
}

/// Indexes `changed` again. Any failure fails the whole batch, which is then
/// retried: nothing is skipped.
pub async fn index_changed<S, I>(
    store: &S,
    index: &I,
    changed: &[TicketRef],
) -> Result<Indexed, StoreError>
where
    S: TicketRecords + ?Sized,
    I: WordIndex + ?Sized,
{
    let mut refs: Vec<&TicketRef> = changed.iter().collect();
    refs.sort();
    refs.dedup();
    let mut docs = Vec::with_capacity(refs.len());
    let mut gone = Vec::new();
    for reference in refs {
        match store.load_ticket(reference).await {
            Ok(thread) => docs.push(SearchDoc::of(&thread)),
            Err(StoreError::NotFound) => gone.push(reference.clone()),
            Err(e) => return Err(e),
        }
    }
    if docs.is_empty() && gone.is_empty() {
        return Ok(Indexed::default());
    }
    index.put(&docs, &gone).await?;
    Ok(Indexed {
        indexed: docs.len(),
        removed: gone.len(),
    })
}
