//! The core: indexing the seed page's records and finding them in every script.

mod common;
use common::*;
use dorama_search::record::{parse_ndjson, Kind, Record};
use dorama_search::search::{Scope, SearchRequest};

fn top(engine: &dorama_search::engine::Engine, q: &str, kind: Option<Kind>) -> Vec<(Kind, String)> {
    let res = engine
        .search_uncached(&SearchRequest { q: q.into(), scope: Scope::Site(kind), limit: 5, offset: 0 })
        .unwrap();
    res.hits.into_iter().map(|h| (h.kind, h.id)).collect()
}

fn first_drama(engine: &dorama_search::engine::Engine, q: &str) -> Option<String> {
    top(engine, q, Some(Kind::Drama)).into_iter().next().map(|(_, id)| id)
}

#[test]
fn seed_drama_is_found_by_its_romanized_title() {
    let (_d, e) = seeded_engine();
    assert_eq!(top(&e, "Sekai no chuushin de, ai wo sakebu", None)[0], (Kind::Drama, SEED.to_string()));
}

#[test]
fn seed_drama_is_found_by_its_english_title() {
    let (_d, e) = seeded_engine();
    assert_eq!(top(&e, "Crying out Love, in the Center of the World", None)[0], (Kind::Drama, SEED.to_string()));
}

#[test]
fn seed_drama_is_found_by_its_japanese_title() {
    let (_d, e) = seeded_engine();
    assert_eq!(top(&e, "世界の中心", None)[0], (Kind::Drama, SEED.to_string()));
}

#[test]
fn seed_drama_is_found_by_a_characters_kanji_name() {
    let (_d, e) = seeded_engine();
    assert_eq!(first_drama(&e, "松本朔太郎").as_deref(), Some(SEED));
    // The actors who played him are people in their own right.
    let people: Vec<String> = top(&e, "松本朔太郎", Some(Kind::Person)).into_iter().map(|(_, id)| id).collect();
    assert!(people.contains(&"yamada-takayuki".to_string()), "{people:?}");
    assert!(people.contains(&"ogata-naoto".to_string()), "{people:?}");
}

#[test]
fn a_review_is_found_by_a_word_in_its_text() {
    let (_d, e) = seeded_engine();
    let hits = top(&e, "mesmorizing", Some(Kind::Review));
    assert_eq!(hits[0], (Kind::Review, format!("{SEED}-r23")));
}

#[test]
fn people_are_derived_from_cast_entries() {
    let (_d, e) = seeded_engine();
    let Some(Record::Person(p)) = e.get(Kind::Person, "yamada-takayuki").unwrap() else { panic!("no person") };
    assert_eq!(p.name, "Yamada Takayuki");
    assert_eq!(p.dramas[0].drama_id, SEED);
    assert_eq!(p.dramas[0].character_ja.as_deref(), Some("松本朔太郎"));
    // The cast line with no actor makes no person, and does not stop the drama indexing.
    let Some(Record::Drama(d)) = e.get(Kind::Drama, SEED).unwrap() else { panic!("no drama") };
    assert_eq!(d.cast.len(), 14);
    assert!(d.cast.iter().any(|c| c.actor.is_none()));
}

#[test]
fn a_malformed_line_is_rejected_with_its_number_and_nothing_is_written() {
    let (_d, e) = seeded_engine();
    let before = e.store().num_docs();
    let text = ndjson(&[
        r#"{"type":"drama","id":"new-drama","title":"Atarashii"}"#,
        r#"{"type":"review","id":"new-r1","drama_id":"new-drama","author":"a","rating":8,"body":"ok"}"#,
        r#"{"type":"review","id":"new-r2","drama_id":"new-drama","author":"b","rating":8,"body":"#,
    ]);
    let err = parse_ndjson("batch.ndjson", &text).unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.to_string().starts_with("batch.ndjson:3:"), "{err}");
    assert_eq!(e.store().num_docs(), before);
    assert!(e.get(Kind::Drama, "new-drama").unwrap().is_none());
}

