//! The interchange format: one JSON record per line (NDJSON), tagged by `type`.
//!
//! Everything that enters the service — the bundled sample, `dorama-search index`, the admin
//! `POST /api/records` — goes through [`parse_ndjson`], so that one set of rules decides what a
//! valid record is and every rejection names the source and line. Unknown fields are ignored
//! (the site's exporter adds fields over time); fields that the rest of the pipeline relies on
//! (ids, the drama a review belongs to, ratings in 1–10, dates) are checked here, never later.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A drama page: titles in every script, when it aired, who is in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Drama {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_ja: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aka: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// As given, or derived from `start` at parse time (see [`season_of_date`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub season: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub episodes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specials: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synopsis: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub songs: Vec<Song>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cast: Vec<CastEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Song {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_ja: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artist: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artist_ja: Option<String>,
}

/// One line of a cast list. `actor` is absent when the page lists a role nobody is credited
/// for (the seed page has one), so it is optional rather than an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CastEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_ja: Option<String>,
    /// The actor's other names, any script: nicknames fans search by (`キムタク`, `Kimutaku`
    /// for Kimura Takuya). Gathered on the person from every cast entry that names them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actor_aka: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub character: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub character_ja: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub id: String,
    pub drama_id: String,
    #[serde(default)]
    pub author: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    pub rating: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default)]
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    pub id: String,
    pub drama_id: String,
    #[serde(default)]
    pub author: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
    #[serde(default)]
    pub body: String,
}

/// "Users who voted for this drama". Votes have no id of their own on the site; one user
/// votes once per drama, so `(drama_id, user)` is the identity (see [`Record::id`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Vote {
    pub drama_id: String,
    pub user: String,
    #[serde(default)]
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Post {
    pub id: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub author: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default)]
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drama_id: Option<String>,
}

/// A person is never ingested: it is derived from cast entries (see [`person_id`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_ja: Option<String>,
    /// Other names from the cast entries' `actor_aka`, in first-seen order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aka: Vec<String>,
    pub dramas: Vec<PersonRole>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonRole {
    pub drama_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub character: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub character_ja: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Record {
    Drama(Drama),
    Review(Review),
    Comment(Comment),
    Vote(Vote),
    Post(Post),
    Person(Person),
}

/// The kinds a client can name in a URL or a `--kind` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Drama,
    Person,
    Review,
    Comment,
    Vote,
    Post,
}

impl Drama {
    /// Every name of the drama, blank ones left out, each with whether it is a title (the
    /// romanized, English or Japanese title) rather than an alias: titles first.
    pub fn names(&self) -> impl Iterator<Item = (&str, bool)> {
        let titles = [Some(&self.title), self.title_en.as_ref(), self.title_ja.as_ref()].into_iter().flatten();
        titles
            .map(|t| (t.as_str(), true))
            .chain(self.aka.iter().map(|a| (a.as_str(), false)))
            .filter(|(n, _)| !n.trim().is_empty())
    }
}

