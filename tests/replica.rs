//! Read-only replicas on the writer's directory (issue 18, first part): a replica takes no
//! writer lock, refuses writes with 405 naming the writer, and follows the writer's commits:
//! every acknowledged batch is visible on it within a second.

mod common;
use common::server::{free_port, request, start};
use dorama_search::engine::{Engine, Options};
use dorama_search::record::{parse_ndjson, Kind};
use dorama_search::search::{Scope, SearchRequest};
use std::time::{Duration, Instant};

fn search_total(e: &Engine, q: &str) -> usize {
    e.search_uncached(&SearchRequest { q: q.into(), scope: Scope::Site(None), limit: 5, offset: 0, refine: Default::default() }).unwrap().total
}

#[test]
fn a_replica_beside_the_writer_follows_its_commits_and_refuses_writes() {
    let (dir, writer) = common::seeded_engine();
    let replica = Engine::open_read_only(dir.path(), Options::default()).expect("no writer lock is needed");
    assert!(!replica.follow().unwrap(), "nothing new yet");
    let before = replica.top100_uncached(&dorama_search::rank::Scope::All);
    let batch = (0..10)
        .map(|i| format!(r#"{{"type":"comment","id":"replica-{i}","drama_id":"{}","author":"fan{i}","rating":1,"body":"qqreplicaword"}}"#, common::SEED))
        .collect::<Vec<_>>()
        .join("\n");
    writer.ingest(parse_ndjson("b", &batch).unwrap()).unwrap();
    assert_eq!(search_total(&replica, "qqreplicaword"), 0, "not before following");
    let generation = replica.generation();
    assert!(replica.follow().unwrap());
    assert!(replica.generation() > generation, "answers cached before are retired");
    assert_eq!(search_total(&replica, "qqreplicaword"), 10);
    assert!(replica.get(Kind::Comment, "replica-9").unwrap().is_some());
    // The ratings followed too: ten ratings of 1 moved the drama's Top 100 entry.
    let after = replica.top100_uncached(&dorama_search::rank::Scope::All);
    assert_ne!(serde_json::to_string(&*before).unwrap(), serde_json::to_string(&*after).unwrap());
    assert_eq!(serde_json::to_string(&*after).unwrap(), serde_json::to_string(&*writer.top100_uncached(&dorama_search::rank::Scope::All)).unwrap());
    let err = replica.ingest(parse_ndjson("b", &batch).unwrap()).unwrap_err().to_string();
    assert!(err.contains("read-only"), "{err}");
}

#[test]
fn a_served_replica_sees_every_acknowledged_batch_within_a_second_and_answers_writes_405() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    let wport = free_port();
    let mut writer = start(&index, wport, &[]);
    let (s, b) = request(wport, "POST", "/api/records", &common::seed_text()).unwrap();
    assert_eq!(s, 200, "{b}");
    let rport = free_port();
    let writer_url = format!("http://127.0.0.1:{wport}");
    let mut replica = start(&index, rport, &["--read-only", "--writer", &writer_url, "--follow-interval-ms", "50"]);
    let (s, body) = request(rport, "POST", "/api/records", &common::seed_text()).unwrap();
    assert_eq!(s, 405, "{body}");
    assert!(body.contains(&writer_url), "{body}");
    let mut worst = Duration::ZERO;
    for i in 0..20 {
        let id = format!("served-replica-{i}");
        let line = format!(r#"{{"type":"post","id":"{id}","topic":"t","author":"a","body":"followed"}}"#);
        let (s, b) = request(wport, "POST", "/api/records", &line).unwrap();
        assert_eq!(s, 200, "{b}");
        let acked = Instant::now();
        loop {
            let (s, _) = request(rport, "GET", &format!("/api/records/post/{id}"), "").unwrap();
            if s == 200 {
                break;
            }
            assert!(acked.elapsed() < Duration::from_secs(1), "batch {i} not on the replica a second after it was acknowledged");
            std::thread::sleep(Duration::from_millis(5));
        }
        worst = worst.max(acked.elapsed());
    }
    eprintln!("slowest batch to reach the replica: {} ms", worst.as_millis());
    for p in [&mut writer, &mut replica] {
        p.kill().unwrap();
        p.wait().unwrap();
    }
}

/// `/healthz` on a replica says how far behind it is, and answers 503 past `--max-lag`, until
/// it follows.
#[tokio::test]
async fn a_replica_past_its_max_lag_answers_healthz_503_until_it_follows() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let (dir, writer) = common::seeded_engine();
    let replica = std::sync::Arc::new(Engine::open_read_only(dir.path(), Options::default()).unwrap());
    let mut state = dorama_search::http::AppState::new(replica.clone(), None);
    state.max_lag = Some(Duration::from_millis(50));
    let app = dorama_search::http::router(std::sync::Arc::new(state));
    let health = |app: axum::Router| async move {
        let res = app.oneshot(Request::get("/healthz").body(Body::empty()).unwrap()).await.unwrap();
        let status = res.status();
        let v: serde_json::Value = serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
        (status, v)
    };
    let (s, v) = health(app.clone()).await;
    assert_eq!((s, v["read_only"].as_bool(), v["behind_seconds"].as_f64()), (StatusCode::OK, Some(true), Some(0.0)), "{v}");
    writer.ingest(parse_ndjson("b", r#"{"type":"post","id":"lag","topic":"t","author":"a","body":"b"}"#).unwrap()).unwrap();
    std::thread::sleep(Duration::from_millis(120));
    let (s, v) = health(app.clone()).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["status"], "behind");
    assert!(v["behind_seconds"].as_f64().unwrap() >= 0.1, "{v}");
    assert!(replica.follow().unwrap());
    let (s, v) = health(app.clone()).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("ok")), "{v}");
}
