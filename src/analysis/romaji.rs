//! Romaji: kana readings to Latin letters, and one canonical spelling for all the ways fans
//! romanize the same sounds.
//!
//! Fans write `chuushin`, `chushin`, `chūshin` or `chuusin`; `Koutaro`, `Kotaro`, `Kohtaro`;
//! `wo` or `o`; `shimbun` or `shinbun`. Rather than expanding a query into every spelling,
//! both the index and the query are folded to one *canonical key* by [`canonical`]: a
//! Kunrei-like spelling with long vowels, doubled consonants and `m`-before-labials collapsed.
//! The key is never shown to anyone; it only has to be the same for every variant. It is
//! lossy on purpose (`oo`/`o`, `kk`/`k` meet), which costs a little precision on rare pairs
//! and buys recall on the spellings people actually type.

/// Hepburn romaji for a katakana (or hiragana) string. Unknown characters pass through.
pub fn kana_to_romaji(kana: &str) -> String {
    let chars: Vec<char> = kana.chars().map(to_katakana).collect();
    let mut out = String::with_capacity(chars.len() * 2);
    let mut i = 0;
    let mut sokuon = false;
    while i < chars.len() {
        let c = chars[i];
        if c == 'ッ' {
            sokuon = true;
            i += 1;
            continue;
        }
        if c == 'ー' {
            if let Some(v) = out.chars().last().filter(|v| "aeiou".contains(*v)) {
                out.push(v);
            }
            i += 1;
            continue;
        }
        // Two-character syllables first (キャ, シュ, ティ, ファ …), each a consonant and a
        // vowel, written straight into `out` (a `String` per syllable was most of its time).
        let (consonant, vowel, used) = match chars.get(i + 1).and_then(|&n| digraph(c, n)) {
            Some((consonant, vowel)) => (consonant, Some(vowel), 2),
            None => match mono(c) {
                Some(s) => (s, None, 1),
                None => {
                    sokuon = false;
                    out.push(c);
                    i += 1;
                    continue;
                }
            },
        };
        if sokuon {
            if let Some(first) = consonant.chars().next() {
                if consonant.starts_with("ch") {
                    out.push('t');
                } else if !"aeiou".contains(first) {
                    out.push(first);
                }
            }
            sokuon = false;
        }
        out.push_str(consonant);
        out.extend(vowel);
        i += used;
    }
    out
}

fn to_katakana(c: char) -> char {
    if ('\u{3041}'..='\u{3096}').contains(&c) {
        char::from_u32(c as u32 + 0x60).unwrap_or(c)
    } else {
        c
    }
}

fn mono(c: char) -> Option<&'static str> {
    Some(match c {
        'ア' => "a", 'イ' => "i", 'ウ' => "u", 'エ' => "e", 'オ' => "o",
        'カ' => "ka", 'キ' => "ki", 'ク' => "ku", 'ケ' => "ke", 'コ' => "ko",
        'サ' => "sa", 'シ' => "shi", 'ス' => "su", 'セ' => "se", 'ソ' => "so",
        'タ' => "ta", 'チ' => "chi", 'ツ' => "tsu", 'テ' => "te", 'ト' => "to",
        'ナ' => "na", 'ニ' => "ni", 'ヌ' => "nu", 'ネ' => "ne", 'ノ' => "no",
        'ハ' => "ha", 'ヒ' => "hi", 'フ' => "fu", 'ヘ' => "he", 'ホ' => "ho",
        'マ' => "ma", 'ミ' => "mi", 'ム' => "mu", 'メ' => "me", 'モ' => "mo",
        'ヤ' => "ya", 'ユ' => "yu", 'ヨ' => "yo",
        'ラ' => "ra", 'リ' => "ri", 'ル' => "ru", 'レ' => "re", 'ロ' => "ro",
        'ワ' => "wa", 'ヰ' => "i", 'ヱ' => "e", 'ヲ' => "wo", 'ン' => "n",
        'ガ' => "ga", 'ギ' => "gi", 'グ' => "gu", 'ゲ' => "ge", 'ゴ' => "go",
        'ザ' => "za", 'ジ' => "ji", 'ズ' => "zu", 'ゼ' => "ze", 'ゾ' => "zo",
        'ダ' => "da", 'ヂ' => "ji", 'ヅ' => "zu", 'デ' => "de", 'ド' => "do",
        'バ' => "ba", 'ビ' => "bi", 'ブ' => "bu", 'ベ' => "be", 'ボ' => "bo",
        'パ' => "pa", 'ピ' => "pi", 'プ' => "pu", 'ペ' => "pe", 'ポ' => "po",
        'ヴ' => "vu",
        'ァ' => "a", 'ィ' => "i", 'ゥ' => "u", 'ェ' => "e", 'ォ' => "o",
        'ャ' => "ya", 'ュ' => "yu", 'ョ' => "yo", 'ヮ' => "wa", 'ヵ' => "ka", 'ヶ' => "ke",
        _ => return None,
    })
}

