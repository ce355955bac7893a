//! `GET /api/records/{kind}/{id}` and the admin writes: `POST /api/records` (NDJSON batch),
//! `DELETE /api/records/{kind}/{id}`.

use super::auth::require_admin;
use super::error::ApiError;
use super::AppState;
use crate::api::{Accepted, Deleted, RecordRef};
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

pub async fn post(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Accepted>, ApiError> {
    require_admin(st.admin_token.as_deref(), &headers)?;
    let body = body.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    let batch = parse_ndjson_bytes("body", &body).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if batch.is_empty() {
        return Err(ApiError::bad_request("the body holds no records (NDJSON, one record per line)"));
    }
    let engine = st.engine.clone();
    let n = tokio::task::spawn_blocking(move || engine.ingest(batch)).await??;
    Ok(Json(Accepted { accepted: n }))
}

pub async fn delete(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<Deleted>, ApiError> {
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
