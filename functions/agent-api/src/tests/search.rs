//! Finding a ticket by reference, address or Message-ID, and the customer's page:
//! only what the caller covers, and every bad input named.

use super::*;
use helpdesk_domain::ports::MessageIds;

fn refs(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} in {v}"))
        .iter()
        .map(|t| t["reference"].as_str().unwrap().to_owned())
        .collect()
}

async fn find(w: &World, user: (&str, &str), q: &str) -> (u16, Value) {
    let q = url_escape(q);
    w.get(user.0, user.1, &format!("/api/agent/search?q={q}"))
        .await
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// `r` with one character changed so its check fails.
fn mistyped(r: &TicketRef) -> String {
    let s = r.as_str();
    let first = if s.starts_with('A') { 'B' } else { 'A' };
    format!("{first}{}", &s[1..])
}

#[tokio::test]
async fn a_ticket_is_found_by_its_reference_as_people_type_it() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    for typed in [
        r.display(),
        r.as_str().to_lowercase(),
        format!("#{}", r.display()),
        format!("  {}  ", r.display().to_lowercase()),
    ] {
        let (status, found) = find(&w, ANA, &typed).await;
        assert_eq!(status, 200, "{typed}: {found}");
        assert_eq!(found["read_as"], "reference");
        assert_eq!(refs(&found, "tickets"), [r.to_string()], "{typed}");
    }
    // A typo: the check character catches it, and the ticket one typo away is offered.
    let typo = mistyped(&r);
    assert!(
        TicketRef::parse(&typo).is_err(),
        "{typo} must fail its check"
    );
    let (status, found) = find(&w, ANA, &typo).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["read_as"], "mistyped_reference");
    assert_eq!(refs(&found, "tickets"), Vec::<String>::new());
    assert_eq!(refs(&found, "did_you_mean"), [r.to_string()]);
    assert!(found["hint"].as_str().unwrap().contains("typo"));
    // Two neighbours swapped (the first pair that differs), too.
    let s: Vec<char> = r.as_str().chars().collect();
    let i = (0..s.len() - 1)
        .find(|&i| s[i] != s[i + 1])
        .expect("a reference has two different neighbours");
    let mut swapped = s.clone();
    swapped.swap(i, i + 1);
    let swapped: String = swapped.into_iter().collect();
    let (_, found) = find(&w, ANA, &swapped).await;
    assert_eq!(refs(&found, "did_you_mean"), [r.to_string()], "{swapped}");
}

#[tokio::test]
async fn an_address_finds_the_customers_tickets_and_their_page() {
    let w = world().await;
    let older = w.ticket("billing", "jane@example.com").await;
    w.clock.advance(chrono::Duration::hours(1));
    let newer = w.ticket("billing", "Jane@Example.com").await;
    let elsewhere = w.ticket("technical", "jane@example.com").await;
    let (status, found) = find(&w, ANA, "JANE@example.com").await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["read_as"], "address");
    assert_eq!(found["customer"], "JANE@example.com");
    // Ana covers billing only: the technical ticket is not named.
    assert_eq!(
        refs(&found, "tickets"),
        [newer.to_string(), older.to_string()]
    );
    let (_, all) = find(&w, SUE, "jane@example.com").await;
    assert_eq!(refs(&all, "tickets").len(), 3);
    assert!(refs(&all, "tickets").contains(&elsewhere.to_string()));
    // Ben covers technical and sales: only that one, and never billing's.
    let (_, bens) = find(&w, BEN, "jane@example.com").await;
    assert_eq!(refs(&bens, "tickets"), [elsewhere.to_string()]);
    let (_, by_ref) = find(&w, BEN, &older.display()).await;
    assert_eq!(refs(&by_ref, "tickets"), Vec::<String>::new(), "{by_ref}");
}

#[tokio::test]
async fn a_mails_message_id_finds_its_ticket_with_or_without_brackets() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    w.store
        .record_message_id("CAF+x9@mail.gmail.com", &r)
        .await
        .unwrap();
    for q in ["<CAF+x9@mail.gmail.com>", "CAF+x9@mail.gmail.com"] {
        let (status, found) = find(&w, ANA, q).await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(refs(&found, "tickets"), [r.to_string()], "{q}");
    }
    let (_, none) = find(&w, BEN, "<CAF+x9@mail.gmail.com>").await;
    assert_eq!(refs(&none, "tickets"), Vec::<String>::new());
}