impl Kind {
    pub const ALL: [Kind; 6] =
        [Kind::Drama, Kind::Person, Kind::Review, Kind::Comment, Kind::Vote, Kind::Post];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Drama => "drama",
            Kind::Person => "person",
            Kind::Review => "review",
            Kind::Comment => "comment",
            Kind::Vote => "vote",
            Kind::Post => "post",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Record {
    /// A record from its JSON, as `serde_json::from_str` reads it, but straight into the kind's
    /// struct when the object opens with its `"type"` (as every stored record does, and most
    /// ingested lines): serde reads a tagged enum by first copying the whole object into a
    /// tree of its own, which was most of the time start-up spent reading 200,000 dramas.
    /// Any other shape, or an object the struct refuses, is read the general way, so errors
    /// and results are serde's own.
    pub fn from_json(json: &str) -> serde_json::Result<Record> {
        fn direct(json: &str) -> Option<Record> {
            let rest = json.strip_prefix(r#"{"type":""#)?;
            let (tag, body) = rest.split_once(r#"","#)?;
            let mut object = String::with_capacity(body.len() + 1);
            object.push('{');
            object.push_str(body);
            let record = match tag {
                "drama" => Record::Drama(serde_json::from_str(&object).ok()?),
                "review" => Record::Review(serde_json::from_str(&object).ok()?),
                "comment" => Record::Comment(serde_json::from_str(&object).ok()?),
                "vote" => Record::Vote(serde_json::from_str(&object).ok()?),
                "post" => Record::Post(serde_json::from_str(&object).ok()?),
                "person" => Record::Person(serde_json::from_str(&object).ok()?),
                _ => return None,
            };
            Some(record)
        }
        direct(json).map_or_else(|| serde_json::from_str(json), Ok)
    }

    pub fn kind(&self) -> Kind {
        match self {
            Record::Drama(_) => Kind::Drama,
            Record::Review(_) => Kind::Review,
            Record::Comment(_) => Kind::Comment,
            Record::Vote(_) => Kind::Vote,
            Record::Post(_) => Kind::Post,
            Record::Person(_) => Kind::Person,
        }
    }

    /// The identity used for "a record with the same type and id replaces it".
    pub fn id(&self) -> String {
        match self {
            Record::Drama(d) => d.id.clone(),
            Record::Review(r) => r.id.clone(),
            Record::Comment(c) => c.id.clone(),
            Record::Vote(v) => vote_id(&v.drama_id, &v.user),
            Record::Post(p) => p.id.clone(),
            Record::Person(p) => p.id.clone(),
        }
    }

    /// The drama this record talks about, for forum scoping and ranking.
    pub fn drama_id(&self) -> Option<&str> {
        match self {
            Record::Drama(d) => Some(&d.id),
            Record::Review(r) => Some(&r.drama_id),
            Record::Comment(c) => Some(&c.drama_id),
            Record::Vote(v) => Some(&v.drama_id),
            Record::Post(p) => p.drama_id.as_deref(),
            Record::Person(_) => None,
        }
    }

    /// `(user, rating)` if this record carries a rating that counts toward the Top 100.
    pub fn rating(&self) -> Option<(&str, u8)> {
        match self {
            Record::Review(r) => Some((&r.author, r.rating)),
            Record::Comment(c) => c.rating.map(|x| (c.author.as_str(), x)),
            _ => None,
        }
    }

    pub fn author(&self) -> Option<&str> {
        match self {
            Record::Review(r) => Some(&r.author),
            Record::Comment(c) => Some(&c.author),
            Record::Vote(v) => Some(&v.user),
            Record::Post(p) => Some(&p.author),
            _ => None,
        }
    }
}

/// Votes are keyed by drama and user; the slug keeps the id URL-safe.
pub fn vote_id(drama_id: &str, user: &str) -> String {
    format!("{}-v-{}", drama_id, slug(user))
}

/// `Yamada Takayuki` → `yamada-takayuki`: lower case, runs of anything that is not a letter or
/// digit become one `-`, no leading or trailing `-`. Non-ASCII letters are kept as they are,
/// so a name given only in kanji still gets a stable id.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for ch in name.chars() {
        if ch.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(ch.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// The id of the person an actor name denotes.
pub fn person_id(actor: &str) -> String {
    slug(actor)
}

/// The broadcast season of a date: Jan–Mar Winter, Apr–Jun Spring, Jul–Sep Summer, Oct–Dec Fall.
pub fn season_of_date(date: &str) -> Option<String> {
    let (year, month) = year_month(date)?;
    let name = match month {
        1..=3 => "Winter",
        4..=6 => "Spring",
        7..=9 => "Summer",
        10..=12 => "Fall",
        _ => return None,
    };
    Some(format!("{name} {year}"))
}

/// Where a canonical season (`Summer 2004`) falls in time, for sorting: (year, 0 to 3 from
/// Winter to Fall); (0, 0) for what is not one.
pub fn season_order(season: &str) -> (i32, u8) {
    let mut it = season.split(' ');
    let quarter = match it.next() {
        Some("Winter") => 0,
        Some("Spring") => 1,
        Some("Summer") => 2,
        Some("Fall") => 3,
        _ => return (0, 0),
    };
    (it.next().and_then(|y| y.parse().ok()).unwrap_or(0), quarter)
}

/// `YYYY-MM-DD` (or `YYYY-MM`) → (year, month).
pub fn year_month(date: &str) -> Option<(i32, u32)> {
    let mut parts = date.split('-');
    let y = parts.next()?;
    let m = parts.next()?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let y: i32 = y.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    if !(1..=12).contains(&m) {
        return None;
    }
    Some((y, m))
}

/// `Summer 2004` in any case or spacing → `Summer 2004`; anything else → None.
pub fn canonical_season(s: &str) -> Option<String> {
    let mut it = s.split_whitespace();
    let name = it.next()?.to_lowercase();
    let year: i32 = it.next()?.parse().ok()?;
    if it.next().is_some() || !(1900..=2200).contains(&year) {
        return None;
    }
    let name = match name.as_str() {
        "winter" => "Winter",
        "spring" => "Spring",
        "summer" => "Summer",
        "fall" | "autumn" => "Fall",
        _ => return None,
    };
    Some(format!("{name} {year}"))
}

/// A calendar date from its parts; None for a day the month does not have (`2004-02-30`).
/// The one date type of the crate: records and imported pages alike go through it.
pub fn calendar_date(year: i32, month: u8, day: u8) -> Option<time::Date> {
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// `YYYY-MM-DD` → the date, if it is one that exists.
pub fn parse_iso_date(d: &str) -> Option<time::Date> {
    let b = d.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = d.get(r)?;
        s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse().ok())?
    };
    calendar_date(digits(0..4)? as i32, u8::try_from(digits(5..7)?).ok()?, u8::try_from(digits(8..10)?).ok()?)
}

/// A date as `YYYY-MM-DD`.
pub fn iso_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Why one line was refused. The caller adds the source name and line number.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

fn check_id(what: &str, id: &str) -> Result<(), Invalid> {
    if id.trim().is_empty() {
        return Err(Invalid(format!("{what} is empty")));
    }
    if id.len() > 200 {
        return Err(Invalid(format!("{what} is longer than 200 bytes")));
    }
    if id.contains('/') || id.contains('\\') || id.chars().any(char::is_control) {
        return Err(Invalid(format!("{what} {id:?} contains '/', '\\' or a control character")));
    }
    Ok(())
}

fn check_rating(r: u8) -> Result<(), Invalid> {
    if (1..=10).contains(&r) {
        Ok(())
    } else {
        Err(Invalid(format!("rating {r} is outside 1–10")))
    }
}

fn check_opt_date(field: &str, d: &Option<String>) -> Result<(), Invalid> {
    match d {
        Some(d) if parse_iso_date(d).is_none() => {
            Err(Invalid(format!("{field} {d:?} is not a YYYY-MM-DD date that exists")))
        }
        _ => Ok(()),
    }
}

impl Record {
    /// Checks what serde cannot, and fills derived fields (the season from `start`).
    pub fn validate(mut self) -> Result<Record, Invalid> {
        match &mut self {
            Record::Drama(d) => {
                check_id("id", &d.id)?;
                if d.title.trim().is_empty() {
                    return Err(Invalid("title is empty".into()));
                }
                check_opt_date("start", &d.start)?;
                check_opt_date("end", &d.end)?;
                d.season = match d.season.take() {
                    Some(s) => Some(
                        canonical_season(&s)
                            .ok_or_else(|| Invalid(format!("season {s:?} is not like \"Summer 2004\"")))?,
                    ),
                    None => d.start.as_deref().and_then(season_of_date),
                };
                for (i, c) in d.cast.iter_mut().enumerate() {
                    check_aka(i, c)?;
                }
            }
            Record::Review(r) => {
                check_id("id", &r.id)?;
                check_id("drama_id", &r.drama_id)?;
                check_rating(r.rating)?;
                check_opt_date("date", &r.date)?;
            }
            Record::Comment(c) => {
                check_id("id", &c.id)?;
                check_id("drama_id", &c.drama_id)?;
                if let Some(r) = c.rating {
                    check_rating(r)?;
                }
                check_opt_date("date", &c.date)?;
            }
            Record::Vote(v) => {
                check_id("drama_id", &v.drama_id)?;
                if v.user.trim().is_empty() {
                    return Err(Invalid("user is empty".into()));
                }
            }
            Record::Post(p) => {
                check_id("id", &p.id)?;
                if let Some(d) = &p.drama_id {
                    check_id("drama_id", d)?;
                }
                check_opt_date("date", &p.date)?;
            }
            Record::Person(_) => {
                return Err(Invalid(
                    "type \"person\" is derived from cast entries and cannot be ingested".into(),
                ))
            }
        }
        Ok(self)
    }
}

/// A date `YYYY-MM-DD` as the number `YYYYMMDD`, which orders as the date does (the index's
/// `date` column, and the facts filters and sorts read).
pub fn date_number(date: &str) -> Option<u32> {
    let d = parse_iso_date(date)?;
    Some(d.year() as u32 * 10_000 + u8::from(d.month()) as u32 * 100 + d.day() as u32)
}

/// Longest nickname accepted, in characters: a nickname is a name, not a paragraph.
pub const MAX_AKA_CHARS: usize = 100;

/// A cast entry's `actor_aka`: names, each non-empty and short, and only beside an actor
/// (a role nobody is credited for has nobody to nickname). Duplicates are dropped.
fn check_aka(i: usize, c: &mut CastEntry) -> Result<(), Invalid> {
    if c.actor_aka.is_empty() {
        return Ok(());
    }
    if c.actor.as_deref().is_none_or(|a| a.trim().is_empty()) {
        return Err(Invalid(format!("cast[{i}].actor_aka is given but cast[{i}].actor is not: a nickname needs the actor it names")));
    }
    let mut seen = Vec::new();
    for a in c.actor_aka.drain(..) {
        let a = a.trim().to_string();
        if a.is_empty() {
            return Err(Invalid(format!("cast[{i}].actor_aka has an empty name")));
        }
        if a.chars().count() > MAX_AKA_CHARS {
            return Err(Invalid(format!("cast[{i}].actor_aka has a name of {} characters; at most {MAX_AKA_CHARS}", a.chars().count())));
        }
        if !seen.contains(&a) {
            seen.push(a);
        }
    }
    c.actor_aka = seen;
    Ok(())
}

/// Parses one line. Ratings arrive as JSON numbers; a rating of 11 or 0 or 7.5 is refused
/// with a message that says so rather than serde's "invalid value: integer".
pub fn parse_line(line: &str) -> Result<Record, Invalid> {
    // Most lines are good: read them straight into a record. Only a line that does not read or
    // validate takes the slower path through a JSON value, which says what is wrong in the
    // user's terms (and checks a "rating" on records that have none, which serde would skip).
    if let Ok(rec) = Record::from_json(line) {
        let rated = matches!(rec, Record::Review(_) | Record::Comment(_));
        if rated || !line.contains("\"rating\"") {
            if let Ok(rec) = rec.validate() {
                return Ok(rec);
            }
        }
    }
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| Invalid(format!("not valid JSON: {e}")))?;
    let obj = value.as_object().ok_or_else(|| {
        let what = match &value {
            serde_json::Value::Array(_) => "a JSON array",
            serde_json::Value::String(_) => "a JSON string",
            serde_json::Value::Number(_) => "a JSON number",
            _ => "a JSON value",
        };
        Invalid(format!("{what}, not an object: NDJSON is one record object per line ({{\"type\": \"review\", …}})"))
    })?;
    let ty = match obj.get("type") {
        Some(serde_json::Value::String(t)) => t.clone(),
        Some(_) => return Err(Invalid("\"type\" is not a string".into())),
        None => return Err(Invalid("missing \"type\"".into())),
    };
    if !matches!(ty.as_str(), "drama" | "review" | "comment" | "vote" | "post" | "person") {
        return Err(Invalid(format!(
            "unknown type {ty:?} (expected drama, review, comment, vote or post)"
        )));
    }
    if let Some(r) = obj.get("rating") {
        match r {
            serde_json::Value::Null => {}
            serde_json::Value::Number(n) => match n.as_u64() {
                Some(x) if (1..=10).contains(&x) => {}
                _ => return Err(Invalid(format!("rating {r} is outside 1–10 (whole numbers only)"))),
            },
            other => {
                return Err(Invalid(format!("rating must be a number from 1 to 10, not {} {other}", json_type(other))));
            }
        }
    }
    let known = known_fields(&ty);
    let unknown: Vec<String> = obj
        .keys()
        .filter(|k| !known.contains(k))
        .map(|k| match closest_name(k, &known, |_| 2) {
            Some(f) => format!("{k:?} (did you mean {f:?}?)"),
            None => format!("{k:?}"),
        })
        .collect();
    if !unknown.is_empty() {
        // Refused, not dropped: a misspelt field would otherwise lose its value silently.
        return Err(Invalid(format!("a {ty} has no field {}; its fields are {}", unknown.join(", "), known[1..].join(", "))));
    }
    let rec: Record = serde_json::from_value(value).map_err(|e| Invalid(format!("invalid {ty} record: {e}")))?;
    rec.validate()
}

/// Of `known` names, the one a mistyped `typed` most likely meant: the fewest edits
/// (Damerau-Levenshtein), at most `max_edits(candidate)`; None when none is that close. Serves
/// record fields here and query parameters in the HTTP layer.
pub fn closest_name<'a>(typed: &str, known: &'a [String], max_edits: impl Fn(&str) -> usize) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(k, typed), k))
        .filter(|(d, k)| *d <= max_edits(k))
        .min()
        .map(|(_, k)| k.as_str())
}

