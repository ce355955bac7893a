//! The search page in a real browser: Debian's chromium, driven by playwright-core, types
//! `seka`, sees the suggestion, presses Enter, sees the seed drama, and saves a screenshot
//! (`target/screenshots/search.png`); then filters by a station facet (and goes back), sorts by
//! rating, follows a "did you mean", opens a related drama, and checks what fans ran into:
//! errors shown inline, Escape and the combobox's ARIA, paging, wording, group order, the
//! Top 100's headers and season menu, mojibake, the drama page, the landing page, and the
//! widget embedded with its state in memory (`tests/browser/search.mjs`). A second run saves
//! screenshots at 1280 and 375 px and checks the narrow layout (`tests/browser/shots.mjs`).
//! `scripts/setup` installs chromium and playwright-core.

mod common;
use common::server::{free_port, start};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// One chromium at a time: the machine may have two cores.
static BROWSER: Mutex<()> = Mutex::new(());

/// Starts the real server on the whole sample (so that facets, sorts and related dramas have
/// something to show) and runs `node tests/browser/SCRIPT BASE_URL OUT`.
fn run(script: &str, out: &Path) {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        Path::new("/usr/bin/chromium").exists() && root.join("tests/browser/node_modules/playwright-core").exists(),
        "chromium or playwright-core is missing: run scripts/setup"
    );
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    std::fs::create_dir_all(index.join("sample")).unwrap();
    for f in std::fs::read_dir(root.join("index/sample")).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|e| e == "ndjson") {
            std::fs::copy(&f, index.join("sample").join(f.file_name().unwrap())).unwrap();
        }
    }
    let port = free_port();
    let mut server = start(&index, port, &[]);
    let result = Command::new("node")
        .arg(root.join("tests/browser").join(script))
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(out)
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        result.status.success(),
        "browser run of {script} failed:\n{}\n{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
}

fn shots() -> PathBuf {
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    shots
}

#[test]
fn typing_seka_suggests_the_seed_drama_and_enter_shows_it() {
    let shot = shots().join("search.png");
    run("search.mjs", &shot);
    assert!(shot.metadata().unwrap().len() > 1000);
}

#[test]
fn search_drama_and_top100_render_at_1280_and_375_px() {
    let dir = shots();
    run("shots.mjs", &dir);
    for view in ["search", "drama", "top100", "home"] {
        for width in [1280, 375] {
            let shot = dir.join(format!("{view}-{width}.png"));
            assert!(shot.metadata().is_ok_and(|m| m.len() > 1000), "no screenshot {}", shot.display());
        }
    }
}
