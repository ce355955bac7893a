//! Running a search and turning documents into hits.

use super::query::{build, group, without_glue, Features};
use crate::analysis::tokenizer::terms_of;
use super::snippet::Snippets;
use super::popularity_boost;
use crate::index::Store;
use crate::record::Kind;
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Order, TantivyDocument, Term};

/// What to search in.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// Everything, or one kind.
    Site(Option<Kind>),
    /// The reviews, comments, votes and posts of one drama.
    Forum(String),
}

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub q: String,
    pub scope: Scope,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub kind: Kind,
    pub id: String,
    pub title: Option<String>,
    pub title_ja: Option<String>,
    pub score: f32,
    pub snippet: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drama_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// Extra candidates fetched beyond the page, so the popularity boost can reorder across it.
const RERANK_EXTRA: usize = 50;

fn scope_filter(store: &Store, scope: &Scope) -> Option<Box<dyn Query>> {
    let f = store.fields();
    let term = |field, v: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic))
    };
    match scope {
        Scope::Site(None) => None,
        Scope::Site(Some(k)) => Some(term(f.kind, k.as_str())),
        Scope::Forum(d) => Some(Box::new(BooleanQuery::new(vec![
            (Occur::Must, term(f.drama_id, d)),
            (Occur::MustNot, term(f.kind, Kind::Drama.as_str())),
        ]))),
    }
}

fn with_filter(q: Box<dyn Query>, filter: &Option<Box<dyn Query>>) -> Box<dyn Query> {
    match filter {
        None => q,
        Some(f) => Box::new(BooleanQuery::new(vec![(Occur::Must, q), (Occur::Must, f.box_clone())])),
    }
}

/// Runs a search. `ratings_of` gives the number of ratings of a drama (the popularity boost).
pub fn search(store: &Store, req: &SearchRequest, ratings_of: &dyn Fn(&str) -> u32) -> tantivy::Result<SearchResults> {
    search_with(store, req, ratings_of, Features::ALL)
}

