//! The page importer on the seed page (a real drama page of the site, saved as text) and on
//! pages broken in the ways saved pages break: empty, cut off, missing lines.

use dorama_search::import::{import_page, ImportError};
use dorama_search::record::{parse_line, parse_ndjson, slug, Comment, Drama, Record, Review, Vote};
use std::path::{Path, PathBuf};

const SEED: &str = "sekai-no-chuushin-de-ai-wo-sakebu";

/// The seed page ships in `tests/data`, a copy of the page as saved from the site;
/// `DORAMA_SEED_PAGE` points at another.
fn seed_page_path() -> PathBuf {
    std::env::var_os("DORAMA_SEED_PAGE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/jdorama-sekai-no-chuushin.txt"))
}

fn seed_page() -> String {
    let p = seed_page_path();
    std::fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("the seed page {} (set DORAMA_SEED_PAGE): {e}", p.display()))
}

/// What the site itself exported for the seed page.
fn exported() -> Vec<Record> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("index/sample").join(format!("{SEED}.ndjson"));
    let text = std::fs::read_to_string(&p).expect("the seed records ship in index/sample");
    parse_ndjson("export", &text).unwrap().into_iter().map(|l| l.record).collect()
}

#[derive(Default)]
struct Split {
    dramas: Vec<Drama>,
    reviews: Vec<Review>,
    comments: Vec<Comment>,
    votes: Vec<Vote>,
}

fn split(records: Vec<Record>) -> Split {
    let mut s = Split::default();
    for r in records {
        match r {
            Record::Drama(d) => s.dramas.push(d),
            Record::Review(r) => s.reviews.push(r),
            Record::Comment(c) => s.comments.push(c),
            Record::Vote(v) => s.votes.push(v),
            other => panic!("the importer made a {:?} record", other.kind()),
        }
    }
    s
}

fn imported() -> Split {
    split(import_page(&seed_page()).expect("the seed page imports"))
}

fn drama() -> Drama {
    let mut d = imported().dramas;
    assert_eq!(d.len(), 1, "one drama per page");
    d.remove(0)
}

/// The 1-based number of the first line of `page` that contains `needle`: expected line
/// numbers are found in the page, not copied from the importer's output.
fn line_of(page: &str, needle: &str) -> usize {
    page.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle:?} is not on the page")) + 1
}

fn import_err(text: &str) -> String {
    match import_page(text) {
        Ok(records) => panic!("imported {} records from a broken page", records.len()),
        Err(e) => e.to_string(),
    }
}

// ---- the seed page -------------------------------------------------------------------------

#[test]
fn importing_the_seed_page_finds_thirty_reviews() {
    let reviews = imported().reviews;
    assert_eq!(reviews.len(), 30);
    let ids: Vec<String> = reviews.iter().map(|r| r.id.clone()).collect();
    let want: Vec<String> = (1..=30).map(|n| format!("{SEED}-r{n}")).collect();
    assert_eq!(ids, want);
}

#[test]
fn importing_the_seed_page_finds_thirty_comments() {
    let comments = imported().comments;
    assert_eq!(comments.len(), 30);
    assert!(comments.iter().enumerate().all(|(i, c)| c.id == format!("{SEED}-c{}", i + 1)));
    assert!(comments.iter().all(|c| c.drama_id == SEED));
}

#[test]
fn importing_the_seed_page_finds_thirty_votes() {
    let votes = imported().votes;
    assert_eq!(votes.len(), 30);
    assert_eq!(votes[0].user, "Caeruleas");
    assert_eq!(votes[29].user, "Shuin");
    assert!(votes.iter().all(|v| v.drama_id == SEED));
}

#[test]
fn a_voter_who_wrote_nothing_still_votes() {
    let votes = imported().votes;
    let junk = votes.iter().find(|v| v.user == "junkpro11").expect("vote 29");
    assert_eq!(junk.body, "");
}

#[test]
fn a_comment_with_only_a_rating_keeps_its_rating() {
    let comments = imported().comments;
    let c = &comments[25];
    assert_eq!((c.author.as_str(), c.rating, c.body.as_str()), ("itsonlykat", Some(10), ""));
}

