//! Review, comment and post text with the word statistics of real writing.
//!
//! A forum's text decides how a search engine behaves: how long posting lists are, how BM25
//! weighs a word, how much block-max pruning can skip. Template sentences that hold exactly the
//! benchmark's query words make all of that unlike a real forum, so the text here is drawn from
//! a model of real text made by `scripts/text-model` (see that script for the sources):
//!
//! - **English**: a word-pair (bigram) chain over the words of 4,878 real English texts about
//!   Japanese series, backing off to single-word frequencies where a pair was seen only once.
//! - **Japanese**: IPADIC's nouns, verbs, adjectives and adverbs weighted by their cost rank,
//!   put in the shape of simple sentences (nouns with particles, ending on a verb, an adjective
//!   or a noun), and the catalogue's Japanese titles.
//!
//! The drama's own title and cast are mentioned at fixed rates, as fans do.

use super::Rng;
use crate::record::Drama;
use std::collections::HashMap;
use std::sync::OnceLock;

const ENGLISH: &str = include_str!("english.tsv");
const JAPANESE: &str = include_str!("japanese.tsv");

/// Chance that a text names its drama's title, one of its actors, one of its characters.
const MENTION_TITLE: f64 = 0.3;
const MENTION_ACTOR: f64 = 0.2;
const MENTION_CHARACTER: f64 = 0.2;
/// Chance that a Japanese text compares its drama to a title of the real catalogue.
const MENTION_OTHER_TITLE: f64 = 0.05;
/// Chance of following a seen word pair rather than drawing the next word on its own.
const FOLLOW_PAIR: f64 = 0.8;

/// Items drawn in proportion to their weights (binary search over running sums).
struct Weighted {
    items: Vec<&'static str>,
    upto: Vec<u64>,
}

impl Weighted {
    fn new() -> Weighted {
        Weighted { items: Vec::new(), upto: Vec::new() }
    }

    fn push(&mut self, item: &'static str, weight: u64) {
        let total = self.upto.last().copied().unwrap_or(0);
        self.items.push(item);
        self.upto.push(total + weight.max(1));
    }

    fn draw(&self, rng: &mut Rng) -> &'static str {
        let total = *self.upto.last().expect("a weighted list is never empty");
        let x = rng.next() % total;
        let i = self.upto.partition_point(|&u| u <= x);
        self.items[i]
    }
}

struct Model {
    words: Weighted,
    next: HashMap<&'static str, Weighted>,
    ja: HashMap<&'static str, Weighted>,
}

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let mut words = Weighted::new();
        let mut next: HashMap<&'static str, Weighted> = HashMap::new();
        for line in ENGLISH.lines().filter(|l| !l.starts_with('#')) {
            let f: Vec<&'static str> = line.split('\t').collect();
            match f.as_slice() {
                ["1", w, n] => words.push(w, n.parse().unwrap_or(1)),
                ["2", a, b, n] => next.entry(a).or_insert_with(Weighted::new).push(b, n.parse().unwrap_or(1)),
                _ => {}
            }
        }
        let mut ja: HashMap<&'static str, Weighted> = HashMap::new();
        for line in JAPANESE.lines().filter(|l| !l.starts_with('#')) {
            if let [class, w, n] = line.split('\t').collect::<Vec<_>>().as_slice() {
                ja.entry(class).or_insert_with(Weighted::new).push(w, n.parse().unwrap_or(1));
            }
        }
        Model { words, next, ja }
    })
}

fn is_end(w: &str) -> bool {
    matches!(w, "." | "!" | "?")
}

fn is_punctuation(w: &str) -> bool {
    matches!(w, "." | "," | "!" | "?" | ";" | ":")
}

/// About `n` words of English, in whole sentences.
fn english_words(rng: &mut Rng, n: usize) -> Vec<String> {
    let m = model();
    let mut out: Vec<String> = Vec::with_capacity(n + 20);
    let mut prev = "<s>";
    let (mut in_sentence, mut count) = (0, 0);
    // A sentence left open at `n` words runs on to its end, within reason.
    while count < n || (in_sentence > 0 && count < n + 30) {
        let w = match m.next.get(prev) {
            Some(pairs) if rng.unit() < FOLLOW_PAIR => pairs.draw(rng),
            _ => m.words.draw(rng),
        };
        if in_sentence == 0 && is_punctuation(w) {
            continue;
        }
        let mut word = w.to_string();
        if in_sentence == 0 {
            if let Some(c) = word.get(..1) {
                word = c.to_uppercase() + &word[1..];
            }
        }
        out.push(word);
        if !is_punctuation(w) {
            count += 1;
        }
        if is_end(w) {
            prev = "<s>";
            in_sentence = 0;
        } else {
            prev = w;
            in_sentence += 1;
        }
    }
    if out.last().is_some_and(|w| !is_end(w)) {
        out.push(".".into());
    }
    out
}

