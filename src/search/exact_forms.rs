//! A text query whose English words are found by their stems, the forms as typed adding their
//! score on top without being walked.
//!
//! `endings` must find a review saying `ending` and rank one saying `endings` first. Required
//! as a union per word (`endings` or `~end`), a two-word query is a conjunction of unions,
//! which tantivy walks match by match: 20 ms where a conjunction of single terms, pruned by
//! block-max WAND, takes under 1 (`high school` at scale 1, issue 26's cost). So each word is
//! required by its stem alone, which review text holds for every form
//! ([`crate::analysis::tokenizer::text_terms`]), and the form as typed is a bonus: its BM25
//! score is added where the document holds it.
//!
//! The words' walk stays pruned because the bonus is bounded by the words' own score. Every
//! occurrence of the form is an occurrence of its stem, in the same text (same length), so
//! the form's BM25 is at most its stem's scaled by the ratio of their idfs: a document scoring
//! `s` by its words scores at most `s · (1 + r)` in all, `r` the largest such ratio. (This
//! takes a form's key to be held only where its stem is: keys fold spellings, so two English
//! words with one key and two stems would break it; the sum of the forms' upper bounds does
//! not rest on it, and is used alone where a form's word is required by more than its stem.) A
//! document whose words score below `threshold / (1 + r)` cannot make the page, and the walk
//! is handed that threshold (or `threshold` less the forms' BM25 upper bounds, if higher).
//! The first page is exactly the one scoring every match would give (`tests/topk.rs`
//! compares them).

use tantivy::query::{Bm25Weight, EnableScoring, Explanation, Query, Scorer, TermQuery, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// `words` (the required part), with each of `exact` adding its BM25 score where it matches.
/// Each exact form comes with its word's stem term, when the word is required by that term
/// alone: what bounds the form's score by the word's.
#[derive(Debug)]
pub struct ExactForms {
    words: Box<dyn Query>,
    exact: Vec<(Term, Option<Term>)>,
}

impl Clone for ExactForms {
    fn clone(&self) -> Self {
        ExactForms { words: self.words.box_clone(), exact: self.exact.clone() }
    }
}

impl ExactForms {
    pub fn new(words: Box<dyn Query>, exact: Vec<(Term, Option<Term>)>) -> ExactForms {
        ExactForms { words, exact }
    }
}

impl Query for ExactForms {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let words = self.words.weight(scoring)?;
        let EnableScoring::Enabled { statistics_provider, .. } = scoring else {
            // Counting: the exact forms decide nothing about what matches.
            return Ok(words);
        };
        let exact = self.exact.iter().map(|(t, _)| TermQuery::new(t.clone(), IndexRecordOption::WithFreqs).weight(scoring)).collect::<tantivy::Result<_>>()?;
        // From the statistics the scores are computed with: each form's BM25 upper bound, and
        // the ratio of its idf to its stem's (the ratio of their upper bounds, one field).
        let max_score = |t: &Term| -> tantivy::Result<Score> { Ok(Bm25Weight::for_terms(statistics_provider, std::slice::from_ref(t))?.max_score()) };
        let (mut bound, mut ratio) = (0.0, 0.0f32);
        for (form, stem) in &self.exact {
            let form = max_score(form)?;
            bound += form;
            ratio = match stem {
                Some(stem) => ratio.max(form / max_score(stem)?.max(Score::MIN_POSITIVE)),
                None => Score::INFINITY,
            };
        }
        Ok(Box::new(ExactFormsWeight { words, exact, bound, ratio }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.words.query_terms(visitor);
        for (t, _) in &self.exact {
            visitor(t, false);
        }
    }
}

struct ExactFormsWeight {
    words: Box<dyn Weight>,
    exact: Vec<Box<dyn Weight>>,
    /// The most the exact forms can add to any document: the sum of their BM25 upper bounds.
    bound: Score,
    /// The most the exact forms can add to a document, as a share of its words' score
    /// (infinite when some form's word is not required by its stem alone).
    ratio: Score,
}

/// The exact forms' scores at `doc`: each scorer is moved forward to it (documents come in
/// increasing order, in a walk as in a scorer).
fn bonus(exact: &mut [Box<dyn Scorer>], doc: DocId) -> Score {
    let mut sum = 0.0;
    for s in exact {
        if s.doc() < doc {
            s.seek(doc);
        }
        if s.doc() == doc {
            sum += s.score();
        }
    }
    sum
}

impl ExactFormsWeight {
    fn exact_scorers(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Vec<Box<dyn Scorer>>> {
        self.exact.iter().map(|w| w.scorer(reader, boost)).collect()
    }

    /// A threshold for the words alone, given one for words and bonus: the higher of
    /// `threshold - bound` and `threshold / (1 + ratio)`, a little lower still, so that
    /// rounding never drops a document that ties.
    fn lowered(&self, threshold: Score) -> Score {
        if self.bound == 0.0 {
            return threshold;
        }
        let mut t = threshold - self.bound;
        if threshold > 0.0 && self.ratio.is_finite() {
            t = t.max(threshold / (1.0 + self.ratio));
        }
        t - t.abs() * 1e-5 - 1e-5
    }
}

impl Weight for ExactFormsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ExactFormsScorer { words: self.words.scorer(reader, boost)?, exact: self.exact_scorers(reader, boost)? }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let words = self.words.explain(reader, doc)?;
        let exact: Vec<Explanation> = self.exact.iter().filter_map(|w| w.explain(reader, doc).ok()).collect();
        let total = words.value() + exact.iter().map(Explanation::value).sum::<Score>();
        let mut e = Explanation::new("the words by their stems, and the forms as typed held", total);
        e.add_detail(words);
        for x in exact {
            e.add_detail(x);
        }
        Ok(e)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.words.count(reader)
    }

    fn for_each_no_score(&self, reader: &SegmentReader, callback: &mut dyn FnMut(&[DocId])) -> tantivy::Result<()> {
        self.words.for_each_no_score(reader, callback)
    }

    fn for_each_pruning(&self, threshold: Score, reader: &SegmentReader, callback: &mut dyn FnMut(DocId, Score) -> Score) -> tantivy::Result<()> {
        let mut exact = self.exact_scorers(reader, 1.0)?;
        self.words.for_each_pruning(self.lowered(threshold), reader, &mut |doc, score| {
            let total = score + bonus(&mut exact, doc);
            self.lowered(callback(doc, total))
        })
    }
}

struct ExactFormsScorer {
    words: Box<dyn Scorer>,
    exact: Vec<Box<dyn Scorer>>,
}

impl DocSet for ExactFormsScorer {
    fn advance(&mut self) -> DocId {
        self.words.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.words.seek(target)
    }

    fn doc(&self) -> DocId {
        self.words.doc()
    }

    fn size_hint(&self) -> u32 {
        self.words.size_hint()
    }

    fn cost(&self) -> u64 {
        self.words.cost()
    }
}

impl Scorer for ExactFormsScorer {
    fn score(&mut self) -> Score {
        let doc = self.words.doc();
        self.words.score() + bonus(&mut self.exact, doc)
    }
}
