//! The core: indexing the seed page's records and finding them in every script.

mod common;
use common::*;
use dorama_search::record::{parse_ndjson, Kind, Record};
use dorama_search::search::{Scope, SearchRequest};

fn top(engine: &dorama_search::engine::Engine, q: &str, kind: Option<Kind>) -> Vec<(Kind, String)> {
    let res = engine
        .search_uncached(&SearchRequest { q: q.into(), scope: Scope::Site(kind), limit: 5, offset: 0, refine: Default::default() })
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
fn a_line_that_is_not_json_is_rejected_by_the_parser_with_its_number() {
    let text = ndjson(&[
        r#"{"type":"drama","id":"new-drama","title":"Atarashii"}"#,
        r#"{"type":"review","id":"new-r1","drama_id":"new-drama","author":"a","rating":8,"body":"ok"}"#,
        r#"{"type":"review","id":"new-r2","drama_id":"new-drama","author":"b","rating":8,"body":"#,
    ]);
    let err = parse_ndjson("batch.ndjson", &text).unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.to_string().starts_with("batch.ndjson:3:"), "{err}");
}

/// What the engine holds, as far as a batch can change it.
fn state(e: &dorama_search::engine::Engine) -> (u64, usize, String, usize) {
    let top = serde_json::to_string(&*e.top100_uncached(&dorama_search::rank::Scope::All)).unwrap();
    (e.store().num_docs(), e.num_dramas(), top, e.search_uncached(&SearchRequest { q: "qqatomic".into(), scope: Scope::Site(None), limit: 5, offset: 0, refine: Default::default() }).unwrap().total)
}

