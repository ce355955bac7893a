//! `GET /api/search`, `GET /api/suggest`, `GET /api/dramas/{id}/forum`.

use super::error::ApiError;
use super::params::Params;
use super::AppState;
use crate::record::Kind;
use crate::record::canonical_season;
use crate::search::{Facet, Filters, Refine, Scope, SearchRequest, Sort};
use axum::extract::{Path, RawQuery, State};
use crate::api::{Encoded, ErrorBody, RelatedDramas, SearchResponse, SuggestResponse};
use std::sync::Arc;
use std::time::Instant;

/// Full search over dramas, people, reviews, comments and posts.
#[utoipa::path(get, path = "/api/search", tag = "search", params(super::openapi::SearchQuery), responses(
    (status = 200, description = "The page of hits, the totals, facets asked for, and a did-you-mean when the query did not match as typed", body = SearchResponse),
    (status = 304, description = "Not modified since the If-None-Match tag"),
    (status = 400, description = "A parameter out of range; the message says what is accepted", body = ErrorBody),
    (status = 503, description = "Too many searches running and waiting (overloaded: shed at once; send it again after Retry-After seconds), or a search past its deadline (deadline_exceeded)", body = ErrorBody),
))]
pub async fn search(State(st): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Result<Encoded<SearchResponse>, ApiError> {
    let p = Params::parse_for::<super::openapi::SearchQuery>(raw.as_deref())?;
    let q = p.text("q")?;
    let kind = match p.get("kind").filter(|k| !k.is_empty()) {
        None => None,
        // Every kind the `kind` facet counts can be asked for: a facet a client cannot click
        // through to would be a dead end.
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            ApiError::bad_request(format!("kind must be one of drama, person, review, comment, vote, post; not {k:?}"))
        })?),
    };
    if q.trim().is_empty() {
        return Err(ApiError::bad_request("q is required: the words to search for").with_code(crate::api::ErrorCode::MissingParameter));
    }
    let req = SearchRequest { q, scope: Scope::Site(kind), limit: p.limit(20)?, offset: p.offset()?, refine: refine(&p, false)? };
    if let Some(station) = &req.refine.filters.station {
        // A station no drama has would answer 0 hits, which reads as "nothing matched".
        if let Err(known) = st.engine.check_station(station) {
            let shown: Vec<&str> = known.iter().take(8).map(String::as_str).collect();
            return Err(ApiError::bad_request(format!(
                "no drama is on station {station:?}; stations include {}{}",
                shown.join(", "),
                if known.len() > shown.len() { format!(" (and {} more)", known.len() - shown.len()) } else { String::new() }
            )));
        }
    }
    run_search(&st, req).await
}

