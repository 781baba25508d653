//! What the help center's visitors looked for: searches (with and without an
//! answer) and the answers that ended visits without a request.

use super::Period;
use crate::catalog::faq::FaqSearchCount;
use crate::ports::CatalogStore;
use crate::ports::store::StoreError;
use crate::values::ids::CategoryId;
use serde::Serialize;

/// Queries (and answers) shown in each list.
const TOP_QUERIES: usize = 20;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueryCount {
    pub query: String,
    /// None: searched across all categories.
    pub category: Option<String>,
    pub searches: u32,
    pub zero_results: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaqReport {
    pub searches: u32,
    pub zero_results: u32,
    /// Most often searched without an answer.
    pub unanswered: Vec<QueryCount>,
    /// Most often searched.
    pub top: Vec<QueryCount>,
    /// The answers whose readers most often left without writing to us.
    pub ended_without_ticket: Vec<AnswerRead>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerRead {
    pub category: String,
    pub entry: String,
    pub question: String,
    /// Visits that opened it.
    pub opened: u32,
    /// Of those, visits that still sent a request.
    pub then_ticket: u32,
    pub without_ticket: u32,
    /// "Did this help?" answered yes / no on its page.
    pub helpful: u32,
    pub unhelpful: u32,
}

/// The chosen categories' answers by visits that ended without a request.
pub(super) async fn answers_read(
    catalog: &dyn CatalogStore,
    period: Period,
    categories: &[CategoryId],
) -> Result<Vec<AnswerRead>, StoreError> {
    let mut out = Vec::new();
    let reads = catalog.faq_read_log(period.from, period.to).await?;
    for c in categories {
        let entries = catalog.faq(c).await?;
        for r in reads.iter().filter(|r| &r.category == c) {
            let question = entries.iter().find(|e| e.id == r.entry).map_or_else(
                || format!("(removed: {})", r.entry.as_str()),
                |e| e.question.clone(),
            );
            out.push(AnswerRead {
                category: c.to_string(),
                entry: r.entry.as_str().to_owned(),
                question,
                opened: r.opened,
                then_ticket: r.then_ticket,
                without_ticket: r.without_ticket(),
                helpful: r.helpful,
                unhelpful: r.unhelpful,
            });
        }
    }
    out.sort_by(|a, b| {
        b.without_ticket
            .cmp(&a.without_ticket)
            .then_with(|| b.opened.cmp(&a.opened))
    });
    out.truncate(TOP_QUERIES);
    Ok(out)
}

/// The searches of the chosen categories (and those across all categories), most
/// asked first.
pub(super) fn faq_report(log: Vec<FaqSearchCount>, categories: &[CategoryId]) -> FaqReport {
    let log: Vec<FaqSearchCount> = log
        .into_iter()
        .filter(|l| l.category.as_ref().is_none_or(|c| categories.contains(c)))
        .collect();
    let json = |l: &FaqSearchCount| QueryCount {
        query: l.query.clone(),
        category: l.category.as_ref().map(ToString::to_string),
        searches: l.searches,
        zero_results: l.zero_results,
    };
    let mut unanswered: Vec<&FaqSearchCount> = log.iter().filter(|l| l.zero_results > 0).collect();
    unanswered.sort_by(|a, b| {
        b.zero_results
            .cmp(&a.zero_results)
            .then_with(|| a.query.cmp(&b.query))
    });
    FaqReport {
        searches: log.iter().map(|l| l.searches).sum(),
        zero_results: log.iter().map(|l| l.zero_results).sum(),
        unanswered: unanswered.into_iter().take(TOP_QUERIES).map(json).collect(),
        top: log.iter().take(TOP_QUERIES).map(json).collect(),
        ended_without_ticket: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faq_lists_keep_to_the_chosen_categories() {
        let c = |s: &str| Some(CategoryId::parse(s).unwrap());
        let log = vec![
            FaqSearchCount {
                query: "refund".into(),
                category: c("billing"),
                searches: 5,
                zero_results: 1,
            },
            FaqSearchCount {
                query: "vpn".into(),
                category: None,
                searches: 3,
                zero_results: 3,
            },
            FaqSearchCount {
                query: "price".into(),
                category: c("sales"),
                searches: 9,
                zero_results: 9,
            },
        ];
        let r = faq_report(log, &[CategoryId::parse("billing").unwrap()]);
        assert_eq!((r.searches, r.zero_results), (8, 4));
        let unanswered: Vec<&str> = r.unanswered.iter().map(|q| q.query.as_str()).collect();
        assert_eq!(unanswered, ["vpn", "refund"]);
    }
}
