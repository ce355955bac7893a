use super::document::{key, to_document};
use super::generation::Generation;
use super::moved::Moved;
use super::schema::{self, Fields};
use super::stored::{StoredDoc, StoredValues};
use crate::analysis::Japanese;
use crate::record::{Drama, Kind, Record};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, Term};

/// Memory for the writer's indexing buffer; tantivy splits it among its threads.
const WRITER_HEAP_BYTES: usize = 200_000_000;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("the index in {0} is in use by another dorama-search process (serve or index); stop it first")]
    Locked(String),
    #[error("the index in {0} is open read-only here (a replica): send writes to the writer")]
    ReadOnly(String),
    #[error("cannot open the index in {dir}: {message}")]
    Open { dir: String, message: String },
    #[error(
        "the index in {dir} was written by another version of dorama-search ({found}; this one writes \"{}\"). \
         To move it to this version: export its records with the build that wrote it \
         (`dorama-search export --index {dir} --out records.ndjson`), then index them into a new directory \
         with this one (`dorama-search index --index NEW_DIR records.ndjson`){hint}",
        format_mark()
    )]
    Format {
        dir: String,
        found: String,
        /// For the sample index a repository's `index/` holds: how to refill it instead.
        hint: String,
    },
    #[error(
        "the index in {dir} is damaged: {file}: {message}. Restore a snapshot, or rebuild it from an export; \
         `dorama-search check --index {dir}` lists every problem"
    )]
    Damaged { dir: String, file: String, message: String },
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("{0}")]
    Analysis(String),
    #[error("index I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// The file in an index directory that says how its files were written.
const FORMAT_FILE: &str = "dorama-format";

/// What an index written by this build is: our schema, tantivy's version and the column codecs
/// it was built with, and the analysis that made its terms ([`crate::analysis::fingerprint`]:
/// its version and a hash of its tables, so a change to the folding, the romaji keys, the
/// variant table or the prefix lengths changes the mark by itself). tantivy cannot read what a
/// build with other features wrote (an index with zstd-compressed columns made it panic inside
/// its reader instead of returning an error), so a schema change must bump `dorama 8`.
pub fn format_mark() -> &'static str {
    static MARK: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    MARK.get_or_init(|| {
        format!("dorama 8; tantivy 0.27; columns lz4, no zstd; {}", crate::analysis::fingerprint())
    })
}

pub(crate) fn write_format(dir: &Path) -> std::io::Result<()> {
    replace_file(dir, FORMAT_FILE, format!("{}\n", format_mark()).as_bytes())
}

/// Writes `dir/name` whole or not at all: into a temporary file, synced, renamed over the old
/// one, and the directory synced, so a crash leaves the old contents or the new.
pub(crate) fn replace_file(dir: &Path, name: &str, contents: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    std::fs::write(&tmp, contents)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, dir.join(name))?;
    sync_dir(dir)
}

/// Makes the directory's entries (files created, renamed, deleted) durable.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Refuses a directory that holds no index, or one this build did not write: what every
/// opener that must not create an index checks first.
pub(crate) fn require_index(dir: &Path) -> Result<(), IndexError> {
    if !dir.join("meta.json").is_file() {
        return Err(IndexError::Open { dir: dir.display().to_string(), message: "no index here (no meta.json)".into() });
    }
    check_format(dir)
}

/// Refuses an index this build did not write, before tantivy reads any of it.
pub(crate) fn check_format(dir: &Path) -> Result<(), IndexError> {
    let found = std::fs::read_to_string(dir.join(FORMAT_FILE)).ok().map(|s| s.trim().to_string());
    if found.as_deref() == Some(format_mark()) {
        return Ok(());
    }
    // The repository's `index/` is filled from its `sample/` by the first `serve`: after an
    // upgrade a developer has nothing to export, only a sample to load again.
    let hint = if dir.join("sample").is_dir() {
        format!(
            ". If it only holds the sample it was filled from, remove its files and keep `sample/` \
             (`git clean -fX {}`), and `serve` fills it again",
            dir.display()
        )
    } else {
        String::new()
    };
    Err(IndexError::Format { dir: dir.display().to_string(), found: found.unwrap_or_else(|| "no format mark".into()), hint })
}

