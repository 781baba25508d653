//! `CatalogStore` on DynamoDB: categories, agents and FAQ entries are items under
//! fixed partitions, read with one Query each.

use super::items::{self, AgentItem, CannedItem, CategoryItem, FaqItem, FaqLogItem, PolicyItem, s};
use super::transaction::{Transaction, TxError};
use super::{DynamoStore, keys, sdk_error};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use helpdesk_domain::agents::canned::CannedReply;
use helpdesk_domain::agents::profile::Agent;
use helpdesk_domain::catalog::faq::FaqEntry;
use helpdesk_domain::catalog::faq::{FaqReadCount, FaqSearch, FaqSearchCount};
use helpdesk_domain::customers::tier_rule::TierRule;
use helpdesk_domain::mail::inbound::quarantine::SenderPattern;
use helpdesk_domain::ports::store::{RateLimitClaim, StoreError};
use helpdesk_domain::ports::{
    AgentProfiles, CannedReplies, Categories, CustomerTiers, FaqEntries, FaqStats, SlaPolicies,
};
use helpdesk_domain::sla::policy::SlaPolicy;
use helpdesk_domain::tickets::counters;
use helpdesk_domain::values::ids::FaqId;
use helpdesk_domain::{AgentId, Category, CategoryId};

impl DynamoStore {
    /// One search added to its day's item for the query, under `condition`.
    fn faq_log_update(&self, search: &FaqSearch, condition: &str) -> Result<Update, StoreError> {
        let day = search.at.date_naive();
        let scope = search.category.as_ref().map_or("*", |c| c.as_str());
        // Kept a little over a year, for year-on-year reports.
        let expires = search.at + chrono::Duration::days(400);
        let mut update = Update::builder()
            .table_name(&self.tables.main)
            .key("pk", s(keys::faq_log_pk(day)))
            .key("sk", s(keys::faq_log_sk(day, scope, &search.query)))
            .expression_attribute_values(":q", s(search.query.clone()))
            .expression_attribute_values(":one", items::n(1))
            .expression_attribute_values(":zero", items::n(u32::from(search.results == 0)))
            .expression_attribute_values(":exp", items::n(expires.timestamp()));
        let mut set = "SET #q = :q, expires_at = :exp".to_owned();
        if let Some(c) = &search.category {
            set.push_str(", category = :c");
            update = update.expression_attribute_values(":c", s(c.as_str()));
        }
        update
            .expression_attribute_names("#q", "query")
            .update_expression(format!("{set} ADD searches :one, zero_results :zero"))
            .condition_expression(condition)
            .build()
            .map_err(super::build_error)
    }

    /// A transaction's `Update`, sent on its own.
    async fn send_update(
        &self,
        u: &Update,
    ) -> Result<
        aws_sdk_dynamodb::operation::update_item::UpdateItemOutput,
        aws_sdk_dynamodb::error::SdkError<
            aws_sdk_dynamodb::operation::update_item::UpdateItemError,
            aws_sdk_dynamodb::config::http::HttpResponse,
        >,
    > {
        self.client
            .update_item()
            .table_name(u.table_name())
            .set_key(Some(u.key().clone()))
            .update_expression(u.update_expression())
            .set_condition_expression(u.condition_expression().map(str::to_owned))
            .set_expression_attribute_names(u.expression_attribute_names().cloned())
            .set_expression_attribute_values(u.expression_attribute_values().cloned())
            .send()
            .await
    }

    /// Day logs kept per month (the sort key starts with the day): one range
    /// query per month of `from..=to`.
    fn days_by_month(
        &self,
        pk: fn(NaiveDate) -> String,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<impl std::future::Future<Output = Result<Vec<items::Item>, StoreError>> + '_> {
        let mut months = Vec::new();
        let mut day = from;
        while day <= to {
            let month_end = (day + chrono::Months::new(1))
                .with_day(1)
                .map_or(to, |next| next.pred_opt().unwrap_or(to).min(to));
            months.push(self.partition_range(
                pk(day),
                format!("{day}#"),
                format!("{month_end}#\u{10FFFF}"),
            ));
            day = month_end + chrono::Duration::days(1);
        }
        months
    }
}

