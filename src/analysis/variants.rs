//! Old and variant kanji forms folded to the modern form, so that `廣瀬` finds `広瀬` and back.
//!
//! Names keep their old forms (`廣瀬亜紀`, `齋藤`, `髙橋`, `渡邊`) while fans type what their
//! input method offers first, the modern one. The table is real variant data, not hand-picked
//! pairs: `kanji_variants.tsv` says where it comes from in its header.

use std::collections::HashMap;
use std::sync::OnceLock;

pub(crate) const TABLE: &str = include_str!("kanji_variants.tsv");

fn table() -> &'static HashMap<char, char> {
    static MAP: OnceLock<HashMap<char, char>> = OnceLock::new();
    MAP.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut it = l.split('\t');
                let old = it.next()?.chars().next()?;
                let new = it.next()?.trim().chars().next()?;
                Some((old, new))
            })
            .collect()
    })
}

/// The modern form of an old or variant kanji, if `c` is one.
pub fn new_form(c: char) -> Option<char> {
    if (c as u32) < 0x3400 {
        return None; // fast path: nothing below the CJK blocks is in the table
    }
    table().get(&c).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_forms_in_real_names_fold_to_new() {
        for (old, new) in [('廣', '広'), ('澤', '沢'), ('邊', '辺'), ('齋', '斎'), ('髙', '高')] {
            assert_eq!(new_form(old), Some(new), "{old}");
        }
        assert_eq!(new_form('広'), None);
    }
}
