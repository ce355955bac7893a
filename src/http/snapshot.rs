//! `POST /api/snapshot?dest=DIR` (admin): a consistent copy of the index as of its last
//! commit in a new directory on the server ([`crate::index::snapshot`]), taken while serving
//! and ingesting go on.

use super::auth::require_admin;
use super::error::ApiError;
use super::params::Params;
use super::AppState;
use crate::api::ErrorBody;
use crate::index::snapshot::{self, Snapshot};
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use std::sync::Arc;

/// Copy the index as of its last commit into a new directory on the server.
#[utoipa::path(post, path = "/api/snapshot", tag = "records", security(("admin" = [])),
    params(("dest" = String, Query, description = "A new directory on the server's file system (hard links on the index's file system, copies elsewhere)", example = "/var/backups/dorama-2026-11-30")),
    responses(
        (status = 200, description = "The snapshot, complete and synced", body = Snapshot),
        (status = 400, description = "No dest, or a dest that exists", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 403, description = "No admin token configured on the server", body = ErrorBody),
        (status = 500, description = "The copy failed (the message says why); nothing is left at dest", body = ErrorBody),
        (status = 507, description = "No space left for the copy; nothing is left at dest", body = ErrorBody),
))]
pub async fn snapshot(State(st): State<Arc<AppState>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Result<Json<Snapshot>, ApiError> {
    require_admin(st.admin_token.as_deref(), &headers)?;
    let p = Params::parse(raw.as_deref());
    let dest = p.get("dest").map(str::trim).filter(|d| !d.is_empty()).ok_or_else(|| ApiError::bad_request("dest is required: a new directory for the snapshot"))?;
    let dest = std::path::PathBuf::from(dest);
    if dest.exists() {
        return Err(ApiError::bad_request(format!("{} exists already; name a new directory", dest.display())));
    }
    let dir = st.engine.store().dir().to_path_buf();
    let snap = tokio::task::spawn_blocking(move || snapshot::take(&dir, &dest)).await?.map_err(|e| {
        tracing::error!(error = %e, "snapshot failed");
        let status = if super::error::out_of_space(&e) {
            axum::http::StatusCode::INSUFFICIENT_STORAGE
        } else {
            axum::http::StatusCode::INTERNAL_SERVER_ERROR
        };
        ApiError::new(status, format!("snapshot failed: {e}"))
    })?;
    Ok(Json(snap))
}
