//! Type-ahead: prefixes of drama titles (every script, every alias) and people's names.
//! How names become prefix terms is in [`crate::analysis::suggest`].

use super::popularity_boost;
use crate::analysis::suggest::query_keys;
use crate::index::Store;
use crate::record::Kind;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Suggestion {
    pub kind: Kind,
    pub id: String,
    pub title: Option<String>,
    pub title_ja: Option<String>,
}

/// Suggestions for what has been typed so far, best first. `popularity` gives a drama's
/// number of ratings, or a person's number of dramas.
pub fn suggest(
    store: &Store,
    typed: &str,
    limit: usize,
    popularity: &dyn Fn(Kind, &str) -> u32,
) -> tantivy::Result<Vec<Suggestion>> {
    let keys = query_keys(store.japanese(), typed);
    if keys.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let f = store.fields();
    let subqueries: Vec<(Occur, Box<dyn Query>)> = keys
        .iter()
        .map(|k| {
            let q: Box<dyn Query> =
                Box::new(TermQuery::new(Term::from_field_text(f.suggest, k), IndexRecordOption::Basic));
            (Occur::Should, q)
        })
        .collect();
    let searcher = store.searcher();
    let top = searcher.search(&BooleanQuery::new(subqueries), &TopDocs::with_limit(limit + 50).order_by_score())?;
    let mut out: Vec<(f32, Suggestion)> = Vec::new();
    for (score, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let s = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
        let (Some(kind), Some(id)) = (s(f.kind).as_deref().and_then(Kind::parse), s(f.id)) else { continue };
        let boost = popularity_boost(popularity(kind, &id));
        out.push((score * boost, Suggestion { kind, id, title: s(f.title), title_ja: s(f.title_ja) }));
    }
    out.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    Ok(out.into_iter().take(limit).map(|(_, s)| s).collect())
}
