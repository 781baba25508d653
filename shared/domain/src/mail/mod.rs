//! Mail both ways: reading what customers send, writing what we send, and the rules
//! that thread the two together and keep mail loops out (README.md, "Mail").

pub mod inbound;
pub mod outbound;
pub mod reply_token;
