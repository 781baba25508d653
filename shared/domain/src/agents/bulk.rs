//! One change to many tickets at once (assign, status, priority, category), as
//! an agent picks them in a queue or a search result. Each ticket is its own
//! conditional write on the version the agent saw: one that changed meanwhile,
//! or that the caller may not change, is refused and said so, and the others
//! still change.

use crate::agents::actions::{Action, Caller, Desk, DeskError};
use crate::catalog::category::FieldError;
use crate::tickets::ticket::Ticket;
use crate::values::ids::TicketRef;

/// Tickets one request changes at most.
pub const MAX_TICKETS: usize = 100;

/// What happened to one ticket.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Changed(Box<Ticket>),
    /// Someone changed it after the agent loaded it: nothing written.
    ChangedMeanwhile,
    /// The caller may not make this change (e.g. assign to someone else).
    NotAllowed(String),
    /// Missing, or in a category the caller does not cover: the same answer.
    NotFound,
    /// The change does not fit this ticket (e.g. a status it cannot take).
    Invalid(String),
    /// The store did not answer: try again.
    Failed,
}

/// The changes a bulk request may make.
pub fn allowed(action: &Action) -> bool {
    matches!(
        action,
        Action::Assign { .. }
            | Action::Status { .. }
            | Action::Priority { .. }
            | Action::Category { .. }
            | Action::Tag { .. }
    )
}

/// Checks the list: 1 to [`MAX_TICKETS`], each ticket once.
pub fn check(items: &[(TicketRef, u64)]) -> Result<(), FieldError> {
    if items.is_empty() {
        return Err(FieldError::new(
            "tickets",
            "is empty: pick at least one ticket",
        ));
    }
    if items.len() > MAX_TICKETS {
        return Err(FieldError::new("tickets", "holds more than 100 tickets"));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some((r, _)) = items.iter().find(|(r, _)| !seen.insert(r.clone())) {
        return Err(FieldError::new(
            "tickets",
            format!("names {} twice", r.display()),
        ));
    }
    Ok(())
}

/// Applies `action` to each ticket, one conditional write each, in order.
pub async fn apply(
    desk: &Desk<'_>,
    caller: &Caller,
    items: &[(TicketRef, u64)],
    action: &Action,
) -> Vec<(TicketRef, Outcome)> {
    let mut out = Vec::with_capacity(items.len());
    for (reference, version) in items {
        let outcome = match desk
            .act(caller, reference, *version, None, action.clone())
            .await
        {
            Ok(done) => Outcome::Changed(Box::new(done.ticket)),
            Err(DeskError::Changed { .. }) => Outcome::ChangedMeanwhile,
            Err(DeskError::NotFound) => Outcome::NotFound,
            Err(DeskError::Forbidden(why)) => Outcome::NotAllowed(why.to_owned()),
            Err(DeskError::Invalid { reason, .. }) => Outcome::Invalid(reason),
            Err(DeskError::Store(e)) => {
                tracing::warn!(ticket = %reference, error = %e, "bulk change not made");
                Outcome::Failed
            }
        };
        out.push((reference.clone(), outcome));
    }
    out
}
