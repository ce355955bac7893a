//! The `dorama-search` binary: a thin CLI over the library (see `lib.rs` for the map).

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use dorama_search::api::{Exported, Imported, Indexed};
use dorama_search::engine::{index_files, Engine, Options};
use dorama_search::rank::{Params, Scope};
use dorama_search::record::{canonical_season, Kind, Located};
use dorama_search::search::{Scope as SearchScope, SearchRequest};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// The variables no flag stands for (each flag's own is shown beside it).
const ENVIRONMENT: &str = "Environment (besides each flag's own, shown with it):
  DORAMA_ADMIN_TOKEN        opens the admin endpoints (POST/DELETE records, recompute, export, snapshot)
  DORAMA_REPLICATION_TOKEN  opens the replication endpoints on a writer; what a replica presents
  DORAMA_LOG                log filter (info, warn, dorama_search=debug); default: info for serve, warn otherwise
  DORAMA_LOG_FORMAT=json    one JSON object per log line
  DORAMA_DICTIONARY         the IPADIC dictionary directory (built by scripts/setup)
  NO_COLOR                  no colour, even on a terminal";

#[derive(Parser)]
#[command(name = "dorama-search", version, about = "Search and Top 100 for a Japanese TV drama community site", after_help = ENVIRONMENT)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct IndexArg {
    /// Index directory.
    #[arg(long, env = "DORAMA_INDEX", default_value = "index")]
    index: PathBuf,
}

#[derive(clap::Args, Clone)]
struct RankArgs {
    /// Phantom ratings at the scope's mean that every drama's mean is pulled toward.
    #[arg(long, env = "DORAMA_TOP_M", default_value_t = dorama_search::rank::score::DEFAULT_M)]
    m: f64,
    /// Fewest counted ratings a drama needs to be listed.
    #[arg(long, env = "DORAMA_TOP_MIN_VOTES", default_value_t = dorama_search::rank::score::DEFAULT_MIN_VOTES)]
    min_votes: u32,
}

