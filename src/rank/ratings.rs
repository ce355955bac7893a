//! The counted ratings: one per (drama, user), the last ingested winning.
//!
//! Laid out for ten million ratings: dramas and users are interned to `u32`, record keys are
//! hashed to `u64`, and each (drama, user) pair keeps only its winning rating. The rare pair
//! rated by more than one record (a review and then a comment) also keeps the list of its
//! records, so that deleting the winner falls back to the one before it.

use rustc_hash::{FxHashMap, FxHasher};
use std::borrow::Borrow;
use std::hash::{Hash, Hasher};

/// A rating carried by a record (a review or a rated comment).
#[derive(Debug, Clone, PartialEq)]
pub struct RatingEvent {
    /// `kind:id` of the record carrying it: a later record with the same key replaces it.
    pub key: String,
    pub drama_id: String,
    pub user: String,
    pub rating: u8,
    /// Ingest order.
    pub seq: u64,
}

/// Per-drama aggregate of counted ratings.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Agg {
    pub count: u32,
    pub sum: u64,
}

/// What one record says.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Slot {
    drama: u32,
    user: u32,
    seq: u64,
    rating: u8,
}

/// Keys are hashed to 64 bits: at 10 million ratings the chance of any collision is about
/// 3·10⁻⁶, and its effect would be one rating counted under another record's key.
fn hash_key(s: &str) -> u64 {
    let mut h = FxHasher::default();
    s.hash(&mut h);
    // FxHash alone is weak on similar strings; one round of a 64-bit finalizer spreads it.
    let mut z = h.finish() ^ (s.len() as u64).rotate_left(32);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pair(drama: u32, user: u32) -> u64 {
    (drama as u64) << 32 | user as u64
}

#[derive(Debug, Default, Clone)]
pub struct Ratings {
    drama_ids: FxHashMap<String, u32>,
    drama_names: Vec<String>,
    users: FxHashMap<String, u32>,
    /// record key → what it says.
    by_key: FxHashMap<u64, Slot>,
    /// (drama, user) → the key of the record whose rating counts.
    winner: FxHashMap<u64, u64>,
    /// (drama, user) → every key rating it, only for pairs rated by more than one record.
    shadowed: FxHashMap<u64, Vec<u64>>,
    aggs: Vec<Agg>,
    voters: Vec<u32>,
    votes: FxHashMap<u64, u32>,
}

impl Ratings {
    pub fn new() -> Self {
        Ratings::default()
    }

    /// Rebuilds from every rating, in any order (seq decides).
    pub fn from_events<E: Borrow<RatingEvent>>(events: impl IntoIterator<Item = E>) -> Self {
        let events = events.into_iter();
        let mut r = Ratings::new();
        let (lo, _) = events.size_hint();
        r.by_key.reserve(lo);
        r.winner.reserve(lo);
        for e in events {
            r.upsert(e.borrow());
        }
        r
    }

    fn drama_idx(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.drama_ids.get(id) {
            return i;
        }
        let i = self.drama_names.len() as u32;
        self.drama_ids.insert(id.to_string(), i);
        self.drama_names.push(id.to_string());
        self.aggs.push(Agg::default());
        self.voters.push(0);
        i
    }

    fn user_idx(&mut self, user: &str) -> u32 {
        if let Some(&i) = self.users.get(user) {
            return i;
        }
        let n = self.users.len() as u32;
        self.users.insert(user.to_string(), n);
        n
    }

    fn count(&mut self, s: Slot, sign: i64) {
        let a = &mut self.aggs[s.drama as usize];
        if sign > 0 {
            a.count += 1;
            a.sum += s.rating as u64;
        } else {
            a.count -= 1;
            a.sum -= s.rating as u64;
        }
    }

    /// A record carrying a rating was added or replaced.
    pub fn upsert(&mut self, e: &RatingEvent) {
        let key = hash_key(&e.key);
        self.remove_hashed(key);
        let slot = Slot { drama: self.drama_idx(&e.drama_id), user: self.user_idx(&e.user), seq: e.seq, rating: e.rating };
        let p = pair(slot.drama, slot.user);
        self.by_key.insert(key, slot);
        match self.winner.get(&p).copied() {
            None => {
                self.winner.insert(p, key);
                self.count(slot, 1);
            }
            Some(w) => {
                let current = self.by_key[&w];
                let list = self.shadowed.entry(p).or_insert_with(|| vec![w]);
                list.push(key);
                if slot.seq >= current.seq {
                    self.count(current, -1);
                    self.count(slot, 1);
                    self.winner.insert(p, key);
                }
            }
        }
    }

    /// A record was deleted or replaced by one without a rating. Returns whether it had one.
    pub fn remove_key(&mut self, key: &str) -> bool {
        self.remove_hashed(hash_key(key))
    }

    fn remove_hashed(&mut self, k: u64) -> bool {
        let Some(slot) = self.by_key.remove(&k) else { return false };
        let p = pair(slot.drama, slot.user);
        let was_winner = self.winner.get(&p) == Some(&k);
        let mut next = None;
        if let Some(list) = self.shadowed.get_mut(&p) {
            list.retain(|&x| x != k);
            next = list.iter().copied().max_by_key(|x| self.by_key[x].seq);
            if list.len() < 2 {
                self.shadowed.remove(&p);
            }
        }
        if was_winner {
            self.count(slot, -1);
            match next {
                Some(n) => {
                    let s = self.by_key[&n];
                    self.count(s, 1);
                    self.winner.insert(p, n);
                }
                None => {
                    self.winner.remove(&p);
                }
            }
        }
        true
    }

    /// A vote record was added (or replaced: a user votes once per drama).
    pub fn add_vote(&mut self, key: &str, drama_id: &str) {
        let k = hash_key(key);
        if self.votes.contains_key(&k) {
            return;
        }
        let d = self.drama_idx(drama_id);
        self.votes.insert(k, d);
        self.voters[d as usize] += 1;
    }

    pub fn remove_vote(&mut self, key: &str) {
        if let Some(d) = self.votes.remove(&hash_key(key)) {
            self.voters[d as usize] = self.voters[d as usize].saturating_sub(1);
        }
    }

    pub fn agg(&self, drama_id: &str) -> Agg {
        self.drama_ids.get(drama_id).map(|&i| self.aggs[i as usize]).unwrap_or_default()
    }

    pub fn voters(&self, drama_id: &str) -> u32 {
        self.drama_ids.get(drama_id).map(|&i| self.voters[i as usize]).unwrap_or(0)
    }

    /// Number of counted ratings (distinct drama–user pairs).
    pub fn counted(&self) -> usize {
        self.winner.len()
    }


}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(key: &str, drama: &str, user: &str, rating: u8, seq: u64) -> RatingEvent {
        RatingEvent { key: key.into(), drama_id: drama.into(), user: user.into(), rating, seq }
    }

    #[test]
    fn a_users_later_rating_replaces_the_earlier_one() {
        let mut r = Ratings::new();
        r.upsert(&ev("review:r1", "d", "kim", 6, 1));
        r.upsert(&ev("comment:c1", "d", "kim", 10, 2));
        assert_eq!(r.agg("d"), Agg { count: 1, sum: 10 });
        r.remove_key("comment:c1");
        assert_eq!(r.agg("d"), Agg { count: 1, sum: 6 });
        r.upsert(&ev("review:r1", "d", "kim", 8, 3));
        assert_eq!(r.agg("d"), Agg { count: 1, sum: 8 });
        r.remove_key("review:r1");
        assert_eq!(r.agg("d"), Agg { count: 0, sum: 0 });
        assert_eq!(r.counted(), 0);
    }

    #[test]
    fn an_earlier_rating_arriving_late_does_not_win() {
        let mut r = Ratings::new();
        r.upsert(&ev("comment:c1", "d", "kim", 10, 5));
        r.upsert(&ev("review:r1", "d", "kim", 2, 1));
        assert_eq!(r.agg("d"), Agg { count: 1, sum: 10 });
    }
}
