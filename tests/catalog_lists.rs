//! The catalogue query read from its terms' postings (`search::catalog_lists`) matches and
//! scores every document exactly as tantivy's tree of scorers for the same description does:
//! the relevance suites pin pages, this pins every match of every segment.

mod common;
use dorama_search::search::{self, query, Features, Scope, SearchRequest};
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocSet, TERMINATED};

/// Queries of every shape the catalogue query takes: words in each script, a typo, kana typed
/// in one run (a whole-name reading), an exact title, a loanword, names in either order, words
/// no drama holds, one letter.
const QUERIES: &[&str] = &[
    "sekachu", "sekai no chuushin", "sekai no chushin de ai wo sakebu", "世界の中心で、愛をさけぶ", "せかいのちゅうしん", "セカチュー",
    "socrates in love", "crying out love in the center of the world", "hirose aki", "廣瀬", "廣瀬亜紀", "aki hirose", "yamada takayuki",
    "takayuki yamada", "takayki yamada", "山田孝之", "nagasawa masami", "masami nagasawa", "hirose", "sakebu", "shibasaki kou",
    "ai", "love", "tbs", "2004", "summer", "drama", "a", "zzzz qqqq", "center", "chuushin", "sekai", "hikari", "ソクラテス",
];

#[test]
fn the_catalogue_read_from_postings_scores_every_match_as_tantivys_scorers_do() {
    let (_d, engine) = common::sample_engine();
    let store = engine.store();
    let searcher = store.searcher();
    let f = store.fields();
    let (mut matched, mut typos, mut whole, mut titled) = (0, 0, 0, 0);
    for typed in QUERIES {
        let req = SearchRequest { q: typed.to_string(), scope: Scope::Site(None), limit: 20, offset: 0, refine: Default::default() };
        let tw = search::text_words(store, &searcher, &req, Features::ALL);
        for all in [true, false] {
            let lists = query::catalog(f, &searcher, &tw.words, all, &tw.keys, Features::ALL);
            typos += usize::from(lists.words.iter().any(|w| !w.typos.is_empty()));
            whole += usize::from(!lists.whole.is_empty());
            titled += usize::from(lists.titled.is_some());
            let tree = lists.tree();
            let scoring = EnableScoring::enabled_from_searcher(&searcher);
            let (ours, theirs) = (lists.weight(scoring).unwrap(), tree.weight(scoring).unwrap());
            for seg in searcher.segment_readers() {
                let every = |w: &dyn tantivy::query::Weight| {
                    let mut s = w.scorer(seg, 1.0).unwrap();
                    let mut out = Vec::new();
                    while s.doc() != TERMINATED {
                        out.push((s.doc(), s.score()));
                        s.advance();
                    }
                    out
                };
                let (a, b) = (every(ours.as_ref()), every(theirs.as_ref()));
                assert_eq!(a, b, "{typed:?} (every word: {all})");
                matched += a.len();
            }
        }
    }
    assert!(matched > 100, "{matched} matches compared: not a comparison of nothing");
    assert!(typos > 0 && whole > 0 && titled > 0, "typos {typos}, whole-name readings {whole}, titles {titled}");
}