#[test]
fn a_numbered_line_a_voter_wrote_is_not_taken_for_the_next_voter() {
    let page = seed_page().replace(
        "Hehehehe, very funny coz i never be like that before.",
        "Hehehehe, very funny coz i never be like that before.\n4. the music\n5. the ending",
    );
    let votes = split(import_page(&page).unwrap()).votes;
    assert_eq!(votes.len(), 30);
    assert_eq!(votes[2].user, "ellenfosh");
    assert!(votes[2].body.ends_with("before.\n4. the music\n5. the ending"), "{}", votes[2].body);
    assert_eq!(votes[3].user, "azzwipe");
}

#[test]
fn the_read_all_link_is_not_part_of_the_last_review_or_comment() {
    let s = imported();
    assert!(s.reviews.iter().all(|r| !r.body.contains("Read all")));
    assert!(s.comments.iter().all(|c| !c.body.contains("Read all")));
    assert!(s.comments[29].body.ends_with("all my tears are worth it."));
}

#[test]
fn the_seed_cast_has_fourteen_entries_one_without_an_actor() {
    let cast = drama().cast;
    assert_eq!(cast.len(), 14);
    let uncredited: Vec<_> = cast.iter().filter(|c| c.actor.is_none()).collect();
    assert_eq!(uncredited.len(), 1);
    assert_eq!(uncredited[0].character.as_deref(), Some("Matsumoto Fumiko"));
    assert_eq!(uncredited[0].character_ja.as_deref(), Some("松本芙美子"));
    assert_eq!(uncredited[0].age, Some(13));
    assert_eq!(cast[0].actor.as_deref(), Some("Yamada Takayuki"));
    assert_eq!(cast[0].character.as_deref(), Some("Matsumoto Sakutaro"));
    assert_eq!(cast[0].character_ja.as_deref(), Some("松本朔太郎"));
    assert_eq!(cast[0].age, Some(17));
}

#[test]
fn the_last_cast_entry_has_no_japanese_line_and_no_age() {
    let cast = drama().cast;
    let last = cast.last().unwrap();
    assert_eq!(last.actor.as_deref(), Some("Tezuka Satomi"));
    assert_eq!(last.character.as_deref(), Some("Hirose Makoto"));
    assert_eq!((last.character_ja.as_deref(), last.age), (None, None));
}

#[test]
fn the_seed_drama_has_its_titles_in_every_script() {
    let d = drama();
    assert_eq!(d.id, SEED);
    assert_eq!(d.id, slug(&d.title));
    assert_eq!(d.title, "Sekai no chuushin de, ai wo sakebu");
    assert_eq!(d.title_en.as_deref(), Some("Crying out Love, in the Center of the World"));
    assert_eq!(d.title_ja.as_deref(), Some("世界の中心で、愛をさけぶ"));
}

#[test]
fn the_seed_drama_aired_on_tbs_in_summer_2004() {
    let d = drama();
    assert_eq!(d.start.as_deref(), Some("2004-07-02"));
    assert_eq!(d.end.as_deref(), Some("2004-09-10"));
    assert_eq!(d.season.as_deref(), Some("Summer 2004"));
    assert_eq!(d.station.as_deref(), Some("TBS"));
    assert_eq!((d.episodes, d.specials), (Some(11), Some(1)));
}

#[test]
fn the_synopsis_is_the_paragraph_after_the_details_without_the_forum_links() {
    let synopsis = drama().synopsis.unwrap();
    assert!(synopsis.starts_with("\"I thought I might be using a lifetime's happiness"));
    assert!(synopsis.ends_with("both pure and sad."));
    assert!(!synopsis.contains("Search forum"));
}

#[test]
fn the_theme_song_has_its_title_and_artist_in_romaji_and_japanese() {
    let songs = drama().songs;
    assert_eq!(songs.len(), 1);
    assert_eq!(songs[0].title.as_deref(), Some("Katachi Aru Mono"));
    assert_eq!(songs[0].title_ja.as_deref(), Some("かたちあるもの"));
    assert_eq!(songs[0].artist.as_deref(), Some("Shibasaki Kou"));
    assert_eq!(songs[0].artist_ja.as_deref(), Some("柴咲コウ"));
}

#[test]
fn the_first_review_is_billy_wongs_nine_of_31_january_2005() {
    let r = &imported().reviews[0];
    assert_eq!(r.rating, 9);
    assert_eq!(r.author, "Billy Wong");
    assert_eq!(r.date.as_deref(), Some("2005-01-31"));
    assert_eq!(r.title.as_deref(), Some("I have nothing much to add... just look at all the"));
    assert!(r.body.starts_with("the 1st thing that caught my eye"));
    assert!(r.body.ends_with("prepare your emotions for a GREAT DEPRESSION"));
}

