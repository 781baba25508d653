//! Who is asking: the visitor's network address, which per-client limits count.
//!
//! Behind CloudFront, API Gateway's `sourceIp` is the edge server's address, shared
//! by every visitor that edge serves. CloudFront puts the visitor's own address in
//! `CloudFront-Viewer-Address` (`ip:port`), but anyone can send that header to the
//! API's own domain name; so CloudFront also adds a secret header, and only a
//! request carrying the secret is served and believed.

use crate::http::ApiError;
use axum::http::{HeaderMap, StatusCode};
use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// The header CloudFront adds to every request it forwards to the API.
pub const ORIGIN_SECRET_HEADER: &str = "x-origin-verify";
/// The visitor's address and port, added by CloudFront (origin request policy).
pub const VIEWER_ADDRESS_HEADER: &str = "cloudfront-viewer-address";

#[derive(Clone, PartialEq, Eq)]
pub enum ClientAddress {
    /// The connection's own source address (the local runner serves visitors directly).
    Source,
    /// Behind CloudFront: requests must carry the origin secret.
    CloudFront { origin_secret: String },
}

impl std::fmt::Debug for ClientAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Source => f.write_str("Source"),
            Self::CloudFront { .. } => f.write_str("CloudFront { origin_secret: <hidden> }"),
        }
    }
}

impl ClientAddress {
    /// The visitor's address for a request whose connection came from `source_ip`;
    /// behind CloudFront, 403 when the request did not come through it and 400 when
    /// its header is missing or not an address.
    pub fn resolve(
        &self,
        headers: &HeaderMap,
        source_ip: Option<&str>,
    ) -> Result<IpAddr, ApiError> {
        match self {
            // A request with no connection details (an in-process call in a test)
            // counts as one client of its own, the unspecified address.
            Self::Source => Ok(source_ip
                .and_then(|ip| ip.parse().ok())
                .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))),
            Self::CloudFront { origin_secret } => {
                let presented = headers
                    .get(ORIGIN_SECRET_HEADER)
                    .map(|v| v.as_bytes())
                    .unwrap_or_default();
                // Digests compared, so the time taken says nothing about the secret.
                if Sha256::digest(presented) != Sha256::digest(origin_secret.as_bytes()) {
                    return Err(forbidden(
                        "requests come through the help center's own address",
                    ));
                }
                headers
                    .get(VIEWER_ADDRESS_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(viewer_ip)
                    .ok_or_else(|| {
                        ApiError::bad_field(VIEWER_ADDRESS_HEADER, "is not an address and port")
                    })
            }
        }
    }
}

/// `198.51.100.7:46532` or `2001:db8::1:46532` (IPv6 is not bracketed): the
/// address is everything before the last colon.
fn viewer_ip(value: &str) -> Option<IpAddr> {
    let (ip, port) = value.trim().rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    ip.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

fn forbidden(message: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn cloudfront() -> ClientAddress {
        ClientAddress::CloudFront {
            origin_secret: SECRET.into(),
        }
    }

    #[test]
    fn behind_cloudfront_the_viewer_is_the_visitor_not_the_edge() {
        let got = cloudfront().resolve(
            &headers(&[
                (ORIGIN_SECRET_HEADER, SECRET),
                (VIEWER_ADDRESS_HEADER, "198.51.100.7:46532"),
            ]),
            Some("130.176.1.1"),
        );
        assert_eq!(got, Ok("198.51.100.7".parse().unwrap()));
        let v6 = cloudfront().resolve(
            &headers(&[
                (ORIGIN_SECRET_HEADER, SECRET),
                (VIEWER_ADDRESS_HEADER, "2001:db8::1:443"),
            ]),
            Some("130.176.1.1"),
        );
        assert_eq!(v6, Ok("2001:db8::1".parse().unwrap()));
    }

    #[test]
    fn a_forged_viewer_header_without_the_origin_secret_is_refused() {
        for secret in [None, Some(""), Some("guess"), Some(&SECRET[1..])] {
            let mut pairs = vec![(VIEWER_ADDRESS_HEADER, "198.51.100.7:1")];
            if let Some(s) = secret {
                pairs.push((ORIGIN_SECRET_HEADER, s));
            }
            let got = cloudfront().resolve(&headers(&pairs), Some("203.0.113.9"));
            assert_eq!(got.map_err(|e| e.status.as_u16()), Err(403), "{secret:?}");
        }
    }

    #[test]
    fn a_missing_or_malformed_viewer_address_is_a_clear_error() {
        for value in [
            None,
            Some("198.51.100.7"),
            Some("nonsense:80"),
            Some("1.2.3.4:99999"),
        ] {
            let mut pairs = vec![(ORIGIN_SECRET_HEADER, SECRET)];
            if let Some(v) = value {
                pairs.push((VIEWER_ADDRESS_HEADER, v));
            }
            let err = cloudfront()
                .resolve(&headers(&pairs), Some("203.0.113.9"))
                .unwrap_err();
            assert_eq!(
                (err.status.as_u16(), err.fields.len()),
                (400, 1),
                "{value:?}"
            );
        }
    }

    #[test]
    fn served_directly_the_connection_is_the_visitor_and_the_header_is_ignored() {
        let h = headers(&[(VIEWER_ADDRESS_HEADER, "198.51.100.7:1")]);
        assert_eq!(
            ClientAddress::Source.resolve(&h, Some("127.0.0.3")),
            Ok("127.0.0.3".parse().unwrap())
        );
        assert_eq!(
            ClientAddress::Source.resolve(&h, None),
            Ok("0.0.0.0".parse().unwrap())
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        assert!(!format!("{:?}", cloudfront()).contains(SECRET));
    }
}
