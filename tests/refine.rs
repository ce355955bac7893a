//! Filters, sorts and facets (issue 15), each checked against an answer worked out apart from
//! the engine's filter code: from the records themselves, or from the unfiltered search.

mod common;
use dorama_search::engine::Engine;
use dorama_search::record::{parse_ndjson, Kind, Record};
use dorama_search::search::{Facet, Filters, Refine, Scope, SearchRequest, SearchResults, Sort};
use std::collections::BTreeMap;

/// Reviews of drama `d`: their number differs by drama, so the dramas' votes differ.
fn reviews_of(d: usize) -> usize {
    20 + d % 11
}

/// 40 dramas on four stations over ten years, one of them alone on `Rare TV`; reviews that
/// all hold the word `qqrefine` ([`reviews_of`] per drama), a day apart, rated by drama.
fn corpus() -> String {
    let mut lines = Vec::new();
    for d in 0..40 {
        let station = if d == 7 { "Rare TV" } else { ["Fuji TV", "TBS", "NTV"][d % 3] };
        let year = 2000 + d % 10;
        let month = 1 + (d % 4) * 3;
        lines.push(serde_json::json!({
            "type": "drama", "id": format!("d{d}"), "title": format!("Qqdrama {d}"),
            "station": station, "start": format!("{year}-{month:02}-05"),
        }).to_string());
    }
    for d in 0..40 {
        for r in 0..reviews_of(d) {
            let day = 1 + (d * 30 + r) % 28;
            let month = 1 + (d * 30 + r) / 28 % 12;
            lines.push(serde_json::json!({
                "type": "review", "id": format!("d{d}-r{r}"), "drama_id": format!("d{d}"), "author": format!("u{r}"),
                "rating": 1 + (d % 10 + r % 3) % 10, "date": format!("2020-{month:02}-{day:02}"), "body": format!("qqrefine review {r} of drama {d}"),
            }).to_string());
        }
    }
    lines.join("\n")
}

fn engine() -> (tempfile::TempDir, Engine) {
    let (dir, e) = common::empty_engine();
    e.ingest(parse_ndjson("refine.ndjson", &corpus()).unwrap()).unwrap();
    (dir, e)
}

fn search(e: &Engine, q: &str, kind: Option<Kind>, limit: usize, offset: usize, refine: Refine) -> SearchResults {
    e.search_uncached(&SearchRequest { q: q.into(), scope: Scope::Site(kind), limit, offset, refine }).unwrap()
}

fn ids(res: &SearchResults) -> Vec<String> {
    res.hits.iter().map(|h| h.id.clone()).collect()
}

fn drama_of(e: &Engine, kind: Kind, id: &str) -> Option<dorama_search::record::Drama> {
    let drama_id = match e.get(kind, id).unwrap()? {
        Record::Drama(d) => return Some(d),
        other => other.drama_id()?.to_string(),
    };
    match e.get(Kind::Drama, &drama_id).unwrap()? {
        Record::Drama(d) => Some(d),
        _ => None,
    }
}

#[test]
fn a_station_filter_that_leaves_a_few_hits_of_many_still_finds_them() {
    let (_d, e) = engine();
    let all = search(&e, "qqrefine", Some(Kind::Review), 20, 0, Refine::default());
    assert_eq!(all.total, (0..40).map(reviews_of).sum::<usize>());
    let rare = Refine { filters: Filters { station: Some("rare tv".into()), ..Filters::default() }, ..Refine::default() };
    let res = search(&e, "qqrefine", Some(Kind::Review), 100, 0, rare.clone());
    assert_eq!(res.total, reviews_of(7), "the filter counts inside the index, not over a page");
    let mut got = ids(&res);
    got.sort();
    let mut want: Vec<String> = (0..reviews_of(7)).map(|r| format!("d7-r{r}")).collect();
    want.sort();
    assert_eq!(got, want);
    // The filtered matches are a few among the best-scoring unfiltered ones: a page cut
    // first and filtered after would have found next to none of them.
    let first_page = ids(&search(&e, "qqrefine", Some(Kind::Review), 20, 0, Refine::default()));
    assert!(first_page.iter().filter(|id| id.starts_with("d7-")).count() < 20);
    // A station no drama has matches nothing, not everything.
    let none = Refine { filters: Filters { station: Some("No Such TV".into()), ..Filters::default() }, ..Refine::default() };
    assert_eq!(search(&e, "qqrefine", None, 20, 0, none).total, 0);
}

