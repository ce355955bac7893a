//! The HTTP service (axum): the routes, and what every request goes through on the way.
//!
//! Layers, outermost first: a request log line (tracing), a 30 s timeout (slow clients get
//! 408 instead of holding a connection), CORS for the read endpoints (a page on another
//! origin may `GET`; admin writes stay same-origin), and a body limit (413 past 32 MiB).
//! Handlers run the engine on the blocking pool: searches and commits are CPU and disk work.

mod auth;
mod error;
mod metrics;
mod page;
mod params;
mod records;
mod search;
mod top100;

pub use auth::constant_time_eq;
pub use error::ApiError;

use crate::engine::Engine;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::sync::Arc;
use std::time::Duration;
use tower_http::cors::{Any, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// Longest a request may take, reading its body included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub struct AppState {
    pub engine: Arc<Engine>,
    /// `DORAMA_ADMIN_TOKEN`; None closes the admin endpoints.
    pub admin_token: Option<String>,
    pub metrics: metrics::Metrics,
}

impl AppState {
    pub fn new(engine: Arc<Engine>, admin_token: Option<String>) -> Self {
        AppState { engine, admin_token, metrics: metrics::Metrics::default() }
    }
}

async fn healthz(State(st): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "status": "ok",
        "documents": st.engine.store().num_docs(),
        "dramas": st.engine.num_dramas(),
    }))
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed on this endpoint")
}

/// The whole API as a router, for the server and for in-process tests.
pub fn router(state: Arc<AppState>) -> Router {
    let cors = CorsLayer::new().allow_origin(Any).allow_methods([Method::GET, Method::HEAD, Method::OPTIONS]);
    Router::new()
        .route("/", get(page::index))
        .route("/search.js", get(page::script))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::render))
        .route("/api/search", get(search::search))
        .route("/api/suggest", get(search::suggest))
        .route("/api/dramas/{id}/forum", get(search::forum))
        .route("/api/records", post(records::post))
        .route("/api/records/{kind}/{id}", get(records::get).delete(records::delete))
        .route("/api/top100", get(top100::get))
        .route("/api/top100/recompute", post(top100::recompute))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(cors)
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(
            // One structured line per request (method, path and query, status, latency).
            // Headers are not recorded, so the admin token never reaches the log.
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO).include_headers(false))
                .on_response(DefaultOnResponse::new().level(Level::INFO).include_headers(false)),
        )
}

/// Reads the admin token from the environment (empty counts as none).
pub fn admin_token_from_env() -> Option<String> {
    std::env::var("DORAMA_ADMIN_TOKEN").ok().filter(|t| !t.trim().is_empty())
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(engine: Engine, addr: &str) -> anyhow::Result<()> {
    let state = Arc::new(AppState::new(Arc::new(engine), admin_token_from_env()));
    if state.admin_token.is_none() {
        tracing::warn!("DORAMA_ADMIN_TOKEN is not set: admin endpoints refuse every request");
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    tracing::info!(addr = %listener.local_addr()?, "serving");
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
