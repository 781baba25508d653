//! The index shared between functions through [`IndexFiles`]. The indexer
//! writes: after each commit it uploads the files it has not uploaded before
//! (segment files never change once written; `meta.json` and `.managed.json`
//! do) as one pack under a key of its own (the commit's number and the
//! writer's nonce), and then swaps the manifest from its commit to the next. The agent API reads: before a search,
//! at most once per `check_every`, it reads the manifest and, when there is a
//! newer commit, downloads the files it lacks, `meta.json` last, and reloads.
//!
//! A writer that finds a commit it did not make (another writer, a rebuild)
//! takes that commit first and writes its batch on it; a writer that loses the
//! swap does the same. Every document is a ticket made whole from the store,
//! so the order of writers does not matter.

use crate::files::{IndexFiles, Manifest, StoredFile};
use crate::{TantivyIndex, unavailable};
use async_trait::async_trait;
use helpdesk_domain::ports::WordIndex;
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::search::find::IndexPage;
use helpdesk_domain::search::{SearchDoc, WordQuery};
use helpdesk_domain::{CategoryId, TicketRef};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Files that change with each commit; every other file is written once.
const CHANGING: [&str; 2] = ["meta.json", ".managed.json"];

fn is_lock(name: &str) -> bool {
    name.ends_with(".lock") || name.ends_with(".part")
}

pub struct SyncedIndex {
    /// Each copy of the index gets a directory of its own under here: an
    /// index given up (for a commit made elsewhere) may still be finishing
    /// with its files.
    root: PathBuf,
    copies: std::sync::atomic::AtomicU64,
    /// Part of every key this writer stores: two writers that both make
    /// commit N+1 (one of them then loses the swap) never write one key.
    nonce: u64,
    files: Arc<dyn IndexFiles>,
    writes: bool,
    check_every: Duration,
    state: tokio::sync::Mutex<State>,
}

struct State {
    /// The copy in `dir`, opened.
    local: TantivyIndex,
    dir: PathBuf,
    /// What the local directory holds, as of the last sync.
    manifest: Manifest,
    checked: Option<Instant>,
}

/// How often a writer takes a commit made elsewhere and tries again.
const WRITE_ATTEMPTS: usize = 5;

impl SyncedIndex {
    /// The indexer's side: fills `dir` with the latest commit and writes on it.
    pub async fn writer(dir: &Path, files: Arc<dyn IndexFiles>) -> Result<Self, StoreError> {
        Self::open(dir, files, true, Duration::ZERO).await
    }

    /// The searching side: fills `dir` with the latest commit and looks for a
    /// newer one at most once per `check_every`.
    pub async fn reader(
        dir: &Path,
        files: Arc<dyn IndexFiles>,
        check_every: Duration,
    ) -> Result<Self, StoreError> {
        Self::open(dir, files, false, check_every).await
    }

