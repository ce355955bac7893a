//! Fast-field columns of each segment, opened once per segment and kept while it lives.
//!
//! Opening a column is not free: a `u64` column's codec reads its block table (thousands of
//! entries in a segment of a million documents), and a string column's ordinals must be mapped
//! back to kinds. At scale 1 opening `seq` in every segment on every search was a seventh of a
//! query's time. Segments never change once written, so what is read from one holds until a
//! merge retires it.

use crate::record::Kind;
use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use super::stored::StoredDoc;
use tantivy::store::StoreReader;
use tantivy::{DocAddress, DocId, Searcher, SegmentReader};

/// Decompressed doc store blocks kept per segment. tantivy's default for a searcher is 100:
/// 1.6 MB a segment of 16 KB blocks, filled by any client that pages through distinct hits
/// (issue 27's cache flood peaked at 1.96-2.03× idle memory with it, against an aim of 2×).
/// A block costs some microseconds to decompress again, and the pages asked for most are
/// answered from the result cache without reading a document.
const DOC_CACHE_BLOCKS: usize = 16;

/// The columns a search reads per document of one segment.
pub struct SegmentColumns {
    /// Ingest order (the tie-break).
    pub seq: Column<u64>,
    /// The `kind` column, and each of its ordinals as an index into [`Kind::ALL`].
    kind: Option<StrColumn>,
    kind_of: Vec<Option<usize>>,
    /// The drama a document is (or is about), for the popularity boost.
    pub drama_id: Option<StrColumn>,
    /// The hash of each `drama_id` ordinal's id, made on first use: how filters, sorts and
    /// facets find a document's drama in [`crate::search::facts::Facts`].
    drama_keys: OnceLock<Vec<u64>>,
    /// A review's or rated comment's rating (0: none).
    pub rating: Column<u64>,
    /// `YYYYMMDD` (0: none), see [`crate::index::Fields::date`].
    pub date: Column<u64>,
    /// The order among equal scores ([`crate::index::document::tie_order`]).
    pub tie: Column<u64>,
    /// `kind:id` of every document ([`crate::index::document::key`]), opened by the first
    /// type-ahead that reads it: a search never does, and its dictionary costs memory.
    key: OnceLock<Option<StrColumn>>,
    /// The keys of the segment's dramas and people, read out of `key` by the first type-ahead.
    catalog_keys: OnceLock<CatalogKeys>,
    fast: tantivy::fastfield::FastFieldReaders,
    /// The segment's doc store, read by [`SegmentColumns::stored`]: the searcher's own readers
    /// are opened without a cache ([`super::Store`]), so the decompressed blocks are kept once.
    docs: StoreReader,
}

impl SegmentColumns {
    fn open(seg: &SegmentReader) -> tantivy::Result<SegmentColumns> {
        let kind = seg.fast_fields().str("kind")?;
        let kind_of = match &kind {
            Some(col) => (0..col.dictionary().num_terms() as u64)
                .map(|o| {
                    let mut s = String::new();
                    col.ord_to_str(o, &mut s).ok()?;
                    Kind::ALL.iter().position(|k| k.as_str() == s)
                })
                .collect(),
            None => Vec::new(),
        };
        Ok(SegmentColumns {
            seq: seg.fast_fields().u64("seq")?,
            kind,
            kind_of,
            drama_id: seg.fast_fields().str("drama_id")?,
            drama_keys: OnceLock::new(),
            rating: seg.fast_fields().u64("rating")?,
            date: seg.fast_fields().u64("date")?,
            tie: seg.fast_fields().u64("tie")?,
            key: OnceLock::new(),
            catalog_keys: OnceLock::new(),
            fast: seg.fast_fields().clone(),
            docs: seg.get_store_reader(DOC_CACHE_BLOCKS)?,
        })
    }

    /// The stored document `doc`, its values read as asked for ([`StoredDoc`]).
    pub fn stored(&self, doc: DocId) -> tantivy::Result<StoredDoc> {
        StoredDoc::read(&self.docs, doc)
    }

    /// Puts the document's `kind:id` in `out` (cleared first); false if it has none.
    ///
    /// A drama's or person's key is read from a table made once per segment, by the first
    /// type-ahead: looking a key up by its ordinal decodes the dictionary's block up to it, and
    /// a keystroke's sixty candidates cost 150 µs of its 180 that way at scale 1 (the
    /// dictionary holds every document's key). Dramas' and people's keys lie together in it
    /// (`drama:` and `person:` sort next to each other), so they are read out in one pass.
    pub fn key(&self, doc: DocId, out: &mut String) -> bool {
        out.clear();
        let Some(col) = self.key_column() else { return false };
        let Some(ord) = col.term_ords(doc).next() else { return false };
        if let Some(key) = self.catalog_keys.get_or_init(|| CatalogKeys::read(col)).get(ord) {
            out.push_str(key);
            return true;
        }
        col.ord_to_str(ord, out).unwrap_or(false)
    }

    fn key_column(&self) -> Option<&StrColumn> {
        self.key.get_or_init(|| self.fast.str("key").ok().flatten()).as_ref()
    }

    /// The hash of the id of the document's drama ([`crate::rank::ratings::key_hash`]).
    pub fn drama_key(&self, doc: DocId) -> Option<u64> {
        self.drama_keys().get(self.drama_ord(doc)? as usize).copied()
    }

