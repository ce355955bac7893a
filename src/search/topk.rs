//! Top-k and counting whose cost is set by the page asked for, not by how many documents match.
//!
//! tantivy prunes a top-k search with block-max WAND: a posting block whose best possible
//! score cannot beat the k-th best score found so far is skipped without being decoded. That
//! only works when nothing else asks to see every match, and an exact `total` does. So the two
//! jobs are done apart here:
//!
//! - [`top`] walks a query through [`tantivy::query::Weight::for_each_pruning`], keeping the threshold (the
//!   k-th best score) from one segment to the next, so later segments start already pruned;
//! - [`count`] walks the matches with scoring off and stops at a cap: `total` is exact up to
//!   [`TOTAL_CAP`] and a lower bound past it, as Elasticsearch reports by default.
//!
//! Equal scores are ordered by a stable key (the `tie` fast field: dramas and people by the
//! shorter name, then ingest order; texts by ingest order, newest first), not by where
//! a document happens to sit in the index: a rebuild, a merge or indexing on several threads
//! moves documents between segments, and a page must not reshuffle because of it. So that a
//! document tying the k-th best score is still offered to the heap, the threshold handed to
//! the pruning walk is the float just below the k-th score. The first page is therefore
//! exactly what exhaustive scoring gives; the property test in `tests/topk.rs` compares the
//! two on random corpora.

use crate::record::Kind;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use crate::index::columns::SegmentColumns;
use super::facts::{Fact, Facts, SegmentFacts};
use super::filter::{DramaFilter, Facet, FacetCounts};
use std::sync::Arc;
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, TERMINATED};

/// Matches are counted exactly up to this many; past it `total` is this, marked as a lower
/// bound (`"total_relation": "gte"`).
pub const TOTAL_CAP: usize = 10_000;

/// Whether a count is exact or a lower bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    Eq,
    Gte,
}

/// A document with its sort key, score and `tie` order, ordered best first: higher key,
/// higher score, then higher `tie`. The key is 0 for every document when ordering by relevance.
#[derive(Debug, Clone, Copy)]
struct Scored(f64, Score, u64, DocAddress);

impl PartialEq for Scored {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Scored {}
impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scored {
    /// `Less` is better, so that a `BinaryHeap` (a max-heap) keeps the worst kept hit on top.
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(other.1.total_cmp(&self.1)).then(other.2.cmp(&self.2)).then(self.3.cmp(&other.3))
    }
}

/// A candidate: its sort key ([`Scored`]), its score, its `tie` order (the tie-break)
/// and where it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub key: f64,
    pub score: Score,
    pub tie: u64,
    pub addr: DocAddress,
}

impl Candidate {
    fn scored(&self) -> Scored {
        Scored(self.key, self.score, self.tie, self.addr)
    }
}

/// Sorts candidates best first (higher key, higher score, then higher `tie`), the order every page
/// is cut from.
///
/// Scores within [`TIE`] of each other count as equal: a BM25 sum over several terms is added
/// up in the order tantivy sorts the terms' scorers, by their cost in each segment, and which
/// segment a document lands in depends on which indexing thread took it. Two texts that tie
/// exactly could differ in the last bit, and trade places from one build of the same records
/// to the next. Runs of equal keys and of scores each within `TIE` of the one before are
/// ordered by `tie`.
pub fn sort_best_first(hits: &mut [Candidate]) {
    hits.sort_by(|a, b| a.scored().cmp(&b.scored()));
    let mut start = 0;
    for i in 1..=hits.len() {
        if i == hits.len() || hits[i - 1].key != hits[i].key || hits[i - 1].score - hits[i].score > TIE * hits[i - 1].score.abs() {
            hits[start..i].sort_by(|a, b| b.tie.cmp(&a.tie).then(a.addr.cmp(&b.addr)));
            start = i;
        }
    }
}

/// The relative difference below which two scores are the same score ([`sort_best_first`]):
/// far above float rounding (about 1e-7 for one addition), far below any real difference of
/// BM25 scores.
pub const TIE: f32 = 1e-5;

/// The largest float below `x`: a walk told this threshold still offers documents scoring `x`.
fn just_below(x: Score) -> Score {
    if x > 0.0 {
        Score::from_bits(x.to_bits() - 1)
    } else if x == 0.0 {
        -Score::MIN_POSITIVE
    } else {
        Score::from_bits(x.to_bits() + 1)
    }
}

