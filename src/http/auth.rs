//! The admin token. Compared in constant time, never logged; with no token configured the
//! admin endpoints are closed to everyone.

use super::error::ApiError;
use axum::http::{HeaderMap, StatusCode};

/// Compares in constant time (`subtle`): the work is over the expected token's length whatever
/// was given, so timing tells neither how much of a guess was right nor whether its length was.
pub fn constant_time_eq(given: &[u8], expected: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    let padded: Vec<u8> = (0..expected.len()).map(|i| given.get(i).copied().unwrap_or(0)).collect();
    let same_len = (given.len() as u64).ct_eq(&(expected.len() as u64));
    (padded.as_slice().ct_eq(expected) & same_len).into()
}

/// Checks `Authorization: Bearer <token>` against the configured admin token.
pub fn require_admin(configured: Option<&str>, headers: &HeaderMap) -> Result<(), ApiError> {
    require_token(configured, headers, "admin endpoints are disabled: the server has no DORAMA_ADMIN_TOKEN", "admin")
}

/// Checks `Authorization: Bearer <token>` against `DORAMA_REPLICATION_TOKEN`: replicas read
/// every file of the index, so the writer serves them only to a holder of this token.
pub fn require_replication(configured: Option<&str>, headers: &HeaderMap) -> Result<(), ApiError> {
    require_token(configured, headers, "replication is disabled: the writer has no DORAMA_REPLICATION_TOKEN", "replication")
}

/// Whether the request carries `expected` as its bearer token (constant time), without an
/// error for when it does not: for deciding how to treat a request, not whether to serve it.
pub fn require_token_quietly(expected: &str, headers: &HeaderMap) -> bool {
    bearer(headers).is_some_and(|g| constant_time_eq(g.as_bytes(), expected.as_bytes()))
}

/// The token of an `Authorization: Bearer <token>` header, trimmed.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

fn require_token(configured: Option<&str>, headers: &HeaderMap, disabled: &str, what: &str) -> Result<(), ApiError> {
    let Some(expected) = configured else {
        return Err(ApiError::new(StatusCode::FORBIDDEN, disabled));
    };
    match bearer(headers) {
        Some(g) if constant_time_eq(g.as_bytes(), expected.as_bytes()) => Ok(()),
        Some(_) => Err(ApiError::new(StatusCode::UNAUTHORIZED, format!("wrong {what} token")).with_code(crate::api::ErrorCode::InvalidToken)),
        None => Err(ApiError::new(StatusCode::UNAUTHORIZED, "missing Authorization: Bearer <token>").with_code(crate::api::ErrorCode::MissingToken)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_agrees_with_eq() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
        assert!(!constant_time_eq(b"", b"x"));
        assert!(!constant_time_eq(b"x", b""));
        assert!(constant_time_eq(b"", b""));
        assert!(!constant_time_eq(b"secret\0", b"secret"), "a padded guess is not the token");
        assert!(!constant_time_eq(b"secre", b"secret"));
    }
}

/// Refuses a write on a read-only replica with 405, naming the writer to send it to.
pub fn require_writer(st: &super::AppState) -> Result<(), ApiError> {
    if !st.engine.store().read_only() {
        return Ok(());
    }
    let to = st.writer_url.as_deref().map(|u| format!(" at {u}")).unwrap_or_default();
    Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, format!("this server is a read-only replica: send writes to the writer{to}")).with_code(crate::api::ErrorCode::ReadOnlyReplica))
}
