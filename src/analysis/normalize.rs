//! Character-level folding shared by every field and by queries: what makes `ＨＥＲＯ`, `Hero`
//! and `hero`, or `ｾｶﾁｭｰ` and `セカチュー`, or `Kōtarō` and `Kotaro`, the same characters.
//!
//! The folded text keeps, for each of its characters, the byte range of the original character
//! it came from, so that tokens found in folded text can be highlighted in the original
//! (snippets show what the page says, not what we folded it to).

use unicode_normalization::char::decompose_canonical;
use unicode_normalization::UnicodeNormalization;

/// Folded text plus, for every byte of it, the original byte range it stands for.
#[derive(Debug, Default)]
pub struct Folded {
    pub text: String,
    /// `origin[i]` = (start, end) in the original for the folded byte `i`; one extra entry at
    /// the end maps the end of the folded text to the end of the original.
    origin: Vec<(usize, usize)>,
}

impl Folded {
    /// Original byte range of the folded byte range `start..end`.
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.origin.get(start).map(|r| r.0).unwrap_or(0);
        let e = if end == 0 { s } else { self.origin.get(end - 1).map(|r| r.1).unwrap_or(s) };
        (s, e.max(s))
    }

    fn push(&mut self, c: char, range: (usize, usize)) {
        let before = self.text.len();
        self.text.push(c);
        for _ in before..self.text.len() {
            self.origin.push(range);
        }
    }
}

/// Half-width katakana voicing marks combine with the preceding kana (ｶﾞ → ガ).
fn is_halfwidth_voicing(c: char) -> bool {
    c == '\u{FF9E}' || c == '\u{FF9F}'
}

/// Folds one text: NFKC per character (full-width Latin and digits to ASCII, half-width kana
/// to full-width, compatibility ideographs to their unified forms), Latin diacritics dropped
/// (`ō` → `o`, `û` → `u`), lower case, and old kanji forms to new ones ([`super::variants`]).
/// Hiragana stays hiragana here: the morphological analyzer needs it to find particles;
/// [`to_katakana`] folds kana per token afterwards. Control and bidi-control
/// characters become spaces, so they separate words instead of hiding inside them.
pub fn fold(input: &str) -> Folded {
    let mut out = Folded { text: String::with_capacity(input.len()), origin: Vec::with_capacity(input.len() + 1) };
    let mut chars = input.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        // Fast path: ASCII needs only lower-casing (and control characters become spaces).
        if c.is_ascii() {
            let f = if c.is_ascii_control() { ' ' } else { c.to_ascii_lowercase() };
            out.push(f, (start, start + 1));
            continue;
        }
        let mut end = start + c.len_utf8();
        let mut voicing = None;
        if ('\u{FF61}'..='\u{FF9F}').contains(&c) {
            if let Some(&(i, next)) = chars.peek() {
                if is_halfwidth_voicing(next) {
                    voicing = Some(next);
                    end = i + next.len_utf8();
                    chars.next();
                }
            }
        }
        if c.is_control() || is_bidi_control(c) || c == '\u{FFFD}' {
            out.push(' ', (start, end));
            continue;
        }
        // Loanwords are spelled with ヴ or without it (ヴァイオレット, バイオレット; ヴィンランド,
        // ビンランド), by fans and by publishers alike: ヴ with a small vowel folds to the
        // b-row kana of that vowel, and ヴ alone to ブ (the same in hiragana).
        if let Some(plain) = v_row(c, chars.peek().map(|&(_, n)| n)) {
            if plain.1 {
                let (i, n) = chars.next().expect("peeked");
                end = i + n.len_utf8();
            }
            out.push(plain.0, (start, end));
            continue;
        }
        // The iteration mark repeats the kanji before it: 佐々木 is 佐佐木.
        if c == '々' {
            if let Some(prev) = out.text.chars().last().filter(|p| ('\u{4E00}'..='\u{9FFF}').contains(p)) {
                out.push(prev, (start, end));
                continue;
            }
        }
        // Kana, kanji and most other characters are their own NFKC form; only the
        // compatibility blocks need the normalizer.
        if is_nfkc_stable(c) && voicing.is_none() {
            fold_char(c, &mut out, (start, end));
            continue;
        }
        let mut buf = [0u8; 8];
        let unit: &str = match voicing {
            None => c.encode_utf8(&mut buf),
            Some(v) => {
                let n = c.len_utf8();
                c.encode_utf8(&mut buf[..n]);
                v.encode_utf8(&mut buf[n..]);
                std::str::from_utf8(&buf[..n + v.len_utf8()]).unwrap_or("")
            }
        };
        for n in unit.nfkc() {
            fold_char(n, &mut out, (start, end));
        }
    }
    out.origin.push((input.len(), input.len()));
    out
}

