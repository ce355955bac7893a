//! Running a search and turning documents into hits.

use super::popularity_boost;
use super::query::{self, Features};
use crate::analysis::query::{query_words as read_words, without_glue, QueryWord, TextWord};
use super::snippet::Snippets;
use super::did_you_mean;
use super::spellings;
use super::phases::{self, Phase};
use super::facts::{Fact, Facts};
use super::filter::{DramaFilter, Facet, FacetCounts, FacetValue, Filters, Sort};
use super::topk::{self, Candidate, Counts, Keep, Relation, TOTAL_CAP};
use crate::index::columns::SegmentColumns;
use crate::index::stored::{StoredDoc, StoredValues};
use crate::index::{Fields, Store};
use std::sync::Arc;
use crate::record::Kind;
use serde::Serialize;
use std::collections::BTreeMap;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Order, Searcher, Term};

/// What to search in.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// Everything, or one kind.
    Site(Option<Kind>),
    /// The reviews, comments, votes and posts of one drama.
    Forum(String),
}

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub q: String,
    pub scope: Scope,
    pub limit: usize,
    pub offset: usize,
    pub refine: Refine,
}

/// How a search is narrowed, ordered and counted beyond its words ([`super::filter`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Refine {
    pub filters: Filters,
    pub sort: Sort,
    pub facets: Vec<Facet>,
    /// In a drama's forum: only texts of these kinds (empty: every kind). The site search
    /// takes its one kind in its scope instead.
    pub kinds: Vec<Kind>,
}

/// What a forum keeps of its texts: the kinds asked for, or all.
fn forum_keep(kinds: &[Kind]) -> Keep {
    if kinds.is_empty() {
        Keep::all()
    } else {
        Keep::kinds(kinds.to_vec())
    }
}

/// What a search knows of dramas beyond the index: their ratings (the popularity boost), and
/// the facts that filters, sorts and facets read ([`Facts`]). A closure giving the ratings
/// will do where there are no facts: every drama filter then matches nothing.
pub trait Dramas {
    fn ratings(&self, drama_id: &str) -> u32;
    /// [`Dramas::ratings`] by the [`crate::rank::ratings::key_hash`] of the drama's id, which
    /// the index holds per segment: reading the id itself from the index (its term dictionary)
    /// for each drama of the candidates was a sixth of an English query. None: not known so.
    fn ratings_hashed(&self, _hash: u64) -> Option<u32> {
        None
    }
    fn facts(&self) -> Option<Arc<Facts>> {
        None
    }
}

impl<F: Fn(&str) -> u32> Dramas for F {
    fn ratings(&self, drama_id: &str) -> u32 {
        self(drama_id)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Hit {
    pub kind: Kind,
    pub id: String,
    pub title: Option<String>,
    pub title_ja: Option<String>,
    pub score: f32,
    pub snippet: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drama_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
    /// In a drama's forum search: a post that names no drama, listed because it mentions this
    /// one by a title or alias. Absent otherwise.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mention: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct SearchResults {
    /// Matching documents: exact up to [`TOTAL_CAP`], then [`TOTAL_CAP`] as a lower bound.
    pub total: usize,
    pub total_relation: Relation,
    /// Matches per kind, for the results page's groups; only kinds with a match.
    pub kinds: BTreeMap<&'static str, KindTotal>,
    pub hits: Vec<Hit>,
    /// The facets asked for ([`Refine::facets`]), each its most frequent values first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<BTreeMap<&'static str, Vec<FacetValue>>>,
    /// The query rewritten in words the index knows, when it did not match as typed and the
    /// rewrite does ([`super::did_you_mean`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<String>,
}

/// The matches of one kind: exact, or a lower bound when counting stopped at the cap.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, utoipa::ToSchema)]
pub struct KindTotal {
    pub total: usize,
    pub relation: Relation,
}

impl SearchResults {
    fn empty() -> SearchResults {
        SearchResults { total: 0, total_relation: Relation::Eq, kinds: BTreeMap::new(), hits: vec![], facets: None, did_you_mean: None }
    }
}

/// Extra candidates fetched beyond the page, so the popularity boost can reorder across it.
const RERANK_EXTRA: usize = 50;

/// Which parts of the index a scope searches, and how each part is narrowed.
///
/// Dramas and people (the *catalog*) hold the fixed-score tiers, texts (reviews, comments,
/// votes, posts) only the BM25 one; no document is in both. Each part is searched for its own
/// best candidates and the two lists merged: the union of each part's best `k` holds the best
/// `k` overall, so the page is the one a single query over both would give, while the text
/// part (millions of documents) is a pure term query that block-max WAND can prune.
struct Parts {
    catalog: Option<Keep>,
    text: Option<Keep>,
    /// Forum search: texts about this drama only (a required term, which also makes the walk
    /// follow the drama's own short posting list).
    drama: Option<String>,
}

impl Parts {
    fn of(scope: &Scope, dramas: Option<Arc<DramaFilter>>, forum_kinds: &[Kind]) -> Parts {
        let kinds = |k: Vec<Kind>| Some(Keep::kinds(k).with_dramas(dramas.clone()));
        match scope {
            Scope::Site(None) => Parts { catalog: kinds(CATALOG.to_vec()), text: kinds(TEXTS.to_vec()), drama: None },
            Scope::Site(Some(k @ (Kind::Drama | Kind::Person))) => Parts { catalog: kinds(vec![*k]), text: None, drama: None },
            Scope::Site(Some(k)) => Parts { catalog: None, text: kinds(vec![*k]), drama: None },
            Scope::Forum(d) => Parts { catalog: None, text: Some(forum_keep(forum_kinds).with_dramas(dramas.clone())), drama: Some(d.clone()) },
        }
    }
}

/// A request's [`Refine`] made ready for the walks: the filter resolved, the facts at hand.
struct Narrow<'a> {
    sort: Sort,
    facets: &'a [Facet],
    facts: &'a Facts,
    /// The field a text names its drama by (what `sort=votes` narrows a walk by).
    drama_id: tantivy::schema::Field,
    /// The `date` field, where the index's schema indexes it (what `sort=newest` narrows a
    /// walk by); an index made before it was indexed sorts by reading every match's date.
    date: Option<tantivy::schema::Field>,
}

impl<'n> Narrow<'n> {
    fn walks_all(&self) -> bool {
        self.sort != Sort::Relevance || !self.facets.is_empty()
    }