/// A tantivy error met while opening the index in `dir`: [`IndexError::Damaged`], naming the
/// file, when a file cannot be read (truncated, its footer gone) or its data is corrupt.
pub(crate) fn opening(dir: &Path, e: tantivy::TantivyError) -> IndexError {
    use tantivy::directory::error::OpenReadError;
    let damaged = |file: String, message: String| IndexError::Damaged {
        dir: dir.display().to_string(),
        file,
        message: message.trim_end_matches('.').to_string(),
    };
    match &e {
        tantivy::TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath }) => {
            damaged(dir.join(filepath).display().to_string(), io_error.to_string())
        }
        tantivy::TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(p)) => {
            damaged(dir.join(p).display().to_string(), "missing".into())
        }
        tantivy::TantivyError::DataCorruption(c) => damaged(dir.display().to_string(), format!("{c:?}")),
        _ => e.into(),
    }
}

/// The writer while a batch is being staged ([`Store::apply_with`]).
pub struct Batch<'a> {
    store: &'a Store,
    writer: &'a mut IndexWriter,
}

impl Batch<'_> {
    /// Adds a record; `replace`: first delete any earlier record of its kind and id (in the
    /// index or staged before it). A bulk load passes `false` for keys it knows are new, which
    /// keeps tantivy's delete queue (a term per delete, held until the commit) empty.
    pub fn upsert(&mut self, rec: &Record, seq: u64, replace: bool) -> Result<(), IndexError> {
        let s = self.store;
        if replace {
            self.writer.delete_term(s.key_term(rec.kind(), &rec.id()));
        }
        self.writer.add_document(to_document(&s.fields, &s.jp, rec, seq))?;
        Ok(())
    }

    pub fn delete(&mut self, kind: Kind, id: &str) {
        self.writer.delete_term(self.store.key_term(kind, id));
    }

    /// Stages one change; an upsert replaces any earlier record of its kind and id.
    pub fn change(&mut self, change: &Change) -> Result<(), IndexError> {
        match change {
            Change::Upsert(rec, seq) => self.upsert(rec, *seq, true),
            Change::Delete(kind, id) => {
                self.delete(*kind, id);
                Ok(())
            }
        }
    }
}

/// One change of a batch.
#[derive(Debug, Clone)]
pub enum Change {
    /// Add or replace (same kind and id) a record; `seq` is its place in ingest order.
    Upsert(Record, u64),
    Delete(Kind, String),
}

/// Where [`Store::visit_ratings`] sends what it reads. Strings are interned by the sink
/// (dramas, users) or hashed (record keys `kind:id`) once per distinct value and segment.
pub trait RatingSink {
    fn drama(&mut self, id: &str) -> u32;
    /// A user by the hash of their name ([`RatingSink::key_hash`]).
    fn user(&mut self, name_hash: u64) -> u32;
    /// A record key (`kind:id`) or a user name to the hash the sink knows it by; called on
    /// another thread.
    fn key_hash(key: &[u8]) -> u64;
    /// A record carrying a rating, by the ids the methods above returned.
    fn rating(&mut self, key: u64, drama: u32, user: u32, rating: u8, seq: u64);
    /// A vote record.
    fn vote(&mut self, key: u64, drama: u32);
    /// Room for about `n` records, told before the first one: growing hash tables of ten
    /// million entries one doubling at a time was most of a scale-1 start-up.
    fn reserve(&mut self, n: usize);
}

/// Threads [`Store::of_kind_in`] reads documents on at most.
const MAX_READ_THREADS: usize = 4;

pub struct Store {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    /// None on a read-only replica: it never takes the writer lock.
    writer: Option<Mutex<IndexWriter>>,
    fields: Fields,
    jp: Japanese,
    columns: super::columns::ColumnCache,
    /// The number of the commit the reader serves: every commit carries the next number as its
    /// payload in `meta.json`, so a replica can say how many commits it is behind its writer.
    commit: std::sync::atomic::AtomicU64,
    /// Segment files whose checksum was verified, by name, with their length: a replica checks
    /// each file of a new commit once before it opens it.
    verified: Mutex<std::collections::HashMap<String, u64>>,
    /// What the search derives from a drama's stored record (the words of its names, which a
    /// forum search of the drama looks posts up by), per drama document: a segment id is never
    /// reused and a document never changes, so a replaced drama is derived again and nothing
    /// needs clearing. Analyzing the names with lindera on every forum search was most of it.
    derived: PerDocument<Arc<DramaWords>>,
    /// A drama's or person's title and Japanese title, per document, kept like `derived`:
    /// type-ahead shows them on every keystroke, and a person's stored document (every role)
    /// is large.
    titles: PerDocument<Titles>,
}

