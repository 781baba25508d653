//! The local runner: links the five function handlers and plays the AWS glue on one
//! machine — API Gateway for `/api/*`, the SQS event source mappings, the
//! EventBridge schedule, SES's "store in S3" for dropped-in mail — plus static
//! files for the help center and the console. Dev only; never deployed.

pub mod auth;
pub mod cognito;
pub mod dev;
pub mod gateway;
pub mod guard;
pub mod pollers;
pub mod schedule;
pub mod seed;
pub mod smtp;
pub mod streams;
pub mod totp;
pub mod watch;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use axum::Router;
use axum::routing::{get, post};
use lambda_kit::Aws;
use lambda_kit::config::{
    AgentApiConfig, EnvSource, InboundMailConfig, LocalRunnerConfig, ProcessEnv,
    SearchIndexerConfig, SendReplyConfig, SlaEscalationConfig, SubmitFormConfig,
};
use std::sync::Arc;
use tower_http::services::ServeDir;

/// Every function, built exactly as its `main` builds it.
pub struct Functions {
    pub submit_form: Router,
    pub agent_api: Router,
    pub inbound_mail: Arc<inbound_mail::Deps>,
    pub send_reply: Arc<send_reply::Deps>,
    pub sla_escalation: Arc<sla_escalation::Deps>,
    pub search_indexer: Arc<search_indexer::Deps>,
    /// The table whose change stream feeds search-indexer.
    pub main_table: String,
    pub submit_form_deps: Arc<submit_form::Deps>,
    /// The queues the event source mappings read.
    pub outbound_queue_url: String,
    /// The dead-letter queues, for [`watch`].
    pub dead_letter_queue_urls: Vec<String>,
}

impl Functions {
    /// Reads each function's configuration, as each would at cold start.
    pub fn from_source(aws: &Aws, env: &dyn EnvSource) -> Result<Self, lambda_kit::ConfigError> {
        Self::with_send_lease(aws, env, None)
    }

    /// As [`Functions::from_source`], with send-reply's claim lease set to `lease`
    /// when given (the fault test runs the system with its timeouts scaled down).
    pub fn with_send_lease(
        aws: &Aws,
        env: &dyn EnvSource,
        lease: Option<chrono::Duration>,
    ) -> Result<Self, lambda_kit::ConfigError> {
        let submit = SubmitFormConfig::from_source(env)?;
        let mut agent = AgentApiConfig::from_source(env)?;
        let mut indexer = SearchIndexerConfig::from_source(env)?;
        // On AWS each function has its own /tmp; here they share a machine, and
        // runs on tables of their own must not share an index either.
        let search = std::env::temp_dir()
            .join("helpdesk-search")
            .join(&agent.store.main_table);
        agent.search.dir = search.join("agent-api").to_string_lossy().into_owned();
        indexer.search.dir = search.join("search-indexer").to_string_lossy().into_owned();
        let inbound = InboundMailConfig::from_source(env)?;
        let reply = SendReplyConfig::from_source(env)?;
        let sla = SlaEscalationConfig::from_source(env)?;
        // Each function's calls are its own (the suite holds them to its role).
        let of = |function| testkit::iam::recorded(aws, function);
        let submit_form_deps = Arc::new(submit_form::Deps::connect(&of("submit-form"), &submit));
        Ok(Self {
            submit_form: submit_form::router(submit_form_deps.clone()),
            agent_api: agent_api::router(Arc::new(agent_api::Deps::connect(
                &of("agent-api"),
                &agent,
            ))),
            inbound_mail: Arc::new(inbound_mail::Deps::connect(&of("inbound-mail"), &inbound)),
            send_reply: Arc::new({
                let mut deps = send_reply::Deps::connect(&of("send-reply"), &reply);
                if let Some(lease) = lease {
                    deps.settings.lease = lease;
                }
                deps
            }),
            sla_escalation: Arc::new(sla_escalation::Deps::connect(&of("sla-escalation"), &sla)),
            search_indexer: Arc::new(search_indexer::Deps::connect(
                &of("search-indexer"),
                &indexer,
            )),
            main_table: indexer.store.main_table.clone(),
            submit_form_deps,
            outbound_queue_url: submit.outbound_queue_url.clone(),
            dead_letter_queue_urls: agent.dead_letter_queue_urls.clone(),
        })
    }

