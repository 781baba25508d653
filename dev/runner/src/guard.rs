//! What every response of the runner carries, and who may use `/dev/*`.
//!
//! The pages get the headers CloudFront adds on AWS (`WebSecurityHeaders` in
//! infra/template.yaml), so a page that would break under them breaks here first.
//! `/dev/*` signs agents in, delivers mail and moves the clock: it answers only
//! requests addressed to this machine's loopback name (no DNS rebinding) and, from
//! a browser, only pages of the runner itself (no other site's form or script).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The production policy, with the local S3 (moto, plain http) where AWS has the
/// attachments bucket: uploads go there, and download links (inline images of a
/// mail) come from there, which on AWS `https:` covers. No Cognito: agents sign
/// in at `/dev/auth/token`.
pub fn content_security_policy(moto_url: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https: {moto_url}; \
         connect-src 'self' {moto_url}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// The dev pages are the runner's own: one inline style block, forms to itself.
const DEV_PAGE_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'";

/// Adds the security headers to every response (`policy`: see
/// [`content_security_policy`]).
pub async fn security_headers(
    State(policy): State<Arc<HeaderValue>>,
    request: Request,
    next: Next,
) -> Response {
    let dev_page = request.uri().path().starts_with("/dev/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let csp = if dev_page {
        HeaderValue::from_static(DEV_PAGE_POLICY)
    } else {
        (*policy).clone()
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// `/dev/*` only for this machine's own pages and tools.
pub async fn dev_only_from_here(request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/dev/") && !from_here(request.headers()) {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({"error": {
                "code": "forbidden",
                "message": "/dev/ answers only requests to 127.0.0.1 or localhost from the runner's own pages",
            }})),
        )
            .into_response();
    }
    next.run(request).await
}

fn from_here(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).map(|v| v.to_str().unwrap_or("\u{0}"));
    let Some(host) = text(header::HOST).filter(|h| loopback_authority(h)) else {
        return false;
    };
    // A browser names the page that sent the request (tools such as curl and
    // the tests send neither header): it must be the runner's own origin.
    let origin_ok =
        text(header::ORIGIN).is_none_or(|origin| origin.strip_prefix("http://") == Some(host));
    let site_ok = text(HeaderName::from_static("sec-fetch-site"))
        .is_none_or(|site| matches!(site, "same-origin" | "none"));
    origin_ok && site_ok
}

/// `127.0.0.1:3000`, `localhost`, `[::1]:3000`: a loopback name and a port (or none).
fn loopback_authority(authority: &str) -> bool {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        match rest.split_once(']') {
            Some((h, after)) => (
                h,
                after.strip_prefix(':').or(after.is_empty().then_some("")),
            ),
            None => return false,
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, Some("")),
        }
    };
    let port_ok = port.is_some_and(|p| p.is_empty() || p.parse::<u16>().is_ok());
    port_ok
        && (host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(host: Option<&str>, origin: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = host {
            h.insert(header::HOST, v.parse().unwrap());
        }
        if let Some(v) = origin {
            h.insert(header::ORIGIN, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn dev_routes_answer_this_machine_and_its_own_pages_only() {
        for (host, origin) in [
            (Some("127.0.0.1:3000"), None),
            (Some("localhost:3000"), Some("http://localhost:3000")),
            (Some("[::1]:3000"), Some("http://[::1]:3000")),
            (Some("127.0.0.1:3999"), Some("http://127.0.0.1:3999")),
            (Some("localhost"), None),
        ] {
            assert!(from_here(&headers(host, origin)), "{host:?} {origin:?}");
        }
        for (host, origin) in [
            (None, None),
            // DNS rebinding: a name of the attacker's that resolves to 127.0.0.1.
            (Some("evil.example:3000"), None),
            (Some("127.0.0.1.evil.example:3000"), None),
            (Some("192.168.1.20:3000"), None),
            // Another site's page posting to the runner.
            (Some("127.0.0.1:3000"), Some("https://evil.example")),
            (Some("127.0.0.1:3000"), Some("null")),
            (
                Some("127.0.0.1:3000"),
                Some("http://localhost.evil.example"),
            ),
            // Another local server (a different port is a different origin).
            (Some("127.0.0.1:3000"), Some("http://127.0.0.1:8080")),
            (Some("[::1]junk"), None),
            (Some("[::1]:notaport"), None),
            (Some("localhost.:3000"), None),
        ] {
            assert!(!from_here(&headers(host, origin)), "{host:?} {origin:?}");
        }
        let mut cross_site = headers(Some("127.0.0.1:3000"), None);
        cross_site.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(
            !from_here(&cross_site),
            "a no-cors request from another site"
        );
        let mut typed = headers(Some("127.0.0.1:3000"), None);
        typed.insert("sec-fetch-site", "none".parse().unwrap());
        assert!(from_here(&typed), "the address typed into the browser");
    }
}
