//! Type-ahead: prefixes of drama titles (every script, every alias) and people's names.
//! How names become prefix terms is in [`crate::analysis::suggest`].

use super::popularity_boost;
use crate::analysis::suggest::query_keys;
use crate::index::Store;
use crate::record::Kind;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

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
    // Candidates are ranked by their kind and id alone (from the `key` column); only the page
    // kept reads its titles. A person's stored document holds every role, thousands for a
    // prolific actor, and reading sixty such documents was most of a keystroke's cost.
    let columns = store.columns().for_searcher(&searcher)?;
    let mut key = String::new();
    let mut ranked: Vec<(f32, Kind, String, tantivy::DocAddress)> = Vec::with_capacity(top.len());
    for (score, addr) in top {
        if !columns[addr.segment_ord as usize].key(addr.doc_id, &mut key) {
            continue;
        }
        let Some((kind, id)) = key.split_once(':').and_then(|(k, id)| Some((Kind::parse(k)?, id))) else { continue };
        ranked.push((score * popularity_boost(popularity(kind, id)), kind, id.to_string(), addr));
    }
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
    ranked.truncate(limit);
    ranked
        .into_iter()
        .map(|(_, kind, id, addr)| {
            let (title, title_ja) = store.titles(&searcher, addr)?;
            Ok(Suggestion { kind, id, title, title_ja })
        })
        .collect()
}