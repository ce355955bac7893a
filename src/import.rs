//! The page importer: a drama page of the fan site, saved as text, becomes records.
//!
//! The site's own NDJSON export covers only some dramas, while anyone can save a drama page from a
//! browser; importing the page lets such a drama enter the index through the same
//! [`Record::validate`] gate as every other record. The page is a fixed template (a header with
//! the Japanese title, "Drama Details" with `Key:value` lines, then titled sections each with a
//! count: songs, cast, reviews, comments, voters), so the importer walks it section by section,
//! line by line, without guessing at HTML. A page is either imported whole or refused with an
//! error that names what is missing and where: a half-saved page must not enter the index as a
//! drama with half its reviews, so the section counts printed on the page are checked against
//! what was found. User text (bodies, names) is kept exactly as the page has it, mojibake
//! included; nothing is sliced at byte offsets, so no input can make the importer panic.

use crate::record::{canonical_season, slug, CastEntry, Comment, Drama, Record, Review, Song, Vote};

/// The site lists at most this many reviews, comments or voters on a drama page and links to
/// the rest ("Read all 73 reviews from users"). A section that shows fewer than
/// `min(count, PAGE_SIZE)` entries was cut off.
pub const PAGE_SIZE: usize = 30;

const VIDEOS: usize = 0;
const SONGS: usize = 1;
const CAST: usize = 2;
const REVIEWS: usize = 4;
const COMMENTS: usize = 5;
const VOTES: usize = 6;

/// Section headings in the order the template prints them, each followed by ` (N)`.
const SECTIONS: [&str; 7] = [
    "Related Videos",
    "Soundtrack and Theme Songs",
    "Actor/Actress Cast",
    "Related Links",
    "Drama Reviews",
    "Comments From Users",
    "Users who voted for this drama",
];

/// The template prints these three even when they are empty, and the voters come last: a page
/// without one of them was saved before it finished loading or was cut.
const REQUIRED: [usize; 3] = [REVIEWS, COMMENTS, VOTES];

/// Links the template puts among the drama details; they are not part of the synopsis.
const NAV_LINES: [&str; 2] = ["Search forum for this drama", "Official Forum Topic"];

const DETAIL_KEYS: [&str; 5] = ["Title:", "Telecast:", "Season:", "TV Station:", "Duration:"];

/// Why a page was refused. Every message names what was expected, and the line (1-based) where
/// it makes sense, so that whoever saved the page can see what went wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("empty page: expected a drama page with \"Drama Details\" and a \"Title:...\" line")]
    Empty,
    #[error("no \"Drama Details\" line: this does not look like a drama page")]
    NoDetails,
    #[error("no drama title: expected a line \"Title:...\" after \"Drama Details\" (line {details_line})")]
    NoTitle { details_line: usize },
    /// `why` says whether the page ends before the section (cut off) or skips it.
    #[error("no \"{section} (N)\" section: {why}")]
    MissingSection { section: &'static str, why: String },
    #[error(
        "\"{section} ({total})\" (line {header_line}) lists {found} entries where the site shows \
         {expected}: the page looks cut off after line {last_line}"
    )]
    CutShort {
        section: &'static str,
        header_line: usize,
        total: usize,
        found: usize,
        expected: usize,
        last_line: usize,
    },
    #[error("line {line}: {message}")]
    Malformed { line: usize, message: String },
    #[error("line {line}: {what} is not a valid record: {message}")]
    Invalid { line: usize, what: String, message: String },
}

fn malformed(line: usize, message: impl Into<String>) -> ImportError {
    ImportError::Malformed { line, message: message.into() }
}

/// One line of the page; `text` has trailing whitespace removed, leading kept (it may matter
/// in a body), and `no` counts from 1 like an editor.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    no: usize,
    text: &'a str,
}

impl<'a> Line<'a> {
    fn t(&self) -> &'a str {
        self.text.trim()
    }
}

/// A section heading found on the page and the lines up to the next one.
struct Section<'p, 'a> {
    kind: usize,
    total: usize,
    header_line: usize,
    lines: &'p [Line<'a>],
}

impl Section<'_, '_> {
    fn last_line(&self) -> usize {
        self.lines.last().map_or(self.header_line, |l| l.no)
    }
}

