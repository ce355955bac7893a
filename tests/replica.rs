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

/// A small deterministic generator, so a failing round can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Every Top 100 list, the catalog and the counts, as JSON: what must be equal between a
/// replica that followed commit by commit and an engine opened fresh on the same commit.
fn state_of(e: &Engine) -> String {
    use dorama_search::rank::Scope;
    let mut scopes = vec![Scope::All];
    let mut dramas = e.store().all_dramas().unwrap();
    dramas.sort_by(|a, b| a.id.cmp(&b.id));
    for d in &dramas {
        scopes.extend(d.season.clone().map(Scope::Season));
        scopes.extend(d.start.as_deref().and_then(|s| s.get(..4)?.parse().ok()).map(Scope::Year));
    }
    scopes.dedup();
    let lists: Vec<String> = scopes.iter().map(|s| serde_json::to_string(&*e.top100_uncached(s)).unwrap()).collect();
    format!("{} dramas, {} documents\n{}", e.num_dramas(), e.store().num_docs(), lists.join("\n"))
}

/// The replica moves its catalog, ratings and lists by the difference between commits (records
/// gone, segments added); through re-ratings, ratings taken away, deletions, votes, a drama
/// moved to another season and tantivy's merges, it must end where a fresh start ends.
#[test]
fn a_replica_following_by_differences_matches_an_engine_opened_fresh_on_every_commit() {
    let (dir, writer) = common::sample_engine();
    let replica = Engine::open_read_only(dir.path(), Options::default()).unwrap();
    let dramas = writer.store().all_dramas().unwrap();
    let mut rng = Lcg(18);
    let (mut merged, mut most_segments) = (false, 0);
    let mut reviews: Vec<String> = Vec::new();
    for round in 0..40 {
        let mut lines = Vec::new();
        for _ in 0..1 + rng.below(6) {
            let drama = &dramas[rng.below(dramas.len())].id;
            let user = format!("fan{}", rng.below(12));
            match rng.below(6) {
                // A new review, or one already made again with another rating (or none).
                0 | 1 => {
                    let id = if reviews.is_empty() || rng.below(2) == 0 {
                        reviews.push(format!("r{round}-{}", lines.len()));
                        reviews.last().unwrap().clone()
                    } else {
                        reviews[rng.below(reviews.len())].clone()
                    };
                    let rating = rng.below(11);
                    let rating = if rating == 0 { String::new() } else { format!(r#","rating":{rating}"#) };
                    lines.push(format!(r#"{{"type":"review","id":"{id}","drama_id":"{drama}","author":"{user}","body":"b"{rating}}}"#));
                }
                // The same user rating the same drama in a comment too: the later one counts.
                2 => lines.push(format!(r#"{{"type":"comment","id":"c{round}-{}","drama_id":"{drama}","author":"{user}","rating":{},"body":"c"}}"#, lines.len(), 1 + rng.below(10))),
                3 => lines.push(format!(r#"{{"type":"vote","drama_id":"{drama}","user":"{user}","body":"v"}}"#)),
                // A drama moved to another season.
                4 => {
                    let mut d = dramas[rng.below(dramas.len())].clone();
                    d.season = Some(["Winter 2001", "Fall 2005", "Summer 2004"][rng.below(3)].to_string());
                    lines.push(serde_json::to_string(&dorama_search::record::Record::Drama(d)).unwrap());
                }
                _ => {
                    if !reviews.is_empty() {
                        let id = reviews.swap_remove(rng.below(reviews.len()));
                        writer.delete(Kind::Review, &id).unwrap();
                    }
                }
            }
        }
        if !lines.is_empty() {
            writer.ingest(parse_ndjson("round", &lines.join("\n")).unwrap()).unwrap();
        }
        let before = replica.store().searcher().segment_readers().len();
        most_segments = most_segments.max(before);
        replica.follow().unwrap();
        let after = replica.store().searcher().segment_readers().len();
        merged |= after < before;
        let fresh = Engine::open_read_only(dir.path(), Options::default()).unwrap();
        assert_eq!(state_of(&replica), state_of(&fresh), "round {round}");
        assert_eq!(replica.commit_number(), writer.commit_number(), "round {round}");
    }
    assert_eq!(state_of(&replica), state_of(&writer));
    assert!(merged, "no merge was followed (at most {most_segments} segments)");
}
