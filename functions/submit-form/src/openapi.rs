//! The public API's OpenAPI document, from the same types the handlers answer
//! with; the request bodies are described here (the handlers parse them field by
//! field, to name every bad one). `functions/submit-form/openapi.json` is the
//! committed copy: a test fails when it is stale (`make openapi` rewrites it), and
//! Schemathesis holds the running API to it in `make test`.

#![allow(dead_code)] // The request structs exist only to be described.

use crate::attachments::Upload;
use crate::categories::{Categories, PublicCategory, PublicPolicy, ReplyWithin};
use crate::faq::{Answer, AnswerPageJson, Answers};
use crate::tickets::Created;
use crate::tracking::{PublicFile, PublicMessage, PublicRating, PublicTicket};
use helpdesk_domain::catalog::category::{FieldKind, FieldSchema};
use helpdesk_domain::i18n::Language;
use helpdesk_domain::sla::policy::HoursLine;
use helpdesk_domain::tickets::ticket::Status;
use lambda_kit::http::schema::{ErrorDetail, ErrorJson, FieldErrorJson};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::{Modify, OpenApi, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct HealthJson {
    /// `ok` or `degraded`.
    status: String,
}

/// A new request from the help center's form.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicketRequest {
    /// A category id from `GET /api/categories`.
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,39}$")]
    category: String,
    /// One line.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*\S[^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: String,
    #[schema(
        max_length = 254,
        pattern = r"^\s*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\s*$"
    )]
    email: String,
    /// One line.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*\S[^\x00-\x1f\x7f-\x9f]*$"
    )]
    subject: String,
    /// Lines of text: no control characters but line breaks and tabs.
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*\S[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    description: String,
    /// The category's own fields, by name.
    details: Option<BTreeMap<String, String>>,
    /// Left empty by people (a field bots fill in).
    website: Option<String>,
    /// How long the form was open.
    elapsed_ms: Option<u64>,
    /// Keys from `POST /api/attachments`, uploaded.
    #[schema(max_items = 5)]
    attachments: Option<Vec<String>>,
    /// FAQ answers the customer opened first (`category/id`); unknown ones are
    /// left out, and more than 20 are not read.
    faq_read: Option<Vec<String>>,
    /// The language the customer reads (every mail to them is written in it);
    /// left out, the browser's `Accept-Language` decides, else English.
    language: Option<Language>,
    /// The visitor's time zone as the browser names it (IANA, `Europe/Vienna`):
    /// the times in mail to them are written in it; left out, in the desk's.
    #[schema(max_length = 64, example = "Europe/Vienna")]
    time_zone: Option<String>,
}

/// Asks where to upload one file.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentRequest {
    /// Kept readable and harmless: no path, odd characters become `_`.
    #[schema(min_length = 1, pattern = r"\S")]
    filename: String,
    content_type: UploadType,
    /// In bytes: at most 10 MB.
    #[schema(minimum = 1, maximum = 10_485_760)]
    size: u64,
}

/// The customer opened an FAQ answer (`category/id`).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqReadRequest {
    /// `category/id`.
    #[schema(max_length = 105)]
    faq: String,
}

/// A reply from the tracking page.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingReplyRequest {
    /// Lines of text: no control characters but line breaks and tabs.
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*\S[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    body: String,
    /// Keys from `POST /api/attachments`, uploaded.
    #[schema(max_items = 5)]
    attachments: Option<Vec<String>>,
}

/// The types of file a customer may upload.
#[derive(Serialize, ToSchema)]
pub enum UploadType {
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/gif")]
    Gif,
    #[serde(rename = "image/webp")]
    Webp,
    #[serde(rename = "application/pdf")]
    Pdf,
    #[serde(rename = "text/plain")]
    Text,
    #[serde(rename = "text/csv")]
    Csv,
    #[serde(rename = "application/zip")]
    Zip,
}

/// The customer's answer to "is it solved?".
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolutionRequest {
    solved: bool,
}

