//! The outbound queue on SQS.

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::ProvideErrorMetadata;
use helpdesk_domain::outbound::OutboundJob;
use helpdesk_domain::ports::{OutboundQueue, QueueError};

#[derive(Debug, Clone)]
pub struct SqsOutboundQueue {
    client: Client,
    queue_url: String,
}

impl SqsOutboundQueue {
    pub fn new(client: Client, queue_url: String) -> Self {
        Self { client, queue_url }
    }
}

#[async_trait]
impl OutboundQueue for SqsOutboundQueue {
    async fn enqueue(&self, job: &OutboundJob) -> Result<(), QueueError> {
        let body =
            serde_json::to_string(job).map_err(|e| QueueError::Unavailable(e.to_string()))?;
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| {
                let code = e
                    .as_service_error()
                    .and_then(|s| s.code())
                    .map(str::to_owned);
                if crate::is_throttling(code.as_deref()) {
                    QueueError::Throttled
                } else {
                    QueueError::Unavailable(
                        code.unwrap_or_else(|| {
                            aws_sdk_sqs::error::DisplayErrorContext(&e).to_string()
                        }),
                    )
                }
            })?;
        Ok(())
    }
}