/// `a string`, `a boolean`…: a JSON value's type, for messages.
fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "the boolean",
        serde_json::Value::Number(_) => "the number",
        serde_json::Value::String(_) => "the string",
        serde_json::Value::Array(_) => "the array",
        serde_json::Value::Object(_) => "the object",
    }
}

/// The fields a record of type `ty` has, from the schema the OpenAPI document shows (so the
/// message and the document cannot disagree), and `type`.
fn known_fields(ty: &str) -> Vec<String> {
    use utoipa::openapi::{RefOr, Schema};
    use utoipa::PartialSchema;
    let schema = match ty {
        "drama" => Drama::schema(),
        "review" => Review::schema(),
        "comment" => Comment::schema(),
        "vote" => Vote::schema(),
        "post" => Post::schema(),
        "person" => Person::schema(),
        _ => return Vec::new(),
    };
    let mut fields = vec!["type".to_string()];
    if let RefOr::T(Schema::Object(o)) = schema {
        fields.extend(o.properties.keys().cloned());
    }
    fields
}

/// A rejected line, with where it came from.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{source_name}:{line}: {message}")]
pub struct LineError {
    pub source_name: String,
    pub line: usize,
    pub message: String,
}

/// A parsed record and the line it came from, so that later checks (a review of an unknown
/// drama) can still name the line.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub source: String,
    pub line: usize,
    pub record: Record,
}

