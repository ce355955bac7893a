//! `GET /api/search`, `GET /api/suggest`, `GET /api/dramas/{id}/forum`.

use super::error::ApiError;
use super::params::Params;
use super::AppState;
use crate::record::Kind;
use crate::search::{Scope, SearchRequest};
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use std::sync::Arc;
use std::time::Instant;

pub async fn search(State(st): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Result<Json<serde_json::Value>, ApiError> {
    let p = Params::parse(raw.as_deref());
    let q = p.text("q")?;
    let kind = match p.get("kind").filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(Kind::parse(k).filter(|k| *k != Kind::Vote).ok_or_else(|| {
            ApiError::bad_request(format!("kind must be one of drama, person, review, comment, post; not {k:?}"))
        })?),
    };
    if q.trim().is_empty() {
        return Err(ApiError::bad_request("q is required: the words to search for"));
    }
    let req = SearchRequest { q, scope: Scope::Site(kind), limit: p.limit(20)?, offset: p.offset()? };
    let started = Instant::now();
    let engine = st.engine.clone();
    let res = tokio::task::spawn_blocking(move || engine.search(&req)).await??;
    Ok(results_json(&res, started))
}

/// The body of a search answer (site or forum): the results with the time they took.
fn results_json(res: &serde_json::Value, started: Instant) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "total": res["total"],
        "total_relation": res["total_relation"],
        "kinds": res["kinds"],
        "took_us": started.elapsed().as_micros() as u64,
        "hits": res["hits"],
    }))
}

pub async fn suggest(State(st): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Result<Json<serde_json::Value>, ApiError> {
    let p = Params::parse(raw.as_deref());
    let q = p.text("q")?;
    let limit = p.number("limit", 8, Some(20), None)?;
    let engine = st.engine.clone();
    let res = tokio::task::spawn_blocking(move || engine.suggest(&q, limit)).await??;
    Ok(Json(serde_json::json!({ "suggestions": *res })))
}

pub async fn forum(
    State(st): State<Arc<AppState>>,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Path(drama) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let p = Params::parse(raw.as_deref());
    let q = p.text("q")?;
    let (limit, offset) = (p.limit(20)?, p.offset()?);
    if !st.engine.has_drama(&drama) {
        return Err(ApiError::not_found(format!("no drama with id {drama:?}")));
    }
    let req = SearchRequest { q, scope: Scope::Forum(drama), limit, offset };
    let started = Instant::now();
    let engine = st.engine.clone();
    let res = tokio::task::spawn_blocking(move || engine.search(&req)).await??;
    Ok(results_json(&res, started))
}
