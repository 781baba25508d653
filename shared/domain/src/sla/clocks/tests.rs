use super::*;
use crate::catalog::category::Lifecycle;
use crate::sla::policy::{Calendar, Targets};
use crate::tickets::ticket::{Channel, Priority, Requester, Tier};
use crate::values::email::EmailAddress;
use crate::values::ids::{CategoryId, TicketRef};
use crate::values::text::{DisplayName, Subject};
use chrono::NaiveTime;
use proptest::prelude::*;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Mon–Fri 09:00–17:00 UTC; first answer in 2 business hours, next in 4,
/// solved in 16 (two business days).
fn rules() -> Rules {
    let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    let calendar = Calendar::weekdays("UTC", t(9), t(17), vec![]).unwrap();
    let targets = Targets {
        first_response_minutes: 120,
        next_response_minutes: 240,
        resolution_minutes: 960,
    };
    Rules {
        policy: Some(SlaPolicy {
            id: "default".into(),
            calendar,
            standard: targets,
            premium: targets,
            warn_percent: 80,
            escalate_percent: 150,
        }),
        lifecycle: Lifecycle {
            remind_after_days: 3,
            solve_after_days: 7,
            close_after_days: 6,
        },
    }
}

fn ticket(at: DateTime<Utc>) -> Ticket {
    let mut t = Ticket {
        reference: TicketRef::random(),
        category: CategoryId::parse("orders").unwrap(),
        tier: Tier::Standard,
        priority: Priority::Normal,
        requester: Requester {
            name: DisplayName::from_mail("Jane"),
            email: EmailAddress::parse("jane@example.com").unwrap(),
        },
        subject: Subject::from_mail("Where is my parcel?"),
        status: Status::New,
        assignee: None,
        details: Default::default(),
        channel: Channel::Web,
        created_at: at,
        updated_at: at,
        due_at: None,
        version: 1,
        merged_into: None,
        sla: Clocks::default(),
        participants: vec![],
        cc: vec![],
        tags: vec![],
        email_verified: true,
        rating: None,
        erased_at: None,
        words_removed_in: None,
        language: Default::default(),
        time_zone: None,
    };
    open(&mut t, &rules(), at);
    t
}

/// `happened` at `now`, after `change` moved the ticket.
fn after(
    t: &Ticket,
    happened: Happened,
    now: DateTime<Utc>,
    change: impl FnOnce(&mut Ticket),
) -> Ticket {
    let mut next = t.clone();
    change(&mut next);
    apply(t, &mut next, happened, &rules(), now);
    next
}

/// An agent answered at `at` with a question: the ticket waits on the customer.
fn asked(t: &Ticket, at: DateTime<Utc>) -> Ticket {
    after(
        t,
        Happened::AgentAnswered,
        at,
        set_status(Status::WaitingOnCustomer),
    )
}

fn set_status(to: Status) -> impl FnOnce(&mut Ticket) {
    move |t: &mut Ticket| t.status = to
}

#[test]
fn a_new_request_runs_first_response_and_resolution() {
    // Monday 10:00.
    let t = ticket(utc("2026-11-23T10:00:00Z"));
    let response = t.sla.response.unwrap();
    assert_eq!(response.target, Target::FirstResponse);
    assert_eq!(t.due_at, Some(utc("2026-11-23T12:00:00Z")));
    // Warned at 80 % of two hours: 96 minutes in.
    assert_eq!(t.sla.wake_at, Some(utc("2026-11-23T11:36:00Z")));
    // Resolution: 16 business hours → Tuesday 18:00 is after closing → Wednesday 10:00.
    let resolution = t.sla.resolution.unwrap().spell.unwrap();
    assert_eq!(resolution.due_at, utc("2026-11-25T10:00:00Z"));
}

#[test]
fn an_answer_stops_the_response_clock_and_waiting_pauses_resolution() {
    let t = ticket(utc("2026-11-23T10:00:00Z"));
    let t = asked(&t, utc("2026-11-23T11:00:00Z"));
    assert_eq!(t.sla.response, None);
    assert_eq!(t.sla.first_response_minutes, Some(60));
    assert_eq!(t.sla.targets_met, (1, 0));
    let resolution = t.sla.resolution.unwrap();
    assert_eq!((resolution.used_minutes, resolution.spell), (60, None));
    assert_eq!(
        t.due_at, None,
        "nothing is due while the customer has the ball"
    );
    // The next thing to do is the reminder, three days later.
    assert_eq!(t.sla.wake_at, Some(utc("2026-11-26T11:00:00Z")));

    // The customer answers on Friday at 16:00: a next-response clock (4 h), and
    // resolution resumes with 15 of its 16 hours left.
    let t = after(
        &t,
        Happened::CustomerWrote,
        utc("2026-11-27T16:00:00Z"),
        set_status(Status::Open),
    );
    let response = t.sla.response.unwrap();
    assert_eq!(response.target, Target::NextResponse);
    assert_eq!(response.spell.unwrap().due_at, utc("2026-11-30T12:00:00Z"));
    // 1 h on Friday + 8 h Monday + 6 h Tuesday.
    assert_eq!(
        t.sla.resolution.unwrap().spell.unwrap().due_at,
        utc("2026-12-01T15:00:00Z")
    );
    assert_eq!(t.due_at, Some(utc("2026-11-30T12:00:00Z")));
    assert_eq!(t.sla.idle, None);
}

