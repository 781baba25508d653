//! `TrackingTokens` and `RateLimits`: a link opens only its ticket until it expires,
//! and a full limit refuses the whole write.

use super::{Stores, create, setup};
use crate::fixtures;
use crate::fixtures::new_ticket;
use chrono::Duration;
use helpdesk_domain::ports::store::{Created, RateLimitClaim, StoreError, TrackingToken};
use helpdesk_domain::ports::{Clock, IdSource};
use helpdesk_domain::{Status, TicketRef};

pub async fn tracking_tokens_open_only_their_ticket_until_they_expire(stores: &Stores) {
    let (clock, ids) = setup();
    let now = clock.now();
    let secret = ids.secret_token();
    let mut new = new_ticket(&ids, "billing", "jane@example.com", now);
    new.tracking_token = Some(TrackingToken {
        hash: secret.hash(),
        expires_at: now + Duration::days(90),
        mailed: false,
    });
    let reference = new.ticket.reference.clone();
    stores
        .tickets
        .create_ticket(new)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let other = create(stores, &ids, &clock, "billing", "joe@example.com").await;
    let t = &stores.tickets;
    assert_eq!(
        t.tracking_token_valid(&reference, &secret.hash(), now)
            .await,
        Ok(true)
    );
    assert_eq!(
        t.tracking_token_valid(&reference, &ids.secret_token().hash(), now)
            .await,
        Ok(false)
    );
    assert_eq!(
        t.tracking_token_valid(&other.reference, &secret.hash(), now)
            .await,
        Ok(false)
    );
    assert_eq!(
        t.tracking_token_valid(&reference, &secret.hash(), now + Duration::days(91))
            .await,
        Ok(false)
    );
    // A re-requested link works beside the first one.
    let second = ids.secret_token();
    t.add_tracking_token(
        &reference,
        TrackingToken {
            hash: second.hash(),
            expires_at: now + Duration::days(90),
            mailed: true,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        t.tracking_token_valid(&reference, &second.hash(), now)
            .await,
        Ok(true)
    );
    assert_eq!(
        t.tracking_token_valid(&reference, &secret.hash(), now)
            .await,
        Ok(true)
    );
    // Each secret says whether it was mailed to the requester or handed to the form.
    let r = &reference;
    let mailed = |hash| async move {
        t.tracking_token(r, &hash, now)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|token| (token.mailed, token.expires_at))
    };
    assert_eq!(
        mailed(second.hash()).await,
        Some((true, now + Duration::days(90)))
    );
    assert_eq!(
        mailed(secret.hash()).await,
        Some((false, now + Duration::days(90)))
    );
    let missing = TicketRef::from_bits(424_242);
    let refused = t
        .add_tracking_token(
            &missing,
            TrackingToken {
                hash: second.hash(),
                expires_at: now,
                mailed: true,
            },
        )
        .await;
    assert_eq!(refused, Err(StoreError::NotFound));
    // Secrets are not messages: the thread holds only the first message.
    assert_eq!(
        t.load_ticket(&reference).await.map(|th| th.messages.len()),
        Ok(1)
    );
}

pub async fn a_full_rate_limit_refuses_the_whole_write(stores: &Stores) {
    let (clock, ids) = setup();
    let now = clock.now();
    let limited = |who: &str| {
        let mut new = new_ticket(&ids, "billing", who, now);
        new.rate_limits = vec![
            RateLimitClaim::fixed_window("ip:203.0.113.7", 2, Duration::hours(1), now),
            RateLimitClaim::fixed_window(&format!("email:{who}"), 5, Duration::hours(1), now),
        ];
        new
    };
    for who in ["a@example.com", "b@example.com"] {
        assert!(matches!(
            stores.tickets.create_ticket(limited(who)).await,
            Ok(Created::New(_))
        ));
    }
    let third = limited("c@example.com");
    let third_ref = third.ticket.reference.clone();
    let window = RateLimitClaim::fixed_window("ip:203.0.113.7", 2, Duration::hours(1), now);
    assert_eq!(
        stores.tickets.create_ticket(third).await,
        Err(StoreError::RateLimited {
            retry_after_secs: window.retry_after_secs(now)
        })
    );
    assert_eq!(
        stores.tickets.load_ticket(&third_ref).await,
        Err(StoreError::NotFound)
    );
    let billing = fixtures::category_id("billing");
    assert_eq!(
        stores
            .tickets
            .status_counts(&billing)
            .await
            .map(|c| c.get(Status::New)),
        Ok(2)
    );
    // Another subject's window is its own.
    let mut other = new_ticket(&ids, "billing", "d@example.com", now);
    other.rate_limits = vec![RateLimitClaim::fixed_window(
        "ip:198.51.100.1",
        2,
        Duration::hours(1),
        now,
    )];
    assert!(matches!(
        stores.tickets.create_ticket(other).await,
        Ok(Created::New(_))
    ));
}

pub async fn standalone_rate_limits_count_all_or_nothing(stores: &Stores) {
    let (clock, _) = setup();
    let now = clock.now();
    let ip = RateLimitClaim::fixed_window("links-ip:203.0.113.9", 3, Duration::hours(1), now);
    let email =
        RateLimitClaim::fixed_window("links-email:jane@example.com", 1, Duration::hours(1), now);
    let t = &stores.tickets;
    assert_eq!(
        t.hit_rate_limits(&[ip.clone(), email.clone()], now).await,
        Ok(())
    );
    let refused = t.hit_rate_limits(&[ip.clone(), email.clone()], now).await;
    assert_eq!(
        refused,
        Err(StoreError::RateLimited {
            retry_after_secs: email.retry_after_secs(now)
        })
    );
    // The refused call counted nothing: the IP window still has two hits left.
    assert_eq!(
        t.hit_rate_limits(std::slice::from_ref(&ip), now).await,
        Ok(())
    );
    assert_eq!(
        t.hit_rate_limits(std::slice::from_ref(&ip), now).await,
        Ok(())
    );
    assert!(matches!(
        t.hit_rate_limits(&[ip], now).await,
        Err(StoreError::RateLimited { .. })
    ));
    assert_eq!(t.hit_rate_limits(&[], now).await, Ok(()));
}
