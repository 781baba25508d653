//! The store as a process sees it when things go wrong: every write and read of
//! the ticket and mail stores goes through the fault plan first.

use crate::faults::{Fault, FaultPlan};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use helpdesk_domain::mail::inbound::quarantine::{
    HeldPosition, QuarantineReason, Quarantined, Release, SenderPattern, SenderRule,
};
use helpdesk_domain::mail::outbound::job::{
    Claimed, OutboundJob, OutboxClaim, OutboxFinish, OutboxState,
};
use helpdesk_domain::ops::probe::{Probe, ProbeOutcome};
use helpdesk_domain::ports::store::{
    Created, NewTicket, QueuePage, QueueQuery, RateLimitClaim, StoreError, TicketSummary,
    TicketThread, TicketUpdate, TrackingToken, Waking,
};
use helpdesk_domain::ports::{
    DoNotEmail, MessageIds, Outbox, Probes, Quarantine, Queues, RateLimits, ReportDays,
    SenderRules, SlaNotices, TicketRecords, TrackingTokens, Wakeups,
};
use helpdesk_domain::reports::{DayFigures, ReportScope};
use helpdesk_domain::sla::notice::Notice;
use helpdesk_domain::tickets::counters::{QueueCounts, StatusCounts};
use helpdesk_domain::values::ids::RunId;
use helpdesk_domain::values::token::TokenHash;
use helpdesk_domain::{AgentId, CategoryId, EmailAddress, OutboxId, Ticket, TicketRef};
use std::future::Future;
use std::sync::Arc;
use testkit::InMemoryStore;

pub struct Faulty {
    pub inner: Arc<InMemoryStore>,
    pub plan: Arc<FaultPlan>,
}

impl Faulty {
    async fn call<T>(
        &self,
        op: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        self.plan
            .around(op, |fault| {
                StoreError::Unavailable(match fault {
                    Fault::FailAfter => "sim: answer lost".into(),
                    _ => "sim: failed before".into(),
                })
            })
            .await
    }
}

#[async_trait]
impl TicketRecords for Faulty {
    async fn create_ticket(&self, new: NewTicket) -> Result<Created, StoreError> {
        self.call(self.inner.create_ticket(new)).await
    }

    async fn load_ticket(&self, r: &TicketRef) -> Result<TicketThread, StoreError> {
        self.call(self.inner.load_ticket(r)).await
    }

    async fn update_ticket(&self, u: TicketUpdate) -> Result<Ticket, StoreError> {
        self.call(self.inner.update_ticket(u)).await
    }

    async fn update_tickets(&self, u: Vec<TicketUpdate>) -> Result<Vec<Ticket>, StoreError> {
        self.call(self.inner.update_tickets(u)).await
    }

    async fn tickets_of_requester(
        &self,
        e: &EmailAddress,
        limit: u16,
    ) -> Result<Vec<TicketSummary>, StoreError> {
        self.call(self.inner.tickets_of_requester(e, limit)).await
    }

    async fn all_tickets(
        &self,
        after: Option<String>,
    ) -> Result<(Vec<TicketRef>, Option<String>), StoreError> {
        self.call(self.inner.all_tickets(after)).await
    }

    async fn add_note(&self, m: &helpdesk_domain::Message) -> Result<(), StoreError> {
        self.call(self.inner.add_note(m)).await
    }
}

#[async_trait]
impl Queues for Faulty {
    async fn queue(&self, q: QueueQuery) -> Result<QueuePage, StoreError> {
        self.call(self.inner.queue(q)).await
    }

    async fn queue_counts(&self, c: &[CategoryId], a: &AgentId) -> Result<QueueCounts, StoreError> {
        self.call(self.inner.queue_counts(c, a)).await
    }

    async fn status_counts(&self, c: &CategoryId) -> Result<StatusCounts, StoreError> {
        self.call(self.inner.status_counts(c)).await
    }
}

#[async_trait]
impl Wakeups for Faulty {
    async fn waking(&self, before: DateTime<Utc>, limit: u16) -> Result<Vec<Waking>, StoreError> {
        self.call(self.inner.waking(before, limit)).await
    }
}

#[async_trait]
impl MessageIds for Faulty {
    async fn ticket_for_message_id(&self, id: &str) -> Result<Option<TicketRef>, StoreError> {
        self.call(self.inner.ticket_for_message_id(id)).await
    }

    async fn record_message_id(&self, id: &str, t: &TicketRef) -> Result<(), StoreError> {
        self.call(self.inner.record_message_id(id, t)).await
    }

    async fn tickets_for_message_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, TicketRef)>, StoreError> {
        self.call(self.inner.tickets_for_message_ids(ids)).await
    }
}