#[async_trait]
impl Categories for DynamoStore {
    async fn categories(&self) -> Result<Vec<Category>, StoreError> {
        let mut all = self
            .partition(keys::CATEGORY_PK.into())
            .await?
            .into_iter()
            .map(|i| items::from_item::<CategoryItem>(i).map(|c| c.category))
            .collect::<Result<Vec<_>, _>>()?;
        all.sort_by(|a, b| (a.position, &a.id).cmp(&(b.position, &b.id)));
        Ok(all)
    }

    async fn category(&self, id: &CategoryId) -> Result<Option<Category>, StoreError> {
        self.get_item(keys::CATEGORY_PK, id.as_str())
            .await?
            .map(|i| items::from_item::<CategoryItem>(i).map(|c| c.category))
            .transpose()
    }

    async fn put_category(&self, category: &Category) -> Result<(), StoreError> {
        self.put_plain(&CategoryItem {
            pk: keys::CATEGORY_PK.into(),
            sk: category.id.as_str().into(),
            category: category.clone(),
        })
        .await
    }
}

#[async_trait]
impl AgentProfiles for DynamoStore {
    async fn agents(&self) -> Result<Vec<Agent>, StoreError> {
        self.partition(keys::AGENT_PK.into())
            .await?
            .into_iter()
            .map(|i| items::from_item::<AgentItem>(i).map(|a| a.agent))
            .collect()
    }

    async fn agent(&self, id: &AgentId) -> Result<Option<Agent>, StoreError> {
        self.get_item(keys::AGENT_PK, id.as_str())
            .await?
            .map(|i| items::from_item::<AgentItem>(i).map(|a| a.agent))
            .transpose()
    }

    async fn put_agent(&self, agent: &Agent) -> Result<(), StoreError> {
        self.put_plain(&AgentItem {
            pk: keys::AGENT_PK.into(),
            sk: agent.id.as_str().into(),
            agent: agent.clone(),
        })
        .await
    }

    async fn set_signoff(
        &self,
        id: &AgentId,
        display_name: Option<String>,
        signature: Option<String>,
    ) -> Result<Option<Agent>, StoreError> {
        // Two attributes of the record, nothing else: an admin's change to the
        // rest at the same moment stands.
        let mut set = Vec::new();
        let mut remove = Vec::new();
        let mut update = self
            .client
            .update_item()
            .table_name(&self.tables.main)
            .key("pk", s(keys::AGENT_PK))
            .key("sk", s(id.as_str()))
            .expression_attribute_names("#a", "agent")
            .expression_attribute_names("#d", "display_name")
            .expression_attribute_names("#s", "signature")
            .condition_expression("attribute_exists(pk)")
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew);
        for (name, value, placeholder) in [("#d", display_name, ":d"), ("#s", signature, ":s")] {
            match value {
                Some(v) => {
                    set.push(format!("#a.{name} = {placeholder}"));
                    update = update.expression_attribute_values(placeholder, s(v));
                }
                None => remove.push(format!("#a.{name}")),
            }
        }
        let mut expression = String::new();
        if !set.is_empty() {
            expression.push_str(&format!("SET {}", set.join(", ")));
        }
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        agent_updated(update.update_expression(expression.trim()).send().await)
    }

    async fn set_alert_choices(
        &self,
        id: &AgentId,
        choices: &helpdesk_domain::agents::alert_mail::AlertChoices,
    ) -> Result<Option<Agent>, StoreError> {
        // One attribute of the record: an admin's change to the rest stands.
        let value = serde_dynamo::to_attribute_value(choices)
            .map_err(|e| StoreError::Corrupt(format!("alert choices: {e}")))?;
        let updated = self
            .client
            .update_item()
            .table_name(&self.tables.main)
            .key("pk", s(keys::AGENT_PK))
            .key("sk", s(id.as_str()))
            .update_expression("SET #a.#c = :c")
            .expression_attribute_names("#a", "agent")
            .expression_attribute_names("#c", "alerts")
            .expression_attribute_values(":c", value)
            .condition_expression("attribute_exists(pk)")
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        agent_updated(updated)
    }
}

#[async_trait]
impl FaqEntries for DynamoStore {
    async fn faq(&self, category: &CategoryId) -> Result<Vec<FaqEntry>, StoreError> {
        let mut entries = self
            .partition(keys::faq_pk(category))
            .await?
            .into_iter()
            .map(|i| items::from_item::<FaqItem>(i).map(|f| f.entry))
            .collect::<Result<Vec<_>, _>>()?;
        entries.sort_by(|a, b| (a.position, &a.id).cmp(&(b.position, &b.id)));
        Ok(entries)
    }