/// Turns one saved drama page into its records: the drama first, then its reviews
/// (`<drama>-r<N>`), comments (`<drama>-c<N>`) and votes, in page order. `N` is the number the
/// page prints, so importing the same page twice yields the same ids and replaces, not
/// duplicates, what the first import stored.
pub fn import_page(text: &str) -> Result<Vec<Record>, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let lines: Vec<Line> =
        text.lines().enumerate().map(|(i, l)| Line { no: i + 1, text: l.trim_end() }).collect();

    let dd = lines.iter().position(|l| l.t() == "Drama Details").ok_or(ImportError::NoDetails)?;
    let header = &lines[..dd];
    let after = &lines[dd + 1..];

    let sections = find_sections(after);
    let details_end = sections.first().map_or(after.len(), |(i, _, _)| *i);
    let details = &after[..details_end];
    let sections: Vec<Section> = sections
        .iter()
        .enumerate()
        .map(|(k, &(start, kind, total))| {
            let end = sections.get(k + 1).map_or(after.len(), |s| s.0);
            Section {
                kind,
                total,
                header_line: after[start].no,
                lines: after.get(start + 1..end).unwrap_or(&[]),
            }
        })
        .collect();

    let last_line = lines.last().map_or(0, |l| l.no);
    for kind in REQUIRED {
        if !sections.iter().any(|s| s.kind == kind) {
            let why = match sections.iter().find(|s| s.kind > kind) {
                Some(next) => format!(
                    "every drama page has one before \"{}\" (line {})",
                    SECTIONS[next.kind], next.header_line
                ),
                None => format!("the page ends at line {last_line}, so it looks cut off"),
            };
            return Err(ImportError::MissingSection { section: SECTIONS[kind], why });
        }
    }

    let mut drama = parse_details(lines[dd].no, details)?;
    drama.title_ja = japanese_title(header);
    let id = slug(&drama.title);
    if id.is_empty() {
        let line = details.iter().find(|l| l.t().starts_with("Title:")).map_or(lines[dd].no, |l| l.no);
        return Err(malformed(
            line,
            format!("drama title {:?} has no letters or digits to make an id from", drama.title),
        ));
    }
    drama.id = id.clone();

    let mut reviews = Vec::new();
    let mut comments = Vec::new();
    let mut votes = Vec::new();
    for s in &sections {
        match s.kind {
            VIDEOS => {}
            SONGS => drama.songs = parse_songs(s.lines),
            CAST => drama.cast = parse_cast(s.lines),
            REVIEWS => {
                reviews = parse_reviews(&id, s)?;
                check_count(s, reviews.len())?;
            }
            COMMENTS => {
                comments = parse_comments(&id, s)?;
                check_count(s, comments.len())?;
            }
            VOTES => {
                votes = parse_votes(&id, s);
                check_count(s, votes.len())?;
            }
            _ => {}
        }
    }

    let mut out = Vec::with_capacity(1 + reviews.len() + comments.len() + votes.len());
    out.push(validated(Record::Drama(drama), lines[dd].no, "the drama".into())?);
    for (line, r) in reviews {
        let what = format!("review {}", r.id);
        out.push(validated(Record::Review(r), line, what)?);
    }
    for (line, c) in comments {
        let what = format!("comment {}", c.id);
        out.push(validated(Record::Comment(c), line, what)?);
    }
    for (line, v) in votes {
        let what = format!("the vote of {:?}", v.user);
        out.push(validated(Record::Vote(v), line, what)?);
    }
    Ok(out)
}

fn validated(r: Record, line: usize, what: String) -> Result<Record, ImportError> {
    r.validate().map_err(|e| ImportError::Invalid { line, what, message: e.0 })
}

/// `Drama Reviews (73)` → (index in [`SECTIONS`], 73).
fn section_heading(t: &str) -> Option<(usize, usize)> {
    let (name, rest) = t.rsplit_once(" (")?;
    let n = rest.strip_suffix(')')?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let kind = SECTIONS.iter().position(|s| *s == name)?;
    Some((kind, n.parse().ok()?))
}

/// Headings in template order only: a later heading's name quoted in a review cannot reopen an
/// earlier section. Returns (index into `lines`, kind, count).
fn find_sections(lines: &[Line]) -> Vec<(usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if let Some((kind, total)) = section_heading(l.t()) {
            if out.last().is_none_or(|&(_, k, _)| kind > k) {
                out.push((i, kind, total));
            }
        }
    }
    out
}