impl Located {
    pub fn error(&self, message: impl Into<String>) -> LineError {
        LineError { source_name: self.source.clone(), line: self.line, message: message.into() }
    }
}

/// Parses a whole NDJSON text; blank lines are skipped. Stops at the first bad line: a batch is
/// applied whole or not at all, so there is no use in collecting more than one error.
pub fn parse_ndjson(source_name: &str, text: &str) -> Result<Vec<Located>, LineError> {
    let mut out = Vec::new();
    each_record::<LineError>(source_name, text.as_bytes(), |l| {
        out.push(l);
        Ok(())
    })?;
    Ok(out)
}

/// Reads NDJSON from `reader` a line at a time and hands each record to `each`, so that a file
/// of any size is read in constant memory. The rules are [`parse_ndjson`]'s: blank lines are
/// skipped, a byte-order mark is ignored, the first bad line (or a line that is not UTF-8)
/// stops the reading with its number.
pub fn each_record<E: From<LineError>>(
    source_name: &str,
    mut reader: impl std::io::BufRead,
    mut each: impl FnMut(Located) -> Result<(), E>,
) -> Result<(), E> {
    let mut buf = Vec::new();
    let mut n = 0;
    let at = |line: usize, message: String| LineError { source_name: source_name.to_string(), line, message };
    loop {
        buf.clear();
        let read = reader.read_until(b'\n', &mut buf).map_err(|e| at(n + 1, format!("cannot read: {e}")))?;
        if read == 0 {
            return Ok(());
        }
        n += 1;
        let line = std::str::from_utf8(&buf).map_err(|_| at(n, "not valid UTF-8".into()))?;
        let line = line.trim_end_matches(['\n', '\r']).trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        let record = parse_line(line).map_err(|e| at(n, e.0))?;
        each(Located { source: source_name.to_string(), line: n, record })?;
    }
}