/// What is derived from one stored document, kept by its address: a segment id is never
/// reused and a document never changes, so nothing kept goes stale.
type PerDocument<T> = Mutex<lru::LruCache<(tantivy::index::SegmentId, tantivy::DocId), T>>;

/// `derive` of the document at `addr`, from `kept` or read and kept (None, and nothing kept,
/// when `derive` finds nothing in it).
fn per_document<T: Clone>(kept: &PerDocument<T>, columns: &super::columns::ColumnCache, searcher: &Searcher, addr: tantivy::DocAddress, derive: impl FnOnce(&StoredDoc) -> Option<T>) -> tantivy::Result<Option<T>> {
    let at = (searcher.segment_reader(addr.segment_ord).segment_id(), addr.doc_id);
    if let Some(v) = kept.lock().unwrap_or_else(|p| p.into_inner()).get(&at) {
        return Ok(Some(v.clone()));
    }
    let doc = columns.stored(searcher, addr)?;
    let Some(v) = derive(&doc) else { return Ok(None) };
    kept.lock().unwrap_or_else(|p| p.into_inner()).put(at, v.clone());
    Ok(Some(v))
}

/// A document's `title` and `title_ja`.
pub type Titles = (Option<String>, Option<String>);

/// Documents whose titles are kept.
const TITLES_ENTRIES: usize = 8192;

/// The words of each of a drama's names, as a query analyzes them.
pub type DramaWords = Vec<Vec<crate::analysis::query::TextWord>>;

/// Drama documents whose derived words are kept.
const DERIVED_ENTRIES: usize = 4096;

