//! Shared set-up for the integration tests: an engine over a fresh index in a temporary
//! directory, filled with the seed page's records.
#![allow(dead_code)]

pub mod server;

use dorama_search::engine::{Engine, Options};
use dorama_search::record::parse_ndjson;
use std::path::{Path, PathBuf};

pub const SEED: &str = "sekai-no-chuushin-de-ai-wo-sakebu";

pub fn seed_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("index/sample/sekai-no-chuushin-de-ai-wo-sakebu.ndjson")
}

pub fn seed_text() -> String {
    std::fs::read_to_string(seed_path()).expect("the seed records ship in index/sample")
}

pub fn empty_engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), Options::default()).unwrap();
    (dir, engine)
}

pub fn seeded_engine() -> (tempfile::TempDir, Engine) {
    let (dir, engine) = empty_engine();
    engine.ingest(parse_ndjson("seed", &seed_text()).unwrap()).unwrap();
    (dir, engine)
}

/// An engine over the whole bundled sample corpus (what `serve` starts with).
pub fn sample_engine() -> (tempfile::TempDir, Engine) {
    sample_engine_with(|line| line.to_string())
}

/// The sample corpus with every drama's aliases (`aka`) removed: what the analyzer alone finds.
pub fn sample_engine_without_aliases() -> (tempfile::TempDir, Engine) {
    sample_engine_with(|line| {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["type"] == "drama" {
            v.as_object_mut().unwrap().remove("aka");
        }
        v.to_string()
    })
}

/// An engine over the sample corpus with each of its lines rewritten by `edit`.
pub fn sample_engine_with(edit: impl Fn(&str) -> String) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("sample");
    std::fs::create_dir_all(&sample).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("index/sample");
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        let edited: Vec<String> = text.lines().filter(|l| !l.trim().is_empty()).map(&edit).collect();
        std::fs::write(sample.join(p.file_name().unwrap()), edited.join("\n") + "\n").unwrap();
    }
    let engine = Engine::open(dir.path(), Options::default()).unwrap();
    dorama_search::engine::fill_from_sample(&engine, dir.path()).unwrap();
    (dir, engine)
}

pub fn ndjson(lines: &[&str]) -> String {
    lines.join("\n")
}