#[async_trait]
impl TrackingTokens for Faulty {
    async fn add_tracking_token(
        &self,
        t: &TicketRef,
        token: TrackingToken,
    ) -> Result<(), StoreError> {
        self.call(self.inner.add_tracking_token(t, token)).await
    }

    async fn tracking_token(
        &self,
        t: &TicketRef,
        h: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<TrackingToken>, StoreError> {
        self.call(self.inner.tracking_token(t, h, now)).await
    }
}

#[async_trait]
impl RateLimits for Faulty {
    async fn hit_rate_limits(
        &self,
        c: &[RateLimitClaim],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.call(self.inner.hit_rate_limits(c, now)).await
    }
}

#[async_trait]
impl Outbox for Faulty {
    async fn outbox_item(
        &self,
        id: &OutboxId,
    ) -> Result<Option<(OutboundJob, OutboxState)>, StoreError> {
        self.call(self.inner.outbox_item(id)).await
    }

    async fn unsent_outbox(
        &self,
        before: DateTime<Utc>,
        limit: u16,
    ) -> Result<Vec<OutboundJob>, StoreError> {
        self.call(self.inner.unsent_outbox(before, limit)).await
    }

    async fn outbox_requeued(
        &self,
        job: &OutboundJob,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.call(self.inner.outbox_requeued(job, at)).await
    }

    async fn claim_outbox(&self, c: &OutboxClaim) -> Result<Claimed, StoreError> {
        self.call(self.inner.claim_outbox(c)).await
    }

    async fn finish_outbox(
        &self,
        j: &OutboundJob,
        f: OutboxFinish,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.call(self.inner.finish_outbox(j, f, at)).await
    }
}

#[async_trait]
impl SlaNotices for Faulty {
    async fn open_notice_run(&self, run: &RunId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.call(self.inner.open_notice_run(run, at)).await
    }

    async fn open_notice_runs(&self, before: DateTime<Utc>) -> Result<Vec<RunId>, StoreError> {
        self.call(self.inner.open_notice_runs(before)).await
    }

    async fn notices(&self, run: &RunId) -> Result<Vec<Notice>, StoreError> {
        self.call(self.inner.notices(run)).await
    }

    async fn close_notice_run(
        &self,
        run: &RunId,
        digests: &[OutboundJob],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.call(self.inner.close_notice_run(run, digests, at))
            .await
    }
}

#[async_trait]
impl Probes for Faulty {
    async fn put_probe(&self, p: &Probe) -> Result<(), StoreError> {
        self.call(self.inner.put_probe(p)).await
    }

    async fn probes(&self) -> Result<Vec<Probe>, StoreError> {
        self.call(self.inner.probes()).await
    }

    async fn settle_probe(&self, h: &TokenHash, o: ProbeOutcome) -> Result<bool, StoreError> {
        self.call(self.inner.settle_probe(h, o)).await
    }
}

#[async_trait]
impl ReportDays for Faulty {
    async fn report_days(
        &self,
        s: &ReportScope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, DayFigures)>, StoreError> {
        self.call(self.inner.report_days(s, from, to)).await
    }

    async fn ratings(
        &self,
        category: &helpdesk_domain::CategoryId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<helpdesk_domain::tickets::rated::RatedTicket>, StoreError> {
        self.call(self.inner.ratings(category, from, to)).await
    }
}

#[async_trait]
impl Quarantine for Faulty {
    async fn quarantine(&self, q: &Quarantined) -> Result<bool, StoreError> {
        self.call(self.inner.quarantine(q)).await
    }

    async fn quarantined(
        &self,
        day: NaiveDate,
        before: Option<&HeldPosition>,
        limit: usize,
    ) -> Result<Vec<Quarantined>, StoreError> {
        self.call(self.inner.quarantined(day, before, limit)).await
    }

    async fn held(&self, ses_id: &str) -> Result<Option<Quarantined>, StoreError> {
        self.call(self.inner.held(ses_id)).await
    }

    async fn release(
        &self,
        ses_id: &str,
        by: &AgentId,
        at: DateTime<Utc>,
    ) -> Result<Release, StoreError> {
        self.call(self.inner.release(ses_id, by, at)).await
    }

    async fn hold_again(&self, ses_id: &str, reason: &QuarantineReason) -> Result<(), StoreError> {
        self.call(self.inner.hold_again(ses_id, reason)).await
    }
}

#[async_trait]
impl SenderRules for Faulty {
    async fn sender_rule(&self, from: &EmailAddress) -> Result<Option<SenderRule>, StoreError> {
        self.call(self.inner.sender_rule(from)).await
    }