impl Store {
    /// Opens the index in `dir`, creating it if the directory holds none.
    pub fn open(dir: &Path) -> Result<Store, IndexError> {
        let jp = Japanese::shared().map_err(IndexError::Analysis)?;
        let open_err =
            |message: String| IndexError::Open { dir: dir.display().to_string(), message };
        std::fs::create_dir_all(dir).map_err(|e| open_err(e.to_string()))?;
        let mmap = MmapDirectory::open(dir).map_err(|e| open_err(e.to_string()))?;
        let index = if Index::exists(&mmap).map_err(|e| open_err(e.to_string()))? {
            check_format(dir)?;
            Index::open(mmap).map_err(|e| opening(dir, e))?
        } else {
            // A ratings file left by an index that was here before is not this one's.
            let _ = std::fs::remove_file(dir.join(super::RATINGS_FILE));
            // The mark goes first: an index without one was not written by this build.
            write_format(dir).map_err(|e| open_err(format!("cannot write {FORMAT_FILE}: {e}")))?;
            let (schema, _) = schema::build();
            Index::create(mmap, schema, tantivy::IndexSettings::default())?
        };
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).doc_store_cache_num_blocks(0).try_into().map_err(|e| opening(dir, e))?;
        // The writer comes after our tokenizers are registered (in `assemble`).
        let mut store = Self::assemble(dir, index, reader, jp)?;
        let writer: IndexWriter = match store.index.writer(WRITER_HEAP_BYTES) {
            Ok(w) => w,
            Err(tantivy::TantivyError::LockFailure(..)) => {
                return Err(IndexError::Locked(dir.display().to_string()))
            }
            Err(e) => return Err(e.into()),
        };
        store.writer = Some(Mutex::new(writer));
        // The writer's lock is ours: what a killed snapshot left in the index goes now.
        super::snapshot::remove_leftovers(dir);
        Ok(store)
    }

    /// The store over an opened index, with no writer yet: its fields, our tokenizers, empty
    /// caches.
    fn assemble(dir: &Path, index: Index, reader: IndexReader, jp: Japanese) -> Result<Store, IndexError> {
        let fields = schema::fields_of(&index.schema()).map_err(|message| IndexError::Open { dir: dir.display().to_string(), message })?;
        schema::register_tokenizers(&index, &jp);
        let derived = Mutex::new(lru::LruCache::new(std::num::NonZeroUsize::new(DERIVED_ENTRIES).expect("not zero")));
        let titles = Mutex::new(lru::LruCache::new(std::num::NonZeroUsize::new(TITLES_ENTRIES).expect("not zero")));
        let commit = index.load_metas().map(|m| commit_number(m.payload.as_deref())).unwrap_or(0);
        Ok(Store {
            dir: dir.to_path_buf(),
            index,
            reader,
            writer: None,
            fields,
            jp,
            columns: Default::default(),
            commit: commit.into(),
            verified: Default::default(),
            derived,
            titles,
        })
    }

    /// Opens the index in `dir` to read and follow only: no writer lock is taken, so another
    /// process (the writer) keeps committing to the directory, and [`Store::reload`] moves to
    /// its newer commits. Every write is refused with [`IndexError::ReadOnly`]. What reads one
    /// commit beside a running writer (a replica, `export`, `check`) opens the index this way.
    pub fn open_read_only(dir: &Path) -> Result<Store, IndexError> {
        let jp = Japanese::shared().map_err(IndexError::Analysis)?;
        require_index(dir)?;
        // The writer may delete the files of a merged-away commit between our reading
        // meta.json and opening them; the next attempt reads the newer commit.
        let mut last = None;
        for _ in 0..5 {
            let attempt = || -> Result<_, IndexError> {
                let index = Index::open_in_dir(dir).map_err(|e| opening(dir, e))?;
                // A commit is opened only once every file it lists is whole.
                let generation = Generation::read(dir)?;
                let mut verified = std::collections::HashMap::new();
                verify_files(dir, &index, &generation, &mut verified)?;
                let reader: IndexReader = index.reader_builder().reload_policy(ReloadPolicy::Manual).doc_store_cache_num_blocks(0).try_into().map_err(|e| opening(dir, e))?;
                Ok((index, reader, verified))
            };
            match attempt() {
                Ok((index, reader, verified)) => {
                    let store = Self::assemble(dir, index, reader, jp)?;
                    *store.verified.lock().unwrap_or_else(|p| p.into_inner()) = verified;
                    return Ok(store);
                }
                Err(e) => last = Some(e),
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Err(last.expect("five attempts failed"))
    }

    /// Whether this store refuses writes (a replica).
    pub fn read_only(&self) -> bool {
        self.writer.is_none()
    }

    /// Moves the reader to the directory's newest commit, once every file that commit lists is
    /// present and its checksum verifies: a half-copied commit is an error ([`IndexError::Damaged`]
    /// naming the first file missing or damaged), and the reader stays on the commit it had.
    /// Returns the searchers before and after the move, or None if the commit is the one served.
    pub fn reload(&self) -> Result<Option<Moved>, IndexError> {
        let old = self.reader.searcher();
        // A writer in the same directory may merge and remove a file of the commit just read
        // before it is verified: a file missing from a commit that is no longer the newest is
        // that race, and the newer commit is read instead (a few times at most).
        let mut attempts = 0;
        let newest = loop {
            let newest = Generation::read(&self.dir)?;
            if newest.same_segments(&old) {
                // A commit that changed nothing still has its own number.
                self.commit.store(newest.commit, std::sync::atomic::Ordering::SeqCst);
                return Ok(None);
            }
            let mut verified = self.verified.lock().unwrap_or_else(|p| p.into_inner());
            match verify_files(&self.dir, &self.index, &newest, &mut verified) {
                Ok(()) => {
                    // Forget the files this commit no longer lists (merged away).
                    verified.retain(|name, _| newest.files.contains(name));
                    break newest;
                }
                Err(IndexError::Damaged { .. }) if attempts < 5 && Generation::read(&self.dir).is_ok_and(|g| g.files != newest.files) => {
                    attempts += 1;
                }
                Err(e) => return Err(e),
            }
        };
        self.reader.reload().map_err(|e| opening(&self.dir, e))?;
        let new = self.reader.searcher();
        // meta.json may have moved again between reading and reloading (a sync tool writing
        // the next commit): the number is then the newer one's, read again.
        let commit = if newest.same_segments(&new) { newest.commit } else { Generation::read(&self.dir).map_or(newest.commit, |g| g.commit) };
        self.commit.store(commit, std::sync::atomic::Ordering::SeqCst);
        if new.segment_readers().iter().map(seg_state).eq(old.segment_readers().iter().map(seg_state)) {
            return Ok(None);
        }
        Ok(Some(Moved { old, new }))
    }

    /// The number of the commit the reader serves (0 for an index written before commits were
    /// numbered, until its next commit).
    pub fn commit_number(&self) -> u64 {
        self.commit.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn japanese(&self) -> &Japanese {
        &self.jp
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Per-segment fast-field columns, opened once per segment.
    pub fn columns(&self) -> &super::columns::ColumnCache {
        &self.columns
    }

    /// Applies a batch as one commit: all of it is durable and visible when this returns, or
    /// none of it was applied.
    pub fn apply(&self, changes: &[Change]) -> Result<(), IndexError> {
        self.apply_with(|batch| changes.iter().try_for_each(|c| batch.change(c)))
    }

    /// Runs `fill` against the writer and commits what it staged as one commit, or, if it
    /// fails, rolls all of it back. What `fill` stages is not visible before the commit, but
    /// it need not fit in memory: tantivy writes full segments to disk as it goes, within
    /// its fixed indexing budget.
    pub fn apply_with<E: From<IndexError>>(&self, fill: impl FnOnce(&mut Batch<'_>) -> Result<(), E>) -> Result<(), E> {
        let Some(writer) = &self.writer else {
            return Err(E::from(IndexError::ReadOnly(self.dir.display().to_string())));
        };
        let mut writer = writer.lock().unwrap_or_else(|p| p.into_inner());
        let mut batch = Batch { store: self, writer: &mut writer };
        let number = self.commit_number() + 1;
        let result = fill(&mut batch).and_then(|()| {
            let mut prepared = writer.prepare_commit().map_err(|e| E::from(IndexError::from(e)))?;
            prepared.set_payload(&number.to_string());
            prepared.commit().map(|_| ()).map_err(|e| E::from(IndexError::from(e)))
        });
        if let Err(e) = result {
            // Drop everything this batch staged so the next batch starts clean.
            let _ = writer.rollback();
            return Err(e);
        }
        drop(writer);
        self.commit.store(number, std::sync::atomic::Ordering::SeqCst);
        self.reader.reload().map_err(|e| E::from(IndexError::from(e)))?;
        Ok(())
    }

    /// Whether a record of this kind and id is in the index (as last committed).
    pub fn contains(&self, kind: Kind, id: &str) -> bool {
        self.searcher().doc_freq(&self.key_term(kind, id)).unwrap_or(1) > 0
    }

    fn key_term(&self, kind: Kind, id: &str) -> Term {
        Term::from_field_text(self.fields.key, &key(kind.as_str(), id))
    }

    /// The stored record of a kind and id.
    pub fn get(&self, kind: Kind, id: &str) -> Result<Option<Record>, IndexError> {
        let searcher = self.searcher();
        match self.address_of(&searcher, kind, id)? {
            Some(addr) => Ok(self.record_of(&self.stored(&searcher, addr)?)),
            None => Ok(None),
        }
    }

    /// Where the live document of a kind and id is, as `searcher` sees it.
    fn address_of(&self, searcher: &Searcher, kind: Kind, id: &str) -> Result<Option<tantivy::DocAddress>, IndexError> {
        let q = TermQuery::new(self.key_term(kind, id), IndexRecordOption::Basic);
        Ok(searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?.first().map(|&(_, addr)| addr))
    }

    /// `derive` of the drama `id` as `searcher` sees it, computed once per drama document; None
    /// if there is no such drama.
    pub fn drama_words(
        &self,
        searcher: &Searcher,
        id: &str,
        derive: impl FnOnce(&Record) -> DramaWords,
    ) -> Result<Option<Arc<DramaWords>>, IndexError> {
        let Some(addr) = self.address_of(searcher, Kind::Drama, id)? else { return Ok(None) };
        Ok(per_document(&self.derived, &self.columns, searcher, addr, |doc| Some(Arc::new(derive(&self.record_of(doc)?))))?)
    }

    /// The `title` and `title_ja` of the document at `addr`.
    pub fn titles(&self, searcher: &Searcher, addr: tantivy::DocAddress) -> tantivy::Result<Titles> {
        let titles = per_document(&self.titles, &self.columns, searcher, addr, |doc| {
            let s = |field| doc.text(field).map(str::to_string);
            Some((s(self.fields.title), s(self.fields.title_ja)))
        })?;
        Ok(titles.unwrap_or_default())
    }

    pub fn record_of(&self, doc: &impl StoredValues) -> Option<Record> {
        Record::from_json(doc.text(self.fields.record)?).ok()
    }

    /// The stored document at `addr` of `searcher`, its values read as asked for
    /// ([`StoredDoc`]): what a page, a name's spellings or a record shown read instead of a
    /// whole `TantivyDocument`.
    pub fn stored(&self, searcher: &Searcher, addr: tantivy::DocAddress) -> tantivy::Result<StoredDoc> {
        self.columns.stored(searcher, addr)
    }

    /// Every live document of a kind, as records.
    pub fn all_of_kind(&self, kind: Kind) -> Result<Vec<Record>, IndexError> {
        let searcher = self.searcher();
        let all: Vec<u32> = (0..searcher.segment_readers().len() as u32).collect();
        self.of_kind_in(&searcher, &all, kind)
    }

    /// The live documents of a kind in some segments of `searcher` (by ordinal), as records.
    ///
    /// Read on up to [`MAX_READ_THREADS`] threads, each a run of the documents in index order,
    /// and each document from its doc store's bytes ([`StoredDoc`]): start-up reads every drama
    /// this way, 200,000 at scale 10, where one thread deserializing whole `TantivyDocument`s
    /// took 9.9 s, most of the start.
    pub fn of_kind_in(&self, searcher: &Searcher, segments: &[u32], kind: Kind) -> Result<Vec<Record>, IndexError> {
        let term = Term::from_field_text(self.fields.kind, kind.as_str());
        let mut docs: Vec<(u32, tantivy::DocId)> = Vec::new();
        for &ord in segments {
            let seg = searcher.segment_reader(ord);
            let inv = seg.inverted_index(self.fields.kind)?;
            let Some(mut postings) = inv.read_postings(&term, IndexRecordOption::Basic)? else {
                continue;
            };
            use tantivy::DocSet;
            let alive = seg.alive_bitset();
            let mut doc = postings.doc();
            while doc != tantivy::TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    docs.push((ord, doc));
                }
                doc = postings.advance();
            }
        }
        const PER_THREAD_AT_LEAST: usize = 1_000;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_READ_THREADS).min(docs.len() / PER_THREAD_AT_LEAST).max(1);
        let read_run = |run: &[(u32, tantivy::DocId)]| -> Result<Vec<Record>, IndexError> {
            let mut out = Vec::with_capacity(run.len());
            let mut store: Option<(u32, tantivy::store::StoreReader)> = None;
            for &(ord, doc) in run {
                if store.as_ref().is_none_or(|(o, _)| *o != ord) {
                    store = Some((ord, searcher.segment_reader(ord).get_store_reader(64)?));
                }
                let (_, reader) = store.as_ref().expect("opened above");
                out.extend(self.record_of(&StoredDoc::read(reader, doc)?));
            }
            Ok(out)
        };
        if threads == 1 {
            return read_run(&docs);
        }
        let runs: Vec<&[(u32, tantivy::DocId)]> = docs.chunks(docs.len().div_ceil(threads)).collect();
        let read: Vec<Result<Vec<Record>, IndexError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = runs.iter().map(|run| scope.spawn(|| read_run(run))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
        });
        let mut out = Vec::with_capacity(docs.len());
        for records in read {
            out.extend(records?);
        }
        Ok(out)
    }

    pub fn all_dramas(&self) -> Result<Vec<Drama>, IndexError> {
        let searcher = self.searcher();
        let all: Vec<u32> = (0..searcher.segment_readers().len() as u32).collect();
        self.dramas_in(&searcher, &all)
    }

    /// The live dramas in some segments of `searcher` (by ordinal).
    pub fn dramas_in(&self, searcher: &Searcher, segments: &[u32]) -> Result<Vec<Drama>, IndexError> {
        Ok(self
            .of_kind_in(searcher, segments, Kind::Drama)?
            .into_iter()
            .filter_map(|r| match r {
                Record::Drama(d) => Some(d),
                _ => None,
            })
            .collect())
    }

    /// Feeds every rating and every vote in the index to `sink`, read from fast fields only
    /// (no stored documents), so that the Top 100 can be rebuilt from ten million ratings at
    /// start-up. Each string column's dictionary is read once per segment and each distinct
    /// string handed to the sink once; documents then only look up ordinals.
    ///
    /// Two stages on two threads: a reader walks the segments' documents and hashes their keys
    /// and user names (work that needs nothing from the sink), while this thread interns the
    /// previous segment's dramas and users and hands its rows to the sink.
    pub fn visit_ratings<S: RatingSink>(&self, sink: &mut S) -> Result<(), IndexError> {
        visit_ratings(&self.searcher(), sink)
    }

    /// The highest `seq` in the index (0 if empty): ingest continues after it.
    pub fn max_seq(&self) -> Result<u64, IndexError> {
        let searcher = self.searcher();
        let mut max = 0;
        for seg in searcher.segment_readers() {
            let col = seg.fast_fields().u64("seq")?;
            max = max.max(col.max_value());
        }
        Ok(max)
    }

    /// Live documents of a kind.
    pub fn count_kind(&self, kind: Kind) -> Result<usize, IndexError> {
        let q = TermQuery::new(Term::from_field_text(self.fields.kind, kind.as_str()), IndexRecordOption::Basic);
        Ok(self.searcher().search(&q, &tantivy::collector::Count)?)
    }

    pub fn num_docs(&self) -> u64 {
        self.searcher().num_docs()
    }
}

