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
    let (dir, ix) = seeded_index();
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
    let v = search_json(&ix, &["--kind", "drama"], "zz");
    assert_eq!(v["total"], 0, "{v}");
    let v = search_json(&ix, &[], "sekachu");
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
    let (_dir, ix) = seeded_index();
    std::fs::write(ix.join("dorama-format"), "dorama 0; tantivy 0.26; columns zstd\n").unwrap();
    let out = bin().args(["search", "--index"]).arg(&ix).arg("sekachu").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "an error exit, not a panic");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another version of dorama-search") && err.contains("dorama 0; tantivy 0.26"), "{err}");
    assert!(
        err.contains("dorama-search export --index") && err.contains("dorama-search index --index NEW_DIR records.ndjson"),
        "the README promises a message saying how to move to this version: {err}"
    );
    assert!(err.contains(dorama_search::analysis::fingerprint()), "the message names the mark this build writes: {err}");
    assert!(!err.contains("git clean"), "no sample here, nothing to refill it from: {err}");
    // A directory that also holds `sample/` (the repository's `index/`) is told how to refill
    // it from the sample instead.
    std::fs::create_dir(ix.join("sample")).unwrap();
    let out = bin().args(["search", "--index"]).arg(&ix).arg("sekachu").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("git clean -fX") && err.contains("`serve` fills it again"), "{err}");
    std::fs::remove_dir(ix.join("sample")).unwrap();
    std::fs::remove_file(ix.join("dorama-format")).unwrap();
    let out = bin().args(["search", "--index"]).arg(&ix).arg("sekachu").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no format mark"));
}

#[test]
fn export_writes_a_dump_that_index_reads_back_and_refuses_a_directory_without_an_index() {
    let (dir, ix) = seeded_index();
    let dump = dir.path().join("records.ndjson");
    let out = bin().args(["export", "--json", "--index"]).arg(&ix).arg("--out").arg(&dump).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = v["exported"].as_u64().unwrap();
    assert_eq!(std::fs::read_to_string(&dump).unwrap().lines().count() as u64, n);
    assert!(!dump.with_extension("partial").exists());
    let copy = dir.path().join("copy");
    let out = bin().args(["index", "--index"]).arg(&copy).arg(&dump).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(search_json(&copy, &[], "sekachu")["hits"][0]["id"], common::SEED);
    // Scores to a thousandth: a word looked up by several terms (`love`, `~love`) sums their
    // scores in an order that may differ between two indexes of the same records.
    let rounded = |mut v: serde_json::Value| {
        for h in v["hits"].as_array_mut().unwrap() {
            h["score"] = serde_json::json!(format!("{:.3}", h["score"].as_f64().unwrap()));
        }
        v
    };
    assert_eq!(rounded(search_json(&copy, &[], "love")), rounded(search_json(&ix, &[], "love")));
    let out = bin().args(["export", "--index"]).arg(dir.path().join("nothing")).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nothing") && err.contains("no index here"), "{err}");
}

#[test]
fn snapshot_copies_the_index_into_a_new_directory_that_search_opens() {
    let (dir, ix) = seeded_index();
    let dest = dir.path().join("snap");
    let out = bin().args(["snapshot", "--json", "--index"]).arg(&ix).arg(&dest).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["linked"], true, "{v}");
    assert_eq!(search_json(&dest, &[], "sekachu")["hits"][0]["id"], common::SEED);
    let out = bin().args(["snapshot", "--index"]).arg(&ix).arg(&dest).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists already"));
}

#[test]
fn check_exits_zero_on_a_sound_index_and_two_with_a_line_per_problem() {
    let (_dir, ix) = seeded_index();
    let out = bin().args(["check", "--json", "--index"]).arg(&ix).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["problems"], serde_json::json!([]));
    let store = std::fs::read_dir(&ix).unwrap().map(|e| e.unwrap().path()).find(|p| p.extension().is_some_and(|x| x == "store")).unwrap();
    let mut bytes = std::fs::read(&store).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xFF;
    std::fs::write(&store, bytes).unwrap();
    let out = bin().args(["check", "--index"]).arg(&ix).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let lines = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(lines.lines().any(|l| l.starts_with(&format!("{}: checksum mismatch", store.display()))), "{lines}");
}

