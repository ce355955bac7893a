//! The engine: one index, the catalog and the ratings kept in step with it, and a cache.
//!
//! Both front ends (the CLI and the HTTP service) talk only to the engine. An ingest is:
//! check the batch against what is known (a review must be about a drama we have), number the
//! records in ingest order, work out the people the batch changes, commit the whole batch as
//! one tantivy commit, and only then update the in-memory catalog and ratings and bump the
//! generation that invalidates every cached answer. A batch that fails anywhere leaves the
//! index, the catalog and the ratings exactly as they were.

use crate::api::{Encoded, RelatedDramas, Suggestions};
use crate::catalog::Catalog;
use crate::index::{Change, IndexError, Store};
use crate::rank::ratings::stored::{self, Opened, Stamp};
use crate::rank::{self, Params, RatingEvent, Ratings, Scope, TopList};
use crate::record::{year_month, Kind, LineError, Located, Record};
use crate::related::{ByUser, Related};
use crate::search::facts::Facts;
use crate::search::{self, Refine, SearchRequest, SearchResults, Suggestion};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    // Transparent: the inner error is the message, not also its cause (which `{e:#}` would
    // print a second time).
    #[error(transparent)]
    Line(#[from] LineError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("{0}")]
    Invalid(String),
    /// A search stopped at its deadline ([`Options::search_deadline`]).
    #[error("the search ran past its deadline of {} ms and was stopped; narrow it (fewer or rarer words, a filter)", .0.as_millis())]
    Deadline(std::time::Duration),
}

/// Cached answers, serialized ([`Encoded`]), keyed by request; the generation in the key
/// retires them on every commit.
type Cache = Mutex<crate::cache::AnswerCache>;

pub struct Engine {
    store: Store,
    catalog: RwLock<Catalog>,
    ratings: RwLock<Ratings>,
    /// Every Top 100 list (all time, each season, each year), ranked when a commit changes it
    /// rather than per request: a request reads a ready list.
    tops: RwLock<HashMap<Scope, Arc<Top100>>>,
    /// What filters, sorts and facets read of every drama, built on the first search that
    /// needs it after a commit (the generation it was built at): a commit of one rating does
    /// not pay for a table of every drama, and a search that narrows nothing never builds it.
    facts: Mutex<Option<(u64, Arc<Facts>)>>,
    /// Ratings grouped by user for co-ratings (related dramas), built like `facts`.
    by_user: Mutex<Option<(u64, Arc<ByUser>)>>,
    params: Params,
    search_deadline: Option<std::time::Duration>,
    /// Serializes ingests and holds the next `seq`.
    next_seq: Mutex<u64>,
    generation: AtomicU64,
    cache: Option<Cache>,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
    /// Told the duration of every commit (the HTTP layer's metrics); commits are serialized,
    /// so this lock is never contended by searches.
    commit_observer: Mutex<Option<CommitObserver>>,
    /// When the current generation was committed, in milliseconds since the epoch: at start,
    /// the index's last commit on disk.
    committed_at: AtomicU64,
    /// The commit the ratings' file beside the index holds, when this engine opened or wrote
    /// it: [`Engine::save_ratings`] has nothing to do until the next commit.
    ratings_saved: Mutex<Option<Stamp>>,
}

/// What is told each commit's duration.
pub type CommitObserver = Box<dyn Fn(std::time::Duration) + Send + Sync>;