/// The reader's view of a segment: its id and how many of its documents are deleted.
fn seg_state(r: &tantivy::SegmentReader) -> (tantivy::index::SegmentId, u32) {
    (r.segment_id(), r.num_deleted_docs())
}

/// The number a commit's payload carries (0 for none: an index older than numbered commits).
fn commit_number(payload: Option<&str>) -> u64 {
    payload.and_then(|p| p.trim().parse().ok()).unwrap_or(0)
}

/// Checks every file `generation` lists: present, and its tantivy footer's checksum matches
/// its contents. A file already verified at the same length (files never change once written)
/// is not read again; the newly verified are added to `verified`.
fn verify_files(dir: &Path, index: &Index, generation: &Generation, verified: &mut std::collections::HashMap<String, u64>) -> Result<(), IndexError> {
    let damaged = |name: &str, message: &str| IndexError::Damaged {
        dir: dir.display().to_string(),
        file: dir.join(name).display().to_string(),
        message: message.to_string(),
    };
    for name in &generation.files {
        let Ok(len) = std::fs::metadata(dir.join(name)).map(|m| m.len()) else {
            return Err(damaged(name, "missing (not yet copied)"));
        };
        if verified.get(name) == Some(&len) {
            continue;
        }
        match index.directory().validate_checksum(Path::new(name)) {
            Ok(true) => {}
            Ok(false) => return Err(damaged(name, "checksum mismatch (not yet fully copied, or damaged)")),
            Err(e) => return Err(opening(dir, e.into())),
        }
        verified.insert(name.clone(), len);
    }
    Ok(())
}

