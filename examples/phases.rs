//! Where each query's time goes on an index already built (the bench's `phases`, at any
//! scale): `cargo run --release --example phases -- INDEX [RUNS] [QUERY...]`. Opens the index
//! read-only (a server may be using it), runs each query uncached RUNS times (default 20)
//! after one warm-up, and prints the mean microseconds of each phase
//! ([`dorama_search::search::phases`]) and of the whole search. `PHASES_FORUM=DRAMA_ID` runs
//! each query as that drama's forum search instead of the site's. `PHASES_SUGGEST=1` times
//! each query as type-ahead instead (`suggest_uncached`, ten suggestions): the first call, then
//! the median and p99 of RUNS more. `PHASES_SORT=rating` and `PHASES_FACETS=station,season,year,kind`
//! refine each search as the API's `sort` and `facets` do. `PHASES_WORDS=1` first prints the
//! terms each query searches texts by, and how many texts hold each.

use dorama_search::engine::{Engine, Options};
use dorama_search::search::phases::mean_of;
use dorama_search::search::{Scope, SearchRequest};

/// The queries of the bench's mix, when none are given.
const MIX: &[&str] = &["sekai no chuushin", "center of the world", "世界の中心", "せかいのちゅうしん", "takayuki yamada", "山田孝之", "yamada takayki", "cinematography", "学校", "high school"];

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let index = args.next().ok_or_else(|| anyhow::anyhow!("usage: phases INDEX [RUNS] [QUERY...]"))?;
    let runs: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(20).max(1);
    let given: Vec<String> = args.collect();
    let queries: Vec<String> = if given.is_empty() { MIX.iter().map(|q| q.to_string()).collect() } else { given };
    let engine = Engine::open_read_only(std::path::Path::new(&index), Options { cache_entries: 0, ..Options::default() })?;
    // Opened from the ratings' file, the ratings' write tables are built on other threads for
    // about a second: not what a query costs once the server runs.
    while !engine.ratings_tables_ready() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    if std::env::var_os("PHASES_SUGGEST").is_some() {
        println!("{:<24} {:>8} {:>8} {:>8}", "typed", "first", "p50", "p99");
        for q in &queries {
            let timed = || {
                let started = std::time::Instant::now();
                engine.suggest_uncached(q, 10).map(|_| started.elapsed().as_secs_f64() * 1e6)
            };
            let first = timed()?;
            let mut us: Vec<f64> = (0..runs).map(|_| timed()).collect::<Result<_, _>>()?;
            us.sort_by(f64::total_cmp);
            let at = |p: f64| us[((us.len() - 1) as f64 * p).round() as usize];
            println!("{:<24} {:>8.0} {:>8.0} {:>8.0}", q, first, at(0.5), at(0.99));
        }
        return Ok(());
    }
    println!("{:<24} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}", "query", "total", "analysis", "catalog", "texts", "spelling", "merge", "docs", "snippets", "other");
    for q in &queries {
        let scope = std::env::var("PHASES_FORUM").map_or(Scope::Site(None), Scope::Forum);
        let mut refine = dorama_search::search::Refine::default();
        if let Ok(sort) = std::env::var("PHASES_SORT") {
            refine.sort = dorama_search::search::Sort::parse(&sort).ok_or_else(|| anyhow::anyhow!("PHASES_SORT: unknown sort {sort:?}"))?;
        }
        if let Ok(facets) = std::env::var("PHASES_FACETS") {
            for name in facets.split(',').filter(|n| !n.is_empty()) {
                refine.facets.push(dorama_search::search::Facet::parse(name).ok_or_else(|| anyhow::anyhow!("PHASES_FACETS: unknown facet {name:?}"))?);
            }
        }
        let req = SearchRequest { q: q.clone(), scope, limit: 20, offset: 0, refine };
        if std::env::var_os("PHASES_WORDS").is_some() {
            // What texts are searched by: the typed words' terms and each other spelling's, with
            // how many texts hold each term.
            let store = engine.store();
            let searcher = store.searcher();
            let tw = dorama_search::search::text_words(store, &searcher, &req, dorama_search::search::Features::ALL);
            for (i, words) in std::iter::once(&tw.text).chain(&tw.alternatives).enumerate() {
                let shown: Vec<String> = words
                    .iter()
                    .map(|w| {
                        let held = |t: &String| searcher.doc_freq(&tantivy::Term::from_field_text(store.fields().text, t)).unwrap_or(0);
                        let terms: Vec<String> = w.terms.iter().map(|t| format!("{t}:{}", held(t))).collect();
                        format!("[{}{}]", terms.join(" | "), w.exact.as_ref().map_or(String::new(), |e| format!(" exact {e}:{}", held(e))))
                    })
                    .collect();
                println!("{q:?} {} {}", if i == 0 { "typed" } else { "other" }, shown.join(" "));
            }
        }
        engine.search_uncached(&req)?;
        let (last, p, whole) = mean_of(runs, || engine.search_uncached(&req));
        last?;
        println!(
            "{:<24} {:>8.0} {:>8.0} {:>8.0} {:>8.0} {:>8.0} {:>8.0} {:>8.0} {:>8.0} {:>8.0}",
            q, whole, p.analysis, p.catalogue, p.texts, p.spellings, p.merge, p.documents, p.snippets, (whole - p.total()).max(0.0)
        );
    }
    Ok(())
}
