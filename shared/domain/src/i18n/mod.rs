//! The languages customers read us in, and the words they read: one catalog per
//! language (`locales/<language>.ftl`, a small part of Fluent's syntax: `key =
//! text`, `{ $name }` for a value, an indented line continues the text before,
//! `#` a comment). A ticket remembers its customer's language; every mail to
//! them is written from its catalog.

use chrono::{DateTime, Datelike, TimeZone, Timelike};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    En,
    De,
}

const EN: &str = include_str!("../../locales/en.ftl");
const DE: &str = include_str!("../../locales/de.ftl");

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::De];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::De => "de",
        }
    }

    /// `en`, `de`, or a tag of either (`de-AT`, `en_GB`), any case.
    pub fn parse(input: &str) -> Result<Language, String> {
        let primary = input
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Ok(Language::En),
            "de" => Ok(Language::De),
            _ => Err("must be en or de".into()),
        }
    }

    /// The language an `Accept-Language` header (or a mail's `Content-Language`)
    /// prefers most among ours: the highest `q`, the first of equals; `None` when
    /// it names none of ours. Anything unreadable counts as not named.
    pub fn preferred(header: &str) -> Option<Language> {
        let mut best: Option<(u16, Language)> = None;
        for part in header.split(',').take(32) {
            let mut pieces = part.split(';');
            let Ok(language) = Language::parse(pieces.next().unwrap_or_default()) else {
                continue;
            };
            let q = pieces
                .find_map(|p| {
                    let (name, value) = p.split_once('=')?;
                    name.trim().eq_ignore_ascii_case("q").then_some(value)
                })
                .map_or(Some(1000), quality);
            if let Some(q) = q.filter(|q| *q > 0)
                && best.is_none_or(|(b, _)| q > b)
            {
                best = Some((q, language));
            }
        }
        best.map(|(_, l)| l)
    }

    /// The message `key`, its `{ $name }` values filled in from `args`. A key
    /// this language lacks is taken from English (the tests keep both whole).
    pub fn text(self, key: &str, args: &[(&str, &str)]) -> String {
        let message = catalog(self)
            .get(key)
            .or_else(|| catalog(Language::En).get(key))
            .map_or(key, String::as_str);
        fill(message, args)
    }

    /// A moment in `zone`, the zone named: "Do., 5. März 2026, 10:00 Uhr
    /// (Europe/Berlin)".
    pub fn date_time_in(self, at: DateTime<chrono::Utc>, zone: chrono_tz::Tz) -> String {
        format!(
            "{} ({})",
            self.date_time(&at.with_timezone(&zone)),
            zone.name()
        )
    }

    /// A date and time as this language writes it: "Thu 5 Mar 2026, 10:00",
    /// "Do., 5. März 2026, 10:00".
    pub fn date_time<Tz: TimeZone>(self, at: &DateTime<Tz>) -> String {
        let nth = |key: &str, i: usize| {
            self.text(key, &[])
                .split_whitespace()
                .nth(i)
                .unwrap_or_default()
                .to_owned()
        };
        let weekday = nth("weekdays", at.weekday().num_days_from_monday() as usize);
        let month = nth("months", at.month0() as usize);
        let (day, year) = (at.day().to_string(), at.year().to_string());
        let time = format!("{:02}:{:02}", at.hour(), at.minute());
        self.text(
            "date-time",
            &[
                ("weekday", &weekday),
                ("day", &day),
                ("month", &month),
                ("year", &year),
                ("time", &time),
            ],
        )
    }
}

