//! A word of a text query matched by any of its terms (`yamada` and the reading `~yamada`,
//! `山田` and `+ヤマダ`), scored as a union of their term queries is: the sum of the BM25 of
//! the terms a text holds.
//!
//! Inside a conjunction, tantivy's union is seeked by the other words' postings, and each
//! seek past its window of 4,096 documents refills the window from every term's postings:
//! the union was read almost whole however rare the other words were. Here a seek seeks each
//! term's postings, which skip by block. `takayuki yamada` spent two thirds of its texts
//! refilling that window.

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, TermQuery, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// Any of `terms`, each a BM25 term query with frequencies.
#[derive(Clone, Debug)]
pub struct AnyTerm {
    terms: Vec<TermQuery>,
}

impl AnyTerm {
    pub fn new(terms: Vec<TermQuery>) -> AnyTerm {
        AnyTerm { terms }
    }
}

impl Query for AnyTerm {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self.terms.iter().map(|t| t.weight(scoring)).collect::<tantivy::Result<_>>()?;
        Ok(Box::new(AnyTermWeight { weights }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for t in &self.terms {
            t.query_terms(visitor);
        }
    }
}

struct AnyTermWeight {
    weights: Vec<Box<dyn Weight>>,
}

impl Weight for AnyTermWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut held: Vec<Box<dyn Scorer>> = Vec::with_capacity(self.weights.len());
        for w in &self.weights {
            let s = w.scorer(reader, boost)?;
            if s.doc() != TERMINATED {
                held.push(s);
            }
        }
        Ok(match held.len() {
            0 => Box::new(EmptyScorer),
            1 => held.pop().expect("one scorer"),
            _ => Box::new(AnyTermScorer::new(held)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut s = self.scorer(reader, 1.0)?;
        if s.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!("document {doc} does not match")));
        }
        Ok(Explanation::new("any of the word's terms", s.score()))
    }
}

/// The union of a few term scorers, positioned on the least document any of them is on.
struct AnyTermScorer {
    terms: Vec<Box<dyn Scorer>>,
    doc: DocId,
}

impl AnyTermScorer {
    fn new(terms: Vec<Box<dyn Scorer>>) -> AnyTermScorer {
        let doc = terms.iter().map(|t| t.doc()).min().unwrap_or(TERMINATED);
        AnyTermScorer { terms, doc }
    }

    fn least(&self) -> DocId {
        self.terms.iter().map(|t| t.doc()).min().unwrap_or(TERMINATED)
    }
}

impl DocSet for AnyTermScorer {
    fn advance(&mut self) -> DocId {
        let at = self.doc;
        for t in &mut self.terms {
            if t.doc() == at {
                t.advance();
            }
        }
        self.doc = self.least();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for t in &mut self.terms {
            if t.doc() < target {
                t.seek(target);
            }
        }
        self.doc = self.least();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.terms.iter().map(|t| t.size_hint()).fold(0u32, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.terms.iter().map(|t| t.cost()).sum()
    }
}

impl Scorer for AnyTermScorer {
    fn score(&mut self) -> Score {
        let at = self.doc;
        self.terms.iter_mut().filter(|t| t.doc() == at).map(|t| t.score()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, Occur};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index};

    #[test]
    fn a_word_of_several_terms_matches_and_scores_as_the_union_of_its_term_queries() {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // Words of unequal frequency, so that seeks skip blocks and windows: `x` rare, `y`
        // and `z` common, some documents holding both.
        let mut state = 11u64;
        for _ in 0..20_000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let r = state >> 33;
            let mut words = vec!["filler"];
            if r % 7 == 0 { words.push("x"); }
            if r % 3 == 0 { words.push("y"); }
            if r % 5 < 2 { words.push("z"); }
            if r % 11 == 0 { words.extend(["y", "y"]); }
            writer.add_document(doc!(text => words.join(" "))).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |w: &str| TermQuery::new(Term::from_field_text(text, w), IndexRecordOption::WithFreqs);
        let both = |word: Box<dyn Query>| BooleanQuery::new(vec![(Occur::Must, Box::new(term("x")) as Box<dyn Query>), (Occur::Must, word)]);
        let ours = both(Box::new(AnyTerm::new(vec![term("y"), term("z"), term("absent")])));
        let union = both(Box::new(BooleanQuery::new(vec![(Occur::Should, Box::new(term("y")) as Box<dyn Query>), (Occur::Should, Box::new(term("z")))])));
        let all = |q: &dyn Query| {
            let (mut top, n) = searcher.search(q, &(TopDocs::with_limit(100_000).order_by_score(), Count)).unwrap();
            top.sort_by_key(|(_, a)| *a);
            (top, n)
        };
        let ((got, n), (want, m)) = (all(&ours), all(&union));
        assert_eq!(n, m);
        assert!(n > 500, "{n} matches");
        for ((a, da), (b, db)) in got.iter().zip(&want) {
            assert_eq!(da, db);
            assert!((a - b).abs() <= 1e-5 * b.abs(), "{da:?}: {a} against {b}");
        }
        // Alone, too (advanced, not seeked).
        let alone = AnyTerm::new(vec![term("y"), term("z")]);
        let either = BooleanQuery::new(vec![(Occur::Should, Box::new(term("y")) as Box<dyn Query>), (Occur::Should, Box::new(term("z")))]);
        assert_eq!(all(&alone).1, all(&either).1);
    }
}
