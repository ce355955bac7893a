//! Queries over the index: full search, forum search inside one drama, and type-ahead.
//!
//! # How a query is scored
//!
//! 1. The query text goes through the same analyzer as the index ([`crate::analysis`]), giving
//!    words; each word may have several terms (a Japanese word: its surface and its reading).
//! 2. Each word must match ([`query::catalog`], [`query::text`]): in any tier, by any of its terms. A word scores
//!    the score of the best tier it matches in (once, not once per tier): **names 400**
//!    (titles in every script, aliases, a person's name) > **cast 150** (actors, characters,
//!    songs) > **synopsis 50** > **text**
//!    (reviews, comments, votes, posts), which scores BM25. The fixed tier scores sit above
//!    anything BM25 gives one word, so the tier order holds whatever the text's length or
//!    the word's rarity; BM25 orders texts among themselves, where how well a long text
//!    matches is what counts. (Fixed scores, not BM25, for the short tiers also because BM25's
//!    length normalization is computed over all documents, most of which have no title.)
//!    In texts a word is looked up by the terms its script calls for
//!    ([`crate::analysis::query`], [`query::text_lookup`]): a kanji word by its dictionary
//!    form (and its kana spelling, where some text has it), a kana or romaji word by its
//!    reading, an English word by its stem (its form as typed adding its score where held,
//!    [`exact_forms`]); mostly one term a word, since texts hold millions of documents and a
//!    plain conjunction (or union) of BM25 terms is what block-max WAND prunes ([`topk`]).
//!    Dramas and people, which alone hold the fixed tiers, are scored exhaustively; the two
//!    parts are searched apart and their best candidates merged, which gives the page one
//!    query over both would give.
//!    A query equal to a whole title, alias or person name (its whole-name key, the `exact`
//!    field) adds [`query::EXACT_NAME`] on top: covering a name beats holding its words.
//!    A query that names a drama, person or character whole also searches texts for the
//!    name's other spellings ([`spellings`]), each a text query of its own merged like the
//!    parts; a drama's forum also holds the posts about no drama that name it.
//! 3. If no document has every word, the query is retried with any word matching, so a long
//!    query with one stray word still finds something.
//! 4. Popularity: among the best candidates, each score is multiplied by
//!    `1 + 0.1·ln(1 + ratings)` (ratings of the drama, or of the drama a review is about), a
//!    small boost that orders similar matches; it would take thousands of ratings to lift a
//!    one-tier-lower match over a higher one with one word.

mod all_words;
mod any_term;
pub mod catalog_lists;
pub mod deadline;
pub mod did_you_mean;
pub mod exact_forms;
pub mod facts;
pub mod filter;
pub mod phases;
pub mod query;
mod results;
pub mod snippet;
pub mod spellings;
pub mod suggest;
pub mod topk;

pub use query::Features;
pub use results::{query_words, search, search_with, text_words, Dramas, Hit, KindTotal, Refine, Scope, SearchRequest, SearchResults, TextWords};
pub use filter::{Facet, Filters, Sort};
pub use topk::{Relation, TOTAL_CAP};
pub use suggest::{suggest, Suggestion};

/// The boost a drama with `ratings` ratings gets (see the module doc).
pub fn popularity_boost(ratings: u32) -> f32 {
    1.0 + 0.1 * (1.0 + ratings as f32).ln()
}
