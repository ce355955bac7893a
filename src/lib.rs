//! dorama-search: search and ranking for a Japanese TV drama community site.
//!
//! Data flows one way, and a module never imports one further along it:
//! records → analysis → catalog → index → search / rank → related → engine → replica → http.

/// Records of the interchange format (NDJSON), their validation and derived ids.
pub mod record;
/// How text becomes terms: folding, Japanese morphology, romaji, type-ahead keys.
pub mod analysis;
/// The dramas in memory and the people derived from their casts.
pub mod catalog;
/// The tantivy index: schema, documents, the single writer.
pub mod index;
/// Queries: full search, forum search, type-ahead, snippets.
pub mod search;
/// Top 100: ratings per (drama, user), the Bayesian score, scopes.
pub mod rank;
/// Related dramas: shared cast, the same slot, co-ratings.
pub mod related;
/// The API's answers as types, and answers serialized once for the cache.
pub mod api;
/// Answers kept serialized, bounded by entries and bytes.
pub mod cache;
/// Ties index, catalog, ratings and cache together; what the CLI and HTTP call.
pub mod engine;
/// Segment replication: the writer's manifest and files, and the replica that copies them.
pub mod replica;
/// Whether an index can be trusted: checksums, references, the rating recount.
pub mod check;
/// The axum service.
pub mod http;
/// A deterministic synthetic corpus for benchmarks.
pub mod corpus;
/// Drama pages of the site, saved as text, turned into records.
pub mod import;
