//! The tantivy schema: which field holds what, and how each is analyzed.
//!
//! Searchable text is split into *tiers* rather than one field per source field, because
//! ranking is decided by tier (a title or alias match beats a cast match beats a synopsis
//! match beats review text; see `crate::search`), and one analyzer reads every script:
//!
//! | field      | holds                                                        |
//! |------------|--------------------------------------------------------------|
//! | `names`    | drama titles in every script and aliases; a person's names    |
//! | `cast`     | actors, characters and songs of a drama; a person's roles     |
//! | `synopsis` | a drama's synopsis, station and season                        |
//! | `text`     | reviews, comments, votes, forum posts                         |
//! | `suggest`  | type-ahead keys (dramas and people only)                      |
//! | `tokens`   | stored only: the analyzed `names`, `cast`, `synopsis` of dramas and people |

use crate::analysis::tokenizer::{SuggestTokenizer, TextTokenizer};
use crate::analysis::{Japanese, NAMES_TOKENIZER, SUGGEST_TOKENIZER, TEXT_TOKENIZER};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED,
    STRING,
};
use tantivy::Index;

#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// `kind:id`, the identity a replacement or delete goes by.
    pub key: Field,
    pub kind: Field,
    pub id: Field,
    pub drama_id: Field,
    pub author: Field,
    /// 0 when the record has no rating.
    pub rating: Field,
    /// Ingest order; "the last rating ingested wins" is decided by it.
    pub seq: Field,
    /// The order among equal scores, higher first ([`crate::index::document::tie_order`]):
    /// dramas and people by the shorter name, then ingest order; texts by ingest order.
    pub tie: Field,
    /// When, as `YYYYMMDD` (0: not known): a drama's start, a review's, comment's or post's
    /// date. What `sort=newest` orders by.
    pub date: Field,
    pub names: Field,
    pub cast: Field,
    pub synopsis: Field,
    pub text: Field,
    pub suggest: Field,
    /// The whole-name keys of every title, alias and person name
    /// ([`crate::analysis::suggest::whole_keys`]): a query equal to one covers that name whole.
    pub exact: Field,
    /// The whole-name keys of the characters a person plays, in both scripts, and of each part
    /// of a name ([`crate::analysis::names`]): how a query that
    /// names a character finds the role, to search texts for its other spelling as well
    /// ([`crate::search::spellings`]). Not scored: a character is not the person's name.
    pub role_keys: Field,
    /// Index-only marks of a document's situation: [`UNLINKED`] on a forum post that names no
    /// drama (the posts a drama's forum search finds by the names they mention).
    pub tags: Field,
    pub title: Field,
    pub title_ja: Field,
    /// The record as JSON, returned by `GET /api/records/{kind}/{id}`.
    pub record: Field,
    /// A drama's or person's tier fields as analyzed at index time ([`super::document::Tokens`]),
    /// so that marking a snippet of one does not run the analyzer again.
    pub tokens: Field,
}

/// The [`Fields::tags`] value of a post with no `drama_id`.
pub const UNLINKED: &str = "unlinked";

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(NAMES_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    // Review, comment and post text is searched by terms alone (BM25 needs frequencies, not
    // positions) and its snippets are marked by analysis: recording every word's position of
    // millions of texts cost indexing time and the largest file of the index for nothing.
    let text_without_positions = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(TEXT_TOKENIZER).set_index_option(IndexRecordOption::WithFreqs),
    );
    let suggest = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(SUGGEST_TOKENIZER)
            .set_index_option(IndexRecordOption::Basic),
    );
    let num = NumericOptions::default().set_fast().set_stored().set_indexed();
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED | FAST),
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        id: b.add_text_field("id", STRING | STORED),
        drama_id: b.add_text_field("drama_id", STRING | STORED | FAST),
        author: b.add_text_field("author", STRING | STORED | FAST),
        rating: b.add_u64_field("rating", num.clone()),
        seq: b.add_u64_field("seq", num),
        // Indexed as well: past the count, a walk by `sort=newest` leaps along the dates that
        // can still make the page (`crate::search::results`) instead of reading every match's.
        date: b.add_u64_field("date", NumericOptions::default().set_fast().set_indexed()),
        tie: b.add_u64_field("tie", NumericOptions::default().set_fast()),
        names: b.add_text_field("names", text.clone()),
        cast: b.add_text_field("cast", text.clone()),
        synopsis: b.add_text_field("synopsis", text.clone()),
        text: b.add_text_field("text", text_without_positions),
        suggest: b.add_text_field("suggest", suggest),
        exact: b.add_text_field("exact", tantivy::schema::STRING),
        role_keys: b.add_text_field("role_keys", tantivy::schema::STRING),
        tags: b.add_text_field("tags", tantivy::schema::STRING),
        title: b.add_text_field("title", STORED),
        title_ja: b.add_text_field("title_ja", STORED),
        record: b.add_text_field("record", STORED),
        tokens: b.add_text_field("tokens", STORED),
    };
    (b.build(), fields)
}

/// Fields of an existing index, by name; an index written by another schema is refused.
pub fn fields_of(schema: &Schema) -> Result<Fields, String> {
    let f = |name: &str| schema.get_field(name).map_err(|_| format!("the index has no field {name:?}"));
    Ok(Fields {
        key: f("key")?,
        kind: f("kind")?,
        id: f("id")?,
        drama_id: f("drama_id")?,
        author: f("author")?,
        rating: f("rating")?,
        seq: f("seq")?,
        date: f("date")?,
        tie: f("tie")?,
        names: f("names")?,
        cast: f("cast")?,
        synopsis: f("synopsis")?,
        text: f("text")?,
        suggest: f("suggest")?,
        exact: f("exact")?,
        role_keys: f("role_keys")?,
        tags: f("tags")?,
        title: f("title")?,
        title_ja: f("title_ja")?,
        record: f("record")?,
        tokens: f("tokens")?,
    })
}

/// Registers our analyzers on an index; every index handle needs this before use.
pub fn register_tokenizers(index: &Index, jp: &Japanese) {
    index.tokenizers().register(TEXT_TOKENIZER, TextTokenizer::new(jp.clone()));
    index.tokenizers().register(NAMES_TOKENIZER, TextTokenizer::names(jp.clone()));
    index.tokenizers().register(SUGGEST_TOKENIZER, SuggestTokenizer);
}
