//! The ratings' file beside the index: a restart opens it instead of rebuilding the ratings
//! from the index, and never counts from a file of another commit.

mod common;
use dorama_search::engine::{Engine, Options};
use dorama_search::rank::Scope;
use dorama_search::record::parse_ndjson;

fn comment(id: &str, user: &str, rating: u8) -> String {
    format!(r#"{{"type":"comment","id":"{id}","drama_id":"{}","author":"{user}","rating":{rating},"body":"b"}}"#, common::SEED)
}

fn ingest(e: &Engine, lines: &[String]) {
    e.ingest(parse_ndjson("t", &lines.join("\n")).unwrap()).unwrap();
}

/// What the Top 100 says of the seed drama: counted ratings and their mean.
fn seed_entry(e: &Engine) -> (u32, String, u32) {
    let top = e.top100_uncached(&Scope::All);
    let entry = top.entries.iter().find(|x| x.id == common::SEED).expect("the seed drama is listed");
    (entry.votes, format!("{:.4}", entry.mean), entry.voters)
}

#[test]
fn a_restart_opens_the_ratings_file_and_counts_what_a_rebuild_counts() {
    let (dir, engine) = common::seeded_engine();
    let before = seed_entry(&engine);
    assert!(engine.save_ratings().unwrap().is_some(), "the file is written");
    assert_eq!(engine.save_ratings().unwrap(), None, "and not again for the same commit");
    drop(engine);
    let engine = Engine::open(dir.path(), Options::default()).unwrap();
    assert_eq!(engine.save_ratings().unwrap(), None, "opened from the file of this commit");
    assert_eq!(seed_entry(&engine), before);
    // A write after the restart goes through the tables rebuilt from the file.
    ingest(&engine, &[comment("after-restart", "a-new-user", 1)]);
    let (votes, _, _) = seed_entry(&engine);
    assert_eq!(votes, before.0 + 1);
}

#[test]
fn a_commit_after_the_ratings_file_was_written_is_counted_at_restart() {
    let (dir, engine) = common::seeded_engine();
    engine.save_ratings().unwrap();
    // Committed, but the process ends before it writes the file again (a crash).
    ingest(&engine, &[comment("after-save", "another-user", 1)]);
    let committed = seed_entry(&engine);
    drop(engine);
    let engine = Engine::open(dir.path(), Options::default()).unwrap();
    assert_eq!(seed_entry(&engine), committed, "rebuilt from the index, not the older file");
    assert!(engine.save_ratings().unwrap().is_some(), "the stale file is replaced");
}

#[test]
fn a_damaged_ratings_file_is_rebuilt_from_the_index() {
    let (dir, engine) = common::seeded_engine();
    let before = seed_entry(&engine);
    engine.save_ratings().unwrap();
    drop(engine);
    let path = dir.path().join(dorama_search::index::RATINGS_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    let engine = Engine::open(dir.path(), Options::default()).unwrap();
    assert_eq!(seed_entry(&engine), before);
    assert!(engine.save_ratings().unwrap().is_some(), "the damaged file is replaced");
}

/// The commit the ratings' file in `index` names (its header: magic, version, flags, commit).
fn file_commit(index: &std::path::Path) -> Option<u64> {
    let bytes = std::fs::read(index.join(dorama_search::index::RATINGS_FILE)).ok()?;
    Some(u64::from_le_bytes(bytes.get(24..32)?.try_into().ok()?))
}

fn seed_votes(port: u16) -> u64 {
    let (status, body) = common::server::request(port, "GET", "/api/top100", "").unwrap();
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["entries"].as_array().unwrap().iter().find(|e| e["id"] == common::SEED).unwrap()["votes"].as_u64().unwrap()
}

#[test]
fn a_server_killed_after_a_quiet_while_restarts_from_the_ratings_of_its_last_commit() {
    use common::server::{free_port, request, start};
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    let built = std::process::Command::new(env!("CARGO_BIN_EXE_dorama-search"))
        .args(["index", "--index"])
        .arg(&index)
        .arg(common::seed_path())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(built.success());
    let port = free_port();
    let mut server = start(&index, port, &["--ratings-quiet-ms", "100"]);
    let before = seed_votes(port);
    let (status, body) = request(port, "POST", "/api/records", &comment("quiet-1", "a-quiet-user", 9)).unwrap();
    assert_eq!(status, 200, "{body}");
    let committed: serde_json::Value = serde_json::from_str(&request(port, "GET", "/healthz", "").unwrap().1).unwrap();
    let commit = committed["commit"].as_u64().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while file_commit(&index) != Some(commit) {
        assert!(std::time::Instant::now() < deadline, "the ratings of commit {commit} were not written (file: {:?})", file_commit(&index));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let port = free_port();
    let _server = start(&index, port, &[]);
    assert_eq!(seed_votes(port), before + 1);
    assert_eq!(file_commit(&index), Some(commit), "the file still names the last commit");
}
