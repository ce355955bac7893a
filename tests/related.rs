//! Related dramas (issue 15): shared cast by billing, the same station and season, and
//! co-ratings normalized so that the most rated drama does not top every list.

mod common;
use dorama_search::engine::Engine;
use dorama_search::record::parse_ndjson;
use dorama_search::related::Related;

fn drama(id: &str, cast: &[&str], station: &str, season: &str) -> String {
    let cast: Vec<serde_json::Value> = cast.iter().map(|a| serde_json::json!({ "actor": a })).collect();
    serde_json::json!({ "type": "drama", "id": id, "title": id, "cast": cast, "station": station, "season": season }).to_string()
}

fn rating(drama: &str, user: &str, r: u8) -> String {
    serde_json::json!({ "type": "comment", "id": format!("{drama}-{user}"), "drama_id": drama, "author": user, "rating": r, "body": "" }).to_string()
}

/// `a` has two leads; `b` shares `a`'s lead as its own lead, `c` shares nothing but `a`'s five
/// fans, who also rate it highly; `popular` is rated highly by those five and 95 others;
/// `slot` airs on `a`'s station in `a`'s season; `other` has nothing in common with `a`.
fn engine() -> (tempfile::TempDir, Engine) {
    let mut lines = vec![
        drama("a", &["Lead One", "Lead Two", "Extra Three"], "Fuji TV", "Winter 2004"),
        drama("b", &["Lead One"], "TBS", "Spring 2005"),
        drama("c", &["Someone Else"], "NTV", "Fall 2006"),
        drama("popular", &["Star Person"], "NHK", "Fall 2007"),
        drama("slot", &["Nobody Shared"], "fuji tv", "Winter 2004"),
        drama("other", &["Another Person"], "TV Tokyo", "Summer 2010"),
        drama("late", &["Extra Three"], "WOWOW", "Summer 2011"),
    ];
    for u in 0..5 {
        lines.push(rating("a", &format!("fan{u}"), 9));
        lines.push(rating("c", &format!("fan{u}"), 9));
        lines.push(rating("popular", &format!("fan{u}"), 10));
    }
    for u in 0..95 {
        lines.push(rating("popular", &format!("crowd{u}"), 9));
    }
    let (dir, e) = common::empty_engine();
    e.ingest(parse_ndjson("related.ndjson", &lines.join("\n")).unwrap()).unwrap();
    (dir, e)
}

fn ids(r: &[Related]) -> Vec<&str> {
    r.iter().map(|r| r.id.as_str()).collect()
}

#[test]
fn related_dramas_rank_shared_leads_fans_and_slot_and_say_why() {
    let (_d, e) = engine();
    let related = e.related_uncached("a", 10).unwrap();
    // c: cosine 5/sqrt(5*5) = 1, times 2; b: lead with lead, 1; slot: 0.5; popular: its five
    // shared fans among 100 give 5/sqrt(5*100) = 0.22, times 2 = 0.45; late: third-billed
    // here, lead there, 1/3.
    assert_eq!(ids(&related), ["c", "b", "slot", "popular", "late"]);
    assert!(!ids(&related).contains(&"a"), "never the drama itself");
    assert!(!ids(&related).contains(&"other"), "nothing in common, not listed");
    let why = |id: &str| related.iter().find(|r| r.id == id).unwrap().why.clone();
    assert_eq!(why("b"), ["shared cast: Lead One"]);
    assert_eq!(why("c"), ["fans of this drama rated it 9.0"]);
    assert_eq!(why("slot"), ["same station and season: Fuji TV, Winter 2004"]);
    assert_eq!(why("popular"), ["fans of this drama rated it 10.0"]);
    assert!((related[1].score - 1.0).abs() < 1e-9 && (related[4].score - 1.0 / 3.0).abs() < 1e-9);
    for n in 0..=7 {
        assert_eq!(ids(&e.related_uncached("a", n).unwrap()), ids(&related)[..n.min(5)], "a list of {n} is the start of the longer one");
    }
    assert!(e.related_uncached("nope", 10).is_none());
}

#[test]
fn related_dramas_follow_ratings_as_they_arrive() {
    let (_d, e) = engine();
    let before = e.related("a", 10).unwrap().unwrap().value();
    assert!(!before["related"].as_array().unwrap().iter().any(|r| r["id"] == "other"));
    let fans: Vec<String> = (0..3).map(|u| rating("other", &format!("fan{u}"), 10)).collect();
    e.ingest(parse_ndjson("more.ndjson", &fans.join("\n")).unwrap()).unwrap();
    let after = e.related("a", 10).unwrap().unwrap().value();
    let other = after["related"].as_array().unwrap().iter().find(|r| r["id"] == "other").expect("three of a's fans rated it 10");
    assert_eq!(other["why"][0], "fans of this drama rated it 10.0");
}
