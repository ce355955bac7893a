//! Answers already serialized ([`Encoded`]) go out as they are: a cached search is copied
//! into the response, not turned back into values and serialized again.

use crate::api::Encoded;
use axum::http::header;
use axum::response::{IntoResponse, Response};

impl<T> IntoResponse for Encoded<T> {
    fn into_response(self) -> Response {
        ([(header::CONTENT_TYPE, "application/json")], self.bytes().clone()).into_response()
    }
}
