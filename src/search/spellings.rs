//! The other spellings of what a query names, from the catalog in the index.
//!
//! Texts are matched by their words' reading keys, so `yamada takayuki` already finds a post
//! that writes `山田孝之`, wherever IPADIC reads the name right. It does not read every name
//! right (`忽那汐里`), and no reading links an English title to its Japanese one or an alias to
//! the title. The catalog does: a drama carries its titles and aliases in every script, a
//! person their name in romaji and kanji, a role its character in both. So a query that names
//! one of them whole (or holds such a name among its words) also searches texts for each other
//! spelling in its place, matched as the typed words are: every word, scored by BM25.
//!
//! Only names given whole count, and only unambiguous ones: a key that more than
//! [`MAX_NAMED`] catalog documents hold (a character called only `Haruto`) expands to nothing,
//! or one common given name would search texts for a dozen unrelated kanji.

use crate::analysis::tokenizer::Word;
use crate::index::stored::{StoredDoc, StoredValues};
use crate::index::Store;
use crate::record::Record;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, Term, TERMINATED};

/// Words of a query beyond this many are not looked at for names (a query is a few words).
const MAX_SPAN_WORDS: usize = 8;
/// Catalog documents a name may belong to and still be expanded.
pub const MAX_NAMED: usize = 4;
/// Alternatives per query at most: each is one more text query.
pub const MAX_ALTERNATIVES: usize = 8;

/// The query written with each named span replaced by each of its other spellings, longest
/// named spans first, spans not overlapping. The spelling typed is among a name's spellings,
/// so an alternative may analyze to the typed words themselves: the caller drops those.
pub fn alternatives(store: &Store, searcher: &Searcher, q: &str, cut: &[Word]) -> Vec<String> {
    let n = cut.len().min(MAX_SPAN_WORDS);
    let (starts, ends) = span_bounds(&cut[..n]);
    let mut taken = vec![false; n];
    let mut out: Vec<String> = Vec::new();
    for len in (1..=n).rev() {
        for i in 0..=n - len {
            let j = i + len;
            if !starts[i] || !ends[j - 1] || taken[i..j].iter().any(|&t| t) {
                continue;
            }
            let keys = crate::analysis::suggest::whole_name_keys(&cut[i..j]);
            let names = spellings(store, searcher, &keys);
            if names.is_empty() {
                continue;
            }
            taken[i..j].iter_mut().for_each(|t| *t = true);
            let (before, after) = (&q[..cut[i].start], &q[cut[j - 1].end..]);
            for name in names {
                let alt = format!("{before} {name} {after}");
                if out.len() < MAX_ALTERNATIVES && !out.contains(&alt) {
                    out.push(alt);
                }
            }
        }
    }
    out
}

/// Where a named span may start and end. Anywhere, except inside a run of kana typed without a
/// break: the segmenter cuts such a run into pieces that are not words (`すぱいふぁみりー`), so
/// only the whole run can be a name; and each piece looked up would cost term lookups in
/// every segment for nothing.
fn span_bounds(cut: &[Word]) -> (Vec<bool>, Vec<bool>) {
    let n = cut.len();
    let joined = |i: usize| i + 1 < n && cut[i].japanese && cut[i + 1].japanese && cut[i].end == cut[i + 1].start;
    let (mut starts, mut ends) = (vec![true; n], vec![true; n]);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while joined(j) {
            j += 1;
        }
        // cut[i..=j] is one run of Japanese text.
        if j > i && cut[i..=j].iter().all(|w| crate::analysis::romaji::is_kana(&w.surface)) {
            starts[i + 1..=j].iter_mut().for_each(|s| *s = false);
            ends[i..j].iter_mut().for_each(|e| *e = false);
        }
        i = j + 1;
    }
    (starts, ends)
}