    /// The walk of one part: `dramas` when the part may keep dramas (whose rating key is a
    /// score, not a column), `floor` the `k`-th best key found by the parts before it.
    fn walk<'b>(&'b self, keep: &'b Keep, k: usize, key: &'b PartKey<'b>, floor: Option<f64>) -> topk::Walk<'b> {
        topk::Walk {
            cap: TOTAL_CAP,
            keep,
            k,
            facets: (!self.facets.is_empty()).then_some(self.facets),
            key: (self.sort != Sort::Relevance).then_some(key as &dyn topk::SortKey),
            floor,
            facts: Some(self.facts),
            stop_at_cap: false,
        }
    }
}

/// The sort key ([`Sort`]) of the documents of one part of a search.
struct PartKey<'a> {
    narrow: &'a Narrow<'a>,
    /// Whether the part may keep dramas.
    dramas: bool,
}

impl topk::SortKey for PartKey<'_> {
    /// A drama's Top 100 score or a text's rating, a date, a drama's counted ratings.
    fn key(&self, cols: &SegmentColumns, doc: tantivy::DocId, fact: Option<&Fact>) -> Option<f64> {
        match self.narrow.sort {
            Sort::Relevance => Some(0.0),
            // A drama's Top 100 score is many fans' weighted mean, a text's rating one fan's:
            // two scales, not one. Dramas come first, by score, then texts, by rating
            // (both are at most 10, so the dramas' keys are raised past every rating).
            Sort::Rating => match self.dramas && cols.kind_index(doc).map(|i| Kind::ALL[i]) == Some(Kind::Drama) {
                true => fact.and_then(|f| self.narrow.facts.score(f)).map(|s| DRAMAS_BEFORE_TEXTS + s),
                false => cols.rating.first(doc).filter(|&r| r > 0).map(|r| r as f64),
            },
            Sort::Newest => cols.date.first(doc).filter(|&d| d > 0).map(|d| d as f64),
            Sort::Votes => fact.map(|f| f.votes as f64),
        }
    }

    fn reads_fact(&self) -> bool {
        match self.narrow.sort {
            Sort::Relevance | Sort::Newest => false,
            Sort::Rating => self.dramas,
            Sort::Votes => true,
        }
    }

    fn bound(&self, cols: &SegmentColumns) -> Option<f64> {
        match self.narrow.sort {
            Sort::Relevance => None,
            Sort::Rating => (!self.dramas).then(|| cols.rating.max_value() as f64),
            Sort::Newest => Some(cols.date.max_value() as f64),
            Sort::Votes => Some(self.narrow.facts.most_votes() as f64),
        }
    }

    /// Under `sort=votes`, the dramas with at least `least` counted ratings: past the count,
    /// a page of the most rated dramas' texts is theirs alone (not where so many dramas
    /// qualify that the term set would cost more than the walk it saves). Under
    /// `sort=newest`, the dates from `least` on: the newest of ten thousand matches are the
    /// last few days' texts.
    fn narrowed(&self, least: f64) -> Option<Box<dyn Query>> {
        const MOST_DRAMAS: usize = 1_000;
        if self.dramas || !least.is_finite() || least < 1.0 {
            return None;
        }
        match self.narrow.sort {
            Sort::Votes => {
                let field = self.narrow.drama_id;
                let ids: Vec<Term> = self.narrow.facts.with_votes_from(least.ceil() as u32).take(MOST_DRAMAS + 1).map(|id| Term::from_field_text(field, id)).collect();
                (ids.len() <= MOST_DRAMAS).then(|| Box::new(tantivy::query::TermSetQuery::new(ids)) as Box<dyn Query>)
            }
            Sort::Newest => {
                let from = Term::from_field_u64(self.narrow.date?, least.ceil() as u64);
                Some(Box::new(tantivy::query::InvertedIndexRangeQuery::new(std::ops::Bound::Included(from), std::ops::Bound::Unbounded)))
            }
            Sort::Relevance | Sort::Rating => None,
        }
    }
}

