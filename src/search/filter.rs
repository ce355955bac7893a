//! Filters, sorts and facets of a search: what a request asks, and how a document answers.
//!
//! Filters and facets are on drama fields (station, season, year, Top 100 score); a review,
//! comment, vote or post has them through its drama ([`super::facts`]), and a person or a post
//! that names no drama has none, so a drama filter leaves them out. Each filter is a *clause*;
//! a document is a match when it fails none. Facet counts are taken "after the other filters":
//! a document failing only the station clause still counts in the station facet, so the page
//! can offer the other stations beside the one chosen. One walk over the matches gives both.

use super::facts::{Fact, Facts};
use crate::record::Kind;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The drama fields a search is narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// Exact, any case.
    pub station: Option<String>,
    /// `Summer 2004`, any case or spacing.
    pub season: Option<String>,
    /// First and last year, inclusive.
    pub years: Option<(i32, i32)>,
    /// The least all-time Top 100 score, 1–10.
    pub min_rating: Option<f64>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }
}

/// How matches are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Sort {
    #[default]
    Relevance,
    /// A drama by its Top 100 score, a review or rated comment by its rating: two scales, so
    /// dramas come first, then texts.
    Rating,
    /// A drama by its start date, a review, comment or post by its date.
    Newest,
    /// By the number of counted ratings of the drama (a text: of its drama).
    Votes,
}

impl Sort {
    pub const NAMES: [&'static str; 4] = ["relevance", "rating", "newest", "votes"];

    pub fn parse(s: &str) -> Option<Sort> {
        Some(match s {
            "relevance" => Sort::Relevance,
            "rating" => Sort::Rating,
            "newest" => Sort::Newest,
            "votes" => Sort::Votes,
            _ => return None,
        })
    }
}

/// What a facet counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Facet {
    Station,
    Season,
    Year,
    Kind,
}

