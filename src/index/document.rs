//! Records → tantivy documents: which text of a record goes to which tier.

use super::schema::Fields;
use super::stored::StoredValues;
use crate::analysis::suggest::{index_keys, whole_keys};
use crate::analysis::Japanese;
use crate::record::Record;
use tantivy::TantivyDocument;

/// What starts the `exact` keys of a drama's titles, kept beside the same keys unmarked.
pub const TITLE_MARK: char = '=';

/// The document for one record. `seq` is its place in ingest order.
pub fn to_document(f: &Fields, jp: &Japanese, rec: &Record, seq: u64) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    let kind = rec.kind();
    let id = rec.id();
    doc.add_text(f.key, key(kind.as_str(), &id));
    doc.add_text(f.kind, kind.as_str());
    doc.add_text(f.id, &id);
    if let Some(d) = rec.drama_id() {
        doc.add_text(f.drama_id, d);
    }
    if let Some(a) = rec.author() {
        doc.add_text(f.author, a);
    }
    doc.add_u64(f.rating, rec.rating().map(|(_, r)| r as u64).unwrap_or(0));
    doc.add_u64(f.seq, seq);
    let date = match rec {
        Record::Drama(d) => d.start.as_deref(),
        Record::Review(r) => r.date.as_deref(),
        Record::Comment(c) => c.date.as_deref(),
        Record::Post(p) => p.date.as_deref(),
        Record::Vote(_) | Record::Person(_) => None,
    };
    doc.add_u64(f.date, date.and_then(crate::record::date_number).map_or(0, u64::from));
    let name = match rec {
        Record::Drama(d) => Some(d.title.as_str()),
        Record::Person(p) => Some(p.name.as_str()),
        _ => None,
    };
    doc.add_u64(f.tie, tie_order(name, seq));
    doc.add_text(f.record, serde_json::to_string(rec).unwrap_or_default());
    let mut suggest: Vec<String> = Vec::new();
    let mut exact: Vec<String> = Vec::new();
    let mut roles: Vec<String> = Vec::new();
    let mut add = |field, s: &Option<String>| {
        if let Some(s) = s.as_deref().filter(|s| !s.trim().is_empty()) {
            doc.add_text(field, s);
        }
    };
    match rec {
        Record::Drama(d) => {
            add(f.title, &Some(d.title.clone()));
            add(f.title_ja, &d.title_ja);
            for (n, is_title) in d.names() {
                suggest.extend(index_keys(jp, n, false));
                let mut keys = whole_keys(jp, n, false);
                // `Koukaku Kidoutai (TV)`, `Hunter x Hunter (2011)`: the qualifier tells
                // dramas of one name apart, and is not typed by a fan naming the drama.
                if let Some(bare) = without_qualifier(n) {
                    keys.extend(whole_keys(jp, bare, false));
                }
                keys.extend(crate::analysis::loanword::name_key(n));
                // A title (not an alias) is also kept marked as one: what a drama is called
                // beats what it is also called, when a query equals both.
                if is_title {
                    exact.extend(keys.iter().map(|k| format!("{TITLE_MARK}{k}")));
                }
                exact.extend(keys);
                add(f.names, &Some(n.to_string()));
            }
            for c in &d.cast {
                add(f.cast, &c.actor);
                add(f.cast, &c.actor_ja);
                for a in &c.actor_aka {
                    add(f.cast, &Some(a.clone()));
                }
                add(f.cast, &c.character);
                add(f.cast, &c.character_ja);
            }
            for s in &d.songs {
                add(f.cast, &s.title);
                add(f.cast, &s.title_ja);
                add(f.cast, &s.artist);
                add(f.cast, &s.artist_ja);
            }
            add(f.synopsis, &d.synopsis);
            add(f.synopsis, &d.station);
            add(f.synopsis, &d.season);
        }
        Record::Person(p) => {
            add(f.title, &Some(p.name.clone()));
            add(f.title_ja, &p.name_ja);
            add(f.names, &Some(p.name.clone()));
            add(f.names, &p.name_ja);
            suggest.extend(index_keys(jp, &p.name, true));
            exact.extend(whole_keys(jp, &p.name, true));
            if let Some(ja) = &p.name_ja {
                suggest.extend(index_keys(jp, ja, false));
                exact.extend(whole_keys(jp, ja, false));
            }
            // Nicknames are names: searched, suggested and matched whole like the name.
            for a in &p.aka {
                add(f.names, &Some(a.clone()));
                suggest.extend(index_keys(jp, a, false));
                exact.extend(whole_keys(jp, a, false));
            }
            for r in &p.dramas {
                add(f.cast, &r.character);
                add(f.cast, &r.character_ja);
                for c in [&r.character, &r.character_ja].into_iter().flatten() {
                    roles.extend(whole_keys(jp, c, false));
                }
                // And each part of it: fans call `Chiaki Shinichi` / `千秋真一` `千秋`.
                if let (Some(c), Some(ja)) = (&r.character, &r.character_ja) {
                    for (latin, kanji) in crate::analysis::names::name_parts(jp, c, ja) {
                        roles.extend(crate::analysis::names::part_keys(jp, &latin, &kanji));
                    }
                }
            }
        }
        Record::Review(r) => {
            add(f.title, &r.title);
            add(f.text, &r.title);
            add(f.text, &Some(r.body.clone()));
        }
        Record::Comment(c) => add(f.text, &Some(c.body.clone())),
        Record::Vote(v) => add(f.text, &Some(v.body.clone())),
        Record::Post(p) => {
            add(f.title, &Some(p.topic.clone()));
            add(f.text, &Some(p.topic.clone()));
            add(f.text, &Some(p.body.clone()));
        }
    }
    roles.sort();
    roles.dedup();
    for k in roles {
        doc.add_text(f.role_keys, k);
    }
    if let Record::Post(p) = rec {
        if p.drama_id.is_none() {
            doc.add_text(f.tags, super::schema::UNLINKED);
        }
    }
    exact.sort();
    exact.dedup();
    for k in exact {
        doc.add_text(f.exact, k);
    }
    if !suggest.is_empty() {
        suggest.sort();
        suggest.dedup();
        doc.add_text(f.suggest, suggest.join(" "));
    }
    if matches!(rec, Record::Drama(_) | Record::Person(_)) {
        for field in [f.names, f.cast, f.synopsis] {
            if let Some(tokens) = stored_tokens(jp, &doc, field) {
                doc.add_text(f.tokens, tokens);
            }
        }
    }
    doc
}

