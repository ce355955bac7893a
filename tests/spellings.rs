//! Names and titles across scripts in free text, and posts linked to the dramas they mention,
//! on the bundled sample: a name typed in one script finds the texts that write it in another,
//! through the catalog's spellings where the dictionary's reading cannot; a post that names no
//! drama appears, marked, in the forum of each drama it mentions.

mod common;
use dorama_search::engine::Engine;
use dorama_search::record::parse_ndjson;
use dorama_search::search::{search_with, Features, Hit, Scope, SearchRequest};

fn forum(engine: &Engine, drama: &str, q: &str) -> Vec<Hit> {
    let req = SearchRequest { q: q.into(), scope: Scope::Forum(drama.into()), limit: 100, offset: 0, refine: Default::default() };
    engine.search_uncached(&req).unwrap().hits
}

fn site(engine: &Engine, q: &str) -> Vec<Hit> {
    engine.search_uncached(&SearchRequest { q: q.into(), scope: Scope::Site(None), limit: 100, offset: 0, refine: Default::default() }).unwrap().hits
}

/// The same forum search with the catalog's spellings turned off: what words alone find.
fn forum_without_spellings(engine: &Engine, drama: &str, q: &str) -> Vec<Hit> {
    let req = SearchRequest { q: q.into(), scope: Scope::Forum(drama.into()), limit: 100, offset: 0, refine: Default::default() };
    search_with(engine.store(), &req, &|_: &str| 0, Features { spellings: false, ..Features::ALL }).unwrap().hits
}

fn ids(hits: &[Hit]) -> Vec<String> {
    hits.iter().map(|h| format!("{}:{}", h.kind, h.id)).collect()
}

#[test]
fn a_romaji_actor_name_finds_a_review_that_writes_it_in_kanji() {
    let (_d, engine) = common::sample_engine();
    // IPADIC reads 上野樹里 as "ueno ituki": only the catalog knows it is Ueno Juri.
    let want = "review:nodame-cantabile-r12".to_string();
    assert!(!ids(&forum_without_spellings(&engine, "nodame-cantabile", "ueno juri")).contains(&want));
    let hits = forum(&engine, "nodame-cantabile", "ueno juri");
    assert!(ids(&hits).contains(&want), "{:?}", ids(&hits));
    // The romaji reviews are still found, and the kanji is marked in the snippet.
    assert!(ids(&hits).contains(&"review:nodame-cantabile-r1".to_string()));
    let r12 = hits.iter().find(|h| format!("{}:{}", h.kind, h.id) == want).unwrap();
    assert!(r12.snippet.contains("<mark>上野</mark>") || r12.snippet.contains("<mark>上野樹里</mark>"), "{}", r12.snippet);
    // The site search finds it too.
    assert!(ids(&site(&engine, "ueno juri")).contains(&want));
}

#[test]
fn a_kanji_actor_name_finds_reviews_that_write_it_in_romaji() {
    let (_d, engine) = common::sample_engine();
    let want = "review:nodame-cantabile-r1".to_string();
    assert!(!ids(&forum_without_spellings(&engine, "nodame-cantabile", "上野樹里")).contains(&want));
    let hits = forum(&engine, "nodame-cantabile", "上野樹里");
    assert!(ids(&hits).contains(&want), "{:?}", ids(&hits));
    assert!(ids(&hits).contains(&"review:nodame-cantabile-r12".to_string()));
}

#[test]
fn a_romaji_character_name_finds_a_comment_that_writes_it_in_kanji() {
    let (_d, engine) = common::sample_engine();
    let want = "comment:gokusen-c-ja1".to_string();
    assert!(!ids(&forum_without_spellings(&engine, "gokusen", "sawada shin")).contains(&want));
    assert!(ids(&forum(&engine, "gokusen", "sawada shin")).contains(&want));
    // Words typed beside the name are kept: the name is replaced, not the query, so the one
    // text with the name and 卒業式 (graduation) comes first.
    assert_eq!(ids(&forum(&engine, "gokusen", "sawada shin 卒業式")).first(), Some(&want));
}

#[test]
fn a_romaji_title_finds_a_review_that_writes_it_in_japanese() {
    let (_d, engine) = common::sample_engine();
    // `cantabile` and カンタービレ (kantabire) share no key; the drama's two titles link them.
    let want = "review:nodame-cantabile-r12".to_string();
    assert!(!ids(&forum_without_spellings(&engine, "nodame-cantabile", "nodame cantabile")).contains(&want));
    assert!(ids(&forum(&engine, "nodame-cantabile", "nodame cantabile")).contains(&want));
}

