//! The counted ratings: one per (drama, user), the last ingested winning.
//!
//! Laid out for ten million ratings, in two layers:
//!
//! - the **log**: one row per record carrying a rating, as columns of interned ids (drama,
//!   user, rating, seq). It is the whole truth about ratings, so [`Ratings::recount`] can
//!   rebuild every aggregate from it alone, in a few sequential passes and without a hash map.
//! - the **live aggregates**: per drama, the count and sum of its winning ratings, kept exact
//!   after every change through one map, record key → row, and the log's own order: its rows
//!   lie grouped by drama and sorted by user, so a (drama, user) pair's rows are a binary
//!   search away, and the winner is picked among them when a change asks (the rare pair rated
//!   by more than one record, a review and then a comment, falls back to the one before when
//!   the winner is deleted).
//!
//! A replaced record reuses its row, and a deleted record's row is reused by the next new one,
//! so the log never grows past the number of rated records that were alive at once.

use rustc_hash::{FxHashMap, FxHasher};
use std::borrow::Borrow;
use std::hash::Hasher;

use super::deferred::Deferred;

pub mod stored;

/// A rating carried by a record (a review or a rated comment).
#[derive(Debug, Clone, PartialEq)]
pub struct RatingEvent {
    /// `kind:id` of the record carrying it: a later record with the same key replaces it.
    pub key: String,
    pub drama_id: String,
    pub user: String,
    pub rating: u8,
    /// Ingest order: the higher seq wins. The engine gives every record its own.
    pub seq: u64,
}

/// Per-drama aggregate of counted ratings.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Agg {
    pub count: u32,
    pub sum: u64,
}

/// Record keys are hashed to 64 bits: at 10 million ratings the chance of any collision is
/// about 3·10⁻⁶, and its effect would be one rating counted under another record's key.
pub fn key_hash(s: &str) -> u64 {
    key_hash_bytes(s.as_bytes())
}

/// [`key_hash`] of a key read as bytes (from an index column, without a UTF-8 check).
pub fn key_hash_bytes(s: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(s);
    h.write_u8(0xff);
    // FxHash alone is weak on similar strings; one round of a 64-bit finalizer spreads it.
    let mut z = h.finish() ^ (s.len() as u64).rotate_left(32);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pair(drama: u32, user: u32) -> u64 {
    (drama as u64) << 32 | user as u64
}

/// Rows of the log from which a recount is split between threads ([`Ratings::recounted`]).
const PARALLEL_RECOUNT_ROWS: usize = 1 << 20;
/// Threads a recount uses at most.
const MAX_RECOUNT_THREADS: usize = 8;

/// The live rows of the log grouped by drama: the grouped prefix as it lies ([`Rows::grouped`]),
/// and the rows after it by a counting sort that copies out row and rating. A drama's rows
/// are its prefix rows (skipping free ones), then its later rows, each in row order.
struct Groups<'a> {
    prefix: &'a [u32],
    rating: &'a [u8],
    /// Per drama, where its rows start counting prefix and later rows together: how work is
    /// split between threads.
    start: Vec<u32>,
    tail_start: Vec<u32>,
    rows: Vec<u32>,
    ratings: Vec<u8>,
}

impl<'a> Groups<'a> {
    fn of(log: &'a Log, prefix: &'a [u32], dramas: usize) -> Groups<'a> {
        let from = prefix.last().map_or(0, |&e| e as usize);
        let tail_start = drama_starts(&log.drama, &log.rating[from..], dramas);
        let live = tail_start[dramas] as usize;
        let (mut rows, mut ratings) = (vec![0u32; live], vec![0u8; live]);
        let mut fill = tail_start[..dramas].to_vec();
        for (i, (&d, &r)) in log.drama.iter().zip(&log.rating[from..]).enumerate() {
            if r != FREE {
                let at = &mut fill[d as usize];
                rows[*at as usize] = (from + i) as u32;
                ratings[*at as usize] = r;
                *at += 1;
            }
        }
        let mut start = vec![0u32; dramas + 1];
        for d in 0..dramas {
            let here = Self::prefix_range(prefix, d).len() as u32 + tail_start[d + 1] - tail_start[d];
            start[d + 1] = start[d] + here;
        }
        Groups { prefix, rating: &log.rating, start, tail_start, rows, ratings }
    }

    fn prefix_range(prefix: &[u32], d: usize) -> std::ops::Range<usize> {
        if d + 1 < prefix.len() {
            prefix[d] as usize..prefix[d + 1] as usize
        } else {
            0..0
        }
    }

    /// Calls `f(row, rating)` for each of the drama's rows, prefix rows first: two plain loops
    /// rather than a chained iterator, so each stays a tight loop.
    #[inline]
    fn each(&self, drama: usize, mut f: impl FnMut(u32, u8)) {
        for row in Self::prefix_range(self.prefix, drama) {
            let r = self.rating[row];
            if r != FREE {
                f(row as u32, r);
            }
        }
        let (lo, hi) = (self.tail_start[drama] as usize, self.tail_start[drama + 1] as usize);
        for (&row, &r) in self.rows[lo..hi].iter().zip(&self.ratings[lo..hi]) {
            f(row, r);
        }
    }
}

/// [`Rows::drama_of`] from the grouped prefix's starts and the later rows' dramas.
fn drama_of(grouped: &[u32], later: &[u32], row: u32) -> u32 {
    let row = row as usize;
    match row.checked_sub(grouped.last().map_or(0, |&e| e as usize)) {
        Some(at) => later[at],
        None => (grouped.partition_point(|&start| start as usize <= row) - 1) as u32,
    }
}

/// Where each drama's live rows (rating not [`FREE`]) start once grouped by drama:
/// `dramas + 1` offsets, the last the number of live rows.
fn drama_starts(drama: &[u32], rating: &[u8], dramas: usize) -> Vec<u32> {
    let mut start = vec![0u32; dramas + 1];
    for (&d, &r) in drama.iter().zip(rating) {
        if r != FREE {
            start[d as usize + 1] += 1;
        }
    }
    for i in 0..dramas {
        start[i + 1] += start[i];
    }
    start
}

/// Record key hash → row, in 256 shards by the key's top byte, each a [`SortedMap`]: 12 bytes
/// a key where a hash table of every key cost 28, the largest of the rating tables. A lookup
/// is a binary search of some 16 steps at ten million ratings, paid by a write, not by a
/// search. The arrays are built again at each start: copied in order from the ratings' file
/// ([`KeyTable::from_sorted`]), or sorted after a load from the index ([`KeyTable::build`]);
/// keys written since live in each shard's small hash table.
#[derive(Debug, Clone)]
struct KeyTable {
    shards: Vec<SortedMap<u64>>,
    /// Keys with a row.
    live: usize,
}

impl Default for KeyTable {
    fn default() -> Self {
        KeyTable { shards: vec![SortedMap::default(); 256], live: 0 }
    }
}

/// A map of keys to rows built once from a known set, then changed a little: the keys it was
/// built with as a sorted array beside their rows, and the keys added since in a small hash
/// table. A hash table of every key costs its entries' padding, a control byte each and a
/// capacity rounded up to a power of two; a built key costs its own bytes and a row's four.
#[derive(Debug, Clone)]
struct SortedMap<K> {
    /// Sorted, distinct.
    keys: Vec<K>,
    /// By `keys`' index; [`NO_ROW`] once removed.
    rows: Vec<u32>,
    /// Keys added since the arrays were built.
    added: FxHashMap<K, u32>,
}

