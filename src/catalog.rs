//! The dramas in memory, and the people derived from their cast lists.
//!
//! People are never ingested: a person is whoever a cast entry names, with the dramas they
//! appear in. Adding, replacing or deleting a drama changes the people it names, so the
//! catalog keeps an inverted map (person → dramas) and can say which people a batch touched
//! without rescanning every drama. It is rebuilt from the index at start-up
//! ([`Catalog::from_dramas`]), 200,000 dramas at scale 10.

use crate::record::{person_id, Drama, Person, PersonRole};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// A batch that changes dramas edits a copy and swaps it in, so the dramas are shared (`Arc`):
/// a copy copies pointers and the people's tables, not 200,000 dramas. A drama's id is one
/// allocation however many people name it.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    dramas: HashMap<Arc<str>, Arc<Drama>>,
    /// person id → the dramas whose cast names them, each with where the person is first
    /// billed in it (0: first of its cast), which related dramas weigh shared cast by.
    appearances: FxHashMap<String, BTreeMap<Arc<str>, u32>>,
    /// (station, season), trimmed and in ASCII lower case → the dramas aired in that slot:
    /// related dramas ask for a drama's slot-mates, which a scan found among all 200,000.
    slots: FxHashMap<(String, String), BTreeSet<Arc<str>>>,
}

/// The key of a drama's slot ([`Catalog::in_slot`]), if it names both.
fn slot_key(station: &str, season: &str) -> (String, String) {
    (station.trim().to_ascii_lowercase(), season.trim().to_ascii_lowercase())
}

fn slot_of(d: &Drama) -> Option<(String, String)> {
    Some(slot_key(d.station.as_deref()?, d.season.as_deref()?))
}

