//! From analyzed query words to a tantivy query.

use crate::analysis::loanword;
use crate::analysis::query::{without_glue, QueryWord, TextWord};
use crate::analysis::Japanese;
use super::catalog_lists::{AnyOf, CatalogQuery, Typos, Word};
use crate::index::Fields;
use std::sync::Arc;
use tantivy::query::{
    BooleanQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

pub use crate::analysis::query::MAX_WORDS;

/// The cross-script features a query may use beyond plain word matching. All are on in the
/// service; the benchmark turns them off to measure what they cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Features {
    /// The whole query read as the start of a name (kana or romaji typed without spaces).
    pub whole_names: bool,
    /// Typo expansion of words that are not names as typed.
    pub typos: bool,
    /// A name the query holds also searched in texts by its other spellings
    /// ([`super::spellings`]).
    pub spellings: bool,
}

impl Features {
    pub const ALL: Features = Features { whole_names: true, typos: true, spellings: true };
    pub const NONE: Features = Features { whole_names: false, typos: false, spellings: false };
}

impl Default for Features {
    fn default() -> Self {
        Features::ALL
    }
}

/// The fixed-score tiers, which only dramas and people have; see the module doc of
/// [`crate::search`]. Review text is the fourth tier, searched apart ([`text`]).
pub fn catalog_tiers(f: &Fields) -> [(Field, f32); 3] {
    [(f.names, NAMES), (f.cast, CAST), (f.synopsis, SYNOPSIS)]
}

/// Per-word scores of the fixed tiers. BM25 of one word stays under about 2.2·ln(1+N), which
/// is 35 for N = 10 million documents, so a synopsis match (50) outranks any text match.
pub const NAMES: f32 = 400.0;
pub const CAST: f32 = 150.0;
pub const SYNOPSIS: f32 = 50.0;
/// A word matching a name or cast entry only with a typo scores below an exact match of the
/// next tier down, so typos never outrank exact matches.
pub const NAMES_TYPO: f32 = 140.0;
pub const CAST_TYPO: f32 = 45.0;
/// A whole query read as one name (kana typed without spaces, romaji run together):
/// matched against the type-ahead keys, scored like a name match of every word.
pub const WHOLE_NAME: f32 = NAMES;
/// A whole query equal to a whole title, alias or person name, on top of its word matches:
/// `kingdom` is the title `Kingdom` before `Magi: The Kingdom of Magic`, whatever their
/// popularity (the boost multiplies a score by at most about 1.6).
pub const EXACT_NAME: f32 = 200.0;

/// On top of [`EXACT_NAME`] (or a loanword key's whole-name match), when the name the query
/// equals is one of the drama's titles and not only an alias: `fate stay night` is the drama
/// titled so before a later season that lists it among its aliases. Less than any tier step.
pub const TITLE_NAME: f32 = 30.0;

/// Longest word matched with typos. A Levenshtein automaton's build grows with the word (a
/// 1,000-letter word cost 70 ms and 60 MB); no name's key is this long, and a word longer than
/// any name cannot be a typo of one.
pub const MAX_TYPO_LETTERS: usize = 32;

/// Words of one query matched with typos, the first ones that qualify: the query's whole edit
/// budget, so that sixteen long words do not build thirty-two automata.
pub const MAX_TYPO_WORDS: usize = 4;

/// Edits allowed for a typo in a Latin word: 1 from 5 letters, 2 from 9, none past
/// [`MAX_TYPO_LETTERS`].
pub fn typo_distance(key: &str) -> u8 {
    let n = key.chars().count();
    if !key.is_ascii() || key.bytes().any(|b| b.is_ascii_digit()) || n > MAX_TYPO_LETTERS {
        0
    } else if n >= 9 {
        2
    } else if n >= 5 {
        1
    } else {
        0
    }
}

/// A query's words as the analyzer reads them, glue words dropped when others remain.
pub fn words(jp: &Japanese, q: &str) -> Vec<QueryWord> {
    let cut = crate::analysis::tokenizer::words(jp, q);
    without_glue(crate::analysis::query::query_words(jp, &cut))
}