#[test]
fn each_drama_filter_keeps_exactly_the_matches_whose_drama_passes_it() {
    let (_d, e) = engine();
    let everything = search(&e, "qqdrama", Some(Kind::Drama), 100, 0, Refine::default());
    assert_eq!(everything.total, 40);
    let cases: Vec<(Filters, Box<dyn Fn(&dorama_search::record::Drama) -> bool>)> = vec![
        (Filters { station: Some("TBS".into()), ..Filters::default() }, Box::new(|d| d.station.as_deref() == Some("TBS"))),
        (Filters { season: Some("summer  2006".into()), ..Filters::default() }, Box::new(|d| d.season.as_deref() == Some("Summer 2006"))),
        (Filters { years: Some((2002, 2004)), ..Filters::default() }, Box::new(|d| ("2002".."2005").contains(&&d.start.as_deref().unwrap()[..4]))),
        (Filters { years: Some((2009, 2009)), station: Some("fuji tv".into()), ..Filters::default() }, Box::new(|d| d.start.as_deref().unwrap().starts_with("2009") && d.station.as_deref() == Some("Fuji TV"))),
    ];
    for (filters, passes) in cases {
        let res = search(&e, "qqdrama", Some(Kind::Drama), 100, 0, Refine { filters: filters.clone(), ..Refine::default() });
        let mut got = ids(&res);
        got.sort();
        let mut want: Vec<String> = everything.hits.iter().filter(|h| passes(&drama_of(&e, Kind::Drama, &h.id).unwrap())).map(|h| h.id.clone()).collect();
        want.sort();
        assert!(!want.is_empty(), "{filters:?} should keep some dramas");
        assert_eq!(got, want, "{filters:?}");
        assert_eq!(res.total, want.len());
    }
}

#[test]
fn min_rating_keeps_the_dramas_whose_top_100_score_reaches_it() {
    let (_d, e) = engine();
    let top = e.top100_uncached(&dorama_search::rank::Scope::All);
    let score: BTreeMap<&str, f64> = top.entries.iter().map(|en| (en.id.as_str(), en.score)).collect();
    let min = 5.6;
    let res = search(&e, "qqdrama", Some(Kind::Drama), 100, 0, Refine { filters: Filters { min_rating: Some(min), ..Filters::default() }, ..Refine::default() });
    let mut got = ids(&res);
    got.sort();
    let mut want: Vec<String> = score.iter().filter(|(_, s)| **s >= min).map(|(id, _)| id.to_string()).collect();
    want.sort();
    assert!(!want.is_empty() && want.len() < 40, "the threshold splits the dramas: {}", want.len());
    assert_eq!(got, want);
    // Reviews go through their drama.
    let reviews = search(&e, "qqrefine", Some(Kind::Review), 100, 0, Refine { filters: Filters { min_rating: Some(min), ..Filters::default() }, ..Refine::default() });
    let want_reviews: usize = want.iter().map(|id| reviews_of(id[1..].parse().unwrap())).sum();
    assert_eq!(reviews.total, want_reviews);
}

#[test]
fn sorting_by_rating_newest_and_votes_orders_by_the_key_then_relevance() {
    let (_d, e) = engine();
    // Dramas by their Top 100 score, as the Top 100 ranks them.
    let top = e.top100_uncached(&dorama_search::rank::Scope::All);
    let by_rating = search(&e, "qqdrama", Some(Kind::Drama), 10, 0, Refine { sort: Sort::Rating, ..Refine::default() });
    let want: Vec<String> = top.entries.iter().take(10).map(|en| en.id.clone()).collect();
    assert_eq!(ids(&by_rating), want);
    // Reviews by their own rating, best first.
    let reviews = search(&e, "qqrefine", Some(Kind::Review), 100, 0, Refine { sort: Sort::Rating, ..Refine::default() });
    let ratings: Vec<u8> = reviews.hits.iter().map(|h| h.rating.unwrap()).collect();
    assert!(ratings.windows(2).all(|w| w[0] >= w[1]), "{ratings:?}");
    assert_eq!(ratings[0], 10);
    // Dramas by start date, newest first.
    let newest = search(&e, "qqdrama", Some(Kind::Drama), 40, 0, Refine { sort: Sort::Newest, ..Refine::default() });
    let starts: Vec<String> = newest.hits.iter().map(|h| drama_of(&e, Kind::Drama, &h.id).unwrap().start.unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] >= w[1]), "{starts:?}");
    // Dramas by their counted ratings, most first.
    let votes = search(&e, "qqdrama", Some(Kind::Drama), 40, 0, Refine { sort: Sort::Votes, ..Refine::default() });
    let counts: Vec<usize> = votes.hits.iter().map(|h| reviews_of(h.id[1..].parse().unwrap())).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    assert_eq!(counts[0], 30);
}

