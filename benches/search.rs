//! Search side by side with SQLite FTS5, on the same synthetic corpus, in the same run.
//!
//! The corpus is `dorama_search::corpus` at `DORAMA_BENCH_SCALE` (default 0.01: 200 dramas,
//! 100,000 ratings of which 30,000 with text). SQLite gets what a site would set up without
//! us: an FTS5 table with the `unicode61` tokenizer (diacritics removed) for Latin text and
//! one with the `trigram` tokenizer for Japanese, ranked by bm25, the same 20 results, each
//! with a snippet (FTS5's `snippet()`), as ours have. Each query's report says how many hits
//! each side found: FTS5 finds nothing for kana, typos or reversed name order, and its speed
//! there is the speed of an empty answer.
//!
//! The Top 100 full recompute runs against the same computation in SQL over a ratings table.
//!
//! Besides criterion's own report, the run writes `target/bench-report.json`: every figure and
//! its ratio to SQLite's (higher is better for us in `speedup`).

use criterion::Criterion;
use dorama_search::corpus;
use dorama_search::engine::{Engine, Options};
use dorama_search::rank::{rank, Params, RatingEvent, Ratings, Scope as RankScope};
use dorama_search::record::{Located, Record};
use dorama_search::search::{query, search_with, Facet, Features, Filters, Refine, Scope, SearchRequest, Sort};
use rusqlite::Connection;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The fixed query mix: (name, query, how SQLite is asked).
const MIX: &[(&str, &str)] = &[
    ("title_romaji", "sekai no chuushin"),
    ("title_english", "center of the world"),
    ("title_kanji", "世界の中心"),
    ("title_kana", "せかいのちゅうしん"),
    ("person", "takayuki yamada"),
    ("person_kanji", "山田孝之"),
    ("typo", "yamada takayki"),
    ("review_text", "cinematography"),
    ("review_japanese", "学校"),
    // Both words in more than 10% of the texts: the query whose matches pruning must skip.
    ("review_common", "high school"),
];

fn text_of(r: &Record) -> String {
    match r {
        Record::Drama(d) => {
            let mut t = vec![d.title.clone()];
            t.extend(d.title_en.clone());
            t.extend(d.title_ja.clone());
            t.extend(d.aka.iter().cloned());
            for c in &d.cast {
                t.extend(c.actor.clone());
                t.extend(c.actor_ja.clone());
                t.extend(c.character.clone());
                t.extend(c.character_ja.clone());
            }
            t.extend(d.synopsis.clone());
            t.join(" ")
        }
        Record::Review(v) => format!("{} {}", v.title.clone().unwrap_or_default(), v.body),
        Record::Comment(c) => c.body.clone(),
        _ => String::new(),
    }
}

fn sqlite_load(records: &[Record]) -> (Connection, Duration) {
    let db = Connection::open_in_memory().unwrap();
    db.execute_batch(
        "CREATE VIRTUAL TABLE latin USING fts5(kind UNINDEXED, id UNINDEXED, drama_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2');
         CREATE VIRTUAL TABLE ja USING fts5(kind UNINDEXED, id UNINDEXED, drama_id UNINDEXED, body, tokenize = 'trigram');",
    )
    .unwrap();
    let started = Instant::now();
    let tx = db.unchecked_transaction().unwrap();
    {
        let mut l = tx.prepare("INSERT INTO latin VALUES (?1, ?2, ?3, ?4)").unwrap();
        let mut j = tx.prepare("INSERT INTO ja VALUES (?1, ?2, ?3, ?4)").unwrap();
        for r in records {
            let body = text_of(r);
            if body.is_empty() {
                continue;
            }
            let args = (r.kind().as_str(), r.id(), r.drama_id().unwrap_or(""), body);
            l.execute(rusqlite::params![args.0, args.1, args.2, args.3]).unwrap();
            j.execute(rusqlite::params![args.0, args.1, args.2, args.3]).unwrap();
        }
    }
    tx.commit().unwrap();
    (db, started.elapsed())
}