/// One word in the catalog tiers, by its best field: the best of its terms in the best tier it
/// matches (a Japanese word's surface and reading both matching count once). A word scores
/// once, not once per field: summed over fields, a sequel whose synopsis says "the sequel to
/// X" outscored X itself on the words of X's title.
fn catalog_word(f: &Fields, word: &QueryWord, searcher: &Searcher, typos: bool) -> Word {
    let in_catalog = |t: &String| {
        [f.names, f.cast, f.synopsis].iter().any(|&fl| searcher.doc_freq(&Term::from_field_text(fl, t)).unwrap_or(0) > 0)
    };
    // A kanji word's reading only where the catalogue has no form of the word as written:
    // `山田孝之` reaches a cast list in romaji, but `愛` does not reach `相武` (read `ai`).
    let mut terms: Vec<&String> = word.names.iter().collect();
    if let Some(r) = &word.reading {
        if !word.names.iter().any(in_catalog) {
            terms.push(r);
        }
    }
    let mut best = Word::default();
    for (field, weight) in catalog_tiers(f) {
        best.terms.extend(terms.iter().map(|t| (Term::from_field_text(field, t), weight)));
    }
    // Typos, in names and casts only: long texts would match too much by accident. The
    // canonical key is what is compared, so `chuushin`/`chushin` are not even a typo. A word
    // that is a name or cast term as typed is taken as typed: no fuzzy expansion, which is
    // what keeps the common case free of its cost.
    let known = |t: &&String| {
        [f.names, f.cast].iter().any(|&fl| searcher.doc_freq(&Term::from_field_text(fl, t)).unwrap_or(0) > 0)
    };
    if !typos || terms.iter().any(known) {
        return best;
    }
    // Only the word's key, the first of its terms: a Levenshtein automaton costs its build for
    // every term it is made for, and the stem and marked reading of a word add nothing a typo
    // of its key does not already reach in names written in romaji.
    // One automaton for both fields: its build is most of a typo's cost (a 14-letter word at
    // two edits, `cinematography`, took a quarter of the query to build twice).
    let dfa = terms.first().filter(|t| typo_distance(t) > 0).and_then(|t| {
        FuzzyTermQuery::new(Term::from_field_text(f.names, t), typo_distance(t), true).automaton().ok().map(Arc::new)
    });
    if let Some(dfa) = dfa {
        for (field, score) in [(f.names, NAMES_TYPO), (f.cast, CAST_TYPO)] {
            best.typos.push(Typos { field, dfa: dfa.clone(), score });
        }
    }
    best
}

/// The query over dramas and people: every word (`all = true`) or any word matching in a
/// catalog tier; or the whole query matching a name from its start (`whole_keys`, the
/// type-ahead keys of the query), which is how kana typed without spaces (`せかいのちゅうしん`)
/// finds `世界の中心で…` whatever the analyzer made of it. These documents number in the tens of
/// thousands, so every match is scored, from its terms' postings read whole
/// ([`super::catalog_lists`]).
pub fn catalog(
    f: &Fields,
    searcher: &Searcher,
    words: &[QueryWord],
    all: bool,
    whole_keys: &[String],
    features: Features,
) -> CatalogQuery {
    let mut typo_words = 0;
    let words: Vec<Word> = words
        .iter()
        .map(|w| {
            let typos = features.typos && typo_words < MAX_TYPO_WORDS && w.names.first().is_some_and(|k| typo_distance(k) > 0);
            typo_words += usize::from(typos);
            catalog_word(f, w, searcher, typos)
        })
        .collect();
    let n_words = words.len();
    let mut q = CatalogQuery { words, all, whole: Vec::new(), titled: None };
    if !features.whole_names {
        return q;
    }
    let (loan, whole_keys): (Vec<String>, Vec<String>) =
        whole_keys.iter().cloned().partition(|k| k.starts_with(loanword::PREFIX));
    let whole_keys = &whole_keys[..];
    // Only keys some name holds: an outer union with a clause that matches nothing still
    // walks every match of the words through one more scorer layer.
    let whole = present_keys(searcher, f.suggest, whole_keys);
    let exact = present_keys(searcher, f.exact, whole_keys);
    // A loanword key is only ever a whole name's (held in `exact`): it scores as the name read
    // whole and covered exactly, as the kana typed for a katakana title does.
    let loaned = present_keys(searcher, f.exact, &loan);
    if whole.is_empty() && exact.is_empty() && loaned.is_empty() {
        return q;
    }
    // The query read as one name counts once, by its best reading: the start of a name, a
    // whole name, or the sound of an English one. Not as a bonus on the words: kana typed in
    // one run is cut into words no title holds (`なつめゆうじんちょう` into `ナ ツメ ユウ…`),
    // and covering `Natsume Yuujinchou` whole must still beat starting its sequels' names.
    // Not added up either: a sequel's alias that the kana starts *and* whose consonants it
    // shares (`Natsume Yuujinchou Two`) would score twice what the name spelled exactly does.
    let score = WHOLE_NAME * n_words.max(1) as f32;
    for (terms, score) in [(whole, score), (exact, score + EXACT_NAME), (loaned, score + EXACT_NAME)] {
        if !terms.is_empty() {
            q.whole.push(AnyOf { terms, score });
        }
    }
    let mut title_keys = whole_keys.to_vec();
    title_keys.extend(loan);
    q.titled = titled(searcher, f, &title_keys);
    q
}

