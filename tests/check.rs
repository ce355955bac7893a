//! `check` finds each kind of damage it claims to, and a damaged index never takes the server
//! down: a truncated file stops it from starting with a message naming the file; an altered
//! one is found by `check`, and requests that read it get an answer (a 500 at worst) while the
//! rest is served.

mod common;
use dorama_search::check::check;
use dorama_search::engine::{Engine, Options};
use dorama_search::record::Kind;
use std::path::{Path, PathBuf};

/// The sample corpus indexed in a directory no engine holds any more, with its ratings' file.
fn built() -> (tempfile::TempDir, PathBuf) {
    let (dir, engine) = common::sample_engine();
    engine.save_ratings().unwrap().expect("a ratings file is written");
    drop(engine);
    let path = dir.path().to_path_buf();
    (dir, path)
}

/// The biggest file of the index with this extension (the one most records live in).
fn biggest(dir: &Path, ext: &str) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == ext)).collect();
    files.sort_by_key(|p| std::fs::metadata(p).unwrap().len());
    files.pop().unwrap()
}

/// Flips bytes through the middle of a file, leaving its length and footer.
fn alter(file: &Path) {
    let mut bytes = std::fs::read(file).unwrap();
    let n = bytes.len();
    for b in &mut bytes[n / 4..n / 2] {
        *b ^= 0x5A;
    }
    std::fs::write(file, bytes).unwrap();
}

#[test]
fn a_sound_index_has_no_problems() {
    let (_d, dir) = built();
    let report = check(&dir).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(report.documents > 2000);
}

#[test]
fn a_ratings_file_that_disagrees_with_the_index_is_named() {
    use dorama_search::rank::ratings::stored::{open, write, Opened, Stamp};
    let (_d, dir) = built();
    let engine = Engine::open_read_only(&dir, Options::default()).unwrap();
    let stamp = Stamp { commit: engine.commit_number(), docs: engine.store().num_docs() };
    drop(engine);
    let path = dir.join(dorama_search::index::RATINGS_FILE);
    let Opened::Ratings(mut ratings) = open(&path, stamp).unwrap() else { panic!("the file is of this commit") };
    // A file whose checksum is sound but whose count is not what the index says.
    ratings.upsert(&dorama_search::rank::RatingEvent { key: "comment:not-in-the-index".into(), drama_id: common::SEED.into(), user: "nobody".into(), rating: 1, seq: 1 << 40 });
    write(&ratings, stamp, &path).unwrap();
    let report = check(&dir).unwrap();
    let named = format!("{}: drama {}", path.display(), common::SEED);
    assert!(report.problems.iter().any(|p| p.starts_with(&named)), "{:?}", report.problems);
}

#[test]
fn an_altered_segment_file_is_found_by_its_checksum() {
    let (_d, dir) = built();
    let store = biggest(&dir, "store");
    alter(&store);
    let report = check(&dir).unwrap();
    let named = format!("{}: checksum mismatch", store.display());
    assert!(report.problems.iter().any(|p| p.starts_with(&named)), "{:?}", report.problems);
}

#[test]
fn a_truncated_segment_file_is_named_by_check_and_the_engine_refuses_to_open() {
    let (_d, dir) = built();
    let term = biggest(&dir, "term");
    let f = std::fs::OpenOptions::new().write(true).open(&term).unwrap();
    f.set_len(100).unwrap();
    drop(f);
    let report = check(&dir).unwrap();
    assert!(report.problems.iter().any(|p| p.contains(&term.display().to_string()) && p.contains("damaged")), "{:?}", report.problems);
    let err = Engine::open(&dir, Options::default()).err().expect("a truncated index does not open").to_string();
    assert!(err.contains(&term.display().to_string()) && err.contains("is damaged"), "{err}");
}

#[test]
fn texts_about_a_deleted_drama_are_named() {
    let (_d, engine) = common::seeded_engine();
    let dir = engine.store().dir().to_path_buf();
    assert!(engine.delete(Kind::Drama, common::SEED).unwrap());
    let report = check(&dir).unwrap();
    let dangling: Vec<&String> = report.problems.iter().filter(|p| p.contains(&format!("refers to drama {:?}, which does not exist", common::SEED))).collect();
    assert!(dangling.len() >= 30, "{:?}", report.problems);
    assert!(dangling.iter().any(|p| p.starts_with("review ")), "{dangling:?}");
}

