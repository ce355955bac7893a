//! The relevance suite: queries a fan would type, each with the result it must put first,
//! over the bundled sample corpus. It prints its success rate (`cargo test --release --test
//! relevance -- --nocapture`) and fails on any miss, naming each.
//!
//! `tests/relevance.tsv`: `endpoint<TAB>query<TAB>expected kind:id<TAB>what it covers`, with
//! endpoint `search` (first hit of `/api/search`) or `suggest` (first suggestion).

mod common;
use dorama_search::search::{Scope, SearchRequest};

#[test]
fn every_relevance_query_puts_its_expected_result_first() {
    let (_d, engine) = common::sample_engine();
    let suite = include_str!("relevance.tsv");
    let mut total = 0;
    let mut misses = Vec::new();
    let mut by_topic: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for (n, line) in suite.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() >= 3, "relevance.tsv:{}: expected 3 or 4 tab-separated columns", n + 1);
        let (endpoint, query, expected) = (cols[0], cols[1], cols[2]);
        let topic = cols.get(3).copied().unwrap_or("").to_string();
        let got = match endpoint {
            "search" => engine
                .search_uncached(&SearchRequest { q: query.into(), scope: Scope::Site(None), limit: 3, offset: 0 })
                .unwrap()
                .hits
                .into_iter()
                .map(|h| format!("{}:{}", h.kind, h.id))
                .collect::<Vec<_>>(),
            "suggest" => engine
                .suggest_uncached(query, 3)
                .unwrap()
                .into_iter()
                .map(|s| format!("{}:{}", s.kind, s.id))
                .collect(),
            other => panic!("relevance.tsv:{}: unknown endpoint {other:?}", n + 1),
        };
        total += 1;
        let entry = by_topic.entry(topic.clone()).or_default();
        entry.1 += 1;
        if got.first().map(String::as_str) == Some(expected) {
            entry.0 += 1;
        } else {
            misses.push(format!("line {}: {endpoint} {query:?} → {got:?}, expected {expected} ({topic})", n + 1));
        }
    }
    let passed = total - misses.len();
    println!("relevance: {passed}/{total} = {:.1}%", 100.0 * passed as f64 / total as f64);
    for (t, (p, n)) in &by_topic {
        println!("  {t:<28} {p}/{n}");
    }
    for m in &misses {
        println!("MISS {m}");
    }
    assert!(total >= 80, "the suite has {total} queries; it needs at least 80");
    assert!(misses.is_empty(), "{} misses:\n{}", misses.len(), misses.join("\n"));
}

/// The whole first page (20 hits, in order) of every `search` row of the suite, pinned in
/// `tests/relevance_pages.tsv`. The suite itself checks only the first hit; this catches a
/// change of evaluation (pruning, tiers searched apart and merged) that reorders the rest of a
/// page. A deliberate relevance change rewrites the file with `DORAMA_BLESS=1` and the diff
/// shows what moved.
#[test]
fn every_relevance_query_keeps_its_pinned_first_page() {
    let (_d, engine) = common::sample_engine();
    let mut lines = Vec::new();
    for line in include_str!("relevance.tsv").lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        if line.starts_with('#') || cols.len() < 3 || cols[0] != "search" {
            continue;
        }
        let res = engine
            .search_uncached(&SearchRequest { q: cols[1].into(), scope: Scope::Site(None), limit: 20, offset: 0 })
            .unwrap();
        let ids: Vec<String> = res.hits.iter().map(|h| format!("{}:{}", h.kind, h.id)).collect();
        lines.push(format!("{}\t{}", cols[1], ids.join(" ")));
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/relevance_pages.tsv");
    let got = lines.join("\n") + "\n";
    if std::env::var_os("DORAMA_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let pinned = std::fs::read_to_string(&path).expect("tests/relevance_pages.tsv (DORAMA_BLESS=1 writes it)");
    let changed: Vec<String> = pinned
        .lines()
        .zip(got.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("pinned: {a}\n   got: {b}"))
        .collect();
    assert_eq!(pinned.lines().count(), got.lines().count(), "the suite's search rows changed: DORAMA_BLESS=1 rewrites the pins");
    assert!(changed.is_empty(), "{} first pages changed:\n{}", changed.len(), changed.join("\n"));
}
