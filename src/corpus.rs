//! A deterministic synthetic corpus for benchmarks: dramas with romaji, Japanese and English
//! titles, casts with romaji and kanji names, and reviews and comments in English and Japanese
//! with ratings.
//!
//! Scale 1 is ten times a large fan site: 20,000 dramas, 3,000,000 reviews and comments with
//! text, and 10,000,000 ratings. The record format carries ratings only in reviews and
//! comments, so the ratings beyond the 3 million written ones come as rating-only comments
//! (an empty body), which is what a star-rating widget on the site produces. Smaller scales
//! shrink every count in proportion. The same scale and seed always give the same records, so
//! two benchmark runs, or this engine and SQLite in one run, see the same data.
//!
//! Titles are built from real Japanese words with their readings, so that kanji titles have
//! real romaji readings and every script of the search box has something to find. Review and
//! comment text follows a model of real writing ([`text`]), so that word frequencies, and with
//! them posting lists and BM25, behave as on a real forum.

mod text;

use crate::record::{season_of_date, slug, CastEntry, Comment, Drama, Record, Review, Song};

/// Counts at scale 1.
pub const DRAMAS: f64 = 20_000.0;
pub const TEXTS: f64 = 3_000_000.0;
pub const RATINGS: f64 = 10_000_000.0;
pub const USERS: f64 = 500_000.0;

/// SplitMix64: tiny, fast, and the same everywhere (no dependency on a crate's versioned
/// algorithm, so a corpus never changes under us).
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// (kanji, romaji, English) — real words, so readings are real.
const WORDS: &[(&str, &str, &str)] = &[
    ("世界", "sekai", "world"), ("中心", "chuushin", "center"), ("愛", "ai", "love"),
    ("恋", "koi", "romance"), ("夏", "natsu", "summer"), ("空", "sora", "sky"),
    ("星", "hoshi", "star"), ("涙", "namida", "tears"), ("約束", "yakusoku", "promise"),
    ("家族", "kazoku", "family"), ("学校", "gakkou", "school"), ("先生", "sensei", "teacher"),
    ("東京", "toukyou", "Tokyo"), ("物語", "monogatari", "story"), ("時間", "jikan", "time"),
    ("未来", "mirai", "future"), ("花", "hana", "flower"), ("雨", "ame", "rain"),
    ("海", "umi", "sea"), ("風", "kaze", "wind"), ("太陽", "taiyou", "sun"),
    ("月", "tsuki", "moon"), ("夢", "yume", "dream"), ("歌", "uta", "song"),
    ("心", "kokoro", "heart"), ("光", "hikari", "light"), ("記憶", "kioku", "memory"),
    ("奇跡", "kiseki", "miracle"), ("天使", "tenshi", "angel"), ("医者", "isha", "doctor"),
    ("刑事", "keiji", "detective"), ("弁護士", "bengoshi", "lawyer"), ("料理", "ryouri", "cooking"),
    ("青春", "seishun", "youth"), ("秘密", "himitsu", "secret"), ("最後", "saigo", "last"),
    ("初恋", "hatsukoi", "first love"), ("運命", "unmei", "destiny"), ("桜", "sakura", "cherry blossom"),
    ("雪", "yuki", "snow"), ("王子", "ouji", "prince"), ("探偵", "tantei", "investigator"),
];

const FAMILY: &[(&str, &str)] = &[
    ("山田", "Yamada"), ("木村", "Kimura"), ("佐藤", "Satou"), ("鈴木", "Suzuki"),
    ("高橋", "Takahashi"), ("田中", "Tanaka"), ("伊藤", "Itou"), ("渡辺", "Watanabe"),
    ("中村", "Nakamura"), ("小林", "Kobayashi"), ("加藤", "Katou"), ("吉田", "Yoshida"),
    ("松本", "Matsumoto"), ("井上", "Inoue"), ("斎藤", "Saitou"), ("広瀬", "Hirose"),
    ("長澤", "Nagasawa"), ("綾瀬", "Ayase"), ("石原", "Ishihara"), ("福山", "Fukuyama"),
    ("大野", "Oono"), ("上野", "Ueno"), ("新垣", "Aragaki"), ("堀北", "Horikita"),
];