#[test]
fn index_and_import_page_report_what_they_applied_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    let out = bin().args(["index", "--json", "--index"]).arg(&ix).arg(common::seed_path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["indexed"].as_u64().unwrap() > 50, "{v}");
    assert_eq!(v["index"], ix.display().to_string());
    assert!(v["took_ms"].is_u64(), "{v}");
    let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/jdorama-sekai-no-chuushin.txt");
    let out = bin().args(["import-page", "--json", "--index"]).arg(&ix).arg(&page).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["imported"].as_u64(), v["pages"].as_u64()), (Some(91), Some(1)), "{v}");
}

/// A temporary directory with an index of the seed records in `ix` below it.
fn seeded_index() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    assert!(bin().args(["index", "--index"]).arg(&ix).arg(common::seed_path()).status().unwrap().success());
    (dir, ix)
}

fn search_json(ix: &std::path::Path, args: &[&str], q: &str) -> serde_json::Value {
    let out = bin().args(["search", "--json", "--index"]).arg(ix).args(args).arg(q).output().unwrap();
    assert!(out.status.success(), "{q}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `index` streams its files (read twice, never held whole): a bad line at the very end of the
/// last file, after valid records that the first pass already read, still leaves the index as
/// it was, and the error names that file and line.
#[test]
fn a_bad_last_line_after_valid_ones_in_another_file_applies_nothing() {
    let (dir, ix) = seeded_index();
    let good = dir.path().join("good.ndjson");
    let comments: Vec<String> = (0..500)
        .map(|i| format!(r#"{{"type":"comment","id":"qqstream{i}","drama_id":"{}","author":"a","body":"qqstreamword {i}"}}"#, common::SEED))
        .collect();
    std::fs::write(&good, comments.join("\n")).unwrap();
    let bad = dir.path().join("last.ndjson");
    std::fs::write(&bad, "{\"type\":\"comment\",\"id\":\"ok\",\"drama_id\":\"sekai-no-chuushin-de-ai-wo-sakebu\",\"body\":\"fine\"}\n{\"type\":\"comment\",\"id\":\"x\",\"drama_id\":\"no-such-drama\",\"body\":\"b\"}\n").unwrap();
    let out = bin().args(["index", "--index"]).arg(&ix).arg(&good).arg(&bad).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("last.ndjson:2:") && err.contains("unknown drama \"no-such-drama\""), "{err}");
    assert_eq!(search_json(&ix, &[], "qqstreamword")["total"], 0);
    assert_eq!(search_json(&ix, &[], "sekachu")["hits"][0]["id"], common::SEED);
    // The same files without the bad line go in whole.
    std::fs::write(&bad, "{\"type\":\"comment\",\"id\":\"ok\",\"drama_id\":\"sekai-no-chuushin-de-ai-wo-sakebu\",\"body\":\"fine\"}\n").unwrap();
    let out = bin().args(["index", "--index"]).arg(&ix).arg(&good).arg(&bad).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("indexed 501 records"));
    assert_eq!(search_json(&ix, &[], "qqstreamword")["total"], 500);
}

/// A record given twice in one run, or again after an earlier run, is replaced, never kept
/// twice; a review may come before the drama it is about, in an earlier file.
#[test]
fn records_given_again_replace_the_earlier_ones_and_order_across_files_does_not_matter() {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    let first = dir.path().join("a.ndjson");
    let second = dir.path().join("b.ndjson");
    std::fs::write(&first, concat!(
        r#"{"type":"review","id":"r1","drama_id":"zz-later","author":"u","rating":8,"body":"qqoldtext"}"#, "\n",
        r#"{"type":"review","id":"r1","drama_id":"zz-later","author":"u","rating":9,"body":"qqnewtext"}"#, "\n",
    )).unwrap();
    std::fs::write(&second, r#"{"type":"drama","id":"zz-later","title":"Zz Later","cast":[{"actor":"Qqactor Name"}]}"#).unwrap();
    let out = bin().args(["index", "--index"]).arg(&ix).arg(&first).arg(&second).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(search_json(&ix, &[], "qqoldtext")["total"], 0);
    assert_eq!(search_json(&ix, &[], "qqnewtext")["total"], 1);
    assert_eq!(search_json(&ix, &["--kind", "person"], "qqactor")["hits"][0]["id"], "qqactor-name");
    // Again, in a later run: still one review, with the latest text.
    std::fs::write(&first, r#"{"type":"review","id":"r1","drama_id":"zz-later","author":"u","rating":9,"body":"qqthirdtext"}"#).unwrap();
    assert!(bin().args(["index", "--index"]).arg(&ix).arg(&first).status().unwrap().success());
    assert_eq!(search_json(&ix, &[], "qqnewtext")["total"], 0);
    assert_eq!(search_json(&ix, &["--kind", "review"], "zz later")["total"], 0);
    assert_eq!(search_json(&ix, &[], "qqthirdtext")["total"], 1);
    let out = bin().args(["top100", "--json", "--min-votes", "1", "--index"]).arg(&ix).output().unwrap();
    let top: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(top["entries"][0]["votes"], 1, "{top}");
    assert_eq!(top["entries"][0]["mean"], 9.0, "{top}");
}

/// Read commands open an index read-only and never make one: a directory with no index is an
/// error naming it, and stays as it was (nothing created).
#[test]
fn read_commands_never_create_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-index");
    for cmd in [&["search", "love"][..], &["top100"][..]] {
        let out = bin().args(&cmd[..1]).arg("--index").arg(&missing).args(&cmd[1..]).output().unwrap();
        assert!(!out.status.success(), "{cmd:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no index here"), "{cmd:?}: {err}");
        assert!(!missing.exists(), "{cmd:?} created {}", missing.display());
    }
}

/// `search` and `top100` read an index a server is writing (as `export` and `check` do),
/// instead of refusing it as in use.
#[test]
fn read_commands_work_beside_a_running_server() {
    let (_d, ix) = seeded_index();
    let port = common::server::free_port();
    let mut server = common::server::start(&ix, port, &[]);
    let v = search_json(&ix, &[], "sekachu");
    assert_eq!(v["hits"][0]["id"], common::SEED);
    let out = bin().args(["top100", "--json", "--index"]).arg(&ix).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    server.kill().unwrap();
    server.wait().unwrap();
}

/// Output to a pipe is plain text: no `<mark>`, no HTML entities, no escape codes, and no log
/// lines on standard error for a command that succeeded.
#[test]
fn terminal_output_is_plain_text_without_markup_or_log_lines() {
    let (_d, ix) = seeded_index();
    let out = bin().args(["search", "--index"]).arg(&ix).arg("Sakutaro").env_remove("DORAMA_LOG").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Sakutaro"), "{text}");
    for markup in ["<mark>", "</mark>", "&quot;", "&#39;", "&amp;", "\x1b["] {
        assert!(!text.contains(markup), "{markup:?} in {text}");
    }
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.is_empty(), "log lines on stderr: {err}");
}

/// Every variable without a flag of its own is listed by `--help`, and `serve --help`.
#[test]
fn help_lists_the_environment() {
    for args in [&["--help"][..], &["serve", "--help"][..]] {
        let out = bin().args(args).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        for var in ["DORAMA_ADMIN_TOKEN", "DORAMA_REPLICATION_TOKEN", "DORAMA_LOG", "DORAMA_LOG_FORMAT", "DORAMA_DICTIONARY", "NO_COLOR"] {
            assert!(text.contains(var), "{args:?} lacks {var}");
        }
    }
}
