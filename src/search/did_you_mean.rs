//! "Did you mean": a query that matched only through typos, or found no document with all its
//! words, rewritten in the words of the name it came closest to.
//!
//! The index's terms are analyzed forms (canonical romaji, readings), not something to show a
//! fan; the names the catalog holds are. So the rewrite is taken from the best dramas and people
//! the query did find (through a typo, or through some of its words): each Latin word of the
//! query is replaced by the word of the name it equals in canonical romaji or is a typo of, and
//! a name is only used if it accounts for every word the index does not know as typed. `sekai
//! no chushin de ai wo sakebe` becomes `sekai no chuushin de ai wo sakebu`, the spelling of the
//! title. The caller keeps the rewrite only if it matches as typed and finds at least what the
//! query found.

use super::query::typo_distance;
use crate::analysis::normalize::fold_str;
use crate::analysis::romaji::canonical;
use crate::index::{Fields, Store};
use crate::record::Record;
use tantivy::{DocAddress, Searcher, Term};

/// Catalog candidates whose names are tried, best first.
pub const CANDIDATES: usize = 5;

/// Whether every word has some term that some document holds, in any tier.
pub fn words_known(searcher: &Searcher, f: &Fields, words: &[crate::analysis::query::QueryWord]) -> bool {
    words.iter().all(|w| word_known(searcher, f, w))
}

/// Known as typed: by a form of the word, not by its English stem (`cantabil` is the stem of
/// `cantabile`, and a typo of it all the same).
fn word_known(searcher: &Searcher, f: &Fields, word: &crate::analysis::query::QueryWord) -> bool {
    let stem = |t: &&String| t.starts_with(crate::analysis::stem::STEM_MARK);
    let as_typed = word.all_terms().filter(|t| !stem(t)).chain(word.text.iter().filter(|t| !t.is_ascii()));
    as_typed.chain(word.text.first().filter(|t| !stem(t))).any(|t| {
        [f.names, f.cast, f.synopsis, f.text].iter().any(|&field| searcher.doc_freq(&Term::from_field_text(field, t)).unwrap_or(0) > 0)
    })
}

/// The query rewritten in the words of the first of `candidates` (dramas and people, best
/// first) whose names account for every word of the query the index does not know; None if
/// none does or the rewrite changes nothing.
pub fn rewrite(store: &Store, searcher: &Searcher, q: &str, candidates: &[DocAddress]) -> Option<String> {
    let jp = store.japanese();
    let f = store.fields();
    let typed: Vec<&str> = q.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let unknown: Vec<bool> = typed
        .iter()
        .map(|w| {
            let (words, _) = super::query_words(jp, w);
            !words.is_empty() && !words_known(searcher, f, &words)
        })
        .collect();
    for &addr in candidates.iter().take(CANDIDATES) {
        let Ok(doc) = store.stored(searcher, addr) else { continue };
        let names: Vec<String> = match store.record_of(&doc) {
            Some(Record::Drama(d)) => d.names().map(|(n, _)| n.to_string()).collect(),
            Some(Record::Person(p)) => std::iter::once(p.name).chain(p.name_ja).collect(),
            _ => continue,
        };
        let name_words: Vec<String> = names
            .iter()
            .flat_map(|n| fold_str(n).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect::<Vec<_>>())
            .filter(|w| w.is_ascii())
            .collect();
        let mut out = Vec::with_capacity(typed.len());
        let mut accounted = true;
        for (w, &unknown) in typed.iter().zip(&unknown) {
            match closest(w, &name_words) {
                Some(n) => out.push(n.to_string()),
                None if unknown => {
                    accounted = false;
                    break;
                }
                None => out.push(w.to_lowercase()),
            }
        }
        let rewritten = out.join(" ");
        let original: Vec<String> = typed.iter().map(|w| w.to_lowercase()).collect();
        if accounted && rewritten != original.join(" ") {
            return Some(rewritten);
        }
    }
    None
}

/// The name word a typed Latin word is: the same in canonical romaji, else the nearest within
/// the typo distance of its length.
fn closest<'a>(typed: &str, name_words: &'a [String]) -> Option<&'a str> {
    let folded = fold_str(typed).to_lowercase();
    if !folded.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let key = canonical(&folded);
    if let Some(same) = name_words.iter().find(|n| canonical(n) == key) {
        return Some(same);
    }
    let allowed = typo_distance(&key) as usize;
    name_words
        .iter()
        .map(|n| (edit_distance(&key, &canonical(n)), n))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n.as_str())
}

/// Levenshtein distance over bytes (the words compared are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{closest, edit_distance};

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("sakebe", "sakebu"), 1);
        assert_eq!(edit_distance("takayki", "takayuki"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn a_typed_word_becomes_the_name_word_it_spells_or_misspells() {
        let names: Vec<String> = ["sekai", "no", "chuushin", "de", "ai", "wo", "sakebu"].iter().map(|s| s.to_string()).collect();
        assert_eq!(closest("chushin", &names), Some("chuushin"));
        assert_eq!(closest("sakebe", &names), Some("sakebu"));
        assert_eq!(closest("Sekai", &names), Some("sekai"));
        assert_eq!(closest("kimura", &names), None);
    }
}
