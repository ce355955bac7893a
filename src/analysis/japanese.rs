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
        tokens
            .into_iter()
            .map(|mut t| {
                let reading = t
                    .get("reading")
                    .filter(|r| !r.is_empty() && *r != "*")
                    .map(str::to_string);
                Word { start: t.byte_start, end: t.byte_end, reading }
            })
            .collect()
    }
}
