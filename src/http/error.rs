//! The one error type of the HTTP layer: every failure is an [`ErrorBody`] (`message`, a
//! stable `code`, its `type`) with a status.
//! Client mistakes are 4xx with a message that says what to change; an internal failure is
//! logged in full and answered with a 500 that leaks nothing.

use crate::api::{ErrorBody, ErrorCode};
use crate::engine::EngineError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// Seconds after which the request may be sent again (`Retry-After`), for a shed request.
    pub retry_after: Option<u32>,
    /// The code, when more precise than the status's own ([`ErrorCode::of_status`]).
    pub code: Option<ErrorCode>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError { status, message: message.into(), retry_after: None, code: None }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
    /// The same error under a more precise code.
    pub fn with_code(mut self, code: ErrorCode) -> Self {
        self.code = Some(code);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.code.unwrap_or_else(|| ErrorCode::of_status(self.status.as_u16()));
        let body = ErrorBody { message: self.message.clone(), code, kind: code.kind(), error: self.message };
        let mut res = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        res
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Line(l) => ApiError::bad_request(l.to_string()).with_code(ErrorCode::InvalidRecord),
            EngineError::Invalid(m) => ApiError::bad_request(m),
            e @ EngineError::Deadline(_) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()).with_code(ErrorCode::DeadlineExceeded),
            other if out_of_space(&other) => {
                tracing::error!(error = %other, "the index's disk is full");
                ApiError::new(
                    StatusCode::INSUFFICIENT_STORAGE,
                    "the index's disk is full: nothing of this batch was applied or acknowledged; free space and send it again",
                )
            }
            other => {
                tracing::error!(error = %other, "internal error");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error; see the server log")
            }
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        tracing::error!(error = %e, "worker task failed");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error; see the server log")
    }
}

/// Whether an error comes from a full disk (`ENOSPC`). tantivy wraps the I/O error in its own
/// types (an `Arc<io::Error>`, an error inside an `io::Error`), not always as a `source`, so the
/// chain is walked through every wrapping known, and the message of the whole chain is the
/// last resort: Rust renders `ENOSPC` as `(os error 28)` on Linux.
pub fn out_of_space(e: &(dyn std::error::Error + 'static)) -> bool {
    fn io_full(io: &std::io::Error) -> bool {
        io.raw_os_error() == Some(libc::ENOSPC)
            || io.kind() == std::io::ErrorKind::StorageFull
            || io.get_ref().is_some_and(|inner| out_of_space(inner))
    }
    let mut chain = Some(e);
    let mut text = String::new();
    while let Some(err) = chain {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io_full(io) {
                return true;
            }
        }
        if let Some(io) = err.downcast_ref::<std::sync::Arc<std::io::Error>>() {
            if io_full(io) {
                return true;
            }
        }
        text.push_str(&err.to_string());
        chain = err.source();
    }
    // A worker thread's error may reach us only as its debug rendering inside another message
    // (`IoError(Custom { .. Os { code: 28, kind: StorageFull, .. } })`).
    let debug = format!("{e:?}");
    text.contains(&format!("(os error {})", libc::ENOSPC))
        || [&text, &debug].iter().any(|t| t.contains("No space left on device") || t.contains("StorageFull"))
}
