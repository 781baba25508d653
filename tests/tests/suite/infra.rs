//! The SAM template and the code, held together: a function crate per function
//! resource, every variable a function needs set by the template (its real
//! config is built from them), every declared public route served, and the
//! tables, indexes, queues and buckets of infra/resources.json declared.

use lambda_kit::config::{
    AgentApiConfig, InboundMailConfig, SendReplyConfig, SlaEscalationConfig, SubmitFormConfig,
};
use serde_yaml::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tower::ServiceExt;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn template() -> Value {
    let text = std::fs::read_to_string(format!("{ROOT}/infra/template.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("template.yaml: {e}"))
}

fn resources(t: &Value) -> &serde_yaml::Mapping {
    t["Resources"]
        .as_mapping()
        .unwrap_or_else(|| panic!("no Resources"))
}

/// `submit-form` → `SubmitFormFunction`.
fn resource_name(crate_name: &str) -> String {
    let camel: String = crate_name
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    format!("{camel}Function")
}

fn function_crates() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(format!("{ROOT}/functions"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

/// The variables a function gets: the globals and its own, with values a config
/// accepts in place of the references CloudFormation resolves.
fn variables(t: &Value, resource: &str) -> HashMap<String, String> {
    let mut vars = HashMap::new();
    let global = &t["Globals"]["Function"]["Environment"]["Variables"];
    let own = &t["Resources"][resource]["Properties"]["Environment"]["Variables"];
    for map in [global, own] {
        for (k, _) in map.as_mapping().into_iter().flatten() {
            let name = k.as_str().unwrap_or_default().to_owned();
            let value = match name.as_str() {
                "HELPDESK_MAIL_DOMAIN" => "example.com",
                "HELPDESK_MAIL_FROM" => "support@example.com",
                "HELPDESK_TRACKING_LINK_DAYS" => "90",
                "HELPDESK_SELF_TEST_MINUTES" => "60",
                "HELPDESK_SEND_RATE_PER_SECOND" => "7",
                "HELPDESK_REPLY_KEYS" => "k1:00112233445566778899aabbccddeeff",
                "HELPDESK_REPLY_KEYS_PARAMETER" => "/helpdesk/prod/reply-keys",
                "HELPDESK_HELP_URL" => "https://help.example.com",
                "HELPDESK_ORIGIN_SECRET" => "an-origin-secret-of-32-characters-or-more",
                _ => "resolved-by-cloudformation",
            };
            vars.insert(name, value.to_owned());
        }
    }
    // The keys the function reads from that parameter at start (`load`), as
    // `reply_keys_come_from_an_ssm_secure_string` shows it does.
    if vars.remove("HELPDESK_REPLY_KEYS_PARAMETER").is_some() {
        vars.insert(
            "HELPDESK_REPLY_KEYS".into(),
            "k1:00112233445566778899aabbccddeeff".into(),
        );
    }
    // As on Lambda, where a config refuses what is only good locally.
    vars.insert("AWS_LAMBDA_FUNCTION_NAME".into(), resource.to_owned());
    vars
}

#[test]
fn every_function_crate_has_its_resource_built_by_cargo_lambda() {
    let t = template();
    let crates = function_crates();
    assert_eq!(crates.len(), 6, "{crates:?}");
    for name in &crates {
        let resource = &resources(&t)[resource_name(name).as_str()];
        assert_eq!(resource["Type"], "AWS::Serverless::Function", "{name}");
        assert_eq!(
            resource["Properties"]["CodeUri"],
            format!("../target/lambda/{name}/"),
            "{name}"
        );
    }
    let functions = resources(&t)
        .values()
        .filter(|r| r["Type"] == "AWS::Serverless::Function")
        .count();
    assert_eq!(
        functions,
        crates.len(),
        "a function resource without a crate"
    );
}

#[test]
fn the_template_sets_every_variable_each_function_requires() {
    let t = template();
    let check = |name: &str, result: Result<(), lambda_kit::ConfigError>| {
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
    };
    check(
        "submit-form",
        SubmitFormConfig::from_source(&variables(&t, "SubmitFormFunction")).map(|_| ()),
    );
    check(
        "agent-api",
        AgentApiConfig::from_source(&variables(&t, "AgentApiFunction")).map(|_| ()),
    );
    check(
        "inbound-mail",
        InboundMailConfig::from_source(&variables(&t, "InboundMailFunction")).map(|_| ()),
    );
    check(
        "send-reply",
        SendReplyConfig::from_source(&variables(&t, "SendReplyFunction")).map(|_| ()),
    );
    check(
        "sla-escalation",
        SlaEscalationConfig::from_source(&variables(&t, "SlaEscalationFunction")).map(|_| ()),
    );
    check(
        "search-indexer",
        lambda_kit::config::SearchIndexerConfig::from_source(&variables(
            &t,
            "SearchIndexerFunction",
        ))
        .map(|_| ()),
    );
}

#[test]
fn queue_functions_report_batch_item_failures() {
    let t = template();
    for name in ["InboundMailFunction", "SendReplyFunction"] {
        let events = t["Resources"][name]["Properties"]["Events"]
            .as_mapping()
            .cloned()
            .unwrap_or_default();
        let sqs: Vec<&Value> = events.values().filter(|e| e["Type"] == "SQS").collect();
        assert_eq!(sqs.len(), 1, "{name}");
        assert_eq!(
            sqs[0]["Properties"]["FunctionResponseTypes"][0], "ReportBatchItemFailures",
            "{name}"
        );
    }
}

#[test]
fn the_http_api_declares_exactly_the_routes_submit_form_serves() {
    let t = template();
    let events = t["Resources"]["SubmitFormFunction"]["Properties"]["Events"]
        .as_mapping()
        .cloned()
        .unwrap_or_default();
    let mut declared: Vec<(String, String)> = events
        .values()
        .filter(|e| e["Type"] == "HttpApi")
        .map(|e| {
            let p = &e["Properties"];
            (
                p["Method"].as_str().unwrap_or_default().to_owned(),
                p["Path"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let mut served: Vec<(String, String)> = submit_form::Route::ALL
        .iter()
        .map(|r| {
            let (m, p) = r.method_and_path();
            (m.to_owned(), p.to_owned())
        })
        .collect();
    declared.sort();
    served.sort();
    assert_eq!(declared, served);
}

#[tokio::test]
async fn every_declared_public_route_is_served_by_submit_form() {
    let t = template();
    let events = t["Resources"]["SubmitFormFunction"]["Properties"]["Events"]
        .as_mapping()
        .cloned()
        .unwrap_or_default();
    assert!(events.len() >= 9);
    let store = Arc::new(testkit::InMemoryStore::default());
    let deps = Arc::new(submit_form::Deps {
        tickets: store.clone(),
        attachments: Arc::new(testkit::InMemoryAttachments::default()),
        catalog: store,
        outbound: Arc::new(testkit::RecordingQueue::default()),
        health: Arc::new(NoProbe),
        clock: Arc::new(testkit::FixedClock::monday_morning()),
        ids: Arc::new(testkit::SequentialIds::new()),
        policy: Default::default(),
        client_address: lambda_kit::client::ClientAddress::Source,
    });
    for event in events.values() {
        let method = event["Properties"]["Method"].as_str().unwrap_or_default();
        let path = event["Properties"]["Path"]
            .as_str()
            .unwrap_or_default()
            .replace("{reference}", "K7Q4M2XP9H");
        // A path the router knows answers another method with 405; an unknown one is 404.
        let other = if method == "GET" { "DELETE" } else { "PATCH" };
        let request = http::Request::builder()
            .method(other)
            .uri(&path)
            .body(axum::body::Body::empty())
            .unwrap_or_else(|e| panic!("{e}"));
        let status = submit_form::router(deps.clone())
            .oneshot(request)
            .await
            .unwrap_or_else(|never| match never {})
            .status();
        assert_eq!(status, 405, "{method} {path} is declared but not served");
    }
}

struct NoProbe;

#[async_trait::async_trait]
impl helpdesk_domain::ports::HealthProbe for NoProbe {
    async fn check(&self) -> Vec<helpdesk_domain::ports::ComponentHealth> {
        vec![]
    }
}

#[test]
fn tables_indexes_queues_and_buckets_of_resources_json_are_declared() {
    let t = template();
    let res = testkit::local::resources();
    let main = &t["Resources"]["MainTable"]["Properties"];
    let indexes: Vec<&str> = main["GlobalSecondaryIndexes"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|i| i["IndexName"].as_str())
        .collect();
    let wanted: Vec<&str> = res.tables["main"]
        .indexes
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(indexes, wanted);
    let projections: Vec<&str> = main["GlobalSecondaryIndexes"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|i| i["Projection"]["ProjectionType"].as_str())
        .collect();
    let wanted: Vec<&str> = res.tables["main"]
        .indexes
        .iter()
        .map(|i| match i.projection.as_deref() {
            Some("keys_only") => "KEYS_ONLY",
            _ => "ALL",
        })
        .collect();
    assert_eq!(projections, wanted);
    for (table, spec) in &res.tables {
        let resource = &spec.template;
        assert_eq!(
            t["Resources"][resource]["Type"], "AWS::DynamoDB::Table",
            "{table}"
        );
        let props = &t["Resources"][resource]["Properties"];
        assert_eq!(
            props["StreamSpecification"]["StreamViewType"].as_str(),
            spec.stream.as_deref(),
            "{table}: its change stream"
        );
        let keys: Vec<&str> = props["KeySchema"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(|k| k["AttributeName"].as_str())
            .collect();
        assert_eq!(
            keys,
            res.tables[table]
                .key
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            "{table}"
        );
        assert_eq!(
            props["TimeToLiveSpecification"]["AttributeName"].as_str(),
            res.tables[table].ttl.as_deref(),
            "{table}"
        );
        assert_eq!(
            props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], true,
            "{table}"
        );
    }
    for (queue, spec) in &res.queues {
        let resource = &spec.template;
        assert_eq!(
            t["Resources"][resource]["Type"], "AWS::SQS::Queue",
            "{queue}"
        );
        let props = &t["Resources"][resource]["Properties"];
        let dead = match &props["RedrivePolicy"]["deadLetterTargetArn"] {
            Value::Tagged(g) if g.tag == "GetAtt" => g.value.as_str().map(str::to_owned),
            _ => None,
        };
        assert_eq!(
            dead,
            Some(format!("{}.Arn", spec.dead_letter_template)),
            "{queue}"
        );
        assert_eq!(
            props["VisibilityTimeout"].as_u64(),
            Some(u64::from(spec.visibility_timeout)),
            "{queue}"
        );
        assert_eq!(
            props["RedrivePolicy"]["maxReceiveCount"].as_u64(),
            Some(u64::from(spec.max_receive_count)),
            "{queue}"
        );
    }
    for spec in res.buckets.values() {
        let bucket = &spec.template;
        assert_eq!(
            t["Resources"][bucket]["Type"], "AWS::S3::Bucket",
            "{bucket}"
        );
        let block = &t["Resources"][bucket]["Properties"]["PublicAccessBlockConfiguration"];
        for flag in [
            "BlockPublicAcls",
            "BlockPublicPolicy",
            "IgnorePublicAcls",
            "RestrictPublicBuckets",
        ] {
            assert_eq!(block[flag], true, "{bucket} {flag}");
        }
    }
}

#[test]
fn pages_get_strict_security_headers_and_inbound_mail_is_scanned_into_raw() {
    let t = template();
    let headers = &t["Resources"]["WebSecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
        ["SecurityHeadersConfig"];
    // The policy is a `!Sub` string: its text, however YAML would quote it.
    let csp = match &headers["ContentSecurityPolicy"]["ContentSecurityPolicy"] {
        serde_yaml::Value::Tagged(t) => t.value.as_str().unwrap_or_default().to_owned(),
        other => other.as_str().unwrap_or_default().to_owned(),
    };
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    // The local runner serves the same policy, with moto's S3 for the bucket and
    // no Cognito (tests/tests/suite/runner.rs checks it is sent).
    let moto = "http://127.0.0.1:5050";
    let directives = |policy: &str| -> Vec<(String, Vec<String>)> {
        policy
            .split(';')
            .filter_map(|d| {
                let mut words = d.split_whitespace().map(str::to_owned);
                Some((words.next()?, words.collect()))
            })
            .collect()
    };
    let expected: Vec<(String, Vec<String>)> = directives(&csp)
        .into_iter()
        .map(|(name, sources)| {
            let mut local: Vec<String> = sources
                .into_iter()
                .filter(|s| !s.contains("cognito-idp"))
                .map(|s| {
                    if s.contains("AttachmentsBucket") {
                        moto.to_owned()
                    } else {
                        s
                    }
                })
                .collect();
            // Download links: `https:` on AWS, moto's plain http here.
            if name == "img-src" {
                local.push(moto.to_owned());
            }
            (name, local)
        })
        .collect();
    assert_eq!(
        directives(&local_runner::guard::content_security_policy(moto)),
        expected
    );
    assert_eq!(headers["ReferrerPolicy"]["ReferrerPolicy"], "no-referrer");
    assert_eq!(headers["StrictTransportSecurity"]["Override"], true);
    let rule = &t["Resources"]["StoreInboundMail"]["Properties"]["Rule"];
    assert_eq!(rule["ScanEnabled"], true);
    assert_eq!(rule["Actions"][0]["S3Action"]["ObjectKeyPrefix"], "raw/");
    let notify = &t["Resources"]["RawMailBucket"]["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
        [0];
    assert_eq!(notify["Filter"]["S3Key"]["Rules"][0]["Value"], "raw/");
    // Visitors' uploads that were never attached do not stay.
    let rules =
        t["Resources"]["AttachmentsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
            .as_sequence()
            .cloned()
            .unwrap_or_default();
    assert!(
        rules.iter().any(|r| r["Prefix"]
            == helpdesk_domain::customers::attachments::INCOMING_PREFIX
            && r["ExpirationInDays"].as_u64().is_some_and(|d| d <= 2)),
        "{rules:?}"
    );
}

/// What a `!Ref` names (`None` for anything else).
fn ref_to(v: &Value) -> Option<String> {
    match v {
        Value::Tagged(t) if t.tag == "Ref" => t.value.as_str().map(str::to_owned),
        _ => None,
    }
}

#[test]
fn reply_keys_are_read_from_ssm_and_never_sit_in_the_environment() {
    let t = template();
    for function in ["InboundMailFunction", "SendReplyFunction"] {
        let props = &t["Resources"][function]["Properties"];
        let env = &props["Environment"]["Variables"];
        assert!(env["HELPDESK_REPLY_KEYS"].is_null(), "{function}");
        let parameter = match &env["HELPDESK_REPLY_KEYS_PARAMETER"] {
            Value::Tagged(t) if t.tag == "Sub" => t.value.as_str().unwrap_or_default().to_owned(),
            other => panic!("{function}: {other:?}"),
        };
        let allowed = props["Policies"][0]["Statement"]
            .as_sequence()
            .into_iter()
            .flatten()
            .any(|st| {
                st["Action"].as_sequence().is_some_and(|a| a.iter().any(|x| x == "ssm:GetParameter"))
                    && matches!(&st["Resource"], Value::Tagged(r)
                        if r.value.as_str().is_some_and(|arn| arn.ends_with(&format!(":parameter{parameter}"))))
            });
        assert!(allowed, "{function} may read {parameter}");
    }
    let text = std::fs::read_to_string(format!("{ROOT}/infra/template.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !text.contains("ReplyTokenKeys"),
        "no key parameter in the template"
    );
}

#[test]
fn the_public_api_is_reached_only_through_cloudfront_which_names_the_visitor() {
    let t = template();
    let r = |name: &str| &t["Resources"][name]["Properties"];
    let api = r("HttpApi");
    assert_eq!(
        api["DisableExecuteApiEndpoint"], true,
        "no way around CloudFront"
    );
    let mapping = r("ApiDomainMapping");
    assert_eq!(ref_to(&mapping["ApiId"]).as_deref(), Some("HttpApi"));
    assert_eq!(ref_to(&mapping["DomainName"]).as_deref(), Some("ApiDomain"));
    assert_eq!(
        ref_to(&r("ApiDomain")["DomainName"]).as_deref(),
        Some("ApiDomainName")
    );
    // CloudFront calls the API by its own name, with the secret the function checks.
    let origins = r("WebDistribution")["DistributionConfig"]["Origins"]
        .as_sequence()
        .cloned()
        .unwrap_or_default();
    let origin = origins
        .iter()
        .find(|o| o["Id"] == "api")
        .unwrap_or_else(|| panic!("no api origin"));
    assert_eq!(
        ref_to(&origin["DomainName"]).as_deref(),
        Some("ApiDomainName")
    );
    let secret_header = origin["OriginCustomHeaders"]
        .as_sequence()
        .into_iter()
        .flatten()
        .find(|h| {
            h["HeaderName"]
                .as_str()
                .map(str::to_ascii_lowercase)
                .as_deref()
                == Some(lambda_kit::client::ORIGIN_SECRET_HEADER)
        })
        .unwrap_or_else(|| panic!("CloudFront adds no origin secret"));
    assert_eq!(
        ref_to(&secret_header["HeaderValue"]).as_deref(),
        Some("OriginSecret")
    );
    let env = &r("SubmitFormFunction")["Environment"]["Variables"];
    assert_eq!(
        ref_to(&env["HELPDESK_ORIGIN_SECRET"]).as_deref(),
        Some("OriginSecret"),
        "the function checks the same secret"
    );
    assert_eq!(t["Parameters"]["OriginSecret"]["NoEcho"], true);
    // /api/* forwards CloudFront's headers (the viewer's address) but not Host.
    let behaviours = r("WebDistribution")["DistributionConfig"]["CacheBehaviors"]
        .as_sequence()
        .cloned()
        .unwrap_or_default();
    let api_behaviour = behaviours
        .iter()
        .find(|b| b["PathPattern"] == "/api/*")
        .unwrap_or_else(|| panic!("no /api/* behaviour"));
    assert_eq!(
        api_behaviour["OriginRequestPolicyId"], "b689b0a8-53d0-40ab-baf2-68738e2966ac",
        "AllViewerExceptHostHeader"
    );
    // Throttling: a ceiling for every route, lower ones where a flood costs mail.
    let default = &api["DefaultRouteSettings"];
    let (burst, rate) = (
        default["ThrottlingBurstLimit"].as_u64().unwrap_or(0),
        default["ThrottlingRateLimit"].as_f64().unwrap_or(0.0),
    );
    assert!(burst > 0 && rate > 0.0, "{default:?}");
    for route in [
        "POST /api/tickets",
        "POST /api/tracking-links",
        "POST /api/attachments",
        "POST /api/faq/reads",
    ] {
        let own = &api["RouteSettings"][route];
        let own_rate = own["ThrottlingRateLimit"].as_f64().unwrap_or(f64::MAX);
        assert!(own_rate > 0.0 && own_rate < rate, "{route}: {own:?}");
    }
}

/// The agents' user pool as deployed: emails as user names (so tokens carry the
/// generated `sub`, which `make admin` keys the record by), an authenticator app
/// required of everyone (Cognito cannot require it per group, and admins must
/// have it), recovery by the verified email; and the runner's pool, which the
/// browser tests sign in against, refuses what this policy refuses.
#[tokio::test]
async fn the_agents_pool_requires_an_authenticator_and_the_local_pool_keeps_its_policy() {
    let t = template();
    let pool = &resources(&t)["AgentUserPool"]["Properties"];
    assert_eq!(
        pool["UsernameAttributes"],
        serde_yaml::from_str::<Value>("[email]").unwrap_or_default()
    );
    assert_eq!(pool["UsernameConfiguration"]["CaseSensitive"], false);
    assert_eq!(pool["MfaConfiguration"], "ON");
    assert_eq!(
        pool["EnabledMfas"],
        serde_yaml::from_str::<Value>("[SOFTWARE_TOKEN_MFA]").unwrap_or_default()
    );
    assert_eq!(
        pool["AccountRecoverySetting"]["RecoveryMechanisms"][0]["Name"],
        "verified_email"
    );
    assert_eq!(
        pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"],
        true
    );
    let policy = &pool["Policies"]["PasswordPolicy"];
    let min = policy["MinimumLength"].as_u64().unwrap_or(0) as usize;
    assert_eq!(
        (
            &policy["RequireLowercase"],
            &policy["RequireUppercase"],
            &policy["RequireNumbers"],
            &policy["RequireSymbols"]
        ),
        (
            &Value::Bool(true),
            &Value::Bool(true),
            &Value::Bool(true),
            &Value::Bool(false)
        ),
        "the local pool checks exactly these classes"
    );
    let client = &resources(&t)["AgentUserPoolClient"]["Properties"];
    assert_eq!(
        client["GenerateSecret"], false,
        "the console is a public client"
    );
    assert_eq!(client["PreventUserExistenceErrors"], "ENABLED");

    let local = local_runner::cognito::UserPool::new(
        &[],
        std::sync::Arc::new(local_runner::auth::LocalIssuer::default()),
        None,
    );
    let long_enough = "Aa1".repeat(min.div_ceil(3));
    let now = 1_800_000_000;
    let cases = [
        (long_enough.clone(), true),
        (long_enough[..min - 1].to_owned(), false),
        (long_enough.to_lowercase(), false),
        (long_enough.to_uppercase(), false),
        ("Aa".repeat(min), false),
    ];
    for (i, (password, accepted)) in cases.into_iter().enumerate() {
        let create = serde_json::json!({"UserPoolId": local_runner::cognito::POOL_ID,
            "Username": format!("case{i}@shop.example"),
            "TemporaryPassword": password, "MessageAction": "SUPPRESS"});
        let answer = local.call("AdminCreateUser", &create, now).await;
        assert_eq!(answer.is_ok(), accepted, "{password}: {answer:?}");
    }
}

/// send-reply's claim on an outbox item outlives any run of the function (a live
/// sender is never overtaken) and ends before the outbound queue gives up on the
/// job (a redelivery after the lease takes over a dead sender's claim instead of
/// the job landing in the DLQ with the item stuck in `sending`).
#[test]
fn the_send_lease_outlives_send_reply_and_ends_before_the_queue_gives_up() {
    let t = template();
    let res = testkit::local::resources();
    let seconds = |v: &Value, what: &str| {
        v.as_u64()
            .unwrap_or_else(|| panic!("{what} is not a number of seconds: {v:?}"))
    };
    let lease = helpdesk_domain::mail::outbound::send::SEND_LEASE_SECONDS.unsigned_abs();
    let function = &t["Resources"]["SendReplyFunction"]["Properties"]["Timeout"];
    let timeout = if function.is_null() {
        seconds(&t["Globals"]["Function"]["Timeout"], "Globals timeout")
    } else {
        seconds(function, "SendReplyFunction timeout")
    };
    let queue = &t["Resources"]["OutboundQueue"]["Properties"];
    let visibility = seconds(&queue["VisibilityTimeout"], "VisibilityTimeout");
    let receives = seconds(
        &queue["RedrivePolicy"]["maxReceiveCount"],
        "maxReceiveCount",
    );
    let spec = &res.queues["outbound"];
    assert_eq!(
        (visibility, receives),
        (
            u64::from(spec.visibility_timeout),
            u64::from(spec.max_receive_count)
        ),
        "the local stack's outbound queue is the deployed one"
    );
    assert!(
        timeout < lease,
        "lease {lease} s ≤ send-reply timeout {timeout} s"
    );
    let last_receive = visibility * receives.saturating_sub(1);
    assert!(
        lease < last_receive,
        "lease {lease} s ends after the last receive ({visibility} s × ({receives} − 1))"
    );
}

/// An SLA run is gathered by a later one only once it is surely dead: the
/// abandonment age must be well past the function's timeout (a slow run still
/// alive would otherwise lose the steps it tells after the other run gathered
/// it), and past the run's own stop.
#[test]
fn an_sla_run_counts_as_abandoned_only_long_after_its_function_timed_out() {
    let t = template();
    let function = &t["Resources"]["SlaEscalationFunction"]["Properties"]["Timeout"];
    let timeout = if function.is_null() {
        t["Globals"]["Function"]["Timeout"].as_u64()
    } else {
        function.as_u64()
    }
    .unwrap_or_else(|| panic!("no timeout for SlaEscalationFunction: {function:?}"));
    let abandoned = helpdesk_domain::sla::escalation::ABANDONED_AFTER_MINUTES.unsigned_abs() * 60;
    assert!(
        timeout * 4 <= abandoned,
        "a run counts as abandoned after {abandoned} s, within 4 × the function's timeout ({timeout} s)"
    );
    assert!(sla_escalation::RUN_SECONDS.unsigned_abs() < timeout);
}

/// Every alarm reaches someone: it notifies the alarm topic (in alarm and back
/// to OK), the topic mails `AlarmEmail`, SES's review thresholds have alarms of
/// their own, the dashboard shows every figure the functions log and nothing
/// they do not, and with `Alarms=off` none of it exists (idle cost zero).
#[test]
fn every_alarm_notifies_the_alarm_topic_and_the_dashboard_shows_every_figure() {
    let t = template();
    let resources = t["Resources"].as_mapping().cloned().unwrap_or_default();
    let mut alarms = 0;
    for (name, r) in &resources {
        let name = name.as_str().unwrap_or_default();
        let kind = r["Type"].as_str().unwrap_or_default();
        if [
            "AWS::CloudWatch::Alarm",
            "AWS::SNS::Topic",
            "AWS::CloudWatch::Dashboard",
        ]
        .contains(&kind)
            && name != "MailEventsTopic"
        {
            assert!(
                r["Condition"] == "AlarmsOn",
                "{name} must exist only with Alarms=on"
            );
        }
        if kind != "AWS::CloudWatch::Alarm" {
            continue;
        }
        alarms += 1;
        for actions in ["AlarmActions", "OKActions"] {
            let list = r["Properties"][actions]
                .as_sequence()
                .cloned()
                .unwrap_or_default();
            assert!(
                list.iter()
                    .any(|a| ref_to(a).as_deref() == Some("AlarmTopic")),
                "{name}: {actions} must notify AlarmTopic"
            );
        }
    }
    assert!(alarms >= 10, "{alarms} alarms");
    let sub = &t["Resources"]["AlarmEmailSubscription"];
    assert_eq!(sub["Condition"], "AlarmsMailed");
    assert_eq!(sub["Properties"]["Protocol"], "email");
    assert_eq!(
        ref_to(&sub["Properties"]["Endpoint"]).as_deref(),
        Some("AlarmEmail")
    );
    assert_eq!(
        ref_to(&sub["Properties"]["TopicArn"]).as_deref(),
        Some("AlarmTopic")
    );
    for (alarm, metric, threshold) in [
        ("SesBounceRateAlarm", "Reputation.BounceRate", 0.05),
        ("SesComplaintRateAlarm", "Reputation.ComplaintRate", 0.001),
    ] {
        let p = &t["Resources"][alarm]["Properties"];
        assert_eq!(p["Namespace"], "AWS/SES", "{alarm}");
        assert_eq!(p["MetricName"], metric, "{alarm}");
        assert_eq!(p["Threshold"].as_f64(), Some(threshold), "{alarm}");
    }
    // The dashboard's Helpdesk figures are exactly the ones the code logs.
    let body = match &t["Resources"]["Dashboard"]["Properties"]["DashboardBody"] {
        Value::Tagged(t) if t.tag == "Sub" => t.value.as_str().unwrap_or_default().to_owned(),
        other => panic!("DashboardBody: {other:?}"),
    };
    // `${…}` placeholders stand inside strings: the body is JSON once they are filled.
    let mut filled = String::new();
    let mut rest = body.as_str();
    while let Some(at) = rest.find("${") {
        filled.push_str(&rest[..at]);
        filled.push('x');
        rest = &rest[at + rest[at..].find('}').map_or(rest.len() - at, |e| e + 1)..];
    }
    filled.push_str(rest);
    let dashboard: serde_json::Value =
        serde_json::from_str(&filled).unwrap_or_else(|e| panic!("DashboardBody: {e}"));
    let shown: std::collections::BTreeSet<String> = dashboard["widgets"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|w| {
            w["properties"]["metrics"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|m| m[0] == "Helpdesk")
        .filter_map(|m| m[1].as_str().map(str::to_owned))
        .collect();
    let logged: std::collections::BTreeSet<String> = lambda_kit::metrics::NAMES
        .iter()
        .map(|n| (*n).to_owned())
        .collect();
    assert_eq!(
        shown, logged,
        "dashboard figures vs lambda_kit::metrics::NAMES"
    );
}
