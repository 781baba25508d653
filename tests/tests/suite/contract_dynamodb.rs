//! The store contract (testkit::contract) on DynamoDB Local, each test on its own
//! fresh tables.

use helpdesk_aws::DynamoStore;
use std::sync::Arc;
use testkit::contract::Stores;
use testkit::local::{fresh_tables, local_aws};

async fn dynamodb_stores() -> Stores {
    let aws = local_aws().await;
    let store = Arc::new(DynamoStore::new(aws.dynamodb(), fresh_tables(&aws).await));
    Stores {
        tickets: store.clone(),
        mail: store.clone(),
        catalog: store.clone(),
        erasure: store.clone(),
        audit: store,
    }
}

testkit::store_contract!(dynamodb_stores);
