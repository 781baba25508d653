//! search-indexer: the main table's change stream (keys only) → the tickets
//! whose text or row changed → their word-index documents made again from the
//! stored ticket (see `helpdesk_domain::search::indexer`). A batch that fails is
//! reported from its first record, so the stream hands it over again; nothing
//! is skipped, and indexing a ticket twice is harmless.

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use helpdesk_aws::dynamo::keys::searched_ticket;
use helpdesk_domain::TicketRef;
use helpdesk_domain::ports::store::StoreError;
use helpdesk_domain::ports::{Erasure, TicketRecords, WordIndex};
use helpdesk_domain::search::indexer::index_changed;
use lambda_kit::Aws;
use lambda_kit::config::SearchIndexerConfig;
use std::sync::Arc;

pub struct Deps {
    pub tickets: Arc<dyn TicketRecords>,
    pub index: Arc<dyn WordIndex>,
    /// The addresses' links to tickets, which a rebuild backfills too.
    pub links: Arc<dyn Erasure>,
}

impl Deps {
    pub fn connect(aws: &Aws, config: &SearchIndexerConfig) -> Self {
        let store = aws.store(&config.store);
        Self {
            tickets: store.clone(),
            links: store,
            index: aws.search_writer(&config.attachments_bucket, &config.store, &config.search),
        }
    }
}

/// The ticket a stream record names, if its change is one that is searched.
pub fn ticket_of(record: &EventRecord) -> Option<TicketRef> {
    let text = |name: &str| match record.change.keys.get(name) {
        Some(serde_dynamo::AttributeValue::S(s)) => Some(s.as_str()),
        _ => None,
    };
    searched_ticket(text("pk")?, text("sk")?)
}

pub async fn handle(deps: &Deps, event: Event) -> DynamoDbEventResponse {
    let changed: Vec<TicketRef> = event.records.iter().filter_map(ticket_of).collect();
    let mut response = DynamoDbEventResponse::default();
    if changed.is_empty() {
        return response;
    }
    match index_changed(&*deps.tickets, &*deps.index, &changed).await {
        Ok(done) => {
            tracing::info!(
                records = event.records.len(),
                indexed = done.indexed,
                removed = done.removed,
                "indexed"
            );
        }
        Err(e) => {
            tracing::warn!(error = %e, records = event.records.len(), "indexing failed; the batch comes again");
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = event
                .records
                .first()
                .and_then(|r| r.change.sequence_number.clone());
            response.batch_item_failures.push(failure);
        }
    }
    response
}

/// Links the people of every stored ticket to it (`customers::links`; for
/// tickets written before links were kept), after a rebuild.
pub async fn link_all(deps: &Deps) -> Result<u32, StoreError> {
    helpdesk_domain::customers::links::backfill(&*deps.tickets, &*deps.links).await
}

/// Indexes every stored ticket again, printing how far it got.
pub async fn rebuild(deps: &Deps) -> Result<helpdesk_domain::search::indexer::Indexed, StoreError> {
    helpdesk_domain::search::indexer::rebuild(&*deps.tickets, &*deps.index, |so_far| {
        tracing::info!(
            indexed = so_far.indexed,
            removed = so_far.removed,
            "rebuilding"
        )
    })
    .await
}

#[cfg(test)]
mod tests;
