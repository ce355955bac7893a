//! A replica's directory made a copy of the writer's commit, without ever exposing half of it.
//!
//! Files are fetched into `.replica-parts/` and appended to as they arrive, so a fetch cut off
//! (a lost connection, the replica killed) resumes where it stopped with an HTTP range request.
//! A file moves under its own name only once its length and CRC-32 match the manifest, so any
//! file there is whole. `meta.json` is written last, by rename: until then the replica's
//! commit is the one it had, whose files are all still there; a crash anywhere leaves either
//! commit whole. What the writer merged away is deleted only after the replica has moved past
//! it ([`Mirror::clean`]); a search still running on the older commit keeps its files' memory
//! maps, which the kernel keeps readable until they are unmapped.

use super::client::{FetchError, Writer};
use crate::api::{Manifest, ManifestFile};
use crate::index::generation::is_segment_file;
use http_body_util::BodyExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

/// Where partly fetched files wait, inside the index directory (so the final rename never
/// crosses file systems).
pub const PARTS_DIR: &str = ".replica-parts";

pub struct Mirror {
    dir: PathBuf,
    /// Fetch no faster than this (bytes a second), so a new replica copying a large index does
    /// not take the writer's disk and network from its searches.
    max_rate: Option<u64>,
    /// Bytes fetched since start.
    pub fetched: AtomicU64,
}

impl Mirror {
    pub fn new(dir: &Path, max_rate: Option<u64>) -> Mirror {
        Mirror { dir: dir.to_path_buf(), max_rate, fetched: AtomicU64::new(0) }
    }

    /// Makes the directory hold the manifest's commit: fetches the files it lacks, then writes
    /// `meta.json`. Returns whether `meta.json` changed.
    pub async fn copy(&self, writer: &Writer, m: &Manifest) -> Result<bool, FetchError> {
        if m.format != crate::index::format_mark() {
            return Err(FetchError::Invalid(format!(
                "the writer at {} writes index format \"{}\", this build \"{}\": run the same version on both",
                writer.url(),
                m.format,
                crate::index::format_mark()
            )));
        }
        for f in &m.files {
            if !is_segment_file(&f.name) {
                return Err(FetchError::Invalid(format!("the writer's manifest names {:?}, not a segment file", f.name)));
            }
        }
        tokio::fs::create_dir_all(self.dir.join(PARTS_DIR)).await?;
        for f in &m.files {
            let have = tokio::fs::metadata(self.dir.join(&f.name)).await.map(|m| m.len()).ok();
            if have != Some(f.len) {
                self.fetch(writer, f).await?;
            }
        }
        let dir = self.dir.clone();
        let meta = m.meta.clone().into_bytes();
        tokio::task::spawn_blocking(move || -> std::io::Result<bool> {
            crate::index::sync_dir(&dir)?;
            if !dir.join("dorama-format").exists() {
                crate::index::write_format(&dir)?;
            }
            if std::fs::read(dir.join("meta.json")).ok().as_deref() == Some(&meta[..]) {
                return Ok(false);
            }
            crate::index::replace_file(&dir, "meta.json", &meta)?;
            Ok(true)
        })
        .await
        .map_err(|e| FetchError::Invalid(e.to_string()))?
        .map_err(FetchError::Io)
    }

    /// Fetches one file into its part, resuming what is there, and moves it under its name once
    /// its length and checksum match.
    async fn fetch(&self, writer: &Writer, f: &ManifestFile) -> Result<(), FetchError> {
        let part = self.dir.join(PARTS_DIR).join(&f.name);
        // What a cut-off fetch left: its checksum so far, which the rest continues.
        let summed = part.clone();
        let (mut have, mut hasher) = match tokio::task::spawn_blocking(move || super::manifest::checksum(&summed)).await {
            Ok(Ok((len, crc))) => (len, crc32fast::Hasher::new_with_initial_len(crc, len)),
            _ => (0, crc32fast::Hasher::new()),
        };
        if have > f.len {
            tokio::fs::remove_file(&part).await?;
            (hasher, have) = (crc32fast::Hasher::new(), 0);
        }
        if have < f.len {
            let res = writer.file(&f.name, have).await?;
            let resumed = res.status() == hyper::StatusCode::PARTIAL_CONTENT;
            if !resumed && have > 0 {
                (hasher, have) = (crc32fast::Hasher::new(), 0);
            }
            let mut out = tokio::fs::OpenOptions::new().create(true).append(resumed).write(true).truncate(!resumed).open(&part).await?;
            let mut body = res.into_body();
            let started = Instant::now();
            let mut this_run = 0u64;
            while let Some(frame) = tokio::time::timeout(Duration::from_secs(30), body.frame())
                .await
                .map_err(|_| FetchError::Unreachable { url: writer.url().into(), message: format!("{} stopped arriving", f.name) })?
            {
                let frame = frame.map_err(|e| FetchError::Unreachable { url: writer.url().into(), message: format!("{}: {e}", f.name) })?;
                let Ok(data) = frame.into_data() else { continue };
                if have + data.len() as u64 > f.len {
                    return Err(FetchError::Invalid(format!("{}: the writer sent more than the manifest's {} bytes", f.name, f.len)));
                }
                out.write_all(&data).await?;
                hasher.update(&data);
                have += data.len() as u64;
                this_run += data.len() as u64;
                self.fetched.fetch_add(data.len() as u64, Ordering::Relaxed);
                if let Some(rate) = self.max_rate {
                    let due = Duration::from_secs_f64(this_run as f64 / rate as f64);
                    if let Some(wait) = due.checked_sub(started.elapsed()) {
                        tokio::time::sleep(wait).await;
                    }
                }
            }
            out.sync_all().await?;
        }
        if have != f.len {
            return Err(FetchError::Unreachable { url: writer.url().into(), message: format!("{}: {have} of {} bytes arrived", f.name, f.len) });
        }
        if hasher.finalize() != f.crc32 {
            tokio::fs::remove_file(&part).await?;
            return Err(FetchError::Invalid(format!("{}: checksum mismatch after fetching; fetching it again", f.name)));
        }
        tokio::fs::rename(&part, self.dir.join(&f.name)).await?;
        Ok(())
    }

    /// Deletes the segment files and parts the manifest no longer lists: call it once the
    /// replica serves the manifest's commit. Returns how many files went.
    pub fn clean(&self, m: &Manifest) -> usize {
        let keep: std::collections::HashSet<&str> = m.files.iter().map(|f| f.name.as_str()).collect();
        let mut removed = 0;
        for dir in [self.dir.clone(), self.dir.join(PARTS_DIR)] {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if is_segment_file(&name) && !keep.contains(name.as_str()) && std::fs::remove_file(e.path()).is_ok() {
                    removed += 1;
                }
            }
        }
        removed
    }
}
