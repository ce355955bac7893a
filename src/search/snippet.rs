//! Snippets: the passage of a hit that shows why it matched, with `<mark>` around matches.
//!
//! Making them was most of the time of a 20-hit page, because a match may be one only our
//! analyzer can see (`chuushin` marks `中心`), and analyzing every hit's text again (lindera
//! over Japanese) costs more than the search. So the work is done cheapest first:
//! 1. a field that holds no query term (told by the postings) is skipped: a drama's synopsis,
//!    or a review found only through another spelling of a name, which is then shown from its
//!    start, unmarked, without being analyzed;
//! 2. what the user typed, or a query term, found literally gives the passage and its marks
//!    with no analysis at all; for a romaji query the passage alone (a few dozen words) is
//!    then analyzed, so the kanji next to the romaji title are marked too;
//! 3. only when nothing is literal is the text analyzed, a window at a time, stopping once
//!    the first match's passage is done. Windows end at a space or punctuation, where the
//!    analyzer would have cut anyway, so they give the same tokens as the whole text.

use std::collections::HashSet;
use std::ops::Range;
use tantivy::postings::TermInfo;
use tantivy::query::Query;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{DocAddress, DocSet, Searcher, Term};
use crate::analysis::stem;
use crate::analysis::tokenizer::{latin_terms, LATIN_GLUE};
use crate::index::document::{field_line, Tokens};
use crate::index::stored::StoredValues;

pub const SNIPPET_CHARS: usize = 180;
/// Characters analyzed at a time while looking for the first match.
const WINDOW_CHARS: usize = SNIPPET_CHARS;
/// Context shown before the first match.
const LEAD_CHARS: usize = 40;

/// What one field's snippets need: the query's terms in that field and its analyzer.
struct FieldTerms {
    field: Field,
    terms: HashSet<String>,
    analyzer: TextAnalyzer,
    /// What tells a literal passage that needs no analysis: see [`OtherForms`].
    other_forms: OtherForms,
    /// Per segment, where each term's postings are: so that a field that holds no query term
    /// (this drama's synopsis; a review found through another spelling of a name) is told
    /// without analyzing it.
    postings: Vec<Vec<TermInfo>>,
}

/// Snippet makers for the fields a hit may be shown from, in order of preference.
pub struct Snippets {
    matchable: Vec<FieldTerms>,
    /// What is looked for literally first (see [`snippet_of`]).
    literals: Vec<String>,
    /// Whether the user typed romaji (or English): see [`Wanted`].
    typed_romaji: bool,
    /// The words the user typed in Japanese: see [`Wanted`].
    typed_japanese: Vec<String>,
    fields: Vec<Field>,
    searcher: Searcher,
}

impl Snippets {
    /// `typed`: the words of the query as the user typed them.
    pub fn new(searcher: &Searcher, query: &dyn Query, fields: &[Field], typed: &[&str]) -> Snippets {
        let matchable: Vec<FieldTerms> = fields
            .iter()
            .filter_map(|&field| {
                let mut terms: Vec<Term> = Vec::new();
                query.query_terms(&mut |term, _| {
                    if term.field() == field && term.value().as_str().is_some() {
                        terms.push(term.clone());
                    }
                });
                if terms.is_empty() {
                    return None;
                }
                // Also for a hit with one field: a text found only through another spelling of
                // a name holds none of the typed words' terms, and analyzing it in full to
                // find no mark was most of the time of a romaji title query.
                let postings = searcher
                    .segment_readers()
                    .iter()
                    .map(|seg| {
                        let Ok(inv) = seg.inverted_index(field) else { return Vec::new() };
                        terms.iter().filter_map(|t| inv.get_term_info(t).ok().flatten()).collect()
                    })
                    .collect();
                let analyzer = searcher.index().tokenizer_for_field(field).ok()?;
                let terms: HashSet<String> = terms.iter().filter_map(|t| t.value().as_str().map(str::to_string)).collect();
                let other_forms = OtherForms::of(&terms);
                Some(FieldTerms { field, terms, analyzer, other_forms, postings })
            })
            .collect();
        let all_terms: HashSet<String> = matchable.iter().flat_map(|ft| ft.terms.iter().cloned()).collect();
        let literals = literal_candidates(typed.iter().copied(), &all_terms);
        let typed_romaji = typed.iter().any(|w| w.bytes().any(|b| b.is_ascii_alphabetic()));
        let typed_japanese = typed.iter().filter(|w| !w.is_ascii()).map(|w| w.to_string()).collect();
        Snippets { matchable, literals, typed_romaji, typed_japanese, fields: fields.to_vec(), searcher: searcher.clone() }
    }

