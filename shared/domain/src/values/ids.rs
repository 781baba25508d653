//! Identifiers. Each one parses from outside text and can't exist in an invalid form.

use serde::{Deserialize, Serialize};
use std::fmt;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Number of random Crockford base32 characters in a ticket reference (45 bits).
const REF_PAYLOAD: usize = 9;

/// The human ticket reference: nine random Crockford base32 characters and a
/// check character (Luhn mod 32), shown as `XXXXX-XXXXX`. Easy to read aloud (no
/// I, L, O or U), typo-proof (any single wrong character or swap of two neighbours
/// fails the check) and not enumerable (45 random bits).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TicketRef(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketRefError {
    #[error("must be 10 characters (letters and digits, dashes optional)")]
    Length,
    #[error("contains {0:?}, which is not used in references")]
    Character(char),
    #[error("has a typo: the check character does not match")]
    Checksum,
}

fn crockford_value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    CROCKFORD
        .iter()
        .position(|&b| b as char == c)
        .map(|p| p as u8)
}

fn luhn32_check(values: &[u8]) -> u8 {
    let mut sum: u32 = 0;
    for (i, &v) in values.iter().rev().enumerate() {
        let mut addend = u32::from(v) * if i % 2 == 0 { 2 } else { 1 };
        addend = addend / 32 + addend % 32;
        sum += addend;
    }
    ((32 - sum % 32) % 32) as u8
}

impl TicketRef {
    /// Builds a reference from 45 bits of (random) input.
    pub fn from_bits(bits: u64) -> Self {
        let mut values = [0u8; REF_PAYLOAD];
        for (i, v) in values.iter_mut().enumerate() {
            *v = ((bits >> (5 * (REF_PAYLOAD - 1 - i))) & 31) as u8;
        }
        let check = luhn32_check(&values);
        let text: String = values
            .iter()
            .chain(std::iter::once(&check))
            .map(|&v| CROCKFORD[v as usize] as char)
            .collect();
        Self(text)
    }

    pub fn random() -> Self {
        Self::from_bits(rand::random::<u64>())
    }

    /// Accepts what a person types: any case, dashes or spaces, a leading `#`,
    /// and the letters O, I and L for 0, 1 and 1.
    pub fn parse(input: &str) -> Result<Self, TicketRefError> {
        let mut values = Vec::with_capacity(REF_PAYLOAD + 1);
        for c in input.trim().trim_start_matches('#').chars() {
            if c == '-' || c == ' ' {
                continue;
            }
            if values.len() > REF_PAYLOAD {
                return Err(TicketRefError::Length);
            }
            values.push(crockford_value(c).ok_or(TicketRefError::Character(c))?);
        }
        if values.len() != REF_PAYLOAD + 1 {
            return Err(TicketRefError::Length);
        }
        if luhn32_check(&values[..REF_PAYLOAD]) != values[REF_PAYLOAD] {
            return Err(TicketRefError::Checksum);
        }
        Ok(Self(
            values
                .iter()
                .map(|&v| CROCKFORD[v as usize] as char)
                .collect(),
        ))
    }

    /// The valid references one typo away from `input` (which fails its check):
    /// one character changed, or two neighbours swapped. Empty when `input` is
    /// not ten reference characters.
    pub fn near(input: &str) -> Vec<Self> {
        let values: Vec<u8> = input
            .trim()
            .trim_start_matches('#')
            .chars()
            .filter(|c| *c != '-' && *c != ' ')
            .map(crockford_value)
            .collect::<Option<Vec<u8>>>()
            .unwrap_or_default();
        if values.len() != REF_PAYLOAD + 1 {
            return vec![];
        }
        let valid = |v: &[u8]| luhn32_check(&v[..REF_PAYLOAD]) == v[REF_PAYLOAD];
        let mut out: Vec<Vec<u8>> = Vec::new();
        for i in 0..values.len() {
            for c in 0..32u8 {
                let mut v = values.clone();
                v[i] = c;
                if c != values[i] && valid(&v) {
                    out.push(v);
                }
            }
        }
        for i in 0..values.len() - 1 {
            let mut v = values.clone();
            v.swap(i, i + 1);
            if v != values && valid(&v) {
                out.push(v);
            }
        }
        out.sort();
        out.dedup();
        out.into_iter()
            .map(|v| Self(v.iter().map(|&x| CROCKFORD[x as usize] as char).collect()))
            .collect()
    }

    /// The canonical 10-character form used in keys and URLs.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form shown to people: `XXXXX-XXXXX`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }
}

