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
    for q in ["sekai no chuushin", "chushin", "takayuki yamada", "山田孝之", "hirose aki", "廣瀬", "せかいのちゅうしん", "Crying out love", "ｾｶﾁｭｰ", "nagasawa masami", "長澤まさみ", "hikari", "densha otoko", "電車男", "kimura takuya", "木村拓哉", "love"] {
        let (words, keys) = query_words(store.japanese(), q);
        let qq = query::catalog(f, &searcher, &words, false, &keys, Features::ALL);
        let marks: Box<dyn Query> = Box::new(BooleanQuery::new(vec![(Occur::Should, Box::new(qq) as Box<dyn Query>)]));
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

/// Marking through the real analyzer (lindera with IPADIC, the folding, the romaji keys), in
/// every script: the unit tests in `src/search/snippet.rs` use a stand-in tokenizer, so these
/// are the ones that fail when the analyzer stops agreeing with the snippet maker. Each review
/// holds one word in one script; the query is the same word in another script or spelling,
/// and the snippet must mark exactly the span of the text that matched.
#[test]
fn snippets_mark_what_the_real_analyzer_matched_in_every_script() {
    use dorama_search::record::{parse_ndjson, Kind};
    use dorama_search::search::{Scope, SearchRequest};
    let (_d, engine) = common::empty_engine();
    let texts = [
        ("kanji", "この物語の中心にあるのは愛です。"),
        ("macron", "The Chūshin of it all is love."),
        ("fullwidth", "I watched ＳＥＫＡＩ twice."),
        ("halfwidth", "ﾃﾞﾝｼｬ ni notte kita."),
        ("oldkanji", "廣瀬亜紀の役がよかった。"),
        ("hiragana", "ながいたびでした。"),
        ("latin", "The Cinematography was stunning."),
    ];
    let mut lines = vec![r#"{"type":"drama","id":"d","title":"Qqdrama"}"#.to_string()];
    for (id, body) in texts {
        lines.push(format!(r#"{{"type":"review","id":"{id}","drama_id":"d","author":"a","rating":8,"body":"{body}"}}"#));
    }
    engine.ingest(parse_ndjson("t", &lines.join("\n")).unwrap()).unwrap();
    let cases = [
        // (query, review it must find, the marked passage it must show)
        ("chuushin", "kanji", "物語の<mark>中心</mark>にある"),
        ("ちゅうしん", "kanji", "物語の<mark>中心</mark>にある"),
        ("チュウシン", "kanji", "物語の<mark>中心</mark>にある"),
        ("chushin", "macron", "The <mark>Chūshin</mark> of"),
        ("tyuusin", "macron", "The <mark>Chūshin</mark> of"),
        ("sekai", "fullwidth", "watched <mark>ＳＥＫＡＩ</mark> twice"),
        ("ＳＥＫＡＩ", "fullwidth", "watched <mark>ＳＥＫＡＩ</mark> twice"),
        ("デンシャ", "halfwidth", "<mark>ﾃﾞﾝｼｬ</mark> ni notte"),
        ("densha", "halfwidth", "<mark>ﾃﾞﾝｼｬ</mark> ni notte"),
        ("広瀬", "oldkanji", "<mark>廣瀬</mark>亜紀"),
        ("hirose", "oldkanji", "<mark>廣瀬</mark>亜紀"),
        ("cinematography", "latin", "The <mark>Cinematography</mark> was"),
        ("CINEMATOGRAPHY", "latin", "The <mark>Cinematography</mark> was"),
    ];
    let mut failures = Vec::new();
    for (q, id, want) in cases {
        let res = engine
            .search_uncached(&SearchRequest { q: q.into(), scope: Scope::Site(Some(Kind::Review)), limit: 5, offset: 0, refine: Default::default() })
            .unwrap();
        match res.hits.iter().find(|h| h.id == id) {
            Some(h) if h.snippet.contains(want) && h.snippet.matches("<mark>").count() == 1 => {}
            Some(h) => failures.push(format!("{q:?} → {id}: snippet {:?}, wanted {want:?} marked once", h.snippet)),
            None => failures.push(format!("{q:?} did not find {id}: {:?}", res.hits.iter().map(|h| &h.id).collect::<Vec<_>>())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A passage found by what was typed shows every other form and spelling of the typed word in
/// it marked as well, as the analyzer matched them: another inflection of an English word,
/// another romaji spelling of a name.
#[test]
fn a_passage_found_as_typed_marks_the_other_forms_in_it_too() {
    use dorama_search::record::parse_ndjson;
    use dorama_search::search::{Scope, SearchRequest};
    let (_d, engine) = common::empty_engine();
    let lines = [
        r#"{"type":"drama","id":"d","title":"Qqdrama"}"#,
        r#"{"type":"review","id":"forms","drama_id":"d","author":"a","rating":8,"title":"Tears","body":"I was crying at the end, and my sister cried too."}"#,
        r#"{"type":"comment","id":"spellings","drama_id":"d","author":"b","body":"Chushin first, Chuushin after."}"#,
    ];
    engine.ingest(parse_ndjson("t", &lines.join("\n")).unwrap()).unwrap();
    for (q, id, want) in [
        ("crying", "forms", "<mark>crying</mark> at the end, and my sister <mark>cried</mark> too"),
        ("chushin", "spellings", "<mark>Chushin</mark> first, <mark>Chuushin</mark> after"),
    ] {
        let res = engine.search_uncached(&SearchRequest { q: q.into(), scope: Scope::Site(None), limit: 5, offset: 0, refine: Default::default() }).unwrap();
        let hit = res.hits.iter().find(|h| h.id == id).unwrap_or_else(|| panic!("{q:?} did not find {id}"));
        assert!(hit.snippet.contains(want), "{q:?} → {id}: {:?}, wanted {want:?}", hit.snippet);
    }
}
