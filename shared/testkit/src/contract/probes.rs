//! `Probes`: a channel probe is settled once.

use super::{Stores, setup};
use crate::fixtures;
use crate::fixtures::email;
use chrono::Duration;
use helpdesk_domain::ports::{Clock, IdSource};

pub async fn a_probe_is_settled_once(stores: &Stores) {
    use helpdesk_domain::ops::probe::{Channel, Probe, ProbeOutcome};
    use helpdesk_domain::values::token::SecretToken;
    let (clock, ids) = setup();
    let now = clock.now();
    let secrets = [ids.secret_token(), ids.secret_token()];
    for (secret, channel) in secrets.iter().zip([
        Channel::Web,
        Channel::Mail {
            address: email("support@helpdesk.test"),
        },
    ]) {
        stores
            .tickets
            .put_probe(&Probe {
                hash: secret.hash(),
                channel,
                sent_at: now,
                deadline: now + Duration::minutes(10),
                outcome: ProbeOutcome::Pending,
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let arrived = ProbeOutcome::Arrived {
        at: now + Duration::seconds(3),
        category: Some(fixtures::category_id("billing")),
    };
    let settle = |secret: &SecretToken, outcome: ProbeOutcome| {
        let tickets = stores.tickets.clone();
        let hash = secret.hash();
        async move {
            tickets
                .settle_probe(&hash, outcome)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    assert!(settle(&secrets[0], arrived.clone()).await);
    // Settled is final: a late "missed" (or a replayed arrival) changes nothing.
    let missed = ProbeOutcome::Missed {
        reason: "late".into(),
    };
    assert!(!settle(&secrets[0], missed.clone()).await);
    assert!(!settle(&secrets[0], arrived.clone()).await);
    assert!(settle(&secrets[1], missed.clone()).await);
    let unknown =
        SecretToken::parse("ffffffffffffffffffffffffffffffff").unwrap_or_else(|e| panic!("{e}"));
    assert!(!settle(&unknown, arrived.clone()).await);
    let mut probes = stores
        .tickets
        .probes()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    probes.sort_by_key(|p| p.channel.label());
    let outcomes: Vec<(String, ProbeOutcome)> = probes
        .into_iter()
        .map(|p| (p.channel.label(), p.outcome))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("mail support@helpdesk.test".to_owned(), missed),
            ("web form".to_owned(), arrived),
        ]
    );
}
