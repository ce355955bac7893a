//! `GET /api/export` (admin): every record of the current commit as NDJSON, streamed
//! ([`crate::index::export`]). A blocking task writes the records into a small channel in
//! chunks; the response body reads from it, so memory stays at a few chunks however large the
//! index, and a slow client slows the export rather than buffering it. Ingest goes on: the
//! export reads the commit it started at.

use super::auth::require_admin;
use super::error::ApiError;
use super::params::Params;
use super::AppState;
use crate::api::ErrorBody;
use crate::index::export::{self, KINDS};
use crate::record::Kind;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Bytes per chunk sent to the client.
const CHUNK: usize = 64 * 1024;

/// An `io::Write` that hands full chunks to the response body.
struct ChannelWriter {
    buf: Vec<u8>,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        // The client went away: stop exporting.
        self.tx.blocking_send(Ok(chunk)).map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client gone"))
    }
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// Every record (or those of `kind`, comma-separated) of the current commit, in the order
/// they were applied: `dorama-search index` reads it back into the same index.
#[utoipa::path(get, path = "/api/export", tag = "records", security(("admin" = [])),
    params(("kind" = Option<String>, Query, description = "Only these kinds, comma-separated: drama, review, comment, vote, post (people are derived, not exported)", example = "drama,review")),
    responses(
        (status = 200, description = "NDJSON, one record per line", content_type = "application/x-ndjson", body = String),
        (status = 400, description = "An unknown kind", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 403, description = "No admin token configured on the server", body = ErrorBody),
))]
pub async fn export(State(st): State<Arc<AppState>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    require_admin(st.admin_token.as_deref(), &headers)?;
    let p = Params::parse(raw.as_deref());
    let mut kinds = Vec::new();
    for k in p.get("kind").unwrap_or("").split(',').map(str::trim).filter(|k| !k.is_empty()) {
        match Kind::parse(k).filter(|k| KINDS.contains(k)) {
            Some(kind) => kinds.push(kind),
            None => return Err(ApiError::bad_request(format!("kind must be a comma-separated list of drama, review, comment, vote, post; not {k:?}"))),
        }
    }
    if kinds.is_empty() {
        kinds = KINDS.to_vec();
    }
    let (tx, mut rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let engine = st.engine.clone();
    // The commit is fixed here, before the response starts.
    let searcher = engine.store().searcher();
    tokio::task::spawn_blocking(move || {
        let mut w = ChannelWriter { buf: Vec::with_capacity(CHUNK), tx: tx.clone() };
        if let Err(e) = export::write(&searcher, engine.store().fields(), &kinds, &mut w) {
            // The status is sent; a failed export ends the body with an error, which the
            // client sees as a broken transfer, never as a complete file.
            tracing::error!(error = %e, "export failed");
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], Body::from_stream(stream)).into_response())
}