/// A key of a [`SortedMap`]'s arrays that has been removed.
const NO_ROW: u32 = u32::MAX;

impl<K> Default for SortedMap<K> {
    fn default() -> Self {
        SortedMap { keys: Vec::new(), rows: Vec::new(), added: FxHashMap::default() }
    }
}

impl<K: Ord + std::hash::Hash + Copy> SortedMap<K> {
    /// The map of `pairs` (sorted here by key); None if a key is there twice.
    fn build(pairs: &mut [(K, u32)]) -> Option<SortedMap<K>> {
        pairs.sort_unstable_by_key(|&(k, _)| k);
        if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
            return None;
        }
        Some(SortedMap { keys: pairs.iter().map(|&(k, _)| k).collect(), rows: pairs.iter().map(|&(_, r)| r).collect(), added: FxHashMap::default() })
    }

    fn get(&self, key: K) -> Option<u32> {
        match self.keys.binary_search(&key) {
            Ok(i) => Some(self.rows[i]).filter(|&r| r != NO_ROW),
            Err(_) => self.added.get(&key).copied(),
        }
    }

    /// Sets the key's row; true if the key had none.
    fn insert(&mut self, key: K, row: u32) -> bool {
        match self.keys.binary_search(&key) {
            Ok(i) => std::mem::replace(&mut self.rows[i], row) == NO_ROW,
            Err(_) => self.added.insert(key, row).is_none(),
        }
    }

    fn remove(&mut self, key: K) -> Option<u32> {
        match self.keys.binary_search(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.rows[i], NO_ROW)).filter(|&r| r != NO_ROW),
            Err(_) => self.added.remove(&key),
        }
    }

    /// The bytes it holds on the heap.
    fn heap_bytes(&self) -> usize {
        self.keys.capacity() * std::mem::size_of::<K>() + self.rows.capacity() * 4 + self.added.capacity() * (std::mem::size_of::<(K, u32)>() + 1)
    }
}

impl KeyTable {
    fn shard(key: u64) -> usize {
        (key >> 56) as usize
    }

    /// The table of `keys[row] → row`, or None if a key is there twice. The keys are first
    /// placed by shard (one counting pass), then each shard is sorted on its own, a piece that
    /// fits in cache, as the hash tables before were filled a shard at a time.
    fn build(keys: &[u64]) -> Option<KeyTable> {
        let mut start = vec![0usize; 257];
        for &k in keys {
            start[Self::shard(k) + 1] += 1;
        }
        for i in 0..256 {
            start[i + 1] += start[i];
        }
        let mut sorted = vec![(0u64, 0u32); keys.len()];
        let mut fill = start.clone();
        for (row, &k) in keys.iter().enumerate() {
            let at = &mut fill[Self::shard(k)];
            sorted[*at] = (k, row as u32);
            *at += 1;
        }
        let mut table = KeyTable::default();
        for (i, shard) in table.shards.iter_mut().enumerate() {
            *shard = SortedMap::build(&mut sorted[start[i]..start[i + 1]])?;
        }
        table.live = keys.len();
        Some(table)
    }

    /// The table of keys given in ascending order with their rows, as the ratings' file holds
    /// them ([`KeyTable::each_sorted`]): each shard's arrays are copied as they come, with no
    /// sort and no copy of every key beside them. None if the keys do not ascend strictly.
    fn from_sorted(keys: impl Iterator<Item = u64>, rows: impl Iterator<Item = u32>) -> Option<KeyTable> {
        let mut table = KeyTable::default();
        let mut last = None;
        for (k, row) in keys.zip(rows) {
            if last.is_some_and(|l| l >= k) {
                return None;
            }
            last = Some(k);
            let shard = &mut table.shards[Self::shard(k)];
            shard.keys.push(k);
            shard.rows.push(row);
            table.live += 1;
        }
        Some(table)
    }

    /// Every key with its row, in ascending key order: each shard's arrays merged with the
    /// keys added since, sorted.
    fn each_sorted(&self, mut f: impl FnMut(u64, u32)) {
        for shard in &self.shards {
            let mut added: Vec<(u64, u32)> = shard.added.iter().map(|(&k, &r)| (k, r)).collect();
            added.sort_unstable();
            let mut added = added.into_iter().peekable();
            for (&k, &row) in shard.keys.iter().zip(&shard.rows) {
                while let Some((a, r)) = added.next_if(|&(a, _)| a < k) {
                    f(a, r);
                }
                if row != NO_ROW {
                    f(k, row);
                }
            }
            added.for_each(|(a, r)| f(a, r));
        }
    }

    fn reserve(&mut self, n: usize) {
        for s in &mut self.shards {
            s.added.reserve(n / 256);
        }
    }

    fn get(&self, key: u64) -> Option<u32> {
        self.shards[Self::shard(key)].get(key)
    }

    fn insert(&mut self, key: u64, row: u32) {
        self.live += usize::from(self.shards[Self::shard(key)].insert(key, row));
    }

    fn remove(&mut self, key: u64) -> Option<u32> {
        let row = self.shards[Self::shard(key)].remove(key);
        self.live -= usize::from(row.is_some());
        row
    }

    fn len(&self) -> usize {
        self.live
    }

    fn heap_bytes(&self) -> usize {
        self.shards.iter().map(SortedMap::heap_bytes).sum()
    }
}

/// Builds [`Ratings`] from rows read in bulk (at start-up, and after a bulk index), whose keys
/// are distinct because the index holds one live document per key: rows are appended to the
/// log as they come, and the tables are filled afterwards, one insert per row ([`Rows::index`]).
#[derive(Default)]
pub struct Bulk {
    r: Ratings,
    keys: Vec<u64>,
}

impl Bulk {
    pub fn new() -> Bulk {
        Bulk::default()
    }

    /// Room for about `n` rows.
    pub fn reserve(&mut self, n: usize) {
        self.keys.reserve(n);
        self.r.rows.get_mut().log.reserve(n);
    }

    pub fn drama_idx(&mut self, id: &str) -> u32 {
        self.r.drama_idx(id)
    }

    pub fn user_idx(&mut self, user: &str) -> u32 {
        self.r.user_idx(user)
    }

    pub fn user_idx_hashed(&mut self, hash: u64) -> u32 {
        self.r.user_idx_hashed(hash)
    }

    pub fn rating(&mut self, key: u64, drama: u32, user: u32, rating: u8, seq: u64) {
        debug_assert!((drama as usize) < self.r.aggs.len() && rating != FREE);
        self.r.rows.get_mut().log.push(drama, user, rating, seq);
        self.keys.push(key);
    }

    pub fn vote(&mut self, key: u64, drama: u32) {
        self.r.add_vote_ids(key, drama);
    }

    pub fn finish(self) -> Ratings {
        let Bulk { mut r, mut keys } = self;
        let aggs = r.rows.get_mut().index(&mut keys, r.aggs.len());
        match aggs {
            Some(aggs) => {
                r.aggs = aggs;
                r
            }
            // Two rows with one key: the index broke its one-document-per-key rule. Replay the
            // rows through the incremental path, which keeps the later one, rather than guess.
            None => r.replayed(&keys),
        }
    }
}