/// Which documents a walk keeps: every live one, or those of some kinds (by the `kind` fast
/// field, no stored document read), and of those the ones whose drama passes a filter.
#[derive(Clone, Default)]
pub struct Keep {
    kinds: Option<Vec<Kind>>,
    dramas: Option<Arc<DramaFilter>>,
}

impl Keep {
    pub fn all() -> Keep {
        Keep::default()
    }

    pub fn kinds(kinds: Vec<Kind>) -> Keep {
        Keep { kinds: Some(kinds), dramas: None }
    }

    /// Also narrowed to the documents whose drama passes `filter` (None: no drama filter).
    pub fn with_dramas(mut self, filter: Option<Arc<DramaFilter>>) -> Keep {
        self.dramas = filter.filter(|f| f.clauses() != 0);
        self
    }

    fn for_segment<'a>(&'a self, id: SegmentId, cols: &'a SegmentColumns) -> SegmentKeep<'a> {
        let kinds = match &self.kinds {
            None => KindKeep::All,
            Some(kinds) => {
                let ords: Vec<u64> = kinds.iter().filter_map(|k| cols.kind_ord(*k)).collect();
                if ords.is_empty() {
                    KindKeep::Nothing
                } else if ords.len() == cols.kinds_held() {
                    KindKeep::All
                } else {
                    KindKeep::Kinds(ords)
                }
            }
        };
        let facts = self.dramas.as_deref().map(|d| d.facts.segment(id, cols));
        SegmentKeep { kinds, dramas: self.dramas.as_deref(), facts, cols }
    }
}

/// [`Keep`] for one segment.
struct SegmentKeep<'a> {
    kinds: KindKeep,
    dramas: Option<&'a DramaFilter>,
    /// The filter's facts, by this segment's drama ordinals.
    facts: Option<SegmentFacts<'a>>,
    cols: &'a SegmentColumns,
}

enum KindKeep {
    All,
    /// The segment holds no document of the kinds kept: it is not walked at all (a query's
    /// scorers cost something to build even where nothing matches).
    Nothing,
    /// Ordinals of the kinds kept in the segment's `kind` column.
    Kinds(Vec<u64>),
}

impl SegmentKeep<'_> {
    fn nothing(&self) -> bool {
        matches!(self.kinds, KindKeep::Nothing)
    }

    fn kind_kept(&self, doc: DocId) -> bool {
        match &self.kinds {
            KindKeep::All => true,
            KindKeep::Nothing => false,
            KindKeep::Kinds(ords) => self.cols.kind_column().and_then(|c| c.term_ords(doc).next()).is_some_and(|o| ords.contains(&o)),
        }
    }

    /// The filter clauses the document's drama fails (0 without a filter), and its drama.
    fn failed(&self, doc: DocId) -> (u8, Option<&Fact>) {
        let (Some(filter), Some(facts)) = (self.dramas, &self.facts) else { return (0, None) };
        let fact = facts.of(self.cols, doc);
        (filter.failed(fact), fact)
    }

    fn keeps(&self, doc: DocId) -> bool {
        self.kind_kept(doc) && self.failed(doc).0 == 0
    }
}

/// The best `k` live documents for `query` that `keep` keeps and that score `floor` or more,
/// best first, found with block-max pruning where the query allows it (term unions and
/// conjunctions, single terms).
pub fn top(searcher: &Searcher, columns: &[Arc<SegmentColumns>], weight: &dyn Weight, k: usize, keep: &Keep, floor: Option<Score>) -> tantivy::Result<Vec<Candidate>> {
    if k == 0 {
        return Ok(Vec::new());
    }
    let mut best = Best::new(k);
    let mut threshold = floor.map_or(Score::MIN, just_below);
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        let cols = &columns[ord];
        let filter = keep.for_segment(seg.segment_id(), cols);
        if filter.nothing() {
            continue;
        }
        let alive = seg.alive_bitset();
        let mut seen = 0u32;
        let mut stopped = false;
        weight.for_each_pruning(threshold, seg, &mut |doc, score| {
            // Past the deadline, a threshold no score reaches ends the walk.
            if stopped || (seen % super::deadline::EVERY == 0 && super::deadline::passed()) {
                stopped = true;
                return Score::MAX;
            }
            seen = seen.wrapping_add(1);
            if alive.is_none_or(|a| a.is_alive(doc)) && filter.keeps(doc) {
                best.push(0.0, score, cols.tie.first(doc).unwrap_or(0), DocAddress::new(ord as u32, doc));
                if let Some(worst) = best.worst_when_full() {
                    threshold = just_below(worst);
                }
            }
            threshold
        })?;
    }
    Ok(best.into_sorted())
}