const GIVEN: &[(&str, &str)] = &[
    ("孝之", "Takayuki"), ("拓哉", "Takuya"), ("遥", "Haruka"), ("真央", "Mao"),
    ("翔太", "Shouta"), ("結衣", "Yui"), ("健", "Ken"), ("恵", "Megumi"),
    ("浩二", "Kouji"), ("麻美", "Asami"), ("雅人", "Masato"), ("里美", "Satomi"),
    ("太郎", "Tarou"), ("花子", "Hanako"), ("智", "Satoshi"), ("樹里", "Juri"),
    ("潤", "Jun"), ("涼子", "Ryouko"), ("一郎", "Ichirou"), ("優", "Yuu"),
];

/// The stations dramas are given, evenly (the bench filters by the first).
pub const STATIONS: &[&str] = &["Fuji TV", "TBS", "NTV", "TV Asahi", "NHK", "TV Tokyo", "WOWOW"];

/// How many records of each kind a scale gives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counts {
    pub dramas: usize,
    pub texts: usize,
    pub ratings: usize,
    pub users: usize,
}

pub fn counts(scale: f64) -> Counts {
    let n = |x: f64| ((x * scale).round() as usize).max(1);
    Counts { dramas: n(DRAMAS), texts: n(TEXTS), ratings: n(RATINGS).max(n(TEXTS)), users: n(USERS).max(10) }
}

fn person(rng: &mut Rng) -> (String, String) {
    let (fk, fr) = rng.pick(FAMILY);
    let (gk, gr) = rng.pick(GIVEN);
    (format!("{fr} {gr}"), format!("{fk}{gk}"))
}

