//! Hostile requests through the real router, in-process: what a request without a token, with
//! a made-up method, with `If-None-Match: *` or with a forged request id can and cannot make
//! the server do. (Slow clients against the real server are in `tests/hostile.rs`.)

mod common;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use dorama_search::http::{router, AppState};
use http_body_util::BodyExt;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

const TOKEN: &str = "s3cret-token";

fn app() -> (tempfile::TempDir, axum::Router) {
    let (dir, engine) = common::seeded_engine();
    let mut state = AppState::new(Arc::new(engine), Some(TOKEN.into()));
    state.replication_token = Some("replication-token".into());
    (dir, router(Arc::new(state)))
}

/// A body that never ends and never yields a byte: a handler that reads it before checking
/// the token hangs.
fn endless_body() -> Body {
    Body::from_stream(futures_util::stream::pending::<Result<bytes::Bytes, std::io::Error>>())
}

#[tokio::test]
async fn a_write_without_the_token_is_refused_before_its_body_is_read() {
    let (_d, app) = app();
    for auth in [None, Some("Bearer wrong")] {
        let mut req = Request::post("/api/records").header("content-length", (31u64 << 20).to_string());
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let res = tokio::time::timeout(Duration::from_secs(10), app.clone().oneshot(req.body(endless_body()).unwrap()))
            .await
            .expect("the server waited for the body of a request it was going to refuse")
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
    }
}

#[tokio::test]
async fn a_body_announced_over_the_limit_is_refused_before_it_is_read() {
    let (_d, app) = app();
    let req = Request::post("/api/records")
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-length", (33u64 << 20).to_string())
        .body(endless_body())
        .unwrap();
    let res = tokio::time::timeout(Duration::from_secs(10), app.oneshot(req)).await.expect("read a body it would refuse").unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body = res.into_body().collect().await.unwrap().to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let msg = v["error"].as_str().unwrap();
    assert!(msg.contains("32 MiB") && msg.contains("split the batch"), "{msg}");
}

async fn metrics_text(app: &axum::Router) -> String {
    let res = app.clone().oneshot(Request::get("/metrics").body(Body::empty()).unwrap()).await.unwrap();
    String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

#[tokio::test]
async fn made_up_method_names_do_not_make_new_metric_series() {
    let (_d, app) = app();
    for i in 0..200 {
        let req = Request::builder().method(format!("X{i}BREW").as_str()).uri("/api/search?q=love").body(Body::empty()).unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    }
    let text = metrics_text(&app).await;
    assert!(!text.contains("BREW"), "a made-up method became a label");
    let other: Vec<&str> = text.lines().filter(|l| l.starts_with("dorama_http_requests_total") && l.contains("method=\"other\"")).collect();
    assert_eq!(other.len(), 1, "all 200 under one series: {other:?}");
    assert!(other[0].ends_with(" 200"), "{other:?}");
}

async fn status_with_star(app: &axum::Router, uri: &str, token: Option<&str>) -> StatusCode {
    let mut req = Request::get(uri).header("if-none-match", "*");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    app.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap().status()
}

#[tokio::test]
async fn if_none_match_answers_304_only_where_the_route_would_answer_200() {
    let (_d, app) = app();
    assert_eq!(status_with_star(&app, "/api/records/drama/no-such-drama", None).await, StatusCode::NOT_FOUND);
    assert_eq!(status_with_star(&app, "/api/search?q=", None).await, StatusCode::BAD_REQUEST);
    assert_eq!(status_with_star(&app, "/api/export", None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status_with_star(&app, "/api/replication/manifest", None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status_with_star(&app, "/api/no-such-endpoint", None).await, StatusCode::NOT_FOUND);
    // Where the answer would be a 200, the tag (here `*`) still saves the body.
    assert_eq!(status_with_star(&app, "/api/search?q=love", None).await, StatusCode::NOT_MODIFIED);
    assert_eq!(status_with_star(&app, "/api/export", Some(TOKEN)).await, StatusCode::NOT_MODIFIED);
}

async fn echoed_id(app: &axum::Router, id: &[u8]) -> String {
    let req = Request::get("/healthz").header("x-request-id", axum::http::HeaderValue::from_bytes(id).unwrap()).body(Body::empty()).unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    res.headers()["x-request-id"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn a_request_id_that_is_not_a_plain_token_is_replaced_not_logged() {
    let (_d, app) = app();
    assert_eq!(echoed_id(&app, b"5f0c1d2e-aaaa-4bbb-8ccc-0123456789ab").await, "5f0c1d2e-aaaa-4bbb-8ccc-0123456789ab");
    assert_eq!(echoed_id(&app, b"trace.42:span_7").await, "trace.42:span_7");
    for forged in [&b"abc status=200"[..], b"x\" status=200", &[b'a'; 129][..], b"caf\xc3\xa9"] {
        let got = echoed_id(&app, forged).await;
        assert_ne!(got.as_bytes(), forged);
        assert!(dorama_search::http::request_id_is_safe(got.as_bytes()), "{got:?}");
    }
}
