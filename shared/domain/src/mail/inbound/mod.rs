//! Mail that comes in: parse it, tell automatic mail apart, find the ticket it
//! belongs to, strip the quoted history, and hold what must not reach a ticket.

pub mod auto;
pub mod original;
pub mod parse;
pub mod quarantine;
pub mod quote;
pub mod receive;
pub mod review;
pub mod rules;
pub mod threading;
pub mod verdicts;
