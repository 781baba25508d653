//! The SLA run: every few minutes, read the tickets whose wake time has come (the
//! sparse wake index, never a scan) and take the steps due on each — warn, breach
//! (level 1), escalate (level 2), remind a quiet customer, solve, close. Each step
//! is stored on the ticket in the same conditional write as its event and its
//! mail, so it is done once even when runs repeat or overlap.
//!
//! Agents hear of a run's steps in one digest each (`sla::notice`): a step
//! leaves a notice in its own write, and the run's end turns the notices into one
//! mail per recipient. A run that died before its end is gathered by a later run.

use crate::agents::alert_mail::AlertKind;
use crate::agents::alerts;
use crate::agents::profile::{Agent, Role};
use crate::mail::outbound::digest::DigestLine;
use crate::mail::outbound::job::{MailKind, OutboundJob};
use crate::ports::store::{StoreError, TicketUpdate};
use crate::ports::{CatalogStore, Clock, IdSource, OutboundQueue, TicketStore};
use crate::sla::clocks::{self, Rules, Stage, Step};
use crate::sla::notice::{self, Notice};
use crate::tickets::message::{Author, Message, MessageKind, ThreadedBy};
use crate::tickets::ticket::Ticket;
use crate::values::email::EmailAddress;
use crate::values::ids::{RunId, TicketRef};
use chrono::{DateTime, Utc};
use serde::Serialize;

pub struct SlaRun<'a> {
    pub tickets: &'a dyn TicketStore,
    pub catalog: &'a dyn CatalogStore,
    pub outbound: &'a dyn OutboundQueue,
    pub clock: &'a dyn Clock,
    pub ids: &'a dyn IdSource,
    /// The most tickets one run handles; the rest wait for the next run.
    pub max_tickets: usize,
    /// Tickets handled at once (at least one).
    pub concurrency: usize,
    /// When the run stops taking tickets, read on a real clock (the run's own
    /// `clock` is the tick's time and does not move): before the function's
    /// timeout, so a run with more due tickets than it can take ends cleanly and
    /// the next one continues.
    pub stop: Option<Stop<'a>>,
}

/// A wall-clock time after which the run takes no more tickets.
#[derive(Clone, Copy)]
pub struct Stop<'a> {
    pub wall: &'a dyn Clock,
    pub at: DateTime<Utc>,
}

/// What one ticket's visit did.
struct Visit {
    jobs: Vec<OutboundJob>,
    steps: Vec<Step>,
    already_done: bool,
}

/// Who hears of one step: customer mail sent on its own, or agents told in the
/// run's digest.
enum Told {
    Nobody,
    Customer(OutboundJob),
    Agents(Vec<EmailAddress>),
}

/// What a run did, for its log line and the tests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    pub looked_at: u32,
    pub warned: u32,
    pub breached: u32,
    pub escalated: u32,
    pub reminded: u32,
    pub solved: u32,
    pub closed: u32,
    /// Index entries whose work another run (or a change) had done already.
    pub already_done: u32,
    /// Mail stored but not put on the queue (the outbox keeps it).
    pub mail_not_queued: u32,
    /// Digest mails stored, one per agent told of this run's steps.
    pub digests: u32,
    /// Earlier runs that died before sending their digests, gathered by this one.
    pub runs_recovered: u32,
    /// Tickets left for the next run (the run's limit was reached).
    pub left_for_next_run: bool,
}

/// How often one ticket's write is retried when it changes under the run.
const ATTEMPTS: usize = 3;
const PAGE: u16 = 100;

/// Mail waiting to be queued: sent ten to a call, and before the run returns.
const QUEUE_BATCH: usize = 10;

/// A run still open this long after its tick died without gathering its notices
/// (the function's timeout is 120 s, and a test holds the template's timeout well
/// under this; runs tick every 5 minutes).
pub const ABANDONED_AFTER_MINUTES: i64 = 10;

