//! Numbers written in kanji, read as the Arabic numbers fans also type: `第三話` and `第3話`
//! are the same episode, `二十話` is `20話`, `二〇〇四年` is `2004年`.
//!
//! This is what Lucene's `JapaneseNumberFilter` does for kuromoji: IPADIC cuts a kanji number
//! into one word per character (`二` `十` `三`), so the characters are first joined back into
//! one number ([`crate::analysis::japanese`] joins the words), then read here. Both ways of
//! writing kanji numbers are read: positional (`二〇〇四`, each character a digit) and
//! multiplicative (`二千四`, `十万二千五百`). A number word is indexed by its value beside its
//! surface, so `3` finds `三` and `三` finds `3`.

/// Whether `c` is a kanji numeral: a digit or a power of ten up to 億 (10⁸).
pub fn is_numeral(c: char) -> bool {
    digit(c).is_some() || power(c).is_some()
}

fn digit(c: char) -> Option<u64> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Small powers (十 百 千) multiply the digit before them; large ones (万 億) the whole group
/// before them.
fn power(c: char) -> Option<(u64, bool)> {
    Some(match c {
        '十' => (10, false),
        '百' => (100, false),
        '千' => (1_000, false),
        '万' => (10_000, true),
        '億' => (100_000_000, true),
        _ => return None,
    })
}

/// The value of a word made only of kanji numerals, as decimal digits; None when the word
/// holds anything else or reads as no number (`万` alone is a word, `万一`, not 10,000·1;
/// a large power must follow a group).
pub fn value(word: &str) -> Option<String> {
    if word.is_empty() || !word.chars().all(is_numeral) {
        return None;
    }
    if !word.chars().any(|c| power(c).is_some()) {
        // Positional: 二〇〇四 is 2004. Leading zeros are kept out, as in `0`-less Arabic.
        let digits: String = word.chars().filter_map(digit).map(|d| char::from(b'0' + d as u8)).collect();
        let trimmed = digits.trim_start_matches('0');
        return Some(if trimmed.is_empty() { "0".into() } else { trimmed.to_string() });
    }
    let (mut total, mut group, mut pending): (u64, u64, Option<u64>) = (0, 0, None);
    for c in word.chars() {
        if let Some(d) = digit(c) {
            if pending.is_some() {
                // Two digits in a row inside a multiplicative number (`二三百`): not a number
                // a fan writes; read no value rather than a wrong one.
                return None;
            }
            pending = Some(d);
        } else if let Some((p, large)) = power(c) {
            if large {
                let g = group + pending.take().unwrap_or(0);
                if g == 0 {
                    return None;
                }
                total = total.checked_add(g.checked_mul(p)?)?;
                group = 0;
            } else {
                group = group.checked_add(pending.take().unwrap_or(1).checked_mul(p)?)?;
            }
        }
    }
    Some((total + group + pending.unwrap_or(0)).to_string())
}

#[cfg(test)]
mod tests {
    use super::value;

    #[test]
    fn kanji_numbers_read_as_arabic_ones() {
        for (kanji, arabic) in [
            ("三", "3"),
            ("十", "10"),
            ("二十", "20"),
            ("二十三", "23"),
            ("百", "100"),
            ("三百五", "305"),
            ("千九百九十九", "1999"),
            ("二〇〇四", "2004"),
            ("〇", "0"),
            ("一万", "10000"),
            ("十万二千五百", "102500"),
            ("三億", "300000000"),
        ] {
            assert_eq!(value(kanji).as_deref(), Some(arabic), "{kanji}");
        }
    }

    #[test]
    fn what_is_not_a_number_reads_as_none() {
        for w in ["", "万", "話", "三話", "二三百", "億万"] {
            assert_eq!(value(w), None, "{w}");
        }
    }
}
