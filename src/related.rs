//! Related dramas: the dramas most like one, from what the site knows of them, each with the
//! reasons a page can show.
//!
//! Three signals, added up:
//!
//! - **Shared cast**, weighted by billing: an actor billed `i`-th here and `j`-th there adds
//!   `1 / ((1 + i)(1 + j))`, so two leads in common outweigh a crowd of supporting roles.
//! - **The same station and season** (both): [`SAME_SLOT`]. (Records carry no writer, so the
//!   writer is not a signal.)
//! - **Co-ratings**: the fans of this drama (users who rated it [`HIGH`] or more) who also rated
//!   the other one that high, as a cosine, `shared / sqrt(fans here · fans there)`, times
//!   [`CO_RATING`]. Dividing by the other drama's own fans is what keeps the most rated dramas
//!   from topping every list; at least [`MIN_SHARED_FANS`] are needed, so one user's taste is
//!   not a reason.
//!
//! Co-ratings read every user's ratings grouped by user ([`ByUser`]), which the engine builds
//! once per commit generation on the first request that needs it: ratings that arrive count from
//! the next request on, and no request rebuilds what an earlier one of the same generation built.

use crate::catalog::Catalog;
use crate::rank::{Ratings, UserLists};
use crate::record::person_id;
use rustc_hash::FxHashMap;
use serde::Serialize;

/// A rating that makes a fan.
pub const HIGH: u8 = 8;
/// Fans two dramas must share before co-ratings count.
pub const MIN_SHARED_FANS: u32 = 2;
/// Weight of a co-rating cosine (0–1): a cosine of 0.5 weighs as much as a shared lead.
pub const CO_RATING: f64 = 2.0;
/// Weight of the same station and season.
pub const SAME_SLOT: f64 = 0.5;
/// Names listed in a "shared cast" reason.
const NAMES_SHOWN: usize = 3;

/// Every user's counted ratings, grouped by user, and how many fans each drama has.
pub struct ByUser {
    lists: UserLists,
    fans: Vec<u32>,
    ids: Vec<Box<str>>,
}

impl ByUser {
    pub fn build(ratings: &Ratings) -> ByUser {
        let (lists, ids) = ratings.by_user();
        let mut fans = vec![0u32; ids.len()];
        for list in lists.iter() {
            for (d, r) in list {
                if r >= HIGH {
                    fans[d as usize] += 1;
                }
            }
        }
        ByUser { lists, fans, ids }
    }
}

/// One related drama.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Related {
    pub id: String,
    pub title: String,
    pub title_ja: Option<String>,
    pub score: f64,
    pub why: Vec<String>,
}

#[derive(Default)]
struct Reasons {
    cast: f64,
    /// Shared actors with their weight, by their place in this drama's cast.
    actors: Vec<(f64, usize)>,
    /// The same station and season.
    slot: bool,
    co: Option<(f64, f64)>,
}

/// The `limit` dramas most like `id`, best first (ties by id); None if there is no such drama.
pub fn related(catalog: &Catalog, ratings: &Ratings, by_user: &ByUser, id: &str, limit: usize) -> Option<Vec<Related>> {
    let this = catalog.get(id)?;
    let mut reasons: FxHashMap<&str, Reasons> = FxHashMap::default();
    for (i, c) in this.cast.iter().enumerate() {
        let Some(actor) = c.actor.as_deref() else { continue };
        let pid = person_id(actor);
        for (other, j) in catalog.billed_in(&pid).filter(|(o, _)| *o != id) {
            let w = 1.0 / ((1 + i) as f64 * (1 + j) as f64);
            let r = reasons.entry(other).or_default();
            r.cast += w;
            r.actors.push((w, i));
        }
    }
    let slot = this.station.as_deref().zip(this.season.as_deref());
    if let Some((station, season)) = slot {
        for other in catalog.in_slot(station, season).filter(|o| *o != id) {
            reasons.entry(other).or_default().slot = true;
        }
    }
    let fans: Vec<u32> = ratings.raters(id).into_iter().filter(|&(_, r)| r >= HIGH).map(|(u, _)| u).collect();
    if !fans.is_empty() {
        let here = ratings.drama_index(id);
        // Per other drama: fans of this one who rated it, the sum of their ratings, and how
        // many of them rated it high.
        let mut acc: FxHashMap<u32, (u32, u32, u32)> = FxHashMap::default();
        for &u in &fans {
            for (d, r) in by_user.lists.of(u) {
                if Some(d) == here {
                    continue;
                }
                let a = acc.entry(d).or_default();
                a.0 += 1;
                a.1 += r as u32;
                a.2 += u32::from(r >= HIGH);
            }
        }
        for (d, (n, sum, high)) in acc {
            if high < MIN_SHARED_FANS {
                continue;
            }
            let Some(other) = by_user.ids.get(d as usize).map(|s| &**s) else { continue };
            let Some(other) = catalog.get(other) else { continue };
            let cosine = high as f64 / (fans.len() as f64 * by_user.fans[d as usize].max(1) as f64).sqrt();
            reasons.entry(other.id.as_str()).or_default().co = Some((cosine, sum as f64 / n as f64));
        }
    }
    // Scored first, and the words of the reasons written only for the dramas shown: at scale
    // 10 a lead actor is in thousands of dramas, each a candidate.
    let score = |r: &Reasons| r.cast + if r.slot { SAME_SLOT } else { 0.0 } + r.co.map_or(0.0, |(c, _)| CO_RATING * c);
    let mut best: Vec<(f64, &str)> = reasons.iter().map(|(other, r)| (score(r), *other)).collect();
    let order = |a: &(f64, &str), b: &(f64, &str)| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1));
    if best.len() > limit && limit > 0 {
        best.select_nth_unstable_by(limit - 1, order);
    }
    best.truncate(limit);
    best.sort_unstable_by(order);
    let out = best
        .into_iter()
        .filter_map(|(score, other)| {
            let d = catalog.get(other)?;
            let r = reasons.get_mut(other)?;
            let mut why = Vec::new();
            if !r.actors.is_empty() {
                let name = |i: usize| this.cast[i].actor.as_deref().unwrap_or_default();
                r.actors.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| name(a.1).cmp(name(b.1))));
                let names: Vec<&str> = r.actors.iter().take(NAMES_SHOWN).map(|&(_, i)| name(i)).collect();
                why.push(format!("shared cast: {}", names.join(", ")));
            }
            if let (true, Some((station, season))) = (r.slot, slot) {
                why.push(format!("same station and season: {}, {}", station.trim(), season.trim()));
            }
            if let Some((_, mean)) = r.co {
                why.push(format!("fans of this drama rated it {mean:.1}"));
            }
            Some(Related { id: d.id.clone(), title: d.title.clone(), title_ja: d.title_ja.clone(), score, why })
        })
        .collect();
    Some(out)
}

