//! Every word of a text query, each matched by any of its terms (`takayuki` and `yamada` or
//! the reading `~yamada`), walked for the best texts with block-max pruning.
//!
//! tantivy prunes a conjunction of single terms, but a word of several terms is a union to it,
//! and a conjunction holding a union is scored match by match. The romaji person queries are
//! such conjunctions (a romaji name is also the reading of its kanji in Japanese texts), and
//! at scale 10 `takayuki yamada` scored every one of its hundreds of thousands of matches: 41
//! of the search's 56 ms went to texts, where the same words each by one term took 7
//! (`examples/phases`).
//!
//! Here every term is a cursor over its postings' blocks, whose skip data holds each block's
//! best BM25. From a document on, a term adds at most its current block's best up to the
//! block's last document, and nothing before its next document; so up to the least of the
//! terms' block ends (the window), the words' bounds are the sums of their terms' block bests,
//! each term counted only if its next document is in the window. A window whose bound cannot
//! pass the threshold is skipped whole. A word's rare forms (a reading, another script: see
//! [`RARE`]) are bounded apart: where the bound without them cannot pass, only the texts that
//! hold one can, and those few are the window's candidates. Otherwise the rarest word's
//! documents are, each sought in the other words and scored if all hold it. (A candidate's
//! own score is not read first to rule it out: its length norm, a read from anywhere in the
//! segment, costs more than the seeks; `山田孝之` at scale 10 took 4 ms that way where the
//! unpruned walk took 3.) What is kept scores exactly as the walk of
//! [`super::any_term::AnyTerm`] words scores it (the sum of the BM25 of every term a text
//! holds); only the sum's order of addition differs.
//!
//! tantivy keeps the shallow seek of its own pruning (skip data without decoding) to itself:
//! a bound here is read after a seek that decodes the term's block. A term's blocks are
//! decoded once each at most, as a conjunction's walk decodes them; what the pruning saves is
//! the walk and the scoring of the windows it skips.

use super::any_term::AnyTerm;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::BlockSegmentPostings;
use tantivy::query::{Bm25Weight, BooleanQuery, EnableScoring, Explanation, Occur, Query, Scorer, TermQuery, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, SegmentReader, Term, TERMINATED};

/// Every one of `words`, each by any of its terms.
#[derive(Clone, Debug)]
pub struct AllWords {
    words: Vec<Vec<Term>>,
}

impl AllWords {
    pub fn new(words: Vec<Vec<Term>>) -> AllWords {
        AllWords { words }
    }

    /// The same query as tantivy's scorers walk it: what counts, explains and scores a match
    /// outside the pruned walk.
    fn walked(&self) -> BooleanQuery {
        let term = |t: &Term| TermQuery::new(t.clone(), IndexRecordOption::WithFreqs);
        BooleanQuery::new(
            self.words
                .iter()
                .map(|w| -> (Occur, Box<dyn Query>) { (Occur::Must, Box::new(AnyTerm::new(w.iter().map(term).collect()))) })
                .collect(),
        )
    }
}

impl Query for AllWords {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let walked = self.walked().weight(scoring)?;
        let EnableScoring::Enabled { statistics_provider, .. } = scoring else {
            return Ok(walked);
        };
        // Each term's BM25 as its term query computes it (from the same statistics).
        let words = self
            .words
            .iter()
            .map(|w| w.iter().map(|t| Ok((t.clone(), Bm25Weight::for_terms(statistics_provider, std::slice::from_ref(t))?))).collect())
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(AllWordsWeight { walked, words }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for t in self.words.iter().flatten() {
            visitor(t, false);
        }
    }
}

struct AllWordsWeight {
    walked: Box<dyn Weight>,
    words: Vec<Vec<(Term, Bm25Weight)>>,
}

impl AllWordsWeight {
    /// Each word's cursors in `reader`, rarest word first; None when some word has no
    /// document there.
    fn cursors(&self, reader: &SegmentReader) -> tantivy::Result<Option<Vec<Vec<Cursor>>>> {
        let mut words = Vec::with_capacity(self.words.len());
        for w in &self.words {
            let mut cursors = Vec::with_capacity(w.len());
            for (term, bm25) in w {
                let Some(block) = reader.inverted_index(term.field())?.read_block_postings(term, IndexRecordOption::WithFreqs)? else { continue };
                let norms = match reader.fieldnorms_readers().get_field(term.field())? {
                    Some(norms) => norms,
                    None => FieldNormReader::constant(reader.max_doc(), 1),
                };
                let c = Cursor::new(block, norms, bm25.clone());
                if c.doc != TERMINATED {
                    cursors.push(c);
                }
            }
            if cursors.is_empty() {
                return Ok(None);
            }
            let most = cursors.iter().map(|c| c.block.doc_freq()).max().unwrap_or(0);
            for c in &mut cursors {
                c.rare = c.block.doc_freq().saturating_mul(RARE) <= most;
            }
            words.push(cursors);
        }
        words.sort_by_key(|w: &Vec<Cursor>| w.iter().map(|c| u64::from(c.block.doc_freq())).sum::<u64>());
        Ok(Some(words))
    }
}

