//! Snippets: the passage of a hit that shows why it matched, with `<mark>` around matches.
//!
//! tantivy picks the passage and the ranges to highlight by running our analyzer over the
//! stored text, so a romaji query highlights the kanji it reads as (`chuushin` marks `中心`).

use tantivy::query::Query;
use tantivy::schema::{Field, Value};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{Searcher, TantivyDocument};

pub const SNIPPET_CHARS: usize = 180;

/// Snippet generators for the fields a hit may be shown from, in order of preference.
pub struct Snippets {
    generators: Vec<SnippetGenerator>,
    fields: Vec<Field>,
}

impl Snippets {
    pub fn new(searcher: &Searcher, query: &dyn Query, fields: &[Field]) -> Snippets {
        let generators = fields
            .iter()
            .filter_map(|&f| {
                let mut g = SnippetGenerator::create(searcher, query, f).ok()?;
                g.set_max_num_chars(SNIPPET_CHARS);
                Some(g)
            })
            .collect();
        Snippets { generators, fields: fields.to_vec() }
    }

    /// The first field with a highlighted match, as HTML; else the start of the first
    /// non-empty field, so every hit shows some text.
    pub fn html(&self, doc: &TantivyDocument) -> String {
        for g in &self.generators {
            let s = g.snippet_from_doc(doc);
            if !s.highlighted().is_empty() {
                return to_html(&s);
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
            let cut: String = t.chars().take(SNIPPET_CHARS).collect();
            escape_into(&cut, &mut out);
            if cut.len() < t.len() {
                out.push('…');
            }
        }
        out
    }
}

/// Escapes HTML and wraps highlighted ranges in `<mark>`.
pub fn to_html(s: &Snippet) -> String {
    let frag = s.fragment();
    let mut out = String::with_capacity(frag.len() + 32);
    let mut pos = 0;
    for r in s.highlighted() {
        if r.start < pos || r.end > frag.len() {
            continue;
        }
        escape_into(&frag[pos..r.start], &mut out);
        out.push_str("<mark>");
        escape_into(&frag[r.start..r.end], &mut out);
        out.push_str("</mark>");
        pos = r.end;
    }
    escape_into(&frag[pos..], &mut out);
    out
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
