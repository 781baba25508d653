//! The word index on Tantivy. One document per ticket (see
//! `helpdesk_domain::search::SearchDoc`): its subject and its text indexed with
//! the domain's own terms (folded, lightly stemmed), the filters as exact terms
//! and times, and what a hit shows stored. Replacing a ticket deletes its
//! reference's document and adds the new one in one commit.
//!
//! The index lives in a directory: `.local/search/` for the local desk; on AWS
//! in the function's `/tmp`, filled from and saved to S3 (see
//! docs/ARCHITECTURE.md, "Word search").

pub mod files;
mod schema;
pub mod synced;
mod tokenizer;

use async_trait::async_trait;
use helpdesk_domain::ports::WordIndex;
use helpdesk_domain::ports::store::{StoreError, TicketSummary};
use helpdesk_domain::search::find::{IndexHit, IndexPage};
use helpdesk_domain::search::query::PAGE_SIZE;
use helpdesk_domain::search::{SearchDoc, WordQuery};
use helpdesk_domain::{CategoryId, TicketRef};
use schema::Fields;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// Memory the writer may use before it writes a segment (Tantivy's floor is 15 MB).
const WRITER_BYTES: usize = 32 * 1024 * 1024;
/// Segments kept before the small ones are merged. Each commit adds a
/// segment and a search reads every segment; a merge rewrites what it merges
/// (and the indexer uploads it again), so the largest segment is left alone
/// while it holds most tickets.
const MAX_SEGMENTS: usize = 8;

#[derive(Clone)]
pub struct TantivyIndex {
    inner: Arc<Inner>,
}

struct Inner {
    index: Index,
    fields: Fields,
    reader: IndexReader,
    /// `None` for an index only read here (its files come from elsewhere).
    writer: Option<Mutex<IndexWriter>>,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("search index: {e}"))
}

impl TantivyIndex {
    /// Opens the index in `dir`, or makes an empty one there. An index of an
    /// older schema is set aside and an empty one made: `make reindex` fills it.
    pub fn open(dir: &Path) -> Result<TantivyIndex, StoreError> {
        Self::open_as(dir, true)
    }

    /// Opens the index in `dir` to search it only: its files are written by
    /// someone else (see [`synced`]), and [`Self::reload`] shows their latest.
    pub fn open_to_read(dir: &Path) -> Result<TantivyIndex, StoreError> {
        Self::open_as(dir, false)
    }

    fn open_as(dir: &Path, write: bool) -> Result<TantivyIndex, StoreError> {
        std::fs::create_dir_all(dir).map_err(unavailable)?;
        let (schema, fields) = schema::build();
        let open = |dir: &Path| {
            let directory = tantivy::directory::MmapDirectory::open(dir)?;
            Index::open_or_create(directory, schema.clone())
        };
        let index = match open(dir) {
            Ok(index) => index,
            Err(tantivy::TantivyError::SchemaError(_)) => {
                tracing::warn!(dir = %dir.display(), "search index of another schema: starting empty");
                std::fs::remove_dir_all(dir).map_err(unavailable)?;
                std::fs::create_dir_all(dir).map_err(unavailable)?;
                open(dir).map_err(unavailable)?
            }
            Err(e) => return Err(unavailable(e)),
        };
        Self::around(index, fields, write)
    }

    /// An index in memory only (benchmarks of the engine alone).
    pub fn in_memory() -> Result<TantivyIndex, StoreError> {
        let (schema, fields) = schema::build();
        Self::around(Index::create_in_ram(schema), fields, true)
    }