fn check_count(s: &Section, found: usize) -> Result<(), ImportError> {
    let expected = s.total.min(PAGE_SIZE);
    if found < expected {
        return Err(ImportError::CutShort {
            section: SECTIONS[s.kind],
            header_line: s.header_line,
            total: s.total,
            found,
            expected,
            last_line: s.last_line(),
        });
    }
    Ok(())
}

fn is_key_line(t: &str) -> bool {
    DETAIL_KEYS.iter().any(|k| t.starts_with(k))
}

/// The details block: `Title:` and the English title on the line after it, the other
/// `Key:value` lines, and the synopsis, which is whatever text follows the last key.
fn parse_details(details_line: usize, block: &[Line]) -> Result<Drama, ImportError> {
    let mut d = Drama::default();
    let mut title = None;
    let mut last_key = None;
    let mut title_en_at = None;
    for (i, l) in block.iter().enumerate() {
        let t = l.t();
        if let Some(v) = t.strip_prefix("Title:") {
            let v = v.trim();
            if v.is_empty() {
                return Err(malformed(l.no, "empty drama title: expected \"Title:<romanized title>\""));
            }
            title = Some(v.to_string());
            last_key = Some(i);
            if let Some(next) = block.get(i + 1) {
                let nt = next.t();
                if !nt.is_empty() && !is_key_line(nt) && !NAV_LINES.contains(&nt) {
                    d.title_en = Some(nt.to_string());
                    title_en_at = Some(i + 1);
                }
            }
        } else if let Some(v) = t.strip_prefix("Telecast:") {
            last_key = Some(i);
            let (start, end) = match v.split_once(" to ") {
                Some((a, b)) => (a.trim(), b.trim()),
                None => (v.trim(), ""),
            };
            for (field, value) in [(&mut d.start, start), (&mut d.end, end)] {
                if value.is_empty() || value == "?" {
                    continue;
                }
                if !is_iso_date(value) {
                    return Err(malformed(
                        l.no,
                        format!("telecast date {value:?} is not like \"Telecast:2004-07-02 to 2004-09-10\""),
                    ));
                }
                *field = Some(value.to_string());
            }
        } else if let Some(v) = t.strip_prefix("Season:") {
            last_key = Some(i);
            let v = v.trim();
            if !v.is_empty() {
                d.season = Some(canonical_season(v).ok_or_else(|| {
                    malformed(l.no, format!("season {v:?} is not like \"Season:Summer 2004\""))
                })?);
            }
        } else if let Some(v) = t.strip_prefix("TV Station:") {
            last_key = Some(i);
            let v = v.trim();
            if !v.is_empty() {
                d.station = Some(v.to_string());
            }
        } else if let Some(v) = t.strip_prefix("Duration:") {
            last_key = Some(i);
            parse_duration(l.no, v, &mut d)?;
        }
    }
    d.title = title.ok_or(ImportError::NoTitle { details_line })?;

    let from = last_key.map_or(0, |k| k + 1);
    let mut synopsis: Vec<&str> = Vec::new();
    for (i, l) in block.iter().enumerate().skip(from) {
        let t = l.t();
        if Some(i) == title_en_at || NAV_LINES.contains(&t) {
            continue;
        }
        // Runs of blank lines (left where navigation links were) become one paragraph break.
        if t.is_empty() && synopsis.last().is_none_or(|p| p.is_empty()) {
            continue;
        }
        synopsis.push(if t.is_empty() { "" } else { l.text });
    }
    while synopsis.last() == Some(&"") {
        synopsis.pop();
    }
    if !synopsis.is_empty() {
        d.synopsis = Some(synopsis.join("\n"));
    }
    Ok(d)
}

/// `11 Episodes, 1 Special`. Parts the importer has no field for (a "1 Movie") are skipped
/// rather than refused: they lose nothing the record could hold.
fn parse_duration(line: usize, v: &str, d: &mut Drama) -> Result<(), ImportError> {
    for part in v.split(',') {
        let mut words = part.split_whitespace();
        let (Some(n), Some(what)) = (words.next(), words.next()) else { continue };
        let what = what.to_lowercase();
        let field = if what.starts_with("episode") {
            &mut d.episodes
        } else if what.starts_with("special") {
            &mut d.specials
        } else {
            continue;
        };
        *field = Some(n.parse().map_err(|_| {
            malformed(line, format!("{:?} is not like \"Duration:11 Episodes, 1 Special\"", part.trim()))
        })?);
    }
    Ok(())
}

