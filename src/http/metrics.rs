//! `GET /metrics` in Prometheus text format: requests and latency per route, documents per
//! kind, index size, commit latency, query cache hits.
//!
//! Routes are labelled by their pattern (`/api/records/{kind}/{id}`), never by the raw path,
//! so that a crawler hitting a million ids cannot create a million time series.

use super::AppState;
use crate::record::Kind;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use crate::histogram::Histogram;

#[derive(Default)]
pub struct Metrics {
    /// (method, route, status) → count.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// (method, route) → latency.
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, secs: f64) {
        *self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        self.latency
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((method.to_string(), route.to_string()))
            .or_default()
            .observe(secs);
    }
}

/// Middleware: times every request and counts it under its route pattern.
pub async fn track(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    st.metrics.record(&method, &route, res.status().as_u16(), started.elapsed().as_secs_f64());
    res
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|it| it.filter_map(|e| e.ok()).filter_map(|e| e.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum())
        .unwrap_or(0)
}

pub async fn render(State(st): State<Arc<AppState>>) -> impl IntoResponse {
    let engine = st.engine.clone();
    let docs = tokio::task::spawn_blocking(move || {
        Kind::ALL.iter().map(|k| (*k, engine.count_kind(*k).unwrap_or(0))).collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    let mut out = String::new();
    out.push_str("# HELP dorama_http_requests_total HTTP requests by method, route pattern and status.\n");
    out.push_str("# TYPE dorama_http_requests_total counter\n");
    for ((m, r, s), n) in st.metrics.requests.lock().unwrap_or_else(|p| p.into_inner()).iter() {
        let _ = writeln!(out, "dorama_http_requests_total{{method=\"{m}\",route=\"{}\",status=\"{s}\"}} {n}", escape(r));
    }
    out.push_str("# HELP dorama_http_request_duration_seconds Request latency by method and route pattern.\n");
    out.push_str("# TYPE dorama_http_request_duration_seconds histogram\n");
    for ((m, r), h) in st.metrics.latency.lock().unwrap_or_else(|p| p.into_inner()).iter() {
        h.render(&mut out, "dorama_http_request_duration_seconds", &format!("method=\"{m}\",route=\"{}\"", escape(r)));
    }
    out.push_str("# HELP dorama_documents Live documents in the index by kind.\n# TYPE dorama_documents gauge\n");
    for (k, n) in docs {
        let _ = writeln!(out, "dorama_documents{{kind=\"{k}\"}} {n}");
    }
    out.push_str("# HELP dorama_index_bytes Size of the index files on disk.\n# TYPE dorama_index_bytes gauge\n");
    let _ = writeln!(out, "dorama_index_bytes {}", dir_size(st.engine.store().dir()));
    out.push_str("# HELP dorama_commit_duration_seconds Time to commit an ingest batch durably.\n");
    out.push_str("# TYPE dorama_commit_duration_seconds histogram\n");
    st.engine.commit_latency().render(&mut out, "dorama_commit_duration_seconds", "");
    let (hits, misses) = st.engine.cache_stats();
    out.push_str("# HELP dorama_cache_requests_total Query cache lookups by result.\n# TYPE dorama_cache_requests_total counter\n");
    let _ = writeln!(out, "dorama_cache_requests_total{{result=\"hit\"}} {hits}");
    let _ = writeln!(out, "dorama_cache_requests_total{{result=\"miss\"}} {misses}");
    out.push_str("# HELP dorama_cache_hit_ratio Share of query cache lookups answered from the cache.\n# TYPE dorama_cache_hit_ratio gauge\n");
    let ratio = if hits + misses == 0 { 0.0 } else { hits as f64 / (hits + misses) as f64 };
    let _ = writeln!(out, "dorama_cache_hit_ratio {ratio}");
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out)
}
