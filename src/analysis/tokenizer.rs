//! The analyzer itself ([`analyze`]) and its two faces for tantivy: the text tokenizer used by
//! every searchable field, and the edge-prefix tokenizer behind type-ahead.

use super::japanese::Japanese;
use super::normalize::{fold, to_katakana};
use super::romaji;
use super::stem;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Registered name of the text analyzer.
pub const TEXT_TOKENIZER: &str = "dorama_text";
/// Registered name of the analyzer of the catalogue's fields (names, cast, synopsis): the text
/// analyzer with a Japanese word's reading key marked ([`READING_MARK`]).
pub const NAMES_TOKENIZER: &str = "dorama_names";
/// What starts the reading key of a Japanese word in the catalogue's fields. There, a word
/// written in kanji may reach a name written in romaji by its sound (`山田` → `Yamada`), but
/// not another kanji name that shares the sound (`愛` is not `相武`, read `aibu`): the mark
/// keeps the two apart, and a query written in kana or romaji looks up both.
pub const READING_MARK: char = '^';
/// What starts the term of a word written in kana, content words only ([`word_terms`]).
pub const KANA_MARK: char = '+';
/// Registered name of the suggestion-key tokenizer.
pub const SUGGEST_TOKENIZER: &str = "dorama_suggest";

/// One term with its byte range in the original text and its word position. A Japanese word
/// yields two terms at one position (surface and reading key).
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub position: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Script {
    Latin,
    Japanese,
    Other,
}

