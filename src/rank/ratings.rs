//! The counted ratings: one per (drama, user), the last ingested winning.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
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

#[derive(Debug, Clone, Copy)]
struct Contribution {
    seq: u64,
    key: u64,
    rating: u8,
}

/// Keys are hashed to 64 bits: at 10 million ratings the chance of any collision is about
/// 3·10⁻⁶, and its effect would be one rating counted under another record's key.
fn hash_key(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

#[derive(Debug, Default, Clone)]
pub struct Ratings {
    drama_ids: HashMap<String, u32>,
    drama_names: Vec<String>,
    users: HashMap<String, u32>,
    /// record key → (drama, user) it rates.
    by_key: HashMap<u64, (u32, u32)>,
    /// (drama, user) → every record rating it; the one with the highest seq counts.
    by_pair: HashMap<(u32, u32), Vec<Contribution>>,
    aggs: Vec<Agg>,
    voters: HashMap<String, u32>,
    votes: HashMap<u64, u32>,
}

impl Ratings {
    pub fn new() -> Self {
        Ratings::default()
    }

    /// Rebuilds from every rating, in any order (seq decides).
    pub fn from_events(events: impl IntoIterator<Item = RatingEvent>) -> Self {
        let mut r = Ratings::new();
        for e in events {
            r.upsert(&e);
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
        i
    }

    fn user_idx(&mut self, user: &str) -> u32 {
        let n = self.users.len() as u32;
        *self.users.entry(user.to_string()).or_insert(n)
    }

    fn current(list: &[Contribution]) -> Option<u8> {
        list.iter().max_by_key(|c| c.seq).map(|c| c.rating)
    }

    fn set_pair(&mut self, pair: (u32, u32), f: impl FnOnce(&mut Vec<Contribution>)) {
        let list = self.by_pair.entry(pair).or_default();
        let before = Self::current(list);
        f(list);
        let after = Self::current(list);
        if list.is_empty() {
            self.by_pair.remove(&pair);
        }
        let agg = &mut self.aggs[pair.0 as usize];
        if let Some(b) = before {
            agg.count -= 1;
            agg.sum -= b as u64;
        }
        if let Some(a) = after {
            agg.count += 1;
            agg.sum += a as u64;
        }
    }

    /// A record carrying a rating was added or replaced. Returns the drama whose aggregate
    /// may have changed (and the drama of the replaced rating, if it moved).
    pub fn upsert(&mut self, e: &RatingEvent) -> Vec<String> {
        let mut touched = self.remove_key(&e.key);
        let key = hash_key(&e.key);
        let pair = (self.drama_idx(&e.drama_id), self.user_idx(&e.user));
        self.by_key.insert(key, pair);
        self.set_pair(pair, |l| l.push(Contribution { seq: e.seq, key, rating: e.rating }));
        touched.push(e.drama_id.clone());
        touched
    }

    /// A record was deleted or replaced by one without a rating.
    pub fn remove_key(&mut self, key: &str) -> Vec<String> {
        let k = hash_key(key);
        let Some(pair) = self.by_key.remove(&k) else { return Vec::new() };
        self.set_pair(pair, |l| l.retain(|c| c.key != k));
        vec![self.drama_names[pair.0 as usize].clone()]
    }

    /// A vote record was added (or replaced: a user votes once per drama).
    pub fn add_vote(&mut self, key: &str, drama_id: &str) {
        let k = hash_key(key);
        if self.votes.contains_key(&k) {
            return;
        }
        let d = self.drama_idx(drama_id);
        self.votes.insert(k, d);
        *self.voters.entry(drama_id.to_string()).or_default() += 1;
    }

    pub fn remove_vote(&mut self, key: &str) {
        if let Some(d) = self.votes.remove(&hash_key(key)) {
            let id = &self.drama_names[d as usize];
            if let Some(n) = self.voters.get_mut(id) {
                *n = n.saturating_sub(1);
            }
        }
    }

    pub fn agg(&self, drama_id: &str) -> Agg {
        self.drama_ids.get(drama_id).map(|&i| self.aggs[i as usize]).unwrap_or_default()
    }

    pub fn voters(&self, drama_id: &str) -> u32 {
        self.voters.get(drama_id).copied().unwrap_or(0)
    }

    /// Number of counted ratings (distinct drama–user pairs).
    pub fn counted(&self) -> usize {
        self.by_pair.len()
    }

    /// Whether a record key currently carries a counted-or-shadowed rating.
    pub fn has_key(&self, key: &str) -> bool {
        self.by_key.contains_key(&hash_key(key))
    }

    /// The aggregates of every drama with at least one counted rating.
    pub fn aggregates(&self) -> impl Iterator<Item = (&str, Agg)> {
        self.drama_names.iter().zip(self.aggs.iter()).filter(|(_, a)| a.count > 0).map(|(n, a)| (n.as_str(), *a))
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
    }
}
