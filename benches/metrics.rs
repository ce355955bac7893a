//! What the metrics middleware adds to a request: recording one request (a counter and a
//! histogram observation under the route's labels) against serving an uncached search of the
//! sample corpus through the real router, in the same run. The ratio is the share of an
//! uncached search that `/metrics` bookkeeping costs.

use axum::body::Body;
use axum::http::Request;
use criterion::{criterion_group, criterion_main, Criterion};
use dorama_search::engine::{Engine, Options};
use dorama_search::http::{metrics::Metrics, router, AppState};
use std::hint::black_box;
use std::sync::Arc;
use tower::ServiceExt;

fn bench(c: &mut Criterion) {
    let metrics = Metrics::default();
    c.bench_function("metrics/record_one_request", |b| b.iter(|| metrics.record(black_box("GET"), black_box("/api/search"), 200, 0.001)));

    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), Options { cache_entries: 0, ..Options::default() }).unwrap();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("index");
    dorama_search::engine::fill_from_sample(&engine, &sample).unwrap();
    let app = router(Arc::new(AppState::new(Arc::new(engine), None)));
    let rt = tokio::runtime::Runtime::new().unwrap();
    c.bench_function("metrics/uncached_search_through_the_router", |b| {
        b.iter(|| {
            rt.block_on(async {
                let res = app.clone().oneshot(Request::get("/api/search?q=love").body(Body::empty()).unwrap()).await.unwrap();
                black_box(res.status())
            })
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
