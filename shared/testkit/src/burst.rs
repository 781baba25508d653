//! A burst of mail jobs played through an SQS-like queue in simulated time: the
//! handler gets batches of ten of the messages whose delay is over, each batch
//! takes 100 ms, and what the handler puts back (with its delay) waits its turn.
//! The throttling test and the benchmark share it, so both say the same.

use crate::fakes::RecordingQueue;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::Duration;
use helpdesk_domain::mail::outbound::job::OutboundJob;

/// How a burst drained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drained {
    pub batches: u32,
    /// Queue messages the handler reported failed (each would be retried, and
    /// could reach the DLQ): 0 expected.
    pub failed: usize,
    /// Simulated milliseconds until the queue was empty.
    pub millis: i64,
    /// The longest delay the handler asked for.
    pub longest_wait_millis: i64,
    /// The longest delay was within SQS's 15 minutes.
    pub delays_valid: bool,
}

/// Plays `jobs` through `handle` until nothing waits; `at(ms)` sets the
/// simulated clock the handler and the mail service read. Stops after
/// `max_batches` (a burst that never drains) and says so with `None`.
pub async fn drain<F, Fut>(
    jobs: Vec<OutboundJob>,
    queue: &RecordingQueue,
    max_batches: u32,
    mut at: impl FnMut(i64),
    mut handle: F,
) -> Option<Drained>
where
    F: FnMut(SqsEvent) -> Fut,
    Fut: std::future::Future<Output = SqsBatchResponse>,
{
    let mut waiting: Vec<(i64, OutboundJob)> = jobs.into_iter().map(|j| (0, j)).collect();
    let mut d = Drained {
        batches: 0,
        failed: 0,
        millis: 0,
        longest_wait_millis: 0,
        delays_valid: true,
    };
    while !waiting.is_empty() {
        if d.batches >= max_batches {
            return None;
        }
        waiting.sort_by_key(|(ready, _)| *ready);
        d.millis = d.millis.max(waiting[0].0);
        let ready = waiting
            .iter()
            .take_while(|(ready, _)| *ready <= d.millis)
            .count()
            .min(10);
        let batch: Vec<OutboundJob> = waiting.drain(..ready).map(|(_, j)| j).collect();
        let mut event = SqsEvent::default();
        event.records = batch
            .iter()
            .enumerate()
            .map(|(i, job)| {
                let mut m = SqsMessage::default();
                m.message_id = Some(format!("m{}-{i}", d.batches));
                m.body = serde_json::to_string(job).ok();
                m
            })
            .collect();
        at(d.millis);
        let response = handle(event).await;
        d.failed += response.batch_item_failures.len();
        d.batches += 1;
        d.millis += 100;
        for (job, delay) in queue.drain() {
            d.delays_valid &= delay > Duration::zero() && delay <= Duration::minutes(15);
            d.longest_wait_millis = d.longest_wait_millis.max(delay.num_milliseconds());
            waiting.push((d.millis + delay.num_milliseconds(), job));
        }
    }
    Some(d)
}
