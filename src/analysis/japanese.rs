//! Japanese runs of text through lindera with IPADIC: words and their readings.
//!
//! Japanese has no spaces, so words come from the morphological analyzer. Each word also
//! carries the katakana reading IPADIC gives it (`中心` → `チュウシン`), which is what lets a
//! romaji or kana query find kanji text. Words the dictionary does not know have no reading;
//! when they are written in kana their reading is themselves.

use lindera::dictionary::{Dictionary, Lattice};
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

/// One word found in a Japanese run: byte offsets within the run, the reading if known, the
/// dictionary form when the word is inflected, and whether it only glues a sentence together.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    pub reading: Option<String>,
    /// IPADIC's base form (基本形) when it differs from the word as written: `泣い`, `泣き`
    /// and `泣か` are all `泣く`, `悲しかっ` is `悲しい`. What lets every inflection of a verb
    /// or adjective meet ([`crate::analysis::tokenizer`] indexes it beside the surface).
    pub base: Option<String>,
    /// A particle, auxiliary verb, symbol, conjunction, filler or non-independent verb
    /// ([`is_glue`]): indexed, but not required of a text when a query has other words.
    pub glue: bool,
    /// The value of a kanji number (`二十三` → `23`), see [`super::numbers`].
    pub number: Option<String>,
    /// A noun (名詞, names among them) or a word the dictionary does not know (most of which
    /// are names): the words a romanized title or cast list spells by sound. A verb or
    /// adjective is not: its inflected reading (`泣い` is `nai`) names nothing.
    pub noun: bool,
}

/// Parts of speech that carry no meaning a reader searches for: what Lucene's kuromoji
/// removes by default (`stoptags.txt`: 助詞 particles, 助動詞 auxiliary verbs, 記号 symbols,
/// 接続詞 conjunctions, フィラー fillers, 非言語音, その他-間投), plus non-independent verbs
/// and adjectives (動詞/形容詞 非自立: the `いる` of `泣いている`, the `しまう` of
/// `見てしまった`), which only add aspect to the verb before them: `泣いている` means `泣く`
/// as much as `泣いた` does. They are still indexed, so a query made only of them answers.
pub fn is_glue(pos: &str, sub1: &str) -> bool {
    matches!(pos, "助詞" | "助動詞" | "記号" | "接続詞" | "フィラー" | "非言語音")
        || (pos == "その他" && sub1 == "間投")
        || (matches!(pos, "動詞" | "形容詞") && sub1 == "非自立")
}

/// The loaded analyzer; cheap to clone (the dictionary is memory-mapped and shared).
#[derive(Clone)]
pub struct Japanese {
    segmenter: Arc<Segmenter>,
}

impl Japanese {
    pub fn new(dictionary: Dictionary) -> Self {
        Japanese { segmenter: Arc::new(Segmenter::new(Mode::Normal, dictionary, None)) }
    }

    /// The process-wide analyzer, loading (and if need be building) the dictionary once.
    pub fn shared() -> Result<Japanese, String> {
        static SHARED: OnceLock<Result<Japanese, String>> = OnceLock::new();
        SHARED
            .get_or_init(|| super::dictionary::load().map(Japanese::new).map_err(|e| e.to_string()))
            .clone()
    }

    /// Splits a run of Japanese text into words. The lattice (lindera's working memory) is kept
    /// per thread: allocating a fresh one for every run was the largest cost of analyzing
    /// short texts, such as the hits a snippet is made from.
    pub fn words(&self, run: &str) -> Vec<Word> {
        thread_local! {
            static LATTICE: std::cell::RefCell<Lattice> = std::cell::RefCell::new(Lattice::default());
        }
        let segmented = LATTICE.with(|l| match l.try_borrow_mut() {
            Ok(mut lattice) => self.segmenter.segment_with_lattice(Cow::Borrowed(run), &mut lattice),
            Err(_) => self.segmenter.segment(Cow::Borrowed(run)),
        });
        let Ok(tokens) = segmented else {
            // lindera only fails on internal errors; treat the run as one unknown word.
            return vec![Word { start: 0, end: run.len(), ..Word::default() }];
        };
        let mut out: Vec<Word> = Vec::with_capacity(tokens.len());
        for mut t in tokens {
            let known = |v: Option<&str>| v.filter(|r| !r.is_empty() && *r != "*").map(str::to_string);
            let reading = known(t.get("reading"));
            let base = known(t.get("base_form")).filter(|b| *b != t.surface.as_ref());
            let pos = t.get("part_of_speech").unwrap_or("").to_string();
            let sub1 = t.get("part_of_speech_subcategory_1").unwrap_or("").to_string();
            let glue = is_glue(&pos, &sub1);
            let noun = pos == "名詞" || reading.is_none();
            let w = Word { start: t.byte_start, end: t.byte_end, reading, base, glue, number: None, noun };
            match out.last_mut() {
                Some(prev) if prev.end == w.start && run[w.start..].starts_with(ends_a_syllable) => {
                    join(run, prev, w)
                }
                _ => out.push(w),
            }
        }
        join_numbers(run, out)
    }
}

