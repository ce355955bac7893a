//! From analyzed query words to a tantivy query.

use crate::analysis::loanword;
use crate::analysis::{analyze, Japanese, Term as AnalyzedTerm};
use crate::index::Fields;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

/// Words beyond this many are ignored: a search box query is a handful of words, and a pasted
/// paragraph must not turn into a query that takes seconds.
pub const MAX_WORDS: usize = 16;

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

/// Edits allowed for a typo in a Latin word: 1 from 5 letters, 2 from 9.
pub fn typo_distance(key: &str) -> u8 {
    let n = key.chars().count();
    if !key.is_ascii() || key.bytes().any(|b| b.is_ascii_digit()) {
        0
    } else if n >= 9 {
        2
    } else if n >= 5 {
        1
    } else {
        0
    }
}

/// Query words: the analyzed terms grouped by position (a word's alternatives together).
pub fn words(jp: &Japanese, q: &str) -> Vec<Vec<String>> {
    group(analyze(jp, q))
}

/// Words that only glue a title or sentence together: Japanese particles (as the analyzer
/// folds them, and their reading keys), the same particles typed in romaji, and English
/// articles and prepositions. Nearly every Japanese review holds `の` and nearly every romaji
/// title `no`, so requiring them changes almost nothing about what matches; but their posting
/// lists are the longest in the index, and a required word's list is walked around every
/// candidate the other words find. That walk was most of the time of `世界の中心`.
const GLUE: &[&str] = &[
    "ノ", "ハ", "ガ", "ヲ", "ニ", "デ", "ト", "モ", "ヘ", "ヤ", "no", "ha", "wa", "ga", "o", "ni", "de", "to", "mo",
    "he", "e", "ya", "the", "of", "a", "an", "and", "in", "on", "at",
];

/// The words of a query without its glue words ([`GLUE`]), unless that leaves none: `no` alone
/// is still searched for.
pub fn without_glue(words: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let is_glue = |w: &Vec<String>| w.iter().all(|t| GLUE.contains(&t.as_str()));
    if words.iter().all(is_glue) {
        return words;
    }
    words.into_iter().filter(|w| !is_glue(w)).collect()
}

/// Terms grouped by position: a word's alternatives together, at most [`MAX_WORDS`] words.
pub fn group(terms: Vec<AnalyzedTerm>) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut last = usize::MAX;
    for AnalyzedTerm { text, position, .. } in terms {
        if position != last {
            if out.len() == MAX_WORDS {
                break;
            }
            out.push(Vec::new());
            last = position;
        }
        let w = out.last_mut().expect("pushed above");
        if !w.contains(&text) {
            w.push(text);
        }
    }
    out
}

/// One word in the catalog tiers, by its best field: the best of its terms in the best tier it
/// matches (a Japanese word's surface and reading both matching count once). A word scores
/// once, not once per field: summed over fields, a sequel whose synopsis says "the sequel to
/// X" outscored X itself on the words of X's title.
fn catalog_word(f: &Fields, word: &[String], searcher: &Searcher, typos: bool) -> Box<dyn Query> {
    let mut best: Vec<Box<dyn Query>> = Vec::new();
    for (field, weight) in catalog_tiers(f) {
        best.extend(word.iter().map(|t| -> Box<dyn Query> {
            let tq = TermQuery::new(Term::from_field_text(field, t), IndexRecordOption::Basic);
            Box::new(ConstScoreQuery::new(Box::new(tq), weight))
        }));
    }
    // Typos, in names and casts only: long texts would match too much by accident. The
    // canonical key is what is compared, so `chuushin`/`chushin` are not even a typo. A word
    // that is a name or cast term as typed is taken as typed: no fuzzy expansion, which is
    // what keeps the common case free of its cost.
    let known = |t: &String| {
        [f.names, f.cast].iter().any(|&fl| searcher.doc_freq(&Term::from_field_text(fl, t)).unwrap_or(0) > 0)
    };
    if !typos || word.iter().any(known) {
        return Box::new(DisjunctionMaxQuery::new(best));
    }
    for (field, w) in [(f.names, NAMES_TYPO), (f.cast, CAST_TYPO)] {
        best.extend(word.iter().filter(|t| typo_distance(t) > 0).map(|t| -> Box<dyn Query> {
            let fq = FuzzyTermQuery::new(Term::from_field_text(field, t), typo_distance(t), true);
            Box::new(ConstScoreQuery::new(Box::new(fq), w))
        }));
    }
    Box::new(DisjunctionMaxQuery::new(best))
}

