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
