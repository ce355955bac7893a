//! `GET /metrics` in Prometheus text format, kept by a standard client (`metrics` with
//! `metrics-exporter-prometheus`): requests and latency per route, commit latency, documents
//! per kind, the index's size, generation, segments and age, query cache hits, and the
//! process's memory, file descriptors and CPU (`metrics-process`).
//!
//! A request records into atomic counters and lock-free histogram buckets: no lock is held
//! across requests (the registry's lookup takes a shard's read lock, shared by all readers).
//! The recorder belongs to the server's state, not to the process, so two routers in one
//! process (the tests) keep separate counts.
//!
//! Routes are labelled by their pattern (`/api/records/{kind}/{id}`), never by the raw path,
//! so that a crawler hitting a million ids cannot create a million time series, and by method
//! only among the methods HTTP defines (any other is `other`), for the same reason.

use super::AppState;
use crate::record::Kind;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics::{Key, Label, Level, Metadata, Recorder};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use std::sync::Arc;
use std::time::Instant;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

static META: Metadata<'static> = Metadata::new("dorama_search", Level::INFO, None);

pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    process: metrics_process::Collector,
}

impl Default for Metrics {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new().set_buckets(&BUCKETS).expect("fixed, non-empty buckets").build_recorder();
        let handle = recorder.handle();
        let process = metrics_process::Collector::default();
        metrics::with_local_recorder(&recorder, || process.describe());
        for (name, help) in [
            ("dorama_http_requests_total", "HTTP requests by method, route pattern and status."),
            ("dorama_cache_requests_total", "Query cache lookups by result."),
            ("dorama_http_shed_total", "Searches refused with 503 because too many were running and waiting."),
            ("dorama_http_paced_total", "Requests that waited for their client address's budget (--client-rate)."),
            ("dorama_http_limited_total", "Requests refused with 429: their client address's budget was more than a second away."),
        ] {
            recorder.describe_counter(name.into(), None, help.into());
        }
        for (name, help) in [
            ("dorama_http_request_duration_seconds", "Request latency by method and route pattern."),
            ("dorama_commit_duration_seconds", "Time to commit an ingest batch durably."),
        ] {
            recorder.describe_histogram(name.into(), Some(metrics::Unit::Seconds), help.into());
        }
        for (name, help) in [
            ("dorama_documents", "Live documents in the index by kind."),
            ("dorama_index_bytes", "Size of the index files on disk."),
            ("dorama_index_generation", "Commits (and recounts) since the server started: the version of every answer."),
            ("dorama_index_segments", "Segments of the index searched."),
            ("dorama_index_age_seconds", "Seconds since the index last committed."),
            ("dorama_cache_hit_ratio", "Share of query cache lookups answered from the cache."),
            ("dorama_cache_bytes", "Bytes the answer cache holds (bounded by --cache-mib)."),
            ("dorama_process_cpu_seconds", "User and system CPU time of the process, to the microsecond (process_cpu_seconds_total counts whole seconds)."),
            ("dorama_replica_lag_seconds", "On a replica: seconds the writer's newest commit has waited to be followed (0 on the writer)."),
            ("dorama_replica_lag_commits", "On a replica: commits the writer has made that the replica does not serve yet (0 on the writer)."),
            ("dorama_commit", "The number of the commit served."),
            ("dorama_replication_fetched_bytes", "On a replica following over HTTP: bytes of segment files fetched from the writer since start."),
        ] {
            recorder.describe_gauge(name.into(), None, help.into());
        }
        Metrics { recorder, handle, process }
    }
}

impl Metrics {
    /// Counts one request and observes its latency (public for `benches/metrics.rs`).
    pub fn record(&self, method: &str, route: &str, status: u16, secs: f64) {
        let (method, route) = (Label::new("method", method.to_string()), Label::new("route", route.to_string()));
        let requests = Key::from_parts("dorama_http_requests_total", vec![method.clone(), route.clone(), Label::new("status", status.to_string())]);
        self.recorder.register_counter(&requests, &META).increment(1);
        let latency = Key::from_parts("dorama_http_request_duration_seconds", vec![method, route]);
        self.recorder.register_histogram(&latency, &META).record(secs);
    }

