//! The new part of a reply: what the customer wrote above the quoted thread and
//! their signature. Recognises the reply markers of Gmail, Outlook, Apple Mail and
//! Thunderbird (English and a few common languages) and `-- ` signatures.

/// "On <date>, <name> wrote:" and its translations; may wrap over two lines.
fn is_attribution(line: &str, next: Option<&str>) -> bool {
    let l = line.trim();
    let starts = ["On ", "Am ", "Le ", "El ", "Il ", "Op ", "Em "];
    let verbs = [
        "wrote",
        "schrieb",
        "a écrit",
        "escribió",
        "ha scritto",
        "schreef",
        "escreveu",
    ];
    if !starts.iter().any(|s| l.starts_with(s)) {
        return false;
    }
    let says = |s: &str| s.trim_end().ends_with(':') && verbs.iter().any(|v| s.contains(v));
    says(l) || next.is_some_and(|n| !n.trim().is_empty() && says(&format!("{l} {}", n.trim())))
}

/// Outlook: "-----Original Message-----", or a header block "From: … Sent: …".
fn is_outlook_header(lines: &[&str], i: usize) -> bool {
    let l = lines[i].trim();
    if l.starts_with("-----Original Message-----")
        || l.starts_with("-----Ursprüngliche Nachricht-----")
        || l.starts_with("-------- Original Message --------")
    {
        return true;
    }
    let from = ["From:", "Von:", "De :", "De:", "*From:*"];
    if !from.iter().any(|f| l.starts_with(f)) {
        return false;
    }
    let window = &lines[i + 1..lines.len().min(i + 5)];
    let has = |keys: &[&str]| {
        window
            .iter()
            .any(|w| keys.iter().any(|k| w.trim().starts_with(k)))
    };
    has(&["Sent:", "Date:", "Gesendet:", "Envoyé :", "*Sent:*"])
        && has(&[
            "To:", "Subject:", "An:", "Betreff:", "À :", "Objet :", "*To:*",
        ])
}

fn is_signature_start(line: &str) -> bool {
    let l = line.trim_end_matches('\r');
    l == "-- "
        || l == "--"
        || l.starts_with("Sent from my ")
        || l.starts_with("Get Outlook for ")
        || l.starts_with("Von meinem iPhone gesendet")
}

/// The text above the first reply marker, quote block or signature; the whole
/// text when nothing new would remain.
pub fn strip(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate() {
        let next = lines.get(i + 1).copied();
        let outlook_rule = line.trim().starts_with("________________________________")
            && next.is_some_and(|n| {
                n.trim_start().starts_with("From:") || n.trim_start().starts_with("Von:")
            });
        if is_attribution(line, next)
            || is_outlook_header(&lines, i)
            || outlook_rule
            || is_signature_start(line)
        {
            end = i;
            break;
        }
    }
    // A trailing block of `>` lines (bottom-quoting without an attribution).
    while end > 0 {
        let l = lines[end - 1].trim();
        if l.starts_with('>') || l.is_empty() {
            end -= 1;
        } else {
            break;
        }
    }
    let kept = lines[..end].join("\n").trim().to_owned();
    if kept.is_empty() {
        text.trim().to_owned()
    } else {
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_reply_marker_cuts_the_quote() {
        let t = "Thanks, that worked!\n\nOn Mon, 2 Mar 2026 at 10:15, Support <support+x@help.example.com> wrote:\n> Please restart the router.\n";
        assert_eq!(strip(t), "Thanks, that worked!");
    }

    #[test]
    fn wrapped_attribution_and_other_languages() {
        let t = "Still broken.\n\nOn Mon, 2 Mar 2026 at 10:15, Support Team <\nsupport@help.example.com> wrote:\n> old";
        assert_eq!(strip(t), "Still broken.");
        let de =
            "Danke!\n\nAm 02.03.2026 um 10:15 schrieb Support <support@help.example.com>:\n> alt";
        assert_eq!(strip(de), "Danke!");
    }

    #[test]
    fn outlook_header_blocks_cut_the_quote() {
        let t = "Here is the serial: 12345\r\n\r\n________________________________\r\nFrom: Support <support@help.example.com>\r\nSent: Monday, March 2, 2026 10:15 AM\r\nTo: Ann\r\nSubject: Re: [#ABC] Router\r\n\r\nold text";
        assert_eq!(strip(t), "Here is the serial: 12345");
        let t2 = "Yes.\n\n-----Original Message-----\nFrom: Support\nold";
        assert_eq!(strip(t2), "Yes.");
        let t3 = "Fine.\n\nFrom: Support <support@help.example.com>\nDate: Mon, 2 Mar 2026\nTo: Ann\nSubject: x\n\nold";
        assert_eq!(strip(t3), "Fine.");
    }

    #[test]
    fn signatures_and_bottom_quotes_go() {
        let t = "Works now.\n\n-- \nAnn Example\nACME Ltd";
        assert_eq!(strip(t), "Works now.");
        let t2 = "Sure thing\n\nSent from my iPhone";
        assert_eq!(strip(t2), "Sure thing");
        let t3 = "My answer\n\n> quoted\n> more";
        assert_eq!(strip(t3), "My answer");
    }

    #[test]
    fn a_mail_that_is_all_quote_keeps_its_text() {
        let t = "> only a quote";
        assert_eq!(strip(t), "> only a quote");
        assert_eq!(
            strip("plain message\nwith two lines"),
            "plain message\nwith two lines"
        );
    }

    #[test]
    fn ordinary_sentences_starting_with_on_are_kept() {
        let t = "On Monday the device stopped.\nIt shows error 42.";
        assert_eq!(strip(t), t);
    }
}
