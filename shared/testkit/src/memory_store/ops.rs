//! The channel probes and the reports' day items (`Probes`, `ReportDays`).

use super::InMemoryStore;
use async_trait::async_trait;
use chrono::NaiveDate;
use helpdesk_domain::ops::probe::{Probe, ProbeOutcome};
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::ports::{Probes, ReportDays};
use helpdesk_domain::reports::{DayFigures, ReportScope};
use helpdesk_domain::tickets::counters::CounterKey;
use helpdesk_domain::values::token::TokenHash;
use std::collections::BTreeMap;

#[async_trait]
impl Probes for InMemoryStore {
    async fn put_probe(&self, probe: &Probe) -> Result<(), StoreError> {
        self.state()
            .probes
            .insert(probe.hash.as_str().to_owned(), probe.clone());
        Ok(())
    }

    async fn probes(&self) -> Result<Vec<Probe>, StoreError> {
        Ok(self.state().probes.values().cloned().collect())
    }

    async fn settle_probe(
        &self,
        hash: &TokenHash,
        outcome: ProbeOutcome,
    ) -> Result<bool, StoreError> {
        let mut s = self.state();
        match s.probes.get_mut(hash.as_str()) {
            Some(p) if p.outcome == ProbeOutcome::Pending => {
                p.outcome = outcome;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

#[async_trait]
impl ReportDays for InMemoryStore {
    async fn report_days(
        &self,
        scope: &ReportScope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, DayFigures)>, StoreError> {
        let mut days: BTreeMap<NaiveDate, DayFigures> = BTreeMap::new();
        for (key, value) in &self.state().counters {
            if let CounterKey::Day {
                scope: s,
                day,
                figure,
            } = key
                && s == scope
                && (from..=to).contains(day)
            {
                days.entry(*day).or_default().0.insert(*figure, *value);
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
        Ok(self
            .state()
            .ratings
            .values()
            .rev()
            .filter(|r| &r.category == category && (from..=to).contains(&r.at.date_naive()))
            .cloned()
            .collect())
    }
}
