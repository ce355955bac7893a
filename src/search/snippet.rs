//! Snippets: the passage of a hit that shows why it matched, with `<mark>` around matches.
//!
//! A match is a token of the stored text that our analyzer turns into one of the query's
//! terms, so a romaji query highlights the kanji it reads as (`chuushin` marks `中心`). That
//! analysis is the expensive part of a search page (lindera over Japanese text), so the text
//! is analyzed a window at a time, and only until the first window with a match and the
//! passage after it are done: a review whose match is in its first lines costs one window,
//! not its whole length. Windows end at a space or punctuation, where the analyzer would
//! have cut anyway, so analyzing them one by one finds the same tokens as the whole text.

use std::collections::HashSet;
use std::ops::Range;
use tantivy::query::Query;
use tantivy::schema::{Field, Value};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{Searcher, TantivyDocument};

pub const SNIPPET_CHARS: usize = 180;
/// Characters analyzed at a time.
const WINDOW_CHARS: usize = 2 * SNIPPET_CHARS;
/// Context shown before the first match.
const LEAD_CHARS: usize = 40;

/// What one field's snippets need: the query's terms in that field and its analyzer.
struct FieldTerms {
    field: Field,
    terms: HashSet<String>,
    analyzer: TextAnalyzer,
}

/// Snippet makers for the fields a hit may be shown from, in order of preference.
pub struct Snippets {
    matchable: Vec<FieldTerms>,
    fields: Vec<Field>,
}

impl Snippets {
    pub fn new(searcher: &Searcher, query: &dyn Query, fields: &[Field]) -> Snippets {
        let matchable = fields
            .iter()
            .filter_map(|&field| {
                let mut terms = HashSet::new();
                query.query_terms(&mut |term, _| {
                    if term.field() == field {
                        if let Some(t) = term.value().as_str() {
                            terms.insert(t.to_string());
                        }
                    }
                });
                if terms.is_empty() {
                    return None;
                }
                let analyzer = searcher.index().tokenizer_for_field(field).ok()?;
                Some(FieldTerms { field, terms, analyzer })
            })
            .collect();
        Snippets { matchable, fields: fields.to_vec() }
    }

    /// The first field with a match, as HTML; else the start of the first non-empty field,
    /// so every hit shows some text.
    pub fn html(&self, doc: &TantivyDocument) -> String {
        for ft in &self.matchable {
            // A field's values (a drama's titles in each script, its cast) read as one line,
            // so a passage can show `Sekai no chuushin … 世界の中心で` together.
            let mut values = doc.get_all(ft.field).filter_map(|v| v.as_str());
            let Some(first) = values.next() else { continue };
            let joined;
            let text = match values.next() {
                None => first,
                Some(second) => {
                    let mut all = format!("{first} · {second}");
                    for v in values {
                        all.push_str(" · ");
                        all.push_str(v);
                    }
                    joined = all;
                    &joined
                }
            };
            if let Some(html) = snippet_of(&mut ft.analyzer.clone(), text, &ft.terms) {
                return html;
            }
        }
        let first = self
            .fields
            .iter()
            .flat_map(|&f| doc.get_all(f))
            .filter_map(|v| v.as_str())
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

/// The passage of `text` around its first match, or None if nothing in it matches.
fn snippet_of(analyzer: &mut TextAnalyzer, text: &str, terms: &HashSet<String>) -> Option<String> {
    let mut marks: Vec<Range<usize>> = Vec::new();
    let mut passage: Option<Range<usize>> = None;
    let mut from = 0;
    while from < text.len() {
        let to = window_end(text, from);
        let mut stream = analyzer.token_stream(&text[from..to]);
        while let Some(tok) = stream.next() {
            if terms.contains(&tok.text) {
                marks.push(from + tok.offset_from..from + tok.offset_to);
            }
        }
        if passage.is_none() {
            if let Some(first) = marks.iter().map(|m| m.start).min() {
                let start = lead_in(text, first);
                passage = Some(start..passage_end(text, start));
            }
        }
        match &passage {
            Some(p) if to >= p.end => break,
            _ => from = to,
        }
    }
    let passage = passage?;
    marks.retain(|m| m.start >= passage.start && m.end <= passage.end);
    marks.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let mut out = String::with_capacity(passage.len() + 32);
    if passage.start > 0 {
        out.push('…');
    }
    let mut pos = passage.start;
    for m in marks {
        // Tokens at one position (a word and its reading) share a range; nested ones are
        // inside a mark already written.
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
    Some(out)
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

    #[test]
    fn a_match_deep_in_a_long_review_is_shown_with_its_context() {
        let text = format!("{} The cinematography was stunning. {}", "Filler words here. ".repeat(100), "More after. ".repeat(50));
        let html = snippet_of(&mut words(), &text, &terms(&["cinematography"])).unwrap();
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("The <mark>cinematography</mark> was stunning"), "{html}");
        assert!(html.chars().filter(|&c| c != '…').count() <= SNIPPET_CHARS + "<mark></mark>".len());
    }

    #[test]
    fn every_match_in_the_passage_is_marked_and_html_is_escaped() {
        let html = snippet_of(&mut words(), "Sekai <3 sekai & more", &terms(&["sekai"])).unwrap();
        assert_eq!(html, "<mark>Sekai</mark> &lt;3 <mark>sekai</mark> &amp; more");
    }

    #[test]
    fn text_without_a_match_gives_no_snippet() {
        assert_eq!(snippet_of(&mut words(), &"nothing here ".repeat(200), &terms(&["sekai"])), None);
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
