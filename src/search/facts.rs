//! What filters, sorts and facets know of each drama: its station, season, year, start and
//! ratings, in a table the engine rebuilds at each commit from the catalog and the ratings.
//!
//! A search narrows, orders and counts its matches by the drama each one is (or is about).
//! Reading that from the drama's stored record per match would load a document per match;
//! instead each segment maps its `drama_id` ordinals to the hash of the id once
//! ([`crate::index::columns::SegmentColumns::drama_keys`]) and this table answers by that hash.
//! So a filter is two lookups per document inside the index walk, not a pass over a page, and a
//! filter that leaves 3 of 100,000 matches still finds those 3.

use crate::catalog::Catalog;
use crate::rank::ratings::{key_hash, Ratings};
use rustc_hash::FxHashMap;

/// One drama, as filters, sorts and facets see it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Fact {
    /// Index into [`Facts::stations`].
    pub station: Option<u32>,
    /// Index into [`Facts::seasons`].
    pub season: Option<u32>,
    /// The year of the start date, or of the season when there is no start date.
    pub year: Option<i32>,
    /// The start date as `YYYYMMDD`.
    pub start: Option<u32>,
    /// Counted ratings and their sum (one per user, as the Top 100 counts them).
    pub votes: u32,
    pub sum: u64,
}

/// Every drama's [`Fact`], by the hash of its id.
#[derive(Debug)]
pub struct Facts {
    by_key: FxHashMap<u64, Fact>,
    /// Station and season names as first written, numbered by their folded form.
    stations: Names,
    seasons: Names,
    /// The mean of every counted rating (the Top 100's all-time `C`), and its `m`.
    mean: Option<f64>,
    m: f64,
}

pub use crate::record::date_number;

impl Facts {
    /// The table for the catalog and ratings as they are; `m` is the Top 100's weight.
    pub fn build(catalog: &Catalog, ratings: &Ratings, m: f64) -> Facts {
        let mut facts = Facts { m, ..Facts::default() };
        let (mut total, mut n) = (0u64, 0u64);
        for d in catalog.dramas() {
            let agg = ratings.agg(&d.id);
            total += agg.sum;
            n += agg.count as u64;
            let station = d.station.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| facts.stations.add(s));
            let season = d.season.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| facts.seasons.add(s));
            let start = d.start.as_deref().and_then(date_number);
            let season_year = d.season.as_deref().and_then(|s| s.split_whitespace().last()?.parse().ok());
            let year = start.map(|s| (s / 10_000) as i32).or(season_year);
            facts.by_key.insert(key_hash(&d.id), Fact { station, season, year, start, votes: agg.count, sum: agg.sum });
        }
        facts.mean = (n > 0).then(|| total as f64 / n as f64);
        facts
    }

    pub fn get(&self, drama_key: u64) -> Option<&Fact> {
        self.by_key.get(&drama_key)
    }

    /// The station called `name` (any case), if a drama has it.
    pub fn station(&self, name: &str) -> Option<u32> {
        self.stations.get(name)
    }

    pub fn season(&self, name: &str) -> Option<u32> {
        self.seasons.get(name)
    }

    /// Every station some drama has, as first written.
    pub fn station_names(&self) -> &[String] {
        &self.stations.names
    }

    pub fn station_name(&self, id: u32) -> &str {
        &self.stations.names[id as usize]
    }

    pub fn season_name(&self, id: u32) -> &str {
        &self.seasons.names[id as usize]
    }

    /// The drama's all-time Top 100 score, `(v·R + m·C) / (v + m)`; None without ratings.
    pub fn score(&self, fact: &Fact) -> Option<f64> {
        let c = self.mean?;
        (fact.votes > 0).then(|| (fact.sum as f64 + self.m * c) / (fact.votes as f64 + self.m))
    }
}

/// Names numbered in the order first seen, two names being one when `fold` makes them equal,
/// shown as first written.
#[derive(Debug)]
struct Names {
    names: Vec<String>,
    ids: FxHashMap<String, u32>,
    fold: fn(&str) -> String,
}

impl Names {
    fn new(fold: fn(&str) -> String) -> Names {
        Names { names: Vec::new(), ids: FxHashMap::default(), fold }
    }

    fn add(&mut self, s: &str) -> u32 {
        let next = self.names.len() as u32;
        let id = *self.ids.entry((self.fold)(s)).or_insert(next);
        if id == next {
            self.names.push(s.to_string());
        }
        id
    }

    fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(&(self.fold)(s)).copied()
    }
}

/// A station: exact, any case.
fn station_key(s: &str) -> String {
    s.trim().to_lowercase()
}

/// `summer  2004` and `Summer 2004` are one season.
fn season_key(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

impl Default for Facts {
    fn default() -> Facts {
        Facts {
            by_key: FxHashMap::default(),
            stations: Names::new(station_key),
            seasons: Names::new(season_key),
            mean: None,
            m: 0.0,
        }
    }
}
