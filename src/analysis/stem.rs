//! Word forms that mean the same word: English inflections, and katakana words written with
//! or without their final long-vowel mark.
//!
//! - **English**: `cry`, `cried` and `crying` are one word to a reader. Each Latin word is
//!   also indexed by its Snowball (Porter 2) stem, marked with [`STEM_MARK`] so that a stem
//!   never meets a romaji key or a reading (`cri` is not the key of any kana). A query word
//!   is looked up by its key and its stem; a text holding the exact form matches both and
//!   scores higher. Romaji words are stemmed too, harmlessly: their key is still looked up,
//!   which is what reaches Japanese text by reading.
//! - **Katakana**: `メンバー` and `メンバ`, `コンピューター` and `コンピュータ` are the same
//!   loanword; Japanese style guides (JIS Z 8301, newspapers) disagree on the final `ー`.
//!   As Lucene's `JapaneseKatakanaStemFilter`, a katakana word of four characters or more
//!   loses a final `ー` (`コピー`, three, keeps it: short words differ by it).

use rust_stemmers::{Algorithm, Stemmer};
use std::sync::OnceLock;

/// What starts the stem term of an English (Latin) word.
pub const STEM_MARK: char = '~';

/// Shortest katakana word, counting its final `ー`, that loses it ([`katakana`]).
pub const KATAKANA_STEM_MIN_CHARS: usize = 4;

/// English words whose inflection no suffix rule undoes, each with its dictionary form:
/// irregular plurals and irregular past tenses and participles (`children` is `child`, `took`
/// and `taken` are `take`). Only forms that are no other common word are listed: not `left`
/// (a side), `saw` (a tool), `torn`/`tore` (`tear` is mostly crying in a review), `lives`,
/// `leaves`, `bit`, `rose`, `lay`, nor the forms of `be`, `have` and `do`.
pub const IRREGULAR: &[(&str, &str)] = &[
    ("children", "child"), ("men", "man"), ("women", "woman"), ("feet", "foot"), ("teeth", "tooth"),
    ("mice", "mouse"), ("geese", "goose"), ("wives", "wife"), ("knives", "knife"), ("wolves", "wolf"),
    ("halves", "half"), ("went", "go"), ("gone", "go"), ("seen", "see"), ("took", "take"), ("taken", "take"),
    ("gave", "give"), ("given", "give"), ("came", "come"), ("knew", "know"), ("known", "know"),
    ("thought", "think"), ("brought", "bring"), ("bought", "buy"), ("caught", "catch"), ("taught", "teach"),
    ("fought", "fight"), ("made", "make"), ("said", "say"), ("told", "tell"), ("sold", "sell"),
    ("wrote", "write"), ("written", "write"), ("broke", "break"), ("broken", "break"), ("spoke", "speak"),
    ("spoken", "speak"), ("chose", "choose"), ("chosen", "choose"), ("froze", "freeze"), ("frozen", "freeze"),
    ("stole", "steal"), ("stolen", "steal"), ("drove", "drive"), ("driven", "drive"), ("rode", "ride"),
    ("ridden", "ride"), ("risen", "rise"), ("fell", "fall"), ("fallen", "fall"), ("forgot", "forget"),
    ("forgotten", "forget"), ("got", "get"), ("gotten", "get"), ("began", "begin"), ("begun", "begin"),
    ("sang", "sing"), ("sung", "sing"), ("rang", "ring"), ("drank", "drink"), ("swam", "swim"), ("ran", "run"),
    ("sat", "sit"), ("stood", "stand"), ("understood", "understand"), ("held", "hold"), ("kept", "keep"),
    ("slept", "sleep"), ("meant", "mean"), ("met", "meet"), ("paid", "pay"), ("heard", "hear"), ("ate", "eat"),
    ("eaten", "eat"), ("wore", "wear"), ("worn", "wear"), ("hid", "hide"), ("hidden", "hide"),
    ("bitten", "bite"), ("shook", "shake"), ("shaken", "shake"), ("woke", "wake"), ("woken", "wake"),
    ("grew", "grow"), ("grown", "grow"), ("threw", "throw"), ("thrown", "throw"), ("flew", "fly"),
    ("flown", "fly"), ("drew", "draw"), ("drawn", "draw"), ("blew", "blow"), ("blown", "blow"), ("fed", "feed"),
    ("led", "lead"), ("lost", "lose"), ("sent", "send"), ("spent", "spend"), ("built", "build"),
    ("lent", "lend"), ("dealt", "deal"), ("felt", "feel"), ("found", "find"), ("won", "win"),
    ("sought", "seek"), ("hung", "hang"), ("struck", "strike"), ("stuck", "stick"), ("swore", "swear"),
    ("sworn", "swear"), ("became", "become"), ("forgave", "forgive"), ("forgiven", "forgive"),
    ("mistook", "mistake"), ("mistaken", "mistake"), ("overcame", "overcome"),
];