    async fn open(
        dir: &Path,
        files: Arc<dyn IndexFiles>,
        writes: bool,
        check_every: Duration,
    ) -> Result<Self, StoreError> {
        // Whatever an earlier process left here may be of another commit.
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(unavailable)?;
        }
        let first = dir.join("c0");
        let (local, manifest) = fresh_copy(&first, &*files, writes).await?;
        Ok(Self {
            root: dir.to_owned(),
            copies: std::sync::atomic::AtomicU64::new(1),
            nonce: rand::random(),
            files,
            writes,
            check_every,
            state: tokio::sync::Mutex::new(State {
                local,
                dir: first,
                manifest,
                checked: Some(Instant::now()),
            }),
        })
    }

    /// The commit this side last saw.
    pub async fn generation(&self) -> u64 {
        self.state.lock().await.manifest.generation
    }

    /// Brings a reader up to the latest commit, if it has not looked lately.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let mut state = self.state.lock().await;
        if state
            .checked
            .is_some_and(|at| at.elapsed() < self.check_every)
        {
            return Ok(());
        }
        let Some(latest) = self.files.manifest().await? else {
            state.checked = Some(Instant::now());
            return Ok(());
        };
        if latest.generation != state.manifest.generation {
            download(&*self.files, &state.dir, &latest, &state.manifest).await?;
            state.local.reload()?;
            forget_others(&state.dir, &latest);
            state.manifest = latest;
        }
        state.checked = Some(Instant::now());
        Ok(())
    }

    async fn write(&self, docs: &[SearchDoc], gone: &[TicketRef]) -> Result<(), StoreError> {
        let mut state = self.state.lock().await;
        for _ in 0..WRITE_ATTEMPTS {
            let stored = self.files.manifest().await?.unwrap_or_default();
            if stored.generation != state.manifest.generation {
                // Someone else committed (a rebuild, another writer): start from
                // their commit. Writing the tickets again on it is harmless.
                let n = self
                    .copies
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let dir = self.root.join(format!("c{n}"));
                let (local, manifest) = fresh_copy(&dir, &*self.files, true).await?;
                // The copy given up goes; its writer may still touch its own files.
                let old = std::mem::replace(&mut state.dir, dir);
                state.local = local;
                state.manifest = manifest;
                let _ = std::fs::remove_dir_all(old);
            }
            let (local, d, g) = (state.local.clone(), docs.to_vec(), gone.to_vec());
            let expunged = tokio::task::spawn_blocking(move || local.put_now(&d, &g))
                .await
                .map_err(unavailable)??;
            let generation = state.manifest.generation + 1;
            let mut next = Manifest {
                generation,
                files: BTreeMap::new(),
                forget: expunged || state.manifest.forget,
            };
            // The commit's new files, packed into one object stored under the
            // commit's number and this writer's nonce: a stored key is never
            // written twice, even by two writers racing for one commit (a
            // `.del` file's name can repeat).
            let key = format!("{generation}-{:016x}.pack", self.nonce);
            let mut pack = Vec::new();
            for (name, size) in listing(&state.dir)? {
                let changing = CHANGING.contains(&name.as_str());
                let file = match state.manifest.files.get(&name) {
                    Some(known) if !changing && known.size == size => known.clone(),
                    _ => {
                        let bytes = tokio::fs::read(state.dir.join(&name))
                            .await
                            .map_err(unavailable)?;
                        let file = StoredFile {
                            key: key.clone(),
                            offset: pack.len() as u64,
                            size: bytes.len() as u64,
                        };
                        pack.extend_from_slice(&bytes);
                        file
                    }
                };
                next.files.insert(name, file);
            }
            self.files.put(&key, pack).await?;
            if self
                .files
                .swap_manifest(state.manifest.generation, &next)
                .await?
            {
                state.manifest = next;
                if state.manifest.forget {
                    // The batch is in: a deletion that fails is left to the
                    // next commit (it carries `forget`), never the batch's.
                    match self.forget_old_packs(&state.manifest).await {
                        // Done: this writer's next commit need not say it again.
                        Ok(()) => state.manifest.forget = false,
                        Err(e) => {
                            tracing::warn!(error = %e, "older index packs left for the next commit")
                        }
                    }
                }
                return Ok(());
            }
            // Lost the race: the pack is no commit's (and may hold words a
            // merge just left out), and the next round takes the winner's.
            if let Err(e) = self.files.delete(&key).await {
                tracing::warn!(error = %e, key, "a pack of a lost commit left in the bucket");
            }
            state.manifest.generation = u64::MAX;
        }
        Err(StoreError::Unavailable(
            "search index: other writers kept committing first; the batch comes again".into(),
        ))
    }
}

impl SyncedIndex {
    /// Deletes every stored pack `latest` does not name, of its commit or an
    /// earlier one: after removed tickets were merged out, the older packs are
    /// the only place their words are left. A pack of a later commit is
    /// another writer's, on its way into the manifest, and stays. A reader
    /// still downloading an older commit fails that once and takes the
    /// latest at its next look.
    async fn forget_old_packs(&self, latest: &Manifest) -> Result<(), StoreError> {
        let named: std::collections::BTreeSet<&str> =
            latest.files.values().map(|f| f.key.as_str()).collect();
        for key in self.files.list().await? {
            let commit = key.split_once('-').and_then(|(g, _)| g.parse::<u64>().ok());
            if commit.is_some_and(|g| g <= latest.generation) && !named.contains(key.as_str()) {
                self.files.delete(&key).await?;
            }
        }
        Ok(())
    }
}