/// Joins the words of a kanji number, which IPADIC cuts one character a word (`二` `十` `三`),
/// into one word with its value (Lucene's `JapaneseNumberFilter` does the same).
fn join_numbers(run: &str, words: Vec<Word>) -> Vec<Word> {
    let is_numeral = |w: &Word| run[w.start..w.end].chars().all(super::numbers::is_numeral);
    let mut out: Vec<Word> = Vec::with_capacity(words.len());
    let mut in_number = false;
    for w in words {
        let numeral = is_numeral(&w);
        match out.last_mut() {
            Some(prev) if numeral && in_number && prev.end == w.start => {
                prev.reading = prev.reading.take().zip(w.reading).map(|(a, b)| a + &b);
                prev.end = w.end;
            }
            _ => out.push(w),
        }
        in_number = numeral;
    }
    for w in out.iter_mut().filter(|w| is_numeral(w)) {
        w.number = super::numbers::value(&run[w.start..w.end]);
        w.base = None;
        w.glue = false;
    }
    out
}

/// Kana that only ever end a syllable begun by the kana before them: the small kana (`シャ` is
/// one sound, `sha`, never `shi` + `ya`), the moraic `ン`, the geminating `ッ` and the
/// long-vowel mark `ー`. No word starts with one.
fn ends_a_syllable(c: char) -> bool {
    matches!(
        c,
        'ぁ' | 'ぃ' | 'ぅ' | 'ぇ' | 'ぉ' | 'ゃ' | 'ゅ' | 'ょ' | 'ゎ' | 'ん' | 'っ'
            | 'ァ' | 'ィ' | 'ゥ' | 'ェ' | 'ォ' | 'ャ' | 'ュ' | 'ョ' | 'ヮ' | 'ン' | 'ッ' | 'ー'
    )
}

/// A word the dictionary cut to start with such a kana (kana it does not know, such as
/// `でんしゃおとこ` → `でん` `し` `ゃおとこ`, or `ちゅうしん` → `ちゅうし` `ん`) belongs with
/// the word before it: the reading of `しゃ` is `sha`, which the two halves read apart
/// (`shi` + `ya`) would lose, and `ちゅうし`+`ん` would never meet `中心` (`chuushin`).
fn join(run: &str, prev: &mut Word, next: Word) {
    let reading_of = |w: &Word| {
        w.reading.clone().or_else(|| {
            let surface = super::normalize::to_katakana(&run[w.start..w.end]);
            super::romaji::is_kana(&surface).then_some(surface)
        })
    };
    prev.reading = match (reading_of(prev), reading_of(&next)) {
        (Some(a), Some(b)) => Some(a + &b),
        _ => None,
    };
    prev.end = next.end;
    // The joined word is no dictionary entry: it has no base form, and is not glue.
    prev.base = None;
    prev.glue = false;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_word_starts_with_a_kana_that_ends_a_syllable() {
        let jp = Japanese::shared().unwrap();
        for text in ["でんしゃおとこ", "しゃしんをとる", "きょうとのちゅうしん", "ジェジェジェ", "ちゅうしん", "らーめん", "がっこう"] {
            let words = jp.words(text);
            for w in &words {
                assert!(!text[w.start..].starts_with(ends_a_syllable), "{text}: {words:?}");
            }
            assert_eq!(words.first().map(|w| w.start), Some(0), "{text}");
            assert!(words.windows(2).all(|p| p[0].end == p[1].start), "{text}: {words:?}");
            assert_eq!(words.last().map(|w| w.end), Some(text.len()), "{text}");
        }
        let words = jp.words("でんしゃおとこ");
        let readings: String = words.iter().filter_map(|w| w.reading.clone()).collect();
        assert_eq!(readings, "デンシャオトコ", "{words:?}");
        let words = jp.words("ちゅうしん");
        let readings: String = words.iter().filter_map(|w| w.reading.clone()).collect();
        assert_eq!(readings, "チュウシン", "{words:?}");
    }
}