/// Which script a (folded) character belongs to, for cutting text into runs.
fn script(c: char) -> Script {
    let u = c as u32;
    let japanese = matches!(u,
        0x3005..=0x3007        // 々 〆 〇
        | 0x3041..=0x309F      // hiragana
        | 0x30A1..=0x30FA      // katakana
        | 0x30FC..=0x30FF      // ー and katakana iteration marks
        | 0x31F0..=0x31FF      // katakana phonetic extensions
        | 0x3400..=0x4DBF      // CJK extension A
        | 0x4E00..=0x9FFF      // CJK unified ideographs
        | 0xF900..=0xFAFF      // CJK compatibility ideographs
        | 0x20000..=0x3FFFF);  // CJK extensions B and later
    if japanese {
        Script::Japanese
    } else if c.is_alphanumeric() {
        Script::Latin
    } else {
        Script::Other
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Key of one Latin word: canonical romaji for ASCII words, the folded word otherwise.
pub fn latin_key(word: &str) -> String {
    if word.is_ascii() {
        romaji::canonical(word)
    } else {
        word.to_string()
    }
}

/// One word of folded text before it becomes terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
    /// Folded surface: a Latin word as typed (lower case), a Japanese word in katakana.
    pub surface: String,
    /// Hepburn romaji of a Japanese word's reading (not yet canonical), when known.
    pub romaji: Option<String>,
    pub japanese: bool,
    /// A Japanese word's dictionary form, folded like the surface, when it is inflected.
    pub base: Option<String>,
    /// A word that only glues a sentence together: a Japanese particle, auxiliary or symbol
    /// ([`crate::analysis::japanese::is_glue`]), or an English article or preposition, or a
    /// romaji particle ([`LATIN_GLUE`]).
    pub glue: bool,
    /// A kanji number's value in Arabic digits.
    pub number: Option<String>,
    /// A Japanese word's reading in katakana, when known.
    pub kana: Option<String>,
    /// The canonical key of a Japanese word's dictionary form's reading, when inflected.
    pub base_key: Option<String>,
    /// A number with the counter that follows it (`3話`, `三回` → `3回`): a number counts
    /// something, and `第3話` is not `第一話を三回`.
    pub counted: Option<String>,
    /// A Japanese counter word ([`crate::analysis::japanese::Word::counter`]).
    pub counter: bool,
    /// A Latin word with a possessive `'s`: the word without it (`kimutaku's` → `kimutaku`).
    pub owner: Option<String>,
    /// A Japanese noun, or a word the dictionary does not know
    /// ([`crate::analysis::japanese::Word::noun`]).
    pub noun: bool,
}

/// Latin words that only glue a title or sentence together: the particles typed in romaji,
/// and English articles and prepositions. Nearly every romaji title holds `no`, so requiring
/// them changes almost nothing about what matches, while their posting lists are the longest
/// in the index.
pub const LATIN_GLUE: &[&str] = &["no", "ha", "wa", "ga", "o", "wo", "ni", "de", "to", "mo", "he", "e", "ya", "the", "of", "a", "an", "and", "in", "on", "at"];

/// Cuts text into words by script (see the module doc of [`crate::analysis`]).
pub fn words(jp: &Japanese, text: &str) -> Vec<Word> {
    let folded = fold(text);
    let f = &folded.text;
    let mut out = Vec::new();
    let mut chars = f.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        match script(c) {
            Script::Other => {
                chars.next();
            }
            Script::Latin => {
                let mut word = String::new();
                let mut end = start;
                let mut apostrophe_at = None;
                while let Some(&(i, c)) = chars.peek() {
                    if script(c) == Script::Latin {
                        word.push(c);
                        end = i + c.len_utf8();
                        chars.next();
                    } else if is_apostrophe(c) && !word.is_empty() {
                        // shin'ichi, it's: the apostrophe joins, it does not split.
                        let mut ahead = chars.clone();
                        ahead.next();
                        match ahead.peek() {
                            Some(&(_, n)) if script(n) == Script::Latin => {
                                apostrophe_at = Some(word.len());
                                chars.next();
                            }
                            _ => break,
                        }
                    } else {
                        break;
                    }
                }
                let (s, e) = folded.original_range(start, end);
                let glue = LATIN_GLUE.contains(&word.as_str());
                // `Kimutaku's`: the word is also its owner's, for the stem (`~kimutaku`).
                let owner = (apostrophe_at == Some(word.len().saturating_sub(1)) && word.ends_with('s')).then(|| word[..word.len() - 1].to_string());
                out.push(Word { start: s, end: e, surface: word, romaji: None, japanese: false, base: None, glue, number: None, kana: None, noun: false, base_key: None, counted: None, counter: false, owner });
            }
            Script::Japanese => {
                let mut end = start;
                while let Some(&(i, c)) = chars.peek() {
                    if script(c) != Script::Japanese {
                        break;
                    }
                    end = i + c.len_utf8();
                    chars.next();
                }
                let run = &f[start..end];
                for w in jp.words(run) {
                    let surface = to_katakana(&run[w.start..w.end]);
                    if surface.chars().all(|c| c == 'ー') {
                        continue;
                    }
                    let (s, e) = folded.original_range(start + w.start, start + w.end);
                    let reading = w
                        .reading
                        .as_deref()
                        .map(to_katakana)
                        .or_else(|| romaji::is_kana(&surface).then(|| surface.clone()));
                    let romaji = reading.as_deref().map(romaji::kana_to_romaji).filter(|r| r.is_ascii());
                    let base = w.base.as_deref().map(to_katakana);
                    let base_key = w.base_reading.as_deref().map(|r| romaji::canonical(&romaji::kana_to_romaji(&to_katakana(r)))).filter(|k| k.is_ascii() && !k.is_empty());
                    out.push(Word { start: s, end: e, surface, romaji, japanese: true, base, glue: w.glue, number: w.number, kana: reading, noun: w.noun, base_key, counted: None, counter: w.counter, owner: None });
                }
            }
        }
    }
    count_numbers(&mut out);
    out
}

/// Marks each number followed directly by a counter with the two together
/// ([`Word::counted`]): Arabic digits (`3話`, cut apart by script) and kanji numbers alike.
fn count_numbers(words: &mut [Word]) {
    for i in 1..words.len() {
        let (before, after) = words.split_at_mut(i);
        let (n, c) = (&mut before[i - 1], &after[0]);
        // IPADIC tags a counter only after a kanji number it sees; after Arabic digits (another
        // run) `話` is read as a word of its own. A single kanji right after a number is a
        // counter all the same (`3話`, `2回`, `20歳`).
        let single_kanji = c.japanese && c.surface.chars().count() == 1 && super::normalize::has_kanji(&c.surface);
        if !(c.counter || single_kanji) || n.end != c.start {
            continue;
        }
        let value = n.number.clone().or_else(|| (!n.japanese && n.surface.bytes().all(|b| b.is_ascii_digit())).then(|| n.surface.trim_start_matches('0').to_string()));
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            n.counted = Some(format!("{v}{}", c.surface));
        }
    }
}