    /// Whether the document's `ft` field may hold one of the query's terms, from the postings.
    fn holds_a_term(&self, ft: &FieldTerms, addr: DocAddress) -> bool {
        let Some(infos) = ft.postings.get(addr.segment_ord as usize) else { return true };
        let Ok(inv) = self.searcher.segment_reader(addr.segment_ord).inverted_index(ft.field) else { return true };
        infos.iter().any(|ti| {
            inv.read_postings_from_terminfo(ti, IndexRecordOption::Basic)
                .map(|mut p| p.seek(addr.doc_id) == addr.doc_id)
                .unwrap_or(true)
        })
    }

    /// The first field with a match, as HTML; else the start of the first non-empty field,
    /// so every hit shows some text.
    pub fn html(&self, addr: DocAddress, doc: &impl StoredValues, stored: Option<&Tokens<'_>>) -> String {
        for ft in &self.matchable {
            if !self.holds_a_term(ft, addr) {
                continue;
            }
            // A field's values (a drama's titles in each script, its cast) read as one line,
            // so a passage can show `Sekai no chuushin … 世界の中心で` together.
            let Some(text) = field_line(doc, ft.field) else { continue };
            let mut analyzer = match stored.and_then(|t| t.field_text(ft.field)) {
                Some(tokens) => Analysis::Stored(tokens),
                None => Analysis::Live(ft.analyzer.clone()),
            };
            let wanted = Wanted { terms: &ft.terms, other_forms: &ft.other_forms, literals: &self.literals, typed_romaji: self.typed_romaji, typed_japanese: &self.typed_japanese };
            if let Some(html) = snippet_of(&mut analyzer, &text, &wanted) {
                return html;
            }
        }
        let first = self
            .fields
            .iter()
            .flat_map(|&f| doc.texts(f))
            .find(|t| !t.trim().is_empty());
        let mut out = String::new();
        if let Some(t) = first {
            let end = advance(t, 0, SNIPPET_CHARS);
            escape_into(&t[..end], &mut out);
            if end < t.len() {
                out.push('…');
            }
        }
        out
    }
}

/// What a snippet looks for: one field's query terms and what the user typed.
struct Wanted<'a> {
    terms: &'a HashSet<String>,
    other_forms: &'a OtherForms,
    literals: &'a [String],
    /// Whether the user typed romaji (or English).
    typed_romaji: bool,
    /// The words the user typed in Japanese.
    typed_japanese: &'a [String],
}

/// The passage of `text` around its first match, or None if nothing in it matches.
///
/// Two ways to find matches, cheap first:
/// - **literally**: where what the user typed, or a query term of two characters or more,
///   appears as is (ASCII compared case-insensitively and as whole words: `yamada` in
///   `Yamada Takayuki`, `最終回` in a review). No analysis runs at all, and the passage shows
///   exactly what was typed. Single characters are left out: `回` alone would light up inside
///   `今回`, which the analyzer reads as another word.
/// - **by analysis**, only when nothing appears literally: the matches only the analyzer can
///   see, a romaji query against kanji (`chuushin` marks `中心`), a folded width or an old
///   kanji form.
///
/// A passage found literally is analyzed as well (only the passage, a few dozen words) where
/// it may hold a match the literal search cannot see: Japanese or folded letters, for a romaji
/// query, so that `sekai no chuushin` marks `世界` and `中心` next to the romaji title it found;
/// another form or spelling of a typed word ([`OtherForms`]), so that `crying` marks `cried`
/// beside it; and a Japanese query some word of which the passage does not hold as typed, so
/// that `最終回で泣いた` marks `最終`, `回` and the `泣き` of `最終回で泣きました` (a query the
/// passage holds as typed is marked whole already).
fn snippet_of(analyzer: &mut Analysis<'_>, text: &str, wanted: &Wanted<'_>) -> Option<String> {
    let Some((passage, mut marks)) = literal_passage(text, wanted.literals) else {
        return analyzed_passage(analyzer, text, wanted.terms);
    };
    let shown = &text[passage.clone()];
    let beyond_literal = if has_letters_beyond_ascii(shown) {
        wanted.typed_romaji
    } else {
        wanted.other_forms.may_be_in(text, passage.clone(), &marks, wanted.terms)
    };
    if beyond_literal || wanted.typed_japanese.iter().any(|w| !shown.contains(w.as_str())) {
        push_marks(analyzer, text, passage.clone(), wanted.terms, &mut marks);
    }
    Some(render(text, passage, marks))
}

