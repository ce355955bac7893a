//! Loanword keys: an English title and its katakana rendering, made to meet.
//!
//! Fans type the Japanese way of saying an English title in kana: `すぱいふぁみりー` for
//! `SPY×FAMILY`, `ですのーと` for `Death Note`. Kana has one romanization (`supaifamirii`), but
//! that is not the English spelling, and no dictionary lists every title's English words.
//! What survives the trip into katakana is the consonant skeleton: katakana adds vowels
//! (`su-pa-i`), lengthens them (`ー` for English `-er`, `-ar`), and has no `l`/`r`, `b`/`v`
//! or `s`/`z`/`th` contrasts. So both sides are reduced to their consonants, with those pairs
//! merged and English's silent letters dropped, and a whole name compared as one key:
//! `spy family` and `supaifamirii` are both `sphmr`, `death note` and `desunooto` both `dsnt`.
//!
//! A repeated consonant is written once only where nothing is said between its two letters
//! (`dd`, `ck`, the doubled consonant of a small `ッ`). Katakana says a vowel after every
//! consonant that ends an English word and keeps a syllable per vowel, so a consonant repeated
//! across a vowel (`ReLIFE`, リライフ: `r-r-f`) or across the end of a word (`Black Clover`,
//! ブラッククローバー: `k-k`) is kept twice on both sides.
//!
//! The key is coarse, so it is only compared whole (a kana query against a whole title), only
//! from [`MIN_CONSONANTS`] consonants on (shorter keys meet too many titles), and a match scores
//! as a whole-name match, below a title that also matches the words.

/// Keys shorter than this are not made: `ない` (`n`), `ふりー` (`hr`) would meet too much.
pub const MIN_CONSONANTS: usize = 3;

/// What loanword keys start with, so that they never equal another key in the same field.
pub const PREFIX: char = '~';

/// The loanword key of a name in Latin letters (English or romaji), or of a kana reading in
/// Hepburn romaji. None if it holds digits (numbers are said in many ways) or has too few
/// consonants. Words of one letter `x` are dropped: `Spy x Family` writes the `×` of
/// `SPY×FAMILY`, which nobody says.
pub fn key(latin: &str) -> Option<String> {
    if latin.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let lower = latin.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty() && *w != "x").collect();
    if words.iter().any(|w| w.bytes().any(|b| !b.is_ascii_lowercase())) {
        return None;
    }
    let mut out: Vec<u8> = Vec::with_capacity(lower.len());
    for word in words {
        word_consonants(word.as_bytes(), &mut out);
    }
    (out.len() >= MIN_CONSONANTS).then(|| {
        let mut k = String::with_capacity(out.len() + 1);
        k.push(PREFIX);
        k.extend(out.into_iter().map(char::from));
        k
    })
}

/// Appends one word's consonant sounds to `out`. The end of the previous word counts as a
/// vowel (katakana says one there), so a sound repeated across it is kept.
fn word_consonants(letters: &[u8], out: &mut Vec<u8>) {
    let vowel = |b: Option<&u8>| b.is_some_and(|b| b"aeiouy".contains(b));
    // Whether a vowel (or a silent letter, or the end of a word) came since the last sound.
    let mut said_between = true;
    let mut i = 0;
    while i < letters.len() {
        let (c, next) = (letters[i], letters.get(i + 1).copied());
        let pair = |s: &[u8; 2]| c == s[0] && next == Some(s[1]);
        let (sound, used): (Option<u8>, usize) = if pair(b"ph") {
            (Some(b'h'), 2)
        } else if pair(b"th") || pair(b"sh") {
            (Some(b's'), 2)
        } else if pair(b"ch") || pair(b"ts") || pair(b"tz") {
            (Some(b't'), 2)
        } else if pair(b"ck") || pair(b"qu") {
            (Some(b'k'), 2)
        } else if pair(b"gh") || pair(b"wh") {
            (None, 2)
        } else if pair(b"dz") {
            (Some(b's'), 2)
        } else {
            let s = match c {
                b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'w' => None,
                // English `r` after a vowel and before a consonant or the end is a long vowel in
                // katakana (`heart` ハート, `spider` スパイダー); kana romaji never has one there.
                b'r' if vowel(i.checked_sub(1).and_then(|p| letters.get(p))) && !vowel(letters.get(i + 1)) => None,
                b'c' => Some(if matches!(next, Some(b'e' | b'i' | b'y')) { b's' } else { b'k' }),
                b'q' => Some(b'k'),
                b'x' => {
                    out.push(b'k');
                    Some(b's')
                }
                b'f' => Some(b'h'),
                b'v' => Some(b'b'),
                b'l' => Some(b'r'),
                b'z' | b'j' => Some(b's'),
                b'm' if matches!(next, Some(b'b' | b'p')) => Some(b'n'),
                other => Some(other),
            };
            (s, 1)
        };
        match sound {
            Some(s) => {
                if said_between || out.last() != Some(&s) {
                    out.push(s);
                }
                said_between = false;
            }
            None => said_between = true,
        }
        i += used;
    }
}

