//! Alerts by mail for agents who are not in the console: each agent chooses what
//! they hear of (a new ticket in their categories, a ticket assigned to them, a
//! customer's reply on their ticket, an SLA warning on their ticket) and how (at
//! once, or one digest every N minutes).
//!
//! The change that raises an alert stores one `Alert` job per agent who asked
//! for it, in its own write (the outbox): an alert is never lost between the
//! database and the queue. send-reply decides at sending time, on fresh data,
//! whether it goes out ([`gate`]): never to an agent seen in the console in the
//! last [`ACTIVE_MINUTES`] minutes, and at most one mail per ticket and kind
//! until the agent has been back in the console. A digest agent's alerts are
//! kept as lines and mailed together by the schedule ([`due_digest`]).
//!
//! SLA warnings come with the SLA run's own digest (at most one mail per run);
//! the choice here decides whether the assignee is told of them.

pub use super::alert_mail::*;
use crate::agents::profile::Agent;
use crate::mail::outbound::job::{MailKind, OutboundJob};
use crate::ports::store::StoreError;
use crate::ports::{CatalogStore, IdSource, OutboundQueue};
use crate::tickets::ticket::Ticket;
use crate::values::ids::AgentId;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sha2::Digest as _;

/// A change that may interest agents, as its writer sees it.
pub struct Raised<'a> {
    pub kind: AlertKind,
    pub ticket: &'a Ticket,
    /// The agent whose own action it was: never told of it.
    pub by: Option<&'a AgentId>,
    pub at: DateTime<Utc>,
}

/// Who hears of `raised`, by their choices and the ticket: everyone covering the
/// category for a new ticket, the assignee for the rest.
pub fn recipients<'a>(raised: &Raised<'_>, agents: &'a [Agent]) -> Vec<&'a Agent> {
    let ticket = raised.ticket;
    agents
        .iter()
        .filter(|a| Some(&a.id) != raised.by)
        .filter(|a| a.alert_choices().wants(raised.kind))
        .filter(|a| a.covers(&ticket.category))
        .filter(|a| match raised.kind {
            AlertKind::NewTicket => true,
            _ => ticket.assignee.as_ref() == Some(&a.id),
        })
        .collect()
}

/// The alert jobs a change stores with itself: one per agent who wants to hear of
/// it. SLA warnings are not among them (the SLA run's digest tells those).
pub fn jobs(raised: &Raised<'_>, agents: &[Agent], ids: &dyn IdSource) -> Vec<OutboundJob> {
    if raised.kind == AlertKind::SlaWarning {
        return vec![];
    }
    let ticket = raised.ticket;
    let mut told = recipients(raised, agents);
    if told.len() > MAX_ALERTED {
        tracing::warn!(ticket = %ticket.reference, agents = told.len(), "more agents ask for this alert than one write holds; the first {MAX_ALERTED} are told");
        told.truncate(MAX_ALERTED);
    }
    told.into_iter()
        .map(|agent| OutboundJob {
            outbox_id: ids.outbox_id(),
            kind: MailKind::Alert,
            ticket: Some(ticket.reference.clone()),
            message: None,
            recipient: agent.email.clone(),
            throttled: 0,
            digest: None,
            alert: Some(Box::new(AlertMail::One(AlertLine {
                kind: raised.kind,
                ticket: ticket.reference.clone(),
                category: ticket.category.clone(),
                subject: ticket.subject.as_str().to_owned(),
                requester: ticket.requester.email.as_str().to_owned(),
                at: raised.at,
                agent: agent.id.clone(),
            }))),
        })
        .collect()
}