impl Catalog {
    /// The catalog of `dramas` (a later drama replaces an earlier one of the same id).
    ///
    /// Built in bulk rather than by [`Catalog::upsert`] one drama at a time: at scale 10 the
    /// upserts took 3.5 s of a 6 s start, most of it in the people's sets growing one id at a
    /// time and the sets of touched people nobody reads. The cast lists are turned into person
    /// ids on two threads, grouped by person, and each person's set built once from its ids.
    pub fn from_dramas(dramas: Vec<Drama>) -> Self {
        let mut by_id: HashMap<Arc<str>, Arc<Drama>> = HashMap::with_capacity(dramas.len());
        for d in dramas {
            by_id.insert(Arc::from(d.id.as_str()), Arc::new(d));
        }
        let list: Vec<(&Arc<str>, &Arc<Drama>)> = by_id.iter().collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        let people_of = |run: &[(&Arc<str>, &Arc<Drama>)]| -> Vec<Vec<(String, u32)>> {
            run.iter().map(|(_, d)| cast_billing(d)).collect()
        };
        let people: Vec<Vec<(String, u32)>> = if threads == 1 || list.len() < 2_000 {
            people_of(&list)
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = list.chunks(list.len().div_ceil(threads)).map(|run| scope.spawn(move || people_of(run))).collect();
                handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
            })
        };
        let mut grouped: FxHashMap<String, Vec<(u32, u32)>> = FxHashMap::default();
        for (i, pids) in people.into_iter().enumerate() {
            for (pid, billed) in pids {
                grouped.entry(pid).or_default().push((i as u32, billed));
            }
        }
        let appearances = grouped
            .into_iter()
            .map(|(pid, dramas)| (pid, dramas.into_iter().map(|(i, billed)| (Arc::clone(list[i as usize].0), billed)).collect()))
            .collect();
        let mut slots: FxHashMap<(String, String), BTreeSet<Arc<str>>> = FxHashMap::default();
        for (id, d) in &list {
            if let Some(slot) = slot_of(d) {
                slots.entry(slot).or_default().insert(Arc::clone(id));
            }
        }
        Catalog { dramas: by_id, appearances, slots }
    }

    pub fn get(&self, id: &str) -> Option<&Drama> {
        self.dramas.get(id).map(|d| &**d)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.dramas.contains_key(id)
    }

    pub fn len(&self) -> usize {
        self.dramas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dramas.is_empty()
    }

    pub fn dramas(&self) -> impl Iterator<Item = &Drama> {
        self.dramas.values().map(|d| &**d)
    }

    /// The dramas aired on `station` in `season` (each compared trimmed, ignoring ASCII case),
    /// in id order.
    pub fn in_slot(&self, station: &str, season: &str) -> impl Iterator<Item = &str> {
        self.slots.get(&slot_key(station, season)).into_iter().flatten().map(|id| &**id)
    }

    /// Number of dramas a person appears in.
    pub fn appearances(&self, pid: &str) -> usize {
        self.appearances.get(pid).map_or(0, |s| s.len())
    }

    /// The dramas a person appears in.
    pub fn dramas_of(&self, pid: &str) -> impl Iterator<Item = &str> {
        self.appearances.get(pid).into_iter().flat_map(|m| m.keys()).map(|id| &**id)
    }

    /// The dramas a person appears in, each with where they are first billed (0: first).
    pub fn billed_in(&self, pid: &str) -> impl Iterator<Item = (&str, usize)> {
        self.appearances.get(pid).into_iter().flatten().map(|(id, &billed)| (&**id, billed as usize))
    }

    /// Adds or replaces a drama; returns the ids of the people whose record may change.
    pub fn upsert(&mut self, drama: Drama) -> BTreeSet<String> {
        let mut touched = self.remove(&drama.id.clone());
        let id: Arc<str> = Arc::from(drama.id.as_str());
        for (pid, billed) in cast_billing(&drama) {
            self.appearances.entry(pid.clone()).or_default().insert(Arc::clone(&id), billed);
            touched.insert(pid);
        }
        if let Some(slot) = slot_of(&drama) {
            self.slots.entry(slot).or_default().insert(Arc::clone(&id));
        }
        self.dramas.insert(id, Arc::new(drama));
        touched
    }

    /// Removes a drama; returns the ids of the people it named.
    pub fn remove(&mut self, id: &str) -> BTreeSet<String> {
        let mut touched = BTreeSet::new();
        if let Some(old) = self.dramas.remove(id) {
            if let Some(slot) = slot_of(&old) {
                if let Some(set) = self.slots.get_mut(&slot) {
                    set.remove(id);
                    if set.is_empty() {
                        self.slots.remove(&slot);
                    }
                }
            }
            for pid in cast_person_ids(&old) {
                if let Some(set) = self.appearances.get_mut(&pid) {
                    set.remove(id);
                    if set.is_empty() {
                        self.appearances.remove(&pid);
                    }
                }
                touched.insert(pid);
            }
        }
        touched
    }

    /// The person as the current dramas describe them, or None if no drama names them.
    /// The romanized name is the one written most often (ties: first in id order), the
    /// kanji name likewise, so one misspelt cast line does not rename a person.
    pub fn person(&self, pid: &str) -> Option<Person> {
        let ids = self.appearances.get(pid)?.keys();
        let mut names: BTreeMap<String, usize> = BTreeMap::new();
        let mut names_ja: BTreeMap<String, usize> = BTreeMap::new();
        let mut roles = Vec::new();
        let mut aka: Vec<String> = Vec::new();
        for did in ids {
            let Some(d) = self.dramas.get(did) else { continue };
            for c in &d.cast {
                let Some(actor) = c.actor.as_deref() else { continue };
                if person_id(actor) != pid {
                    continue;
                }
                *names.entry(actor.trim().to_string()).or_default() += 1;
                if let Some(ja) = c.actor_ja.as_deref().filter(|s| !s.trim().is_empty()) {
                    *names_ja.entry(ja.trim().to_string()).or_default() += 1;
                }
                for a in &c.actor_aka {
                    if !aka.contains(a) {
                        aka.push(a.clone());
                    }
                }
                roles.push(PersonRole {
                    drama_id: did.to_string(),
                    character: c.character.clone(),
                    character_ja: c.character_ja.clone(),
                });
            }
        }
        let most = |m: BTreeMap<String, usize>| {
            m.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(k, _)| k)
        };
        let name = most(names)?;
        Some(Person { id: pid.to_string(), name, name_ja: most(names_ja), aka, dramas: roles })
    }
}

/// The people a drama's cast names, each with the place of the first entry naming them, in
/// person id order.
fn cast_billing(d: &Drama) -> Vec<(String, u32)> {
    let mut first: BTreeMap<String, u32> = BTreeMap::new();
    for (i, c) in d.cast.iter().enumerate() {
        let Some(pid) = c.actor.as_deref().map(person_id).filter(|p| !p.is_empty()) else { continue };
        first.entry(pid).or_insert(i as u32);
    }
    first.into_iter().collect()
}

