//! Tracking links' secrets and rate limits (`TrackingTokens`, `RateLimits`).

use super::items::{self, TokenItem, s};
use super::transaction::{Transaction, TxError};
use super::{DynamoStore, build_error, keys};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{ConditionCheck, TransactWriteItem};
use chrono::{DateTime, Utc};
use helpdesk_domain::TicketRef;
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::ports::store::{RateLimitClaim, TrackingToken};
use helpdesk_domain::ports::{RateLimits, TrackingTokens};
use helpdesk_domain::values::token::TokenHash;

#[async_trait]
impl TrackingTokens for DynamoStore {
    async fn add_tracking_token(
        &self,
        ticket: &TicketRef,
        token: TrackingToken,
    ) -> Result<(), StoreError> {
        let exists = ConditionCheck::builder()
            .table_name(&self.tables.main)
            .key("pk", s(keys::ticket_pk(ticket)))
            .key("sk", s(keys::TICKET_SK))
            .condition_expression("attribute_exists(pk)")
            .build()
            .map_err(build_error)?;
        let item = items::to_item(&TokenItem {
            pk: keys::ticket_pk(ticket),
            sk: keys::token_sk(&token.hash),
            expires_at: token.expires_at.timestamp(),
            mailed: token.mailed,
        })?;
        #[derive(PartialEq)]
        enum Role {
            TicketExists,
            Token,
        }
        let mut tx = Transaction::new();
        tx.push(
            Role::TicketExists,
            TransactWriteItem::builder().condition_check(exists).build(),
        );
        tx.push(Role::Token, self.put(&self.tables.main, item, None)?);
        match tx.commit(self).await {
            Ok(()) => Ok(()),
            Err(e) if e.failed(&Role::TicketExists) => Err(StoreError::NotFound),
            Err(TxError::Failed(_)) => {
                Err(StoreError::Unavailable("a write's condition failed".into()))
            }
            Err(TxError::Conflict(e) | TxError::Other(e)) => Err(e),
        }
    }

    async fn tracking_token(
        &self,
        ticket: &TicketRef,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<TrackingToken>, StoreError> {
        let Some(item) = self
            .get_item(&keys::ticket_pk(ticket), &keys::token_sk(hash))
            .await?
        else {
            return Ok(None);
        };
        let item: TokenItem = items::from_item(item)?;
        // TTL deletes late: the expiry is checked here, not left to it.
        if item.expires_at <= now.timestamp() {
            return Ok(None);
        }
        let expires_at = DateTime::from_timestamp(item.expires_at, 0)
            .ok_or_else(|| StoreError::Corrupt("a token with a bad expiry".into()))?;
        Ok(Some(TrackingToken {
            hash: hash.clone(),
            expires_at,
            mailed: item.mailed,
        }))
    }
}

#[async_trait]
impl RateLimits for DynamoStore {
    async fn hit_rate_limits(
        &self,
        claims: &[RateLimitClaim],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if claims.is_empty() {
            return Ok(());
        }
        let mut tx = Transaction::new();
        tx.extend_numbered(|k| k, self.rate_limit_updates(claims)?);
        let e = match tx.commit(self).await {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        let first_full = e.failed_roles().next().and_then(|k| claims.get(*k));
        if let Some(full) = first_full {
            return Err(StoreError::RateLimited {
                retry_after_secs: full.retry_after_secs(now),
            });
        }
        Err(match e {
            TxError::Failed(_) => StoreError::Unavailable("a limit's condition failed".into()),
            TxError::Conflict(e) | TxError::Other(e) => e,
        })
    }
}