/// Fills the new directory `dir` with the latest commit (or makes an empty index).
async fn fresh_copy(
    dir: &Path,
    files: &dyn IndexFiles,
    writes: bool,
) -> Result<(TantivyIndex, Manifest), StoreError> {
    std::fs::create_dir_all(dir).map_err(unavailable)?;
    let manifest = files.manifest().await?.unwrap_or_default();
    download(files, dir, &manifest, &Manifest::default()).await?;
    let local = if writes {
        TantivyIndex::open(dir)?
    } else {
        TantivyIndex::open_to_read(dir)?
    };
    Ok((local, manifest))
}

/// The index's files in `dir`, with their sizes.
fn listing(dir: &Path) -> Result<Vec<(String, u64)>, StoreError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unavailable)? {
        let entry = entry.map_err(unavailable)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_lock(&name) {
            continue;
        }
        let size = entry.metadata().map_err(unavailable)?.len();
        out.push((name, size));
    }
    Ok(out)
}

/// Downloads what `latest` names and `have` does not (by stored key), each
/// written whole before it is renamed into place, `meta.json` last: until
/// then the directory still opens as the older commit.
async fn download(
    files: &dyn IndexFiles,
    dir: &Path,
    latest: &Manifest,
    have: &Manifest,
) -> Result<(), StoreError> {
    let mut wanted: Vec<(&String, &StoredFile)> = latest
        .files
        .iter()
        .filter(|(name, file)| have.files.get(*name) != Some(*file))
        .collect();
    wanted.sort_by_key(|(name, _)| name.as_str() == "meta.json");
    for (name, file) in wanted {
        if name.contains('/') || name.contains("..") || is_lock(name) {
            return Err(StoreError::Corrupt(format!(
                "search index file name {name:?}"
            )));
        }
        // One file at a time, read alone from its pack.
        let bytes = files
            .get_range(&file.key, file.offset, file.size)
            .await?
            .filter(|b| b.len() as u64 == file.size)
            .ok_or_else(|| {
                StoreError::Unavailable(format!(
                    "search index file {name} is not where its pack {} says",
                    file.key
                ))
            })?;
        let part = dir.join(format!("{name}.part"));
        tokio::fs::write(&part, bytes).await.map_err(unavailable)?;
        tokio::fs::rename(&part, dir.join(name))
            .await
            .map_err(unavailable)?;
    }
    Ok(())
}

/// A reader drops the files of commits it no longer searches.
fn forget_others(dir: &Path, latest: &Manifest) {
    if let Ok(names) = listing(dir) {
        for (name, _) in names {
            if !latest.files.contains_key(&name) {
                let _ = std::fs::remove_file(dir.join(name));
            }
        }
    }
}

#[async_trait]
impl WordIndex for SyncedIndex {
    async fn put(&self, docs: &[SearchDoc], gone: &[TicketRef]) -> Result<(), StoreError> {
        if !self.writes {
            return Err(unavailable("this side only searches"));
        }
        self.write(docs, gone).await
    }

    async fn find(
        &self,
        query: &WordQuery,
        scope: Option<&[CategoryId]>,
    ) -> Result<IndexPage, StoreError> {
        if !self.writes {
            self.refresh().await?;
        }
        let local = self.state.lock().await.local.clone();
        local.find(query, scope).await
    }

    async fn count(
        &self,
        query: &WordQuery,
        scope: Option<&[CategoryId]>,
    ) -> Result<u64, StoreError> {
        if !self.writes {
            self.refresh().await?;
        }
        let local = self.state.lock().await.local.clone();
        local.count(query, scope).await
    }
}

/// A [`SyncedIndex`] opened on first use: functions connect without waiting
/// for S3, and a search or a batch that finds S3 down fails alone and is
/// retried, instead of the function failing to start.
pub struct LazySynced {
    cell: tokio::sync::OnceCell<SyncedIndex>,
    dir: PathBuf,
    files: Arc<dyn IndexFiles>,
    writes: bool,
    check_every: Duration,
}

