//! The HTTP service (axum): the routes, and what every request goes through on the way.
//!
//! Layers, outermost first: a request log line (tracing), a timeout (30 s by default: a slow
//! client gets 408 instead of holding a worker), CORS for the read endpoints (a page on another
//! origin may `GET`; admin writes stay same-origin), and a body limit (413 past 32 MiB). A
//! client that is slow to even send its headers is cut off by the connection's header
//! timeout (same duration), which is why [`serve`] drives hyper itself. Read answers carry an
//! `ETag` by index generation and answer `304` to a matching `If-None-Match` ([`conditional`]);
//! bodies are compressed (gzip or brotli) when the client accepts it.
//! Handlers run the engine on the blocking pool: searches and commits are CPU and disk work;
//! type-ahead, a lookup of tens of microseconds, runs on the request's own thread
//! ([`run_short`]).

mod admission;
mod answer;
mod auth;
mod conditional;
mod error;
mod export;
pub mod metrics;
pub mod openapi;
mod page;
pub mod pacing;
mod params;
mod records;
mod replication;
mod search;
mod snapshot;
mod top100;

pub use auth::constant_time_eq;
pub use error::ApiError;
pub use params::{MAX_LIMIT, MAX_OFFSET, MAX_QUERY_BYTES};

use crate::api::Health;
use crate::engine::Engine;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, Method, StatusCode};
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};
use axum::{Json, Router};
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Runs `job` on this worker thread, the runtime's other tasks moved to another while it runs
/// (`block_in_place`), instead of on the blocking pool: for type-ahead, sent on every
/// keystroke and done in 50–70 µs at scale 1, the hop to a pool thread and back was most of
/// its time (a request sent alone, the server's own time at scale 1: p50/p99 263–304/505–695
/// µs on the pool, 183–247/316–333 here; BENCHMARKS.md, tenth stop). Not run on the worker
/// without handing its tasks over: the job may block on a lock, on the index's mapped pages or
/// take milliseconds (a one-letter prefix at scale 10), and the runtime keeps its other
/// workers meanwhile. A current-thread runtime (tests) cannot hand its tasks over, so there the job
/// goes to the pool. A panic comes back as a `JoinError` would, a 500.
pub(crate) async fn run_short<T, F>(job: F) -> Result<T, ApiError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    use tokio::runtime::{Handle, RuntimeFlavor};
    if Handle::current().runtime_flavor() != RuntimeFlavor::MultiThread {
        return Ok(tokio::task::spawn_blocking(job).await?);
    }
    tokio::task::block_in_place(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))).map_err(|_| {
        tracing::error!("worker task panicked");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error; see the server log")
    })
}

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// Longest a request may take, reading its body included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub struct AppState {
    pub engine: Arc<Engine>,
    /// `DORAMA_ADMIN_TOKEN`; None closes the admin endpoints.
    pub admin_token: Option<String>,
    pub metrics: metrics::Metrics,
    /// Longest a request may take, from its first header byte to its response.
    pub request_timeout: Duration,
    /// On a read-only replica, where writes go (named in the 405 it answers them with).
    pub writer_url: Option<String>,
    /// On a replica: `/healthz` answers 503 once it is further behind than this.
    pub max_lag: Option<Duration>,
    /// `DORAMA_REPLICATION_TOKEN`; None closes the replication endpoints.
    pub replication_token: Option<String>,
    /// The writer's segment checksums, computed once per file for its manifests.
    pub checksums: crate::replica::manifest::Checksums,
    /// On a replica following a writer over HTTP: how it stands with it.
    pub follower: Option<Arc<crate::replica::Status>>,
    /// How many searches run at once; the rest wait briefly or are shed with 503.
    pub admission: admission::Admission,
    /// Each client address's budget of requests (`--client-rate`); None: not paced.
    pub pacing: Option<pacing::Pacing>,
    /// `--snapshot-dir`: where `POST /api/snapshot` may write (None: it refuses).
    pub snapshot_dir: Option<std::path::PathBuf>,
    /// Cancelled when the server begins to stop: held requests (a replica's long poll) answer
    /// at once instead of holding the shutdown for their whole wait.
    pub stopping: tokio_util::sync::CancellationToken,
}

impl AppState {
    pub fn new(engine: Arc<Engine>, admin_token: Option<String>) -> Self {
        let metrics = metrics::Metrics::default();
        let commits = metrics.commit_histogram();
        engine.observe_commits(Box::new(move |took| commits.record(took.as_secs_f64())));
        AppState {
            engine,
            admin_token,
            metrics,
            request_timeout: REQUEST_TIMEOUT,
            writer_url: None,
            max_lag: None,
            replication_token: replication_token_from_env(),
            checksums: Default::default(),
            follower: None,
            admission: admission::Admission::for_this_machine(),
            pacing: None,
            snapshot_dir: None,
            stopping: Default::default(),
        }
    }

