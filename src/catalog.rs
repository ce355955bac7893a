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

/// Cheap to clone: a batch that changes dramas edits a copy and swaps it in, so the dramas are
/// shared (`Arc`), and a drama's id is one allocation however many people name it.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    dramas: HashMap<Arc<str>, Arc<Drama>>,
    /// person id → ids of the dramas whose cast names them.
    appearances: FxHashMap<String, BTreeSet<Arc<str>>>,
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
        let people_of = |run: &[(&Arc<str>, &Arc<Drama>)]| -> Vec<BTreeSet<String>> {
            run.iter().map(|(_, d)| cast_person_ids(d)).collect()
        };
        let people: Vec<BTreeSet<String>> = if threads == 1 || list.len() < 2_000 {
            people_of(&list)
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = list.chunks(list.len().div_ceil(threads)).map(|run| scope.spawn(move || people_of(run))).collect();
                handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
            })
        };
        let mut grouped: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        for (i, pids) in people.into_iter().enumerate() {
            for pid in pids {
                grouped.entry(pid).or_default().push(i as u32);
            }
        }
        let appearances = grouped
            .into_iter()
            .map(|(pid, dramas)| (pid, dramas.into_iter().map(|i| Arc::clone(list[i as usize].0)).collect()))
            .collect();
        Catalog { dramas: by_id, appearances }
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

    /// Number of dramas a person appears in.
    pub fn appearances(&self, pid: &str) -> usize {
        self.appearances.get(pid).map_or(0, |s| s.len())
    }

    /// The dramas a person appears in.
    pub fn dramas_of(&self, pid: &str) -> impl Iterator<Item = &str> {
        self.appearances.get(pid).into_iter().flatten().map(|id| &**id)
    }

    /// Adds or replaces a drama; returns the ids of the people whose record may change.
    pub fn upsert(&mut self, drama: Drama) -> BTreeSet<String> {
        let mut touched = self.remove(&drama.id.clone());
        let id: Arc<str> = Arc::from(drama.id.as_str());
        for pid in cast_person_ids(&drama) {
            self.appearances.entry(pid.clone()).or_default().insert(Arc::clone(&id));
            touched.insert(pid);
        }
        self.dramas.insert(id, Arc::new(drama));
        touched
    }

    /// Removes a drama; returns the ids of the people it named.
    pub fn remove(&mut self, id: &str) -> BTreeSet<String> {
        let mut touched = BTreeSet::new();
        if let Some(old) = self.dramas.remove(id) {
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
        let ids = self.appearances.get(pid)?;
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

/// Ids of the people a drama's cast names (entries without an actor name nobody).
pub fn cast_person_ids(d: &Drama) -> BTreeSet<String> {
    d.cast
        .iter()
        .filter_map(|c| c.actor.as_deref())
        .map(person_id)
        .filter(|p| !p.is_empty())
        .collect()
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
            let cast: Vec<&str> = (0..(i % 4)).map(|k| names[(i * 7 + k * 3) % names.len()]).collect();
            dramas.push(drama(&format!("d{}", i % 4_499), &cast));
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
        }
        assert_eq!(bulk.appearances.len(), one.appearances.len());
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
