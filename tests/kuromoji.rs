//! The behaviours of Lucene's Japanese analysis (kuromoji) that ours adopts, each pinned
//! through the real analyzer (lindera with IPADIC), with Lucene's own test sentences where it
//! has them (`lucene/analysis/kuromoji/src/test/org/apache/lucene/analysis/ja/`):
//!
//! | Lucene                              | here                                              |
//! |-------------------------------------|---------------------------------------------------|
//! | `JapaneseBaseFormFilter`            | an inflected word is also indexed by its base form |
//! | `JapanesePartOfSpeechStopFilter`    | particles, auxiliaries, symbols… not required in a query (kept in the index); also the passive and causative endings |
//! | `JapaneseKatakanaStemFilter`        | a katakana word of 4+ characters loses a final `ー` |
//! | `JapaneseNumberFilter`              | kanji numbers indexed by their value              |
//! | `JapaneseIterationMarkCharFilter`   | `々` repeats the kanji before it                   |
//!
//! Not adopted: numbers mixing Arabic digits and kanji powers (`600万`), the kana iteration
//! marks (`ゝ`, `ゞ`) and runs of `々` standing for two kanji (`馬鹿々々しい`); and, unlike
//! Lucene, stop words are not removed from the index, so a query made of them still answers.

use dorama_search::analysis::query::{query_words, without_glue};
use dorama_search::analysis::{analyze, tokenizer, Japanese};

fn jp() -> Japanese {
    Japanese::shared().unwrap()
}

/// The terms of each word of `text`, a word a line.
fn terms(text: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for t in analyze(&jp(), text) {
        if out.len() <= t.position {
            out.resize(t.position + 1, Vec::new());
        }
        out[t.position].push(t.text);
    }
    out
}

fn has(text: &str, term: &str) -> bool {
    terms(text).iter().flatten().any(|t| t == term)
}

/// `TestJapaneseBaseFormFilter.testBasics`: `それはまだ実験段階にあります` gives `ある` for `あり`.
#[test]
fn base_form_an_inflected_word_is_also_its_dictionary_form() {
    let t = terms("それはまだ実験段階にあります");
    assert!(t.iter().any(|w| w.contains(&"アリ".to_string()) && w.contains(&"アル".to_string())), "{t:?}");
    for inflected in ["泣いた", "泣きました", "泣かなかった", "泣ける"] {
        assert!(has(inflected, "泣ク"), "{inflected}: {:?}", terms(inflected));
    }
    assert!(has("悲しかった", "悲シイ"));
}

/// `JapanesePartOfSpeechStopFilter` with Lucene's default `stoptags.txt`: particles (助詞),
/// auxiliary verbs (助動詞), symbols (記号), conjunctions (接続詞), fillers (フィラー).
#[test]
fn part_of_speech_stop_particles_auxiliaries_and_symbols_are_not_required() {
    let jp = jp();
    let read = |q: &str| -> Vec<String> {
        without_glue(query_words(&jp, &tokenizer::words(&jp, q))).into_iter().map(|w| w.text[0].clone()).collect()
    };
    assert_eq!(read("最終回で泣いた。"), ["最終", "回", "泣ク"]);
    assert_eq!(read("しかし、えーと、泣いた"), ["泣ク"], "a conjunction and a filler");
    assert_eq!(read("泣いている"), ["泣ク"], "a non-independent verb (our addition)");
    assert_eq!(read("振られた"), ["振ル"], "the passive ending, a suffix verb to IPADIC (our addition)");
    assert_eq!(read("食べさせた"), ["食ベル"], "the causative ending (our addition)");
    // Still indexed: a query made only of them answers.
    assert!(has("最終回で泣いた", "デ"));
    assert_eq!(read("で"), ["de"]);
}

/// `TestJapaneseKatakanaStemFilter.testStemVariants`, through the analyzer.
#[test]
fn katakana_stem_a_long_katakana_word_loses_its_final_long_vowel() {
    for (word, stem) in [("コーヒー", "コーヒ"), ("タクシー", "タクシ"), ("センター", "センタ"), ("メンバー", "メンバ"), ("コンピューター", "コンピュータ")] {
        assert!(has(word, stem), "{word}: {:?}", terms(word));
    }
    assert!(has("コピー", "コピー"), "three characters keep it");
}

/// `TestJapaneseNumberFilter.testBasics`: `本日十万二千五百円のワインを買った` has `102500`.
#[test]
fn numbers_kanji_numbers_are_also_their_value() {
    assert!(has("本日十万二千五百円のワインを買った", "102500"), "{:?}", terms("本日十万二千五百円のワインを買った"));
    assert!(has("第三話", "3"));
    assert!(has("第3話", "3"));
    assert!(has("第３話", "3"), "full-width digits fold");
    assert!(has("二十話", "20"));
    assert!(has("二〇〇四年", "2004"));
}

/// `TestJapaneseIterationMarkCharFilter`: `時々` is `時時`.
#[test]
fn iteration_mark_repeats_the_kanji_before_it() {
    assert_eq!(terms("時々"), terms("時時"));
    assert_eq!(terms("人々"), terms("人人"));
    assert_eq!(terms("佐々木"), terms("佐佐木"));
}