/// Added to a drama's score under `sort=rating`, past any text's rating (at most 10).
const DRAMAS_BEFORE_TEXTS: f64 = 100.0;

/// The kinds of each part: every document is of exactly one.
const CATALOG: [Kind; 2] = [Kind::Drama, Kind::Person];
const TEXTS: [Kind; 4] = [Kind::Review, Kind::Comment, Kind::Vote, Kind::Post];

/// What one evaluation of a query found: the best candidates of every part merged, best
/// first, the counts of each part and the facet counts of both.
struct Found {
    top: Vec<Candidate>,
    catalog: Counts,
    text: Counts,
    facets: FacetCounts,
}

#[allow(clippy::too_many_arguments)]
fn evaluate(
    searcher: &Searcher,
    columns: &[Arc<SegmentColumns>],
    f: &Fields,
    parts: &Parts,
    tw: &TextWords,
    all: bool,
    features: Features,
    k: usize,
    narrow: &Narrow,
) -> tantivy::Result<(Found, Vec<Box<dyn Query>>)> {
    let mut found = Found { top: Vec::new(), catalog: Counts::default(), text: Counts::default(), facets: FacetCounts::new(narrow.facets.to_vec()) };
    let mut queries: Vec<Box<dyn Query>> = Vec::new();
    if let Some(keep) = &parts.catalog {
        let _in = phases::enter(Phase::Catalogue);
        let q: Box<dyn Query> = Box::new(query::catalog(f, searcher, &tw.words, all, &tw.keys, features));
        let w = topk::weight(searcher, q.as_ref())?;
        if narrow.walks_all() {
            let key = PartKey { narrow, dramas: true };
            let (counts, top, facets) = topk::walk(searcher, columns, w.as_ref(), &narrow.walk(keep, k, &key, None))?;
            found.catalog = counts;
            found.top.extend(top);
            found.facets.merge(&facets);
        } else {
            let (counts, top) = topk::count_and_top(searcher, columns, w.as_ref(), k, TOTAL_CAP, keep)?;
            found.catalog = counts;
            found.top.extend(top);
        }
        queries.push(q);
    }
    if let Some(keep) = &parts.text {
        let _in = phases::enter(Phase::Texts);
        // One walk counts the matches (and facets them), ranking them as it goes, each text
        // by its best score of any query (their maximum, as merging each query's best does).
        // Under a sort key it ranks every match (no pruning serves a key: the best by date may
        // score least), and in a forum too (its queries are filtered by the drama, which
        // nothing prunes). A site's search by relevance stops with the count, at the cap: if
        // it got there, each query's best are found by block-max pruning (term unions and
        // conjunctions, [`super::all_words`] for words of several terms) and merged; with
        // fewer matches, the walk that counted them ranked them, and pruning would only walk
        // them again.
        let each = text_queries(f, parts, tw, all);
        let sorted = narrow.sort != Sort::Relevance;
        let ranks_all = sorted || parts.drama.is_some();
        // Whether the walk that counts ranks too: where it ranks everything, where it facets
        // (the facets cost more than the scores), and where the words' postings say the
        // matches cannot reach the cap. Scoring while counting costs (an English word's form
        // as typed is sought at every match): a plain walk that may reach the cap only
        // counts, and the pruned walks rank.
        let ranks = ranks_all || most_matches(searcher, f, tw, all) <= TOTAL_CAP as u64;
        let best_of: Box<dyn Query> = match each.as_slice() {
            [one] => one.box_clone(),
            many => Box::new(DisjunctionMaxQuery::new(many.iter().map(|q| q.box_clone()).collect())),
        };
        let w = topk::weight(searcher, best_of.as_ref())?;
        let (counts, top) = if narrow.walks_all() {
            // Texts rank below the dramas' page when the dramas found fill it with higher keys
            // (under `sort=rating` a drama's key is raised past every rating).
            let floor = (sorted && found.top.len() >= k).then(|| found.top[k - 1].key);
            let key = PartKey { narrow, dramas: false };
            let walk = topk::Walk { stop_at_cap: !ranks_all, ..narrow.walk(keep, k, &key, floor) };
            let (counts, top, facets) = topk::walk(searcher, columns, w.as_ref(), &walk)?;
            found.facets.merge(&facets);
            (counts, top)
        } else if ranks {
            // Ranking past the cap or, by the words' counts, never reaching it.
            topk::count_and_top(searcher, columns, w.as_ref(), k, TOTAL_CAP, keep)?
        } else {
            // The words' counts overstate a conjunction's matches, often by far (`山田孝之`:
            // 80,000 texts hold 山田, fewer than 10,000 both words): the count keeps what it
            // counts, and if it ends short of the cap, those are ranked.
            let mut counted = Vec::new();
            let counts = topk::count_keeping(searcher, columns, w.as_ref(), TOTAL_CAP, keep, &mut counted)?;
            let top = if counts.capped { Vec::new() } else { topk::rank(searcher, columns, w.as_ref(), &counted, k)? };
            (counts, top)
        };
        let ranked = ranks_all || !counts.capped;
        found.text = counts;
        if ranked {
            found.top.extend(top);
        } else {
            // The page's `k`-th text scores at least the `k`-th best of those counted: each
            // pruned walk starts from that score, and they stay candidates.
            let floor = top.get(k.saturating_sub(1)).map(|c| c.score);
            let mut texts: Vec<Candidate> = top;
            for q in &each {
                texts.extend(topk::top(searcher, columns, topk::weight(searcher, q.as_ref())?.as_ref(), k, keep, floor)?);
            }
            topk::sort_best_first(&mut texts);
            let mut seen = rustc_hash::FxHashSet::default();
            texts.retain(|c| seen.insert(c.addr));
            found.top.extend(texts);
        }
        // Snippets mark what the typed words matched, in every form, and not the words of a
        // name's other spellings: a review found through `Socrates in Love` for `sekachu`
        // must not light up every `love` in it.
        queries.push(query::text_marks(f, &tw.text));
    }
    topk::sort_best_first(&mut found.top);
    found.top.truncate(k);
    Ok((found, queries))
}