/// Every term of a string column mapped through `f`, indexed by ordinal.
fn map_terms<T>(col: &tantivy::columnar::StrColumn, mut f: impl FnMut(&str) -> T) -> Result<Vec<T>, IndexError> {
    map_term_bytes(col, |b| match std::str::from_utf8(b) {
        Ok(s) => f(s),
        Err(_) => f(&String::from_utf8_lossy(b)),
    })
}

fn map_term_bytes<T>(col: &tantivy::columnar::StrColumn, mut f: impl FnMut(&[u8]) -> T) -> Result<Vec<T>, IndexError> {
    let mut out = Vec::with_capacity(col.dictionary().num_terms());
    let mut stream = col.dictionary().stream()?;
    while stream.advance() {
        out.push(f(stream.key()));
    }
    Ok(out)
}

/// No author: a rated record always has one, but the row must not index past the table.
const NONE: u32 = u32::MAX;

/// Reader threads of [`Store::visit_ratings`]: reading a segment's columns costs about three
/// times what handing its rows to the sink does.
const READERS: usize = 2;

/// One live document that carries a rating or is a vote, by its segment's ordinals.
struct RawRow {
    key: u64,
    seq: u64,
    drama: u32,
    author: u32,
    rating: u8,
    vote: bool,
}

/// What [`Store::visit_ratings`]'s reader thread reads of one segment.
struct SegmentRows {
    drama: tantivy::columnar::StrColumn,
    /// The hash of each author name, by ordinal.
    author_hashes: Vec<u64>,
    rows: Vec<RawRow>,
}

