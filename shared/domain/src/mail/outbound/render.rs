//! The words of every mail we send, as plain text and as HTML, from one list of
//! blocks so the two never say different things. User text is escaped in HTML and
//! quoted in plain text; `[#REF]` leads every subject.

use super::compose::Letter;
use super::digest::Digest;
use crate::agents::alert_mail::{AlertDigest, AlertLine};
use crate::agents::profile::Signoff;
use crate::i18n::Language;
use crate::ports::store::TicketSummary;
use crate::tickets::message::{Author, Message};
use crate::tickets::ticket::Ticket;
use crate::values::text::escape_html;

/// What every mail is signed with and links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brand {
    /// "ACME Support": the From name and the signature.
    pub name: String,
    /// The help center's base URL, without a trailing slash.
    pub help_url: String,
}

enum Block {
    Para(String),
    Quote(String),
    Link(String, String),
}

/// How much of an earlier message a mail repeats.
const EXCERPT_CHARS: usize = 600;
/// How many earlier public messages an agent reply repeats.
const THREAD_EXCERPT: usize = 2;

fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

fn letter(subject: String, blocks: &[Block], brand: &Brand) -> Letter {
    signed_letter(subject, blocks, &brand.name)
}

/// The From name and sign-off of an agent's reply: "Ana at ACME Support", in
/// the customer's language.
pub fn from_agent(brand: &Brand, by: &Signoff, lang: Language) -> String {
    lang.text("from-agent", &[("name", &by.name), ("brand", &brand.name)])
}

/// How an agent's reply ends: their signature, else their name and ours.
fn sign_off(brand: &Brand, by: &Signoff) -> String {
    by.signature
        .clone()
        .unwrap_or_else(|| format!("{}\n{}", by.name, brand.name))
}

fn signed_letter(subject: String, blocks: &[Block], sign: &str) -> Letter {
    let mut text = String::new();
    let mut html = String::from(
        "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5\">",
    );
    for block in blocks {
        match block {
            Block::Para(p) => {
                text.push_str(p);
                text.push_str("\n\n");
                html.push_str(&format!("<p>{}</p>", escape_html(p).replace('\n', "<br>")));
            }
            Block::Quote(q) => {
                for line in q.lines() {
                    text.push_str("> ");
                    text.push_str(line);
                    text.push('\n');
                }
                text.push('\n');
                html.push_str(&format!(
                    "<blockquote style=\"border-left:3px solid #ccc;margin:0;padding-left:1em;color:#555\">{}</blockquote>",
                    escape_html(q).replace('\n', "<br>")
                ));
            }
            Block::Link(label, url) => {
                text.push_str(&format!("{label}:\n{url}\n\n"));
                html.push_str(&format!(
                    "<p><a href=\"{}\">{}</a></p>",
                    escape_html(url),
                    escape_html(label)
                ));
            }
        }
    }
    text.push_str(&format!("-- \n{sign}\n"));
    html.push_str(&format!(
        "<p style=\"color:#555\">— {}</p></body></html>",
        escape_html(sign).replace('\n', "<br>")
    ));
    Letter {
        subject,
        text,
        html,
    }
}

/// "Hello Ann,": the name only for a verified requester (anyone can type any name
/// and address into the form, and we must not relay it to that address).
fn greeting(ticket: &Ticket) -> String {
    let name = ticket.requester.name.as_str().trim();
    if name.is_empty() || !ticket.email_verified {
        ticket.language.text("greeting", &[])
    } else {
        ticket.language.text("greeting-named", &[("name", name)])
    }
}

/// The ticket's subject as our mail to the requester repeats it: cut short while
/// the address is not verified.
fn their_subject(ticket: &Ticket) -> String {
    if ticket.subject.is_none() {
        ticket.language.text("no-subject", &[])
    } else if ticket.email_verified {
        ticket.subject.as_str().to_owned()
    } else {
        shorten(ticket.subject.as_str(), UNVERIFIED_SUBJECT_CHARS)
    }
}

