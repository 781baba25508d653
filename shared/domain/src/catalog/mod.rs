//! The help center's configuration: categories with their own fields, the FAQ,
//! what admins may store, and a warm function's cached copy.

pub mod admin;
pub mod cache;
pub mod category;
pub mod faq;
pub mod help_center;
pub mod translations;
