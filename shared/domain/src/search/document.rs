//! What a ticket offers to be found by. Built whole from the stored ticket and
//! its thread every time anything of it changes, so indexing it again is
//! harmless and the order in which changes reach the indexer does not matter.

use crate::MessageKind;
use crate::ports::store::{TicketSummary, TicketThread};
use std::fmt::Write as _;

/// The most text of one ticket that is indexed (a thread can hold far more:
/// past this, its latest messages are not searched).
pub const MAX_TEXT_BYTES: usize = 128 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc {
    /// The row a hit shows, and what filters read.
    pub summary: TicketSummary,
    /// Weighs more than the rest.
    pub subject: String,
    /// The reference, the requester's name and address, the detail values (order numbers,
    /// serials), every customer message, reply and internal note, and the names
    /// of their files: one per line.
    pub text: String,
    /// The ticket's `words_removed_in`: indexing this over a version older
    /// than it rewrites the index's files, so the older version's words, kept
    /// in them as a deleted document, go (see the index's `put`).
    pub words_removed_in: Option<u64>,
}

impl SearchDoc {
    pub fn of(thread: &TicketThread) -> SearchDoc {
        let t = &thread.ticket;
        let mut text = String::new();
        let _ = writeln!(
            text,
            "{} {} <{}>",
            t.reference.as_str(),
            t.requester.name.as_str(),
            t.requester.email.as_str()
        );
        for value in t.details.values() {
            let _ = writeln!(text, "{value}");
        }
        for m in &thread.messages {
            if m.kind == MessageKind::SystemEvent {
                continue;
            }
            text.push_str(m.body_text.trim());
            text.push('\n');
            for file in &m.attachments {
                text.push_str(&file.filename);
                text.push('\n');
            }
            if text.len() >= MAX_TEXT_BYTES {
                break;
            }
        }
        if text.len() > MAX_TEXT_BYTES {
            let mut end = MAX_TEXT_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
        }
        SearchDoc {
            summary: TicketSummary::from(t),
            subject: t.subject.as_str().to_owned(),
            text,
            words_removed_in: t.words_removed_in,
        }
    }
}
