//! The dramas in memory, and the people derived from their cast lists.
//!
//! People are never ingested: a person is whoever a cast entry names, with the dramas they
//! appear in. Adding, replacing or deleting a drama changes the people it names, so the
//! catalog keeps an inverted map (person → dramas) and can say which people a batch touched
//! without rescanning every drama. It is small (one entry per drama) and rebuilt from the index
//! at start-up.

use crate::record::{person_id, Drama, Person, PersonRole};
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    dramas: HashMap<String, Drama>,
    /// person id → ids of the dramas whose cast names them.
    appearances: HashMap<String, BTreeSet<String>>,
}

impl Catalog {
    pub fn from_dramas(dramas: impl IntoIterator<Item = Drama>) -> Self {
        let mut c = Catalog::default();
        for d in dramas {
            c.upsert(d);
        }
        c
    }

    pub fn get(&self, id: &str) -> Option<&Drama> {
        self.dramas.get(id)
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
        self.dramas.values()
    }

    /// Number of dramas a person appears in.
    pub fn appearances(&self, pid: &str) -> usize {
        self.appearances.get(pid).map_or(0, |s| s.len())
    }

    /// The dramas a person appears in.
    pub fn dramas_of(&self, pid: &str) -> impl Iterator<Item = &str> {
        self.appearances.get(pid).into_iter().flatten().map(String::as_str)
    }

    /// Adds or replaces a drama; returns the ids of the people whose record may change.
    pub fn upsert(&mut self, drama: Drama) -> BTreeSet<String> {
        let mut touched = self.remove(&drama.id.clone());
        for pid in cast_person_ids(&drama) {
            self.appearances.entry(pid.clone()).or_default().insert(drama.id.clone());
            touched.insert(pid);
        }
        self.dramas.insert(drama.id.clone(), drama);
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
                    drama_id: did.clone(),
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