/// `q=0.8` in thousandths; `None` when it is not a number from 0 to 1.
fn quality(text: &str) -> Option<u16> {
    let value: f32 = text.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

/// Fills each `{ $name }` of the message once, left to right: a value is never
/// read again, so a customer's subject that says `{ $tag }` stays as written.
fn fill(message: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find("{ $") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        match after.split_once(" }") {
            Some((name, tail)) if args.iter().any(|(n, _)| *n == name) => {
                let value = args.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| v);
                out.push_str(value);
                rest = tail;
            }
            _ => {
                out.push_str("{ $");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn catalog(language: Language) -> &'static BTreeMap<String, String> {
    static CATALOGS: OnceLock<[BTreeMap<String, String>; 2]> = OnceLock::new();
    let all = CATALOGS.get_or_init(|| {
        // A catalog that does not read is caught by the tests; here its good
        // lines still count.
        [parse(EN).0, parse(DE).0]
    });
    match language {
        Language::En => &all[0],
        Language::De => &all[1],
    }
}

/// The messages of a catalog's text, and what is wrong with it (a line that is
/// neither a message nor a continuation nor a comment, a key given twice).
fn parse(text: &str) -> (BTreeMap<String, String>, Vec<String>) {
    let mut messages: BTreeMap<String, String> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut last: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            last = None;
            continue;
        }
        if line.starts_with(' ') {
            match last.as_ref().and_then(|k| messages.get_mut(k)) {
                Some(message) => {
                    message.push(' ');
                    message.push_str(line.trim());
                }
                None => problems.push(format!("line {}: a continuation of nothing", n + 1)),
            }
            continue;
        }
        let Some((key, value)) = line.split_once(" = ") else {
            problems.push(format!("line {}: not `key = text`", n + 1));
            continue;
        };
        let key = key.trim().to_owned();
        if value.trim().is_empty() {
            problems.push(format!("line {}: {key} says nothing", n + 1));
        }
        if !key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            problems.push(format!("line {}: the key {key:?}", n + 1));
        }
        if messages
            .insert(key.clone(), value.trim().to_owned())
            .is_some()
        {
            problems.push(format!("line {}: {key} given twice", n + 1));
        }
        last = Some(key);
    }
    (messages, problems)
}

