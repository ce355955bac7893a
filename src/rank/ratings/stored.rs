//! The ratings as a file beside the index, so that a start does not rebuild them.
//!
//! Rebuilding them from the index at start-up reads six columns of every document and hashes
//! every record key (1.0 s at scale 1, 30 s at scale 10), then fills the tables a change goes
//! through (0.6 s, 15 s). The file holds what the index would give, as flat little-endian
//! columns: the per-drama aggregates and voters, which searches and the Top 100 need at once
//! and which are read before the server starts, and the log, keys, users and votes, from
//! which another thread builds the tables while the server already answers ([`Deferred`]).
//! The log's live rows are written grouped by drama and sorted by user within each, which is
//! how the tables keep them (`Rows::grouped`), and the record keys in ascending order with
//! their rows, which is how the key table keeps them: a log opened from the file is copied
//! in, never sorted, and no column is held twice while it is (at scale 10 sorting the keys
//! held 2.4 GB more for a few seconds).
//!
//! The file says which commit it was written at (the commit number and the live documents):
//! a file of any other commit is not used, and the ratings are rebuilt from the index. So a
//! crash after a commit costs a slower start, never a wrong count. A CRC over the whole file
//! turns a torn or damaged file into the same rebuild.

use super::{Agg, Deferred, Interner, Ratings, Rows};
use rustc_hash::FxHashMap;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

const MAGIC: &[u8; 16] = b"dorama-ratings\0\0";
/// Changes whenever the layout below does: a file of another version is rebuilt. Version 2
/// sorts each drama's rows by user ([`super::Rows::grouped`]); version 3 stores the record
/// keys in ascending order with their rows, and each drama's number of rows rather than a
/// drama a row.
const VERSION: u32 = 3;
const HEADER: usize = 16 + 4 + 4 + 8 * 7;

/// Which commit of the index a ratings file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// The number every commit carries ([`crate::index::Store::commit_number`]).
    pub commit: u64,
    /// Live documents at that commit: with the number, this tells apart a file left by another
    /// index that was created again in the same directory.
    pub docs: u64,
}

/// Writes `ratings` as of `stamp` to `path`, through a temporary file renamed over it, so a
/// reader finds the old file or the new one whole. Returns the bytes written.
pub fn write(ratings: &Ratings, stamp: Stamp, path: &Path) -> std::io::Result<u64> {
    let rows = ratings.rows.get();
    let tmp = path.with_extension("tmp");
    let file = std::fs::File::create(&tmp)?;
    let mut out = Out { w: BufWriter::with_capacity(1 << 20, file), crc: crc32fast::Hasher::new(), bytes: 0 };
    let mut users = vec![0u64; rows.users.len()];
    for (&h, &u) in &rows.users {
        users[u as usize] = h;
    }
    let names: Vec<u8> = ratings.drama_names.iter().flat_map(|n| (n.len() as u32).to_le_bytes().into_iter().chain(n.bytes())).collect();
    let votes: Vec<(u64, u32)> = rows.votes.iter().map(|(&k, &d)| (k, d)).collect();
    out.put(MAGIC)?;
    out.put(&VERSION.to_le_bytes())?;
    out.put(&0u32.to_le_bytes())?;
    // The live rows only, grouped by drama: the log opened from the file lies as a recount
    // reads it, and rows freed since the last start are gone.
    let (order, counts) = rows.grouped_rows(ratings.aggs.len());
    for n in [stamp.commit, stamp.docs, ratings.aggs.len() as u64, users.len() as u64, order.len() as u64, votes.len() as u64, names.len() as u64] {
        out.put(&n.to_le_bytes())?;
    }
    out.put(&names)?;
    out.u32s(ratings.aggs.iter().map(|a| a.count))?;
    out.u64s(ratings.aggs.iter().map(|a| a.sum))?;
    out.u32s(ratings.voters.iter().copied())?;
    out.u64s(users.iter().copied())?;
    let log = &rows.log;
    // Each live row's place in the file, for the key table's rows.
    let mut place = vec![u32::MAX; log.len()];
    for (i, &r) in order.iter().enumerate() {
        place[r as usize] = i as u32;
    }
    // Streamed from the key table, not gathered first: at scale 10 the keys alone are 0.8 GB,
    // and a serving server writes this file.
    let mut chunk = Chunked::new(&mut out);
    rows.by_key.each_sorted(|k, _| chunk.push(&k.to_le_bytes()));
    chunk.finish()?;
    let mut chunk = Chunked::new(&mut out);
    rows.by_key.each_sorted(|_, r| chunk.push(&place[r as usize].to_le_bytes()));
    chunk.finish()?;
    out.u32s(counts.iter().map(|&n| n as u32))?;
    out.u32s(order.iter().map(|&r| log.user[r as usize]))?;
    out.each(order.iter().map(|&r| [log.rating[r as usize]]))?;
    out.u64s(order.iter().map(|&r| log.seq[r as usize]))?;
    out.u64s(votes.iter().map(|v| v.0))?;
    out.u32s(votes.iter().map(|v| v.1))?;
    let crc = out.crc.clone().finalize();
    out.w.write_all(&crc.to_le_bytes())?;
    out.w.into_inner().map_err(|e| e.into_error())?;
    std::fs::rename(&tmp, path)?;
    Ok(out.bytes + 4)
}

