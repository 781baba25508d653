//! Each function fed the sample events from `events/`, with its dependencies built
//! from a fresh environment exactly as its `main` builds them.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use helpdesk_domain::mail::outbound::job::OutboundJob;
use lambda_kit::config::{
    AgentApiConfig, InboundMailConfig, SearchIndexerConfig, SendReplyConfig, SlaEscalationConfig,
    SubmitFormConfig,
};
use std::sync::Arc;
use testkit::events::{event_text, load_event};
use testkit::local::LocalEnv;

pub use testkit::events::invoke;

/// agent-api as its `main` builds it, and a supervisor's request to it.
async fn agent_health(env: &LocalEnv) -> (u16, serde_json::Value) {
    let config = AgentApiConfig::from_source(&env.vars).unwrap_or_else(|e| panic!("{e}"));
    let deps = agent_api::Deps::connect(&testkit::iam::recorded(&env.aws, "agent-api"), &config);
    deps.catalog
        .put_agent(&testkit::fixtures::agent(
            "sue",
            helpdesk_domain::agents::profile::Role::Supervisor,
            &[],
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let request =
        testkit::events::agent_request("sue", "supervisors", "GET", "/api/agent/health", None);
    invoke(agent_api::router(Arc::new(deps)), &request).await
}

#[tokio::test]
async fn the_public_health_says_only_ok_and_the_agents_page_names_every_dependency() {
    let env = LocalEnv::fresh().await;
    let config = SubmitFormConfig::from_source(&env.vars).unwrap_or_else(|e| panic!("{e}"));
    let router = submit_form::router(Arc::new(submit_form::Deps::connect(
        &testkit::iam::recorded(&env.aws, "submit-form"),
        &config,
    )));
    let (status, body) = invoke(router, &event_text("submit-form.apigw.health.json")).await;
    assert_eq!((status, body), (200, serde_json::json!({"status": "ok"})));

    let (status, body) = agent_health(&env).await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<&str> = body["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    // Two tables, the outbound queue, its and the inbound DLQ, two buckets, the outbox.
    assert_eq!(names.len(), 8, "{names:?}");
    assert!(names.contains(&format!("dynamodb:{}", config.store.main_table).as_str()));
    assert!(names.contains(&"outbox"), "{names:?}");
    assert!(
        body["components"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|c| c["ok"] == true),
        "{body}"
    );

    // A message that failed every retry makes the page say which queue holds it.
    let dlq = env.put_message("HELPDESK_OUTBOUND_DLQ_URL", "{}").await;
    let (status, body) = agent_health(&env).await;
    assert_eq!(status, 503, "{body}");
    let failing: Vec<(&str, &str)> = body["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["ok"] == false)
        .filter_map(|c| Some((c["name"].as_str()?, c["detail"].as_str()?)))
        .collect();
    let dlq_name = dlq.rsplit('/').next().unwrap_or_default();
    assert_eq!(failing.len(), 1, "{failing:?}");
    assert_eq!(failing[0].0, format!("sqs:{dlq_name}"));
    assert!(failing[0].1.starts_with("1 dead-lettered"), "{failing:?}");
}

#[tokio::test]
async fn health_says_degraded_in_public_and_which_dependency_to_agents() {
    let mut env = LocalEnv::fresh().await;
    // The stack's ops table, gone (still a name the template's ops table has, so
    // the permission check holds the calls to it like any other).
    let gone = format!("{}-gone", env.var("HELPDESK_OPS_TABLE"));
    env.vars.insert("HELPDESK_OPS_TABLE".into(), gone.clone());
    let config = SubmitFormConfig::from_source(&env.vars).unwrap_or_else(|e| panic!("{e}"));
    let router = submit_form::router(Arc::new(submit_form::Deps::connect(
        &testkit::iam::recorded(&env.aws, "submit-form"),
        &config,
    )));
    let (status, body) = invoke(router, &event_text("submit-form.apigw.health.json")).await;
    assert_eq!(
        (status, body),
        (503, serde_json::json!({"status": "degraded"}))
    );
    let (status, body) = agent_health(&env).await;
    assert_eq!(status, 503);
    let bad: Vec<&str> = body["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["ok"] == false)
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(bad, [format!("dynamodb:{gone}")]);
}

#[tokio::test]
async fn unknown_public_routes_are_404_and_the_agent_api_is_501_until_built() {
    let env = LocalEnv::fresh().await;
    let submit = SubmitFormConfig::from_source(&env.vars).unwrap_or_else(|e| panic!("{e}"));
    let router = submit_form::router(Arc::new(submit_form::Deps::connect(
        &testkit::iam::recorded(&env.aws, "submit-form"),
        &submit,
    )));
    let unknown =
        event_text("submit-form.apigw.health.json").replace("/api/health", "/api/no-such-route");
    let (status, body) = invoke(router, &unknown).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );

    let agent = AgentApiConfig::from_source(&env.vars).unwrap_or_else(|e| panic!("{e}"));
    let router = agent_api::router(Arc::new(agent_api::Deps::connect(
        &testkit::iam::recorded(&env.aws, "agent-api"),
        &agent,
    )));
    // The claims are read and checked against the agent records: none exist here.
    let (status, body) = invoke(router, &event_text("agent-api.apigw.tickets.json")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("no_agent_profile"))
    );
}

#[tokio::test]
async fn queue_functions_take_their_sample_events() {
    let env = LocalEnv::fresh().await;
    // The notification names a mail that is not stored here: nothing to do, done.
    let inbound = InboundMailConfig::from_source(&env.vars).unwrap_or_else(|e| panic!("{e}"));
    let deps =
        inbound_mail::Deps::connect(&testkit::iam::recorded(&env.aws, "inbound-mail"), &inbound);
    let mut event: SqsEvent = load_event("inbound-mail.sqs.s3-notification.json");
    for record in &mut event.records {
        record.body = record
            .body
            .take()
            .map(|b| b.replace("helpdesk-raw-mail", &env.var("HELPDESK_RAW_MAIL_BUCKET")));
    }
    let response = inbound_mail::handle(&deps, event).await;
    assert!(response.batch_item_failures.is_empty());
    let test_event: SqsEvent = load_event("inbound-mail.sqs.s3-test-event.json");
    assert!(
        inbound_mail::handle(&deps, test_event)
            .await
            .batch_item_failures
            .is_empty()
    );

    // The jobs name tickets this fresh store does not have: skipped, not retried.
    let reply = SendReplyConfig::from_source(&env.vars).unwrap_or_else(|e| panic!("{e}"));
    let deps = send_reply::Deps::connect(&testkit::iam::recorded(&env.aws, "send-reply"), &reply);
    let event: SqsEvent = load_event("send-reply.sqs.confirmation.json");
    for record in &event.records {
        let job = OutboundJob::parse(record.body.as_deref().unwrap_or_default());
        assert!(job.is_ok(), "{job:?}");
    }
    let response = send_reply::handle(&deps, event).await;
    assert!(
        response.batch_item_failures.is_empty(),
        "{:?}",
        response.batch_item_failures
    );
}

#[tokio::test]
async fn sla_escalation_runs_from_its_sample_event() {
    let env = LocalEnv::fresh().await;
    let config = SlaEscalationConfig::from_source(&env.vars).unwrap_or_else(|e| panic!("{e}"));
    let deps =
        sla_escalation::Deps::connect(&testkit::iam::recorded(&env.aws, "sla-escalation"), &config);
    let tick: EventBridgeEvent = load_event("sla-escalation.eventbridge.scheduled.json");
    let report = sla_escalation::handle(&deps, tick)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Fresh tables: nothing is due, and the run says so.
    assert_eq!(report.sla.looked_at, 0, "{report:?}");
}

#[tokio::test]
async fn search_indexer_indexes_from_its_sample_event_and_agent_api_finds_it_through_s3() {
    use helpdesk_domain::ports::TicketRecords;
    let env = LocalEnv::fresh().await;
    let dir = |name: &str| {
        std::env::temp_dir()
            .join(testkit::local::unique(name))
            .to_string_lossy()
            .into_owned()
    };
    // The ticket the sample event names (the first reference of fresh ids).
    let ids = testkit::SequentialIds::new();
    let mut new = testkit::fixtures::new_ticket(
        &ids,
        "billing",
        "zoe@example.com",
        chrono::DateTime::UNIX_EPOCH,
    );
    new.first_message.body_text = "My blender A-10023 smokes.".into();
    assert_eq!(new.ticket.reference.as_str(), "000000001Y");
    let store = env.store();
    store
        .create_ticket(new)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let mut config = SearchIndexerConfig::from_source(&env.vars).unwrap_or_else(|e| panic!("{e}"));
    config.search.dir = dir("indexer");
    let deps =
        search_indexer::Deps::connect(&testkit::iam::recorded(&env.aws, "search-indexer"), &config);
    let event = load_event("search-indexer.dynamodb.ticket-changed.json");
    let response = search_indexer::handle(&deps, event).await;
    assert!(response.batch_item_failures.is_empty(), "{response:?}");

    // agent-api as its main builds it, with its own copy of the index from S3.
    let mut config = AgentApiConfig::from_source(&env.vars).unwrap_or_else(|e| panic!("{e}"));
    config.search.dir = dir("agent-api");
    let api = agent_api::Deps::connect(&testkit::iam::recorded(&env.aws, "agent-api"), &config);
    api.catalog
        .put_agent(&testkit::fixtures::agent(
            "ana",
            helpdesk_domain::agents::profile::Role::Agent,
            &["billing"],
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let request = testkit::events::agent_request(
        "ana",
        "agents",
        "GET",
        "/api/agent/search?q=blender%20smoke",
        None,
    );
    let (status, body) = invoke(agent_api::router(Arc::new(api)), &request).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["hits"][0]["ticket"]["reference"], "00000-0001Y",
        "{body}"
    );
}

#[test]
fn every_sample_event_parses_as_its_function_expects() {
    let dir = testkit::events::events_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= 7, "{names:?}");
    for name in names {
        let text = event_text(&name);
        let function = name.split('.').next().unwrap_or_default();
        let ok = match function {
            "submit-form" | "agent-api" => lambda_http::request::from_str(&text).is_ok(),
            "inbound-mail" | "send-reply" => serde_json::from_str::<SqsEvent>(&text).is_ok(),
            "sla-escalation" => serde_json::from_str::<EventBridgeEvent>(&text).is_ok(),
            "search-indexer" => {
                serde_json::from_str::<aws_lambda_events::event::dynamodb::Event>(&text).is_ok()
            }
            other => panic!("{name}: no function called {other}"),
        };
        assert!(ok, "{name} does not parse as {function}'s event");
    }
}
