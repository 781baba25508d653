//! What the word index answers: the tickets found on a page, and how many in all.

use crate::ports::store::TicketSummary;

/// A ticket the index found: its row as last indexed and its text, from which
/// the snippet is cut.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexHit {
    pub ticket: TicketSummary,
    pub text: String,
}

/// One page of what the index found, and how many match in all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndexPage {
    pub hits: Vec<IndexHit>,
    pub total: u64,
}