impl LazySynced {
    pub fn writer(dir: PathBuf, files: Arc<dyn IndexFiles>) -> Self {
        Self::new(dir, files, true, Duration::ZERO)
    }

    pub fn reader(dir: PathBuf, files: Arc<dyn IndexFiles>, check_every: Duration) -> Self {
        Self::new(dir, files, false, check_every)
    }

    fn new(dir: PathBuf, files: Arc<dyn IndexFiles>, writes: bool, check_every: Duration) -> Self {
        Self {
            cell: tokio::sync::OnceCell::new(),
            dir,
            files,
            writes,
            check_every,
        }
    }

    async fn get(&self) -> Result<&SyncedIndex, StoreError> {
        self.cell
            .get_or_try_init(|| {
                SyncedIndex::open(&self.dir, self.files.clone(), self.writes, self.check_every)
            })
            .await
    }
}

#[async_trait]
impl WordIndex for LazySynced {
    async fn put(&self, docs: &[SearchDoc], gone: &[TicketRef]) -> Result<(), StoreError> {
        self.get().await?.put(docs, gone).await
    }

    async fn find(
        &self,
        query: &WordQuery,
        scope: Option<&[CategoryId]>,
    ) -> Result<IndexPage, StoreError> {
        self.get().await?.find(query, scope).await
    }

