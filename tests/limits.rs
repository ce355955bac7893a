//! Every limit the README documents, checked by behaviour where it can be, so that changing
//! one without changing the README fails here. (The query, limit and offset caps, the 403/401
//! answers and the error messages of the HTTP API are in `tests/http.rs`; the bounded totals
//! in `tests/topk.rs`.)

mod common;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use dorama_search::http::{router, AppState, MAX_BODY_BYTES};
use dorama_search::record::parse_ndjson;
use dorama_search::search::{Scope, SearchRequest};
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

/// "Request bodies are capped at 32 MiB (413)": a body of exactly 32 MiB is read (and refused
/// as not NDJSON, 400); one byte more is 413, as JSON.
#[tokio::test]
async fn request_bodies_are_capped_at_32_mib_with_413() {
    assert_eq!(MAX_BODY_BYTES, 32 * 1024 * 1024);
    let (_d, engine) = common::empty_engine();
    let app = router(Arc::new(AppState::new(Arc::new(engine), Some("t".into()))));
    for (len, want) in [(MAX_BODY_BYTES, StatusCode::BAD_REQUEST), (MAX_BODY_BYTES + 1, StatusCode::PAYLOAD_TOO_LARGE)] {
        let req = Request::post("/api/records").header("authorization", "Bearer t").body(Body::from(vec![b'x'; len])).unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), want, "{len} bytes");
        let v: serde_json::Value = serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
        assert!(v["error"].is_string(), "{v}");
    }
}

