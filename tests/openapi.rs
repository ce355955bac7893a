//! The OpenAPI document is the contract: every operation it lists is called on the live router,
//! its parameters given their documented examples, and every answer (the success and a
//! provoked error) is validated against the schema the document gives for its status. The
//! schemas are made strict for the check (no property the document does not name), so a field
//! sent but not documented, or renamed, fails here.

mod common;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use dorama_search::http::{router, AppState};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

const TOKEN: &str = "openapi-token";

async fn call(app: &axum::Router, method: &str, uri: &str, token: bool, body: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let mut b = Request::builder().method(method).uri(uri);
    if token {
        b = b.header("authorization", format!("Bearer {TOKEN}"));
    }
    let res = app.clone().oneshot(b.body(Body::from(body.to_string())).unwrap()).await.unwrap();
    let status = res.status();
    let ctype = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
    (status, ctype, res.into_body().collect().await.unwrap().to_bytes().to_vec())
}

/// Every object schema closed to properties it does not name. Schemas combined by `allOf` are
/// closed where they are combined (`unevaluatedProperties`), not in their parts.
fn strict(node: &mut Value, part_of_all_of: bool, parts: &[String]) {
    match node {
        Value::Object(map) => {
            if map.contains_key("allOf") {
                map.entry("unevaluatedProperties").or_insert(json!(false));
            } else if map.contains_key("properties") && !part_of_all_of {
                map.entry("additionalProperties").or_insert(json!(false));
            }
            for (k, v) in map.iter_mut() {
                if k == "allOf" {
                    for item in v.as_array_mut().into_iter().flatten() {
                        strict(item, true, parts);
                    }
                } else {
                    strict(v, false, parts);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| strict(v, part_of_all_of, parts)),
        _ => {}
    }
}

/// The components, made strict; a component that is a part of some `allOf` stays open.
fn strict_components(doc: &Value) -> Value {
    let mut components = doc["components"].clone();
    let mut parts = Vec::new();
    let text = serde_json::to_string(&doc["components"]["schemas"]).unwrap();
    // Components referenced as an allOf part: `"allOf":[{"$ref":"#/components/schemas/X"}`.
    for chunk in text.split("\"allOf\":[").skip(1) {
        for r in chunk.split("\"$ref\":\"#/components/schemas/").skip(1).take(2) {
            parts.push(r.split('"').next().unwrap().to_string());
        }
    }
    if let Some(schemas) = components["schemas"].as_object_mut() {
        for (name, schema) in schemas.iter_mut() {
            strict(schema, parts.contains(name), &parts);
        }
    }
    components
}

fn validate(doc: &Value, components: &Value, method: &str, path: &str, status: StatusCode, ctype: Option<&str>, body: &[u8]) {
    let responses = &doc["paths"][path][method]["responses"];
    let documented = &responses[status.as_str()];
    assert!(documented.is_object(), "{method} {path} answered {status}, which the document does not list: {}", String::from_utf8_lossy(body));
    let Some(schema) = documented["content"]["application/json"]["schema"].as_object() else {
        return; // not JSON (the page, the script, metrics) or no body (304, 307)
    };
    assert!(ctype.is_some_and(|c| c.starts_with("application/json")), "{method} {path} {status}: content type {ctype:?}");
    let mut root = Value::Object(schema.clone());
    strict(&mut root, false, &[]);
    root["components"] = components.clone();
    let validator = jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("{method} {path} {status}: bad schema: {e}"));
    let instance: Value = serde_json::from_slice(body).unwrap_or_else(|_| panic!("{method} {path} {status}: not JSON"));
    let errors: Vec<String> = validator.iter_errors(&instance).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{method} {path} {status} does not match its schema:\n{}\n{instance}", errors.join("\n"));
}

/// A documented path with its placeholders filled and its query from the documented examples.
fn example_uri(doc: &Value, method: &str, path: &str, segment_file: &str) -> String {
    let mut uri = path.replace("{id}", common::SEED).replace("{kind}", "drama").replace("{version}", "0").replace("{name}", segment_file);
    if method == "delete" {
        uri = "/api/records/post/openapi-check".into();
    }
    let query: Vec<String> = doc["paths"][path][method]["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query" && !p["example"].is_null())
        .map(|p| {
            let v = match &p["example"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{}={}", p["name"].as_str().unwrap(), form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>())
        })
        .collect();
    if query.is_empty() { uri } else { format!("{uri}?{}", query.join("&")) }
}

/// A request that each operation must refuse with a documented error.
fn bad_request(method: &str, path: &str) -> String {
    match (method, path) {
        ("get", "/api/search") => "/api/search?q=x&limit=-1".into(),
        ("get", "/api/suggest") => "/api/suggest?q=x&limit=nope".into(),
        ("get", "/api/dramas/{id}/forum") => "/api/dramas/no-such-drama/forum?q=x".into(),
        ("get", "/api/dramas/{id}/related") => "/api/dramas/no-such-drama/related".into(),
        ("get", "/api/records/{kind}/{id}") => "/api/records/drama/no-such-drama".into(),
        ("delete", "/api/records/{kind}/{id}") => "/api/records/post/openapi-check".into(),
        ("post", "/api/records") | ("post", "/api/top100/recompute") | ("get", "/api/export") | ("post", "/api/snapshot") | ("get", "/api/replication/manifest") => path.into(),
        ("get", "/api/replication/files/{name}") => "/api/replication/files/meta.json".into(),
        ("get", "/api/top100") => "/api/top100?season=Summer%202004&year=2004".into(),
        _ => String::new(),
    }
}

#[tokio::test]
async fn every_documented_operation_answers_what_its_schema_says() {
    let (d, engine) = common::seeded_engine();
    let segment_file = dorama_search::index::generation::Generation::read(d.path()).unwrap().files[0].clone();
    let mut state = AppState::new(Arc::new(engine), Some(TOKEN.to_string()));
    state.replication_token = Some(TOKEN.to_string());
    let snapshots = tempfile::tempdir().unwrap();
    state.snapshot_dir = Some(snapshots.path().to_path_buf());
    let app = router(Arc::new(state));
    let (s, _, body) = call(&app, "GET", "/openapi.json", false, "").await;
    assert_eq!(s, StatusCode::OK);
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["components"]["securitySchemes"]["admin"]["scheme"], "bearer");
    let components = strict_components(&doc);
    let mut ops: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.push((method.clone(), path.clone()));
        }
    }
    // Writes first (the delete removes what the post added), so reads see one state.
    let order = |m: &str| match m { "post" => 0, "get" => 1, _ => 2 };
    ops.sort_by_key(|(m, p)| (order(m), p.clone()));
    assert!(ops.len() >= 15, "{ops:?}");
    for (method, path) in &ops {
        let admin = doc["paths"][path][method]["security"].is_array();
        let body = if path == "/api/records" { r#"{"type":"post","id":"openapi-check","topic":"t","author":"a","body":"sekachu"}"# } else { "" };
        let uri = example_uri(&doc, method, path, &segment_file);
        let (status, ctype, answer) = call(&app, &method.to_uppercase(), &uri, admin, body).await;
        assert!(status.is_success() || status.is_redirection(), "{method} {uri} → {status}: {}", String::from_utf8_lossy(&answer));
        validate(&doc, &components, method, path, status, ctype.as_deref(), &answer);
        let bad = bad_request(method, path);
        if !bad.is_empty() {
            // Operations behind a token are refused without it; the others for a bad value.
            let (status, ctype, answer) = call(&app, &method.to_uppercase(), &bad, false, "").await;
            assert!(status.is_client_error(), "{method} {bad} → {status}");
            validate(&doc, &components, method, path, status, ctype.as_deref(), &answer);
        }
    }
    // The deleted post is gone: the delete above really ran last.
    let (s, _, _) = call(&app, "GET", "/api/records/post/openapi-check", false, "").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// Every route the router serves is in the document: a path missing from it falls through to
/// the 404 fallback, which names no endpoint.
#[tokio::test]
async fn routes_outside_the_document_are_not_served() {
    let (_d, engine) = common::seeded_engine();
    let app = router(Arc::new(AppState::new(Arc::new(engine), None)));
    let (s, _, body) = call(&app, "GET", "/api/not-documented", false, "").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&body).contains("no such endpoint"));
}
