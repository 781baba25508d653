//! Mail that goes out: the queued job, the letter rendered and composed, sending
//! it at most once (and again when its queue message was lost), and what SES
//! reports back.

pub mod compose;
pub mod digest;
pub mod feedback;
pub mod job;
pub mod render;
pub mod resend;
pub mod send;
