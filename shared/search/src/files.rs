//! Where the index's files are kept between functions: an object store (S3 on
//! AWS) holding each file under a key that is never written twice, and a
//! manifest naming the files of the latest commit, replaced only by a
//! compare-and-swap on its generation (a DynamoDB conditional write on AWS).
//! Two writers can never both make commit N+1: the second is told, and
//! starts again from commit N+1.

use async_trait::async_trait;
use helpdesk_domain::ports::store::StoreError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

#[async_trait]
pub trait IndexFiles: Send + Sync {
    /// The file's bytes, or `None` when there is no such file.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError>;
    /// `size` bytes of the file from `offset` (one file of a pack, read alone:
    /// a reader never holds a whole pack in memory), or `None` when there is
    /// no such file.
    async fn get_range(
        &self,
        key: &str,
        offset: u64,
        size: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(bytes) = self.get(key).await? else {
            return Ok(None);
        };
        let slice = usize::try_from(offset)
            .ok()
            .zip(usize::try_from(size).ok())
            .and_then(|(start, len)| bytes.get(start..start.checked_add(len)?));
        Ok(slice.map(<[u8]>::to_vec))
    }
    /// Every stored key.
    async fn list(&self) -> Result<Vec<String>, StoreError>;
    /// Deletes a stored file (a key with nothing under it is not an error).
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// The latest commit, if there is one.
    async fn manifest(&self) -> Result<Option<Manifest>, StoreError>;
    /// Stores `next` if the latest commit is still `expected` (0: none yet);
    /// `false` when another writer got there first.
    async fn swap_manifest(&self, expected: u64, next: &Manifest) -> Result<bool, StoreError>;
}

/// One file of a commit: the pack it is stored in (each commit stores the
/// files it adds as one object: one request, however many files), where in
/// the pack, and how long it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    pub key: String,
    #[serde(default)]
    pub offset: u64,
    pub size: u64,
}

/// A commit: its number and its files (name in the index directory → where
/// it is stored).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub generation: u64,
    pub files: BTreeMap<String, StoredFile>,
    /// The stored packs of this commit or an earlier one that it does not
    /// name are still to be deleted: a merge left removed words out of the
    /// index, and those packs may hold them. Set by the commit that merged,
    /// carried by every later one until a writer has deleted them, so a
    /// writer that dies before it does leaves the work to the next.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forget: bool,
}

/// Files and manifest in memory: the tests' object store.
#[derive(Default)]
pub struct MemoryFiles {
    files: Mutex<HashMap<String, Vec<u8>>>,
    manifest: Mutex<Option<Manifest>>,
    puts: std::sync::atomic::AtomicUsize,
}

impl MemoryFiles {
    /// Every stored file's bytes (a test looks for what must be gone).
    pub fn contents(&self) -> Vec<(String, Vec<u8>)> {
        self.files
            .lock()
            .map(|f| f.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }

    /// How many stored files hold `bytes` (a test looks for words that must
    /// be gone).
    pub fn holding(&self, bytes: &[u8]) -> usize {
        (self.contents().into_iter())
            .filter(|(_, stored)| stored.windows(bytes.len()).any(|w| w == bytes))
            .count()
    }

    /// How many files were written so far.
    pub fn puts(&self) -> usize {
        self.puts.load(std::sync::atomic::Ordering::SeqCst)
    }
}

fn poisoned<T>(_: T) -> StoreError {
    StoreError::Unavailable("poisoned".into())
}

#[async_trait]
impl IndexFiles for MemoryFiles {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.files.lock().map_err(poisoned)?.get(key).cloned())
    }

    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.files
            .lock()
            .map_err(poisoned)?
            .insert(key.to_owned(), bytes);
        self.puts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    async fn list(&self) -> Result<Vec<String>, StoreError> {
        let mut keys: Vec<String> = self
            .files
            .lock()
            .map_err(poisoned)?
            .keys()
            .cloned()
            .collect();
        keys.sort();
        Ok(keys)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.files.lock().map_err(poisoned)?.remove(key);
        Ok(())
    }

    async fn manifest(&self) -> Result<Option<Manifest>, StoreError> {
        Ok(self.manifest.lock().map_err(poisoned)?.clone())
    }

    async fn swap_manifest(&self, expected: u64, next: &Manifest) -> Result<bool, StoreError> {
        let mut stored = self.manifest.lock().map_err(poisoned)?;
        if stored.as_ref().map_or(0, |m| m.generation) != expected {
            return Ok(false);
        }
        *stored = Some(next.clone());
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::Manifest;

    #[test]
    fn forget_is_stored_only_when_set_and_a_manifest_without_it_reads() {
        let old: Manifest = serde_json::from_str(r#"{"generation":7,"files":{}}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!old.forget);
        let text = serde_json::to_string(&old).unwrap_or_default();
        assert!(!text.contains("forget"), "{text}");
        let set = Manifest {
            forget: true,
            ..old
        };
        let text = serde_json::to_string(&set).unwrap_or_default();
        let back: Manifest = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, set);
    }
}
