//! The web self-test: a probe submission to the public API over HTTPS (plain HTTP
//! locally), exactly as a visitor's browser sends one.

use async_trait::async_trait;
use helpdesk_domain::ports::WebProbe;
use helpdesk_domain::values::token::SecretToken;
use helpdesk_domain::{CategoryId, EmailAddress};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::OnceLock;
use std::time::Duration;

/// How long the API may take to answer a probe.
const TIMEOUT: Duration = Duration::from_secs(20);

type HttpsClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

pub struct HttpWebProbe {
    /// Built at the first probe: loading the system's TLS roots costs about a
    /// millisecond, and most schedule runs send no probe (one an hour by default).
    client: OnceLock<Result<HttpsClient, String>>,
    /// The public site's base URL, without a trailing slash.
    base_url: String,
}

impl HttpWebProbe {
    pub fn new(base_url: &str) -> Self {
        Self {
            client: OnceLock::new(),
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    fn client(&self) -> Result<&HttpsClient, String> {
        self.client
            .get_or_init(|| {
                let https = HttpsConnectorBuilder::new()
                    .with_provider_and_native_roots(rustls::crypto::aws_lc_rs::default_provider())
                    .map_err(|e| format!("no TLS roots: {e}"))?
                    .https_or_http()
                    .enable_http1()
                    .build();
                Ok(Client::builder(TokioExecutor::new()).build(https))
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

#[async_trait]
impl WebProbe for HttpWebProbe {
    async fn submit(
        &self,
        secret: &SecretToken,
        category: &CategoryId,
        email: &EmailAddress,
    ) -> Result<(), String> {
        let body = serde_json::json!({
            "category": category.as_str(),
            "name": "Helpdesk self-test",
            "email": email.as_str(),
            "subject": "Channel self-test",
            "description": "The help desk checking that its web form still reaches it.",
            "details": {},
            "elapsed_ms": 60_000,
        });
        let request = http::Request::post(format!("{}/api/tickets", self.base_url))
            .header("content-type", "application/json")
            .header("x-helpdesk-probe", secret.expose())
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| e.to_string())?;
        let response = tokio::time::timeout(TIMEOUT, self.client()?.request(request))
            .await
            .map_err(|_| format!("no answer within {} s", TIMEOUT.as_secs()))?
            .map_err(|e| e.to_string())?;
        let status = response.status();
        if status == http::StatusCode::ACCEPTED {
            return Ok(());
        }
        let text: String = response
            .into_body()
            .collect()
            .await
            .map(|b| {
                String::from_utf8_lossy(&b.to_bytes())
                    .chars()
                    .take(300)
                    .collect()
            })
            .unwrap_or_default();
        Err(format!("the API answered {status}: {text}"))
    }
}