    async fn sender_rules(&self) -> Result<Vec<SenderRule>, StoreError> {
        self.call(self.inner.sender_rules()).await
    }

    async fn put_sender_rule(&self, rule: &SenderRule) -> Result<(), StoreError> {
        self.call(self.inner.put_sender_rule(rule)).await
    }

    async fn delete_sender_rule(&self, pattern: &SenderPattern) -> Result<bool, StoreError> {
        self.call(self.inner.delete_sender_rule(pattern)).await
    }
}

#[async_trait]
impl DoNotEmail for Faulty {
    async fn set_do_not_email(
        &self,
        e: &EmailAddress,
        r: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.call(self.inner.set_do_not_email(e, r, at)).await
    }

    async fn do_not_email(&self, e: &EmailAddress) -> Result<Option<String>, StoreError> {
        self.call(self.inner.do_not_email(e)).await
    }
}

#[async_trait]
impl helpdesk_domain::ports::Presence for Faulty {
    async fn saw_agent(
        &self,
        agent: &helpdesk_domain::AgentId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.call(self.inner.saw_agent(agent, at)).await
    }

    async fn left_console(
        &self,
        agent: &helpdesk_domain::AgentId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.call(self.inner.left_console(agent, at)).await
    }

    async fn agent_seen(
        &self,
        agent: &helpdesk_domain::AgentId,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.call(self.inner.agent_seen(agent)).await
    }

    async fn agents_seen(
        &self,
    ) -> Result<std::collections::HashMap<helpdesk_domain::AgentId, DateTime<Utc>>, StoreError>
    {
        self.call(self.inner.agents_seen()).await
    }
}

#[async_trait]
impl helpdesk_domain::ports::AlertLog for Faulty {
    async fn note_alert(
        &self,
        line: &helpdesk_domain::agents::alert_mail::AlertLine,
        job: &helpdesk_domain::OutboxId,
        waiting: bool,
        seen: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        self.call(self.inner.note_alert(line, job, waiting, seen))
            .await
    }

    async fn waiting_alerts(
        &self,
        agent: &helpdesk_domain::AgentId,
    ) -> Result<Vec<helpdesk_domain::agents::alert_mail::AlertLine>, StoreError> {
        self.call(self.inner.waiting_alerts(agent)).await
    }

    async fn close_alerts(
        &self,
        lines: &[helpdesk_domain::agents::alert_mail::AlertLine],
        digest: Option<&OutboundJob>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.call(self.inner.close_alerts(lines, digest, at)).await
    }
}

#[async_trait]
impl helpdesk_domain::ports::CustomerNotes for Faulty {
    async fn customer_note(
        &self,
        customer: &EmailAddress,
    ) -> Result<Option<helpdesk_domain::ports::store::CustomerNote>, StoreError> {
        self.call(self.inner.customer_note(customer)).await
    }

    async fn set_customer_note(
        &self,
        customer: &EmailAddress,
        note: Option<&helpdesk_domain::ports::store::CustomerNote>,
    ) -> Result<(), StoreError> {
        self.call(self.inner.set_customer_note(customer, note))
            .await
    }
}

#[async_trait]
impl helpdesk_domain::ports::TagsInUse for Faulty {
    async fn note_tags(
        &self,
        tags: &[helpdesk_domain::values::tag::Tag],
    ) -> Result<(), StoreError> {
        self.call(self.inner.note_tags(tags)).await
    }

    async fn tags_in_use(&self) -> Result<Vec<helpdesk_domain::values::tag::Tag>, StoreError> {
        self.call(self.inner.tags_in_use()).await
    }

    async fn forget_tags(
        &self,
        tags: &[helpdesk_domain::values::tag::Tag],
    ) -> Result<(), StoreError> {
        self.call(self.inner.forget_tags(tags)).await
    }
}

#[async_trait]
impl helpdesk_domain::ports::SavedViews for Faulty {
    async fn saved_views(
        &self,
        scope: &helpdesk_domain::agents::saved_views::ViewScope,
    ) -> Result<Vec<helpdesk_domain::agents::saved_views::SavedView>, StoreError> {
        self.call(self.inner.saved_views(scope)).await
    }

    async fn put_saved_view(
        &self,
        view: &helpdesk_domain::agents::saved_views::SavedView,
    ) -> Result<(), StoreError> {
        self.call(self.inner.put_saved_view(view)).await
    }

    async fn delete_saved_view(
        &self,
        scope: &helpdesk_domain::agents::saved_views::ViewScope,
        id: &str,
    ) -> Result<(), StoreError> {
        self.call(self.inner.delete_saved_view(scope, id)).await
    }
}