/// A review whose rating column says something else than its stored record (as an index
/// written by a build that indexed ratings wrongly would): the Top 100 would rank from the
/// column, so `check` names the drama.
#[test]
fn ratings_columns_that_disagree_with_the_stored_records_are_named() {
    use tantivy::schema::Value;
    let (_d, dir) = built();
    let index = tantivy::Index::open_in_dir(&dir).unwrap();
    dorama_search::index::schema::register_tokenizers(&index, &dorama_search::analysis::Japanese::shared().unwrap());
    let fields = dorama_search::index::schema::fields_of(&index.schema()).unwrap();
    let reader = index.reader().unwrap();
    let searcher = reader.searcher();
    let key = format!("review:{}-r16", common::SEED);
    let hits = searcher
        .search(&tantivy::query::TermQuery::new(tantivy::Term::from_field_text(fields.key, &key), tantivy::schema::IndexRecordOption::Basic), &tantivy::collector::TopDocs::with_limit(1).order_by_score())
        .unwrap();
    let doc: tantivy::TantivyDocument = searcher.doc(hits[0].1).unwrap();
    let mut altered = tantivy::TantivyDocument::new();
    for (field, value) in doc.field_values() {
        if field == fields.rating {
            altered.add_u64(field, 1);
        } else if let Some(s) = value.as_str() {
            altered.add_text(field, s);
        } else if let Some(n) = value.as_u64() {
            altered.add_u64(field, n);
        }
    }
    let mut writer: tantivy::IndexWriter = index.writer(20_000_000).unwrap();
    writer.delete_term(tantivy::Term::from_field_text(fields.key, &key));
    writer.add_document(altered).unwrap();
    writer.commit().unwrap();
    drop(writer);
    let report = check(&dir).unwrap();
    assert!(
        report.problems.iter().any(|p| p.starts_with(&format!("drama {}: the Top 100 counts", common::SEED))),
        "{:?}",
        report.problems
    );
}

/// The server on an index with an altered document store: every request gets an answer (200,
/// or a 500 with a message when it reads the damage), none takes the process down, and
/// `/healthz` still answers afterwards.
#[tokio::test]
async fn a_server_on_an_altered_index_answers_every_request_and_keeps_serving() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let (_d, dir) = built();
    // Where the damage lands decides whether the engine can open (it reads the dramas' stored
    // records at start) and whether a search reads it. Damage a window of the biggest store
    // at a time until one lets the index open and a search reads the damage: a test
    // that let the index refuse, or the searches miss, would pass without reaching the 500s
    // it is about.
    let store = biggest(&dir, "store");
    let original = std::fs::read(&store).unwrap();
    let n = original.len();
    let mut reached = None;
    for (from, to) in [(n / 4, n / 2), (n / 2, 3 * n / 4), (n / 8, n / 4), (3 * n / 4, n - n / 16), (n / 16, n / 8)] {
        let mut bytes = original.clone();
        for b in &mut bytes[from..to] {
            *b ^= 0x5A;
        }
        std::fs::write(&store, &bytes).unwrap();
        let engine = match std::panic::catch_unwind(|| Engine::open(&dir, Options::default())) {
            Err(_) => panic!("opening an altered index panicked"),
            // Refusing to start says why; try damage elsewhere.
            Ok(Err(e)) => {
                assert!(!e.to_string().is_empty());
                continue;
            }
            Ok(Ok(e)) => e,
        };
        let app = dorama_search::http::router(std::sync::Arc::new(dorama_search::http::AppState::new(std::sync::Arc::new(engine), None)));
        let mut failed = 0;
        for q in ["love", "sekachu", "drama", "tears", "hero", "i cried", "kimura", "ending", "episode", "music"] {
            let res = app.clone().oneshot(Request::get(format!("/api/search?q={}&limit=100", q.replace(' ', "+"))).body(Body::empty()).unwrap()).await.unwrap();
            let status = res.status();
            let body = res.into_body().collect().await.unwrap().to_bytes();
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_else(|_| panic!("{q}: not JSON ({status})"));
            assert!(status == StatusCode::OK || status == StatusCode::INTERNAL_SERVER_ERROR, "{q}: {status} {v}");
            if status != StatusCode::OK {
                failed += 1;
                assert_eq!(v["error"], "internal error; see the server log", "a 500 leaks nothing");
            }
        }
        eprintln!("damage at {from}..{to}: {failed} of 10 searches read it");
        if failed > 0 {
            reached = Some(app);
            break;
        }
    }
    let app = reached.expect("no window of damage both let the index open and was read by a search: the test does not reach the 500s it is about");
    let res = app.clone().oneshot(Request::get("/healthz").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
