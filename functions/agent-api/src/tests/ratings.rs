//! Customers' ratings as agents and supervisors read them: on the ticket, and in
//! the reports per category, agent and tier, with the comments.

use super::*;
use helpdesk_domain::tickets::rating::{Rating, Score};

impl World {
    /// The customer rates `reference` (as the tracking page would store it).
    async fn rated(&self, reference: &TicketRef, score: Score, comment: &str) {
        let before = self.store.load_ticket(reference).await.unwrap().ticket;
        let mut after = before.clone();
        after.status = Status::Resolved;
        after.assignee = Some(testkit::fixtures::agent_id("ana"));
        after.rating = Some(Rating {
            score,
            comment: comment.into(),
            at: self.clock.now(),
            first_at: self.clock.now(),
            category: before.category.clone(),
            assignee: after.assignee.clone(),
            premium: false,
            changes: 0,
        });
        self.store
            .update_ticket(helpdesk_domain::ports::store::TicketUpdate::new(
                &before,
                after,
                vec![],
            ))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn ratings_show_on_the_ticket_and_in_the_reports_by_category_agent_and_tier() {
    let w = world().await;
    let liked = w.ticket("billing", "jane@example.com").await;
    let disliked = w.ticket("billing", "joe@example.com").await;
    let elsewhere = w.ticket("sales", "sam@example.com").await;
    w.rated(&liked, Score::Good, "Quick and kind.").await;
    w.rated(&disliked, Score::Bad, "=HYPERLINK(\"x\") still broken")
        .await;
    w.rated(&elsewhere, Score::Good, "").await;

    let (status, shown) = w
        .get(ANA.0, ANA.1, &format!("/api/agent/tickets/{disliked}"))
        .await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["ticket"]["rating"]["score"], "bad");

    let (status, r) = w
        .get(SUE.0, SUE.1, "/api/agent/reports?category=billing")
        .await;
    assert_eq!(status, 200, "{r}");
    let totals = &r["categories"][0]["totals"];
    assert_eq!(
        (
            totals["rated_good"].as_i64(),
            totals["rated_bad"].as_i64(),
            totals["csat"].as_f64()
        ),
        (Some(1), Some(1), Some(0.5))
    );
    let ana = r["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "ana")
        .unwrap();
    // An agent's row counts all their tickets (the sales one too).
    assert_eq!(
        (
            ana["totals"]["rated_good"].as_i64(),
            ana["totals"]["rated_bad"].as_i64()
        ),
        (Some(2), Some(1)),
        "{ana}"
    );
    assert_eq!(r["tiers"][0]["totals"]["rated_bad"].as_i64(), Some(1));
    let comments: Vec<(&str, &str)> = r["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["score"].as_str().unwrap(), c["comment"].as_str().unwrap()))
        .collect();
    assert_eq!(
        comments.len(),
        2,
        "only the chosen category's ratings: {comments:?}"
    );
    assert!(comments.contains(&("good", "Quick and kind.")));

    let (status, csv) = w
        .call_raw(
            Some(SUE),
            "GET",
            "/api/agent/reports/csv?category=billing",
            None,
        )
        .await;
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",rated_good,rated_bad,csat_percent"),
        "{csv}"
    );
    assert!(csv.contains(",1,1,50.0\r\n"), "{csv}");
}