/// A batch that parses but whose LAST line the engine refuses, after valid lines of every
/// kind (a new drama, reviews and a rated comment that would move the Top 100, a replaced
/// review): the engine leaves everything as it was, the index, the catalog, the ratings and
/// the lists, and names the line.
#[test]
fn a_batch_whose_last_line_is_bad_after_valid_ones_leaves_the_engine_as_it_was() {
    let (_d, e) = seeded_engine();
    let before = state(&e);
    let ratings_before = e.recompute().unwrap();
    let text = ndjson(&[
        r#"{"type":"drama","id":"new-drama","title":"Atarashii qqatomic","start":"2004-07-01","cast":[{"actor":"Qqnew Actor"}]}"#,
        r#"{"type":"review","id":"new-r1","drama_id":"new-drama","author":"a","rating":10,"body":"qqatomic ok"}"#,
        &format!(r#"{{"type":"comment","id":"new-c1","drama_id":"{SEED}","author":"qq-new-user","rating":1,"body":"qqatomic"}}"#),
        &format!(r#"{{"type":"review","id":"{SEED}-r1","drama_id":"{SEED}","author":"Billy Wong","rating":1,"body":"qqatomic replaced"}}"#),
        r#"{"type":"vote","drama_id":"new-drama","user":"v","body":"qqatomic"}"#,
        r#"{"type":"review","id":"x-r1","drama_id":"no-such-drama","author":"a","rating":8,"body":"qqatomic"}"#,
    ]);
    let err = e.ingest(parse_ndjson("batch.ndjson", &text).unwrap()).unwrap_err();
    assert!(err.to_string().starts_with("batch.ndjson:6: ") && err.to_string().contains("unknown drama \"no-such-drama\""), "{err}");
    assert_eq!(state(&e), before);
    assert_eq!(e.recompute().unwrap(), ratings_before, "the ratings log changed");
    assert_eq!(state(&e), before, "a recount from the log changed the lists");
    for (kind, id) in [(Kind::Drama, "new-drama"), (Kind::Review, "new-r1"), (Kind::Comment, "new-c1"), (Kind::Person, "qqnew-actor")] {
        assert!(e.get(kind, id).unwrap().is_none(), "{kind} {id} was written");
    }
    let Some(Record::Review(r1)) = e.get(Kind::Review, &format!("{SEED}-r1")).unwrap() else { panic!("r1 gone") };
    assert_eq!(r1.rating, 9, "the review the batch would replace is as it was");
    // The drama of the refused batch is unknown to the next batch too.
    let alone = r#"{"type":"review","id":"new-r9","drama_id":"new-drama","author":"a","rating":8,"body":"x"}"#;
    let err = e.ingest(parse_ndjson("next.ndjson", alone).unwrap()).unwrap_err();
    assert!(err.to_string().contains("unknown drama \"new-drama\""), "{err}");
    // Without its bad line the same batch goes in whole.
    let good: Vec<&str> = text.lines().take(5).collect();
    assert_eq!(e.ingest(parse_ndjson("batch.ndjson", &good.join("\n")).unwrap()).unwrap(), 5);
    assert_eq!(e.search_uncached(&SearchRequest { q: "qqatomic".into(), scope: Scope::Site(None), limit: 5, offset: 0, refine: Default::default() }).unwrap().total, 5);
    assert_eq!(e.recompute().unwrap(), ratings_before + 2, "new-drama's review and qq-new-user's comment");
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
            .search_uncached(&SearchRequest { q: "zyxwbatch".into(), scope: Scope::Site(Some(Kind::Comment)), limit: 5, offset: 0, refine: Default::default() })
            .expect("a search during ingest failed");
        assert_eq!(res.total % BATCH, 0, "saw part of a batch: {} hits", res.total);
        assert!(res.total >= seen, "hits went backwards");
        seen = res.total;
        if writer.is_finished() && seen < BATCH * BATCHES {
            let res = e
                .search_uncached(&SearchRequest { q: "zyxwbatch".into(), scope: Scope::Site(Some(Kind::Comment)), limit: 5, offset: 0, refine: Default::default() })
                .unwrap();
            assert_eq!(res.total, BATCH * BATCHES);
            break;
        }
    }
    writer.join().unwrap();
}

/// `せかい` is cut by IPADIC into two glue words (`セ`, `カイ`); texts read the run whole as
/// `sekai`, and so must the catalogue: with another word beside it, the drama titled `Sekai`
/// is found by both words, and a drama holding only the other word is not.
#[test]
fn a_kana_word_cut_into_glue_words_is_still_a_word_of_the_query() {
    let (_d, engine) = empty_engine();
    let lines = [
        r#"{"type": "drama", "id": "sekai", "title": "Sekai", "synopsis": "A boy, a girl and the soundtrack of one summer."}"#,
        r#"{"type": "drama", "id": "other", "title": "Hoshi", "synopsis": "The soundtrack is the best thing in it."}"#,
        r#"{"type": "comment", "id": "c1", "drama_id": "other", "author": "a", "body": "世界が広がる"}"#,
    ];
    engine.ingest(parse_ndjson("t", &lines.join("\n")).unwrap()).unwrap();
    let found = top(&engine, "せかい soundtrack", Some(Kind::Drama));
    assert_eq!(found, [(Kind::Drama, "sekai".to_string())], "both words are required: {found:?}");
}

#[test]
fn a_drama_renamed_after_it_was_suggested_is_suggested_by_its_new_title() {
    let (_d, e) = seeded_engine();
    let title = |e: &dorama_search::engine::Engine| e.suggest_uncached("seka", 5).unwrap().into_iter().find(|s| s.id == SEED).and_then(|s| s.title);
    assert_eq!(title(&e).as_deref(), Some("Sekai no chuushin de, ai wo sakebu"));
    let line = seed_text().lines().find(|l| l.contains("\"type\": \"drama\"")).unwrap().to_string();
    let mut drama: serde_json::Value = serde_json::from_str(&line).unwrap();
    drama["title"] = "Sekai no chuushin de ai wo sakebu (TV)".into();
    e.ingest(parse_ndjson("renamed", &drama.to_string()).unwrap()).unwrap();
    assert_eq!(title(&e).as_deref(), Some("Sekai no chuushin de ai wo sakebu (TV)"), "not the title kept from before");
}
