//! Typed configuration per function, read from the environment once at cold start.
//! Nothing else in the workspace reads environment variables (the AWS SDK reads its
//! own: region, credentials, endpoints).

use crate::client::ClientAddress;
use helpdesk_domain::EmailAddress;
use helpdesk_domain::mail::reply_token::ReplyKeys;
use std::collections::HashMap;

#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration error: {name} is not set ({purpose})")]
    Missing {
        name: &'static str,
        purpose: &'static str,
    },
    #[error("configuration error: {name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// `main` returning this error prints its Debug form: make that the sentence.
impl std::fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// Where variables come from: the process, or a map in tests.
pub trait EnvSource {
    fn var(&self, name: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl EnvSource for HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

struct Reader<'a>(&'a dyn EnvSource);

/// The secrets of the reply keys this repository publishes for the local stack
/// (`infra/resources.json`) and the tests (`testkit`): never valid on AWS.
const PUBLISHED_REPLY_KEYS: [&str; 2] = [
    "6c6f63616c2d6f6e6c792d6e6f742d612d736563726574",
    "74657374732d6f6e6c792d6b65792d3031",
];

impl Reader<'_> {
    fn required(&self, name: &'static str, purpose: &'static str) -> Result<String, ConfigError> {
        match self.0.var(name).map(|v| v.trim().to_owned()) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(ConfigError::Missing { name, purpose }),
        }
    }

    fn optional(&self, name: &'static str) -> Option<String> {
        self.0
            .var(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    fn outbound_queue(&self) -> Result<String, ConfigError> {
        self.required(
            "HELPDESK_OUTBOUND_QUEUE_URL",
            "the SQS queue send-reply consumes",
        )
    }

    fn attachments_bucket(&self) -> Result<String, ConfigError> {
        self.required(
            "HELPDESK_ATTACHMENTS_BUCKET",
            "the S3 bucket for attachments",
        )
    }

    fn raw_mail_bucket(&self) -> Result<String, ConfigError> {
        self.required(
            "HELPDESK_RAW_MAIL_BUCKET",
            "the S3 bucket SES stores inbound mail in",
        )
    }

    fn mail_domain(&self) -> Result<String, ConfigError> {
        self.domain(
            "HELPDESK_MAIL_DOMAIN",
            "the domain support mail is sent from and to",
        )
    }

    fn reply_keys(&self) -> Result<ReplyKeys, ConfigError> {
        let name = "HELPDESK_REPLY_KEYS";
        let raw = self.required(
            name,
            "the keys that sign reply addresses (`id:hexsecret,…`), or \
             HELPDESK_REPLY_KEYS_PARAMETER naming the SSM SecureString that holds them",
        )?;
        let keys = ReplyKeys::parse(&raw).map_err(|e| ConfigError::Invalid {
            name,
            reason: e.to_string(),
        })?;
        let raw = raw.to_ascii_lowercase();
        if self.on_lambda() && PUBLISHED_REPLY_KEYS.iter().any(|k| raw.contains(k)) {
            return Err(ConfigError::Invalid {
                name,
                reason: "holds a key published in this repository for local use; \
                         make one with `openssl rand -hex 32`"
                    .into(),
            });
        }
        Ok(keys)
    }

    /// Running as a Lambda function (the runtime sets this), not in the local
    /// runner or a test.
    fn on_lambda(&self) -> bool {
        self.optional("AWS_LAMBDA_FUNCTION_NAME").is_some()
    }

    fn client_address(&self) -> Result<ClientAddress, ConfigError> {
        let name = "HELPDESK_ORIGIN_SECRET";
        match self.optional(name) {
            Some(secret) if secret.len() >= 32 => Ok(ClientAddress::CloudFront {
                origin_secret: secret,
            }),
            Some(_) => Err(ConfigError::Invalid {
                name,
                reason: "is shorter than 32 characters".into(),
            }),
            // On Lambda the API sits behind CloudFront: without the secret every
            // visitor would count as the edge server's address.
            None if self.on_lambda() => Err(ConfigError::Missing {
                name,
                purpose: "the secret CloudFront adds to every API request",
            }),
            None => Ok(ClientAddress::Source),
        }
    }

    fn url(&self, name: &'static str, purpose: &'static str) -> Result<String, ConfigError> {
        let raw = self.required(name, purpose)?;
        let ok = (raw.starts_with("https://") || raw.starts_with("http://"))
            && !raw.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(raw.trim_end_matches('/').to_owned())
        } else {
            Err(ConfigError::Invalid {
                name,
                reason: format!("{raw:?} is not an http(s) URL"),
            })
        }
    }

    fn number<T: std::str::FromStr>(
        &self,
        name: &'static str,
        default: T,
    ) -> Result<T, ConfigError> {
        match self.optional(name) {
            None => Ok(default),
            Some(raw) => raw.parse().map_err(|_| ConfigError::Invalid {
                name,
                reason: format!("{raw:?} is not a number in range"),
            }),
        }
    }

    fn email(
        &self,
        name: &'static str,
        purpose: &'static str,
    ) -> Result<EmailAddress, ConfigError> {
        let raw = self.required(name, purpose)?;
        EmailAddress::parse(&raw).map_err(|e| ConfigError::Invalid {
            name,
            reason: format!("{raw:?} {e}"),
        })
    }

    fn domain(&self, name: &'static str, purpose: &'static str) -> Result<String, ConfigError> {
        let raw = self.required(name, purpose)?;
        // A domain is valid exactly when an address at it is.
        EmailAddress::parse(&format!("probe@{raw}"))
            .map(|a| a.domain().to_owned())
            .map_err(|_| ConfigError::Invalid {
                name,
                reason: format!("{raw:?} is not a domain name"),
            })
    }
}

