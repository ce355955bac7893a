//! The answer cache: serialized answers, least recently used first out, bounded by the bytes
//! it holds as well as by its entries. An entry bound alone lets a client that asks for many
//! distinct large pages (`limit=100`, each a different query) grow the cache to thousands of
//! times the size of a small answer; the byte bound is what memory is budgeted by.

use bytes::Bytes;
use lru::LruCache;

/// What an entry costs beyond its answer's bytes: its key, the map's slot, the list links.
const ENTRY_OVERHEAD: usize = 96;

pub struct AnswerCache {
    answers: LruCache<(u64, String), Bytes>,
    bytes: usize,
    max_bytes: usize,
}

impl AnswerCache {
    /// None when either bound is zero (no cache).
    pub fn new(max_entries: usize, max_bytes: usize) -> Option<AnswerCache> {
        let entries = std::num::NonZeroUsize::new(max_entries)?;
        (max_bytes > 0).then(|| AnswerCache { answers: LruCache::new(entries), bytes: 0, max_bytes })
    }

    pub fn get(&mut self, key: &(u64, String)) -> Option<Bytes> {
        self.answers.get(key).cloned()
    }

    /// Keeps `answer` under `key`, dropping the least recently used answers until both bounds
    /// hold. An answer larger than the whole budget is not kept.
    pub fn put(&mut self, key: (u64, String), answer: Bytes) {
        let cost = cost(&key, &answer);
        if cost > self.max_bytes {
            return;
        }
        if let Some((k, old)) = self.answers.push(key, answer) {
            self.bytes -= self::cost(&k, &old);
        }
        self.bytes += cost;
        while self.bytes > self.max_bytes {
            let Some((k, old)) = self.answers.pop_lru() else { break };
            self.bytes -= self::cost(&k, &old);
        }
    }

    /// The bytes held, as counted against the bound.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn len(&self) -> usize {
        self.answers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

fn cost(key: &(u64, String), answer: &Bytes) -> usize {
    key.1.len() + answer.len() + ENTRY_OVERHEAD
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(n: usize) -> Bytes {
        Bytes::from(vec![b'x'; n])
    }

    #[test]
    fn the_cache_holds_no_more_bytes_than_its_bound_however_many_entries_it_may_hold() {
        let mut c = AnswerCache::new(1000, 10_000).unwrap();
        for i in 0..100 {
            c.put((1, format!("q{i}")), answer(1_000));
        }
        assert!(c.bytes() <= 10_000, "{} bytes held", c.bytes());
        assert_eq!(c.len(), 10_000 / ("q99".len() + 1_000 + ENTRY_OVERHEAD), "as many as fit");
        assert!(c.get(&(1, "q99".into())).is_some(), "the newest is kept");
        assert!(c.get(&(1, "q0".into())).is_none(), "the oldest went first");
    }

    #[test]
    fn replacing_an_answer_counts_only_the_new_one_and_an_answer_over_the_budget_is_not_kept() {
        let mut c = AnswerCache::new(10, 10_000).unwrap();
        c.put((1, "q".into()), answer(500));
        c.put((1, "q".into()), answer(700));
        assert_eq!(c.bytes(), 1 + 700 + ENTRY_OVERHEAD);
        c.put((1, "big".into()), answer(20_000));
        assert!(c.get(&(1, "big".into())).is_none());
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn the_entry_bound_still_holds() {
        let mut c = AnswerCache::new(3, 1 << 20).unwrap();
        for i in 0..10 {
            c.put((1, format!("{i}")), answer(10));
        }
        assert_eq!(c.len(), 3);
        assert_eq!(c.bytes(), 3 * (1 + 10 + ENTRY_OVERHEAD));
    }
}