/// The `{ $name }` values a message takes.
#[cfg(test)]
fn placeholders(message: &str) -> std::collections::BTreeSet<&str> {
    message
        .split("{ $")
        .skip(1)
        .filter_map(|rest| rest.split_once(" }").map(|(name, _)| name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_reads_and_has_every_key_with_the_same_values() {
        let (en, problems) = parse(EN);
        assert_eq!(problems, Vec::<String>::new(), "en.ftl");
        for language in Language::ALL.into_iter().filter(|l| *l != Language::En) {
            let text = match language {
                Language::En => EN,
                Language::De => DE,
            };
            let (other, problems) = parse(text);
            assert_eq!(problems, Vec::<String>::new(), "{}.ftl", language.as_str());
            let missing: Vec<&String> = en.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<&String> = other.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}.ftl lacks {missing:?} and has {extra:?} beyond en.ftl",
                language.as_str()
            );
            for (key, message) in &en {
                assert_eq!(
                    placeholders(message),
                    placeholders(&other[key]),
                    "{key} in {}.ftl takes other values",
                    language.as_str()
                );
            }
            for key in ["weekdays", "months"] {
                assert_eq!(
                    other[key].split_whitespace().count(),
                    en[key].split_whitespace().count(),
                    "{key}"
                );
            }
        }
    }

    #[test]
    fn every_key_the_code_names_is_in_the_catalog() {
        // The mails' words are looked up by key: a misspelt key would show
        // itself to the customer. Every literal shaped like a key counts, also
        // one handed to `text` through a variable.
        let code = [
            include_str!("../mail/outbound/render.rs"),
            include_str!("mod.rs"),
            include_str!("../tickets/ticket.rs"),
            include_str!("../sla/policy.rs"),
            include_str!("../values/email.rs"),
            include_str!("../values/text.rs"),
            include_str!("../catalog/category.rs"),
            include_str!("../customers/intake.rs"),
            include_str!("../customers/tracking.rs"),
            include_str!("../customers/attachments.rs"),
        ];
        let (en, _) = parse(EN);
        let keyish = |s: &str| {
            s.contains('-')
                && !s.starts_with('-')
                && !s.ends_with('-')
                && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        };
        // Every stretch between two quotes (literals and the code between them
        // alike: only a literal is shaped like a key).
        let named: Vec<&str> = code
            .iter()
            .flat_map(|c| c.split('"').skip(1))
            .filter(|s| keyish(s))
            // The scanners' own examples, in the tests below.
            .filter(|s| !["no-such-key", "a-b", "c-d", "e-f", "h-i"].contains(s))
            .collect();
        for key in [
            "confirmation-subject",
            "reply-subject",
            "reply-you-wrote",
            "status-waiting",
            "date-time",
        ] {
            assert!(named.contains(&key), "the scan sees {key}");
        }
        for key in named {
            assert!(en.contains_key(key), "{key} is not in en.ftl");
        }
        for key in ["weekdays", "months", "days-full"] {
            assert!(en.contains_key(key));
        }
    }

    /// Every file under `dir` (recursively) whose name ends in `suffix`.
    fn files(dir: &std::path::Path, suffix: &str) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files(&path, suffix));
            } else if path.to_string_lossy().ends_with(suffix) {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                found.push((path.display().to_string(), text));
            }
        }
        found
    }

    /// The keys a help-center script asks for: every quoted literal inside a
    /// call of `t(…)` (also one chosen by `? :`).
    fn keys_in_script(script: &str) -> Vec<String> {
        let mut keys = Vec::new();
        let bytes = script.as_bytes();
        for (at, _) in script.match_indices("t(") {
            let starts_call = at == 0 || {
                let before = bytes[at - 1];
                !(before.is_ascii_alphanumeric() || before == b'_' || before == b'.')
            };
            if !starts_call {
                continue;
            }
            let (mut depth, mut end) = (0usize, at + 1);
            for (i, b) in script[at + 1..].bytes().enumerate() {
                match b {
                    b'(' => depth += 1,
                    b')' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = at + 1 + i;
                    break;
                }
            }
            for literal in script[at + 2..end].split('"').skip(1).step_by(2) {
                if literal.contains('-')
                    && literal
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                {
                    keys.push(literal.to_owned());
                }
            }
        }
        keys
    }

    #[test]
    fn every_word_the_pages_ask_for_is_in_the_catalog() {
        // The pages look their words up in this same catalog (web/assets/i18n.js):
        // `data-i18n="key"` in the HTML, `t("key")` in the scripts.
        let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web");
        let (en, _) = parse(EN);
        let mut named: Vec<(String, String)> = Vec::new();
        for (path, html) in files(&web.join("help"), ".html") {
            for rest in html.split("data-i18n=\"").skip(1) {
                let key = rest.split('"').next().unwrap_or_default();
                named.push((path.clone(), key.to_owned()));
            }
        }
        for (path, script) in files(&web.join("assets"), ".js") {
            named.extend(
                keys_in_script(&script)
                    .into_iter()
                    .map(|k| (path.clone(), k)),
            );
        }
        for key in [
            "help-title",
            "form-found",
            "track-rated-good-final",
            "answer-thanks-no",
            "mine-line",
            "page-size-mb",
        ] {
            assert!(named.iter().any(|(_, k)| k == key), "the scan sees {key}");
        }
        for (path, key) in &named {
            assert!(
                en.contains_key(key),
                "{path} asks for {key}, which en.ftl lacks"
            );
        }
        assert!(
            keys_in_script("x = t(ok ? \"a-b\" : \"c-d\", { n: f(\"e-f\") }); g(\"h-i\")")
                == ["a-b", "c-d", "e-f"]
        );
        // The pages fetch the catalogs from /assets/locales/ (a link to these).
        for language in Language::ALL {
            let served = web.join(format!("assets/locales/{}.ftl", language.as_str()));
            let text = std::fs::read_to_string(&served).unwrap_or_default();
            let own = match language {
                Language::En => EN,
                Language::De => DE,
            };
            assert_eq!(text, own, "{} is the catalog", served.display());
        }
    }

    #[test]
    fn the_preferred_language_follows_the_quality_values() {
        for (header, expected) in [
            ("de-DE,de;q=0.9,en;q=0.8", Some(Language::De)),
            ("en-US,en;q=0.9,de;q=0.8", Some(Language::En)),
            ("fr-FR,fr;q=0.9,de;q=0.5", Some(Language::De)),
            ("fr, it", None),
            ("en;q=0.1, de;q=0.7", Some(Language::De)),
            ("de;q=0, en;q=0.2", Some(Language::En)),
            ("de;q=2, en;q=abc", None),
            ("en;Q=0.2, de; q = 0.6", Some(Language::De)),
            ("", None),
            ("*", None),
        ] {
            assert_eq!(Language::preferred(header), expected, "{header}");
        }
        assert_eq!(Language::parse("DE-at"), Ok(Language::De));
        assert!(Language::parse("fr").is_err());
    }

    #[test]
    fn a_message_is_filled_in_and_a_date_is_written_the_language_s_way() {
        assert_eq!(
            Language::De.text("greeting-named", &[("name", "Jana")]),
            "Guten Tag Jana,"
        );
        assert_eq!(
            Language::En.text("confirmation-received", &[("reference", "AB12C-DE34F")]),
            "thank you for contacting us. We received your request and gave it the reference AB12C-DE34F."
        );
        assert_eq!(Language::De.text("no-such-key", &[]), "no-such-key");
        // A value is never read again: a subject saying `{ $tag }` stays so.
        assert_eq!(
            Language::En.text(
                "reply-subject",
                &[("subject", "Why { $tag }?"), ("tag", "[#X]")]
            ),
            "Re: Why { $tag }? [#X]"
        );
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 3, 5, 9, 7, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(Language::En.date_time(&at), "Thu 5 Mar 2026, 09:07");
        assert_eq!(Language::De.date_time(&at), "Do., 5. März 2026, 09:07 Uhr");
    }
}