/// Ids of the people a drama's cast names (entries without an actor name nobody).
pub fn cast_person_ids(d: &Drama) -> BTreeSet<String> {
    cast_billing(d).into_iter().map(|(pid, _)| pid).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::CastEntry;

    fn drama(id: &str, actors: &[&str]) -> Drama {
        Drama {
            id: id.into(),
            title: id.into(),
            cast: actors
                .iter()
                .map(|a| CastEntry { actor: Some(a.to_string()), ..Default::default() })
                .chain([CastEntry { actor: None, character: Some("Nobody".into()), ..Default::default() }])
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_catalog_built_in_bulk_is_the_catalog_built_one_drama_at_a_time() {
        // Enough dramas for the threaded path, people shared across them (one written with
        // other spacing and case, the same person), and ids given twice: the later one wins.
        let names = ["Yamada Takayuki", "Ayase Haruka", "yamada  takayuki", "Nagasawa Masami", "Moriyama Mirai", "Ōno Satoshi"];
        let mut dramas = Vec::new();
        for i in 0..5_000usize {
            let cast: Vec<&str> = (0..(i % 4)).map(|k| names[(i * 7 + k * 2) % names.len()]).collect();
            let mut d = drama(&format!("d{}", i % 4_499), &cast);
            // Slots written three ways for one station; some dramas name no season.
            d.station = Some(["TBS", " tbs", "Fuji TV"][i % 3].to_string());
            d.season = (i % 5 != 0).then(|| ["Summer 2004", "fall 2019"][i % 2].to_string());
            dramas.push(d);
        }
        let bulk = Catalog::from_dramas(dramas.clone());
        let mut one = Catalog::default();
        for d in dramas {
            one.upsert(d);
        }
        assert_eq!(bulk.len(), 4_499);
        assert_eq!(bulk.len(), one.len());
        for d in one.dramas() {
            assert_eq!(bulk.get(&d.id), Some(d));
        }
        for name in names {
            let pid = person_id(name);
            assert!(one.appearances(&pid) > 0, "{pid}");
            assert_eq!(bulk.appearances(&pid), one.appearances(&pid), "{pid}");
            assert!(bulk.dramas_of(&pid).eq(one.dramas_of(&pid)), "{pid}");
            assert_eq!(bulk.person(&pid), one.person(&pid), "{pid}");
            assert!(bulk.billed_in(&pid).eq(one.billed_in(&pid)), "{pid}");
            for (id, billed) in bulk.billed_in(&pid) {
                let first = bulk.get(id).unwrap().cast.iter().position(|c| c.actor.as_deref().is_some_and(|a| person_id(a) == pid));
                assert_eq!(first, Some(billed), "{pid} in {id}");
            }
        }
        assert_eq!(bulk.appearances.len(), one.appearances.len());
        for (station, season) in [("TBS", "Summer 2004"), ("tbs", "FALL 2019"), ("Fuji TV ", "summer 2004"), ("NHK", "Summer 2004")] {
            let scanned: Vec<&str> = {
                let same = |a: Option<&str>, b: &str| a.is_some_and(|a| a.trim().eq_ignore_ascii_case(b.trim()));
                let mut v: Vec<&str> = one.dramas().filter(|d| same(d.station.as_deref(), station) && same(d.season.as_deref(), season)).map(|d| d.id.as_str()).collect();
                v.sort();
                v
            };
            assert_eq!(bulk.in_slot(station, season).collect::<Vec<_>>(), scanned, "{station} {season}");
            assert_eq!(one.in_slot(station, season).collect::<Vec<_>>(), scanned, "{station} {season}");
            assert_eq!(scanned.is_empty(), station == "NHK");
        }
    }

    #[test]
    fn people_follow_the_dramas_that_name_them() {
        let mut c = Catalog::default();
        c.upsert(drama("a", &["Yamada Takayuki"]));
        c.upsert(drama("b", &["Yamada Takayuki", "Ayase Haruka"]));
        assert_eq!(c.person("yamada-takayuki").unwrap().dramas.len(), 2);
        let touched = c.upsert(drama("b", &["Ayase Haruka"]));
        assert!(touched.contains("yamada-takayuki"));
        assert_eq!(c.person("yamada-takayuki").unwrap().dramas.len(), 1);
        c.remove("a");
        assert!(c.person("yamada-takayuki").is_none());
    }
}
