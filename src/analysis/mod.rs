//! How text becomes terms, on the index side and the query side alike.
//!
//! One analyzer serves every searchable field, because the site's text mixes scripts freely:
//! a review in English quotes `世界の中心で、愛をさけぶ`, a title has an English, a romaji and a
//! Japanese form. The text is first folded character by character ([`normalize`]), then cut
//! into runs by script:
//!
//! - a Latin run (letters and digits) becomes words, each reduced to its canonical romaji key
//!   ([`romaji::canonical`]), so `Chūshin`, `chushin` and `CHUUSHIN` are one term;
//! - a Japanese run goes through lindera ([`japanese`]); each word is indexed by its surface
//!   (kana folded to katakana, [`stem::katakana`]), its dictionary form, a kanji number's
//!   value ([`numbers`]) and, at the same position, the canonical key of its reading, so
//!   `中心` is also `tyusin` and a romaji query finds kanji text (in the catalogue's fields the
//!   reading is marked, [`tokenizer::READING_MARK`]);
//! - an English word is also indexed by its stem ([`stem::english`]).
//!
//! Queries go through the very same function, which is what makes both sides agree; which of
//! a query word's terms are looked up depends on how it was written ([`query`]).

pub mod dictionary;
pub mod japanese;
pub mod loanword;
pub mod memo;
pub mod names;
pub mod normalize;
pub mod numbers;
pub mod query;
pub mod romaji;
pub mod stem;
pub mod suggest;
pub mod tokenizer;
pub mod variants;

pub use japanese::Japanese;
pub use tokenizer::{analyze, analyze_names, Term, NAMES_TOKENIZER, TEXT_TOKENIZER, SUGGEST_TOKENIZER};

/// The version of the analysis code. Bump it with any change to how text becomes terms that the
/// tables hashed by [`fingerprint`] do not show (word cutting, joining, which terms a word
/// yields): an index keeps the terms of the analysis that wrote it, so a query analyzed
/// differently would miss them. `tests/analysis_terms.rs` pins the terms of a fixed sample and
/// fails when they change while the mark does not.
pub const ANALYSIS_VERSION: u32 = 12;

/// The dictionary the Japanese words and readings come from.
pub const DICTIONARY: &str = "ipadic-2.7.0";

/// What decides the terms of an index, as one line: the analysis version, the dictionary, and a
/// hash of the analysis tables (the character folding over every script it folds, the kana
/// to romaji table and the canonical romaji keys, the kanji variant table, and the type-ahead
/// key and prefix lengths). Part of the index's format mark, so an index written under other
/// tables is refused instead of being read with queries analyzed another way.
pub fn fingerprint() -> &'static str {
    static MARK: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    MARK.get_or_init(|| format!("analysis {ANALYSIS_VERSION} {DICTIONARY} {:016x}", tables_hash()))
}

/// FNV-1a over the outputs of the analysis tables (stable across builds and platforms, unlike
/// std's hasher).
fn tables_hash() -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |s: &str| {
        for b in s.bytes().chain([0xff]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(variants::TABLE);
    for (form, base) in stem::IRREGULAR {
        eat(form);
        eat(base);
    }
    eat(&format!("{} {}", suggest::MAX_KEY_STARTS, tokenizer::MAX_PREFIX_CHARS));
    // Folding of every character of the blocks it touches: Latin with accents and combining
    // marks, CJK symbols and kana, half- and full-width forms.
    let ranges = [0x20..0x250u32, 0x300..0x370, 0x2000..0x2070, 0x3000..0x3100, 0x3190..0x3200, 0xFF00..0xFFF0];
    let mut buf = [0u8; 4];
    for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
        eat(&normalize::fold_str(c.encode_utf8(&mut buf)));
    }
    // Kana to romaji, single kana and every kana followed by a small one or a long-vowel mark,
    // and the canonical key of each.
    let kana: Vec<char> = (0x30A1..=0x30FAu32).filter_map(char::from_u32).collect();
    let after = ['ャ', 'ュ', 'ョ', 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ー', 'ッ', 'ン'];
    for &k in &kana {
        for s in std::iter::once(k.to_string()).chain(after.iter().map(|a| format!("{k}{a}"))) {
            let r = romaji::kana_to_romaji(&s);
            eat(&r);
            eat(&romaji::canonical(&r));
        }
    }
    // Canonical keys of romaji spellings that differ only in the ways the key folds.
    for w in [
        "chuushin", "chūshin", "chûshin", "tyuusin", "chuushinn", "koutaro", "kohtaro", "kōtarō", "shimbun",
        "shinbun", "wo", "o", "jyuken", "juuken", "zyuken", "tsu", "tu", "fu", "hu", "shi", "si", "cha", "tya",
        "kka", "tcha", "matcha", "sakkaa", "oo", "ou", "oh", "ei", "ee", "n'a", "na", "dzu", "du", "zu", "ji",
        "di", "nya", "byakuya", "sekachuu", "aa", "ii", "uu", "mm", "x", "qu", "v", "l", "r", "c", "2004",
    ] {
        eat(&romaji::canonical(w));
        eat(&loanword::key(w).unwrap_or_default());
    }
    for w in ["spy x family", "death note", "spider riders", "black clover", "heart catch", "phantom", "quiz"] {
        eat(&loanword::key(w).unwrap_or_default());
    }
    h
}
