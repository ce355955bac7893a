//! The search page in a real browser: Debian's chromium, driven by playwright-core, types
//! `seka`, sees the suggestion, presses Enter, sees the seed drama, and saves a screenshot
//! (`target/screenshots/search.png`); then filters by a station facet (and goes back), sorts by
//! rating, follows a "did you mean" and opens a related drama (`tests/browser/search.mjs`).
//! `scripts/setup` installs chromium and playwright-core.

mod common;
use common::server::{free_port, start};
use std::path::Path;
use std::process::Command;

#[test]
fn typing_seka_suggests_the_seed_drama_and_enter_shows_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        Path::new("/usr/bin/chromium").exists() && root.join("tests/browser/node_modules/playwright-core").exists(),
        "chromium or playwright-core is missing: run scripts/setup"
    );
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    std::fs::create_dir_all(index.join("sample")).unwrap();
    // The whole sample, so that facets, sorts and related dramas have something to show.
    for f in std::fs::read_dir(root.join("index/sample")).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|e| e == "ndjson") {
            std::fs::copy(&f, index.join("sample").join(f.file_name().unwrap())).unwrap();
        }
    }
    let port = free_port();
    let mut server = start(&index, port, &[]);
    let shots = root.join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let out = Command::new("node")
        .arg(root.join("tests/browser/search.mjs"))
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(shots.join("search.png"))
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        out.status.success(),
        "browser run failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shots.join("search.png").metadata().unwrap().len() > 1000);
}
