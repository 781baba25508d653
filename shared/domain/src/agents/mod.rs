//! What agents are and do: their profile and role, the console's views of the
//! queues, canned replies, and the actions they take on tickets.

pub mod actions;
pub mod alert_mail;
pub mod alerts;
pub mod audit;
pub mod bulk;
pub mod canned;
pub mod opening;
pub mod profile;
pub mod saved_view;
pub mod saved_views;
pub mod search;
pub mod tag_admin;
pub mod views;