#[test]
fn importing_the_same_page_twice_gives_the_same_ids() {
    let page = seed_page();
    let a = import_page(&page).unwrap();
    let b = import_page(&page).unwrap();
    let ids = |rs: &[Record]| rs.iter().map(|r| (r.kind(), r.id())).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(a, b);
    let mut unique = ids(&a);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), a.len(), "no two records share a kind and id");
}

#[test]
fn every_imported_record_is_accepted_as_an_ndjson_line() {
    for r in import_page(&seed_page()).unwrap() {
        let line = serde_json::to_string(&r).unwrap();
        assert_eq!(parse_line(&line).unwrap(), r, "{line}");
    }
}

// ---- against the site's own export ---------------------------------------------------------

#[test]
fn the_drama_matches_the_sites_export_field_by_field() {
    let want = split(exported()).dramas.remove(0);
    let got = drama();
    assert_eq!(got.id, want.id);
    assert_eq!(got.title, want.title);
    assert_eq!(got.title_en, want.title_en);
    assert_eq!(got.title_ja, want.title_ja);
    // `aka` ("Sekachu", "SekaChu", "Socrates in Love") is not on the page: the site's exporter
    // takes aliases from its database, and the page prints none, so the import has none.
    assert!(got.aka.is_empty());
    assert_eq!(got.start, want.start);
    assert_eq!(got.end, want.end);
    assert_eq!(got.season, want.season);
    assert_eq!(got.station, want.station);
    assert_eq!(got.episodes, want.episodes);
    assert_eq!(got.specials, want.specials);
    assert_eq!(got.synopsis, want.synopsis);
    assert_eq!(got.songs, want.songs);
    assert_eq!(got.cast.len(), want.cast.len());
    for (i, (g, w)) in got.cast.iter().zip(&want.cast).enumerate() {
        assert_eq!(g, w, "cast entry {}", i + 1);
    }
}

#[test]
fn the_reviews_match_the_sites_export_one_by_one() {
    let want = split(exported()).reviews;
    let got = imported().reviews;
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "{}", w.id);
    }
}

#[test]
fn the_comments_match_the_sites_export_one_by_one() {
    let want = split(exported()).comments;
    let got = imported().comments;
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "{}", w.id);
    }
}

#[test]
fn the_votes_match_the_sites_export_one_by_one() {
    let want = split(exported()).votes;
    let got = imported().votes;
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "vote of {}", w.user);
    }
}

#[test]
fn apart_from_aliases_the_import_is_the_sites_export() {
    let mut want = exported();
    if let Some(Record::Drama(d)) = want.first_mut() {
        d.aka.clear(); // not on the page; see the field-by-field test
    }
    assert_eq!(import_page(&seed_page()).unwrap(), want);
}

// ---- broken pages --------------------------------------------------------------------------

#[test]
fn an_empty_page_is_refused_as_empty() {
    for text in ["", "\n\n  \n", "\u{feff}"] {
        assert!(matches!(import_page(text), Err(ImportError::Empty)), "{text:?}");
    }
    assert!(import_err("").contains("empty page"));
}

#[test]
fn a_page_cut_in_half_names_the_sections_it_lacks() {
    let page = seed_page();
    let lines: Vec<&str> = page.lines().collect();
    let half = lines[..lines.len() / 2].join("\n");
    let msg = import_err(&half);
    assert!(msg.contains("\"Comments From Users (N)\""), "{msg}");
    assert!(msg.contains("cut off"), "{msg}");

    let chars: String = page.chars().take(page.chars().count() / 2).collect();
    let msg = import_err(&chars);
    assert!(msg.contains("section") && msg.contains("cut off"), "{msg}");
}

#[test]
fn a_page_cut_inside_the_voters_says_how_many_are_missing() {
    let page = seed_page();
    let cut = page.find("\n16.\u{a0}gackt").expect("vote 16");
    let msg = import_err(&page[..cut]);
    assert!(msg.contains("\"Users who voted for this drama (189)\""), "{msg}");
    assert!(msg.contains("lists 15 entries where the site shows 30"), "{msg}");
}

