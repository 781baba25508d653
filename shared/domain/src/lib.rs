//! The help desk's domain: what a ticket is, which values are valid, how a ticket's
//! status may move, and the ports through which the use cases reach storage, queues,
//! mail and time. Nothing here knows about AWS or Lambda.

pub mod admin;
pub mod attachments;
pub mod canned;
pub mod catalog;
pub mod catalog_cache;
pub mod category;
pub mod clocks;
pub mod counters;
pub mod desk;
pub mod email;
pub mod escalation;
pub mod faq;
pub mod health;
pub mod ids;
pub mod intake;
pub mod mail;
pub mod message;
pub mod outbound;
pub mod ports;
pub mod reports;
pub mod selftest;
pub mod sla;
pub mod store;
pub mod text;
pub mod ticket;
pub mod time;
pub mod token;
pub mod tracking;
pub mod views;

pub use category::{Category, FieldError, FieldKind, FieldSchema, FieldValue};
pub use email::EmailAddress;
pub use ids::{AgentId, CategoryId, MessageId, OutboxId, TicketRef};
pub use message::{Author, Message, MessageKind, ThreadedBy};
pub use ticket::{Priority, Status, Ticket, Tier};