/// The dictionary form of an irregular form ([`IRREGULAR`]): a hash lookup, since every Latin
/// word of every text asks.
fn irregular(word: &str) -> Option<&'static str> {
    static FORMS: OnceLock<rustc_hash::FxHashMap<&'static str, &'static str>> = OnceLock::new();
    FORMS.get_or_init(|| IRREGULAR.iter().copied().collect()).get(word).copied()
}

/// The stem term of a folded Latin word, when it differs from the word: `crying` → `~cri`;
/// an irregular form's is its dictionary form's (`children` → `~child`, [`IRREGULAR`]).
/// Words with digits and one- or two-letter words are left alone.
pub fn english(word: &str) -> Option<String> {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    if word.len() < 3 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let stemmer = STEMMER.get_or_init(|| Stemmer::create(Algorithm::English));
    if let Some(base) = irregular(word) {
        return Some(format!("{STEM_MARK}{}", stemmer.stem(base)));
    }
    let stem = stemmer.stem(word);
    (stem != word).then(|| format!("{STEM_MARK}{stem}"))
}

/// The stem term that every inflection of a word shares (`love`, `loved`, `loving` → `~love`),
/// whether or not the word itself differs from its stem; None for what [`english`] leaves
/// alone.
pub fn english_of_key(word: &str) -> Option<String> {
    english(word).or_else(|| own_stem(word))
}

/// The stem term of a word that is its own stem (for which [`english`] gives None): the word,
/// marked. None for what [`english`] leaves alone.
pub fn own_stem(word: &str) -> Option<String> {
    (word.len() >= 3 && word.bytes().all(|b| b.is_ascii_lowercase())).then(|| format!("{STEM_MARK}{word}"))
}

/// The letters every word with the stem term `stem` begins with, unless it is an irregular form
/// ([`irregular_forms`]): so that work only needed where some form of a word is written
/// (marking it in a snippet) can pass over the words that cannot be one, without stemming
/// them. Snowball's English rules only rewrite a word's end: a replaced suffix keeps its first
/// letter and lies after the first vowel and consonant, so no rule touches the first three
/// letters of a stem of four or more (`cinematograph` for `~cinematographi`), and only `y` to
/// `i` touches the third of a shorter one (`cry` for `~cri`: `cr`). Pinned over the whole
/// English word list of the bundled text model by a test.
pub fn forms_begin_with(stem: &str) -> &str {
    let root = stem.strip_prefix(STEM_MARK).unwrap_or(stem);
    let keep = if root.chars().count() >= 4 { 3 } else { 2 };
    &root[..root.char_indices().nth(keep).map_or(root.len(), |(i, _)| i)]
}

