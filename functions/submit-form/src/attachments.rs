//! `POST /api/attachments` with `{"filename", "content_type", "size"}`: a
//! presigned URL the browser uploads the file to directly. Type and length are
//! signed, so S3 refuses anything else. The answer's `key` is a handle only this
//! visitor holds (the upload's secret and the file name); named in a submission
//! or reply, what really arrived is checked again and copied to where attached
//! files live.

use crate::Deps;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use helpdesk_domain::customers::attaching::start_upload;
use helpdesk_domain::customers::attachments::{MAX_SIZE, UploadRequest};
use helpdesk_domain::ports::store::RateLimitClaim;
use lambda_kit::http::{ApiError, Fields, json_object};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Upload {
    key: String,
    #[schema(value_type = String)]
    method: &'static str,
    upload_url: String,
    /// Send exactly these headers with the upload.
    headers: BTreeMap<String, String>,
    expires_at: chrono::DateTime<chrono::Utc>,
    max_size: u64,
}

pub async fn create(State(deps): State<Arc<Deps>>, request: Request) -> Response {
    match create_inner(&deps, request).await {
        Ok(upload) => (StatusCode::CREATED, Json(upload)).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn create_inner(deps: &Deps, request: Request) -> Result<Upload, ApiError> {
    let ip = crate::client_ip(&request)?;
    let (parts, body) = request.into_parts();
    let (map, _) = json_object(&parts.headers, body, 4096).await?;
    let mut fields = Fields::new(map, &["filename", "content_type", "size"]);
    let (filename, content_type, size) = (
        fields.string("filename"),
        fields.string("content_type"),
        fields.optional_u64("size"),
    );
    if !fields.errors.is_empty() {
        return Err(ApiError::invalid(fields.errors));
    }
    let language = crate::reader_language(&parts.headers);
    let upload = UploadRequest::parse_in(&filename, &content_type, size, language)
        .map_err(ApiError::invalid)?;
    let now = deps.clock.now();
    let (limit, window) = deps.policy.uploads_per_ip;
    deps.tickets
        .hit_rate_limits(
            &[RateLimitClaim::fixed_window(
                &format!("upload-ip:{ip}"),
                limit,
                window,
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
    Ok(Upload {
        // What to name in `attachments`: the secret and the name, never the
        // upload's place (only this visitor can attach what they uploaded).
        key: started.handle,
        method: "PUT",
        upload_url: started.url,
        headers: started.headers.into_iter().collect(),
        expires_at: started.expires_at,
        max_size: MAX_SIZE,
    })
}
