//! What customers do without an account: submit a request from the help center
//! (with attachments), and follow and answer it from the tracking page.

pub mod archive;
pub mod attaching;
pub mod attachments;
pub mod data;
pub mod intake;
pub mod limits;
pub mod links;
pub mod tier_rule;
pub mod tiers;
pub mod tracking;