    pub fn inbound_handler(&self) -> pollers::SqsHandler {
        let deps = self.inbound_mail.clone();
        Arc::new(move |event: SqsEvent| {
            let deps = deps.clone();
            Box::pin(async move { inbound_mail::handle(&deps, event).await })
                as futures::future::BoxFuture<'static, SqsBatchResponse>
        })
    }

    pub fn indexer_handler(&self) -> streams::StreamHandler {
        let deps = self.search_indexer.clone();
        Arc::new(move |event| {
            let deps = deps.clone();
            Box::pin(async move { search_indexer::handle(&deps, event).await })
                as futures::future::BoxFuture<'static, _>
        })
    }

    pub fn outbound_handler(&self) -> pollers::SqsHandler {
        let deps = self.send_reply.clone();
        Arc::new(move |event: SqsEvent| {
            let deps = deps.clone();
            Box::pin(async move { send_reply::handle(&deps, event).await })
                as futures::future::BoxFuture<'static, SqsBatchResponse>
        })
    }
}

/// The HTTP side: API Gateway for `/api/*`, the dev pages, and static files,
/// every response with the security headers CloudFront adds on AWS.
pub fn http_app(
    functions: &Functions,
    dev: Arc<dev::DevState>,
    issuer: Arc<auth::LocalIssuer>,
    pool: Arc<cognito::UserPool>,
    web_dir: &str,
) -> Router {
    let policy = guard::content_security_policy(&dev.moto_url);
    let policy = Arc::new(
        axum::http::HeaderValue::from_str(&policy)
            .unwrap_or_else(|_| axum::http::HeaderValue::from_static("default-src 'self'")),
    );
    let gateway = Arc::new(gateway::Gateway {
        public: functions.submit_form.clone(),
        agent: functions.agent_api.clone(),
        issuer: issuer.clone(),
    });
    let auth_routes = Router::new()
        .route("/dev/auth/token", post(auth::token))
        .route("/dev/cognito", post(auth::cognito_endpoint))
        .route("/dev/cognito/", post(auth::cognito_endpoint))
        .route("/agent/config.json", get(auth::console_config))
        .with_state(pool);
    let dev_routes = Router::new()
        .route("/dev/mail", get(dev::mail_page))
        .route("/dev/mail.json", get(dev::mail_json))
        // axum's default limit (2 MB) would refuse mail the function accepts.
        .route(
            "/dev/inbound",
            post(dev::deliver_inbound)
                .layer(axum::extract::DefaultBodyLimit::max(dev::MAX_INBOUND + 1)),
        )
        .route("/dev/tick", post(dev::tick))
        .with_state(dev);
    Router::new()
        .route("/api", axum::routing::any(gateway::forward))
        .route("/api/{*path}", axum::routing::any(gateway::forward))
        .with_state(gateway)
        .merge(dev_routes)
        .merge(auth_routes)
        .route(
            "/agent",
            get(|| async { axum::response::Redirect::permanent("/agent/") }),
        )
        // The console as `vite build` leaves it (scripts/lib.sh build_console).
        .nest_service("/agent/", ServeDir::new(format!("{web_dir}/console/dist")))
        .nest_service("/assets", ServeDir::new(format!("{web_dir}/assets")))
        .fallback_service(ServeDir::new(format!("{web_dir}/help")))
        .layer(axum::middleware::from_fn(guard::dev_only_from_here))
        .layer(axum::middleware::from_fn_with_state(
            policy,
            guard::security_headers,
        ))
}

/// Everything `make dev` starts, read from the environment.
pub struct Runner {
    pub config: LocalRunnerConfig,
    pub aws: Aws,
    pub functions: Functions,
    /// Signs the access tokens and checks them (Cognito's keys, the authorizer).
    pub issuer: Arc<auth::LocalIssuer>,
    /// The agents' user pool (the local Cognito), with the demo agents in it.
    pub pool: Arc<cognito::UserPool>,
    looped: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

/// One variable set differently from the environment's.
struct Overlay<'a> {
    inner: &'a dyn EnvSource,
    name: &'static str,
    value: String,
}

