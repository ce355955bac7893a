//! The writer's replication endpoints: its newest commit's manifest (a long poll) and its
//! segment files (resumable with `Range`), behind `DORAMA_REPLICATION_TOKEN`.

use super::auth::require_replication;
use super::error::ApiError;
use super::params::Params;
use super::AppState;
use crate::api::{ErrorBody, Manifest};
use crate::index::generation::{is_segment_file, newest_id};
use axum::body::Body;
use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// Longest a manifest request is held waiting for a newer commit (under the request timeout).
const MAX_WAIT: Duration = Duration::from_secs(25);
/// How often a held request looks for a newer commit.
const POLL: Duration = Duration::from_millis(10);

/// The writer's newest commit: the files a replica must hold, with their lengths and checksums.
/// With `known` (the id of the commit the replica has) and `wait_ms`, the answer waits up to
/// that long for a newer commit, so a replica hears of a commit as soon as it is made.
#[utoipa::path(get, path = "/api/replication/manifest", tag = "replication", security(("replication" = [])),
    params(
        ("known" = Option<String>, Query, description = "The manifest id the replica already holds: wait for another", example = "6c1f0d2a9b3e4f57"),
        ("wait_ms" = Option<u64>, Query, description = "How long to wait for a commit other than `known`, at most 25000", example = 0),
    ),
    responses(
        (status = 200, description = "The newest commit", body = Manifest),
        (status = 400, description = "A bad wait_ms", body = ErrorBody),
        (status = 401, description = "Missing or wrong replication token", body = ErrorBody),
        (status = 403, description = "No DORAMA_REPLICATION_TOKEN on the writer, or this server is a replica", body = ErrorBody),
))]
pub async fn manifest(State(st): State<Arc<AppState>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Result<Json<Manifest>, ApiError> {
    require_replication(st.replication_token.as_deref(), &headers)?;
    refuse_on_replica(&st)?;
    let p = Params::parse(raw.as_deref());
    let wait = match p.get("wait_ms") {
        None => Duration::ZERO,
        Some(w) => Duration::from_millis(w.parse::<u64>().map_err(|_| ApiError::bad_request(format!("wait_ms must be a whole number of milliseconds, not {w:?}")))?),
    }
    // Under the server's own request timeout too, by a margin for the answer itself: a held
    // request cut off by the timeout would be a 408, and the replica would never hear of
    // a commit.
    .min(MAX_WAIT)
    .min(st.request_timeout.saturating_sub(st.request_timeout / 5).saturating_sub(Duration::from_millis(200)));
    let known = p.get("known").map(str::to_string);
    let dir = st.engine.store().dir().to_path_buf();
    let started = Instant::now();
    // Hold the request while the newest commit is the one the replica knows.
    if let Some(known) = &known {
        while started.elapsed() < wait && newest_id(&dir).as_ref() == Some(known) && !st.stopping.is_cancelled() {
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = st.stopping.cancelled() => {}
            }
        }
    }
    let st2 = st.clone();
    let m = tokio::task::spawn_blocking(move || crate::replica::manifest::manifest(&dir, &st2.checksums)).await?.map_err(crate::engine::EngineError::from)?;
    Ok(Json(m))
}

/// One segment file of the writer's index, from `Range: bytes=N-` on if asked (206), whole
/// otherwise. 404 once a merge has deleted it: the replica fetches the newer manifest.
#[utoipa::path(get, path = "/api/replication/files/{name}", tag = "replication", security(("replication" = [])),
    params(("name" = String, Path, description = "A segment file the manifest lists", example = "3c0d482af7c842bcbcd5b87611ad66ca.store")),
    responses(
        (status = 200, description = "The whole file", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 206, description = "The file from the requested offset", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, description = "Not a segment file's name, or a range this endpoint does not serve", body = ErrorBody),
        (status = 401, description = "Missing or wrong replication token", body = ErrorBody),
        (status = 403, description = "No DORAMA_REPLICATION_TOKEN on the writer, or this server is a replica", body = ErrorBody),
        (status = 404, description = "No such file (merged away)", body = ErrorBody),
        (status = 416, description = "The range starts past the end of the file", body = ErrorBody),
))]
pub async fn file(State(st): State<Arc<AppState>>, headers: HeaderMap, UrlPath(name): UrlPath<String>) -> Result<Response, ApiError> {
    require_replication(st.replication_token.as_deref(), &headers)?;
    refuse_on_replica(&st)?;
    if !is_segment_file(&name) {
        return Err(ApiError::bad_request(format!("{name:?} is not a segment file's name")));
    }
    let from = match headers.get(header::RANGE) {
        None => 0,
        Some(r) => r
            .to_str()
            .ok()
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.strip_suffix('-'))
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or_else(|| ApiError::bad_request("Range must be bytes=N- (one open range)"))?,
    };
    let path = st.engine.store().dir().join(&name);
    let mut file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ApiError::not_found(format!("{name} is not in the index (merged away): fetch the manifest again"))),
        Err(e) => return Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot read {name}: {e}"))),
    };
    // Open, the file stays readable even if a merge deletes it now.
    let len = file.metadata().await.map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?.len();
    if from > len {
        return Err(ApiError::new(StatusCode::RANGE_NOT_SATISFIABLE, format!("{name} has {len} bytes; the range starts at {from}")));
    }
    if from > 0 {
        file.seek(std::io::SeekFrom::Start(from)).await.map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    }
    let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(file.take(len - from), 256 * 1024));
    let mut res = (
        if from > 0 { StatusCode::PARTIAL_CONTENT } else { StatusCode::OK },
        [(header::CONTENT_TYPE, "application/octet-stream".to_string()), (header::CONTENT_LENGTH, (len - from).to_string())],
        body,
    )
        .into_response();
    if from > 0 {
        res.headers_mut().insert(header::CONTENT_RANGE, format!("bytes {from}-{}/{len}", len.saturating_sub(1)).parse().expect("a valid header"));
    }
    Ok(res)
}

/// A replica serves no replication: chains of replicas are not built.
fn refuse_on_replica(st: &AppState) -> Result<(), ApiError> {
    if st.engine.store().read_only() {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "this server is a read-only replica: replicas follow the writer"));
    }
    Ok(())
}