#[test]
fn each_level_is_reached_once_and_a_late_run_jumps_to_the_highest() {
    let t = ticket(utc("2026-11-23T10:00:00Z"));
    let rules = rules();
    assert!(
        due_steps(&t, &rules, utc("2026-11-23T11:35:00Z"))
            .0
            .is_empty()
    );
    let (steps, clocks) = due_steps(&t, &rules, utc("2026-11-23T11:36:00Z"));
    assert_eq!(
        steps,
        vec![Step::Clock {
            target: Target::FirstResponse,
            from: Stage::OnTrack,
            to: Stage::Warned
        }]
    );
    let mut warned = t.clone();
    warned.sla = clocks;
    assert_eq!(warned.sla.wake_at, Some(utc("2026-11-23T12:00:00Z")));
    assert!(
        due_steps(&warned, &rules, utc("2026-11-23T11:50:00Z"))
            .0
            .is_empty(),
        "once"
    );

    // A run that comes late (13:05, past 150 % of 2 h) escalates straight to level 2.
    let (steps, clocks) = due_steps(&warned, &rules, utc("2026-11-23T13:05:00Z"));
    assert_eq!(
        steps,
        vec![Step::Clock {
            target: Target::FirstResponse,
            from: Stage::Warned,
            to: Stage::Escalated
        }]
    );
    assert!(clocks.overdue());
    let mut escalated = warned.clone();
    escalated.sla = clocks;
    // Only the resolution clock is left to watch.
    assert_eq!(
        escalated.sla.wake_at,
        Some(escalated.sla.resolution.unwrap().spell.unwrap().warn_at)
    );
    // Answering late counts a missed target and clears the overdue flag.
    let answered = asked(&escalated, utc("2026-11-23T14:00:00Z"));
    assert_eq!(answered.sla.targets_met, (0, 1));
    assert!(!answered.sla.overdue());
}

#[test]
fn a_quiet_ticket_is_reminded_solved_and_closed() {
    let rules = rules();
    let t = ticket(utc("2026-11-23T10:00:00Z"));
    let t = asked(&t, utc("2026-11-23T11:00:00Z"));
    let day = |d: i64| utc("2026-11-23T11:00:00Z") + Duration::days(d);
    assert!(
        due_steps(&t, &rules, day(3) - Duration::minutes(1))
            .0
            .is_empty()
    );
    let (steps, clocks) = due_steps(&t, &rules, day(3));
    assert_eq!(steps, vec![Step::Remind]);
    let mut reminded = t.clone();
    reminded.sla = clocks;
    assert_eq!(reminded.sla.wake_at, Some(day(7)));
    assert_eq!(
        due_steps(&reminded, &rules, day(7)).0,
        vec![Step::AutoSolve]
    );

    // Solved at day 7: reminded halfway through the six days, closed at their end.
    let solved = after(
        &reminded,
        Happened::Changed,
        day(7),
        set_status(Status::Resolved),
    );
    assert_eq!(solved.sla.resolution_minutes, Some(60));
    assert_eq!(solved.sla.wake_at, Some(day(10)));
    let (steps, clocks) = due_steps(&solved, &rules, day(10));
    assert_eq!(steps, vec![Step::Remind]);
    let mut solved = solved;
    solved.sla = clocks;
    assert_eq!(due_steps(&solved, &rules, day(13)).0, vec![Step::AutoClose]);

    let closed = after(
        &solved,
        Happened::Changed,
        day(13),
        set_status(Status::Closed),
    );
    assert_eq!((closed.sla.wake_at, closed.due_at), (None, None));
}

#[test]
fn a_new_agent_reply_while_waiting_restarts_the_quiet_time() {
    let t = ticket(utc("2026-11-23T10:00:00Z"));
    let t = asked(&t, utc("2026-11-23T11:00:00Z"));
    let t = after(
        &t,
        Happened::AgentAnswered,
        utc("2026-11-24T11:00:00Z"),
        |_| {},
    );
    assert_eq!(t.sla.idle.unwrap().since, utc("2026-11-24T11:00:00Z"));
    let t = after(&t, Happened::Changed, utc("2026-11-25T11:00:00Z"), |t| {
        t.priority = Priority::High
    });
    assert_eq!(
        t.sla.idle.unwrap().since,
        utc("2026-11-24T11:00:00Z"),
        "a note is not a reply"
    );
}

#[test]
fn without_a_policy_no_clock_runs_but_quiet_tickets_still_close() {
    let mut rules = rules();
    rules.policy = None;
    let mut t = ticket(utc("2026-11-23T10:00:00Z"));
    t.sla = Clocks::default();
    t.due_at = None;
    open(&mut t, &rules, utc("2026-11-23T10:00:00Z"));
    assert_eq!((t.due_at, t.sla.wake_at), (None, None));
    let mut next = t.clone();
    next.status = Status::Resolved;
    apply(
        &t,
        &mut next,
        Happened::Changed,
        &rules,
        utc("2026-11-23T11:00:00Z"),
    );
    assert_eq!(next.sla.wake_at, Some(utc("2026-11-26T11:00:00Z")));
}