/// Turns text into terms. See the module doc of [`crate::analysis`].
pub fn analyze(jp: &Japanese, text: &str) -> Vec<Term> {
    terms_of(words(jp, text))
}

/// [`analyze`] for the catalogue's fields: readings marked ([`READING_MARK`]).
pub fn analyze_names(jp: &Japanese, text: &str) -> Vec<Term> {
    terms_by(words(jp, text), name_terms)
}

/// [`word_terms`] with a Japanese word's reading key marked ([`READING_MARK`]).
pub fn name_terms(w: &Word) -> Vec<String> {
    let mut terms = word_terms(w);
    if w.japanese {
        let readings: Vec<String> = w.romaji.as_deref().map(romaji::canonical).into_iter().chain(w.base_key.clone()).collect();
        for t in terms.iter_mut().filter(|t| readings.contains(t)) {
            *t = format!("{READING_MARK}{t}");
        }
    }
    terms
}

/// Terms of words already cut (a query's words also give its type-ahead keys, so it is cut
/// once and used twice).
pub fn terms_of(words: Vec<Word>) -> Vec<Term> {
    terms_by(words, text_terms)
}

/// [`word_terms`] as review text holds them: an English word also by its stem when the word is
/// its own stem (`love` is also `~love`). Every inflection of a word then shares one term, so
/// a query looks each of its words up by that one term ([`crate::analysis::query`]): a
/// conjunction of single terms is what tantivy prunes (block-max WAND), where a conjunction
/// of unions (`love` or `~love`, for each word) walks every match.
///
/// Not a word whose key could be romaji ([`romaji::could_be_reading`]): a query looks that up
/// by its key anyway (Japanese text holds its sound so), and by its stem only where the index
/// holds the stem, which is then only where some other form of it is written (`takes` for
/// `take`; never for `sekai` or `yamada`). So a romaji word is one term in a query too.
/// The catalogue's fields keep [`word_terms`]: their words are matched by tier, not summed.
pub fn text_terms(w: &Word) -> Vec<String> {
    terms_of_word(w, true)
}

/// Each word's terms by `terms`, at the word's position and byte range.
fn terms_by(words: Vec<Word>, terms_of_word: fn(&Word) -> Vec<String>) -> Vec<Term> {
    let mut terms = Vec::new();
    for (position, w) in words.into_iter().enumerate() {
        for text in terms_of_word(&w) {
            terms.push(Term { text, start: w.start, end: w.end, position });
        }
    }
    terms
}

/// Every term one word is indexed by, each once:
/// - a Japanese word: its surface (kana folded to katakana, a long katakana word without its
///   final `ー`, [`stem::katakana`]), its dictionary form when inflected (`泣き` is also
///   `泣ク`), the canonical key of its reading (`naki`), and a kanji number's value (`三` is
///   also `3`);
/// - a Latin word: its canonical romaji key, and its English stem when that differs
///   ([`stem::english`]); with a possessive `'s`, also the key and stem of the word without it.
pub fn word_terms(w: &Word) -> Vec<String> {
    terms_of_word(w, false)
}

