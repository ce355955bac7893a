//! `GET /openapi.json`: an OpenAPI 3 description of the API, built from the route table below.
//! The table sits next to the router in this module's parent, and a test calls every entry on
//! the live router, so a route that is documented but not served (or moved) fails the build's
//! tests rather than misleading a client.

use axum::Json;
use serde_json::{json, Value};

/// One documented operation.
pub struct Op {
    pub method: &'static str,
    /// The path as axum routes it (`{id}` placeholders are the same in OpenAPI).
    pub path: &'static str,
    pub summary: &'static str,
    /// Query parameters: (name, type, description).
    pub query: &'static [(&'static str, &'static str, &'static str)],
    pub admin: bool,
    /// Example values for the path placeholders, used by the test that calls every route.
    pub example: &'static str,
}

pub const OPS: &[Op] = &[
    Op { method: "get", path: "/healthz", summary: "200 once the index is open", query: &[], admin: false, example: "/healthz" },
    Op { method: "get", path: "/api/search", summary: "Full search over dramas, people, reviews, comments and posts",
        query: &[("q", "string", "what the user typed (required)"), ("kind", "string", "drama, person, review, comment or post"),
                 ("limit", "integer", "page size, default 20, at most 100"), ("offset", "integer", "at most 10000"),
                 ("station", "string", "only dramas of this station (exact, any case), and the texts about them"),
                 ("season", "string", "only dramas of this season, e.g. Summer 2004, and the texts about them"),
                 ("year", "string", "only dramas that started in this year (2004) or range of years (2004-2008), and the texts about them"),
                 ("min_rating", "number", "only dramas whose all-time Top 100 score is at least this (1-10), and the texts about them"),
                 ("sort", "string", "relevance (default), rating (a drama's Top 100 score, a review's rating), newest (a drama's start, a text's date) or votes (the drama's counted ratings); ties by relevance"),
                 ("facets", "string", "comma-separated: station, season, year, kind; counts of the matches per value, each facet without its own filter")],
        admin: false, example: "/api/search?q=sekachu" },
    Op { method: "get", path: "/api/suggest", summary: "Type-ahead over drama titles (every script, aliases) and people",
        query: &[("q", "string", "the prefix typed so far"), ("limit", "integer", "default 8, at most 20")], admin: false, example: "/api/suggest?q=seka" },
    Op { method: "get", path: "/api/dramas/{id}/forum", summary: "Search one drama's reviews, comments, votes and posts, and the posts about no drama that name it (marked mention); no q lists them newest first",
        query: &[("q", "string", "words to search for"), ("limit", "integer", "default 20, at most 100"), ("offset", "integer", "at most 10000"),
                 ("sort", "string", "relevance (default; newest first without q), rating, newest or votes"), ("facets", "string", "kind")],
        admin: false, example: "/api/dramas/sekai-no-chuushin-de-ai-wo-sakebu/forum?q=love" },
    Op { method: "get", path: "/api/dramas/{id}/related", summary: "The dramas most like this one: {\"related\": [{id, title, title_ja, score, why: [reasons]}]}, from shared cast (by billing), the same station and season, and co-ratings of its fans; 404 for an unknown drama",
        query: &[("limit", "integer", "default 10, at most 50")], admin: false, example: "/api/dramas/sekai-no-chuushin-de-ai-wo-sakebu/related" },
    Op { method: "get", path: "/api/records/{kind}/{id}", summary: "A stored record", query: &[], admin: false,
        example: "/api/records/drama/sekai-no-chuushin-de-ai-wo-sakebu" },
    Op { method: "delete", path: "/api/records/{kind}/{id}", summary: "Delete a record", query: &[], admin: true,
        example: "/api/records/post/nothing-here" },
    Op { method: "post", path: "/api/records", summary: "Ingest an NDJSON batch, atomically and durably", query: &[], admin: true, example: "/api/records" },
    Op { method: "get", path: "/api/top100", summary: "Top 100, all time or for one season or year",
        query: &[("season", "string", "e.g. Summer 2004"), ("year", "integer", "e.g. 2004")], admin: false, example: "/api/top100" },
    Op { method: "post", path: "/api/top100/recompute", summary: "Recount every drama's ratings from the in-memory rating log and rank every Top 100 list again", query: &[], admin: true,
        example: "/api/top100/recompute" },
    Op { method: "get", path: "/metrics", summary: "Prometheus metrics", query: &[], admin: false, example: "/metrics" },
    Op { method: "get", path: "/openapi.json", summary: "This document", query: &[], admin: false, example: "/openapi.json" },
    Op { method: "get", path: "/", summary: "The search page", query: &[], admin: false, example: "/" },
    Op { method: "get", path: "/search.js", summary: "The search widget script, by its fixed URL (cached five minutes)", query: &[], admin: false, example: "/search.js" },
    Op { method: "get", path: "/assets/{version}/search.js", summary: "The search widget script by its version (cached a year); another version redirects to the current one", query: &[], admin: false, example: "/assets/0/search.js" },
];

pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for op in OPS {
        let mut params: Vec<Value> = op
            .query
            .iter()
            .map(|(n, t, d)| json!({ "name": n, "in": "query", "required": *n == "q" && op.path == "/api/search", "description": d, "schema": { "type": t } }))
            .collect();
        for seg in op.path.split('/').filter(|s| s.starts_with('{')) {
            let name = seg.trim_matches(|c| c == '{' || c == '}');
            params.push(json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }));
        }
        let mut responses = json!({
            "200": { "description": "OK" },
            "400": { "description": "Bad request", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
        });
        if op.path == "/api/search" || op.path == "/api/dramas/{id}/forum" {
            responses["200"] = json!({ "description": "OK", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SearchResults" } } } });
        }
        if op.path.contains('{') {
            responses["404"] = json!({ "description": "Not found", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
        }
        let mut operation = json!({ "summary": op.summary, "parameters": params, "responses": responses });
        if op.admin {
            operation["security"] = json!([{ "admin": [] }]);
            operation["responses"]["401"] = json!({ "description": "Missing or wrong admin token" });
            operation["responses"]["403"] = json!({ "description": "No admin token configured on the server" });
        }
        if op.method == "post" && op.path == "/api/records" {
            operation["requestBody"] = json!({ "required": true, "content": { "application/x-ndjson": { "schema": { "type": "string" } } } });
            operation["responses"]["413"] = json!({ "description": "Body larger than 32 MiB" });
        }
        let entry = paths.entry(op.path.to_string()).or_insert_with(|| json!({}));
        entry[op.method] = operation;
    }
    json!({
        "openapi": "3.0.3",
        "info": { "title": "dorama-search", "version": env!("CARGO_PKG_VERSION"),
                  "description": "Search and Top 100 for a Japanese TV drama community site." },
        "paths": paths,
        "components": {
            "securitySchemes": { "admin": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "string" } } },
                "Relation": { "type": "string", "enum": ["eq", "gte"],
                              "description": "eq: the count is exact; gte: counting stopped at 10000 and the count is a lower bound" },
                "SearchResults": { "type": "object", "required": ["total", "total_relation", "kinds", "took_us", "hits"], "properties": {
                    "total": { "type": "integer", "description": "matches, exact up to 10000; past it 10000 with total_relation gte" },
                    "total_relation": { "$ref": "#/components/schemas/Relation" },
                    "kinds": { "type": "object", "description": "matches per kind (drama, person, review, comment, vote, post), only kinds with a match",
                               "additionalProperties": { "type": "object", "required": ["total", "relation"], "properties": {
                                   "total": { "type": "integer" }, "relation": { "$ref": "#/components/schemas/Relation" } } } },
                    "took_us": { "type": "integer" },
                    "did_you_mean": { "type": "string", "description": "present when the query did not match as typed (no hit with every word, or only through typos): the query in the spelling of the name it came closest to, when that finds at least as much as typed; /api/search only" },
                    "facets": { "type": "object", "description": "present when facets were asked: per facet, its values most frequent first (at most 20), counted over the matches with every filter but the facet's own; counts follow total's bound",
                                "additionalProperties": { "type": "array", "items": { "type": "object", "required": ["value", "count"], "properties": {
                                    "value": { "description": "a station, season or kind (string), or a year (integer)" }, "count": { "type": "integer" } } } } },
                    "hits": { "type": "array", "items": { "type": "object", "required": ["kind", "id", "score", "snippet"], "properties": {
                        "kind": { "type": "string" }, "id": { "type": "string" }, "title": { "type": "string", "nullable": true },
                        "title_ja": { "type": "string", "nullable": true }, "score": { "type": "number" },
                        "snippet": { "type": "string", "description": "HTML; matches marked with <mark>" },
                        "drama_id": { "type": "string" }, "author": { "type": "string" }, "rating": { "type": "integer" },
                        "mention": { "type": "boolean", "description": "forum search only, present when true: a post about no drama, listed because it names this one by a title or alias" } } } },
                } },
            },
        },
    })
}

pub async fn serve() -> Json<Value> {
    Json(document())
}
