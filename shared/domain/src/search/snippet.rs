//! The few words around a hit, shown under a search result with the matching
//! words marked. Parts of plain text: the console shows them as text nodes,
//! never as HTML.

use super::query::Word;
use super::terms;

/// About how long a snippet is.
pub const SNIPPET_CHARS: usize = 160;
/// How much comes before the first hit.
const LEAD_CHARS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Part {
    pub text: String,
    /// A word the query matched.
    pub hit: bool,
}

/// The window of `text` around the first word matching one of `words`, its
/// matches marked; the start of the text when none matches there (the hit was
/// in the subject).
pub fn snippet(text: &str, words: &[Word]) -> Vec<Part> {
    let tokens = terms::tokens(text);
    let matching = |t: &terms::Token| words.iter().any(|w| w.matches(&t.term));
    let first = tokens.iter().find(|t| matching(t)).map_or(0, |t| t.start);
    let start = back_chars(text, first, LEAD_CHARS);
    // Start at a word's beginning, not in its middle.
    let start = tokens
        .iter()
        .map(|t| t.start)
        .find(|&s| s >= start && s <= first)
        .unwrap_or(start);
    let end = forward_chars(text, start, SNIPPET_CHARS);
    let mut parts = Vec::new();
    if start > 0 {
        parts.push(Part {
            text: "… ".into(),
            hit: false,
        });
    }
    let mut at = start;
    for t in tokens
        .iter()
        .filter(|t| t.start >= start && t.end <= end && matching(t))
    {
        if t.start > at {
            parts.push(plain(&text[at..t.start], false));
        }
        parts.push(plain(&text[t.start..t.end], true));
        at = t.end;
    }
    if end > at {
        parts.push(plain(&text[at..end], false));
    }
    if end < text.len() {
        parts.push(Part {
            text: " …".into(),
            hit: false,
        });
    }
    parts.retain(|p| !p.text.is_empty());
    parts
}

/// Line breaks and runs of spaces read as one space.
fn plain(s: &str, hit: bool) -> Part {
    let mut text = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                text.push(' ');
            }
            space = false;
            text.push(c);
        }
    }
    if space {
        text.push(' ');
    }
    Part { text, hit }
}

fn back_chars(text: &str, from: usize, n: usize) -> usize {
    text[..from]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

fn forward_chars(text: &str, from: usize, n: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::WordQuery;

    fn shown(parts: &[Part]) -> String {
        parts
            .iter()
            .map(|p| {
                if p.hit {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn the_window_opens_before_the_first_hit_and_marks_every_hit_in_it() {
        let text = format!(
            "{} Hello, my order A-10023 was charged twice.\nPlease refund the second charge.",
            "filler ".repeat(30)
        );
        let parts = snippet(&text, &WordQuery::words_of("charges refund "));
        let s = shown(&parts);
        assert!(s.starts_with("… "), "{s}");
        assert!(
            s.contains("was [charged] twice. Please [refund] the second [charge]."),
            "{s}"
        );
        assert!(!s.contains('\n'));
    }

    #[test]
    fn no_hit_in_the_text_shows_its_start_and_an_empty_text_nothing() {
        let parts = snippet("Short text here", &WordQuery::words_of("absent"));
        assert_eq!(shown(&parts), "Short text here");
        assert!(snippet("", &WordQuery::words_of("x")).is_empty());
    }

    #[test]
    fn multibyte_text_is_cut_at_characters() {
        let text = "é".repeat(400) + " Straße " + &"ü".repeat(400);
        let parts = snippet(&text, &WordQuery::words_of("strasse"));
        assert!(shown(&parts).contains("[Straße]"));
    }
}