/// [`jobs`] with the agent list read through the catalog (cached in the function).
pub async fn raise(
    catalog: &dyn CatalogStore,
    ids: &dyn IdSource,
    raised: &Raised<'_>,
) -> Result<Vec<OutboundJob>, StoreError> {
    if raised.kind == AlertKind::SlaWarning {
        return Ok(vec![]);
    }
    // Only a new ticket concerns someone other than its assignee, and nobody is
    // told of their own doing: then there is no list to read.
    let assignee = raised.ticket.assignee.as_ref();
    if raised.kind != AlertKind::NewTicket && (assignee.is_none() || assignee == raised.by) {
        return Ok(vec![]);
    }
    // The function's cached list: a kind an agent just turned on holds within
    // the cache's minute (send-reply reads the agent fresh, so one turned off,
    // or a change between at once and digest, holds at once). The list not
    // readable: the change goes ahead without alerts.
    match catalog.agents().await {
        Ok(agents) => Ok(jobs(raised, &agents, ids)),
        Err(e) => {
            tracing::warn!(ticket = %raised.ticket.reference, error = %e, "no alerts: the agent list could not be read");
            Ok(vec![])
        }
    }
}

/// Queues mail a write stored with itself; one the queue refuses stays in the
/// outbox, whose sweep sends it later.
pub async fn queue_stored(outbound: &dyn OutboundQueue, jobs: &[OutboundJob]) {
    let results = match jobs {
        [] => return,
        // One message: one plain send.
        [job] => vec![outbound.enqueue(job).await],
        _ => outbound.enqueue_all(jobs).await,
    };
    for (job, result) in jobs.iter().zip(results) {
        if let Err(e) = result {
            tracing::warn!(ticket = ?job.ticket, outbox = job.outbox_id.as_str(), error = %e, "mail stored, not queued yet");
        }
    }
}

/// Saves an agent's choices (only that part of their record). Whatever waited
/// for their digest is before their eyes now (they are in the console): closed
/// without a mail, so no line outlives a change from digest to at once. `None`
/// when there is no such agent.
pub async fn save_choices(
    catalog: &dyn CatalogStore,
    log: &dyn crate::ports::AlertLog,
    agent: &AgentId,
    choices: &AlertChoices,
    now: DateTime<Utc>,
) -> Result<Option<Agent>, StoreError> {
    let Some(saved) = catalog.set_alert_choices(agent, choices).await? else {
        return Ok(None);
    };
    let waiting = log.waiting_alerts(agent).await?;
    match log.close_alerts(&waiting, None, now).await {
        // A digest pass closed them first.
        Ok(()) | Err(StoreError::Conflict) => Ok(Some(saved)),
        Err(e) => Err(e),
    }
}

/// Is the agent in the console now, by when it last asked for news?
pub fn active(seen: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    seen.is_some_and(|s| s > now - Duration::minutes(ACTIVE_MINUTES))
}

/// What send-reply does with one `Alert` job, decided on fresh data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Mail it now.
    Send,
    /// Keep it for the agent's next digest.
    Digest,
    /// Not sent, with the reason the outbox item keeps.
    Drop(String),
}

/// The checks before the alert log: is the agent still there, still wanting
/// this, still covering the ticket's category, and away from the console?
pub fn gate(
    line: &AlertLine,
    agent: Option<&Agent>,
    seen: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Gate {
    let Some(agent) = agent else {
        return Gate::Drop("no longer an agent".into());
    };
    let choices = agent.alert_choices();
    if !choices.wants(line.kind) {
        return Gate::Drop("the agent no longer asks for these alerts".into());
    }
    if !agent.covers(&line.category) {
        return Gate::Drop("the agent no longer covers the ticket's category".into());
    }
    if active(seen, now) {
        return Gate::Drop("the agent is in the console".into());
    }
    if choices.digest_minutes.is_some() {
        Gate::Digest
    } else {
        Gate::Send
    }
}

/// The digest a digest agent is due now, if any: their waiting lines once the
/// oldest has waited their interval, less those they have been in the console
/// since (seen there). `None` with lines to drop when the agent is in the
/// console now.
pub fn due_digest(
    agent: &Agent,
    waiting: &[AlertLine],
    seen: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DueDigest> {
    let every = agent.alert_choices().every()?;
    let oldest = waiting.iter().map(|l| l.at).min()?;
    if oldest + every > now {
        return None;
    }
    let mut lines: Vec<AlertLine> = waiting.to_vec();
    lines.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.key().cmp(&b.key())));
    lines.truncate(DIGEST_MAX_LINES);
    // Mailed: what the agent still asks for, in categories they still cover,
    // and has not been in the console since.
    let choices = agent.alert_choices();
    let (news, stale): (Vec<_>, Vec<_>) = lines.into_iter().partition(|l| {
        choices.wants(l.kind)
            && agent.covers(&l.category)
            && !active(seen, now)
            && seen.is_none_or(|s| s < l.at)
    });
    Some(DueDigest { news, stale })
}

