//! The command line: `index` then `search`, and a bad file leaving the index as it was.

mod common;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dorama-search"))
}

#[test]
fn index_then_search_finds_the_seed_drama_in_every_script() {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    let out = bin().args(["index", "--index"]).arg(&ix).arg(common::seed_path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for q in ["sekai no chuushin", "Crying out Love", "世界の中心", "松本朔太郎"] {
        let out = bin().args(["search", "--json", "--kind", "drama", "--index"]).arg(&ix).arg(q).output().unwrap();
        assert!(out.status.success(), "{q}: {}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["hits"][0]["id"], common::SEED, "{q}");
    }
}

#[test]
fn index_reads_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    let mut child = bin()
        .args(["index", "--index"])
        .arg(&ix)
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(common::seed_text().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("indexed 91 records"));
}

#[test]
fn a_bad_line_names_the_file_and_line_and_leaves_the_index_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    assert!(bin().args(["index", "--index"]).arg(&ix).arg(common::seed_path()).status().unwrap().success());
    let bad = dir.path().join("bad.ndjson");
    std::fs::write(
        &bad,
        "{\"type\":\"drama\",\"id\":\"zz-new\",\"title\":\"Zz New\"}\n{\"type\":\"review\",\"id\":\"r\",\"drama_id\":\"zz-new\",\"rating\":11}\n",
    )
    .unwrap();
    let out = bin().args(["index", "--index"]).arg(&ix).arg(&bad).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.ndjson:2:") && err.contains("rating"), "{err}");
    let out = bin().args(["search", "--json", "--kind", "drama", "--index"]).arg(&ix).arg("zz").output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"], 0, "{v}");
    let out = bin().args(["search", "--json", "--index"]).arg(&ix).arg("sekachu").output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["hits"][0]["id"], common::SEED, "the earlier data is still there");
}

#[test]
fn import_page_indexes_a_saved_drama_page() {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/jdorama-sekai-no-chuushin.txt");
    let out = bin().args(["import-page", "--index"]).arg(&ix).arg(&page).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("imported 91 records"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = bin().args(["search", "--json", "--kind", "drama", "--index"]).arg(&ix).arg("世界の中心").output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["hits"][0]["id"], common::SEED);
    let broken = dir.path().join("broken.txt");
    std::fs::write(&broken, "jdorama.com Forum Index\nnothing else\n").unwrap();
    let out = bin().args(["import-page", "--index"]).arg(&ix).arg(&broken).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.txt"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn an_index_written_by_another_version_is_refused_with_a_message_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    assert!(bin().args(["index", "--index"]).arg(&ix).arg(common::seed_path()).status().unwrap().success());
    std::fs::write(ix.join("dorama-format"), "dorama 0; tantivy 0.26; columns zstd\n").unwrap();
    let out = bin().args(["search", "--index"]).arg(&ix).arg("sekachu").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "an error exit, not a panic");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another version of dorama-search") && err.contains("dorama 0; tantivy 0.26"), "{err}");
    std::fs::remove_file(ix.join("dorama-format")).unwrap();
    let out = bin().args(["search", "--index"]).arg(&ix).arg("sekachu").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no format mark"));
}
