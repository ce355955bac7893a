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
use crate::rank::Ratings;
use crate::record::{person_id, Drama};
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
    lists: Vec<Vec<(u32, u8)>>,
    fans: Vec<u32>,
    ids: Vec<Box<str>>,
}

impl ByUser {
    pub fn build(ratings: &Ratings) -> ByUser {
        let (lists, ids) = ratings.by_user();
        let mut fans = vec![0u32; ids.len()];
        for list in &lists {
            for &(d, r) in list {
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
    /// Shared actors with their weight.
    actors: Vec<(f64, String)>,
    slot: Option<String>,
    co: Option<(f64, f64)>,
}

/// The `limit` dramas most like `id`, best first (ties by id); None if there is no such drama.
pub fn related(catalog: &Catalog, ratings: &Ratings, by_user: &ByUser, id: &str, limit: usize) -> Option<Vec<Related>> {
    let this = catalog.get(id)?;
    let mut reasons: FxHashMap<&str, Reasons> = FxHashMap::default();
    for (i, c) in this.cast.iter().enumerate() {
        let Some(actor) = c.actor.as_deref() else { continue };
        let pid = person_id(actor);
        for other in catalog.dramas_of(&pid).filter(|o| *o != id) {
            let Some(j) = catalog.get(other).and_then(|d| billing(d, &pid)) else { continue };
            let w = 1.0 / ((1 + i) as f64 * (1 + j) as f64);
            let r = reasons.entry(other).or_default();
            r.cast += w;
            r.actors.push((w, actor.to_string()));
        }
    }
    if let (Some(station), Some(season)) = (this.station.as_deref(), this.season.as_deref()) {
        for d in catalog.dramas().filter(|d| d.id != id) {
            let same = |a: Option<&str>, b: &str| a.is_some_and(|a| a.trim().eq_ignore_ascii_case(b.trim()));
            if same(d.station.as_deref(), station) && same(d.season.as_deref(), season) {
                reasons.entry(d.id.as_str()).or_default().slot = Some(format!("same station and season: {}, {}", station.trim(), season.trim()));
            }
        }
    }
    let fans: Vec<u32> = ratings.raters(id).into_iter().filter(|&(_, r)| r >= HIGH).map(|(u, _)| u).collect();
    if !fans.is_empty() {
        let here = ratings.drama_index(id);
        // Per other drama: fans of this one who rated it, the sum of their ratings, and how
        // many of them rated it high.
        let mut acc: FxHashMap<u32, (u32, u32, u32)> = FxHashMap::default();
        for &u in &fans {
            for &(d, r) in by_user.lists.get(u as usize).map(Vec::as_slice).unwrap_or(&[]) {
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
    let mut out: Vec<Related> = reasons
        .into_iter()
        .filter_map(|(other, mut r)| {
            let d = catalog.get(other)?;
            let score = r.cast + if r.slot.is_some() { SAME_SLOT } else { 0.0 } + r.co.map_or(0.0, |(c, _)| CO_RATING * c);
            let mut why = Vec::new();
            if !r.actors.is_empty() {
                r.actors.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
                let names: Vec<&str> = r.actors.iter().take(NAMES_SHOWN).map(|(_, n)| n.as_str()).collect();
                why.push(format!("shared cast: {}", names.join(", ")));
            }
            if let Some(slot) = r.slot.take() {
                why.push(slot);
            }
            if let Some((_, mean)) = r.co {
                why.push(format!("fans of this drama rated it {mean:.1}"));
            }
            Some(Related { id: d.id.clone(), title: d.title.clone(), title_ja: d.title_ja.clone(), score, why })
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    out.truncate(limit);
    Some(out)
}

/// Where a person is billed in a drama's cast (0: first).
fn billing(d: &Drama, pid: &str) -> Option<usize> {
    d.cast.iter().position(|c| c.actor.as_deref().is_some_and(|a| person_id(a) == pid))
}
