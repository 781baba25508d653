//! The SLA clocks a ticket carries and the lifecycle timers of a quiet ticket.
//!
//! Every change to a ticket passes through [`apply`], which starts, pauses and
//! stops the clocks from what happened and the status the ticket is left in, and
//! works out the next instant the SLA run must look at the ticket (`wake_at`, the
//! key of the sparse wake index). The run ([`due_steps`]) then only reads what is
//! due, and each step it takes is stored on the ticket, so it happens once.

use crate::catalog::category::{Category, Lifecycle};
use crate::sla::policy::SlaPolicy;
use crate::tickets::ticket::{Status, Ticket};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The one rule of every timer here (warning, breach, level-2 escalation, the
/// quiet-ticket reminder, auto-solve and auto-close): a promise is "by `due`", so
/// at `due` itself, with nothing done, it is broken. Every stage and step is
/// computed through this function, and the store's wake index reads the entries
/// due at `now` inclusive for the same reason.
pub fn reached(due: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= due
}

/// What a clock measures.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    FirstResponse,
    NextResponse,
    Resolution,
}

impl Target {
    pub fn label(self) -> &'static str {
        match self {
            Target::FirstResponse => "first response",
            Target::NextResponse => "next response",
            Target::Resolution => "resolution",
        }
    }
}

/// How far a clock has gone towards and past its promise. Only ever rises while
/// the clock lives, so each level's warning or escalation is done once.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    #[default]
    OnTrack,
    /// Most of the target is used: the assignee is warned.
    Warned,
    /// Level 1: the target passed; the assignee (or the category's agents) hear of it.
    Breached,
    /// Level 2: long past the target; the supervisors hear of it.
    Escalated,
}

impl Stage {
    pub fn overdue(self) -> bool {
        self >= Stage::Breached
    }
}

/// One running stretch of a clock, with the instants at which it moves on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spell {
    pub since: DateTime<Utc>,
    pub warn_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub escalate_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaClock {
    pub target: Target,
    pub stage: Stage,
    /// Business minutes counted in earlier spells (the resolution clock pauses).
    pub used_minutes: u32,
    /// `None` while paused.
    pub spell: Option<Spell>,
}

impl SlaClock {
    /// When the clock next moves to a higher stage, if it runs.
    fn next_step_at(&self) -> Option<DateTime<Utc>> {
        let spell = self.spell?;
        match self.stage {
            Stage::OnTrack => Some(spell.warn_at),
            Stage::Warned => Some(spell.due_at),
            Stage::Breached => Some(spell.escalate_at),
            Stage::Escalated => None,
        }
    }

    /// The stage the clock has reached at `now`.
    fn stage_at(&self, now: DateTime<Utc>) -> Stage {
        let Some(spell) = self.spell else {
            return self.stage;
        };
        let at = if reached(spell.escalate_at, now) {
            Stage::Escalated
        } else if reached(spell.due_at, now) {
            Stage::Breached
        } else if reached(spell.warn_at, now) {
            Stage::Warned
        } else {
            Stage::OnTrack
        };
        at.max(self.stage)
    }

    /// Business minutes used so far, the running spell included.
    fn minutes_at(&self, policy: &SlaPolicy, now: DateTime<Utc>) -> u32 {
        let running = self.spell.map_or(0, |s| {
            let spent = policy.calendar.business_time_between(s.since, now);
            u32::try_from(spent.num_minutes()).unwrap_or(u32::MAX)
        });
        self.used_minutes.saturating_add(running)
    }
}

/// Which quiet spell a ticket is in: waiting for the customer's answer, or solved
/// and waiting for their confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Idle {
    pub status: Status,
    pub since: DateTime<Utc>,
    pub reminded: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clocks {
    /// First or next response: runs while the customer waits for an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<SlaClock>,
    /// Runs from the request until it is solved; paused while waiting on the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<SlaClock>,
    /// Business minutes to the first answer, once given (for the reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_minutes: Option<u32>,
    /// Business minutes to the (latest) solution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution_minutes: Option<u32>,
    /// Whether each answer and the solution came in time: `(met, missed)`.
    #[serde(default)]
    pub targets_met: (u32, u32),
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle: Option<Idle>,
    /// When the SLA run must look at the ticket next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wake_at: Option<DateTime<Utc>>,
}

impl Clocks {
    /// Is any running promise broken?
    pub fn overdue(&self) -> bool {
        [&self.response, &self.resolution]
            .into_iter()
            .flatten()
            .any(|c| c.spell.is_some() && c.stage.overdue())
    }

    /// The earliest promise of the running clocks.
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        [&self.response, &self.resolution]
            .into_iter()
            .flatten()
            .filter_map(|c| c.spell.map(|s| s.due_at))
            .min()
    }
}

/// What a ticket's category promises and how long it lets a quiet ticket rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub policy: Option<SlaPolicy>,
    pub lifecycle: Lifecycle,
}

impl Rules {
    pub fn new(category: Option<&Category>, policy: Option<SlaPolicy>) -> Self {
        Self {
            policy,
            lifecycle: category.map(|c| c.lifecycle).unwrap_or_default(),
        }
    }
}

