//! The tantivy index: schema, documents, and the one writer.
//!
//! There is exactly one [`Store`] per index directory at a time: tantivy's writer lock makes a
//! second `serve` or `index` on the same directory fail at once. Every change goes through
//! [`Store::apply`], which commits a whole batch or nothing, and reloads the reader before it
//! returns, so that what was acknowledged is both durable and visible. Readers that need no
//! writer ([`export`], [`snapshot`], [`crate::check`]) open the directory read-only beside it:
//! a commit's files never change, so they read one commit while the writer goes on.

pub mod columns;
pub mod document;
pub mod export;
pub mod generation;
pub mod moved;
pub mod schema;
pub mod snapshot;
mod store;
pub mod stored;
pub(crate) use store::opening;

pub use schema::Fields;
pub use store::{format_mark, visit_ratings, visit_segment_ratings, Batch, Change, DramaWords, IndexError, RatingSink, Store};
pub(crate) use store::{replace_file, sync_dir, write_format};

/// The ratings' file the engine keeps beside the index (`crate::rank::ratings::stored`). The
/// index knows its name only to remove it when it creates a new index in the directory.
pub const RATINGS_FILE: &str = "ratings.bin";
