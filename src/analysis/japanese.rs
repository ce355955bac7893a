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
    /// The reading (katakana) of the dictionary form, when the word is inflected: `切なく`
    /// reads `セツナク`, its dictionary form `セツナイ`, which is what a reader types in kana.
    pub base_reading: Option<String>,
    /// A counter (名詞-接尾-助数詞: the `話` of `3話`, the `回` of `三回`).
    pub counter: bool,
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
/// as much as `泣いた` does; light verbs; and a number's prefix. They are still indexed, so a
/// query made only of them answers.
pub fn is_glue(pos: &str, sub1: &str, base: &str) -> bool {
    matches!(pos, "助詞" | "助動詞" | "記号" | "接続詞" | "フィラー" | "非言語音")
        || (pos == "その他" && sub1 == "間投")
        || (matches!(pos, "動詞" | "形容詞") && sub1 == "非自立")
        // The passive and causative endings (`れる`, `られる`, `せる`, `させる`), which IPADIC
        // tags as suffix verbs and school grammar as auxiliaries: `振られた` is `振る` as much
        // as `振った` is.
        || (pos == "動詞" && sub1 == "接尾")
        // The light verbs of Lucene's Japanese `stopwords.txt`: `感動する` means `感動`.
        || (pos == "動詞" && LIGHT_VERBS.contains(&base))
        // A number's prefix (`第三話` is `3話`, as fans write it too).
        || (pos == "接頭詞" && sub1 == "数接続")
}

/// Verbs that only carry the noun before them (サ変 `する`, `なる`) or existence (`ある`,
/// `いる`), from Lucene's Japanese `stopwords.txt`.
const LIGHT_VERBS: &[&str] = &["する", "ある", "いる", "なる", "できる", "いう", "おる"];

/// The loaded analyzer; cheap to clone (the dictionary is memory-mapped and shared).
#[derive(Clone)]
pub struct Japanese {
    segmenter: Arc<Segmenter>,
    fields: DetailFields,
}

/// Where IPADIC's fields are among a token's details, found once by name: lindera's
/// `Token::get` looks the name up in a hash map on every call, and with seven calls a word
/// that was a tenth of analyzing Japanese text.
#[derive(Clone, Copy)]
struct DetailFields {
    pos: Option<usize>,
    sub1: Option<usize>,
    sub2: Option<usize>,
    conjugation_form: Option<usize>,
    base_form: Option<usize>,
    reading: Option<usize>,
}

impl DetailFields {
    fn of(dictionary: &Dictionary) -> DetailFields {
        // A token's details hold the fields after the four every entry has (surface, the two
        // context ids and the cost).
        let at = |name: &str| dictionary.metadata.dictionary_schema.get_field_index(name).and_then(|i| i.checked_sub(4));
        DetailFields {
            pos: at("part_of_speech"),
            sub1: at("part_of_speech_subcategory_1"),
            sub2: at("part_of_speech_subcategory_2"),
            conjugation_form: at("conjugation_form"),
            base_form: at("base_form"),
            reading: at("reading"),
        }
    }
}

/// One token's IPADIC fields, read from its details without copying.
struct Details<'t> {
    pos: &'t str,
    sub1: &'t str,
    sub2: &'t str,
    conjugation_form: &'t str,
    base_form: &'t str,
    reading: &'t str,
}

impl<'t> Details<'t> {
    fn of(token: &'t mut lindera::token::Token<'_>, f: DetailFields) -> Details<'t> {
        // Materializes the details once (lindera parses them from the dictionary on demand).
        token.get_detail(0);
        let details: &'t [Cow<'_, str>] = token.details.as_deref().unwrap_or(&[]);
        let get = |i: Option<usize>| i.and_then(|i| details.get(i)).map_or("", |c| c.as_ref());
        Details {
            pos: get(f.pos),
            sub1: get(f.sub1),
            sub2: get(f.sub2),
            conjugation_form: get(f.conjugation_form),
            base_form: get(f.base_form),
            reading: get(f.reading),
        }
    }
}

impl Japanese {
    pub fn new(dictionary: Dictionary) -> Self {
        let fields = DetailFields::of(&dictionary);
        Japanese { segmenter: Arc::new(Segmenter::new(Mode::Normal, dictionary, None)), fields }
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
            let (start, end) = (t.byte_start, t.byte_end);
            let surface = &run[start..end];
            let w = if t.word_id.is_system() {
                // A dictionary entry is one surface with one set of fields: what it gives is
                // worked out once per thread (reading its fields, the dictionary form of a
                // verb) and copied after. Bounded at about 5 MB a thread: IPADIC has 390,000
                // entries, and text uses a few thousand of them most of the time.
                thread_local! {
                    static ENTRIES: std::cell::RefCell<rustc_hash::FxHashMap<u32, Word>> = Default::default();
                }
                ENTRIES.with(|m| super::memo::remembered(m, &t.word_id.id(), 30_000, || self.word_of(&mut t, surface)))
            } else {
                self.word_of(&mut t, surface)
            };
            let w = Word { start, end, ..w };
            match out.last_mut() {
                Some(prev)
                    if prev.end == w.start
                        && run[w.start..].starts_with(ends_a_syllable)
                        && super::romaji::is_kana(&super::normalize::to_katakana(&run[prev.start..prev.end])) =>
                {
                    join(run, prev, w)
                }
                _ => out.push(w),
            }
        }
        join_numbers(run, out)
    }
}

