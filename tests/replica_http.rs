//! What a writer and a replica answer around replication, through the real router in-process:
//! writes on a replica, the manifest's long poll under a short request timeout and at
//! shutdown. (Replicas following a served writer are in `tests/replica.rs`.)

mod common;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use dorama_search::engine::{Engine, Options};
use dorama_search::http::{router, AppState};
use http_body_util::BodyExt;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

const REPLICATION: &str = "replication-token";

async fn call(app: &axum::Router, method: &str, uri: &str, token: Option<&str>, body: &str) -> (StatusCode, serde_json::Value) {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    let res = app.clone().oneshot(b.body(Body::from(body.to_string())).unwrap()).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

/// A replica started as the README shows has no admin token: its writes are still the
/// documented 405 naming the writer, not a 403 about tokens.
#[tokio::test]
async fn a_replica_answers_writes_405_whatever_token_it_was_given() {
    let (dir, engine) = common::seeded_engine();
    drop(engine);
    let replica = Engine::open_read_only(dir.path(), Options::default()).unwrap();
    for admin in [None, Some("admin-token")] {
        let mut state = AppState::new(Arc::new(Engine::open_read_only(dir.path(), Options::default()).unwrap()), admin.map(str::to_string));
        state.writer_url = Some("http://writer:7700".into());
        let app = router(Arc::new(state));
        for (method, uri) in [("POST", "/api/records"), ("DELETE", &format!("/api/records/drama/{}", common::SEED)), ("POST", "/api/top100/recompute")] {
            for token in [None, Some("wrong")] {
                let (s, v) = call(&app, method, uri, token, &common::seed_text()).await;
                assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri} (admin token {admin:?}, sent {token:?}): {v}");
                assert!(v["error"].as_str().unwrap().contains("http://writer:7700"), "{v}");
            }
        }
    }
    drop(replica);
}

fn writer(request_timeout: Duration) -> (tempfile::TempDir, Arc<AppState>, axum::Router) {
    let (dir, engine) = common::seeded_engine();
    let mut state = AppState::new(Arc::new(engine), Some("admin-token".into()));
    state.replication_token = Some(REPLICATION.into());
    state.request_timeout = request_timeout;
    let state = Arc::new(state);
    (dir, state.clone(), router(state))
}

async fn newest_id(app: &axum::Router) -> String {
    let (s, m) = call(app, "GET", "/api/replication/manifest", Some(REPLICATION), "").await;
    assert_eq!(s, StatusCode::OK, "{m}");
    m["id"].as_str().unwrap().to_string()
}

/// A replica asks to be held up to 25 s; a writer whose requests time out sooner answers the
/// held request before its own timeout (the same manifest), never with a 408 that would leave
/// every replica unable to hear of a commit.
#[tokio::test]
async fn the_manifest_long_poll_answers_within_a_request_timeout_shorter_than_its_wait() {
    let (_d, _state, app) = writer(Duration::from_millis(1500));
    let id = newest_id(&app).await;
    let (s, m) = call(&app, "GET", &format!("/api/replication/manifest?known={id}&wait_ms=25000"), Some(REPLICATION), "").await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(m["id"], id.as_str());
}

/// A writer that begins to stop answers its held long polls at once, so stopping does not
/// wait for a replica's 25-second wait.
#[tokio::test]
async fn a_stopping_writer_answers_its_held_long_polls_at_once() {
    let (_d, state, app) = writer(Duration::from_secs(30));
    let id = newest_id(&app).await;
    let held = tokio::spawn({
        let app = app.clone();
        async move { call(&app, "GET", &format!("/api/replication/manifest?known={id}&wait_ms=25000"), Some(REPLICATION), "").await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    state.stopping.cancel();
    let (s, _) = tokio::time::timeout(Duration::from_secs(10), held).await.expect("the held request kept the writer from stopping").unwrap();
    assert_eq!(s, StatusCode::OK);
}