/// Starts the clocks of a ticket just made from the customer's request.
pub fn open(ticket: &mut Ticket, rules: &Rules, now: DateTime<Utc>) {
    let before = ticket.clone();
    apply(&before, ticket, Happened::Opened, rules, now);
}

/// What happened to the ticket, as far as the clocks care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Happened {
    /// The ticket was created from the customer's request.
    Opened,
    /// The customer wrote again (mail or web).
    CustomerWrote,
    /// An agent answered the customer.
    AgentAnswered,
    /// Anything else: a status, category, tier or assignment change.
    Changed,
}

/// Starts a spell of `clock` at `now` under `policy`; no spell when the calendar
/// never opens.
fn start(clock: &mut SlaClock, policy: &SlaPolicy, tier: crate::Tier, now: DateTime<Utc>) {
    let targets = policy.targets(tier);
    let total = i64::from(match clock.target {
        Target::FirstResponse => targets.first_response_minutes,
        Target::NextResponse => targets.next_response_minutes,
        Target::Resolution => targets.resolution_minutes,
    });
    let used = i64::from(clock.used_minutes);
    let left = |percent: u16| Duration::minutes((total * i64::from(percent) / 100 - used).max(0));
    clock.spell = match policy.calendar.add_business_times(
        now,
        [
            left(policy.warn_percent),
            left(100),
            left(policy.escalate_percent),
        ],
    ) {
        [Some(warn_at), Some(due_at), Some(escalate_at)] => Some(Spell {
            since: now,
            warn_at,
            due_at,
            escalate_at,
        }),
        _ => None,
    };
}

fn pause(clock: &mut SlaClock, policy: Option<&SlaPolicy>, now: DateTime<Utc>) {
    if let Some(p) = policy {
        clock.used_minutes = clock.minutes_at(p, now);
    }
    clock.spell = None;
}

fn fresh(target: Target) -> SlaClock {
    SlaClock {
        target,
        stage: Stage::OnTrack,
        used_minutes: 0,
        spell: None,
    }
}

/// Brings `after`'s clocks up to date with what happened and the status it is
/// left in, and sets its visible due time and its wake time. `before` is the
/// ticket as it was (the same as `after` for a new ticket).
pub fn apply(
    before: &Ticket,
    after: &mut Ticket,
    happened: Happened,
    rules: &Rules,
    now: DateTime<Utc>,
) {
    let policy = rules.policy.as_ref();
    let mut clocks = after.sla.clone();
    let retimed = before.category != after.category || before.tier != after.tier;
    // A new policy or tier: running spells restart under the new targets.
    if retimed {
        for clock in [&mut clocks.response, &mut clocks.resolution]
            .into_iter()
            .flatten()
        {
            if clock.spell.is_some() {
                pause(clock, policy, now);
            }
        }
    }
    match happened {
        Happened::Opened => {
            clocks.response = Some(fresh(Target::FirstResponse));
            clocks.resolution = Some(fresh(Target::Resolution));
        }
        Happened::CustomerWrote => {
            if clocks.response.is_none() {
                let target = if clocks.first_response_minutes.is_some() {
                    Target::NextResponse
                } else {
                    Target::FirstResponse
                };
                clocks.response = Some(fresh(target));
            }
            clocks.resolution.get_or_insert(fresh(Target::Resolution));
        }
        Happened::AgentAnswered => {
            if let Some(clock) = clocks.response.take() {
                let minutes = policy.map(|p| clock.minutes_at(p, now));
                if clock.target == Target::FirstResponse {
                    clocks.first_response_minutes = minutes.or(Some(0));
                }
                tally(&mut clocks, clock.stage_at(now));
            }
        }
        Happened::Changed => {}
    }
    let status = after.status;
    if !status.awaits_agent() {
        // Moved on without an answer (e.g. solved by a note): no answer to time.
        clocks.response = None;
    }
    if let Some(clock) = clocks.resolution.as_mut() {
        match status {
            Status::New | Status::Open => {
                if clock.spell.is_none()
                    && let Some(p) = policy
                {
                    start(clock, p, after.tier, now);
                }
            }
            Status::WaitingOnCustomer | Status::Resolved | Status::Closed => {
                if clock.spell.is_some() {
                    pause(clock, policy, now);
                }
                let solved = |s: Status| matches!(s, Status::Resolved | Status::Closed);
                if solved(status) && !solved(before.status) {
                    let (minutes, stage) = (clock.used_minutes, clock.stage);
                    clocks.resolution_minutes = Some(minutes);
                    tally(&mut clocks, stage);
                }
            }
        }
    }
    if let (Some(clock), Some(p)) = (clocks.response.as_mut(), policy)
        && clock.spell.is_none()
    {
        start(clock, p, after.tier, now);
    }
    clocks.idle = match (status, clocks.idle) {
        (Status::WaitingOnCustomer | Status::Resolved, Some(idle)) if idle.status == status => {
            // Only a customer's word (or a new reply) restarts the quiet time.
            if happened == Happened::AgentAnswered {
                Some(Idle {
                    since: now,
                    reminded: false,
                    status,
                })
            } else {
                Some(idle)
            }
        }
        (Status::WaitingOnCustomer | Status::Resolved, _) => Some(Idle {
            status,
            since: now,
            reminded: false,
        }),
        _ => None,
    };
    clocks.wake_at = wake_at(&clocks, &rules.lifecycle, status);
    after.due_at = clocks.due_at();
    after.sla = clocks;
}

