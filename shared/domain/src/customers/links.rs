//! Links from an address to other customers' tickets it is on (who counts:
//! `tickets::people`). The store keeps one link per (address, ticket), written
//! in the same write that brings the address in, so exporting or erasing an
//! address finds those tickets without reading every ticket. Ticket writes
//! only add links; erasing removes them, and the backfill links tickets
//! written before links were kept.

use crate::mail::inbound::parse::header_addresses;
use crate::ports::store::{StoreError, TicketThread};
use crate::ports::{Erasure, TicketRecords};
use crate::tickets::message::{Author, Message};
use crate::tickets::people::{self, same};
use crate::tickets::ticket::Ticket;
use crate::values::email::EmailAddress;

/// Every address a stored thread holds besides its requester's (the backfill
/// of tickets written before links were kept).
pub fn of_thread(thread: &TicketThread) -> Vec<EmailAddress> {
    people::held(&thread.ticket, &thread.messages)
}

/// Links the people of every stored ticket (tickets written before links
/// were kept), page by page: linking again is harmless, so it can run any
/// time and be stopped. Returns how many tickets it read.
pub async fn backfill(
    tickets: &dyn TicketRecords,
    erasure: &dyn Erasure,
) -> Result<u32, StoreError> {
    let (mut read, mut cursor) = (0, None);
    loop {
        let (page, next) = tickets.all_tickets(cursor).await?;
        for reference in &page {
            let thread = match tickets.load_ticket(reference).await {
                Ok(thread) => thread,
                // Deleted since the page was read.
                Err(StoreError::NotFound) => continue,
                Err(e) => return Err(e),
            };
            if thread.ticket.erased_at.is_none() {
                erasure
                    .link_addresses(reference, &of_thread(&thread))
                    .await?;
            }
            read += 1;
        }
        match next {
            Some(n) => cursor = Some(n),
            None => return Ok(read),
        }
    }
}

/// How much of a stored mail is read to see whom its headers name.
pub const HEADER_BYTES: u64 = 64 * 1024;

/// Do the address headers at the start of a raw mail (From, To, Cc,
/// Reply-To and the like) name `email`, as the mail parser reads them? The
/// whole address, any case: `ann@x` is not `joann@x` or `ann@x.org`, and a
/// Message-ID that looks like the address is not it.
pub fn headers_name(raw: &[u8], email: &EmailAddress) -> bool {
    header_addresses(raw).iter().any(|a| same(a, email))
}

/// What erasing `email` from someone else's ticket changes in its thread.
#[derive(Debug, Default)]
pub struct Removal {
    /// Messages it wrote or that are about it: deleted with their files.
    pub deleted: Vec<Message>,
    /// Messages that only list it in their Cc: kept without it.
    pub rewritten: Vec<Message>,
    /// The ticket without it among participants and Cc, if it was there.
    pub ticket: Option<Ticket>,
}

impl Removal {
    /// Nothing of the address is left in the thread.
    pub fn is_empty(&self) -> bool {
        self.deleted.is_empty() && self.rewritten.is_empty() && self.ticket.is_none()
    }
}

