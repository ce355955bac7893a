//! Segment replication: one writer, any number of read-only replicas that copy its immutable
//! segment files (the way Lucene-based systems scale searches past one machine).
//!
//! The writer serves its newest commit as a [`crate::api::Manifest`] and its files
//! (`/api/replication/…`, behind `DORAMA_REPLICATION_TOKEN`). A replica started with
//! `serve --read-only --follow URL` waits on the manifest (a long poll, so a commit reaches it
//! at once), copies what it lacks ([`mirror`]), moves its engine to the new commit
//! ([`crate::engine::Engine::follow`], which verifies every file and moves the catalog and
//! ratings by the difference), and only then deletes what the writer merged away. The writer
//! going away stops nothing but the following: the replica serves what it has and tries again.

pub mod client;
pub mod manifest;
pub mod mirror;

use crate::engine::Engine;
use client::{FetchError, Writer};
use mirror::Mirror;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the writer holds a manifest request waiting for a newer commit.
pub const LONG_POLL: Duration = Duration::from_secs(20);

/// How often a replica whose token the writer refuses asks again.
const REFUSED_RETRY: Duration = Duration::from_secs(30);

/// How a following replica stands with its writer, for `/healthz` and `/metrics`.
pub struct Status {
    writer: String,
    /// The number of the writer's newest commit, as last heard.
    newest_commit: AtomicU64,
    /// Since when the replica has known of a commit it does not serve yet.
    pending_since: Mutex<Option<Instant>>,
    /// Why the last attempt failed, until one succeeds.
    error: Mutex<Option<String>>,
    /// The writer refused our token (401 or 403) on the last attempt: trying again will not
    /// help until an operator changes a token, so `/healthz` says so with a 503.
    refused: std::sync::atomic::AtomicBool,
    mirror: Arc<Mirror>,
}

impl Status {
    pub fn writer(&self) -> &str {
        &self.writer
    }

    /// How long the newest commit heard of has waited to be served.
    pub fn behind(&self) -> Duration {
        self.pending_since.lock().unwrap_or_else(|p| p.into_inner()).map_or(Duration::ZERO, |t| t.elapsed())
    }

    /// The writer's commits this replica does not serve yet.
    pub fn behind_commits(&self, served: u64) -> u64 {
        self.newest_commit.load(Ordering::SeqCst).saturating_sub(served)
    }

    pub fn error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn fetched_bytes(&self) -> u64 {
        self.mirror.fetched.load(Ordering::Relaxed)
    }

    /// Whether the writer refused this replica's token on the last attempt.
    pub fn refused(&self) -> bool {
        self.refused.load(Ordering::SeqCst)
    }

    fn failed(&self, e: &FetchError) {
        let refused = e.refused_token();
        if refused {
            tracing::error!(error = %e, "the writer refuses this replica's DORAMA_REPLICATION_TOKEN: not following until it accepts it");
        } else {
            tracing::warn!(error = %e, "following the writer");
        }
        self.refused.store(refused, Ordering::SeqCst);
        *self.error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
    }