/// The most texts the site's text queries can match, from their terms' document counts
/// (deleted documents and every kind counted): every word's (`all`: the least of the words'),
/// over the typed words and each other spelling.
fn most_matches(searcher: &Searcher, f: &Fields, tw: &TextWords, all: bool) -> u64 {
    let held = |t: &String| searcher.doc_freq(&Term::from_field_text(f.text, t)).unwrap_or(u64::MAX);
    std::iter::once(&tw.text)
        .chain(&tw.alternatives)
        .map(|words| {
            let per_word = words.iter().filter(|w| !w.terms.is_empty()).map(|w| w.terms.iter().map(held).fold(0u64, u64::saturating_add));
            if all { per_word.min().unwrap_or(0) } else { per_word.fold(0u64, u64::saturating_add) }
        })
        .fold(0u64, u64::saturating_add)
}

/// The text queries of a search: the typed words and each alternative spelling, in a forum
/// each limited to the drama's texts, and each again over the posts that name no drama but
/// mention this one ([`TextWords::mentions`]).
fn text_queries(f: &Fields, parts: &Parts, tw: &TextWords, all: bool) -> Vec<Box<dyn Query>> {
    let filtered = |q: Box<dyn Query>, filter: Box<dyn Query>| -> Box<dyn Query> {
        Box::new(BooleanQuery::new(vec![(Occur::Must, q), (Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0)))]))
    };
    let spellings = || std::iter::once(&tw.text).chain(&tw.alternatives);
    let Some(d) = &parts.drama else {
        return spellings().map(|w| query::text(f, w, all)).collect();
    };
    let mut out: Vec<Box<dyn Query>> = spellings()
        .map(|w| filtered(query::text(f, w, all), Box::new(TermQuery::new(Term::from_field_text(f.drama_id, d), IndexRecordOption::Basic))))
        .collect();
    if let Some(mentions) = mentioning(f, &tw.mentions) {
        out.extend(spellings().map(|w| filtered(query::text(f, w, all), mentions.box_clone())));
    }
    out
}

/// The posts with no drama that name one of `names` (every word of it), if there are names.
fn mentioning(f: &Fields, names: &[Vec<TextWord>]) -> Option<Box<dyn Query>> {
    if names.is_empty() {
        return None;
    }
    let unlinked = TermQuery::new(Term::from_field_text(f.tags, crate::index::schema::UNLINKED), IndexRecordOption::Basic);
    let any_name = BooleanQuery::new(names.iter().map(|n| (Occur::Should, query::text(f, n, true))).collect());
    Some(Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(unlinked) as Box<dyn Query>),
        (Occur::Must, Box::new(any_name)),
    ])))
}

/// What a query searches for, its words analyzed once.
#[derive(Debug, Clone, Default)]
pub struct TextWords {
    /// The typed words (glue words dropped): what dramas and people are matched by.
    pub words: Vec<QueryWord>,
    /// The terms texts are searched by, a word at a time ([`query::text_lookup`]).
    pub text: Vec<TextWord>,
    /// The type-ahead keys of the whole query (its whole-name match).
    pub keys: Vec<String>,
    /// The query with a name it holds written another way ([`super::spellings`]), each
    /// searching texts by other terms than `text`.
    pub alternatives: Vec<Vec<TextWord>>,
    /// In a drama's forum, the text terms of each of the drama's names: a post that names no
    /// drama but all the words of one of these is in the forum too, marked as a mention.
    /// Shared with the store's cache of them ([`Store::drama_words`]).
    pub mentions: Arc<crate::index::DramaWords>,
}

