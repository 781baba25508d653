//! What can go wrong when a port reaches storage.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The item changed since it was read (optimistic concurrency).
    #[error("changed by someone else since it was read")]
    Conflict,
    /// The generated key already exists (e.g. a reference collision): retry with a new one.
    #[error("already exists")]
    Duplicate,
    /// The idempotency key was used before for a different request.
    #[error("idempotency key was used for a different request")]
    IdempotencyMismatch,
    #[error("the page cursor is not valid")]
    BadCursor,
    /// A rate limit was reached; retry after this many seconds.
    #[error("too many requests, retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Retry later (throttling, capacity).
    #[error("throttled, retry later")]
    Throttled,
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The change's dedupe key was used before: the change was made already
    /// (e.g. the same inbound mail delivered twice).
    #[error("this change was made before")]
    AlreadyApplied,
    /// A stored item could not be read back into a domain value.
    #[error("stored item is not valid: {0}")]
    Corrupt(String),
}