#[test]
fn a_tier_change_retimes_the_running_clocks() {
    let mut r = rules();
    if let Some(p) = r.policy.as_mut() {
        p.premium.first_response_minutes = 30;
    }
    let t = ticket(utc("2026-11-23T10:00:00Z"));
    let mut next = t.clone();
    next.tier = Tier::Premium;
    apply(
        &t,
        &mut next,
        Happened::Changed,
        &r,
        utc("2026-11-23T10:10:00Z"),
    );
    // 10 of its 30 minutes were used before the upgrade.
    assert_eq!(next.due_at, Some(utc("2026-11-23T10:30:00Z")));
}

fn event() -> impl Strategy<Value = (u8, i64)> {
    (0u8..6, 1i64..(60 * 24 * 4))
}

proptest! {
    /// What the wake index promises is what the run finds: nothing is due before
    /// `wake_at`, something is at it, and a step once taken is not taken again.
    #[test]
    fn the_wake_time_is_exactly_when_the_run_has_work(
        start in 1_767_225_600i64..1_798_761_600, // 2026
        events in prop::collection::vec(event(), 0..8),
    ) {
        let rules = rules();
        let mut now = DateTime::from_timestamp(start, 0).unwrap();
        let mut t = ticket(now);
        for (kind, minutes) in events {
            now += Duration::minutes(minutes);
            // Let the run catch up first, as the schedule would.
            t = advance(&t, &rules, now).1;
            let (happened, to) = match kind {
                0 => (Happened::AgentAnswered, Status::WaitingOnCustomer),
                1 => (Happened::AgentAnswered, Status::Resolved),
                2 => (Happened::CustomerWrote, Status::Open),
                3 => (Happened::Changed, Status::Closed),
                4 => (Happened::Changed, Status::Open),
                _ => (Happened::Changed, t.status),
            };
            if t.status != to && !t.status.can_become(to) {
                continue;
            }
            t = after(&t, happened, now, set_status(to));
        }
        match t.sla.wake_at {
            Some(wake) => {
                prop_assert!(due_steps(&t, &rules, wake - Duration::seconds(1)).0.is_empty());
                let (steps, stepped) = advance(&t, &rules, wake);
                prop_assert!(!steps.is_empty());
                prop_assert!(advance(&stepped, &rules, wake).0.is_empty());
                prop_assert!(stepped.sla.wake_at.is_none_or(|w| w > wake));
            }
            None => prop_assert!(due_steps(&t, &rules, now + Duration::days(400)).0.is_empty()),
        }
        prop_assert_eq!(t.due_at.is_some(), t.status.awaits_agent());
    }
}

#[test]
fn a_quiet_spell_left_behind_by_a_bypassed_change_leaves_the_wake_index() {
    let rules = rules();
    let t = asked(
        &ticket(utc("2026-11-23T10:00:00Z")),
        utc("2026-11-23T11:00:00Z"),
    );
    let reminder = t.sla.wake_at.unwrap();
    // Reopened without going through `apply`: the idle spell is stale.
    let mut stale = t.clone();
    stale.status = Status::Open;
    let (steps, after) = advance(&stale, &rules, reminder);
    assert!(steps.is_empty(), "no reminder for a ticket that is open");
    assert_ne!(
        after.sla.wake_at,
        Some(reminder),
        "so the run rewrites the entry"
    );
}

#[test]
fn a_promise_is_broken_at_its_due_instant_not_a_nanosecond_before() {
    let ns = Duration::nanoseconds(1);
    let rules = rules();
    // Opened mid-second, in opening hours: its promise is still a whole second.
    let t = ticket(utc("2026-11-23T10:00:00.987654321Z"));
    let spell = t.sla.response.unwrap().spell.unwrap();
    assert_eq!(t.due_at, Some(utc("2026-11-23T12:00:00Z")));
    let stage_at = |now| due_steps(&t, &rules, now).1.response.unwrap().stage;
    for (at, stage) in [
        (spell.warn_at, Stage::Warned),
        (spell.due_at, Stage::Breached),
        (spell.escalate_at, Stage::Escalated),
    ] {
        assert_eq!(stage_at(at), stage, "at {at}");
        assert!(stage_at(at - ns) < stage, "a nanosecond before {at}");
    }
    assert!(reached(spell.due_at, spell.due_at));
    assert!(!reached(spell.due_at, spell.due_at - ns));

    // The quiet-ticket timers keep the same rule: reminded three days on, not before.
    let waiting = asked(&t, utc("2026-11-23T11:00:00Z"));
    let remind = utc("2026-11-26T11:00:00Z");
    assert_eq!(waiting.sla.wake_at, Some(remind));
    assert_eq!(due_steps(&waiting, &rules, remind).0, vec![Step::Remind]);
    assert!(due_steps(&waiting, &rules, remind - ns).0.is_empty());
}