/// Parses NDJSON bytes that may not be UTF-8, naming the first line that is not.
pub fn parse_ndjson_bytes(source_name: &str, bytes: &[u8]) -> Result<Vec<Located>, LineError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_ndjson(source_name, text),
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(LineError {
                source_name: source_name.to_string(),
                line,
                message: "not valid UTF-8".into(),
            })
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn nicknames_are_names_beside_an_actor() {
        let ok = parse_line(r#"{"type":"drama","id":"hero","title":"HERO","cast":[{"actor":"Kimura Takuya","actor_aka":[" キムタク ","Kimutaku","キムタク"]}]}"#).unwrap();
        let Record::Drama(d) = ok else { panic!() };
        assert_eq!(d.cast[0].actor_aka, ["キムタク", "Kimutaku"], "trimmed, each once");
        let no_actor = parse_line(r#"{"type":"drama","id":"hero","title":"HERO","cast":[{"character":"Kuryu","actor_aka":["x"]}]}"#);
        assert!(no_actor.unwrap_err().0.contains("cast[0].actor_aka is given but cast[0].actor is not"));
        let empty = parse_line(r#"{"type":"drama","id":"hero","title":"HERO","cast":[{"actor":"A","actor_aka":[" "]}]}"#);
        assert!(empty.unwrap_err().0.contains("empty name"));
        let long = format!(r#"{{"type":"drama","id":"hero","title":"HERO","cast":[{{"actor":"A","actor_aka":["{}"]}}]}}"#, "x".repeat(101));
        assert!(parse_line(&long).unwrap_err().0.contains("at most 100"));
    }
    use super::*;

    #[test]
    fn only_dates_that_exist_are_dates() {
        for ok in ["2004-02-29", "2004-07-02", "1999-12-31", "2005-01-31", "2000-02-29"] {
            assert_eq!(parse_iso_date(ok).map(iso_date).as_deref(), Some(ok), "{ok}");
        }
        for bad in [
            "2004-02-31", "2005-02-29", "1900-02-29", "2004-04-31", "2004-13-01", "2004-00-10", "2004-01-00",
            "2004-01-32", "2004-1-01", "04-01-01", "2004/01/01", "2004-01-0a", "+004-01-01", "2004-01-01x",
        ] {
            assert!(parse_iso_date(bad).is_none(), "{bad} accepted");
        }
    }

    #[test]
    fn an_impossible_date_is_refused_with_its_line() {
        let text = [
            r#"{"type":"drama","id":"d","title":"D","start":"2004-02-29"}"#,
            r#"{"type":"review","id":"r","drama_id":"d","author":"a","rating":8,"body":"b","date":"2004-02-31"}"#,
        ]
        .join("\n");
        let err = parse_ndjson("b.ndjson", &text).unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        assert!(err.to_string().starts_with("b.ndjson:2: ") && err.to_string().contains("\"2004-02-31\""), "{err}");
        let err = parse_ndjson("b.ndjson", r#"{"type":"drama","id":"d","title":"D","end":"2005-02-29"}"#).unwrap_err();
        assert_eq!(err.line, 1, "{err}");
        assert!(err.to_string().contains("end \"2005-02-29\""), "{err}");
    }

    #[test]
    fn a_record_read_straight_into_its_kind_reads_as_serde_reads_it() {
        let seed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/index/sample/dramas.ndjson")).unwrap();
        let mut kinds = std::collections::BTreeSet::new();
        for line in seed.lines().filter(|l| !l.trim().is_empty()) {
            let record: Record = serde_json::from_str(line).unwrap();
            kinds.insert(record.kind());
            let stored = serde_json::to_string(&record).unwrap();
            assert!(stored.starts_with(r#"{"type":""#), "{stored}");
            assert_eq!(Record::from_json(&stored).unwrap(), record, "{stored}");
            assert_eq!(Record::from_json(line).unwrap(), record, "{line}");
        }
        assert_eq!(kinds.len(), 5, "the sample holds dramas, reviews, comments, votes and posts: {kinds:?}");
        let person = Record::Person(Person { id: "p".into(), name: "P".into(), ..Default::default() });
        assert_eq!(Record::from_json(&serde_json::to_string(&person).unwrap()).unwrap(), person);
        // The tag elsewhere, spaced, escaped or alone; a field the kind does not have; a tag
        // given twice: each read (or refused) exactly as serde reads the tagged enum.
        for json in [
            r#"{"id":"d","type":"drama","title":"D"}"#,
            r#"{"type": "drama", "id":"d","title":"D"}"#,
            r#"{"type":"dr\u0061ma","id":"d","title":"D"}"#,
            r#"{"type":"drama"}"#,
            r#"{"type":"drama","id":"d","title":"D","rating":9}"#,
            r#"{"type":"drama","id":"d","title":"D","type":"review"}"#,
            r#"{"type":"drama","id":"d"}"#,
            r#"{"type":"movie","id":"d","title":"D"}"#,
            r#"{"type":"vote","drama_id":"d","user":"u","rating":7}"#,
        ] {
            let general = serde_json::from_str::<Record>(json);
            let direct = Record::from_json(json);
            assert_eq!(direct.as_ref().ok(), general.as_ref().ok(), "{json}");
            assert_eq!(direct.map_err(|e| e.to_string()).err(), general.map_err(|e| e.to_string()).err(), "{json}");
        }
    }

    #[test]
    fn slug_makes_person_ids() {
        assert_eq!(person_id("Yamada Takayuki"), "yamada-takayuki");
        assert_eq!(person_id("  Ōno  Satoshi!"), "ōno-satoshi");
    }

    #[test]
    fn season_is_derived_from_start() {
        let r = parse_line(r#"{"type":"drama","id":"x","title":"X","start":"2004-07-02"}"#).unwrap();
        let Record::Drama(d) = r else { panic!() };
        assert_eq!(d.season.as_deref(), Some("Summer 2004"));
        assert_eq!(season_of_date("2019-10-01").as_deref(), Some("Fall 2019"));
        assert_eq!(season_of_date("2020-01-01").as_deref(), Some("Winter 2020"));
        assert_eq!(season_of_date("2019-04-30").as_deref(), Some("Spring 2019"));
    }

    #[test]
    fn ratings_outside_one_to_ten_are_refused() {
        for bad in ["0", "11", "7.5", "-1", "\"9\""] {
            let line = format!(r#"{{"type":"review","id":"r","drama_id":"d","rating":{bad}}}"#);
            let err = parse_line(&line).unwrap_err();
            assert!(err.0.contains("rating"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_rating_of_the_wrong_type_is_a_type_error_not_a_range_error() {
        let err = parse_line(r#"{"type":"review","id":"r","drama_id":"d","author":"a","rating":"9"}"#).unwrap_err();
        assert_eq!(err.0, "rating must be a number from 1 to 10, not the string \"9\"");
        let err = parse_line(r#"{"type":"review","id":"r","drama_id":"d","author":"a","rating":true}"#).unwrap_err();
        assert!(err.0.contains("not the boolean true"), "{err}");
    }

    #[test]
    fn an_array_is_told_apart_from_a_record_line() {
        let err = parse_line(r#"[{"type":"vote","drama_id":"d","user":"u"}]"#).unwrap_err();
        assert!(err.0.starts_with("a JSON array, not an object: NDJSON is one record object per line"), "{err}");
    }

    #[test]
    fn a_misspelt_or_unknown_field_is_refused_and_named() {
        let err = parse_line(r#"{"type":"post","id":"p","topic":"t","autor":"a","body":"b"}"#).unwrap_err();
        assert!(err.0.starts_with("a post has no field \"autor\" (did you mean \"author\"?); its fields are "), "{err}");
        let err = parse_line(r#"{"type":"vote","drama_id":"d","user":"u","score":3}"#).unwrap_err();
        assert!(err.0.starts_with("a vote has no field \"score\"; its fields are "), "{err}");
    }

    #[test]
    fn bad_line_is_named_with_its_number() {
        let text = "{\"type\":\"vote\",\"drama_id\":\"d\",\"user\":\"u\"}\n\n{oops\n";
        let err = parse_ndjson("f.ndjson", text).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.to_string().starts_with("f.ndjson:3:"));
    }

    #[test]
    fn reading_line_by_line_follows_the_rules_of_a_whole_text() {
        let text = "\u{feff}{\"type\":\"vote\",\"drama_id\":\"d\",\"user\":\"u\"}\r\n\n{\"type\":\"vote\",\"drama_id\":\"d\",\"user\":\"w\"}";
        let mut lines = Vec::new();
        each_record::<LineError>("f", text.as_bytes(), |l| {
            lines.push(l.line);
            Ok(())
        })
        .unwrap();
        assert_eq!(lines, [1, 3]);
        assert_eq!(parse_ndjson("f", text).unwrap().iter().map(|l| l.line).collect::<Vec<_>>(), lines);
        let err = each_record::<LineError>("f", &b"{\"type\":\"vote\",\"drama_id\":\"d\",\"user\":\"u\"}\n\xff\n"[..], |_| Ok(())).unwrap_err();
        assert_eq!((err.line, err.message.as_str()), (2, "not valid UTF-8"));
        let err = each_record::<LineError>("f", "\n\n{oops".as_bytes(), |_| Ok(())).unwrap_err();
        assert_eq!(err.line, 3);
    }

    #[test]
    fn ids_with_slashes_are_refused() {
        assert!(parse_line(r#"{"type":"post","id":"../etc","topic":"t"}"#).is_err());
    }
}