/// [`word_terms`], and with `own_stem` an English word that is its own stem (whose key could
/// not be romaji) also by that stem ([`text_terms`]): the stemmer runs once a word, as every
/// Latin word of every text and snippet comes through here.
fn terms_of_word(w: &Word, own_stem: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(4);
    let mut push = |t: String| {
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    };
    if w.japanese {
        push(stem::katakana(&w.surface).to_string());
        if let Some(base) = &w.base {
            push(stem::katakana(base).to_string());
        }
        if let Some(key) = w.romaji.as_deref().map(romaji::canonical) {
            push(key);
        }
        if let Some(k) = &w.base_key {
            push(k.clone());
        }
        if let Some(n) = &w.number {
            push(n.clone());
        }
        if let Some(c) = &w.counted {
            push(c.clone());
        }
        // A word written in kana, as a word (not a particle or auxiliary that shares its
        // sound): what a query in kanji finds it by (`綺麗` → `きれい`).
        if !w.glue && romaji::is_kana(&w.surface) {
            push(format!("{KANA_MARK}{}", stem::katakana(w.base.as_deref().unwrap_or(&w.surface))));
        }
    } else {
        let (key, stem) = latin_terms(&w.surface, own_stem);
        push(key);
        if let Some(c) = &w.counted {
            push(c.clone());
        }
        if let Some(stem) = stem {
            push(stem);
        }
        // `Domyoji's` is the name `Domyoji`: its key, which a kana or romaji query for the
        // name looks up (`どうみょうじ` is `domyozi`), and its stem.
        if let Some(owner) = w.owner.as_deref() {
            push(latin_key(owner));
            if let Some(stem) = stem::english_of_key(owner) {
                push(stem);
            }
        }
    }
    out
}

/// A folded Latin word's key and stem term (as [`word_terms`] gives them; with `own_stem`, as
/// review text holds them, [`text_terms`]), remembered per thread: stemming and the romaji key
/// were two thirds of analyzing English text, and a text's words are mostly words already seen (the,
/// story, love), so each is worked out once.
pub fn latin_terms(surface: &str, own_stem: bool) -> (String, Option<String>) {
    type Seen = std::cell::RefCell<rustc_hash::FxHashMap<String, (String, Option<String>)>>;
    thread_local! {
        static SEEN: [Seen; 2] = Default::default();
    }
    // 20,000 words (about 2 MB a thread) hold the words that make up most of any English text.
    SEEN.with(|seen| {
        super::memo::remembered(&seen[own_stem as usize], surface, 20_000, || {
            let key = latin_key(surface);
            let own_stem = own_stem && !romaji::could_be_reading(&key);
            let stem = stem::english(surface).or_else(|| own_stem.then(|| stem::own_stem(surface)).flatten());
            (key, stem)
        })
    })
}

/// The tantivy face of [`analyze`].
#[derive(Clone)]
pub struct TextTokenizer {
    jp: Japanese,
    names: bool,
}

impl TextTokenizer {
    pub fn new(jp: Japanese) -> Self {
        TextTokenizer { jp, names: false }
    }

    /// The analyzer of the catalogue's fields ([`analyze_names`]).
    pub fn names(jp: Japanese) -> Self {
        TextTokenizer { jp, names: true }
    }
}

/// A token stream over terms computed up front.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl VecTokenStream {
    fn new(tokens: Vec<Token>) -> Self {
        VecTokenStream { tokens, next: 0 }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for TextTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let terms = if self.names { analyze_names(&self.jp, text) } else { analyze(&self.jp, text) };
        let tokens = terms
            .into_iter()
            .map(|t| Token {
                offset_from: t.start,
                offset_to: t.end,
                position: t.position,
                text: t.text,
                position_length: 1,
            })
            .collect();
        VecTokenStream::new(tokens)
    }
}

/// Longest prefix, in characters, that type-ahead indexes for one key.
pub const MAX_PREFIX_CHARS: usize = 24;

/// Indexes every prefix of every whitespace-separated key (the keys are made by
/// [`crate::analysis::suggest_keys`]); a query is one key looked up as a single term.
#[derive(Clone, Default)]
pub struct SuggestTokenizer;

impl Tokenizer for SuggestTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let mut tokens = Vec::new();
        let mut offset = 0;
        for key in text.split(' ') {
            let mut prefix = String::new();
            for c in key.chars().take(MAX_PREFIX_CHARS) {
                prefix.push(c);
                tokens.push(Token {
                    offset_from: offset,
                    offset_to: offset + key.len(),
                    position: tokens.len(),
                    text: prefix.clone(),
                    position_length: 1,
                });
            }
            offset += key.len() + 1;
        }
        VecTokenStream::new(tokens)
    }
}
