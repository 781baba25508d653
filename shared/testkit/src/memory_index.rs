//! The word index in memory: every document read through on each query, with
//! the domain's own terms. Slow past a few thousand tickets, exact, and held to
//! the same contract as the Tantivy index.

use async_trait::async_trait;
use helpdesk_domain::ports::WordIndex;
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::search::find::{IndexHit, IndexPage};
use helpdesk_domain::search::query::PAGE_SIZE;
use helpdesk_domain::search::terms;
use helpdesk_domain::search::{Assignee, SearchDoc, WordQuery};
use helpdesk_domain::{CategoryId, TicketRef};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

#[derive(Default)]
pub struct MemoryIndex {
    docs: Mutex<BTreeMap<TicketRef, Indexed>>,
}

struct Indexed {
    doc: SearchDoc,
    subject: BTreeSet<String>,
    text: BTreeSet<String>,
}

fn term_set(text: &str) -> BTreeSet<String> {
    terms::tokens(text).into_iter().map(|t| t.term).collect()
}

fn passes(doc: &SearchDoc, q: &WordQuery, scope: Option<&[CategoryId]>) -> bool {
    let t = &doc.summary;
    let f = &q.filters;
    scope.is_none_or(|s| s.contains(&t.category))
        && f.category.as_ref().is_none_or(|c| *c == t.category)
        && f.status.is_none_or(|s| s == t.status)
        && f.priority.is_none_or(|p| p == t.priority)
        && f.tier.is_none_or(|x| x == t.tier)
        && f.tag.as_ref().is_none_or(|tag| t.tags.contains(tag))
        && f.assignee.as_ref().is_none_or(|a| match a {
            Assignee::Nobody => t.assignee.is_none(),
            Assignee::Agent(id) => t.assignee.as_ref() == Some(id),
        })
        && f.created.holds(t.created_at)
        && f.updated.holds(t.updated_at)
}

#[async_trait]
impl WordIndex for MemoryIndex {
    async fn put(&self, docs: &[SearchDoc], gone: &[TicketRef]) -> Result<(), StoreError> {
        let mut all = self
            .docs
            .lock()
            .map_err(|_| StoreError::Unavailable("poisoned".into()))?;
        for reference in gone {
            all.remove(reference);
        }
        for doc in docs {
            // An older version never replaces a newer one.
            if all
                .get(&doc.summary.reference)
                .is_some_and(|held| held.doc.summary.version > doc.summary.version)
            {
                continue;
            }
            all.insert(
                doc.summary.reference.clone(),
                Indexed {
                    subject: term_set(&doc.subject),
                    text: term_set(&doc.text),
                    doc: doc.clone(),
                },
            );
        }
        Ok(())
    }

    async fn find(
        &self,
        query: &WordQuery,
        scope: Option<&[CategoryId]>,
    ) -> Result<IndexPage, StoreError> {
        let all = self
            .docs
            .lock()
            .map_err(|_| StoreError::Unavailable("poisoned".into()))?;
        let mut found: Vec<(u32, &Indexed)> = all
            .values()
            .filter(|d| passes(&d.doc, query, scope))
            .filter_map(|d| {
                let mut score = 0;
                for word in &query.words {
                    let in_subject = d.subject.iter().any(|t| word.matches(t));
                    let in_text = d.text.iter().any(|t| word.matches(t));
                    if !in_subject && !in_text {
                        return None;
                    }
                    score += if in_subject { 3 } else { 1 };
                }
                Some((score, d))
            })
            .collect();
        found.sort_by(|(sa, a), (sb, b)| {
            sb.cmp(sa)
                .then_with(|| b.doc.summary.updated_at.cmp(&a.doc.summary.updated_at))
                .then_with(|| a.doc.summary.reference.cmp(&b.doc.summary.reference))
        });
        Ok(IndexPage {
            total: found.len() as u64,
            hits: found
                .into_iter()
                .skip(query.offset())
                .take(PAGE_SIZE)
                .map(|(_, d)| IndexHit {
                    ticket: d.doc.summary.clone(),
                    text: d.doc.text.clone(),
                })
                .collect(),
        })
    }
}
