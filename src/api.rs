//! The answers of the API, as types: what `/api/…` sends and what the CLI prints with
//! `--json`, each defined once. The engine computes the inner parts (hits, suggestions, Top 100
//! lists); this module wraps them in the shapes the service answers with, and [`Encoded`] keeps
//! an answer serialized once, so the query cache hands out bytes and a cache hit does no
//! serialization at all.

use crate::record::Kind;
use crate::related::Related;
use crate::search::{SearchResults, Suggestion};
use bytes::Bytes;
use serde::Serialize;
use std::marker::PhantomData;

/// `GET /api/search` and a drama's forum search: the results and the time they took.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    /// Microseconds the server spent on this request (a cache hit takes a few).
    pub took_us: u64,
    #[serde(flatten)]
    pub results: SearchResults,
}

/// The suggestions for what was typed, as the engine computes (and caches) them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Suggestions {
    pub suggestions: Vec<Suggestion>,
}

/// `GET /api/suggest`: the suggestions and the time they took.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuggestResponse {
    /// Microseconds the server spent on this request (a cache hit takes a few).
    pub took_us: u64,
    #[serde(flatten)]
    pub suggestions: Suggestions,
}

/// `GET /api/dramas/{id}/related`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RelatedDramas {
    pub related: Vec<Related>,
}

/// `GET /healthz`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`; on a replica further behind its writer than `--max-lag`, `behind`, and on one
    /// whose writer refuses its replication token, `refused` (both with a 503).
    pub status: &'static str,
    /// Live documents in the index (records and the people derived from casts).
    pub documents: u64,
    pub dramas: usize,
    /// This process's count of changes served (commits, recounts, followed commits) since it
    /// started: the version in every answer's `ETag`. It starts again at 0 on a restart; the
    /// index's own, lasting number is `commit`.
    pub generation: u64,
    /// Whether this server is a read-only replica.
    pub read_only: bool,
    /// The number of the commit served, kept in the index: every commit of the writer numbers
    /// the next one, a merge keeps the number, and a restart does not change it (compare a
    /// replica's with its writer's).
    pub commit: u64,
    /// On a replica: seconds the writer's newest commit has waited to be followed (0 when it
    /// serves it).
    pub behind_seconds: f64,
    /// On a replica: commits the writer has made that this replica does not serve yet.
    pub behind_commits: u64,
    /// On a replica following a writer over HTTP (`--follow`): why the last attempt to reach it
    /// failed, until one succeeds. The replica keeps serving what it has meanwhile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writer_error: Option<String>,
}

/// `GET /api/top100/scopes`: the lists there are to choose from.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Top100Scopes {
    /// Every season with at least one ranked drama, newest first (`Fall 2024`, `Summer 2024`…).
    pub seasons: Vec<String>,
    /// Every year with at least one ranked drama, newest first.
    pub years: Vec<i32>,
}

/// `GET /api/dramas/{id}/ratings`: how the drama's counted ratings spread over 1–10.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RatingDistribution {
    pub drama: String,
    /// Counted ratings: one per user, a user's latest (as the Top 100 counts them).
    pub counted: u32,
    /// Their mean (none without ratings).
    pub mean: Option<f64>,
    /// `counts[i]`: how many counted ratings are `i + 1` (ten entries, for 1 to 10).
    pub counts: Vec<u32>,
}

/// `GET /version`: what is running.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Version {
    /// The crate's version.
    pub version: &'static str,
    /// The mark an index must carry to be read by this build: its analysis version, the
    /// dictionary and the tables its terms come from (an index with another is refused).
    pub index_format: String,
}

/// `GET /api/replication/manifest`: the writer's newest commit, as a replica copies it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Manifest {
    /// Names this commit; changes whenever `meta.json` does (a merge included). A replica
    /// passes it back as `known` to wait for the next one.
    pub id: String,
    /// The commit's number ([`Health::commit`]).
    pub commit: u64,
    /// The index format the writer writes: a replica refuses a writer of another format.
    pub format: String,
    /// The commit's `meta.json`, byte for byte: a replica writes it last, once it holds every
    /// file.
    pub meta: String,
    /// Every segment file the commit lists.
    pub files: Vec<ManifestFile>,
}