/// "How did we do?": one rating per request, changeable for 7 days.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    score: helpdesk_domain::tickets::rating::Score,
    /// Optional; at most 1,000 characters.
    #[schema(max_length = 1000)]
    comment: Option<String>,
}

/// Mail me fresh links to my open requests.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingLinksRequest {
    #[schema(
        max_length = 254,
        pattern = r"^\s*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\s*$"
    )]
    email: String,
}

#[derive(Serialize, ToSchema)]
pub struct MessageJson {
    message: String,
}

#[utoipa::path(get, path = "/api/health", tag = "help center",
    description = "Whether the help desk can take requests (asks its dependencies at most every 30 s)",
    responses((status = 200, body = HealthJson), (status = 503, body = HealthJson)))]
fn health() {}

#[utoipa::path(get, path = "/api/categories", tag = "help center",
    description = "The categories a customer chooses from, with their own fields, and the promises of their policies",
    responses((status = 200, body = Categories)))]
fn categories() {}

#[utoipa::path(get, path = "/api/faq", tag = "help center",
    description = "The published answers of a category, or the best matches of a search",
    params(("category" = Option<String>, Query, pattern = "^[a-z0-9][a-z0-9-]{0,39}$", description = "One of the categories; all when left out"),
        ("q" = Option<String>, Query, max_length = 200, description = "What the customer typed")),
    responses((status = 200, body = Answers)))]
fn faq() {}

#[utoipa::path(post, path = "/api/faq/reads", tag = "help center",
    description = "Counts one read of an answer (at most once per visitor and answer a day)",
    request_body = FaqReadRequest,
    responses((status = 204, description = "Counted"), (status = 404, body = ErrorJson)))]
fn faq_read() {}

#[utoipa::path(get, path = "/api/faq/{category}/{id}", tag = "help center",
    description = "A published answer's own page: the answer, its stable address and related answers",
    params(("category" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = AnswerPageJson), (status = 404, body = ErrorJson)))]
fn faq_page() {}

#[utoipa::path(post, path = "/api/faq/{category}/{id}/vote", tag = "help center",
    description = "Did this answer help? Counted for the reports",
    params(("category" = String, Path), ("id" = String, Path)),
    request_body = FaqVoteRequest,
    responses((status = 204), (status = 404, body = ErrorJson)))]
fn faq_vote() {}

/// "Did this help?"
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqVoteRequest {
    helpful: bool,
}

#[utoipa::path(post, path = "/api/attachments", tag = "help center",
    description = "Where to upload one file, straight to storage, before the request is sent",
    request_body = AttachmentRequest,
    responses((status = 201, body = Upload)))]
fn attachments() {}

#[utoipa::path(post, path = "/api/tickets", tag = "help center",
    description = "A new request. Send an `Idempotency-Key` header: the same key and body give the same ticket",
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body = CreateTicketRequest,
    responses((status = 201, body = Created), (status = 422, body = ErrorJson)))]
fn create_ticket() {}

#[utoipa::path(get, path = "/api/tickets/{reference}", tag = "tracking",
    description = "The request as its tracking link shows it",
    params(("reference" = String, Path), ("X-Tracking-Token" = String, Header)),
    responses((status = 200, body = PublicTicket), (status = 404, body = ErrorJson)))]
fn show_ticket() {}

#[utoipa::path(post, path = "/api/tickets/{reference}/replies", tag = "tracking",
    description = "The customer answers from the tracking page",
    params(("reference" = String, Path), ("X-Tracking-Token" = String, Header)),
    request_body = TrackingReplyRequest,
    responses((status = 201, body = PublicTicket), (status = 404, body = ErrorJson), (status = 409, body = ErrorJson)))]
fn reply() {}

#[utoipa::path(post, path = "/api/tickets/{reference}/resolution", tag = "tracking",
    description = "Is it solved? Yes closes the request; no reopens it",
    params(("reference" = String, Path), ("X-Tracking-Token" = String, Header)),
    request_body = ResolutionRequest,
    responses((status = 200, body = PublicTicket), (status = 404, body = ErrorJson), (status = 409, body = ErrorJson)))]
