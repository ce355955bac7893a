//! Sorted searches past the count: once `TOTAL_CAP` matches are counted, a walk by a sort key
//! passes over segments and matches that cannot make the page, narrows `sort=votes` to the
//! dramas that can, and stops ranking texts the dramas found already outrank. The page must be
//! the one a sort of every match gives. Expectations are made from the records alone: every
//! review has the same words, so among equal keys the order is the drama's popularity boost,
//! then the newest.

mod common;
use dorama_search::engine::Engine;
use dorama_search::rank::Scope as TopScope;
use dorama_search::record::{parse_ndjson, Kind};
use dorama_search::search::{popularity_boost, Refine, Relation, Scope, SearchRequest, Sort, TOTAL_CAP};
use std::collections::HashMap;

const DRAMAS: usize = 80;
const REVIEWS: usize = TOTAL_CAP + 2_000;

/// The drama of review `i`: every eighth review goes round the dramas (each has enough
/// ratings to be listed in the Top 100); the others go more to later dramas, so the dramas'
/// counted ratings differ.
fn drama_of(i: usize) -> usize {
    if i.is_multiple_of(8) {
        i / 8 % DRAMAS
    } else {
        ((DRAMAS as f64) * (i as f64 / REVIEWS as f64).sqrt()) as usize
    }
}

fn rating_of(i: usize) -> u8 {
    1 + (i * 7 % 10) as u8
}

/// A date as `YYYY-MM-DD`, and as the `YYYYMMDD` the search orders by; each is the date of
/// many reviews, so that the page's least date is shared by reviews on both sides of its edge.
fn date_of(i: usize) -> (String, u64) {
    let x = i * 7919 % 720;
    let (y, m, d) = (2000 + x % 20, 1 + x / 20 % 12, 1 + x / 240 % 28);
    (format!("{y:04}-{m:02}-{d:02}"), (y * 10_000 + m * 100 + d) as u64)
}

/// Dramas whose titles hold the query word when `titled`, and `REVIEWS` reviews of one word,
/// each by its own author, in four commits (four segments at least).
fn corpus(titled: bool, date_of: fn(usize) -> (String, u64)) -> (tempfile::TempDir, Engine) {
    let (dir, engine) = common::empty_engine();
    let dramas: Vec<String> = (0..DRAMAS)
        .map(|d| {
            let title = if titled { format!("Qqsortword drama {d}") } else { format!("Drama {d}") };
            serde_json::json!({"type": "drama", "id": format!("sd{d}"), "title": title, "station": "TBS", "season": "Summer 2004"}).to_string()
        })
        .collect();
    // As many dramas again that no one rated: they sort after every rated text.
    let unrated = (0..DRAMAS).filter(|_| titled).map(|d| serde_json::json!({"type": "drama", "id": format!("un{d}"), "title": format!("Qqsortword unrated {d}")}).to_string());
    let dramas: Vec<String> = dramas.into_iter().chain(unrated).collect();
    engine.ingest(parse_ndjson("dramas", &dramas.join("\n")).unwrap()).unwrap();
    let reviews: Vec<String> = (0..REVIEWS)
        .map(|i| {
            serde_json::json!({"type": "review", "id": format!("r{i}"), "drama_id": format!("sd{}", drama_of(i)), "author": format!("u{i}"),
                "rating": rating_of(i), "date": date_of(i).0, "body": "qqsortword"})
            .to_string()
        })
        .collect();
    for chunk in reviews.chunks(REVIEWS / 4 + 1) {
        engine.ingest(parse_ndjson("reviews", &chunk.join("\n")).unwrap()).unwrap();
    }
    (dir, engine)
}

/// Counted ratings by drama id, from the Top 100 (every drama here is rated).
fn votes(engine: &Engine) -> HashMap<String, u32> {
    let top = engine.top100_uncached(&TopScope::All);
    assert_eq!(top.entries.len(), DRAMAS, "every drama is listed");
    top.entries.iter().map(|e| (e.id.clone(), e.votes)).collect()
}