impl SlaRun<'_> {
    pub async fn run(&self) -> Result<RunReport, StoreError> {
        let mut report = RunReport::default();
        let mut pending = Vec::new();
        let run = RunId::parse(self.ids.outbox_id().as_str())
            .map_err(|e| StoreError::Corrupt(format!("run id: {e}")))?;
        let mut opened = false;
        let walked = self
            .walk(&run, &mut opened, &mut report, &mut pending)
            .await;
        // The steps stored are told even when a later ticket failed the run.
        let gathered = if opened {
            self.gather(&run, &mut report, &mut pending).await
        } else {
            Ok(())
        };
        let recovered = self.recover(&mut report, &mut pending).await;
        // Stored steps' mail goes out even when a later ticket failed the run (the
        // outbox sweeper would only find it ten minutes later).
        self.queue(&mut pending, &mut report).await;
        walked.and(gathered).and(recovered).map(|()| report)
    }

    /// Turns a run's notices into one digest per recipient, stored and then queued.
    async fn gather(
        &self,
        run: &RunId,
        report: &mut RunReport,
        pending: &mut Vec<OutboundJob>,
    ) -> Result<(), StoreError> {
        let mut notices = self.tickets.notices(run).await?;
        // A warning is not mailed to an agent who is in the console right now
        // (breaches and escalations are, wherever they are).
        let seen = self.tickets.agents_seen().await?;
        let now = self.clock.now();
        let in_console: Vec<EmailAddress> = self
            .catalog
            .agents()
            .await?
            .into_iter()
            .filter(|a| alerts::active(seen.get(&a.id).copied(), now))
            .map(|a| a.email)
            .collect();
        for n in notices.iter_mut().filter(|n| n.line.stage == Stage::Warned) {
            n.recipients
                .retain(|r| !in_console.iter().any(|e| e.same_mailbox(r)));
        }
        let digests = notice::digests(run, &notices);
        self.tickets
            .close_notice_run(run, &digests, self.clock.now())
            .await?;
        report.digests += digests.len() as u32;
        pending.extend(digests);
        Ok(())
    }

    /// Gathers the runs that died before their end. One that cannot be gathered
    /// is logged and left open for the next run; it stops neither the others nor
    /// the rest of the tick.
    async fn recover(
        &self,
        report: &mut RunReport,
        pending: &mut Vec<OutboundJob>,
    ) -> Result<(), StoreError> {
        let before = self.clock.now() - chrono::Duration::minutes(ABANDONED_AFTER_MINUTES);
        for run in self.tickets.open_notice_runs(before).await? {
            tracing::warn!(
                run = run.as_str(),
                "an earlier SLA run died before its digests: sending them now"
            );
            match self.gather(&run, report, pending).await {
                Ok(()) => report.runs_recovered += 1,
                Err(e) => tracing::error!(
                    run = run.as_str(),
                    error = %e,
                    "could not gather an abandoned SLA run; the next run tries again"
                ),
            }
        }
        Ok(())
    }

    /// Queues the waiting mail; a refused message is counted and left to the
    /// outbox sweeper.
    async fn queue(&self, pending: &mut Vec<OutboundJob>, report: &mut RunReport) {
        if pending.is_empty() {
            return;
        }
        let results = self.outbound.enqueue_all(pending).await;
        for (job, result) in pending.iter().zip(results) {
            if let Err(e) = result {
                tracing::warn!(ticket = ?job.ticket, outbox = job.outbox_id.as_str(), error = %e, "step stored, mail not queued yet");
                report.mail_not_queued += 1;
            }
        }
        pending.clear();
    }

    async fn walk(
        &self,
        run: &RunId,
        opened: &mut bool,
        report: &mut RunReport,
        pending: &mut Vec<OutboundJob>,
    ) -> Result<(), StoreError> {
        use futures::StreamExt;
        let now = self.clock.now();
        // Handled tickets leave the range (their wake time moves on), so each page
        // starts from the earliest again; `seen` stops a ticket that could not be
        // moved on (it kept changing) from being read twice.
        let mut seen = std::collections::HashSet::new();
        loop {
            let page = self.tickets.waking(now, PAGE).await?;
            let full = page.len() >= usize::from(PAGE);
            let mut fresh: Vec<_> = page
                .into_iter()
                .filter(|w| seen.insert(w.reference.clone()))
                .collect();
            if fresh.is_empty() {
                break;
            }
            // Open before the first step: an idle run writes nothing.
            if !*opened {
                self.tickets.open_notice_run(run, now).await?;
                *opened = true;
            }
            let room = self.max_tickets.saturating_sub(report.looked_at as usize);
            if fresh.len() > room {
                fresh.truncate(room);
                report.left_for_next_run = true;
            }
            let mut visits = futures::stream::iter(fresh)
                .map(|waking| async move {
                    if self.stop.is_some_and(|s| s.wall.now() >= s.at) {
                        return None;
                    }
                    Some(self.ticket(run, &waking.reference, now).await)
                })
                .buffer_unordered(self.concurrency.max(1));
            let mut failed = None;
            while let Some(visit) = visits.next().await {
                match visit {
                    None => report.left_for_next_run = true,
                    Some(Err(e)) => failed = Some(e),
                    Some(Ok(visit)) => {
                        report.looked_at += 1;
                        if visit.already_done {
                            report.already_done += 1;
                        }
                        count(report, &visit.steps);
                        pending.extend(visit.jobs);
                        if pending.len() >= QUEUE_BATCH {
                            self.queue(pending, report).await;
                        }
                    }
                }
            }
            if let Some(e) = failed {
                return Err(e);
            }
            if report.left_for_next_run || !full {
                break;
            }
        }
        Ok(())
    }

    async fn ticket(
        &self,
        run: &RunId,
        reference: &TicketRef,
        now: DateTime<Utc>,
    ) -> Result<Visit, StoreError> {
        let nothing = |already_done| Visit {
            jobs: vec![],
            steps: vec![],
            already_done,
        };
        for _ in 0..ATTEMPTS {
            let before = match self.tickets.load_ticket(reference).await {
                Ok(thread) => thread.ticket,
                Err(StoreError::NotFound) => return Ok(nothing(false)),
                Err(e) => return Err(e),
            };
            let rules = Rules::load(self.catalog, &before.category).await?;
            let (steps, after) = clocks::advance(&before, &rules, now);
            if steps.is_empty() && after.sla.wake_at == before.sla.wake_at {
                return Ok(nothing(true));
            }
            let mut messages = Vec::new();
            let mut jobs = Vec::new();
            let mut notices = Vec::new();
            for step in &steps {
                let event = self.event(&before, &after, *step, &rules, now);
                match self.told(&before, *step, &event).await? {
                    Told::Nobody => {}
                    Told::Customer(job) => jobs.push(job),
                    Told::Agents(recipients) => {
                        if let Step::Clock { to, .. } = step {
                            notices.push(Notice {
                                run: run.clone(),
                                message: event.id.clone(),
                                line: DigestLine {
                                    ticket: before.reference.clone(),
                                    category: before.category.clone(),
                                    subject: before.subject.as_str().to_owned(),
                                    stage: *to,
                                    text: event.body_text.clone(),
                                },
                                recipients,
                            });
                        }
                    }
                }
                messages.push(event);
            }
            let update = TicketUpdate::new(&before, after, messages)
                .with_outbox(jobs.clone())
                .with_notices(notices);
            match self.tickets.update_ticket(update).await {
                Ok(_) => {
                    return Ok(Visit {
                        jobs,
                        steps,
                        already_done: false,
                    });
                }
                // Changed meanwhile (an agent, or an overlapping run): read it again.
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(e),
            }
        }
        tracing::warn!(ticket = %reference, "kept changing; left for the next run");
        Ok(nothing(false))
    }

    /// The ticket event that records a step.
    fn event(
        &self,
        before: &Ticket,
        after: &Ticket,
        step: Step,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Message {
        let when = |at: Option<DateTime<Utc>>| match (at, &rules.policy) {
            (Some(at), Some(p)) => p.calendar.format_local(at),
            (Some(at), None) => at.format("%a %-d %b %Y, %H:%M UTC").to_string(),
            (None, _) => "—".into(),
        };
        let due = |target| {
            [&before.sla.response, &before.sla.resolution]
                .into_iter()
                .flatten()
                .find(|c| c.target == target)
                .and_then(|c| c.spell.map(|s| s.due_at))
        };
        let raised = if after.priority != before.priority {
            format!(" Priority raised to {}.", after.priority.as_str())
        } else {
            String::new()
        };
        let text = match step {
            Step::Clock { target, to, .. } => match to {
                Stage::OnTrack => String::new(),
                Stage::Warned => format!(
                    "SLA warning: the {} is due {}.",
                    target.label(),
                    when(due(target))
                ),
                Stage::Breached => format!(
                    "SLA breached (level 1): the {} was due {}.{raised}",
                    target.label(),
                    when(due(target))
                ),
                Stage::Escalated => format!(
                    "SLA escalated to the supervisors (level 2): the {} was due {}.{raised}",
                    target.label(),
                    when(due(target))
                ),
            },
            Step::Remind => "Reminder mailed to the customer.".into(),
            Step::AutoSolve => format!(
                "No answer from the customer for {} days: marked solved and asked them to confirm.",
                rules.lifecycle.solve_after_days
            ),
            Step::AutoClose => format!(
                "Solved {} days ago without word from the customer: closed.",
                rules.lifecycle.close_after_days
            ),
        };
        Message {
            id: self.ids.message_id(now),
            ticket: before.reference.clone(),
            kind: MessageKind::SystemEvent,
            author: Author::System,
            body_text: text,
            body_html: None,
            attachments: vec![],
            email: None,
            threaded_by: ThreadedBy::System,
            created_at: now,
            about: vec![],
        }
    }

    /// Who hears of a step: the customer of a quiet ticket; the assignee of a
    /// warning; the assignee (or the category's agents) at level 1; the
    /// supervisors (or, without any, the admins) at level 2.
    async fn told(&self, ticket: &Ticket, step: Step, event: &Message) -> Result<Told, StoreError> {
        let customer = |kind| {
            Told::Customer(OutboundJob {
                outbox_id: self.ids.outbox_id(),
                kind,
                ticket: Some(ticket.reference.clone()),
                message: Some(event.id.clone()),
                recipient: ticket.requester.email.clone(),
                throttled: 0,
                digest: None,
                alert: None,
            })
        };
        let to = match step {
            // A solved ticket's reminder asks again whether it is solved.
            Step::Remind if ticket.status == crate::tickets::ticket::Status::Resolved => {
                return Ok(customer(MailKind::ResolutionRequest));
            }
            Step::Remind => return Ok(customer(MailKind::Reminder)),
            Step::AutoSolve => return Ok(customer(MailKind::ResolutionRequest)),
            Step::AutoClose
            | Step::Clock {
                to: Stage::OnTrack, ..
            } => return Ok(Told::Nobody),
            Step::Clock { to, .. } => to,
        };
        let agents: Vec<Agent> = self.catalog.agents().await?;
        let assignee: Vec<&Agent> = agents
            .iter()
            .filter(|a| Some(&a.id) == ticket.assignee.as_ref())
            .collect();
        let of = |role| agents.iter().filter(move |a: &&Agent| a.role == role);
        let recipients: Vec<&Agent> = match to {
            // A warning is an alert the assignee may have turned off.
            Stage::Warned => assignee
                .into_iter()
                .filter(|a| a.alert_choices().wants(AlertKind::SlaWarning))
                .collect(),
            Stage::Breached if assignee.is_empty() => of(Role::Agent)
                .filter(|a| a.categories.contains(&ticket.category))
                .collect(),
            Stage::Breached => assignee,
            _ => {
                let supervisors: Vec<&Agent> = of(Role::Supervisor).collect();
                if supervisors.is_empty() {
                    of(Role::Admin).collect()
                } else {
                    supervisors
                }
            }
        };
        Ok(if recipients.is_empty() {
            Told::Nobody
        } else {
            Told::Agents(recipients.into_iter().map(|a| a.email.clone()).collect())
        })
    }
}

fn count(report: &mut RunReport, steps: &[Step]) {
    for step in steps {
        let n = match step {
            Step::Clock {
                to: Stage::Warned, ..
            } => &mut report.warned,
            Step::Clock {
                to: Stage::Breached,
                ..
            } => &mut report.breached,
            Step::Clock {
                to: Stage::Escalated,
                ..
            } => &mut report.escalated,
            Step::Clock { .. } => continue,
            Step::Remind => &mut report.reminded,
            Step::AutoSolve => &mut report.solved,
            Step::AutoClose => &mut report.closed,
        };
        *n += 1;
    }
}