/// One file of a [`Manifest`]. Segment files never change once written, so a name, a length and
/// a checksum identify one for good.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ManifestFile {
    pub name: String,
    pub len: u64,
    /// CRC-32 (IEEE) of the whole file.
    pub crc32: u32,
}

/// `POST /api/records`: the records applied in the batch's one commit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    pub accepted: usize,
}

/// A record named by kind and id.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordRef {
    pub kind: Kind,
    pub id: String,
}

/// `DELETE /api/records/{kind}/{id}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Deleted {
    pub deleted: RecordRef,
}

/// `POST /api/top100/recompute`: the ratings counted, and how long the recount took.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Recomputed {
    pub ratings: usize,
    pub took_ms: u64,
}

/// Every error answer, in the shape Meilisearch's errors have: what went wrong and, for a
/// client's mistake, what to change (`message`), a stable `code` to script against, and its
/// `type`. `error` repeats the message, as answered before `code` existed.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong, and what to change.
    pub message: String,
    /// Stable: a client may branch on it; the message may be reworded.
    pub code: ErrorCode,
    /// `invalid_request` (change the request), `auth` (a token), `system` (the server's state:
    /// busy, disk full; try again later) or `internal` (a bug or damage; see the server log).
    #[serde(rename = "type")]
    pub kind: ErrorType,
    /// The message again, under the name it had before (kept for clients written then).
    pub error: String,
}

/// The error codes, each documented in the README's "Errors" table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A parameter's value is not one the route accepts (the message says what is).
    InvalidParameter,
    /// A parameter the route does not know (the message names the closest known one).
    UnknownParameter,
    /// A required parameter is missing or empty.
    MissingParameter,
    /// A record of the body is not a valid record (the message names its line).
    InvalidRecord,
    /// The body is larger than the limit.
    PayloadTooLarge,
    /// No such endpoint, record or drama.
    NotFound,
    /// The endpoint does not take this method.
    MethodNotAllowed,
    /// A write sent to a read-only replica (the message names the writer).
    ReadOnlyReplica,
    /// No `Authorization: Bearer` token.
    MissingToken,
    /// A token that is not the configured one.
    InvalidToken,
    /// The endpoint is closed on this server (no token configured, no --snapshot-dir, a
    /// replica asked for replication).
    Disabled,
    /// Something of the same name is in the way (a snapshot's `.partial`).
    Conflict,
    /// A `Range` past the end of the file.
    RangeNotSatisfiable,
    /// Too many searches running and waiting: send it again after `Retry-After`.
    Overloaded,
    /// Too many requests from one client address: send it again after `Retry-After`.
    RateLimited,
    /// The search ran past its deadline and was stopped: narrow it.
    DeadlineExceeded,
    /// The index's disk is full: nothing was applied.
    DiskFull,
    /// A failure of the server; the log has it.
    Internal,
}

/// What kind of error: who can fix it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    InvalidRequest,
    Auth,
    System,
    Internal,
}

impl ErrorCode {
    pub fn kind(self) -> ErrorType {
        use ErrorCode::*;
        match self {
            MissingToken | InvalidToken | Disabled => ErrorType::Auth,
            Overloaded | DeadlineExceeded | DiskFull => ErrorType::System,
            Internal => ErrorType::Internal,
            _ => ErrorType::InvalidRequest,
        }
    }

    /// The code a status stands for when the error names none more precise.
    pub fn of_status(status: u16) -> ErrorCode {
        use ErrorCode::*;
        match status {
            400 => InvalidParameter,
            401 => InvalidToken,
            403 => Disabled,
            404 => NotFound,
            405 => MethodNotAllowed,
            409 => Conflict,
            413 => PayloadTooLarge,
            429 => RateLimited,
            416 => RangeNotSatisfiable,
            503 => Overloaded,
            507 => DiskFull,
            _ => Internal,
        }
    }
}