/// Strings to dense `u32` ids, so that the log holds 4-byte ids instead of strings.
#[derive(Debug, Default, Clone)]
struct Interner {
    /// By [`key_hash`], as record keys are: a search reads each drama's hash from an index
    /// column ([`crate::index::columns::SegmentColumns::drama_key`]) and asks by it, without
    /// the id's text (`Ratings::drama_names` holds that).
    ids: FxHashMap<u64, u32>,
}

impl Interner {
    fn get(&self, s: &str) -> Option<u32> {
        self.get_hashed(key_hash(s))
    }

    fn get_hashed(&self, hash: u64) -> Option<u32> {
        self.ids.get(&hash).copied()
    }

    /// The id of `s`, and whether it is new.
    fn intern(&mut self, s: &str) -> (u32, bool) {
        let hash = key_hash(s);
        if let Some(&i) = self.ids.get(&hash) {
            return (i, false);
        }
        let i = self.ids.len() as u32;
        self.ids.insert(hash, i);
        (i, true)
    }
}

/// The rating log as columns. A row whose rating is [`FREE`] belongs to no record.
#[derive(Debug, Default, Clone)]
struct Log {
    /// The drama of each row after the grouped prefix ([`Rows::grouped`]), from the prefix's
    /// end: a grouped row's drama is where it lies ([`Rows::drama_of`]), so the prefix, all
    /// the rows at a start, needs no column (4 bytes a rating, 0.4 GB at scale 10).
    drama: Vec<u32>,
    user: Vec<u32>,
    rating: Vec<u8>,
    seq: Vec<u64>,
}

impl Log {
    fn reserve(&mut self, n: usize) {
        self.drama.reserve(n);
        self.user.reserve(n);
        self.rating.reserve(n);
        self.seq.reserve(n);
    }

    fn push(&mut self, drama: u32, user: u32, rating: u8, seq: u64) {
        self.drama.push(drama);
        self.user.push(user);
        self.rating.push(rating);
        self.seq.push(seq);
    }

    fn len(&self) -> usize {
        self.rating.len()
    }
}

const FREE: u8 = 0;

/// Every user's counted ratings, grouped by user: user `u`'s are `starts[u]..starts[u + 1]`
/// of `dramas` and `ratings`, in drama order.
#[derive(Debug, Default)]
pub struct UserLists {
    starts: Vec<usize>,
    dramas: Vec<u32>,
    ratings: Vec<u8>,
}

impl UserLists {
    /// The ratings user `u` gave that count, as (drama index, rating); none for a user unknown.
    pub fn of(&self, u: u32) -> impl Iterator<Item = (u32, u8)> + '_ {
        let range = match (self.starts.get(u as usize), self.starts.get(u as usize + 1)) {
            (Some(&from), Some(&to)) => from..to,
            _ => 0..0,
        };
        self.dramas[range.clone()].iter().copied().zip(self.ratings[range].iter().copied())
    }

    /// Every user's list, by user.
    pub fn iter(&self) -> impl Iterator<Item = impl Iterator<Item = (u32, u8)> + '_> + '_ {
        (0..self.starts.len().saturating_sub(1)).map(|u| self.of(u as u32))
    }
}

#[derive(Debug, Default, Clone)]
pub struct Ratings {
    dramas: Interner,
    /// Drama ids by interned index (only dramas are ever looked up this way).
    drama_names: Vec<Box<str>>,
    aggs: Vec<Agg>,
    voters: Vec<u32>,
    /// The log and the tables a change goes through. Opened from the ratings' file, they are
    /// rebuilt on another thread while searches and the Top 100 are served from the aggregates
    /// ([`Deferred`]); everything that reads or changes them waits for that.
    rows: Deferred<Rows>,
}

/// (drama, user) pair → its rows after the grouped prefix ([`Rows::later`]). Nearly every pair
/// has one, kept inline (16 bytes an entry); only a pair with two or more has a list, which
/// for every pair cost some 60 bytes a rating written since the start.
#[derive(Debug, Default, Clone)]
struct LaterRows {
    one: FxHashMap<u64, u32>,
    more: FxHashMap<u64, Vec<u32>>,
}

impl LaterRows {
    fn add(&mut self, pair: u64, row: u32) {
        if let Some(rows) = self.more.get_mut(&pair) {
            rows.push(row);
        } else if let Some(first) = self.one.remove(&pair) {
            self.more.insert(pair, vec![first, row]);
        } else {
            self.one.insert(pair, row);
        }
    }

    fn remove(&mut self, pair: u64, row: u32) {
        if let Some(rows) = self.more.get_mut(&pair) {
            rows.retain(|&x| x != row);
            if rows.len() == 1 {
                let last = rows[0];
                self.more.remove(&pair);
                self.one.insert(pair, last);
            }
        } else if self.one.get(&pair) == Some(&row) {
            self.one.remove(&pair);
        }
    }

    fn rows(&self, pair: u64) -> impl Iterator<Item = u32> + '_ {
        self.one.get(&pair).copied().into_iter().chain(self.more.get(&pair).into_iter().flatten().copied())
    }

    fn pairs(&self) -> impl Iterator<Item = u64> + '_ {
        self.one.keys().chain(self.more.keys()).copied()
    }

    fn clear(&mut self) {
        self.one.clear();
        self.more.clear();
    }

    fn heap_bytes(&self) -> usize {
        self.one.capacity() * (std::mem::size_of::<(u64, u32)>() + 1)
            + self.more.capacity() * (std::mem::size_of::<(u64, Vec<u32>)>() + 1)
            + self.more.values().map(|v| v.capacity() * 4).sum::<usize>()
    }
}

/// What a change to the ratings is applied through, beside the aggregates it keeps exact.
#[derive(Debug, Default, Clone)]
struct Rows {
    /// User name hash ([`key_hash`]) → dense id. Users are only ever told apart, never named
    /// back, so their names are not kept; a bulk load hashes them on its reader thread.
    users: FxHashMap<u64, u32>,
    log: Log,
    /// Rows of deleted records, for the next new record.
    free: Vec<u32>,
    /// record key hash → its row.
    by_key: KeyTable,
    /// (drama, user) → the live rows after the grouped prefix that rate it. A pair's rows in
    /// the prefix lie together, its drama's rows sorted by user ([`Rows::grouped`]), so
    /// with these the rows of any pair are found without a table of every pair: the row whose
    /// rating counts is picked among them when asked ([`Rows::winner`]). The per-drama tables
    /// of winners this replaces cost 8 bytes a counted rating, about 0.8 GB at scale 10.
    later: LaterRows,
    /// vote key hash → drama.
    votes: FxHashMap<u64, u32>,
    /// The log's rows below `grouped[last]` lie grouped by drama, drama `d`'s at
    /// `grouped[d]..grouped[d + 1]` (dramas past the end have none there), and within a drama
    /// sorted by user: a bulk load and the ratings' file lay the log out so, a recount then
    /// reads it in order instead of sorting ten million rows by drama first, and a pair's
    /// grouped rows are found by a binary search. A change keeps it so: a record that moves
    /// to another drama or user leaves its grouped row free and takes a row after the prefix,
    /// and only rows after it are reused.
    grouped: Vec<u32>,
}

impl Rows {
    fn prefix_len(&self) -> usize {
        self.grouped.last().map_or(0, |&e| e as usize)
    }