fn keep_reference(ticket: &Ticket) -> String {
    ticket
        .language
        .text("keep-reference", &[("tag", &ticket.subject_tag())])
}

/// How much of a subject the confirmation to an unverified address repeats.
const UNVERIFIED_SUBJECT_CHARS: usize = 40;

/// "We received your request": reference, promise, link, what they wrote. To an
/// address not verified yet (anyone can type any address into the form) it
/// repeats none of the sender's free text but a shortened subject, so the form
/// cannot relay someone's words to someone else's inbox from our domain.
pub fn confirmation(
    brand: &Brand,
    ticket: &Ticket,
    first: Option<&Message>,
    link: &str,
    reply_by: Option<&str>,
) -> Letter {
    let verified = ticket.email_verified;
    let lang = ticket.language;
    let reference = ticket.reference.display();
    let mut blocks = vec![
        Block::Para(greeting(ticket)),
        Block::Para(lang.text("confirmation-received", &[("reference", &reference)])),
        Block::Para(match reply_by {
            Some(when) => lang.text("confirmation-answer-by", &[("when", when)]),
            None => lang.text("confirmation-answer-soon", &[]),
        }),
        Block::Link(lang.text("confirmation-follow", &[]), link.to_owned()),
        Block::Para(keep_reference(ticket)),
    ];
    if let Some(m) = first.filter(|_| verified) {
        blocks.push(Block::Para(lang.text("confirmation-your-message", &[])));
        blocks.push(Block::Quote(shorten(&m.body_text, EXCERPT_CHARS)));
    }
    if !verified {
        blocks.push(Block::Para(lang.text("confirmation-not-you", &[])));
    }
    letter(
        lang.text(
            "confirmation-subject",
            &[
                ("tag", &ticket.subject_tag()),
                ("subject", &their_subject(ticket)),
            ],
        ),
        &blocks,
        brand,
    )
}

/// An agent's answer, with a short excerpt of what came before.
pub fn agent_reply(
    brand: &Brand,
    ticket: &Ticket,
    reply: &Message,
    earlier: &[Message],
    link: &str,
    ask_rating: bool,
) -> Letter {
    let body = crate::agents::canned::with_answer_links(
        &crate::agents::canned::with_link(reply.body_text.trim(), link),
        &brand.help_url,
    );
    let lang = ticket.language;
    let mut blocks = vec![Block::Para(body)];
    blocks.push(Block::Link(
        lang.text("reply-see-all", &[]),
        link.to_owned(),
    ));
    // A reply that solved the request asks how we did, as the solved notice does.
    if ask_rating && ticket.status == crate::tickets::ticket::Status::Resolved {
        blocks.extend(how_did_we_do(link, lang));
    }
    blocks.push(Block::Para(keep_reference(ticket)));
    // What came before is quoted only to a verified address: until then it may be
    // words someone else typed in with this address.
    let context: Vec<&Message> = earlier
        .iter()
        .filter(|_| ticket.email_verified)
        .filter(|m| m.kind.is_public() && m.id != reply.id && m.created_at <= reply.created_at)
        .rev()
        .take(THREAD_EXCERPT)
        .collect();
    for m in context {
        let who = match m.kind {
            crate::tickets::message::MessageKind::Customer => "reply-you-wrote",
            _ => "reply-we-wrote",
        };
        let when = ticket.customer_time(m.created_at, None);
        blocks.push(Block::Para(lang.text(who, &[("when", &when)])));
        blocks.push(Block::Quote(shorten(&m.body_text, EXCERPT_CHARS)));
    }
    let subject = lang.text(
        "reply-subject",
        &[
            ("subject", &their_subject(ticket)),
            ("tag", &ticket.subject_tag()),
        ],
    );
    match &reply.author {
        Author::Agent {
            signed: Some(by), ..
        } => signed_letter(subject, &blocks, &sign_off(brand, by)),
        _ => letter(subject, &blocks, brand),
    }
}

