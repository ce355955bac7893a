//! A value another thread is still building, waited for by the first use that needs it.
//!
//! The ratings opened from their file ([`crate::rank::ratings`]) are the reason: searches and
//! the Top 100 read only the per-drama aggregates, which the file holds ready, so the server
//! answers them at once while the tables a change goes through (record key → row, the pair
//! winners, the users) are rebuilt beside it. A write, a recount or a co-rating waits for them.

use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

pub struct Deferred<T> {
    ready: OnceLock<T>,
    /// The thread building the value, until the first use takes its result.
    building: Mutex<Option<JoinHandle<T>>>,
}

impl<T> Deferred<T> {
    /// A value there from the start.
    pub fn ready(value: T) -> Self {
        Deferred { ready: OnceLock::from(value), building: Mutex::new(None) }
    }

    /// The value `build` returns, built on a thread of its own from now on.
    pub fn build(name: &str, build: impl FnOnce() -> T + Send + 'static) -> Self
    where
        T: Send + 'static,
    {
        let handle = std::thread::Builder::new().name(name.into()).spawn(build).expect("a thread can be started");
        Deferred { ready: OnceLock::new(), building: Mutex::new(Some(handle)) }
    }

    /// Whether the value is there without waiting.
    pub fn is_ready(&self) -> bool {
        self.ready.get().is_some() || self.building.lock().unwrap_or_else(|p| p.into_inner()).as_ref().is_some_and(|h| h.is_finished())
    }

    /// The value, waiting for its thread if it is still building. Callers that arrive together
    /// wait together: the first takes the thread's result, the others get it from that one.
    pub fn get(&self) -> &T {
        self.ready.get_or_init(|| {
            let handle = self.building.lock().unwrap_or_else(|p| p.into_inner()).take();
            let handle = handle.expect("a deferred value has either a value or a thread building it");
            // The builder does not panic on data it was handed (its caller checked it); if it
            // did, that panic is this caller's.
            handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }

    pub fn get_mut(&mut self) -> &mut T {
        self.get();
        self.ready.get_mut().expect("get just set it")
    }
}

impl<T: Default> Default for Deferred<T> {
    fn default() -> Self {
        Deferred::ready(T::default())
    }
}

/// A copy is of the finished value: it waits for the build.
impl<T: Clone> Clone for Deferred<T> {
    fn clone(&self) -> Self {
        Deferred::ready(self.get().clone())
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Deferred<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.ready.get() {
            Some(v) => v.fmt(f),
            None => f.write_str("Deferred(building)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deferred_value_is_what_its_thread_built_for_every_caller() {
        let (tx, rx) = std::sync::mpsc::channel::<u32>();
        let d = Deferred::build("test", move || rx.recv().unwrap() * 2);
        assert!(!d.is_ready(), "its thread waits for the channel");
        tx.send(21).unwrap();
        let seen: Vec<u32> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..4).map(|_| s.spawn(|| *d.get())).collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(seen, vec![42; 4]);
        assert!(d.is_ready());
        let mut d = d;
        *d.get_mut() += 1;
        assert_eq!((*d.get(), *d.clone().get()), (43, 43));
    }
}
