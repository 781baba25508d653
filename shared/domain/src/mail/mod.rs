//! Mail both ways: reading what customers send, writing what we send, and the rules
//! that thread the two together and keep mail loops out (README.md, "Mail").

pub mod auto;
pub mod compose;
pub mod feedback;
pub mod inbound;
pub mod inbox;
pub mod postman;
pub mod quarantine;
pub mod quote;
pub mod render;
pub mod reply_token;
pub mod threading;