impl Weight for AllWordsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.walked.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.walked.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.walked.count(reader)
    }

    fn for_each_no_score(&self, reader: &SegmentReader, callback: &mut dyn FnMut(&[DocId])) -> tantivy::Result<()> {
        self.walked.for_each_no_score(reader, callback)
    }

    fn for_each_pruning(&self, threshold: Score, reader: &SegmentReader, callback: &mut dyn FnMut(DocId, Score) -> Score) -> tantivy::Result<()> {
        if let Some(mut words) = self.cursors(reader)? {
            prune(&mut words, threshold, callback);
        }
        Ok(())
    }
}

/// A term of a word is one of its rare forms when the word's commonest term is held by this
/// many times more texts. A rare form's block best is high (a rare term weighs more) and its
/// block spans a long run of documents: counted in every window it reaches, it would keep the
/// bound above the threshold in most of them (`~yamada`, the reading of `山田` in Japanese
/// texts, is in one text in a hundred of those `yamada` is in, and in half the windows).
const RARE: u32 = 8;

/// One term's postings, a block at a time.
struct Cursor {
    block: BlockSegmentPostings,
    /// The position of `doc` in the loaded block.
    at: usize,
    doc: DocId,
    norms: FieldNormReader,
    bm25: Bm25Weight,
    /// A rare form of its word (see [`RARE`]).
    rare: bool,
}

impl Cursor {
    fn new(block: BlockSegmentPostings, norms: FieldNormReader, bm25: Bm25Weight) -> Cursor {
        let doc = if block.block_len() > 0 { block.doc(0) } else { TERMINATED };
        Cursor { block, at: 0, doc, norms, bm25, rare: false }
    }

    /// Moves to the first document at or after `target`.
    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.at = self.block.seek(target);
            self.doc = if self.at < self.block.block_len() { self.block.doc(self.at) } else { TERMINATED };
        }
        self.doc
    }

    fn advance(&mut self) -> DocId {
        self.at += 1;
        if self.at >= self.block.block_len() {
            self.block.advance();
            self.at = 0;
        }
        self.doc = if self.at < self.block.block_len() { self.block.doc(self.at) } else { TERMINATED };
        self.doc
    }

    fn score(&self) -> Score {
        self.bm25.score(self.norms.fieldnorm_id(self.doc), self.block.freq(self.at))
    }

    /// The last document of the loaded block: up to it, the term scores at most
    /// [`Cursor::block_best`].
    fn block_end(&self) -> DocId {
        match self.block.block_len() {
            0 => TERMINATED,
            n => self.block.doc(n - 1),
        }
    }

    fn block_best(&mut self) -> Score {
        self.block.block_max_score(&self.norms, &self.bm25)
    }
}

/// The score of a word at `doc`: the sum over its terms that hold it.
fn word_score(word: &[Cursor], doc: DocId) -> Score {
    word.iter().filter(|c| c.doc == doc).map(Cursor::score).sum()
}

/// The score of `doc` if every word holds it, each word's terms moved to it or past.
fn held_by_all(words: &mut [Vec<Cursor>], doc: DocId) -> Option<Score> {
    for w in words.iter_mut() {
        if w.iter_mut().map(|c| c.seek(doc)).min() != Some(doc) {
            return None;
        }
    }
    Some(words.iter().map(|w| word_score(w, doc)).sum())
}

