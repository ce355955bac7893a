//! `GET /api/records/{kind}/{id}` and the admin writes: `POST /api/records` (NDJSON batch),
//! `DELETE /api/records/{kind}/{id}`.

use super::auth::require_admin;
use super::error::ApiError;
use super::AppState;
use crate::api::{Accepted, Deleted, ErrorBody, RecordRef};
use crate::record::{parse_ndjson_bytes, Kind, Record};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
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
pub async fn post(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Accepted>, ApiError> {
    require_admin(st.admin_token.as_deref(), &headers)?;
    super::auth::require_writer(&st)?;
    let body = body.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    let batch = parse_ndjson_bytes("body", &body).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if batch.is_empty() {
        return Err(ApiError::bad_request("the body holds no records (NDJSON, one record per line)"));
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
    require_admin(st.admin_token.as_deref(), &headers)?;
    super::auth::require_writer(&st)?;
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