/// The best `k` candidates seen so far: a heap whose top is the worst one kept.
struct Best {
    heap: BinaryHeap<Scored>,
    k: usize,
}

impl Best {
    fn new(k: usize) -> Best {
        Best { heap: BinaryHeap::with_capacity(k), k }
    }

    /// Keeps the candidate if it is among the best `k` so far. A full heap's worst is
    /// replaced in place (one sift down) by a better candidate, not pushed past and popped.
    fn push(&mut self, key: f64, score: Score, tie: u64, addr: DocAddress) {
        let c = Scored(key, score, tie, addr);
        if self.heap.len() < self.k {
            self.heap.push(c);
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if c < *worst {
                *worst = c;
            }
        }
    }

    /// Whether a candidate with sort key `key` could be kept: the heap has room, or `key` is
    /// at least the worst kept one's (an equal key is decided by the score). A walk that
    /// ranks every match by a sort key asks this first, and scores only what it admits: most
    /// matches of a large set rank below the page by their key alone.
    fn admits(&self, key: f64) -> bool {
        self.heap.len() < self.k || self.heap.peek().is_some_and(|w| key.total_cmp(&w.0).is_ge())
    }

    /// Whether a candidate with `key` and `score` could be kept, whatever its `tie`: the
    /// heap has room, or the worst kept is below it or level with it. A walk that ranks every
    /// match asks this before it reads the tie order, and offers [`Best::push`] only what
    /// passes.
    fn may_take(&self, key: f64, score: Score) -> bool {
        self.heap.len() < self.k
            || self.heap.peek().is_some_and(|w| match key.total_cmp(&w.0) {
                Ordering::Equal => score.total_cmp(&w.1).is_ge(),
                o => o.is_gt(),
            })
    }

    /// The k-th best key, once `k` candidates are kept.
    fn worst_key_when_full(&self) -> Option<f64> {
        (self.heap.len() == self.k).then(|| self.heap.peek().map(|w| w.0)).flatten()
    }

    /// The k-th best score, once `k` candidates are kept.
    fn worst_when_full(&self) -> Option<Score> {
        (self.heap.len() == self.k).then(|| self.heap.peek().map(|w| w.1)).flatten()
    }

    fn into_sorted(self) -> Vec<Candidate> {
        let mut out: Vec<Candidate> =
            self.heap.into_iter().map(|Scored(key, score, tie, addr)| Candidate { key, score, tie, addr }).collect();
        sort_best_first(&mut out);
        out
    }
}

/// The weight of a query, built once and used by both [`count`] and [`top`]: building it looks
/// up every term's statistics, and a typo's automaton costs more than a short walk.
pub fn weight(searcher: &Searcher, query: &dyn Query) -> tantivy::Result<Box<dyn Weight>> {
    query.weight(EnableScoring::enabled_from_searcher(searcher))
}

/// Live matches of `weight` that `keep` keeps, per kind, counted up to `cap` in all (the walk
/// only advances; no document's score is computed).
pub fn count(searcher: &Searcher, columns: &[Arc<SegmentColumns>], weight: &dyn Weight, cap: usize, keep: &Keep) -> tantivy::Result<Counts> {
    Ok(walk(searcher, columns, weight, &Walk { cap, keep, k: 0, facets: None, key: None, floor: None, facts: None, stop_at_cap: true })?.0)
}

/// Counts (as [`count`]) and the best `k` (as [`top`]) in one walk that scores every match:
/// for a set known to be small (dramas and people), where one walk costs less than building
/// every scorer twice.
pub fn count_and_top(searcher: &Searcher, columns: &[Arc<SegmentColumns>], weight: &dyn Weight, k: usize, cap: usize, keep: &Keep) -> tantivy::Result<(Counts, Vec<Candidate>)> {
    let (counts, top, _) = walk(searcher, columns, weight, &Walk { cap, keep, k, facets: None, key: None, floor: None, facts: None, stop_at_cap: false })?;
    Ok((counts, top))
}

