//! Response-time promises: the policies, each ticket's clocks, and the scheduled
//! run that warns, escalates, reminds and closes.

pub mod clocks;
pub mod escalation;
pub mod notice;
pub mod policy;
pub mod rules;