/// The terms a text query looks words up by, as a set: two spellings with the same set search
/// texts alike.
fn text_key(words: &[TextWord]) -> Vec<String> {
    let mut k: Vec<String> = words.iter().flat_map(TextWord::all_terms).cloned().collect();
    k.sort_unstable();
    k.dedup();
    k
}

/// The text terms of each text that has words and searches texts otherwise than any before it
/// (`seen` holds the [`text_key`]s of those). With a searcher, the terms are those texts hold
/// ([`query::text_lookup`]); without, every text term of every word (kept in a cache that
/// outlives the searcher).
fn distinct_words(
    jp: &crate::analysis::Japanese,
    searcher: Option<(&Searcher, &Fields)>,
    texts: impl IntoIterator<Item = String>,
    seen: &mut Vec<Vec<String>>,
) -> Vec<Vec<TextWord>> {
    let mut out = Vec::new();
    for text in texts {
        let cut = crate::analysis::tokenizer::words(jp, &text);
        let all = read_words(jp, &cut);
        let ws: Vec<TextWord> = match searcher {
            Some((s, f)) => query::text_lookup(s, f, &all),
            None => without_glue(all).into_iter().map(|w| TextWord { terms: w.text, exact: w.exact }).collect(),
        };
        let key = text_key(&ws);
        if !ws.is_empty() && !seen.contains(&key) {
            seen.push(key);
            out.push(ws);
        }
    }
    out
}

/// Analyzes a request's query: its words, whole-name keys, other spellings and (in a forum)
/// the forum drama's names.
pub fn text_words(store: &Store, searcher: &Searcher, req: &SearchRequest, features: Features) -> TextWords {
    let jp = store.japanese();
    let f = store.fields();
    let cut = crate::analysis::tokenizer::words(jp, &req.q);
    let keys = crate::analysis::suggest::whole_name_keys(&cut);
    let alternatives = if features.spellings { phases::record(Phase::Spellings, || spellings::alternatives(store, searcher, &req.q, &cut)) } else { Vec::new() };
    let mut all = read_words(jp, &cut);
    let (text, runs) = query::text_lookup_runs(searcher, f, &all);
    // A run of kana made only of glue words that texts read whole as a word (`せかい`, which
    // IPADIC cuts `セ` `カイ`) is that word in the catalogue too, read as its romaji: `せかい
    // soundtrack` must find the drama titled `sekai` by both words, not by `soundtrack` alone.
    let glue_runs: Vec<&query::RunReadWhole> = runs.iter().filter(|r| all[r.words.clone()].iter().all(|w| w.glue)).collect();
    for run in glue_runs.into_iter().rev() {
        let read: Vec<QueryWord> = run.keys.iter().flat_map(|k| read_words(jp, &crate::analysis::tokenizer::words(jp, k))).map(|w| QueryWord { glue: false, ..w }).collect();
        if !read.is_empty() {
            all.splice(run.words.clone(), read);
        }
    }
    let words = without_glue(all);
    let alternatives = phases::record(Phase::Spellings, || distinct_words(jp, Some((searcher, f)), alternatives, &mut vec![text_key(&text)]));
    let mut tw = TextWords { words, text, keys, alternatives, mentions: Default::default() };
    // The drama's names find the posts that name no drama but mention it; where the index
    // holds no such post there is nothing for them to find, and their queries (every name,
    // each a conjunction of its words) were most of the cost of a forum search.
    let unlinked = Term::from_field_text(f.tags, crate::index::schema::UNLINKED);
    if let (Scope::Forum(d), true) = (&req.scope, searcher.doc_freq(&unlinked).map_or(true, |n| n > 0)) {
        let names = store.drama_words(searcher, d, |drama| distinct_words(jp, None, spellings::names_of(drama), &mut Vec::new()));
        if let Ok(Some(names)) = names {
            tw.mentions = names;
        }
    }
    tw
}

/// Runs a search. `dramas` gives the number of ratings of a drama (the popularity boost) and
/// the facts its filters, sorts and facets read.
pub fn search(store: &Store, req: &SearchRequest, dramas: &dyn Dramas) -> tantivy::Result<SearchResults> {
    search_with(store, req, dramas, Features::ALL)
}

