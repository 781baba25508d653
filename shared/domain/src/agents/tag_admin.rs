//! Admins rename a tag, or merge it into another (a rename onto a tag in use):
//! every ticket carrying it gets the new one instead, each its own write, and
//! the old tag leaves the suggestions. The tickets are found through the word
//! index, which trails writes by seconds: a ticket tagged in those seconds is
//! left, and the answer says how many were; renaming again takes them.

use crate::agents::actions::{Action, Caller, Desk, DeskError};
use crate::agents::profile::Role;
use crate::catalog::category::FieldError;
use crate::ports::WordIndex;
use crate::ports::store::StoreError;
use crate::search::query::{MAX_PAGE, PAGE_SIZE};
use crate::search::{Filters, WordQuery};
use crate::values::ids::TicketRef;
use crate::values::tag::Tag;

/// Tickets one call renames at most (each is a read and a write, and the call
/// must end well within the function's timeout); past it the answer says how
/// many are left, and the admin renames again.
pub const MAX_RENAMED: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Renamed {
    /// Tickets that carried the old tag and now carry the new one.
    pub changed: usize,
    /// Tickets still carrying the old tag: past [`MAX_RENAMED`], or changed by
    /// someone at the same moment twice. (One tagged in the last seconds, which
    /// the index does not show yet, is not counted: renaming again takes it.)
    pub left: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenameError {
    #[error("invalid input")]
    Invalid(FieldError),
    #[error("admins only")]
    Forbidden,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Renames `from` to `to` on every ticket carrying it.
pub async fn rename<I>(
    desk: &Desk<'_>,
    index: &I,
    caller: &Caller,
    from: &Tag,
    to: &Tag,
) -> Result<Renamed, RenameError>
where
    I: WordIndex + ?Sized,
{
    if caller.role != Role::Admin {
        return Err(RenameError::Forbidden);
    }
    if from == to {
        return Err(RenameError::Invalid(FieldError::new(
            "to",
            "is the tag's own name",
        )));
    }
    // Every ticket the index knows with the tag, before any is changed (a
    // changed ticket leaves the listing only once it is indexed again).
    let mut query = WordQuery {
        filters: Filters {
            tag: Some(from.clone()),
            ..Filters::default()
        },
        ..WordQuery::default()
    };
    let mut carrying: Vec<TicketRef> = Vec::new();
    let mut total = 0;
    for page in 1..=MAX_PAGE {
        query.page = page;
        let found = index.find(&query, None).await?;
        total = found.total as usize;
        let n = found.hits.len();
        for hit in found.hits {
            if !carrying.contains(&hit.ticket.reference) {
                carrying.push(hit.ticket.reference);
            }
        }
        if n < PAGE_SIZE || carrying.len() >= MAX_RENAMED {
            break;
        }
    }
    carrying.truncate(MAX_RENAMED);
    // The new name is suggested from the first ticket on, whatever happens next.
    desk.tickets.note_tags(std::slice::from_ref(to)).await?;
    let action = Action::Tag {
        add: vec![to.clone()],
        remove: vec![from.clone()],
    };
    let mut done = Renamed {
        left: total.saturating_sub(carrying.len()),
        ..Renamed::default()
    };
    for reference in carrying {
        // Twice at most: once more when someone changed it in between.
        let mut changed = false;
        for _ in 0..2 {
            let thread = match desk.tickets.load_ticket(&reference).await {
                Ok(t) => t,
                Err(StoreError::NotFound) => break,
                Err(e) => return Err(e.into()),
            };
            if !thread.ticket.tags.contains(from) {
                break;
            }
            match desk
                .act(
                    caller,
                    &reference,
                    thread.ticket.version,
                    None,
                    action.clone(),
                )
                .await
            {
                Ok(_) => {
                    changed = true;
                    break;
                }
                Err(DeskError::Changed { .. }) => continue,
                Err(DeskError::Store(e)) => return Err(e.into()),
                Err(_) => break,
            }
        }
        if changed {
            done.changed += 1;
        } else if desk
            .tickets
            .load_ticket(&reference)
            .await
            .is_ok_and(|t| t.ticket.tags.contains(from))
        {
            done.left += 1;
        }
    }
    if done.left == 0 {
        desk.tickets.forget_tags(std::slice::from_ref(from)).await?;
    }
    Ok(done)
}
