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

/// One word found in a Japanese run: byte offsets within the run, and the reading if known.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    pub reading: Option<String>,
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
            return vec![Word { start: 0, end: run.len(), reading: None }];
        };
        let mut out: Vec<Word> = Vec::with_capacity(tokens.len());
        for mut t in tokens {
            let reading = t.get("reading").filter(|r| !r.is_empty() && *r != "*").map(str::to_string);
            let w = Word { start: t.byte_start, end: t.byte_end, reading };
            match out.last_mut() {
                Some(prev) if prev.end == w.start && run[w.start..].starts_with(ends_a_syllable) => {
                    join(run, prev, w)
                }
                _ => out.push(w),
            }
        }
        out
    }
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
