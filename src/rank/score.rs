//! The weighted score and the ranked list of one scope.
//!
//! `score = (v·R + m·C) / (v + m)`: a drama's mean R pulled toward the scope's mean C by m
//! phantom ratings. With few ratings a drama sits near C; with many, near its own mean. That
//! is what keeps three 10/10 ratings from beating two hundred ratings averaging 9.

use super::ratings::Ratings;
use serde::Serialize;

/// Defaults chosen for a fan site's long tail. Most dramas collect a few dozen ratings at
/// most (the seed drama, a famous one, has about sixty): `m = 10` lets a drama with 30 ratings
/// keep three quarters of its own mean, while one with 3 keeps under a quarter. `min_votes = 5`
/// keeps off the list dramas rated by a handful of fans, whose mean says little.
pub const DEFAULT_M: f64 = 10.0;
pub const DEFAULT_MIN_VOTES: u32 = 5;
/// Length of a Top list.
pub const LIST_LEN: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Params {
    pub m: f64,
    pub min_votes: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params { m: DEFAULT_M, min_votes: DEFAULT_MIN_VOTES }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    All,
    Season(String),
    Year(i32),
}

impl Scope {
    pub fn label(&self) -> String {
        match self {
            Scope::All => "all".into(),
            Scope::Season(s) => format!("season:{s}"),
            Scope::Year(y) => format!("year:{y}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub rank: usize,
    pub id: String,
    pub mean: f64,
    pub votes: u32,
    pub score: f64,
    pub voters: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopList {
    pub scope: String,
    pub params: Params,
    /// The mean of every counted rating in the scope (None if it has no ratings).
    pub c: Option<f64>,
    pub entries: Vec<Entry>,
}

/// Ranks the dramas of a scope (`members`: the ids of the dramas in it).
pub fn rank<'a>(
    scope: &Scope,
    members: impl IntoIterator<Item = &'a str>,
    ratings: &Ratings,
    params: Params,
) -> TopList {
    let mut total = 0u64;
    let mut n = 0u64;
    let mut rows: Vec<(&str, u32, u64)> = Vec::new();
    for id in members {
        let a = ratings.agg(id);
        if a.count == 0 {
            continue;
        }
        total += a.sum;
        n += a.count as u64;
        if a.count >= params.min_votes.max(1) {
            rows.push((id, a.count, a.sum));
        }
    }
    let c = (n > 0).then(|| total as f64 / n as f64);
    let cm = c.unwrap_or(0.0);
    let mut scored: Vec<(f64, u32, &str, f64)> = rows
        .into_iter()
        .map(|(id, v, sum)| {
            let vf = v as f64;
            let score = (sum as f64 + params.m * cm) / (vf + params.m);
            (score, v, id, sum as f64 / vf)
        })
        .collect();
    let order = |a: &(f64, u32, &str, f64), b: &(f64, u32, &str, f64)| {
        b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2))
    };
    if scored.len() > LIST_LEN {
        scored.select_nth_unstable_by(LIST_LEN - 1, order);
        scored.truncate(LIST_LEN);
    }
    scored.sort_by(order);
    TopList {
        scope: scope.label(),
        params,
        c,
        entries: scored
            .into_iter()
            .enumerate()
            .map(|(i, (score, votes, id, mean))| Entry {
                rank: i + 1,
                id: id.to_string(),
                mean,
                votes,
                score,
                voters: ratings.voters(id),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::RatingEvent;

    #[test]
    fn three_perfect_ratings_do_not_beat_two_hundred_nines() {
        let mut r = Ratings::new();
        let mut seq = 0;
        let mut add = |r: &mut Ratings, d: &str, u: String, x: u8| {
            seq += 1;
            r.upsert(&RatingEvent { key: format!("review:{d}-{u}"), drama_id: d.into(), user: u, rating: x, seq });
        };
        for i in 0..3 {
            add(&mut r, "small", format!("u{i}"), 10);
        }
        for i in 0..200 {
            add(&mut r, "big", format!("u{i}"), if i % 2 == 0 { 10 } else { 8 });
        }
        for i in 0..50 {
            add(&mut r, "meh", format!("u{i}"), 5);
        }
        let p = Params { m: 10.0, min_votes: 3 };
        let list = rank(&Scope::All, ["small", "big", "meh"], &r, p);
        assert_eq!(list.entries[0].id, "big");
        assert_eq!(list.entries[1].id, "small");
    }
}
