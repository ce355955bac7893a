//! Where a search's time goes: analysis, the catalogue, the texts, other spellings, merging,
//! loading documents, snippets.
//!
//! The benchmark asks for it ([`measure`]) to show which part a change moved; the service does
//! not (recording is off unless a caller on this thread turned it on, and costs one
//! thread-local read per phase then). Phases nest (the spellings are looked up while the
//! query is analyzed): each phase's time is its own, without the phases inside it, so the
//! phases of a search add up to at most its whole time.

use std::cell::RefCell;
use std::time::{Duration, Instant};

/// A part of a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Cutting the query into words and choosing their terms.
    Analysis,
    /// Dramas and people: their query built and walked.
    Catalogue,
    /// Reviews, comments, votes and posts: counted and their best found.
    Texts,
    /// Other spellings of a name the query holds, and "did you mean".
    Spellings,
    /// Popularity, facets, the kind facet's other kinds, the final order.
    Merge,
    /// Stored documents of the page read.
    Documents,
    /// The page's snippets made.
    Snippets,
}

const PHASES: usize = 7;

/// Microseconds spent in each phase of the searches [`measure`] ran.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Phases {
    pub analysis: f64,
    pub catalogue: f64,
    pub texts: f64,
    pub spellings: f64,
    pub merge: f64,
    pub documents: f64,
    pub snippets: f64,
}

impl std::ops::AddAssign for Phases {
    /// Adds another search's phases: what a caller measuring many searches sums.
    fn add_assign(&mut self, o: Phases) {
        self.analysis += o.analysis;
        self.catalogue += o.catalogue;
        self.texts += o.texts;
        self.spellings += o.spellings;
        self.merge += o.merge;
        self.documents += o.documents;
        self.snippets += o.snippets;
    }
}

impl Phases {
    fn of(totals: &[Duration; PHASES]) -> Phases {
        let us = |i: usize| totals[i].as_secs_f64() * 1e6;
        Phases { analysis: us(0), catalogue: us(1), texts: us(2), spellings: us(3), merge: us(4), documents: us(5), snippets: us(6) }
    }

    /// The sum of the phases.
    pub fn total(&self) -> f64 {
        self.analysis + self.catalogue + self.texts + self.spellings + self.merge + self.documents + self.snippets
    }

    /// Each phase divided by `n` (the mean of `n` searches measured together).
    pub fn per(&self, n: usize) -> Phases {
        let d = n.max(1) as f64;
        Phases {
            analysis: self.analysis / d,
            catalogue: self.catalogue / d,
            texts: self.texts / d,
            spellings: self.spellings / d,
            merge: self.merge / d,
            documents: self.documents / d,
            snippets: self.snippets / d,
        }
    }
}

struct Recording {
    totals: [Duration; PHASES],
    /// The phases open, innermost last, each with when it last resumed.
    open: Vec<(Phase, Instant)>,
}

thread_local! {
    static RECORDING: RefCell<Option<Recording>> = const { RefCell::new(None) };
}

/// Counts the time until the guard is dropped to `phase` (less the phases entered meanwhile),
/// when this thread is recording.
pub fn enter(phase: Phase) -> Entered {
    let on = RECORDING.with(|r| {
        let mut r = r.borrow_mut();
        let Some(rec) = r.as_mut() else { return false };
        let now = Instant::now();
        if let Some(&(outer, since)) = rec.open.last() {
            rec.totals[outer as usize] += now - since;
        }
        rec.open.push((phase, now));
        true
    });
    Entered { on }
}

/// An open phase ([`enter`]); it ends when dropped.
pub struct Entered {
    on: bool,
}

impl Drop for Entered {
    fn drop(&mut self) {
        if !self.on {
            return;
        }
        RECORDING.with(|r| {
            let mut r = r.borrow_mut();
            if let Some(rec) = r.as_mut() {
                let now = Instant::now();
                if let Some((p, since)) = rec.open.pop() {
                    rec.totals[p as usize] += now - since;
                }
                if let Some(last) = rec.open.last_mut() {
                    last.1 = now;
                }
            }
        });
    }
}

/// Runs `f` as `phase` ([`enter`]).
pub fn record<T>(phase: Phase, f: impl FnOnce() -> T) -> T {
    let _in = enter(phase);
    f()
}

/// Runs `f` with this thread recording, and gives its result with the time of each phase.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Phases) {
    let before = RECORDING.with(|r| r.borrow_mut().replace(Recording { totals: [Duration::ZERO; PHASES], open: Vec::new() }));
    let out = f();
    let rec = RECORDING.with(|r| std::mem::replace(&mut *r.borrow_mut(), before));
    (out, rec.map(|r| Phases::of(&r.totals)).unwrap_or_default())
}

/// `f` run `runs` times (at least once), each [`measure`]d: the last result, the mean of each
/// phase, and the mean whole time in microseconds (what no phase covers is the difference).
/// What the benchmark and `examples/phases` report for a query.
pub fn mean_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (T, Phases, f64) {
    let runs = runs.max(1);
    let started = Instant::now();
    let mut sum = Phases::default();
    let mut last = None;
    for _ in 0..runs {
        let (out, p) = measure(&mut f);
        sum += p;
        last = Some(out);
    }
    let whole = started.elapsed().as_secs_f64() * 1e6 / runs as f64;
    (last.expect("at least one run"), sum.per(runs), whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spin(d: Duration) {
        let t = Instant::now();
        while t.elapsed() < d {}
    }

    #[test]
    fn a_nested_phase_is_counted_to_itself_and_not_to_the_phase_around_it() {
        let ((), p) = measure(|| {
            record(Phase::Analysis, || {
                spin(Duration::from_millis(4));
                record(Phase::Spellings, || spin(Duration::from_millis(20)));
            });
            record(Phase::Texts, || spin(Duration::from_millis(2)));
        });
        assert!(p.spellings >= 20_000.0, "{p:?}");
        assert!(p.analysis >= 4_000.0 && p.analysis < 20_000.0, "the spellings' 20 ms are not the analysis': {p:?}");
        assert!(p.texts >= 2_000.0 && p.catalogue == 0.0, "{p:?}");
        // Not recording: nothing is counted, and the work still runs.
        assert_eq!(record(Phase::Merge, || 7), 7);
        let ((), none) = measure(|| ());
        assert_eq!(none, Phases::default());
    }
}