/// The variables of `inner`, with the reply keys read from SSM Parameter Store
/// when `HELPDESK_REPLY_KEYS_PARAMETER` names a parameter (how the template
/// configures inbound-mail and send-reply: keys never sit in the environment).
struct WithSecrets<'a> {
    inner: &'a dyn EnvSource,
    reply_keys: Option<String>,
}

impl EnvSource for WithSecrets<'_> {
    fn var(&self, name: &str) -> Option<String> {
        match (name, &self.reply_keys) {
            ("HELPDESK_REPLY_KEYS", Some(keys)) => Some(keys.clone()),
            _ => self.inner.var(name),
        }
    }
}

async fn with_secrets<'a>(
    env: &'a dyn EnvSource,
    aws: &crate::Aws,
) -> Result<WithSecrets<'a>, ConfigError> {
    let name = "HELPDESK_REPLY_KEYS_PARAMETER";
    let Some(parameter) = Reader(env).optional(name) else {
        return Ok(WithSecrets {
            inner: env,
            reply_keys: None,
        });
    };
    if Reader(env).optional("HELPDESK_REPLY_KEYS").is_some() {
        return Err(ConfigError::Invalid {
            name,
            reason: "is set together with HELPDESK_REPLY_KEYS; set one of them".into(),
        });
    }
    let keys = aws
        .secure_parameter(&parameter)
        .await
        .map_err(|e| ConfigError::Invalid {
            name,
            reason: format!("{parameter:?} could not be read: {e}"),
        })?;
    Ok(WithSecrets {
        inner: env,
        reply_keys: Some(keys),
    })
}

macro_rules! with_secrets {
    ($name:ident) => {
        impl $name {
            /// Reads the process environment and the secrets it names (SSM); call
            /// once, at cold start.
            pub async fn load(aws: &crate::Aws) -> Result<Self, ConfigError> {
                Self::load_from(&ProcessEnv, aws).await
            }

            /// As [`Self::load`], from `env`.
            pub async fn load_from(
                env: &dyn EnvSource,
                aws: &crate::Aws,
            ) -> Result<Self, ConfigError> {
                Self::from_source(&with_secrets(env, aws).await?)
            }
        }
    };
}

/// The two DynamoDB tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    pub main_table: String,
    pub ops_table: String,
}