/// The page header repeats the title with the Japanese one in brackets:
/// `Sekai no chuushin de, ai wo sakebu [世界の中心で、愛をさけぶ]`.
fn japanese_title(header: &[Line]) -> Option<String> {
    header.iter().rev().find_map(|l| {
        let (_, rest) = l.t().rsplit_once(" [")?;
        let ja = rest.strip_suffix(']')?.trim();
        ja.chars().any(is_japanese).then(|| ja.to_string())
    })
}

fn is_japanese(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F     // CJK punctuation (、。「」)
        | 0x3040..=0x30FF   // hiragana, katakana
        | 0x31F0..=0x31FF   // katakana extensions
        | 0x3400..=0x4DBF   // CJK extension A
        | 0x4E00..=0x9FFF   // CJK unified ideographs
        | 0xF900..=0xFAFF   // CJK compatibility ideographs
        | 0xFF01..=0xFF9F) // full-width forms, half-width katakana
}

/// `Katachi Aru Mono かたちあるもの` → romanized part, Japanese part: the page writes the
/// romanization first and the Japanese after it, so the split is at the first Japanese character.
fn split_scripts(s: &str) -> (Option<String>, Option<String>) {
    let at = s.char_indices().find(|&(_, c)| is_japanese(c)).map_or(s.len(), |(i, _)| i);
    let (latin, ja) = s.split_at(at);
    let some = |x: &str| {
        let x = x.trim();
        (!x.is_empty()).then(|| x.to_string())
    };
    (some(latin), some(ja))
}

/// `12. rest` → (12, "rest", whether the space is a no-break one). The site puts a no-break
/// space after the number (`12.\u{a0}rest`); a plain space, as a page retyped or saved by
/// another browser may have, is taken too.
fn numbered(t: &str) -> Option<(usize, &str, bool)> {
    let (n, rest) = t.split_once('.')?;
    if n.is_empty() || n.len() > 9 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (rest, nbsp) = match rest.strip_prefix('\u{a0}') {
        Some(r) => (r, true),
        None => (rest.strip_prefix(' ')?, false),
    };
    Some((n.parse().ok()?, rest.trim_start(), nbsp))
}

/// How one section numbers its entries. Users write numbered lists too ("2. the acting"), so a
/// line is the header of entry `n` only if it carries exactly the next number and is spaced like
/// the section's first header: on a saved page the template's no-break space tells the two apart.
#[derive(Default)]
struct Numbering {
    nbsp: Option<bool>,
}

impl Numbering {
    fn header<'t>(&self, t: &'t str, n: usize) -> Option<&'t str> {
        let (k, rest, nbsp) = numbered(t)?;
        (k == n && self.nbsp.is_none_or(|s| s == nbsp)).then_some(rest)
    }

    /// Called with each header taken: the first one sets the section's style.
    fn taken(&mut self, t: &str) {
        if self.nbsp.is_none() {
            self.nbsp = numbered(t).map(|(_, _, nbsp)| nbsp);
        }
    }
}

/// `1. Katachi Aru Mono かたちあるもの [Shibasaki Kou 柴咲コウ]LYRICS ]`: title, then the artist
/// in brackets; what follows the artist's `]` is the lyrics link.
fn parse_songs(lines: &[Line]) -> Vec<Song> {
    let mut songs = Vec::new();
    for l in lines {
        let Some((_, rest, _)) = numbered(l.t()) else { continue };
        let (title, artist) = match rest.split_once('[') {
            Some((t, a)) => (t, a.split_once(']').map_or(a, |(a, _)| a)),
            None => (rest, ""),
        };
        let (title, title_ja) = split_scripts(title);
        let (artist, artist_ja) = split_scripts(artist);
        if title.is_some() || title_ja.is_some() {
            songs.push(Song { title, title_ja, artist, artist_ja });
        }
    }
    songs
}