/// What a site would send FTS5 for a search-box query: Japanese as a trigram phrase, Latin as
/// words that must all match.
fn sqlite_search(db: &Connection, q: &str) -> usize {
    let (table, expr) = if q.is_ascii() {
        ("latin", q.split_whitespace().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" "))
    } else {
        ("ja", format!("\"{q}\""))
    };
    // With a snippet, as the search page shows one for every hit.
    let sql = format!(
        "SELECT id, snippet({table}, 3, '<mark>', '</mark>', '…', 24) FROM {table} WHERE {table} MATCH ?1 ORDER BY bm25({table}) LIMIT 20"
    );
    let mut st = db.prepare_cached(&sql).unwrap();
    let rows = st.query_map([expr], |r| r.get::<_, String>(0)).unwrap();
    rows.count()
}

fn sqlite_prefix(db: &Connection, q: &str) -> usize {
    let mut st = db
        .prepare_cached("SELECT id FROM latin WHERE latin MATCH ?1 AND kind = 'drama' ORDER BY bm25(latin) LIMIT 8")
        .unwrap();
    let rows = st.query_map([format!("\"{q}\"*")], |r| r.get::<_, String>(0)).unwrap();
    rows.count()
}

fn sqlite_forum(db: &Connection, drama: &str, q: &str) -> usize {
    let mut st = db
        .prepare_cached("SELECT id, snippet(latin, 3, '<mark>', '</mark>', '…', 24) FROM latin WHERE latin MATCH ?1 AND drama_id = ?2 ORDER BY bm25(latin) LIMIT 20")
        .unwrap();
    let rows = st.query_map([format!("\"{q}\""), drama.to_string()], |r| r.get::<_, String>(0)).unwrap();
    rows.count()
}

struct Figure {
    name: String,
    ours_ns: f64,
    sqlite_ns: Option<f64>,
    ours_hits: usize,
    sqlite_hits: usize,
    /// A plain tantivy `TopDocs` top-20 over the same terms (see [`floor_query`]).
    floor_ns: Option<f64>,
    /// Texts (reviews, comments, posts) that match the query, and whether that is a lower
    /// bound (past the 10,000 that totals count exactly).
    text_matches: Option<(usize, bool)>,
    /// Our time split by phase ([`phases_of`]), for a search.
    phases: Option<serde_json::Value>,
}

/// Where the time of `req` goes, in microseconds, each a mean over runs after criterion's:
/// the search's own phases ([`dorama_search::search::phases`]), the JSON the service would
/// send (`serialization`), and what no phase covers (`other`: locks, the deadline, the
/// results' assembly).
fn phases_of(engine: &Engine, req: &SearchRequest, n: usize) -> serde_json::Value {
    let (results, p, whole) = dorama_search::search::phases::mean_of(n, || engine.search_uncached(req).unwrap());
    let t = Instant::now();
    for _ in 0..n {
        black_box(dorama_search::api::Encoded::new(&results));
    }
    let serialization = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    let mut phases = serde_json::to_value(p).expect("phases serialize");
    phases["serialization"] = serialization.into();
    phases["other"] = (whole - p.total()).max(0.0).into();
    phases
}

/// How many texts a search matched, from its per-kind totals.
fn text_matches(r: &dorama_search::search::SearchResults) -> (usize, bool) {
    let texts = r.kinds.iter().filter(|(k, _)| matches!(**k, "review" | "comment" | "post"));
    texts.fold((0, false), |(n, gte), (_, t)| (n + t.total, gte || t.relation == dorama_search::search::Relation::Gte))
}

/// The engine's own limit for a query: the conjunction of its words' text terms (the terms
/// our text part searches), as one plain tantivy query under `TopDocs` top 20, with no count,
/// no catalog part, no popularity, no stored document and no snippet.
fn floor_query(engine: &Engine, q: &str, drama: Option<&str>) -> Box<dyn tantivy::query::Query> {
    let store = engine.store();
    let searcher = store.searcher();
    let cut = dorama_search::analysis::tokenizer::words(store.japanese(), q);
    let words = dorama_search::analysis::query::query_words(store.japanese(), &cut);
    let text = query::text(store.fields(), &query::text_lookup(&searcher, store.fields(), &words), true);
    match drama {
        None => text,
        Some(d) => {
            let term = tantivy::Term::from_field_text(store.fields().drama_id, d);
            let filter = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
            Box::new(tantivy::query::BooleanQuery::new(vec![
                (tantivy::query::Occur::Must, text),
                (tantivy::query::Occur::Must, Box::new(tantivy::query::ConstScoreQuery::new(Box::new(filter), 0.0))),
            ]))
        }
    }
}