impl Facet {
    pub const NAMES: [&'static str; 4] = ["station", "season", "year", "kind"];

    pub fn parse(s: &str) -> Option<Facet> {
        Some(match s {
            "station" => Facet::Station,
            "season" => Facet::Season,
            "year" => Facet::Year,
            "kind" => Facet::Kind,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        Facet::NAMES[self as usize]
    }

    /// The filter clause on the same field, which this facet's counts do not apply.
    fn own_clause(self) -> u8 {
        match self {
            Facet::Station => STATION,
            Facet::Season => SEASON,
            Facet::Year => YEAR,
            Facet::Kind => 0,
        }
    }
}

/// Values listed per facet, most frequent first.
pub const FACET_VALUES: usize = 20;

const STATION: u8 = 1;
const SEASON: u8 = 2;
const YEAR: u8 = 4;
const RATING: u8 = 8;

/// [`Filters`] resolved against the facts of the moment: a station or season no drama has
/// matches nothing (rather than everything).
pub struct DramaFilter {
    station: Option<Option<u32>>,
    season: Option<Option<u32>>,
    years: Option<(i32, i32)>,
    min_rating: Option<f64>,
    pub facts: Arc<Facts>,
}

impl DramaFilter {
    pub fn new(filters: &Filters, facts: Arc<Facts>) -> DramaFilter {
        DramaFilter {
            station: filters.station.as_deref().map(|s| facts.station(s)),
            season: filters.season.as_deref().map(|s| facts.season(s)),
            years: filters.years,
            min_rating: filters.min_rating,
            facts,
        }
    }

    /// The clauses set, as bits.
    pub fn clauses(&self) -> u8 {
        let bit = |set: bool, b: u8| if set { b } else { 0 };
        bit(self.station.is_some(), STATION) | bit(self.season.is_some(), SEASON) | bit(self.years.is_some(), YEAR) | bit(self.min_rating.is_some(), RATING)
    }

    /// The clauses a document whose drama is `fact` fails; every clause set, when it has no
    /// drama.
    pub fn failed(&self, fact: Option<&Fact>) -> u8 {
        let Some(fact) = fact else { return self.clauses() };
        let mut failed = 0;
        if let Some(want) = self.station {
            if want.is_none() || fact.station != want {
                failed |= STATION;
            }
        }
        if let Some(want) = self.season {
            if want.is_none() || fact.season != want {
                failed |= SEASON;
            }
        }
        if let Some((from, to)) = self.years {
            if !fact.year.is_some_and(|y| (from..=to).contains(&y)) {
                failed |= YEAR;
            }
        }
        if let Some(min) = self.min_rating {
            if !self.facts.score(fact).is_some_and(|s| s >= min) {
                failed |= RATING;
            }
        }
        failed
    }
}

/// Facet counts of one search, gathered document by document.
#[derive(Debug, Default, Clone)]
pub struct FacetCounts {
    pub asked: Vec<Facet>,
    // Counted by id, in vectors: a walk adds up to `TOTAL_CAP` documents to each facet, and a
    // map's lookup per document was most of what four facets cost.
    station: Tally,
    season: Tally,
    /// By year, from [`YEAR_BASE`]; a year outside the vector's range is counted in `years`.
    year: Tally,
    years: BTreeMap<i32, usize>,
    kind: [usize; 6],
}

/// The first year [`FacetCounts::year`] counts by index.
const YEAR_BASE: i32 = 1900;
const YEARS: usize = 250;

/// Counts by a small id.
#[derive(Debug, Default, Clone)]
struct Tally(Vec<usize>);

impl Tally {
    fn add(&mut self, id: usize, n: usize) {
        if id >= self.0.len() {
            self.0.resize(id + 1, 0);
        }
        self.0[id] += n;
    }

    fn merge(&mut self, other: &Tally) {
        for (id, &n) in other.0.iter().enumerate().filter(|(_, n)| **n > 0) {
            self.add(id, n);
        }
    }

    /// Each id counted, with its count.
    fn counted(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.0.iter().enumerate().filter(|(_, n)| **n > 0).map(|(id, n)| (id, *n))
    }
}

/// One facet value and its count.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FacetValue {
    pub value: serde_json::Value,
    pub count: usize,
}

impl FacetCounts {
    pub fn new(asked: Vec<Facet>) -> FacetCounts {
        FacetCounts { asked, ..FacetCounts::default() }
    }

    /// Counts a document of kind `kind` (index into [`Kind::ALL`]) whose drama is `fact` and
    /// which fails the filter clauses `failed`, in each facet whose own clause is all it fails.
    pub fn add(&mut self, kind: Option<usize>, fact: Option<&Fact>, failed: u8) {
        for i in 0..self.asked.len() {
            let facet = self.asked[i];
            if failed & !facet.own_clause() != 0 {
                continue;
            }
            match (facet, fact) {
                (Facet::Kind, _) => {
                    if let Some(k) = kind {
                        self.kind[k] += 1;
                    }
                }
                (Facet::Station, Some(f)) => {
                    if let Some(s) = f.station {
                        self.station.add(s as usize, 1);
                    }
                }
                (Facet::Season, Some(f)) => {
                    if let Some(s) = f.season {
                        self.season.add(s as usize, 1);
                    }
                }
                (Facet::Year, Some(f)) => {
                    if let Some(y) = f.year {
                        match usize::try_from(y - YEAR_BASE).ok().filter(|&i| i < YEARS) {
                            Some(i) => self.year.add(i, 1),
                            None => *self.years.entry(y).or_default() += 1,
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Adds matches per kind (indexed as [`Kind::ALL`]) counted apart, to the kind facet.
    pub fn add_kinds(&mut self, by_kind: &[usize; 6]) {
        for (a, b) in self.kind.iter_mut().zip(by_kind) {
            *a += b;
        }
    }

    /// The counts of two disjoint sets of documents.
    pub fn merge(&mut self, other: &FacetCounts) {
        self.station.merge(&other.station);
        self.season.merge(&other.season);
        self.year.merge(&other.year);
        for (k, v) in &other.years {
            *self.years.entry(*k).or_default() += v;
        }
        for (a, b) in self.kind.iter_mut().zip(other.kind) {
            *a += b;
        }
    }

    /// Each facet asked, its [`FACET_VALUES`] most frequent values first (ties by value).
    pub fn values(&self, facts: &Facts) -> BTreeMap<&'static str, Vec<FacetValue>> {
        let mut out = BTreeMap::new();
        for &facet in &self.asked {
            let mut vs: Vec<(serde_json::Value, usize)> = match facet {
                Facet::Station => self.station.counted().map(|(s, n)| (facts.station_name(s as u32).into(), n)).collect(),
                Facet::Season => self.season.counted().map(|(s, n)| (facts.season_name(s as u32).into(), n)).collect(),
                Facet::Year => {
                    let indexed = self.year.counted().map(|(i, n)| (YEAR_BASE + i as i32, n));
                    indexed.chain(self.years.iter().map(|(y, n)| (*y, *n))).map(|(y, n)| (y.into(), n)).collect()
                }
                Facet::Kind => Kind::ALL.iter().zip(self.kind).filter(|(_, n)| *n > 0).map(|(k, n)| (k.as_str().into(), n)).collect(),
            };
            vs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.to_string().cmp(&b.0.to_string())));
            vs.truncate(FACET_VALUES);
            out.insert(facet.name(), vs.into_iter().map(|(value, count)| FacetValue { value, count }).collect());
        }
        out
    }
}