#[test]
fn a_page_that_skips_a_section_names_it_and_where_it_belongs() {
    let page = seed_page().replace("Comments From Users (285)", "Comments (285)");
    let msg = import_err(&page);
    assert!(msg.contains("no \"Comments From Users (N)\" section"), "{msg}");
    let voters = line_of(&page, "Users who voted for this drama (");
    assert!(msg.contains(&format!("before \"Users who voted for this drama\" (line {voters})")), "{msg}");
}

#[test]
fn a_page_without_its_title_line_names_the_title_line() {
    let page = seed_page();
    let without: Vec<&str> = page.lines().filter(|l| !l.starts_with("Title:")).collect();
    let without = without.join("\n");
    let err = import_page(&without).unwrap_err();
    let details_line = line_of(&without, "Drama Details");
    assert_eq!(err, ImportError::NoTitle { details_line });
    assert!(err.to_string().contains("no drama title: expected a line \"Title:...\""), "{err}");
}

#[test]
fn a_page_without_drama_details_is_not_a_drama_page() {
    let page = seed_page().replace("Drama Details", "Drama Detail");
    let msg = import_err(&page);
    assert!(msg.contains("no \"Drama Details\""), "{msg}");
    assert!(import_err("hello\nworld").contains("Drama Details"));
}

#[test]
fn a_review_header_without_a_rating_is_refused_with_its_line() {
    let page = seed_page().replace("Sad *contain spoilers* [Rating: 8/10]", "Sad *contain spoilers*");
    let msg = import_err(&page);
    let line = line_of(&page, "Sad *contain spoilers*");
    assert!(msg.starts_with(&format!("line {line}: review 3 header")), "{msg}");
    assert!(msg.contains("no rating") && msg.contains("[Rating: N/10]"), "{msg}");
}

#[test]
fn a_rating_outside_one_to_ten_is_refused() {
    let page = seed_page().replace("Not to Bad [Rating: 7/10]", "Not to Bad [Rating: 11/10]");
    let msg = import_err(&page);
    let line = line_of(&page, "Not to Bad [Rating: 11/10]");
    assert!(msg.starts_with(&format!("line {line}: review 2")), "{msg}");
    assert!(msg.contains("1 to 10"), "{msg}");
}

#[test]
fn a_review_without_its_byline_is_refused_rather_than_merged_into_the_next() {
    let page = seed_page().replace("Reviewed by duckboat on 10 October 2006\n", "");
    let msg = import_err(&page);
    let line = line_of(&page, "Not to Bad [Rating: 7/10]");
    assert!(msg.starts_with(&format!("line {line}: review 2 has no \"Reviewed by AUTHOR on D Month YYYY\" line")), "{msg}");
}

#[test]
fn a_review_date_that_is_not_a_date_is_refused() {
    let page = seed_page().replace("Billy Wong on 31 January 2005", "Billy Wong on 31 Janaury 2005");
    let msg = import_err(&page);
    let line = line_of(&page, "Billy Wong on 31 Janaury 2005");
    assert!(msg.starts_with(&format!("line {line}: date \"31 Janaury 2005\"")), "{msg}");
    // A date that names a real month but a day it does not have is refused the same way.
    let page = seed_page().replace("Billy Wong on 31 January 2005", "Billy Wong on 31 February 2005");
    let msg = import_err(&page);
    assert!(msg.starts_with(&format!("line {line}: date \"31 February 2005\"")), "{msg}");
}

#[test]
fn a_telecast_that_is_not_two_dates_is_refused() {
    let line = line_of(&seed_page(), "Telecast:2004-07-02");
    for bad in ["July 2004", "2004-02-30", "2004-13-01"] {
        let page = seed_page().replace("Telecast:2004-07-02", &format!("Telecast:{bad}"));
        let msg = import_err(&page);
        assert!(msg.starts_with(&format!("line {line}: telecast date {bad:?}")), "{msg}");
    }
}


#[test]
fn every_cut_of_the_seed_page_before_its_voters_is_refused() {
    let page = seed_page();
    let votes_at = page.find("Users who voted for this drama").unwrap();
    for (i, _) in page.char_indices().step_by(37).take_while(|&(i, _)| i < votes_at) {
        assert!(import_page(&page[..i]).is_err(), "a page cut at byte {i} was imported");
    }
}

// ---- pages built for the purpose -----------------------------------------------------------

