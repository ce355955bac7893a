//! One commit of an index as its `meta.json` describes it: the files a copy must hold before it
//! may be opened. Replication is built on this: a segment file never changes once written, so
//! a commit is exactly its `meta.json` plus the files it lists, and a replica that has them all
//! (checksums verified) can open that commit, whoever copied them.

use super::IndexError;
use serde::Deserialize;
use std::path::Path;

/// The files every segment has, by extension: tantivy's built-in components. A test checks
/// this list against tantivy's own on a real index, so a tantivy that adds one fails it.
pub const SEGMENT_EXTENSIONS: [&str; 6] = ["idx", "pos", "term", "store", "fast", "fieldnorm"];

/// A commit: its `meta.json`, and what that lists.
#[derive(Debug, Clone)]
pub struct Generation {
    /// `meta.json` as written, byte for byte: a replica writes these bytes as its own.
    pub meta: Vec<u8>,
    /// The commit's number (its payload; 0 for an index older than numbered commits). A merge
    /// writes a new `meta.json` with the same number and other segments.
    pub commit: u64,
    /// The names of the segment files it lists.
    pub files: Vec<String>,
    /// Each segment: its id (as file names spell it) and deleted documents.
    segments: Vec<(String, u32)>,
}

#[derive(Deserialize)]
struct Meta {
    segments: Vec<MetaSegment>,
    #[serde(default)]
    payload: Option<String>,
}

#[derive(Deserialize)]
struct MetaSegment {
    segment_id: String,
    deletes: Option<MetaDeletes>,
}

#[derive(Deserialize)]
struct MetaDeletes {
    num_deleted_docs: u32,
    opstamp: u64,
}

impl Generation {
    /// The newest commit in `dir` (its `meta.json`).
    pub fn read(dir: &Path) -> Result<Generation, IndexError> {
        let path = dir.join("meta.json");
        let meta = std::fs::read(&path).map_err(|e| IndexError::Open { dir: dir.display().to_string(), message: format!("cannot read {}: {e}", path.display()) })?;
        Generation::parse(meta).map_err(|message| IndexError::Damaged { dir: dir.display().to_string(), file: path.display().to_string(), message })
    }

    /// A commit from its `meta.json` bytes.
    pub fn parse(meta: Vec<u8>) -> Result<Generation, String> {
        let parsed: Meta = serde_json::from_slice(&meta).map_err(|e| format!("not a tantivy meta.json: {e}"))?;
        let mut files = Vec::new();
        let mut segments = Vec::new();
        for s in &parsed.segments {
            let id: String = s.segment_id.chars().filter(|c| *c != '-').collect();
            if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("segment id {:?} is not a uuid", s.segment_id));
            }
            files.extend(SEGMENT_EXTENSIONS.iter().map(|ext| format!("{id}.{ext}")));
            if let Some(d) = &s.deletes {
                files.push(format!("{id}.{}.del", d.opstamp));
            }
            segments.push((id, s.deletes.as_ref().map_or(0, |d| d.num_deleted_docs)));
        }
        let commit = parsed.payload.as_deref().and_then(|p| p.trim().parse().ok()).unwrap_or(0);
        Ok(Generation { meta, commit, files, segments })
    }

    /// A name for this commit that changes whenever `meta.json` does (a merge included).
    pub fn id(&self) -> String {
        id_of(&self.meta)
    }

    /// Whether `searcher` serves exactly this commit's segments.
    pub fn same_segments(&self, searcher: &tantivy::Searcher) -> bool {
        let served = searcher.segment_readers();
        served.len() == self.segments.len()
            && served.iter().all(|r| {
                let id = r.segment_id().uuid_string();
                self.segments.iter().any(|(s, deleted)| *s == id && *deleted == r.num_deleted_docs())
            })
    }
}

/// [`Generation::id`] of `meta.json`'s bytes.
fn id_of(meta: &[u8]) -> String {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(meta);
    format!("{:016x}{:08x}", h.finish(), crc32fast::hash(meta))
}

/// The id of the newest commit in `dir`, from `meta.json`'s bytes alone (nothing parsed):
/// what is asked many times a second while waiting for the next commit.
pub fn newest_id(dir: &Path) -> Option<String> {
    std::fs::read(dir.join("meta.json")).ok().map(|meta| id_of(&meta))
}

/// Whether `name` could be a segment file (`<32 hex>.<ext>` or `<32 hex>.<opstamp>.del`): the
/// only names a replica fetches, serves or deletes.
pub fn is_segment_file(name: &str) -> bool {
    let Some((id, ext)) = name.split_once('.') else { return false };
    let id_ok = id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let ext_ok = SEGMENT_EXTENSIONS.contains(&ext)
        || ext.strip_suffix(".del").is_some_and(|op| !op.is_empty() && op.len() <= 20 && op.bytes().all(|b| b.is_ascii_digit()));
    id_ok && ext_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_file_names_are_the_only_names_accepted() {
        assert!(is_segment_file("3c0d482af7c842bcbcd5b87611ad66ca.store"));
        assert!(is_segment_file("3c0d482af7c842bcbcd5b87611ad66ca.2812.del"));
        for bad in ["meta.json", "../etc/passwd", "3c0d482af7c842bcbcd5b87611ad66ca.json", "3C0D482AF7C842BCBCD5B87611AD66CA.idx", "3c0d482af7c842bcbcd5b87611ad66c.idx", "3c0d482af7c842bcbcd5b87611ad66ca..del", "3c0d482af7c842bcbcd5b87611ad66ca.x.del", ".managed.json"] {
            assert!(!is_segment_file(bad), "{bad}");
        }
    }

    #[test]
    fn a_commit_lists_six_files_per_segment_and_its_deletes() {
        let g = Generation::parse(
            br#"{"segments":[{"segment_id":"3c0d482a-f7c8-42bc-bcd5-b87611ad66ca","max_doc":3,"deletes":null},
                {"segment_id":"98e37984-e436-4b76-8ea2-3568c4d012f7","max_doc":5,"deletes":{"num_deleted_docs":2,"opstamp":17}}],
                "opstamp":20,"payload":"7","schema":[]}"#
                .to_vec(),
        )
        .unwrap();
        assert_eq!(g.commit, 7);
        assert_eq!(g.files.len(), 13);
        assert!(g.files.iter().any(|f| f == "98e37984e4364b768ea23568c4d012f7.17.del"));
        assert!(g.files.iter().all(|f| is_segment_file(f)));
    }
}