#[tokio::test]
async fn bad_queries_are_refused_naming_the_field() {
    let w = world().await;
    for (path, field) in [
        ("/api/agent/search?q=", "q"),
        ("/api/agent/search", "q"),
        ("/api/agent/search?q=%20%20", "q"),
        ("/api/agent/search?q=a%00b", "q"),
        ("/api/agent/search?q=a+b+c+d+e+f+g+h+i+j+k+l+m", "q"),
        ("/api/agent/search?q=x&colour=red", "colour"),
        ("/api/agent/search?status=lost", "status"),
        ("/api/agent/search?q=x&assignee=..%2Fadmin", "assignee"),
        ("/api/agent/search?tag=two%20words", "tag"),
        (
            "/api/agent/search?q=x&created_from=yesterday",
            "created_from",
        ),
        ("/api/agent/search?q=x&page=0", "page"),
        ("/api/agent/search?q=x&page=41", "page"),
    ] {
        let (status, body) = w.get(ANA.0, ANA.1, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"]["fields"][0]["field"], field, "{path}: {body}");
    }
    let long = "a".repeat(10_000);
    let (status, body) = find(&w, ANA, &long).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["fields"][0]["field"], "q");
    let (status, words) = find(&w, ANA, "refund kettle").await;
    assert_eq!(status, 200, "{words}");
    assert_eq!(words["read_as"], "words");
    assert_eq!(words["total"], 0);
    assert_eq!(refs(&words, "tickets"), Vec::<String>::new());
}

/// A ticket whose first message says `body`, indexed as the indexer would.
async fn written(w: &World, category: &str, who: &str, body: &str) -> TicketRef {
    let mut new = fixtures::new_ticket(&*w.ids, category, who, w.clock.now());
    new.first_message.body_text = body.to_owned();
    let reference = match w.store.create_ticket(new).await {
        Ok(Created::New(t)) => t.reference,
        other => panic!("{other:?}"),
    };
    helpdesk_domain::search::indexer::index_changed(
        &*w.store,
        &*w.index,
        std::slice::from_ref(&reference),
    )
    .await
    .unwrap();
    reference
}

