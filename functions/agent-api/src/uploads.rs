//! `POST /api/agent/uploads` with `{"filename", "content_type", "size"}`: a
//! presigned URL the console uploads a file to directly, as the help center
//! does for customers (type and length are signed). The answer's `key` is a
//! handle with the upload's secret in it: whoever holds it can attach the file
//! (to a ticket they may answer), so it is never shown to anyone else. Named in
//! a reply's `attachments`, what really arrived is checked and kept, and goes
//! out with the mail.

use crate::auth::Authed;
use crate::{Deps, respond};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Duration;
use helpdesk_domain::customers::attaching::start_upload;
use helpdesk_domain::customers::attachments::{MAX_MAIL_TOTAL, MAX_SIZE, UploadRequest};
use helpdesk_domain::ports::store::RateLimitClaim;
use lambda_kit::http::{ApiError, Fields, json_object};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa::ToSchema;

/// Uploads one agent may start in an hour.
const UPLOADS_PER_HOUR: u32 = 200;

#[derive(Serialize, ToSchema)]
pub struct UploadJson {
    /// Name this in the reply's `attachments`.
    key: String,
    #[schema(value_type = String)]
    method: &'static str,
    upload_url: String,
    /// Send exactly these headers with the upload.
    headers: BTreeMap<String, String>,
    expires_at: chrono::DateTime<chrono::Utc>,
    max_size: u64,
    /// All the files of one reply together.
    max_total: u64,
}

pub async fn create(
    State(deps): State<Arc<Deps>>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Body,
) -> axum::response::Response {
    let result = async {
        // Read field by field: JSON's `40.0` is the whole number 40, as the
        // document's `integer` allows.
        let (map, _) = json_object(&headers, body, 4096).await?;
        let mut fields = Fields::new(map, &["filename", "content_type", "size"]);
        let (filename, content_type, size) = (
            fields.string("filename"),
            fields.string("content_type"),
            fields.optional_u64("size"),
        );
        if !fields.errors.is_empty() {
            return Err(ApiError::invalid(fields.errors));
        }
        let upload =
            UploadRequest::parse(&filename, &content_type, size).map_err(ApiError::invalid)?;
        let now = deps.clock.now();
        deps.tickets
            .hit_rate_limits(
                &[RateLimitClaim::fixed_window(
                    &format!("upload-agent:{}", caller.id()),
                    UPLOADS_PER_HOUR,
                    Duration::hours(1),
                    now,
                )],
                now,
            )
            .await?;
        let started = start_upload(deps.attachments.as_ref(), deps.ids.as_ref(), &upload, now)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "upload not signed");
                ApiError::internal()
            })?;
        Ok::<_, ApiError>((
            StatusCode::CREATED,
            Json(UploadJson {
                key: started.handle,
                method: "PUT",
                upload_url: started.url,
                headers: started.headers.into_iter().collect(),
                expires_at: started.expires_at,
                max_size: MAX_SIZE,
                max_total: MAX_MAIL_TOTAL,
            }),
        ))
    }
    .await;
    respond(result)
}