#[test]
fn deep_pages_of_a_sorted_search_are_the_sorted_list_cut_at_the_offset() {
    let (_d, e) = engine();
    let refine = Refine { sort: Sort::Newest, filters: Filters { station: Some("TBS".into()), ..Filters::default() }, ..Refine::default() };
    let mut all = Vec::new();
    for page in 0..6 {
        all.extend(search(&e, "qqrefine", Some(Kind::Review), 100, page * 100, refine.clone()).hits);
    }
    let tbs: usize = (0..40).filter(|d| *d != 7 && d % 3 == 1).map(reviews_of).sum();
    assert!(tbs > 250, "deep enough for three pages: {tbs}");
    assert_eq!(all.len(), tbs);
    let dates: Vec<String> = all.iter().map(|h| match e.get(Kind::Review, &h.id).unwrap().unwrap() {
        Record::Review(r) => r.date.unwrap(),
        _ => unreachable!(),
    }).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "pages in date order across their cuts");
    let mut seen: Vec<&String> = all.iter().map(|h| &h.id).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), tbs, "no hit on two pages");
}

#[test]
fn facet_counts_match_a_count_made_from_the_records() {
    let (_d, e) = common::sample_engine();
    let q = "love";
    let facets = vec![Facet::Station, Facet::Season, Facet::Year, Facet::Kind];
    let res = search(&e, q, None, 20, 0, Refine { facets: facets.clone(), ..Refine::default() });
    // Every match, unfiltered, its drama read from the stored records.
    let all = search(&e, q, None, 10_000, 0, Refine::default());
    assert_eq!(all.hits.len(), all.total);
    let mut want: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    for h in &all.hits {
        *want.entry("kind").or_default().entry(h.kind.as_str().to_string()).or_default() += 1;
        if let Some(d) = drama_of(&e, h.kind, &h.id) {
            if let Some(s) = d.station {
                *want.entry("station").or_default().entry(s).or_default() += 1;
            }
            if let Some(s) = d.season.clone() {
                *want.entry("season").or_default().entry(s).or_default() += 1;
            }
            let year = d.start.as_deref().map(|s| s[..4].to_string()).or_else(|| d.season.as_deref().and_then(|s| s.split_whitespace().last()).map(str::to_string));
            if let Some(y) = year {
                *want.entry("year").or_default().entry(y).or_default() += 1;
            }
        }
    }
    let got = res.facets.expect("facets asked for");
    for facet in ["station", "season", "year", "kind"] {
        let values = &got[facet];
        assert!(values.len() <= 20);
        assert!(values.windows(2).all(|w| w[0].count >= w[1].count), "{facet}: most frequent first");
        let w = &want[facet];
        for v in values {
            let key = v.value.as_str().map(str::to_string).unwrap_or_else(|| v.value.to_string());
            assert_eq!(Some(&v.count), w.get(&key), "{facet} {key}");
        }
        assert_eq!(values.len(), w.len().min(20), "{facet}: every value, up to 20");
    }
}

#[test]
fn a_facet_is_counted_without_its_own_filter_and_with_the_others() {
    let (_d, e) = engine();
    let refine = Refine {
        filters: Filters { station: Some("TBS".into()), years: Some((2000, 2004)), ..Filters::default() },
        facets: vec![Facet::Station, Facet::Year],
        ..Refine::default()
    };
    let res = search(&e, "qqdrama", Some(Kind::Drama), 40, 0, refine);
    let facets = res.facets.unwrap();
    let count = |facet: &str, value: serde_json::Value| facets[facet].iter().find(|v| v.value == value).map(|v| v.count);
    // Stations: every station's dramas of 2000–2004 (the year filter holds, the station one not).
    let in_years = |pred: &dyn Fn(usize) -> bool| (0..40).filter(|d| d % 10 < 5 && pred(*d)).count();
    assert_eq!(count("station", "TBS".into()), Some(in_years(&|d| d != 7 && d % 3 == 1)));
    assert_eq!(count("station", "Fuji TV".into()), Some(in_years(&|d| d != 7 && d % 3 == 0)));
    // Years: TBS dramas of every year (the station filter holds, the year one not).
    let tbs_in = |y: usize| (0..40).filter(|d| *d != 7 && d % 3 == 1 && d % 10 == y).count();
    assert_eq!(count("year", 2007.into()), Some(tbs_in(7)).filter(|n| *n > 0));
    assert_eq!(res.total, (0..40).filter(|d| *d != 7 && d % 3 == 1 && d % 10 < 5).count());
}