fn tally(clocks: &mut Clocks, stage: Stage) {
    if stage.overdue() {
        clocks.targets_met.1 += 1;
    } else {
        clocks.targets_met.0 += 1;
    }
}

/// The quiet-ticket step due at or after `idle.since`, with its instant.
fn idle_step(idle: &Idle, lifecycle: &Lifecycle) -> Option<(DateTime<Utc>, Step)> {
    let days = |n: u16| Duration::days(i64::from(n));
    match idle.status {
        Status::WaitingOnCustomer => {
            if !idle.reminded && lifecycle.remind_after_days < lifecycle.solve_after_days {
                Some((idle.since + days(lifecycle.remind_after_days), Step::Remind))
            } else {
                Some((
                    idle.since + days(lifecycle.solve_after_days),
                    Step::AutoSolve,
                ))
            }
        }
        Status::Resolved => {
            // One reminder halfway, so the customer can still say it isn't solved.
            let close = days(lifecycle.close_after_days);
            if !idle.reminded && lifecycle.close_after_days >= 2 {
                Some((idle.since + close / 2, Step::Remind))
            } else {
                Some((idle.since + close, Step::AutoClose))
            }
        }
        _ => None,
    }
}

/// Only a quiet spell of the status the ticket is in counts: a stale one (left by
/// a change that bypassed [`apply`]) must not keep the ticket in the wake index.
fn wake_at(clocks: &Clocks, lifecycle: &Lifecycle, status: Status) -> Option<DateTime<Utc>> {
    [&clocks.response, &clocks.resolution]
        .into_iter()
        .flatten()
        .filter_map(SlaClock::next_step_at)
        .chain(
            clocks
                .idle
                .filter(|i| i.status == status)
                .and_then(|i| idle_step(&i, lifecycle))
                .map(|(at, _)| at),
        )
        .min()
}

/// One thing the SLA run does to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A clock reached a higher stage (from, to).
    Clock {
        target: Target,
        from: Stage,
        to: Stage,
    },
    /// Remind the customer of the quiet ticket.
    Remind,
    /// Waiting on the customer for too long: solved.
    AutoSolve,
    /// Solved and unanswered for too long: closed.
    AutoClose,
}

/// The ticket after the run's steps at `now`: stages raised (priority one step up
/// for each escalation level reached), a reminder marked as sent, a quiet ticket
/// solved or closed. No steps when nothing is due (e.g. a run read an index entry
/// an earlier run already handled).
pub fn advance(ticket: &Ticket, rules: &Rules, now: DateTime<Utc>) -> (Vec<Step>, Ticket) {
    let (steps, clocks) = due_steps(ticket, rules, now);
    let mut after = ticket.clone();
    after.sla = clocks;
    for step in &steps {
        match *step {
            Step::Clock { from, to, .. } => {
                for level in [Stage::Breached, Stage::Escalated] {
                    if from < level && level <= to {
                        after.priority = after.priority.raised();
                    }
                }
            }
            Step::Remind => {}
            Step::AutoSolve | Step::AutoClose => {
                let to = if *step == Step::AutoSolve {
                    Status::Resolved
                } else {
                    Status::Closed
                };
                let stepped = after.clone();
                if after.change_status(to, now).is_ok() {
                    apply(&stepped, &mut after, Happened::Changed, rules, now);
                }
            }
        }
    }
    if !steps.is_empty() {
        after.updated_at = now;
    }
    (steps, after)
}

/// The steps due on `ticket` at `now`, and its clocks after them.
fn due_steps(ticket: &Ticket, rules: &Rules, now: DateTime<Utc>) -> (Vec<Step>, Clocks) {
    let mut clocks = ticket.sla.clone();
    let mut steps = Vec::new();
    for clock in [&mut clocks.response, &mut clocks.resolution]
        .into_iter()
        .flatten()
    {
        let to = clock.stage_at(now);
        if to > clock.stage {
            steps.push(Step::Clock {
                target: clock.target,
                from: clock.stage,
                to,
            });
            clock.stage = to;
        }
    }
    if let Some(idle) = clocks.idle.as_mut()
        && idle.status == ticket.status
        && let Some((at, step)) = idle_step(idle, &rules.lifecycle)
        && reached(at, now)
    {
        if step == Step::Remind {
            idle.reminded = true;
        }
        steps.push(step);
    }
    clocks.wake_at = wake_at(&clocks, &rules.lifecycle, ticket.status);
    (steps, clocks)
}

#[cfg(test)]
mod tests;
