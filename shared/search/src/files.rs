//! Where the index's files are kept between functions: an object store (S3 on
//! AWS) holding each file under its name and a manifest naming the files of
//! the latest commit. The manifest is written last, so a reader that finds it
//! finds every file it names.

use async_trait::async_trait;
use helpdesk_domain::ports::store::StoreError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

pub const MANIFEST: &str = "manifest.json";

#[async_trait]
pub trait IndexFiles: Send + Sync {
    /// The file's bytes, or `None` when there is no such file.
    async fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError>;
    async fn put(&self, name: &str, bytes: Vec<u8>) -> Result<(), StoreError>;
}

/// The latest commit: its number and its files (name → size in bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub generation: u64,
    pub files: BTreeMap<String, u64>,
}

impl Manifest {
    pub async fn read(files: &dyn IndexFiles) -> Result<Option<Manifest>, StoreError> {
        match files.get(MANIFEST).await? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| StoreError::Corrupt(format!("search index manifest: {e}"))),
        }
    }
}

/// Files in memory: the tests' object store.
#[derive(Default)]
pub struct MemoryFiles {
    files: Mutex<HashMap<String, Vec<u8>>>,
    puts: std::sync::atomic::AtomicUsize,
}

impl MemoryFiles {
    /// How many files were written so far.
    pub fn puts(&self) -> usize {
        self.puts.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[async_trait]
impl IndexFiles for MemoryFiles {
    async fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let files = self
            .files
            .lock()
            .map_err(|_| StoreError::Unavailable("poisoned".into()))?;
        Ok(files.get(name).cloned())
    }

    async fn put(&self, name: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        let mut files = self
            .files
            .lock()
            .map_err(|_| StoreError::Unavailable("poisoned".into()))?;
        files.insert(name.to_owned(), bytes);
        self.puts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}
