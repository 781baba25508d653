//! Values that parse: identifiers, addresses, text, time and secret tokens. Each
//! is valid once built; nothing here knows a ticket.

pub mod email;
pub mod ids;
pub mod tag;
pub mod text;
pub mod time;
pub mod token;
