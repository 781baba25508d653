//! Handler tests on the in-memory fakes, fed from `events/agent-api.apigw.tickets.json`
//! with the claims and paths changed.

use crate::{Deps, Route, router};
use helpdesk_domain::agents::profile::Role;
use helpdesk_domain::mail::outbound::job::MailKind;
use helpdesk_domain::ports::store::Created;
use helpdesk_domain::ports::{CatalogStore, Clock, TicketStore};
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
    clock: Arc<FixedClock>,
    ids: Arc<SequentialIds>,
    deps: Arc<Deps>,
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
    let deps = Arc::new(Deps {
        tickets: store.clone(),
        catalog: store.clone(),
        attachments: Arc::new(InMemoryAttachments::default()),
        raw_mail: Arc::new(testkit::fakes::InMemoryRawMail::default()),
        outbound: queue.clone(),
        health: Arc::new(Unwell),
        clock: clock.clone(),
        ids: ids.clone(),
    });
    World {
        store,
        queue,
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
const SUE: (&str, &str) = ("sue", "supervisors");

#[tokio::test]
async fn every_route_answers_404_for_a_ticket_outside_the_agents_categories() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let missing = TicketRef::from_bits(999_999);
    let writes = [
        ("replies", json!({"version": 1, "body": "Hi"})),
        ("notes", json!({"version": 1, "body": "Hm"})),
        ("assignee", json!({"version": 1, "agent": "ben"})),
        ("status", json!({"version": 1, "status": "open"})),
        ("priority", json!({"version": 1, "priority": "high"})),
        ("category", json!({"version": 1, "category": "sales"})),
    ];
    for reference in [&r, &missing] {
        let base = format!("/api/agent/tickets/{reference}");
        let (status, body) = w.get(BEN.0, BEN.1, &base).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("not_found"))
        );
        for (action, body) in &writes {
            let (status, answer) = w
                .post(BEN.0, BEN.1, &format!("{base}/{action}"), body.clone())
                .await;
            assert_eq!(
                (status, answer["error"]["code"].as_str()),
                (404, Some("not_found")),
                "{action} on {reference}"
            );
        }
    }
    // Nothing changed, and the billing agent still sees it as it was.
    let (status, body) = w
        .get(ANA.0, ANA.1, &format!("/api/agent/tickets/{r}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["ticket"]["version"], 1);
    assert_eq!(body["thread"].as_array().unwrap().len(), 1);
    assert!(w.queue.jobs().is_empty());

    // Not in his lists or counts either, and he can't ask for that category.
    let (_, list) = w.get(BEN.0, BEN.1, "/api/agent/tickets").await;
    assert_eq!(list["items"], json!([]));
    let (status, body) = w
        .get(BEN.0, BEN.1, "/api/agent/tickets?category=billing")
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("category"))
    );
    let (_, counts) = w.get(BEN.0, BEN.1, "/api/agent/counts").await;
    assert_eq!(counts["views"]["all"], 0);
    let (_, counts) = w.get(ANA.0, ANA.1, "/api/agent/counts").await;
    assert_eq!(counts["views"]["all"], 1);
    assert_eq!(counts["views"]["unassigned"], 1);
    // The supervisor sees every category.
    let (status, _) = w
        .get(SUE.0, SUE.1, &format!("/api/agent/tickets/{r}"))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn only_a_verified_access_token_of_a_known_agent_gets_in() {
    let w = world().await;
    let (status, body) = w.call(None, "GET", "/api/agent/me", None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, body) = w.get("stranger", "agents", "/api/agent/me").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("no_agent_profile"))
    );
    let (status, body) = w.get("ana", "customers", "/api/agent/me").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("no_role"))
    );
    let (status, me) = w.get(ANA.0, ANA.1, "/api/agent/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["agent"]["role"], "agent");
    assert_eq!(
        me["categories"],
        json!([{"id": "billing", "name": "Category billing"}])
    );
    let colleagues: Vec<&str> = me["colleagues"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(colleagues, vec!["adam", "ana", "bea", "sue"]);
}

#[tokio::test]
async fn a_reply_from_an_old_version_is_refused_with_what_changed() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let path = format!("/api/agent/tickets/{r}");
    // Both open the ticket at the same moment.
    let (_, seen_by_ana) = w.get(ANA.0, ANA.1, &path).await;
    let (_, seen_by_bea) = w.get("bea", "agents", &path).await;
    let last = |v: &Value| v["thread"][0]["id"].as_str().unwrap().to_owned();
    let (status, done) = w
        .post(
            "bea",
            "agents",
            &format!("{path}/replies"),
            json!({"version": seen_by_bea["ticket"]["version"], "last_seen": last(&seen_by_bea), "body": "Refund is on its way."}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["ticket"]["status"], "waiting_on_customer");
    assert_eq!(done["ticket"]["assignee"], "bea");
    assert_eq!(done["mail_queued"], true);

    let (status, refused) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("{path}/replies"),
            json!({"version": seen_by_ana["ticket"]["version"], "last_seen": last(&seen_by_ana), "body": "We will refund you."}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(refused["error"]["code"], "changed");
    assert_eq!(refused["ticket"]["version"], 2);
    let since = refused["since"].as_array().unwrap();
    assert_eq!(since.len(), 1, "{refused}");
    assert_eq!(since[0]["body"], "Refund is on its way.");
    assert_eq!(since[0]["author"], "bea");
    // Only Bea's answer was written and mailed.
    let thread = w.store.load_ticket(&r).await.unwrap();
    assert_eq!(thread.messages.len(), 2);
    let jobs = w.queue.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, MailKind::AgentReply);
}

#[tokio::test]
async fn the_queue_pages_without_gaps_and_the_counts_follow_the_work() {
    let w = world().await;
    let mut refs = Vec::new();
    for i in 0..7 {
        refs.push(w.ticket("billing", &format!("c{i}@example.com")).await);
        w.clock.advance(chrono::Duration::minutes(1));
    }
    let mut seen = Vec::new();
    let mut path = "/api/agent/tickets?view=unassigned&limit=3".to_owned();
    let mut pages = 0;
    loop {
        let (status, page) = w.get(ANA.0, ANA.1, &path).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["reference"].as_str().unwrap().to_owned()),
        );
        match page["next"].as_str() {
            Some(next) => {
                path = format!("/api/agent/tickets?view=unassigned&limit=3&cursor={next}")
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        refs.iter().map(ToString::to_string).collect::<Vec<_>>()
    );

    // Ana takes one: unassigned drops, hers rises, and "mine" lists it.
    let (status, done) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("/api/agent/tickets/{}/assignee", refs[2]),
            json!({"version": 1, "agent": "ana"}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["entries"][0]["body"], "ana took the ticket.");
    let (_, counts) = w.get(ANA.0, ANA.1, "/api/agent/counts").await;
    assert_eq!(counts["views"]["unassigned"], 6);
    assert_eq!(counts["views"]["mine"], 1);
    let (_, mine) = w.get(ANA.0, ANA.1, "/api/agent/tickets?view=mine").await;
    assert_eq!(mine["items"][0]["reference"], refs[2].to_string());

    let (status, body) = w
        .get(
            ANA.0,
            ANA.1,
            "/api/agent/tickets?view=someday&limit=500&colour=red",
        )
        .await;
    assert_eq!(status, 400);
    let mut fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, vec!["colour", "limit", "view"]);
    let (status, body) = w
        .get(ANA.0, ANA.1, "/api/agent/tickets?cursor=bm90LWEtY3Vyc29y")
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_cursor"))
    );
}