    /// Lays the log of a bulk load (and `keys`, by row) out grouped by drama and sorted by user
    /// within a drama, dropping free rows, and sets [`Rows::grouped`]. (A log read from the
    /// ratings' file lies so already: [`Rows::from_file`].)
    fn group(&mut self, keys: &mut Vec<u64>, dramas: usize) {
        debug_assert!(self.grouped.is_empty(), "a log is grouped once, when it is read whole");
        let log = &mut self.log;
        // Which row each place takes (the whole log's groups, each drama's rows sorted by
        // user, a user's in row order), then each column gathered by it: reads at random
        // rather than writes, two columns at a time on two threads, so that the log is never
        // held twice.
        let Groups { rows: mut from, tail_start: start, .. } = Groups::of(log, &[], dramas);
        for d in 0..dramas {
            from[start[d] as usize..start[d + 1] as usize].sort_by_key(|&row| log.user[row as usize]);
        }
        fn gathered<T: Copy + Send + Sync>(col: &mut Vec<T>, from: &[u32]) {
            *col = from.iter().map(|&row| col[row as usize]).collect();
        }
        let from = &from;
        std::thread::scope(|s| {
            s.spawn(|| gathered(&mut log.drama, from));
            gathered(&mut log.seq, from);
        });
        std::thread::scope(|s| {
            s.spawn(|| gathered(&mut log.user, from));
            gathered(keys, from);
        });
        gathered(&mut log.rating, from);
        self.grouped = start;
        log.drama = Vec::new();
    }

    /// The tables of a log read whole from the ratings' file, which lies grouped and sorted by
    /// user within each drama ([`Rows::grouped`]) with `per_drama[d]` rows for drama `d`, and
    /// whose key table comes sorted: nothing is sorted or regrouped, and no column is held
    /// twice. None if the keys do not ascend strictly (a damaged file).
    #[allow(clippy::too_many_arguments)]
    fn from_file(users: FxHashMap<u64, u32>, user: Vec<u32>, rating: Vec<u8>, seq: Vec<u64>, per_drama: impl Iterator<Item = u32>, keys: impl Iterator<Item = u64>, key_rows: impl Iterator<Item = u32>, votes: FxHashMap<u64, u32>) -> Option<Rows> {
        let mut grouped = vec![0u32];
        for n in per_drama {
            grouped.push(grouped[grouped.len() - 1] + n);
        }
        let by_key = KeyTable::from_sorted(keys, key_rows)?;
        Some(Rows { users, log: Log { drama: Vec::new(), user, rating, seq }, by_key, votes, grouped, ..Rows::default() })
    }

    /// The drama a row rates: where it lies in the grouped prefix, else its column.
    fn drama_of(&self, row: u32) -> u32 {
        drama_of(&self.grouped, &self.log.drama, row)
    }

    /// A row for a new record: a free one after the grouped prefix, else a new one.
    fn new_row(&mut self) -> u32 {
        match self.free.pop() {
            Some(row) => row,
            None => {
                self.log.push(0, 0, FREE, 0);
                (self.log.len() - 1) as u32
            }
        }
    }

    /// Groups the log of rows read in bulk by drama and user, dropping free rows
    /// ([`Rows::group`]), then fills the key table for `keys[row]` and returns the aggregates
    /// the winners give, counted as a recount counts them, on the other thread meanwhile; None
    /// if two live rows share a key.
    ///
    /// Feeding ten million rows through [`Ratings::upsert_ids`] costs random hash-table probes
    /// per row, each a cache miss at that size: that was most of a 10 s start-up at scale 1.
    /// Here the key table gets one insert per row and the pairs need no table at all.
    fn index(&mut self, keys: &mut Vec<u64>, dramas: usize) -> Option<Vec<Agg>> {
        self.group(keys, dramas);
        self.later.clear();
        self.free.clear();
        let keys = &*keys;
        let (by_key, aggs) = std::thread::scope(|s| {
            let other = s.spawn(|| KeyTable::build(keys));
            let aggs = self.count_dramas(&Groups::of(&self.log, &self.grouped, dramas), 0..dramas).0;
            (other.join().expect("the key table's thread does not panic"), aggs)
        });
        self.by_key = by_key?;
        Some(aggs)
    }

    /// The row whose rating counts for (`drama`, `user`): of the pair's live rows, the one of
    /// the highest seq, the later row on a tie (as a recount, reading rows in order, keeps it).
    fn winner(&self, drama: u32, user: u32) -> Option<u32> {
        let run = self.grouped_run(drama, user);
        self.pick(run.map(|r| r as u32).chain(self.later.rows(pair(drama, user))))
    }

    /// The pair's rows in the grouped prefix (free ones among them).
    fn grouped_run(&self, drama: u32, user: u32) -> std::ops::Range<usize> {
        let range = Groups::prefix_range(&self.grouped, drama as usize);
        let users = &self.log.user[range.clone()];
        let from = users.partition_point(|&u| u < user);
        let to = from + users[from..].partition_point(|&u| u == user);
        range.start + from..range.start + to
    }

    /// Of `rows`, the live one of the highest (seq, row).
    fn pick(&self, rows: impl Iterator<Item = u32>) -> Option<u32> {
        let (seq, rating) = (&self.log.seq, &self.log.rating);
        rows.filter(|&r| rating[r as usize] != FREE).max_by_key(|&r| (seq[r as usize], r))
    }

    /// Calls `f(drama, user, row)` for every counted rating of the dramas in `dramas`, in
    /// (drama, user) order: each drama's grouped runs merged with its pairs' later rows.
    fn each_winner(&self, dramas: std::ops::Range<usize>, mut f: impl FnMut(u32, u32, u32)) {
        let mut later: Vec<u64> = self.later.pairs().filter(|&p| dramas.contains(&((p >> 32) as usize))).collect();
        later.sort_unstable();
        let mut later = later.into_iter().peekable();
        for d in dramas {
            let range = Groups::prefix_range(&self.grouped, d);
            let users = &self.log.user[range.clone()];
            let mut i = 0;
            loop {
                let grouped = users.get(i).copied();
                let after = later.peek().filter(|&&p| (p >> 32) as usize == d).map(|&p| p as u32);
                let u = match (grouped, after) {
                    (None, None) => break,
                    (Some(a), None) => a,
                    (None, Some(b)) => b,
                    (Some(a), Some(b)) => a.min(b),
                };
                let from = i;
                while users.get(i) == Some(&u) {
                    i += 1;
                }
                let run = (range.start + from..range.start + i).map(|r| r as u32);
                let w = if after == Some(u) {
                    later.next();
                    self.pick(run.chain(self.later.rows(pair(d as u32, u))))
                } else {
                    self.pick(run)
                };
                if let Some(w) = w {
                    f(d as u32, u, w);
                }
            }
        }
    }

    /// Changes the pair (`drama`, `user`)'s rows through `change`, and its drama's aggregate by
    /// what that did to the rating that counts.
    fn rewrite(&mut self, aggs: &mut [Agg], drama: u32, user: u32, change: impl FnOnce(&mut Rows)) {
        let before = self.winner(drama, user).map(|w| self.log.rating[w as usize]);
        change(self);
        let after = self.winner(drama, user).map(|w| self.log.rating[w as usize]);
        let a = &mut aggs[drama as usize];
        if let Some(r) = before {
            a.count -= 1;
            a.sum -= r as u64;
        }
        if let Some(r) = after {
            a.count += 1;
            a.sum += r as u64;
        }
    }