    fn succeeded(&self) {
        self.refused.store(false, Ordering::SeqCst);
        *self.error.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// A replica of `writer` in `dir`.
pub struct Follower {
    writer: Writer,
    mirror: Arc<Mirror>,
    status: Arc<Status>,
}

impl Follower {
    pub fn new(dir: &Path, writer: Writer, max_rate: Option<u64>) -> Follower {
        let mirror = Arc::new(Mirror::new(dir, max_rate));
        let status = Arc::new(Status {
            writer: writer.url().to_string(),
            newest_commit: AtomicU64::new(0),
            pending_since: Mutex::new(None),
            error: Mutex::new(None),
            refused: Default::default(),
            mirror: mirror.clone(),
        });
        Follower { writer, mirror, status }
    }

    pub fn status(&self) -> Arc<Status> {
        self.status.clone()
    }

    /// A directory with no commit yet (a new replica): copies the writer's newest commit whole,
    /// trying again until it has one. One already holding a commit is served as it is, and
    /// caught up by [`Follower::run`]. A writer that refuses the token is an error at once:
    /// waiting will not change a token, and a replica that never starts says why.
    pub async fn first_copy(&self, dir: &Path) -> Result<(), FetchError> {
        let mut backoff = Backoff::default();
        while !dir.join("meta.json").is_file() {
            let copied = async {
                let m = self.writer.manifest(None, Duration::ZERO).await?;
                self.noted(&m);
                self.mirror.copy(&self.writer, &m).await?;
                Ok::<_, FetchError>(m)
            }
            .await;
            match copied {
                Ok(m) => {
                    tracing::info!(commit = m.commit, files = m.files.len(), bytes = m.files.iter().map(|f| f.len).sum::<u64>(), "copied the writer's index");
                    self.mirror.clean(&m);
                    self.status.succeeded();
                }
                Err(FetchError::Gone(_)) => {}
                Err(e) if e.refused_token() => return Err(e),
                Err(e) => {
                    self.status.failed(&e);
                    backoff.wait().await;
                }
            }
        }
        Ok(())
    }

    fn noted(&self, m: &crate::api::Manifest) {
        self.status.newest_commit.store(m.commit, Ordering::SeqCst);
        self.status.succeeded();
    }

    /// Follows the writer for good: waits for each new commit, copies it, moves `engine` to it.
    pub async fn run(self, engine: Arc<Engine>) {
        let dir = engine.store().dir().to_path_buf();
        let mut backoff = Backoff::default();
        loop {
            let served = crate::index::generation::newest_id(&dir);
            let m = match self.writer.manifest(served.as_deref(), LONG_POLL).await {
                Ok(m) => m,
                Err(e) => {
                    self.status.failed(&e);
                    if e.refused_token() {
                        // Asked again every 30 s, not every 5: a token is changed by hand.
                        tokio::time::sleep(REFUSED_RETRY).await;
                    } else {
                        backoff.wait().await;
                    }
                    continue;
                }
            };
            self.noted(&m);
            if served.as_deref() == Some(m.id.as_str()) && engine.commit_number() == m.commit {
                *self.status.pending_since.lock().unwrap_or_else(|p| p.into_inner()) = None;
                backoff = Backoff::default();
                continue;
            }
            self.status.pending_since.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert_with(Instant::now);
            let started = Instant::now();
            match self.mirror.copy(&self.writer, &m).await {
                Ok(_) => {}
                // Merged away meanwhile: the next manifest lists what replaced it.
                Err(FetchError::Gone(_)) => continue,
                Err(e) => {
                    self.status.failed(&e);
                    backoff.wait().await;
                    continue;
                }
            }
            let copied = started.elapsed();
            let e = engine.clone();
            match tokio::task::spawn_blocking(move || e.follow()).await {
                Ok(Ok(_)) => {
                    *self.status.pending_since.lock().unwrap_or_else(|p| p.into_inner()) = None;
                    let removed = self.mirror.clean(&m);
                    let (copy_ms, follow_ms) = (copied.as_secs_f64() * 1e3, (started.elapsed() - copied).as_secs_f64() * 1e3);
                    tracing::info!(commit = m.commit, removed, copy_ms, follow_ms, "following: serving the writer's newer commit");
                    backoff = Backoff::default();
                }
                Ok(Err(err)) => {
                    self.status.failed(&FetchError::Invalid(format!("the copied commit cannot be opened: {err}")));
                    repair(&dir, &err, false);
                    backoff.wait().await;
                }
                Err(err) => {
                    tracing::error!(error = %err, "following failed");
                    backoff.wait().await;
                }
            }
        }
    }
}

/// A replica on a directory that another tool (rsync, an object-store sync) keeps in step with
/// the writer: looks for a newer commit every `every`, and moves to it once it is whole.
pub async fn follow_directory(engine: Arc<Engine>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let engine = engine.clone();
        match tokio::task::spawn_blocking(move || engine.follow()).await {
            Ok(Ok(true)) => tracing::info!("following: moved to the writer's newer commit"),
            Ok(Ok(false)) => {}
            // A commit still being copied in, or a file gone under a merge: try again.
            Ok(Err(e)) => tracing::warn!(error = %e, "following: the newer commit cannot be opened yet"),
            Err(e) => tracing::error!(error = %e, "following failed"),
        }
    }
}

/// A replica whose copy cannot be opened because a file is damaged on disk (a crash before the
/// disk had it, a bad sector): removes that file, so the next copy fetches it again, and with
/// `forget_commit` the directory's `meta.json` too, so a replica that cannot start copies the
/// writer's commit again. Returns whether anything was removed; any other error is left alone.
pub fn repair(dir: &Path, err: &crate::engine::EngineError, forget_commit: bool) -> bool {
    use crate::engine::EngineError;
    use crate::index::IndexError;
    let EngineError::Index(IndexError::Damaged { file, .. }) = err else { return false };
    let path = Path::new(file);
    let in_dir = path.parent() == Some(dir) || path.parent().is_some_and(|p| p.canonicalize().ok() == dir.canonicalize().ok());
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if !in_dir || !(crate::index::generation::is_segment_file(name) || name == "meta.json") {
        return false;
    }
    tracing::warn!(file = %path.display(), "removing a damaged file of the copy: it is fetched again");
    let removed = std::fs::remove_file(path).is_ok();
    removed | (forget_commit && std::fs::remove_file(dir.join("meta.json")).is_ok())
}

/// Waits growing from 100 ms to 5 s between failed attempts.
struct Backoff(Duration);

impl Default for Backoff {
    fn default() -> Self {
        Backoff(Duration::from_millis(100))
    }
}

impl Backoff {
    async fn wait(&mut self) {
        tokio::time::sleep(self.0).await;
        self.0 = (self.0 * 2).min(Duration::from_secs(5));
    }
}
