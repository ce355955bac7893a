//! A consistent copy of an index as of one commit, taken while a server serves and ingests.
//!
//! A commit is `meta.json`, which tantivy writes last and atomically, and the segment files it
//! names, which are written (and synced) before it and never change after. So a snapshot reads
//! `meta.json`, hard-links exactly the files it names (each segment's six components, and its
//! deletes file `ID.OPSTAMP.del` when the commit records deletes) into a staging directory
//! inside the index (the same file system, so a link always works and costs no copying), and
//! then moves or copies the staging directory to the destination. No lock is taken and writes
//! never wait: a hard link keeps a file's contents even when the writer deletes the file after a
//! merge. The one race, the writer deleting a file between our reading `meta.json` and linking
//! it (a merge, or the next commit's new deletes file replacing the old one), shows as a
//! missing file; the snapshot then starts again from the newer commit. Linking what the
//! directory holds instead of what the commit names would take the newer deletes file and
//! miss the older one, and the snapshot would not open. The ratings' file
//! ([`super::RATINGS_FILE`]) is linked too, whatever commit it names: a server on the snapshot
//! uses it only if it names the snapshot's commit.
//!
//! The destination is written as `DEST.partial` and renamed at the end, so a snapshot that
//! fails leaves nothing that looks like an index; a `DEST.partial` that exists already is
//! someone else's (another snapshot running, or one killed) and is refused, never removed.
//! A snapshot killed before its end leaves its staging directory in the index
//! (`.snapshot-PID-N`): [`leftovers`] names those of processes no longer running, `check`
//! reports them, and the writer removes them when it opens the index.

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

/// The prefix of a snapshot's staging directory inside the index.
const STAGING: &str = ".snapshot-";

/// The components every segment of a commit has (tantivy's `SegmentComponent`s but the
/// deletes, which only a segment with deletes has, and the temporary store of a segment being
/// written).
const COMPONENTS: [&str; 6] = ["idx", "pos", "term", "store", "fast", "fieldnorm"];

/// Takes a snapshot of the index in `dir` into `dest`, which must not exist yet.
pub fn take(dir: &Path, dest: &Path) -> Result<Snapshot, IndexError> {
    take_with(dir, dest, &mut || {})
}

/// [`take`], calling `after_meta` after each reading of `meta.json` and before linking the
/// files it names: where `tests/snapshot.rs` commits, to make the race with the writer's
/// garbage collection happen every time rather than by luck.
#[doc(hidden)]
pub fn take_with(dir: &Path, dest: &Path, after_meta: &mut dyn FnMut()) -> Result<Snapshot, IndexError> {
    let started = std::time::Instant::now();
    let err = |message: String| IndexError::Open { dir: dir.display().to_string(), message };
    super::store::require_index(dir)?;
    if dest.exists() {
        return Err(err(format!("the snapshot destination {} exists already; name a new directory", dest.display())));
    }
    if inside(dest, dir) {
        return Err(err(format!("the snapshot destination {} is inside the index; name a directory outside it", dest.display())));
    }
    let partial = PathBuf::from(format!("{}.partial", dest.display()));
    if partial.exists() {
        return Err(err(format!(
            "{} exists: another snapshot to this name is running, or one was killed; remove it if none is running, or name another destination",
            partial.display()
        )));
    }
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let staging = dir.join(format!("{STAGING}{}-{n}", std::process::id()));
    let result = (|| {
        let mut last = String::new();
        for _ in 0..ATTEMPTS {
            let _ = std::fs::remove_dir_all(&staging);
            std::fs::create_dir(&staging)?;
            match link_commit(dir, &staging, after_meta)? {
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
    // `create_dir` claims the name: it fails if another snapshot took it since the check above,
    // and from here on `partial` is ours to remove on failure.
    if let Err(e) = std::fs::create_dir(&partial) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(err(format!("cannot create {}: {e}", partial.display())));
    }
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

/// Whether `path` is `dir` or under it, as far as the file system can tell (a path that does
/// not exist yet is judged by its nearest existing parent).
pub fn inside(path: &Path, dir: &Path) -> bool {
    let Ok(dir) = dir.canonicalize() else { return false };
    // `..` and `.` taken lexically first, then the longest part that exists resolved (links).
    let absolute = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    let mut lexical = PathBuf::new();
    for c in absolute.components() {
        match c {
            std::path::Component::ParentDir => {
                lexical.pop();
            }
            std::path::Component::CurDir => {}
            other => lexical.push(other),
        }
    }
    let mut existing = lexical.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return false,
        }
    }
    let Ok(mut real) = existing.canonicalize() else { return false };
    real.extend(rest.into_iter().rev());
    real.starts_with(&dir)
}

/// The files a commit's `meta.json` names, segment by segment.
pub fn commit_files(meta: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    meta["segments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            let id = s["segment_id"].as_str()?.replace('-', "");
            let mut files: Vec<String> = COMPONENTS.iter().map(|c| format!("{id}.{c}")).collect();
            if let Some(opstamp) = s["deletes"]["opstamp"].as_u64() {
                files.push(format!("{id}.{opstamp}.del"));
            }
            Some((id, files))
        })
        .collect()
}

/// Links the commit's files into `staging`: Ok(Ok((segments, files, bytes))), or Ok(Err(name))
/// when a file named by the commit was removed before it could be linked.
fn link_commit(dir: &Path, staging: &Path, after_meta: &mut dyn FnMut()) -> Result<Result<(usize, usize, u64), String>, IndexError> {
    let meta_text = std::fs::read_to_string(dir.join("meta.json"))?;
    let meta: serde_json::Value = serde_json::from_str(&meta_text)
        .map_err(|e| IndexError::Open { dir: dir.display().to_string(), message: format!("meta.json: {e}") })?;
    let segments = commit_files(&meta);
    after_meta();
    let (mut files, mut bytes) = (0, 0);
    for name in segments.iter().flat_map(|(_, files)| files) {
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
    // The ratings' file, whatever commit it names: a server on the snapshot opens it only if
    // it names the snapshot's commit, and rebuilds the ratings otherwise. A link is safe: the
    // file is only ever replaced by a rename, never written in place.
    let ratings = match std::fs::hard_link(dir.join(super::RATINGS_FILE), staging.join(super::RATINGS_FILE)) {
        Ok(()) => std::fs::metadata(staging.join(super::RATINGS_FILE)).map_or(0, |m| m.len()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => return Err(e.into()),
    };
    let with_ratings = usize::from(ratings > 0);
    Ok(Ok((segments.len(), files + 2 + with_ratings, bytes + meta_text.len() as u64 + ratings)))
}

/// Staging directories in the index left by snapshots whose process is no longer running
/// (killed before it could clean up).
pub fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(pid) = name.strip_prefix(STAGING).and_then(|rest| rest.split('-').next()).and_then(|p| p.parse::<u32>().ok()) else {
                return false;
            };
            !running(pid)
        })
        .map(|e| e.path())
        .collect()
}

/// Removes [`leftovers`]; returns how many.
pub fn remove_leftovers(dir: &Path) -> usize {
    let found = leftovers(dir);
    for d in &found {
        match std::fs::remove_dir_all(d) {
            Ok(()) => tracing::info!(dir = %d.display(), "removed what a killed snapshot left in the index"),
            Err(e) => tracing::warn!(dir = %d.display(), error = %e, "cannot remove what a killed snapshot left in the index"),
        }
    }
    found.len()
}

/// Whether a process with this id runs (ours always does).
fn running(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        // Signal 0 checks for existence; EPERM means it exists under another user.
        let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        true
    }
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