impl RankArgs {
    fn params(&self) -> Result<Params> {
        if !(self.m.is_finite() && self.m >= 0.0) {
            bail!("--m must be a non-negative number");
        }
        Ok(Params { m: self.m, min_votes: self.min_votes })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Build or update the index from NDJSON files (`-` reads standard input). All files are
    /// applied as one commit: a bad line anywhere leaves the index as it was.
    Index {
        #[command(flatten)]
        index: IndexArg,
        /// NDJSON files of records.
        #[arg(required = true)]
        files: Vec<String>,
        /// Print what was applied as JSON on standard output.
        #[arg(long)]
        json: bool,
    },
    /// Search the index and print the hits.
    Search {
        #[command(flatten)]
        index: IndexArg,
        /// Only this kind of record.
        #[arg(long, value_parser = ["drama", "person", "review", "comment", "vote", "post"])]
        kind: Option<String>,
        /// Search only the forum (reviews, comments, votes, posts) of this drama.
        #[arg(long)]
        forum: Option<String>,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
        query: String,
    },
    /// Print a Top 100 list: all time, one season or one year.
    Top100 {
        #[command(flatten)]
        index: IndexArg,
        #[command(flatten)]
        rank: RankArgs,
        /// A season such as "Summer 2004".
        #[arg(long, conflicts_with = "year")]
        season: Option<String>,
        /// A year (of the dramas' start dates).
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        json: bool,
    },
    /// Import drama pages saved as text (like the site's drama pages) into the index: drama,
    /// cast, songs, reviews, comments and votes. All pages are one commit.
    ImportPage {
        #[command(flatten)]
        index: IndexArg,
        /// Print the records as NDJSON instead of indexing them.
        #[arg(long)]
        dry_run: bool,
        /// Print what was imported as JSON on standard output.
        #[arg(long, conflicts_with = "dry_run")]
        json: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write every record of the index as NDJSON (the record format), from one commit, in the
    /// order the records were applied: `index` reads it back into the same index. Opens the
    /// index read-only, so a server may keep serving and ingesting into it meanwhile.
    Export {
        #[command(flatten)]
        index: IndexArg,
        /// Only these kinds (comma-separated); default every kind a client writes (people are
        /// derived from casts and not exported).
        #[arg(long, value_delimiter = ',', value_parser = ["drama", "review", "comment", "vote", "post"])]
        kind: Vec<String>,
        /// Output file, written whole or not at all (a temporary file renamed at the end);
        /// standard output if absent.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print what was exported as JSON on standard output (with --out only: without it,
        /// standard output holds the records).
        #[arg(long, requires = "out")]
        json: bool,
    },
    /// Copy the index as of its last commit into DEST (a new directory), while a server may keep
    /// serving and ingesting: hard links where DEST is on the same file system, copies where
    /// not. `serve --index DEST` then starts with every record committed before it.
    Snapshot {
        #[command(flatten)]
        index: IndexArg,
        /// The new directory to write the snapshot to.
        dest: PathBuf,
        /// Print what was copied as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Verify an index: its format mark, the checksum of every segment file, that every
    /// review, comment, vote and post names a drama that exists, and that the ratings the
    /// Top 100 is ranked from agree with the stored records. Prints one line per problem and
    /// exits non-zero if there is any. Opens the index read-only.
    Check {
        #[command(flatten)]
        index: IndexArg,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a deterministic synthetic corpus as NDJSON (scale 1: 20,000 dramas, 3,000,000
    /// reviews and comments, 10,000,000 ratings).
    GenCorpus {
        /// Fraction of scale 1, e.g. 0.01 for a quick run.
        #[arg(long, default_value_t = 0.01)]
        scale: f64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Output file; standard output if absent.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Serve the HTTP API. An empty index whose directory holds `sample/*.ndjson` (the
    /// repository's `index/` does) is first filled from it; any other empty index is served
    /// empty, and the log says how to fill it.
    #[command(after_help = ENVIRONMENT)]
    Serve {
        #[command(flatten)]
        index: IndexArg,
        #[command(flatten)]
        rank: RankArgs,
        /// Address to listen on. Loopback by default: expose it deliberately.
        #[arg(long, env = "DORAMA_ADDR", default_value = "127.0.0.1:7700")]
        addr: String,
        /// Entries in the query-result cache (0: no cache).
        #[arg(long, env = "DORAMA_CACHE_ENTRIES", default_value_t = 4096)]
        cache_entries: usize,
        /// Longest a search may run before it stops and answers 503 (0: no deadline).
        #[arg(long, env = "DORAMA_SEARCH_DEADLINE_MS", default_value_t = 10_000)]
        search_deadline_ms: u64,
        /// Bytes the query-result cache may hold, in MiB (0: no cache).
        #[arg(long, env = "DORAMA_CACHE_MIB", default_value_t = 32)]
        cache_mib: usize,
        /// Longest a request may take, headers and body included, in milliseconds.
        #[arg(long, env = "DORAMA_REQUEST_TIMEOUT_MS", default_value_t = 30_000)]
        request_timeout_ms: u64,
        /// Serve the index read-only, as a replica: no writer lock, writes refused with 405,
        /// and the writer's newer commits followed: fetched with --follow, or as another tool
        /// (rsync) brings them into the directory.
        #[arg(long)]
        read_only: bool,
        /// Where writes go, named in the 405 a replica answers them with (default: --follow).
        #[arg(long, requires = "read_only")]
        writer: Option<String>,
        /// Follow this writer (http://HOST:PORT): copy its commits into --index as it makes
        /// them, starting with the whole index if the directory has none. Both sides read the
        /// token from DORAMA_REPLICATION_TOKEN.
        #[arg(long, requires = "read_only")]
        follow: Option<String>,
        /// With --follow: fetch no faster than this many bytes a second.
        #[arg(long, requires = "follow")]
        fetch_max_bytes_per_sec: Option<u64>,
        /// Without --follow: how often a replica looks for a newer commit in its directory, in
        /// milliseconds.
        #[arg(long, requires = "read_only", default_value_t = 200)]
        follow_interval_ms: u64,
        /// A replica further behind its writer than this (seconds) answers /healthz with 503.
        #[arg(long, requires = "read_only")]
        max_lag: Option<f64>,
        /// Where POST /api/snapshot may write snapshots (by name, under this directory; it must
        /// be outside the index). Without it, snapshots over HTTP are refused.
        #[arg(long, env = "DORAMA_SNAPSHOT_DIR")]
        snapshot_dir: Option<std::path::PathBuf>,
        /// Requests a second one client address is answered, sustained (0: no limit). Past it
        /// a request waits its turn, up to a second, then gets 429. Requests with a valid
        /// admin or replication token are not counted.
        #[arg(long, env = "DORAMA_CLIENT_RATE", default_value_t = 100)]
        client_rate: u32,
        /// Requests one client address may send at once after a quiet while.
        #[arg(long, env = "DORAMA_CLIENT_BURST", default_value_t = 200)]
        client_burst: u32,
        /// Behind a reverse proxy: the header it names the client's address in (the last
        /// address of it counts, as `X-Forwarded-For` appends). Without it, every visitor
        /// would share the proxy's budget.
        #[arg(long, env = "DORAMA_CLIENT_ADDRESS_HEADER")]
        client_address_header: Option<String>,
        /// Once the index has had no commit for this long, the ratings are written beside it
        /// (`ratings.bin`) as of the last commit, so that a start after a crash opens them
        /// instead of rebuilding them (0: only when the server stops).
        #[arg(long, env = "DORAMA_RATINGS_QUIET_MS", default_value_t = 30_000)]
        ratings_quiet_ms: u64,
    },
}

fn main() {
    // Printing into a closed pipe (`dorama-search top100 | head`) ends the program quietly,
    // as it does for every other Unix tool, instead of panicking.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    // A server's log says what it does; a command's output is its answer, and its progress
    // lines would only be noise there.
    let default_level = if matches!(cli.command, Command::Serve { .. }) { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("DORAMA_LOG").unwrap_or_else(|_| default_level.into());
    // Colour only on a terminal (and not under NO_COLOR): escape codes in a log file or a
    // collector are noise to read and to search.
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour);
    // DORAMA_LOG_FORMAT=json: one JSON object per line, for log collectors.
    if std::env::var("DORAMA_LOG_FORMAT").is_ok_and(|f| f == "json") {
        logs.json().init();
    } else {
        logs.init();
    }
    if let Err(e) = run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// Opens an index to read it beside a server that may be writing it (no writer lock), and
/// never creates one: a read of a directory with no index is an error naming it.
fn open_to_read(dir: &Path, options: Options) -> Result<Engine> {
    if !dir.join("meta.json").is_file() {
        bail!("{}: no index here (build one with `dorama-search index --index {} FILE.ndjson`)", dir.display(), dir.display());
    }
    Ok(Engine::open_read_only(dir, options)?)
}

/// A snippet as terminal text: HTML entities decoded, and the `<mark>`ed words in bold on a
/// terminal, unmarked elsewhere (a file or a pipe gets plain text).
fn terminal_text(snippet: &str) -> String {
    let bold = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let (on, off) = if bold { ("\x1b[1m", "\x1b[0m") } else { ("", "") };
    snippet
        .replace("<mark>", on)
        .replace("</mark>", off)
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Index { index, files, json } => cmd_index(&index.index, &files, json),
        Command::Search { index, kind, forum, limit, json, query } => {
            let engine = open_to_read(&index.index, Options { cache_entries: 0, ..Options::default() })?;
            let scope = match (forum, kind) {
                (Some(d), _) => {
                    if !engine.has_drama(&d) {
                        bail!("no drama with id {d:?}");
                    }
                    SearchScope::Forum(d)
                }
                (None, k) => SearchScope::Site(k.as_deref().and_then(Kind::parse)),
            };
            let res = engine.search_uncached(&SearchRequest { q: query, scope, limit, offset: 0, refine: Default::default() })?;
            if json {
                println!("{}", serde_json::to_string_pretty(&res)?);
            } else {
                println!("{} hits", res.total);
                for h in res.hits {
                    println!(
                        "{:>8.3}  {:<7} {}  {} {}",
                        h.score,
                        h.kind.as_str(),
                        h.id,
                        h.title.unwrap_or_default(),
                        h.title_ja.map(|t| format!("[{t}]")).unwrap_or_default()
                    );
                    if !h.snippet.is_empty() {
                        println!("          {}", terminal_text(&h.snippet.replace('\n', " ")));
                    }
                }
            }
            Ok(())
        }
        Command::Top100 { index, rank, season, year, json } => {
            let engine = open_to_read(&index.index, Options { params: rank.params()?, cache_entries: 0, ..Options::default() })?;
            let scope = match (season, year) {
                (Some(s), _) => Scope::Season(
                    canonical_season(&s).with_context(|| format!("--season {s:?} is not like \"Summer 2004\""))?,
                ),
                (None, Some(y)) => Scope::Year(y),
                (None, None) => Scope::All,
            };
            let top = engine.top100_uncached(&scope);
            if json {
                println!("{}", serde_json::to_string_pretty(&top)?);
            } else {
                let c = top.params.c.map(|c| format!("{c:.3}")).unwrap_or_else(|| "-".into());
                println!("Top 100 ({}), m={} min_votes={} C={c}", top.scope, top.params.m, top.params.min_votes);
                for e in &top.entries {
                    println!(
                        "{:>3}. {:.3}  mean {:.2} from {:>4} ratings, {:>3} voters  {} {}",
                        e.rank,
                        e.score,
                        e.mean,
                        e.votes,
                        e.voters,
                        e.title,
                        e.title_ja.as_ref().map(|t| format!("[{t}]")).unwrap_or_default()
                    );
                }
            }
            Ok(())
        }
        Command::ImportPage { index, dry_run, json, files } => {
            let mut batch = Vec::new();
            for f in &files {
                let text = std::fs::read(f).with_context(|| format!("{}: cannot read", f.display()))?;
                let text = String::from_utf8_lossy(&text);
                let records = dorama_search::import::import_page(&text).map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?;
                batch.extend(records.into_iter().map(|record| Located { source: f.display().to_string(), line: 0, record }));
            }
            if dry_run {
                for l in &batch {
                    println!("{}", serde_json::to_string(&l.record)?);
                }
                return Ok(());
            }
            let engine = Engine::open(&index.index, Options { cache_entries: 0, ..Options::default() })?;
            let n = engine.ingest(batch)?;
            let report = Imported { imported: n, pages: files.len(), index: index.index.display().to_string() };
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                eprintln!("imported {n} records from {} page(s) into {}", report.pages, report.index);
            }
            Ok(())
        }
        Command::Export { index, kind, out, json } => {
            let kinds: Vec<Kind> = if kind.is_empty() {
                dorama_search::index::export::KINDS.to_vec()
            } else {
                kind.iter().filter_map(|k| Kind::parse(k)).collect()
            };
            let store = dorama_search::index::Store::open_read_only(&index.index)?;
            let (searcher, fields) = (store.searcher(), store.fields());
            let n = match &out {
                None => dorama_search::index::export::write(&searcher, fields, &kinds, &mut std::io::BufWriter::new(std::io::stdout().lock()))?,
                Some(path) => {
                    let tmp = path.with_extension("partial");
                    let file = std::fs::File::create(&tmp).with_context(|| format!("{}: cannot create", tmp.display()))?;
                    let mut w = std::io::BufWriter::new(file);
                    let n = dorama_search::index::export::write(&searcher, fields, &kinds, &mut w)
                        .with_context(|| format!("{}: export failed", tmp.display()));
                    let done = n.and_then(|n| {
                        let file = w.into_inner().map_err(|e| anyhow::anyhow!("{}: {}", tmp.display(), e.error()))?;
                        file.sync_all().with_context(|| format!("{}: cannot sync", tmp.display()))?;
                        std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot rename to {}", tmp.display(), path.display()))?;
                        Ok(n)
                    });
                    if done.is_err() {
                        let _ = std::fs::remove_file(&tmp);
                    }
                    done?
                }
            };
            let report = Exported { exported: n, index: index.index.display().to_string(), out: out.as_ref().map(|p| p.display().to_string()) };
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                eprintln!("exported {n} records from {}", report.index);
            }
            Ok(())
        }
        Command::Snapshot { index, dest, json } => {
            let snap = dorama_search::index::snapshot::take(&index.index, &dest)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&snap)?);
            } else {
                eprintln!(
                    "snapshot of {} in {}: {} segments, {} files, {} bytes ({}) in {} ms",
                    index.index.display(),
                    snap.snapshot,
                    snap.segments,
                    snap.files,
                    snap.bytes,
                    if snap.linked { "hard links" } else { "copies" },
                    snap.took_ms
                );
            }
            Ok(())
        }
        Command::Check { index, json } => {
            let report = dorama_search::check::check(&index.index)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                for p in &report.problems {
                    println!("{p}");
                }
                eprintln!(
                    "{}: {} documents in {} segments, {} problem(s)",
                    report.index,
                    report.documents,
                    report.segments,
                    report.problems.len()
                );
            }
            if !report.problems.is_empty() {
                std::process::exit(2);
            }
            Ok(())
        }
        Command::GenCorpus { scale, seed, out } => {
            if !(scale.is_finite() && scale > 0.0 && scale <= 10.0) {
                bail!("--scale must be a number in (0, 10]");
            }
            use std::io::Write;
            let sink: Box<dyn Write> = match &out {
                Some(p) => Box::new(std::fs::File::create(p).with_context(|| format!("{}: cannot create", p.display()))?),
                None => Box::new(std::io::stdout().lock()),
            };
            let mut w = std::io::BufWriter::new(sink);
            for r in dorama_search::corpus::records(scale, seed) {
                serde_json::to_writer(&mut w, &r)?;
                w.write_all(b"\n")?;
            }
            w.flush()?;
            Ok(())
        }
        Command::Serve { index, rank, addr, cache_entries, cache_mib, search_deadline_ms, request_timeout_ms, read_only, writer, follow, fetch_max_bytes_per_sec, follow_interval_ms, max_lag, snapshot_dir, client_rate, client_burst, client_address_header, ratings_quiet_ms } => {
            if request_timeout_ms == 0 {
                bail!("--request-timeout-ms must be positive");
            }
            if follow_interval_ms == 0 {
                bail!("--follow-interval-ms must be positive");
            }
            let pacing = match std::num::NonZeroU32::new(client_rate) {
                None => None,
                Some(per_second) => {
                    let Some(burst) = std::num::NonZeroU32::new(client_burst) else {
                        bail!("--client-burst must be positive (or --client-rate 0 for no limit)");
                    };
                    let address_header = match client_address_header {
                        None => None,
                        Some(h) => Some(
                            axum::http::HeaderName::from_bytes(h.trim().as_bytes())
                                .map_err(|_| anyhow::anyhow!("--client-address-header {h:?} is not a header name"))?,
                        ),
                    };
                    Some(dorama_search::http::pacing::Budget { per_second, burst, address_header })
                }
            };
            let search_deadline = (search_deadline_ms > 0).then(|| std::time::Duration::from_millis(search_deadline_ms.min(request_timeout_ms)));
            let options = Options { params: rank.params()?, cache_entries, cache_bytes: cache_mib.saturating_mul(1024 * 1024), search_deadline };
            let rt = tokio::runtime::Runtime::new()?;
            let timeout = std::time::Duration::from_millis(request_timeout_ms);
            let (engine, replica) = if read_only {
                if max_lag.is_some_and(|l| !(l.is_finite() && l > 0.0)) {
                    bail!("--max-lag must be a positive number of seconds");
                }
                if fetch_max_bytes_per_sec == Some(0) {
                    bail!("--fetch-max-bytes-per-sec must be positive");
                }
                let follower = match &follow {
                    Some(url) => {
                        let Some(token) = dorama_search::http::replication_token_from_env() else {
                            bail!("--follow needs DORAMA_REPLICATION_TOKEN: the token the writer was started with");
                        };
                        let writer = dorama_search::replica::client::Writer::new(url, &token).map_err(anyhow::Error::msg)?;
                        std::fs::create_dir_all(&index.index).with_context(|| format!("cannot create {}", index.index.display()))?;
                        let follower = dorama_search::replica::Follower::new(&index.index, writer, fetch_max_bytes_per_sec);
                        // A new replica copies the whole index before it serves anything.
                        rt.block_on(follower.first_copy(&index.index)).map_err(|e| anyhow::anyhow!("{e}: check DORAMA_REPLICATION_TOKEN (the writer's and this replica's must be the same)"))?;
                        Some(follower)
                    }
                    None => None,
                };
                let mut repairs = 0;
                let engine = loop {
                    match Engine::open_read_only(&index.index, options.clone()) {
                        Ok(engine) => break engine,
                        // A copy damaged on disk: fetch the damaged file (and the commit) again;
                        // a few times at most, in case the writer's own file is the damaged one.
                        Err(e) if repairs < 3 && follower.is_some() && dorama_search::replica::repair(&index.index, &e, true) => {
                            repairs += 1;
                            rt.block_on(follower.as_ref().expect("following").first_copy(&index.index))?;
                        }
                        Err(e) => return Err(e.into()),
                    }
                };
                let replica = dorama_search::http::Replica {
                    writer_url: writer.or(follow),
                    follow_every: std::time::Duration::from_millis(follow_interval_ms),
                    follower,
                    max_lag: max_lag.map(std::time::Duration::from_secs_f64),
                };
                (engine, Some(replica))
            } else {
                let engine = Engine::open(&index.index, options)?;
                dorama_search::engine::fill_from_sample(&engine, &index.index)?;
                (engine, None)
            };
            let ratings_quiet = (ratings_quiet_ms > 0).then(|| std::time::Duration::from_millis(ratings_quiet_ms));
            let options = dorama_search::http::Serve { addr, request_timeout: timeout, replica, snapshot_dir, pacing, ratings_quiet };
            rt.block_on(dorama_search::http::serve(engine, options))
        }
    }
}

/// Reads and parses every file before anything is applied, so a bad line anywhere leaves the
/// index untouched.
fn cmd_index(dir: &Path, files: &[String], json: bool) -> Result<()> {
    let started = std::time::Instant::now();
    let bar = std::io::stderr().is_terminal().then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.enable_steady_tick(std::time::Duration::from_millis(100));
        pb
    });
    // The files are read twice (checked, then indexed) and never held in memory whole.
    let result = index_files(dir, files, &|msg: &str| {
        if let Some(pb) = &bar {
            pb.set_message(msg.to_string());
        }
    });
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    let applied = result?;
    let report = Indexed { indexed: applied, index: dir.display().to_string(), took_ms: started.elapsed().as_millis() as u64 };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        eprintln!("indexed {applied} records into {}", report.index);
    }
    Ok(())
}
