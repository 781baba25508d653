//! Mail whose change was stored but whose queue message was lost goes out after all.

use crate::ports::error::StoreError;
use crate::ports::{OutboundQueue, Outbox};
use chrono::{DateTime, Utc};

/// What [`resend_unsent`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Resent {
    pub resent: usize,
    /// The queue refused them too; the next run tries again.
    pub failed: usize,
}

/// Puts mail back on the queue whose outbox item is still `queued` after `grace`:
/// the change was stored but its queue message was lost. A mail that was only
/// slow is claimed once anyway (send-reply's claim), so a second message costs
/// nothing but a read.
pub async fn resend_unsent(
    outbox: &dyn Outbox,
    queue: &dyn OutboundQueue,
    now: DateTime<Utc>,
    grace: chrono::Duration,
    limit: u16,
) -> Result<Resent, StoreError> {
    let mut done = Resent::default();
    let jobs = outbox.unsent_outbox(now - grace, limit).await?;
    let results = queue.enqueue_all(&jobs).await;
    for (job, result) in jobs.into_iter().zip(results) {
        match result {
            Ok(()) => {
                outbox.outbox_requeued(&job, now).await?;
                done.resent += 1;
            }
            Err(e) => {
                tracing::warn!(outbox = %job.outbox_id.as_str(), error = %e, "unsent mail still not queued");
                done.failed += 1;
            }
        }
    }
    Ok(done)
}