    /// How far a replica is behind its writer: the time the newest commit it knows of has
    /// waited, and how many commits it lacks (zero on the writer).
    pub fn behind(&self) -> (Duration, u64) {
        let served = self.engine.commit_number();
        match &self.follower {
            Some(f) => (f.behind().max(self.engine.behind()), f.behind_commits(served)),
            None if self.engine.store().read_only() => {
                let newest = crate::index::generation::Generation::read(self.engine.store().dir()).map_or(served, |g| g.commit);
                (self.engine.behind(), newest.saturating_sub(served))
            }
            None => (Duration::ZERO, 0),
        }
    }
}

/// 200 once the index is open; on a replica further behind its writer than `--max-lag`, 503
/// (so a load balancer stops sending it traffic until it has caught up).
#[utoipa::path(get, path = "/healthz", tag = "service", responses(
    (status = 200, description = "The index is open (and a replica is within its allowed lag)", body = Health),
    (status = 503, description = "A replica further behind its writer than --max-lag (status behind), or one whose writer refuses its replication token (status refused)", body = Health),
))]
async fn healthz(State(st): State<Arc<AppState>>) -> (StatusCode, Json<Health>) {
    let (behind, behind_commits) = st.behind();
    let lagging = st.max_lag.is_some_and(|max| behind > max);
    // A writer that refuses this replica's token will never be followed again without an
    // operator: not a replica to send traffic to.
    let refused = st.follower.as_ref().is_some_and(|f| f.refused());
    let health = Health {
        status: if refused { "refused" } else if lagging { "behind" } else { "ok" },
        documents: st.engine.store().num_docs(),
        dramas: st.engine.num_dramas(),
        generation: st.engine.generation(),
        read_only: st.engine.store().read_only(),
        commit: st.engine.commit_number(),
        behind_seconds: behind.as_secs_f64(),
        behind_commits,
        writer_error: st.follower.as_ref().and_then(|f| f.error()),
    };
    (if lagging || refused { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK }, Json(health))
}

/// What is running: the crate's version, and the index format this build reads.
#[utoipa::path(get, path = "/version", tag = "service", responses((status = 200, description = "The version and the index format", body = crate::api::Version)))]
async fn version() -> Json<crate::api::Version> {
    Json(crate::api::Version { version: env!("CARGO_PKG_VERSION"), index_format: crate::index::format_mark().to_string() })
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed on this endpoint")
}

/// The whole API as a router, for the server and for in-process tests.
pub fn router(state: Arc<AppState>) -> Router {
    let timeout = state.request_timeout;
    let paced = state.clone();
    let cors = CorsLayer::new().allow_origin(Any).allow_methods([Method::GET, Method::HEAD, Method::OPTIONS]);
    let (routes, doc) = OpenApiRouter::<Arc<AppState>>::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(page::index))
        .routes(routes!(page::script))
        .routes(routes!(page::versioned_script))
        .routes(routes!(healthz))
        .routes(routes!(version))
        .routes(routes!(metrics::render))
        .routes(routes!(openapi::serve))
        .routes(routes!(search::search))
        .routes(routes!(search::suggest))
        .routes(routes!(search::forum))
        .routes(routes!(search::related))
        .routes(routes!(records::post))
        .routes(routes!(export::export))
        .routes(routes!(snapshot::snapshot))
        .routes(routes!(replication::manifest))
        .routes(routes!(replication::file))
        .routes(routes!(records::get, records::delete))
        .routes(routes!(top100::get))
        .routes(routes!(top100::scopes))
        .routes(routes!(top100::recompute))
        .routes(routes!(top100::ratings))
        .split_for_parts();
    let mut doc = doc;
    utoipa::Modify::modify(&openapi::RecordTag, &mut doc);
    openapi::set_document(&doc);
    routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), conditional::conditional))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // gzip or brotli by the client's Accept-Encoding, for bodies large enough to gain.
        .layer(CompressionLayer::new())
        .layer(cors)
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        // Before any work of the route, and inside the log line: a client past its budget
        // waits, or gets its 429 logged like any answer.
        .layer(axum::middleware::from_fn_with_state(paced, pacing::pace))
        .layer(
            // One structured line per request (method, path and query, request id, status,
            // latency). Headers are not recorded, so the admin token never reaches the log.
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<axum::body::Body>| {
                    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
                    tracing::info_span!("request", method = %req.method(), uri = %req.uri(), version = ?req.version(), request_id = %id)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO).include_headers(false)),
        )
        // Outermost: every request gets an `x-request-id` (a client's own is kept), which the
        // log line above carries and the response echoes, so a client's report of a failed
        // request can be found in the log.
        .layer(PropagateRequestIdLayer::new(HeaderName::from_static(REQUEST_ID)))
        .layer(SetRequestIdLayer::new(HeaderName::from_static(REQUEST_ID), MakeRequestUuid))
        // Before all of it: a client's id that is not a plain token is dropped (and replaced
        // by a new one above), so what a client sends cannot forge or break a log line.
        .layer(axum::middleware::map_request(drop_unsafe_request_id))
}

