//! The catalogue query ([`super::query::catalog`]) evaluated from its terms' postings, each
//! read whole into a list, instead of by tantivy's tree of scorers.
//!
//! Dramas and people are scored by fixed tiers: a word scores the best tier any of its terms
//! matches, a document the sum of its words, plus its best whole-name reading and a title's
//! bonus. As a tantivy query that is a conjunction of disjunctions of constant scores, walked
//! by seeking: about 170 ns a match (`takayuki yamada` at scale 1: 4,546 matches, 0.75 ms, a
//! fifth of the query). The same sums come from sorted lists merged in one pass each, and a
//! term's postings decode whole at a few ns a document; the walk then reads a plain list.
//!
//! [`CatalogQuery::tree`] builds the tantivy query of the same description: what the lists are
//! tested against (`tests/catalog_lists.rs`), document by document and score by score.

use std::sync::Arc;
use tantivy::query::{
    AutomatonWeight, BooleanQuery, ConstScoreQuery, DfaWrapper, DisjunctionMaxQuery, EmptyScorer, EnableScoring, Explanation, Occur, Query,
    Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// One query word: the best of `terms` (each with its tier's score) and of the terms each
/// typo automaton reaches in its fields.
#[derive(Clone, Debug, Default)]
pub struct Word {
    pub terms: Vec<(Term, Score)>,
    pub typos: Vec<Typos>,
}

/// The terms of a field within a Levenshtein automaton's reach, each scoring `score`.
#[derive(Clone)]
pub struct Typos {
    pub field: Field,
    pub dfa: Arc<DfaWrapper>,
    pub score: Score,
}

impl std::fmt::Debug for Typos {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(out, "Typos({:?}, {})", self.field, self.score)
    }
}

/// Any of `terms`, scoring `score` however many match.
#[derive(Clone, Debug)]
pub struct AnyOf {
    pub terms: Vec<Term>,
    pub score: Score,
}

/// The catalogue query: the words (every one required when `all`, else any), summed; plus the
/// best of the `whole` readings that match and the `titled` bonus. A document matches when
/// its words do or any reading or title does.
#[derive(Clone, Debug)]
pub struct CatalogQuery {
    pub words: Vec<Word>,
    pub all: bool,
    pub whole: Vec<AnyOf>,
    pub titled: Option<AnyOf>,
}

/// A sorted list of documents and their scores.
type List = Vec<(DocId, Score)>;

impl CatalogQuery {
    /// The same query as tantivy's tree of scorers.
    pub fn tree(&self) -> Box<dyn Query> {
        let occur = if self.all { Occur::Must } else { Occur::Should };
        let by_words: Box<dyn Query> = Box::new(BooleanQuery::new(
            self.words
                .iter()
                .map(|w| {
                    let mut best: Vec<Box<dyn Query>> = w
                        .terms
                        .iter()
                        .map(|(t, s)| -> Box<dyn Query> { Box::new(ConstScoreQuery::new(Box::new(TermQuery::new(t.clone(), IndexRecordOption::Basic)), *s)) })
                        .collect();
                    best.extend(w.typos.iter().map(|t| -> Box<dyn Query> { Box::new(ConstScoreQuery::new(Box::new(TyposQuery(t.clone())), t.score)) }));
                    (occur, Box::new(DisjunctionMaxQuery::new(best)) as Box<dyn Query>)
                })
                .collect(),
        ));
        if self.whole.is_empty() && self.titled.is_none() {
            return by_words;
        }
        let any_of = |a: &AnyOf| -> Box<dyn Query> {
            let terms = a.terms.iter().map(|t| -> Box<dyn Query> { Box::new(TermQuery::new(t.clone(), IndexRecordOption::Basic)) }).collect();
            Box::new(ConstScoreQuery::new(Box::new(DisjunctionMaxQuery::new(terms)), a.score))
        };
        let mut clauses = vec![(Occur::Should, by_words)];
        if !self.whole.is_empty() {
            clauses.push((Occur::Should, Box::new(DisjunctionMaxQuery::new(self.whole.iter().map(any_of).collect()))));
        }
        clauses.extend(self.titled.iter().map(|t| (Occur::Should, any_of(t))));
        Box::new(BooleanQuery::new(clauses))
    }

    /// The matches of one segment, in document order, with their scores.
    fn list(&self, reader: &SegmentReader) -> tantivy::Result<List> {
        let mut by_words: Option<List> = None;
        for w in &self.words {
            let word = word_list(reader, w)?;
            by_words = Some(match by_words {
                None => word,
                Some(sum) if self.all => both(&sum, &word),
                Some(sum) => either(&sum, &word, |a, b| a + b),
            });
            if self.all && by_words.as_ref().is_some_and(Vec::is_empty) {
                break;
            }
        }
        let mut out = by_words.unwrap_or_default();
        if !self.whole.is_empty() {
            let mut best: List = Vec::new();
            for a in &self.whole {
                best = either(&best, &any_list(reader, a)?, Score::max);
            }
            out = either(&out, &best, |a, b| a + b);
        }
        if let Some(t) = &self.titled {
            out = either(&out, &any_list(reader, t)?, |a, b| a + b);
        }
        Ok(out)
    }
}