    fn upsert(&mut self, aggs: &mut [Agg], key: u64, drama: u32, user: u32, rating: u8, seq: u64) {
        if let Some(row) = self.by_key.get(key) {
            let r = row as usize;
            let (d, u) = (self.drama_of(row), self.log.user[r]);
            if (d, u) == (drama, user) {
                // The same pair: the row is rewritten where it lies, a grouped one keeping
                // its place among its drama's users.
                self.rewrite(aggs, d, u, |rows| {
                    rows.log.rating[r] = rating;
                    rows.log.seq[r] = seq;
                });
                return;
            }
            self.rewrite(aggs, d, u, |rows| rows.release(row));
        }
        let row = self.new_row();
        self.by_key.insert(key, row);
        self.rewrite(aggs, drama, user, |rows| {
            let r = row as usize;
            let prefix = rows.prefix_len();
            rows.log.drama[r - prefix] = drama;
            rows.log.user[r] = user;
            rows.log.rating[r] = rating;
            rows.log.seq[r] = seq;
            rows.later.add(pair(drama, user), row);
        });
    }

    /// Frees a record's row. A grouped row stays where it lies, free, until the log is grouped
    /// again ([`Rows::grouped`]); a later one leaves its pair's rows, for the next new record.
    fn release(&mut self, row: u32) {
        let r = row as usize;
        self.log.rating[r] = FREE;
        if r >= self.prefix_len() {
            let p = pair(self.drama_of(row), self.log.user[r]);
            self.later.remove(p, row);
            self.free.push(row);
        }
    }

    /// The aggregates of the dramas in `dramas`: per user, the latest of its ratings.
    fn count_dramas(&self, groups: &Groups, dramas: std::ops::Range<usize>) -> (Vec<Agg>, usize) {
        let Log { user, rating, seq, .. } = &self.log;
        let mut aggs = Vec::with_capacity(dramas.len());
        // Per user: the drama it was last seen in (u32::MAX: none yet) and its winning row.
        let mut stamp = vec![(u32::MAX, 0u32); self.users.len()];
        let mut counted = 0usize;
        for d in dramas {
            let mut agg = Agg::default();
            groups.each(d, |row, r| {
                let s = &mut stamp[user[row as usize] as usize];
                if s.0 != d as u32 {
                    *s = (d as u32, row);
                    agg.count += 1;
                    agg.sum += r as u64;
                } else if seq[row as usize] >= seq[s.1 as usize] {
                    agg.sum = agg.sum - rating[s.1 as usize] as u64 + r as u64;
                    s.1 = row;
                }
            });
            counted += agg.count as usize;
            aggs.push(agg);
        }
        (aggs, counted)
    }

    /// The same users and votes, with the live rows of this log fed one at a time through the
    /// incremental path in ingest order (seq), keyed by `keys[row]`, into `aggs` (all zero): of
    /// two rows with one key, the later replaces the earlier, as a later record does. What a
    /// bulk load falls back to when the index broke its one-document-per-key rule.
    fn replayed(self, keys: &[u64], aggs: &mut [Agg]) -> Rows {
        let mut again = Rows { users: self.users, votes: self.votes, ..Rows::default() };
        let l = &self.log;
        let mut order: Vec<usize> = (0..l.len()).filter(|&row| l.rating[row] != FREE).collect();
        order.sort_by_key(|&row| l.seq[row]);
        for row in order {
            again.upsert(aggs, keys[row], drama_of(&self.grouped, &l.drama, row as u32), l.user[row], l.rating[row], l.seq[row]);
        }
        again
    }

    /// The live rows in drama order, each drama's by user, and how many each drama has: how the
    /// ratings' file lays them out, so that a log opened from it lies grouped
    /// ([`Rows::grouped`]) without being sorted again.
    fn grouped_rows(&self, dramas: usize) -> (Vec<u32>, Vec<usize>) {
        let groups = Groups::of(&self.log, &self.grouped, dramas);
        let mut order = Vec::with_capacity(groups.start[dramas] as usize);
        let mut counts = Vec::with_capacity(dramas);
        for d in 0..dramas {
            let from = order.len();
            groups.each(d, |row, _| order.push(row));
            // Stable: a user's rows keep their order, which a recount breaks seq ties by.
            order[from..].sort_by_key(|&row| self.log.user[row as usize]);
            counts.push(order.len() - from);
        }
        (order, counts)
    }

}

impl Ratings {
    pub fn new() -> Self {
        Ratings::default()
    }

    /// Builds from every rating, in any order (seq decides).
    pub fn from_events<E: Borrow<RatingEvent>>(events: impl IntoIterator<Item = E>) -> Self {
        let events = events.into_iter();
        let mut r = Ratings::new();
        r.reserve(events.size_hint().0);
        for e in events {
            r.upsert(e.borrow());
        }
        r
    }

    /// The same dramas and votes, with `keys[row]`'s rows fed one at a time through the
    /// incremental path ([`Rows::replayed`]).
    fn replayed(mut self, keys: &[u64]) -> Ratings {
        let rows = std::mem::take(self.rows.get_mut());
        self.aggs = vec![Agg::default(); self.aggs.len()];
        self.rows = Deferred::ready(Rows::replayed(rows, keys, &mut self.aggs));
        self
    }

    /// Room for `n` more rated records without rehashing.
    pub fn reserve(&mut self, n: usize) {
        let rows = self.rows.get_mut();
        rows.by_key.reserve(n);
        rows.log.reserve(n);
    }

    /// Returns once the tables a change goes through are built (at once but just after the
    /// ratings were opened from their file).
    pub fn wait_for_tables(&self) {
        self.rows.get();
    }

    /// Whether the tables a change goes through are built (they are rebuilt on another thread
    /// after the ratings are opened from their file; until then a change waits).
    pub fn tables_ready(&self) -> bool {
        self.rows.is_ready()
    }

    /// The id of a drama, interning it if new. Bulk loaders intern each distinct string once
    /// and then call [`Ratings::upsert_ids`].
    pub fn drama_idx(&mut self, id: &str) -> u32 {
        let (i, new) = self.dramas.intern(id);
        if new {
            self.aggs.push(Agg::default());
            self.voters.push(0);
            self.drama_names.push(id.into());
        }
        i
    }

    pub fn user_idx(&mut self, user: &str) -> u32 {
        self.user_idx_hashed(key_hash(user))
    }

    /// [`Ratings::user_idx`] of a name already hashed with [`key_hash`].
    pub fn user_idx_hashed(&mut self, hash: u64) -> u32 {
        let users = &mut self.rows.get_mut().users;
        let next = users.len() as u32;
        *users.entry(hash).or_insert(next)
    }

    /// A record carrying a rating was added or replaced.
    pub fn upsert(&mut self, e: &RatingEvent) {
        let (drama, user) = (self.drama_idx(&e.drama_id), self.user_idx(&e.user));
        self.upsert_ids(key_hash(&e.key), drama, user, e.rating, e.seq);
    }

    /// [`Ratings::upsert`] with the key already hashed ([`key_hash`]) and the drama and user
    /// already interned ([`Ratings::drama_idx`], [`Ratings::user_idx`]).
    pub fn upsert_ids(&mut self, key: u64, drama: u32, user: u32, rating: u8, seq: u64) {
        debug_assert!((drama as usize) < self.aggs.len() && rating != FREE);
        self.rows.get_mut().upsert(&mut self.aggs, key, drama, user, rating, seq);
    }

    /// A record was deleted or replaced by one without a rating. Returns whether it had one.
    pub fn remove_key(&mut self, key: &str) -> bool {
        self.remove_key_hashed(key_hash(key)).is_some()
    }