/// Longest request id kept from a client.
pub const MAX_REQUEST_ID_BYTES: usize = 128;

/// Whether a client's request id can go into a log line as it is: 1 to
/// [`MAX_REQUEST_ID_BYTES`] letters, digits, `-`, `_`, `.` or `:` (UUIDs, hex trace ids,
/// W3C `traceparent`-like values), nothing a log reader would take for another field.
pub fn request_id_is_safe(id: &[u8]) -> bool {
    !id.is_empty() && id.len() <= MAX_REQUEST_ID_BYTES && id.iter().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
}

async fn drop_unsafe_request_id(mut req: axum::extract::Request) -> axum::extract::Request {
    if req.headers().get_all(REQUEST_ID).iter().count() > 1 || req.headers().get(REQUEST_ID).is_some_and(|v| !request_id_is_safe(v.as_bytes())) {
        req.headers_mut().remove(REQUEST_ID);
    }
    req
}

/// How a read-only replica follows its writer.
pub struct Replica {
    /// Named in the 405 that answers a write.
    pub writer_url: Option<String>,
    /// Following a directory kept in sync by another tool: how often to look for a newer
    /// commit in it.
    pub follow_every: Duration,
    /// Following the writer over HTTP (`--follow`): fetches its commits into the directory.
    pub follower: Option<crate::replica::Follower>,
    /// Behind its writer by more than this, `/healthz` answers 503.
    pub max_lag: Option<Duration>,
}

/// The header naming a request in the log and in its response.
pub const REQUEST_ID: &str = "x-request-id";

/// Reads `DORAMA_REPLICATION_TOKEN` (empty counts as none): on the writer it opens the
/// replication endpoints; on a replica it is what the replica presents.
pub fn replication_token_from_env() -> Option<String> {
    std::env::var("DORAMA_REPLICATION_TOKEN").ok().filter(|t| !t.trim().is_empty())
}

/// Reads the admin token from the environment (empty counts as none).
pub fn admin_token_from_env() -> Option<String> {
    std::env::var("DORAMA_ADMIN_TOKEN").ok().filter(|t| !t.trim().is_empty())
}