/// A two-kana syllable as its consonant part and vowel (`キャ` → `ky`, `a`).
fn digraph(a: char, b: char) -> Option<(&'static str, char)> {
    let small_y = match b {
        'ャ' => Some('a'),
        'ュ' => Some('u'),
        'ョ' => Some('o'),
        _ => None,
    };
    if let Some(v) = small_y {
        let stem = match a {
            'キ' => "ky", 'ギ' => "gy", 'シ' => "sh", 'ジ' => "j", 'チ' => "ch", 'ヂ' => "j",
            'ニ' => "ny", 'ヒ' => "hy", 'ビ' => "by", 'ピ' => "py", 'ミ' => "my", 'リ' => "ry",
            _ => return None,
        };
        return Some((stem, v));
    }
    let small_v = match b {
        'ァ' => 'a',
        'ィ' => 'i',
        'ゥ' => 'u',
        'ェ' => 'e',
        'ォ' => 'o',
        _ => return None,
    };
    let stem = match (a, small_v) {
        ('フ', _) => "f",
        ('ヴ', _) => "v",
        ('テ', 'i') | ('テ', 'u') => "t",
        ('デ', 'i') | ('デ', 'u') => "d",
        ('ウ', 'i') | ('ウ', 'e') | ('ウ', 'o') => "w",
        ('シ', 'e') => "sh",
        ('ジ', 'e') => "j",
        ('チ', 'e') => "ch",
        ('ツ', _) => "ts",
        _ => return None,
    };
    Some((stem, small_v))
}

/// The canonical key of one romaji word (already lower case ASCII): every common variant of
/// the same Japanese sounds maps to the same key. See the module doc.
pub fn canonical(word: &str) -> String {
    if word == "wo" {
        return "o".into();
    }
    let src: Vec<u8> = word.bytes().filter(|b| b.is_ascii_alphanumeric()).collect();
    if !src.iter().any(|b| b.is_ascii_alphabetic()) {
        return String::from_utf8(src).unwrap_or_default(); // numbers stay as they are
    }
    // Hepburn → Kunrei-like, one spelling per kana, in one left-to-right pass:
    // tch→tt, shi→si, sh→sy, chi→ti, ch→ty, ts→t, dz→z, ji→zi, j→zy, fu→hu, di→zi, du→zu, wo→o.
    let mut mid: Vec<u8> = Vec::with_capacity(src.len() + 4);
    let at = |i: usize| src.get(i).copied();
    let mut i = 0;
    while i < src.len() {
        let (c, n1, n2) = (src[i], at(i + 1), at(i + 2));
        match (c, n1) {
            (b't', Some(b'c')) if n2 == Some(b'h') => {
                mid.extend_from_slice(b"tt");
                i += 3;
            }
            (b's', Some(b'h')) | (b'c', Some(b'h')) => {
                mid.push(if c == b's' { b's' } else { b't' });
                if n2 != Some(b'i') {
                    mid.push(b'y');
                }
                i += 2;
            }
            (b't', Some(b's')) => {
                mid.push(b't');
                i += 2;
            }
            (b'd', Some(b'z')) => {
                mid.push(b'z');
                i += 2;
            }
            (b'j', _) => {
                mid.push(b'z');
                if n1 != Some(b'i') {
                    mid.push(b'y');
                }
                i += 1;
            }
            (b'f', Some(b'u')) => {
                mid.extend_from_slice(b"hu");
                i += 2;
            }
            (b'd', Some(b'i')) | (b'd', Some(b'u')) => {
                mid.push(b'z');
                mid.push(n1.unwrap_or(b'u'));
                i += 2;
            }
            (b'w', Some(b'o')) => {
                mid.push(b'o');
                i += 2;
            }
            _ => {
                mid.push(c);
                i += 1;
            }
        }
    }
    let s = mid;
    let b = &s[..];
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    for i in 0..b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        // m before b/p/m is a syllabic n (shimbun = shinbun).
        let c = if c == b'm' && matches!(next, Some(b'b' | b'p' | b'm')) { b'n' } else { c };
        // 'h' lengthening a vowel: Kohtaro, Ohno (oh + consonant or end).
        if c == b'h' && out.last() == Some(&b'o') && next.is_none_or(|n| !is_vowel(n) && n != b'y') {
            continue;
        }
        // Long vowels and doubled consonants collapse: uu → u, ou → o, kk → k, nn → n.
        if let Some(&prev) = out.last() {
            if prev == c && !c.is_ascii_digit() {
                continue;
            }
            if prev == b'o' && c == b'u' {
                continue;
            }
        }
        out.push(c);
    }
    String::from_utf8(out).unwrap_or_default()
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// True if the text is all kana (and the long-vowel mark), so it can be read without a
/// dictionary.
pub fn is_kana(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| ('\u{3041}'..='\u{30FF}').contains(&c) && c != '・' || c == 'ー')
}

