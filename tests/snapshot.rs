//! Online snapshots: a copy of the index as of one commit, taken while the engine ingests,
//! opens as a working index with every record acknowledged before the snapshot began, on the
//! same file system (hard links) and on another (copies).

mod common;
use dorama_search::engine::{Engine, Options};
use dorama_search::index::snapshot;
use dorama_search::record::{parse_ndjson, Kind};
use dorama_search::search::{Scope, SearchRequest};
use std::sync::Mutex;

fn post_batch(i: usize) -> String {
    (0..20)
        .map(|j| format!(r#"{{"type":"post","id":"snap-{i}-{j}","topic":"t","author":"a","body":"written while snapshotting"}}"#))
        .collect::<Vec<_>>()
        .join("\n")
}

fn opens_and_answers(dir: &std::path::Path) -> Engine {
    let e = Engine::open(dir, Options::default()).unwrap();
    let req = SearchRequest { q: "sekachu".into(), scope: Scope::Site(None), limit: 5, offset: 0, refine: Default::default() };
    assert_eq!(e.search_uncached(&req).unwrap().hits[0].id, common::SEED);
    e
}

#[test]
fn snapshots_taken_under_ingest_hold_every_acknowledged_record_and_whole_commits() {
    let (dir, engine) = common::seeded_engine();
    let out = tempfile::tempdir().unwrap();
    let acked: Mutex<Vec<usize>> = Mutex::new(Vec::new());
    let batches = 40;
    let mut taken = Vec::new();
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..batches {
                engine.ingest(parse_ndjson("live", &post_batch(i)).unwrap()).unwrap();
                acked.lock().unwrap().push(i);
            }
        });
        for n in 0..8 {
            let before: Vec<usize> = acked.lock().unwrap().clone();
            let dest = out.path().join(format!("snap-{n}"));
            let snap = snapshot::take(dir.path(), &dest).unwrap();
            assert!(snap.linked, "a snapshot beside the index is made of hard links");
            taken.push((dest, before));
            std::thread::sleep(std::time::Duration::from_millis(15));
        }
    });
    // The engine is still the index's writer; each snapshot opens on its own.
    for (dest, before) in taken {
        let e = opens_and_answers(&dest);
        for i in &before {
            assert!(e.get(Kind::Post, &format!("snap-{i}-0")).unwrap().is_some(), "batch {i} was acknowledged before {}", dest.display());
            assert!(e.get(Kind::Post, &format!("snap-{i}-19")).unwrap().is_some());
        }
        let posts = e.count_kind(Kind::Post).unwrap();
        let seeded = engine.count_kind(Kind::Post).unwrap() - batches * 20;
        assert_eq!((posts - seeded) % 20, 0, "{}: a snapshot holds whole commits", dest.display());
        assert!(!std::path::PathBuf::from(format!("{}.partial", dest.display())).exists());
    }
    // Nothing of the staging is left in the index.
    assert!(std::fs::read_dir(dir.path()).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().starts_with(".snapshot")));
}

#[test]
fn a_snapshot_on_another_file_system_is_copied_and_opens() {
    use std::os::unix::fs::MetadataExt;
    let (dir, _engine) = common::seeded_engine();
    let shm = std::path::Path::new("/dev/shm");
    let other = shm.is_dir() && std::fs::metadata(shm).unwrap().dev() != std::fs::metadata(dir.path()).unwrap().dev();
    if !other {
        eprintln!("skipped: no second file system (/dev/shm) to copy to");
        return;
    }
    let out = tempfile::tempdir_in(shm).unwrap();
    let dest = out.path().join("snap");
    let snap = snapshot::take(dir.path(), &dest).unwrap();
    assert!(!snap.linked, "another file system gets copies");
    assert!(snap.bytes > 0 && snap.files > 3);
    opens_and_answers(&dest);
}

#[test]
fn a_snapshot_refuses_an_existing_destination_and_a_directory_without_an_index() {
    let (dir, _engine) = common::seeded_engine();
    let out = tempfile::tempdir().unwrap();
    let err = snapshot::take(dir.path(), out.path()).unwrap_err().to_string();
    assert!(err.contains("exists already"), "{err}");
    let err = snapshot::take(&out.path().join("none"), &out.path().join("dest")).unwrap_err().to_string();
    assert!(err.contains("no index here"), "{err}");
}
