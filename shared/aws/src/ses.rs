//! The mailer on SES v2: raw MIME, so we set every header ourselves.

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::ProvideErrorMetadata;
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Destination, EmailContent, MessageTag, RawMessage};
use helpdesk_domain::EmailAddress;
use helpdesk_domain::ports::{MailError, Mailer};

#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
    configuration_set: Option<String>,
}

impl SesMailer {
    pub fn new(client: Client, configuration_set: Option<String>) -> Self {
        Self {
            client,
            configuration_set,
        }
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send_raw(
        &self,
        from: &EmailAddress,
        to: &[EmailAddress],
        raw_mime: &[u8],
        outbox: Option<&helpdesk_domain::values::ids::OutboxId>,
    ) -> Result<String, MailError> {
        let raw = RawMessage::builder()
            .data(Blob::new(raw_mime))
            .build()
            .map_err(|e| MailError::Unavailable(e.to_string()))?;
        let destination = Destination::builder()
            .set_to_addresses(Some(to.iter().map(|a| a.as_str().to_owned()).collect()))
            .build();
        let out = self
            .client
            .send_email()
            .from_email_address(from.as_str())
            .destination(destination)
            .content(EmailContent::builder().raw(raw).build())
            .set_configuration_set_name(self.configuration_set.clone())
            .set_email_tags(outbox.map(outbox_tag).transpose()?.map(|t| vec![t]))
            .send()
            .await
            .map_err(|e| {
                let code = e
                    .as_service_error()
                    .and_then(|s| s.code())
                    .map(str::to_owned);
                match code.as_deref() {
                    c if crate::is_throttling(c) => MailError::Throttled,
                    Some("LimitExceededException") => MailError::Throttled,
                    Some(
                        c @ ("MessageRejected"
                        | "BadRequestException"
                        | "AccountSuspendedException"
                        | "SendingPausedException"
                        | "MailFromDomainNotVerifiedException"
                        | "NotFoundException"),
                    ) => MailError::Rejected(c.to_owned()),
                    Some(c) => MailError::Unavailable(c.to_owned()),
                    None => MailError::Unavailable(
                        aws_sdk_sesv2::error::DisplayErrorContext(&e).to_string(),
                    ),
                }
            })?;
        out.message_id
            .ok_or_else(|| MailError::Unavailable("SES returned no message id".into()))
    }
}

/// The tag SES copies into its events for this mail (tag values allow letters,
/// digits, `_` and `-`, which is all an outbox id has).
fn outbox_tag(id: &helpdesk_domain::values::ids::OutboxId) -> Result<MessageTag, MailError> {
    MessageTag::builder()
        .name(helpdesk_domain::mail::outbound::feedback::OUTBOX_TAG)
        .value(id.as_str())
        .build()
        .map_err(|e| MailError::Unavailable(e.to_string()))
}