/// "at most 16 words": a 17th word is not searched for. Review A holds sixteen words, review
/// B only a seventeenth. Asked all seventeen, the search finds A alone (had the 17th counted,
/// no review would hold every word and any word would do, finding B too); asked fifteen of
/// A's and B's word, sixteen in all, it has to fall back to any word and finds both.
#[test]
fn a_query_is_at_most_16_words() {
    assert_eq!(dorama_search::search::query::MAX_WORDS, 16);
    let (_d, e) = common::empty_engine();
    let sixteen = "kab keb kib kob kub gab geb gib gob gub sab seb sib sob sub tab";
    let lines = [
        r#"{"type":"drama","id":"qq","title":"Qqdrama"}"#.to_string(),
        format!(r#"{{"type":"review","id":"a","drama_id":"qq","author":"a","rating":5,"body":"{sixteen}"}}"#),
        r#"{"type":"review","id":"b","drama_id":"qq","author":"b","rating":5,"body":"zuz"}"#.to_string(),
    ];
    e.ingest(parse_ndjson("t", &lines.join("\n")).unwrap()).unwrap();
    let ids = |q: String| {
        let res = e.search_uncached(&SearchRequest { q, scope: Scope::Site(None), limit: 10, offset: 0, refine: Default::default() }).unwrap();
        let mut ids: Vec<String> = res.hits.into_iter().map(|h| h.id).collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(format!("{sixteen} zuz")), ["a"], "17 words");
    let fifteen: Vec<&str> = sixteen.split(' ').take(15).collect();
    assert_eq!(ids(format!("{} zuz", fifteen.join(" "))), ["a", "b"], "16 words");
}

/// "typo expansion only for words of 5 to 32 letters" and "1 edit from 5 letters, 2 from 9".
#[test]
fn typos_are_one_edit_from_5_letters_and_two_from_9() {
    use dorama_search::search::query::typo_distance;
    for (word, edits) in [("abc", 0), ("abcd", 0), ("abcde", 1), ("abcdefgh", 1), ("abcdefghi", 2), ("abcdefghijklmn", 2), (&"a".repeat(32), 2), (&"a".repeat(33), 0)] {
        assert_eq!(typo_distance(word), edits, "{word}");
    }
}

/// "`total` is exact up to 10,000 matches" (the behaviour is checked in tests/topk.rs with
/// this constant).
#[test]
fn totals_are_exact_up_to_10000() {
    assert_eq!(dorama_search::search::TOTAL_CAP, 10_000);
}

/// Top 100 lists hold 100 dramas: with 101 listed dramas, the lowest is left out.
#[test]
fn a_top_list_holds_100_dramas() {
    let (_d, e) = common::empty_engine();
    let mut lines = Vec::new();
    for d in 0..101 {
        lines.push(format!(r#"{{"type":"drama","id":"d{d}","title":"D{d}","start":"2010-01-0{}"}}"#, 1 + d % 9));
        for u in 0..5 {
            let r = if d == 100 { 1 } else { 6 + (d % 4) };
            lines.push(format!(r#"{{"type":"review","id":"r{d}-{u}","drama_id":"d{d}","author":"u{u}","rating":{r},"body":"b"}}"#));
        }
    }
    e.ingest(parse_ndjson("t", &lines.join("\n")).unwrap()).unwrap();
    let top = e.top100_uncached(&dorama_search::rank::Scope::All);
    assert_eq!(top.entries.len(), 100);
    assert!(top.entries.iter().all(|x| x.id != "d100"), "the lowest-rated drama is listed");
    assert_eq!(top.entries.last().unwrap().rank, 100);
}

/// "Every flag and its variable are listed by `dorama-search <command> --help`", with the
/// documented defaults (127.0.0.1:7700, a 30 s request timeout, `index/`).
#[test]
fn serve_help_lists_every_variable_and_the_documented_defaults() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dorama-search")).args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for var in ["DORAMA_INDEX", "DORAMA_ADDR", "DORAMA_CACHE_ENTRIES", "DORAMA_CACHE_MIB", "DORAMA_SEARCH_DEADLINE_MS", "DORAMA_SNAPSHOT_DIR", "DORAMA_REQUEST_TIMEOUT_MS", "DORAMA_TOP_M", "DORAMA_TOP_MIN_VOTES"] {
        assert!(help.contains(&format!("env: {var}")), "{var} missing from serve --help:\n{help}");
    }
    for default in ["[default: 127.0.0.1:7700]", "[default: 30000]", "[default: index]"] {
        assert!(help.contains(default), "{default} missing from serve --help:\n{help}");
    }
    assert_eq!(dorama_search::http::REQUEST_TIMEOUT, std::time::Duration::from_secs(30));
}

/// "A search runs under a deadline (10 s; `--search-deadline-ms`)": one past it stops and is
/// answered 503 `deadline_exceeded`, not with what it found so far; the same search without
/// the deadline answers.
#[tokio::test]
async fn a_search_past_its_deadline_stops_and_answers_503() {
    use dorama_search::engine::{Options, DEFAULT_SEARCH_DEADLINE};
    assert_eq!(DEFAULT_SEARCH_DEADLINE, std::time::Duration::from_secs(10));
    let dir = tempfile::tempdir().unwrap();
    {
        let e = dorama_search::engine::Engine::open(dir.path(), Options::default()).unwrap();
        e.ingest(dorama_search::record::parse_ndjson("seed", &common::seed_text()).unwrap()).unwrap();
    }
    let expired = Options { search_deadline: Some(std::time::Duration::ZERO), cache_entries: 0, ..Options::default() };
    let engine = dorama_search::engine::Engine::open(dir.path(), expired).unwrap();
    let app = router(Arc::new(AppState::new(Arc::new(engine), None)));
    let res = app.oneshot(Request::get("/api/search?q=love").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v: serde_json::Value = serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(v["code"], "deadline_exceeded", "{v}");
    drop(v);
    let engine = dorama_search::engine::Engine::open(dir.path(), Options { cache_entries: 0, ..Options::default() }).unwrap();
    let req = dorama_search::search::SearchRequest { q: "love".into(), scope: dorama_search::search::Scope::Site(None), limit: 5, offset: 0, refine: Default::default() };
    assert!(engine.search_uncached(&req).unwrap().total > 0);
}