    async fn put_faq(&self, entry: &FaqEntry) -> Result<(), StoreError> {
        self.put_plain(&FaqItem {
            pk: keys::faq_pk(&entry.category),
            sk: entry.id.as_str().into(),
            entry: entry.clone(),
        })
        .await
    }

    async fn delete_faq(&self, category: &CategoryId, id: &FaqId) -> Result<bool, StoreError> {
        self.delete_main(keys::faq_pk(category), id.as_str().into())
            .await
    }
}

#[async_trait]
impl FaqStats for DynamoStore {
    async fn log_faq_search(
        &self,
        search: &FaqSearch,
        new_queries_per_day: u32,
    ) -> Result<bool, StoreError> {
        // A query already logged today: one conditional ADD.
        let known = self.faq_log_update(search, "attribute_exists(pk)")?;
        match self.send_update(&known).await {
            Ok(_) => return Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_conditional_check_failed_exception()) => {}
            Err(e) => return Err(sdk_error(e)),
        }
        // A new query takes one of the day's places, in the same transaction.
        let claim = RateLimitClaim::fixed_window(
            "faq-new-queries",
            new_queries_per_day,
            chrono::Duration::days(1),
            search.at,
        );
        #[derive(PartialEq)]
        enum Role {
            DayPlace,
            NewQuery,
        }
        let mut tx = Transaction::new();
        tx.extend_numbered(|_| Role::DayPlace, self.rate_limit_updates(&[claim])?);
        tx.push(
            Role::NewQuery,
            TransactWriteItem::builder()
                .update(self.faq_log_update(search, "attribute_not_exists(pk)")?)
                .build(),
        );
        match tx.commit(self).await {
            Ok(()) => Ok(true),
            // The day's places are taken: the search is answered, not logged.
            Err(e) if e.failed(&Role::DayPlace) => Ok(false),
            // Logged by another search in between: count this one on it, once.
            Err(e) if e.failed(&Role::NewQuery) => self
                .send_update(&known)
                .await
                .map(|_| true)
                .map_err(sdk_error),
            // A conflict or throttling: the caller reports it (the answer stands).
            Err(TxError::Failed(_)) => {
                Err(StoreError::Unavailable("a write's condition failed".into()))
            }
            Err(TxError::Conflict(e) | TxError::Other(e)) => Err(e),
        }
    }

    async fn faq_search_log(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FaqSearchCount>, StoreError> {
        let months = self.days_by_month(keys::faq_log_pk, from, to);
        let items = futures::future::try_join_all(months).await?;
        let days = items.into_iter().flatten().map(|item| {
            items::from_item::<FaqLogItem>(item).map(|l| FaqSearchCount {
                query: l.query,
                category: l.category,
                searches: l.searches,
                zero_results: l.zero_results,
            })
        });
        Ok(FaqSearchCount::summed(days.collect::<Result<Vec<_>, _>>()?))
    }

    async fn count_faq_reads(
        &self,
        entries: &[(CategoryId, FaqId)],
        then_ticket: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let deltas = counters::faq_reads(entries, then_ticket, at.date_naive());
        // A visitor's read has no ticket to pick the shard: any one will do.
        let shard = rand::random::<u32>() % keys::COUNTER_SHARDS;
        let writes = self.counter_updates(deltas, shard)?;
        if writes.is_empty() {
            return Ok(());
        }
        // All in one round trip (at most MAX_READ_BEFORE items).
        self.transact(writes).await.map_err(sdk_error)
    }

    async fn count_faq_vote(
        &self,
        category: &CategoryId,
        entry: &FaqId,
        helpful: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let delta = counters::faq_vote(category, entry, helpful, at.date_naive());
        let shard = rand::random::<u32>() % keys::COUNTER_SHARDS;
        let writes = self.counter_updates(vec![delta], shard)?;
        self.transact(writes).await.map_err(sdk_error)
    }

    async fn faq_read_log(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FaqReadCount>, StoreError> {
        let months = self.days_by_month(keys::faq_read_pk, from, to);
        let items = futures::future::try_join_all(months).await?;
        let mut days = Vec::new();
        for item in items.into_iter().flatten() {
            let (category, entry) = item
                .get("sk")
                .and_then(|v| v.as_s().ok())
                .and_then(|sk| keys::faq_read_entry(sk))
                .ok_or_else(|| StoreError::Corrupt("FAQ read item without its answer".into()))?;
            days.push(FaqReadCount {
                category,
                entry,
                opened: u32::try_from(items::number(&item, "opened")?).unwrap_or(0),
                then_ticket: u32::try_from(items::number(&item, "then_ticket")?).unwrap_or(0),
                helpful: u32::try_from(items::number(&item, "helpful")?).unwrap_or(0),
                unhelpful: u32::try_from(items::number(&item, "unhelpful")?).unwrap_or(0),
            });
        }
        Ok(FaqReadCount::summed(days))
    }
}

#[async_trait]
impl CannedReplies for DynamoStore {
    async fn canned_replies(&self) -> Result<Vec<CannedReply>, StoreError> {
        let mut all = self
            .partition(keys::CANNED_PK.into())
            .await?
            .into_iter()
            .map(|i| items::from_item::<CannedItem>(i).map(|c| c.canned))
            .collect::<Result<Vec<_>, _>>()?;
        all.sort_by(|a, b| {
            (a.title.to_lowercase(), a.id.as_str()).cmp(&(b.title.to_lowercase(), b.id.as_str()))
        });
        Ok(all)
    }

    async fn put_canned(&self, reply: &CannedReply) -> Result<(), StoreError> {
        self.put_plain(&CannedItem {
            pk: keys::CANNED_PK.into(),
            sk: reply.id.as_str().to_owned(),
            canned: reply.clone(),
        })
        .await
    }

    async fn delete_canned(&self, id: &FaqId) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.tables.main)
            .key("pk", s(keys::CANNED_PK))
            .key("sk", s(id.as_str()))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }
}