/// [`search`] with a choice of cross-script features (the benchmark compares them on and off).
pub fn search_with(
    store: &Store,
    req: &SearchRequest,
    ratings_of: &dyn Fn(&str) -> u32,
    features: Features,
) -> tantivy::Result<SearchResults> {
    if req.limit == 0 {
        return Ok(SearchResults { total: 0, hits: vec![] });
    }
    let searcher = store.searcher();
    let f = store.fields();
    let filter = scope_filter(store, &req.scope);
    // The query is cut once: its words give both the terms and the type-ahead keys.
    let cut = crate::analysis::tokenizer::words(store.japanese(), &req.q);
    let keys = whole_name_keys(&cut);
    let ws = without_glue(group(terms_of(cut)));
    if ws.is_empty() {
        // Forum search with no words lists the drama's forum, newest first.
        let (Scope::Forum(_), Some(filter)) = (&req.scope, &filter) else {
            return Ok(SearchResults { total: 0, hits: vec![] });
        };
        let collect = (
            Count,
            TopDocs::with_limit(req.limit).and_offset(req.offset).order_by_u64_field("seq", Order::Desc),
        );
        let (total, top) = searcher.search(filter.as_ref(), &collect)?;
        let snippets = KindSnippets::new(&searcher, filter.as_ref(), f, &[]);
        let hits = hits_of(store, &searcher, top.into_iter().map(|(_, addr)| (0.0, addr)), &snippets)?;
        return Ok(SearchResults { total, hits });
    }

    let want = req.offset + req.limit;
    let collect = (Count, TopDocs::with_limit(want + RERANK_EXTRA).order_by_score());
    let mut query = with_filter(build(f, &searcher, &ws, true, &keys, features), &filter);
    let (mut total, mut top) = searcher.search(query.as_ref(), &collect)?;
    if total == 0 && ws.len() > 1 {
        query = with_filter(build(f, &searcher, &ws, false, &keys, features), &filter);
        (total, top) = searcher.search(query.as_ref(), &collect)?;
    }
    // The popularity boost reads the drama id from its fast field: no stored document is
    // loaded for a candidate that does not make the page.
    let mut columns: Vec<Option<Option<tantivy::columnar::StrColumn>>> = vec![None; searcher.segment_readers().len()];
    let mut drama = String::new();
    let mut scored: Vec<(f32, DocAddress)> = Vec::with_capacity(top.len());
    for (score, addr) in top {
        let col = columns[addr.segment_ord as usize].get_or_insert_with(|| {
            searcher.segment_reader(addr.segment_ord).fast_fields().str("drama_id").ok().flatten()
        });
        drama.clear();
        if let Some(col) = col {
            if let Some(o) = col.term_ords(addr.doc_id).next() {
                col.ord_to_str(o, &mut drama)?;
            }
        }
        let boost = if drama.is_empty() { 1.0 } else { popularity_boost(ratings_of(&drama)) };
        scored.push((score * boost, addr));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let typed: Vec<&str> = req.q.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let snippets = KindSnippets::new(&searcher, query.as_ref(), f, &typed);
    let hits = hits_of(store, &searcher, scored.into_iter().skip(req.offset).take(req.limit), &snippets)?;
    Ok(SearchResults { total, hits })
}

/// Snippet fields by kind: a review is shown from its text, a drama from its synopsis, cast or
/// titles, a person from their roles or names. Each hit runs the analyzer over those fields
/// only, not over all four.
struct KindSnippets {
    text: Snippets,
    drama: Snippets,
    person: Snippets,
}

impl KindSnippets {
    fn new(searcher: &tantivy::Searcher, query: &dyn Query, f: &crate::index::Fields, typed: &[&str]) -> Self {
        KindSnippets {
            text: Snippets::new(searcher, query, &[f.text], typed),
            drama: Snippets::new(searcher, query, &[f.synopsis, f.cast, f.names], typed),
            person: Snippets::new(searcher, query, &[f.cast, f.names], typed),
        }
    }

    fn for_kind(&self, kind: Kind) -> &Snippets {
        match kind {
            Kind::Drama => &self.drama,
            Kind::Person => &self.person,
            _ => &self.text,
        }
    }
}

/// Type-ahead keys of the whole query, when it is short enough to be (the start of) a name
/// and long enough not to match half the catalogue.
fn whole_name_keys(cut: &[crate::analysis::tokenizer::Word]) -> Vec<String> {
    crate::analysis::suggest::query_keys_of(cut)
        .into_iter()
        .filter(|k| k.chars().count() >= if k.is_ascii() { 4 } else { 2 })
        .collect()
}

/// Loads the documents of a page of results and turns them into hits.
fn hits_of(
    store: &Store,
    searcher: &tantivy::Searcher,
    page: impl Iterator<Item = (f32, DocAddress)>,
    snippets: &KindSnippets,
) -> tantivy::Result<Vec<Hit>> {
    let mut hits = Vec::new();
    for (score, addr) in page {
        let doc: TantivyDocument = searcher.doc(addr)?;
        hits.extend(hit_of(store, addr, &doc, score, snippets));
    }
    Ok(hits)
}

fn hit_of(store: &Store, addr: DocAddress, doc: &TantivyDocument, score: f32, snippets: &KindSnippets) -> Option<Hit> {
    let f = store.fields();
    let s = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
    let kind = Kind::parse(&s(f.kind)?)?;
    let rating = doc.get_first(f.rating).and_then(|v| v.as_u64()).filter(|&r| r > 0).map(|r| r as u8);
    Some(Hit {
        kind,
        id: s(f.id)?,
        title: s(f.title),
        title_ja: s(f.title_ja),
        score,
        snippet: snippets.for_kind(kind).html(addr, doc),
        drama_id: s(f.drama_id).filter(|_| kind != Kind::Drama),
        author: s(f.author),
        rating,
    })
}
