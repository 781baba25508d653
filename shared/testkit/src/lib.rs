//! Dev-only helpers: in-memory fakes of the ports, a settable clock, sequential ids,
//! sample data, the loader for `events/*.json`, the store contract suite, and
//! per-test resources on the local AWS stack.

pub mod burst;
pub mod calls;
pub mod contract;
pub mod emulators;
pub mod events;
pub mod fakes;
pub mod fault_proxy;
pub mod fixtures;
pub mod iam;
pub mod local;
pub mod mail_harness;
pub mod memory_index;
pub mod memory_store;
pub mod openapi;

pub use fakes::{
    FixedClock, InMemoryAttachments, InMemoryRawMail, RecordingMailer, RecordingQueue,
    RecordingRedelivery, SequentialIds,
};
pub use memory_index::MemoryIndex;
pub use memory_store::InMemoryStore;

#[cfg(test)]
mod tests {
    async fn memory_stores() -> crate::contract::Stores {
        let store = std::sync::Arc::new(crate::InMemoryStore::default());
        crate::contract::Stores {
            tickets: store.clone(),
            mail: store.clone(),
            catalog: store.clone(),
            erasure: store.clone(),
            audit: store,
        }
    }

    crate::store_contract!(memory_stores);

    mod memory_index {
        async fn memory_index() -> std::sync::Arc<dyn helpdesk_domain::ports::WordIndex> {
            std::sync::Arc::new(crate::MemoryIndex::default())
        }

        crate::index_contract!(memory_index);
    }
}
