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
use crate::index::columns::SegmentColumns;
use crate::rank::ratings::{key_hash, Ratings};
use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex};
use tantivy::index::SegmentId;
use tantivy::DocId;

/// A `drama_id` ordinal with no drama in the facts ([`Facts::segment`]).
const NO_FACT: u32 = u32::MAX;

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
    facts: Vec<Fact>,
    /// Index into `facts`, by the hash of the drama's id.
    by_key: FxHashMap<u64, u32>,
    /// Each segment's `drama_id` ordinals as indexes into `facts` ([`NO_FACT`]: no such
    /// drama), made by the first walk over the segment that reads facts. A walk over 300,000
    /// matches spent a sixth of its time hashing each match's drama into `by_key`; an
    /// ordinal's index is one read. Facts are rebuilt at each commit, and segments never
    /// change, so what is kept here holds for as long as these facts do.
    by_segment: Mutex<FxHashMap<SegmentId, Arc<[u32]>>>,
    /// The most counted ratings of any drama: no document's `sort=votes` key is above it.
    most_votes: u32,
    /// Every drama's id with its counted ratings, most first: the dramas a walk by votes can
    /// still take its page from, once the page's least is known ([`Facts::with_votes_from`]).
    by_votes: Vec<(u32, String)>,
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
            let fact = Fact { station, season, year, start, votes: agg.count, sum: agg.sum };
            match facts.by_key.get(&key_hash(&d.id)) {
                Some(&i) => facts.facts[i as usize] = fact,
                None => {
                    facts.by_key.insert(key_hash(&d.id), facts.facts.len() as u32);
                    facts.facts.push(fact);
                }
            }
            facts.most_votes = facts.most_votes.max(agg.count);
            facts.by_votes.push((agg.count, d.id.clone()));
        }
        facts.by_votes.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        facts.mean = (n > 0).then(|| total as f64 / n as f64);
        facts
    }

    pub fn get(&self, drama_key: u64) -> Option<&Fact> {
        self.by_key.get(&drama_key).map(|&i| &self.facts[i as usize])
    }

    /// The facts of one segment's documents, looked up by their `drama_id` ordinal.
    pub fn segment(&self, id: SegmentId, cols: &SegmentColumns) -> SegmentFacts<'_> {
        let mut by_segment = self.by_segment.lock().unwrap_or_else(|p| p.into_inner());
        let by_ord = by_segment
            .entry(id)
            .or_insert_with(|| cols.drama_keys().iter().map(|k| self.by_key.get(k).copied().unwrap_or(NO_FACT)).collect())
            .clone();
        SegmentFacts { facts: self, by_ord }
    }

    /// The most counted ratings of any drama.
    pub fn most_votes(&self) -> u32 {
        self.most_votes
    }

    /// The ids of the dramas with at least `least` counted ratings, most first.
    pub fn with_votes_from(&self, least: u32) -> impl Iterator<Item = &str> {
        self.by_votes.iter().take_while(move |(v, _)| *v >= least).map(|(_, id)| id.as_str())
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

/// [`Facts`] as one segment's documents find them: by their `drama_id` ordinal.
pub struct SegmentFacts<'a> {
    facts: &'a Facts,
    by_ord: Arc<[u32]>,
}

impl<'a> SegmentFacts<'a> {
    /// The drama a document is or is about, if the facts hold it.
    pub fn of(&self, cols: &SegmentColumns, doc: DocId) -> Option<&'a Fact> {
        let i = *self.by_ord.get(cols.drama_ord(doc)? as usize)?;
        self.facts.facts.get(i as usize)
    }
}

impl Default for Facts {
    fn default() -> Facts {
        Facts {
            facts: Vec::new(),
            by_key: FxHashMap::default(),
            by_segment: Mutex::default(),
            most_votes: 0,
            by_votes: Vec::new(),
            stations: Names::new(station_key),
            seasons: Names::new(season_key),
            mean: None,
            m: 0.0,
        }
    }
}
