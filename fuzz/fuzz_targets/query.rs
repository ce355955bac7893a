//! What a search box passes on — any text — never panics the analyzer, the query builder,
//! search or type-ahead (run against an index of the seed page's records).
#![no_main]
use dorama_search::engine::{Engine, Options};
use dorama_search::search::{Scope, SearchRequest};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let dir = Box::leak(Box::new(tempfile::tempdir().unwrap()));
        let engine = Engine::open(dir.path(), Options { cache_entries: 0, ..Options::default() }).unwrap();
        let seed = include_str!("../../index/sample/sekai-no-chuushin-de-ai-wo-sakebu.ndjson");
        engine.ingest(dorama_search::record::parse_ndjson("seed", seed).unwrap()).unwrap();
        engine
    })
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
