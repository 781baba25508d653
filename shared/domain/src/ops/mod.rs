//! Keeping it running: the health of each dependency and the channel self-test.

pub mod health;
pub mod probe;
pub mod selftest;
