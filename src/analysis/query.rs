//! How a query's words are looked up: by which terms in names, and by which in review text.
//!
//! The index holds every term of every word ([`super::tokenizer::word_terms`]); a query
//! chooses among them by how the word was written, because the script a reader types in says
//! what they mean:
//!
//! - **A word written in kanji** means that word. Texts are searched by its dictionary form
//!   (`泣いた`, `泣きました` and `泣く` meet at `泣く`) and by the same word written in kana
//!   (`綺麗` finds `きれい`: the kana spelling of its dictionary form), never by its reading:
//!   `愛` must not find `相武` (read *ai*) or `会い`. In names a kanji word's reading is kept as
//!   a fallback ([`QueryWord::reading`]), used only where the catalogue holds no form of the
//!   word as written: a romanized cast list is reached from kanji by reading alone.
//! - **A word written in kana or romaji** has only its sound to go by: texts are searched by
//!   its reading key, which reaches kanji, kana and romaji text alike (`saishuukai` and
//!   `さいしゅうかい` find `最終回`).
//! - **An English word** is looked up by its stem ([`super::stem::english`]), which review text
//!   holds for every form of it ([`super::tokenizer::text_terms`]): one term per word, which
//!   tantivy prunes. The form as typed ([`QueryWord::exact`]) adds its score where a text holds
//!   it, so the exact form ranks first. A Latin word that could be romaji (`sekai`) is looked
//!   up by its key, which is how Japanese text holds its sound, and by its stem only where
//!   the index holds the stem (another form of the word is written somewhere: `takes`).
//! - **Numbers** by their value (`三` and `3`).
//! - **Glue words** (particles, auxiliaries, articles) are marked, and dropped from a query
//!   that has other words.

use super::japanese::Japanese;
use super::normalize::{has_kanji, to_katakana};
use super::stem;
use super::tokenizer::{word_terms, Word, KANA_MARK, READING_MARK};

/// Words beyond this many are ignored: a search box query is a handful of words, and a pasted
/// paragraph must not turn into a query that takes seconds.
pub const MAX_WORDS: usize = 16;

/// One word of a query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryWord {
    /// What the catalogue's fields (names, cast, synopsis) match the word by, any of them.
    pub names: Vec<String>,
    /// A kanji noun's reading key (names among them; and a word the dictionary does not
    /// know), unmarked: in the catalogue's fields it meets only words written in romaji
    /// (Japanese readings are marked there, [`READING_MARK`]), and is looked up only where
    /// no form of the word as written is in the catalogue.
    pub reading: Option<String>,
    /// What texts are searched by, any of them, most specific first.
    pub text: Vec<String>,
    /// The English word as typed when `text` is its stem: not required, it adds its score to a
    /// text that holds it ([`TextWord::exact`]).
    pub exact: Option<String>,
    /// The text terms are readings (a word in kana or romaji): a search may cut them again
    /// by the words the index holds (`saishuukai` is `最終` + `回` in the index).
    pub by_reading: bool,
    /// A particle, auxiliary, symbol, article or preposition.
    pub glue: bool,
    /// The word as typed, folded: a kana run's words are joined back by it.
    pub surface: String,
    /// A word in kana that directly follows the word before it (no space, same run of kana).
    pub joins_previous: bool,
}

impl QueryWord {
    /// Every term the word may match by in names, its reading fallback included.
    pub fn all_terms(&self) -> impl Iterator<Item = &String> {
        self.names.iter().chain(self.reading.as_ref())
    }
}

/// How texts are searched for one word of a query.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TextWord {
    /// Any of these matches the word; where several match, their scores add up.
    pub terms: Vec<String>,
    /// The form as typed, when `terms` is its English stem: its score is added where a text
    /// holds it, without gating the match (`endings` finds `ending`, and ranks `endings` first).
    pub exact: Option<String>,
}

impl TextWord {
    /// A word matched by any of `terms`, with no exact form on top.
    pub fn any_of(terms: Vec<String>) -> TextWord {
        TextWord { terms, exact: None }
    }

