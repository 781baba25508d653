//! The index's fields, a ticket's document in them, and a word query as a
//! Tantivy query.

use super::{tokenizer, unavailable};
use helpdesk_domain::CategoryId;
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::search::{Assignee, SearchDoc, TimeRange, Word, WordQuery};
use std::ops::Bound;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, RangeQuery, RegexQuery,
    TermQuery, TermSetQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, TantivyDocument, Term};

pub const UPDATED: &str = "updated";
/// How much more a word in the subject weighs than one elsewhere.
const SUBJECT_BOOST: f32 = 3.0;
/// Who nobody is assigned to, as an exact term.
const NOBODY: &str = "-";

/// The text kept per ticket for its snippets (a match past it shows the
/// start of the text instead): bounds the index a customer's long mails make.
const STORED_TEXT_BYTES: usize = 16 * 1024;

fn clipped(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[derive(Clone, Copy)]
pub struct Fields {
    pub reference: Field,
    subject: Field,
    words: Field,
    category: Field,
    status: Field,
    assignee: Field,
    tag: Field,
    priority: Field,
    tier: Field,
    created: Field,
    updated: Field,
    pub summary: Field,
    pub text: Field,
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let searched = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer::NAME)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        reference: b.add_text_field("reference", STRING),
        subject: b.add_text_field("subject", searched.clone()),
        words: b.add_text_field("words", searched),
        category: b.add_text_field("category", STRING),
        status: b.add_text_field("status", STRING),
        assignee: b.add_text_field("assignee", STRING),
        tag: b.add_text_field("tag", STRING),
        priority: b.add_text_field("priority", STRING),
        tier: b.add_text_field("tier", STRING),
        created: b.add_i64_field("created", INDEXED | FAST),
        updated: b.add_i64_field(UPDATED, INDEXED | FAST),
        summary: b.add_text_field("summary", STORED),
        text: b.add_text_field("text", STORED),
    };
    (b.build(), fields)
}

fn tier_str(tier: helpdesk_domain::Tier) -> &'static str {
    match tier {
        helpdesk_domain::Tier::Standard => "standard",
        helpdesk_domain::Tier::Premium => "premium",
    }
}

impl Fields {
    pub fn document(&self, doc: &SearchDoc) -> Result<TantivyDocument, StoreError> {
        let t = &doc.summary;
        let mut d = TantivyDocument::default();
        d.add_text(self.reference, t.reference.as_str());
        d.add_text(self.subject, &doc.subject);
        d.add_text(self.words, &doc.subject);
        d.add_text(self.words, &doc.text);
        d.add_text(self.category, t.category.as_str());
        d.add_text(self.status, t.status.as_str());
        d.add_text(
            self.assignee,
            t.assignee.as_ref().map_or(NOBODY, |a| a.as_str()),
        );
        for tag in &t.tags {
            d.add_text(self.tag, tag.as_str());
        }
        d.add_text(self.priority, t.priority.as_str());
        d.add_text(self.tier, tier_str(t.tier));
        d.add_i64(self.created, t.created_at.timestamp_millis());
        d.add_i64(self.updated, t.updated_at.timestamp_millis());
        d.add_text(self.summary, serde_json::to_string(t).map_err(unavailable)?);
        // All of the text is searched; the start of it is kept for snippets.
        d.add_text(self.text, clipped(&doc.text, STORED_TEXT_BYTES));
        Ok(d)
    }

    /// The query, or `None` when it can match nothing (an empty scope).
    pub fn query(
        &self,
        _index: &Index,
        q: &WordQuery,
        scope: Option<&[CategoryId]>,
    ) -> Result<Option<Box<dyn Query>>, StoreError> {
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &q.words {
            must.push((Occur::Must, self.word(word)?));
        }
        let mut filters: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(scope) = scope {
            if scope.is_empty() {
                return Ok(None);
            }
            let terms = scope
                .iter()
                .map(|c| Term::from_field_text(self.category, c.as_str()));
            filters.push((Occur::Must, Box::new(TermSetQuery::new(terms))));
        }
        let f = &q.filters;
        let exact = |field: Field, value: &str| -> (Occur, Box<dyn Query>) {
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(field, value),
                    IndexRecordOption::Basic,
                )),
            )
        };
        if let Some(c) = &f.category {
            filters.push(exact(self.category, c.as_str()));
        }
        if let Some(s) = f.status {
            filters.push(exact(self.status, s.as_str()));
        }
        if let Some(a) = &f.assignee {
            filters.push(exact(
                self.assignee,
                match a {
                    Assignee::Nobody => NOBODY,
                    Assignee::Agent(id) => id.as_str(),
                },
            ));
        }
        if let Some(tag) = &f.tag {
            filters.push(exact(self.tag, tag.as_str()));
        }
        if let Some(p) = f.priority {
            filters.push(exact(self.priority, p.as_str()));
        }
        if let Some(t) = f.tier {
            filters.push(exact(self.tier, tier_str(t)));
        }
        for (field, range) in [(self.created, f.created), (self.updated, f.updated)] {
            if let Some(r) = self.range(field, range) {
                filters.push((Occur::Must, r));
            }
        }
        if must.is_empty() {
            must.push((Occur::Must, Box::new(AllQuery)));
        }
        if !filters.is_empty() {
            // Filters decide what matches, never how well.
            let all: Box<dyn Query> = Box::new(BooleanQuery::new(filters));
            must.push((Occur::Must, Box::new(ConstScoreQuery::new(all, 0.0))));
        }
        Ok(Some(Box::new(BooleanQuery::new(must))))
    }

    /// One word: its term in the subject (weighing more) or anywhere, or, while
    /// typed, any term it begins.
    fn word(&self, word: &Word) -> Result<Box<dyn Query>, StoreError> {
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, boost) in [(self.subject, SUBJECT_BOOST), (self.words, 1.0)] {
            let term: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, &word.term),
                IndexRecordOption::WithFreqs,
            ));
            any.push((Occur::Should, Box::new(BoostQuery::new(term, boost))));
            if let Some(prefix) = &word.prefix {
                // Terms are letters and digits only: nothing to escape.
                let pattern = format!("{}.*", prefix);
                let begins = RegexQuery::from_pattern(&pattern, field).map_err(unavailable)?;
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(begins), boost)),
                ));
            }
        }
        Ok(Box::new(BooleanQuery::new(any)))
    }

    fn range(&self, field: Field, range: TimeRange) -> Option<Box<dyn Query>> {
        if range.from.is_none() && range.to.is_none() {
            return None;
        }
        let bound = |at: Option<chrono::DateTime<chrono::Utc>>, included: bool| match at {
            None => Bound::Unbounded,
            Some(at) => {
                let term = Term::from_field_i64(field, at.timestamp_millis());
                if included {
                    Bound::Included(term)
                } else {
                    Bound::Excluded(term)
                }
            }
        };
        Some(Box::new(RangeQuery::new(
            bound(range.from, true),
            bound(range.to, false),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_is_letters_and_digits_only() {
        // The regex built from a prefix never sees a metacharacter: the domain's
        // terms are runs of letters and digits.
        for q in ["a.b*c", "(x|y)", "ab\\d+", "[z]"] {
            for w in WordQuery::words_of(q) {
                let p = w.prefix.unwrap_or_default();
                assert!(p.chars().all(char::is_alphanumeric), "{q}: {p}");
            }
        }
    }
}