fn hits(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("hits in {v}"))
        .iter()
        .map(|h| h["ticket"]["reference"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn words_find_tickets_the_caller_covers_with_the_matching_words_marked() {
    let w = world().await;
    let ours = written(
        &w,
        "billing",
        "zoe@example.com",
        "My blender, order A-10023, arrived broken.",
    )
    .await;
    let theirs = written(
        &w,
        "technical",
        "max@example.com",
        "The blender app crashes.",
    )
    .await;
    let (status, body) = find(&w, ANA, "blenders broke").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["read_as"], "words");
    assert_eq!(
        hits(&body),
        vec![ours.to_string()],
        "ana covers billing only"
    );
    assert_eq!(body["total"], 1);
    let marked: Vec<&str> = body["hits"][0]["snippet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["hit"] == true)
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(marked, ["blender", "broken"]);
    // The detail-like order number, and the last word as a beginning.
    let (_, body) = find(&w, ANA, "A-10023").await;
    assert_eq!(hits(&body), vec![ours.to_string()]);
    let (_, body) = find(&w, ANA, "blend").await;
    assert_eq!(hits(&body), vec![ours.to_string()]);
    // Asking for the other category finds nothing, as if it did not exist.
    let (status, body) = w
        .get(
            ANA.0,
            ANA.1,
            "/api/agent/search?q=blender&category=technical",
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["total"], 0);
    // A supervisor covers both.
    let (_, body) = find(&w, SUE, "blender").await;
    let mut both = hits(&body);
    both.sort();
    let mut expected = vec![ours.to_string(), theirs.to_string()];
    expected.sort();
    assert_eq!(both, expected);
}

#[tokio::test]
async fn filters_alone_list_tickets_and_combine_with_words() {
    let w = world().await;
    let a = written(&w, "billing", "zoe@example.com", "kettle leaks").await;
    let b = written(&w, "billing", "zoe@example.com", "kettle is loud").await;
    let (status, _) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("/api/agent/tickets/{b}/tags"),
            serde_json::json!({ "version": 1, "add": ["vip"], "remove": [] }),
        )
        .await;
    assert_eq!(status, 200);
    helpdesk_domain::search::indexer::index_changed(&*w.store, &*w.index, std::slice::from_ref(&b))
        .await
        .unwrap();
    let (status, body) = w.get(ANA.0, ANA.1, "/api/agent/search?tag=vip").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(hits(&body), vec![b.to_string()]);
    assert_eq!(body["hits"][0]["ticket"]["tags"][0], "vip");
    let (_, body) = w
        .get(
            ANA.0,
            ANA.1,
            "/api/agent/search?q=kettle&assignee=none&status=new",
        )
        .await;
    let mut found = hits(&body);
    found.sort();
    let mut expected = vec![a.to_string(), b.to_string()];
    expected.sort();
    assert_eq!(found, expected);
    let (_, body) = w
        .get(ANA.0, ANA.1, "/api/agent/search?q=kettle&tag=vip")
        .await;
    assert_eq!(hits(&body), vec![b.to_string()]);
}

#[tokio::test]
async fn the_customers_page_shows_what_the_caller_covers_and_keeps_a_private_note() {
    let w = world().await;
    let first = w.ticket("billing", "jane@example.com").await;
    w.clock.advance(chrono::Duration::days(2));
    w.ticket("billing", "jane@example.com").await;
    w.ticket("technical", "jane@example.com").await;
    let path = "/api/agent/customers/jane%40example.com";
    let (status, page) = w.get(ANA.0, ANA.1, path).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["email"], "jane@example.com");
    assert_eq!(refs(&page, "tickets").len(), 2, "billing only");
    assert_eq!(refs(&page, "tickets")[1], first.to_string(), "newest first");
    assert_eq!(page["tier"], "standard");
    assert_eq!(page["note"], Value::Null);
    assert!(page["first_contact"].as_str() < page["last_contact"].as_str());
    // Nobody of theirs in the caller's categories: as if there were no such customer.
    let (status, _) = w
        .get(BEN.0, BEN.1, "/api/agent/customers/nobody%40example.com")
        .await;
    assert_eq!(status, 404);
    let (status, bad) = w
        .get(ANA.0, ANA.1, "/api/agent/customers/not-an-address")
        .await;
    assert_eq!(status, 400);
    assert_eq!(bad["error"]["fields"][0]["field"], "email");

    let note = format!("{path}/note");
    let (status, saved) = w
        .send(
            ANA,
            "PUT",
            &note,
            json!({"text": "  Prefers mail. VIP since 2024.\r\n"}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["note"]["text"], "Prefers mail. VIP since 2024.");
    assert_eq!(saved["note"]["by"], "ana");
    // Another agent covering one of her tickets reads it.
    let (_, bens) = w.get(BEN.0, BEN.1, path).await;
    assert_eq!(bens["note"]["text"], "Prefers mail. VIP since 2024.");
    assert_eq!(refs(&bens, "tickets").len(), 1);
    // Too long, or with control characters: refused, naming the field; nothing changes.
    for text in ["x".repeat(2_001), "bell\u{7}".to_owned()] {
        let (status, body) = w.send(ANA, "PUT", &note, json!({ "text": text })).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "text");
    }
    let (status, body) = w.send(ANA, "PUT", &note, json!({"note": "x"})).await;
    assert_eq!(status, 400, "{body}");
    // A stranger's address: 404, nothing written.
    let (status, _) = w
        .send(
            ANA,
            "PUT",
            "/api/agent/customers/else%40example.com/note",
            json!({"text": "x"}),
        )
        .await;
    assert_eq!(status, 404);
    // Empty removes it.
    let (status, cleared) = w.send(ANA, "PUT", &note, json!({"text": ""})).await;
    assert_eq!(status, 200);
    assert_eq!(cleared["note"], Value::Null);
    let (_, page) = w.get(ANA.0, ANA.1, path).await;
    assert_eq!(page["note"], Value::Null);
}

