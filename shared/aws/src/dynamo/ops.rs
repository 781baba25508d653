//! The channel probes and the reports' day items (`Probes`, `ReportDays`).

use super::items::{self, s};
use super::{DynamoStore, keys, sdk_error};
use async_trait::async_trait;
use chrono::NaiveDate;
use helpdesk_domain::ops::probe::{Probe, ProbeOutcome};
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::ports::{Probes, ReportDays};
use helpdesk_domain::reports::{DayFigures, Figure, ReportScope};
use helpdesk_domain::values::token::TokenHash;
use std::collections::BTreeMap;

#[async_trait]
impl Probes for DynamoStore {
    async fn put_probe(&self, probe: &Probe) -> Result<(), StoreError> {
        let item = items::ProbeItem {
            pk: keys::PROBE_PK.into(),
            sk: probe.hash.as_str().to_owned(),
            probe: probe.clone(),
            state: probe_state(&probe.outcome).into(),
            // Two days of history is what the admins' view shows.
            expires_at: (probe.sent_at + chrono::Duration::days(2)).timestamp(),
        };
        self.put_plain(&item).await
    }

    async fn probes(&self) -> Result<Vec<Probe>, StoreError> {
        self.partition(keys::PROBE_PK.into())
            .await?
            .into_iter()
            .map(|i| items::from_item::<items::ProbeItem>(i).map(|p| p.probe))
            .collect()
    }

    async fn settle_probe(
        &self,
        hash: &TokenHash,
        outcome: ProbeOutcome,
    ) -> Result<bool, StoreError> {
        let value = serde_dynamo::to_attribute_value(&outcome)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let result = self
            .client
            .update_item()
            .table_name(&self.tables.main)
            .key("pk", s(keys::PROBE_PK))
            .key("sk", s(hash.as_str()))
            .update_expression("SET probe.outcome = :o, #state = :s")
            .condition_expression("#state = :pending")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":o", value)
            .expression_attribute_values(":s", s(probe_state(&outcome)))
            .expression_attribute_values(":pending", s("pending"))
            .send()
            .await;
        match result.map_err(sdk_error) {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[async_trait]
impl ReportDays for DynamoStore {
    async fn report_days(
        &self,
        scope: &ReportScope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, DayFigures)>, StoreError> {
        // Each day's shards, from `DAY#<from>` to the last shard of `DAY#<to>`.
        let found = self
            .partition_range(
                keys::report_pk(scope),
                keys::day_sk(from),
                keys::shard_range(&keys::day_sk(to)).1,
            )
            .await?;
        let mut days: BTreeMap<NaiveDate, DayFigures> = BTreeMap::new();
        for item in found {
            let day = item
                .get("sk")
                .and_then(|v| v.as_s().ok())
                .and_then(|sk| sk.strip_prefix("DAY#"))
                .and_then(|d| d.get(..10))
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .ok_or_else(|| StoreError::Corrupt("report day without a date".into()))?;
            let figures = days.entry(day).or_default();
            for name in item.keys() {
                if let Some(figure) = Figure::parse(name) {
                    *figures.0.entry(figure).or_insert(0) += items::number(&item, name)?;
                }
            }
        }
        Ok(days.into_iter().collect())
    }

    async fn ratings(
        &self,
        category: &helpdesk_domain::CategoryId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<helpdesk_domain::tickets::rated::RatedTicket>, StoreError> {
        let (first, last) = keys::ratings_range(from, to);
        let mut found: Vec<_> = self
            .partition_range(keys::ratings_pk(category), first, last)
            .await?
            .into_iter()
            .map(|item| items::from_item::<super::tickets::RatingItem>(item).map(|r| r.rated))
            .collect::<Result<_, _>>()?;
        found.reverse();
        Ok(found)
    }
}

fn probe_state(outcome: &ProbeOutcome) -> &'static str {
    match outcome {
        ProbeOutcome::Pending => "pending",
        ProbeOutcome::Arrived { .. } => "arrived",
        ProbeOutcome::Missed { .. } => "missed",
    }
}
