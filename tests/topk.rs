//! The pruned search (each part's best candidates by block-max WAND, merged) against
//! exhaustive scoring of the same query, on random corpora and random queries; and the
//! bounded totals.

mod common;
use dorama_search::engine::Engine;
use dorama_search::record::{parse_ndjson, Kind};
use dorama_search::index::schema::UNLINKED;
use dorama_search::search::{self, popularity_boost, query, Features, Relation, Scope, SearchRequest, TOTAL_CAP};
use proptest::prelude::*;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, DisjunctionMaxQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

/// Words the corpora and queries are made of: Latin words, Japanese words (surface and
/// reading), a glue word; few enough that many documents share words and scores tie.
const VOCAB: &[&str] = &[
    "sekai", "chuushin", "ai", "hana", "yume", "cinematography", "soundtrack", "ending", "世界", "中心", "最終回",
    "主題歌", "花", "せかい", "no", "love", "story", "kaze",
];

fn text_of(idx: &[usize]) -> String {
    idx.iter().map(|&i| VOCAB[i % VOCAB.len()]).collect::<Vec<_>>().join(" ")
}

/// A deterministic "ratings" count per drama, so that the popularity boost takes part.
fn ratings_of(d: &str) -> u32 {
    d.bytes().map(u32::from).sum::<u32>() % 97
}

/// The expected page: every match scored by tantivy without pruning (a `TopDocs` next to a
/// `Count` sees every document), the scope applied to the full list, ties newest first, the
/// best `offset + limit + 50` boosted and re-sorted, as the search documents.
fn exhaustive(engine: &Engine, req: &SearchRequest) -> (Vec<(String, f32)>, usize) {
    let store = engine.store();
    let searcher = store.searcher();
    let f = store.fields();
    let tw = search::text_words(store, &searcher, req, Features::ALL);
    let (ws, keys) = (&tw.words, &tw.keys);
    if ws.is_empty() {
        return (Vec::new(), 0);
    }
    // Posts about no drama that name the forum's drama: every word of one of its names.
    let mentions: std::collections::HashSet<tantivy::DocAddress> = if tw.mentions.is_empty() {
        Default::default()
    } else {
        let unlinked = TermQuery::new(Term::from_field_text(f.tags, UNLINKED), IndexRecordOption::Basic);
        let names = BooleanQuery::new(tw.mentions.iter().map(|n| (Occur::Should, query::text(f, n, true))).collect());
        let q = BooleanQuery::new(vec![(Occur::Must, Box::new(unlinked) as Box<dyn Query>), (Occur::Must, Box::new(names))]);
        searcher.search(&q, &tantivy::collector::DocSetCollector).unwrap()
    };
    let run = |all: bool| {
        // A text scores by the best of the typed words and each other spelling of a name in them.
        let spellings = std::iter::once(&tw.text).chain(&tw.alternatives).map(|w| query::text(f, w, all)).collect();
        let union = BooleanQuery::new(vec![
            (Occur::Should, Box::new(query::catalog(f, &searcher, ws, all, keys, Features::ALL)) as Box<dyn Query>),
            (Occur::Should, Box::new(DisjunctionMaxQuery::new(spellings))),
        ]);
        let (top, _) = searcher.search(&union as &dyn Query, &(TopDocs::with_limit(1_000_000).order_by_score(), Count)).unwrap();
        let mut rows = Vec::new();
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr).unwrap();
            let s = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let kind = Kind::parse(&s(f.kind)).unwrap();
            let drama = s(f.drama_id);
            let keep = match &req.scope {
                Scope::Site(None) => true,
                Scope::Site(Some(k)) => *k == kind,
                Scope::Forum(d) => (*d == drama && kind != Kind::Drama) || mentions.contains(&addr),
            };
            let seq = doc.get_first(f.seq).and_then(|v| v.as_u64()).unwrap();
            // Equal scores: dramas and people by the shorter name, then newest; texts newest.
            let named = matches!(kind, Kind::Drama | Kind::Person).then(|| s(f.title));
            let seq = dorama_search::index::document::tie_order(named.as_deref(), seq);
            if keep {
                rows.push((score, seq, format!("{kind}:{}", s(f.id)), drama));
            }
        }
        rows
    };
    let mut rows = run(true);
    // As the search: a query of more than one word, for the catalogue or for texts (a kana run
    // of glue words the index holds whole is a text word only: `せかい` is `se` `kai`), falls
    // back to any of its words when no document has all.
    if rows.is_empty() && ws.len().max(tw.text.len()) > 1 {
        rows = run(false);
    }
    let total = rows.len();
    let best_first = |a: &(f32, u64, String, String), b: &(f32, u64, String, String)| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1));
    rows.sort_by(best_first);
    rows.truncate(req.offset + req.limit + 50);
    for r in &mut rows {
        if !r.3.is_empty() {
            r.0 *= popularity_boost(ratings_of(&r.3));
        }
    }
    rows.sort_by(best_first);
    (rows.into_iter().skip(req.offset).take(req.limit).map(|r| (r.2, r.0)).collect(), total)
}

