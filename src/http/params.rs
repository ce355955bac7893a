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

    /// A non-negative integer; `cap` clamps it (limits), `max` refuses beyond it (offsets).
    pub fn number(&self, name: &str, default: usize, cap: Option<usize>, max: Option<usize>) -> Result<usize, ApiError> {
        let Some(raw) = self.get(name).filter(|s| !s.is_empty()) else { return Ok(default) };
        let n: i128 = raw
            .trim()
            .parse()
            .map_err(|_| ApiError::bad_request(format!("{name} must be a whole number, not {raw:?}")))?;
        if n < 0 {
            return Err(ApiError::bad_request(format!("{name} must not be negative")));
        }
        if let Some(max) = max {
            if n > max as i128 {
                return Err(ApiError::bad_request(format!("{name} must be at most {max}")));
            }
        }
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        Ok(cap.map_or(n, |c| n.min(c)))
    }

    pub fn limit(&self, default: usize) -> Result<usize, ApiError> {
        self.number("limit", default, Some(MAX_LIMIT), None)
    }

    pub fn offset(&self) -> Result<usize, ApiError> {
        self.number("offset", 0, None, Some(MAX_OFFSET))
    }
}
