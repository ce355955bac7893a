//! Snippets of dramas and people are marked from the tokens stored at index time; they must be
//! the snippets the analyzer gives when run on the spot, in every script.

mod common;
use dorama_search::index::document::Tokens;
use dorama_search::search::{query, query_words, snippet::Snippets, Features};
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};

#[test]
fn stored_tokens_mark_catalog_snippets_as_the_analyzer_does() {
    let (_d, engine) = common::sample_engine();
    let store = engine.store();
    let f = store.fields();
    let searcher = store.searcher();
    let catalog: Vec<_> = ["drama", "person"]
        .iter()
        .flat_map(|k| {
            let q = TermQuery::new(Term::from_field_text(f.kind, k), IndexRecordOption::Basic);
            searcher.search(&q, &DocSetCollector).unwrap()
        })
        .collect();
    assert!(catalog.len() > 100, "{} dramas and people", catalog.len());
    let mut compared = 0;
    for q in ["sekai no chuushin", "chushin", "takayuki yamada", "山田孝之", "hirose aki", "廣瀬", "せかいのちゅうしん", "Crying out love", "ｾｶﾁｭｰ", "nagasawa masami", "長澤まさみ", "hikari", "densha otoko", "電車男"] {
        let (words, keys) = query_words(store.japanese(), q);
        let qq = query::catalog(f, &searcher, &words, false, &keys, Features::ALL);
        let marks: Box<dyn Query> = Box::new(BooleanQuery::new(vec![(Occur::Should, qq)]));
        let typed: Vec<&str> = q.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let snippets = Snippets::new(&searcher, marks.as_ref(), &[f.synopsis, f.cast, f.names], &typed);
        for &addr in &catalog {
            let doc: TantivyDocument = searcher.doc(addr).unwrap();
            let stored = Tokens::stored(f, &doc).expect("dramas and people carry their tokens");
            let live = snippets.html(addr, &doc, None);
            let from_stored = snippets.html(addr, &doc, Some(&stored));
            assert_eq!(from_stored, live, "{q:?} on {addr:?}");
            compared += live.contains("<mark>") as usize;
        }
    }
    assert!(compared > 100, "only {compared} marked snippets compared");
}