    /// The histogram the engine reports each commit's duration to.
    pub fn commit_histogram(&self) -> metrics::Histogram {
        self.recorder.register_histogram(&Key::from_static_name("dorama_commit_duration_seconds"), &META)
    }

    fn gauge(&self, name: &'static str, labels: Vec<Label>, value: f64) {
        self.recorder.register_gauge(&Key::from_parts(name, labels), &META).set(value);
    }
}

/// Middleware: times every request and counts it under its route pattern.
pub async fn track(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = method_label(req.method());
    let started = Instant::now();
    let res = next.run(req).await;
    st.metrics.record(method, &route, res.status().as_u16(), started.elapsed().as_secs_f64());
    res
}

/// The method as a label: one of the methods HTTP defines, or `other`. A method name is any
/// token a client cares to send, and each new label value would be a new series kept forever.
fn method_label(m: &axum::http::Method) -> &'static str {
    const KNOWN: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"];
    KNOWN.into_iter().find(|k| *k == m.as_str()).unwrap_or("other")
}

/// The process's user and system CPU time (`getrusage`, microseconds).
fn cpu_seconds() -> Option<f64> {
    #[cfg(unix)]
    {
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
            return None;
        }
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        Some(secs(usage.ru_utime) + secs(usage.ru_stime))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|it| it.filter_map(|e| e.ok()).filter_map(|e| e.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum())
        .unwrap_or(0)
}

/// The state of the index and the process, read at scrape time into gauges.
struct Snapshot {
    docs: Vec<(Kind, usize)>,
    bytes: u64,
    segments: usize,
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "service", responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)))]
pub async fn render(State(st): State<Arc<AppState>>) -> impl IntoResponse {
    let engine = st.engine.clone();
    let snap = tokio::task::spawn_blocking(move || Snapshot {
        docs: Kind::ALL.iter().map(|k| (*k, engine.count_kind(*k).unwrap_or(0))).collect(),
        bytes: dir_size(engine.store().dir()),
        segments: engine.store().searcher().segment_readers().len(),
    })
    .await
    .unwrap_or(Snapshot { docs: Vec::new(), bytes: 0, segments: 0 });
    let m = &st.metrics;
    for (kind, n) in snap.docs {
        m.gauge("dorama_documents", vec![Label::new("kind", kind.as_str())], n as f64);
    }
    m.gauge("dorama_index_bytes", vec![], snap.bytes as f64);
    m.gauge("dorama_index_segments", vec![], snap.segments as f64);
    m.gauge("dorama_index_generation", vec![], st.engine.generation() as f64);
    m.gauge("dorama_index_age_seconds", vec![], st.engine.since_commit().as_secs_f64());
    let (hits, misses) = st.engine.cache_stats();
    for (result, n) in [("hit", hits), ("miss", misses)] {
        let key = Key::from_parts("dorama_cache_requests_total", vec![Label::new("result", result)]);
        m.recorder.register_counter(&key, &META).absolute(n);
    }
    m.recorder.register_counter(&Key::from_static_name("dorama_http_shed_total"), &META).absolute(st.admission.shed());
    let (paced, limited) = st.pacing.as_ref().map_or((0, 0), |p| p.counts());
    m.recorder.register_counter(&Key::from_static_name("dorama_http_paced_total"), &META).absolute(paced);
    m.recorder.register_counter(&Key::from_static_name("dorama_http_limited_total"), &META).absolute(limited);
    let ratio = if hits + misses == 0 { 0.0 } else { hits as f64 / (hits + misses) as f64 };
    m.gauge("dorama_cache_hit_ratio", vec![], ratio);
    m.gauge("dorama_cache_bytes", vec![], st.engine.cache_bytes() as f64);
    let (behind, behind_commits) = st.behind();
    m.gauge("dorama_replica_lag_seconds", vec![], behind.as_secs_f64());
    m.gauge("dorama_replica_lag_commits", vec![], behind_commits as f64);
    m.gauge("dorama_commit", vec![], st.engine.commit_number() as f64);
    if let Some(f) = &st.follower {
        m.gauge("dorama_replication_fetched_bytes", vec![], f.fetched_bytes() as f64);
    }
    if let Some(cpu) = cpu_seconds() {
        m.gauge("dorama_process_cpu_seconds", vec![], cpu);
    }
    metrics::with_local_recorder(&m.recorder, || m.process.collect());
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], m.handle.render())
}