impl EnvSource for Overlay<'_> {
    fn var(&self, name: &str) -> Option<String> {
        if name == self.name {
            Some(self.value.clone())
        } else {
            self.inner.var(name)
        }
    }
}

impl Runner {
    pub async fn from_env() -> anyhow::Result<Self> {
        Self::from_source(Aws::load().await, &ProcessEnv)
    }

    pub fn from_source(aws: Aws, env: &dyn EnvSource) -> anyhow::Result<Self> {
        let config = LocalRunnerConfig::from_source(env)?;
        // Links in mail and the web self-test go to this runner, whatever its port.
        let env = Overlay {
            inner: env,
            name: "HELPDESK_HELP_URL",
            value: format!("http://127.0.0.1:{}", config.port),
        };
        let lease = config
            .send_lease_seconds
            .map(|s| chrono::Duration::seconds(i64::from(s)));
        let functions = Functions::with_send_lease(&aws, &env, lease)?;
        let issuer = Arc::new(auth::LocalIssuer::default());
        let pool = Arc::new(cognito::UserPool::new(
            &seed::demo()?.logins,
            issuer.clone(),
            Some((aws.sesv2(), format!("no-reply@{}", config.mail_domain))),
        ));
        Ok(Self {
            config,
            aws,
            functions,
            issuer,
            pool,
            looped: Arc::default(),
        })
    }

    /// Everything besides the HTTP app, as AWS would run it: the SQS event source
    /// mappings, the schedule, SES's loop back of probe mail, the SMTP listener,
    /// and the watch that prints what needs a person.
    pub async fn spawn_background(&self) -> anyhow::Result<()> {
        use std::time::Duration;
        let sqs = self.aws.sqs();
        let f = &self.functions;
        tokio::spawn(pollers::poll_forever(
            sqs.clone(),
            f.outbound_queue_url.clone(),
            "send-reply",
            f.outbound_handler(),
        ));
        tokio::spawn(pollers::poll_forever(
            sqs,
            self.config.inbound_queue_url.clone(),
            "inbound-mail",
            f.inbound_handler(),
        ));
        tokio::spawn(streams::stream_forever(
            self.stream_reader(),
            "search-indexer",
            f.indexer_handler(),
            Duration::from_millis(500),
        ));
        tokio::spawn(schedule::tick_forever(
            f.sla_escalation.clone(),
            Duration::from_secs(self.config.tick_seconds),
        ));
        tokio::spawn(dev::loop_back_forever(
            self.dev_state(),
            Duration::from_secs(2),
        ));
        tokio::spawn(watch::watch_forever(
            self.aws
                .health(vec![], vec![], vec![], f.dead_letter_queue_urls.clone()),
            f.submit_form_deps.tickets.clone(),
            f.submit_form_deps.clock.clone(),
            Duration::from_secs(30),
        ));
        let smtp = tokio::net::TcpListener::bind(("127.0.0.1", self.config.smtp_port)).await?;
        tokio::spawn(smtp::serve(smtp, self.dev_state()));
        Ok(())
    }

    /// The HTTP app with the dev pages, as `make dev` serves it.
    pub fn app(&self) -> Router {
        http_app(
            &self.functions,
            self.dev_state(),
            self.issuer.clone(),
            self.pool.clone(),
            &self.config.web_dir,
        )
    }

    /// The main table's change stream, on DynamoDB Local's endpoint.
    pub fn stream_reader(&self) -> streams::StreamReader {
        let mut conf = aws_sdk_dynamodbstreams::config::Builder::from(self.aws.sdk_config());
        if let Some(url) = &self.config.dynamodb_url {
            conf = conf.endpoint_url(url);
        }
        streams::StreamReader::new(
            aws_sdk_dynamodbstreams::Client::from_conf(conf.build()),
            self.aws.dynamodb(),
            self.functions.main_table.clone(),
        )
    }

    pub fn dev_state(&self) -> Arc<dev::DevState> {
        Arc::new(dev::DevState {
            moto_url: self.config.moto_url.clone(),
            s3: self.aws.s3(),
            raw_mail_bucket: self.config.raw_mail_bucket.clone(),
            sla: self.functions.sla_escalation.clone(),
            mail_domain: self.config.mail_domain.clone(),
            looped: self.looped.clone(),
        })
    }
}