/// The cast is a list of bare lines: actor, character, then `松本朔太郎 (17)` (the character in
/// Japanese and the age). The Japanese line closes an entry, so the romanized lines before it
/// are counted: two are actor and character; one is a character nobody is credited for (the
/// seed page's `Matsumoto Fumiko`). Lines beyond that are earlier entries with no Japanese line,
/// taken in (actor, character) pairs, as are the lines after the last Japanese line.
fn parse_cast(lines: &[Line]) -> Vec<CastEntry> {
    let mut cast = Vec::new();
    let mut pending: Vec<&str> = Vec::new();
    let flush_pairs = |pending: &[&str], cast: &mut Vec<CastEntry>| {
        for pair in pending.chunks(2) {
            match pair {
                [actor, character] => cast.push(CastEntry {
                    actor: Some(actor.to_string()),
                    character: Some(character.to_string()),
                    ..Default::default()
                }),
                [character] => {
                    cast.push(CastEntry { character: Some(character.to_string()), ..Default::default() })
                }
                _ => {}
            }
        }
    };
    for l in lines {
        let t = l.t();
        if t.is_empty() {
            continue;
        }
        let (ja, age) = split_age(t);
        if ja.is_none_or(|j| !j.chars().any(is_japanese)) && age.is_none() {
            pending.push(t);
            continue;
        }
        let own = if pending.len().is_multiple_of(2) { 2.min(pending.len()) } else { 1 };
        let (earlier, mine) = pending.split_at(pending.len() - own);
        flush_pairs(earlier, &mut cast);
        let (actor, character) = match mine {
            [a, c] => (Some(a.to_string()), Some(c.to_string())),
            [c] => (None, Some(c.to_string())),
            _ => (None, None),
        };
        cast.push(CastEntry { actor, actor_ja: None, actor_aka: Vec::new(), character, character_ja: ja.map(str::to_string), age });
        pending.clear();
    }
    flush_pairs(&pending, &mut cast);
    cast
}

/// `松本朔太郎 (17)` → ("松本朔太郎", 17); a line without an age in parentheses is all name.
fn split_age(t: &str) -> (Option<&str>, Option<u32>) {
    fn some(x: &str) -> Option<&str> {
        let x = x.trim();
        (!x.is_empty()).then_some(x)
    }
    if let Some((name, rest)) = t.strip_suffix(')').and_then(|x| x.rsplit_once('(')) {
        if let Ok(age) = rest.trim().parse::<u32>() {
            return (some(name), Some(age));
        }
    }
    (some(t), None)
}

/// `Read all 73 reviews from users`: the link after the listed entries, not part of the last one.
fn is_footer(t: &str) -> bool {
    t.strip_prefix("Read all ")
        .and_then(|r| r.strip_suffix(" from users"))
        .and_then(|r| r.split_once(' '))
        .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `TITLE [Rating: 9/10]` → (TITLE, Some(Ok(9))); no `[Rating:` → None; a rating that is not a
/// whole number 1–10 out of 10 → Some(Err(what was written)).
fn split_rating(t: &str) -> Option<(&str, Result<u8, &str>)> {
    let (head, r) = t.rsplit_once("[Rating:")?;
    let written = r.trim();
    let rating = written
        .strip_suffix(']')
        .and_then(|x| x.split_once('/'))
        .filter(|(_, den)| den.trim() == "10")
        .and_then(|(num, _)| num.trim().parse::<u8>().ok())
        .filter(|n| (1..=10).contains(n))
        .ok_or(written);
    Some((head.trim(), rating))
}

fn bad_rating(line: usize, what: &str, written: &str) -> ImportError {
    malformed(
        line,
        format!("{what} has rating \"[Rating:{written}\", expected \"[Rating: N/10]\" with N from 1 to 10"),
    )
}

/// A body is the lines between a header and what ends it, blank lines at either end dropped.
fn body(lines: &[&str]) -> String {
    let start = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(lines.len());
    let end = lines.iter().rposition(|l| !l.trim().is_empty()).map_or(start, |e| e + 1);
    lines.get(start..end).unwrap_or(&[]).join("\n")
}

/// `31 January 2005` → `2005-01-31`.
fn parse_long_date(s: &str) -> Option<String> {
    let mut it = s.split_whitespace();
    let day: u32 = it.next()?.parse().ok()?;
    let month = month_number(it.next()?)?;
    let year = it.next()?;
    if it.next().is_some() || year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let day = u8::try_from(day).ok()?;
    crate::record::calendar_date(year.parse().ok()?, month as u8, day).map(crate::record::iso_date)
}

fn month_number(m: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let m = m.trim_end_matches('.').to_lowercase();
    let n = MONTHS.iter().position(|full| *full == m || (m.len() >= 3 && full.starts_with(&m)))?;
    Some(n as u32 + 1)
}

/// Three words starting with a number: what the site prints as a date, parseable or not.
fn looks_like_date(s: &str) -> bool {
    let w: Vec<&str> = s.split_whitespace().collect();
    w.len() == 3 && w[0].bytes().all(|b| b.is_ascii_digit())
}

fn is_iso_date(s: &str) -> bool {
    crate::record::parse_iso_date(s).is_some()
}

/// `AUTHOR on 31 January 2005` → (AUTHOR, date). An author may contain " on ", so only the last
/// one counts, and only when a date follows it. `Err` when it looks like a date but is not one.
fn split_author_date(s: &str) -> Result<(&str, Option<String>), String> {
    if let Some((author, date)) = s.rsplit_once(" on ") {
        if let Some(d) = parse_long_date(date) {
            return Ok((author.trim(), Some(d)));
        }
        if looks_like_date(date) {
            return Err(format!("date {:?} is not like \"31 January 2005\"", date.trim()));
        }
    }
    Ok((s.trim(), None))
}

struct Open<'a> {
    no: usize,
    n: usize,
    title: Option<String>,
    rating: u8,
    body: Vec<&'a str>,
}