/// [`search`] with a choice of cross-script features (the benchmark compares them on and off).
pub fn search_with(
    store: &Store,
    req: &SearchRequest,
    dramas: &dyn Dramas,
    features: Features,
) -> tantivy::Result<SearchResults> {
    let (mut res, typed) = search_inner(store, req, dramas, features)?;
    // "Did you mean" for the search box: only when the query did not match as typed, and only
    // a rewrite that does and finds at least as much.
    if let (Scope::Site(_), Typed::No { candidates }) = (&req.scope, typed) {
        let searcher = store.searcher();
        let rewritten = phases::record(Phase::Spellings, || did_you_mean::rewrite(store, &searcher, &req.q, &candidates));
        if let Some(rewritten) = rewritten {
            let probe = SearchRequest { q: rewritten.clone(), limit: 1, offset: 0, ..req.clone() };
            let (found, typed) = search_inner(store, &probe, dramas, features)?;
            if matches!(typed, Typed::Yes) && found.total > 0 && found.total >= res.total {
                res.did_you_mean = Some(rewritten);
            }
        }
    }
    Ok(res)
}

/// Whether a query matched as typed: some document has every word, each word as typed (not
/// only through a typo of it). If not, the dramas and people it found, best first, whose
/// names a rewrite is taken from.
enum Typed {
    Yes,
    No { candidates: Vec<DocAddress> },
}