/// How a walk orders its matches when it orders them by a key, not by relevance.
pub trait SortKey: Sync {
    /// A document's key, of its segment's columns and its drama's facts; None sorts last.
    fn key(&self, cols: &SegmentColumns, doc: DocId, fact: Option<&Fact>) -> Option<f64>;
    /// Whether [`SortKey::key`] reads the fact, for the documents this walk keeps. A key that
    /// does not is read first, and a match it ranks below the page is passed over before
    /// anything else of it (liveness, kind, drama) is read.
    fn reads_fact(&self) -> bool;
    /// A key no document this walk keeps in the segment is above (None: not known). A
    /// segment whose bound is below the page is not walked at all, once counting is done.
    fn bound(&self, cols: &SegmentColumns) -> Option<f64>;
    /// A query that every document with a key of at least `least` matches, when one is known
    /// and narrows the walk: past the count, the walk leaps along it instead of visiting
    /// every match.
    fn narrowed(&self, least: f64) -> Option<Box<dyn Query>>;
}

/// What one walk over every match does besides counting up to `cap`: keep the best `k`
/// (by `key` when given, else by score), and count facets.
pub struct Walk<'a> {
    pub cap: usize,
    pub keep: &'a Keep,
    pub k: usize,
    pub facets: Option<&'a [Facet]>,
    pub key: Option<&'a dyn SortKey>,
    /// The `k`-th best key other parts of the search found already: a match with a lower key
    /// cannot make the page, whatever this walk finds.
    pub floor: Option<f64>,
    /// Where facets and sort keys read a document's drama.
    pub facts: Option<&'a Facts>,
    /// Whether ranking stops with the count, at the cap (the caller ranks past it otherwise).
    pub stop_at_cap: bool,
}

/// Walks every live match of `weight`: counts (up to the cap), the best `k` and, when asked,
/// facet counts. A facet counts the documents that fail no filter clause but its own
/// ([`super::filter`]), so the walk visits those too, counting them nowhere else. Facets stop
/// where the count stops. With a sort key, the candidates carry it, and their score is
/// boosted by their drama's popularity already (ties of the key fall back to relevance).
///
/// Past the cap a walk by a key is a top-k by that key: the least key that can still make
/// the page (the worst kept once `k` are, or the floor) passes over every segment whose
/// [`SortKey::bound`] is below it, and every match whose key, read from columns alone, is.
/// Where the key has a [`SortKey::narrowed`] query (the dramas with enough counted ratings
/// under `sort=votes`, the dates from the least on under `sort=newest`), the rest of the walk
/// leaps along the matches of both. Under
/// `sort=rating` the reviews of a common word are mostly below a page of tens; and where the
/// dramas found already fill the page, no text is ranked at all.
pub fn walk(searcher: &Searcher, columns: &[Arc<SegmentColumns>], weight: &dyn Weight, w: &Walk) -> tantivy::Result<(Counts, Vec<Candidate>, FacetCounts)> {
    walk_keeping(searcher, columns, weight, w, None)
}

/// [`count`] that also keeps the address of every match it counts, in walk order: what
/// [`rank`] scores when the count stopped short of the cap.
pub fn count_keeping(searcher: &Searcher, columns: &[Arc<SegmentColumns>], weight: &dyn Weight, cap: usize, keep: &Keep, counted: &mut Vec<DocAddress>) -> tantivy::Result<Counts> {
    let w = Walk { cap, keep, k: 0, facets: None, key: None, floor: None, facts: None, stop_at_cap: true };
    Ok(walk_keeping(searcher, columns, weight, &w, Some(counted))?.0)
}