struct Out<W: Write> {
    w: W,
    crc: crc32fast::Hasher,
    bytes: u64,
}

impl<W: Write> Out<W> {
    fn put(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.crc.update(b);
        self.bytes += b.len() as u64;
        self.w.write_all(b)
    }

    fn u32s(&mut self, it: impl Iterator<Item = u32>) -> std::io::Result<()> {
        self.each(it.map(u32::to_le_bytes))
    }

    fn u64s(&mut self, it: impl Iterator<Item = u64>) -> std::io::Result<()> {
        self.each(it.map(u64::to_le_bytes))
    }

    /// Writes through a buffer of whole values, so the CRC runs over large slices.
    fn each<const N: usize>(&mut self, it: impl Iterator<Item = [u8; N]>) -> std::io::Result<()> {
        let mut buf = Vec::with_capacity(1 << 16);
        for v in it {
            buf.extend_from_slice(&v);
            if buf.len() >= 1 << 16 {
                self.put(&buf)?;
                buf.clear();
            }
        }
        self.put(&buf)
    }
}

/// Bytes written through [`Out`] in chunks from a callback, which cannot return an error: the
/// first error is kept, and nothing more is written after it.
struct Chunked<'a, W: Write> {
    out: &'a mut Out<W>,
    buf: Vec<u8>,
    error: std::io::Result<()>,
}

impl<'a, W: Write> Chunked<'a, W> {
    fn new(out: &'a mut Out<W>) -> Self {
        Chunked { out, buf: Vec::with_capacity(1 << 16), error: Ok(()) }
    }

    fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= 1 << 16 {
            if self.error.is_ok() {
                self.error = self.out.put(&self.buf);
            }
            self.buf.clear();
        }
    }

    fn finish(mut self) -> std::io::Result<()> {
        self.error?;
        self.out.put(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

/// What opening a ratings file found.
pub enum Opened {
    /// The ratings of the commit asked for: aggregates now, the tables building beside.
    Ratings(Ratings),
    /// No file, or one of another commit or version: rebuild from the index.
    Stale(String),
}

/// Opens the ratings file at `path` if it holds the commit `stamp`. A file that is there but
/// cannot be read, or whose CRC or layout is wrong, is an error: the caller rebuilds from the
/// index and says so.
pub fn open(path: &Path, stamp: Stamp) -> std::io::Result<Opened> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Opened::Stale("no ratings file".into())),
        Err(e) => return Err(e),
    };
    // Mapped, not read: the tables' thread reads the log from the mapping and drops it.
    // SAFETY: the file is only ever replaced by a rename, never written in place, so the
    // mapped pages do not change under us.
    let map = Arc::new(unsafe { memmap2::Mmap::map(&file)? });
    let bad = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {what}", path.display()));
    if map.len() < HEADER + 4 || &map[..16] != MAGIC {
        return Err(bad("not a ratings file".into()));
    }
    let version = u32::from_le_bytes(map[16..20].try_into().expect("4 bytes"));
    if version != VERSION {
        return Ok(Opened::Stale(format!("ratings file of version {version}, not {VERSION}")));
    }
    let n = |i: usize| u64::from_le_bytes(map[24 + 8 * i..32 + 8 * i].try_into().expect("8 bytes"));
    let found = Stamp { commit: n(0), docs: n(1) };
    if found != stamp {
        return Ok(Opened::Stale(format!("ratings file of commit {} ({} documents), not {} ({})", found.commit, found.docs, stamp.commit, stamp.docs)));
    }
    let (dramas, users, rows, votes, names) = (n(2), n(3), n(4), n(5), n(6));
    let layout = Layout::of(dramas, users, rows, votes, names).filter(|l| l.end as u64 + 4 == map.len() as u64);
    let Some(l) = layout else { return Err(bad("its lengths do not add up to its size".into())) };
    let body = &map[..l.end];
    let crc = u32::from_le_bytes(map[l.end..].try_into().expect("4 bytes"));
    if crc32fast::hash(body) != crc {
        return Err(bad("its checksum does not match (a damaged or half-written file)".into()));
    }
    // Everything the tables' thread will read is checked here, so that it cannot fail.
    let mut drama_names = Vec::with_capacity(dramas as usize);
    let mut at = l.names.start;
    while at < l.names.end {
        let runs_past = || bad("a drama name runs past its section".into());
        let len = map.get(at..at + 4).filter(|_| at + 4 <= l.names.end).ok_or_else(runs_past)?;
        let len = u32s(len).next().expect("4 bytes") as usize;
        let name = map.get(at + 4..at + 4 + len).filter(|_| at + 4 + len <= l.names.end).ok_or_else(runs_past)?;
        let name = std::str::from_utf8(name).map_err(|_| bad("a drama name is not UTF-8".into()))?;
        drama_names.push(Box::<str>::from(name));
        at += 4 + len;
    }
    if drama_names.len() as u64 != dramas {
        return Err(bad(format!("{} drama names for {dramas} dramas", drama_names.len())));
    }
    if u32s(&map[l.vote_drama.clone()]).any(|d| d as u64 >= dramas) {
        return Err(bad("a vote names a drama it does not hold".into()));
    }
    if u32s(&map[l.per_drama.clone()]).map(u64::from).sum::<u64>() != rows {
        return Err(bad("its dramas' rows do not add up to its rows".into()));
    }
    // Users in range and ascending within each drama, as the tables will binary-search them.
    {
        let mut user = u32s(&map[l.user.clone()]);
        for n in u32s(&map[l.per_drama.clone()]) {
            let mut last = 0;
            for u in user.by_ref().take(n as usize) {
                if u as u64 >= users || u < last {
                    return Err(bad("a row names a user it does not hold, or out of order".into()));
                }
                last = u;
            }
        }
    }
    // Keys ascending, as the key table keeps them, and every row named by exactly one.
    if u64s(&map[l.keys.clone()]).zip(u64s(&map[l.keys.clone()]).skip(1)).any(|(a, b)| a >= b) {
        return Err(bad("its record keys are out of order, or one is there twice".into()));
    }
    let mut named = vec![false; rows as usize];
    for r in u32s(&map[l.key_rows.clone()]) {
        match named.get_mut(r as usize) {
            Some(seen @ false) => *seen = true,
            _ => return Err(bad("a key names a row it does not hold, or one another key names".into())),
        }
    }
    if map[l.rating.clone()].iter().any(|&r| r > 10) {
        return Err(bad("a rating above 10".into()));
    }
    let mut interner = Interner::default();
    for name in &drama_names {
        if !interner.intern(name).1 {
            return Err(bad(format!("drama {name} is there twice")));
        }
    }
    let aggs: Vec<Agg> = u32s(&map[l.count.clone()]).zip(u64s(&map[l.sum.clone()])).map(|(count, sum)| Agg { count, sum }).collect();
    let voters: Vec<u32> = u32s(&map[l.voters.clone()]).collect();
    let rows = Deferred::build("ratings-tables", move || tables(&map, &l));
    Ok(Opened::Ratings(Ratings { dramas: interner, drama_names, aggs, voters, rows }))
}