/// "Lost your link?": one link to all of this address's requests, open and
/// closed, and a fresh link for each.
/// In the language of the newest of them.
/// The links mail is written in the language of the address's newest request.
pub fn links_language(links: &[(TicketSummary, String)]) -> Language {
    links
        .iter()
        .max_by_key(|(t, _)| t.created_at)
        .map(|(t, _)| t.language)
        .unwrap_or_default()
}

pub fn tracking_links(brand: &Brand, links: &[(TicketSummary, String)], mine: &str) -> Letter {
    let lang = links_language(links);
    let mut blocks = vec![
        Block::Para(lang.text("greeting", &[])),
        Block::Para(lang.text("links-intro", &[])),
        Block::Link(lang.text("links-all", &[]), mine.to_owned()),
    ];
    // Subjects cut short like those of unverified requests: a request anyone
    // could have opened in this address's name is among them.
    for (summary, url) in links {
        blocks.push(Block::Link(
            format!(
                "[#{}] {} ({})",
                summary.reference.as_str(),
                shorten(summary.subject.as_str(), UNVERIFIED_SUBJECT_CHARS),
                summary.status.customer_label(lang)
            ),
            url.clone(),
        ));
    }
    blocks.push(Block::Para(lang.text("links-not-you", &[])));
    letter(lang.text("links-subject", &[]), &blocks, brand)
}

/// How much of the conversation a forward carries.
const FORWARD_EXCERPT: usize = 6;

/// A ticket forwarded to someone outside (a shipping partner, a supplier): the
/// agent's note and the conversation so far, never a tracking link. Their answer
/// comes back to the agents only.
pub fn forward(brand: &Brand, ticket: &Ticket, note: &Message, thread: &[Message]) -> Letter {
    // The entry's first paragraph names the recipient for the agents; the rest is
    // what the agent wrote to them.
    let text = note
        .body_text
        .split_once("\n\n")
        .map_or(note.body_text.as_str(), |(_, rest)| rest);
    let mut blocks = vec![Block::Para(text.trim().to_owned())];
    blocks.push(Block::Para(format!(
        "Our conversation about request {} so far:",
        ticket.reference.display()
    )));
    let public: Vec<&Message> = thread.iter().filter(|m| m.kind.is_public()).collect();
    let start = public.len().saturating_sub(FORWARD_EXCERPT);
    for m in &public[start..] {
        let who = match m.kind {
            crate::tickets::message::MessageKind::Customer => "The customer wrote",
            _ => "We wrote",
        };
        blocks.push(Block::Para(format!(
            "{who} on {}:",
            m.created_at.format("%a %-d %b %Y, %H:%M UTC")
        )));
        blocks.push(Block::Quote(shorten(&m.body_text, EXCERPT_CHARS * 2)));
    }
    blocks.push(Block::Para(
        "Please answer by replying to this mail: your answer reaches our team, not the customer."
            .into(),
    ));
    letter(
        format!("Fwd: {} {}", ticket.subject.as_str(), ticket.subject_tag()),
        &blocks,
        brand,
    )
}

/// To an agent or supervisor: an SLA warning or escalation, with the event's text
/// and a link to the ticket in the console. Nothing of the customer's mail headers.
pub fn escalation(brand: &Brand, ticket: &Ticket, event: &Message) -> Letter {
    let blocks = [
        Block::Para(event.body_text.clone()),
        Block::Para(format!(
            "Request {} from {} in {}: \u{201c}{}\u{201d} ({}, priority {}).",
            ticket.reference.display(),
            ticket.requester.email.as_str(),
            ticket.category.as_str(),
            ticket.subject.as_str(),
            ticket.status.as_str().replace('_', " "),
            ticket.priority.as_str(),
        )),
        Block::Link(
            "Open it in the console".into(),
            format!(
                "{}/agent/#/ticket/{}",
                brand.help_url,
                ticket.reference.as_str()
            ),
        ),
    ];
    let what = event.body_text.split(':').next().unwrap_or("SLA");
    letter(
        format!(
            "{} {what}: {}",
            ticket.subject_tag(),
            ticket.subject.as_str()
        ),
        &blocks,
        brand,
    )
}