impl StoreConfig {
    fn read(r: &Reader<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            main_table: r.required("HELPDESK_MAIN_TABLE", "the main DynamoDB table")?,
            ops_table: r.required(
                "HELPDESK_OPS_TABLE",
                "the DynamoDB table for idempotency keys and rate limits",
            )?,
        })
    }
}

macro_rules! from_env {
    ($name:ident) => {
        impl $name {
            /// Reads the process environment; call once, at cold start.
            pub fn from_env() -> Result<Self, ConfigError> {
                Self::from_source(&ProcessEnv)
            }
        }
    };
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitFormConfig {
    pub store: StoreConfig,
    pub outbound_queue_url: String,
    pub attachments_bucket: String,
    pub mail_domain: String,
    /// A tracking link works this many days after the last activity on it.
    pub tracking_link_days: u32,
    /// Where the visitor's address (for per-client limits) is read from.
    pub client_address: ClientAddress,
}

impl SubmitFormConfig {
    pub fn from_source(env: &dyn EnvSource) -> Result<Self, ConfigError> {
        let r = Reader(env);
        Ok(Self {
            store: StoreConfig::read(&r)?,
            outbound_queue_url: r.outbound_queue()?,
            attachments_bucket: r.attachments_bucket()?,
            mail_domain: r.mail_domain()?,
            tracking_link_days: r.number("HELPDESK_TRACKING_LINK_DAYS", 90)?,
            client_address: r.client_address()?,
        })
    }
}
from_env!(SubmitFormConfig);

#[derive(Debug, Clone)]
pub struct InboundMailConfig {
    pub store: StoreConfig,
    pub raw_mail_bucket: String,
    pub attachments_bucket: String,
    pub outbound_queue_url: String,
    pub mail_domain: String,
    pub reply_keys: ReplyKeys,
    /// How long a warm function keeps the sender rules (a new rule holds for new
    /// mail within this time); 60 unless set.
    pub sender_rules_seconds: u32,
}

impl InboundMailConfig {
    pub fn from_source(env: &dyn EnvSource) -> Result<Self, ConfigError> {
        let r = Reader(env);
        Ok(Self {
            store: StoreConfig::read(&r)?,
            raw_mail_bucket: r.raw_mail_bucket()?,
            attachments_bucket: r.attachments_bucket()?,
            outbound_queue_url: r.outbound_queue()?,
            mail_domain: r.mail_domain()?,
            reply_keys: r.reply_keys()?,
            sender_rules_seconds: r.number("HELPDESK_SENDER_RULES_SECONDS", 60)?,
        })
    }
}
from_env!(InboundMailConfig);
with_secrets!(InboundMailConfig);

#[derive(Debug, Clone)]
pub struct SendReplyConfig {
    pub store: StoreConfig,
    pub mail_from: EmailAddress,
    pub mail_domain: String,
    pub configuration_set: Option<String>,
    /// Where the files agents attach to replies are kept.
    pub attachments_bucket: String,
    pub reply_keys: ReplyKeys,
    /// The help center's base URL, for the links in mail.
    pub help_url: String,
    /// The From name and signature, e.g. "ACME Support".
    pub brand_name: String,
    pub tracking_link_days: u32,
    /// Automatic mail per recipient in `auto_mail_window_minutes`.
    pub auto_mail_cap: u32,
    pub auto_mail_window_minutes: u32,
    /// Where a throttled job goes back to wait (the queue it came from).
    pub outbound_queue_url: String,
    /// Mail one instance sends a second at most; times the event source's
    /// maximum concurrency, it should stay under the account's SES send rate.
    pub send_rate_per_second: u32,
}

impl SendReplyConfig {
    pub fn from_source(env: &dyn EnvSource) -> Result<Self, ConfigError> {
        let r = Reader(env);
        Ok(Self {
            store: StoreConfig::read(&r)?,
            mail_from: r.email(
                "HELPDESK_MAIL_FROM",
                "the From address of every mail we send",
            )?,
            mail_domain: r.mail_domain()?,
            configuration_set: r.optional("HELPDESK_SES_CONFIGURATION_SET"),
            reply_keys: r.reply_keys()?,
            help_url: r.url(
                "HELPDESK_HELP_URL",
                "the help center's address, for links in mail",
            )?,
            brand_name: r
                .optional("HELPDESK_BRAND_NAME")
                .unwrap_or_else(|| "Support".to_owned()),
            tracking_link_days: r.number("HELPDESK_TRACKING_LINK_DAYS", 90)?,
            auto_mail_cap: r.number("HELPDESK_AUTO_MAIL_CAP", 10)?,
            auto_mail_window_minutes: r.number("HELPDESK_AUTO_MAIL_WINDOW_MINUTES", 180)?,
            outbound_queue_url: r.outbound_queue()?,
            send_rate_per_second: r.number("HELPDESK_SEND_RATE_PER_SECOND", 7)?,
            attachments_bucket: r.attachments_bucket()?,
        })
    }
}
from_env!(SendReplyConfig);
with_secrets!(SendReplyConfig);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaEscalationConfig {
    pub store: StoreConfig,
    pub outbound_queue_url: String,
    /// Where retention deletes a purged ticket's files and raw mail.
    pub attachments_bucket: String,
    pub raw_mail_bucket: String,
    /// None when `HELPDESK_SELF_TEST_MINUTES` is 0.
    pub self_test: Option<SelfTestConfig>,
}

/// The channel self-test: how often, how long a probe may take, and where from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfTestConfig {
    pub every_minutes: u32,
    pub deadline_minutes: u32,
    /// The probes' sender: our own From address.
    pub mail_from: EmailAddress,
    pub configuration_set: Option<String>,
    /// The public site, whose `/api/tickets` the web probe posts to.
    pub public_url: String,
}

