//! How the receiving server judged a mail: spam and virus scans, and whether
//! SPF, DKIM and DMARC vouch for its From address.

use crate::values::email::EmailAddress;
use serde::{Deserialize, Serialize};

/// What SES found, from the headers it adds on top of the message.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdicts {
    pub spam: Option<String>,
    pub virus: Option<String>,
    pub spf: Option<String>,
    pub dkim: Option<String>,
    pub dmarc: Option<String>,
    /// The From domain DMARC judged (`header.from`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dmarc_from: Option<String>,
    /// The domain of a DKIM signature that passed (`header.d`, or `header.i`'s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dkim_domain: Option<String>,
}

fn is(v: &Option<String>, what: &[&str]) -> bool {
    v.as_deref()
        .is_some_and(|v| what.iter().any(|w| v.eq_ignore_ascii_case(w)))
}

impl Verdicts {
    /// Does the receiving server's authentication say the From address is not the
    /// sender's? DMARC fails; or, with no DMARC pass, SPF fails and DKIM does not
    /// pass. (SPF alone fails for forwarded mail, and DKIM alone for a list that
    /// rewrites it; DMARC weighs both for the From domain.)
    pub fn unauthenticated(&self) -> bool {
        if is(&self.dmarc, &["fail"]) {
            return true;
        }
        !is(&self.dmarc, &["pass"])
            && is(&self.spf, &["fail", "softfail"])
            && !is(&self.dkim, &["pass"])
    }

    /// Does authentication vouch for `from` itself? DMARC passed for its domain,
    /// or a DKIM signature of its domain passed. Not failing is not enough: a
    /// domain without a DMARC record, or SPF for an envelope sender the attacker
    /// chose, says nothing about who wrote the From line.
    pub fn vouch_for(&self, from: &EmailAddress) -> bool {
        let domain = from.domain();
        let same =
            |d: &Option<String>| d.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(domain));
        (is(&self.dmarc, &["pass"]) && same(&self.dmarc_from))
            || (is(&self.dkim, &["pass"]) && same(&self.dkim_domain))
    }

    /// Spam or virus FAIL: quarantined, never ticketed or answered.
    pub fn failed(&self) -> Option<&'static str> {
        if self.virus.as_deref() == Some("FAIL") {
            Some("virus")
        } else if self.spam.as_deref() == Some("FAIL") {
            Some("spam")
        } else {
            None
        }
    }
}
