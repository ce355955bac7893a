//! The real-catalogue relevance suite (issue 14): 202 queries a fan would type over the 3,922
//! real anime titles in `tests/data/anime/catalogue.csv` (a copy of the columns we use of
//! `../shared/data/anime`, MIT licence beside it), each with the title the fan means. The
//! queries (`tests/data/anime_queries.tsv`) were written before the engine's answers were
//! looked at; where seasons share a title, the original, exact title is the one meant.
//!
//! The catalogue goes through the normal record path: each row becomes a drama record (romaji,
//! English and Japanese titles, synonyms as aliases, season, synopsis), and its MyAnimeList
//! members and score become rating-only comments (one per 20,000 members, rated the score), so
//! popularity (which counts ratings) is the real one.
//!
//! The suite does not pass whole yet. It prints its rate by class and fails if a query that
//! passed stops passing: the queries that pass are pinned in `tests/data/anime_passing.txt`
//! (`DORAMA_BLESS=1` rewrites it, and its diff shows what moved).

use dorama_search::engine::{Engine, Options};
use dorama_search::record::{parse_ndjson, Located};
use dorama_search::search::{Scope, SearchRequest};
use std::collections::{BTreeMap, BTreeSet};

const RATING_PER_MEMBERS: u64 = 20_000;

fn catalogue_ndjson() -> String {
    let mut reader = csv::Reader::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/anime/catalogue.csv")).expect("the catalogue ships in tests/data/anime");
    let mut dramas = Vec::new();
    let mut ratings = Vec::new();
    for row in reader.deserialize::<BTreeMap<String, String>>() {
        let row = row.expect("a catalogue row reads");
        let get = |k: &str| row.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
        let id = format!("mal-{}", get("mal_id").expect("every row has an id"));
        let mut rec = serde_json::json!({ "type": "drama", "id": id, "title": get("title").expect("every row has a title") });
        if let Some(en) = get("title_english") {
            rec["title_en"] = en.into();
        }
        if let Some(ja) = get("title_japanese") {
            rec["title_ja"] = ja.into();
        }
        let aka: Vec<&str> = get("title_synonyms").map(|s| s.split('|').map(str::trim).filter(|s| !s.is_empty()).collect()).unwrap_or_default();
        if !aka.is_empty() {
            rec["aka"] = aka.into();
        }
        if let Some(season) = get("season_label") {
            rec["season"] = season.into();
        }
        if let Some(synopsis) = get("synopsis_short") {
            rec["synopsis"] = synopsis.into();
        }
        dramas.push(rec.to_string());
        let members: u64 = get("members").and_then(|m| m.parse().ok()).unwrap_or(0);
        let score: f64 = get("score").and_then(|m| m.parse().ok()).unwrap_or(6.0);
        for u in 0..members / RATING_PER_MEMBERS {
            ratings.push(
                serde_json::json!({ "type": "comment", "id": format!("{id}-q{u}"), "drama_id": id, "author": format!("fan{u}"), "rating": score.round().clamp(1.0, 10.0) as u8, "body": "" })
                    .to_string(),
            );
        }
    }
    dramas.extend(ratings);
    dramas.join("\n")
}

fn catalogue_engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), Options::default()).unwrap();
    let records: Vec<Located> = parse_ndjson("catalogue.csv", &catalogue_ndjson()).expect("every catalogue row is a valid record");
    engine.ingest(records).unwrap();
    (dir, engine)
}

struct Row {
    line: usize,
    query: String,
    expected: String,
    class: String,
}

fn rows() -> Vec<Row> {
    let mut out = Vec::new();
    for (n, line) in include_str!("data/anime_queries.tsv").lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 3, "anime_queries.tsv:{}: expected query, mal_id, class", n + 1);
        assert!(!out.iter().any(|r: &Row| r.query == cols[0]), "anime_queries.tsv:{}: {:?} is asked twice", n + 1, cols[0]);
        out.push(Row { line: n + 1, query: cols[0].into(), expected: format!("drama:mal-{}", cols[1]), class: cols[2].into() });
    }
    out
}

fn key(r: &Row) -> String {
    format!("{}\t{}", r.query, r.expected)
}

#[test]
fn real_catalogue_queries_find_what_a_fan_means_and_none_that_passed_regresses() {
    let (_d, engine) = catalogue_engine();
    let rows = rows();
    assert!(rows.len() >= 150, "the suite has {} queries; issue 14 asks for at least 150", rows.len());
    let mut by_class: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut passing = BTreeSet::new();
    let mut misses = Vec::new();
    for r in &rows {
        let res = engine.search_uncached(&SearchRequest { q: r.query.clone(), scope: Scope::Site(None), limit: 3, offset: 0, refine: Default::default() }).unwrap();
        let got: Vec<String> = res.hits.iter().map(|h| format!("{}:{} {:?}", h.kind, h.id, h.title.as_deref().unwrap_or(""))).collect();
        let first = res.hits.first().map(|h| format!("{}:{}", h.kind, h.id));
        let entry = by_class.entry(&r.class).or_default();
        entry.1 += 1;
        if first.as_deref() == Some(r.expected.as_str()) {
            entry.0 += 1;
            passing.insert(key(r));
        } else {
            misses.push(format!("line {}: {:?} → {got:?}, expected {} ({})", r.line, r.query, r.expected, r.class));
        }
    }
    let passed = passing.len();
    println!("real catalogue: {passed}/{} = {:.1}%", rows.len(), 100.0 * passed as f64 / rows.len() as f64);
    for (c, (p, n)) in &by_class {
        println!("  {c:<12} {p}/{n}");
    }
    for m in &misses {
        println!("MISS {m}");
    }
    let pinned_path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/anime_passing.txt");
    if std::env::var("DORAMA_BLESS").is_ok() {
        let body: String = passing.iter().map(|k| format!("{k}\n")).collect();
        std::fs::write(pinned_path, format!("# Queries of anime_queries.tsv that pass (query<TAB>expected), written by DORAMA_BLESS=1 cargo test --release --test anime\n{body}")).unwrap();
        return;
    }
    let pinned: BTreeSet<String> = std::fs::read_to_string(pinned_path)
        .expect("tests/data/anime_passing.txt pins the queries that pass (DORAMA_BLESS=1 writes it)")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    let regressed: Vec<&String> = pinned.difference(&passing).collect();
    assert!(regressed.is_empty(), "{} queries that passed no longer do:\n{}", regressed.len(), regressed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n"));
    let newly: Vec<&String> = passing.difference(&pinned).collect();
    assert!(newly.is_empty(), "{} queries pass that are not pinned yet; run DORAMA_BLESS=1 cargo test --release --test anime to pin them:\n{}", newly.len(), newly.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n"));
}

/// The same records indexed twice answer the same: ties must not be broken by where a document
/// landed in the index (issue 14, "the same corpus, the same answers").
#[test]
fn the_catalogue_indexed_twice_answers_every_query_the_same() {
    let (_a, one) = catalogue_engine();
    let (_b, two) = catalogue_engine();
    for r in rows() {
        let req = SearchRequest { q: r.query.clone(), scope: Scope::Site(None), limit: 10, offset: 0, refine: Default::default() };
        let ids = |e: &Engine| e.search_uncached(&req).unwrap().hits.iter().map(|h| format!("{}:{}", h.kind, h.id)).collect::<Vec<_>>();
        assert_eq!(ids(&one), ids(&two), "line {}: {:?}", r.line, r.query);
    }
}