    /// Recomputes every drama's aggregate from the log alone, ignoring what the incremental
    /// upkeep says, and returns the number of counted ratings.
    ///
    /// The rows lie grouped by drama ([`Rows::grouped`]) but for those written since the log
    /// was last laid out, which two passes group (a counting sort that copies out row and
    /// rating); one pass over each drama's rows picks every user's winning row with a per-user
    /// stamp ("seen in drama d"), which replaces the (drama, user) hash map of the incremental
    /// path. Every pass is sequential except the stamp array, one `u64` per user.
    pub fn recount(&mut self) -> usize {
        let (aggs, counted) = self.recounted();
        self.aggs = aggs;
        counted
    }

    /// What [`Ratings::recount`] would set, computed from a shared borrow: a server counts
    /// beside the tables it serves and swaps the result in ([`Ratings::replace_aggs`]), so no
    /// search waits for the count.
    pub fn recounted(&self) -> (Vec<Agg>, usize) {
        // A small log is counted on one thread: a thread costs more than it would save.
        let threads = if self.rows.get().log.len() < PARALLEL_RECOUNT_ROWS {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |t| t.get()).min(MAX_RECOUNT_THREADS)
        };
        self.recounted_on(threads)
    }

    /// [`Ratings::recounted`] on `threads` threads. Each drama is counted apart from the
    /// others, so the dramas are split between threads at equal shares of the log's rows, each
    /// thread with its own stamps.
    fn recounted_on(&self, threads: usize) -> (Vec<Agg>, usize) {
        let threads = threads.max(1);
        let n = self.aggs.len();
        let rows = self.rows.get();
        let groups = Groups::of(&rows.log, &rows.grouped, n);
        let live = groups.start[n] as u64;
        let mut bounds: Vec<usize> = (1..threads).map(|t| groups.start.partition_point(|&r| (r as u64) * (threads as u64) < live * t as u64).saturating_sub(1).min(n)).collect();
        bounds.insert(0, 0);
        bounds.push(n);
        bounds.dedup();
        if bounds.len() <= 2 {
            // One share: counted here, without a thread to start and join.
            return rows.count_dramas(&groups, 0..n);
        }
        let parts: Vec<(Vec<Agg>, usize)> = std::thread::scope(|s| {
            let groups = &groups;
            let handles: Vec<_> = bounds.windows(2).map(|w| (w[0], w[1])).map(|(lo, hi)| s.spawn(move || rows.count_dramas(groups, lo..hi))).collect();
            handles.into_iter().map(|h| h.join().expect("a recount thread panicked")).collect()
        });
        let mut aggs = Vec::with_capacity(n);
        let mut counted = 0;
        for (a, c) in parts {
            aggs.extend(a);
            counted += c;
        }
        (aggs, counted)
    }

    /// Puts in the aggregates [`Ratings::recounted`] computed from this same log.
    pub fn replace_aggs(&mut self, aggs: Vec<Agg>) {
        debug_assert_eq!(aggs.len(), self.aggs.len(), "recounted from another log");
        self.aggs = aggs;
    }

    /// A vote record was added (or replaced: a user votes once per drama).
    pub fn add_vote(&mut self, key: &str, drama_id: &str) {
        let d = self.drama_idx(drama_id);
        self.add_vote_ids(key_hash(key), d);
    }

    /// [`Ratings::add_vote`] with the key hashed and the drama interned.
    pub fn add_vote_ids(&mut self, key: u64, drama: u32) {
        let votes = &mut self.rows.get_mut().votes;
        if votes.contains_key(&key) {
            return;
        }
        votes.insert(key, drama);
        self.voters[drama as usize] += 1;
    }

    pub fn remove_vote(&mut self, key: &str) {
        self.remove_vote_hashed(key_hash(key));
    }

    /// [`Ratings::remove_vote`] by the key's hash; returns the drama (by index) it was for.
    pub fn remove_vote_hashed(&mut self, key: u64) -> Option<u32> {
        let d = self.rows.get_mut().votes.remove(&key)?;
        self.voters[d as usize] = self.voters[d as usize].saturating_sub(1);
        Some(d)
    }

    /// [`Ratings::remove_key`] by the key's hash; returns the drama (by index) its rating was for.
    pub fn remove_key_hashed(&mut self, key: u64) -> Option<u32> {
        let rows = self.rows.get_mut();
        let row = rows.by_key.remove(key)?;
        let (drama, user) = (rows.drama_of(row), rows.log.user[row as usize]);
        rows.rewrite(&mut self.aggs, drama, user, |rows| rows.release(row));
        Some(drama)
    }

    /// A drama's id by its interned index.
    pub fn drama_name(&self, idx: u32) -> Option<&str> {
        self.drama_names.get(idx as usize).map(|n| &**n)
    }

    /// The drama the record `key` rates now, if it carries a counted rating: a replacement that
    /// moves a rating to another drama changes the lists of both.
    pub fn drama_of_key(&self, key: &str) -> Option<&str> {
        let rows = self.rows.get();
        let row = rows.by_key.get(key_hash(key))? as usize;
        self.drama_names.get(rows.drama_of(row as u32) as usize).map(|n| &**n)
    }

    pub fn agg(&self, drama_id: &str) -> Agg {
        self.dramas.get(drama_id).map(|i| self.aggs[i as usize]).unwrap_or_default()
    }

    /// [`Ratings::agg`] of the drama whose id's [`key_hash`] is `hash`.
    pub fn agg_hashed(&self, hash: u64) -> Agg {
        self.dramas.get_hashed(hash).map(|i| self.aggs[i as usize]).unwrap_or_default()
    }

    /// Every user's counted ratings as (drama index, rating), and each drama's id by index:
    /// what co-ratings are read from (`crate::related`). Two passes over the grouped log.
    pub fn by_user(&self) -> (UserLists, Vec<Box<str>>) {
        let rows = self.rows.get();
        // Two passes, counting then filling one array, rather than a growing list per user:
        // at scale 10 (100M ratings, a list per user) the lists took 10 s, pushes that each
        // landed on another user's list, and their reallocations.
        let all = 0..self.aggs.len();
        let mut starts = vec![0usize; rows.users.len() + 1];
        rows.each_winner(all.clone(), |_, u, _| starts[u as usize + 1] += 1);
        for u in 1..starts.len() {
            starts[u] += starts[u - 1];
        }
        let total = starts.last().copied().unwrap_or(0);
        let mut next = starts.clone();
        let mut dramas = vec![0u32; total];
        let mut ratings = vec![0u8; total];
        rows.each_winner(all, |d, u, row| {
            let at = &mut next[u as usize];
            dramas[*at] = d;
            ratings[*at] = rows.log.rating[row as usize];
            *at += 1;
        });
        (UserLists { starts, dramas, ratings }, self.drama_names.clone())
    }

    /// The users whose rating of the drama counts, with that rating.
    pub fn raters(&self, drama_id: &str) -> Vec<(u32, u8)> {
        let Some(d) = self.dramas.get(drama_id) else { return Vec::new() };
        let rows = self.rows.get();
        let mut raters = Vec::new();
        rows.each_winner(d as usize..d as usize + 1, |_, u, row| raters.push((u, rows.log.rating[row as usize])));
        raters
    }

    /// The interned index of a drama.
    pub fn drama_index(&self, drama_id: &str) -> Option<u32> {
        self.dramas.get(drama_id)
    }

    pub fn voters(&self, drama_id: &str) -> u32 {
        self.dramas.get(drama_id).map(|i| self.voters[i as usize]).unwrap_or(0)
    }

    /// The bytes this holds on the heap, from its tables' capacities: what the ratings cost
    /// in memory at a given size, apart from the index's mapped files and the catalog.
    pub fn heap_bytes(&self) -> usize {
        fn map<K, V>(m: &FxHashMap<K, V>) -> usize {
            // hashbrown: one control byte per bucket beside the entry.
            m.capacity() * (std::mem::size_of::<(K, V)>() + 1)
        }
        fn vec<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        let rows = self.rows.get();
        let log = vec(&rows.log.drama) + vec(&rows.log.user) + vec(&rows.log.rating) + vec(&rows.log.seq);
        let names: usize = self.drama_names.iter().map(|n| n.len()).sum::<usize>() * 2 + map(&self.dramas.ids);
        let later = rows.later.heap_bytes();
        log + map(&rows.users)
            + vec(&rows.free)
            + rows.by_key.heap_bytes()
            + later
            + vec(&rows.grouped)
            + vec(&self.aggs)
            + vec(&self.voters)
            + vec(&self.drama_names)
            + names
            + map(&rows.votes)
    }

    /// Number of counted ratings (distinct drama–user pairs).
    pub fn counted(&self) -> usize {
        self.aggs.iter().map(|a| a.count as usize).sum()
    }

    /// Rated records in the log.
    pub fn records(&self) -> usize {
        self.rows.get().by_key.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_table_answers_as_a_map_of_every_key_through_removals_and_additions() {
        // Keys in a few shards (the top byte), several to a shard.
        let key = |i: u64| (i % 3) << 56 | (i * 7919 + 1);
        let built: Vec<u64> = (0..40).map(key).collect();
        let mut table = KeyTable::build(&built).expect("distinct keys");
        let mut map: std::collections::HashMap<u64, u32> = built.iter().enumerate().map(|(row, &k)| (k, row as u32)).collect();
        let check = |table: &KeyTable, map: &std::collections::HashMap<u64, u32>| {
            for i in 0..80 {
                assert_eq!(table.get(key(i)), map.get(&key(i)).copied(), "key {i}");
            }
            assert_eq!(table.len(), map.len());
            // In ascending order, as the ratings' file stores them, and read back from that.
            let mut each = Vec::new();
            table.each_sorted(|k, row| each.push((k, row)));
            let mut want: Vec<(u64, u32)> = map.iter().map(|(&k, &r)| (k, r)).collect();
            want.sort_unstable();
            assert_eq!(each, want);
            let again = KeyTable::from_sorted(each.iter().map(|e| e.0), each.iter().map(|e| e.1)).expect("ascending keys");
            for i in 0..80 {
                assert_eq!(again.get(key(i)), map.get(&key(i)).copied(), "key {i} read back");
            }
        };
        check(&table, &map);
        // Removed, removed again, given back a row; keys never built, added and removed.
        for (i, row) in [(3, 100), (45, 101), (7, 102), (60, 103)] {
            assert_eq!(table.remove(key(i)), map.remove(&key(i)));
            assert_eq!(table.remove(key(i)), None);
            check(&table, &map);
            table.insert(key(i), row);
            map.insert(key(i), row);
            check(&table, &map);
        }
        table.insert(key(5), 200);
        map.insert(key(5), 200);
        assert_eq!(table.remove(key(60)), map.remove(&key(60)));
        check(&table, &map);
        assert!(KeyTable::build(&[key(1), key(2), key(1)]).is_none(), "a key twice is refused");
        assert!(KeyTable::from_sorted([key(1), key(2), key(2)].into_iter(), 0..3).is_none(), "a key twice is refused");
    }

    fn ev(key: &str, drama: &str, user: &str, rating: u8, seq: u64) -> RatingEvent {
        RatingEvent { key: key.into(), drama_id: drama.into(), user: user.into(), rating, seq }
    }

    /// Rows with few dramas and users, so that pairs repeat, in a shuffled seq order (distinct
    /// seqs, as the engine gives them).
    fn rows(n: u64, mut x: u64) -> Vec<(String, String, String, u8, u64)> {
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        (0..n).map(|i| (format!("review:r{i}"), format!("d{}", next() % 7), format!("u{}", next() % 11), (next() % 10 + 1) as u8, next() >> 20)).collect()
    }

    fn bulk_of(rows: &[(String, String, String, u8, u64)]) -> Ratings {
        let mut b = Bulk::new();
        b.reserve(rows.len());
        for (k, d, u, r, seq) in rows {
            let (d, u) = (b.drama_idx(d), b.user_idx(u));
            b.rating(key_hash(k), d, u, *r, *seq);
        }
        b.finish()
    }

    fn dramas_of(r: &Ratings) -> Vec<(String, Agg)> {
        (0..7).map(|d| format!("d{d}")).map(|d| (d.clone(), r.agg(&d))).collect()
    }

    /// The rule itself, with no tables: the live records by key, and per drama the latest
    /// rating of each user.
    #[derive(Default)]
    struct Model(std::collections::HashMap<String, (String, String, u8, u64)>);

    impl Model {
        fn upsert(&mut self, k: &str, d: &str, u: &str, r: u8, seq: u64) {
            self.0.insert(k.into(), (d.into(), u.into(), r, seq));
        }

        fn dramas(&self) -> Vec<(String, Agg)> {
            let mut latest: std::collections::HashMap<(&str, &str), (u64, u8)> = Default::default();
            for (d, u, r, seq) in self.0.values() {
                let e = latest.entry((d, u)).or_insert((*seq, *r));
                if *seq > e.0 {
                    *e = (*seq, *r);
                }
            }
            (0..7)
                .map(|i| format!("d{i}"))
                .map(|d| {
                    let agg = latest.iter().filter(|((x, _), _)| *x == d).fold(Agg::default(), |a, (_, &(_, r))| Agg { count: a.count + 1, sum: a.sum + r as u64 });
                    (d, agg)
                })
                .collect()
        }
    }

    #[test]
    fn a_bulk_load_agrees_with_one_upsert_at_a_time_and_after_later_changes() {
        for seed in 1..40u64 {
            let rows = rows(60, seed * 0x9E37_79B9);
            let mut one = Ratings::new();
            for (k, d, u, r, seq) in &rows {
                one.upsert(&ev(k, d, u, *r, *seq));
            }
            let mut bulk = bulk_of(&rows);
            let mut model = Model::default();
            for (k, d, u, r, seq) in &rows {
                model.upsert(k, d, u, *r, *seq);
            }
            assert_eq!(dramas_of(&bulk), model.dramas(), "seed {seed}");
            assert_eq!(dramas_of(&bulk), dramas_of(&one), "seed {seed}");
            assert_eq!((bulk.counted(), bulk.records()), (one.counted(), one.records()));
            // The tables it built must serve later changes as the incremental ones do, and a
            // recount of its grouped log (rows freed in it, rows after it) must agree.
            for (i, (k, d, u, _, seq)) in rows.iter().enumerate() {
                let elsewhere = format!("d{}", (i + 3) % 7);
                let change = match i % 5 {
                    0 => None,
                    1 => Some((k.clone(), d.clone(), u.clone(), 1, seq + 500)),
                    2 => Some((k.clone(), elsewhere, u.clone(), 2, seq + 600)),
                    // The same drama, another user: a grouped row cannot keep its place.
                    3 => Some((k.clone(), d.clone(), "u-moved".into(), 4, seq + 800)),
                    _ => Some((format!("comment:new{i}"), elsewhere, "u-new".into(), 3, seq + 700)),
                };
                match change {
                    None => {
                        one.remove_key(k);
                        bulk.remove_key(k);
                        model.0.remove(k);
                    }
                    Some((key, drama, user, rating, seq)) => {
                        one.upsert(&ev(&key, &drama, &user, rating, seq));
                        bulk.upsert(&ev(&key, &drama, &user, rating, seq));
                        model.upsert(&key, &drama, &user, rating, seq);
                    }
                }
                assert_eq!(dramas_of(&bulk), model.dramas(), "seed {seed}, change {i}");
                assert_eq!(dramas_of(&bulk), dramas_of(&one), "seed {seed}, change {i}");
                assert_eq!(bulk.recounted().0, bulk.aggs, "seed {seed}, change {i}: the recount of the grouped log");
                assert_eq!(counted_by_user(&bulk), counted_by_user(&one), "seed {seed}, change {i}: who counts, by user");
            }
            assert!(bulk.rows.get().prefix_len() > 0, "the bulk load grouped its log");
        }
    }

    /// Every user's counted ratings by drama name, read through `by_user` and checked
    /// against `raters`: what related dramas read.
    fn counted_by_user(r: &Ratings) -> Vec<Vec<(String, u8)>> {
        let (lists, names) = r.by_user();
        let by_user: Vec<Vec<(String, u8)>> = lists.iter().map(|l| l.map(|(d, x)| (names[d as usize].to_string(), x)).collect()).collect();
        for name in names.iter() {
            let mut from_lists: Vec<(u32, u8)> = by_user.iter().enumerate().flat_map(|(u, l)| l.iter().filter(|(d, _)| d == &**name).map(move |&(_, x)| (u as u32, x))).collect();
            from_lists.sort();
            assert_eq!(r.raters(name), from_lists, "raters of {name}");
        }
        by_user
    }

    #[test]
    fn each_users_counted_ratings_are_their_latest_of_each_drama() {
        let mut r = Ratings::new();
        r.upsert(&ev("review:r1", "a", "kim", 6, 1));
        r.upsert(&ev("comment:c1", "a", "kim", 9, 2));
        r.upsert(&ev("review:r2", "b", "kim", 3, 3));
        r.upsert(&ev("review:r3", "a", "lee", 7, 4));
        r.upsert(&ev("comment:c2", "b", "lee", 5, 0));
        let d = |x: &str, n: u8| (x.to_string(), n);
        assert_eq!(counted_by_user(&r), vec![vec![d("a", 9), d("b", 3)], vec![d("a", 7), d("b", 5)]]);
        r.remove_key("comment:c1");
        r.upsert(&ev("review:r3", "b", "lee", 8, 5));
        assert_eq!(counted_by_user(&r), vec![vec![d("a", 6), d("b", 3)], vec![d("b", 8)]]);
    }

    #[test]
    fn a_recount_on_several_threads_counts_what_one_thread_counts() {
        for seed in 1..20u64 {
            let rows = rows(3_000, seed * 0x9E37_79B9);
            let r = bulk_of(&rows);
            let one = r.recounted_on(1);
            assert_eq!(one.0.iter().map(|a| a.count as usize).sum::<usize>(), one.1);
            assert_eq!(one.0, r.aggs, "seed {seed}: the recount is what the bulk load's tables say");
            for threads in [2, 3, 7, 16] {
                assert_eq!(r.recounted_on(threads), one, "seed {seed}, {threads} threads");
            }
        }
    }

    #[test]
    fn a_bulk_load_given_one_key_twice_keeps_the_later_row() {
        let mut rows = rows(30, 77);
        rows.push(("review:r3".into(), "d1".into(), "u-new".into(), 10, 1 << 50));
        let mut one = Ratings::new();
        for (k, d, u, r, seq) in &rows {
            one.upsert(&ev(k, d, u, *r, *seq));
        }
        let bulk = bulk_of(&rows);
        assert_eq!(dramas_of(&bulk), dramas_of(&one));
        assert_eq!(bulk.records(), 30);
    }

    #[test]
    fn a_users_later_rating_replaces_the_earlier_one() {
        let mut r = Ratings::new();
        r.upsert(&ev("review:r1", "d", "kim", 6, 1));
        r.upsert(&ev("comment:c1", "d", "kim", 10, 2));
        assert_eq!(r.agg("d"), Agg { count: 1, sum: 10 });
        r.remove_key("comment:c1");
        assert_eq!(r.agg("d"), Agg { count: 1, sum: 6 });
        r.upsert(&ev("review:r1", "d", "kim", 8, 3));
        assert_eq!(r.agg("d"), Agg { count: 1, sum: 8 });
        r.remove_key("review:r1");
        assert_eq!(r.agg("d"), Agg { count: 0, sum: 0 });
        assert_eq!(r.counted(), 0);
    }

    #[test]
    fn an_earlier_rating_arriving_late_does_not_win() {
        let mut r = Ratings::new();
        r.upsert(&ev("comment:c1", "d", "kim", 10, 5));
        r.upsert(&ev("review:r1", "d", "kim", 2, 1));
        assert_eq!(r.agg("d"), Agg { count: 1, sum: 10 });
        r.recount();
        assert_eq!(r.agg("d"), Agg { count: 1, sum: 10 });
    }

    #[test]
    fn a_record_moved_to_another_drama_leaves_the_first() {
        let mut r = Ratings::new();
        r.upsert(&ev("review:r1", "a", "kim", 6, 1));
        r.upsert(&ev("review:r1", "b", "kim", 9, 2));
        assert_eq!(r.agg("a"), Agg::default());
        assert_eq!(r.agg("b"), Agg { count: 1, sum: 9 });
        assert_eq!(r.records(), 1);
    }

    #[test]
    fn a_deleted_records_row_is_reused() {
        let mut r = Ratings::new();
        r.upsert(&ev("review:r1", "a", "kim", 6, 1));
        r.remove_key("review:r1");
        r.upsert(&ev("review:r2", "a", "lee", 7, 2));
        assert_eq!(r.rows.get().log.len(), 1);
        assert_eq!(r.agg("a"), Agg { count: 1, sum: 7 });
    }

    /// The recount reads only the log; after any sequence of changes it must land where the
    /// incremental upkeep did.
    #[test]
    fn recounting_from_the_log_agrees_with_incremental_upkeep() {
        let mut r = Ratings::new();
        let mut x = 12345u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let dramas = ["a", "b", "c", "d"];
        for seq in 0..5000u64 {
            let n = next();
            let key = format!("review:r{}", n % 300);
            if n % 11 == 0 {
                r.remove_key(&key);
            } else {
                let e = ev(&key, dramas[(n >> 8) as usize % 4], &format!("u{}", (n >> 16) % 40), 1 + (n >> 24) as u8 % 10, seq);
                r.upsert(&e);
            }
        }
        let incremental: Vec<Agg> = dramas.iter().map(|d| r.agg(d)).collect();
        let counted = r.counted();
        assert_eq!(r.recount(), counted);
        let recounted: Vec<Agg> = dramas.iter().map(|d| r.agg(d)).collect();
        assert_eq!(incremental, recounted);
    }
}
