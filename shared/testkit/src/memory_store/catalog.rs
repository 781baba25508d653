//! The catalog's parts: categories, agents, FAQ entries and their counts, canned
//! replies, SLA policies.

use super::InMemoryStore;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use helpdesk_domain::agents::profile::Agent;
use helpdesk_domain::catalog::faq::FaqEntry;
use helpdesk_domain::catalog::faq::{FaqReadCount, FaqSearch, FaqSearchCount};
use helpdesk_domain::customers::tier_rule::TierRule;
use helpdesk_domain::mail::inbound::quarantine::SenderPattern;
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::ports::{
    AgentProfiles, CannedReplies, Categories, CustomerTiers, FaqEntries, FaqStats, SlaPolicies,
};
use helpdesk_domain::sla::policy::SlaPolicy;
use helpdesk_domain::tickets::counters::CounterKey;
use helpdesk_domain::values::ids::FaqId;
use helpdesk_domain::{AgentId, Category, CategoryId};

#[async_trait]
impl Categories for InMemoryStore {
    async fn categories(&self) -> Result<Vec<Category>, StoreError> {
        let mut all: Vec<Category> = self.state().categories.values().cloned().collect();
        all.sort_by(|a, b| (a.position, &a.id).cmp(&(b.position, &b.id)));
        Ok(all)
    }

    async fn category(&self, id: &CategoryId) -> Result<Option<Category>, StoreError> {
        Ok(self.state().categories.get(id).cloned())
    }

    async fn put_category(&self, category: &Category) -> Result<(), StoreError> {
        self.state()
            .categories
            .insert(category.id.clone(), category.clone());
        Ok(())
    }
}

#[async_trait]
impl AgentProfiles for InMemoryStore {
    async fn agents(&self) -> Result<Vec<Agent>, StoreError> {
        Ok(self.state().agents.values().cloned().collect())
    }

    async fn agent(&self, id: &AgentId) -> Result<Option<Agent>, StoreError> {
        Ok(self.state().agents.get(id).cloned())
    }

    async fn put_agent(&self, agent: &Agent) -> Result<(), StoreError> {
        self.state().agents.insert(agent.id.clone(), agent.clone());
        Ok(())
    }

    async fn set_signoff(
        &self,
        id: &AgentId,
        display_name: Option<String>,
        signature: Option<String>,
    ) -> Result<Option<Agent>, StoreError> {
        Ok(self.state().agents.get_mut(id).map(|a| {
            a.display_name = display_name;
            a.signature = signature;
            a.clone()
        }))
    }

    async fn set_alert_choices(
        &self,
        id: &AgentId,
        choices: &helpdesk_domain::agents::alert_mail::AlertChoices,
    ) -> Result<Option<Agent>, StoreError> {
        Ok(self.state().agents.get_mut(id).map(|a| {
            a.alerts = Some(choices.clone());
            a.clone()
        }))
    }
}

#[async_trait]
impl FaqEntries for InMemoryStore {
    async fn faq(&self, category: &CategoryId) -> Result<Vec<FaqEntry>, StoreError> {
        let mut entries: Vec<FaqEntry> = self
            .state()
            .faq
            .iter()
            .filter(|e| &e.category == category)
            .cloned()
            .collect();
        entries.sort_by(|a, b| (a.position, &a.id).cmp(&(b.position, &b.id)));
        Ok(entries)
    }

    async fn put_faq(&self, entry: &FaqEntry) -> Result<(), StoreError> {
        let mut s = self.state();
        s.faq
            .retain(|e| !(e.id == entry.id && e.category == entry.category));
        s.faq.push(entry.clone());
        Ok(())
    }

    async fn delete_faq(&self, category: &CategoryId, id: &FaqId) -> Result<bool, StoreError> {
        let mut s = self.state();
        let before = s.faq.len();
        s.faq.retain(|e| !(&e.id == id && &e.category == category));
        Ok(s.faq.len() < before)
    }
}

#[async_trait]
impl FaqStats for InMemoryStore {
    async fn log_faq_search(
        &self,
        search: &FaqSearch,
        new_queries_per_day: u32,
    ) -> Result<bool, StoreError> {
        let mut s = self.state();
        let day = search.at.date_naive();
        let key = (day, search.query.clone(), search.category.clone());
        if !s.faq_log.contains_key(&key) {
            let logged_today = s.faq_log.keys().filter(|(d, _, _)| *d == day).count();
            if logged_today >= new_queries_per_day as usize {
                return Ok(false);
            }
        }
        let counts = s.faq_log.entry(key).or_insert((0, 0));
        counts.0 += 1;
        counts.1 += u32::from(search.results == 0);
        Ok(true)
    }