#[test]
fn a_post_about_no_drama_is_listed_in_the_forum_of_the_drama_it_names_and_marked() {
    let (_d, engine) = common::sample_engine();
    // Named by its Japanese title, by its romaji title, by an alias.
    for (drama, post, q) in [
        ("nodame-cantabile", "forum-p3", "再放送"),
        ("hotaru-no-hikari", "forum-p4", "rewatch"),
        ("ichi-rittoru-no-namida", "forum-p5", "cry"),
    ] {
        let hits = forum(&engine, drama, q);
        let hit = hits.iter().find(|h| h.id == post).unwrap_or_else(|| panic!("{drama} {q:?}: {:?}", ids(&hits)));
        assert!(hit.mention, "{post} is in {drama}'s forum as a mention");
        // With no words, the forum lists it among the drama's texts, newest first.
        let listing = forum(&engine, drama, "");
        assert!(listing.iter().any(|h| h.id == post && h.mention), "{drama}: {:?}", ids(&listing));
        // The drama's own texts are not marked.
        assert!(listing.iter().filter(|h| h.id != post).all(|h| !h.mention));
    }
    // A post about no drama that names none of this one's names is not in its forum.
    assert!(forum(&engine, "hero", "").iter().all(|h| !h.id.starts_with("forum-")));
    assert!(forum(&engine, "nodame-cantabile", "rewatch").iter().all(|h| h.id != "forum-p4"));
}

#[test]
fn a_post_linked_to_one_drama_is_not_a_mention_of_another() {
    let (_d, engine) = common::sample_engine();
    let post = r#"{"type": "post", "id": "linked-1", "drama_id": "hero", "topic": "Compared", "author": "x", "body": "Better than Hotaru no Hikari, if you ask me."}"#;
    engine.ingest(parse_ndjson("test", post).unwrap()).unwrap();
    assert!(forum(&engine, "hotaru-no-hikari", "").iter().all(|h| h.id != "linked-1"));
    assert!(forum(&engine, "hero", "").iter().any(|h| h.id == "linked-1" && !h.mention));
}

#[test]
fn a_name_shared_by_more_things_than_the_limit_is_not_expanded() {
    let (_d, engine) = common::sample_engine();
    // Five dramas with a character called Haruto, each written in other kanji.
    let kanji = ["遥斗", "陽翔", "大翔", "悠人", "春斗"];
    let mut lines = Vec::new();
    for (i, k) in kanji.iter().enumerate() {
        lines.push(format!(
            r#"{{"type": "drama", "id": "h{i}", "title": "Haruto Story {i}", "cast": [{{"actor": "Actor Number{i}", "actor_ja": "役者{i}", "character": "Haruto", "character_ja": "{k}"}}]}}"#
        ));
    }
    lines.push(r#"{"type": "comment", "id": "hc", "drama_id": "h0", "author": "x", "body": "春斗がいい"}"#.into());
    engine.ingest(parse_ndjson("test", &lines.join("\n")).unwrap()).unwrap();
    assert!(!ids(&forum(&engine, "h0", "haruto")).contains(&"comment:hc".to_string()));
}

/// A character name several actors have played names no one thing: it is not expanded into
/// its other spellings once more than `MAX_NAMED` people played it, however many more did
/// (the lookup stops reading there).
#[test]
fn a_character_name_played_by_more_people_than_may_be_named_is_not_expanded() {
    use dorama_search::search::spellings::MAX_NAMED;
    // IPADIC reads 上野樹里 as "ueno ituki": only a role that spells it both ways links the
    // romaji query to the kanji review.
    let engine_with = |actors: usize| {
        let (d, engine) = common::empty_engine();
        let cast: Vec<String> = (0..actors)
            .map(|i| format!(r#"{{"actor": "Actor Number{i}", "character": "Ueno Juri", "character_ja": "上野樹里"}}"#))
            .collect();
        let drama = format!(r#"{{"type": "drama", "id": "d1", "title": "Some Drama", "cast": [{}]}}"#, cast.join(", "));
        let review = r#"{"type": "review", "id": "r1", "drama_id": "d1", "author": "a", "rating": 8, "body": "上野樹里がよかった。"}"#;
        engine.ingest(parse_ndjson("test", &format!("{drama}\n{review}")).unwrap()).unwrap();
        (d, engine)
    };
    let found = |engine: &Engine| ids(&site(engine, "ueno juri")).contains(&"review:r1".to_string());
    for actors in [1, MAX_NAMED] {
        let (_d, engine) = engine_with(actors);
        assert!(found(&engine), "played by {actors}: the kanji review is found through the role");
    }
    for actors in [MAX_NAMED + 1, 3 * MAX_NAMED] {
        let (_d, engine) = engine_with(actors);
        assert!(!found(&engine), "played by {actors}: the name is not expanded");
    }
}
