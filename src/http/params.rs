//! Query-string parsing that never fails with a 500 or a plain-text rejection: invalid
//! percent-encoding is taken literally, invalid UTF-8 becomes U+FFFD, and numbers out of range
//! get a 400 that names the parameter.

use super::error::ApiError;
use std::collections::HashMap;

/// Longest query text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 1024;
/// Largest page.
pub const MAX_LIMIT: usize = 100;
/// Deepest offset: deep pages cost as much as all the pages before them.
pub const MAX_OFFSET: usize = 10_000;

pub struct Params(HashMap<String, String>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Params {
        let mut map = HashMap::new();
        if let Some(raw) = raw {
            for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
                map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
            }
        }
        Params(map)
    }

    /// [`Params::parse`], refusing a parameter the route does not document: the names are
    /// those of `T`, the type the OpenAPI document describes the route's query with, so what
    /// is documented and what is accepted are one list. A misspelt name (`lmit=5`) would
    /// otherwise be ignored, and the client would never learn why its limit did nothing.
    pub fn parse_for<T: utoipa::IntoParams>(raw: Option<&str>) -> Result<Params, ApiError> {
        let params = Self::parse(raw);
        let known: Vec<String> = T::into_params(|| Some(utoipa::openapi::path::ParameterIn::Query)).into_iter().map(|p| p.name).collect();
        let mut unknown: Vec<&String> = params.0.keys().filter(|k| !known.contains(k)).collect();
        unknown.sort();
        if let Some(name) = unknown.first() {
            let closest = crate::record::closest_name(name, &known, |k| 2.max(k.len() / 3))
                .map(|k| format!("; did you mean {k:?}?"))
                .unwrap_or_default();
            return Err(ApiError::bad_request(format!(
                "unknown parameter {name:?}{closest} This endpoint takes: {}",
                known.join(", ")
            ))
            .with_code(crate::api::ErrorCode::UnknownParameter));
        }
        Ok(params)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The query text: optional, at most [`MAX_QUERY_BYTES`].
    pub fn text(&self, name: &str) -> Result<String, ApiError> {
        let q = self.get(name).unwrap_or("").to_string();
        if q.len() > MAX_QUERY_BYTES {
            return Err(ApiError::bad_request(format!(
                "{name} is {} bytes long; at most {MAX_QUERY_BYTES} are accepted",
                q.len()
            )));
        }
        Ok(q)
    }

    /// A non-negative integer, at most `max`: past it, a 400 saying so (a silently smaller
    /// page would look like fewer results).
    pub fn number(&self, name: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        let Some(raw) = self.get(name).filter(|s| !s.is_empty()) else { return Ok(default) };
        let n: i128 = raw
            .trim()
            .parse()
            .map_err(|_| ApiError::bad_request(format!("{name} must be a whole number, not {raw:?}")))?;
        if n < 0 {
            return Err(ApiError::bad_request(format!("{name} must not be negative")));
        }
        if n > max as i128 {
            return Err(ApiError::bad_request(format!("{name} must be at most {max}, not {n}")));
        }
        Ok(n as usize)
    }

    pub fn limit(&self, default: usize) -> Result<usize, ApiError> {
        self.number("limit", default, MAX_LIMIT)
    }

    pub fn offset(&self) -> Result<usize, ApiError> {
        self.number("offset", 0, MAX_OFFSET)
    }
}