    async fn faq_search_log(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FaqSearchCount>, StoreError> {
        let days = self
            .state()
            .faq_log
            .iter()
            .filter(|((day, _, _), _)| (from..=to).contains(day))
            .map(|((_, query, category), (searches, zero))| FaqSearchCount {
                query: query.clone(),
                category: category.clone(),
                searches: *searches,
                zero_results: *zero,
            })
            .collect::<Vec<_>>();
        Ok(FaqSearchCount::summed(days))
    }

    async fn count_faq_reads(
        &self,
        entries: &[(CategoryId, FaqId)],
        then_ticket: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let deltas =
            helpdesk_domain::tickets::counters::faq_reads(entries, then_ticket, at.date_naive());
        self.state().apply(deltas);
        Ok(())
    }

    async fn count_faq_vote(
        &self,
        category: &CategoryId,
        entry: &FaqId,
        helpful: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let delta =
            helpdesk_domain::tickets::counters::faq_vote(category, entry, helpful, at.date_naive());
        self.state().apply(vec![delta]);
        Ok(())
    }

    async fn faq_read_log(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FaqReadCount>, StoreError> {
        let days: Vec<FaqReadCount> = self
            .state()
            .counters
            .iter()
            .filter_map(|(key, n)| match key {
                CounterKey::FaqRead {
                    category,
                    entry,
                    day,
                    then_ticket,
                } if (from..=to).contains(day) => {
                    let n = u32::try_from(*n).unwrap_or(0);
                    Some(FaqReadCount {
                        category: category.clone(),
                        entry: entry.clone(),
                        opened: if *then_ticket { 0 } else { n },
                        then_ticket: if *then_ticket { n } else { 0 },
                        helpful: 0,
                        unhelpful: 0,
                    })
                }
                CounterKey::FaqVote {
                    category,
                    entry,
                    day,
                    helpful,
                } if (from..=to).contains(day) => {
                    let n = u32::try_from(*n).unwrap_or(0);
                    Some(FaqReadCount {
                        category: category.clone(),
                        entry: entry.clone(),
                        opened: 0,
                        then_ticket: 0,
                        helpful: if *helpful { n } else { 0 },
                        unhelpful: if *helpful { 0 } else { n },
                    })
                }
                _ => None,
            })
            .collect();
        Ok(FaqReadCount::summed(days))
    }
}

#[async_trait]
impl CannedReplies for InMemoryStore {
    async fn canned_replies(
        &self,
    ) -> Result<Vec<helpdesk_domain::agents::canned::CannedReply>, StoreError> {
        let mut all: Vec<_> = self.state().canned.values().cloned().collect();
        all.sort_by(|a, b| {
            (a.title.to_lowercase(), a.id.as_str()).cmp(&(b.title.to_lowercase(), b.id.as_str()))
        });
        Ok(all)
    }

    async fn put_canned(
        &self,
        reply: &helpdesk_domain::agents::canned::CannedReply,
    ) -> Result<(), StoreError> {
        self.state()
            .canned
            .insert(reply.id.as_str().to_owned(), reply.clone());
        Ok(())
    }

    async fn delete_canned(
        &self,
        id: &helpdesk_domain::values::ids::FaqId,
    ) -> Result<(), StoreError> {
        self.state().canned.remove(id.as_str());
        Ok(())
    }
}

#[async_trait]
impl SlaPolicies for InMemoryStore {
    async fn policies(&self) -> Result<Vec<SlaPolicy>, StoreError> {
        Ok(self.state().policies.values().cloned().collect())
    }

    async fn policy(&self, id: &str) -> Result<Option<SlaPolicy>, StoreError> {
        Ok(self.state().policies.get(id).cloned())
    }

    async fn put_policy(&self, policy: &SlaPolicy) -> Result<(), StoreError> {
        self.state()
            .policies
            .insert(policy.id.clone(), policy.clone());
        Ok(())
    }
}

#[async_trait]
impl CustomerTiers for InMemoryStore {
    async fn tier_rules(&self) -> Result<Vec<TierRule>, StoreError> {
        Ok(self.state().tier_rules.values().cloned().collect())
    }

    async fn put_tier_rule(&self, rule: &TierRule) -> Result<(), StoreError> {
        self.state()
            .tier_rules
            .insert(rule.pattern.text(), rule.clone());
        Ok(())
    }

    async fn delete_tier_rule(&self, pattern: &SenderPattern) -> Result<bool, StoreError> {
        Ok(self.state().tier_rules.remove(&pattern.text()).is_some())
    }
}
