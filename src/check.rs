//! `dorama-search check`: whether an index can be trusted, problem by problem.
//!
//! Four things are checked, each independent of the server (the index is opened read-only, so
//! a server may keep running on it): the format mark (this build can read it), tantivy's
//! checksum of every file of every segment (a file altered or damaged on disk), that every
//! review, comment, vote and post names a drama that exists, and that the ratings the Top 100
//! is ranked from (the index's rating columns, which the server loads at start) agree with the
//! ratings in the stored records, recounted the way ingest counts them (the last rating of a
//! user for a drama), as does the ratings' file beside the index where it names the commit
//! checked. Each problem is one line that names the file, record or drama.

use crate::index::export;
use crate::index::{IndexError, Store};
use crate::rank::ratings::stored::{self, Opened, Stamp};
use crate::rank::ratings::Bulk;
use crate::rank::Ratings;
use crate::record::{Kind, Record};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

/// What `check` found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckReport {
    pub index: String,
    /// Live documents of the commit checked (records and derived people).
    pub documents: u64,
    pub segments: usize,
    /// One line per problem; empty when the index is sound.
    pub problems: Vec<String>,
}

/// Checks the index in `dir`. Err only when there is no index to check (none, another format):
/// every other finding is a problem in the report.
pub fn check(dir: &Path) -> Result<CheckReport, IndexError> {
    let store = match Store::open_read_only(dir) {
        Ok(store) => store,
        // A file too damaged to open (truncated): reported, with whatever else the checksums
        // find, and nothing more can be read.
        Err(e @ IndexError::Damaged { .. }) => {
            let mut problems = vec![e.to_string()];
            if let Ok(index) = tantivy::Index::open_in_dir(dir) {
                problems.extend(checksum_problems(dir, &index));
            }
            return Ok(CheckReport { index: dir.display().to_string(), documents: 0, segments: 0, problems: unique(problems) });
        }
        Err(e) => return Err(e),
    };
    let mut problems = checksum_problems(dir, store.index());
    // Not damage, but files nothing will use: the writer removes them when it next opens.
    for left in crate::index::snapshot::leftovers(dir) {
        problems.push(format!(
            "{}: left by a snapshot that was killed before it finished; the server removes it when it next starts, or remove it by hand",
            left.display()
        ));
    }
    let searcher = store.searcher();
    // Reading damaged stored documents can fail deep inside tantivy; a panic there is a
    // problem to report, not a crash of the check.
    let ratings_file = (dir.join(crate::index::RATINGS_FILE), Stamp { commit: store.commit_number(), docs: searcher.num_docs() });
    let walked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| records_problems(&searcher, store.fields(), &ratings_file)));
    match walked {
        Ok(Ok(found)) => problems.extend(found),
        Ok(Err(e)) => problems.push(format!("{}: the stored records cannot be read: {e}", dir.display())),
        Err(_) => problems.push(format!("{}: reading the stored records failed on damaged data", dir.display())),
    }
    Ok(CheckReport {
        index: dir.display().to_string(),
        documents: searcher.num_docs(),
        segments: searcher.segment_readers().len(),
        problems: unique(problems),
    })
}

/// A line per segment file whose checksum does not match, sorted.
fn checksum_problems(dir: &Path, index: &tantivy::Index) -> Vec<String> {
    match index.validate_checksum() {
        Ok(damaged) => {
            let mut files: Vec<String> = damaged.iter().map(|p| dir.join(p).display().to_string()).collect();
            files.sort();
            files.into_iter().map(|f| format!("{f}: checksum mismatch: the file was altered or damaged on disk")).collect()
        }
        Err(e) => vec![crate::index::opening(dir, e).to_string()],
    }
}

/// The problems in the order found, each once (a damaged file is met both by its checksum and
/// by opening it).
fn unique(problems: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    problems.into_iter().filter(|p| seen.insert(p.clone())).collect()
}

/// The references and the rating recount, from the stored records.
///
/// The ratings' file beside the index, when it names the commit checked, is what the next
/// start counts from instead of the columns: it is compared with them drama by drama.
fn records_problems(searcher: &tantivy::Searcher, fields: &crate::index::Fields, ratings_file: &(std::path::PathBuf, Stamp)) -> Result<Vec<String>, IndexError> {
    let mut problems = Vec::new();
    let mut dramas: HashSet<String> = HashSet::new();
    export::for_each(searcher, fields, &[Kind::Drama], |_, json| {
        if let Ok(Record::Drama(d)) = Record::from_json(json) {
            dramas.insert(d.id);
        }
        Ok(())
    })?;
    let mut stored = Ratings::new();
    export::for_each(searcher, fields, &export::KINDS, |seq, json| {
        let rec: Record = match serde_json::from_str(json) {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("a stored record (seq {seq}) is not a valid record: {e}"));
                return Ok(());
            }
        };
        if let Some(d) = rec.drama_id() {
            if !dramas.contains(d) {
                problems.push(format!("{} {} refers to drama {d:?}, which does not exist", rec.kind(), rec.id()));
            }
        }
        if let Some(e) = crate::engine::rating_event(&rec, seq) {
            stored.upsert(&e);
        }
        Ok(())
    })?;
    let mut bulk = Bulk::new();
    crate::index::visit_ratings(searcher, &mut bulk)?;
    let columns = bulk.finish();
    let mut ids: Vec<&String> = dramas.iter().collect();
    ids.sort();
    for d in &ids {
        let (a, b) = (columns.agg(d), stored.agg(d));
        if a != b {
            problems.push(format!(
                "drama {d}: the Top 100 counts {} ratings summing {} from the index's rating columns, but its stored records hold {} summing {}",
                a.count, a.sum, b.count, b.sum
            ));
        }
    }
    let (path, stamp) = ratings_file;
    let rebuilt = "the server rebuilds the ratings from the index when it next starts if the file is removed";
    match stored::open(path, *stamp) {
        Ok(Opened::Ratings(saved)) => {
            for d in &ids {
                let (a, b) = ((columns.agg(d), columns.voters(d)), (saved.agg(d), saved.voters(d)));
                if a != b {
                    problems.push(format!(
                        "{}: drama {d} has {} ratings summing {} and {} voters there, but the index's rating columns give {} summing {} and {} voters; {rebuilt}",
                        path.display(), b.0.count, b.0.sum, b.1, a.0.count, a.0.sum, a.1
                    ));
                }
            }
            if saved.records() != columns.records() {
                problems.push(format!("{}: {} rated records, but the index's rating columns hold {}; {rebuilt}", path.display(), saved.records(), columns.records()));
            }
        }
        // Of another commit: no server counts from it, and the next that writes replaces it.
        Ok(Opened::Stale(_)) => {}
        Err(e) => problems.push(format!("{e}: the server rebuilds the ratings from the index when it next starts")),
    }
    Ok(problems)
}
