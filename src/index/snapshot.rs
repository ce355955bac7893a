//! A consistent copy of an index as of one commit, taken while a server serves and ingests.
//!
//! A commit is `meta.json`, which tantivy writes last and atomically, and the segment files it
//! names, which are written (and synced) before it and never change after. So a snapshot reads
//! `meta.json`, hard-links every file of the segments it names into a staging directory inside
//! the index (the same file system, so a link always works and costs no copying), and then
//! moves or copies the staging directory to the destination. No lock is taken and writes never
//! wait: a hard link keeps a file's contents even when the writer deletes the file after a
//! merge. The one race, the writer deleting a file between our reading `meta.json` and linking
//! the file, shows as a missing file; the snapshot then starts again from the newer commit.
//!
//! The destination is written as `DEST.partial` and renamed at the end, so a snapshot that
//! fails leaves nothing that looks like an index.

use super::sync_dir;
use super::IndexError;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What a snapshot copied.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Snapshot {
    /// The directory the snapshot is in.
    pub snapshot: String,
    /// Segments of the commit copied.
    pub segments: usize,
    pub files: usize,
    pub bytes: u64,
    /// Whether the destination holds hard links to the index's files (same file system) rather
    /// than copies.
    pub linked: bool,
    pub took_ms: u64,
}

/// How many times a snapshot starts again when the writer removes a file under it.
const ATTEMPTS: usize = 10;

/// Takes a snapshot of the index in `dir` into `dest`, which must not exist yet.
pub fn take(dir: &Path, dest: &Path) -> Result<Snapshot, IndexError> {
    let started = std::time::Instant::now();
    let err = |message: String| IndexError::Open { dir: dir.display().to_string(), message };
    super::store::require_index(dir)?;
    if dest.exists() {
        return Err(err(format!("the snapshot destination {} exists already; name a new directory", dest.display())));
    }
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let staging = dir.join(format!(".snapshot-{}-{n}", std::process::id()));
    let result = (|| {
        let mut last = String::new();
        for _ in 0..ATTEMPTS {
            let _ = std::fs::remove_dir_all(&staging);
            std::fs::create_dir(&staging)?;
            match link_commit(dir, &staging)? {
                Ok((segments, files, bytes)) => return Ok((segments, files, bytes)),
                Err(missing) => last = missing,
            }
        }
        Err(err(format!("the index kept changing under the snapshot ({last} vanished {ATTEMPTS} times)")))
    })();
    let (segments, files, bytes) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let partial = PathBuf::from(format!("{}.partial", dest.display()));
    let _ = std::fs::remove_dir_all(&partial);
    let linked = match std::fs::rename(&staging, &partial) {
        Ok(()) => true,
        Err(_) => {
            // Another file system: copy the staged links, then drop them.
            let copied = copy_dir(&staging, &partial);
            let _ = std::fs::remove_dir_all(&staging);
            if let Err(e) = copied {
                let _ = std::fs::remove_dir_all(&partial);
                return Err(err(format!("cannot copy the snapshot to {}: {e}", partial.display())));
            }
            false
        }
    };
    sync_dir(&partial)?;
    std::fs::rename(&partial, dest).map_err(|e| err(format!("cannot rename {} to {}: {e}", partial.display(), dest.display())))?;
    if let Some(parent) = dest.parent() {
        let _ = sync_dir(parent);
    }
    Ok(Snapshot { snapshot: dest.display().to_string(), segments, files, bytes, linked, took_ms: started.elapsed().as_millis() as u64 })
}

/// Links the commit's files into `staging`: Ok(Ok((segments, files, bytes))), or Ok(Err(name))
/// when a file named by the commit was removed before it could be linked.
fn link_commit(dir: &Path, staging: &Path) -> Result<Result<(usize, usize, u64), String>, IndexError> {
    let meta_text = std::fs::read_to_string(dir.join("meta.json"))?;
    let meta: serde_json::Value = serde_json::from_str(&meta_text)
        .map_err(|e| IndexError::Open { dir: dir.display().to_string(), message: format!("meta.json: {e}") })?;
    let segments: Vec<String> = meta["segments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["segment_id"].as_str())
        .map(|id| id.replace('-', ""))
        .collect();
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let stem = name.split('.').next().unwrap_or("");
        if segments.iter().any(|s| s == stem) {
            names.push(name);
        }
    }
    // Every segment the commit names must have its files here; none at all means it was
    // merged away and removed since meta.json was read.
    for s in &segments {
        if !names.iter().any(|n| n.starts_with(s.as_str())) {
            return Ok(Err(s.clone()));
        }
    }
    let (mut files, mut bytes) = (0, 0);
    for name in &names {
        match std::fs::hard_link(dir.join(name), staging.join(name)) {
            Ok(()) => {
                files += 1;
                bytes += std::fs::metadata(staging.join(name)).map_or(0, |m| m.len());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Err(name.clone())),
            Err(e) => return Err(e.into()),
        }
    }
    // The commit's meta.json as read, and the format mark, written as new files (never links:
    // the writer replaces meta.json at its next commit).
    std::fs::write(staging.join("meta.json"), &meta_text)?;
    std::fs::copy(dir.join("dorama-format"), staging.join("dorama-format"))?;
    Ok(Ok((segments.len(), files + 2, bytes + meta_text.len() as u64)))
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        std::fs::copy(entry.path(), &target)?;
        std::fs::File::open(&target)?.sync_all()?;
    }
    Ok(())
}