/// One SLA run's steps for one agent: counts in the subject, the most urgent
/// steps first, each with its console link.
pub fn sla_digest(brand: &Brand, digest: &Digest) -> Letter {
    let mut counts = Vec::new();
    for (n, one, many) in [
        (digest.escalated, "escalation", "escalations"),
        (digest.breached, "breach", "breaches"),
        (digest.warned, "warning", "warnings"),
    ] {
        match n {
            0 => {}
            1 => counts.push(format!("1 {one}")),
            n => counts.push(format!("{n} {many}")),
        }
    }
    let counts = counts.join(", ");
    let mut blocks = vec![Block::Para(format!(
        "The last SLA check found {counts} on requests you look after."
    ))];
    for line in &digest.lines {
        blocks.push(Block::Para(format!(
            "{} in {}: \u{201c}{}\u{201d}\n{}",
            line.ticket.display(),
            line.category.as_str(),
            shorten(&line.subject, DIGEST_SUBJECT_CHARS),
            line.text,
        )));
        blocks.push(Block::Link(
            "Open it in the console".into(),
            format!("{}/agent/#/ticket/{}", brand.help_url, line.ticket.as_str()),
        ));
    }
    let rest = (digest.total as usize).saturating_sub(digest.lines.len());
    if rest > 0 {
        blocks.push(Block::Para(format!(
            "And {rest} more: the console's queues show them all, the most overdue first."
        )));
        blocks.push(Block::Link(
            "Open the console".into(),
            format!("{}/agent/", brand.help_url),
        ));
    }
    letter(format!("[{}] SLA: {counts}", brand.name), &blocks, brand)
}

/// One alert to an agent away from the console: what happened on which ticket.
pub fn alert(brand: &Brand, line: &AlertLine) -> Letter {
    let blocks = [
        Block::Para(alert_text(line)),
        Block::Link(
            "Open it in the console".into(),
            format!("{}/agent/#/ticket/{}", brand.help_url, line.ticket.as_str()),
        ),
        Block::Para(ALERT_FOOTER.into()),
    ];
    letter(
        format!(
            "[{}] {}: {}",
            line.ticket.display(),
            line.kind.said(),
            shorten(&line.subject, DIGEST_SUBJECT_CHARS)
        ),
        &blocks,
        brand,
    )
}

/// An agent's alerts of the last interval, in one mail.
pub fn alert_digest(brand: &Brand, digest: &AlertDigest) -> Letter {
    let count = digest.lines.len();
    let mut blocks = vec![Block::Para(format!(
        "While you were away from the console: {count} {}.",
        if count == 1 {
            "thing happened"
        } else {
            "things happened"
        }
    ))];
    for line in &digest.lines {
        blocks.push(Block::Para(alert_text(line)));
        blocks.push(Block::Link(
            "Open it in the console".into(),
            format!("{}/agent/#/ticket/{}", brand.help_url, line.ticket.as_str()),
        ));
    }
    blocks.push(Block::Para(ALERT_FOOTER.into()));
    letter(
        format!(
            "[{}] {count} {} while you were away",
            brand.name,
            if count == 1 { "alert" } else { "alerts" }
        ),
        &blocks,
        brand,
    )
}

const ALERT_FOOTER: &str = "You get this because of your alert choices in the console \
     (\u{201c}How you sign\u{201d}, Alerts by mail). Nothing is sent while you are in the console.";

fn alert_text(line: &AlertLine) -> String {
    format!(
        "{} \u{2014} {} in {} from {}: \u{201c}{}\u{201d} ({})",
        line.kind.said(),
        line.ticket.display(),
        line.category.as_str(),
        line.requester,
        shorten(&line.subject, DIGEST_SUBJECT_CHARS),
        line.at.format("%a %-d %b, %H:%M UTC"),
    )
}

/// How much of a ticket's subject a digest line repeats.
const DIGEST_SUBJECT_CHARS: usize = 80;

