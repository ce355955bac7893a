//! Read-only replicas on the writer's directory (issue 18, first part): a replica takes no
//! writer lock, refuses writes with 405 naming the writer, and follows the writer's commits:
//! every acknowledged batch is visible on it within a second.

mod common;
use common::server::{free_port, request, start};
use dorama_search::index::generation::Generation;
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
    let (wport, mut writer, writer_url) = seeded_writer(&index);
    let rport = free_port();
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
    kill(&mut replica);
    kill(&mut writer);
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

/// tantivy's own list of a commit's files, less those that do not exist (it names a delete
/// file for every segment), is what a replica copies and verifies.
#[test]
fn the_files_a_replica_copies_are_the_files_tantivy_lists_for_a_commit() {
    let (dir, writer) = common::seeded_engine();
    // Deletes, until a commit holds a delete file (tantivy merges segments with deletes away
    // in the background, so one commit may have none left).
    for round in 0..50 {
        let posts: Vec<String> = (0..50).map(|i| format!(r#"{{"type":"post","id":"p{round}-{i}","topic":"t","author":"a","body":"b"}}"#)).collect();
        writer.ingest(parse_ndjson("b", &posts.join("\n")).unwrap()).unwrap();
        assert!(writer.delete(Kind::Post, &format!("p{round}-7")).unwrap());
        let ours = Generation::read(dir.path()).unwrap();
        let theirs: std::collections::BTreeSet<String> = writer
            .store()
            .index()
            .load_metas()
            .unwrap()
            .list_segment_files()
            .into_iter()
            .filter(|p| dir.path().join(p).exists())
            .map(|p| p.display().to_string())
            .collect();
        if Generation::read(dir.path()).unwrap().meta != ours.meta {
            continue; // a merge landed between the two reads
        }
        assert_eq!(ours.files.iter().cloned().collect::<std::collections::BTreeSet<_>>(), theirs, "round {round}");
        if ours.files.iter().any(|f| f.ends_with(".del")) {
            return;
        }
    }
    panic!("no commit kept a delete file");
}

/// Files copied by another tool: a commit whose `meta.json` arrived before its files, or whose
/// file is only half there, is not opened; the replica keeps serving the commit before.
#[test]
fn a_half_copied_commit_is_never_opened() {
    let (wdir, writer) = common::seeded_engine();
    let rdir = tempfile::tempdir().unwrap();
    let copy = |name: &str| std::fs::copy(wdir.path().join(name), rdir.path().join(name)).unwrap();
    for name in Generation::read(wdir.path()).unwrap().files.iter().chain(["meta.json".to_string(), "dorama-format".to_string()].iter()) {
        copy(name);
    }
    let replica = Engine::open_read_only(rdir.path(), Options::default()).unwrap();
    let before = replica.store().num_docs();
    writer.ingest(parse_ndjson("b", r#"{"type":"post","id":"half","topic":"t","author":"a","body":"qqhalfword"}"#).unwrap()).unwrap();
    let newest = Generation::read(wdir.path()).unwrap();
    let new_files: Vec<&String> = newest.files.iter().filter(|f| !rdir.path().join(f).exists()).collect();
    assert!(!new_files.is_empty());
    // meta.json first, the files not yet.
    copy("meta.json");
    let err = replica.follow().unwrap_err().to_string();
    assert!(err.contains("missing"), "{err}");
    assert_eq!(replica.store().num_docs(), before);
    // Every file there, one of them cut short.
    for f in &new_files {
        copy(f);
    }
    let store_file = new_files.iter().find(|f| f.ends_with(".store")).unwrap();
    let full = std::fs::read(wdir.path().join(store_file)).unwrap();
    std::fs::write(rdir.path().join(store_file), &full[..full.len() / 2]).unwrap();
    let err = replica.follow().unwrap_err().to_string();
    assert!(err.contains(store_file.as_str()), "{err}");
    assert_eq!(replica.store().num_docs(), before);
    // At its full length but not its bytes (a tool writing in place): only the checksum tells.
    let mut altered = full.clone();
    // Its first bytes: the footer (with the checksum) is at the end of a file this small.
    altered[..8].iter_mut().for_each(|b| *b ^= 0x5a);
    std::fs::write(rdir.path().join(store_file), &altered).unwrap();
    let err = replica.follow().unwrap_err().to_string();
    assert!(err.contains(store_file.as_str()) && err.contains("checksum"), "{err}");
    assert_eq!(replica.store().num_docs(), before);
    assert_eq!(search_total(&replica, "qqhalfword"), 0);
    // Whole at last: followed.
    copy(store_file);
    assert!(replica.follow().unwrap());
    assert_eq!(search_total(&replica, "qqhalfword"), 1);
    assert_eq!(replica.commit_number(), writer.commit_number());
}

/// GETs `path` from `port` as JSON.
fn get_json(port: u16, path: &str) -> serde_json::Value {
    let (s, body) = request(port, "GET", path, "").unwrap();
    assert_eq!(s, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// A Top 100 answer without its timing.
fn top100(port: u16) -> serde_json::Value {
    let mut v = get_json(port, "/api/top100");
    v.as_object_mut().unwrap().remove("took_us");
    v
}

/// A served writer on `dir` holding the seed page's records: its port, its process, its URL.
fn seeded_writer(dir: &std::path::Path) -> (u16, common::server::Server, String) {
    let port = free_port();
    let writer = start(dir, port, &[]);
    let (s, b) = request(port, "POST", "/api/records", &common::seed_text()).unwrap();
    assert_eq!(s, 200, "{b}");
    (port, writer, format!("http://127.0.0.1:{port}"))
}

fn kill(p: &mut std::process::Child) {
    p.kill().unwrap();
    p.wait().unwrap();
}

/// Waits until `port`'s `/healthz` has the writer's commit and documents.
fn converge(port: u16, writer: u16, within: Duration) {
    let want = get_json(writer, "/healthz");
    let started = Instant::now();
    loop {
        if let Ok((200, body)) = request(port, "GET", "/healthz", "") {
            let h: serde_json::Value = serde_json::from_str(&body).unwrap();
            if h["commit"] == want["commit"] && h["documents"] == want["documents"] {
                return;
            }
        }
        assert!(started.elapsed() < within, "the replica on {port} did not reach commit {} in {within:?}", want["commit"]);
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The issue's loopback test: one writer, two replicas that fetch from it over HTTP (both
/// starting on empty directories); while batches are ingested and searched, every acknowledged
/// record is on both replicas within a second.
#[test]
fn two_replicas_following_a_writer_over_http_see_every_acknowledged_batch_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let (wport, mut writer, url) = seeded_writer(&dir.path().join("writer"));
    let mut replicas: Vec<(u16, common::server::Server)> = (0..2)
        .map(|i| {
            let port = free_port();
            (port, start(&dir.path().join(format!("replica{i}")), port, &["--read-only", "--follow", &url]))
        })
        .collect();
    // Writes are refused, naming the writer.
    let (s, body) = request(replicas[0].0, "POST", "/api/records", &common::seed_text()).unwrap();
    assert_eq!(s, 405, "{body}");
    assert!(body.contains(&url), "{body}");
    let mut worst = Duration::ZERO;
    for i in 0..25 {
        let batch: Vec<String> = (0..4)
            .map(|j| format!(r#"{{"type":"comment","id":"http-{i}-{j}","drama_id":"{}","author":"fan{j}","rating":{},"body":"qqfollowed{i}"}}"#, common::SEED, 1 + (i + j) % 10))
            .collect();
        let (s, b) = request(wport, "POST", "/api/records", &batch.join("\n")).unwrap();
        assert_eq!(s, 200, "{b}");
        let acked = Instant::now();
        for (port, _) in &replicas {
            loop {
                let found = get_json(*port, &format!("/api/search?q=qqfollowed{i}"))["total"].as_u64() == Some(4);
                if found {
                    break;
                }
                assert!(acked.elapsed() < Duration::from_secs(1), "batch {i} not on the replica on port {port} a second after it was acknowledged");
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        worst = worst.max(acked.elapsed());
    }
    eprintln!("slowest batch to reach both replicas: {} ms", worst.as_millis());
    for (port, _) in &replicas {
        converge(*port, wport, Duration::from_secs(5));
        assert_eq!(top100(*port), top100(wport), "the replica's Top 100 is the writer's");
        let h = get_json(*port, "/healthz");
        assert_eq!((h["read_only"].as_bool(), h["behind_commits"].as_u64()), (Some(true), Some(0)), "{h}");
        let (s, metrics) = request(*port, "GET", "/metrics", "").unwrap();
        assert_eq!(s, 200);
        assert!(metrics.contains("dorama_replica_lag_commits 0"), "{metrics}");
    }
    // Replication is the writer's alone, and only with the token.
    let (s, _) = common::server::request_as(replicas[0].0, "GET", "/api/replication/manifest", "", common::server::REPLICATION_TOKEN).unwrap();
    assert_eq!(s, 403);
    for (_, p) in &mut replicas {
        kill(p);
    }
    kill(&mut writer);
}

/// Sum of the sizes of the files the writer's newest commit lists.
fn index_bytes(wport: u16) -> u64 {
    let (s, body) = common::server::request_as(wport, "GET", "/api/replication/manifest", "", common::server::REPLICATION_TOKEN).unwrap();
    assert_eq!(s, 200, "{body}");
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["files"].as_array().unwrap().iter().map(|f| f["len"].as_u64().unwrap()).sum()
}

/// Waits until some partly fetched file in the replica's directory has bytes in it.
fn wait_for_part(dir: &std::path::Path) {
    let started = Instant::now();
    loop {
        let parts = std::fs::read_dir(dir.join(dorama_search::replica::mirror::PARTS_DIR)).into_iter().flatten().flatten();
        if parts.into_iter().any(|e| e.metadata().is_ok_and(|m| m.len() > 0)) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the replica never began fetching");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `kill -9` in the middle of a fetch, twice: on an empty directory (nothing is visible: no
/// commit at all) and while fetching a newer commit (the replica's directory still opens on the
/// commit before, whole). Restarted, it resumes the cut files where they stopped and converges.
#[test]
fn a_replica_killed_in_the_middle_of_a_fetch_restarts_and_converges_with_nothing_half_visible() {
    let dir = tempfile::tempdir().unwrap();
    let wdir = dir.path().join("writer");
    std::fs::create_dir_all(wdir.join("sample")).unwrap();
    for e in std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("index/sample")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, wdir.join("sample").join(p.file_name().unwrap())).unwrap();
    }
    let wport = free_port();
    let mut writer = start(&wdir, wport, &[]);
    let url = format!("http://127.0.0.1:{wport}");
    let rdir = dir.path().join("replica");
    let rport = free_port();
    let slow = ["--read-only", "--follow", url.as_str(), "--fetch-max-bytes-per-sec", "200000"];
    let fast = ["--read-only", "--follow", url.as_str()];

    // 1. Killed during its first copy: no commit is visible.
    let mut replica = common::server::spawn(&rdir, rport, &slow);
    wait_for_part(&rdir);
    kill(&mut replica);
    assert!(!rdir.join("meta.json").exists(), "a commit became visible before all its files were there");
    let total = index_bytes(wport);
    let mut replica = start(&rdir, rport, &fast);
    converge(rport, wport, Duration::from_secs(10));
    let (_, metrics) = request(rport, "GET", "/metrics", "").unwrap();
    let fetched: f64 = metrics.lines().find_map(|l| l.strip_prefix("dorama_replication_fetched_bytes ")).unwrap().parse().unwrap();
    assert!((fetched as u64) < total, "the restart resumed instead of fetching all {total} bytes again (fetched {fetched})");
    kill(&mut replica);

    // 2. Killed while fetching a newer commit: the directory still holds the one before, whole.
    let served = Engine::open_read_only(&rdir, Options::default()).unwrap().store().num_docs();
    let batch: Vec<String> = (0..3000)
        .map(|i| format!(r#"{{"type":"post","id":"bulk-{i}","topic":"t{i}","author":"a{i}","body":"qqbulk {} {i}"}}"#, "filler words for a larger segment ".repeat(8)))
        .collect();
    let (s, b) = request(wport, "POST", "/api/records", &batch.join("\n")).unwrap();
    assert_eq!(s, 200, "{b}");
    let mut replica = common::server::spawn(&rdir, rport, &slow);
    wait_for_part(&rdir);
    kill(&mut replica);
    let reopened = Engine::open_read_only(&rdir, Options::default()).expect("the commit before is whole");
    assert_eq!(reopened.store().num_docs(), served, "the newer commit is not half visible");
    drop(reopened);
    let mut replica = start(&rdir, rport, &fast);
    converge(rport, wport, Duration::from_secs(10));
    assert_eq!(get_json(rport, "/api/search?q=qqbulk")["total"], 3000);
    assert_eq!(top100(rport), top100(wport));
    kill(&mut replica);
    kill(&mut writer);
}

/// The writer going away and coming back: the replica keeps serving what it has, says in
/// `/healthz` why it cannot reach the writer, and follows again once it is back.
#[test]
fn a_writer_restarting_does_not_break_its_replicas() {
    let dir = tempfile::tempdir().unwrap();
    let wdir = dir.path().join("writer");
    let (wport, mut writer, url) = seeded_writer(&wdir);
    let rport = free_port();
    let mut replica = start(&dir.path().join("replica"), rport, &["--read-only", "--follow", &url]);
    converge(rport, wport, Duration::from_secs(5));
    kill(&mut writer);
    // Still answering, and saying why it is not following.
    let started = Instant::now();
    loop {
        let h = get_json(rport, "/healthz");
        if h["writer_error"].is_string() {
            assert!(h["writer_error"].as_str().unwrap().contains(&url), "{h}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the replica never noticed the writer gone: {h}");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(get_json(rport, "/api/search?q=sekachu")["total"].as_u64().unwrap() > 0);
    let mut writer = start(&wdir, wport, &[]);
    let line = r#"{"type":"post","id":"after-restart","topic":"t","author":"a","body":"qqafterrestart"}"#;
    let (s, b) = request(wport, "POST", "/api/records", line).unwrap();
    assert_eq!(s, 200, "{b}");
    converge(rport, wport, Duration::from_secs(15));
    assert_eq!(get_json(rport, "/api/search?q=qqafterrestart")["total"], 1);
    assert!(get_json(rport, "/healthz").get("writer_error").is_none());
    kill(&mut replica);
    kill(&mut writer);
}

/// A replica's copy damaged on disk while it was stopped (a file at its full length, bytes
/// altered): at start the file is found by its checksum, fetched again, and the replica serves.
#[test]
fn a_replica_whose_copy_was_damaged_on_disk_fetches_the_file_again() {
    let dir = tempfile::tempdir().unwrap();
    let (wport, mut writer, url) = seeded_writer(&dir.path().join("writer"));
    let rdir = dir.path().join("replica");
    let rport = free_port();
    let mut replica = start(&rdir, rport, &["--read-only", "--follow", &url]);
    converge(rport, wport, Duration::from_secs(5));
    kill(&mut replica);
    let store_file = Generation::read(&rdir).unwrap().files.into_iter().find(|f| f.ends_with(".store")).unwrap();
    let mut bytes = std::fs::read(rdir.join(&store_file)).unwrap();
    bytes[..8].iter_mut().for_each(|b| *b ^= 0x5a);
    std::fs::write(rdir.join(&store_file), &bytes).unwrap();
    let mut replica = start(&rdir, rport, &["--read-only", "--follow", &url]);
    converge(rport, wport, Duration::from_secs(5));
    assert!(get_json(rport, "/api/search?q=sekachu")["total"].as_u64().unwrap() > 0);
    kill(&mut replica);
    kill(&mut writer);
}

/// Runs `serve` with these tokens until it exits (it must, within a minute): its status and
/// what it printed.
fn serve_exits(index: &std::path::Path, admin: &str, replication: &str, extra: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dorama-search"))
        .args(["serve", "--addr", &format!("127.0.0.1:{}", free_port()), "--index"])
        .arg(index)
        .args(extra)
        .env("DORAMA_ADMIN_TOKEN", admin)
        .env("DORAMA_REPLICATION_TOKEN", replication)
        .env("DORAMA_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            return (status, err);
        }
        if started.elapsed() > Duration::from_secs(60) {
            kill(&mut child);
            panic!("serve did not exit");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_writer_refuses_to_start_with_the_admin_token_as_its_replication_token() {
    let dir = tempfile::tempdir().unwrap();
    let (status, err) = serve_exits(&dir.path().join("ix"), "same-token", "same-token", &[]);
    assert!(!status.success());
    assert!(err.contains("DORAMA_ADMIN_TOKEN and DORAMA_REPLICATION_TOKEN are the same"), "{err}");
}

/// A new replica whose token the writer refuses stops at once, saying which variable to fix,
/// instead of asking again forever without serving.
#[test]
fn a_new_replica_with_a_wrong_token_stops_and_names_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let (_wport, mut writer, url) = seeded_writer(&dir.path().join("writer"));
    let (status, err) = serve_exits(&dir.path().join("replica"), "admin", "not-the-writers-token", &["--read-only", "--follow", &url]);
    assert!(!status.success());
    assert!(err.contains("401") && err.contains("DORAMA_REPLICATION_TOKEN"), "{err}");
    kill(&mut writer);
}

/// A replica following a writer that later refuses its token (the writer restarted with
/// another) keeps serving what it has, and its `/healthz` says `refused` with a 503.
#[test]
fn a_replica_whose_writer_starts_refusing_its_token_says_so_in_healthz() {
    let dir = tempfile::tempdir().unwrap();
    let windex = dir.path().join("writer");
    let (wport, mut writer, url) = seeded_writer(&windex);
    let rport = free_port();
    let mut replica = start(&dir.path().join("replica"), rport, &["--read-only", "--follow", &url]);
    converge(rport, wport, Duration::from_secs(10));
    kill(&mut writer);
    let mut writer = std::process::Command::new(env!("CARGO_BIN_EXE_dorama-search"))
        .args(["serve", "--addr", &format!("127.0.0.1:{wport}"), "--index"])
        .arg(&windex)
        .env("DORAMA_ADMIN_TOKEN", common::server::TOKEN)
        .env("DORAMA_REPLICATION_TOKEN", "a-new-replication-token")
        .env("DORAMA_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let health = loop {
        let (s, body) = request(rport, "GET", "/healthz", "").unwrap();
        let h: serde_json::Value = serde_json::from_str(&body).unwrap();
        if h["status"] == "refused" {
            assert_eq!(s, 503, "{h}");
            break h;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the replica never said its token is refused: {h}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(health["writer_error"].as_str().unwrap().contains("401"), "{health}");
    assert_eq!(request(rport, "GET", &format!("/api/records/drama/{}", common::SEED), "").unwrap().0, 200, "it still serves what it has");
    kill(&mut replica);
    kill(&mut writer);
}
