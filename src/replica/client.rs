//! The replica's side of the wire: asking the writer for its manifest and its files.
//!
//! Plain HTTP/1.1 (hyper's client): replication runs between the site's own machines, and the
//! token rides in the clear, so the writer's port belongs on a private network or behind a TLS
//! tunnel. `https://` is refused rather than silently sent in the clear.

use crate::api::{ErrorBody, Manifest};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use std::time::Duration;

/// Why a fetch failed; each is retried by the follow loop, `Gone` at once.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot reach the writer at {url}: {message}")]
    Unreachable { url: String, message: String },
    #[error("the writer at {url} answered {status}: {message}")]
    Refused { url: String, status: u16, message: String },
    /// A file of the manifest was merged away on the writer before it was fetched.
    #[error("{0} is no longer on the writer (merged away): fetching its newer commit")]
    Gone(String),
    #[error("{0}")]
    Invalid(String),
    #[error("replica directory: {0}")]
    Io(#[from] std::io::Error),
}

impl FetchError {
    /// The writer refused the replication token (401: wrong token; 403: replication closed).
    pub fn refused_token(&self) -> bool {
        matches!(self, FetchError::Refused { status: 401 | 403, .. })
    }
}

/// The writer a replica follows.
#[derive(Clone)]
pub struct Writer {
    url: String,
    token: String,
    client: Client<HttpConnector, Empty<Bytes>>,
}

/// How long a request may wait for the writer's first byte, beyond a long poll's own wait.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

impl Writer {
    /// `url` is the writer's base (`http://host:port`); `token` its `DORAMA_REPLICATION_TOKEN`.
    pub fn new(url: &str, token: &str) -> Result<Writer, String> {
        let url = url.trim_end_matches('/').to_string();
        if url.starts_with("https://") {
            return Err(format!("--follow {url}: https is not supported; reach the writer over a private network or a TLS tunnel with http://"));
        }
        let uri: hyper::Uri = url.parse().map_err(|e| format!("--follow {url}: not a URL: {e}"))?;
        if uri.scheme_str() != Some("http") || uri.host().is_none() {
            return Err(format!("--follow {url}: expected http://HOST:PORT"));
        }
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        connector.set_nodelay(true);
        let client = Client::builder(hyper_util::rt::TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(30)).build(connector);
        Ok(Writer { url, token: token.to_string(), client })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    async fn get(&self, path: &str, range_from: u64, wait: Duration) -> Result<Response<Incoming>, FetchError> {
        let mut req = Request::get(format!("{}{path}", self.url)).header(hyper::header::AUTHORIZATION, format!("Bearer {}", self.token));
        if range_from > 0 {
            req = req.header(hyper::header::RANGE, format!("bytes={range_from}-"));
        }
        let req = req.body(Empty::new()).map_err(|e| FetchError::Invalid(e.to_string()))?;
        let unreachable = |message: String| FetchError::Unreachable { url: self.url.clone(), message };
        let res = tokio::time::timeout(wait + ANSWER_TIMEOUT, self.client.request(req))
            .await
            .map_err(|_| unreachable("no answer in time".into()))?
            .map_err(|e| unreachable(error_chain(&e)))?;
        if res.status().is_success() {
            return Ok(res);
        }
        let status = res.status();
        let body = res.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        let message = serde_json::from_slice::<ErrorBody>(&body).map(|e| e.error).unwrap_or_else(|_| String::from_utf8_lossy(&body).into_owned());
        if status == StatusCode::NOT_FOUND && path.starts_with("/api/replication/files/") {
            return Err(FetchError::Gone(path.rsplit('/').next().unwrap_or(path).to_string()));
        }
        Err(FetchError::Refused { url: self.url.clone(), status: status.as_u16(), message })
    }

    /// The writer's newest commit; if it is `known`, the writer holds the answer up to `wait`
    /// for the next one (a long poll: a commit reaches a waiting replica at once).
    pub async fn manifest(&self, known: Option<&str>, wait: Duration) -> Result<Manifest, FetchError> {
        let mut path = format!("/api/replication/manifest?wait_ms={}", wait.as_millis());
        if let Some(k) = known {
            path.push_str(&format!("&known={k}"));
        }
        let res = self.get(&path, 0, wait).await?;
        let body = tokio::time::timeout(ANSWER_TIMEOUT, res.into_body().collect())
            .await
            .map_err(|_| FetchError::Unreachable { url: self.url.clone(), message: "the manifest stopped arriving".into() })?
            .map_err(|e| FetchError::Unreachable { url: self.url.clone(), message: error_chain(&e) })?
            .to_bytes();
        serde_json::from_slice(&body).map_err(|e| FetchError::Invalid(format!("the writer at {} sent a manifest that does not parse: {e}", self.url)))
    }

    /// A segment file from byte `from` on: the response (206 when resumed, 200 when whole).
    pub async fn file(&self, name: &str, from: u64) -> Result<Response<Incoming>, FetchError> {
        self.get(&format!("/api/replication/files/{name}"), from, Duration::ZERO).await
    }
}

/// An error with its causes, which is where hyper says what actually failed.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}