fn floor_ns(c: &mut Criterion, engine: &Engine, name: &str, q: &str, drama: Option<&str>) -> f64 {
    let query = floor_query(engine, q, drama);
    let searcher = engine.store().searcher();
    let top = tantivy::collector::TopDocs::with_limit(20).order_by_score();
    mean_ns(c, "floor", &format!("{name}/tantivy-topdocs"), || {
        black_box(searcher.search(query.as_ref(), &top).unwrap());
    })
}

fn mean_ns(c: &mut Criterion, group: &str, name: &str, f: impl FnMut()) -> f64 {
    mean_ns_n(c, group, name, 200, f)
}

fn mean_ns_n(c: &mut Criterion, group: &str, name: &str, n: usize, mut f: impl FnMut()) -> f64 {
    // criterion measures and reports; the mean for the JSON report is taken here as well, over
    // a fixed number of runs after criterion's, so both come from the same process and data.
    c.benchmark_group(group).sample_size(10).measurement_time(Duration::from_secs(2)).bench_function(name, |b| b.iter(&mut f));
    let started = Instant::now();
    for _ in 0..n {
        f();
    }
    started.elapsed().as_nanos() as f64 / n as f64
}

fn main() {
    let scale: f64 = std::env::var("DORAMA_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(0.01);
    let records: Vec<Record> = corpus::records(scale, 42).collect();
    let n = records.len();
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), Options { cache_entries: 0, ..Options::default() }).unwrap();
    let started = Instant::now();
    for chunk in records.chunks(50_000) {
        let batch = chunk.iter().enumerate().map(|(i, r)| Located { source: "corpus".into(), line: i + 1, record: r.clone() }).collect();
        engine.ingest(batch).unwrap();
    }
    let ours_index = started.elapsed();
    let (db, sqlite_index) = sqlite_load(&records);
    eprintln!(
        "indexed {n} records: dorama-search {:.0}/s, SQLite FTS5 {:.0}/s",
        n as f64 / ours_index.as_secs_f64(),
        n as f64 / sqlite_index.as_secs_f64()
    );
    // DORAMA_BENCH_PROFILE=person_kanji: only run our side of that query for 20 s and stop, so
    // that a profiler (`perf record`) sees nothing else.
    if let Ok(name) = std::env::var("DORAMA_BENCH_PROFILE") {
        let (_, q) = MIX.iter().find(|(n, _)| *n == name).expect("DORAMA_BENCH_PROFILE names a query of MIX");
        let req = SearchRequest { q: q.to_string(), scope: Scope::Site(None), limit: 20, offset: 0, refine: Default::default() };
        let started = Instant::now();
        let mut runs = 0u64;
        while started.elapsed() < Duration::from_secs(20) {
            black_box(engine.search_uncached(&req).unwrap());
            runs += 1;
        }
        eprintln!("{name}: {runs} runs, {:.0} µs each", started.elapsed().as_micros() as f64 / runs as f64);
        return;
    }
    let forum_drama = match &records[0] {
        Record::Drama(d) => d.id.clone(),
        _ => unreachable!("dramas come first"),
    };

    let mut c = Criterion::default().configure_from_args();
    let mut figures = Vec::new();
    // DORAMA_BENCH_ONLY=person: only the queries whose name contains it (for profiling).
    let only = std::env::var("DORAMA_BENCH_ONLY").unwrap_or_default();
    for (name, q) in MIX.iter().filter(|(n, _)| n.contains(only.as_str())) {
        let req = SearchRequest { q: q.to_string(), scope: Scope::Site(None), limit: 20, offset: 0, refine: Default::default() };
        let ours = mean_ns(&mut c, "search", &format!("{name}/dorama-search"), || {
            black_box(engine.search_uncached(&req).unwrap());
        });
        let sqlite = mean_ns(&mut c, "search", &format!("{name}/sqlite-fts5"), || {
            black_box(sqlite_search(&db, q));
        });
        let results = engine.search_uncached(&req).unwrap();
        let sqlite_hits = sqlite_search(&db, q);
        let floor = floor_ns(&mut c, &engine, name, q, None);
        figures.push(Figure {
            name: format!("search/{name}"),
            ours_ns: ours,
            sqlite_ns: Some(sqlite),
            ours_hits: results.total,
            sqlite_hits,
            floor_ns: Some(floor),
            text_matches: Some(text_matches(&results)),
            phases: Some(phases_of(&engine, &req, 200)),
        });
    }
    // The mix uncached, one request at a time, each query in turn: latency percentiles of
    // the whole request (as the service runs it, less HTTP) and queries per second.
    let mix_reqs: Vec<SearchRequest> = MIX
        .iter()
        .map(|(_, q)| SearchRequest { q: q.to_string(), scope: Scope::Site(None), limit: 20, offset: 0, refine: Default::default() })
        .collect();
    let mut latencies: Vec<f64> = Vec::new();
    let uncached_started = Instant::now();
    while uncached_started.elapsed() < Duration::from_secs(5) || latencies.len() < 1000 {
        for req in &mix_reqs {
            let t = Instant::now();
            black_box(engine.search_uncached(req).unwrap());
            latencies.push(t.elapsed().as_nanos() as f64 / 1e3);
        }
    }
    let uncached_qps = latencies.len() as f64 / (latencies.iter().sum::<f64>() / 1e6);
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
    let (p50, p99) = (pct(0.50), pct(0.99));
    eprintln!("uncached mix: p50 {p50:.0} µs, p99 {p99:.0} µs, {uncached_qps:.0} QPS on one thread ({} requests)", latencies.len());
    // What the cross-script features cost: the same mix with them off (plain word matching
    // over the same index), popularity off on both sides.
    let (mut with, mut without) = (0.0, 0.0);
    for (name, q) in MIX.iter().filter(|(n, _)| n.contains(only.as_str())) {
        let req = SearchRequest { q: q.to_string(), scope: Scope::Site(None), limit: 20, offset: 0, refine: Default::default() };
        with += mean_ns(&mut c, "features", &format!("{name}/all"), || {
            black_box(search_with(engine.store(), &req, &|_: &str| 0, Features::ALL).unwrap());
        });
        without += mean_ns(&mut c, "features", &format!("{name}/none"), || {
            black_box(search_with(engine.store(), &req, &|_: &str| 0, Features::NONE).unwrap());
        });
    }
    let features_cost = with / without;
    // What filters, facets and a sort cost (issue 15's aim: at most 1.5x): each query of the
    // mix plain, and filtered by a station, faceted by all four facets and sorted by rating.
    let refined = Refine {
        filters: Filters { station: Some(corpus::STATIONS[0].to_string()), ..Filters::default() },
        sort: Sort::Rating,
        facets: vec![Facet::Station, Facet::Season, Facet::Year, Facet::Kind],
        kinds: Vec::new(),
    };
    let (mut plain_ns, mut refined_ns) = (0.0, 0.0);
    let mut refine_queries = Vec::new();
    for (name, q) in MIX.iter().filter(|(n, _)| n.contains(only.as_str())) {
        let plain = SearchRequest { q: q.to_string(), scope: Scope::Site(None), limit: 20, offset: 0, refine: Default::default() };
        let narrowed = SearchRequest { refine: refined.clone(), ..plain.clone() };
        let a = mean_ns(&mut c, "refine", &format!("{name}/plain"), || {
            black_box(engine.search_uncached(&plain).unwrap());
        });
        let b = mean_ns(&mut c, "refine", &format!("{name}/filtered-faceted-sorted"), || {
            black_box(engine.search_uncached(&narrowed).unwrap());
        });
        refine_queries.push(serde_json::json!({ "name": name, "plain_us": a / 1e3, "refined_us": b / 1e3, "ratio": b / a,
            "refined_total": engine.search_uncached(&narrowed).unwrap().total }));
        plain_ns += a;
        refined_ns += b;
    }
    let ours = mean_ns(&mut c, "suggest", "seka/dorama-search", || {
        black_box(engine.suggest_uncached("seka", 8).unwrap());
    });
    let sqlite = mean_ns(&mut c, "suggest", "seka/sqlite-fts5", || {
        black_box(sqlite_prefix(&db, "seka"));
    });
    let ours_hits = engine.suggest_uncached("seka", 8).unwrap().len();
    figures.push(Figure { name: "suggest/seka".into(), ours_ns: ours, sqlite_ns: Some(sqlite), ours_hits, sqlite_hits: sqlite_prefix(&db, "seka"), floor_ns: None, text_matches: None, phases: None });
    let req = SearchRequest { q: "soundtrack".into(), scope: Scope::Forum(forum_drama.clone()), limit: 20, offset: 0, refine: Default::default() };
    let ours = mean_ns(&mut c, "forum", "soundtrack/dorama-search", || {
        black_box(engine.search_uncached(&req).unwrap());
    });
    let sqlite = mean_ns(&mut c, "forum", "soundtrack/sqlite-fts5", || {
        black_box(sqlite_forum(&db, &forum_drama, "soundtrack"));
    });
    let ours_hits = engine.search_uncached(&req).unwrap().total;
    let sqlite_hits = sqlite_forum(&db, &forum_drama, "soundtrack");
    let floor = floor_ns(&mut c, &engine, "forum_soundtrack", "soundtrack", Some(&forum_drama));
    let phases = Some(phases_of(&engine, &req, 200));
    figures.push(Figure { name: "forum/soundtrack".into(), ours_ns: ours, sqlite_ns: Some(sqlite), ours_hits, sqlite_hits, floor_ns: Some(floor), text_matches: None, phases });
    // Top 100, full recompute: our rebuild of the ratings plus the ranking, against the same
    // computation in SQL (latest rating per user and drama, then the weighted score).
    let events: Vec<RatingEvent> = records
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let (user, rating) = r.rating()?;
            Some(RatingEvent {
                key: format!("{}:{}", r.kind(), r.id()),
                drama_id: r.drama_id()?.to_string(),
                user: user.to_string(),
                rating,
                seq: i as u64,
            })
        })
        .collect();
    db.execute_batch("CREATE TABLE ratings (drama TEXT, user TEXT, rating INTEGER, seq INTEGER)").unwrap();
    {
        let tx = db.unchecked_transaction().unwrap();
        let mut ins = tx.prepare("INSERT INTO ratings VALUES (?1, ?2, ?3, ?4)").unwrap();
        for e in &events {
            ins.execute(rusqlite::params![e.drama_id, e.user, e.rating, e.seq as i64]).unwrap();
        }
        drop(ins);
        tx.commit().unwrap();
    }
    let drama_ids: Vec<String> = records
        .iter()
        .filter_map(|r| match r {
            Record::Drama(d) => Some(d.id.clone()),
            _ => None,
        })
        .collect();
    // Both sides start from ratings already stored (our in-memory log, SQLite's table) and
    // compute the all-time list from scratch: one rating per (drama, user), the latest winning.
    let mut stored = Ratings::from_events(events.iter());
    let ours = mean_ns_n(&mut c, "top100", "full_recompute/dorama-search", 10, || {
        stored.recount();
        black_box(rank(&RankScope::All, drama_ids.iter().map(String::as_str), &stored, Params::default()));
    });
    let sql = "WITH latest AS (SELECT drama, rating FROM (SELECT drama, rating, ROW_NUMBER() OVER (PARTITION BY drama, user ORDER BY seq DESC) AS rn FROM ratings) WHERE rn = 1),
               agg AS (SELECT drama, COUNT(*) AS v, AVG(rating) AS r FROM latest GROUP BY drama),
               c AS (SELECT AVG(rating) AS c FROM latest)
               SELECT drama, (v * r + 10.0 * c.c) / (v + 10.0) AS s FROM agg, c WHERE v >= 5 ORDER BY s DESC LIMIT 100";
    let sqlite = mean_ns_n(&mut c, "top100", "full_recompute/sqlite", 10, || {
        let mut st = db.prepare_cached(sql).unwrap();
        black_box(st.query_map([], |r| r.get::<_, String>(0)).unwrap().count());
    });
    figures.push(Figure { name: format!("top100/full_recompute_{}_ratings", events.len()), ours_ns: ours, sqlite_ns: Some(sqlite), ours_hits: 100, sqlite_hits: 100, floor_ns: None, text_matches: None, phases: None });
    let mut live = Ratings::from_events(events.iter());
    let mut seq = events.len() as u64;
    let top100_incremental_ns = mean_ns_n(&mut c, "top100", "incremental_update/dorama-search", 2000, || {
        seq += 1;
        live.upsert(&RatingEvent {
            key: format!("comment:bench{}", seq % 1000),
            drama_id: drama_ids[(seq % 97) as usize % drama_ids.len()].clone(),
            user: format!("fan{}", seq % 5000),
            rating: 1 + (seq % 10) as u8,
            seq,
        });
        black_box(&live);
    });
    c.final_summary();

    let queries: Vec<&Figure> = figures.iter().filter(|f| !f.name.starts_with("top100/")).collect();
    let mix_ours: f64 = queries.iter().map(|f| f.ours_ns).sum();
    let mix_sqlite: f64 = queries.iter().filter_map(|f| f.sqlite_ns).sum();
    let texts = records.iter().filter(|r| match r {
        Record::Review(_) | Record::Post(_) => true,
        Record::Comment(c) => !c.body.trim().is_empty(),
        _ => false,
    }).count();
    let report = serde_json::json!({
        "scale": scale,
        "records": n,
        "texts": texts,
        "indexing_records_per_s": {
            "dorama_search": n as f64 / ours_index.as_secs_f64(),
            "sqlite_fts5": n as f64 / sqlite_index.as_secs_f64(),
            "ratio": sqlite_index.as_secs_f64() / ours_index.as_secs_f64(),
        },
        "query_mix_qps_single_thread": {
            "dorama_search": 1e9 * queries.len() as f64 / mix_ours,
            "sqlite_fts5": 1e9 * queries.len() as f64 / mix_sqlite,
            "ratio": mix_sqlite / mix_ours,
        },
        "uncached": { "p50_us": p50, "p99_us": p99, "qps_1_thread": uncached_qps, "requests": latencies.len() },
        "top100_incremental_update_us": top100_incremental_ns / 1e3,
        "cross_script_features_slowdown": features_cost,
        "refine": { "filter": format!("station={}", corpus::STATIONS[0]), "sort": "rating", "facets": "station,season,year,kind",
                    "mix_ratio": refined_ns / plain_ns, "queries": refine_queries },
        "queries": figures.iter().map(|f| serde_json::json!({
            "name": f.name,
            "dorama_search_us": f.ours_ns / 1e3,
            "sqlite_fts5_us": f.sqlite_ns.map(|x| x / 1e3),
            "speedup": f.sqlite_ns.map(|s| s / f.ours_ns),
            "dorama_search_hits": f.ours_hits,
            "sqlite_fts5_hits_first_page": f.sqlite_hits,
            "tantivy_floor_us": f.floor_ns.map(|x| x / 1e3),
            "floor_ratio": f.floor_ns.map(|x| f.ours_ns / x),
            "text_matches": f.text_matches.map(|(n, _)| n),
            "text_matches_relation": f.text_matches.map(|(_, gte)| if gte { "gte" } else { "eq" }),
            "text_share": f.text_matches.map(|(n, _)| n as f64 / texts as f64),
            "phases": f.phases,
        })).collect::<Vec<_>>(),
    });
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-report.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    eprintln!("wrote {}", path.display());
}
