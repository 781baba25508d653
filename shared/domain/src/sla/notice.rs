//! What an SLA step on a ticket leaves for its run's digest. A notice is written in
//! the same transaction as the step and its event, so a step is told exactly when
//! it is stored; at the run's end the notices become one digest per recipient
//! (`digests`), and a run that died before that is gathered by a later run.

use crate::mail::outbound::digest::{
    DIGEST_LINES, Digest, DigestLine, digest_outbox_id, most_urgent_first,
};
use crate::mail::outbound::job::{MailKind, OutboundJob};
use crate::sla::clocks::Stage;
use crate::values::email::EmailAddress;
use crate::values::ids::{MessageId, RunId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub run: RunId,
    /// The event the step left on the ticket.
    pub message: MessageId,
    pub line: DigestLine,
    /// Who hears of the step.
    pub recipients: Vec<EmailAddress>,
}

/// One digest job per recipient of the run's notices, with the outbox id that
/// recipient's digest of this run always has.
pub fn digests(run: &RunId, notices: &[Notice]) -> Vec<OutboundJob> {
    let mut by_recipient: BTreeMap<String, (EmailAddress, Vec<DigestLine>)> = BTreeMap::new();
    for notice in notices.iter().filter(|n| &n.run == run) {
        for to in &notice.recipients {
            by_recipient
                .entry(to.as_str().to_ascii_lowercase())
                .or_insert_with(|| (to.clone(), Vec::new()))
                .1
                .push(notice.line.clone());
        }
    }
    by_recipient
        .into_values()
        .map(|(recipient, mut lines)| {
            most_urgent_first(&mut lines);
            let at = |stage| lines.iter().filter(|l| l.stage == stage).count() as u32;
            let digest = Digest {
                run: run.clone(),
                total: lines.len() as u32,
                escalated: at(Stage::Escalated),
                breached: at(Stage::Breached),
                warned: at(Stage::Warned),
                lines: lines.into_iter().take(DIGEST_LINES).collect(),
            };
            OutboundJob {
                outbox_id: digest_outbox_id(run, &recipient),
                kind: MailKind::SlaDigest,
                ticket: None,
                message: None,
                recipient,
                throttled: 0,
                digest: Some(Box::new(digest)),
                alert: None,
            }
        })
        .collect()
}
