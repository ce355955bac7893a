//! What changed between two commits of one index, read from the segments themselves, so that a
//! replica moves its catalog and ratings by the difference instead of reloading everything.
//!
//! Segments never change, only their deletions do, so two commits differ by: segments added
//! (new records, or the survivors of a merge), segments gone (merged away), and documents
//! newly deleted in the segments both share (records replaced or deleted). The records that
//! left are removed from the in-memory state and those of the added segments applied: a record
//! a merge only moved leaves and comes back unchanged, at a cost in proportion to the merge,
//! which is in proportion to the bytes the replica had to copy anyway.

use super::IndexError;
use tantivy::{DocId, Searcher, SegmentReader};

/// The reader moved to a newer commit: what it served before and what it serves now.
pub struct Moved {
    pub old: Searcher,
    pub new: Searcher,
}

/// The records that left and the segments that came, between two commits.
#[derive(Debug, Default)]
pub struct Changes {
    /// The keys (`kind:id`) of documents the old commit served that the new one does not serve
    /// where they were: deleted, replaced, or moved by a merge into an added segment.
    pub gone: Vec<String>,
    /// Ordinals, in the new searcher, of the segments the old commit did not have.
    pub added: Vec<u32>,
}

impl Moved {
    pub fn changes(&self) -> Result<Changes, IndexError> {
        let mut out = Changes::default();
        for old in self.old.segment_readers() {
            let now = self.new.segment_readers().iter().find(|r| r.segment_id() == old.segment_id());
            match now {
                Some(now) if now.num_deleted_docs() == old.num_deleted_docs() => {}
                Some(now) => keys_of(old, |doc| is_alive(old, doc) && !is_alive(now, doc), &mut out.gone)?,
                None => keys_of(old, |doc| is_alive(old, doc), &mut out.gone)?,
            }
        }
        for (ord, new) in self.new.segment_readers().iter().enumerate() {
            if !self.old.segment_readers().iter().any(|r| r.segment_id() == new.segment_id()) {
                out.added.push(ord as u32);
            }
        }
        Ok(out)
    }
}

fn is_alive(seg: &SegmentReader, doc: DocId) -> bool {
    seg.alive_bitset().is_none_or(|a| a.is_alive(doc))
}

/// The keys of the documents of `seg` that `pick` selects, read from the key column.
fn keys_of(seg: &SegmentReader, pick: impl Fn(DocId) -> bool, out: &mut Vec<String>) -> Result<(), IndexError> {
    let Some(keys) = seg.fast_fields().str("key")? else { return Ok(()) };
    let mut key = String::new();
    for doc in (0..seg.max_doc()).filter(|&d| pick(d)) {
        if let Some(ord) = keys.term_ords(doc).next() {
            key.clear();
            if keys.ord_to_str(ord, &mut key)? {
                out.push(key.clone());
            }
        }
    }
    Ok(())
}