/// The filters, sort and facets of a request, each checked: a value that is not one gets a
/// 400 saying what is accepted. In a drama's forum every text is of one drama, so only the
/// sort and the `kind` facet apply there; a drama filter is refused rather than ignored.
fn refine(p: &Params, forum: bool) -> Result<Refine, ApiError> {
    let given = |name: &str| p.get(name).map(str::trim).filter(|v| !v.is_empty());
    let mut filters = Filters::default();
    if forum {
        if let Some(name) = ["station", "season", "year", "min_rating"].into_iter().find(|n| given(n).is_some()) {
            return Err(ApiError::bad_request(format!("{name} filters dramas, and a drama's forum is about one drama; use it with /api/search")));
        }
    }
    filters.station = given("station").map(str::to_string);
    if let Some(s) = given("season") {
        filters.season = Some(canonical_season(s).ok_or_else(|| ApiError::bad_request(format!("season must be a season and a year, such as Summer 2004; not {s:?}")))?);
    }
    if let Some(y) = given("year") {
        filters.years = Some(years(y).ok_or_else(|| ApiError::bad_request(format!("year must be a year (2004) or a range of years (2004-2008), from 1900 to 2200; not {y:?}")))?);
    }
    if let Some(r) = given("min_rating") {
        let min: f64 = r.parse().ok().filter(|m: &f64| (1.0..=10.0).contains(m)).ok_or_else(|| ApiError::bad_request(format!("min_rating must be a number from 1 to 10; not {r:?}")))?;
        filters.min_rating = Some(min);
    }
    let sort = match given("sort") {
        None => Sort::Relevance,
        Some(s) => Sort::parse(s).ok_or_else(|| ApiError::bad_request(format!("sort must be one of {}; not {s:?}", Sort::NAMES.join(", "))))?,
    };
    let mut facets = Vec::new();
    for name in given("facets").into_iter().flat_map(|f| f.split(',')).map(str::trim).filter(|f| !f.is_empty()) {
        let facet = Facet::parse(name).ok_or_else(|| ApiError::bad_request(format!("facets must be a comma-separated list of {}; not {name:?}", Facet::NAMES.join(", "))))?;
        if forum && facet != Facet::Kind {
            return Err(ApiError::bad_request(format!("the {name} facet counts dramas, and a drama's forum is about one drama; only kind applies here")));
        }
        if !facets.contains(&facet) {
            facets.push(facet);
        }
    }
    let mut kinds = Vec::new();
    if forum {
        for name in given("kind").into_iter().flat_map(|k| k.split(',')).map(str::trim).filter(|k| !k.is_empty()) {
            let kind = Kind::parse(name).filter(|k| !matches!(k, Kind::Drama | Kind::Person)).ok_or_else(|| {
                ApiError::bad_request(format!("kind in a forum must be a comma-separated list of review, comment, vote, post; not {name:?}"))
            })?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    Ok(Refine { filters, sort, facets, kinds })
}

/// `2004` → (2004, 2004); `2004-2008` → (2004, 2008); years from 1900 to 2200, in order.
fn years(s: &str) -> Option<(i32, i32)> {
    let year = |y: &str| y.trim().parse::<i32>().ok().filter(|y| (1900..=2200).contains(y));
    let (from, to) = match s.split_once('-') {
        Some((a, b)) => (year(a)?, year(b)?),
        None => (year(s)?, year(s)?),
    };
    (from <= to).then_some((from, to))
}

/// Type-ahead over drama titles (every script, aliases) and people.
#[utoipa::path(get, path = "/api/suggest", tag = "search", params(super::openapi::SuggestQuery), responses(
    (status = 200, description = "Suggestions, best first, and the time they took", body = SuggestResponse),
    (status = 304, description = "Not modified since the If-None-Match tag"),
    (status = 400, description = "A parameter out of range", body = ErrorBody),
    (status = 503, description = "Too many searches running and waiting (overloaded: shed at once; send it again after Retry-After seconds), or a search past its deadline (deadline_exceeded)", body = ErrorBody),
))]
pub async fn suggest(State(st): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Result<Encoded<SuggestResponse>, ApiError> {
    let started = Instant::now();
    let p = Params::parse_for::<super::openapi::SuggestQuery>(raw.as_deref())?;
    let q = p.text("q")?;
    let limit = p.number("limit", 8, 20)?;
    if let Some(hit) = st.engine.suggest_if_cached(&q, limit) {
        return Ok(hit.timed(started.elapsed().as_micros() as u64));
    }
    let _slot = st.admission.permit().await?;
    let engine = st.engine.clone();
    let res = super::run_short(move || engine.suggest(&q, limit)).await??;
    Ok(res.timed(started.elapsed().as_micros() as u64))
}

/// Search one drama's reviews, comments, votes and posts, and the posts about no drama that
/// name it (marked `mention`).
#[utoipa::path(get, path = "/api/dramas/{id}/forum", tag = "search",
    params(("id" = String, Path, description = "The drama's id"), super::openapi::ForumQuery),
    responses(
        (status = 200, description = "The page of hits and the totals", body = SearchResponse),
        (status = 304, description = "Not modified since the If-None-Match tag"),
        (status = 400, description = "A parameter out of range, or a drama filter (a forum is one drama's)", body = ErrorBody),
        (status = 404, description = "No drama with this id", body = ErrorBody),
        (status = 503, description = "Too many searches running and waiting (overloaded: shed at once; send it again after Retry-After seconds), or a search past its deadline (deadline_exceeded)", body = ErrorBody),
))]
pub async fn forum(
    State(st): State<Arc<AppState>>,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Encoded<SearchResponse>, ApiError> {
    let Path(drama) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let p = Params::parse_for::<super::openapi::ForumQuery>(raw.as_deref())?;
    let q = p.text("q")?;
    let (limit, offset, refine) = (p.limit(20)?, p.offset()?, refine(&p, true)?);
    if !st.engine.has_drama(&drama) {
        return Err(ApiError::not_found(format!("no drama with id {drama:?}")));
    }
    let req = SearchRequest { q, scope: Scope::Forum(drama), limit, offset, refine };
    run_search(&st, req).await
}

/// A search from the cache, or in a search slot ([`super::admission`]).
async fn run_search(st: &Arc<AppState>, req: SearchRequest) -> Result<Encoded<SearchResponse>, ApiError> {
    let started = Instant::now();
    if let Some(hit) = st.engine.search_if_cached(&req) {
        return Ok(hit.timed(started.elapsed().as_micros() as u64));
    }
    let _slot = st.admission.permit().await?;
    let engine = st.engine.clone();
    let res = tokio::task::spawn_blocking(move || engine.search(&req)).await??;
    Ok(res.timed(started.elapsed().as_micros() as u64))
}

/// The dramas most like this one, with reasons: shared cast (by billing), the same station and
/// season, and co-ratings of its fans.
#[utoipa::path(get, path = "/api/dramas/{id}/related", tag = "search",
    params(("id" = String, Path, description = "The drama's id"), super::openapi::RelatedQuery),
    responses(
        (status = 200, description = "Related dramas, most related first", body = RelatedDramas),
        (status = 304, description = "Not modified since the If-None-Match tag"),
        (status = 400, description = "A parameter out of range", body = ErrorBody),
        (status = 404, description = "No drama with this id", body = ErrorBody),
        (status = 503, description = "Too many searches running and waiting (overloaded: shed at once; send it again after Retry-After seconds), or a search past its deadline (deadline_exceeded)", body = ErrorBody),
))]
pub async fn related(
    State(st): State<Arc<AppState>>,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Encoded<RelatedDramas>, ApiError> {
    let Path(drama) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let p = Params::parse_for::<super::openapi::RelatedQuery>(raw.as_deref())?;
    let limit = p.number("limit", 10, 50)?;
    let _slot = st.admission.permit().await?;
    let engine = st.engine.clone();
    let id = drama.clone();
    let res = tokio::task::spawn_blocking(move || engine.related(&id, limit)).await??;
    match res {
        Some(v) => Ok(v),
        None => Err(ApiError::not_found(format!("no drama with id {drama:?}"))),
    }
}