/// Pages are equal when they hold the same documents in the same order; where two scores
/// differ by float rounding only (block-max WAND sums a document's term scores in another
/// order than the plain scorer), the documents at that score may trade places.
fn assert_same_page(got: &[(String, f32)], want: &[(String, f32)], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: page length\n got {got:?}\nwant {want:?}");
    let close = |a: f32, b: f32| (a - b).abs() <= 1e-4 * a.abs().max(1.0);
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(close(g.1, w.1), "{what}: score at {i}: got {g:?}, want {w:?}\n got {got:?}\nwant {want:?}");
        if g.0 != w.0 {
            let tied = |s: f32| want.iter().chain(got).filter(|x| close(x.1, s)).count() > 1;
            assert!(tied(g.1), "{what}: at {i} got {g:?}, want {w:?}\n got {got:?}\nwant {want:?}");
        }
    }
}

fn corpus(dramas: &[(Vec<usize>, Vec<usize>)], texts: &[(usize, u8, Vec<usize>)], replaced: &[usize]) -> (tempfile::TempDir, Engine) {
    let (dir, engine) = common::empty_engine();
    let mut lines = Vec::new();
    for (i, (title, cast)) in dramas.iter().enumerate() {
        lines.push(serde_json::json!({
            // An alias in other words: a query equal to the title also searches texts for it.
            "type": "drama", "id": format!("d{i}"), "title": text_of(title), "aka": [text_of(&[cast[0] + 2, title[0]])],
            "cast": [{"actor": text_of(cast), "character": text_of(&cast.iter().rev().copied().collect::<Vec<_>>())}],
            "synopsis": text_of(&[title[0] + 3, cast[0] + 5]),
        }).to_string());
    }
    engine.ingest(parse_ndjson("dramas", &lines.join("\n")).unwrap()).unwrap();
    // Texts in several batches (several segments), some replaced (deleted documents).
    for (b, chunk) in texts.chunks(40).enumerate() {
        let lines: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(j, (d, kind, words))| {
                let id = format!("t{}", b * 40 + j);
                let drama = format!("d{}", d % dramas.len());
                match kind % 3 {
                    0 => serde_json::json!({"type": "review", "id": id, "drama_id": drama, "author": "a", "rating": 7, "body": text_of(words)}),
                    1 => serde_json::json!({"type": "comment", "id": id, "drama_id": drama, "author": "b", "body": text_of(words)}),
                    // Every fourth post names no drama: it is in the forum of each drama it mentions.
                    _ if d % 4 == 3 => serde_json::json!({"type": "post", "id": id, "topic": "t", "author": "c", "body": text_of(words)}),
                    _ => serde_json::json!({"type": "post", "id": id, "topic": "t", "drama_id": drama, "author": "c", "body": text_of(words)}),
                }
                .to_string()
            })
            .collect();
        engine.ingest(parse_ndjson("texts", &lines.join("\n")).unwrap()).unwrap();
    }
    let again: Vec<String> = replaced
        .iter()
        .filter(|&&i| i < texts.len())
        .map(|&i| serde_json::json!({"type": "comment", "id": format!("t{i}"), "drama_id": "d0", "author": "z", "body": text_of(&[i, i + 1])}).to_string())
        .collect();
    if !again.is_empty() {
        engine.ingest(parse_ndjson("again", &again.join("\n")).unwrap()).unwrap();
    }
    (dir, engine)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn the_pruned_first_page_is_the_exhaustive_first_page(
        dramas in prop::collection::vec((prop::collection::vec(0..18usize, 1..4), prop::collection::vec(0..18usize, 1..3)), 1..12),
        texts in prop::collection::vec((0..12usize, 0..3u8, prop::collection::vec(0..18usize, 1..12)), 0..240),
        replaced in prop::collection::vec(0..240usize, 0..20),
        queries in prop::collection::vec((prop::collection::vec(0..18usize, 1..4), 0..7usize, 0..3usize), 4),
    ) {
        let (_dir, engine) = corpus(&dramas, &texts, &replaced);
        for (words, scope, page) in queries {
            let scope = match scope {
                0 | 1 => Scope::Site(None),
                2 => Scope::Site(Some(Kind::Drama)),
                3 => Scope::Site(Some(Kind::Review)),
                4 => Scope::Site(Some(Kind::Comment)),
                _ => Scope::Forum(format!("d{}", words[0] % dramas.len())),
            };
            let (limit, offset) = [(20, 0), (5, 5), (3, 30)][page];
            let req = SearchRequest { q: text_of(&words), scope, limit, offset, refine: Default::default() };
            let got = search::search(engine.store(), &req, &ratings_of).unwrap();
            let (want, total) = exhaustive(&engine, &req);
            let got_page: Vec<(String, f32)> = got.hits.iter().map(|h| (format!("{}:{}", h.kind, h.id), h.score)).collect();
            assert_same_page(&got_page, &want, &format!("{req:?}"));
            prop_assert_eq!(got.total, total, "total of {:?}", req);
            prop_assert_eq!(got.total_relation, Relation::Eq);
        }
    }
}

