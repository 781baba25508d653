//! Secret tokens (tracking links, one-click confirmations): random 128 bits, shown
//! once, stored only as their SHA-256 hash.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// A secret as it travels in a link. Never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a valid token")]
pub struct TokenError;

impl SecretToken {
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(hex::encode(bytes))
    }

    pub fn random() -> Self {
        Self::from_bytes(rand::random())
    }

    pub fn parse(input: &str) -> Result<Self, TokenError> {
        let t = input.trim();
        if t.len() == 32 && t.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(Self(t.to_ascii_lowercase()))
        } else {
            Err(TokenError)
        }
    }

    /// The text to put into a link.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(hex::encode(Sha256::digest(self.0.as_bytes())))
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken(..)")
    }
}

/// What is stored: the hex SHA-256 of a [`SecretToken`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TokenHash(String);

impl TokenHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Compares without leaking through timing where the first byte differs.
    pub fn matches(&self, token: &SecretToken) -> bool {
        let other = token.hash();
        self.0.len() == other.0.len()
            && self
                .0
                .bytes()
                .zip(other.0.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

impl TryFrom<String> for TokenHash {
    type Error = TokenError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if value.len() == 64 && value.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(Self(value))
        } else {
            Err(TokenError)
        }
    }
}

impl From<TokenHash> for String {
    fn from(value: TokenHash) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hash_matches_only_its_token_and_debug_hides_it() {
        let t = SecretToken::random();
        let h = t.hash();
        assert!(h.matches(&t));
        assert!(!h.matches(&SecretToken::random()));
        assert_eq!(format!("{t:?}"), "SecretToken(..)");
        assert_eq!(SecretToken::parse(t.expose()), Ok(t));
        assert!(SecretToken::parse("zz").is_err());
    }
}
