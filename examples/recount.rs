//! A full recount of N ratings in memory (`Ratings::recounted`, what `POST
//! /api/top100/recompute` runs before it ranks the lists), without an index: `cargo run
//! --release --example recount -- [N] [RUNS]` (default 10,000,000 ratings, 5 runs). The rows
//! are the generated corpus's shape at N (N/500 dramas, N/20 users, dramas drawn with a skew,
//! a few users rating a drama twice), loaded the way a start-up loads them ([`Bulk`]); prints
//! the load's seconds, the tables' bytes on the heap ([`dorama_search::rank::Ratings::heap_bytes`]),
//! each recount's seconds, and the median; then what MORE ratings (third argument, default N),
//! written one at a time as a serving server writes them, add to the heap, a rating (the log's
//! columns grow by doubling: MORE = N fills what they doubled to).

use dorama_search::corpus::{counts, Rng, RATINGS};
use dorama_search::rank::ratings::{key_hash_bytes, Bulk};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|s| s.replace(['_', ','], "").parse().expect("N is a number")).unwrap_or(10_000_000);
    let runs: usize = args.next().map(|s| s.parse().expect("RUNS is a number")).unwrap_or(5).max(1);
    let c = counts(n as f64 / RATINGS);
    let started = std::time::Instant::now();
    let mut bulk = Bulk::new();
    bulk.reserve(n);
    let dramas: Vec<u32> = (0..c.dramas).map(|d| bulk.drama_idx(&format!("drama-{d}"))).collect();
    let users: Vec<u32> = (0..c.users).map(|u| bulk.user_idx_hashed(key_hash_bytes(format!("fan{u}").as_bytes()))).collect();
    let mut rng = Rng::new(42);
    for j in 0..n {
        let u = rng.unit();
        let d = ((u * u) * c.dramas as f64) as usize % c.dramas;
        let rating = 1 + rng.below(10) as u8;
        bulk.rating(key_hash_bytes(&(j as u64).to_le_bytes()), dramas[d], users[rng.below(c.users)], rating, j as u64);
    }
    let mut ratings = bulk.finish();
    println!("{n} ratings, {} dramas, {} users: loaded in {:.2} s", c.dramas, c.users, started.elapsed().as_secs_f64());
    let bytes = ratings.heap_bytes();
    println!("rating tables on the heap: {:.1} MB, {:.1} bytes a rating", bytes as f64 / 1e6, bytes as f64 / n as f64);
    let mut took: Vec<f64> = (0..runs)
        .map(|_| {
            let started = std::time::Instant::now();
            let (_, counted) = ratings.recounted();
            let s = started.elapsed().as_secs_f64();
            println!("recount: {counted} counted in {:.3} s", s);
            s
        })
        .collect();
    took.sort_by(f64::total_cmp);
    println!("median recount of {n} ratings: {:.3} s", took[took.len() / 2]);
    // New records (new keys), each by a user drawn as above: a few rate a drama they rated.
    let more: usize = args.next().map(|s| s.replace(['_', ','], "").parse().expect("MORE is a number")).unwrap_or(n);
    let before = ratings.heap_bytes();
    let started = std::time::Instant::now();
    for j in 0..more {
        let u = rng.unit();
        let d = ((u * u) * c.dramas as f64) as usize % c.dramas;
        let key = key_hash_bytes(&((n + j) as u64).to_le_bytes());
        ratings.upsert_ids(key, dramas[d], users[rng.below(c.users)], 1 + rng.below(10) as u8, (n + j) as u64);
    }
    let added = ratings.heap_bytes().saturating_sub(before);
    println!("{more} ratings written one at a time in {:.2} s: {:.1} bytes more a rating on the heap", started.elapsed().as_secs_f64(), added as f64 / more as f64);
}
