//! Top 100: Bayesian-weighted ranking of dramas from their ratings, per scope.
//!
//! - [`ratings`] keeps one rating per (drama, user) — the last one ingested wins — and, per
//!   drama, the count and sum of the counted ratings. A new, changed or deleted rating updates
//!   those in O(1); nothing rescans the ratings for it. A full recount from the rating log
//!   (`Ratings::recount`, `POST /api/top100/recompute`: ten million ratings in about 20 ms, a
//!   hundred million in 0.9 s, `examples/recount`) rebuilds the aggregates from scratch. A
//!   start opens the ratings from their file beside the index ([`ratings::stored`]) and builds
//!   the tables a change goes through beside the running server ([`deferred`]), or, when the
//!   file is not of the commit served, rebuilds everything from the index's columns.
//! - [`score`] turns the per-drama aggregates of a scope into a ranked list: the weighted score
//!   `(v·R + m·C) / (v + m)` with C the mean of every counted rating in the scope.
//!
//! Scopes are all time, a season (`Summer 2004`, as given or derived from `start`) and a year
//! (`start`'s year). A list is recomputed from the aggregates when asked for, which costs one
//! pass over the dramas of the scope (tens of thousands at most), never over the ratings.

pub mod deferred;
pub mod ratings;
pub mod score;

pub use ratings::{RatingEvent, Ratings, UserLists};
pub use score::{rank, Entry, Params, Scope, TopList};
