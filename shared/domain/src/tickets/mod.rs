//! The ticket aggregate: a ticket, its status machine and its messages, and the
//! live counters every change moves.

pub mod counters;
pub mod message;
pub mod people;
pub mod rated;
pub mod rating;
pub mod ticket;
