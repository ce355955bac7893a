//! `POST /api/snapshot?dest=NAME` (admin): a consistent copy of the index as of its last
//! commit in a new directory on the server ([`crate::index::snapshot`]), taken while serving
//! and ingesting go on.
//!
//! Only under the directory the operator named at start (`--snapshot-dir`), and only as a
//! plain name there: a token holder must not be able to write wherever the process can
//! (absolute paths, `..`, the working directory, the index itself). The directory is checked at
//! start to be outside the index.

use super::auth::require_admin;
use super::error::ApiError;
use super::params::Params;
use super::AppState;
use crate::api::ErrorBody;
use crate::index::snapshot::{self, Snapshot};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use std::sync::Arc;

/// Copy the index as of its last commit into a new directory under the server's
/// `--snapshot-dir`.
#[utoipa::path(post, path = "/api/snapshot", tag = "records", security(("admin" = [])),
    params(("dest" = String, Query, description = "The new snapshot's name: a directory created under the server's --snapshot-dir (letters, digits, '-', '_' and '.', not starting with '.')", example = "dorama-2026-11-30")),
    responses(
        (status = 200, description = "The snapshot, complete and synced", body = Snapshot),
        (status = 400, description = "No dest, a dest that is not a plain name, or one that exists", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 403, description = "No admin token configured on the server, or no --snapshot-dir", body = ErrorBody),
        (status = 409, description = "DEST.partial exists: another snapshot to this name is running, or one was killed", body = ErrorBody),
        (status = 500, description = "The copy failed (the message says why); nothing is left at dest", body = ErrorBody),
        (status = 507, description = "No space left for the copy; nothing is left at dest", body = ErrorBody),
))]
pub async fn snapshot(State(st): State<Arc<AppState>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Result<Json<Snapshot>, ApiError> {
    require_admin(st.admin_token.as_deref(), &headers)?;
    let Some(root) = st.snapshot_dir.clone() else {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "snapshots over HTTP are disabled: start the server with --snapshot-dir DIR (or DORAMA_SNAPSHOT_DIR) to allow them under DIR"));
    };
    let p = Params::parse(raw.as_deref());
    let name = p.get("dest").map(str::trim).filter(|d| !d.is_empty()).ok_or_else(|| ApiError::bad_request("dest is required: a name for the new snapshot, made under the server's --snapshot-dir").with_code(crate::api::ErrorCode::MissingParameter))?;
    if !plain_name(name) {
        return Err(ApiError::bad_request(format!(
            "dest must be a plain name (letters, digits, '-', '_' and '.', at most {MAX_NAME} characters, not starting with '.'): the snapshot is made under the server's --snapshot-dir; not {name:?}"
        )));
    }
    let dest = root.join(name);
    if dest.exists() {
        return Err(ApiError::bad_request(format!("a snapshot named {name:?} exists already; name a new one")));
    }
    if std::path::Path::new(&format!("{}.partial", dest.display())).exists() {
        return Err(ApiError::new(StatusCode::CONFLICT, format!("{name}.partial exists under the snapshot directory: another snapshot to this name is running, or one was killed; remove it if none is running, or name another")));
    }
    let dir = st.engine.store().dir().to_path_buf();
    let snap = tokio::task::spawn_blocking(move || snapshot::take(&dir, &dest)).await?.map_err(|e| {
        tracing::error!(error = %e, "snapshot failed");
        let status = if super::error::out_of_space(&e) { StatusCode::INSUFFICIENT_STORAGE } else { StatusCode::INTERNAL_SERVER_ERROR };
        ApiError::new(status, format!("snapshot failed: {e}"))
    })?;
    Ok(Json(snap))
}

/// Longest snapshot name.
const MAX_NAME: usize = 100;

/// A name that stays a single directory under the snapshot directory: no separator, no
/// `..`, nothing hidden.
fn plain_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= MAX_NAME && !name.starts_with('.') && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::plain_name;

    #[test]
    fn a_snapshot_name_is_one_plain_directory_name() {
        for ok in ["dorama-2026-11-30", "nightly_1", "v1.2"] {
            assert!(plain_name(ok), "{ok}");
        }
        for bad in ["/tmp/x", "../x", "..", ".", ".hidden", "a/b", "a\\b", "x y", "", &"a".repeat(101)] {
            assert!(!plain_name(bad), "{bad}");
        }
    }
}