/// What of `thread` goes or changes when `email` is erased from it.
pub fn removal(thread: &TicketThread, email: &EmailAddress) -> Removal {
    let mut out = Removal::default();
    for m in &thread.messages {
        let wrote = matches!(&m.author, Author::Customer { email: a, .. } if same(a, email));
        if wrote || m.about.iter().any(|a| same(a, email)) {
            out.deleted.push(m.clone());
        } else if let Some(ids) = m
            .email
            .as_ref()
            .filter(|e| e.cc.iter().chain(&e.named).any(|a| same(a, email)))
        {
            let mut kept = m.clone();
            let mut ids = ids.clone();
            ids.cc.retain(|a| !same(a, email));
            ids.named.retain(|a| !same(a, email));
            kept.email = Some(ids);
            out.rewritten.push(kept);
        }
    }
    let t = &thread.ticket;
    if t.participants.iter().chain(&t.cc).any(|a| same(a, email)) {
        let mut after = t.clone();
        after.participants.retain(|a| !same(a, email));
        after.cc.retain(|a| !same(a, email));
        out.ticket = Some(after);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::message::{EmailIds, MessageKind, ThreadedBy};
    use crate::tickets::people::added;
    use crate::tickets::ticket::{Channel, Requester};
    use crate::values::ids::{AgentId, CategoryId, MessageId, TicketRef};
    use crate::values::text::{DisplayName, Subject};

    fn address(a: &str) -> EmailAddress {
        EmailAddress::parse(a).unwrap_or_else(|e| panic!("{a}: {e}"))
    }

    fn at() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
    }

    fn ticket() -> Ticket {
        Ticket::opened(
            TicketRef::from_bits(42),
            CategoryId::parse("billing").unwrap_or_else(|_| unreachable!()),
            Requester {
                name: DisplayName::from_mail("jane"),
                email: address("jane@example.com"),
            },
            Subject::parse("Refund").unwrap_or_else(|_| unreachable!()),
            Channel::Email,
            at(),
        )
    }

    fn message(id: &str, author: Author) -> Message {
        Message {
            id: MessageId::parse(&format!("message-{id}")).unwrap_or_else(|e| panic!("{e}")),
            ticket: TicketRef::from_bits(42),
            kind: MessageKind::Customer,
            author,
            body_text: "text".into(),
            body_html: None,
            attachments: vec![],
            email: None,
            threaded_by: ThreadedBy::RecordedMessageId,
            created_at: at(),
            about: vec![],
        }
    }

    fn customer(a: &str) -> Author {
        Author::Customer {
            name: DisplayName::from_mail("x"),
            email: address(a),
        }
    }

    fn agent() -> Author {
        Author::Agent {
            id: AgentId::parse("ana").unwrap_or_else(|_| unreachable!()),
            signed: None,
        }
    }

    fn keys(addresses: &[EmailAddress]) -> Vec<String> {
        addresses.iter().map(EmailAddress::key).collect()
    }

    #[test]
    fn a_write_links_only_the_addresses_it_brings_and_never_the_requester() {
        let before = ticket();
        let mut after = before.clone();
        after.participants = vec![address("Bob@Example.com")];
        after.cc = vec![address("carol@example.com"), address("bob@example.com")];
        let mut reply = message("m1", agent());
        reply.email = Some(EmailIds {
            cc: vec![address("dave@example.com")],
            ..Default::default()
        });
        let mut merged = message("m2", agent());
        merged.about = vec![address("erin@example.com")];
        let written = [
            message("m0", customer("JANE@example.com")),
            message("m3", customer("frank@example.com")),
            reply,
            merged,
        ];
        assert_eq!(
            keys(&added(Some(&before), &after, &written)),
            [
                "bob@example.com",
                "carol@example.com",
                "frank@example.com",
                "dave@example.com",
                "erin@example.com"
            ]
        );
        // Held before: not linked again by a later write.
        let later = after.clone();
        assert!(added(Some(&after), &later, &[]).is_empty());
        // A new ticket links whom it holds.
        assert_eq!(
            keys(&added(None, &after, &[])),
            ["bob@example.com", "carol@example.com"]
        );
    }

    #[test]
    fn a_mail_s_headers_name_the_whole_address_only() {
        let ann = address("Ann@Example.com");
        let says = |raw: &str| headers_name(raw.as_bytes(), &ann);
        assert!(says("From: jo\r\nCc: Ann <ANN@example.com>\r\n\r\nhi"));
        assert!(says("Cc: x@y.org,ann@example.com\n\nhi"));
        // Part of a longer address is someone else.
        assert!(!says("From: joann@example.com\r\n\r\n"));
        assert!(!says("From: ann@example.com.au\r\n\r\n"));
        assert!(!says("From: ann@example.community\r\n\r\n"));
        assert!(!says("From: jo.ann@example.com\r\n\r\n"));
        // Only the headers: a body quoting it is the writer's words.
        assert!(!says("From: jo\r\n\r\nann@example.com wrote:"));
        assert!(!says("From: jo\n\nCc: ann@example.com\r\n\r\n"));
        assert!(!says(""));
        // Only address headers, unfolded.
        assert!(!says("Message-ID: <ann@example.com>\r\nFrom: jo\r\n\r\n"));
        assert!(!says("Subject: for ann@example.com\r\n\r\n"));
        assert!(says("To: jo@x.org,\r\n\tAnn <ann@example.com>\r\n\r\n"));
        assert!(says("Reply-To: ann@example.com\n\n"));
        assert!(says("Return-Path: <ann@example.com>\r\n\r\n"));
        // Bytes that are no mail, or a start cut before the headers end.
        assert!(!says(&"\u{0}:<>@\r".repeat(10_000)));
        assert!(says("Cc: ann@example.com\r\nSubject: x"));
    }

    #[test]
    fn erasing_an_address_from_a_thread_deletes_its_words_and_keeps_the_rest_without_it() {
        let mut t = ticket();
        t.participants = vec![address("bob@example.com"), address("carol@example.com")];
        t.cc = vec![address("BOB@example.com")];
        let mut reply = message("m2", agent());
        reply.email = Some(EmailIds {
            cc: vec![address("carol@example.com"), address("bob@example.com")],
            ..Default::default()
        });
        let mut forward = message("m3", agent());
        forward.about = vec![address("bob@example.com")];
        // Jane's mail named him in its To: her words stay, his name goes.
        let mut hers = message("m4", customer("jane@example.com"));
        hers.email = Some(EmailIds {
            named: vec![address("BOB@example.com"), address("dora@example.com")],
            ..Default::default()
        });
        let thread = TicketThread {
            ticket: t,
            messages: vec![
                message("m0", customer("jane@example.com")),
                message("m1", customer("Bob@example.com")),
                reply,
                forward,
                hers,
            ],
        };
        let r = removal(&thread, &address("bob@example.com"));
        let ids: Vec<_> = r.deleted.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["message-m1", "message-m3"]);
        assert_eq!(r.rewritten.len(), 2);
        assert_eq!(
            keys(&r.rewritten[1].email.clone().unwrap_or_default().named),
            ["dora@example.com"]
        );
        assert_eq!(r.rewritten[1].body_text, "text");
        assert_eq!(
            keys(&r.rewritten[0].email.clone().unwrap_or_default().cc),
            ["carol@example.com"]
        );
        let after = r.ticket.unwrap_or_else(|| panic!("the ticket changes"));
        assert_eq!(keys(&after.participants), ["carol@example.com"]);
        assert!(after.cc.is_empty());
        // Someone the thread does not hold: nothing changes.
        let none = removal(&thread, &address("zed@example.com"));
        assert!(none.deleted.is_empty() && none.rewritten.is_empty() && none.ticket.is_none());
        // The thread's links: everyone but the requester.
        assert_eq!(
            keys(&of_thread(&thread)),
            ["bob@example.com", "carol@example.com", "dora@example.com"]
        );
    }
}
