//! Conditional GETs on the read API: every answer of `/api/…` is a function of the index's
//! state, which changes only at a commit, so the commit generation is its version. A `GET`
//! gets `ETag: W/"<boot>-<generation>"` and `Cache-Control: no-cache` (a browser or CDN may keep
//! it but asks again each time), and a request whose `If-None-Match` holds the current tag gets
//! `304 Not Modified` instead of the body.
//!
//! The 304 replaces a 200 the route has answered, never stands in for the route: routing, the
//! token checks and the parameter checks all run first, so `If-None-Match: *` cannot turn a
//! 401, a 400 or a 404 into a 304 (RFC 9110 §13.2.1: a server evaluates a precondition only
//! where the request would otherwise have succeeded). What this costs is the handler's work on
//! a revalidation; the answer cache makes a repeated query cheap, and the bytes not sent are
//! most of what a 304 saves. The boot part (the process start, in
//! nanoseconds) keeps a tag from one run from matching another run's generation of the same
//! number.
//!
//! The generation is read before the handler runs: the body is at least that fresh, so a tag
//! can only be older than its body, never newer, and revalidating it fails safe (a 200).

use super::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::{Arc, OnceLock};

fn boot() -> u64 {
    static BOOT: OnceLock<u64> = OnceLock::new();
    *BOOT.get_or_init(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64))
}

/// The tag of every read answer at `generation`. Weak (`W/`): the same answer is sent
/// plain, gzipped or in brotli, which are equivalent but not byte-equal, and a strong tag
/// would claim they are.
pub fn etag(generation: u64) -> String {
    format!("W/\"{:x}-{generation}\"", boot())
}

/// Whether an `If-None-Match` value names `tag` (a list, either form, or `*`): the weak
/// comparison RFC 9110 prescribes for `If-None-Match`.
fn matches(if_none_match: &str, tag: &str) -> bool {
    let opaque = |t: &str| t.strip_prefix("W/").unwrap_or(t).to_string();
    if_none_match.split(',').map(str::trim).any(|t| t == "*" || opaque(t) == opaque(tag))
}

pub async fn conditional(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let tag = etag(st.engine.generation());
    let fresh = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| matches(v, &tag));
    let mut res = next.run(req).await;
    if fresh && res.status() == StatusCode::OK {
        // Headers of the 200 a 304 must repeat (RFC 9110 §15.4.5) are the ETag and
        // Cache-Control set below; the body and its length and encoding are dropped.
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        if let Some(v) = res.headers().get(header::VARY) {
            not_modified.headers_mut().insert(header::VARY, v.clone());
        }
        res = not_modified;
    }
    if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
        if let Ok(v) = HeaderValue::from_str(&tag) {
            res.headers_mut().insert(header::ETAG, v);
        }
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::{etag, matches};

    #[test]
    fn if_none_match_names_the_tag_in_a_list_weakly_or_by_star() {
        let t = etag(7);
        assert!(matches(&t, &t));
        assert!(matches(&format!("\"x\", {t}"), &t));
        assert!(matches(t.strip_prefix("W/").unwrap(), &t));
        assert!(matches("*", &t));
        assert!(!matches(&etag(8), &t));
    }
}