/// [`TITLE_NAME`] for a drama one of whose titles (not only an alias) has one of `keys` as its
/// whole key, if any does.
fn titled(searcher: &Searcher, f: &Fields, keys: &[String]) -> Option<AnyOf> {
    let marked: Vec<String> = keys.iter().map(|k| format!("{}{k}", crate::index::document::TITLE_MARK)).collect();
    let titles = present_keys(searcher, f.exact, &marked);
    (!titles.is_empty()).then_some(AnyOf { terms: titles, score: TITLE_NAME })
}

/// The terms of `keys` in `field` that some document holds.
fn present_keys(searcher: &Searcher, field: Field, keys: &[String]) -> Vec<Term> {
    keys.iter().map(|k| Term::from_field_text(field, k)).filter(|t| searcher.doc_freq(t).unwrap_or(1) > 0).collect()
}

/// The terms texts are searched by, a word at a time (any of a word's terms matches it):
/// the words' [`QueryWord::text`] terms that some text holds (a term no text holds would only
/// turn a plain term query, which block-max WAND prunes, into a union that it cannot), and a
/// word read by sound that no text holds whole cut again by the words the index does hold
/// ([`recut`]): `saishuukai` and `さいしゅうかい` are `saisyuu` + `kai` in `最終回`.
///
/// `words` are all the query's words, glue words too (a kana run is read whole with its
/// particles); glue words are then left out unless the query has nothing else.
pub fn text_lookup(searcher: &Searcher, f: &Fields, words: &[QueryWord]) -> Vec<TextWord> {
    text_lookup_runs(searcher, f, words).0
}

/// A run of a query's words that [`text_lookup`] read whole by sound: where it is in the
/// words, and the keys it was cut into.
pub struct RunReadWhole {
    pub words: std::ops::Range<usize>,
    pub keys: Vec<String>,
}

/// [`text_lookup`], and the runs of kana it read whole.
pub fn text_lookup_runs(searcher: &Searcher, f: &Fields, words: &[QueryWord]) -> (Vec<TextWord>, Vec<RunReadWhole>) {
    let mut runs = Vec::new();
    let only_glue = words.iter().all(|w| w.glue);
    let held = |t: &str| searcher.doc_freq(&Term::from_field_text(f.text, t)).unwrap_or(0) > 0;
    let mut out: Vec<TextWord> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        // A run of kana the analyzer cut into words no text holds (`さ` `いしゅう` `かい`) is
        // read whole, then cut by the index's words.
        let run_end = (i + 1..words.len()).find(|&j| !words[j].joins_previous).unwrap_or(words.len());
        let run = &words[i..run_end];
        let lost = |w: &QueryWord| w.by_reading && !w.glue && !w.text.iter().any(|t| held(t));
        let key: String = run.iter().filter_map(|w| w.text.first()).map(String::as_str).collect();
        // Cut without the context of a sentence, kana is cut by guesswork (`なみだ` into `なみ`
        // `だ`, `どうみょうじ` into three): a run the index holds whole as one word's reading
        // is that word (`namida` is `涙`), whatever the pieces would also match (`なみ`, `波`).
        let whole = run.len() > 1 && key.is_ascii() && held(&key);
        if w.by_reading && (whole || run.iter().any(lost)) {
            if let Some(pieces) = recut(&key, &held) {
                runs.push(RunReadWhole { words: i..run_end, keys: pieces.clone() });
                out.extend(pieces.into_iter().map(|p| TextWord::any_of(vec![p])));
                i = run_end;
                continue;
            }
        }
        if w.glue && !only_glue {
            i += 1;
            continue;
        }
        let present: Vec<String> = w.text.iter().filter(|t| held(t)).cloned().collect();
        let terms = if present.is_empty() { w.text.iter().take(1).cloned().collect() } else { present };
        out.push(TextWord { terms, exact: w.exact.clone().filter(|t| held(t)) });
        i += 1;
    }
    out.retain(|w| !w.terms.is_empty());
    (out, runs)
}

/// Longest key [`recut`] looks up whole, in characters.
const RECUT_MAX_PIECE: usize = 16;

