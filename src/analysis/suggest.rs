//! Type-ahead keys: what a name looks like to someone who has typed only its beginning.
//!
//! A name is indexed under a few *keys*, each the name (or its tail from a word on) with the
//! spaces taken out, and every prefix of every key is a term ([`super::tokenizer::SuggestTokenizer`]).
//! A query becomes keys the same way and each is looked up as one term, so a prefix lookup
//! costs one term lookup, whatever the script:
//!
//! - the surface key: `sekainotyusin…` for romaji (canonical, see [`super::romaji`]),
//!   `世界ノ中心デ…` for Japanese (kana folded to katakana), so `seka` and `世界の` match;
//! - the reading key, for Japanese: the canonical romaji of the readings, so `せかい` and
//!   `sekai` match `世界の中心で…`;
//! - for people, the name in both orders, so `takayuki yam` finds `Yamada Takayuki`.

use super::japanese::Japanese;
use super::romaji::canonical;
use super::tokenizer::{words, Word, MAX_PREFIX_CHARS};

/// Word starts beyond this one do not get keys of their own (long titles stay cheap).
pub(crate) const MAX_KEY_STARTS: usize = 8;

fn surface_key(ws: &[Word]) -> String {
    let s: String = ws.iter().map(|w| w.surface.as_str()).collect();
    if s.is_ascii() {
        canonical(&s)
    } else {
        s
    }
}

fn reading_key(ws: &[Word]) -> Option<String> {
    if !ws.iter().any(|w| w.japanese) {
        return None;
    }
    let mut s = String::new();
    for w in ws {
        match (&w.romaji, w.japanese) {
            (Some(r), _) => s.push_str(r),
            (None, false) if w.surface.is_ascii() => s.push_str(&w.surface),
            _ => return None,
        }
    }
    Some(canonical(&s))
}

fn truncate(mut s: String) -> String {
    if let Some((i, _)) = s.char_indices().nth(MAX_PREFIX_CHARS) {
        s.truncate(i);
    }
    s
}

/// Keys under which a name is found by type-ahead. `either_order` adds the words in reverse
/// order (people's names, which fans type given-name first or family-name first).
pub fn index_keys(jp: &Japanese, name: &str, either_order: bool) -> Vec<String> {
    name_keys(jp, name, MAX_KEY_STARTS, either_order)
}

/// The keys of a whole name (from its first word, not every start), in one or both word
/// orders: what a query must equal to cover the name exactly. Cut at the type-ahead key length
/// like every key, so that a query's own keys compare with them as they are.
pub fn whole_keys(jp: &Japanese, name: &str, either_order: bool) -> Vec<String> {
    name_keys(jp, name, 1, either_order)
}

/// The whole key of a name as written (no reading key): [`whole_keys`] without the sound.
pub fn surface_whole_key(jp: &Japanese, name: &str) -> Option<String> {
    let ws = words(jp, name);
    Some(surface_key(&ws)).filter(|k| !k.is_empty()).map(truncate)
}

/// A name's keys from each of its first `starts` words, and the whole name reversed.
fn name_keys(jp: &Japanese, name: &str, starts: usize, either_order: bool) -> Vec<String> {
    let ws = words(jp, name);
    let mut keys = Vec::new();
    for i in 0..ws.len().min(starts) {
        keys.push(surface_key(&ws[i..]));
        keys.extend(reading_key(&ws[i..]));
    }
    if either_order && ws.len() > 1 {
        let rev: Vec<Word> = ws.iter().rev().cloned().collect();
        keys.push(surface_key(&rev));
        keys.extend(reading_key(&rev));
    }
    let mut keys: Vec<String> = keys.into_iter().filter(|k| !k.is_empty()).map(truncate).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Keys to look up for what the user has typed so far.
pub fn query_keys(jp: &Japanese, typed: &str) -> Vec<String> {
    query_keys_of(&words(jp, typed))
}

/// [`query_keys`] of words already cut.
pub fn query_keys_of(ws: &[Word]) -> Vec<String> {
    if ws.is_empty() {
        return Vec::new();
    }
    let mut keys = vec![surface_key(ws)];
    keys.extend(reading_key(ws));
    let mut keys: Vec<String> = keys.into_iter().filter(|k| !k.is_empty()).map(truncate).collect();
    keys.dedup();
    keys
}

/// Type-ahead keys of the whole query, when it is short enough to be (the start of) a name
/// and long enough not to match half the catalogue; and, for a query wholly in kana, its
/// loanword key ([`super::loanword`]), which finds an English title typed the way
/// it is said in Japanese.
pub fn whole_name_keys(cut: &[Word]) -> Vec<String> {
    let mut keys: Vec<String> = query_keys_of(cut)
        .into_iter()
        .filter(|k| k.chars().count() >= if k.is_ascii() { 4 } else { 2 })
        .collect();
    keys.extend(super::loanword::query_key(cut));
    keys
}