/// Where the words of an ASCII passage may match a query other than as typed: by another form
/// of an English word (`cried` for `crying`: the query holds its stem term) or another romaji
/// spelling (`Chuushin` for `chushin`: the same key). Only such a passage is analyzed. Each
/// word outside the marks is first tested cheaply, by the letters every form of a query stem
/// begins with ([`stem::forms_begin_with`]) and by whether its first letter and length allow a
/// query key ([`could_spell`]); only a word that passes is turned into its terms.
struct OtherForms {
    /// What every form of each of the query's stems begins with.
    stem_starts: Vec<String>,
    /// Irregular forms of the query's stems (`took` for `~take`).
    irregular: Vec<&'static str>,
    /// The query's romaji keys (`tyusin`).
    keys: Vec<String>,
}

impl OtherForms {
    fn of(terms: &HashSet<String>) -> OtherForms {
        let stems = || terms.iter().filter(|t| t.starts_with(stem::STEM_MARK));
        let mut stem_starts: Vec<String> = stems().map(|t| stem::forms_begin_with(t).to_string()).collect();
        stem_starts.sort();
        stem_starts.dedup();
        let irregular = stems().flat_map(|t| stem::irregular_forms(t).iter().copied()).collect();
        let keys = terms.iter().filter(|t| t.bytes().all(|b| b.is_ascii_alphanumeric()) && t.bytes().any(|b| b.is_ascii_alphabetic())).cloned().collect();
        OtherForms { stem_starts, irregular, keys }
    }

    /// Whether a word of `text[passage]` outside `marks` may be a form or spelling of a query
    /// word.
    fn may_be_in(&self, text: &str, passage: Range<usize>, marks: &[Range<usize>], terms: &HashSet<String>) -> bool {
        let shown = &text[passage.clone()];
        let mut word = String::new();
        let mut words = shown.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty());
        words.any(|w| {
            let start = passage.start + (w.as_ptr() as usize - shown.as_ptr() as usize);
            if marks.iter().any(|m| m.start <= start && start < m.end) {
                return false;
            }
            word.clear();
            word.extend(w.chars().map(|c| c.to_ascii_lowercase()));
            let may = self.stem_starts.iter().any(|p| word.starts_with(p.as_str()))
                || self.irregular.contains(&word.as_str())
                || self.keys.iter().any(|k| could_spell(&word, k));
            // Then the word's own terms, as review text holds them (remembered per thread): a
            // passage is analyzed only for a word that is a match, not one that looks like it
            // (`enjoy` begins as `~end` does).
            may && {
                let (key, stem) = latin_terms(&word, true);
                terms.contains(&key) || stem.is_some_and(|s| terms.contains(&s))
            }
        })
    }
}

/// Whether the folded word `word` could be a romaji spelling of `key` (is worth turning into
/// its key, which allocates): the Hepburn-to-key rules ([`crate::analysis::romaji::canonical`])
/// change a first `ch` to `t`, `j` and `d` to `z`, `fu` to `hu` and `wo` to `o`, and at most
/// halve or double a word's length (long vowels, `j` to `zy`).
fn could_spell(word: &str, key: &str) -> bool {
    let (Some(&w), Some(&k)) = (word.as_bytes().first(), key.as_bytes().first()) else { return false };
    let first = w == k || matches!((k, w), (b't', b'c') | (b'z', b'j') | (b'z', b'd') | (b'h', b'f') | (b'o', b'w'));
    first && 2 * word.len() >= key.len() && word.len() <= 2 * key.len() + 2
}

/// Whether `s` holds a letter the literal search cannot have marked: Japanese, or Latin that
/// folding would turn into what was typed (full-width, accented). Not mere punctuation: the
/// `·` between a review's title and its body made every English passage look Japanese, and
/// analyzing those was a third of a romaji title query's snippets.
fn has_letters_beyond_ascii(s: &str) -> bool {
    s.chars().any(|c| !c.is_ascii() && c.is_alphanumeric())
}