/// Drama pages generated from the template with known content, and the line each entry's
/// header lands on, so that what the importer must produce (counts, fields, the line an
/// error names) follows from the input rather than from an earlier run.
mod generated {
    use super::*;
    use proptest::prelude::*;

    const MONTHS: [&str; 12] = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ];

    #[derive(Debug, Clone)]
    struct GenReview {
        title: String,
        rating: u8,
        author: String,
        date: (u8, u8, i32),
        body: Vec<String>,
    }

    #[derive(Debug, Clone)]
    struct GenComment {
        author: String,
        rating: Option<u8>,
        body: Vec<String>,
    }

    #[derive(Debug, Clone)]
    struct GenPage {
        reviews: Vec<GenReview>,
        comments: Vec<GenComment>,
        votes: Vec<(String, Vec<String>)>,
    }

    /// The page, and the line numbers of each review header, review byline, comment header and
    /// vote header.
    struct Built {
        text: String,
        review_lines: Vec<usize>,
        byline_lines: Vec<usize>,
        comment_lines: Vec<usize>,
        vote_lines: Vec<usize>,
    }

    fn build(p: &GenPage, rating_text: &dyn Fn(usize, u8) -> String, date_text: &dyn Fn(usize, (u8, u8, i32)) -> String) -> Built {
        let mut l: Vec<String> = Vec::new();
        let mut b = Built { text: String::new(), review_lines: vec![], byline_lines: vec![], comment_lines: vec![], vote_lines: vec![] };
        for x in ["jdorama.com Forum Index", "Qq Generated [生成された]", "", "Drama Details", "Title:Qq Generated", "Generated in English",
            "Telecast:2010-01-05 to 2010-03-16", "Season:Winter 2010", "TV Station:TBS", "Duration:10 Episodes", "", "A synopsis.", ""] {
            l.push(x.into());
        }
        l.push(format!("Drama Reviews ({})", p.reviews.len()));
        l.push("The review section may contain spoilers! Please understand".into());
        for (i, r) in p.reviews.iter().enumerate() {
            l.push(format!("{}.\u{a0}{} [Rating: {}]", i + 1, r.title, rating_text(i, r.rating)));
            b.review_lines.push(l.len());
            l.extend(r.body.iter().cloned());
            l.push(format!("Reviewed by {} on {}", r.author, date_text(i, r.date)));
            b.byline_lines.push(l.len());
        }
        l.push(String::new());
        l.push(format!("Comments From Users ({})", p.comments.len()));
        for (i, c) in p.comments.iter().enumerate() {
            l.push(match c.rating {
                Some(r) => format!("{}.\u{a0}Comments by {} [Rating: {r}/10]", i + 1, c.author),
                None => format!("{}.\u{a0}Comments by {}", i + 1, c.author),
            });
            b.comment_lines.push(l.len());
            l.extend(c.body.iter().cloned());
        }
        l.push(String::new());
        l.push(format!("Users who voted for this drama ({})", p.votes.len()));
        for (i, (user, body)) in p.votes.iter().enumerate() {
            l.push(format!("{}.\u{a0}{user}", i + 1));
            b.vote_lines.push(l.len());
            l.extend(body.iter().cloned());
        }
        b.text = l.join("\n");
        b
    }

    fn plain(p: &GenPage) -> Built {
        build(p, &|_, r| format!("{r}/10"), &|_, (d, m, y)| format!("{d} {} {y}", MONTHS[m as usize - 1]))
    }

    fn body() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec("[a-z]{1,8}( [a-z]{1,8}){0,5}", 0..3)
    }

    fn name() -> impl Strategy<Value = String> {
        "[A-Za-z][A-Za-z0-9_]{0,10}"
    }

    fn review() -> impl Strategy<Value = GenReview> {
        ("[A-Z][a-z]{0,8}( [a-z]{1,6}){0,2}", 1..=10u8, name(), (1..=28u8, 1..=12u8, 2000..2020i32), body())
            .prop_map(|(title, rating, author, date, body)| GenReview { title, rating, author, date, body })
    }

    fn page() -> impl Strategy<Value = GenPage> {
        (
            proptest::collection::vec(review(), 0..6),
            proptest::collection::vec((name(), proptest::option::of(1..=10u8), body()).prop_map(|(author, rating, body)| GenComment { author, rating, body }), 0..6),
            proptest::collection::vec((name(), body()), 0..6),
        )
            .prop_map(|(reviews, comments, votes)| GenPage { reviews, comments, votes })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Every entry of the page becomes one record, in page order, with what the page says.
        #[test]
        fn a_page_imports_to_exactly_its_entries(p in page()) {
            let built = plain(&p);
            let s = split(import_page(&built.text).map_err(|e| TestCaseError::fail(format!("{e}\n{}", built.text)))?);
            prop_assert_eq!(s.dramas.len(), 1);
            prop_assert_eq!(&s.dramas[0].id, "qq-generated");
            prop_assert_eq!(s.reviews.len(), p.reviews.len());
            prop_assert_eq!(s.comments.len(), p.comments.len());
            prop_assert_eq!(s.votes.len(), p.votes.len());
            for (i, (got, want)) in s.reviews.iter().zip(&p.reviews).enumerate() {
                prop_assert_eq!(&got.id, &format!("qq-generated-r{}", i + 1));
                prop_assert_eq!((&got.author, got.rating, got.title.as_deref()), (&want.author, want.rating, Some(want.title.as_str())));
                let (d, m, y) = want.date;
                prop_assert_eq!(got.date.clone(), Some(format!("{y}-{m:02}-{d:02}")));
                prop_assert_eq!(&got.body, &want.body.join("\n"));
            }
            for (i, (got, want)) in s.comments.iter().zip(&p.comments).enumerate() {
                prop_assert_eq!(&got.id, &format!("qq-generated-c{}", i + 1));
                prop_assert_eq!((&got.author, got.rating), (&want.author, want.rating));
                prop_assert_eq!(&got.body, &want.body.join("\n"));
            }
            for (got, want) in s.votes.iter().zip(&p.votes) {
                prop_assert_eq!((&got.user, &got.body), (&want.0, &want.1.join("\n")));
            }
        }

        /// A rating outside 1–10 (or not out of 10) in review k: the error names review k and
        /// the line of its header.
        #[test]
        fn a_bad_rating_is_refused_naming_its_review_and_line(p in page(), k in any::<prop::sample::Index>(), bad in prop_oneof![Just("0/10"), Just("11/10"), Just("7/5"), Just("x/10")]) {
            prop_assume!(!p.reviews.is_empty());
            let k = k.index(p.reviews.len());
            let built = build(&p, &|i, r| if i == k { bad.to_string() } else { format!("{r}/10") }, &|_, (d, m, y)| format!("{d} {} {y}", MONTHS[m as usize - 1]));
            let msg = import_err(&built.text);
            prop_assert!(msg.starts_with(&format!("line {}: review {} has rating", built.review_lines[k], k + 1)), "{}", msg);
        }

        /// A byline date the calendar does not have in review k: the error names the date and
        /// the line of that byline.
        #[test]
        fn an_impossible_review_date_is_refused_with_its_line(p in page(), k in any::<prop::sample::Index>(), bad in prop_oneof![Just("30 February 2004"), Just("29 February 2005"), Just("31 April 2006"), Just("31 June 2007"), Just("31 September 2008"), Just("31 November 2009"), Just("32 January 2005")]) {
            prop_assume!(!p.reviews.is_empty());
            let k = k.index(p.reviews.len());
            let built = build(&p, &|_, r| format!("{r}/10"), &|i, (d, m, y)| if i == k { bad.to_string() } else { format!("{d} {} {y}", MONTHS[m as usize - 1]) });
            let msg = import_err(&built.text);
            prop_assert!(msg.starts_with(&format!("line {}: date {bad:?}", built.byline_lines[k])), "{}", msg);
        }

        /// A page whose voter list was cut: the error gives the heading's line, the count the
        /// site shows and how many entries were found.
        #[test]
        fn a_section_with_fewer_entries_than_it_announces_is_refused_with_the_counts(p in page(), missing in 1..4usize) {
            prop_assume!(p.votes.len() >= missing);
            let built = plain(&p);
            let shown = p.votes.len();
            let found = shown - missing;
            let lines: Vec<&str> = built.text.lines().collect();
            let cut = built.vote_lines[found] - 1; // up to the first missing entry's header
            let cut = lines[..cut].join("\n");
            let header = line_of(&cut, "Users who voted for this drama (");
            let msg = import_err(&cut);
            prop_assert!(
                msg.contains(&format!("\"Users who voted for this drama ({shown})\" (line {header}) lists {found} entries where the site shows {shown}")),
                "{}", msg
            );
        }
    }
}