/// Reviews: `N. TITLE [Rating: R/10]`, the body, then `Reviewed by AUTHOR on D Month YYYY`,
/// which is what ends a review (a body may hold numbered lines of its own). A header without a
/// rating, or a review that runs into the next header without its byline, is refused: either
/// means the page is not the template this importer reads, and guessing would misattribute text.
fn parse_reviews(drama_id: &str, s: &Section) -> Result<Vec<(usize, Review)>, ImportError> {
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    let mut numbering = Numbering::default();
    for l in s.lines {
        let t = l.t();
        let Some(cur) = open.as_mut() else {
            let n = out.len() + 1;
            if let Some(rest) = numbering.header(t, n) {
                numbering.taken(t);
                let (title, rating) = split_rating(rest).ok_or_else(|| {
                    malformed(l.no, format!("review {n} header {rest:?} has no rating: expected \"{n}. TITLE [Rating: N/10]\""))
                })?;
                let rating = rating.map_err(|w| bad_rating(l.no, &format!("review {n}"), w))?;
                let title = (!title.is_empty()).then(|| title.to_string());
                open = Some(Open { no: l.no, n, title, rating, body: Vec::new() });
            } else if is_footer(t) {
                break;
            } else if !t.is_empty() && n > 1 {
                return Err(malformed(
                    l.no,
                    format!("expected review {n} (\"{n}. TITLE [Rating: N/10]\") or the end of the reviews, found {t:?}"),
                ));
            }
            continue;
        };
        if let Some(byline) = t.strip_prefix("Reviewed by ") {
            if let Some((_, date)) = byline.rsplit_once(" on ") {
                if parse_long_date(date).is_some() || looks_like_date(date) {
                    let (author, date) = split_author_date(byline).map_err(|e| malformed(l.no, e))?;
                    out.push((
                        cur.no,
                        Review {
                            id: format!("{drama_id}-r{}", cur.n),
                            drama_id: drama_id.to_string(),
                            author: author.to_string(),
                            date,
                            rating: cur.rating,
                            title: cur.title.take(),
                            body: body(&cur.body),
                        },
                    ));
                    open = None;
                    continue;
                }
            }
        }
        if numbering.header(t, cur.n + 1).and_then(split_rating).is_some() {
            return Err(malformed(
                cur.no,
                format!(
                    "review {} has no \"Reviewed by AUTHOR on D Month YYYY\" line before review {} (line {})",
                    cur.n,
                    cur.n + 1,
                    l.no
                ),
            ));
        }
        cur.body.push(l.text);
    }
    if let Some(cur) = open {
        return Err(malformed(
            cur.no,
            format!(
                "review {} has no \"Reviewed by AUTHOR on D Month YYYY\" line: the reviews end at line {}",
                cur.n,
                s.last_line()
            ),
        ));
    }
    Ok(out)
}

