//! `GET /api/records/{kind}/{id}` and the admin writes: `POST /api/records` (NDJSON batch),
//! `DELETE /api/records/{kind}/{id}`.

use super::auth::require_admin;
use super::error::ApiError;
use super::AppState;
use crate::api::{Accepted, Deleted, ErrorBody, RecordRef};
use crate::record::{parse_ndjson_bytes, Kind, Record};
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::HeaderMap;
use axum::Json;
use std::sync::Arc;

fn kind_of(k: &str) -> Result<Kind, ApiError> {
    Kind::parse(k).ok_or_else(|| {
        ApiError::not_found(format!("no kind {k:?}: expected drama, person, review, comment, vote or post"))
    })
}

/// A stored record.
#[utoipa::path(get, path = "/api/records/{kind}/{id}", tag = "records",
    params(("kind" = Kind, Path, description = "The record's kind"), ("id" = String, Path, description = "The record's id")),
    responses(
        (status = 200, description = "The record as stored", body = Record),
        (status = 304, description = "Not modified since the If-None-Match tag"),
        (status = 400, description = "A path that is not UTF-8", body = ErrorBody),
        (status = 404, description = "No such kind, or no record of it with this id", body = ErrorBody),
))]
pub async fn get(
    State(st): State<Arc<AppState>>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<Record>, ApiError> {
    let Path((kind, id)) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let kind = kind_of(&kind)?;
    let engine = st.engine.clone();
    let id2 = id.clone();
    let rec = tokio::task::spawn_blocking(move || engine.get(kind, &id2)).await??;
    match rec {
        Some(r) => Ok(Json(r)),
        None => Err(ApiError::not_found(format!("no {kind} with id {id:?}"))),
    }
}

/// Ingest a batch of records (NDJSON, one per line) as one durable commit: all or nothing.
#[utoipa::path(post, path = "/api/records", tag = "records", security(("admin" = [])),
    request_body(content = String, content_type = "application/x-ndjson", description = "Records in the NDJSON record format, one per line"),
    responses(
        (status = 200, description = "Every record applied and durable", body = Accepted),
        (status = 400, description = "A bad line, named by number; nothing applied", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 403, description = "No admin token configured on the server", body = ErrorBody),
        (status = 413, description = "A body larger than 32 MiB", body = ErrorBody),
        (status = 507, description = "The index's disk is full: nothing of the batch was applied or acknowledged; send it again once space is freed", body = ErrorBody),
))]
pub async fn post(State(st): State<Arc<AppState>>, req: Request) -> Result<Json<Accepted>, ApiError> {
    // The token is checked before a byte of the body is read: a client without it costs the
    // headers and nothing more, however large the body it announces or sends.
    super::auth::require_writer(&st)?;
    require_admin(st.admin_token.as_deref(), req.headers())?;
    let body = read_body(req, super::MAX_BODY_BYTES).await?;
    let batch = parse_ndjson_bytes("body", &body).map_err(|e| ApiError::bad_request(e.to_string()).with_code(crate::api::ErrorCode::InvalidRecord))?;
    if batch.is_empty() {
        return Err(ApiError::bad_request("the body holds no records (NDJSON, one record per line)").with_code(crate::api::ErrorCode::InvalidRecord));
    }
    let engine = st.engine.clone();
    let n = tokio::task::spawn_blocking(move || engine.ingest(batch)).await??;
    Ok(Json(Accepted { accepted: n }))
}

/// Delete a record (a drama's ratings leave its Top 100 lists at once).
#[utoipa::path(delete, path = "/api/records/{kind}/{id}", tag = "records", security(("admin" = [])),
    params(("kind" = Kind, Path, description = "The record's kind"), ("id" = String, Path, description = "The record's id")),
    responses(
        (status = 200, description = "Deleted", body = Deleted),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 403, description = "No admin token configured on the server", body = ErrorBody),
        (status = 404, description = "No such record", body = ErrorBody),
))]
pub async fn delete(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<Deleted>, ApiError> {
    super::auth::require_writer(&st)?;
    require_admin(st.admin_token.as_deref(), &headers)?;
    let Path((kind, id)) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let kind = kind_of(&kind)?;
    let engine = st.engine.clone();
    let id2 = id.clone();
    let found = tokio::task::spawn_blocking(move || engine.delete(kind, &id2)).await??;
    if found {
        Ok(Json(Deleted { deleted: RecordRef { kind, id } }))
    } else {
        Err(ApiError::not_found(format!("no {kind} with id {id:?}")))
    }
}

/// Reads a request's body, refusing it with 413 as soon as it passes `limit` bytes (a
/// `Content-Length` over the limit is refused before anything is read).
async fn read_body(req: Request, limit: usize) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {} MiB: split the batch, or load files with `dorama-search index`", limit / (1024 * 1024)),
        )
    };
    let announced = req.headers().get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    match axum::body::to_bytes(req.into_body(), limit).await {
        Ok(b) => Ok(b),
        Err(e) => {
            let e = e.into_inner();
            if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
                Err(too_large())
            } else {
                Err(ApiError::bad_request(format!("cannot read the request body: {e}")))
            }
        }
    }
}
