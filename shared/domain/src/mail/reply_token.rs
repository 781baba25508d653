//! The signed token that threads replies (README.md, "Mail"): an HMAC over the ticket and
//! the recipient, with a key id so keys can rotate. It travels in the plus-address
//! of our Reply-To (`support+<token>@domain`) and in a References id
//! (`<hd-<token>@domain>`), lower-case because mail systems may fold local parts.

use crate::values::email::EmailAddress;
use crate::values::ids::TicketRef;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of MAC kept: 80 bits, 20 hex digits, keeps the local part short.
const MAC_BYTES: usize = 10;
const THREAD_PREFIX: &str = "hd-";

#[derive(Clone)]
struct ReplyKey {
    id: String,
    secret: Vec<u8>,
}

/// The keys replies are signed with: the first signs, all verify (rotation: add a
/// new key in front, drop the old one once its mail is answered).
#[derive(Clone)]
pub struct ReplyKeys(Vec<ReplyKey>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyKeyError {
    #[error("no key given (expected `id:hexsecret[,id:hexsecret…]`)")]
    Empty,
    #[error("key {0:?}: the id must be 1 to 8 lower-case letters or digits")]
    BadId(String),
    #[error("key {0:?}: the secret must be at least 32 hex digits")]
    BadSecret(String),
}

impl fmt::Debug for ReplyKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.0.iter().map(|k| k.id.as_str()).collect();
        write!(f, "ReplyKeys({ids:?}, secrets hidden)")
    }
}