    /// The ordinal of the document's drama in this segment's `drama_id` column.
    pub fn drama_ord(&self, doc: DocId) -> Option<u64> {
        self.drama_id.as_ref()?.term_ords(doc).next()
    }

    /// The hash of each `drama_id` ordinal's id, by ordinal.
    ///
    /// Read as one stream over the dictionary: looked up ordinal by ordinal, each id decoded
    /// its block from the start, and the first search after a start spent 1.5 billion
    /// instructions (most of its time) making this table at scale 1.
    pub fn drama_keys(&self) -> &[u64] {
        self.drama_keys.get_or_init(|| {
            let Some(col) = self.drama_id.as_ref() else { return Vec::new() };
            let dictionary = col.dictionary();
            let mut keys = Vec::with_capacity(dictionary.num_terms());
            if let Ok(mut stream) = dictionary.stream() {
                while stream.advance() {
                    // Ordinals are the stream's positions.
                    debug_assert_eq!(stream.term_ord(), keys.len() as u64);
                    keys.push(crate::rank::ratings::key_hash_bytes(stream.key()));
                }
            }
            keys
        })
    }

    /// The document's kind, as an index into [`Kind::ALL`].
    pub fn kind_index(&self, doc: DocId) -> Option<usize> {
        let o = self.kind.as_ref()?.term_ords(doc).next()?;
        self.kind_of.get(o as usize).copied().flatten()
    }

    /// The ordinal of `kind` in this segment's `kind` column (None: no document of it here).
    pub fn kind_ord(&self, kind: Kind) -> Option<u64> {
        let i = Kind::ALL.iter().position(|k| *k == kind)?;
        self.kind_of.iter().position(|k| *k == Some(i)).map(|o| o as u64)
    }

    pub fn kind_column(&self) -> Option<&StrColumn> {
        self.kind.as_ref()
    }

    /// How many kinds this segment holds.
    pub fn kinds_held(&self) -> usize {
        self.kind_of.len()
    }
}

/// The `key` column's keys of a run of ordinals, the dramas' and people's: the ordinal of the
/// first, and the keys in one string. Whatever the run holds is each ordinal's own key, so
/// a key read from it is the one the dictionary holds.
#[derive(Default)]
struct CatalogKeys {
    first: u64,
    text: String,
    /// Where each key ends in `text`.
    ends: Vec<u32>,
}

impl CatalogKeys {
    /// Every key from `drama:` up to the last `person:` one (`;` follows `:`). Should a key
    /// not be UTF-8, or the run outgrow a `u32` offset, the table is left empty and every key
    /// is looked up in the dictionary as before.
    fn read(col: &StrColumn) -> CatalogKeys {
        let mut keys = CatalogKeys::default();
        let Ok(mut stream) = col.dictionary().range().ge("drama:").lt("person;").into_stream() else { return keys };
        while stream.advance() {
            if keys.ends.is_empty() {
                keys.first = stream.term_ord();
            }
            let Ok(key) = std::str::from_utf8(stream.key()) else { return CatalogKeys::default() };
            keys.text.push_str(key);
            let Ok(end) = u32::try_from(keys.text.len()) else { return CatalogKeys::default() };
            keys.ends.push(end);
        }
        keys.text.shrink_to_fit();
        keys.ends.shrink_to_fit();
        keys
    }

    fn get(&self, ord: u64) -> Option<&str> {
        let i = usize::try_from(ord.checked_sub(self.first)?).ok()?;
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        Some(&self.text[start..end])
    }
}

/// Columns by segment, shared by every search of one index.
#[derive(Default)]
pub struct ColumnCache {
    by_segment: Mutex<FxHashMap<SegmentId, Arc<SegmentColumns>>>,
}

impl ColumnCache {
    /// The columns of each segment of `searcher`, in segment order; segments no longer in it
    /// are forgotten once the cache holds many more than it.
    pub fn for_searcher(&self, searcher: &Searcher) -> tantivy::Result<Vec<Arc<SegmentColumns>>> {
        let mut map = self.by_segment.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::with_capacity(searcher.segment_readers().len());
        for seg in searcher.segment_readers() {
            out.push(Self::of(&mut map, seg)?);
        }
        if map.len() > 2 * out.len() + 16 {
            let live: Vec<SegmentId> = searcher.segment_readers().iter().map(|s| s.segment_id()).collect();
            map.retain(|id, _| live.contains(id));
        }
        Ok(out)
    }

    /// The stored document at `addr` of `searcher`, read through its segment's kept doc store.
    pub fn stored(&self, searcher: &Searcher, addr: DocAddress) -> tantivy::Result<StoredDoc> {
        let cols = Self::of(&mut self.by_segment.lock().unwrap_or_else(|p| p.into_inner()), searcher.segment_reader(addr.segment_ord))?;
        cols.stored(addr.doc_id)
    }

    fn of(map: &mut FxHashMap<SegmentId, Arc<SegmentColumns>>, seg: &SegmentReader) -> tantivy::Result<Arc<SegmentColumns>> {
        let id = seg.segment_id();
        if let Some(c) = map.get(&id) {
            return Ok(c.clone());
        }
        let c = Arc::new(SegmentColumns::open(seg)?);
        map.insert(id, c.clone());
        Ok(c)
    }
}
