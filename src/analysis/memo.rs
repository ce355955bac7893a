//! Per-thread memos of what analysis works out for one word: texts are made mostly of words
//! already seen, and a word's terms, its dictionary entry's fields or a verb's dictionary form
//! are the same each time. Each memo is bounded, since indexing meets names and typos without
//! end and a hostile client sends words no one wrote.

use rustc_hash::FxHashMap;
use std::borrow::Borrow;
use std::cell::RefCell;
use std::hash::Hash;

/// `work()`, remembered in `memo` under `key`. A full memo (`bound` entries) is emptied
/// before the next is kept: the words that come back soon come back in. No borrow of `memo`
/// is held while `work` runs, so work may use memos too.
pub fn remembered<K, Q, V>(memo: &RefCell<FxHashMap<K, V>>, key: &Q, bound: usize, work: impl FnOnce() -> V) -> V
where
    K: Borrow<Q> + Hash + Eq,
    Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    V: Clone,
{
    if let Some(v) = memo.borrow().get(key) {
        return v.clone();
    }
    let v = work();
    let mut m = memo.borrow_mut();
    if m.len() >= bound {
        m.clear();
    }
    m.insert(key.to_owned(), v.clone());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_worked_out_once_and_a_full_memo_starts_over() {
        let memo: RefCell<FxHashMap<String, usize>> = Default::default();
        let mut runs = 0;
        let mut get = |k: &str| remembered(&memo, k, 2, || { runs += 1; k.len() });
        assert_eq!((get("ab"), get("ab"), get("abc")), (2, 2, 3));
        assert_eq!(get("abcd"), 4, "a third key empties the memo first");
        assert_eq!(get("ab"), 2);
        drop(get);
        assert_eq!(runs, 4, "ab twice, abc, abcd");
        assert_eq!(memo.borrow().len(), 2);
    }
}