    async fn count(
        &self,
        query: &WordQuery,
        scope: Option<&[CategoryId]>,
    ) -> Result<u64, StoreError> {
        self.get().await?.count(query, scope).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::MemoryFiles;

    fn dir() -> PathBuf {
        tempfile::tempdir().map(|d| d.keep()).unwrap_or_default()
    }

    /// What the functions do: the indexer writes, the API searches its own copy.
    struct Pair {
        writer: SyncedIndex,
        reader: SyncedIndex,
    }

    #[async_trait]
    impl WordIndex for Pair {
        async fn put(&self, docs: &[SearchDoc], gone: &[TicketRef]) -> Result<(), StoreError> {
            self.writer.put(docs, gone).await
        }

        async fn find(
            &self,
            query: &WordQuery,
            scope: Option<&[CategoryId]>,
        ) -> Result<IndexPage, StoreError> {
            self.reader.find(query, scope).await
        }
    }

    async fn pair() -> Arc<dyn WordIndex> {
        let files: Arc<dyn IndexFiles> = Arc::new(MemoryFiles::default());
        let writer = SyncedIndex::writer(&dir(), files.clone()).await.unwrap();
        let reader = SyncedIndex::reader(&dir(), files, Duration::ZERO)
            .await
            .unwrap();
        Arc::new(Pair { writer, reader })
    }

    testkit::index_contract!(pair);

    fn one(q: &str) -> WordQuery {
        WordQuery {
            words: WordQuery::words_of(q),
            ..WordQuery::default()
        }
    }

    fn doc(n: u64, text: &str) -> SearchDoc {
        use testkit::SequentialIds;
        let ids = SequentialIds::seeded(n);
        let thread_ticket = testkit::fixtures::new_ticket(
            &ids,
            "billing",
            "ana@example.com",
            chrono::DateTime::UNIX_EPOCH,
        );
        let mut d = SearchDoc::of(&helpdesk_domain::ports::store::TicketThread {
            ticket: thread_ticket.ticket,
            messages: vec![],
        });
        d.text = text.to_owned();
        d
    }

    #[tokio::test]
    async fn a_reader_follows_many_commits_that_replace_tickets() {
        let files: Arc<dyn IndexFiles> = Arc::new(MemoryFiles::default());
        let writer = SyncedIndex::writer(&dir(), files.clone()).await.unwrap();
        let reader = SyncedIndex::reader(&dir(), files, Duration::ZERO)
            .await
            .unwrap();
        for round in 0..30u64 {
            // The same three tickets again each time (deletes), and one new one.
            let docs: Vec<SearchDoc> = (0..3)
                .map(|n| doc(n, &format!("lamp round{round}")))
                .chain(std::iter::once(doc(100 + round, "lamp")))
                .collect();
            writer.put(&docs, &[]).await.unwrap();
            let found = reader.find(&one("lamp"), None).await;
            assert_eq!(
                found.map(|p| p.total).ok(),
                Some(4 + round),
                "round {round}"
            );
        }
    }

    #[tokio::test]
    async fn a_writer_that_missed_a_commit_takes_it_first_and_nothing_is_lost() {
        let files: Arc<dyn IndexFiles> = Arc::new(MemoryFiles::default());
        let first = SyncedIndex::writer(&dir(), files.clone()).await.unwrap();
        first.put(&[doc(1, "lamp")], &[]).await.unwrap();
        // A cold start of the indexer elsewhere: it continues the same index.
        let second = SyncedIndex::writer(&dir(), files.clone()).await.unwrap();
        assert_eq!(second.generation().await, 1);
        second.put(&[doc(2, "lamp")], &[]).await.unwrap();
        assert_eq!(second.find(&one("lamp"), None).await.unwrap().total, 2);
        // The first one missed commit 2: it writes on top of it, never over it.
        first.put(&[doc(3, "lamp")], &[]).await.unwrap();
        assert_eq!(first.generation().await, 3);
        let reader = SyncedIndex::reader(&dir(), files.clone(), Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(reader.find(&one("lamp"), None).await.unwrap().total, 3);
        // Both at once, many times: every commit builds on the one before.
        let (a, b) = (Arc::new(first), Arc::new(second));
        let mut tasks = Vec::new();
        for n in 0..10u64 {
            let w = if n % 2 == 0 { a.clone() } else { b.clone() };
            // As the stream does: a batch handed back comes again.
            tasks.push(tokio::spawn(async move {
                let mut result = Err(StoreError::Unavailable("not tried".into()));
                for _ in 0..20 {
                    result = w.put(&[doc(10 + n, "lamp")], &[]).await;
                    if result.is_ok() {
                        break;
                    }
                }
                result
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(reader.find(&one("lamp"), None).await.unwrap().total, 13);
    }

    #[tokio::test]
    async fn a_reader_looks_again_only_after_its_interval_and_downloads_only_new_files() {
        let files = Arc::new(MemoryFiles::default());
        let writer = SyncedIndex::writer(&dir(), files.clone()).await.unwrap();
        let reader = SyncedIndex::reader(&dir(), files.clone(), Duration::from_secs(3600))
            .await
            .unwrap();
        assert_eq!(
            reader.find(&one("lamp"), None).await.unwrap().total,
            0,
            "nothing stored yet"
        );
        writer.put(&[doc(1, "lamp")], &[]).await.unwrap();
        assert_eq!(
            reader.find(&one("lamp"), None).await.unwrap().total,
            0,
            "not looked again within the interval"
        );
        let eager = SyncedIndex::reader(&dir(), files.clone(), Duration::ZERO)
            .await
            .unwrap();
        let before = files.puts();
        writer.put(&[doc(2, "lamp")], &[]).await.unwrap();
        let uploaded = files.puts() - before;
        assert!(eager.find(&one("lamp"), None).await.unwrap().total == 2);
        assert_eq!(uploaded, 1, "a commit stores one pack of what it adds");
        let stored = files.manifest().await.unwrap().unwrap_or_default();
        let packs: std::collections::BTreeSet<&str> =
            stored.files.values().map(|f| f.key.as_str()).collect();
        assert_eq!(
            packs.len(),
            2,
            "the first commit's segment is kept where it was: {packs:?}"
        );
    }

    #[tokio::test]
    async fn words_taken_out_of_a_ticket_that_stays_leave_no_stored_file() {
        let files = Arc::new(MemoryFiles::default());
        let writer = SyncedIndex::writer(&dir(), files.clone()).await.unwrap();
        let reader = SyncedIndex::reader(&dir(), files.clone(), Duration::ZERO)
            .await
            .unwrap();
        // Jane's request with Bob's words in it, beside another.
        let mut with_bob = doc(1, "router zanzibarqq");
        with_bob.summary.version = 3;
        writer.put(&[with_bob, doc(2, "lamp")], &[]).await.unwrap();
        // His messages go (that writes no new version): indexed again without
        // them, the older document is only marked deleted, and kept.
        let mut without = doc(1, "router");
        without.summary.version = 3;
        writer.put(&[without.clone()], &[]).await.unwrap();
        assert!(
            files.holding(b"zanzibarqq") > 0,
            "a deleted document holds them"
        );
        assert_eq!(
            reader.find(&one("zanzibarqq"), None).await.unwrap().total,
            0
        );
        // The write that says words were taken out: indexed over an older
        // version, it rewrites the files and forgets the older packs.
        without.summary.version = 4;
        without.words_removed_in = Some(4);
        writer.put(&[without.clone()], &[]).await.unwrap();
        assert_eq!(files.holding(b"zanzibarqq"), 0, "no pack holds his words");
        assert_eq!(reader.find(&one("router"), None).await.unwrap().total, 1);
        assert_eq!(reader.find(&one("lamp"), None).await.unwrap().total, 1);
        let packs = |m: &Manifest| {
            (m.files.values().map(|f| f.key.clone())).collect::<std::collections::BTreeSet<_>>()
        };
        let rewritten = files.manifest().await.unwrap().unwrap_or_default();
        assert_eq!(packs(&rewritten).len(), 1, "one merged segment");
        // The same version again (a retry) or a later one: not rewritten again.
        without.summary.version = 5;
        writer.put(&[without.clone()], &[]).await.unwrap();
        writer.put(&[without], &[]).await.unwrap();
        let later = files.manifest().await.unwrap().unwrap_or_default();
        assert!(
            packs(&rewritten).is_subset(&packs(&later)) && packs(&later).len() > 1,
            "the merged segment is kept: {:?}",
            packs(&later)
        );
    }

    /// The tests' store with faults: its listing fails while `down` is set
    /// (a writer that cannot delete the older packs after its commit), and it
    /// hands out `stale` once as the manifest (a writer that read it just
    /// before another committed).
    struct Faulty {
        files: Arc<MemoryFiles>,
        down: std::sync::atomic::AtomicBool,
        stale: std::sync::Mutex<Option<Manifest>>,
    }

    impl Faulty {
        fn over(files: &Arc<MemoryFiles>) -> Arc<Faulty> {
            Arc::new(Faulty {
                files: files.clone(),
                down: Default::default(),
                stale: Default::default(),
            })
        }
    }

    #[async_trait]
    impl IndexFiles for Faulty {
        async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
            self.files.get(key).await
        }
        async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
            self.files.put(key, bytes).await
        }
        async fn list(&self) -> Result<Vec<String>, StoreError> {
            if self.down.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(StoreError::Unavailable("the function died".into()));
            }
            self.files.list().await
        }
        async fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.files.delete(key).await
        }
        async fn manifest(&self) -> Result<Option<Manifest>, StoreError> {
            match self.stale.lock().ok().and_then(|mut s| s.take()) {
                Some(stale) => Ok(Some(stale)),
                None => self.files.manifest().await,
            }
        }
        async fn swap_manifest(&self, expected: u64, next: &Manifest) -> Result<bool, StoreError> {
            self.files.swap_manifest(expected, next).await
        }
    }

    #[tokio::test]
    async fn a_writer_that_loses_a_commit_deletes_its_pack() {
        let files = Arc::new(MemoryFiles::default());
        let faulty = Faulty::over(&files);
        let a = SyncedIndex::writer(&dir(), faulty.clone()).await.unwrap();
        a.put(&[doc(1, "lamp")], &[]).await.unwrap();
        let b = SyncedIndex::writer(&dir(), files.clone()).await.unwrap();
        // A reads commit 1 as the latest, just before B makes commit 2.
        *faulty.stale.lock().unwrap() = files.manifest().await.unwrap();
        b.put(&[doc(2, "lamp")], &[]).await.unwrap();
        // A makes its own commit 2, loses the swap, and writes on B's instead.
        a.put(&[doc(3, "lamp")], &[]).await.unwrap();
        assert_eq!(a.generation().await, 3);
        let keys = files.list().await.unwrap();
        let commits: std::collections::BTreeSet<&str> = keys
            .iter()
            .filter_map(|k| k.split_once('-'))
            .map(|(g, _)| g)
            .collect();
        assert_eq!(
            commits.into_iter().collect::<Vec<_>>(),
            ["1", "2", "3"],
            "one pack a commit: {keys:?}"
        );
        assert_eq!(keys.len(), 3, "{keys:?}");
        assert_eq!(a.find(&one("lamp"), None).await.unwrap().total, 3);
    }

    #[tokio::test]
    async fn older_packs_a_writer_could_not_delete_are_left_to_the_next_commit() {
        // The batch is in; the next comes to the same writer, or to a new one
        // (a cold start, or a writer that died before it deleted them).
        for warm in [true, false] {
            let files = Arc::new(MemoryFiles::default());
            let store = Faulty::over(&files);
            let writer = SyncedIndex::writer(&dir(), store.clone()).await.unwrap();
            let mut with_bob = doc(1, "router zanzibarqq");
            with_bob.summary.version = 3;
            writer.put(&[with_bob, doc(2, "lamp")], &[]).await.unwrap();
            let mut without = doc(1, "router");
            without.summary.version = 4;
            without.words_removed_in = Some(4);
            store.down.store(true, std::sync::atomic::Ordering::SeqCst);
            writer.put(&[without.clone()], &[]).await.unwrap();
            let stored = files.manifest().await.unwrap().unwrap_or_default();
            assert!(stored.forget, "the merged commit is stored and says so");
            assert!(files.holding(b"zanzibarqq") > 0, "not deleted yet");
            store.down.store(false, std::sync::atomic::Ordering::SeqCst);
            let again = if warm {
                writer
            } else {
                SyncedIndex::writer(&dir(), store.clone()).await.unwrap()
            };
            // The next batch (the same ticket, as a retry would bring it):
            // no merge, but the older packs go.
            again.put(&[without], &[]).await.unwrap();
            assert_eq!(files.holding(b"zanzibarqq"), 0, "warm: {warm}");
            // Done: the next commit neither lists the bucket nor says it.
            store.down.store(true, std::sync::atomic::Ordering::SeqCst);
            again.put(&[doc(3, "lamp")], &[]).await.unwrap();
            let stored = files.manifest().await.unwrap().unwrap_or_default();
            assert!(!stored.forget, "warm: {warm}");
        }
    }

    #[tokio::test]
    async fn a_removed_ticket_leaves_no_stored_file_holding_its_words() {
        let files = Arc::new(MemoryFiles::default());
        let writer = SyncedIndex::writer(&dir(), files.clone()).await.unwrap();
        let reader = SyncedIndex::reader(&dir(), files.clone(), Duration::ZERO)
            .await
            .unwrap();
        // One ticket changed several times (each version a document, the older
        // ones deleted but still in their segments), beside others.
        for round in 0..4u64 {
            writer
                .put(&[doc(1, &format!("zanzibarqq round{round}"))], &[])
                .await
                .unwrap();
            writer.put(&[doc(10 + round, "lamp")], &[]).await.unwrap();
        }
        assert!(files.holding(b"zanzibarqq") > 0, "stored before");
        assert_eq!(
            reader.find(&one("zanzibarqq"), None).await.unwrap().total,
            1
        );
        let gone = doc(1, "").summary.reference;
        writer.put(&[], &[gone]).await.unwrap();
        assert_eq!(
            files.holding(b"zanzibarqq"),
            0,
            "no pack holds the removed words"
        );
        assert_eq!(
            reader.find(&one("zanzibarqq"), None).await.unwrap().total,
            0
        );
        assert_eq!(reader.find(&one("lamp"), None).await.unwrap().total, 4);
        // What is stored is exactly the latest commit's packs.
        let latest = files.manifest().await.unwrap().unwrap_or_default();
        let named: std::collections::BTreeSet<String> =
            latest.files.values().map(|f| f.key.clone()).collect();
        let stored: std::collections::BTreeSet<String> =
            files.contents().into_iter().map(|(k, _)| k).collect();
        assert_eq!(stored, named);
        // A fresh reader opens it.
        let cold = SyncedIndex::reader(&dir(), files.clone(), Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(cold.find(&one("lamp"), None).await.unwrap().total, 4);
    }
}
