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

use super::error::ApiError;
use super::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

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

    /// Runs `work` once a slot is free, or sheds it.
    async fn admit<F: std::future::Future<Output = Response>>(&self, work: F) -> Response {
        let permit = match self.slots.try_acquire() {
            Ok(p) => p,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::AcqRel);
                    return self.refuse("the server is busy: too many searches are waiting");
                }
                let turn = tokio::time::timeout(MAX_WAIT, self.slots.acquire()).await;
                self.waiting.fetch_sub(1, Ordering::AcqRel);
                match turn {
                    Ok(Ok(p)) => p,
                    _ => return self.refuse("the server is busy: no search slot came free in time"),
                }
            }
        };
        let res = work.await;
        drop(permit);
        res
    }

    fn refuse(&self, why: &str) -> Response {
        self.shed.fetch_add(1, Ordering::Relaxed);
        let mut res = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, format!("{why}; try again in a second")).into_response();
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        res
    }
}

/// Middleware: the engine's read routes go through admission; the rest (the page, health,
/// metrics, admin and replication) do not, so that an operator can still see and act on a
/// busy server.
pub async fn admit(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let gated = ["/api/search", "/api/suggest", "/api/dramas/", "/api/top100", "/api/records/"].iter().any(|p| path.starts_with(p))
        && req.method() == axum::http::Method::GET;
    if !gated {
        return next.run(req).await;
    }
    st.admission.admit(next.run(req)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn past_the_running_and_waiting_slots_a_request_is_shed_with_503_and_retry_after() {
        let a = Arc::new(Admission::new(1, 1));
        let (release, hold) = tokio::sync::oneshot::channel::<()>();
        let a1 = a.clone();
        let running = tokio::spawn(async move {
            a1.admit(async move {
                let _ = hold.await;
                StatusCode::OK.into_response()
            })
            .await
        });
        tokio::task::yield_now().await;
        while a.slots.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let a2 = a.clone();
        let waiting = tokio::spawn(async move { a2.admit(async { StatusCode::OK.into_response() }).await });
        while a.waiting.load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        let shed = a.admit(async { StatusCode::OK.into_response() }).await;
        assert_eq!(shed.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(shed.headers()[header::RETRY_AFTER], "1");
        assert_eq!(a.shed(), 1);
        release.send(()).unwrap();
        assert_eq!(running.await.unwrap().status(), StatusCode::OK);
        assert_eq!(waiting.await.unwrap().status(), StatusCode::OK, "the one waiting got its turn");
    }
}