/// A digest's lines: those to mail and those the agent has seen in the
/// console meanwhile (closed without a mail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDigest {
    pub news: Vec<AlertLine>,
    pub stale: Vec<AlertLine>,
}

impl DueDigest {
    /// The digest job for `news` (none when there is nothing new): its outbox id
    /// is the agent and the oldest line, so closing the same digest twice stores
    /// one mail.
    pub fn job(&self, agent: &Agent) -> Option<OutboundJob> {
        let oldest = self.news.first()?;
        let id = format!(
            "ad-{}-{}",
            oldest.at.timestamp_micros(),
            hex::encode(&sha2::Sha256::digest(agent.id.as_str().as_bytes())[..8])
        );
        let outbox_id = crate::values::ids::OutboxId::parse(&id).ok()?;
        Some(OutboundJob {
            outbox_id,
            kind: MailKind::AlertDigest,
            ticket: None,
            message: None,
            recipient: agent.email.clone(),
            throttled: 0,
            digest: None,
            alert: Some(Box::new(AlertMail::Digest(AlertDigest {
                lines: self.news.clone(),
            }))),
        })
    }
}

/// The schedule's part: every digest agent whose digest is due gets it.
pub struct AlertDigests<'a> {
    pub tickets: &'a dyn crate::ports::TicketStore,
    pub catalog: &'a dyn CatalogStore,
    pub outbound: &'a dyn OutboundQueue,
    pub clock: &'a dyn crate::ports::Clock,
}

/// What one pass did, for the tick's log line and the tests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DigestReport {
    /// Digest mails stored (and queued).
    pub sent: u32,
    /// Waiting lines closed without a mail: the agent was in the console since.
    pub seen_in_console: u32,
    /// Agents whose digest another pass closed first, or whose store call failed
    /// (their lines wait for the next tick).
    pub left: u32,
}

impl AlertDigests<'_> {
    pub async fn run(&self) -> Result<DigestReport, StoreError> {
        let now = self.clock.now();
        let mut report = DigestReport::default();
        let agents = self.catalog.agents().await?;
        let digesting: Vec<&Agent> = agents
            .iter()
            .filter(|a| a.alert_choices().digest_minutes.is_some())
            .collect();
        if digesting.is_empty() {
            return Ok(report);
        }
        let seen = self.tickets.agents_seen().await?;
        let mut queued = Vec::new();
        for agent in digesting {
            // One agent's trouble leaves their lines for the next tick, not the others'.
            let waiting = match self.tickets.waiting_alerts(&agent.id).await {
                Ok(w) => w,
                Err(e) => {
                    tracing::warn!(agent = agent.id.as_str(), error = %e, "alert digest left for the next tick");
                    report.left += 1;
                    continue;
                }
            };
            let Some(due) = due_digest(agent, &waiting, seen.get(&agent.id).copied(), now) else {
                continue;
            };
            let job = due.job(agent);
            let lines: Vec<AlertLine> = due.news.iter().chain(&due.stale).cloned().collect();
            match self.tickets.close_alerts(&lines, job.as_ref(), now).await {
                Ok(()) => {
                    report.seen_in_console += due.stale.len() as u32;
                    if let Some(job) = job {
                        report.sent += 1;
                        queued.push(job);
                    }
                }
                Err(e) => {
                    tracing::warn!(agent = agent.id.as_str(), error = %e, "alert digest left for the next tick");
                    report.left += 1;
                }
            }
        }
        queue_stored(self.outbound, &queued).await;
        Ok(report)
    }
}