fn did_you_mean(e: &Engine, q: &str) -> Option<String> {
    search(e, q, None, 20, 0, Refine::default()).did_you_mean
}

#[test]
fn a_query_found_only_through_typos_gets_the_names_spelling_as_did_you_mean() {
    let (_d, e) = common::sample_engine();
    assert_eq!(did_you_mean(&e, "sekai no chushin de ai wo sakebe").as_deref(), Some("sekai no chuushin de ai wo sakebu"));
    assert_eq!(did_you_mean(&e, "yamada takayki").as_deref(), Some("yamada takayuki"));
    assert_eq!(did_you_mean(&e, "Nodame Cantabil").as_deref(), Some("nodame cantabile"));
    // The rewrite finds at least what the query found, as typed.
    let typo = search(&e, "sekai no chushin de ai wo sakebe", None, 20, 0, Refine::default());
    let fixed = search(&e, "sekai no chuushin de ai wo sakebu", None, 20, 0, Refine::default());
    assert!(fixed.total >= typo.total && fixed.did_you_mean.is_none());
}

#[test]
fn a_query_that_matches_as_typed_gets_no_did_you_mean() {
    let (_d, e) = common::sample_engine();
    for q in ["sekai no chuushin", "sekai no chushin", "takayuki yamada", "sekachu", "世界の中心", "tokyo love story", "qqnothingatall"] {
        assert_eq!(did_you_mean(&e, q), None, "{q}");
    }
}

#[test]
fn the_kind_facet_of_a_search_narrowed_to_one_kind_still_counts_every_kind() {
    let (_d, e) = common::sample_engine();
    let all = search(&e, "love", None, 20, 0, Refine::default());
    let reviews = search(&e, "love", Some(Kind::Review), 20, 0, Refine { facets: vec![Facet::Kind], ..Refine::default() });
    assert!(reviews.hits.iter().all(|h| h.kind == Kind::Review));
    let got: BTreeMap<String, usize> = reviews.facets.unwrap()["kind"].iter().map(|v| (v.value.as_str().unwrap().to_string(), v.count)).collect();
    let want: BTreeMap<String, usize> = all.kinds.iter().map(|(k, t)| (k.to_string(), t.total)).collect();
    assert!(want.len() > 2, "the sample's matches are of several kinds: {want:?}");
    assert_eq!(got, want);
}

/// Facets are counts beside the page: asking for them leaves the page of hits as it is, in a
/// site search and in a drama's forum (whose page was empty when the kind facet was asked
/// for, its total alone right).
#[test]
fn asking_for_facets_leaves_the_page_of_hits_as_it_is() {
    let (_d, e) = common::sample_engine();
    let forum = Scope::Forum(common::SEED.to_string());
    let mut with_hits = BTreeMap::new();
    for (scope, facets) in [(Scope::Site(None), vec![Facet::Kind, Facet::Station, Facet::Year]), (Scope::Site(Some(Kind::Review)), vec![Facet::Kind]), (forum, vec![Facet::Kind])] {
        for q in ["love", "sekai no chuushin", "takayuki yamada", "世界", "aki"] {
            let page = |facets: Vec<Facet>| {
                let res = e.search_uncached(&SearchRequest { q: q.into(), scope: scope.clone(), limit: 20, offset: 0, refine: Refine { facets, ..Refine::default() } }).unwrap();
                (res.total, res.hits.iter().map(|h| format!("{}:{}", h.kind, h.id)).collect::<Vec<_>>())
            };
            let (plain, faceted) = (page(Vec::new()), page(facets.clone()));
            assert_eq!(faceted, plain, "{scope:?} {q} with facets {facets:?}");
            *with_hits.entry(format!("{scope:?}")).or_insert(0) += usize::from(!plain.1.is_empty());
        }
    }
    assert!(with_hits.values().all(|&n| n >= 2), "queries with hits in each scope: {with_hits:?}");
}
