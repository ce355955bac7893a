//! Where the IPADIC dictionary comes from.
//!
//! lindera's `embed-ipadic` feature downloads a tarball from lindera's own host at build time,
//! which these machines cannot reach. Instead the dictionary is built once, at run time, from
//! the IPADIC sources that Debian's `mecab-ipadic` package installs (the same dictionary lindera
//! packages, only EUC-JP encoded), and loaded from disk (memory-mapped) after that. `cargo build`
//! therefore never needs the network, and a machine without the sources gets an error that
//! says how to get them — never a silent fallback to a tokenizer that cannot read Japanese.
//!
//! Resolution order:
//! 1. `DORAMA_DICTIONARY`: a built lindera dictionary directory; it must exist.
//! 2. `target/dictionary/ipadic` under the crate: built on first use from the sources in
//!    `DORAMA_IPADIC_SOURCE` or `/usr/share/mecab/dic/ipadic`.

use lindera::dictionary::{load_fs_dictionary, Dictionary, DictionaryBuilder, Metadata};
use std::path::{Path, PathBuf};

/// lindera-ipadic 6.2's `metadata.json`, with the encoding of Debian's sources.
const IPADIC_METADATA: &str = r#"{
  "name": "ipadic",
  "encoding": "EUC-JP",
  "default_word_cost": -10000,
  "default_left_context_id": 0,
  "default_right_context_id": 0,
  "default_field_value": "*",
  "flexible_csv": true,
  "skip_invalid_cost_or_id": false,
  "normalize_details": true,
  "dictionary_schema": {
    "fields": ["surface", "left_context_id", "right_context_id", "cost", "part_of_speech",
      "part_of_speech_subcategory_1", "part_of_speech_subcategory_2",
      "part_of_speech_subcategory_3", "conjugation_form", "conjugation_type", "base_form",
      "reading", "pronunciation"]
  },
  "user_dictionary_schema": { "fields": ["surface", "part_of_speech", "reading"] }
}"#;

pub const DEBIAN_SOURCE: &str = "/usr/share/mecab/dic/ipadic";

#[derive(Debug, thiserror::Error)]
pub enum DictionaryError {
    #[error(
        "the IPADIC dictionary is missing: {built} does not exist and its sources are not at \
         {src}. Install them with `apt-get install mecab-ipadic` (or run scripts/setup), \
         or point DORAMA_DICTIONARY at a built lindera IPADIC directory"
    )]
    Missing { built: String, src: String },
    #[error("DORAMA_DICTIONARY={0} is not a built lindera dictionary directory")]
    BadOverride(String),
    #[error("building the IPADIC dictionary from {src} failed: {message}")]
    Build { src: String, message: String },
    #[error("loading the IPADIC dictionary from {path} failed: {message}")]
    Load { path: String, message: String },
}

fn default_built_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("dictionary").join("ipadic")
}

fn source_dir() -> PathBuf {
    std::env::var_os("DORAMA_IPADIC_SOURCE").map(PathBuf::from).unwrap_or_else(|| DEBIAN_SOURCE.into())
}

fn is_built(dir: &Path) -> bool {
    dir.join("metadata.json").is_file() && dir.join("dict.words").is_file() && dir.join("matrix.mtx").is_file()
}

/// Builds a dictionary from IPADIC sources into `out`. The build goes to a sibling temporary
/// directory that is renamed into place, so a crash mid-build (or two processes building at
/// once, as parallel test binaries do) never leaves a half-written dictionary behind.
pub fn build(source: &Path, out: &Path) -> Result<(), DictionaryError> {
    let err = |message: String| DictionaryError::Build { src: source.display().to_string(), message };
    if !source.join("matrix.def").is_file() {
        return Err(DictionaryError::Missing {
            built: out.display().to_string(),
            src: source.display().to_string(),
        });
    }
    let metadata: Metadata = serde_json::from_str(IPADIC_METADATA).map_err(|e| err(e.to_string()))?;
    let parent = out.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| err(e.to_string()))?;
    let tmp = parent.join(format!(".ipadic-build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    DictionaryBuilder::new(metadata).build_dictionary(source, &tmp).map_err(|e| err(e.to_string()))?;
    if is_built(out) {
        // Someone else finished first; theirs is as good as ours.
        let _ = std::fs::remove_dir_all(&tmp);
        return Ok(());
    }
    match std::fs::rename(&tmp, out) {
        Ok(()) => Ok(()),
        Err(_) if is_built(out) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Ok(())
        }
        Err(e) => Err(err(e.to_string())),
    }
}

/// Finds (building if need be) and loads the dictionary.
pub fn load() -> Result<Dictionary, DictionaryError> {
    let dir = match std::env::var_os("DORAMA_DICTIONARY") {
        Some(p) => {
            let p = PathBuf::from(p);
            if !is_built(&p) {
                return Err(DictionaryError::BadOverride(p.display().to_string()));
            }
            p
        }
        None => {
            let dir = default_built_dir();
            if !is_built(&dir) {
                tracing::info!(source = %source_dir().display(), out = %dir.display(),
                    "building the IPADIC dictionary (once)");
                build(&source_dir(), &dir)?;
            }
            dir
        }
    };
    load_fs_dictionary(&dir)
        .map_err(|e| DictionaryError::Load { path: dir.display().to_string(), message: e.to_string() })
}