/// The loanword key of a name as indexed: only of a name written wholly in Latin letters
/// (after folding accents and widths), whose words a fan may type in katakana.
///
/// A name that reads whole as romaji (`Kyokou Suiri`, `Kaguya-sama wa Kokurasetai`) gets none:
/// it is already how the kana is spelled, and a kana query meets it through its one
/// romanization. Keyed as well, its consonants would meet unrelated kana (`くすりや`, the start
/// of `Kusuriya no Hitorigoto`, has the consonants of `Kyokou Suiri`).
pub fn name_key(name: &str) -> Option<String> {
    let folded = super::normalize::fold_str(name);
    if !folded.chars().all(|c| c.is_ascii() || !c.is_alphabetic()) || super::romaji::reads_as_romaji(&folded) || has_acronym(&folded) {
        return None;
    }
    key(&folded)
}

/// Whether a word of the name has no vowel (`SnK`, `BSD`): an acronym is spelled out, not said
/// as a word, so its consonants are not what a kana rendering of the name holds.
fn has_acronym(latin: &str) -> bool {
    latin
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| !w.is_empty() && !w.eq_ignore_ascii_case("x") && !w.bytes().any(|b| b"aeiouyAEIOUY".contains(&b)))
}


/// The loanword key of a query typed wholly in kana, from its words' Hepburn romaji.
pub fn query_key(ws: &[super::tokenizer::Word]) -> Option<String> {
    let mut hepburn = String::new();
    for w in ws {
        if !w.japanese || !super::romaji::is_kana(&w.surface) {
            return None;
        }
        hepburn.push_str(w.romaji.as_deref()?);
    }
    key(&hepburn)
}

#[cfg(test)]
mod tests {
    use super::key;
    use crate::analysis::romaji::kana_to_romaji;

    fn kana(k: &str) -> Option<String> {
        key(&kana_to_romaji(k))
    }

    #[test]
    fn katakana_renderings_meet_their_english_titles() {
        for (english, katakana) in [
            ("Spy x Family", "スパイファミリー"),
            ("SPY×FAMILY", "すぱいふぁみりー"),
            ("Death Note", "デスノート"),
            ("Spider Riders", "スパイダーライダーズ"),
            ("Heart Catch", "ハートキャッチ"),
            ("Black Clover", "ブラッククローバー"),
            ("ReLIFE", "りらいふ"),
            ("Kill la Kill", "キルラキル"),
            ("Accel World", "アクセル・ワールド"),
            ("Buddy Daddies", "バディダディズ"),
            ("Just Because!", "じゃすとびこーず"),
        ] {
            assert_eq!(key(english), kana(katakana), "{english} / {katakana}");
            assert!(key(english).is_some(), "{english}");
        }
    }

    #[test]
    fn different_titles_keep_different_keys() {
        assert_ne!(key("Death Note"), key("Date Night Out"));
        assert_ne!(key("Spy x Family"), key("Spy Classroom"));
    }

    #[test]
    fn names_that_read_as_romaji_have_no_key() {
        use super::name_key;
        for romaji in ["Kyokou Suiri", "Kaguya-sama wa Kokurasetai", "Sekai no chuushin de, ai wo sakebu", "Shimbun", "Kocchi", "Ore no Imouto", "Kanojo, Okarishimasu", "Hataraku Maou-sama!"] {
            assert_eq!(name_key(romaji), None, "{romaji}");
        }
        for acronym in ["SnK", "BSD", "JJK"] {
            assert_eq!(name_key(acronym), None, "{acronym}");
        }
        for english in ["Spy x Family", "Death Note", "Clannad", "Amnesia", "New Game!", "Edens Zero", "Steins;Gate", "Tokyo Ghoul", "Overlord"] {
            assert!(name_key(english).is_some(), "{english}");
        }
    }

    #[test]
    fn short_or_numbered_names_have_no_key() {
        assert_eq!(key("Free!"), None);
        assert_eq!(kana("フリー"), None);
        assert_eq!(key("86 Eighty-Six"), None);
    }
}