#[async_trait]
impl SlaPolicies for DynamoStore {
    async fn policies(&self) -> Result<Vec<SlaPolicy>, StoreError> {
        self.partition(keys::POLICY_PK.into())
            .await?
            .into_iter()
            .map(|i| items::from_item::<PolicyItem>(i).map(|p| p.policy))
            .collect()
    }

    async fn policy(&self, id: &str) -> Result<Option<SlaPolicy>, StoreError> {
        self.get_item(keys::POLICY_PK, id)
            .await?
            .map(|i| items::from_item::<PolicyItem>(i).map(|p| p.policy))
            .transpose()
    }

    async fn put_policy(&self, policy: &SlaPolicy) -> Result<(), StoreError> {
        self.put_plain(&PolicyItem {
            pk: keys::POLICY_PK.into(),
            sk: policy.id.clone(),
            policy: policy.clone(),
        })
        .await
    }
}

/// The agent record an update of part of it left, or `None` when there is no
/// such agent (its condition failed).
fn agent_updated(
    result: Result<
        aws_sdk_dynamodb::operation::update_item::UpdateItemOutput,
        aws_sdk_dynamodb::error::SdkError<
            aws_sdk_dynamodb::operation::update_item::UpdateItemError,
        >,
    >,
) -> Result<Option<Agent>, StoreError> {
    match result {
        Ok(out) => out
            .attributes
            .map(|item| items::from_item::<AgentItem>(item).map(|a| a.agent))
            .transpose(),
        Err(e)
            if matches!(
                super::sdk_error_ref(&e),
                Some("ConditionalCheckFailedException")
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(super::sdk_error(e)),
    }
}

/// One rule of the customer list, keyed by its pattern's text.
#[derive(serde::Serialize, serde::Deserialize)]
struct TierRuleItem {
    pk: String,
    sk: String,
    rule: TierRule,
}

#[async_trait]
impl CustomerTiers for DynamoStore {
    async fn tier_rules(&self) -> Result<Vec<TierRule>, StoreError> {
        self.partition(keys::TIER_RULE_PK.into())
            .await?
            .into_iter()
            .map(|item| items::from_item::<TierRuleItem>(item).map(|r| r.rule))
            .collect()
    }

    async fn put_tier_rule(&self, rule: &TierRule) -> Result<(), StoreError> {
        self.put_plain(&TierRuleItem {
            pk: keys::TIER_RULE_PK.into(),
            sk: rule.pattern.text(),
            rule: rule.clone(),
        })
        .await
    }

    async fn delete_tier_rule(&self, pattern: &SenderPattern) -> Result<bool, StoreError> {
        self.delete_main(keys::TIER_RULE_PK.into(), pattern.text())
            .await
    }
}
