//! Handler tests on the in-memory fakes, fed from `events/agent-api.apigw.tickets.json`
//! with the claims and paths changed.

use crate::{Deps, Route, router};
use helpdesk_domain::agents::profile::Role;
use helpdesk_domain::mail::outbound::job::MailKind;
use helpdesk_domain::ports::Clock;
use helpdesk_domain::ports::TicketRecords;
use helpdesk_domain::ports::store::Created;
use helpdesk_domain::ports::{AgentProfiles, Categories, SlaPolicies};
use helpdesk_domain::{Status, TicketRef};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use testkit::events::event_text;
use testkit::fixtures::{self, agent, category};
use testkit::{FixedClock, InMemoryAttachments, InMemoryStore, RecordingQueue, SequentialIds};
use tower::ServiceExt;

struct World {
    store: Arc<InMemoryStore>,
    queue: Arc<RecordingQueue>,
    raw: Arc<testkit::InMemoryRawMail>,
    redelivered: Arc<testkit::RecordingRedelivery>,
    files: Arc<InMemoryAttachments>,
    clock: Arc<FixedClock>,
    ids: Arc<SequentialIds>,
    deps: Arc<Deps>,
    /// The word index the API searches; tests index tickets into it.
    index: Arc<testkit::MemoryIndex>,
}

async fn world() -> World {
    let store = Arc::new(InMemoryStore::default());
    store
        .put_policy(&fixtures::office_policy("default"))
        .await
        .unwrap();
    for (i, id) in ["billing", "technical", "sales"].into_iter().enumerate() {
        store.put_category(&category(id, i as u32)).await.unwrap();
    }
    for a in [
        agent("ana", Role::Agent, &["billing"]),
        agent("ben", Role::Agent, &["technical", "sales"]),
        agent("bea", Role::Agent, &["billing"]),
        agent("sue", Role::Supervisor, &[]),
        agent("adam", Role::Admin, &[]),
    ] {
        store.put_agent(&a).await.unwrap();
    }
    let queue = Arc::new(RecordingQueue::default());
    let clock = Arc::new(FixedClock::monday_morning());
    let ids = Arc::new(SequentialIds::new());
    let raw = Arc::new(testkit::InMemoryRawMail::default());
    let redelivered = Arc::new(testkit::RecordingRedelivery::default());
    let files = Arc::new(InMemoryAttachments::default());
    let index = Arc::new(testkit::MemoryIndex::default());
    let deps = Arc::new(Deps {
        tickets: store.clone(),
        mail: store.clone(),
        redelivery: redelivered.clone(),
        catalog: store.clone(),
        attachments: files.clone(),
        raw_mail: raw.clone(),
        outbound: queue.clone(),
        health: Arc::new(Unwell),
        clock: clock.clone(),
        ids: ids.clone(),
        index: index.clone(),
        erasure: store.clone(),
        audit: store.clone(),
    });
    World {
        index,
        store,
        queue,
        raw,
        redelivered,
        files,
        clock,
        ids,
        deps,
    }
}

impl World {
    async fn ticket(&self, category: &str, who: &str) -> TicketRef {
        let new = fixtures::new_ticket(&*self.ids, category, who, self.clock.now());
        match self.store.create_ticket(new).await {
            Ok(Created::New(t)) => t.reference,
            other => panic!("{other:?}"),
        }
    }

    /// Calls the API as `user` (in `group`), as API Gateway would after checking the token.
    async fn call(
        &self,
        user: Option<(&str, &str)>,
        method: &str,
        path_and_query: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let (status, bytes) = self.call_raw(user, method, path_and_query, body).await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// As [`World::call`], answering the body's bytes.
    async fn call_raw(
        &self,
        user: Option<(&str, &str)>,
        method: &str,
        path_and_query: &str,
        body: Option<Value>,
    ) -> (u16, Vec<u8>) {
        let mut event: Value =
            serde_json::from_str(&event_text("agent-api.apigw.tickets.json")).unwrap();
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        event["rawPath"] = json!(path);
        event["rawQueryString"] = json!(query);
        event["requestContext"]["http"]["path"] = json!(path);
        event["requestContext"]["http"]["method"] = json!(method);
        event["queryStringParameters"] = testkit::events::query_parameters(query);
        match user {
            Some((name, group)) => {
                let claims = &mut event["requestContext"]["authorizer"]["jwt"]["claims"];
                claims["username"] = json!(name);
                claims["cognito:groups"] = json!(format!("[{group}]"));
            }
            None => {
                event["requestContext"]
                    .as_object_mut()
                    .unwrap()
                    .remove("authorizer");
            }
        }
        if let Some(b) = body {
            event["body"] = json!(b.to_string());
        }
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        let response = router(self.deps.clone()).oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, bytes.to_vec())
    }

    async fn get(&self, user: &str, group: &str, path: &str) -> (u16, Value) {
        self.call(Some((user, group)), "GET", path, None).await
    }

    async fn post(&self, user: &str, group: &str, path: &str, body: Value) -> (u16, Value) {
        self.call(Some((user, group)), "POST", path, Some(body))
            .await
    }
}

const ANA: (&str, &str) = ("ana", "agents");
const BEN: (&str, &str) = ("ben", "agents");
const BEA: (&str, &str) = ("bea", "agents");
const SUE: (&str, &str) = ("sue", "supervisors");

impl World {
    async fn send(
        &self,
        user: (&str, &str),
        method: &str,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        self.call(Some(user), method, path, Some(body)).await
    }
}

const ADAM: (&str, &str) = ("adam", "admins");

/// One table answers, one does not.
struct Unwell;

#[async_trait::async_trait]
impl helpdesk_domain::ports::HealthProbe for Unwell {
    async fn check(&self) -> Vec<helpdesk_domain::ports::ComponentHealth> {
        use helpdesk_domain::ports::ComponentHealth;
        vec![
            ComponentHealth {
                name: "dynamodb:main".into(),
                ok: true,
                detail: "ACTIVE".into(),
            },
            ComponentHealth {
                name: "dynamodb:ops".into(),
                ok: false,
                detail: "ResourceNotFoundException".into(),
            },
        ]
    }
}

mod access;
mod admin;
mod bulk;
mod cc;
mod health;
mod library;
mod macros;
mod opening;
mod privacy;
mod profile;
mod queue;
mod ratings;
mod reports;
mod review;
mod search;
mod tickets;
mod tiers;
mod uploads;
