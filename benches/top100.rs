//! Top 100 upkeep at scale: the full recompute over every rating, the start-up load, the
//! incremental update of one rating, and ranking a scope from the aggregates.
//!
//! `DORAMA_BENCH_RATINGS` sets the number of ratings (default 1,000,000; the figure is
//! 10,000,000). Ratings come from the benchmark corpus (`dorama_search::corpus`), so their
//! spread over dramas and users is the same as in the other benchmarks; every drama gets a
//! year and a season, so that the full recompute ranks every list the site shows.

use criterion::{criterion_group, criterion_main, Criterion};
use dorama_search::corpus::{self, Rng};
use dorama_search::rank::ratings::key_hash;
use dorama_search::rank::{rank, Params, RatingEvent, Ratings, Scope, TopList};
use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

struct Corpus {
    events: Vec<RatingEvent>,
    dramas: Vec<String>,
    /// Per drama: (year, season).
    scopes: Vec<(i32, String)>,
}

fn corpus(n: usize) -> Corpus {
    let c = corpus::counts(n as f64 / corpus::RATINGS);
    let dramas: Vec<String> = (0..c.dramas).map(|i| format!("drama-{i}")).collect();
    let scopes = (0..c.dramas)
        .map(|i| {
            let year = 1990 + (i % 36) as i32;
            let season = ["Winter", "Spring", "Summer", "Fall"][(i / 36) % 4];
            (year, format!("{season} {year}"))
        })
        .collect();
    let mut rng = Rng::new(42);
    let events = (0..n)
        .map(|j| {
            let u = rng.unit();
            let d = ((u * u) * c.dramas as f64) as usize % c.dramas;
            RatingEvent {
                key: format!("review:r{j}"),
                drama_id: dramas[d].clone(),
                user: format!("fan{}", rng.below(c.users)),
                rating: 1 + rng.below(10) as u8,
                seq: j as u64,
            }
        })
        .collect();
    Corpus { events, dramas, scopes }
}

/// Every list the site shows: all time, each season, each year.
fn every_list(c: &Corpus, r: &Ratings) -> Vec<TopList> {
    let mut by_scope: HashMap<Scope, Vec<&str>> = HashMap::new();
    for (id, (year, season)) in c.dramas.iter().zip(&c.scopes) {
        by_scope.entry(Scope::Year(*year)).or_default().push(id);
        by_scope.entry(Scope::Season(season.clone())).or_default().push(id);
    }
    let mut lists = vec![rank(&Scope::All, c.dramas.iter().map(String::as_str), r, Params::default())];
    lists.extend(by_scope.iter().map(|(s, ids)| rank(s, ids.iter().copied(), r, Params::default())));
    lists
}

fn bench(crit: &mut Criterion) {
    let n: usize = std::env::var("DORAMA_BENCH_RATINGS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let c = corpus(n);
    let mut ratings = Ratings::from_events(c.events.iter());
    let mut g = crit.benchmark_group("top100");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    // From the stored ratings (the log) to every list, ignoring the incrementally kept
    // aggregates: what `recount` plus ranking every scope costs.
    g.bench_function(format!("full_recompute_every_list_{n}_ratings"), |b| {
        b.iter(|| {
            ratings.recount();
            black_box(every_list(&c, &ratings))
        })
    });
    // Start-up: the log and the incremental maps built from rows whose strings the index
    // has already interned (what `Store::visit_ratings` hands over).
    let mut distinct_users: HashMap<&str, usize> = HashMap::new();
    let rows: Vec<(u64, usize, usize, u8, u64)> = c
        .events
        .iter()
        .map(|e| {
            let next = distinct_users.len();
            let u = *distinct_users.entry(e.user.as_str()).or_insert(next);
            (key_hash(&e.key), e.drama_id.trim_start_matches("drama-").parse().unwrap(), u, e.rating, e.seq)
        })
        .collect();
    let mut user_names: Vec<(&str, usize)> = distinct_users.into_iter().collect();
    user_names.sort_by_key(|x| x.1);
    g.bench_function(format!("load_{n}_ratings_from_interned_rows"), |b| {
        b.iter(|| {
            let mut r = Ratings::new();
            let dramas: Vec<u32> = c.dramas.iter().map(|d| r.drama_idx(d)).collect();
            let users: Vec<u32> = user_names.iter().map(|(u, _)| r.user_idx(u)).collect();
            r.reserve(rows.len());
            for &(k, d, u, rating, seq) in &rows {
                r.upsert_ids(k, dramas[d], users[u], rating, seq);
            }
            black_box(r)
        })
    });
    g.bench_function(format!("rank_every_list_{}_dramas", c.dramas.len()), |b| {
        b.iter(|| black_box(every_list(&c, &ratings)))
    });
    let mut seq = n as u64;
    g.sample_size(100).measurement_time(Duration::from_secs(5));
    g.bench_function("incremental_update_one_rating", |b| {
        b.iter(|| {
            seq += 1;
            let e = RatingEvent {
                key: format!("comment:c{}", seq % 1000),
                drama_id: c.dramas[(seq % 97) as usize % c.dramas.len()].clone(),
                user: format!("fan{}", seq % 5000),
                rating: 1 + (seq % 10) as u8,
                seq,
            };
            ratings.upsert(&e);
            black_box(&ratings);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