/// Whether every word of a Latin name splits into romaji syllables (Hepburn, Kunrei or as
/// typed on a keyboard): vowels, a consonant or a palatal pair before a vowel, `n` alone, a
/// doubled consonant, `m` before `b`, `p` or `m`.
pub fn reads_as_romaji(latin: &str) -> bool {
    let lower = latin.to_ascii_lowercase();
    let mut words = lower.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).peekable();
    words.peek().is_some() && words.all(|w| romaji_word(w.as_bytes()))
}

fn romaji_word(w: &[u8]) -> bool {
    let vowel = |b: u8| b"aeiou".contains(&b);
    let mut i = 0;
    while i < w.len() {
        let (c, next) = (w[i], w.get(i + 1).copied());
        if vowel(c) {
            i += 1;
            continue;
        }
        // A doubled consonant (`kk`, `tch`) or `n`/`m` closing a syllable.
        if next == Some(c) && c != b'n' || c == b't' && next == Some(b'c') {
            i += 1;
            continue;
        }
        if c == b'n' && next.is_none_or(|n| !vowel(n) && n != b'y') {
            i += 1;
            continue;
        }
        if c == b'm' && matches!(next, Some(b'b' | b'p' | b'm')) {
            i += 1;
            continue;
        }
        let onset = match (c, next) {
            (b's' | b'c', Some(b'h')) | (b't', Some(b's')) => 2,
            (b'k' | b'g' | b's' | b'z' | b't' | b'd' | b'n' | b'h' | b'b' | b'p' | b'm' | b'y' | b'r' | b'w' | b'j' | b'f', _) => 1,
            _ => return false,
        };
        let onset = if onset == 1 && w.get(i + 1) == Some(&b'y') && c != b'y' { 2 } else { onset };
        match w.get(i + onset) {
            Some(&v) if vowel(v) => i += onset + 1,
            _ => return false,
        }
    }
    true
}

/// Whether a canonical key ([`canonical`]) could be the reading of some kana, as Japanese text
/// is indexed by: romaji syllables, `v` (of `ヴ`) among the consonants. An English word whose
/// key could not (`high`, `school`) meets no Japanese text by its sound.
pub fn could_be_reading(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase()) && romaji_word(key.replace('v', "b").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_made_of_kana_syllables_could_be_a_reading() {
        for key in ["sekai", "tyusin", "kimutaku", "namida", "anime", "vaiorin", "densya"] {
            assert!(could_be_reading(key), "{key}");
        }
        for key in ["high", "scool", "love", "ending", "cinematografy", "~sekai", ""] {
            assert!(!could_be_reading(key), "{key}");
        }
    }

    #[test]
    fn kana_becomes_hepburn() {
        assert_eq!(kana_to_romaji("セカイノチュウシン"), "sekainochuushin");
        assert_eq!(kana_to_romaji("がっこう"), "gakkou");
        assert_eq!(kana_to_romaji("マッチャ"), "matcha");
        assert_eq!(kana_to_romaji("セカチュー"), "sekachuu");
        assert_eq!(kana_to_romaji("ティーン"), "tiin");
    }

    #[test]
    fn long_vowel_spellings_share_one_key() {
        let k = canonical("chuushin");
        for v in ["chushin", "chuusin", "tyusin", "chuushin"] {
            assert_eq!(canonical(v), k, "{v}");
        }
        let k = canonical("koutaro");
        for v in ["kotaro", "kohtaro", "kootaroo", "koutarou"] {
            assert_eq!(canonical(v), k, "{v}");
        }
    }

    #[test]
    fn kunrei_and_hepburn_share_one_key() {
        for (a, b) in [("si", "shi"), ("ti", "chi"), ("tu", "tsu"), ("hu", "fu"), ("zi", "ji"),
            ("sinbun", "shimbun"), ("wo", "o"), ("nippon", "nipon"), ("syota", "shota")] {
            assert_eq!(canonical(a), canonical(b), "{a} / {b}");
        }
    }

    #[test]
    fn oh_before_a_vowel_is_kept() {
        assert_eq!(canonical("ohayo"), "ohayo");
    }
}