/// Comments: `N. Comments by AUTHOR [Rating: R/10]` (rating optional, ` on D Month YYYY` after
/// the author when the site gives a date); the body runs to the next numbered header.
fn parse_comments(drama_id: &str, s: &Section) -> Result<Vec<(usize, Comment)>, ImportError> {
    let mut out: Vec<(usize, Comment)> = Vec::new();
    let mut body_lines: Vec<&str> = Vec::new();
    let mut numbering = Numbering::default();
    let finish = |out: &mut Vec<(usize, Comment)>, body_lines: &mut Vec<&str>| {
        if let Some((_, c)) = out.last_mut() {
            c.body = body(body_lines);
        }
        body_lines.clear();
    };
    for l in s.lines {
        let t = l.t();
        let n = out.len() + 1;
        if let Some(rest) = numbering.header(t, n).and_then(|rest| rest.strip_prefix("Comments by ")) {
            numbering.taken(t);
            finish(&mut out, &mut body_lines);
            let (who, rating) = match split_rating(rest) {
                Some((who, r)) => (who, Some(r.map_err(|w| bad_rating(l.no, &format!("comment {n}"), w))?)),
                None => (rest.trim(), None),
            };
            let (author, date) = split_author_date(who).map_err(|e| malformed(l.no, e))?;
            if author.is_empty() {
                return Err(malformed(
                    l.no,
                    format!("comment {n} has no author: expected \"{n}. Comments by AUTHOR\""),
                ));
            }
            out.push((
                l.no,
                Comment {
                    id: format!("{drama_id}-c{n}"),
                    drama_id: drama_id.to_string(),
                    author: author.to_string(),
                    date,
                    rating,
                    body: String::new(),
                },
            ));
        } else if is_footer(t) {
            break;
        } else if !out.is_empty() {
            body_lines.push(l.text);
        }
    }
    finish(&mut out, &mut body_lines);
    Ok(out)
}

/// Voters: `N. USER` and what they wrote; like comments, a body runs to the next number.
fn parse_votes(drama_id: &str, s: &Section) -> Vec<(usize, Vote)> {
    let mut out: Vec<(usize, Vote)> = Vec::new();
    let mut body_lines: Vec<&str> = Vec::new();
    let mut numbering = Numbering::default();
    let finish = |out: &mut Vec<(usize, Vote)>, body_lines: &mut Vec<&str>| {
        if let Some((_, v)) = out.last_mut() {
            v.body = body(body_lines);
        }
        body_lines.clear();
    };
    for l in s.lines {
        let t = l.t();
        match numbering.header(t, out.len() + 1).filter(|user| !user.trim().is_empty()) {
            Some(user) => {
                numbering.taken(t);
                finish(&mut out, &mut body_lines);
                out.push((
                    l.no,
                    Vote {
                        drama_id: drama_id.to_string(),
                        user: user.trim().to_string(),
                        body: String::new(),
                    },
                ));
            }
            None if is_footer(t) => break,
            None if !out.is_empty() => body_lines.push(l.text),
            None => {}
        }
    }
    finish(&mut out, &mut body_lines);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_date_becomes_iso() {
        assert_eq!(parse_long_date("31 January 2005").as_deref(), Some("2005-01-31"));
        assert_eq!(parse_long_date("4 Dec 2005").as_deref(), Some("2005-12-04"));
        assert_eq!(parse_long_date("32 January 2005"), None);
        assert_eq!(parse_long_date("29 February 2005"), None);
        assert_eq!(parse_long_date("29 February 2004").as_deref(), Some("2004-02-29"));
        assert_eq!(parse_long_date("31 April 2006"), None);
        assert_eq!(parse_long_date("31 Janvier 2005"), None);
    }

    #[test]
    fn song_titles_and_artists_split_at_the_first_japanese_character() {
        let l = [Line {
            no: 1, text: "1. Katachi Aru Mono かたちあるもの [Shibasaki Kou 柴咲コウ]LYRICS ]"
        }];
        let s = &parse_songs(&l)[0];
        assert_eq!(s.title.as_deref(), Some("Katachi Aru Mono"));
        assert_eq!(s.title_ja.as_deref(), Some("かたちあるもの"));
        assert_eq!(s.artist.as_deref(), Some("Shibasaki Kou"));
        assert_eq!(s.artist_ja.as_deref(), Some("柴咲コウ"));
    }

    #[test]
    fn an_author_may_contain_on() {
        assert_eq!(
            split_author_date("Rock on Tommy on 2 June 2006").unwrap(),
            ("Rock on Tommy", Some("2006-06-02".to_string()))
        );
        assert_eq!(split_author_date("Rock on Tommy").unwrap(), ("Rock on Tommy", None));
        assert!(split_author_date("x on 2 Jnue 2006").is_err());
    }
}
