//! The help desk's domain: what a ticket is, which values are valid, how a ticket's
//! status may move, and the ports through which the use cases reach storage, queues,
//! mail and time. Nothing here knows about AWS or Lambda.
//!
//! One module per part of the product (docs/ARCHITECTURE.md has the map):
//! `values` (what parses), `tickets` (the aggregate), `customers` (intake and the
//! tracking page), `agents` (profiles, views, canned replies, actions), `sla`,
//! `catalog` (categories, FAQ, admin), `mail::inbound`, `mail::outbound`,
//! `reports`, `ops` (health, self-test) and `ports` (what the use cases need from
//! the outside world).

pub mod agents;
pub mod catalog;
pub mod customers;
pub mod i18n;
pub mod mail;
pub mod ops;
pub mod ports;
pub mod reports;
pub mod search;
pub mod sla;
pub mod tickets;
pub mod values;

pub use catalog::category::{Category, FieldError, FieldKind, FieldSchema, FieldValue};
pub use tickets::message::{Author, Message, MessageKind, ThreadedBy};
pub use tickets::ticket::{Priority, Status, Ticket, Tier};
pub use values::email::EmailAddress;
pub use values::ids::{AgentId, CategoryId, MessageId, OutboxId, TicketRef};