#[test]
fn a_review_of_an_unknown_drama_is_rejected_with_its_line_and_nothing_is_written() {
    let (_d, e) = seeded_engine();
    let before = e.store().num_docs();
    let text = ndjson(&[
        r#"{"type":"drama","id":"new-drama","title":"Atarashii"}"#,
        r#"{"type":"review","id":"x-r1","drama_id":"no-such-drama","author":"a","rating":8,"body":"ok"}"#,
    ]);
    let err = e.ingest(parse_ndjson("batch.ndjson", &text).unwrap()).unwrap_err();
    assert!(err.to_string().contains("batch.ndjson:2:"), "{err}");
    assert_eq!(e.store().num_docs(), before);
    assert!(e.get(Kind::Drama, "new-drama").unwrap().is_none());
}

#[test]
fn a_record_with_the_same_type_and_id_replaces_the_earlier_one() {
    let (_d, e) = seeded_engine();
    let before = e.store().num_docs();
    let line = format!(
        r#"{{"type":"review","id":"{SEED}-r1","drama_id":"{SEED}","author":"Billy Wong","rating":3,"body":"Changed my mind: zanzibar"}}"#
    );
    e.ingest(parse_ndjson("x", &line).unwrap()).unwrap();
    assert_eq!(e.store().num_docs(), before);
    assert_eq!(top(&e, "zanzibar", None), vec![(Kind::Review, format!("{SEED}-r1"))]);
}

#[test]
fn mojibake_and_replacement_characters_index_without_error() {
    let (_d, e) = seeded_engine();
    // The seed's first review quotes the title in mojibake (U+FFFD and stray Latin-1).
    let hits = top(&e, "filmography", Some(Kind::Review));
    assert_eq!(hits[0].1, format!("{SEED}-r1"));
}

#[test]
fn a_second_writer_on_the_same_index_fails_at_once_with_a_clear_message() {
    let (dir, _e) = seeded_engine();
    let err = match dorama_search::engine::Engine::open(dir.path(), Default::default()) {
        Ok(_) => panic!("a second writer opened the index"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("in use by another dorama-search process"), "{err}");
}

#[test]
fn searches_during_heavy_ingest_never_fail_and_see_whole_batches_only() {
    let (_d, e) = seeded_engine();
    let e = std::sync::Arc::new(e);
    const BATCH: usize = 40;
    const BATCHES: usize = 25;
    let writer = {
        let e = e.clone();
        std::thread::spawn(move || {
            for b in 0..BATCHES {
                let text: Vec<String> = (0..BATCH)
                    .map(|i| format!(
                        r#"{{"type":"comment","id":"load-{b}-{i}","drama_id":"{SEED}","author":"u{b}-{i}","rating":7,"body":"zyxwbatch number {b}"}}"#
                    ))
                    .collect();
                e.ingest(parse_ndjson("load", &text.join("\n")).unwrap()).unwrap();
            }
        })
    };
    let mut seen = 0;
    while seen < BATCH * BATCHES {
        let res = e
            .search_uncached(&SearchRequest { q: "zyxwbatch".into(), scope: Scope::Site(Some(Kind::Comment)), limit: 5, offset: 0 })
            .expect("a search during ingest failed");
        assert_eq!(res.total % BATCH, 0, "saw part of a batch: {} hits", res.total);
        assert!(res.total >= seen, "hits went backwards");
        seen = res.total;
        if writer.is_finished() && seen < BATCH * BATCHES {
            let res = e
                .search_uncached(&SearchRequest { q: "zyxwbatch".into(), scope: Scope::Site(Some(Kind::Comment)), limit: 5, offset: 0 })
                .unwrap();
            assert_eq!(res.total, BATCH * BATCHES);
            break;
        }
    }
    writer.join().unwrap();
}