/// What `ヴ` (or `ゔ`) followed by `next` folds to, and whether `next` is folded into it.
fn v_row(c: char, next: Option<char>) -> Option<(char, bool)> {
    let hiragana = match c {
        'ヴ' => false,
        'ゔ' => true,
        _ => return None,
    };
    let (kata, small) = match next {
        Some('ァ' | 'ぁ') => ('バ', true),
        Some('ィ' | 'ぃ') => ('ビ', true),
        Some('ェ' | 'ぇ') => ('ベ', true),
        Some('ォ' | 'ぉ') => ('ボ', true),
        _ => ('ブ', false),
    };
    let folded = if hiragana { char::from_u32(kata as u32 - 0x60).unwrap_or(kata) } else { kata };
    Some((folded, small))
}

/// Characters NFKC leaves as they are, checked cheaply: hiragana, katakana (not half-width),
/// CJK ideographs (not the compatibility block).
fn is_nfkc_stable(c: char) -> bool {
    matches!(c as u32, 0x3041..=0x3096 | 0x30A1..=0x30FA | 0x30FC | 0x4E00..=0x9FFF | 0x3400..=0x4DBF)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

fn fold_char(c: char, out: &mut Folded, range: (usize, usize)) {
    // Latin letters with diacritics: keep the base letter only.
    if ('\u{00C0}'..='\u{024F}').contains(&c) || ('\u{1E00}'..='\u{1EFF}').contains(&c) {
        let mut base = None;
        decompose_canonical(c, |d| {
            if base.is_none() {
                base = Some(d);
            }
        });
        let b = base.unwrap_or(c);
        for l in b.to_lowercase() {
            out.push(l, range);
        }
        return;
    }
    if ('\u{0300}'..='\u{036F}').contains(&c) {
        return; // a stray combining mark after a Latin letter
    }
    if let Some(new) = super::variants::new_form(c) {
        out.push(new, range);
        return;
    }
    if c.is_uppercase() {
        for l in c.to_lowercase() {
            out.push(l, range);
        }
        return;
    }
    out.push(c, range);
}

/// Hiragana → katakana (the blocks are parallel, 0x60 apart), so that `せかい` and `セカイ`
/// are one term.
pub fn to_katakana(s: &str) -> String {
    s.chars()
        .map(|c| {
            if ('\u{3041}'..='\u{3096}').contains(&c) || ('\u{309D}'..='\u{309E}').contains(&c) {
                char::from_u32(c as u32 + 0x60).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// Whether `s` holds a kanji (CJK ideograph).
pub fn has_kanji(s: &str) -> bool {
    s.chars().any(|c| matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF))
}

/// Folds text with no need for offsets (queries, suggestion keys).
pub fn fold_str(s: &str) -> String {
    fold(s).text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_latin_folds_to_ascii() {
        assert_eq!(fold_str("ＨＥＲＯ ２００１"), "hero 2001");
    }

    #[test]
    fn half_width_katakana_folds_with_voicing() {
        assert_eq!(fold_str("ｾｶﾁｭｰ ｶﾞ"), "セカチュー ガ");
    }

    #[test]
    fn macrons_and_circumflexes_fold() {
        assert_eq!(fold_str("Kōtarō Chûshin"), "kotaro chushin");
    }

    #[test]
    fn hiragana_folds_to_katakana() {
        assert_eq!(to_katakana("せかいのちゅうしん"), "セカイノチュウシン");
        assert_eq!(to_katakana("廣瀬ゞ"), "廣瀬ヾ");
    }

    #[test]
    fn loanwords_fold_with_or_without_vu() {
        assert_eq!(fold_str("ヴァイオレット・エヴァーガーデン"), fold_str("バイオレット・エバーガーデン"));
        assert_eq!(fold_str("ヴィンランド"), "ビンランド");
        assert_eq!(fold_str("ヴ"), "ブ");
        assert_eq!(fold_str("ゔぁいおれっと"), "ばいおれっと");
        let f = fold("aヴァb");
        assert_eq!(f.text, "aバb");
        assert_eq!(f.original_range(1, 1 + 'バ'.len_utf8()), (1, 1 + 2 * 'ヴ'.len_utf8()));
    }

    #[test]
    fn the_iteration_mark_repeats_the_kanji_before_it() {
        assert_eq!(fold_str("佐々木"), "佐佐木");
        assert_eq!(fold_str("々"), "々");
    }

    #[test]
    fn offsets_point_into_the_original() {
        let f = fold("ＡＢ c");
        assert_eq!(f.text, "ab c");
        assert_eq!(f.original_range(0, 2), (0, 6));
        assert_eq!(f.original_range(3, 4), (7, 8));
    }
}
