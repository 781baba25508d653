//! How text becomes search terms, the same for what is indexed and what is
//! asked: words are runs of letters and digits, lower-cased, folded to plain
//! letters (é = e, ß = ss, æ = ae) and lightly stemmed ("refunds", "refunded"
//! and "refunding" are all "refund"). Words with digits (order numbers,
//! serials) are kept as they are, only folded.

/// A word longer than this is no word anyone types (base64, a hash): skipped.
pub const MAX_WORD_CHARS: usize = 40;

/// One word of a text: its term and where it stands (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub term: String,
    pub start: usize,
    pub end: usize,
}

/// The words of `text`, in order, as terms.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                start = None;
                let word = &text[s..i];
                if word.chars().count() <= MAX_WORD_CHARS {
                    out.push(Token {
                        term: term(word),
                        start: s,
                        end: i,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// One word as its term: folded, then stemmed.
pub fn term(word: &str) -> String {
    stem(&fold(word))
}

/// Lower case without diacritics: "Éclair" is "eclair", "Straße" is "strasse".
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        match plain(c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    out
}

/// The light stem: plural and past endings off, so a word and its forms meet.
/// Only letters are stemmed; at least three characters stay.
pub fn stem(folded: &str) -> String {
    if folded.chars().any(|c| c.is_numeric()) {
        return folded.to_owned();
    }
    for suffix in ["ing", "ed", "es", "e", "s"] {
        if let Some(rest) = folded.strip_suffix(suffix) {
            // "address" keeps its double s; "addresses" loses only "es".
            if suffix == "s" && rest.ends_with('s') {
                continue;
            }
            if rest.chars().count() >= 3 {
                return rest.to_owned();
            }
        }
    }
    folded.to_owned()
}

fn plain(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.term).collect()
    }

    #[test]
    fn diacritics_and_case_fold_away() {
        assert_eq!(
            terms("Éclair CAFÉ Straße Ærø"),
            ["eclair", "caf", "strass", "aero"]
        );
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(term("strasse"), term("Straße"));
    }

    #[test]
    fn forms_of_a_word_meet() {
        for word in ["refund", "refunds", "refunded", "refunding"] {
            assert_eq!(term(word), "refund", "{word}");
        }
        for word in ["charge", "charges", "charged", "charging"] {
            assert_eq!(term(word), "charg", "{word}");
        }
        assert_eq!(term("address"), term("addresses"));
        assert_eq!(term("box"), term("boxes"));
        // Short words stay whole.
        assert_eq!(term("is"), "is");
        assert_eq!(term("uses"), "use");
    }

    #[test]
    fn numbers_are_kept_whole_and_offsets_point_at_the_words() {
        let text = "Order A-10023, serials 5XS88ed.";
        let found = tokens(text);
        let words: Vec<&str> = found.iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(words, ["Order", "A", "10023", "serials", "5XS88ed"]);
        assert_eq!(
            found[4].term, "5xs88ed",
            "a word with digits is not stemmed"
        );
        assert_eq!(found[2].term, "10023");
    }

    #[test]
    fn overlong_words_and_symbols_are_no_terms() {
        let long = "x".repeat(MAX_WORD_CHARS + 1);
        assert!(terms(&format!("{long} — !!! ")).is_empty());
        assert_eq!(terms("ok 日本語"), ["ok", "日本語"]);
    }
}