/// When the directory's newest commit was written (its `meta.json`), in milliseconds since
/// the epoch.
fn meta_mtime_ms(dir: &Path) -> Option<u64> {
    let modified = std::fs::metadata(dir.join("meta.json")).and_then(|m| m.modified()).ok()?;
    Some(modified.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis() as u64)
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct RankedEntry {
    /// 1 for the best.
    pub rank: usize,
    pub id: String,
    pub title: String,
    pub title_ja: Option<String>,
    pub season: Option<String>,
    /// The mean of the counted ratings (out of 10).
    pub mean: f64,
    /// Counted ratings: one per user (a user's latest rating of the drama, in a review or a
    /// comment), the number the Bayesian score weighs.
    pub votes: u32,
    /// The Bayesian weighted score, `(v·R + m·C) / (v + m)`: the mean `R` of `v` votes pulled
    /// toward the scope's mean `C` by `m` phantom votes (`params`).
    pub score: f64,
    /// Votes without a rating (`vote` records: "I watched it"), not part of the score.
    pub voters: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Top100 {
    /// `all`, `season:Summer 2004` or `year:2004`.
    pub scope: String,
    /// What the list was ranked with.
    pub params: Top100Params,
    pub entries: Vec<RankedEntry>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Top100Params {
    /// Phantom votes at the scope's mean added to every drama (`--m`).
    pub m: f64,
    /// The scope's mean rating `C` the phantom votes have (none without ratings).
    pub c: Option<f64>,
    /// Fewest counted ratings a drama needs to be listed (`--min-votes`).
    pub min_votes: u32,
}

/// Engine settings.
#[derive(Debug, Clone)]
pub struct Options {
    pub params: Params,
    /// Entries in the query-result cache; 0 turns the cache off.
    pub cache_entries: usize,
    /// Bytes the query-result cache may hold (answers, keys and their bookkeeping); 0 turns
    /// the cache off.
    pub cache_bytes: usize,
    /// Longest a search may walk matches before it stops and answers that it ran out of time
    /// ([`crate::search::deadline`]); None: no deadline.
    pub search_deadline: Option<std::time::Duration>,
}

/// The default deadline of a search: far past any search the benchmarks measure (34 ms at
/// scale 10), well under the request timeout.
pub const DEFAULT_SEARCH_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// The default byte bound of the answer cache.
pub const DEFAULT_CACHE_BYTES: usize = 32 * 1024 * 1024;

impl Default for Options {
    fn default() -> Self {
        Options { params: Params::default(), cache_entries: 4096, cache_bytes: DEFAULT_CACHE_BYTES, search_deadline: Some(DEFAULT_SEARCH_DEADLINE) }
    }
}

pub(crate) fn rating_event(rec: &Record, seq: u64) -> Option<RatingEvent> {
    let (user, rating) = rec.rating()?;
    Some(RatingEvent {
        key: crate::index::document::key(rec.kind().as_str(), &rec.id()),
        drama_id: rec.drama_id()?.to_string(),
        user: user.to_string(),
        rating,
        seq,
    })
}

impl Engine {
    /// Opens (or creates) the index in `dir` and loads the catalog and ratings from it.
    pub fn open(dir: &Path, options: Options) -> Result<Engine, EngineError> {
        Self::with_store(Store::open(dir)?, dir, options)
    }

    /// Opens the index in `dir` as a read-only replica: no writer lock, every write refused
    /// ([`EngineError::Index`] of [`IndexError::ReadOnly`]), and [`Engine::follow`] moves it to
    /// the writer's newer commits.
    pub fn open_read_only(dir: &Path, options: Options) -> Result<Engine, EngineError> {
        Self::with_store(Store::open_read_only(dir)?, dir, options)
    }

    fn with_store(store: Store, dir: &Path, options: Options) -> Result<Engine, EngineError> {
        let (catalog, (ratings, ratings_saved)) = load_state(&store)?;
        let next_seq = store.max_seq()? + 1;
        let cache = crate::cache::AnswerCache::new(options.cache_entries, options.cache_bytes).map(Mutex::new);
        let started = std::time::Instant::now();
        let tops = top_lists(&catalog, &ratings, options.params, None);
        tracing::info!(lists = tops.len(), seconds = started.elapsed().as_secs_f64(), "Top 100 lists ranked");
        let committed_at = meta_mtime_ms(dir).unwrap_or_else(now_ms);
        Ok(Engine {
            store,
            catalog: RwLock::new(catalog),
            ratings: RwLock::new(ratings),
            tops: RwLock::new(tops),
            facts: Mutex::new(None),
            by_user: Mutex::new(None),
            params: options.params,
            search_deadline: options.search_deadline,
            next_seq: Mutex::new(next_seq),
            generation: AtomicU64::new(0),
            cache,
            cache_hits: AtomicU64::new(0),
            cache_misses: AtomicU64::new(0),
            commit_observer: Mutex::new(None),
            committed_at: AtomicU64::new(committed_at),
            ratings_saved: Mutex::new(ratings_saved),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// On a replica: moves to the newest commit in the directory, once all its files are
    /// present and verified, and moves the catalog, the ratings and the Top 100 lists with it
    /// by the difference: the records that left the commit served and those of the segments it
    /// adds ([`crate::index::moved`]), so the cost follows what changed, not the index's size.
    /// Returns whether anything changed. The index moves first and the catalog and ratings
    /// just after, so for that moment a search may find a new drama's documents while its
    /// Top 100 entry is the commit before's.
    pub fn follow(&self) -> Result<bool, EngineError> {
        // The commit about to be read is at least this new (meta.json is written last).
        let newest = meta_mtime_ms(self.store.dir());
        let started = std::time::Instant::now();
        let Some(moved) = self.store.reload()? else { return Ok(false) };
        let reloaded = started.elapsed();
        let changes = moved.changes()?;
        let came: HashMap<String, crate::record::Drama> =
            self.store.dramas_in(&moved.new, &changes.added)?.into_iter().map(|d| (d.id.clone(), d)).collect();
        let drama_prefix = format!("{}:", Kind::Drama.as_str());
        let left: Vec<&str> = changes.gone.iter().filter_map(|k| k.strip_prefix(drama_prefix.as_str())).collect();
        // A merge moves dramas without changing them: the catalog changes only if one differs.
        let changed_catalog = {
            let catalog = self.catalog.read().unwrap_or_else(|p| p.into_inner());
            left.iter().any(|id| !came.contains_key(*id)) || came.values().any(|d| catalog.get(&d.id) != Some(d))
        };
        if changed_catalog {
            let mut catalog = self.catalog.read().unwrap_or_else(|p| p.into_inner()).clone();
            for id in &left {
                catalog.remove(id);
            }
            for d in came.into_values() {
                catalog.upsert(d);
            }
            *self.catalog.write().unwrap_or_else(|p| p.into_inner()) = catalog;
        }
        let rated: BTreeSet<String> = {
            let mut ratings = self.ratings_to_change();
            let mut touched = BTreeSet::new();
            for key in &changes.gone {
                let h = rank::ratings::key_hash(key);
                touched.extend(ratings.remove_key_hashed(h));
                touched.extend(ratings.remove_vote_hashed(h));
            }
            let added: Vec<tantivy::SegmentReader> = changes.added.iter().map(|&o| moved.new.segment_reader(o).clone()).collect();
            let mut sink = Following { ratings: &mut ratings, touched: &mut touched };
            crate::index::visit_segment_ratings(&added, &mut sink)?;
            touched.iter().filter_map(|&d| ratings.drama_name(d).map(str::to_string)).collect()
        };
        let counted = started.elapsed();
        self.refresh_tops(if changed_catalog { None } else { Some(&rated) });
        tracing::debug!(
            gone = changes.gone.len(),
            added_segments = changes.added.len(),
            reload_ms = reloaded.as_secs_f64() * 1e3,
            records_ms = (counted - reloaded).as_secs_f64() * 1e3,
            lists_ms = (started.elapsed() - counted).as_secs_f64() * 1e3,
            "followed a commit"
        );
        self.committed_at.store(newest.unwrap_or_else(now_ms), Ordering::SeqCst);
        self.generation.fetch_add(1, Ordering::SeqCst);
        Ok(true)
    }

    /// The number of the commit served (see [`Store::commit_number`]).
    pub fn commit_number(&self) -> u64 {
        self.store.commit_number()
    }

    /// On a replica: how long the writer's newest commit has waited to be followed (zero when
    /// this replica serves it, and always on the writer).
    pub fn behind(&self) -> std::time::Duration {
        if !self.store.read_only() {
            return std::time::Duration::ZERO;
        }
        match meta_mtime_ms(self.store.dir()) {
            Some(newest) if newest > self.committed_at.load(Ordering::SeqCst) => std::time::Duration::from_millis(now_ms().saturating_sub(newest)),
            _ => std::time::Duration::ZERO,
        }
    }

    pub fn params(&self) -> Params {
        self.params
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn num_dramas(&self) -> usize {
        self.catalog.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn has_drama(&self, id: &str) -> bool {
        self.catalog.read().unwrap_or_else(|p| p.into_inner()).contains(id)
    }

    /// (hits, misses) of the query cache since start.
    pub fn cache_stats(&self) -> (u64, u64) {
        (self.cache_hits.load(Ordering::Relaxed), self.cache_misses.load(Ordering::Relaxed))
    }

    /// Bytes the answer cache holds (0 without a cache).
    pub fn cache_bytes(&self) -> usize {
        self.cache.as_ref().map_or(0, |c| c.lock().unwrap_or_else(|p| p.into_inner()).bytes())
    }

    fn commit(&self, changes: &[Change]) -> Result<(), EngineError> {
        let started = std::time::Instant::now();
        self.store.apply(changes)?;
        self.committed_at.store(now_ms(), Ordering::SeqCst);
        if let Some(observe) = self.commit_observer.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            observe(started.elapsed());
        }
        Ok(())
    }

    /// Sets what is told each commit's duration (replacing any before).
    pub fn observe_commits(&self, observer: CommitObserver) {
        *self.commit_observer.lock().unwrap_or_else(|p| p.into_inner()) = Some(observer);
    }

    /// How long ago the index last committed (on a replica: the commit it serves).
    pub fn since_commit(&self) -> std::time::Duration {
        std::time::Duration::from_millis(now_ms().saturating_sub(self.committed_at.load(Ordering::SeqCst)))
    }

    /// Live documents of a kind.
    pub fn count_kind(&self, kind: Kind) -> Result<usize, EngineError> {
        Ok(self.store.count_kind(kind)?)
    }

    /// Applies a batch of records as one commit. Returns how many records were applied.
    pub fn ingest(&self, batch: Vec<Located>) -> Result<usize, EngineError> {
        let mut next_seq = self.next_seq.lock().unwrap_or_else(|p| p.into_inner());
        // The catalog changes only with dramas; a batch of reviews and ratings (the common
        // case, often a single record) must not pay for copying tens of thousands of dramas.
        let has_dramas = batch.iter().any(|l| matches!(l.record, Record::Drama(_)));
        let mut changed_catalog =
            has_dramas.then(|| self.catalog.read().unwrap_or_else(|p| p.into_inner()).clone());

        // Dramas first, so that a batch may hold a drama and its reviews in any order.
        let mut touched_people: BTreeSet<String> = BTreeSet::new();
        if let Some(catalog) = &mut changed_catalog {
            for l in &batch {
                if let Record::Drama(d) = &l.record {
                    touched_people.extend(catalog.upsert(d.clone()));
                }
            }
        }
        let current = self.catalog.read().unwrap_or_else(|p| p.into_inner());
        let catalog = changed_catalog.as_ref().unwrap_or(&current);
        for l in &batch {
            if let Some(d) = l.record.drama_id() {
                if !catalog.contains(d) {
                    return Err(l.error(format!("{} refers to unknown drama {d:?}", l.record.kind())).into());
                }
            }
        }
        let mut changes = Vec::with_capacity(batch.len() + touched_people.len());
        let mut seq = *next_seq;
        for l in &batch {
            changes.push(Change::Upsert(l.record.clone(), seq));
            seq += 1;
        }
        person_changes(catalog, touched_people, &mut seq, &mut changes);
        drop(current);
        self.commit(&changes)?;

        // Committed: now the in-memory state follows.
        *next_seq = seq;
        // The dramas whose lists the batch changes: those its records are about, and those
        // whose rating a replaced record took away.
        let mut rated: BTreeSet<String> = BTreeSet::new();
        {
            let mut ratings = self.ratings_to_change();
            for c in &changes {
                if let Change::Upsert(rec, seq) = c {
                    let key = crate::index::document::key(rec.kind().as_str(), &rec.id());
                    rated.extend(ratings.drama_of_key(&key).map(str::to_string));
                    rated.extend(rec.drama_id().map(str::to_string));
                    apply_rating(&mut ratings, rec, *seq);
                }
            }
        }
        // The lists a batch can change: every list if it changed the catalog (a drama's season
        // or year, its title); otherwise all time and the season and year of each drama whose
        // ratings it touched.
        let changed = if changed_catalog.is_some() { None } else { Some(rated) };
        if let Some(catalog) = changed_catalog {
            *self.catalog.write().unwrap_or_else(|p| p.into_inner()) = catalog;
        }
        self.refresh_tops(changed.as_ref());
        self.generation.fetch_add(1, Ordering::SeqCst);
        Ok(batch.len())
    }

    /// Deletes a record. Returns false if there was none.
    pub fn delete(&self, kind: Kind, id: &str) -> Result<bool, EngineError> {
        if kind == Kind::Person {
            return Err(EngineError::Invalid(
                "people are derived from cast lists: delete or change the dramas that name them".into(),
            ));
        }
        let mut next_seq = self.next_seq.lock().unwrap_or_else(|p| p.into_inner());
        let Some(existing) = self.store.get(kind, id)? else { return Ok(false) };
        let mut catalog = self.catalog.read().unwrap_or_else(|p| p.into_inner()).clone();
        let mut changes = vec![Change::Delete(kind, id.to_string())];
        let mut seq = *next_seq;
        if kind == Kind::Drama {
            let touched = catalog.remove(id);
            person_changes(&catalog, touched, &mut seq, &mut changes);
        }
        self.commit(&changes)?;
        *next_seq = seq;
        {
            let mut ratings = self.ratings_to_change();
            let key = crate::index::document::key(kind.as_str(), id);
            ratings.remove_key(&key);
            if matches!(existing, Record::Vote(_)) {
                ratings.remove_vote(&key);
            }
        }
        *self.catalog.write().unwrap_or_else(|p| p.into_inner()) = catalog;
        self.refresh_tops(None);
        self.generation.fetch_add(1, Ordering::SeqCst);
        Ok(true)
    }

    pub fn get(&self, kind: Kind, id: &str) -> Result<Option<Record>, EngineError> {
        Ok(self.store.get(kind, id)?)
    }

    /// Looks a request up in the cache, or computes, serializes and caches it.
    fn cached<T: Serialize, R: std::borrow::Borrow<T>>(
        &self,
        key: String,
        compute: impl FnOnce() -> Result<R, EngineError>,
    ) -> Result<Encoded<T>, EngineError> {
        let Some(cache) = &self.cache else {
            return Ok(Encoded::new(compute()?.borrow()));
        };
        let k = (self.generation(), key);
        if let Some(v) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&k) {
            self.cache_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(Encoded::from_bytes(v));
        }
        self.cache_misses.fetch_add(1, Ordering::Relaxed);
        let v = Encoded::new(compute()?.borrow());
        cache.lock().unwrap_or_else(|p| p.into_inner()).put(k, v.bytes().clone());
        Ok(v)
    }

    /// Whether some drama is on this station (any case); if not, the stations there are, the
    /// closest to `name` first, for the message that refuses it.
    pub fn check_station(&self, name: &str) -> Result<(), Vec<String>> {
        let facts = self.facts();
        if facts.station(name).is_some() {
            return Ok(());
        }
        let folded = name.to_lowercase();
        let mut all: Vec<(f64, String)> = facts
            .station_names()
            .iter()
            .map(|s| {
                let l = s.to_lowercase();
                let close = if l.starts_with(&folded) || l.contains(&folded) { 2.0 } else { strsim::jaro_winkler(&l, &folded) };
                (close, s.clone())
            })
            .collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        Err(all.into_iter().map(|(_, s)| s).collect())
    }

    /// The drama facts of this generation ([`Engine::facts`]).
    fn facts(&self) -> Arc<Facts> {
        of_generation(&self.facts, self.generation(), || {
            let catalog = self.catalog.read().unwrap_or_else(|p| p.into_inner());
            let ratings = self.ratings.read().unwrap_or_else(|p| p.into_inner());
            Facts::build(&catalog, &ratings, self.params.m)
        })
    }

    /// The dramas most like `id` ([`crate::related`]); None for an unknown drama.
    pub fn related_uncached(&self, id: &str, limit: usize) -> Option<Vec<Related>> {
        let by_user = of_generation(&self.by_user, self.generation(), || {
            ByUser::build(&self.ratings.read().unwrap_or_else(|p| p.into_inner()))
        });
        let catalog = self.catalog.read().unwrap_or_else(|p| p.into_inner());
        let ratings = self.ratings.read().unwrap_or_else(|p| p.into_inner());
        crate::related::related(&catalog, &ratings, &by_user, id, limit)
    }

    /// [`Engine::related_uncached`] through the cache; None for an unknown drama.
    /// How a drama's counted ratings spread over 1–10; None for an unknown drama.
    pub fn rating_distribution(&self, id: &str) -> Option<crate::api::RatingDistribution> {
        if !self.has_drama(id) {
            return None;
        }
        let raters = self.ratings.read().unwrap_or_else(|p| p.into_inner()).raters(id);
        let mut counts = vec![0u32; 10];
        for (_, r) in &raters {
            if (1..=10).contains(r) {
                counts[*r as usize - 1] += 1;
            }
        }
        let counted: u32 = counts.iter().sum();
        let sum: u64 = counts.iter().enumerate().map(|(i, n)| (i as u64 + 1) * *n as u64).sum();
        let mean = (counted > 0).then(|| sum as f64 / counted as f64);
        Some(crate::api::RatingDistribution { drama: id.to_string(), counted, mean, counts })
    }

    pub fn related(&self, id: &str, limit: usize) -> Result<Option<Encoded<RelatedDramas>>, EngineError> {
        if !self.has_drama(id) {
            return Ok(None);
        }
        self.cached(format!("related\u{0}{limit}\u{0}{id}"), || Ok(RelatedDramas { related: self.related_uncached(id, limit).unwrap_or_default() }))
            .map(Some)
    }

    /// Full search, uncached.
    pub fn search_uncached(&self, req: &SearchRequest) -> Result<SearchResults, EngineError> {
        let facts = (req.refine != Refine::default()).then(|| self.facts());
        let ratings = self.ratings.read().unwrap_or_else(|p| p.into_inner());
        let dramas = EngineDramas { ratings: &ratings, facts };
        let deadline = search::deadline::Deadline::start(self.search_deadline.map(|d| std::time::Instant::now() + d));
        let res = search::search(&self.store, req, &dramas);
        if deadline.expired() {
            // Whatever the walks found before they stopped is not the answer: none is given.
            return Err(EngineError::Deadline(self.search_deadline.unwrap_or_default()));
        }
        let mut res = res?;
        drop(ratings);
        let catalog = self.catalog.read().unwrap_or_else(|p| p.into_inner());
        for h in &mut res.hits {
            // Reviews and comments show the Japanese title of the drama they are about.
            if h.title_ja.is_none() {
                if let Some(d) = h.drama_id.as_deref().and_then(|d| catalog.get(d)) {
                    h.title_ja = d.title_ja.clone();
                    if h.title.is_none() {
                        h.title = Some(d.title.clone());
                    }
                }
            }
        }
        Ok(res)
    }

    /// Full search, through the cache.
    pub fn search(&self, req: &SearchRequest) -> Result<Encoded<SearchResults>, EngineError> {
        self.cached(search_key(req), || self.search_uncached(req))
    }

    /// The cached answer of a search, if there is one: what a server answers without making
    /// the request wait for a search slot (a hit costs a lookup, not a search).
    pub fn search_if_cached(&self, req: &SearchRequest) -> Option<Encoded<SearchResults>> {
        self.lookup(search_key(req))
    }

    /// The cached answer of a type-ahead request, if there is one ([`Engine::search_if_cached`]).
    pub fn suggest_if_cached(&self, typed: &str, limit: usize) -> Option<Encoded<Suggestions>> {
        self.lookup(suggest_key(typed, limit))
    }

    fn lookup<T>(&self, key: String) -> Option<Encoded<T>> {
        let cache = self.cache.as_ref()?;
        let hit = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&(self.generation(), key))?;
        self.cache_hits.fetch_add(1, Ordering::Relaxed);
        Some(Encoded::from_bytes(hit))
    }

    pub fn suggest_uncached(&self, typed: &str, limit: usize) -> Result<Vec<Suggestion>, EngineError> {
        let ratings = self.ratings.read().unwrap_or_else(|p| p.into_inner());
        let catalog = self.catalog.read().unwrap_or_else(|p| p.into_inner());
        let popularity = |kind: Kind, id: &str| match kind {
            Kind::Person => catalog.appearances(id) as u32,
            _ => ratings.agg(id).count,
        };
        Ok(search::suggest(&self.store, typed, limit, &popularity)?)
    }

    pub fn suggest(&self, typed: &str, limit: usize) -> Result<Encoded<Suggestions>, EngineError> {
        self.cached(suggest_key(typed, limit), || Ok(Suggestions { suggestions: self.suggest_uncached(typed, limit)? }))
    }

    /// Ranks again the lists whose dramas changed (`None`: every list).
    fn refresh_tops(&self, dramas: Option<&BTreeSet<String>>) {
        let fresh = {
            let catalog = self.catalog.read().unwrap_or_else(|p| p.into_inner());
            let ratings = self.ratings.read().unwrap_or_else(|p| p.into_inner());
            let scopes = dramas.map(|ids| {
                let mut scopes: BTreeSet<Scope> = BTreeSet::from([Scope::All]);
                for d in ids.iter().filter_map(|id| catalog.get(id)) {
                    scopes.extend(scopes_of(d).into_iter().skip(1));
                }
                scopes
            });
            top_lists(&catalog, &ratings, self.params, scopes.as_ref())
        };
        let mut tops = self.tops.write().unwrap_or_else(|p| p.into_inner());
        if dramas.is_none() {
            tops.clear();
        }
        tops.extend(fresh);
    }

    /// The ranked list of a scope, as last ranked (a scope no drama is in has an empty list).
    pub fn top100_uncached(&self, scope: &Scope) -> Arc<Top100> {
        if let Some(t) = self.tops.read().unwrap_or_else(|p| p.into_inner()).get(scope) {
            return t.clone();
        }
        let catalog = self.catalog.read().unwrap_or_else(|p| p.into_inner());
        let ratings = self.ratings.read().unwrap_or_else(|p| p.into_inner());
        Arc::new(top100_of(&catalog, &ratings, self.params, scope, &[]))
    }

    /// The seasons and years that have a ranked list, newest first: what a picker offers, so
    /// that no choice leads to an empty list.
    pub fn top100_scopes(&self) -> crate::api::Top100Scopes {
        let tops = self.tops.read().unwrap_or_else(|p| p.into_inner());
        let (mut seasons, mut years) = (Vec::new(), Vec::new());
        for (scope, _) in tops.iter().filter(|(_, l)| !l.entries.is_empty()) {
            match scope {
                Scope::Season(s) => seasons.push((crate::record::season_order(s), s.clone())),
                Scope::Year(y) => years.push(*y),
                Scope::All => {}
            }
        }
        seasons.sort_by(|a, b| b.cmp(a));
        years.sort_by(|a, b| b.cmp(a));
        crate::api::Top100Scopes { seasons: seasons.into_iter().map(|(_, s)| s).collect(), years }
    }

    pub fn top100(&self, scope: &Scope) -> Result<Encoded<Top100>, EngineError> {
        self.cached(format!("top100\u{0}{scope:?}"), || Ok(self.top100_uncached(scope)))
    }

    /// The ratings to change, once the tables a change goes through are built: they are
    /// waited for under a read lock, so that searches go on meanwhile (a start that opened the
    /// ratings' file builds them beside the running server), and only then is the write lock
    /// taken.
    fn ratings_to_change(&self) -> std::sync::RwLockWriteGuard<'_, Ratings> {
        self.ratings.read().unwrap_or_else(|p| p.into_inner()).wait_for_tables();
        self.ratings.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the ratings' write tables are built (see [`Ratings::tables_ready`]): until then a
    /// write waits for them, and they take a core or two from searches.
    pub fn ratings_tables_ready(&self) -> bool {
        self.ratings.read().unwrap_or_else(|p| p.into_inner()).tables_ready()
    }

    /// Writes the ratings to their file beside the index, as of the commit served, so that the
    /// next start opens them instead of rebuilding them (`stored`). Returns the bytes written,
    /// or None when there was nothing to write: a replica (which never writes into its
    /// directory), an index whose commits are not numbered, or a file already of this commit.
    /// Ingests wait meanwhile, so the file and the commit it names agree.
    pub fn save_ratings(&self) -> Result<Option<u64>, EngineError> {
        if self.store.read_only() {
            return Ok(None);
        }
        let _ingests = self.next_seq.lock().unwrap_or_else(|p| p.into_inner());
        let Some(stamp) = ratings_stamp(&self.store) else { return Ok(None) };
        let path = self.store.dir().join(crate::index::RATINGS_FILE);
        let mut saved = self.ratings_saved.lock().unwrap_or_else(|p| p.into_inner());
        if *saved == Some(stamp) {
            return Ok(None);
        }
        let started = std::time::Instant::now();
        let ratings = self.ratings.read().unwrap_or_else(|p| p.into_inner());
        let bytes = stored::write(&ratings, stamp, &path).map_err(|e| EngineError::Invalid(format!("{}: cannot write the ratings: {e}", path.display())))?;
        *saved = Some(stamp);
        tracing::info!(bytes, commit = stamp.commit, seconds = started.elapsed().as_secs_f64(), file = %path.display(), "ratings written beside the index");
        Ok(Some(bytes))
    }

    /// Recounts every drama's ratings from the in-memory rating log (not from the index) and
    /// ranks every list again. Returns the number of counted ratings.
    ///
    /// The count runs beside the tables searches read (under a shared lock; ingest, which
    /// alone changes the log, waits on `next_seq`), and only the swap of its result takes
    /// the write lock: a recount of 100M ratings takes seconds, and no search waits for it.
    pub fn recompute(&self) -> Result<usize, EngineError> {
        self.recompute_with(|| {})
    }

    /// [`Engine::recompute`], calling `counted` between the count and the swap (what
    /// `tests/top100.rs` searches from, to pin that a search never waits for a count).
    #[doc(hidden)]
    pub fn recompute_with(&self, counted: impl FnOnce()) -> Result<usize, EngineError> {
        let _guard = self.next_seq.lock().unwrap_or_else(|p| p.into_inner());
        let (aggs, n) = self.ratings.read().unwrap_or_else(|p| p.into_inner()).recounted();
        counted();
        self.ratings.write().unwrap_or_else(|p| p.into_inner()).replace_aggs(aggs);
        self.refresh_tops(None);
        self.generation.fetch_add(1, Ordering::SeqCst);
        Ok(n)
    }
}

fn search_key(req: &SearchRequest) -> String {
    format!("search\u{0}{:?}\u{0}{}\u{0}{}\u{0}{:?}\u{0}{}", req.scope, req.limit, req.offset, req.refine, req.q)
}

fn suggest_key(typed: &str, limit: usize) -> String {
    format!("suggest\u{0}{limit}\u{0}{typed}")
}

/// The table in `slot` if it was built at `generation`, else one built now and kept: tables
/// derived from the catalog and ratings, rebuilt once per commit by the first request needing
/// them.
fn of_generation<T>(slot: &Mutex<Option<(u64, Arc<T>)>>, generation: u64, build: impl FnOnce() -> T) -> Arc<T> {
    let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
    match slot.as_ref() {
        Some((g, t)) if *g == generation => t.clone(),
        _ => {
            let t = Arc::new(build());
            *slot = Some((generation, t.clone()));
            t
        }
    }
}

/// What a search reads of the engine's dramas: their ratings and, when it narrows, their facts.
struct EngineDramas<'a> {
    ratings: &'a Ratings,
    facts: Option<Arc<Facts>>,
}

impl search::Dramas for EngineDramas<'_> {
    fn ratings(&self, drama_id: &str) -> u32 {
        self.ratings.agg(drama_id).count
    }

    fn ratings_hashed(&self, hash: u64) -> Option<u32> {
        Some(self.ratings.agg_hashed(hash).count)
    }

    fn facts(&self) -> Option<Arc<Facts>> {
        self.facts.clone()
    }
}

/// The scopes a drama is listed in: all time, its season, the year it started.
fn scopes_of(d: &crate::record::Drama) -> Vec<Scope> {
    let mut out = vec![Scope::All];
    out.extend(d.season.clone().map(Scope::Season));
    out.extend(d.start.as_deref().and_then(year_month).map(|(y, _)| Scope::Year(y)));
    out
}

/// Ranks the lists of `only` (every scope some drama is in, when `None`) in one pass over the
/// catalog that groups the dramas by scope.
fn top_lists(catalog: &Catalog, ratings: &Ratings, params: Params, only: Option<&BTreeSet<Scope>>) -> HashMap<Scope, Arc<Top100>> {
    let mut members: HashMap<Scope, Vec<&str>> = HashMap::new();
    for d in catalog.dramas() {
        for s in scopes_of(d) {
            if only.is_none_or(|o| o.contains(&s)) {
                members.entry(s).or_default().push(d.id.as_str());
            }
        }
    }
    if let Some(o) = only {
        for s in o {
            members.entry(s.clone()).or_default();
        }
    }
    members.into_iter().map(|(s, ids)| {
        let list = top100_of(catalog, ratings, params, &s, &ids);
        (s, Arc::new(list))
    }).collect()
}

/// One ranked list, with titles.
fn top100_of(catalog: &Catalog, ratings: &Ratings, params: Params, scope: &Scope, members: &[&str]) -> Top100 {
    let TopList { scope: label, params, c, entries } = rank::rank(scope, members.iter().copied(), ratings, params);
    Top100 {
        scope: label,
        params: Top100Params { m: params.m, c, min_votes: params.min_votes },
        entries: entries
            .into_iter()
            .map(|e| {
                let d = catalog.get(&e.id);
                RankedEntry {
                    rank: e.rank,
                    title: d.map(|d| d.title.clone()).unwrap_or_default(),
                    title_ja: d.and_then(|d| d.title_ja.clone()),
                    season: d.and_then(|d| d.season.clone()),
                    id: e.id,
                    mean: e.mean,
                    votes: e.votes,
                    score: e.score,
                    voters: e.voters,
                }
            })
            .collect(),
    }
}

/// Applies NDJSON files of any size as one commit, in memory that does not grow with them.
///
/// [`Engine::ingest`] holds a whole batch (about 2.5 KB a record) until its commit; this
/// reads the files twice instead. The first pass checks every line and keeps only the
/// dramas (the catalog the references are checked against), the first line naming each
/// drama and one hash per record key (to find keys given twice). The second pass parses
/// again and streams each record into tantivy's writer, which flushes full segments to
/// disk within its fixed budget; they become visible only with the one commit at the
/// end. A bad line is found by the first pass, before anything is written, and any later
/// failure rolls the whole batch back: the index is left as it was either way. After the
/// commit nothing is loaded back: this is the `index` command's path, which ends there, and
/// whatever serves the index next loads its ratings at start-up (at 100M ratings, loading
/// them again here would double the command's memory for nothing). `-` names standard
/// input, which is copied to a temporary file in the index directory for the second pass.
pub fn index_files(dir: &Path, files: &[String], progress: &dyn Fn(&str)) -> Result<usize, EngineError> {
    let store = Store::open(dir)?;
    let spool = tempfile_in(store.dir())?;
    let sources: Vec<(String, std::path::PathBuf)> = files
        .iter()
        .map(|name| -> Result<_, EngineError> {
            if name == "-" {
                let mut out = std::fs::File::create(spool.path())
                    .map_err(|e| EngineError::Invalid(format!("cannot spool standard input: {e}")))?;
                std::io::copy(&mut std::io::stdin().lock(), &mut out)
                    .map_err(|e| EngineError::Invalid(format!("reading standard input: {e}")))?;
                Ok(("<stdin>".to_string(), spool.path().to_path_buf()))
            } else {
                Ok((name.clone(), std::path::PathBuf::from(name)))
            }
        })
        .collect::<Result<_, _>>()?;
    let read = |i: usize, each: &mut dyn FnMut(Located) -> Result<(), EngineError>| -> Result<(), EngineError> {
        let (name, path) = &sources[i];
        let file = std::fs::File::open(path).map_err(|e| EngineError::Invalid(format!("{name}: cannot read: {e}")))?;
        crate::record::each_record(name, std::io::BufReader::with_capacity(1 << 20, file), each)
    };

    // Pass 1: check every line; keep the dramas, the first line naming each drama, and
    // the keys given more than once.
    progress("checking records");
    let mut catalog = Catalog::from_dramas(store.all_dramas()?);
    let mut touched_people: BTreeSet<String> = BTreeSet::new();
    let mut first_ref: HashMap<String, (usize, Located)> = HashMap::new();
    let mut seen: rustc_hash::FxHashSet<u64> = Default::default();
    let mut twice: rustc_hash::FxHashSet<u64> = Default::default();
    let mut n = 0usize;
    for i in 0..sources.len() {
        read(i, &mut |l: Located| {
            if let Record::Drama(d) = &l.record {
                touched_people.extend(catalog.upsert(d.clone()));
            } else if let Some(d) = l.record.drama_id() {
                if !first_ref.contains_key(d) {
                    first_ref.insert(d.to_string(), (n, l.clone()));
                }
            }
            let key = key_hash_of(&l.record);
            if !seen.insert(key) {
                twice.insert(key);
            }
            n += 1;
            Ok(())
        })?;
    }
    drop(seen);
    let unknown = first_ref.values().filter(|(_, l)| !catalog.contains(l.record.drama_id().unwrap_or(""))).min_by_key(|(at, _)| *at);
    if let Some((_, l)) = unknown {
        let d = l.record.drama_id().unwrap_or("");
        return Err(l.error(format!("{} refers to unknown drama {d:?}", l.record.kind())).into());
    }
    drop(first_ref);

    // Pass 2: stream the records into the writer, then the people the dramas imply.
    progress(&format!("indexing {n} records"));
    let mut seq = store.max_seq()? + 1;
    let mut written = 0usize;
    store.apply_with(|batch| -> Result<(), EngineError> {
        for i in 0..sources.len() {
            read(i, &mut |l: Located| {
                let replace = twice.contains(&key_hash_of(&l.record)) || store.contains(l.record.kind(), &l.record.id());
                batch.upsert(&l.record, seq, replace)?;
                seq += 1;
                written += 1;
                Ok(())
            })?;
        }
        if written != n {
            return Err(EngineError::Invalid(format!("the input changed while it was indexed ({n} records, then {written})")));
        }
        let mut changes = Vec::new();
        person_changes(&catalog, touched_people, &mut seq, &mut changes);
        Ok(changes.iter().try_for_each(|c| batch.change(c))?)
    })?;

    Ok(n)
}

/// The hash of a record's identity (`kind:id`), as the rating log keys records.
fn key_hash_of(rec: &Record) -> u64 {
    rank::ratings::key_hash(&crate::index::document::key(rec.kind().as_str(), &rec.id()))
}

/// A temporary file's path in `dir`, removed when dropped.
struct TempPath(std::path::PathBuf);

impl TempPath {
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn tempfile_in(dir: &Path) -> Result<TempPath, EngineError> {
    static N: AtomicU64 = AtomicU64::new(0);
    let name = format!(".stdin-{}-{}.ndjson", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    Ok(TempPath(dir.join(name)))
}

/// The person records a change of dramas implies: each touched person as the catalog now
/// describes them, or deleted if no drama names them any more.
fn person_changes(catalog: &Catalog, touched: BTreeSet<String>, seq: &mut u64, changes: &mut Vec<Change>) {
    for pid in touched {
        match catalog.person(&pid) {
            Some(p) => {
                changes.push(Change::Upsert(Record::Person(p), *seq));
                *seq += 1;
            }
            None => changes.push(Change::Delete(Kind::Person, pid)),
        }
    }
}

fn apply_rating(ratings: &mut Ratings, rec: &Record, seq: u64) {
    let key = crate::index::document::key(rec.kind().as_str(), &rec.id());
    match rating_event(rec, seq) {
        Some(e) => {
            ratings.upsert(&e);
        }
        None => {
            ratings.remove_key(&key);
        }
    }
    if let Record::Vote(v) = rec {
        ratings.add_vote(&key, &v.drama_id);
    }
}

/// The index feeds the ratings directly by interned ids: no string per rating is built.
impl crate::index::RatingSink for rank::ratings::Bulk {
    fn drama(&mut self, id: &str) -> u32 {
        self.drama_idx(id)
    }
    fn user(&mut self, name_hash: u64) -> u32 {
        self.user_idx_hashed(name_hash)
    }
    fn key_hash(key: &[u8]) -> u64 {
        rank::ratings::key_hash_bytes(key)
    }
    fn rating(&mut self, key: u64, drama: u32, user: u32, rating: u8, seq: u64) {
        rank::ratings::Bulk::rating(self, key, drama, user, rating, seq);
    }
    fn vote(&mut self, key: u64, drama: u32) {
        rank::ratings::Bulk::vote(self, key, drama);
    }
    fn reserve(&mut self, n: usize) {
        rank::ratings::Bulk::reserve(self, n);
    }
}

/// A replica's ratings, fed the rows of the segments its new commit added: each applied as a
/// live ingest applies it, and the dramas they rate noted for their lists.
struct Following<'a> {
    ratings: &'a mut Ratings,
    touched: &'a mut BTreeSet<u32>,
}

impl crate::index::RatingSink for Following<'_> {
    fn drama(&mut self, id: &str) -> u32 {
        self.ratings.drama_idx(id)
    }
    fn user(&mut self, name_hash: u64) -> u32 {
        self.ratings.user_idx_hashed(name_hash)
    }
    fn key_hash(key: &[u8]) -> u64 {
        rank::ratings::key_hash_bytes(key)
    }
    fn rating(&mut self, key: u64, drama: u32, user: u32, rating: u8, seq: u64) {
        self.ratings.upsert_ids(key, drama, user, rating, seq);
        self.touched.insert(drama);
    }
    fn vote(&mut self, key: u64, drama: u32) {
        self.ratings.add_vote_ids(key, drama);
        self.touched.insert(drama);
    }
    fn reserve(&mut self, n: usize) {
        self.ratings.reserve(n);
    }
}

/// The catalog (stored documents) and the ratings (columns) of the store's commit, loaded side
/// by side: the ratings' reader threads leave the calling thread mostly waiting.
fn load_state(store: &Store) -> Result<(Catalog, (Ratings, Option<Stamp>)), EngineError> {
    let (catalog, ratings) = std::thread::scope(|s| {
        let catalog = s.spawn(|| {
            let started = std::time::Instant::now();
            let dramas = store.all_dramas()?;
            let read = started.elapsed().as_secs_f64();
            let catalog = Catalog::from_dramas(dramas);
            tracing::info!(read_seconds = read, seconds = started.elapsed().as_secs_f64(), "catalog loaded from the index");
            Ok::<_, IndexError>(catalog)
        });
        let ratings = load_ratings(store);
        (catalog.join().expect("loading the catalog does not panic"), ratings)
    });
    Ok((catalog?, ratings?))
}

/// The ratings, from their file if it holds the commit served (with that commit), else
/// rebuilt from the index's columns.
fn load_ratings(store: &Store) -> Result<(Ratings, Option<Stamp>), EngineError> {
    let started = std::time::Instant::now();
    if let Some(stamp) = ratings_stamp(store) {
        let path = store.dir().join(crate::index::RATINGS_FILE);
        match stored::open(&path, stamp) {
            Ok(Opened::Ratings(ratings)) => {
                tracing::info!(counted = ratings.counted(), seconds = started.elapsed().as_secs_f64(), file = %path.display(), "ratings opened from their file; the tables writes go through are building beside");
                return Ok((ratings, Some(stamp)));
            }
            Ok(Opened::Stale(why)) => tracing::info!("{why}: the ratings are rebuilt from the index"),
            Err(e) => tracing::warn!("{e}: the ratings are rebuilt from the index"),
        }
    }
    let mut bulk = rank::ratings::Bulk::new();
    store.visit_ratings(&mut bulk)?;
    let read = started.elapsed().as_secs_f64();
    let ratings = bulk.finish();
    tracing::info!(records = ratings.records(), counted = ratings.counted(), heap_bytes = ratings.heap_bytes(), read_seconds = read, seconds = started.elapsed().as_secs_f64(), "ratings loaded from the index");
    Ok((ratings, None))
}

/// The commit a ratings file written now would hold; None for an index whose commits are not
/// numbered (written before they were), which never gets one.
fn ratings_stamp(store: &Store) -> Option<Stamp> {
    let commit = store.commit_number();
    (commit > 0).then(|| Stamp { commit, docs: store.searcher().num_docs() })
}

/// First start on an empty index: fill it from the sample corpus shipped in `DIR/sample`
/// (every `*.ndjson` there, in name order, as one batch). Returns how many records it added.
pub fn fill_from_sample(engine: &Engine, dir: &Path) -> Result<usize, EngineError> {
    if engine.store().num_docs() > 0 {
        return Ok(0);
    }
    let sample = dir.join("sample");
    let Ok(entries) = std::fs::read_dir(&sample) else { return Ok(0) };
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ndjson"))
        .collect();
    files.sort();
    let mut batch = Vec::new();
    for f in &files {
        let name = f.display().to_string();
        let bytes = std::fs::read(f)
            .map_err(|e| EngineError::Invalid(format!("{name}: cannot read: {e}")))?;
        batch.extend(crate::record::parse_ndjson_bytes(&name, &bytes)?);
    }
    if batch.is_empty() {
        return Ok(0);
    }
    let n = engine.ingest(batch)?;
    tracing::info!(records = n, from = %sample.display(), "empty index filled from the sample corpus");
    Ok(n)
}
