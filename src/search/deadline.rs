//! A search's deadline, checked by the search itself while it walks matches.
//!
//! A request's timeout answers the client with 408, but the search it started would go on,
//! holding a core, until it ends on its own. So each search runs under a deadline, set on its
//! thread before it starts ([`Deadline::start`]), which the walks over matches
//! ([`super::topk`]) look at every [`EVERY`] documents: past it, they stop, and the engine
//! answers that the search ran out of time instead of a result it did not finish.
//!
//! Thread-local, because a search runs start to end on one blocking thread, and the walks are
//! many calls deep: passing a deadline through every signature would say nothing more.

use std::cell::Cell;
use std::time::Instant;

/// How many documents a walk takes between two looks at the clock (a look costs tens of
/// nanoseconds; 4,096 documents cost tens of microseconds).
pub const EVERY: u32 = 4096;

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    static EXPIRED: Cell<bool> = const { Cell::new(false) };
}

/// The deadline of the search running on this thread, until dropped.
pub struct Deadline(());

impl Deadline {
    pub fn start(at: Option<Instant>) -> Deadline {
        DEADLINE.with(|d| d.set(at));
        EXPIRED.with(|e| e.set(false));
        Deadline(())
    }

    /// Whether a walk stopped because the deadline passed.
    pub fn expired(&self) -> bool {
        EXPIRED.with(Cell::get)
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(None));
        EXPIRED.with(|e| e.set(false));
    }
}

/// Whether the running search is past its deadline (and, if so, marks it expired). Called by
/// the walks every [`EVERY`] documents.
pub fn passed() -> bool {
    let over = DEADLINE.with(Cell::get).is_some_and(|d| Instant::now() >= d);
    if over {
        EXPIRED.with(|e| e.set(true));
    }
    over
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_holds_for_its_search_only() {
        assert!(!passed(), "no search, no deadline");
        {
            let d = Deadline::start(Some(Instant::now()));
            assert!(passed());
            assert!(d.expired());
        }
        assert!(!passed(), "the next search starts afresh");
        let d = Deadline::start(Some(Instant::now() + std::time::Duration::from_secs(60)));
        assert!(!passed() && !d.expired());
    }
}