/// Where a text's terms come from: the analyzer, run now, or the tokens stored at index time
/// for the whole text (dramas and people).
enum Analysis<'a> {
    Live(TextAnalyzer),
    /// A field's stored tokens, as `start end term` lines in text order, parsed only when
    /// needed; read from where the last span ended, since spans come in text order (a
    /// window at a time): from the start each time, a late match in a long cast list read
    /// its first lines once a window.
    Stored(&'a str),
}

/// Adds the tokens of `text[span]` that are query terms to `marks`, as ranges of `text`.
fn push_marks(analyzer: &mut Analysis<'_>, text: &str, span: Range<usize>, terms: &HashSet<String>, marks: &mut Vec<Range<usize>>) {
    match analyzer {
        Analysis::Live(analyzer) => {
            let mut stream = analyzer.token_stream(&text[span.clone()]);
            while let Some(tok) = stream.next() {
                if terms.contains(&tok.text) {
                    marks.push(span.start + tok.offset_from..span.start + tok.offset_to);
                }
            }
        }
        Analysis::Stored(lines) => {
            let mut read = 0;
            for line in lines.split_inclusive('\n') {
                let mut parts = line.trim_end_matches('\n').splitn(3, ' ');
                let (Some(start), Some(end), Some(term)) = (parts.next(), parts.next(), parts.next()) else {
                    read += line.len();
                    continue;
                };
                let (Ok(start), Ok(end)) = (start.parse::<usize>(), end.parse::<usize>()) else {
                    read += line.len();
                    continue;
                };
                if start >= span.end {
                    break;
                }
                read += line.len();
                if start >= span.start && end <= span.end && terms.contains(term) {
                    marks.push(start..end);
                }
            }
            *lines = &lines[read..];
        }
    }
}

/// The passage shown for a first match at `first`: a short lead-in, then up to
/// [`SNIPPET_CHARS`].
fn passage_around(text: &str, first: usize) -> Range<usize> {
    let begin = lead_in(text, first);
    begin..passage_end(text, begin)
}

