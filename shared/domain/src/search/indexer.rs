//! Keeps the word index in step with the tickets. It is told which tickets
//! changed (from the table's change stream, at least once and in no particular
//! order) and indexes each again from what is stored now: a ticket indexed
//! twice, or late, ends the same. A ticket no longer stored, or erased, leaves
//! the index.

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

/// Indexes `changed` again. A failure to reach the store or the index fails
/// the whole batch, which is then retried: nothing is skipped. A ticket that
/// does not read (corrupt) leaves the index alone, so it cannot hold up the rest.
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
            // An erased customer's ticket leaves the index: removing it rewrites
            // the index without its words (see the index's `put`).
            Ok(thread) if thread.ticket.erased_at.is_some() => gone.push(reference.clone()),
            Ok(thread) => docs.push(SearchDoc::of(&thread)),
            Err(StoreError::NotFound) => gone.push(reference.clone()),
            // A ticket that does not read is left out of the index (and said):
            // handing the batch back would stop every other ticket behind it
            // until the stream gives up on it. Its next change indexes it again.
            Err(StoreError::Corrupt(why)) => {
                tracing::error!(ticket = %reference, why, "a ticket that does not read left out of the index");
                gone.push(reference.clone());
            }
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

/// Tickets indexed per batch in a rebuild.
pub const REBUILD_BATCH: usize = 200;

/// Indexes every stored ticket again (`make reindex`, or after a change of the
/// index's schema): page by page, a batch at a time, each batch a commit.
/// Tickets changed meanwhile are indexed again by the indexer as usual.
pub async fn rebuild<S, I>(
    store: &S,
    index: &I,
    mut progress: impl FnMut(Indexed),
) -> Result<Indexed, StoreError>
where
    S: TicketRecords + ?Sized,
    I: WordIndex + ?Sized,
{
    let mut total = Indexed::default();
    let mut batch = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next) = store.all_tickets(cursor).await?;
        batch.extend(page);
        if batch.len() >= REBUILD_BATCH || (next.is_none() && !batch.is_empty()) {
            let done = index_changed(store, index, &batch).await?;
            total.indexed += done.indexed;
            total.removed += done.removed;
            batch.clear();
            progress(total);
        }
        match next {
            Some(n) => cursor = Some(n),
            None => return Ok(total),
        }
    }
}