/// The query over dramas and people: every word (`all = true`) or any word matching in a
/// catalog tier; or the whole query matching a name from its start (`whole_keys`, the
/// type-ahead keys of the query), which is how kana typed without spaces (`せかいのちゅうしん`)
/// finds `世界の中心で…` whatever the analyzer made of it. These documents number in the tens of
/// thousands, so this part is scored exhaustively.
pub fn catalog(
    f: &Fields,
    searcher: &Searcher,
    words: &[Vec<String>],
    all: bool,
    whole_keys: &[String],
    features: Features,
) -> Box<dyn Query> {
    let occur = if all { Occur::Must } else { Occur::Should };
    let by_words: Box<dyn Query> = Box::new(BooleanQuery::new(
        words.iter().map(|w| (occur, catalog_word(f, w, searcher, features.typos))).collect(),
    ));
    if !features.whole_names {
        return by_words;
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
        return by_words;
    }
    // The query read as one name counts once, by its best reading: the start of a name, a
    // whole name, or the sound of an English one. Not as a bonus on the words: kana typed in
    // one run is cut into words no title holds (`なつめゆうじんちょう` into `ナ ツメ ユウ…`),
    // and covering `Natsume Yuujinchou` whole must still beat starting its sequels' names.
    // Not added up either: a sequel's alias that the kana starts *and* whose consonants it
    // shares (`Natsume Yuujinchou Two`) would score twice what the name spelled exactly does.
    let score = WHOLE_NAME * words.len().max(1) as f32;
    let mut read_whole = Vec::new();
    if !whole.is_empty() {
        read_whole.push(any_of(whole, score));
    }
    if !exact.is_empty() {
        read_whole.push(any_of(exact, score + EXACT_NAME));
    }
    if !loaned.is_empty() {
        read_whole.push(any_of(loaned, score + EXACT_NAME));
    }
    let mut clauses = vec![(Occur::Should, by_words), (Occur::Should, Box::new(DisjunctionMaxQuery::new(read_whole)) as Box<dyn Query>)];
    let mut title_keys = whole_keys.to_vec();
    title_keys.extend(loan);
    clauses.extend(titled(searcher, f, &title_keys).map(|q| (Occur::Should, q)));
    Box::new(BooleanQuery::new(clauses))
}

/// [`TITLE_NAME`] for a drama one of whose titles (not only an alias) has one of `keys` as its
/// whole key, if any does.
fn titled(searcher: &Searcher, f: &Fields, keys: &[String]) -> Option<Box<dyn Query>> {
    let marked: Vec<String> = keys.iter().map(|k| format!("{}{k}", crate::index::document::TITLE_MARK)).collect();
    let titles = present_keys(searcher, f.exact, &marked);
    (!titles.is_empty()).then(|| any_of(titles, TITLE_NAME))
}

/// `score` for a document any of `queries` matches, however many do.
fn any_of(queries: Vec<Box<dyn Query>>, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(Box::new(DisjunctionMaxQuery::new(queries)), score))
}

/// Term queries for the keys that some document holds in `field`.
fn present_keys(searcher: &Searcher, field: Field, keys: &[String]) -> Vec<Box<dyn Query>> {
    keys.iter()
        .map(|k| Term::from_field_text(field, k))
        .filter(|t| searcher.doc_freq(t).unwrap_or(1) > 0)
        .map(|t| -> Box<dyn Query> { Box::new(TermQuery::new(t, IndexRecordOption::Basic)) })
        .collect()
}

/// The term a word is looked up by in review text: its reading key when it has one (the last
/// of its terms), else its only term. Every Japanese word in a text is indexed by its reading
/// beside its surface, so the reading finds the kanji, kana and romaji spellings alike; and
/// with one term per word the text query is a plain BM25 term conjunction (or union), the
/// shape block-max WAND prunes.
pub fn text_term(word: &[String]) -> Option<&str> {
    word.last().map(String::as_str)
}

/// The query over reviews, comments, votes and posts: every word (`all`) or any word, each by
/// [`text_term`], scored by BM25.
pub fn text(f: &Fields, words: &[Vec<String>], all: bool) -> Box<dyn Query> {
    let occur = if all { Occur::Must } else { Occur::Should };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = words
        .iter()
        .filter_map(|w| text_term(w))
        .map(|t| -> (Occur, Box<dyn Query>) {
            (occur, Box::new(TermQuery::new(Term::from_field_text(f.text, t), IndexRecordOption::WithFreqs)))
        })
        .collect();
    if clauses.len() == 1 {
        return clauses.pop().expect("one clause").1;
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Every term of every word in review text, for marking snippets: a text matched by a word's
/// reading also shows its surface marked.
pub fn text_marks(f: &Fields, words: &[Vec<String>]) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        words
            .iter()
            .flatten()
            .map(|t| -> (Occur, Box<dyn Query>) {
                (Occur::Should, Box::new(TermQuery::new(Term::from_field_text(f.text, t), IndexRecordOption::Basic)))
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(words: &[&[&str]]) -> Vec<Vec<String>> {
        words.iter().map(|w| w.iter().map(|t| t.to_string()).collect()).collect()
    }

    #[test]
    fn particles_and_articles_are_not_required_when_other_words_remain() {
        let q = ws(&[&["セカイ", "sekai"], &["ノ", "no"], &["チュウシン", "chuushin"]]);
        assert_eq!(without_glue(q), ws(&[&["セカイ", "sekai"], &["チュウシン", "chuushin"]]));
        let q = ws(&[&["center"], &["of"], &["the"], &["world"]]);
        assert_eq!(without_glue(q), ws(&[&["center"], &["world"]]));
    }

    #[test]
    fn a_query_of_only_glue_words_is_searched_as_typed() {
        let q = ws(&[&["no"], &["to"]]);
        assert_eq!(without_glue(q.clone()), q);
    }
}