impl SlaEscalationConfig {
    pub fn from_source(env: &dyn EnvSource) -> Result<Self, ConfigError> {
        let r = Reader(env);
        let store = StoreConfig::read(&r)?;
        let outbound_queue_url = r.outbound_queue()?;
        let attachments_bucket = r.attachments_bucket()?;
        let raw_mail_bucket = r.raw_mail_bucket()?;
        let every_minutes: u32 = r.number("HELPDESK_SELF_TEST_MINUTES", 60)?;
        let self_test = if every_minutes == 0 {
            None
        } else {
            Some(SelfTestConfig {
                every_minutes,
                deadline_minutes: r.number("HELPDESK_SELF_TEST_DEADLINE_MINUTES", 10)?,
                mail_from: r.email(
                    "HELPDESK_MAIL_FROM",
                    "the self-test's sender (set HELPDESK_SELF_TEST_MINUTES=0 to turn it off)",
                )?,
                configuration_set: r.optional("HELPDESK_SES_CONFIGURATION_SET"),
                public_url: r.url(
                    "HELPDESK_HELP_URL",
                    "the public site the self-test submits to (set HELPDESK_SELF_TEST_MINUTES=0 to turn it off)",
                )?,
            })
        };
        Ok(Self {
            store,
            outbound_queue_url,
            attachments_bucket,
            raw_mail_bucket,
            self_test,
        })
    }
}
from_env!(SlaEscalationConfig);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentApiConfig {
    pub store: StoreConfig,
    pub outbound_queue_url: String,
    pub attachments_bucket: String,
    /// Read when an agent asks for a mail with its remote images.
    pub raw_mail_bucket: String,
    /// The outbound and inbound DLQs, whose depths the health page shows (optional).
    pub dead_letter_queue_urls: Vec<String>,
    /// Where a released quarantined mail is handed to inbound-mail again.
    pub inbound_queue_url: String,
    pub search: SearchConfig,
}

/// The word index: the function's own copy of it, and how often a searching
/// function looks for a newer commit. Its files are kept in the attachments
/// bucket, under `search-index/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchConfig {
    pub dir: String,
    pub check_seconds: u64,
}

impl SearchConfig {
    fn read(r: &Reader<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            dir: r
                .optional("HELPDESK_SEARCH_DIR")
                .unwrap_or_else(|| "/tmp/search-index".to_owned()),
            check_seconds: r.number("HELPDESK_SEARCH_CHECK_SECONDS", 2)?,
        })
    }
}