impl TryFrom<String> for TicketRef {
    type Error = TicketRefError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TicketRef> for String {
    fn from(value: TicketRef) -> Self {
        value.0
    }
}

impl fmt::Display for TicketRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl fmt::Debug for TicketRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TicketRef({})", self.display())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("must be between {min} and {max} characters")]
    Length { min: usize, max: usize },
    #[error("may only contain {allowed}")]
    Characters { allowed: &'static str },
}

/// Declares a string identifier with a length range and an allowed character set.
macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $min:expr, $max:expr, $allowed:expr, $pred:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(input: &str) -> Result<Self, IdError> {
                let len = input.chars().count();
                if !($min..=$max).contains(&len) {
                    return Err(IdError::Length { min: $min, max: $max });
                }
                let pred: fn(usize, char) -> bool = $pred;
                if !input.chars().enumerate().all(|(i, c)| pred(i, c)) {
                    return Err(IdError::Characters { allowed: $allowed });
                }
                Ok(Self(input.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }
    };
}

string_id!(
    /// A category slug such as `billing` or `technical-problem`.
    CategoryId,
    1,
    40,
    "lower-case letters, digits and dashes, starting with a letter or digit",
    |i, c| c.is_ascii_lowercase() || c.is_ascii_digit() || (i > 0 && c == '-')
);

string_id!(
    /// An agent's identity as the authorizer gives it (Cognito `sub` or username).
    AgentId,
    1,
    128,
    "letters, digits and . _ @ + -",
    |_, c| c.is_ascii_alphanumeric() || "._@+-".contains(c)
);

string_id!(
    /// A message's id inside its ticket: time-ordered, random suffix.
    MessageId,
    8,
    64,
    "letters, digits and -",
    |_, c| c.is_ascii_alphanumeric() || c == '-'
);

string_id!(
    /// One outgoing mail's outbox id: the key that makes sending exactly-once.
    OutboxId,
    8,
    64,
    "letters, digits and -",
    |_, c| c.is_ascii_alphanumeric() || c == '-'
);

string_id!(
    /// One SLA run's id: the key its digests are gathered under.
    RunId,
    8,
    40,
    "letters, digits and -",
    |_, c| c.is_ascii_alphanumeric() || c == '-'
);

string_id!(
    /// An FAQ entry's id.
    FaqId,
    1,
    64,
    "lower-case letters, digits and -",
    |_, c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
);

/// Message-IDs as stored and looked up: without angle brackets and white space.
pub fn normalize_message_id(raw: &str) -> Option<String> {
    let id = raw
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!id.is_empty() && id.len() <= 998 && !id.chars().any(|c| c.is_whitespace() || c.is_control()))
        .then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_single_typo_or_swap_is_one_step_from_its_reference() {
        for bits in [0u64, 1, 0x1F_FFFF_FFFF, 0x0ABC_DEF1_2345, 0x1234_5678_9ABC] {
            let r = TicketRef::from_bits(bits);
            let s: Vec<char> = r.as_str().chars().collect();
            for i in 0..s.len() {
                for c in CROCKFORD.iter().map(|&b| b as char).filter(|&c| c != s[i]) {
                    let mut typo = s.clone();
                    typo[i] = c;
                    let typed: String = typo.iter().collect();
                    assert_eq!(TicketRef::parse(&typed), Err(TicketRefError::Checksum));
                    assert!(TicketRef::near(&typed).contains(&r), "{typed} -> {r}");
                }
            }
            for i in 0..s.len() - 1 {
                let mut swapped = s.clone();
                swapped.swap(i, i + 1);
                if swapped != s {
                    let typed: String = swapped.iter().collect();
                    assert!(TicketRef::near(&typed).contains(&r), "{typed} -> {r}");
                }
            }
        }
        assert_eq!(TicketRef::near("short"), vec![]);
        assert_eq!(TicketRef::near("ÄÄÄÄÄÄÄÄÄÄ"), vec![]);
    }

    #[test]
    fn reference_reads_back_in_every_typed_form() {
        let r = TicketRef::from_bits(0x1234_5678_9ABC);
        let shown = r.display();
        assert_eq!(shown.len(), 11);
        assert_eq!(TicketRef::parse(&shown), Ok(r.clone()));
        assert_eq!(TicketRef::parse(&shown.to_lowercase()), Ok(r.clone()));
        assert_eq!(TicketRef::parse(&format!("#{}", r.as_str())), Ok(r.clone()));
        let with_o = r.as_str().replace('0', "O");
        assert_eq!(TicketRef::parse(&with_o), Ok(r));
    }

    #[test]
    fn reference_rejects_bad_input_with_a_reason() {
        assert_eq!(TicketRef::parse("ABC"), Err(TicketRefError::Length));
        assert_eq!(
            TicketRef::parse("ABCDE-FGHJU"),
            Err(TicketRefError::Character('U'))
        );
        assert_eq!(
            TicketRef::parse("ABCDEFGHJKMNP"),
            Err(TicketRefError::Length)
        );
    }

    #[test]
    fn ids_reject_bad_characters() {
        assert!(CategoryId::parse("billing").is_ok());
        assert!(CategoryId::parse("-billing").is_err());
        assert!(CategoryId::parse("Billing").is_err());
        assert!(CategoryId::parse("").is_err());
        assert!(AgentId::parse("ana@example.com").is_ok());
        assert!(AgentId::parse("ana\r\n").is_err());
    }

    proptest! {
        #[test]
        fn any_single_character_typo_is_caught(bits in any::<u64>(), pos in 0usize..10, replacement in 0usize..32) {
            let r = TicketRef::from_bits(bits);
            let mut chars: Vec<char> = r.as_str().chars().collect();
            let new = CROCKFORD[replacement] as char;
            prop_assume!(chars[pos] != new);
            chars[pos] = new;
            let typo: String = chars.into_iter().collect();
            prop_assert_eq!(TicketRef::parse(&typo), Err(TicketRefError::Checksum));
        }

        #[test]
        fn swapping_neighbours_is_caught(bits in any::<u64>(), pos in 0usize..9) {
            let r = TicketRef::from_bits(bits);
            let mut chars: Vec<char> = r.as_str().chars().collect();
            let (a, b) = (crockford_value(chars[pos]).unwrap_or(0), crockford_value(chars[pos + 1]).unwrap_or(0));
            // Like decimal Luhn (09 <-> 90), Luhn mod 32 misses only the swap of 0 and Z.
            prop_assume!(a != b && (a.min(b), a.max(b)) != (0, 31));
            chars.swap(pos, pos + 1);
            let typo: String = chars.into_iter().collect();
            prop_assert!(TicketRef::parse(&typo).is_err());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            if let Ok(r) = TicketRef::parse(&s) {
                prop_assert_eq!(r.as_str().len(), 10);
                prop_assert_eq!(TicketRef::parse(&r.display()), Ok(r.clone()));
            }
        }
    }
}