/// "Is your request solved?", and how we did while a rating can still be given
/// or changed (`ask_rating`).
pub fn resolution_request(brand: &Brand, ticket: &Ticket, link: &str, ask_rating: bool) -> Letter {
    let lang = ticket.language;
    let reference = ticket.reference.display();
    let mut blocks = vec![
        Block::Para(greeting(ticket)),
        Block::Para(lang.text("solved-ask", &[("reference", &reference)])),
        Block::Link(lang.text("solved-link", &[]), link.to_owned()),
    ];
    if ask_rating {
        blocks.extend(how_did_we_do(link, lang));
    }
    blocks.push(Block::Para(keep_reference(ticket)));
    letter(
        lang.text(
            "solved-subject",
            &[
                ("tag", &ticket.subject_tag()),
                ("subject", &their_subject(ticket)),
            ],
        ),
        &blocks,
        brand,
    )
}

/// "How did we do?": a link for each answer. Each opens the tracking page with
/// the answer chosen; one more click there records it, so a mail scanner that
/// follows every link records nothing (the choice rides in the fragment, which
/// never reaches a server).
fn how_did_we_do(link: &str, lang: Language) -> [Block; 3] {
    let joiner = if link.contains('#') { '&' } else { '#' };
    [
        Block::Para(lang.text("rate-ask", &[])),
        Block::Link(
            lang.text("rate-good", &[]),
            format!("{link}{joiner}rate=good"),
        ),
        Block::Link(
            lang.text("rate-bad", &[]),
            format!("{link}{joiner}rate=bad"),
        ),
    ]
}

/// "We are waiting for you" before a request closes on its own.
pub fn reminder(brand: &Brand, ticket: &Ticket, link: &str) -> Letter {
    let lang = ticket.language;
    let reference = ticket.reference.display();
    let blocks = [
        Block::Para(greeting(ticket)),
        Block::Para(lang.text("reminder-text", &[("reference", &reference)])),
        Block::Link(lang.text("reminder-link", &[]), link.to_owned()),
        Block::Para(keep_reference(ticket)),
    ];
    letter(
        lang.text(
            "reminder-subject",
            &[
                ("tag", &ticket.subject_tag()),
                ("subject", &their_subject(ticket)),
            ],
        ),
        &blocks,
        brand,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::ticket::{Channel, Requester};
    use crate::values::email::EmailAddress;
    use crate::values::ids::{CategoryId, TicketRef};
    use crate::values::text::{DisplayName, Subject};

    fn ticket() -> Ticket {
        Ticket::opened(
            TicketRef::from_bits(42),
            CategoryId::parse("billing").unwrap_or_else(|_| unreachable!()),
            Requester {
                name: DisplayName::from_mail("jane"),
                email: EmailAddress::parse("jane@example.com").unwrap_or_else(|_| unreachable!()),
            },
            Subject::parse("Refund").unwrap_or_else(|_| unreachable!()),
            Channel::Web,
            chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default(),
        )
    }

    #[test]
    fn the_solved_notice_asks_how_we_did_with_a_link_per_answer_that_records_nothing_itself() {
        let brand = Brand {
            name: "ACME Support".into(),
            help_url: "https://help.example".into(),
        };
        let link =
            "https://help.example/track/?ticket=ABCDE12345#token=0123456789abcdef0123456789abcdef";
        let letter = resolution_request(&brand, &ticket(), link, true);
        assert!(letter.text.contains("How did we do?"), "{}", letter.text);
        // The answer rides in the fragment: a scanner's GET sends none of it.
        assert!(
            letter.text.contains(&format!("{link}&rate=good")),
            "{}",
            letter.text
        );
        assert!(letter.text.contains(&format!("{link}&rate=bad")));
        assert!(letter.html.contains("rate=bad"));
        // A rating that can no longer change is not asked for again.
        let asked_before = resolution_request(&brand, &ticket(), link, false);
        assert!(!asked_before.text.contains("How did we do?"));
    }
}
