//! What `make dev` prints when something needs a person: messages in a
//! dead-letter queue, mail nothing has sent for half an hour. The same checks as
//! the agents' health page (`GET /api/agent/health`), on the console as they
//! change, so a failure is never only a log line.

use helpdesk_domain::ports::{Clock, ComponentHealth, HealthProbe, Outbox, TicketStore};
use std::sync::Arc;
use std::time::Duration;

/// The failing checks, as one line each; empty when all is well.
pub async fn problems(
    dead_letters: &dyn HealthProbe,
    outbox: &dyn Outbox,
    clock: &dyn Clock,
) -> Vec<String> {
    let mut checks: Vec<ComponentHealth> = dead_letters.check().await;
    checks.push(helpdesk_domain::ops::health::stuck_outbox(outbox, clock.now()).await);
    checks
        .into_iter()
        .filter(|c| !c.ok)
        .map(|c| format!("{}: {}", c.name, c.detail))
        .collect()
}

/// Checks every `every` and prints what changed: each new problem, and when all
/// is well again.
pub async fn watch_forever(
    dead_letters: Arc<dyn HealthProbe>,
    tickets: Arc<dyn TicketStore>,
    clock: Arc<dyn Clock>,
    every: Duration,
) {
    let mut interval = tokio::time::interval(every.max(Duration::from_secs(1)));
    let mut last: Vec<String> = Vec::new();
    loop {
        interval.tick().await;
        let now = problems(&*dead_letters, &*tickets, &*clock).await;
        if now != last {
            if now.is_empty() {
                println!("OK  nothing waits in a dead-letter queue or the outbox any more");
            }
            for p in now.iter().filter(|p| !last.contains(p)) {
                println!("!!  {p} (details: GET /api/agent/health as a supervisor)");
            }
            last = now;
        }
    }
}