/// What `serve` is started with besides the engine.
pub struct Serve {
    pub addr: String,
    /// Longest a request may take, from its first header byte to its response.
    pub request_timeout: Duration,
    /// Following a writer, as a read-only replica.
    pub replica: Option<Replica>,
    /// Where `POST /api/snapshot` may write.
    pub snapshot_dir: Option<std::path::PathBuf>,
    /// Each client address's budget (`--client-rate`); None: not paced.
    pub pacing: Option<pacing::Budget>,
    /// How long the index must go without a commit before the ratings are written beside it
    /// (`--ratings-quiet-ms`); None: only when the server stops.
    pub ratings_quiet: Option<Duration>,
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight (for at most the
/// request timeout).
pub async fn serve(engine: Engine, options: Serve) -> anyhow::Result<()> {
    let Serve { addr, request_timeout, replica, snapshot_dir, pacing, ratings_quiet } = options;
    let addr = addr.as_str();
    let mut state = AppState::new(Arc::new(engine), admin_token_from_env());
    state.request_timeout = request_timeout;
    state.pacing = pacing.map(pacing::Pacing::new);
    if let (Some(admin), Some(replication)) = (&state.admin_token, &state.replication_token) {
        if constant_time_eq(admin.as_bytes(), replication.as_bytes()) {
            anyhow::bail!(
                "DORAMA_ADMIN_TOKEN and DORAMA_REPLICATION_TOKEN are the same: every replica holds the replication token, and would then be able to write; give them different values"
            );
        }
    }
    if let Some(dir) = &snapshot_dir {
        std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("--snapshot-dir {}: cannot create it: {e}", dir.display()))?;
        let index = state.engine.store().dir();
        if crate::index::snapshot::inside(dir, index) || crate::index::snapshot::inside(index, dir) {
            anyhow::bail!("--snapshot-dir {} and the index {} must not hold one another", dir.display(), index.display());
        }
        state.snapshot_dir = Some(dir.canonicalize().map_err(|e| anyhow::anyhow!("--snapshot-dir {}: {e}", dir.display()))?);
    }
    if let Some(r) = replica {
        state.writer_url = r.writer_url.clone();
        state.max_lag = r.max_lag;
        match r.follower {
            Some(follower) => {
                state.follower = Some(follower.status());
                tokio::spawn(follower.run(state.engine.clone()));
            }
            None => {
                tokio::spawn(crate::replica::follow_directory(state.engine.clone(), r.follow_every));
            }
        }
    }
    let state = Arc::new(state);
    if state.pacing.is_some() {
        let st = state.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(pacing::FORGET_EVERY);
            loop {
                every.tick().await;
                if let Some(p) = &st.pacing {
                    p.forget_idle();
                }
            }
        });
    }
    if state.admin_token.is_none() {
        tracing::warn!("DORAMA_ADMIN_TOKEN is not set: admin endpoints refuse every request");
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    let url = format!("http://{local}/");
    let engine = &state.engine;
    tracing::info!(
        url = %url,
        index = %engine.store().dir().display(),
        dramas = engine.num_dramas(),
        documents = engine.store().num_docs(),
        commit = engine.commit_number(),
        read_only = engine.store().read_only(),
        "serving {url}: {} dramas, {} documents (index {}, commit {})",
        engine.num_dramas(),
        engine.store().num_docs(),
        engine.store().dir().display(),
        engine.commit_number()
    );
    if engine.store().num_docs() == 0 {
        tracing::warn!("the index is empty: post records to {url}api/records (with DORAMA_ADMIN_TOKEN) or load files with `dorama-search index`");
    }
    // Ratings rebuilt from the index at this start are written beside it now, so the next
    // start opens them instead (nothing is written when they were opened from that file).
    let saving = state.engine.clone();
    tokio::task::spawn_blocking(move || save_ratings(&saving));
    // And once the index is quiet after commits: a server killed later then starts from them.
    // Writing them holds ingests back (250 MB at ten million ratings), hence after a quiet
    // while rather than after every commit; between commits this only compares two numbers.
    if let Some(quiet) = ratings_quiet.filter(|_| !state.engine.store().read_only()) {
        let engine = state.engine.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval((quiet / 2).max(Duration::from_millis(50)));
            loop {
                every.tick().await;
                if engine.since_commit() >= quiet {
                    let engine = engine.clone();
                    let _ = tokio::task::spawn_blocking(move || save_ratings(&engine)).await;
                }
            }
        });
    }
    let engine = state.engine.clone();
    let stopping = state.stopping.clone();
    let app = router(state);
    let mut builder = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
    builder.http1().timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(request_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown_signal());
    loop {
        tokio::select! {
            conn = listener.accept() => {
                let (stream, peer) = match conn {
                    Ok(c) => c,
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                // Without it, a small answer written as headers then body waits for the
                // client's delayed ACK (40 ms on Linux) before its body leaves.
                let _ = stream.set_nodelay(true);
                // Each request carries the address it came from, which pacing budgets by.
                let service = tower::ServiceExt::map_request(app.clone(), move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(pacing::Peer(peer));
                    req
                });
                let service = hyper_util::service::TowerToHyperService::new(service);
                let conn = builder.serve_connection_with_upgrades(hyper_util::rt::TokioIo::new(stream), service);
                let conn = graceful.watch(conn.into_owned());
                tokio::spawn(async move {
                    let _ = conn.await; // a client hanging up is not an error of ours
                });
            }
            _ = shutdown.as_mut() => break,
        }
    }
    drop(listener);
    stopping.cancel();
    tokio::select! {
        _ = graceful.shutdown() => tracing::info!("stopped"),
        _ = tokio::time::sleep(request_timeout) => tracing::warn!("stopped with requests still in flight"),
    }
    // The ratings as of the last commit, for the next start.
    tokio::task::spawn_blocking(move || save_ratings(&engine)).await?;
    Ok(())
}

/// [`Engine::save_ratings`], logged: a file that cannot be written costs the next start a
/// rebuild, not a record.
fn save_ratings(engine: &Engine) {
    if let Err(e) = engine.save_ratings() {
        tracing::warn!("{e}; the next start rebuilds the ratings from the index");
    }
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
