//! dorama-search: search and ranking for a Japanese TV drama community site.
//!
//! Data flows one way, and a module never imports one further along it:
//! records → analysis → index → search / rank → engine → http.

/// Records of the interchange format (NDJSON), their validation and derived ids.
pub mod record;
/// How text becomes terms: folding, Japanese morphology, romaji, type-ahead keys.
pub mod analysis;