/// `dorama-search index --json`: what one run applied.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Indexed {
    pub indexed: usize,
    pub index: String,
    pub took_ms: u64,
}

/// `dorama-search import-page --json`: what one run imported.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Imported {
    pub imported: usize,
    pub pages: usize,
    pub index: String,
}

/// `dorama-search export --json`: what one run wrote.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Exported {
    pub exported: usize,
    pub index: String,
    /// The file written (none: standard output).
    pub out: Option<String>,
}

/// A `T` serialized as JSON, once. Cloning shares the bytes.
pub struct Encoded<T> {
    json: Bytes,
    of: PhantomData<fn() -> T>,
}

impl<T> Clone for Encoded<T> {
    fn clone(&self) -> Self {
        Encoded { json: self.json.clone(), of: PhantomData }
    }
}

impl<T: Serialize> Encoded<T> {
    pub fn new(value: &T) -> Self {
        // Our types hold strings, numbers and maps with string keys: they always serialize.
        let mut json = serde_json::to_vec(value).expect("API types serialize to JSON");
        // The vector grew by doubling: without this, up to half of an answer's allocation is
        // spare capacity that the cache holds but does not count against its byte bound.
        json.shrink_to_fit();
        Encoded { json: Bytes::from(json), of: PhantomData }
    }
}

impl<T> Encoded<T> {
    /// Bytes known to be the JSON of a `T` (from the cache, which only stores `Encoded`s).
    pub(crate) fn from_bytes(json: Bytes) -> Self {
        Encoded { json, of: PhantomData }
    }

    pub fn bytes(&self) -> &Bytes {
        &self.json
    }

    /// The answer parsed back, for tests and tools that look inside it.
    pub fn value(&self) -> serde_json::Value {
        serde_json::from_slice(&self.json).expect("Encoded holds JSON")
    }
}

impl<T> Encoded<T> {
    /// This object with `took_us` written before its fields, without serializing them again
    /// (the same JSON as serializing the wrapping type, but for the order of its fields).
    fn with_took<U>(&self, took_us: u64) -> Encoded<U> {
        let inner = &self.json[1..]; // an object: `{` then its fields
        let head = format!("{{\"took_us\":{took_us}{}", if inner.starts_with(b"}") { "" } else { "," });
        let mut out = Vec::with_capacity(head.len() + inner.len());
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(inner);
        Encoded::from_bytes(Bytes::from(out))
    }
}

impl Encoded<SearchResults> {
    /// The [`SearchResponse`] of these results.
    pub fn timed(&self, took_us: u64) -> Encoded<SearchResponse> {
        self.with_took(took_us)
    }
}

impl Encoded<Suggestions> {
    /// The [`SuggestResponse`] of these suggestions.
    pub fn timed(&self, took_us: u64) -> Encoded<SuggestResponse> {
        self.with_took(took_us)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Relation;

    #[test]
    fn timed_results_are_the_json_of_the_search_response() {
        let results = SearchResults {
            total: 3,
            total_relation: Relation::Eq,
            kinds: Default::default(),
            hits: vec![],
            facets: None,
            did_you_mean: Some("sekachu".into()),
        };
        let spliced = Encoded::new(&results).timed(42).value();
        let typed = serde_json::to_value(SearchResponse { took_us: 42, results }).unwrap();
        assert_eq!(spliced, typed);
    }

    #[test]
    fn timed_suggestions_are_the_json_of_the_suggest_response() {
        let suggestions = Suggestions { suggestions: vec![Suggestion { kind: Kind::Drama, id: "d".into(), title: Some("D".into()), title_ja: None }] };
        let spliced = Encoded::new(&suggestions).timed(7).value();
        let typed = serde_json::to_value(SuggestResponse { took_us: 7, suggestions }).unwrap();
        assert_eq!(spliced, typed);
    }
}