impl SegmentRows {
    /// None for a segment without the columns (one holding no record that has them).
    fn read(seg: &tantivy::SegmentReader, key_hash: fn(&[u8]) -> u64) -> Result<Option<SegmentRows>, IndexError> {
        let ff = seg.fast_fields();
        let rating = ff.u64("rating")?;
        let seq = ff.u64("seq")?;
        let (Some(keys), Some(kinds), Some(drama), Some(author)) =
            (ff.str("key")?, ff.str("kind")?, ff.str("drama_id")?, ff.str("author")?)
        else {
            return Ok(None);
        };
        let vote_kind = kinds.dictionary().term_ord(Kind::Vote.as_str().as_bytes())?;
        let key_hashes = map_term_bytes(&keys, key_hash)?;
        let author_hashes = map_term_bytes(&author, key_hash)?;
        let alive = seg.alive_bitset();
        let first = |col: &tantivy::columnar::StrColumn, doc| col.term_ords(doc).next();
        let mut rows = Vec::with_capacity(seg.num_docs() as usize);
        for doc in 0..seg.max_doc() {
            if !alive.is_none_or(|a| a.is_alive(doc)) {
                continue;
            }
            let (Some(k), Some(d)) = (first(&keys, doc), first(&drama, doc)) else { continue };
            let r = rating.first(doc).unwrap_or(0).min(u8::MAX as u64) as u8;
            let vote = vote_kind.is_some() && first(&kinds, doc) == vote_kind;
            if r == 0 && !vote {
                continue;
            }
            rows.push(RawRow {
                key: key_hashes[k as usize],
                seq: seq.first(doc).unwrap_or(0),
                drama: d as u32,
                author: first(&author, doc).map_or(NONE, |a| a as u32),
                rating: r,
                vote,
            });
        }
        Ok(Some(SegmentRows { drama, author_hashes, rows }))
    }
}