/// The irregular forms ([`IRREGULAR`]) whose stem term is `stem` (`~take`: `took`, `taken`),
/// and the words Snowball itself stems by a list rather than a rule where that list changes
/// their start (`lying` is `~lie`). Grouped by stem once: a query asks for each of its words.
pub fn irregular_forms(stem: &str) -> &'static [&'static str] {
    const SNOWBALL_LISTED: &[&str] = &["dying", "lying", "tying"];
    static BY_STEM: OnceLock<rustc_hash::FxHashMap<String, Vec<&'static str>>> = OnceLock::new();
    let by_stem = BY_STEM.get_or_init(|| {
        let mut m: rustc_hash::FxHashMap<String, Vec<&'static str>> = Default::default();
        for form in IRREGULAR.iter().map(|(form, _)| *form).chain(SNOWBALL_LISTED.iter().copied()) {
            if let Some(s) = english(form) {
                m.entry(s).or_default().push(form);
            }
        }
        m
    });
    by_stem.get(stem).map_or(&[], Vec::as_slice)
}

/// A katakana word without its final long-vowel mark, when it is long enough to lose it
/// ([`KATAKANA_STEM_MIN_CHARS`]); any other word as it is.
pub fn katakana(word: &str) -> &str {
    let katakana_only = word.chars().all(|c| ('\u{30A1}'..='\u{30FA}').contains(&c) || c == 'ー');
    match word.strip_suffix('ー') {
        Some(stem) if katakana_only && word.chars().count() >= KATAKANA_STEM_MIN_CHARS => stem,
        _ => word,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_inflections_share_a_stem() {
        for group in [&["cry", "cried", "crying", "cries"][..], &["ending", "endings", "ended", "end"], &["loved", "loving", "love"]] {
            let stems: Vec<String> = group.iter().map(|w| english(w).unwrap_or_else(|| format!("{STEM_MARK}{w}"))).collect();
            assert!(stems.windows(2).all(|p| p[0] == p[1]), "{group:?} → {stems:?}");
        }
        assert_eq!(english("end"), None, "a word that is its own stem has no second term");
        for (form, base) in [("children", "child"), ("took", "taking"), ("written", "writes"), ("fell", "falling")] {
            assert_eq!(english(form), english_of_key(base), "{form} is {base}");
        }
        assert_eq!(english("left"), None, "left is also a side, not only leave's past");
        assert_eq!(english("2004"), None);
    }

    #[test]
    fn every_form_of_a_word_begins_as_its_stem_says_or_is_irregular() {
        let list = include_str!("../corpus/english.tsv");
        let words = list.lines().filter_map(|l| l.split('\t').nth(1)).map(str::to_ascii_lowercase);
        let mut checked = 0;
        for w in words.chain(IRREGULAR.iter().flat_map(|(a, b)| [a.to_string(), b.to_string()])) {
            let Some(stem) = english_of_key(&w) else { continue };
            checked += 1;
            assert!(
                w.starts_with(forms_begin_with(&stem)) || irregular_forms(&stem).contains(&w.as_str()),
                "{w} → {stem}: begins with neither {:?} nor an irregular form",
                forms_begin_with(&stem)
            );
        }
        assert!(checked > 20_000, "only {checked} words checked");
        assert_eq!(forms_begin_with("~cri"), "cr");
        assert_eq!(irregular_forms("~take"), ["took", "taken"]);
    }

    /// Lucene's `TestJapaneseKatakanaStemFilter.testStemVariants`, word for word.
    #[test]
    fn the_final_long_vowel_of_a_long_katakana_word_is_optional() {
        let got: Vec<&str> = "コピー コーヒー タクシー パーティー パーティ センター".split(' ').map(katakana).collect();
        assert_eq!(got, ["コピー", "コーヒ", "タクシ", "パーティ", "パーティ", "センタ"]);
        assert_eq!(katakana("メンバー"), katakana("メンバ"));
        assert_eq!(katakana("中心"), "中心");
        assert_eq!(katakana("ラーメン"), "ラーメン");
    }
}
