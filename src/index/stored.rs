//! Stored documents read from the doc store's bytes: the values' places found in one pass,
//! a value's text read only when asked for.
//!
//! tantivy's deserializer copies every value of a document into a fresh string, through a
//! `Read` that probes and zero-fills as it grows. A person's document holds the whole record
//! and the analyzed tokens of every role it lists (55 KB for one with 250 roles): read whole
//! it cost 55-75 µs, though a hit shows its id, titles and one field's passage. A page of
//! twenty such people spent more on reading documents than on finding them. This reads the
//! layout tantivy 0.27 writes (`BinaryDocumentSerializer`: the number of values as a VInt,
//! then each value as its field id, a type code and the value) for the types this schema
//! stores, and refuses anything else as corrupt, so that a tantivy that writes otherwise fails
//! the test that reads every kind of document both ways
//! (`a_stored_document_reads_as_tantivy_reads_it`) rather than serving wrong text.

use std::borrow::Cow;
use tantivy::schema::{Field, Value};
use tantivy::{DocId, TantivyDocument};
use tantivy::directory::OwnedBytes;
use tantivy::store::StoreReader;

/// Values a document holds, as a stored document of either kind gives them.
pub trait StoredValues {
    /// Every text value of `field`, in the order written.
    fn texts(&self, field: Field) -> impl Iterator<Item = &str>;
    /// The first number of `field`.
    fn number(&self, field: Field) -> Option<u64>;
    fn text(&self, field: Field) -> Option<&str> {
        self.texts(field).next()
    }
    /// Every text value of `field` joined by `separator`; None when it has none.
    fn line(&self, field: Field, separator: &str) -> Option<Cow<'_, str>> {
        let values: Vec<&str> = self.texts(field).collect();
        match values.as_slice() {
            [] => None,
            [one] => Some(Cow::Borrowed(*one)),
            many => Some(Cow::Owned(many.join(separator))),
        }
    }
}

impl StoredValues for TantivyDocument {
    fn texts(&self, field: Field) -> impl Iterator<Item = &str> {
        self.get_all(field).filter_map(|v| v.as_str())
    }
    fn number(&self, field: Field) -> Option<u64> {
        self.get_first(field).and_then(|v| v.as_u64())
    }
}

/// One stored document, its bytes kept as the doc store's cache gave them.
pub struct StoredDoc {
    bytes: OwnedBytes,
    values: Vec<(Field, Place)>,
}

#[derive(Clone, Copy)]
enum Place {
    /// A text value's byte range in the document.
    Text(u32, u32),
    Number(u64),
}

/// The type codes this schema's stored fields are written with (tantivy's `type_codes`).
const TEXT_CODE: u8 = 0;
const U64_CODE: u8 = 1;

impl StoredDoc {
    /// Document `doc` of the segment whose doc store `store` reads.
    pub fn read(store: &StoreReader, doc: DocId) -> tantivy::Result<StoredDoc> {
        let bytes = store.get_document_bytes(doc)?;
        let values = places(bytes.as_slice()).ok_or_else(|| tantivy::TantivyError::InternalError(format!("stored document {doc}: not laid out as tantivy 0.27 writes text and u64 values")))?;
        Ok(StoredDoc { bytes, values })
    }
}

impl StoredValues for StoredDoc {
    fn texts(&self, field: Field) -> impl Iterator<Item = &str> {
        let bytes = self.bytes.as_slice();
        self.values.iter().filter(move |(f, _)| *f == field).filter_map(move |(_, p)| match *p {
            // Written from a `&str` and covered by the segment's checksum, but checked all the
            // same (with SIMD: std's check was a tenth of a person query): a value that is not
            // text is not shown.
            Place::Text(start, end) => simdutf8::basic::from_utf8(&bytes[start as usize..end as usize]).ok(),
            Place::Number(_) => None,
        })
    }
    /// The values' bytes joined first and checked as UTF-8 once: a person's cast line is
    /// hundreds of short values, each too short for the SIMD check, whose checks one by one
    /// were a tenth of a person query. A line with a value that is not text is not shown.
    fn line(&self, field: Field, separator: &str) -> Option<Cow<'_, str>> {
        let bytes = self.bytes.as_slice();
        let mut values = self.values.iter().filter_map(|(f, p)| match *p {
            Place::Text(start, end) if *f == field => Some(&bytes[start as usize..end as usize]),
            _ => None,
        });
        let first = values.next()?;
        let Some(second) = values.next() else {
            return simdutf8::basic::from_utf8(first).ok().map(Cow::Borrowed);
        };
        let mut joined = Vec::with_capacity(first.len() + separator.len() + second.len());
        joined.extend_from_slice(first);
        for v in std::iter::once(second).chain(values) {
            joined.extend_from_slice(separator.as_bytes());
            joined.extend_from_slice(v);
        }
        simdutf8::basic::from_utf8(&joined).ok().map(|line| Cow::Owned(line.to_owned()))
    }
    fn number(&self, field: Field) -> Option<u64> {
        self.values.iter().find_map(|(f, p)| match *p {
            Place::Number(n) if *f == field => Some(n),
            _ => None,
        })
    }
}

/// Where each value of a document lies; None when the bytes are not a document of text and
/// u64 values as tantivy writes them.
fn places(bytes: &[u8]) -> Option<Vec<(Field, Place)>> {
    let mut at = 0usize;
    let n = vint(bytes, &mut at)?;
    // Each value takes at least six bytes (field, type, one byte of value): a larger count is
    // not a document, and is not given a vector that large.
    if n > bytes.len() as u64 / 6 {
        return None;
    }
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let field = Field::from_field_id(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
        at += 4;
        let code = *bytes.get(at)?;
        at += 1;
        let place = match code {
            TEXT_CODE => {
                let len = usize::try_from(vint(bytes, &mut at)?).ok()?;
                let end = at.checked_add(len).filter(|&e| e <= bytes.len())?;
                let place = Place::Text(u32::try_from(at).ok()?, u32::try_from(end).ok()?);
                at = end;
                place
            }
            U64_CODE => {
                let n = u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?);
                at += 8;
                Place::Number(n)
            }
            _ => return None,
        };
        out.push((field, place));
    }
    (at == bytes.len()).then_some(out)
}

/// A VInt as tantivy writes it: seven bits a byte, low first, the last byte's high bit set.
fn vint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut out = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        out |= u64::from(b & 0x7f) << shift;
        if b & 0x80 != 0 {
            return Some(out);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_that_end_inside_a_value_or_hold_another_type_are_not_a_document() {
        // One text value of field 3: "ab".
        let doc = [0x81, 3, 0, 0, 0, TEXT_CODE, 0x82, b'a', b'b'];
        assert!(places(&doc).is_some());
        assert!(places(&doc[..8]).is_none(), "cut inside the text");
        let mut other = doc;
        other[5] = 9; // a bool
        assert!(places(&other).is_none());
        let mut longer = doc.to_vec();
        longer.push(0);
        assert!(places(&longer).is_none(), "bytes left over");
    }
}