/// The log, users and votes read from the mapping, and the tables built over them.
fn tables(map: &[u8], l: &Layout) -> Rows {
    let started = std::time::Instant::now();
    let mut users = FxHashMap::default();
    users.reserve(l.users_len);
    users.extend(u64s(&map[l.users.clone()]).enumerate().map(|(u, h)| (h, u as u32)));
    let mut votes = FxHashMap::default();
    votes.reserve(l.votes_len);
    votes.extend(u64s(&map[l.vote_keys.clone()]).zip(u32s(&map[l.vote_drama.clone()])));
    let (user, rating, seq) = (u32s(&map[l.user.clone()]).collect(), map[l.rating.clone()].to_vec(), u64s(&map[l.seq.clone()]).collect());
    let rows = Rows::from_file(users, user, rating, seq, u32s(&map[l.per_drama.clone()]), u64s(&map[l.keys.clone()]), u32s(&map[l.key_rows.clone()]), votes);
    let rows = rows.expect("open checked that the keys ascend");
    tracing::info!(records = rows.by_key.len(), seconds = started.elapsed().as_secs_f64(), "ratings tables built from the ratings file; writes are accepted");
    rows
}

/// Byte ranges of the file's sections.
#[derive(Debug, Clone)]
struct Layout {
    names: std::ops::Range<usize>,
    count: std::ops::Range<usize>,
    sum: std::ops::Range<usize>,
    voters: std::ops::Range<usize>,
    users: std::ops::Range<usize>,
    keys: std::ops::Range<usize>,
    key_rows: std::ops::Range<usize>,
    per_drama: std::ops::Range<usize>,
    user: std::ops::Range<usize>,
    rating: std::ops::Range<usize>,
    seq: std::ops::Range<usize>,
    vote_keys: std::ops::Range<usize>,
    vote_drama: std::ops::Range<usize>,
    users_len: usize,
    votes_len: usize,
    end: usize,
}

impl Layout {
    /// The sections in the order [`write`] puts them; None if the sizes overflow.
    fn of(dramas: u64, users: u64, rows: u64, votes: u64, names: u64) -> Option<Layout> {
        let mut at = HEADER as u64;
        let mut next = |n: u64, width: u64| -> Option<std::ops::Range<usize>> {
            let len = n.checked_mul(width)?;
            let start = at;
            at = at.checked_add(len)?;
            Some(usize::try_from(start).ok()?..usize::try_from(at).ok()?)
        };
        let l = Layout {
            names: next(names, 1)?,
            count: next(dramas, 4)?,
            sum: next(dramas, 8)?,
            voters: next(dramas, 4)?,
            users: next(users, 8)?,
            keys: next(rows, 8)?,
            key_rows: next(rows, 4)?,
            per_drama: next(dramas, 4)?,
            user: next(rows, 4)?,
            rating: next(rows, 1)?,
            seq: next(rows, 8)?,
            vote_keys: next(votes, 8)?,
            vote_drama: next(votes, 4)?,
            users_len: users as usize,
            votes_len: votes as usize,
            end: 0,
        };
        Some(Layout { end: usize::try_from(at).ok()?, ..l })
    }
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
}