/// The best `k` of `docs` (live matches of `weight` in walk order, as [`count_keeping`] keeps
/// them), each scored by seeking a scorer to it: a second pass that touches only the blocks
/// of the postings that hold them.
pub fn rank(searcher: &Searcher, columns: &[Arc<SegmentColumns>], weight: &dyn Weight, docs: &[DocAddress], k: usize) -> tantivy::Result<Vec<Candidate>> {
    if k == 0 {
        return Ok(Vec::new());
    }
    let mut best = Best::new(k);
    for run in docs.chunk_by(|a, b| a.segment_ord == b.segment_ord) {
        let ord = run[0].segment_ord;
        let cols = &columns[ord as usize];
        let mut scorer = weight.scorer(searcher.segment_reader(ord), 1.0)?;
        for addr in run {
            if scorer.doc() < addr.doc_id && scorer.seek(addr.doc_id) != addr.doc_id {
                continue;
            }
            let score = scorer.score();
            if best.may_take(0.0, score) {
                best.push(0.0, score, cols.tie.first(addr.doc_id).unwrap_or(0), *addr);
            }
        }
    }
    Ok(best.into_sorted())
}

fn walk_keeping(searcher: &Searcher, columns: &[Arc<SegmentColumns>], weight: &dyn Weight, w: &Walk, mut counted: Option<&mut Vec<DocAddress>>) -> tantivy::Result<(Counts, Vec<Candidate>, FacetCounts)> {
    let mut counts = Counts::default();
    let mut best = Best::new(w.k);
    let mut facets = FacetCounts::new(w.facets.map(<[Facet]>::to_vec).unwrap_or_default());
    let faceting = w.facets.is_some_and(|f| !f.is_empty());
    let floor = w.floor.unwrap_or(f64::NEG_INFINITY);
    // The least key a match needs to be ranked, past the count.
    let least = |best: &Best| best.worst_key_when_full().map_or(floor, |k| k.max(floor));
    let column_key = w.key.filter(|k| !k.reads_fact());
    // The narrowing query's weight, made once the count is done and `k` are kept.
    let mut narrowing: Option<Box<dyn Weight>> = None;
    let mut narrowing_tried = false;
    'segments: for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        let cols = &columns[ord];
        let filter = w.keep.for_segment(seg.segment_id(), cols);
        if filter.nothing() {
            continue;
        }
        let ranks = w.k > 0;
        if let (true, true, Some(bound)) = (counts.capped, ranks, w.key.and_then(|k| k.bound(cols))) {
            if bound < least(&best) {
                continue;
            }
        }
        let facts = (faceting || w.key.is_some()).then(|| w.facts.map(|f| f.segment(seg.segment_id(), cols))).flatten();
        let alive = seg.alive_bitset();
        let mut scorer = weight.scorer(seg, 1.0)?;
        let mut doc = scorer.doc();
        let mut seen = 0u32;
        let mut narrow = narrowing.as_ref().map(|n| n.scorer(seg, 1.0)).transpose()?;
        while doc != TERMINATED {
            if seen % super::deadline::EVERY == 0 && super::deadline::passed() {
                break 'segments;
            }
            seen = seen.wrapping_add(1);
            if !narrowing_tried && counts.capped && ranks && best.worst_key_when_full().is_some() {
                narrowing_tried = true;
                if let Some(q) = w.key.and_then(|k| k.narrowed(least(&best))) {
                    let n = q.weight(EnableScoring::disabled_from_searcher(searcher))?;
                    narrow = Some(n.scorer(seg, 1.0)?);
                    narrowing = Some(n);
                }
            }
            if let Some(n) = narrow.as_mut() {
                // Leap to the next document both match.
                let next = if n.doc() < doc { n.seek(doc) } else { n.doc() };
                if next == TERMINATED {
                    continue 'segments;
                }
                if next > doc {
                    doc = scorer.seek(next);
                    continue;
                }
            }
            if let (true, Some(order)) = (counts.capped, column_key) {
                if order.key(cols, doc, None).unwrap_or(f64::NEG_INFINITY) < least(&best) {
                    doc = scorer.advance();
                    continue;
                }
            }
            if alive.is_none_or(|a| a.is_alive(doc)) && filter.kind_kept(doc) {
                let (failed, fact) = match &facts {
                    Some(facts) => {
                        let fact = facts.of(cols, doc);
                        (filter.dramas.map_or(0, |f| f.failed(fact)), fact)
                    }
                    None => (filter.failed(doc).0, None),
                };
                if faceting && !counts.capped {
                    facets.add(cols.kind_index(doc), fact, failed);
                }
                if failed == 0 {
                    if counts.total == w.cap {
                        counts.capped = true;
                        // Past the cap only a walk that also ranks goes on (uncounted).
                        if !ranks || w.stop_at_cap {
                            break 'segments;
                        }
                    } else {
                        counts.total += 1;
                        if let Some(kind) = cols.kind_index(doc) {
                            counts.by_kind[kind] += 1;
                        }
                        if let Some(c) = counted.as_deref_mut() {
                            c.push(DocAddress::new(ord as u32, doc));
                        }
                    }
                    if ranks {
                        let tie = || cols.tie.first(doc).unwrap_or(0);
                        let at = DocAddress::new(ord as u32, doc);
                        match w.key {
                            None => {
                                let score = scorer.score();
                                if best.may_take(0.0, score) {
                                    best.push(0.0, score, tie(), at);
                                }
                            }
                            Some(order) => {
                                let key = order.key(cols, doc, fact).unwrap_or(f64::NEG_INFINITY);
                                if key >= floor && best.admits(key) {
                                    let boost = fact.map_or(1.0, |f| super::popularity_boost(f.votes));
                                    best.push(key, scorer.score() * boost, tie(), at)
                                }
                            }
                        }
                    }
                }
            }
            doc = scorer.advance();
        }
    }
    Ok((counts, best.into_sorted(), facets))
}

