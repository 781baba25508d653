//! Time-based one-time passwords as authenticator apps make them (RFC 6238 over
//! RFC 4226: HMAC-SHA1, 30-second steps, 6 digits), with the secret in base32 as
//! Cognito's `AssociateSoftwareToken` hands it out. The local user pool checks
//! codes with it; tests make codes with it.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per code.
pub const STEP: i64 = 30;
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A fresh 160-bit secret, base32 (32 characters), as authenticator apps take it.
pub fn new_secret() -> String {
    encode(&rand::random::<[u8; 20]>())
}

/// Base32 without padding (RFC 4648).
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Base32 as people type it: any case, spaces and padding ignored; `None` for
/// any other character.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let upper = c.to_ascii_uppercase();
        let value = ALPHABET.iter().position(|&a| char::from(a) == upper)?;
        buffer = (buffer << 5) | u32::try_from(value).ok()?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// The code for `secret` (base32) at Unix time `now`; `None` if the secret is not
/// base32.
pub fn code(secret: &str, now: i64) -> Option<String> {
    let key = decode(secret)?;
    Some(hotp(&key, u64::try_from(now.div_euclid(STEP)).ok()?))
}

fn hotp(key: &[u8], counter: u64) -> String {
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let word = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!("{:06}", word % 1_000_000)
}

/// The 30-second step whose code `typed` is, if it is this step's or the one
/// before or after (a phone's clock may be off by a few seconds, as Cognito
/// allows).
pub fn step_of(secret: &str, typed: &str, now: i64) -> Option<i64> {
    let typed = typed.trim();
    if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    [-STEP, 0, STEP].iter().find_map(|d| {
        let at = now + d;
        code(secret, at)
            .filter(|c| constant_time_eq(c.as_bytes(), typed.as_bytes()))
            .map(|_| at.div_euclid(STEP))
    })
}

/// Does `typed` match the code of this step or the one either side?
pub fn accepts(secret: &str, typed: &str, now: i64) -> bool {
    step_of(secret, typed, now).is_some()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's SHA-1 test vectors (secret "12345678901234567890", 8 digits
    /// there; the last six digits here).
    #[test]
    fn codes_match_the_rfc_vectors() {
        let secret = encode(b"12345678901234567890");
        assert_eq!(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        for (time, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(
                code(&secret, time).as_deref(),
                Some(&eight[2..]),
                "t={time}"
            );
        }
    }

    #[test]
    fn base32_round_trips_and_refuses_other_characters() {
        for len in 0..25 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(decode(&encode(&bytes)), Some(bytes));
        }
        assert_eq!(decode("gezd gnbv"), decode("GEZDGNBV"));
        assert_eq!(decode("GEZ1"), None, "1 is not base32");
        assert_eq!(code("not base32!", 0), None);
    }

    #[test]
    fn a_code_holds_for_the_step_either_side_and_no_further() {
        let secret = encode(b"a secret of twenty b");
        let now = 1_800_000_015;
        let current = code(&secret, now).unwrap_or_default();
        assert!(accepts(&secret, &current, now));
        assert!(accepts(&secret, &format!(" {current} "), now));
        assert!(accepts(&secret, &current, now + STEP));
        assert!(accepts(&secret, &current, now - STEP));
        assert!(!accepts(&secret, &current, now + 3 * STEP));
        assert!(!accepts(&secret, "12345", now));
        assert!(!accepts(&secret, "abcdef", now));
        assert!(
            !accepts(&encode(b"another secret of 20"), &current, now),
            "another secret's code"
        );
        assert_eq!(new_secret().len(), 32);
        assert_ne!(new_secret(), new_secret());
    }
}