fn join_english(words: &[String]) -> String {
    let mut s = String::new();
    for w in words {
        if !s.is_empty() && !is_punctuation(w) {
            s.push(' ');
        }
        s.push_str(w);
    }
    s
}

/// Puts `name` into the text at a word boundary, as part of the sentence around it.
fn mention(words: &mut Vec<String>, name: &str, rng: &mut Rng) {
    let at = rng.below(words.len() + 1);
    words.insert(at, name.to_string());
}

/// An English text of about `n` words about drama `d`.
pub fn english(d: &Drama, rng: &mut Rng, n: usize) -> String {
    let mut words = english_words(rng, n);
    let cast = (!d.cast.is_empty()).then(|| &d.cast[rng.below(d.cast.len())]);
    if rng.unit() < MENTION_TITLE {
        mention(&mut words, &d.title, rng);
    }
    if let Some(actor) = cast.and_then(|c| c.actor.as_deref()).filter(|_| rng.unit() < MENTION_ACTOR) {
        mention(&mut words, actor, rng);
    }
    if let Some(character) = cast.and_then(|c| c.character.as_deref()).filter(|_| rng.unit() < MENTION_CHARACTER) {
        mention(&mut words, character, rng);
    }
    join_english(&words)
}

/// One Japanese sentence: one to three nouns with particles, maybe an adverb, and an ending.
fn japanese_sentence(rng: &mut Rng, out: &mut String) {
    let m = model();
    let class = |c: &str| m.ja.get(c).expect("the Japanese model has every class");
    for _ in 0..1 + rng.below(3) {
        out.push_str(class("noun").draw(rng));
        out.push_str(class("particle").draw(rng));
    }
    if rng.below(3) == 0 {
        out.push_str(class("adv").draw(rng));
    }
    match rng.below(3) {
        0 => {
            out.push_str(class("verb").draw(rng));
            out.push_str("ました");
        }
        1 => {
            out.push_str(class("adj").draw(rng));
            out.push_str("です");
        }
        _ => {
            out.push_str(class("noun").draw(rng));
            out.push_str("でした");
        }
    }
    out.push('。');
}

/// A Japanese text of `sentences` sentences about drama `d`.
pub fn japanese(d: &Drama, rng: &mut Rng, sentences: usize) -> String {
    let mut out = String::new();
    let cast = (!d.cast.is_empty()).then(|| &d.cast[rng.below(d.cast.len())]);
    if let Some(t) = d.title_ja.as_deref().filter(|_| rng.unit() < MENTION_TITLE) {
        out.push_str(t);
        out.push('は');
    }
    for i in 0..sentences.max(1) {
        if i == 1 {
            if let Some(a) = cast.and_then(|c| c.actor_ja.as_deref()).filter(|_| rng.unit() < MENTION_ACTOR) {
                out.push_str(a);
                out.push('の');
            }
        }
        if i == 2 {
            if let Some(c) = cast.and_then(|c| c.character_ja.as_deref()).filter(|_| rng.unit() < MENTION_CHARACTER) {
                out.push_str(c);
                out.push('が');
            }
        }
        japanese_sentence(rng, &mut out);
    }
    if rng.unit() < MENTION_OTHER_TITLE {
        out.push('「');
        out.push_str(model().ja.get("title").expect("the Japanese model has titles").draw(rng));
        out.push_str("」みたいでした。");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_text_is_whole_sentences_of_about_the_asked_length() {
        let d = super::super::drama(1, 0);
        let mut rng = Rng::new(3);
        for n in [5, 20, 80] {
            let t = english(&d, &mut rng, n);
            let words = t.split_whitespace().count();
            assert!(words >= n && words <= n + 40, "{n} words asked, {words} given: {t}");
            assert!(t.ends_with(['.', '!', '?']), "{t}");
            assert!(t.starts_with(|c: char| !c.is_lowercase()), "{t}");
        }
    }

    #[test]
    fn common_words_are_common_and_rare_words_rare() {
        // The point of the model: document frequencies spread like a real forum's.
        let d = super::super::drama(1, 0);
        let mut rng = Rng::new(5);
        let texts: Vec<String> = (0..2000).map(|_| english(&d, &mut rng, 40).to_lowercase()).collect();
        let df = |w: &str| texts.iter().filter(|t| t.split(|c: char| !c.is_alphanumeric()).any(|x| x == w)).count();
        assert!(df("the") > 1500, "the: {}", df("the"));
        assert!(df("school") > 20 && df("school") < 1000, "school: {}", df("school"));
        assert!(df("cinematography") < 20, "cinematography: {}", df("cinematography"));
    }

    #[test]
    fn japanese_text_is_sentences_of_japanese_words() {
        let d = super::super::drama(1, 0);
        let mut rng = Rng::new(9);
        let t = japanese(&d, &mut rng, 3);
        assert!(t.matches('。').count() >= 3, "{t}");
        assert!(!t.is_ascii());
    }
}
