//! Who a ticket holds besides its requester: people copied in (participants
//! and the agents' Cc), people who wrote into it without being its requester
//! (a forward's recipient answering, a merged ticket's requester), and people
//! an entry is about (a merge's copy of their request, a forward's recipient).
//! The store links each such address to the ticket in the same write that
//! brings it in (`customers::links` reads the links).

use crate::tickets::message::{Author, Message};
use crate::tickets::ticket::Ticket;
use crate::values::email::EmailAddress;

/// Is `a` the address `b` (compared as the stores key addresses)?
pub fn same(a: &EmailAddress, b: &EmailAddress) -> bool {
    a.key() == b.key()
}

/// The addresses a write brings onto `after` that it did not hold before
/// (`before` is `None` for a new ticket), its requester's left out, each once.
pub fn added(before: Option<&Ticket>, after: &Ticket, messages: &[Message]) -> Vec<EmailAddress> {
    let held = |a: &EmailAddress| {
        before.is_some_and(|b| b.participants.iter().chain(&b.cc).any(|h| same(h, a)))
    };
    let copied = after
        .participants
        .iter()
        .chain(&after.cc)
        .filter(|a| !held(a));
    let written = messages.iter().flat_map(message_addresses);
    distinct(after, copied.chain(written))
}

/// Every address a ticket and its messages hold besides its requester's.
pub fn held(t: &Ticket, messages: &[Message]) -> Vec<EmailAddress> {
    let copied = t.participants.iter().chain(&t.cc);
    let written = messages.iter().flat_map(message_addresses);
    distinct(t, copied.chain(written))
}

/// Everyone a message names, each once (a note written on its own, outside a
/// ticket write, links them: the ticket's requester among them is harmless).
pub fn named_by(m: &Message) -> Vec<EmailAddress> {
    let mut out: Vec<EmailAddress> = Vec::new();
    for a in message_addresses(m) {
        if !out.iter().any(|o| same(o, a)) {
            out.push(a.clone());
        }
    }
    out
}

/// Who a message names: its author if a customer, who it is about, its Cc.
pub fn message_addresses(m: &Message) -> impl Iterator<Item = &EmailAddress> {
    let author = match &m.author {
        Author::Customer { email, .. } => Some(email),
        _ => None,
    };
    let cc = m.email.iter().flat_map(|e| e.cc.iter().chain(&e.named));
    author.into_iter().chain(&m.about).chain(cc)
}

fn distinct<'a>(
    ticket: &Ticket,
    addresses: impl Iterator<Item = &'a EmailAddress>,
) -> Vec<EmailAddress> {
    let mut out: Vec<EmailAddress> = Vec::new();
    for a in addresses {
        if !same(a, &ticket.requester.email) && !out.iter().any(|o| same(o, a)) {
            out.push(a.clone());
        }
    }
    out
}