/// Every spelling of the one thing `keys` name whole: a drama's titles and aliases, a person's
/// names, or a character's names in the roles that name it. Empty if nothing is named, or too
/// many things are.
pub fn spellings(store: &Store, searcher: &Searcher, keys: &[String]) -> Vec<String> {
    let f = store.fields();
    // (document, found by a role, the key that found it)
    let mut found: Vec<(DocAddress, bool, &str)> = Vec::new();
    let mut docs: Vec<DocAddress> = Vec::new();
    for (field, by_role) in [(f.exact, false), (f.role_keys, true)] {
        for key in keys {
            let term = Term::from_field_text(field, key);
            if searcher.doc_freq(&term).unwrap_or(0) == 0 {
                continue;
            }
            // Read only until more than MAX_NAMED documents are named: a common given name is
            // the role key of thousands of characters, every one of which was collected (and
            // compared with every other) to learn that the name is too common to expand.
            for (ord, seg) in searcher.segment_readers().iter().enumerate() {
                let Ok(Some(mut postings)) = seg.inverted_index(field).map(|ii| ii.read_postings(&term, IndexRecordOption::Basic).ok().flatten()) else {
                    continue;
                };
                let alive = seg.alive_bitset();
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if alive.is_none_or(|a| a.is_alive(doc)) {
                        let a = DocAddress::new(ord as u32, doc);
                        if !found.iter().any(|&(b, r, _)| b == a && r == by_role) {
                            found.push((a, by_role, key));
                        }
                        if !docs.contains(&a) {
                            docs.push(a);
                            if docs.len() > MAX_NAMED {
                                return Vec::new();
                            }
                        }
                    }
                    doc = postings.advance();
                }
            }
        }
    }
    // In record-key order, so that two indexes of the same records expand a query alike.
    let mut named: Vec<(String, StoredDoc, bool, &str)> = found
        .into_iter()
        .filter_map(|(a, by_role, key)| {
            let doc = store.stored(searcher, a).ok()?;
            let id = doc.text(f.key).unwrap_or_default().to_string();
            Some((id, doc, by_role, key))
        })
        .collect();
    named.sort_by(|a, b| (&a.0, a.2, a.3).cmp(&(&b.0, b.2, b.3)));
    let mut out: Vec<String> = Vec::new();
    for (_, doc, by_role, key) in named {
        // A document's `names` are [`names_of`] its record, as indexed: only a role needs the
        // record itself, which for a person lists every role (23 KB of JSON for 250 roles).
        let names = if by_role {
            store.record_of(&doc).map_or_else(Vec::new, |rec| role_names(store, &rec, key))
        } else {
            doc.texts(f.names).map(str::to_string).collect()
        };
        for name in names {
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// Every name of a drama (title, English and Japanese titles, aliases) or person (name in
/// romaji and kanji, nicknames).
pub fn names_of(rec: &Record) -> Vec<String> {
    match rec {
        Record::Drama(d) => d.names().map(|(n, _)| n.to_string()).collect(),
        // A person's nicknames are names as much as the name is: `マツジュン` also finds the
        // texts that write `MatsuJun` or `松潤`.
        Record::Person(p) => [Some(&p.name), p.name_ja.as_ref()]
            .into_iter()
            .flatten()
            .chain(&p.aka)
            .filter(|n| !n.trim().is_empty())
            .cloned()
            .collect(),
        _ => Vec::new(),
    }
}

/// Both names of each role of a person whose character `key` names whole, or the part of it
/// `key` names ([`crate::analysis::names`]).
fn role_names(store: &Store, rec: &Record, key: &str) -> Vec<String> {
    let Record::Person(p) = rec else { return Vec::new() };
    let jp = store.japanese();
    let names_key = |c: &Option<String>| {
        c.as_deref().is_some_and(|c| crate::analysis::suggest::whole_keys(jp, c, false).iter().any(|k| k == key))
    };
    let mut out = Vec::new();
    for r in &p.dramas {
        if names_key(&r.character) || names_key(&r.character_ja) {
            out.extend([r.character.clone(), r.character_ja.clone()].into_iter().flatten());
            continue;
        }
        // One part of the character's name (`chiaki`): that part in both spellings.
        let (Some(c), Some(ja)) = (&r.character, &r.character_ja) else { continue };
        for (latin, kanji) in crate::analysis::names::name_parts(jp, c, ja) {
            if crate::analysis::names::part_keys(jp, &latin, &kanji).iter().any(|k| k == key) {
                out.extend([latin, kanji]);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::span_bounds;
    use crate::analysis::{tokenizer::words, Japanese};

    #[test]
    fn a_run_of_kana_is_named_whole_or_not_at_all() {
        let jp = Japanese::shared().unwrap();
        let cut = words(&jp, "すぱいふぁみりー ueno juri");
        let k = cut.iter().filter(|w| w.japanese).count();
        assert!(k > 1, "the segmenter cuts the kana run: {:?}", cut.iter().map(|w| &w.surface).collect::<Vec<_>>());
        let (starts, ends) = span_bounds(&cut);
        assert!(starts[0] && ends[k - 1]);
        assert!(starts[1..k].iter().all(|s| !s) && ends[..k - 1].iter().all(|e| !e));
        assert!(starts[k..].iter().chain(&ends[k..]).all(|&b| b), "Latin words bound spans anywhere");
        // A kanji run's words are real words: a name may be any of them.
        let cut = words(&jp, "上野樹里の演技");
        let (starts, ends) = span_bounds(&cut);
        assert!(starts.iter().chain(&ends).all(|&b| b));
    }
}
