//! Top 100: one rating per user per drama, the Bayesian score, scopes, and incremental
//! upkeep agreeing with a recompute from the index.

mod common;
use common::*;
use dorama_search::engine::Engine;
use dorama_search::rank::Scope;
use dorama_search::record::parse_ndjson;
use proptest::prelude::*;
use std::collections::HashMap;

fn ingest(e: &Engine, lines: &[String]) {
    e.ingest(parse_ndjson("t", &lines.join("\n")).unwrap()).unwrap();
}

fn drama(id: &str, start: &str) -> String {
    format!(r#"{{"type":"drama","id":"{id}","title":"{id}","start":"{start}"}}"#)
}

fn review(id: &str, drama: &str, user: &str, rating: u8) -> String {
    format!(r#"{{"type":"review","id":"{id}","drama_id":"{drama}","author":"{user}","rating":{rating},"body":"b"}}"#)
}

fn comment(id: &str, drama: &str, user: &str, rating: u8) -> String {
    format!(r#"{{"type":"comment","id":"{id}","drama_id":"{drama}","author":"{user}","rating":{rating},"body":"b"}}"#)
}

#[test]
fn the_seed_dramas_mean_is_over_distinct_users_with_the_last_rating_winning() {
    let (_d, e) = seeded_engine();
    let mut last: HashMap<String, u8> = HashMap::new();
    let mut all = 0usize;
    for l in parse_ndjson("seed", &seed_text()).unwrap() {
        if let Some((user, r)) = l.record.rating() {
            last.insert(user.to_string(), r);
            all += 1;
        }
    }
    assert!(last.len() < all, "the seed has users who rate twice");
    let expected = last.values().map(|&r| r as f64).sum::<f64>() / last.len() as f64;
    let top = e.top100_uncached(&Scope::All);
    let entry = top.entries.iter().find(|x| x.id == SEED).expect("the seed drama is listed");
    assert_eq!(entry.votes as usize, last.len());
    assert!((entry.mean - expected).abs() < 1e-9, "{} vs {expected}", entry.mean);
    assert_eq!(entry.voters, 30, "the seed page lists 30 voters");
}

/// Four dramas whose order by the Bayesian score is neither their order by mean nor by number
/// of ratings, so only the weighted score puts them in the order expected; every list (all
/// time, their season, their year) ranks them alike, with scores from the formula.
#[test]
fn dramas_are_ranked_by_the_bayesian_score_not_by_mean_or_by_count() {
    let dir = tempfile::tempdir().unwrap();
    let params = dorama_search::rank::Params { m: 10.0, min_votes: 1 };
    let e = Engine::open(dir.path(), dorama_search::engine::Options { params, cache_entries: 0, ..Default::default() }).unwrap();
    // (id, ratings): few perfect; many good; some very good; many poor.
    let spec: [(&str, Vec<u8>); 4] = [
        ("few-perfect", vec![10; 3]),
        ("many-good", [vec![8; 100], vec![9; 100]].concat()),
        ("some-very-good", vec![9; 30]),
        ("many-poor", vec![7; 100]),
    ];
    let mut lines = Vec::new();
    for (id, ratings) in &spec {
        lines.push(drama(id, "2011-04-10"));
        for (i, r) in ratings.iter().enumerate() {
            lines.push(review(&format!("{id}-{i}"), id, &format!("u{i}"), *r));
        }
    }
    ingest(&e, &lines);
    let all: Vec<f64> = spec.iter().flat_map(|(_, r)| r.iter().map(|&x| x as f64)).collect();
    let c = all.iter().sum::<f64>() / all.len() as f64;
    let score = |r: &[u8]| {
        let v = r.len() as f64;
        let mean = r.iter().map(|&x| x as f64).sum::<f64>() / v;
        (v * mean + params.m * c) / (v + params.m)
    };
    let mut by_score: Vec<(&str, f64)> = spec.iter().map(|(id, r)| (*id, score(r))).collect();
    by_score.sort_by(|a, b| b.1.total_cmp(&a.1));
    let expected: Vec<&str> = by_score.iter().map(|x| x.0).collect();
    assert_eq!(expected, ["some-very-good", "few-perfect", "many-good", "many-poor"]);
    // Neither the mean nor the count gives that order.
    assert_ne!(expected[0], "few-perfect");
    assert_ne!(expected[0], "many-good");
    for scope in [Scope::All, Scope::Season("Spring 2011".into()), Scope::Year(2011)] {
        let top = e.top100_uncached(&scope);
        let got: Vec<&str> = top.entries.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(got, expected, "{scope:?}");
        assert!((top.params.c.unwrap() - c).abs() < 1e-9, "{scope:?}: C {:?} vs {c}", top.params.c);
        for (entry, (id, s)) in top.entries.iter().zip(&by_score) {
            assert_eq!((entry.id.as_str(), entry.rank), (*id, top.entries.iter().position(|x| x.id == *id).unwrap() + 1));
            assert!((entry.score - s).abs() < 1e-9, "{id}: {} vs {s}", entry.score);
        }
    }
}

#[test]
fn three_perfect_ratings_do_not_beat_two_hundred_averaging_nine() {
    let (_d, e) = empty_engine();
    let mut lines = vec![drama("small", "2010-01-05"), drama("big", "2010-01-06"), drama("filler", "2010-02-01")];
    for i in 0..3 {
        lines.push(review(&format!("s{i}"), "small", &format!("u{i}"), 10));
    }
    for i in 0..200 {
        lines.push(review(&format!("b{i}"), "big", &format!("u{i}"), if i % 2 == 0 { 10 } else { 8 }));
    }
    for i in 0..100 {
        lines.push(review(&format!("f{i}"), "filler", &format!("u{i}"), 6));
    }
    ingest(&e, &lines);
    let top = e.top100_uncached(&Scope::All);
    let pos = |id: &str| top.entries.iter().position(|x| x.id == id);
    // With the default min_votes the small one is not even listed; either way it is below.
    assert_eq!(top.entries[0].id, "big");
    assert!(pos("small").is_none_or(|p| p > 0));
    assert_eq!(top.entries[0].votes, 200);
    assert!((top.entries[0].mean - 9.0).abs() < 1e-9);
}

#[test]
fn the_season_is_derived_from_start_when_absent() {
    let (_d, e) = empty_engine();
    let mut lines = vec![drama("fall-one", "2019-10-11"), drama("winter-one", "2020-01-10")];
    for i in 0..6 {
        lines.push(review(&format!("a{i}"), "fall-one", &format!("u{i}"), 8));
        lines.push(review(&format!("b{i}"), "winter-one", &format!("u{i}"), 7));
    }
    ingest(&e, &lines);
    let fall = e.top100_uncached(&Scope::Season("Fall 2019".into()));
    assert_eq!(fall.entries.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(), ["fall-one"]);
    let winter = e.top100_uncached(&Scope::Season("Winter 2020".into()));
    assert_eq!(winter.entries.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(), ["winter-one"]);
    let y2019 = e.top100_uncached(&Scope::Year(2019));
    assert_eq!(y2019.entries.len(), 1);
    assert_eq!(y2019.params.c, Some(8.0));
}

#[test]
fn a_users_later_rating_replaces_the_earlier_one() {
    let (_d, e) = empty_engine();
    let mut lines = vec![drama("d", "2004-07-02")];
    for i in 0..5 {
        lines.push(review(&format!("r{i}"), "d", &format!("u{i}"), 6));
    }
    ingest(&e, &lines);
    assert_eq!(e.top100_uncached(&Scope::All).entries[0].mean, 6.0);
    // u0 rates again in a comment: that one counts, the review's no longer does.
    ingest(&e, &[comment("c0", "d", "u0", 10)]);
    let entry = e.top100_uncached(&Scope::All).entries[0].clone();
    assert_eq!(entry.votes, 5);
    assert!((entry.mean - 34.0 / 5.0).abs() < 1e-9);
}

#[test]
fn ratings_outside_one_to_ten_are_rejected_at_ingest() {
    let err = parse_ndjson("t", &review("r", "d", "u", 0)).unwrap_err();
    assert!(err.message.contains("rating"), "{err}");
    let err = parse_ndjson("t", &comment("c", "d", "u", 11)).unwrap_err();
    assert!(err.message.contains("rating"), "{err}");
}

#[derive(Debug, Clone)]
enum Op {
    Review { id: u8, drama: u8, user: u8, rating: u8 },
    Comment { id: u8, drama: u8, user: u8, rating: Option<u8> },
    Delete { review: bool, id: u8 },
    MoveDrama { drama: u8, year: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..12u8, 0..4u8, 0..6u8, 1..=10u8).prop_map(|(id, drama, user, rating)| Op::Review { id, drama, user, rating }),
        (0..12u8, 0..4u8, 0..6u8, proptest::option::of(1..=10u8))
            .prop_map(|(id, drama, user, rating)| Op::Comment { id, drama, user, rating }),
        (any::<bool>(), 0..12u8).prop_map(|(review, id)| Op::Delete { review, id }),
        (0..4u8, 0..3u8).prop_map(|(drama, year)| Op::MoveDrama { drama, year }),
    ]
}

fn drama_line(d: u8, year: u8) -> String {
    drama(&format!("d{d}"), &format!("{}-04-01", 2000 + year as u32))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn incremental_lists_equal_lists_recomputed_from_scratch(batches in proptest::collection::vec(proptest::collection::vec(op(), 1..6), 1..8)) {
        // min_votes 1, so that every rated drama is listed and compared.
        let dir = tempfile::tempdir().unwrap();
        let params = dorama_search::rank::Params { m: 3.0, min_votes: 1 };
        let e = Engine::open(dir.path(), dorama_search::engine::Options { params, cache_entries: 0, ..Default::default() }).unwrap();
        // Dramas in different years, so that a rating moving between dramas changes two lists.
        ingest(&e, &(0..4).map(|d| drama_line(d, d % 3)).collect::<Vec<_>>());
        for batch in batches {
            let mut lines = Vec::new();
            for op in batch {
                match op {
                    Op::Review { id, drama, user, rating } => lines.push(review(&format!("r{id}"), &format!("d{drama}"), &format!("u{user}"), rating)),
                    Op::Comment { id, drama, user, rating } => lines.push(match rating {
                        Some(r) => comment(&format!("c{id}"), &format!("d{drama}"), &format!("u{user}"), r),
                        None => format!(r#"{{"type":"comment","id":"c{id}","drama_id":"d{drama}","author":"u{user}","body":"no rating"}}"#),
                    }),
                    Op::Delete { review, id } => {
                        if !lines.is_empty() { ingest(&e, &std::mem::take(&mut lines)); }
                        let (kind, rid) = if review { (dorama_search::record::Kind::Review, format!("r{id}")) } else { (dorama_search::record::Kind::Comment, format!("c{id}")) };
                        e.delete(kind, &rid).unwrap();
                    }
                    Op::MoveDrama { drama, year } => lines.push(drama_line(drama, year)),
                }
            }
            if !lines.is_empty() { ingest(&e, &lines); }
        }
        let scopes = [Scope::All, Scope::Year(2000), Scope::Year(2001), Scope::Season("Spring 2002".into())];
        // Served lists (only the lists a batch touched are ranked again) against a recount
        // from the rating log and every list ranked, and against the ratings loaded afresh
        // from the index by a restart.
        let incremental: Vec<_> = scopes.iter().map(|s| e.top100_uncached(s)).collect();
        e.recompute().unwrap();
        let rebuilt: Vec<_> = scopes.iter().map(|s| e.top100_uncached(s)).collect();
        prop_assert_eq!(&incremental, &rebuilt);
        drop(e);
        let reopened = Engine::open(dir.path(), dorama_search::engine::Options { params, cache_entries: 0, ..Default::default() }).unwrap();
        let loaded: Vec<_> = scopes.iter().map(|s| reopened.top100_uncached(s)).collect();
        prop_assert_eq!(&incremental, &loaded);
    }
}

#[test]
fn people_are_not_ingestable_records() {
    let err = parse_ndjson("t", r#"{"type":"person","id":"x","name":"X","dramas":[]}"#).unwrap_err();
    assert!(err.message.contains("derived"), "{err}");
}

/// A recount runs beside the tables searches read: a search made while the count is done and
/// not yet swapped in answers, and the lists after the swap are the same as before (the
/// ratings did not change). Were the count taken under the ratings' write lock, the search
/// would wait for the recompute, which waits for the search: the timeout below fails it.
#[test]
fn searches_and_top_lists_answer_while_a_recount_runs() {
    use dorama_search::search::{Scope as SearchScope, SearchRequest};
    let (_d, engine) = sample_engine();
    let e = std::sync::Arc::new(engine);
    let before = e.top100_uncached(&Scope::All);
    let n = e
        .recompute_with(|| {
            // A thread of its own, not joined: a search stuck behind the recount must fail the
            // test, not hang it.
            let (tx, rx) = std::sync::mpsc::channel();
            let searcher = e.clone();
            std::thread::spawn(move || {
                let req = SearchRequest { q: "sekachu".into(), scope: SearchScope::Site(None), limit: 5, offset: 0, refine: Default::default() };
                let hits = searcher.search_uncached(&req).map(|r| r.total);
                let top = searcher.top100_uncached(&Scope::All).entries.len();
                let _ = tx.send((hits, top));
            });
            let (hits, top) = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("a search waited for the recount");
            assert!(hits.unwrap() > 0);
            assert!(top > 0);
        })
        .unwrap();
    assert!(n > 0);
    assert_eq!(e.top100_uncached(&Scope::All).entries, before.entries);
}