    /// Every term the word is found or scored by.
    pub fn all_terms(&self) -> impl Iterator<Item = &String> {
        self.terms.iter().chain(&self.exact)
    }
}

/// The words of a query, as cut by the analyzer, made query words (glue words kept; see
/// [`without_glue`]).
pub fn query_words(jp: &Japanese, cut: &[Word]) -> Vec<QueryWord> {
    let mut out: Vec<QueryWord> = Vec::with_capacity(cut.len());
    let mut prev_end = usize::MAX;
    let mut prev_kana = false;
    for w in cut.iter().take(MAX_WORDS) {
        let terms = word_terms(w);
        if terms.is_empty() {
            continue;
        }
        let key = || w.romaji.as_deref().map(super::romaji::canonical).filter(|k| !k.is_empty());
        let kanji = w.japanese && has_kanji(&w.surface);
        let kana_word = w.japanese && !kanji;
        let mut q = QueryWord {
            glue: w.glue,
            surface: w.surface.clone(),
            joins_previous: kana_word && prev_kana && prev_end == w.start,
            ..QueryWord::default()
        };
        if let (true, Some(n)) = (kanji, &w.number) {
            q.names = terms.iter().filter(|t| t.as_str() != key().as_deref().unwrap_or("")).cloned().collect();
            q.text = vec![w.counted.clone().unwrap_or_else(|| n.clone())];
        } else if kanji {
            let reading = key();
            q.names = terms.iter().filter(|t| Some(t.as_str()) != reading.as_deref() && Some(*t) != w.base_key.as_ref()).cloned().collect();
            let form = stem::katakana(w.base.as_deref().unwrap_or(&w.surface)).to_string();
            q.text.push(form);
            if let Some(kana) = kana_of_dictionary_form(jp, w) {
                q.names.push(kana.clone());
                q.text.push(kana);
            }
            // Only a noun falls back on its sound (`山田孝之` reaches `Yamada Takayuki`, `干物女`
            // a romanized `Himono onna`); `泣いた` must not reach the `ない` of a song title.
            q.reading = reading.filter(|_| w.noun);
        } else if kana_word {
            q.names = terms.clone();
            q.names.extend(key().map(|k| format!("{READING_MARK}{k}")));
            q.text = key().into_iter().collect();
            q.by_reading = !q.text.is_empty();
            if q.text.is_empty() {
                q.text.push(terms[0].clone());
            }
            // An inflected kana word (`した`, `せつなくて`) is also its dictionary form, as
            // kana text indexes it; and its sound may be a romaji name in English text, with
            // a possessive or plural (`キムタク` → `Kimutaku's`).
            if let Some(base) = &w.base {
                q.text.push(stem::katakana(base).to_string());
            }
            if let Some(k) = &w.base_key {
                q.text.push(k.clone());
            }
            if let Some(s) = key().as_deref().and_then(stem::english_of_key) {
                q.text.push(s);
            }
        } else if let Some(c) = &w.counted {
            // Arabic digits with their counter: `3話` is looked up as one.
            q.names = terms.clone();
            q.text = vec![c.clone()];
        } else {
            // Latin: the key first, then the English stem; in names also the key as a reading
            // of Japanese (`sekai` → `世界`).
            q.names = terms.clone();
            q.names.extend(terms.first().filter(|k| k.bytes().any(|b| b.is_ascii_alphabetic())).map(|k| format!("{READING_MARK}{k}")));
            // In texts: the stem every form shares (`loved` → `~love`, as `love` and `loving`
            // are indexed too), the form as typed scoring on top. A word that could be romaji
            // is its key, which is how Japanese text holds its sound (`sekai` → `世界`) and by
            // which a kana run typed in romaji may be cut again, or its stem, which the index
            // holds only where another form of the word is written (`takes` for `take`;
            // [`super::tokenizer::text_terms`]).
            let key = terms[0].clone();
            q.by_reading = super::romaji::could_be_reading(&key);
            match stem::english_of_key(&w.surface) {
                Some(stemmed) if q.by_reading => q.text = vec![key, stemmed],
                Some(stemmed) => {
                    q.text = vec![stemmed];
                    q.exact = Some(key);
                }
                None => q.text = vec![key],
            }
        }
        q.names.dedup();
        q.text.dedup();
        prev_end = w.end;
        prev_kana = kana_word;
        out.push(q);
    }
    out
}