fn search_inner(
    store: &Store,
    req: &SearchRequest,
    dramas: &dyn Dramas,
    features: Features,
) -> tantivy::Result<(SearchResults, Typed)> {
    // `limit == 0` is a request for the totals and facets alone: everything runs but the page.
    let facts = if req.refine == Refine::default() { Arc::new(Facts::default()) } else { dramas.facts().unwrap_or_default() };
    let filter = (!req.refine.filters.is_empty()).then(|| Arc::new(DramaFilter::new(&req.refine.filters, facts.clone())));
    let searcher = store.searcher();
    let f = store.fields();
    let date = Some(f.date).filter(|&d| searcher.schema().get_field_entry(d).is_indexed());
    let narrow = Narrow { sort: req.refine.sort, facets: &req.refine.facets, facts: &facts, drama_id: f.drama_id, date };
    let tw = phases::record(Phase::Analysis, || text_words(store, &searcher, req, features));
    let forum = matches!(req.scope, Scope::Forum(_));
    if tw.words.is_empty() {
        // Forum search with no words lists the drama's forum, newest first: its own texts and
        // the posts that mention it.
        let Scope::Forum(d) = &req.scope else {
            return Ok((SearchResults::empty(), Typed::Yes));
        };
        let own = BooleanQuery::new(vec![
            (Occur::Must, Box::new(TermQuery::new(Term::from_field_text(f.drama_id, d), IndexRecordOption::Basic)) as Box<dyn Query>),
            (Occur::MustNot, Box::new(TermQuery::new(Term::from_field_text(f.kind, Kind::Drama.as_str()), IndexRecordOption::Basic))),
        ]);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, Box::new(own))];
        clauses.extend(mentioning(f, &tw.mentions).map(|m| (Occur::Should, m)));
        let mut forum = BooleanQuery::new(clauses);
        if !req.refine.kinds.is_empty() {
            // The newest-first listing below reads this query alone, not `keep`.
            let kinds = req.refine.kinds.iter().map(|k| (Occur::Should, Box::new(TermQuery::new(Term::from_field_text(f.kind, k.as_str()), IndexRecordOption::Basic)) as Box<dyn Query>)).collect();
            forum = BooleanQuery::new(vec![(Occur::Must, Box::new(forum) as Box<dyn Query>), (Occur::Must, Box::new(BooleanQuery::new(kinds)))]);
        }
        let columns = store.columns().for_searcher(&searcher)?;
        let keep = forum_keep(&req.refine.kinds).with_dramas(filter);
        // A listing without a query has nothing to mark (not the title words that bring in
        // the posts mentioning the drama).
        let snippets = KindSnippets::new(&searcher, &BooleanQuery::new(Vec::new()), f, &[]);
        if narrow.walks_all() {
            // Every text scores alike here: a sort key orders them, ties newest first.
            let key = PartKey { narrow: &narrow, dramas: false };
            let k = req.offset + req.limit;
            let (counts, top, facets) = phases::record(Phase::Texts, || topk::walk(&searcher, &columns, topk::weight(&searcher, &forum)?.as_ref(), &narrow.walk(&keep, k, &key, None)))?;
            let page = top.into_iter().skip(req.offset).take(req.limit).map(|c| (c.score, c.addr));
            let hits = hits_of(store, &searcher, page, &snippets, true)?;
            return Ok((results_of(&Counts::default(), &counts, hits, facet_values(&narrow, &facets)), Typed::Yes));
        }
        let listing = phases::enter(Phase::Texts);
        let counts = topk::count(&searcher, &columns, topk::weight(&searcher, &forum)?.as_ref(), TOTAL_CAP, &keep)?;
        let top = if req.limit == 0 {
            Vec::new() // tantivy's TopDocs takes no empty page
        } else {
            searcher.search(&forum, &TopDocs::with_limit(req.limit).and_offset(req.offset).order_by_u64_field("seq", Order::Desc))?
        };
        drop(listing);
        let hits = hits_of(store, &searcher, top.into_iter().map(|(_, addr)| (0.0, addr)), &snippets, true)?;
        return Ok((results_of(&Counts::default(), &counts, hits, None), Typed::Yes));
    }

    let parts = Parts::of(&req.scope, filter.clone(), &req.refine.kinds);
    let k = req.offset + req.limit + RERANK_EXTRA;
    let columns = store.columns().for_searcher(&searcher)?;
    let (mut found, mut queries) = evaluate(&searcher, &columns, f, &parts, &tw, true, features, k, &narrow)?;
    let mut every_word = found.catalog.total + found.text.total > 0;
    if !every_word && tw.words.len().max(tw.text.len()) > 1 {
        (found, queries) = evaluate(&searcher, &columns, f, &parts, &tw, false, features, k, &narrow)?;
    }
    let all = every_word || tw.words.len().max(tw.text.len()) <= 1;
    let merging = phases::enter(Phase::Merge);
    every_word = every_word && did_you_mean::words_known(&searcher, f, &tw.words);
    // The kind facet, like the others, is counted without its own filter: with `kind=review`
    // the page still offers dramas and comments, with their counts.
    if let (Scope::Site(Some(kind)), true) = (&req.scope, req.refine.facets.contains(&Facet::Kind)) {
        let others = other_kinds(&searcher, &columns, f, &tw, all, features, *kind, filter)?;
        found.facets.add_kinds(&others.by_kind);
    }
    let facets = facet_values(&narrow, &found.facets);
    // The popularity boost reads the drama id from its fast field: no stored document is
    // loaded for a candidate that does not make the page. Candidates about the same drama
    // share its ordinal: the id is looked up once per drama.
    let mut drama = String::new();
    let mut boosts: rustc_hash::FxHashMap<(u32, u64), f32> = Default::default();
    let mut scored: Vec<Candidate> = Vec::with_capacity(found.top.len());
    for &Candidate { key, score, tie, addr } in &found.top {
        if narrow.sort != Sort::Relevance {
            // Boosted in the walk already, where the sort key was read.
            scored.push(Candidate { key, score, tie, addr });
            continue;
        }
        let cols = &columns[addr.segment_ord as usize];
        if let Some(n) = cols.drama_key(addr.doc_id).and_then(|k| dramas.ratings_hashed(k)) {
            scored.push(Candidate { key, score: score * popularity_boost(n), tie, addr });
            continue;
        }
        let col = cols.drama_id.as_ref();
        let ord = col.and_then(|c| c.term_ords(addr.doc_id).next());
        let boost = match (col, ord) {
            (Some(col), Some(o)) => match boosts.get(&(addr.segment_ord, o)) {
                Some(&b) => b,
                None => {
                    drama.clear();
                    col.ord_to_str(o, &mut drama)?;
                    let b = popularity_boost(dramas.ratings(&drama));
                    boosts.insert((addr.segment_ord, o), b);
                    b
                }
            },
            _ => 1.0,
        };
        scored.push(Candidate { key, score: score * boost, tie, addr });
    }
    topk::sort_best_first(&mut scored);
    let typed: Vec<&str> = req.q.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let marks = BooleanQuery::new(queries.into_iter().map(|q| (Occur::Should, q)).collect());
    let snippets = phases::record(Phase::Snippets, || KindSnippets::new(&searcher, &marks, f, &typed));
    let typed = if every_word {
        Typed::Yes
    } else {
        let catalog = |c: &&Candidate| columns[c.addr.segment_ord as usize].kind_index(c.addr.doc_id).is_some_and(|k| CATALOG.contains(&Kind::ALL[k]));
        Typed::No { candidates: scored.iter().filter(catalog).take(did_you_mean::CANDIDATES).map(|c| c.addr).collect() }
    };
    drop(merging);
    let page = scored.into_iter().skip(req.offset).take(req.limit).map(|c| (c.score, c.addr));
    let hits = hits_of(store, &searcher, page, &snippets, forum)?;
    Ok((results_of(&found.catalog, &found.text, hits, facets), typed))
}

/// Matches of every kind but `kind`, counted (up to the cap) per kind: the rest of the kind
/// facet of a search narrowed to `kind`.
#[allow(clippy::too_many_arguments)]
fn other_kinds(
    searcher: &Searcher,
    columns: &[Arc<SegmentColumns>],
    f: &Fields,
    tw: &TextWords,
    all: bool,
    features: Features,
    kind: Kind,
    filter: Option<Arc<DramaFilter>>,
) -> tantivy::Result<Counts> {
    let except = |kinds: &[Kind]| -> Vec<Kind> { kinds.iter().copied().filter(|k| *k != kind).collect() };
    let mut counts = Counts::default();
    let catalog = except(&CATALOG);
    if !catalog.is_empty() {
        let q = query::catalog(f, searcher, &tw.words, all, &tw.keys, features);
        let keep = Keep::kinds(catalog).with_dramas(filter.clone());
        counts = counts.add(&topk::count(searcher, columns, topk::weight(searcher, &q)?.as_ref(), TOTAL_CAP, &keep)?);
    }
    let texts = except(&TEXTS);
    if !texts.is_empty() {
        let parts = Parts { catalog: None, text: None, drama: None };
        let each = text_queries(f, &parts, tw, all);
        let union = BooleanQuery::new(each.into_iter().map(|q| (Occur::Should, q)).collect());
        let keep = Keep::kinds(texts).with_dramas(filter);
        counts = counts.add(&topk::count(searcher, columns, topk::weight(searcher, &union)?.as_ref(), TOTAL_CAP, &keep)?);
    }
    Ok(counts)
}

