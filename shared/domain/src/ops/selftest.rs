//! The channel self-test: every so often the schedule mails a probe to each of
//! our support addresses and submits one through the public API, each carrying a
//! random secret; inbound-mail and submit-form recognise a pending probe's secret
//! where they would write the ticket and record its arrival instead (no ticket, no
//! mail, nothing in the agents' queues or the reports). A probe that has not
//! arrived by its deadline is a broken channel: recorded, logged as an alert and,
//! on AWS, counted in a metric an alarm watches.

use crate::catalog::category::Category;
use crate::mail::outbound::compose::{self, AutoSubmitted, Envelope, Letter};
use crate::ops::probe::{Channel, Probe, ProbeOutcome};
use crate::ports::store::StoreError;
use crate::ports::{Categories, Clock, IdSource, Mailer, Probes, WebProbe};
use crate::values::email::EmailAddress;
use crate::values::token::SecretToken;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct SelfTestSettings {
    /// Between rounds; zero turns the self-test off.
    pub every: Duration,
    /// How long a probe may take to arrive.
    pub deadline: Duration,
    /// The probes' sender (our own address, so nobody outside is mailed).
    pub from: EmailAddress,
}

/// What one look at the probes did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SelfTestReport {
    /// Channels probed in a round started now.
    pub probed: Vec<String>,
    /// Channels whose probe is now known to have failed.
    pub missed: Vec<String>,
}

pub struct SelfTest<'a> {
    pub probes: &'a dyn Probes,
    pub categories: &'a dyn Categories,
    pub mailer: &'a dyn Mailer,
    pub web: &'a dyn WebProbe,
    pub clock: &'a dyn Clock,
    pub ids: &'a dyn IdSource,
    pub settings: &'a SelfTestSettings,
}

impl SelfTest<'_> {
    /// Settles overdue probes, then starts a round when one is due.
    pub async fn run(&self) -> Result<SelfTestReport, StoreError> {
        let mut report = SelfTestReport::default();
        if self.settings.every <= Duration::zero() {
            return Ok(report);
        }
        let now = self.clock.now();
        let probes = self.probes.probes().await?;
        for p in probes.iter().filter(|p| p.outcome == ProbeOutcome::Pending) {
            if p.deadline <= now {
                let reason = format!(
                    "not arrived within {} minutes",
                    self.settings.deadline.num_minutes()
                );
                if self.settle(p, reason).await? {
                    report.missed.push(p.channel.label());
                }
            }
        }
        let last_round = probes.iter().map(|p| p.sent_at).max();
        if last_round.is_some_and(|at| at + self.settings.every > now) {
            return Ok(report);
        }
        let categories = self.categories.categories().await?;
        let mut addresses: Vec<EmailAddress> = Vec::new();
        for a in categories.iter().flat_map(|c| c.addresses.iter()) {
            if !addresses.iter().any(|x| x.key() == a.key()) {
                addresses.push(a.clone());
            }
        }
        for address in addresses {
            let channel = Channel::Mail { address };
            report.probed.push(channel.label());
            if let Some(missed) = self.probe(channel, now, &categories).await? {
                report.missed.push(missed);
            }
        }
        if !categories.is_empty() {
            report.probed.push(Channel::Web.label());
            if let Some(missed) = self.probe(Channel::Web, now, &categories).await? {
                report.missed.push(missed);
            }
        }
        Ok(report)
    }

    /// Records and sends one probe; the channel's label if it could not be sent.
    async fn probe(
        &self,
        channel: Channel,
        now: DateTime<Utc>,
        categories: &[Category],
    ) -> Result<Option<String>, StoreError> {
        let secret = self.ids.secret_token();
        let probe = Probe {
            hash: secret.hash(),
            channel: channel.clone(),
            sent_at: now,
            deadline: now + self.settings.deadline,
            outcome: ProbeOutcome::Pending,
        };
        // Stored first: the probe may arrive before the send call returns.
        self.probes.put_probe(&probe).await?;
        let sent = match &channel {
            Channel::Mail { address } => self.mail(&secret, address, now).await,
            Channel::Web => {
                // A category without required fields of its own, if there is one.
                let category = categories
                    .iter()
                    .find(|c| c.fields.iter().all(|f| !f.required))
                    .or(categories.first());
                match category {
                    Some(c) => self.web.submit(&secret, &c.id, &self.settings.from).await,
                    None => Err("no category to submit to".into()),
                }
            }
        };
        match sent {
            Ok(()) => Ok(None),
            Err(reason) => {
                let reason = format!("could not be sent: {reason}");
                Ok(self.settle(&probe, reason).await?.then(|| channel.label()))
            }
        }
    }

    async fn mail(
        &self,
        secret: &SecretToken,
        to: &EmailAddress,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let from = &self.settings.from;
        let envelope = Envelope {
            from_name: "Helpdesk self-test".into(),
            from: from.clone(),
            to_name: String::new(),
            to: to.clone(),
            cc: vec![],
            reply_to: from.clone(),
            message_id: format!("probe-{}@{}", &secret.hash().as_str()[..16], from.domain()),
            in_reply_to: None,
            references: vec![],
            auto_submitted: Some(AutoSubmitted::AutoGenerated),
            language: None,
            probe: Some(secret.clone()),
            date: now,
        };
        let text = "This is the help desk checking that mail to this address still \
                    reaches it. It is recognised on arrival and never becomes a ticket.";
        let letter = Letter {
            subject: "Help desk channel self-test".into(),
            text: text.into(),
            html: format!("<p>{text}</p>"),
        };
        let raw = compose::build(&envelope, &letter).map_err(|e| e.to_string())?;
        self.mailer
            .send_raw(from, std::slice::from_ref(to), &raw, None)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Marks a pending probe missed and raises the alert; false when it was
    /// settled meanwhile (it arrived, or an overlapping run got there first).
    async fn settle(&self, probe: &Probe, reason: String) -> Result<bool, StoreError> {
        let settled = self
            .probes
            .settle_probe(
                &probe.hash,
                ProbeOutcome::Missed {
                    reason: reason.clone(),
                },
            )
            .await?;
        if settled {
            let channel = probe.channel.label();
            tracing::error!(channel, reason, "channel self-test failed");
            // CloudWatch embedded metric format: one log line becomes a data point
            // of Helpdesk/ProbeMissed, which the template's alarm watches.
            println!(
                "{}",
                serde_json::json!({
                    "_aws": {
                        "Timestamp": self.clock.now().timestamp_millis(),
                        "CloudWatchMetrics": [{
                            "Namespace": "Helpdesk",
                            "Dimensions": [[]],
                            "Metrics": [{"Name": "ProbeMissed", "Unit": "Count"}],
                        }],
                    },
                    "ProbeMissed": 1,
                    "channel": channel,
                })
            );
        }
        Ok(settled)
    }
}