/// The literal candidates of a query: its typed words and terms worth finding as is. Not a
/// typed English article or preposition or romaji particle ([`LATIN_GLUE`]) beside other
/// words: it matches nothing alone, and marking every `the` of a passage for `center of the
/// world` buried the words that did match (a query of glue words only keeps them).
fn literal_candidates<'a>(typed: impl IntoIterator<Item = &'a str>, terms: &HashSet<String>) -> Vec<String> {
    let long_enough = |t: &str| if t.is_ascii() { t.len() >= 3 } else { t.chars().count() >= 2 };
    let typed: Vec<String> = typed.into_iter().map(str::to_ascii_lowercase).collect();
    let glue = |t: &String| LATIN_GLUE.contains(&t.as_str());
    let all_glue = typed.iter().all(glue);
    let mut out: Vec<String> = typed
        .into_iter()
        .filter(|t| all_glue || !glue(t))
        .chain(terms.iter().cloned())
        .filter(|t| long_enough(t) && !t.chars().any(char::is_whitespace))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The passage around the first literal match, and the literal matches.
fn literal_passage(text: &str, literals: &[String]) -> Option<(Range<usize>, Vec<Range<usize>>)> {
    if literals.is_empty() {
        return None;
    }
    let lower;
    let hay = if text.bytes().any(|b| b.is_ascii_uppercase()) {
        lower = text.to_ascii_lowercase();
        lower.as_str()
    } else {
        text
    };
    let word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let whole = |t: &str, i: usize| !t.is_ascii() || (!word_char(hay[..i].chars().next_back()) && !word_char(hay[i + t.len()..].chars().next()));
    // Only the marks that start inside the passage count (none starts before it: the passage
    // begins at or before the first), so each literal is looked for up to its first whole
    // match, and then again from the passage's start to its end: a long cast list holds a
    // common name many times.
    let finders: Vec<memchr::memmem::Finder<'_>> = literals.iter().map(|t| memchr::memmem::Finder::new(t.as_bytes())).collect();
    let first = literals.iter().zip(&finders).filter_map(|(t, f)| f.find_iter(hay.as_bytes()).find(|&i| whole(t, i))).min()?;
    let passage = passage_around(text, first);
    let mut marks: Vec<Range<usize>> = Vec::new();
    for (t, f) in literals.iter().zip(&finders) {
        let from_passage = f.find_iter(&hay.as_bytes()[passage.start..]).map(|i| passage.start + i);
        marks.extend(from_passage.take_while(|&i| i < passage.end).filter(|&i| whole(t, i)).map(|i| i..i + t.len()));
    }
    Some((passage, marks))
}

/// The passage around the first match the analyzer finds, analyzing a window at a time.
fn analyzed_passage(analyzer: &mut Analysis<'_>, text: &str, terms: &HashSet<String>) -> Option<String> {
    let mut marks: Vec<Range<usize>> = Vec::new();
    let mut passage: Option<Range<usize>> = None;
    let mut from = 0;
    while from < text.len() {
        // Once the passage is known, only the rest of it is left to analyze.
        let to = match &passage {
            Some(p) => break_after(text, p.end),
            None => window_end(text, from),
        };
        push_marks(analyzer, text, from..to, terms, &mut marks);
        if passage.is_none() {
            passage = marks.iter().map(|m| m.start).min().map(|first| passage_around(text, first));
        }
        match &passage {
            Some(p) if to >= p.end => break,
            _ => from = to,
        }
    }
    Some(render(text, passage?, marks))
}

/// The passage as HTML, with the marks inside it.
fn render(text: &str, passage: Range<usize>, mut marks: Vec<Range<usize>>) -> String {
    marks.retain(|m| m.start >= passage.start && m.end <= passage.end);
    marks.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let mut out = String::with_capacity(passage.len() + 32);
    if passage.start > 0 {
        out.push('…');
    }
    let mut pos = passage.start;
    for m in marks {
        // Tokens at one position (a word and its reading) share a range, and a typed word
        // may hold a term: a mark inside one already written is skipped.
        if m.start < pos {
            continue;
        }
        escape_into(&text[pos..m.start], &mut out);
        out.push_str("<mark>");
        escape_into(&text[m.start..m.end], &mut out);
        out.push_str("</mark>");
        pos = m.end;
    }
    escape_into(&text[pos..passage.end], &mut out);
    if passage.end < text.len() {
        out.push('…');
    }
    out
}

fn is_break(c: char) -> bool {
    c.is_whitespace() || matches!(c, '。' | '、' | '！' | '？' | '!' | '?' | '.' | ',' | ';' | '」' | '』' | '）' | ')')
}

/// Byte offset `n` characters after `from` (or the end).
fn advance(text: &str, from: usize, n: usize) -> usize {
    text[from..].char_indices().nth(n).map_or(text.len(), |(i, _)| from + i)
}

/// The end of the window starting at `from`: about [`WINDOW_CHARS`] on, moved forward to just
/// after the next break so that no word is cut.
fn window_end(text: &str, from: usize) -> usize {
    let rough = advance(text, from, WINDOW_CHARS);
    text[rough..]
        .char_indices()
        .take(64)
        .find(|&(_, c)| is_break(c))
        .map_or(advance(text, rough, 64), |(i, c)| rough + i + c.len_utf8())
}

/// Just after the first break at or after `at` (or the end).
fn break_after(text: &str, at: usize) -> usize {
    text[at..].char_indices().find(|&(_, c)| is_break(c)).map_or(text.len(), |(i, c)| at + i + c.len_utf8())
}

/// Where a passage whose first match starts at `first` begins: up to [`LEAD_CHARS`] before
/// it, at the start of a word or sentence when one is in reach.
fn lead_in(text: &str, first: usize) -> usize {
    let before = &text[..first];
    let back = before.char_indices().rev().nth(LEAD_CHARS - 1).map_or(0, |(i, _)| i);
    if back == 0 {
        return 0;
    }
    before[back..].char_indices().find(|&(_, c)| is_break(c)).map_or(back, |(i, c)| back + i + c.len_utf8())
}

/// Where a passage starting at `start` ends: [`SNIPPET_CHARS`] on, pulled back to the end of a
/// word when one is near.
fn passage_end(text: &str, start: usize) -> usize {
    let rough = advance(text, start, SNIPPET_CHARS);
    if rough == text.len() {
        return rough;
    }
    let floor = advance(text, start, SNIPPET_CHARS - 30);
    text[floor..rough].char_indices().rev().find(|&(_, c)| is_break(c)).map_or(rough, |(i, _)| floor + i)
}

fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in analyzer: lowercase words split on whitespace and punctuation.
    fn words() -> TextAnalyzer {
        TextAnalyzer::builder(tantivy::tokenizer::SimpleTokenizer::default())
            .filter(tantivy::tokenizer::LowerCaser)
            .build()
    }

    fn terms(ts: &[&str]) -> HashSet<String> {
        ts.iter().map(|t| t.to_string()).collect()
    }

    fn snippet(text: &str, typed: &[&str], ts: &[&str]) -> Option<String> {
        let ts = terms(ts);
        let romaji = typed.iter().any(|w| w.is_ascii());
        let japanese: Vec<String> = typed.iter().filter(|w| !w.is_ascii()).map(|w| w.to_string()).collect();
        let literals = literal_candidates(typed.iter().copied(), &ts);
        let wanted = Wanted { terms: &ts, other_forms: &OtherForms::of(&ts), literals: &literals, typed_romaji: romaji, typed_japanese: &japanese };
        snippet_of(&mut Analysis::Live(words()), text, &wanted)
    }

    #[test]
    fn a_match_deep_in_a_long_review_is_shown_with_its_context() {
        let text = format!("{} The cinematography was stunning. {}", "Filler words here. ".repeat(100), "More after. ".repeat(50));
        let html = snippet(&text, &["cinematography"], &["cinematography"]).unwrap();
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.starts_with("…words here.") && html.contains("The <mark>cinematography</mark> was stunning"), "{html}");
        assert!(html.chars().filter(|&c| c != '…').count() <= SNIPPET_CHARS + "<mark></mark>".len());
    }

    #[test]
    fn every_match_in_the_passage_is_marked_and_html_is_escaped() {
        let html = snippet("Sekai <3 sekai & more", &["SEKAI"], &["sekai"]).unwrap();
        assert_eq!(html, "<mark>Sekai</mark> &lt;3 <mark>sekai</mark> &amp; more");
    }

    #[test]
    fn what_was_typed_is_marked_whole_and_single_kanji_are_not_marked_alone() {
        let html = snippet("今回の最終回で泣きました。", &["最終回"], &["最終", "回"]).unwrap();
        assert_eq!(html, "今回の<mark>最終回</mark>で泣きました。");
    }

    #[test]
    fn a_typed_article_is_not_marked_beside_the_words_that_matched() {
        let html = snippet("The center of the world, the end", &["center", "of", "the", "world"], &["center", "world"]).unwrap();
        assert_eq!(html, "The <mark>center</mark> of the <mark>world</mark>, the end");
        let html = snippet("and the", &["the"], &["the"]).unwrap();
        assert_eq!(html, "and <mark>the</mark>", "a query of glue words only still marks them");
    }

    #[test]
    fn a_literal_inside_another_word_is_not_a_match() {
        let html = snippet("okayama and then yama", &["yama"], &["yama"]).unwrap();
        assert_eq!(html, "okayama and then <mark>yama</mark>");
    }

    #[test]
    fn without_a_literal_match_the_analyzer_finds_it() {
        // The stand-in analyzer lowercases: `SEKAI` is `sekai` to it, but typed `séka` is not
        // in the text; the term comes from the analyzer.
        let html = snippet("Ai wo SEKAI.", &["x"], &["sekai"]).unwrap();
        assert_eq!(html, "Ai wo <mark>SEKAI</mark>.");
    }

    #[test]
    fn a_match_late_in_a_cast_list_is_found() {
        let cast = format!("{} · Yamada Takayuki · 山田孝之 · Matsumoto Sakutaro", "Someone Else · ".repeat(60));
        let html = snippet(&cast, &["takayuki", "yamada"], &["takayuki", "yamada"]).unwrap();
        assert!(html.contains("<mark>Yamada</mark> <mark>Takayuki</mark>"), "{html}");
        let html = snippet(&cast, &["山田孝之"], &["山田", "孝之"]).unwrap();
        assert!(html.contains("<mark>山田孝之</mark>"), "{html}");
    }

    #[test]
    fn in_a_list_that_names_someone_many_times_the_passage_marks_each_time_and_starts_at_the_first() {
        // The passage leads in to the first whole match, past a longer word that holds the
        // name (`Yamadaya`, not marked); every whole match in it is marked; the list goes on.
        let cast = format!("{}Yamadaya Shop · {}", "Someone Else · ".repeat(30), "Yamada Ken · Ueno Juri · ".repeat(40));
        // No term: the marks are the literal's alone, not the analyzer's.
        let html = snippet(&cast, &["yamada"], &[]).unwrap();
        assert!(html.starts_with('…') && html.contains("Yamadaya Shop · <mark>Yamada</mark> Ken"), "{html}");
        assert!(html.matches("<mark>Yamada</mark>").count() >= 4 && !html.contains("<mark>Yamadaya"), "{html}");
        assert!(html.ends_with('…'), "{html}");
    }

    #[test]
    fn a_romaji_passage_joined_by_a_middle_dot_is_marked_without_analysis() {
        // Stored tokens that would mark `do` (bytes 9..11) as the term `zz`, were they read.
        let ts = terms(&["sekai", "zz"]);
        let literals = literal_candidates(["sekai"], &ts);
        let wanted = Wanted { terms: &ts, other_forms: &OtherForms::of(&ts), literals: &literals, typed_romaji: true, typed_japanese: &[] };
        let html = snippet_of(&mut Analysis::Stored("9 11 zz"), "Sekai · do", &wanted).unwrap();
        assert_eq!(html, "<mark>Sekai</mark> · do");
        let html = snippet_of(&mut Analysis::Stored("9 15 zz"), "Sekai · ｄｏ", &wanted).unwrap();
        assert_eq!(html, "<mark>Sekai</mark> · <mark>ｄｏ</mark>", "full-width letters are folded by the analyzer only");
    }

    #[test]
    fn a_literal_passage_is_analyzed_again_only_where_a_word_may_be_another_form_or_spelling() {
        let ts = terms(&["crying", "~cri", "tyusin", "~take"]);
        let gate = OtherForms::of(&ts);
        let beside = |text: &str, marked: &str| {
            let m = text.find(marked).unwrap();
            gate.may_be_in(text, 0..text.len(), &[m..m + marked.len()], &ts)
        };
        assert!(beside("crying, then she cried", "crying"), "a form of the stem");
        assert!(beside("crying, and then it took a year", "crying"), "an irregular form of another stem");
        assert!(beside("Chushin, then Chuushin", "Chushin"), "another spelling of a key");
        assert!(!beside("crying at the center of the world", "crying"), "nothing here but the typed word");
        assert!(!beside("crying, a crime, crisp", "crying"), "words that only begin as a form does");
        for (word, key) in [("chuushin", "tyusin"), ("jun", "zyun"), ("fuyu", "huyu"), ("satou", "sato"), ("wo", "o"), ("dzu", "zu")] {
            assert_eq!(latin_terms(word, true).0, key);
            assert!(could_spell(word, key), "{word} is a spelling of {key}");
        }
        assert!(!could_spell("sekai", "tyusin") && !could_spell("love", "tyusin"));
    }

    #[test]
    fn stored_tokens_are_read_on_across_windows_and_a_match_opening_one_is_kept() {
        // 37 words fill the first window (180 characters, then to the next space): the match
        // is the first token of the second.
        let text = format!("{}takayuki and more", "word ".repeat(37));
        assert_eq!(window_end(&text, 0), text.find("takayuki").unwrap());
        let mut lines = String::new();
        let mut at = 0;
        for w in text.split(' ') {
            lines.push_str(&format!("{} {} {}\n", at, at + w.len(), w.to_lowercase()));
            at += w.len() + 1;
        }
        let ts = terms(&["takayuki"]);
        let wanted = Wanted { terms: &ts, other_forms: &OtherForms::of(&ts), literals: &[], typed_romaji: true, typed_japanese: &[] };
        let html = snippet_of(&mut Analysis::Stored(&lines), &text, &wanted).unwrap();
        assert!(html.contains("<mark>takayuki</mark> and more"), "{html}");
    }

    #[test]
    fn text_without_a_match_gives_no_snippet() {
        assert_eq!(snippet(&"nothing here ".repeat(200), &["sekai"], &["sekai"]), None);
    }

    #[test]
    fn windows_never_cut_a_character_or_a_word() {
        let text = "中心で愛を叫ぶ。".repeat(200);
        let mut from = 0;
        while from < text.len() {
            let to = window_end(&text, from);
            assert!(text.is_char_boundary(to) && to > from);
            assert!(to == text.len() || text[..to].ends_with('。'));
            from = to;
        }
    }
}