/// The indexer: the tickets it reads and the index it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchIndexerConfig {
    pub store: StoreConfig,
    pub attachments_bucket: String,
    pub search: SearchConfig,
}

impl SearchIndexerConfig {
    pub fn from_source(env: &dyn EnvSource) -> Result<Self, ConfigError> {
        let r = Reader(env);
        Ok(Self {
            store: StoreConfig::read(&r)?,
            attachments_bucket: r.attachments_bucket()?,
            search: SearchConfig::read(&r)?,
        })
    }
}

from_env!(SearchIndexerConfig);

impl AgentApiConfig {
    pub fn from_source(env: &dyn EnvSource) -> Result<Self, ConfigError> {
        let r = Reader(env);
        Ok(Self {
            store: StoreConfig::read(&r)?,
            outbound_queue_url: r.outbound_queue()?,
            attachments_bucket: r.attachments_bucket()?,
            raw_mail_bucket: r.raw_mail_bucket()?,
            dead_letter_queue_urls: ["HELPDESK_OUTBOUND_DLQ_URL", "HELPDESK_INBOUND_DLQ_URL"]
                .into_iter()
                .filter_map(|name| r.optional(name))
                .collect(),
            inbound_queue_url: r.required(
                "HELPDESK_INBOUND_QUEUE_URL",
                "the SQS queue inbound-mail reads (released quarantined mail goes there)",
            )?,
            search: SearchConfig::read(&r)?,
        })
    }
}
from_env!(AgentApiConfig);

/// The local runner (dev only): where it listens and what it plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRunnerConfig {
    pub port: u16,
    /// Where the dev SMTP listener takes mail from real clients.
    pub smtp_port: u16,
    /// Seconds between schedule ticks (EventBridge runs sla-escalation every 5 min).
    pub tick_seconds: u64,
    pub inbound_queue_url: String,
    pub raw_mail_bucket: String,
    /// moto's base URL, for the sent-mail page.
    pub moto_url: String,
    pub web_dir: String,
    /// Mail "sent" to this domain with a self-test probe comes back in, as SES
    /// receiving would take it.
    pub mail_domain: String,
    /// send-reply's claim lease, shortened for the fault test: with the test's
    /// queues' visibility scaled down too, a job whose sender was killed comes back
    /// within seconds instead of minutes. Unset: send-reply's own lease.
    pub send_lease_seconds: Option<u32>,
    /// DynamoDB Local, which also serves the tables' change streams.
    pub dynamodb_url: Option<String>,
}