#[tokio::test]
async fn agents_take_or_drop_their_own_and_supervisors_reassign() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let path = format!("/api/agent/tickets/{r}/assignee");
    let (status, body) = w
        .post(ANA.0, ANA.1, &path, json!({"version": 1, "agent": "bea"}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let (status, body) = w
        .post(SUE.0, SUE.1, &path, json!({"version": 1, "agent": "ben"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["fields"][0]["field"], "assignee");
    let (status, body) = w
        .post(SUE.0, SUE.1, &path, json!({"version": 1, "agent": "bea"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["entries"][0]["body"],
        "sue assigned the ticket to bea."
    );
    // Ana can't take Bea's ticket from her, and Bea can drop it.
    let (status, _) = w
        .post(ANA.0, ANA.1, &path, json!({"version": 2, "agent": "ana"}))
        .await;
    assert_eq!(status, 403);
    let (status, body) = w
        .post("bea", "agents", &path, json!({"version": 2, "agent": null}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ticket"]["assignee"], Value::Null);
}

#[tokio::test]
async fn solving_asks_the_customer_to_confirm_and_moving_reroutes() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let base = format!("/api/agent/tickets/{r}");
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("{base}/status"),
            json!({"version": 1, "status": "resolved"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(w.queue.jobs()[0].kind, MailKind::ResolutionRequest);
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("{base}/status"),
            json!({"version": 2, "status": "new"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("status"))
    );
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("{base}/status"),
            json!({"version": 2, "status": "open"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Billing hands it to technical: Ana loses it, Ben gets it unassigned.
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("{base}/category"),
            json!({"version": 3, "category": "technical"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(w.get(ANA.0, ANA.1, &base).await.0, 404);
    let (_, ben) = w
        .get(BEN.0, BEN.1, "/api/agent/tickets?view=unassigned")
        .await;
    assert_eq!(ben["items"][0]["reference"], r.to_string());
    let stored = w.store.load_ticket(&r).await.unwrap().ticket;
    assert_eq!(
        (stored.status, stored.category.as_str()),
        (Status::Open, "technical")
    );
}

#[tokio::test]
async fn bad_change_requests_name_every_field_and_write_nothing() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let path = format!("/api/agent/tickets/{r}/replies");
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &path,
            json!({"body": "  ", "solve": "yes", "cc": "x"}),
        )
        .await;
    assert_eq!(status, 400);
    let mut fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, vec!["body", "cc", "solve", "version"]);
    let (status, _) = w
        .post(
            ANA.0,
            ANA.1,
            &path,
            json!({"version": 1, "last_seen": "../x", "body": "Hi"}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("/api/agent/tickets/{r}/priority"),
            json!({"version": 1, "priority": "normal"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("priority"))
    );
    assert_eq!(w.store.load_ticket(&r).await.unwrap().ticket.version, 1);
    assert!(w.queue.jobs().is_empty());
}

#[tokio::test]
async fn the_notification_poll_reports_what_arrived_since_its_cursor() {
    let w = world().await;
    w.ticket("billing", "old@example.com").await;
    let (status, first) = w.get(ANA.0, ANA.1, "/api/agent/notifications").await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["new_tickets"], json!([]));
    let cursor = first["cursor"].as_str().unwrap().to_owned();
    w.clock.advance(chrono::Duration::minutes(1));
    let fresh = w.ticket("billing", "new@example.com").await;
    w.ticket("technical", "elsewhere@example.com").await;
    let (_, next) = w
        .get(
            ANA.0,
            ANA.1,
            &format!("/api/agent/notifications?since={cursor}"),
        )
        .await;
    let arrived: Vec<&str> = next["new_tickets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["reference"].as_str())
        .collect();
    assert_eq!(arrived, vec![fresh.to_string()]);
    assert_eq!(next["counts"]["views"]["all"], 2);
    let (_, again) = w
        .get(
            ANA.0,
            ANA.1,
            &format!(
                "/api/agent/notifications?since={}",
                next["cursor"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(again["new_tickets"], json!([]));
    let (status, _) = w
        .get(ANA.0, ANA.1, "/api/agent/notifications?since=garbage")
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_forged_notification_cursor_with_extreme_counts_answers_without_panicking() {
    use base64::Engine;
    let w = world().await;
    w.ticket("billing", "old@example.com").await;
    for count in [i64::MIN, i64::MAX, -1] {
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!(r#"{{"billing":{count},"technical":{count}}}"#));
        let (status, body) = w
            .get(
                ANA.0,
                ANA.1,
                &format!("/api/agent/notifications?since={forged}"),
            )
            .await;
        assert_eq!(status, 200, "{count}: {body}");
        assert!(
            body["new_tickets"].as_array().unwrap().len() <= 10,
            "{body}"
        );
    }
}

#[test]
fn routes_are_unique() {
    let mut seen = std::collections::HashSet::new();
    for r in Route::ALL {
        assert!(seen.insert(r.method_and_path()), "{r:?}");
    }
}

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

#[tokio::test]
async fn canned_replies_belong_to_categories_and_only_known_placeholders_pass() {
    let w = world().await;
    let (status, mine) = w
        .send(ANA, "POST", "/api/agent/canned", json!({"title": "Refund sent", "body": "Hi {{customer_name}}, the refund for {{reference}} is on its way.", "category": "billing"}))
        .await;
    assert_eq!(status, 201, "{mine}");
    let id = mine["id"].as_str().unwrap().to_owned();
    let (status, _) = w
        .send(
            ANA,
            "POST",
            "/api/agent/canned",
            json!({"title": "Quote", "body": "Our prices.", "category": "sales"}),
        )
        .await;
    assert_eq!(status, 403, "not her category");
    let (status, _) = w
        .send(
            ANA,
            "POST",
            "/api/agent/canned",
            json!({"title": "Thanks", "body": "Thank you!"}),
        )
        .await;
    assert_eq!(status, 403, "shared replies are a supervisor's");
    let (status, body) = w
        .send(
            ANA,
            "POST",
            "/api/agent/canned",
            json!({"title": "Oops", "body": "Dear {{first_name}}", "category": "billing"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("body"))
    );
    let (status, _) = w
        .send(
            SUE,
            "POST",
            "/api/agent/canned",
            json!({"title": "Thanks", "body": "Thank you, {{customer_name}}!"}),
        )
        .await;
    assert_eq!(status, 201);

    let titles = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, ben) = w.get(BEN.0, BEN.1, "/api/agent/canned").await;
    assert_eq!(titles(&ben), vec!["Thanks"]);
    let (_, ana) = w.get(ANA.0, ANA.1, "/api/agent/canned").await;
    assert_eq!(titles(&ana), vec!["Refund sent", "Thanks"]);
    assert_eq!(ana["placeholders"].as_array().unwrap().len(), 4);

    let path = format!("/api/agent/canned/{id}");
    assert_eq!(w.call(Some(BEN), "DELETE", &path, None).await.0, 404);
    let (status, edited) = w
        .send(ANA, "PUT", &path, json!({"title": "Refund sent", "body": "Refunded: {{reference}}.", "category": "billing"}))
        .await;
    assert_eq!(
        (status, edited["body"].as_str()),
        (200, Some("Refunded: {{reference}}."))
    );
    assert_eq!(w.call(Some(ANA), "DELETE", &path, None).await.0, 204);
    let (_, ana) = w.get(ANA.0, ANA.1, "/api/agent/canned").await;
    assert_eq!(titles(&ana), vec!["Thanks"]);
}

#[tokio::test]
async fn an_answer_becomes_an_faq_draft_linked_both_ways_and_a_supervisor_publishes_it() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let draft = json!({"category": "billing", "question": "When does a refund arrive?", "answer": "Within 3 business days.", "source_ticket": r.to_string()});
    let (status, _) = w
        .send(
            ANA,
            "POST",
            "/api/agent/faq",
            json!({"published": true, "category": "billing", "question": "Q?", "answer": "A."}),
        )
        .await;
    assert_eq!(status, 403, "agents save drafts");
    let (status, _) = w.send(BEN, "POST", "/api/agent/faq", draft.clone()).await;
    assert_eq!(status, 400, "not his category, not his ticket");
    let (status, entry) = w.send(ANA, "POST", "/api/agent/faq", draft).await;
    assert_eq!(status, 201, "{entry}");
    assert_eq!(entry["published"], false);
    assert_eq!(entry["source_ticket"], r.as_str());
    let (_, ticket) = w
        .get(ANA.0, ANA.1, &format!("/api/agent/tickets/{r}"))
        .await;
    let last = ticket["thread"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "system_event");
    assert_eq!(
        last["body"],
        "ana made an FAQ draft from this ticket: \u{201c}When does a refund arrive?\u{201d}."
    );

    // Drafts stay off the help center until a supervisor publishes them.
    let stored = w
        .store
        .faq(&fixtures::category_id("billing"))
        .await
        .unwrap();
    assert!(helpdesk_domain::catalog::faq::search(&stored, "refund", 5).is_empty());
    let path = format!("/api/agent/faq/billing/{}", entry["id"].as_str().unwrap());
    let publish = json!({"question": "When does a refund arrive?", "answer": "Within 3 business days.", "published": true});
    assert_eq!(w.send(ANA, "PUT", &path, publish.clone()).await.0, 403);
    let (status, published) = w.send(SUE, "PUT", &path, publish).await;
    assert_eq!(
        (status, published["published"].as_bool()),
        (200, Some(true))
    );
    let (_, list) = w.get(ANA.0, ANA.1, "/api/agent/faq?category=billing").await;
    assert_eq!(list["items"][0]["published"], true);
    assert_eq!(
        w.get(BEN.0, BEN.1, "/api/agent/faq?category=billing")
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn a_duplicate_merges_into_a_ticket_the_agent_can_see_in_one_write() {
    let w = world().await;
    let duplicate = w.ticket("billing", "jane@example.com").await;
    let kept = w.ticket("billing", "jane@example.com").await;
    let elsewhere = w.ticket("technical", "jane@example.com").await;
    let path = format!("/api/agent/tickets/{duplicate}/merge");
    for (body, field) in [
        (json!({"version": 1, "into": duplicate.to_string()}), "into"),
        (json!({"version": 1, "into": elsewhere.to_string()}), "into"),
        (json!({"version": 1, "into": "nonsense"}), "into"),
    ] {
        let (status, answer) = w.send(ANA, "POST", &path, body).await;
        assert_eq!(
            (status, answer["error"]["fields"][0]["field"].as_str()),
            (400, Some(field)),
            "{answer}"
        );
    }
    assert_eq!(
        w.send(
            BEN,
            "POST",
            &path,
            json!({"version": 1, "into": kept.to_string()})
        )
        .await
        .0,
        404
    );
    assert_eq!(
        w.send(
            ANA,
            "POST",
            &path,
            json!({"version": 7, "into": kept.to_string()})
        )
        .await
        .0,
        409
    );

    let (status, done) = w
        .send(
            ANA,
            "POST",
            &path,
            json!({"version": 1, "into": kept.to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["ticket"]["status"], "closed");
    assert_eq!(done["ticket"]["merged_into"], kept.to_string());
    let (_, target) = w
        .get(ANA.0, ANA.1, &format!("/api/agent/tickets/{kept}"))
        .await;
    let last = target["thread"].as_array().unwrap().last().unwrap().clone();
    assert!(
        last["body"]
            .as_str()
            .unwrap()
            .starts_with(&format!("ana merged {duplicate}")),
        "{last}"
    );
    let (_, counts) = w.get(ANA.0, ANA.1, "/api/agent/counts").await;
    assert_eq!(
        counts["views"]["unassigned"], 1,
        "the duplicate left the queue"
    );
    // Merging it again, or into it, is refused.
    let again = w
        .send(
            ANA,
            "POST",
            &path,
            json!({"version": 2, "into": kept.to_string()}),
        )
        .await;
    assert_eq!(again.0, 400);
}

#[tokio::test]
async fn forwarding_needs_an_address_other_than_the_customers_and_queues_the_mail() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let path = format!("/api/agent/tickets/{r}/forward");
    let (status, body) = w
        .send(
            ANA,
            "POST",
            &path,
            json!({"version": 1, "to": "not-an-address"}),
        )
        .await;
    assert_eq!(status, 400);
    let mut fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, vec!["note", "to"]);
    let (status, body) = w
        .send(
            ANA,
            "POST",
            &path,
            json!({"version": 1, "to": "JANE@example.com", "note": "hi"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("to"))
    );
    let (status, done) = w
        .send(ANA, "POST", &path, json!({"version": 1, "to": "dispatch@shipper.example", "note": "Where is parcel 4711?"}))
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["entries"][0]["kind"], "internal_note");
    assert_eq!(
        done["entries"][0]["body"],
        "Forwarded to dispatch@shipper.example.\n\nWhere is parcel 4711?"
    );
    let jobs = w.queue.jobs();
    assert_eq!(
        (jobs[0].kind, jobs[0].recipient.as_str()),
        (MailKind::Forward, "dispatch@shipper.example")
    );
}

const ADAM: (&str, &str) = ("adam", "admins");

#[tokio::test]
async fn admins_keep_categories_and_agents_and_a_lowered_record_takes_effect_at_once() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    for user in [ANA, SUE] {
        assert_eq!(
            w.get(user.0, user.1, "/api/agent/admin/categories").await.0,
            403
        );
        assert_eq!(
            w.send(
                user,
                "PUT",
                "/api/agent/admin/agents/ana",
                json!({"name": "Ana", "email": "ana@helpdesk.test", "role": "admin"})
            )
            .await
            .0,
            403
        );
    }
    let (status, listed) = w.get(ADAM.0, ADAM.1, "/api/agent/admin/categories").await;
    assert_eq!(status, 200);
    assert_eq!(listed["categories"].as_array().unwrap().len(), 3);
    assert_eq!(listed["policies"], json!([{"id": "default"}]));

    let returns = json!({
        "name": "Returns", "description": "Send something back", "sla_policy": "default", "position": 4,
        "addresses": ["returns@helpdesk.test"],
        "fields": [
            {"name": "order_id", "label": "Order number", "kind": {"type": "text", "max_len": 20}, "required": true, "help": ""},
            {"name": "reason", "label": "Reason", "kind": {"type": "choice", "options": ["Broken", "Wrong size"]}, "required": false}
        ]
    });
    let (status, created) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/categories/returns",
            returns.clone(),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["fields"][1]["kind"]["options"][1], "Wrong size");
    let stored = w
        .store
        .category(&fixtures::category_id("returns"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.addresses[0].as_str(), "returns@helpdesk.test");
    assert_eq!(
        w.send(ADAM, "PUT", "/api/agent/admin/categories/returns", returns)
            .await
            .0,
        200
    );

    let (status, body) = w
        .send(ADAM, "PUT", "/api/agent/admin/categories/gifts", json!({
            "name": "", "sla_policy": "gold", "addresses": ["returns@helpdesk.test", "x@"],
            "fields": [{"name": "Bad Name", "label": "L", "kind": {"type": "number", "min": 5, "max": 1}, "required": false}]
        }))
        .await;
    assert_eq!(status, 400);
    let mut fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        vec![
            "addresses.0",
            "addresses.1",
            "fields.0.kind.min",
            "fields.0.name",
            "name",
            "sla_policy"
        ]
    );
    let (status, body) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/categories/gifts",
            json!({"name": "Gifts", "sla": "x"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("body"))
    );

    // A new agent can sign in once the record exists.
    assert_eq!(w.get("cara", "agents", "/api/agent/me").await.0, 403);
    let (status, cara) = w
        .send(ADAM, "PUT", "/api/agent/admin/agents/cara", json!({"name": "Cara", "email": "cara@helpdesk.test", "role": "agent", "categories": ["returns"]}))
        .await;
    assert_eq!(status, 201, "{cara}");
    assert_eq!(w.get("cara", "agents", "/api/agent/me").await.0, 200);

    // Sue is a supervisor in Cognito; her record, lowered to an agent of sales,
    // is what counts from the next request on.
    assert_eq!(
        w.get(SUE.0, SUE.1, &format!("/api/agent/tickets/{r}"))
            .await
            .0,
        200
    );
    let (status, _) = w
        .send(ADAM, "PUT", "/api/agent/admin/agents/sue", json!({"name": "Sue", "email": "sue@helpdesk.test", "role": "agent", "categories": ["sales"]}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        w.get(SUE.0, SUE.1, &format!("/api/agent/tickets/{r}"))
            .await
            .0,
        404
    );
    let (_, me) = w.get(SUE.0, SUE.1, "/api/agent/me").await;
    assert_eq!(me["agent"]["role"], "agent");

    let (status, body) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/agents/adam",
            json!({"name": "Adam", "email": "adam@helpdesk.test", "role": "supervisor"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("role"))
    );
    let (status, body) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/agents/dan",
            json!({"name": "Dan", "email": "dan@", "role": "agent", "categories": ["ghost"]}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn reports_count_what_agents_did_for_supervisors_only() {
    let w = world().await;
    let solved = w.ticket("billing", "jane@example.com").await;
    let _waiting = w.ticket("billing", "joe@example.com").await;
    let _sales = w.ticket("sales", "sam@example.com").await;
    let base = format!("/api/agent/tickets/{solved}");
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("{base}/assignee"),
            json!({"version": 1, "agent": "ana"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("{base}/status"),
            json!({"version": 2, "status": "resolved"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = w.get(ANA.0, ANA.1, "/api/agent/reports").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let (status, r) = w.get(SUE.0, SUE.1, "/api/agent/reports").await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["days"].as_array().unwrap().len(), 30);
    assert_eq!(
        (
            r["totals"]["opened"].as_i64(),
            r["totals"]["solved"].as_i64()
        ),
        (Some(3), Some(1))
    );
    let billing = &r["categories"][0];
    assert_eq!(
        (
            billing["id"].as_str(),
            billing["totals"]["opened"].as_i64(),
            billing["backlog"].as_i64()
        ),
        (Some("billing"), Some(2), Some(1))
    );
    let ana = r["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "ana")
        .unwrap();
    assert_eq!(ana["totals"]["solved"].as_i64(), Some(1));
    assert_eq!(
        (
            r["backlog"]["tickets"].as_i64(),
            r["backlog"]["new"].as_i64()
        ),
        (Some(2), Some(2))
    );
    assert_eq!(r["backlog"]["ages"][0]["tickets"].as_i64(), Some(2));

    // One category: its figures, and only the agents who cover it.
    let (_, r) = w
        .get(SUE.0, SUE.1, "/api/agent/reports?category=billing")
        .await;
    assert_eq!(r["totals"]["opened"].as_i64(), Some(2));
    let agents: Vec<&str> = r["agents"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert!(
        agents.contains(&"ana") && !agents.contains(&"ben"),
        "{agents:?}"
    );

    for (query, field) in [
        ("category=nope", "category"),
        ("from=yesterday", "from"),
        ("from=2026-01-02&to=2026-01-01", "from"),
        ("to=2026-02-30", "to"),
    ] {
        let (status, body) = w
            .get(SUE.0, SUE.1, &format!("/api/agent/reports?{query}"))
            .await;
        assert_eq!(
            (status, body["error"]["fields"][0]["field"].as_str()),
            (400, Some(field)),
            "{query}: {body}"
        );
    }

    let (status, csv) = w
        .call_raw(Some(SUE), "GET", "/api/agent/reports/csv", None)
        .await;
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("day,scope,id,name,opened,solved"),
        "{csv}"
    );
    let today = w.clock.now().date_naive().to_string();
    assert!(
        lines.contains(&format!("{today},total,,All categories,3,1,0,0,0,0,,0,,,0,,").as_str()),
        "{csv}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{today},category,billing,"))),
        "{csv}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{today},agent,ana,"))),
        "{csv}"
    );
    assert_eq!(
        w.call_raw(Some(ANA), "GET", "/api/agent/reports/csv", None)
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn admins_keep_sla_policies_and_categories_can_use_a_new_one() {
    let w = world().await;
    let weekend = json!({
        "time_zone": "Europe/Lisbon",
        "hours": [{"day": "Sat", "opens": "10:00", "closes": "16:00"}, {"day": "Sun", "opens": "10:00", "closes": "14:00"}],
        "holidays": ["2026-12-26"],
        "standard": {"first_response_minutes": 240, "next_response_minutes": 240, "resolution_minutes": 960},
        "premium": {"first_response_minutes": 60, "next_response_minutes": 60, "resolution_minutes": 480}
    });
    for user in [ANA, SUE] {
        assert_eq!(
            w.get(user.0, user.1, "/api/agent/admin/policies").await.0,
            403
        );
        let (status, _) = w
            .send(
                user,
                "PUT",
                "/api/agent/admin/policies/weekend",
                weekend.clone(),
            )
            .await;
        assert_eq!(status, 403);
    }
    let (status, created) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/policies/weekend",
            weekend.clone(),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        (created["id"].as_str(), created["warn_percent"].as_u64()),
        (Some("weekend"), Some(80))
    );
    let (status, replaced) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/policies/weekend",
            weekend.clone(),
        )
        .await;
    assert_eq!(status, 200, "{replaced}");
    let (_, listed) = w.get(ADAM.0, ADAM.1, "/api/agent/admin/policies").await;
    let ids: Vec<&str> = listed["policies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(ids, ["default", "weekend"]);
    assert_eq!(
        listed["policies"][1]["hours"][0],
        json!({"day": "Sat", "opens": "10:00", "closes": "16:00"})
    );

    // The stored policy drives the catalog: a category may now name it.
    let stored = w.store.policy("weekend").await.unwrap().unwrap();
    assert_eq!(stored.calendar.time_zone(), "Europe/Lisbon");
    let (status, body) = w
        .send(
            ADAM,
            "PUT",
            "/api/agent/admin/categories/weekend-desk",
            json!({"name": "Weekend desk", "sla_policy": "weekend"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    let mut bad = weekend.clone();
    bad["time_zone"] = json!("Nowhere/Land");
    bad["hours"][1]["closes"] = json!("09:00");
    bad["premium"]["resolution_minutes"] = json!(0);
    let (status, body) = w
        .send(ADAM, "PUT", "/api/agent/admin/policies/Weekend!", bad)
        .await;
    assert_eq!(status, 400);
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "id",
            "time_zone",
            "hours.1.closes",
            "premium.resolution_minutes"
        ]
    );
    let mut unknown = weekend.clone();
    unknown["colour"] = json!("red");
    let (status, body) = w
        .send(ADAM, "PUT", "/api/agent/admin/policies/x", unknown)
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (400, Some("body"))
    );
}

#[tokio::test]
async fn remote_images_load_only_on_request_for_a_mail_on_a_ticket_the_agent_may_open() {
    use helpdesk_domain::mail::inbound::receive::Received;
    use helpdesk_domain::ports::RawMailStore;
    use testkit::mail_harness::{MailHarness, corpus};
    let h = MailHarness::new().await;
    let raw = corpus("html-only.eml", "", "");
    let Ok(Received::Created(reference)) = h.deliver("ses-html-1", &raw).await else {
        panic!("the mail made no ticket");
    };
    let category = h
        .store
        .load_ticket(&reference)
        .await
        .unwrap()
        .ticket
        .category;
    h.store
        .put_agent(&agent("ana", Role::Agent, &[category.as_str()]))
        .await
        .unwrap();
    h.store
        .put_agent(&agent("bea", Role::Agent, &["billing-other"]))
        .await
        .unwrap();
    // The function's own raw-mail store holds what SES stored.
    let raw_mail = Arc::new(testkit::InMemoryRawMail::default());
    raw_mail
        .put(
            &helpdesk_domain::mail::inbound::parse::raw_mail_key("ses-html-1"),
            &raw,
        )
        .await
        .unwrap();
    let app = router(Arc::new(Deps {
        tickets: h.store.clone(),
        catalog: h.store.clone(),
        attachments: Arc::new(InMemoryAttachments::default()),
        raw_mail,
        outbound: Arc::new(RecordingQueue::default()),
        health: Arc::new(Unwell),
        clock: Arc::new(FixedClock::monday_morning()),
        ids: Arc::new(SequentialIds::new()),
    }));
    let call = |user: &'static str, path: String| {
        let app = app.clone();
        async move {
            testkit::events::invoke(
                app,
                &testkit::events::agent_request(user, "agents", "GET", &path, None),
            )
            .await
        }
    };

    let (status, view) = call("ana", format!("/api/agent/tickets/{reference}")).await;
    assert_eq!(status, 200, "{view}");
    let mail = &view["thread"][0];
    assert_eq!(mail["remote_images_blocked"], 1);
    assert!(
        !mail["html"]
            .as_str()
            .unwrap()
            .contains("tracker.example.net")
    );
    let id = mail["id"].as_str().unwrap();
    let path = format!("/api/agent/tickets/{reference}/messages/{id}/remote-images");

    let (status, loaded) = call("ana", path.clone()).await;
    assert_eq!(status, 200, "{loaded}");
    let html = loaded["html"].as_str().unwrap();
    assert!(
        html.contains(r#"src="https://tracker.example.net/open.gif""#),
        "{html}"
    );
    // Still sanitized: no script, no handler.
    assert!(
        !html.contains("script") && !html.contains("onerror"),
        "{html}"
    );

    // Outside the agent's categories it does not exist; nor does an unknown message.
    let (status, _) = call("bea", path).await;
    assert_eq!(status, 404);
    let (status, body) = call(
        "ana",
        format!("/api/agent/tickets/{reference}/messages/00000000-nothing/remote-images"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

/// Anyone can type an address into the help center's form: until the requester
/// has shown the address is theirs, the agent is told so and sees none of that
/// address's other tickets.
#[tokio::test]
async fn an_unverified_requester_s_other_tickets_stay_hidden() {
    let w = world().await;
    let earlier = w.ticket("billing", "jane@example.com").await;
    let mut new = fixtures::new_ticket(&*w.ids, "billing", "jane@example.com", w.clock.now());
    new.ticket.email_verified = false;
    let Ok(Created::New(unverified)) = w.store.create_ticket(new).await else {
        panic!()
    };
    let (status, view) = w
        .get(
            "ana",
            "agents",
            &format!("/api/agent/tickets/{}", unverified.reference),
        )
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["ticket"]["email_verified"], false);
    assert_eq!(view["requester_tickets"], json!([]));
    // A verified requester's page lists them.
    let (_, view) = w
        .get("ana", "agents", &format!("/api/agent/tickets/{earlier}"))
        .await;
    assert_eq!(view["ticket"]["email_verified"], true);
    let others: Vec<&str> = view["requester_tickets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["reference"].as_str())
        .collect();
    assert_eq!(others, [unverified.reference.to_string()]);
}

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

#[tokio::test]
async fn the_health_page_names_each_component_for_supervisors_only() {
    let w = world().await;
    let (status, body) = w.get(ANA.0, ANA.1, "/api/agent/health").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let (status, body) = w.get(SUE.0, SUE.1, "/api/agent/health").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["components"][1]["name"], "dynamodb:ops");
    assert_eq!(body["components"][1]["detail"], "ResourceNotFoundException");
}

/// A confirmation nothing has sent for half an hour shows on the health page.
#[tokio::test]
async fn mail_left_unsent_shows_as_stuck_on_the_health_page() {
    let w = world().await;
    let outbox = |body: &Value| {
        body["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "outbox")
            .cloned()
            .unwrap()
    };
    let (_, body) = w.get(SUE.0, SUE.1, "/api/agent/health").await;
    assert_eq!(outbox(&body)["ok"], true, "{body}");

    let mut new = fixtures::new_ticket(&*w.ids, "billing", "jane@example.com", w.clock.now());
    new.outbox = vec![helpdesk_domain::mail::outbound::job::OutboundJob {
        outbox_id: helpdesk_domain::ports::IdSource::outbox_id(&*w.ids),
        kind: helpdesk_domain::mail::outbound::job::MailKind::TicketConfirmation,
        ticket: Some(new.ticket.reference.clone()),
        message: None,
        recipient: new.ticket.requester.email.clone(),
    }];
    w.store.create_ticket(new).await.unwrap();
    w.clock.advance(chrono::Duration::minutes(29));
    let (_, body) = w.get(SUE.0, SUE.1, "/api/agent/health").await;
    assert_eq!(outbox(&body)["ok"], true, "still within the sweep's reach");
    w.clock.advance(chrono::Duration::minutes(2));
    let (status, body) = w.get(SUE.0, SUE.1, "/api/agent/health").await;
    assert_eq!(status, 503);
    assert_eq!(outbox(&body)["ok"], false, "{body}");
    assert!(
        outbox(&body)["detail"]
            .as_str()
            .unwrap()
            .starts_with("1 mail waiting"),
        "{body}"
    );
}

#[tokio::test]
async fn errors_made_before_any_handler_runs_are_json_too() {
    let w = world().await;
    let (status, body) = w
        .call(
            Some(("ana", "agents")),
            "DELETE",
            "/api/agent/tickets",
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (405, Some("method_not_allowed")),
        "{body}"
    );
    let (status, body) = w.get("ana", "agents", "/api/agent/tickets/%ff").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_request")),
        "{body}"
    );
}