fn resolution() {}

#[utoipa::path(post, path = "/api/tickets/{reference}/rating", tag = "tracking",
    description = "How did we do? Good or bad, with an optional comment, on a solved or closed request opened from a link we mailed; changeable for 7 days",
    params(("reference" = String, Path), ("X-Tracking-Token" = String, Header)),
    request_body = RatingRequest,
    responses((status = 200, body = PublicTicket), (status = 404, body = ErrorJson), (status = 409, body = ErrorJson)))]
fn rating() {}

#[utoipa::path(post, path = "/api/tracking-links", tag = "tracking",
    description = "Mails fresh links to the open requests of an address; answers the same whether it has any",
    request_body = TrackingLinksRequest,
    responses((status = 202, body = MessageJson)))]
fn tracking_links() {}

/// What every operation may answer besides its own statuses: 400 (a path, query,
/// header or body that does not parse), 403 (on AWS, a request that did not come
/// through CloudFront), 429 (a limit reached; `Retry-After` says when) and 503
/// (busy); with a body also 413 (too large) and 415 (not `application/json`).
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
        let error = |description: &str| -> RefOr<Response> {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorJson")))
                        .build(),
                )
                .build()
                .into()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let health = path == "/api/health";
            for operation in [&mut item.get, &mut item.post].into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                responses
                    .entry("400".into())
                    .or_insert_with(|| error("The request could not be read"));
                responses.insert("403".into(), error("Not through the help center's site"));
                if !health {
                    responses.insert("429".into(), error("A limit was reached; see Retry-After"));
                    responses
                        .entry("503".into())
                        .or_insert_with(|| error("Busy; retry in a moment"));
                }
                if operation.request_body.is_some() {
                    responses.insert("413".into(), error("The body is too large"));
                    responses.insert("415".into(), error("The body is not application/json"));
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Helpdesk public API", description = "What the help center and the tracking page call. No account: a request's tracking secret opens it."),
    paths(health, categories, faq, faq_read, faq_page, faq_vote, attachments, create_ticket, show_ticket, reply,
        resolution, rating, tracking_links),
    components(schemas(
        UploadType, ErrorJson, ErrorDetail, FieldErrorJson, HealthJson, MessageJson, Categories,
        PublicCategory, PublicPolicy, ReplyWithin, HoursLine, FieldSchema, FieldKind, Answers,
        Answer, Upload, Created, PublicTicket, PublicMessage, PublicFile, Status,
        CreateTicketRequest, AttachmentRequest, FaqReadRequest, TrackingReplyRequest,
        ResolutionRequest, TrackingLinksRequest, RatingRequest, PublicRating, AnswerPageJson, FaqVoteRequest,
        helpdesk_domain::tickets::rating::Score,
    )),
    modifiers(&CommonErrors),
)]
pub struct ApiDoc;

/// The document as committed: pretty JSON with a final newline.
pub fn document() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Route;

    #[test]
    fn the_documented_upload_types_are_the_accepted_ones() {
        let all = [
            UploadType::Png,
            UploadType::Jpeg,
            UploadType::Gif,
            UploadType::Webp,
            UploadType::Pdf,
            UploadType::Text,
            UploadType::Csv,
            UploadType::Zip,
        ];
        let documented: Vec<String> = all
            .iter()
            .map(|t| {
                serde_json::to_value(t)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            documented,
            helpdesk_domain::customers::attachments::ALLOWED_TYPES
        );
    }

    #[test]
    fn the_committed_document_is_current() {
        testkit::openapi::assert_committed_is_current(
            concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"),
            &document(),
        );
    }

    #[test]
    fn documented_operations_are_the_routes() {
        let routes: Vec<(&str, &str)> = Route::ALL.iter().map(|r| r.method_and_path()).collect();
        testkit::openapi::assert_operations_are(&document(), &routes);
    }
}