fn view_names(v: &Value) -> Vec<String> {
    v["views"]
        .as_array()
        .unwrap_or_else(|| panic!("views in {v}"))
        .iter()
        .map(|x| x["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn saved_views_are_kept_for_one_or_a_team_and_counted_from_the_index() {
    let w = world().await;
    let a = written(&w, "billing", "zoe@example.com", "kettle leaks").await;
    written(&w, "billing", "zoe@example.com", "kettle is loud").await;
    written(&w, "technical", "max@example.com", "kettle app").await;
    let (status, mine) = w
        .post(
            ANA.0,
            ANA.1,
            "/api/agent/views",
            json!({"name": "Kettles", "search": {"q": "kettle", "page": "3"}}),
        )
        .await;
    assert_eq!(status, 201, "{mine}");
    assert_eq!(mine["count"], 2, "ana covers billing only: {mine}");
    assert_eq!(mine["search"], json!({"q": "kettle"}), "no page kept");
    let (status, team) = w
        .post(
            ANA.0,
            ANA.1,
            "/api/agent/views",
            json!({"name": "Leaks", "shared_with": "billing", "search": {"q": "leak"}}),
        )
        .await;
    assert_eq!(status, 201, "{team}");
    assert_eq!(team["count"], 1);
    let (_, listed) = w.get(ANA.0, ANA.1, "/api/agent/views").await;
    assert_eq!(view_names(&listed), ["Kettles", "Leaks"]);
    // Bea works billing: the team's view, not ana's own. Ben works neither.
    let (_, beas) = w.get(BEA.0, BEA.1, "/api/agent/views").await;
    assert_eq!(view_names(&beas), ["Leaks"]);
    let (_, bens) = w.get(BEN.0, BEN.1, "/api/agent/views").await;
    assert_eq!(view_names(&bens), Vec::<String>::new());
    // The count follows the tickets as the index sees them.
    let (status, _) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("/api/agent/tickets/{a}/status"),
            json!({"status": "open", "version": 1}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = w
        .post(
            ANA.0,
            ANA.1,
            "/api/agent/views",
            json!({"name": "Open kettles", "search": {"q": "kettle", "status": "open"}}),
        )
        .await;
    assert_eq!(status, 201);
    helpdesk_domain::search::indexer::index_changed(&*w.store, &*w.index, std::slice::from_ref(&a))
        .await
        .unwrap();
    let (_, listed) = w.get(ANA.0, ANA.1, "/api/agent/views").await;
    let open = listed["views"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "Open kettles")
        .cloned();
    assert_eq!(open.unwrap_or_default()["count"], 1);
    // Deleting: bea may not delete ana's shared view; a supervisor may.
    let id = team["id"].as_str().unwrap();
    let (status, _) = w
        .call(Some(BEA), "DELETE", &format!("/api/agent/views/{id}"), None)
        .await;
    assert_eq!(status, 404);
    let (status, _) = w
        .call(Some(SUE), "DELETE", &format!("/api/agent/views/{id}"), None)
        .await;
    assert_eq!(status, 200);
    let (status, _) = w
        .call(Some(SUE), "DELETE", &format!("/api/agent/views/{id}"), None)
        .await;
    assert_eq!(status, 404, "gone");
    // Ben cannot delete ana's own view, ana can.
    let mine_id = mine["id"].as_str().unwrap();
    let (status, _) = w
        .call(
            Some(BEN),
            "DELETE",
            &format!("/api/agent/views/{mine_id}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = w
        .call(
            Some(ANA),
            "DELETE",
            &format!("/api/agent/views/{mine_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_bad_view_is_refused_naming_its_field() {
    let w = world().await;
    let long = "x".repeat(10_000);
    for (body, field) in [
        (json!({"name": "", "search": {"q": "a"}}), "name"),
        (json!({"name": long, "search": {"q": "a"}}), "name"),
        (json!({"name": "a\u{0}b", "search": {"q": "a"}}), "name"),
        (json!({"name": "x", "search": {}}), "search"),
        (
            json!({"name": "x", "search": {"colour": "red"}}),
            "search.colour",
        ),
        (
            json!({"name": "x", "search": {"status": "lost"}}),
            "search.status",
        ),
        (json!({"name": "x", "search": {"q": long}}), "search.q"),
        (
            json!({"name": "x", "shared_with": "sales", "search": {"q": "a"}}),
            "shared_with",
        ),
        (
            json!({"name": "x", "shared_with": "../x", "search": {"q": "a"}}),
            "shared_with",
        ),
    ] {
        let (status, answer) = w.post(ANA.0, ANA.1, "/api/agent/views", body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(
            answer["error"]["fields"][0]["field"], field,
            "{body}: {answer}"
        );
    }
    let (status, answer) = w
        .post(
            ANA.0,
            ANA.1,
            "/api/agent/views",
            json!({"name": "x", "search": {"q": "a"}, "colour": 1}),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    // Twenty kept; the twenty-first is refused.
    for n in 0..20 {
        let (status, _) = w
            .post(
                ANA.0,
                ANA.1,
                "/api/agent/views",
                json!({"name": format!("v{n}"), "search": {"q": "a"}}),
            )
            .await;
        assert_eq!(status, 201);
    }
    let (status, answer) = w
        .post(
            ANA.0,
            ANA.1,
            "/api/agent/views",
            json!({"name": "one more", "search": {"q": "a"}}),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["fields"][0]["field"], "name");
}

#[tokio::test]
async fn an_admin_renames_a_tag_and_merges_one_into_another() {
    let w = world().await;
    let index_all = |refs: Vec<TicketRef>| {
        let (store, index) = (w.store.clone(), w.index.clone());
        async move {
            helpdesk_domain::search::indexer::index_changed(&*store, &*index, &refs)
                .await
                .unwrap();
        }
    };
    let a = written(&w, "billing", "zoe@example.com", "one").await;
    let b = written(&w, "technical", "max@example.com", "two").await;
    let c = written(&w, "billing", "zoe@example.com", "three").await;
    for (r, tags) in [
        (&a, vec!["vip", "late"]),
        (&b, vec!["vip"]),
        (&c, vec!["gold"]),
    ] {
        let (status, body) = w
            .post(
                SUE.0,
                SUE.1,
                &format!("/api/agent/tickets/{r}/tags"),
                json!({"version": 1, "add": tags, "remove": []}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    index_all(vec![a.clone(), b.clone(), c.clone()]).await;
    // The reports count tickets by tag (from the index), in the chosen categories.
    let (status, report) = w.get(SUE.0, SUE.1, "/api/agent/reports").await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["tags"],
        json!([
            {"tag": "vip", "opened": 2, "active": 2},
            {"tag": "gold", "opened": 1, "active": 1},
            {"tag": "late", "opened": 1, "active": 1},
        ])
    );
    let (_, billing) = w
        .get(SUE.0, SUE.1, "/api/agent/reports?category=billing")
        .await;
    assert_eq!(
        billing["tags"][0],
        json!({"tag": "gold", "opened": 1, "active": 1})
    );
    let rename = |who: (&'static str, &'static str), body: Value| {
        w.post(who.0, who.1, "/api/agent/tags/rename", body)
    };
    let (status, _) = rename(ANA, json!({"from": "vip", "to": "gold"})).await;
    assert_eq!(status, 403, "agents may not");
    let (status, _) = rename(SUE, json!({"from": "vip", "to": "gold"})).await;
    assert_eq!(status, 403, "supervisors may not either");
    for (body, field) in [
        (json!({"from": "vip", "to": "vip"}), "to"),
        (json!({"from": "two words", "to": "x"}), "from"),
        (json!({"from": "vip", "to": "x".repeat(33)}), "to"),
    ] {
        let (status, answer) = rename(ADAM, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error"]["fields"][0]["field"], field, "{answer}");
    }
    // vip into gold (in use on c): a merge.
    let (status, done) = rename(ADAM, json!({"from": "VIP", "to": "gold"})).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done, json!({"changed": 2, "left": 0}));
    for (r, expected) in [
        (&a, vec!["gold", "late"]),
        (&b, vec!["gold"]),
        (&c, vec!["gold"]),
    ] {
        let thread = w.store.load_ticket(r).await.unwrap();
        let tags: Vec<&str> = thread.ticket.tags.iter().map(|t| t.as_str()).collect();
        assert_eq!(tags, expected, "{r}");
    }
    let (_, used) = w.get(ADAM.0, ADAM.1, "/api/agent/tags").await;
    assert_eq!(
        used["tags"],
        json!(["gold", "late"]),
        "vip left the suggestions"
    );
    // Nothing carries it any more: renaming again changes nothing.
    index_all(vec![a.clone(), b.clone()]).await;
    let (_, again) = rename(ADAM, json!({"from": "vip", "to": "gold"})).await;
    assert_eq!(again, json!({"changed": 0, "left": 0}));
}

#[tokio::test]
async fn a_team_view_filters_on_its_own_category_only() {
    let w = world().await;
    let (status, answer) = w
        .post(
            ANA.0,
            ANA.1,
            "/api/agent/views",
            json!({"name": "x", "shared_with": "billing", "search": {"q": "secret plan", "category": "technical"}}),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["fields"][0]["field"], "search.category");
    let (status, _) = w
        .post(
            ANA.0,
            ANA.1,
            "/api/agent/views",
            json!({"name": "x", "shared_with": "billing", "search": {"q": "plan", "category": "billing"}}),
        )
        .await;
    assert_eq!(status, 201);
}