/// The kana spelling of a kanji word's dictionary form, as the index holds a word written in
/// kana (katakana, long-vowel stemmed): `綺麗` → `キレイ`, `泣い` (of `泣いた`) → `ナク`. None
/// for a word without a known reading, and for one whose reading is not all kana.
fn kana_of_dictionary_form(jp: &Japanese, w: &Word) -> Option<String> {
    let reading = match &w.base {
        None => w.kana.clone()?,
        Some(base) => {
            // The base form's own reading: `泣い` reads `ナイ`, its dictionary form `ナク`.
            // The base was folded to katakana with the surface; IPADIC writes okurigana in
            // hiragana (`泣く`), so it is read in hiragana.
            let base: String = base
                .chars()
                .map(|c| if ('\u{30A1}'..='\u{30F6}').contains(&c) { char::from_u32(c as u32 - 0x60).unwrap_or(c) } else { c })
                .collect();
            let words = jp.words(&base);
            let mut r = String::new();
            for bw in &words {
                r.push_str(bw.reading.as_deref()?);
            }
            to_katakana(&r)
        }
    };
    (super::romaji::is_kana(&reading) && !w.glue).then(|| format!("{KANA_MARK}{}", stem::katakana(&reading)))
}

/// The words of a query without its glue words, unless that leaves none: `の` alone is still
/// searched for.
pub fn without_glue(words: Vec<QueryWord>) -> Vec<QueryWord> {
    if words.iter().all(|w| w.glue) {
        return words;
    }
    words.into_iter().filter(|w| !w.glue).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tokenizer::words;

    fn qw(q: &str) -> Vec<QueryWord> {
        let jp = Japanese::shared().unwrap();
        without_glue(query_words(&jp, &words(&jp, q)))
    }

    #[test]
    fn a_kanji_word_searches_texts_by_its_dictionary_form_and_its_kana_spelling_never_its_reading() {
        let w = qw("泣いた");
        assert_eq!(w.len(), 1, "た is an auxiliary: {w:?}");
        assert_eq!(w[0].text, ["泣ク", "+ナク"]);
        assert_eq!(w[0].reading, None, "a verb has no fallback on its sound");
        let w = qw("山田");
        assert_eq!(w[0].reading.as_deref(), Some("yamada"), "a noun has");
        assert!(!w[0].names.contains(&"nai".to_string()));
        let w = qw("綺麗");
        assert_eq!(w[0].text, ["綺麗", "+キレイ"]);
    }

    #[test]
    fn kana_and_romaji_words_search_texts_by_reading() {
        let w = qw("きれい");
        assert_eq!(w[0].text[0], crate::analysis::romaji::canonical("kirei"));
        assert!(w[0].by_reading);
        let w = qw("crying");
        assert!(!w[0].by_reading, "crying is no romaji");
        assert_eq!((w[0].text.as_slice(), w[0].exact.as_deref()), (&["~cri".to_string()][..], Some("crying")));
        let w = qw("sekai");
        assert_eq!(w[0].text, ["sekai", "~sekai"], "a word that may be romaji is also its key");
        assert_eq!(w[0].exact, None);
    }

    #[test]
    fn particles_and_auxiliaries_are_not_required_when_other_words_remain() {
        let w = qw("最終回で泣いた");
        let texts: Vec<&str> = w.iter().map(|w| w.text[0].as_str()).collect();
        assert_eq!(texts, ["最終", "回", "泣ク"]);
        let w = qw("center of the world");
        assert_eq!(w.len(), 2);
        let w = qw("の");
        assert_eq!(w.len(), 1, "a query of glue alone is searched as typed");
    }

    #[test]
    fn kanji_numbers_search_texts_by_value() {
        let w = qw("第三話");
        let texts: Vec<&str> = w.iter().map(|w| w.text[0].as_str()).collect();
        assert_eq!(texts, ["3話", "話"], "第 is a number's prefix: 第三話 is 3話");
    }
}