/// Matches counted by [`count`]: `capped` when counting stopped at the cap with more to go.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub total: usize,
    /// Indexed as [`Kind::ALL`].
    pub by_kind: [usize; 6],
    pub capped: bool,
}

impl Counts {
    pub fn relation(&self) -> Relation {
        if self.capped {
            Relation::Gte
        } else {
            Relation::Eq
        }
    }

    /// The counts of two disjoint sets of documents.
    pub fn add(&self, other: &Counts) -> Counts {
        let mut by_kind = self.by_kind;
        for (a, b) in by_kind.iter_mut().zip(other.by_kind) {
            *a += b;
        }
        Counts { total: self.total + other.total, by_kind, capped: self.capped || other.capped }
    }
}

#[cfg(test)]
mod tests {
    use super::{sort_best_first, Best, Candidate, Scored};
    use tantivy::DocAddress;

    #[test]
    fn a_full_heap_admits_only_keys_that_could_displace_its_worst() {
        let mut best = Best::new(2);
        assert!(best.admits(f64::NEG_INFINITY), "room left: anything");
        best.push(5.0, 1.0, 0, DocAddress::new(0, 0));
        best.push(3.0, 1.0, 1, DocAddress::new(0, 1));
        assert!(!best.admits(2.9), "below the worst key: cannot be kept, whatever its score");
        assert!(best.admits(3.0), "an equal key is decided by the score");
        assert!(best.admits(4.0));
    }

    #[test]
    fn pushing_only_what_may_be_taken_keeps_what_pushing_everything_keeps() {
        // Few distinct scores and ties, so that most candidates are level with the worst.
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        for k in [1, 3, 20] {
            let (mut every, mut some) = (Vec::new(), Best::new(k));
            for doc in 0..2000u32 {
                let (score, tie) = (next(6) as f32, next(4));
                let at = DocAddress::new(0, doc);
                every.push(Scored(0.0, score, tie, at));
                if some.may_take(0.0, score) {
                    some.push(0.0, score, tie, at);
                }
            }
            // The best k of every candidate, by a plain sort.
            every.sort();
            let mut want: Vec<Candidate> = every[..k].iter().map(|&Scored(key, score, tie, addr)| Candidate { key, score, tie, addr }).collect();
            sort_best_first(&mut want);
            assert_eq!(some.into_sorted(), want, "k = {k}");
        }
    }

    #[test]
    fn scores_a_rounding_apart_are_ordered_by_their_tie_order() {
        let c = |score: f32, tie: u64| Candidate { key: 0.0, score, tie, addr: DocAddress::new(0, tie as u32) };
        let above = f32::from_bits(2.0f32.to_bits() + 1);
        let mut hits = vec![c(1.0, 9), c(above, 1), c(2.0, 5), c(3.0, 0)];
        sort_best_first(&mut hits);
        let ties: Vec<u64> = hits.iter().map(|h| h.tie).collect();
        assert_eq!(ties, [0, 5, 1, 9]);
    }
}
