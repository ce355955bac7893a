//! `GET /api/top100[?season=|?year=]` and the admin `POST /api/top100/recompute`.

use super::auth::require_admin;
use super::error::ApiError;
use super::params::Params;
use super::AppState;
use crate::api::{Encoded, ErrorBody, Recomputed};
use crate::engine::Top100;
use crate::rank::Scope;
use crate::record::canonical_season;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use std::sync::Arc;
use std::time::Instant;

pub fn scope_of(p: &Params) -> Result<Scope, ApiError> {
    let season = p.get("season").filter(|s| !s.is_empty());
    let year = p.get("year").filter(|s| !s.is_empty());
    match (season, year) {
        (Some(_), Some(_)) => Err(ApiError::bad_request("give season or year, not both")),
        (Some(s), None) => canonical_season(s)
            .map(Scope::Season)
            .ok_or_else(|| ApiError::bad_request(format!("season {s:?} is not like \"Summer 2004\""))),
        (None, Some(y)) => match y.trim().parse::<i32>() {
            Ok(y) if (1900..=2200).contains(&y) => Ok(Scope::Year(y)),
            _ => Err(ApiError::bad_request(format!("year {y:?} is not a year between 1900 and 2200"))),
        },
        (None, None) => Ok(Scope::All),
    }
}

/// A Top 100 list: all time, one season or one year.
#[utoipa::path(get, path = "/api/top100", tag = "top100", params(super::openapi::Top100Query), responses(
    (status = 200, description = "The list, best first, with the parameters it was ranked with", body = Top100),
    (status = 304, description = "Not modified since the If-None-Match tag"),
    (status = 400, description = "Both season and year, or a value that is not one", body = ErrorBody),
))]
pub async fn get(State(st): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Result<Encoded<Top100>, ApiError> {
    let scope = scope_of(&Params::parse_for::<super::openapi::Top100Query>(raw.as_deref())?)?;
    let engine = st.engine.clone();
    Ok(tokio::task::spawn_blocking(move || engine.top100(&scope)).await??)
}

/// The seasons and years that have a Top 100 list, newest first: a picker's choices.
#[utoipa::path(get, path = "/api/top100/scopes", tag = "top100", responses(
    (status = 200, description = "Every season and year with at least one ranked drama, newest first", body = crate::api::Top100Scopes),
    (status = 304, description = "Not modified since the If-None-Match tag"),
    (status = 400, description = "A query parameter (this endpoint takes none)", body = ErrorBody),
))]
pub async fn scopes(State(st): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Result<Json<crate::api::Top100Scopes>, ApiError> {
    Params::parse_for::<super::openapi::NoQuery>(raw.as_deref())?;
    Ok(Json(st.engine.top100_scopes()))
}

/// Recount every drama's ratings from the in-memory rating log and rank every list again.
#[utoipa::path(post, path = "/api/top100/recompute", tag = "top100", security(("admin" = [])), responses(
    (status = 200, description = "The ratings counted", body = Recomputed),
    (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
    (status = 403, description = "No admin token configured on the server", body = ErrorBody),
))]
pub async fn recompute(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Result<Json<Recomputed>, ApiError> {
    super::auth::require_writer(&st)?;
    require_admin(st.admin_token.as_deref(), &headers)?;
    let engine = st.engine.clone();
    let started = Instant::now();
    let ratings = tokio::task::spawn_blocking(move || engine.recompute()).await??;
    Ok(Json(Recomputed { ratings, took_ms: started.elapsed().as_millis() as u64 }))
}

/// How a drama's counted ratings spread over 1 to 10 (one per user, a user's latest), with
/// their number and mean: what its Top 100 score is made of.
#[utoipa::path(get, path = "/api/dramas/{id}/ratings", tag = "top100",
    params(("id" = String, Path, description = "The drama's id")),
    responses(
        (status = 200, description = "The distribution", body = crate::api::RatingDistribution),
        (status = 304, description = "Not modified since the If-None-Match tag"),
        (status = 400, description = "A query parameter (this endpoint takes none)", body = ErrorBody),
        (status = 404, description = "No drama with this id", body = ErrorBody),
))]
pub async fn ratings(
    State(st): State<Arc<AppState>>,
    path: Result<axum::extract::Path<String>, axum::extract::rejection::PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Json<crate::api::RatingDistribution>, ApiError> {
    let axum::extract::Path(drama) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    Params::parse_for::<super::openapi::NoQuery>(raw.as_deref())?;
    st.engine.rating_distribution(&drama).map(Json).ok_or_else(|| ApiError::not_found(format!("no drama with id {drama:?}")))
}