fn u64s(b: &[u8]) -> impl Iterator<Item = u64> + '_ {
    b.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::RatingEvent;

    fn ev(key: &str, drama: &str, user: &str, rating: u8, seq: u64) -> RatingEvent {
        RatingEvent { key: key.into(), drama_id: drama.into(), user: user.into(), rating, seq }
    }

    /// Ratings with every kind of row a file must carry: pairs rated twice, a deleted record
    /// (a free row), votes, one removed.
    fn ratings() -> Ratings {
        let mut r = Ratings::new();
        for i in 0..40u64 {
            r.upsert(&ev(&format!("review:r{i}"), &format!("d{}", i % 5), &format!("u{}", i % 7), (i % 10 + 1) as u8, i));
        }
        r.remove_key("review:r3");
        for i in 0..9 {
            r.add_vote(&format!("vote:v{i}"), &format!("d{}", i % 4));
        }
        r.remove_vote("vote:v2");
        r
    }

    fn state(r: &Ratings) -> Vec<(String, Agg, u32)> {
        (0..6).map(|d| format!("d{d}")).map(|d| (d.clone(), r.agg(&d), r.voters(&d))).collect()
    }

    const STAMP: Stamp = Stamp { commit: 7, docs: 52 };

    fn written(r: &Ratings) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ratings.bin");
        write(r, STAMP, &path).unwrap();
        (dir, path)
    }

    fn opened(path: &Path, stamp: Stamp) -> Ratings {
        match open(path, stamp).unwrap() {
            Opened::Ratings(r) => r,
            Opened::Stale(why) => panic!("stale: {why}"),
        }
    }

    #[test]
    fn ratings_opened_from_their_file_count_and_change_as_the_ones_written() {
        let mut before = ratings();
        let (_dir, path) = written(&before);
        let mut after = opened(&path, STAMP);
        assert_eq!(state(&after), state(&before));
        assert_eq!((after.counted(), after.records()), (before.counted(), before.records()));
        assert_eq!(after.recounted(), before.recounted());
        // The tables built from the file take later changes as the written ones do: a user's
        // second rating, a deleted winner falling back, a new drama, a vote twice.
        for r in [&mut before, &mut after] {
            r.upsert(&ev("comment:c1", "d1", "u1", 2, 100));
            r.remove_key("review:r36");
            r.upsert(&ev("review:r3", "d5", "u9", 9, 101));
            r.upsert(&ev("review:r0", "d2", "u0", 4, 102));
            r.add_vote("vote:v1", "d1");
            r.add_vote("vote:v2", "d3");
            r.remove_vote("vote:v5");
        }
        assert_eq!(state(&after), state(&before));
        assert_eq!(after.raters("d1").len(), before.raters("d1").len());
        assert_eq!(after.records(), before.records());
        // Written again with rows both grouped (from the file) and later (the changes), and
        // opened: the same again, and the same changes land the same.
        let (_dir2, path2) = written(&after);
        let mut again = opened(&path2, STAMP);
        assert_eq!(state(&again), state(&before));
        assert_eq!(again.recounted(), before.recounted());
        for r in [&mut before, &mut again] {
            r.upsert(&ev("comment:c1", "d1", "u1", 7, 200));
            r.remove_key("review:r10");
            r.upsert(&ev("review:r11", "d1", "u8", 3, 201));
        }
        assert_eq!(state(&again), state(&before));
        for d in ["d0", "d1", "d2", "d5"] {
            assert_eq!(again.raters(d), before.raters(d), "{d}");
        }
    }

    #[test]
    fn a_file_of_another_commit_or_index_is_not_used() {
        let (_dir, path) = written(&ratings());
        for stamp in [Stamp { commit: 8, ..STAMP }, Stamp { docs: 53, ..STAMP }] {
            assert!(matches!(open(&path, stamp).unwrap(), Opened::Stale(_)), "{stamp:?}");
        }
        assert!(matches!(open(&path.with_extension("none"), STAMP).unwrap(), Opened::Stale(_)));
    }

    #[test]
    fn a_damaged_or_half_written_file_is_an_error_not_a_count() {
        let (_dir, path) = written(&ratings());
        let whole = std::fs::read(&path).unwrap();
        let mut flipped = whole.clone();
        let at = whole.len() - 30;
        flipped[at] ^= 0x40;
        for (what, bytes) in [("a flipped bit", flipped), ("half the file", whole[..whole.len() / 2].to_vec()), ("no checksum", whole[..whole.len() - 4].to_vec())] {
            std::fs::write(&path, &bytes).unwrap();
            assert!(open(&path, STAMP).is_err(), "{what}");
        }
    }
}
