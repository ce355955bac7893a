//! A Japanese name given in romaji and in kanji, part by part.
//!
//! Fans call a character by one name, mostly the family name (`千秋` for `Chiaki Shinichi` /
//! `千秋真一`), and IPADIC reads a name alone by the common word it also is (`千秋` alone is
//! `センシュウ`, "a thousand autumns"), so no reading links `chiaki` to `千秋` in a text. The
//! catalogue does, once the two spellings of a whole name are lined up: cut the kanji where one
//! side reads as its romaji word, and the other side is the other word.

use super::japanese::Japanese;
use super::romaji::canonical;
use super::tokenizer::{latin_key, words};

/// The two parts of a name written `Family Given` in romaji and without a space in kanji, each
/// as (romaji, kanji): `Chiaki Shinichi` / `千秋真一` → (`Chiaki`, `千秋`), (`Shinichi`,
/// `真一`). The kanji is cut between two of its words where the reading of one side is that
/// side's romaji word; the other side needs no reading (it is what is left). Empty when the
/// romaji is not two words, the kanji is not one run, or no cut lines up, or two cuts do.
pub fn name_parts(jp: &Japanese, romaji: &str, kanji: &str) -> Vec<(String, String)> {
    let latin: Vec<&str> = romaji.split_whitespace().collect();
    let [family, given] = latin[..] else { return Vec::new() };
    let ws = words(jp, kanji);
    if ws.len() < 2 || !ws.iter().all(|w| w.japanese) || ws.windows(2).any(|p| p[0].end != p[1].start) {
        return Vec::new();
    }
    let key = |s: &str| latin_key(&s.to_lowercase());
    let reads = |part: &[super::tokenizer::Word], word: &str| {
        let r: Option<String> = part.iter().map(|w| w.romaji.clone()).collect();
        r.is_some_and(|r| canonical(&r) == key(word))
    };
    let cuts: Vec<usize> = (1..ws.len()).filter(|&k| reads(&ws[..k], family) || reads(&ws[k..], given)).collect();
    let [k] = cuts[..] else { return Vec::new() };
    let at = ws[k].start;
    let (a, b) = (kanji[ws[0].start..at].trim(), kanji[at..ws[ws.len() - 1].end].trim());
    vec![(family.to_string(), a.to_string()), (given.to_string(), b.to_string())]
}

/// The keys a part of a name is found whole by ([`name_parts`]): its romaji as any name's
/// (`tiaki`), and its kanji as written, not by its reading: `千秋` read alone is `sensyu`,
/// which is also `選手`, and a part is only ever named by the spelling the catalogue gives.
pub fn part_keys(jp: &Japanese, latin: &str, kanji: &str) -> Vec<String> {
    let mut keys = super::suggest::whole_keys(jp, latin, false);
    keys.extend(super::suggest::surface_whole_key(jp, kanji));
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_in_romaji_and_kanji_lines_up_part_by_part() {
        let jp = Japanese::shared().unwrap();
        let parts = name_parts(&jp, "Chiaki Shinichi", "千秋真一");
        assert_eq!(parts, [("Chiaki".to_string(), "千秋".to_string()), ("Shinichi".to_string(), "真一".to_string())]);
        let parts = name_parts(&jp, "Noda Megumi", "野田恵");
        assert_eq!(parts, [("Noda".to_string(), "野田".to_string()), ("Megumi".to_string(), "恵".to_string())]);
        assert!(name_parts(&jp, "Eita", "瑛太").is_empty(), "one word has no parts");
        assert!(name_parts(&jp, "Franz von Stresemann", "フランツ・フォン・シュトレーゼマン").is_empty());
        assert!(name_parts(&jp, "Yamada Taro", "鈴木一郎").is_empty(), "nothing reads as either word");
    }
}