/// Past the cap, `total` is the cap and says it is a lower bound; the kinds counted in full
/// stay exact.
#[test]
fn a_query_matching_more_than_the_cap_reports_a_lower_bound() {
    let (_d, engine) = common::seeded_engine();
    let n = TOTAL_CAP + 25;
    let lines: Vec<String> = (0..n)
        .map(|i| serde_json::json!({"type": "comment", "id": format!("many{i}"), "drama_id": common::SEED, "author": "x", "body": format!("qqcapword number {i}")}).to_string())
        .collect();
    engine.ingest(parse_ndjson("many", &lines.join("\n")).unwrap()).unwrap();
    let req = SearchRequest { q: "qqcapword".into(), scope: Scope::Site(None), limit: 20, offset: 0, refine: Default::default() };
    let res = engine.search_uncached(&req).unwrap();
    assert_eq!((res.total, res.total_relation), (TOTAL_CAP, Relation::Gte));
    assert_eq!(res.kinds["comment"].relation, Relation::Gte);
    assert_eq!(res.hits.len(), 20);
    // Every score ties (the same words, the same length): newest first.
    assert!(res.hits.iter().all(|h| h.score == res.hits[0].score));
    let ids: Vec<&str> = res.hits.iter().map(|h| h.id.as_str()).collect();
    let newest: Vec<String> = (0..20).map(|i| format!("many{}", n - 1 - i)).collect();
    assert_eq!(ids, newest);

    // Under the cap the count is exact, kind by kind.
    let req = SearchRequest { q: "qqcapword 7".into(), scope: Scope::Site(None), limit: 5, offset: 0, refine: Default::default() };
    let res = engine.search_uncached(&req).unwrap();
    assert_eq!((res.total, res.total_relation), (1, Relation::Eq));
    assert_eq!(res.kinds["comment"].total, 1);
}

