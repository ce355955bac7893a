//! Admission: how many searches run at once, and what happens to the rest.
//!
//! Searches are CPU work on a blocking pool of up to 512 threads; on two cores, 512 searches
//! at once do not finish sooner than 4 do, they only make every one of them (and an ordinary
//! visitor's) slower and hold their memory together. So a few run ([`Admission::running`],
//! twice the cores), a few more wait their turn for a short while ([`Admission::waiting`]),
//! and past that a request is shed at once with `503` and `Retry-After: 1` (Meilisearch's
//! single search queue, Elasticsearch's search back-pressure), counted in `/metrics` as
//! `dorama_http_shed_total`. A client that waits longer than [`MAX_WAIT`] for its turn is shed
//! too: by then its answer would be late anyway.
//!
//! Only work is admitted: an answer already in the cache is sent without a slot (it costs a
//! lookup), so a flood of distinct queries slows the flood, not the visitors whose common
//! queries are cached.

use super::error::ApiError;
use axum::http::StatusCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Longest a request waits for its turn before it is shed.
pub const MAX_WAIT: Duration = Duration::from_secs(2);

pub struct Admission {
    slots: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    shed: std::sync::atomic::AtomicU64,
}

impl Admission {
    pub fn new(running: usize, waiting: usize) -> Self {
        Admission { slots: Semaphore::new(running.max(1)), waiting: AtomicUsize::new(0), max_waiting: waiting, shed: Default::default() }
    }

    /// Twice the cores run; eight times the cores wait.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(2 * cores, 8 * cores)
    }

    /// Requests shed since start.
    pub fn shed(&self) -> u64 {
        self.shed.load(Ordering::Relaxed)
    }

    /// A search slot, once one is free; or the 503 that sheds the request.
    pub async fn permit(&self) -> Result<SemaphorePermit<'_>, ApiError> {
        if let Ok(p) = self.slots.try_acquire() {
            return Ok(p);
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(self.refuse("the server is busy: too many searches are waiting"));
        }
        let turn = tokio::time::timeout(MAX_WAIT, self.slots.acquire()).await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        match turn {
            Ok(Ok(p)) => Ok(p),
            _ => Err(self.refuse("the server is busy: no search slot came free in time")),
        }
    }

    fn refuse(&self, why: &str) -> ApiError {
        self.shed.fetch_add(1, Ordering::Relaxed);
        let mut e = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, format!("{why}; try again in a second"));
        e.retry_after = Some(1);
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    #[tokio::test]
    async fn past_the_running_and_waiting_slots_a_request_is_shed_with_503_and_retry_after() {
        let a = Admission::new(1, 1);
        let running = a.permit().await.unwrap();
        let waiting = a.permit();
        tokio::pin!(waiting);
        // Polled once, the second request takes the one waiting place.
        assert!(futures_util::poll!(waiting.as_mut()).is_pending());
        let shed = a.permit().await.unwrap_err();
        assert_eq!(shed.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(shed.into_response().headers()[axum::http::header::RETRY_AFTER], "1");
        assert_eq!(a.shed(), 1);
        drop(running);
        assert!(waiting.await.is_ok(), "the one waiting got its turn");
    }
}
