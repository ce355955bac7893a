//! How text becomes terms, on the index side and the query side alike.
//!
//! One analyzer serves every searchable field, because the site's text mixes scripts freely:
//! a review in English quotes `世界の中心で、愛をさけぶ`, a title has an English, a romaji and a
//! Japanese form. The text is first folded character by character ([`normalize`]), then cut
//! into runs by script:
//!
//! - a Latin run (letters and digits) becomes words, each reduced to its canonical romaji key
//!   ([`romaji::canonical`]), so `Chūshin`, `chushin` and `CHUUSHIN` are one term;
//! - a Japanese run goes through lindera ([`japanese`]); each word is indexed by its surface
//!   (kana folded to katakana) and, at the same position, by the canonical key of its reading,
//!   so `中心` is also `tyusin` and a romaji query finds kanji text.
//!
//! Queries go through the very same function, which is what makes both sides agree.

pub mod dictionary;
pub mod japanese;
pub mod normalize;
pub mod romaji;
pub mod suggest;
pub mod tokenizer;
pub mod variants;

pub use japanese::Japanese;
pub use tokenizer::{analyze, Term, TEXT_TOKENIZER, SUGGEST_TOKENIZER};