/// [`Store::visit_ratings`] over any commit's searcher (a read-only one included).
pub fn visit_ratings<S: RatingSink>(searcher: &Searcher, sink: &mut S) -> Result<(), IndexError> {
    visit_segment_ratings(searcher.segment_readers(), sink)
}

/// [`visit_ratings`] of some segments only (those a replica's new commit added).
pub fn visit_segment_ratings<S: RatingSink>(segments: &[tantivy::SegmentReader], sink: &mut S) -> Result<(), IndexError> {
    sink.reserve(segments.iter().map(|s| s.num_docs() as usize).sum());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        // Two readers take segments in turn; this thread hands them to the sink in segment
        // order (buffering one that arrives early), so ids are given in the same order on
        // every start.
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Result<Option<SegmentRows>, IndexError>)>(2);
        for _ in 0..READERS {
            let (tx, next) = (tx.clone(), &next);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(seg) = segments.get(i) else { return };
                let read = SegmentRows::read(seg, S::key_hash);
                let failed = read.is_err();
                if tx.send((i, read)).is_err() || failed {
                    return;
                }
            });
        }
        drop(tx);
        let mut early = std::collections::BTreeMap::new();
        let mut want = 0;
        for (i, read) in rx {
            early.insert(i, read);
            while let Some(read) = early.remove(&want) {
                want += 1;
                let Some(seg) = read? else { continue };
                let dramas = map_terms(&seg.drama, |t| sink.drama(t))?;
                let authors: Vec<u32> = seg.author_hashes.iter().map(|&h| sink.user(h)).collect();
                for r in &seg.rows {
                    let drama = dramas[r.drama as usize];
                    if r.rating > 0 && r.author != NONE {
                        sink.rating(r.key, drama, authors[r.author as usize], r.rating, r.seq);
                    }
                    if r.vote {
                        sink.vote(r.key, drama);
                    }
                }
            }
        }
        Ok(())
    })
}
