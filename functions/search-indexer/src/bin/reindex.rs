//! Rebuilds what is derived from the tickets: the word index, and the links
//! from addresses to other customers' tickets they are on. `make reindex`
//! locally; on AWS with the stack's names in the environment (see
//! infra/README.md).
use lambda_kit::{Aws, config::SearchIndexerConfig};

#[tokio::main]
async fn main() -> Result<(), lambda_kit::Error> {
    lambda_kit::init_tracing();
    let config = SearchIndexerConfig::from_env()?;
    let deps = search_indexer::Deps::connect(&Aws::load().await, &config);
    let done = search_indexer::rebuild(&deps).await?;
    println!(
        "reindexed {} tickets ({} gone from the index)",
        done.indexed, done.removed
    );
    let linked = search_indexer::link_all(&deps).await?;
    println!("linked the people of {linked} tickets");
    Ok(())
}