/// Hands `callback` every document holding every word that scores above the threshold (as it
/// stands, `callback` returning the next one), and skips what cannot. `words` are rarest first,
/// none empty.
fn prune(words: &mut [Vec<Cursor>], mut threshold: Score, callback: &mut dyn FnMut(DocId, Score) -> Score) {
    let most: Score = words.iter().flatten().map(|c| c.bm25.max_score()).sum();
    if most <= threshold {
        return;
    }
    let mut doc: DocId = 0;
    'windows: while doc != TERMINATED {
        // Every term at or past `doc`: the window ends with the first of their blocks to end.
        let mut end = TERMINATED;
        for w in words.iter_mut() {
            let mut left = false;
            for c in w.iter_mut() {
                if c.seek(doc) != TERMINATED {
                    left = true;
                    end = end.min(c.block_end());
                }
            }
            if !left {
                return;
            }
        }
        let (mut bound, mut common) = (0.0 as Score, 0.0 as Score);
        for c in words.iter_mut().flatten().filter(|c| c.doc <= end) {
            let best = c.block_best();
            bound += best;
            if !c.rare {
                common += best;
            }
        }
        if bound <= threshold {
            if end == TERMINATED {
                return;
            }
            doc = end + 1;
            continue;
        }
        if common <= threshold {
            // Only a text holding a rare form can pass: the window's candidates are theirs.
            loop {
                let d = words.iter().flatten().filter(|c| c.rare).map(|c| c.doc).min().unwrap_or(TERMINATED);
                if d == TERMINATED {
                    // No rare form left, and without them nothing passes from here on.
                    if end == TERMINATED {
                        return;
                    }
                    doc = end + 1;
                    continue 'windows;
                }
                if d > end {
                    doc = end + 1;
                    continue 'windows;
                }
                if let Some(score) = held_by_all(words, d) {
                    if score > threshold {
                        threshold = callback(d, score);
                    }
                }
                for c in words.iter_mut().flatten().filter(|c| c.rare && c.doc == d) {
                    c.advance();
                }
                if bound <= threshold {
                    if end == TERMINATED {
                        return;
                    }
                    doc = (d + 1).max(end + 1);
                    continue 'windows;
                }
            }
        }
        let (lead, others) = words.split_first_mut().expect("a word");
        loop {
            let d = lead.iter().map(|c| c.doc).min().unwrap_or(TERMINATED);
            if d == TERMINATED {
                return;
            }
            if d > end {
                doc = d;
                continue 'windows;
            }
            // The other words at `d` first: seeking in blocks already decoded costs less than
            // scoring, whose length norm is a read from anywhere in the segment.
            let mut next = d;
            for w in others.iter_mut() {
                let at = w.iter_mut().map(|c| c.seek(d)).min().unwrap_or(TERMINATED);
                if at > d {
                    next = at;
                    break;
                }
            }
            if next == d {
                let score = word_score(lead, d) + others.iter().map(|w| word_score(w, d)).sum::<Score>();
                if score > threshold {
                    threshold = callback(d, score);
                }
                next = d + 1;
            }
            // On to `next`: the rarest word's terms past what was ruled out.
            for c in lead.iter_mut() {
                if c.doc < next {
                    if c.doc + 1 == next {
                        c.advance();
                    } else {
                        c.seek(next);
                    }
                }
            }
            if bound <= threshold {
                // The threshold rose past this window's bound.
                if end == TERMINATED {
                    return;
                }
                doc = next.max(end + 1);
                continue 'windows;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    /// Documents of words of unequal frequency and unequal lengths over several segments,
    /// some deleted: the best of each query found by the pruned walk, at every page size,
    /// are the best of scoring every match, with the same scores.
    #[test]
    fn the_pruned_walk_keeps_the_best_that_scoring_every_match_keeps() {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut state = 7u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            state >> 33
        };
        for segment in 0..3 {
            for _ in 0..12_000 {
                let r = next();
                let mut words = vec!["filler"; 1 + (r % 40) as usize];
                // `a` common, `b` less, `c` rare, `d` and `e` in between; repeats vary the
                // frequencies within a text.
                for (word, every, repeat) in [("a", 2, 3), ("b", 5, 2), ("c", 97, 4), ("d", 7, 1), ("e", 13, 5)] {
                    let s = next();
                    if s % every == 0 {
                        for _ in 0..=(s / every) % repeat {
                            words.push(word);
                        }
                    }
                }
                writer.add_document(doc!(text => words.join(" "))).unwrap();
            }
            if segment == 1 {
                writer.delete_term(Term::from_field_text(text, "e"));
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        let t = |w: &str| Term::from_field_text(text, w);
        let queries: Vec<Vec<Vec<Term>>> = vec![
            vec![vec![t("a")], vec![t("b"), t("c")]],
            vec![vec![t("a"), t("c")], vec![t("d"), t("e")]],
            vec![vec![t("c"), t("e")], vec![t("a"), t("absent")], vec![t("b")]],
            vec![vec![t("b"), t("d")], vec![t("a"), t("c"), t("e")]],
        ];
        for words in queries {
            let q = AllWords::new(words.clone());
            let (all, n) = searcher.search(&q.walked(), &(TopDocs::with_limit(1_000_000).order_by_score(), Count)).unwrap();
            assert!(n > 100, "{words:?}: {n} matches");
            for k in [1, 10, 50] {
                // A top-k alone is collected by `for_each_pruning`.
                let pruned = searcher.search(&q, &TopDocs::with_limit(k).order_by_score()).unwrap();
                assert_eq!(pruned.len(), k.min(all.len()));
                for (i, ((want, _), (score, addr))) in all.iter().zip(&pruned).enumerate() {
                    assert!((want - score).abs() <= 1e-4 * want.abs(), "{words:?} top {k}, at {i}: {score} against {want}");
                    let exact = all.iter().find(|(_, a)| a == addr).map(|(s, _)| *s);
                    assert!(exact.is_some_and(|s| (s - score).abs() <= 1e-4 * s.abs()), "{words:?}: {addr:?} scored {score}, {exact:?} in the walk");
                }
            }
        }
    }
}