impl ReplyKeys {
    /// `k2:<hex>,k1:<hex>`: the first key signs.
    pub fn parse(spec: &str) -> Result<Self, ReplyKeyError> {
        let mut keys = Vec::new();
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (id, secret) = entry.split_once(':').unwrap_or((entry, ""));
            let id_ok = (1..=8).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
            if !id_ok {
                return Err(ReplyKeyError::BadId(id.to_owned()));
            }
            let secret = hex::decode(secret.trim())
                .ok()
                .filter(|s| s.len() >= 16)
                .ok_or_else(|| ReplyKeyError::BadSecret(id.to_owned()))?;
            keys.push(ReplyKey {
                id: id.to_owned(),
                secret,
            });
        }
        if keys.is_empty() {
            return Err(ReplyKeyError::Empty);
        }
        Ok(Self(keys))
    }

    fn mac(key: &ReplyKey, ticket: &TicketRef, recipient: &EmailAddress) -> Option<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(&key.secret).ok()?;
        mac.update(b"helpdesk-reply-v1\0");
        mac.update(ticket.as_str().as_bytes());
        mac.update(b"\0");
        mac.update(recipient.key().as_bytes());
        Some(mac)
    }

    /// The token for mail about `ticket` sent to `recipient`.
    pub fn sign(&self, ticket: &TicketRef, recipient: &EmailAddress) -> String {
        let key = &self.0[0];
        let tag = Self::mac(key, ticket, recipient)
            .map(|m| m.finalize().into_bytes())
            .map(|bytes| hex::encode(&bytes[..MAC_BYTES]))
            .unwrap_or_default();
        format!("{}-{}-{tag}", key.id, ticket.as_str().to_ascii_lowercase())
    }

    /// The ticket a token stands for, if it was signed by one of our keys for
    /// `sender`. Anything else (unknown key, altered ticket, other sender) is `None`.
    pub fn verify(&self, token: &str, sender: &EmailAddress) -> Option<TicketRef> {
        let token = token.trim().to_ascii_lowercase();
        let mut parts = token.split('-');
        let (id, reference, tag) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || tag.len() != MAC_BYTES * 2 {
            return None;
        }
        let key = self.0.iter().find(|k| k.id == id)?;
        let ticket = TicketRef::parse(reference).ok()?;
        let tag = hex::decode(tag).ok()?;
        // Constant-time comparison of the truncated tag.
        Self::mac(key, &ticket, sender)?
            .verify_truncated_left(&tag)
            .ok()?;
        Some(ticket)
    }

    /// `support+<token>@domain` for `base` = `support@domain`.
    pub fn reply_address(
        &self,
        base: &EmailAddress,
        ticket: &TicketRef,
        recipient: &EmailAddress,
    ) -> EmailAddress {
        let local = base.local_part();
        let local = local.split_once('+').map_or(local, |(b, _)| b);
        let tagged = format!("{local}+{}@{}", self.sign(ticket, recipient), base.domain());
        EmailAddress::parse(&tagged).unwrap_or_else(|_| base.clone())
    }

    /// Our thread id for References: `hd-<token>@domain` (without brackets).
    pub fn thread_id(&self, domain: &str, ticket: &TicketRef, recipient: &EmailAddress) -> String {
        format!("{THREAD_PREFIX}{}@{domain}", self.sign(ticket, recipient))
    }

    /// The ticket named by a `+token` in one of `addresses` at `domain`.
    pub fn find_in_addresses<'a>(
        &self,
        addresses: impl IntoIterator<Item = &'a EmailAddress>,
        domain: &str,
        sender: &EmailAddress,
    ) -> Option<TicketRef> {
        addresses
            .into_iter()
            .filter(|a| a.domain().eq_ignore_ascii_case(domain))
            .filter_map(|a| a.local_part().split_once('+').map(|(_, t)| t.to_owned()))
            .find_map(|token| self.verify(&token, sender))
    }

    /// The ticket named by one of our thread ids among `message_ids` (References,
    /// In-Reply-To), each without angle brackets.
    pub fn find_in_message_ids<'a>(
        &self,
        message_ids: impl IntoIterator<Item = &'a String>,
        domain: &str,
        sender: &EmailAddress,
    ) -> Option<TicketRef> {
        message_ids.into_iter().find_map(|id| {
            let (local, at) = id.rsplit_once('@')?;
            if !at.eq_ignore_ascii_case(domain) {
                return None;
            }
            let token = local
                .get(..THREAD_PREFIX.len())
                .filter(|p| p.eq_ignore_ascii_case(THREAD_PREFIX))
                .and_then(|_| local.get(THREAD_PREFIX.len()..))?;
            self.verify(token, sender)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keys() -> ReplyKeys {
        ReplyKeys::parse("k2:00112233445566778899aabbccddeeff,k1:ffeeddccbbaa99887766554433221100")
            .unwrap()
    }

    fn addr(s: &str) -> EmailAddress {
        EmailAddress::parse(s).unwrap()
    }

    #[test]
    fn a_token_verifies_for_its_recipient_only() {
        let t = TicketRef::from_bits(42);
        let ann = addr("Ann@Example.org");
        let token = keys().sign(&t, &ann);
        assert!(token.len() <= 40 && token == token.to_ascii_lowercase());
        assert_eq!(
            keys().verify(&token, &addr("ann@example.org")),
            Some(t.clone())
        );
        assert_eq!(keys().verify(&token.to_ascii_uppercase(), &ann), Some(t));
        assert_eq!(keys().verify(&token, &addr("mallory@example.org")), None);
    }

    #[test]
    fn altered_or_foreign_tokens_never_verify() {
        let t = TicketRef::from_bits(42);
        let ann = addr("ann@example.org");
        let token = keys().sign(&t, &ann);
        let other = TicketRef::from_bits(43);
        let swapped = token.replace(
            &t.as_str().to_ascii_lowercase(),
            &other.as_str().to_ascii_lowercase(),
        );
        assert_eq!(keys().verify(&swapped, &ann), None);
        let foreign = ReplyKeys::parse("k2:0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(foreign.verify(&token, &ann), None);
        assert_eq!(keys().verify("k9-x-y", &ann), None);
        assert_eq!(keys().verify("", &ann), None);
    }

    #[test]
    fn rotated_keys_still_verify_old_mail() {
        let t = TicketRef::from_bits(7);
        let ann = addr("ann@example.org");
        let old = ReplyKeys::parse("k1:ffeeddccbbaa99887766554433221100").unwrap();
        let token = old.sign(&t, &ann);
        assert!(token.starts_with("k1-"));
        assert_eq!(keys().verify(&token, &ann), Some(t));
    }

    #[test]
    fn tokens_are_found_in_reply_addresses_and_thread_ids() {
        let t = TicketRef::from_bits(9);
        let ann = addr("ann@example.org");
        let support = addr("support@help.example.com");
        let reply_to = keys().reply_address(&support, &t, &ann);
        assert!(reply_to.local_part().len() <= 64);
        assert_eq!(
            keys().find_in_addresses([&support, &reply_to], "help.example.com", &ann),
            Some(t.clone())
        );
        assert_eq!(
            keys().find_in_addresses([&reply_to], "elsewhere.example", &ann),
            None
        );
        let thread = keys().thread_id("help.example.com", &t, &ann);
        assert_eq!(
            keys().find_in_message_ids([&"x@y".to_owned(), &thread], "help.example.com", &ann),
            Some(t)
        );
    }

    #[test]
    fn bad_key_specs_are_named() {
        assert_eq!(ReplyKeys::parse(" ").unwrap_err(), ReplyKeyError::Empty);
        assert_eq!(
            ReplyKeys::parse("K1:00112233445566778899aabbccddeeff").unwrap_err(),
            ReplyKeyError::BadId("K1".into())
        );
        assert_eq!(
            ReplyKeys::parse("k1:abcd").unwrap_err(),
            ReplyKeyError::BadSecret("k1".into())
        );
        assert!(!format!("{:?}", keys()).contains("0011"));
    }

    proptest! {
        #[test]
        fn verify_never_panics_and_never_accepts_noise(s in "\\PC{0,60}") {
            let ann = addr("ann@example.org");
            prop_assert_eq!(keys().verify(&s, &ann), None);
        }
    }
}
