//! Top 100 upkeep: the full recompute over every rating, the incremental update of one
//! rating, and ranking a scope from the aggregates.
//!
//! `DORAMA_BENCH_RATINGS` sets the number of ratings (default 1,000,000; the figure is
//! 10,000,000). Ratings come from the benchmark corpus (`dorama_search::corpus`), so their
//! spread over dramas and users is the same as in the other benchmarks.

use criterion::{criterion_group, criterion_main, Criterion};
use dorama_search::corpus::{self, Rng};
use dorama_search::rank::{rank, Params, RatingEvent, Ratings, Scope};
use std::hint::black_box;
use std::time::Duration;

fn events(n: usize) -> (Vec<RatingEvent>, Vec<String>) {
    let c = corpus::counts(n as f64 / corpus::RATINGS);
    let dramas: Vec<String> = (0..c.dramas).map(|i| format!("drama-{i}")).collect();
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
    (events, dramas)
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("DORAMA_BENCH_RATINGS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let (events, dramas) = events(n);
    let mut g = c.benchmark_group("top100");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function(format!("full_recompute_{n}_ratings"), |b| {
        b.iter(|| {
            let r = Ratings::from_events(events.iter());
            black_box(rank(&Scope::All, dramas.iter().map(String::as_str), &r, Params::default()))
        })
    });
    let ratings = Ratings::from_events(events.iter());
    g.bench_function(format!("rank_all_time_{}_dramas", dramas.len()), |b| {
        b.iter(|| black_box(rank(&Scope::All, dramas.iter().map(String::as_str), &ratings, Params::default())))
    });
    let mut live = ratings.clone();
    let mut seq = n as u64;
    g.sample_size(100).measurement_time(Duration::from_secs(5));
    g.bench_function("incremental_update_one_rating", |b| {
        b.iter(|| {
            seq += 1;
            let e = RatingEvent {
                key: format!("comment:c{}", seq % 1000),
                drama_id: dramas[(seq % 97) as usize % dramas.len()].clone(),
                user: format!("fan{}", seq % 5000),
                rating: 1 + (seq % 10) as u8,
                seq,
            };
            live.upsert(&e);
            black_box(&live);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
