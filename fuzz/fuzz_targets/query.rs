//! What a search box passes on — any text — never panics the analyzer, the query builder,
//! search or type-ahead (run against an index of the seed page's records).
#![no_main]
use dorama_search::engine::{Engine, Options};
use dorama_search::search::{Scope, SearchRequest};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// The engine, and the directory its index lives in, for the whole fuzzing run (a static,
/// so that it stays reachable and no leak is reported at exit).
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<(tempfile::TempDir, Engine)> = OnceLock::new();
    &ENGINE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let engine = Engine::open(dir.path(), Options { cache_entries: 0, ..Options::default() }).unwrap();
            let seed = include_str!("../../index/sample/sekai-no-chuushin-de-ai-wo-sakebu.ndjson");
            engine.ingest(dorama_search::record::parse_ndjson("seed", seed).unwrap()).unwrap();
            (dir, engine)
        })
        .1
}

fuzz_target!(|data: &[u8]| {
    let q = String::from_utf8_lossy(data).into_owned();
    let e = engine();
    let _ = e.search_uncached(&SearchRequest { q: q.clone(), scope: Scope::Site(None), limit: 10, offset: 0 });
    let _ = e.search_uncached(&SearchRequest {
        q: q.clone(),
        scope: Scope::Forum("sekai-no-chuushin-de-ai-wo-sakebu".into()),
        limit: 10,
        offset: 0,
    });
    let _ = e.suggest_uncached(&q, 8);
});