    fn around(index: Index, fields: Fields, write: bool) -> Result<TantivyIndex, StoreError> {
        tokenizer::register(&index);
        let writer = if write {
            let writer: IndexWriter = index
                .writer_with_num_threads(1, WRITER_BYTES)
                .map_err(unavailable)?;
            // Merges run when a batch is written (see `settle`), never in the
            // background: the files a commit leaves are then the files it is.
            writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
            Some(Mutex::new(writer))
        } else {
            None
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(unavailable)?;
        Ok(TantivyIndex {
            inner: Arc::new(Inner {
                index,
                fields,
                reader,
                writer,
            }),
        })
    }

    /// How many tickets the index holds.
    pub fn len(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds documents without committing (a bulk load: call [`Self::commit`]).
    pub fn add_uncommitted(&self, docs: &[SearchDoc]) -> Result<(), StoreError> {
        let writer = self.writer()?;
        for doc in docs {
            writer
                .add_document(self.inner.fields.document(doc)?)
                .map_err(unavailable)?;
        }
        Ok(())
    }

    pub fn commit(&self) -> Result<(), StoreError> {
        let mut writer = self.writer()?;
        writer.commit().map_err(unavailable)?;
        self.settle(&mut writer)?;
        drop(writer);
        self.reload()
    }

    /// Shows the latest commit in the directory to the next search.
    pub fn reload(&self) -> Result<(), StoreError> {
        self.inner.reader.reload().map_err(unavailable)
    }

    fn writer(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>, StoreError> {
        self.inner
            .writer
            .as_ref()
            .ok_or_else(|| unavailable("this index is opened to read only"))?
            .lock()
            .map_err(unavailable)
    }

    /// Replaces `docs` and removes `gone`. Removing tickets (an erased
    /// customer's), or replacing a version the index holds with one from
    /// after words were taken out of the ticket (`words_removed_in`), merges
    /// every segment, so no file of the index holds those words any more, not
    /// even as a deleted document; returns whether it did.
    pub(crate) fn put_now(
        &self,
        docs: &[SearchDoc],
        gone: &[TicketRef],
    ) -> Result<bool, StoreError> {
        let f = &self.inner.fields;
        // Of each ticket the newest version given; one older than what the index
        // holds is left out (a rebuild that read the ticket before the indexer's
        // last change must not put it back).
        let mut newest: std::collections::HashMap<&str, &SearchDoc> =
            std::collections::HashMap::new();
        for doc in docs {
            let slot = newest.entry(doc.summary.reference.as_str()).or_insert(doc);
            if doc.summary.version >= slot.summary.version {
                *slot = doc;
            }
        }
        let searcher = self.inner.reader.searcher();
        let mut fresh = Vec::with_capacity(newest.len());
        let mut expunge = !gone.is_empty();
        for doc in newest.into_values() {
            let indexed = self.indexed_version(&searcher, &doc.summary.reference)?;
            if indexed.is_some_and(|v| v > doc.summary.version) {
                continue;
            }
            // The version held was made before words were taken out: once
            // replaced, it lives on as a deleted document until a merge.
            expunge |= doc
                .words_removed_in
                .is_some_and(|removed| indexed.is_some_and(|v| v < removed));
            fresh.push(doc);
        }
        let mut writer = self.writer()?;
        for reference in gone {
            writer.delete_term(Term::from_field_text(f.reference, reference.as_str()));
        }
        for doc in fresh {
            writer.delete_term(Term::from_field_text(
                f.reference,
                doc.summary.reference.as_str(),
            ));
            writer.add_document(f.document(doc)?).map_err(unavailable)?;
        }
        if let Err(e) = writer.commit() {
            // Nothing of this batch stays queued for the next one.
            let _ = writer.rollback();
            return Err(unavailable(e));
        }
        if expunge {
            self.expunge(&mut writer)?;
        } else {
            self.settle(&mut writer)?;
        }
        drop(writer);
        self.reload()?;
        Ok(expunge)
    }

    /// Merges every segment into one: a merge leaves deleted documents out,
    /// and older versions of a ticket live on as deleted documents until then.
    fn expunge(&self, writer: &mut IndexWriter) -> Result<(), StoreError> {
        let ids: Vec<_> = self
            .inner
            .index
            .searchable_segment_metas()
            .map_err(unavailable)?
            .iter()
            .filter(|m| m.num_deleted_docs() > 0 || m.num_docs() > 0)
            .map(|m| m.id())
            .collect();
        if !ids.is_empty() {
            writer.merge(&ids).wait().map_err(unavailable)?;
        }
        writer.garbage_collect_files().wait().map_err(unavailable)?;
        Ok(())
    }

    /// The version of the ticket as the index holds it, if it does.
    fn indexed_version(
        &self,
        searcher: &tantivy::Searcher,
        reference: &TicketRef,
    ) -> Result<Option<u64>, StoreError> {
        let f = &self.inner.fields;
        let query = tantivy::query::TermQuery::new(
            Term::from_field_text(f.reference, reference.as_str()),
            tantivy::schema::IndexRecordOption::Basic,
        );
        let top = searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .map_err(unavailable)?;
        let Some((_, address)) = top.into_iter().next() else {
            return Ok(None);
        };
        let stored: TantivyDocument = searcher.doc(address).map_err(unavailable)?;
        let summary = stored
            .get_first(f.summary)
            .and_then(|v| v.as_str())
            .and_then(|s| serde_json::from_str::<TicketSummary>(s).ok());
        // Held but unreadable (written by another version): as old as can be.
        Ok(Some(summary.map_or(0, |s| s.version)))
    }

    /// Merges the segments once there are more than [`MAX_SEGMENTS`] (each
    /// commit adds one), waiting for the merge and the removal of the files it
    /// replaced: when this returns, the directory holds exactly the commit.
    fn settle(&self, writer: &mut IndexWriter) -> Result<(), StoreError> {
        let mut segments = self
            .inner
            .index
            .searchable_segment_metas()
            .map_err(unavailable)?;
        if segments.len() > MAX_SEGMENTS {
            // The small ones together; the largest stays as it is (and is not
            // uploaded again) while it holds most of the tickets.
            segments.sort_by_key(|m| std::cmp::Reverse(m.num_docs()));
            let total: u32 = segments.iter().map(|m| m.num_docs()).sum();
            let keep = usize::from(segments[0].num_docs() * 2 > total);
            let ids: Vec<_> = segments[keep..].iter().map(|m| m.id()).collect();
            writer.merge(&ids).wait().map_err(unavailable)?;
        }
        writer.garbage_collect_files().wait().map_err(unavailable)?;
        Ok(())
    }

    pub(crate) fn find_now(
        &self,
        query: &WordQuery,
        scope: Option<&[CategoryId]>,
    ) -> Result<IndexPage, StoreError> {
        let f = &self.inner.fields;
        let Some(q) = f.query(&self.inner.index, query, scope)? else {
            return Ok(IndexPage::default());
        };
        let searcher = self.inner.reader.searcher();
        // Relevance (to a thousandth, so equal matches tie), then the latest update.
        let by_relevance_then_recency = TopDocs::with_limit(PAGE_SIZE)
            .and_offset(query.offset())
            .tweak_score(|segment: &tantivy::SegmentReader| {
                let updated = segment
                    .fast_fields()
                    .i64(schema::UPDATED)
                    .map(|c| c.first_or_default_col(0));
                move |doc: tantivy::DocId, score: tantivy::Score| {
                    let at = updated.as_ref().map_or(0, |c| c.get_val(doc));
                    ((score * 1000.0).round() as i64, at)
                }
            });
        let (total, top) = searcher
            .search(&q, &(Count, by_relevance_then_recency))
            .map_err(unavailable)?;
        let mut hits = Vec::with_capacity(top.len());
        for (_, address) in top {
            let stored: TantivyDocument = searcher.doc(address).map_err(unavailable)?;
            let text_of = |field| {
                stored
                    .get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let ticket: TicketSummary = serde_json::from_str(&text_of(f.summary))
                .map_err(|e| StoreError::Corrupt(format!("search index row: {e}")))?;
            hits.push(IndexHit {
                ticket,
                text: text_of(f.text),
            });
        }
        Ok(IndexPage {
            hits,
            total: total as u64,
        })
    }
}

impl TantivyIndex {
    pub(crate) fn count_now(
        &self,
        query: &WordQuery,
        scope: Option<&[CategoryId]>,
    ) -> Result<u64, StoreError> {
        let Some(q) = self.inner.fields.query(&self.inner.index, query, scope)? else {
            return Ok(0);
        };
        let n = self
            .inner
            .reader
            .searcher()
            .search(&q, &Count)
            .map_err(unavailable)?;
        Ok(n as u64)
    }
}

#[async_trait]
impl WordIndex for TantivyIndex {
    async fn put(&self, docs: &[SearchDoc], gone: &[TicketRef]) -> Result<(), StoreError> {
        let (this, docs, gone) = (self.clone(), docs.to_vec(), gone.to_vec());
        tokio::task::spawn_blocking(move || this.put_now(&docs, &gone))
            .await
            .map_err(unavailable)?
            .map(|_| ())
    }

    async fn find(
        &self,
        query: &WordQuery,
        scope: Option<&[CategoryId]>,
    ) -> Result<IndexPage, StoreError> {
        let (this, query, scope) = (self.clone(), query.clone(), scope.map(<[_]>::to_vec));
        tokio::task::spawn_blocking(move || this.find_now(&query, scope.as_deref()))
            .await
            .map_err(unavailable)?
    }

    async fn count(
        &self,
        query: &WordQuery,
        scope: Option<&[CategoryId]>,
    ) -> Result<u64, StoreError> {
        let (this, query, scope) = (self.clone(), query.clone(), scope.map(<[_]>::to_vec));
        tokio::task::spawn_blocking(move || this.count_now(&query, scope.as_deref()))
            .await
            .map_err(unavailable)?
    }
}

#[cfg(test)]
mod tests {
    use helpdesk_domain::ports::WordIndex;
    use std::sync::Arc;

    async fn on_disk() -> Arc<dyn WordIndex> {
        // Each test its own directory, kept until the process ends.
        let dir = tempfile::tempdir().map(|d| d.keep()).unwrap_or_default();
        match super::TantivyIndex::open(&dir) {
            Ok(index) => Arc::new(index),
            Err(e) => panic!("{e}"),
        }
    }

    testkit::index_contract!(on_disk);

    #[test]
    fn a_held_document_whose_summary_does_not_read_counts_as_the_oldest() {
        let index = super::TantivyIndex::in_memory().unwrap_or_else(|e| panic!("{e}"));
        let ids = testkit::SequentialIds::new();
        let new = testkit::fixtures::new_ticket(
            &ids,
            "billing",
            "ana@example.com",
            chrono::DateTime::UNIX_EPOCH,
        );
        let mut doc =
            helpdesk_domain::search::SearchDoc::of(&helpdesk_domain::ports::store::TicketThread {
                ticket: new.ticket,
                messages: vec![],
            });
        // As another version of the program might have stored it.
        let f = &index.inner.fields;
        let mut held = tantivy::TantivyDocument::default();
        held.add_text(f.reference, doc.summary.reference.as_str());
        held.add_text(f.summary, "{not a summary");
        let added = index.writer().map(|w| w.add_document(held).is_ok());
        assert_eq!(added.ok(), Some(true));
        index.commit().unwrap_or_else(|e| panic!("{e}"));
        let searcher = index.inner.reader.searcher();
        let held = index.indexed_version(&searcher, &doc.summary.reference);
        assert_eq!(held.ok(), Some(Some(0)));
        // So a version that says words were taken out rewrites the files.
        doc.words_removed_in = Some(doc.summary.version);
        assert_eq!(index.put_now(&[doc], &[]).ok(), Some(true));
    }
}