/// A word's matches: each document's best score among its terms and typos.
fn word_list(reader: &SegmentReader, w: &Word) -> tantivy::Result<List> {
    let mut best: List = Vec::new();
    for (term, score) in &w.terms {
        let docs = postings(reader, term)?;
        best = either(&best, &docs.iter().map(|&d| (d, *score)).collect::<List>(), Score::max);
    }
    for t in &w.typos {
        let index = reader.inverted_index(t.field)?;
        let mut stream = index.terms().search(t.dfa.as_ref()).into_stream()?;
        let mut docs: Vec<DocId> = Vec::new();
        while stream.advance() {
            read_whole(index.read_block_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)?, &mut docs);
        }
        docs.sort_unstable();
        docs.dedup();
        best = either(&best, &docs.iter().map(|&d| (d, t.score)).collect::<List>(), Score::max);
    }
    Ok(best)
}

/// The documents any of `a`'s terms holds, each scoring `a.score`.
fn any_list(reader: &SegmentReader, a: &AnyOf) -> tantivy::Result<List> {
    let mut out: List = Vec::new();
    for term in &a.terms {
        let docs: List = postings(reader, term)?.into_iter().map(|d| (d, a.score)).collect();
        out = either(&out, &docs, Score::max);
    }
    Ok(out)
}

/// Every document holding `term` in this segment (deleted ones too, as a scorer's), in order.
fn postings(reader: &SegmentReader, term: &Term) -> tantivy::Result<Vec<DocId>> {
    let index = reader.inverted_index(term.field())?;
    let Some(block) = index.read_block_postings(term, IndexRecordOption::Basic)? else { return Ok(Vec::new()) };
    let mut docs = Vec::with_capacity(block.doc_freq() as usize);
    read_whole(block, &mut docs);
    Ok(docs)
}

/// Appends every document of `block`'s postings to `docs`, a block of them at a time.
fn read_whole(mut block: tantivy::postings::BlockSegmentPostings, docs: &mut Vec<DocId>) {
    while !block.docs().is_empty() {
        docs.extend_from_slice(block.docs());
        block.advance();
    }
}

/// The union of two lists, a document in both scoring `join` of its two scores.
fn either(a: &[(DocId, Score)], b: &[(DocId, Score)], join: impl Fn(Score, Score) -> Score) -> List {
    if a.is_empty() {
        return b.to_vec();
    }
    if b.is_empty() {
        return a.to_vec();
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (da, sa) = a[i];
        let (db, sb) = b[j];
        if da < db {
            out.push((da, sa));
            i += 1;
        } else if db < da {
            out.push((db, sb));
            j += 1;
        } else {
            out.push((da, join(sa, sb)));
            i += 1;
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The documents in both lists, each scoring the sum of its two scores.
fn both(a: &[(DocId, Score)], b: &[(DocId, Score)]) -> List {
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (da, sa) = a[i];
        let (db, sb) = b[j];
        if da < db {
            i += 1;
        } else if db < da {
            j += 1;
        } else {
            out.push((da, sa + sb));
            i += 1;
            j += 1;
        }
    }
    out
}

impl Query for CatalogQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(CatalogWeight(self.clone())))
    }

    /// Every term looked up as written (a typo's reach is not a term of the query, as with
    /// tantivy's automaton queries): what snippets mark in names and casts.
    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for w in &self.words {
            for (t, _) in &w.terms {
                visitor(t, false);
            }
        }
        for a in self.whole.iter().chain(&self.titled) {
            for t in &a.terms {
                visitor(t, false);
            }
        }
    }
}

struct CatalogWeight(CatalogQuery);

impl Weight for CatalogWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut list = self.0.list(reader)?;
        if list.is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        if boost != 1.0 {
            list.iter_mut().for_each(|(_, s)| *s *= boost);
        }
        Ok(Box::new(ListScorer { list, at: 0 }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let list = self.0.list(reader)?;
        match list.binary_search_by_key(&doc, |&(d, _)| d) {
            Ok(i) => Ok(Explanation::new("catalogue tiers: the sum of each word's best tier, the best whole-name reading, the title's bonus", list[i].1)),
            Err(_) => Err(tantivy::TantivyError::InvalidArgument(format!("document {doc} does not match"))),
        }
    }
}

/// A list's documents and scores as a scorer.
struct ListScorer {
    list: List,
    at: usize,
}

impl DocSet for ListScorer {
    fn advance(&mut self) -> DocId {
        self.at += 1;
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() < target {
            self.at += self.list[self.at..].partition_point(|&(d, _)| d < target);
        }
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.list.get(self.at).map_or(TERMINATED, |&(d, _)| d)
    }

    fn size_hint(&self) -> u32 {
        (self.list.len() - self.at.min(self.list.len())) as u32
    }
}

impl Scorer for ListScorer {
    fn score(&mut self) -> Score {
        self.list.get(self.at).map_or(0.0, |&(_, s)| s)
    }
}

/// [`Typos`] as a tantivy query: its automaton's terms in its field.
#[derive(Clone, Debug)]
struct TyposQuery(Typos);

impl Query for TyposQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(AutomatonWeight::<DfaWrapper>::new(self.0.field, self.0.dfa.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::{both, either};

    #[test]
    fn lists_merge_as_a_union_and_an_intersection_of_documents() {
        let a = [(1, 1.0), (3, 2.0), (7, 4.0)];
        let b = [(3, 10.0), (4, 20.0), (7, 40.0), (9, 80.0)];
        assert_eq!(either(&a, &b, f32::max), vec![(1, 1.0), (3, 10.0), (4, 20.0), (7, 40.0), (9, 80.0)]);
        assert_eq!(either(&a, &b, |x, y| x + y), vec![(1, 1.0), (3, 12.0), (4, 20.0), (7, 44.0), (9, 80.0)]);
        assert_eq!(both(&a, &b), vec![(3, 12.0), (7, 44.0)]);
        assert_eq!(both(&a, &[]), vec![]);
        assert_eq!(either(&[], &b, f32::max), b.to_vec());
    }
}