/// The i-th drama of a corpus (the same for a given seed and i, whatever the scale).
pub fn drama(seed: u64, i: usize) -> Drama {
    let mut rng = Rng::new(seed ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let (k1, r1, e1) = *rng.pick(WORDS);
    let mut second = *rng.pick(WORDS);
    while second.0 == k1 {
        second = *rng.pick(WORDS);
    }
    let (k2, r2, e2) = second;
    let title = format!("{} no {}", capitalize(r1), r2);
    let title = format!("{title} {}", i + 1);
    let title_ja = format!("{k1}の{k2} {}", i + 1);
    let title_en = format!("The {} of the {} {}", capitalize(e2), capitalize(e1), i + 1);
    let year = 1995 + rng.below(30) as u32;
    let month = 1 + rng.below(12) as u32;
    let start = format!("{year}-{month:02}-{:02}", 1 + rng.below(28));
    let cast = (0..4 + rng.below(5))
        .map(|_| {
            let (actor, actor_ja) = person(&mut rng);
            let (character, character_ja) = person(&mut rng);
            CastEntry {
                actor: Some(actor),
                actor_ja: Some(actor_ja),
                actor_aka: Vec::new(),
                character: Some(character),
                character_ja: Some(character_ja),
                age: Some(15 + rng.below(50) as u32),
            }
        })
        .collect();
    let (artist, artist_ja) = person(&mut rng);
    Drama {
        id: slug(&title),
        aka: vec![format!("{}{}", capitalize(&r1[..r1.len().min(3)]), &r2[..r2.len().min(3)])],
        season: season_of_date(&start),
        start: Some(start),
        station: Some(rng.pick(STATIONS).to_string()),
        episodes: Some(9 + rng.below(4) as u32),
        synopsis: Some(format!(
            "A story of {} and {} set in {}. {}",
            e1,
            e2,
            rng.pick(&["Tokyo", "Osaka", "a small town", "Hokkaido", "a hospital", "a high school"]),
            "Old friends meet again and learn what they lost."
        )),
        songs: vec![Song {
            title: Some(format!("{} no Uta", capitalize(r1))),
            title_ja: Some(format!("{k1}の歌")),
            artist: Some(artist),
            artist_ja: Some(artist_ja),
        }],
        cast,
        title,
        title_en: Some(title_en),
        title_ja: Some(title_ja),
        ..Default::default()
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Every record of a corpus, in ingest order (dramas first), produced lazily so that scale 1
/// streams to disk without holding 10 million records in memory.
pub fn records(scale: f64, seed: u64) -> impl Iterator<Item = Record> {
    let c = counts(scale);
    let dramas: Vec<Drama> = (0..c.dramas).map(|i| drama(seed, i)).collect();
    // Each drama's quality, so that means differ and the Top 100 has a shape.
    let mut qrng = Rng::new(seed ^ 0xABCD);
    let quality: Vec<f64> = (0..c.dramas).map(|_| 4.0 + 5.5 * qrng.unit()).collect();
    let dramas_out = dramas.clone().into_iter().map(Record::Drama);
    let rest = (0..c.ratings).map(move |j| {
        let mut rng = Rng::new(seed ^ 0x5151 ^ (j as u64).wrapping_mul(0x9E37_79B9));
        // Popular dramas get more ratings: a squared uniform skews toward low indices.
        let u = rng.unit();
        let di = ((u * u) * c.dramas as f64) as usize % c.dramas;
        let d = &dramas[di];
        let noise = (rng.unit() + rng.unit() + rng.unit() - 1.5) * 3.0;
        let rating = (quality[di] + noise).round().clamp(1.0, 10.0) as u8;
        let author = format!("fan{}", rng.below(c.users));
        let date = format!("{}-{:02}-{:02}", 2005 + rng.below(20), 1 + rng.below(12), 1 + rng.below(28));
        if j >= c.texts {
            return Record::Comment(Comment {
                id: format!("{}-q{j}", d.id),
                drama_id: d.id.clone(),
                author,
                date: Some(date),
                rating: Some(rating),
                body: String::new(),
            });
        }
        let japanese = rng.below(4) == 0;
        // Reviews run longer than comments, as on the seed page.
        let review = j % 3 == 0;
        let body = match (japanese, review) {
            (true, true) => {
                let n = 2 + rng.below(6);
                text::japanese(d, &mut rng, n)
            }
            (true, false) => {
                let n = 1 + rng.below(3);
                text::japanese(d, &mut rng, n)
            }
            (false, true) => {
                let n = 20 + rng.below(80);
                text::english(d, &mut rng, n)
            }
            (false, false) => {
                let n = 6 + rng.below(40);
                text::english(d, &mut rng, n)
            }
        };
        if review {
            Record::Review(Review {
                id: format!("{}-r{j}", d.id),
                drama_id: d.id.clone(),
                author,
                date: Some(date),
                rating,
                title: Some(match (japanese, &d.title_ja) {
                    (true, Some(t)) => format!("{t}の感想"),
                    _ => format!("About {}", d.title),
                }),
                body,
            })
        } else {
            Record::Comment(Comment {
                id: format!("{}-c{j}", d.id),
                drama_id: d.id.clone(),
                author,
                date: Some(date),
                rating: Some(rating),
                body,
            })
        }
    });
    dramas_out.chain(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_scale_and_seed_give_the_same_records() {
        let a: Vec<Record> = records(0.001, 7).collect();
        let b: Vec<Record> = records(0.001, 7).collect();
        assert_eq!(a, b);
        assert_eq!(a.iter().filter(|r| matches!(r, Record::Drama(_))).count(), 20);
        assert_eq!(a.len(), 20 + 10_000);
    }

    #[test]
    fn generated_records_are_valid() {
        for r in records(0.0005, 1) {
            r.clone().validate().unwrap_or_else(|e| panic!("{e}: {r:?}"));
        }
    }
}
