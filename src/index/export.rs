//! Every record of one commit, as NDJSON in the record format, in the order it was applied.
//!
//! The order matters: `index` gives records their `seq` in file order, and `seq` decides which
//! of a user's ratings of a drama counts (the last) and how equal scores are ordered. Written
//! in `seq` order, a dump read back by `index` makes an index with the same records, the same
//! answers and the same Top 100 lists; ratings that lost to a later one are exported too.
//! People are not exported: they are derived from the dramas' casts and derived again.
//!
//! One [`Searcher`] is one commit: a reader of it sees nothing written after, so an export
//! taken while the server ingests is consistent (the command line opens the index with
//! [`super::Store::open_read_only`], beside the server). Only the `(seq, document)` pairs of the
//! exported kinds are held (16 bytes a record); the records are streamed from the document
//! store, each written as it was stored.

use super::schema::Fields;
use super::IndexError;
use crate::record::Kind;
use std::io::Write;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocSet, Searcher, TantivyDocument, Term};

/// The kinds an export holds by default: every kind a client writes.
pub const KINDS: [Kind; 5] = [Kind::Drama, Kind::Review, Kind::Comment, Kind::Vote, Kind::Post];

/// Writes the records of `kinds` in `searcher`'s commit to `out`, one per line, in the order
/// they were applied. Returns how many were written.
pub fn write(searcher: &Searcher, fields: &Fields, kinds: &[Kind], out: &mut impl Write) -> Result<usize, IndexError> {
    let n = for_each(searcher, fields, kinds, |_, record| {
        out.write_all(record.as_bytes())?;
        out.write_all(b"\n")?;
        Ok(())
    })?;
    out.flush()?;
    Ok(n)
}

/// Hands every record of `kinds` in `searcher`'s commit to `visit`, with its `seq`, as stored
/// (JSON in the record format), in the order the records were applied. Returns how many.
pub fn for_each(
    searcher: &Searcher,
    fields: &Fields,
    kinds: &[Kind],
    mut visit: impl FnMut(u64, &str) -> Result<(), IndexError>,
) -> Result<usize, IndexError> {
    let mut order: Vec<(u64, u32, u32)> = Vec::new();
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        let seqs = seg.fast_fields().u64("seq")?;
        let inv = seg.inverted_index(fields.kind)?;
        let alive = seg.alive_bitset();
        for kind in kinds {
            let term = Term::from_field_text(fields.kind, kind.as_str());
            let Some(mut postings) = inv.read_postings(&term, IndexRecordOption::Basic)? else { continue };
            let mut doc = postings.doc();
            while doc != tantivy::TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    order.push((seqs.first(doc).unwrap_or(0), ord as u32, doc));
                }
                doc = postings.advance();
            }
        }
    }
    order.sort_unstable();
    let stores = searcher.segment_readers().iter().map(|s| s.get_store_reader(16)).collect::<Result<Vec<_>, _>>()?;
    for &(seq, seg, doc) in &order {
        let d: TantivyDocument = stores[seg as usize].get(doc)?;
        visit(seq, d.get_first(fields.record).and_then(|v| v.as_str()).unwrap_or_default())?;
    }
    Ok(order.len())
}