/// Past the cap the first page comes from pruned walks that start from the best of the
/// matches counted: texts scoring unequally, the best of them before and after the cap's
/// worth, still make the page the exhaustive scoring makes.
#[test]
fn past_the_cap_the_first_page_is_the_exhaustive_first_page() {
    let (_d, engine) = common::seeded_engine();
    let n = TOTAL_CAP + 3_000;
    let lines: Vec<String> = (0..n)
        .map(|i| {
            // Lengths and repeats vary the scores; every 997th text says the word thrice in a
            // short body, the best, some counted before the cap and some after.
            let body = if i % 997 == 0 { "qqcapword qqcapword qqcapword".to_string() } else { format!("qqcapword {}", "filler ".repeat(1 + i % 13)) };
            serde_json::json!({"type": "comment", "id": format!("many{i}"), "drama_id": common::SEED, "author": "x", "body": body}).to_string()
        })
        .collect();
    engine.ingest(parse_ndjson("many", &lines.join("\n")).unwrap()).unwrap();
    for (q, kind) in [("qqcapword", None), ("qqcapword", Some(Kind::Comment))] {
        let req = SearchRequest { q: q.into(), scope: Scope::Site(kind), limit: 20, offset: 0, refine: Default::default() };
        let got = search::search(engine.store(), &req, &ratings_of).unwrap();
        assert_eq!(got.total_relation, Relation::Gte);
        let (want, _) = exhaustive(&engine, &req);
        let got_page: Vec<(String, f32)> = got.hits.iter().map(|h| (format!("{}:{}", h.kind, h.id), h.score)).collect();
        for best in (0..n).step_by(997) {
            assert!(got_page.iter().any(|(id, _)| *id == format!("comment:many{best}")), "many{best} is not on the page: {got_page:?}");
        }
        assert_same_page(&got_page, &want, q);
    }
}

/// Two words each in more texts than the cap and both in a few: the count keeps what it
/// counts, ends short of the cap, and ranks them; the page is the exhaustive one.
#[test]
fn a_conjunction_of_common_words_with_few_matches_is_ranked_from_its_count() {
    let (_d, engine) = common::seeded_engine();
    let n = TOTAL_CAP + 1_000;
    let lines: Vec<String> = (0..2 * n)
        .map(|i| {
            let word = if i % 2 == 0 { "qqalpha" } else { "qqbeta" };
            // One text in forty holds both, the later ones shorter (they score higher).
            let body = if i % 40 < 2 { format!("qqalpha qqbeta {}", "filler ".repeat(600 - i / 40)) } else { format!("{word} {}", "filler ".repeat(i % 5)) };
            serde_json::json!({"type": "comment", "id": format!("c{i}"), "drama_id": common::SEED, "author": "x", "body": body}).to_string()
        })
        .collect();
    engine.ingest(parse_ndjson("common", &lines.join("\n")).unwrap()).unwrap();
    let req = SearchRequest { q: "qqalpha qqbeta".into(), scope: Scope::Site(None), limit: 20, offset: 0, refine: Default::default() };
    let got = search::search(engine.store(), &req, &ratings_of).unwrap();
    let (want, total) = exhaustive(&engine, &req);
    assert_eq!((got.total, got.total_relation), (total, Relation::Eq));
    assert!(total > 500 && total < TOTAL_CAP, "{total} texts hold both");
    let got_page: Vec<(String, f32)> = got.hits.iter().map(|h| (format!("{}:{}", h.kind, h.id), h.score)).collect();
    assert_same_page(&got_page, &want, "qqalpha qqbeta");
}