/// Every review ordered by `sort`: key, then boost (equal words: equal scores), then newest.
fn expected_reviews(engine: &Engine, sort: Sort, date_of: fn(usize) -> (String, u64)) -> Vec<String> {
    let votes = votes(engine);
    let mut rows: Vec<(u64, f32, usize)> = (0..REVIEWS)
        .map(|i| {
            let v = votes[&format!("sd{}", drama_of(i))];
            let key = match sort {
                Sort::Rating => rating_of(i) as u64,
                Sort::Newest => date_of(i).1,
                Sort::Votes => v as u64,
                Sort::Relevance => unreachable!(),
            };
            (key, popularity_boost(v), i)
        })
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(b.2.cmp(&a.2)));
    rows.into_iter().map(|(_, _, i)| format!("review:r{i}")).collect()
}

fn page(engine: &Engine, scope: Scope, sort: Sort, limit: usize, offset: usize, facets: bool) -> (Vec<String>, usize, Relation) {
    let mut refine = Refine { sort, ..Refine::default() };
    if facets {
        refine.facets = ["station", "season", "year", "kind"].iter().map(|f| dorama_search::search::Facet::parse(f).unwrap()).collect();
    }
    let req = SearchRequest { q: "qqsortword".into(), scope, limit, offset, refine };
    let res = engine.search_uncached(&req).unwrap();
    (res.hits.iter().map(|h| format!("{}:{}", h.kind, h.id)).collect(), res.total, res.total_relation)
}

#[test]
fn a_sorted_search_of_more_matches_than_the_cap_pages_as_a_sort_of_every_match() {
    let (_dir, engine) = corpus(false, date_of);
    for sort in [Sort::Rating, Sort::Newest, Sort::Votes] {
        let want = expected_reviews(&engine, sort, date_of);
        for scope in [Scope::Site(None), Scope::Site(Some(Kind::Review))] {
            for (limit, offset) in [(20, 0), (10, 100), (5, 997)] {
                for facets in [false, true] {
                    let (got, total, relation) = page(&engine, scope.clone(), sort, limit, offset, facets);
                    assert_eq!(got, want[offset..offset + limit], "{sort:?} {scope:?} limit {limit} offset {offset} facets {facets}");
                    assert_eq!((total, relation), (TOTAL_CAP, Relation::Gte));
                }
            }
        }
    }
}

#[test]
fn dramas_that_fill_the_page_by_rating_come_before_every_review_and_the_reviews_follow_in_order() {
    let (_dir, engine) = corpus(true, date_of);
    // Dramas by their Top 100 score, highest first: the all-time list is that order.
    let dramas: Vec<String> = engine.top100_uncached(&TopScope::All).entries.iter().map(|e| format!("drama:{}", e.id)).collect();
    let reviews = expected_reviews(&engine, Sort::Rating, date_of);
    let want: Vec<String> = dramas.iter().chain(&reviews).cloned().collect();
    // A first page the rated dramas fill (they are more than the page and its reranking
    // margin), one that ends in them (where the dramas found, rated or not, fill the margin,
    // but the unrated rank below every review), and one of reviews alone.
    for (limit, offset) in [(10, 0), (10, DRAMAS - 5), (10, DRAMAS + 40)] {
        let (got, _, _) = page(&engine, Scope::Site(None), Sort::Rating, limit, offset, false);
        assert_eq!(got, want[offset..offset + limit], "limit {limit} offset {offset}");
    }
}

/// One review in a hundred dated 2010, the rest 2000-01-01: once the count stops, the page's
/// least date is 2000-01-01, and the reviews after the count, all of that date, outrank the
/// ones kept before it (newer, of more rated dramas).
fn few_new_dates(i: usize) -> (String, u64) {
    if i.is_multiple_of(100) && i < TOTAL_CAP {
        ("2010-06-01".into(), 20100601)
    } else {
        ("2000-01-01".into(), 20000101)
    }
}

#[test]
fn matches_after_the_count_that_tie_the_least_key_of_the_page_still_take_their_place() {
    let (_dir, engine) = corpus(false, few_new_dates);
    let want = expected_reviews(&engine, Sort::Newest, few_new_dates);
    // The page that turns from 2010 to 2000-01-01, as the walk keeps it when the count stops.
    let (got, _, _) = page(&engine, Scope::Site(Some(Kind::Review)), Sort::Newest, 10, 95, false);
    assert_eq!(got, want[95..105]);
    assert!(got[5..].iter().all(|id| id["review:r".len()..].parse::<usize>().unwrap() >= TOTAL_CAP), "the reviews after the count outrank those before it: {got:?}");
}