impl LocalRunnerConfig {
    pub fn from_source(env: &dyn EnvSource) -> Result<Self, ConfigError> {
        let r = Reader(env);
        Ok(Self {
            port: r.number("HELPDESK_PORT", 3000)?,
            smtp_port: r.number("HELPDESK_SMTP_PORT", 2525)?,
            tick_seconds: r.number("HELPDESK_TICK_SECONDS", 300)?,
            inbound_queue_url: r.required(
                "HELPDESK_INBOUND_QUEUE_URL",
                "the SQS queue S3 notifies of inbound mail",
            )?,
            raw_mail_bucket: r.raw_mail_bucket()?,
            moto_url: r.required("HELPDESK_MOTO_URL", "the local SQS/SES/S3 endpoint")?,
            mail_domain: r.mail_domain()?,
            web_dir: r
                .optional("HELPDESK_WEB_DIR")
                .unwrap_or_else(|| "web".to_owned()),
            send_lease_seconds: Some(r.number("HELPDESK_DEV_SEND_LEASE_SECONDS", 0)?)
                .filter(|s| *s > 0),
            dynamodb_url: r.optional("AWS_ENDPOINT_URL_DYNAMODB"),
        })
    }
}
from_env!(LocalRunnerConfig);

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_self_test_is_on_by_default_and_off_at_zero() {
        let base = [
            ("HELPDESK_MAIN_TABLE", "m"),
            ("HELPDESK_OPS_TABLE", "o"),
            ("HELPDESK_OUTBOUND_QUEUE_URL", "http://q"),
            ("HELPDESK_ATTACHMENTS_BUCKET", "files"),
            ("HELPDESK_RAW_MAIL_BUCKET", "mail"),
            ("HELPDESK_MAIL_FROM", "support@example.com"),
            ("HELPDESK_HELP_URL", "https://help.example.com/"),
        ];
        let on = SlaEscalationConfig::from_source(&env(&base)).unwrap();
        let st = on.self_test.unwrap();
        assert_eq!((st.every_minutes, st.deadline_minutes), (60, 10));
        assert_eq!(st.public_url, "https://help.example.com");
        let mut off = base.to_vec();
        off.truncate(5);
        off.push(("HELPDESK_SELF_TEST_MINUTES", "0"));
        assert_eq!(
            SlaEscalationConfig::from_source(&env(&off))
                .unwrap()
                .self_test,
            None
        );
        let mut bad = base.to_vec();
        bad.push(("HELPDESK_SELF_TEST_MINUTES", "hourly"));
        let e = SlaEscalationConfig::from_source(&env(&bad)).unwrap_err();
        assert!(e.to_string().contains("HELPDESK_SELF_TEST_MINUTES"), "{e}");
    }

    #[test]
    fn a_missing_variable_is_named() {
        let e = SubmitFormConfig::from_source(&env(&[("HELPDESK_MAIN_TABLE", "m")])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "configuration error: HELPDESK_OPS_TABLE is not set (the DynamoDB table for idempotency keys and rate limits)"
        );
    }

    #[test]
    fn invalid_values_are_refused_with_the_reason() {
        let e = SendReplyConfig::from_source(&env(&[
            ("HELPDESK_MAIN_TABLE", "m"),
            ("HELPDESK_OPS_TABLE", "o"),
            ("HELPDESK_ATTACHMENTS_BUCKET", "a"),
            ("HELPDESK_MAIL_FROM", "not an address"),
        ]))
        .unwrap_err();
        assert!(
            matches!(
                e,
                ConfigError::Invalid {
                    name: "HELPDESK_MAIL_FROM",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn a_complete_environment_reads() {
        let c = SendReplyConfig::from_source(&env(&[
            ("HELPDESK_MAIN_TABLE", "m"),
            ("HELPDESK_OPS_TABLE", "o"),
            ("HELPDESK_ATTACHMENTS_BUCKET", "a"),
            ("HELPDESK_MAIL_FROM", "support@Example.com"),
            ("HELPDESK_MAIL_DOMAIN", "Example.com"),
            ("HELPDESK_SES_CONFIGURATION_SET", " "),
            ("HELPDESK_REPLY_KEYS", "k2:00112233445566778899aabbccddeeff"),
            ("HELPDESK_HELP_URL", "https://help.example.com/"),
            ("HELPDESK_OUTBOUND_QUEUE_URL", "http://q"),
        ]))
        .unwrap();
        assert_eq!(c.mail_domain, "example.com");
        assert_eq!(c.send_rate_per_second, 7);
        assert_eq!(c.configuration_set, None);
        assert_eq!(c.help_url, "https://help.example.com");
        assert_eq!((c.auto_mail_cap, c.auto_mail_window_minutes), (10, 180));
        assert!(
            !format!("{:?}", c.reply_keys).contains("0011"),
            "secrets stay out of logs"
        );
    }

    #[test]
    fn reply_keys_and_the_help_url_are_checked() {
        let base = [
            ("HELPDESK_MAIN_TABLE", "m"),
            ("HELPDESK_OPS_TABLE", "o"),
            ("HELPDESK_ATTACHMENTS_BUCKET", "a"),
            ("HELPDESK_MAIL_FROM", "support@example.com"),
            ("HELPDESK_MAIL_DOMAIN", "example.com"),
            ("HELPDESK_OUTBOUND_QUEUE_URL", "http://q"),
        ];
        let with = |extra: &[(&str, &str)]| {
            let mut pairs = base.to_vec();
            pairs.extend_from_slice(extra);
            if !extra.iter().any(|(k, _)| *k == "HELPDESK_HELP_URL") {
                pairs.push(("HELPDESK_HELP_URL", "https://help.example.com"));
            }
            SendReplyConfig::from_source(&env(&pairs)).map(|_| ())
        };
        let e = with(&[("HELPDESK_REPLY_KEYS", "k1:short")]).unwrap_err();
        assert!(e.to_string().contains("HELPDESK_REPLY_KEYS"), "{e}");
        let e = with(&[
            ("HELPDESK_REPLY_KEYS", "k1:00112233445566778899aabbccddeeff"),
            ("HELPDESK_HELP_URL", "help.example.com"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("HELPDESK_HELP_URL"), "{e}");
        // The keys this repository publishes work locally and are refused on Lambda.
        for published in [
            "local:6c6f63616c2d6f6e6c792d6e6f742d612d736563726574",
            "t1:74657374732d6f6e6c792d6b65792d3031",
            "k2:00112233445566778899aabbccddeeff,t1:74657374732D6F6E6C792D6B65792D3031",
        ] {
            with(&[("HELPDESK_REPLY_KEYS", published)]).unwrap();
            let e = with(&[
                ("HELPDESK_REPLY_KEYS", published),
                ("AWS_LAMBDA_FUNCTION_NAME", "helpdesk-send-reply"),
            ])
            .unwrap_err();
            assert!(e.to_string().contains("published"), "{e}");
        }
        with(&[
            ("HELPDESK_REPLY_KEYS", "k1:00112233445566778899aabbccddeeff"),
            ("AWS_LAMBDA_FUNCTION_NAME", "helpdesk-send-reply"),
        ])
        .unwrap();
    }

    /// What submit-form needs, and nothing optional.
    fn submit_form_env() -> HashMap<String, String> {
        env(&[
            ("HELPDESK_MAIN_TABLE", "m"),
            ("HELPDESK_OPS_TABLE", "o"),
            ("HELPDESK_ATTACHMENTS_BUCKET", "a"),
            ("HELPDESK_OUTBOUND_QUEUE_URL", "q"),
            ("HELPDESK_ATTACHMENTS_BUCKET", "b"),
            ("HELPDESK_MAIL_DOMAIN", "example.com"),
        ])
    }

    #[test]
    fn on_lambda_the_public_api_needs_cloudfronts_origin_secret() {
        let mut vars = submit_form_env();
        let local = SubmitFormConfig::from_source(&vars).unwrap();
        assert_eq!(local.client_address, ClientAddress::Source);
        vars.insert("AWS_LAMBDA_FUNCTION_NAME".into(), "helpdesk-submit".into());
        let e = SubmitFormConfig::from_source(&vars).unwrap_err();
        assert!(e.to_string().contains("HELPDESK_ORIGIN_SECRET"), "{e}");
        vars.insert("HELPDESK_ORIGIN_SECRET".into(), "too-short".into());
        assert!(SubmitFormConfig::from_source(&vars).is_err());
        let secret = "a-secret-of-at-least-32-characters!";
        vars.insert("HELPDESK_ORIGIN_SECRET".into(), secret.into());
        assert_eq!(
            SubmitFormConfig::from_source(&vars).unwrap().client_address,
            ClientAddress::CloudFront {
                origin_secret: secret.into()
            }
        );
    }

    #[test]
    fn tracking_link_days_default_to_90_and_must_be_a_number() {
        let mut vars = submit_form_env();
        assert_eq!(
            SubmitFormConfig::from_source(&vars)
                .unwrap()
                .tracking_link_days,
            90
        );
        vars.insert("HELPDESK_TRACKING_LINK_DAYS".into(), "thirty".into());
        let e = SubmitFormConfig::from_source(&vars).unwrap_err();
        assert!(
            matches!(
                e,
                ConfigError::Invalid {
                    name: "HELPDESK_TRACKING_LINK_DAYS",
                    ..
                }
            ),
            "{e}"
        );
    }
}
