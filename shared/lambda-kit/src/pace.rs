//! Keeps one instance's mail under a sending rate: each send waits for its slot,
//! `1 / rate` seconds after the one before. SES answers a faster burst with
//! throttling; pacing spends that wait here instead of in retries.

use async_trait::async_trait;
use helpdesk_domain::EmailAddress;
use helpdesk_domain::ports::{MailError, Mailer};
use helpdesk_domain::values::ids::OutboxId;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::{Instant, sleep_until};

pub struct PacedMailer {
    inner: Arc<dyn Mailer>,
    gap: Duration,
    next: Mutex<Option<Instant>>,
}

impl PacedMailer {
    /// At most `per_second` sends a second (at least one).
    pub fn new(inner: Arc<dyn Mailer>, per_second: u32) -> Self {
        Self {
            inner,
            gap: Duration::from_secs(1) / per_second.max(1),
            next: Mutex::new(None),
        }
    }

    /// Waits for the next free slot and takes it.
    async fn slot(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + self.gap);
            at
        };
        sleep_until(at).await;
    }
}

#[async_trait]
impl Mailer for PacedMailer {
    async fn send_raw(
        &self,
        from: &EmailAddress,
        to: &[EmailAddress],
        raw_mime: &[u8],
        outbox: Option<&OutboxId>,
    ) -> Result<String, MailError> {
        self.slot().await;
        self.inner.send_raw(from, to, raw_mime, outbox).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    struct Counting(AtomicU32);

    #[async_trait]
    impl Mailer for Counting {
        async fn send_raw(
            &self,
            _from: &EmailAddress,
            _to: &[EmailAddress],
            _raw_mime: &[u8],
            _outbox: Option<&OutboxId>,
        ) -> Result<String, MailError> {
            Ok(format!("m{}", self.0.fetch_add(1, Ordering::SeqCst)))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn twenty_mails_at_ten_a_second_take_two_seconds_and_none_is_held_longer() {
        let counting = Arc::new(Counting(AtomicU32::new(0)));
        let mailer = Arc::new(PacedMailer::new(counting.clone(), 10));
        let from = EmailAddress::parse("support@helpdesk.test").unwrap();
        let start = Instant::now();
        // Two callers at once share the one rate.
        let send = |m: Arc<PacedMailer>, from: EmailAddress| async move {
            for _ in 0..10 {
                m.send_raw(&from, std::slice::from_ref(&from), b"x", None)
                    .await
                    .unwrap();
            }
        };
        tokio::join!(
            send(mailer.clone(), from.clone()),
            send(mailer.clone(), from.clone())
        );
        let took = start.elapsed();
        assert_eq!(counting.0.load(Ordering::SeqCst), 20);
        // The first goes at once, the twentieth 19 gaps of 100 ms later.
        assert_eq!(took, Duration::from_millis(1_900), "{took:?}");
        // After a quiet spell the next mail goes at once.
        tokio::time::advance(Duration::from_secs(5)).await;
        let quiet = Instant::now();
        mailer
            .send_raw(&from, std::slice::from_ref(&from), b"x", None)
            .await
            .unwrap();
        assert_eq!(quiet.elapsed(), Duration::ZERO);
    }
}