/// The facet values to answer with, when facets were asked for.
fn facet_values(narrow: &Narrow, counts: &FacetCounts) -> Option<BTreeMap<&'static str, Vec<FacetValue>>> {
    (!narrow.facets.is_empty()).then(|| counts.values(narrow.facts))
}

/// Totals from the counts of the two parts: each kind belongs to one part, and is a lower
/// bound when its part's count stopped at the cap.
fn results_of(catalog: &Counts, text: &Counts, hits: Vec<Hit>, facets: Option<BTreeMap<&'static str, Vec<FacetValue>>>) -> SearchResults {
    let all = catalog.add(text);
    let mut kinds = BTreeMap::new();
    for (i, kind) in Kind::ALL.iter().enumerate() {
        let part = if CATALOG.contains(kind) { catalog } else { text };
        if all.by_kind[i] > 0 {
            kinds.insert(kind.as_str(), KindTotal { total: all.by_kind[i], relation: part.relation() });
        }
    }
    let (total, total_relation) =
        if all.capped || all.total > TOTAL_CAP { (TOTAL_CAP, Relation::Gte) } else { (all.total, Relation::Eq) };
    SearchResults { total, total_relation, kinds, hits, facets, did_you_mean: None }
}

/// Snippet fields by kind: a review is shown from its text, a drama from its synopsis, cast or
/// titles, a person from their roles or names. Each hit runs the analyzer over those fields
/// only, not over all four.
struct KindSnippets {
    text: Snippets,
    drama: Snippets,
    person: Snippets,
}

impl KindSnippets {
    fn new(searcher: &tantivy::Searcher, query: &dyn Query, f: &crate::index::Fields, typed: &[&str]) -> Self {
        KindSnippets {
            text: Snippets::new(searcher, query, &[f.text], typed),
            drama: Snippets::new(searcher, query, &[f.synopsis, f.cast, f.names], typed),
            person: Snippets::new(searcher, query, &[f.cast, f.names], typed),
        }
    }

    fn for_kind(&self, kind: Kind) -> &Snippets {
        match kind {
            Kind::Drama => &self.drama,
            Kind::Person => &self.person,
            _ => &self.text,
        }
    }
}

/// The words of a query (glue words dropped) and the type-ahead keys of the whole query. The
/// query is cut once: its words give both.
pub fn query_words(jp: &crate::analysis::Japanese, q: &str) -> (Vec<QueryWord>, Vec<String>) {
    let cut = crate::analysis::tokenizer::words(jp, q);
    let keys = crate::analysis::suggest::whole_name_keys(&cut);
    (without_glue(read_words(jp, &cut)), keys)
}

/// Loads the documents of a page of results and turns them into hits.
fn hits_of(
    store: &Store,
    searcher: &tantivy::Searcher,
    page: impl Iterator<Item = (f32, DocAddress)>,
    snippets: &KindSnippets,
    forum: bool,
) -> tantivy::Result<Vec<Hit>> {
    let mut hits = Vec::new();
    for (score, addr) in page {
        let doc = phases::record(Phase::Documents, || store.stored(searcher, addr))?;
        hits.extend(phases::record(Phase::Snippets, || hit_of(store, addr, &doc, score, snippets, forum)));
    }
    Ok(hits)
}

fn hit_of(store: &Store, addr: DocAddress, doc: &StoredDoc, score: f32, snippets: &KindSnippets, forum: bool) -> Option<Hit> {
    let f = store.fields();
    let s = |field| doc.text(field).map(str::to_string);
    let kind = Kind::parse(doc.text(f.kind)?)?;
    let rating = doc.number(f.rating).filter(|&r| r > 0).map(|r| r as u8);
    let drama_id = s(f.drama_id).filter(|_| kind != Kind::Drama);
    Some(Hit {
        // In a drama's forum, a post about no drama is there because it mentions this one.
        mention: forum && kind == Kind::Post && drama_id.is_none(),
        kind,
        id: s(f.id)?,
        title: s(f.title),
        title_ja: s(f.title_ja),
        score,
        // Only dramas and people carry stored tokens.
        snippet: snippets.for_kind(kind).html(addr, doc, crate::index::document::Tokens::stored(f, doc).as_ref()),
        drama_id,
        author: s(f.author),
        rating,
    })
}