/// A reading key cut into the fewest keys the index holds (`saisyuukai` → `saisyuu` `kai`;
/// one, when the index holds it whole: the kana `なみだ` that IPADIC cuts `な` `みだ` is
/// `namida`), romaji particles among them dropped (`sekainotyuusin` → `sekai` `tyuusin`);
/// None when no such cut covers it. Pieces are three characters or more, or a particle: two-letter keys
/// such as `ka` or `ta` are in every Japanese text and would cut anything.
fn recut(key: &str, held: &dyn Fn(&str) -> bool) -> Option<Vec<String>> {
    let chars: Vec<(usize, char)> = key.char_indices().collect();
    let n = chars.len();
    if n < 4 || n > 48 || !key.is_ascii() {
        return None;
    }
    let particle = |p: &str| crate::analysis::tokenizer::LATIN_GLUE.contains(&p);
    // best[i]: the fewest pieces covering key[i..], and the end of the first.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[n] = Some((0, n));
    for i in (0..n).rev() {
        for j in (i + 2..=(i + RECUT_MAX_PIECE).min(n)).rev() {
            let Some((rest, _)) = best[j] else { continue };
            let piece = &key[i..j];
            if best[i].is_some_and(|(b, _)| b <= rest + 1) {
                continue;
            }
            if (piece.len() >= 3 || particle(piece)) && held(piece) {
                best[i] = Some((rest + 1, j));
            }
        }
    }
    best[0]?;
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < n {
        let (_, j) = best[i]?;
        let piece = &key[i..j];
        if !particle(piece) {
            pieces.push(piece.to_string());
        }
        i = j;
    }
    (!pieces.is_empty()).then_some(pieces)
}

/// The query over reviews, comments, votes and posts: every word (`all`) or any word, each
/// by any of its terms ([`text_lookup`]), scored by BM25; an English word's form as typed adds
/// its score where a text holds it.
pub fn text(f: &Fields, words: &[TextWord], all: bool) -> Box<dyn Query> {
    let text_term = |t: &String| Term::from_field_text(f.text, t);
    let term = |t: &String| -> Box<dyn Query> { Box::new(TermQuery::new(text_term(t), IndexRecordOption::WithFreqs)) };
    let words: Vec<&TextWord> = words.iter().filter(|w| !w.terms.is_empty()).collect();
    if !all || words.len() == 1 {
        // Any word (or the only one): one union of every term of every word, which block-max
        // WAND prunes. A form as typed is held only where its stem is, so in the union it adds
        // its score to a text its stem found, as the bonus does.
        let mut terms: Vec<(Occur, Box<dyn Query>)> = words.iter().flat_map(|w| w.all_terms()).map(|t| (Occur::Should, term(t))).collect();
        if terms.len() == 1 {
            return terms.pop().expect("one term").1;
        }
        return Box::new(BooleanQuery::new(terms));
    }
    // Every word: each required by its terms, the forms as typed a bonus on top that leaves
    // the conjunction pruned ([`super::exact_forms`]). Words of one term each are tantivy's
    // conjunction of term queries, which it prunes itself; a word of several terms makes it
    // ours ([`super::all_words`]).
    let words_query: Box<dyn Query> = if words.iter().all(|w| w.terms.len() == 1) {
        Box::new(BooleanQuery::new(words.iter().map(|w| (Occur::Must, term(&w.terms[0]))).collect()))
    } else {
        Box::new(super::all_words::AllWords::new(words.iter().map(|w| w.terms.iter().map(text_term).collect()).collect()))
    };
    let exact: Vec<(Term, Option<Term>)> = words
        .iter()
        .filter_map(|w| {
            let stem = match w.terms.as_slice() {
                [stem] => Some(text_term(stem)),
                _ => None,
            };
            Some((text_term(w.exact.as_ref()?), stem))
        })
        .collect();
    if exact.is_empty() {
        return words_query;
    }
    Box::new(super::exact_forms::ExactForms::new(words_query, exact))
}

/// The terms texts were searched by, for marking snippets: every form of every word, and
/// nothing else (not the reading of a word written in kanji, which would mark homophones).
pub fn text_marks(f: &Fields, words: &[TextWord]) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        words
            .iter()
            .flat_map(TextWord::all_terms)
            .map(|t| -> (Occur, Box<dyn Query>) {
                (Occur::Should, Box::new(TermQuery::new(Term::from_field_text(f.text, t), IndexRecordOption::Basic)))
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_no_text_holds_is_cut_by_the_words_the_index_holds() {
        let held = |t: &str| ["saisyuu", "kai", "sekai", "no", "tyuusin", "sai"].contains(&t);
        assert_eq!(recut("saisyuukai", &held), Some(vec!["saisyuu".to_string(), "kai".to_string()]));
        assert_eq!(recut("sekainotyuusin", &held), Some(vec!["sekai".to_string(), "tyuusin".to_string()]));
        assert_eq!(recut("saisyuu", &held), Some(vec!["saisyuu".to_string()]), "held whole");
        assert_eq!(recut("cinematografy", &held), None);
    }
}
