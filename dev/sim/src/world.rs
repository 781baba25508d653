//! The simulated outside world: an SQS queue with visibility timeouts, receive
//! counts and a DLQ, and SES, both going through the fault plan.

use crate::faults::{Fault, FaultPlan};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use helpdesk_domain::mail::outbound::job::OutboundJob;
use helpdesk_domain::ports::{Clock, MailError, Mailer, OutboundQueue, QueueError};
use helpdesk_domain::{EmailAddress, OutboxId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How the outbound queue is configured on AWS (infra/resources.json).
pub const VISIBILITY: i64 = 60;
pub const MAX_RECEIVES: u32 = 5;

#[derive(Debug, Clone)]
pub struct QueueMessage {
    pub id: u64,
    pub job: OutboundJob,
    pub visible_at: DateTime<Utc>,
    pub receives: u32,
}

/// SQS as send-reply meets it: at-least-once, a message hidden while received
/// and visible again after the timeout unless deleted, moved to the DLQ after
/// [`MAX_RECEIVES`].
pub struct SimQueue {
    pub plan: Arc<FaultPlan>,
    pub clock: Arc<dyn Clock>,
    messages: Mutex<Vec<QueueMessage>>,
    dead: Mutex<Vec<OutboundJob>>,
    next_id: Mutex<u64>,
}

impl SimQueue {
    pub fn new(plan: Arc<FaultPlan>, clock: Arc<dyn Clock>) -> Self {
        Self {
            plan,
            clock,
            messages: Mutex::default(),
            dead: Mutex::default(),
            next_id: Mutex::new(0),
        }
    }

    fn push(&self, job: &OutboundJob) {
        self.push_after(job, chrono::Duration::zero());
    }

    fn push_after(&self, job: &OutboundJob, delay: chrono::Duration) {
        let mut id = lock(&self.next_id);
        *id += 1;
        lock(&self.messages).push(QueueMessage {
            id: *id,
            job: job.clone(),
            visible_at: self.clock.now() + delay,
            receives: 0,
        });
    }

    /// Up to `n` visible messages, hidden for the visibility timeout; the ones
    /// received too often go to the DLQ instead.
    pub fn receive(&self, n: usize) -> Vec<QueueMessage> {
        let now = self.clock.now();
        let mut messages = lock(&self.messages);
        let mut dead = lock(&self.dead);
        let mut got = Vec::new();
        let mut kept = Vec::new();
        for mut m in messages.drain(..) {
            if got.len() < n && m.visible_at <= now {
                if m.receives >= MAX_RECEIVES {
                    dead.push(m.job);
                    continue;
                }
                m.receives += 1;
                m.visible_at = now + Duration::seconds(VISIBILITY);
                got.push(m.clone());
            }
            kept.push(m);
        }
        *messages = kept;
        got
    }

    pub fn delete(&self, id: u64) {
        lock(&self.messages).retain(|m| m.id != id);
    }

    pub fn is_empty(&self) -> bool {
        lock(&self.messages).is_empty()
    }

    pub fn dead_letters(&self) -> usize {
        lock(&self.dead).len()
    }
}

impl SimQueue {
    /// A send under the fault plan: refused before it happens, or done with its
    /// answer lost after (a retry then sends it again).
    async fn send(&self, push: impl FnOnce()) -> Result<(), QueueError> {
        let sent = async {
            push();
            Ok(())
        };
        self.plan
            .around(sent, |fault| {
                QueueError::Unavailable(match fault {
                    Fault::FailAfter => "sim: answer lost".into(),
                    _ => "sim: refused".into(),
                })
            })
            .await
    }
}

#[async_trait]
impl OutboundQueue for SimQueue {
    async fn enqueue(&self, job: &OutboundJob) -> Result<(), QueueError> {
        self.send(|| self.push(&job.queue_message())).await
    }

    async fn enqueue_after(
        &self,
        job: &OutboundJob,
        delay: chrono::Duration,
    ) -> Result<(), QueueError> {
        self.send(|| self.push_after(&job.queue_message(), delay))
            .await
    }
}

/// SES: records every mail it accepts, per outbox item; may throttle, lose its
/// answer after accepting, or see the process die around the call.
pub struct SimSes {
    pub plan: Arc<FaultPlan>,
    accepted: Mutex<HashMap<OutboxId, u32>>,
    /// Accepted during the invocation under way (for the duplicate window).
    accepted_now: Mutex<Vec<OutboxId>>,
    /// Accepted mail whose "sent" event SES will publish, in order.
    pub events: Mutex<Vec<(String, OutboxId)>>,
    count: Mutex<u64>,
}

impl SimSes {
    pub fn new(plan: Arc<FaultPlan>) -> Self {
        Self {
            plan,
            accepted: Mutex::default(),
            accepted_now: Mutex::default(),
            events: Mutex::default(),
            count: Mutex::new(0),
        }
    }

    fn accept(&self, outbox: Option<&OutboxId>) -> String {
        let mut count = lock(&self.count);
        *count += 1;
        let id = format!("sim-ses-{count:06}");
        if let Some(o) = outbox {
            *lock(&self.accepted).entry(o.clone()).or_insert(0) += 1;
            lock(&self.accepted_now).push(o.clone());
            lock(&self.events).push((id.clone(), o.clone()));
        }
        id
    }

    /// Forget what was accepted during the last invocation.
    pub fn start_invocation(&self) {
        lock(&self.accepted_now).clear();
    }

    /// What was accepted during the invocation just ended.
    pub fn accepted_in_invocation(&self) -> Vec<OutboxId> {
        std::mem::take(&mut *lock(&self.accepted_now))
    }

    pub fn accepted(&self) -> HashMap<OutboxId, u32> {
        lock(&self.accepted).clone()
    }
}

#[async_trait]
impl Mailer for SimSes {
    async fn send_raw(
        &self,
        _from: &EmailAddress,
        _to: &[EmailAddress],
        _raw: &[u8],
        outbox: Option<&OutboxId>,
    ) -> Result<String, MailError> {
        let accepted = async { Ok(self.accept(outbox)) };
        self.plan
            .around(accepted, |fault| match fault {
                Fault::FailAfter => MailError::Unavailable("sim: answer lost".into()),
                _ => MailError::Throttled,
            })
            .await
    }
}