impl Japanese {
    /// What one token gives, but for its place in the run (`start`, `end`: zero).
    fn word_of(&self, t: &mut lindera::token::Token<'_>, surface: &str) -> Word {
        let d = Details::of(t, self.fields);
        let known = |v: &str| (!v.is_empty() && v != "*").then(|| v.to_string());
        let reading = known(d.reading);
        let (base, base_reading) = match known(d.base_form) {
            Some(b) if matches!(d.pos, "動詞" | "形容詞") => {
                let form = self.dictionary_form(&b, d.conjugation_form.starts_with("一段"));
                (Some(form.base).filter(|b| b != surface), form.reading)
            }
            _ if d.pos == "副詞" => (self.adverb_head(surface), None),
            b => (b.filter(|b| b != surface), None),
        };
        let glue = is_glue(d.pos, d.sub1, d.base_form);
        let noun = d.pos == "名詞" || reading.is_none();
        let counter = d.pos == "名詞" && d.sub1 == "接尾" && d.sub2 == "助数詞";
        let base_reading = base_reading.filter(|r| Some(r) != reading.as_ref());
        Word { start: 0, end: 0, reading, base, glue, number: None, noun, base_reading, counter }
    }

    /// The noun an adverb is made of, when it is a kanji noun with the particle `と` or `に`
    /// grown onto it (IPADIC lists `意外と`, `実際に`, `本当に` as adverbs of their own): the
    /// adverb means the noun (`意外と` is `意外`, never `以外`), so it is found by it too. None
    /// when the rest is not one noun of the dictionary, or is a single kanji (`特に`, `共に`:
    /// bound forms, not the noun read alone).
    fn adverb_head(&self, surface: &str) -> Option<String> {
        let head = surface.strip_suffix('と').or_else(|| surface.strip_suffix('に'))?;
        if head.chars().count() < 2 || !super::normalize::has_kanji(head) {
            return None;
        }
        let mut toks = self.segmenter.segment(Cow::Borrowed(head)).ok()?;
        (toks.len() == 1 && toks[0].get("part_of_speech") == Some("名詞")).then(|| head.to_string())
    }
}

/// A verb's or adjective's dictionary form as search reads it ([`Japanese::dictionary_form`]).
#[derive(Clone)]
struct DictionaryForm {
    base: String,
    reading: Option<String>,
}

impl Japanese {
    /// The dictionary form `base` stands for, and its reading. A potential verb (可能動詞:
    /// `泣ける`, `笑える`, `聞ける`, an ichidan verb made from a godan one) stands for the godan
    /// verb it is made from (`泣く`): a reader looking for `泣く` counts `泣けた` as much as
    /// `泣いた`. Looked up in the dictionary once per thread and base.
    fn dictionary_form(&self, base: &str, ichidan: bool) -> DictionaryForm {
        thread_local! {
            static FORMS: std::cell::RefCell<rustc_hash::FxHashMap<String, DictionaryForm>> = Default::default();
        }
        FORMS.with(|m| super::memo::remembered(m, base, 200_000, || self.dictionary_form_of(base, ichidan)))
    }

    /// [`Japanese::dictionary_form`], worked out.
    fn dictionary_form_of(&self, base: &str, ichidan: bool) -> DictionaryForm {
        let entry = |word: &str| -> Option<(String, String, String)> {
            let mut toks = self.segmenter.segment(Cow::Borrowed(word)).ok()?;
            if toks.len() != 1 {
                return None;
            }
            let d = Details::of(&mut toks[0], self.fields);
            let reading = if d.reading.is_empty() { "*" } else { d.reading };
            (d.base_form == word && reading != "*").then(|| (d.base_form.to_string(), reading.to_string(), d.conjugation_form.to_string()))
        };
        let godan = ichidan.then(|| godan_of_potential(base)).flatten().and_then(|candidate| {
            entry(&candidate).filter(|(_, _, conj)| conj.starts_with("五段")).map(|(b, r, _)| DictionaryForm { base: b, reading: Some(r) })
        });
        godan.unwrap_or_else(|| DictionaryForm { base: base.to_string(), reading: entry(base).map(|(_, r, _)| r) })
    }
}

/// The godan verb an ichidan verb would be the potential form of (`泣ける` → `泣く`): its e-row
/// kana before `る` turned to the u-row. None when the verb does not end so.
fn godan_of_potential(base: &str) -> Option<String> {
    let stem = base.strip_suffix('る')?;
    let e = stem.chars().last()?;
    let u = match e {
        'え' => 'う',
        'け' => 'く',
        'げ' => 'ぐ',
        'せ' => 'す',
        'て' => 'つ',
        'ね' => 'ぬ',
        'べ' => 'ぶ',
        'め' => 'む',
        'れ' => 'る',
        _ => return None,
    };
    let head = &stem[..stem.len() - e.len_utf8()];
    // Only a verb written with a kanji stem: `泣ける`, not a kana verb such as `できる`.
    (!head.is_empty() && super::normalize::has_kanji(head)).then(|| format!("{head}{u}"))
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
        w.base_reading = None;
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
    prev.base_reading = None;
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

