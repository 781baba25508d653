//! Word search over the tickets: what a ticket offers to be found by (its
//! [`document::SearchDoc`]), how a query is read ([`query::WordQuery`]), the
//! snippet shown with a hit, and the indexer that keeps the index in step with
//! the tickets. The index itself is a port ([`crate::ports::WordIndex`]): an
//! in-memory one in testkit, a Tantivy one in `helpdesk-search`; both pass the
//! same contract scenarios.

pub mod document;
pub mod find;
pub mod hits;
pub mod indexer;
pub mod query;
pub mod snippet;
pub mod terms;

pub use document::SearchDoc;
pub use query::{Assignee, Filters, TimeRange, Word, WordQuery};