/// How a snippet shows several values of one field: as one line.
pub const VALUE_SEPARATOR: &str = " · ";

/// A field's values as the one line a snippet is cut from (and stored tokens are placed in):
/// joined by [`VALUE_SEPARATOR`]; None when the field has no text value.
pub fn field_line(doc: &impl StoredValues, field: tantivy::schema::Field) -> Option<std::borrow::Cow<'_, str>> {
    doc.line(field, VALUE_SEPARATOR)
}

/// One field's terms as the analyzer gives them, with their byte ranges in the field's values
/// joined by [`VALUE_SEPARATOR`] (the text a snippet is cut from), as text: the field's id on
/// the first line, then `start end term` a line. Stored for dramas and people: their snippets
/// mark terms only the analyzer can see (`chuushin` in `中心`), and analyzing a cast list with
/// lindera on every search cost more than the search. Terms hold no whitespace (the analyzer
/// cuts there), so a line splits on its first two spaces.
fn stored_tokens(jp: &Japanese, doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    use std::fmt::Write;
    let text = field_line(doc, field)?;
    let mut out = field.field_id().to_string();
    for t in crate::analysis::analyze_names(jp, &text) {
        let _ = write!(out, "\n{} {} {}", t.start, t.end, t.text);
    }
    Some(out)
}

/// The stored tokens of a document ([`stored_tokens`]), read only when a snippet needs them.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tokens<'a> {
    fields: [Option<(u32, &'a str)>; 3],
}

impl<'a> Tokens<'a> {
    /// The stored tokens of a document, if it has any.
    pub fn stored(f: &Fields, doc: &'a impl StoredValues) -> Option<Tokens<'a>> {
        let mut out = Tokens::default();
        for (slot, v) in out.fields.iter_mut().zip(doc.texts(f.tokens)) {
            let (id, rest) = v.split_once('\n').unwrap_or((v, ""));
            *slot = id.parse().ok().map(|id| (id, rest));
        }
        out.fields[0].is_some().then_some(out)
    }

    /// One field's stored tokens: `start end term` lines in text order.
    pub fn field_text(&self, field: tantivy::schema::Field) -> Option<&'a str> {
        self.fields.iter().flatten().find(|(id, _)| *id == field.field_id()).map(|(_, t)| *t)
    }
}

pub fn key(kind: &str, id: &str) -> String {
    format!("{kind}:{id}")
}

/// The order of a document among equal scores, higher first: a drama or person by the shorter
/// name (`Gintama` before `Gintama.`, a season's title before the longer one of its sequel),
/// then by ingest order, newest first; a text by ingest order alone. Stable across rebuilds of
/// the same records, unlike a document's address.
pub fn tie_order(name: Option<&str>, seq: u64) -> u64 {
    const SEQ_BITS: u32 = 40;
    let seq = seq & ((1 << SEQ_BITS) - 1);
    match name {
        Some(n) => ((0xFFFF - n.chars().count().min(0xFFFF) as u64) << SEQ_BITS) | seq,
        None => seq,
    }
}

/// A name without its trailing parenthesized qualifier (`Koukaku Kidoutai (TV)` →
/// `Koukaku Kidoutai`), if it has one and something is left before it.
fn without_qualifier(name: &str) -> Option<&str> {
    let name = name.trim_end();
    let close = name.chars().last().filter(|c| matches!(c, ')' | '）'))?;
    let open = if close == ')' { '(' } else { '（' };
    let start = name.rfind(open)?;
    let inner = &name[start + open.len_utf8()..name.len() - close.len_utf8()];
    let bare = name[..start].trim_end();
    (!bare.is_empty() && !inner.trim().is_empty() && !inner.contains(['(', ')', '（', '）'])).then_some(bare)
}

#[cfg(test)]
mod tests {
    use super::{tie_order, without_qualifier};

    #[test]
    fn among_equal_scores_a_shorter_name_comes_first_then_the_newer() {
        assert!(tie_order(Some("Gintama"), 1) > tie_order(Some("Gintama."), 2));
        assert!(tie_order(Some("Gintama"), 2) > tie_order(Some("Gintama"), 1));
        assert!(tie_order(None, 9) > tie_order(None, 8));
        assert!(tie_order(Some("銀魂"), 1) > tie_order(Some("Gintama"), 1), "characters, not bytes");
    }

    #[test]
    fn a_trailing_qualifier_is_not_part_of_the_name() {
        assert_eq!(without_qualifier("Koukaku Kidoutai (TV)"), Some("Koukaku Kidoutai"));
        assert_eq!(without_qualifier("Hunter x Hunter (2011) "), Some("Hunter x Hunter"));
        assert_eq!(without_qualifier("銀魂（2011）"), Some("銀魂"));
        assert_eq!(without_qualifier("(TV)"), None);
        assert_eq!(without_qualifier("Gintama ()"), None);
        assert_eq!(without_qualifier("[Oshi no Ko]"), None);
        assert_eq!(without_qualifier("Fate (stay) night"), None);
    }
}
