//! The HTTP contract, driven through the real router in-process.

mod common;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use dorama_search::http::{router, AppState};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

const TOKEN: &str = "s3cret-token";

fn app(token: Option<&str>) -> (tempfile::TempDir, axum::Router) {
    let (dir, engine) = common::seeded_engine();
    let state = Arc::new(AppState::new(Arc::new(engine), token.map(str::to_string)));
    (dir, router(state))
}

async fn call(app: &axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let v = serde_json::from_slice(&bytes).unwrap_or_else(|_| panic!("not JSON ({status}): {:?}", String::from_utf8_lossy(&bytes)));
    (status, v)
}

/// An error answer: the message under `message` and `error`, its code and type.
fn error(message: impl Into<String>, code: &str, kind: &str) -> Value {
    let m: String = message.into();
    serde_json::json!({"message": m, "error": m, "code": code, "type": kind})
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, Value) {
    call(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

fn admin(method: &str, uri: &str, token: Option<&str>, body: &str) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn healthz_answers_once_the_index_is_open() {
    let (_d, app) = app(None);
    let (s, v) = get(&app, "/healthz").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["dramas"], 1);
}

#[tokio::test]
async fn search_returns_hits_with_marked_snippets_in_romaji_and_japanese() {
    let (_d, app) = app(None);
    let (s, v) = get(&app, "/api/search?q=sekai%20no%20chuushin").await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["total"].as_u64().unwrap() >= 1);
    assert!(v["took_us"].is_u64());
    let hit = &v["hits"][0];
    assert_eq!(hit["kind"], "drama");
    assert_eq!(hit["id"], common::SEED);
    assert_eq!(hit["title_ja"], "世界の中心で、愛をさけぶ");
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>世界</mark>"), "{snippet}");
    assert!(snippet.to_lowercase().contains("<mark>sekai</mark>"), "{snippet}");
    assert!(hit["score"].is_number());
}

#[tokio::test]
async fn search_and_forum_totals_say_whether_they_are_exact_and_count_each_kind() {
    let (_d, app) = app(None);
    let (_, v) = get(&app, "/api/search?q=sekai&limit=1").await;
    assert_eq!(v["total_relation"], "eq", "{v}");
    let kinds = v["kinds"].as_object().unwrap();
    let sum: u64 = kinds.values().map(|k| k["total"].as_u64().unwrap()).sum();
    assert_eq!(sum, v["total"].as_u64().unwrap(), "{v}");
    assert_eq!(kinds["drama"], serde_json::json!({"total": 1, "relation": "eq"}), "{v}");
    assert!(kinds.values().all(|k| k["relation"] == "eq"));
    let (_, r) = get(&app, "/api/search?q=sekai&kind=review&limit=1").await;
    assert_eq!(r["total"], kinds["review"]["total"], "{r}");
    let (_, f) = get(&app, &format!("/api/dramas/{}/forum?q=love&limit=1", common::SEED)).await;
    assert_eq!(f["total_relation"], "eq", "{f}");
    assert!(f["kinds"].as_object().unwrap().keys().all(|k| k != "drama" && k != "person"), "{f}");
}

#[tokio::test]
async fn search_filters_by_kind_and_pages() {
    let (_d, app) = app(None);
    let (_, v) = get(&app, "/api/search?q=dorama&kind=review&limit=2").await;
    assert_eq!(v["hits"].as_array().unwrap().len(), 2);
    assert!(v["hits"].as_array().unwrap().iter().all(|h| h["kind"] == "review"));
    let (_, page2) = get(&app, "/api/search?q=dorama&kind=review&limit=2&offset=2").await;
    assert_ne!(page2["hits"][0]["id"], v["hits"][0]["id"]);
    let (s, v) = get(&app, "/api/search?q=x&kind=nonsense").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["error"].as_str().unwrap().contains("nonsense"), "{v}");
}

#[tokio::test]
async fn filters_sorts_and_facets_are_parameters_and_bad_values_get_a_400_saying_what_is_accepted() {
    let (_d, app) = app(None);
    let (s, v) = get(&app, "/api/search?q=love&station=tbs&year=2004-2004&sort=rating&facets=station,kind,station").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["facets"]["station"][0]["value"], "TBS", "{v}");
    assert!(v["facets"]["station"][0]["count"].as_u64().unwrap() >= 1);
    assert_eq!(v["facets"].as_object().unwrap().len(), 2, "a facet asked twice is answered once");
    assert!(v["hits"].as_array().unwrap().iter().all(|h| h["kind"] != "person"), "a drama filter leaves people out");
    let (_, plain) = get(&app, "/api/search?q=love").await;
    assert!(plain.get("facets").is_none(), "no facets unless asked");
    for (query, names) in [
        ("sort=best", "relevance, rating, newest, votes"),
        ("facets=station,genre", "station, season, year, kind"),
        ("year=04", "2004-2008"),
        ("year=2008-2004", "2004-2008"),
        ("season=Monsoon%202004", "Summer 2004"),
        ("min_rating=0.5", "from 1 to 10"),
        ("min_rating=ten", "from 1 to 10"),
    ] {
        let (s, v) = get(&app, &format!("/api/search?q=love&{query}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{query}");
        assert!(v["error"].as_str().unwrap().contains(names), "{query}: {v}");
    }
    let (_, v) = get(&app, "/api/search?q=sekai%20no%20chushin%20de%20ai%20wo%20sakebe").await;
    assert_eq!(v["did_you_mean"], "sekai no chuushin de ai wo sakebu", "{v}");
    assert!(plain.get("did_you_mean").is_none());
    let (s, v) = get(&app, "/api/dramas/no-such-drama/related").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(v["error"].as_str().unwrap().contains("no-such-drama"), "{v}");
    let (s, v) = get(&app, "/api/dramas/sekai-no-chuushin-de-ai-wo-sakebu/related?limit=many").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = get(&app, "/api/dramas/sekai-no-chuushin-de-ai-wo-sakebu/related?limit=500").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["message"], "limit must be at most 50, not 500");
    let (s, v) = get(&app, "/api/dramas/sekai-no-chuushin-de-ai-wo-sakebu/related?limit=50").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["related"].as_array().unwrap().len() <= 50);
    let forum = "/api/dramas/sekai-no-chuushin-de-ai-wo-sakebu/forum";
    let (s, v) = get(&app, &format!("{forum}?q=love&station=TBS")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["error"].as_str().unwrap().contains("station"), "{v}");
    let (s, v) = get(&app, &format!("{forum}?sort=rating&facets=kind&limit=100")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let ratings: Vec<u64> = v["hits"].as_array().unwrap().iter().filter_map(|h| h["rating"].as_u64()).collect();
    assert!(ratings.len() > 5 && ratings.windows(2).all(|w| w[0] >= w[1]), "{ratings:?}");
    assert!(v["facets"]["kind"].as_array().unwrap().iter().any(|k| k["value"] == "review"), "{v}");
}

#[tokio::test]
async fn read_answers_carry_an_etag_by_generation_and_a_matching_if_none_match_gets_304() {
    let (_d, app) = app(Some(TOKEN));
    let raw = |uri: &str, tag: Option<&str>| {
        let mut b = Request::get(uri);
        if let Some(t) = tag {
            b = b.header("if-none-match", t);
        }
        app.clone().oneshot(b.body(Body::empty()).unwrap())
    };
    let uri = "/api/search?q=sekachu";
    let first = raw(uri, None).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let tag = first.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(first.headers()["cache-control"], "no-cache");
    let again = raw(uri, Some(&tag)).await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"], tag.as_str());
    assert!(again.into_body().collect().await.unwrap().to_bytes().is_empty());
    // Another read endpoint shares the tag: the index is in the same state.
    assert_eq!(raw("/api/top100", Some(&tag)).await.unwrap().status(), StatusCode::NOT_MODIFIED);
    // A commit changes the generation: the old tag no longer matches.
    let (s, _) = call(&app, admin("POST", "/api/records", Some(TOKEN), r#"{"type":"post","id":"etag-check","topic":"t","author":"a","body":"sekachu again"}"#)).await;
    assert_eq!(s, StatusCode::OK);
    let after = raw(uri, Some(&tag)).await.unwrap();
    assert_eq!(after.status(), StatusCode::OK);
    assert_ne!(after.headers()["etag"], tag.as_str());
    // Errors and writes carry no tag.
    let bad = raw("/api/search?q=x&sort=nope", None).await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.headers().get("etag").is_none());
}

#[tokio::test]
async fn export_streams_every_record_of_the_commit_to_admins_only() {
    let (d, app) = app(Some(TOKEN));
    let (s, v) = call(&app, admin("GET", "/api/export", None, "")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    let res = app.clone().oneshot(admin("GET", "/api/export", Some(TOKEN), "")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/x-ndjson");
    let body = res.into_body().collect().await.unwrap().to_bytes();
    let store = dorama_search::index::Store::open_read_only(d.path()).unwrap();
    let mut expected = Vec::new();
    dorama_search::index::export::write(&store.searcher(), store.fields(), &dorama_search::index::export::KINDS, &mut expected).unwrap();
    assert_eq!(body.to_vec(), expected, "the same dump as the command line's");
    let records = dorama_search::record::parse_ndjson("export", std::str::from_utf8(&body).unwrap()).unwrap();
    assert!(records.len() > 50);
    let res = app.clone().oneshot(admin("GET", "/api/export?kind=review", Some(TOKEN), "")).await.unwrap();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    let reviews = dorama_search::record::parse_ndjson("export", std::str::from_utf8(&body).unwrap()).unwrap();
    assert!(!reviews.is_empty() && reviews.iter().all(|r| r.record.kind() == dorama_search::record::Kind::Review));
    let (s, v) = call(&app, admin("GET", "/api/export?kind=person", Some(TOKEN), "")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["error"].as_str().unwrap().contains("person"), "{v}");
}

fn app_with_snapshots(token: Option<&str>, snapshots: Option<&std::path::Path>) -> (tempfile::TempDir, axum::Router) {
    let (dir, engine) = common::seeded_engine();
    let mut state = AppState::new(Arc::new(engine), token.map(str::to_string));
    state.snapshot_dir = snapshots.map(|p| p.to_path_buf());
    (dir, router(Arc::new(state)))
}

#[tokio::test]
async fn an_admin_snapshot_writes_a_new_directory_under_the_snapshot_dir_that_opens_as_the_index() {
    let out = tempfile::tempdir().unwrap();
    let (_d, app) = app_with_snapshots(Some(TOKEN), Some(out.path()));
    let uri = "/api/snapshot?dest=nightly-1";
    let (s, _) = call(&app, admin("POST", uri, None, "")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v) = call(&app, admin("POST", uri, Some(TOKEN), "")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let dest = out.path().join("nightly-1");
    assert_eq!(v["snapshot"], dest.display().to_string());
    let copy = dorama_search::engine::Engine::open(&dest, Default::default()).unwrap();
    assert!(copy.has_drama(common::SEED));
    let (s, v) = call(&app, admin("POST", uri, Some(TOKEN), "")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["error"].as_str().unwrap().contains("exists already"), "{v}");
}

/// `dest` names a snapshot under `--snapshot-dir`, nothing else: not a path anywhere the
/// process can write, not the index, and never over someone else's `.partial`.
#[tokio::test]
async fn a_snapshot_goes_only_under_the_snapshot_dir_by_a_plain_name() {
    let out = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let (_d, closed) = app_with_snapshots(Some(TOKEN), None);
    let (s, v) = call(&closed, admin("POST", "/api/snapshot?dest=x", Some(TOKEN), "")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(v["error"].as_str().unwrap().contains("--snapshot-dir"), "{v}");
    let (_d2, app) = app_with_snapshots(Some(TOKEN), Some(out.path()));
    let absolute = elsewhere.path().join("x").display().to_string();
    for dest in [absolute.as_str(), "../x", "..", "a/b", ".hidden", "x%20y"] {
        let (s, v) = call(&app, admin("POST", &format!("/api/snapshot?dest={dest}"), Some(TOKEN), "")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{dest}: {v}");
        assert!(v["error"].as_str().unwrap().contains("plain name"), "{v}");
    }
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    std::fs::create_dir(out.path().join("busy.partial")).unwrap();
    std::fs::write(out.path().join("busy.partial/theirs"), "x").unwrap();
    let (s, v) = call(&app, admin("POST", "/api/snapshot?dest=busy", Some(TOKEN), "")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(out.path().join("busy.partial/theirs").is_file(), "a partial it did not make was removed");
}

#[tokio::test]
async fn answers_are_gzipped_or_brotli_compressed_when_the_client_accepts_it() {
    use std::io::Read;
    let (_d, app) = app(None);
    let fetch = |encoding: Option<&'static str>| {
        let mut b = Request::get("/api/search?q=love&limit=50");
        if let Some(e) = encoding {
            b = b.header("accept-encoding", e);
        }
        app.clone().oneshot(b.body(Body::empty()).unwrap())
    };
    let plain = fetch(None).await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.into_body().collect().await.unwrap().to_bytes();
    let gz = fetch(Some("gzip")).await.unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert!(gz.headers()["vary"].to_str().unwrap().to_ascii_lowercase().contains("accept-encoding"));
    let packed = gz.into_body().collect().await.unwrap().to_bytes();
    assert!(packed.len() * 3 < plain.len(), "{} of {} bytes", packed.len(), plain.len());
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(&packed[..]).read_to_end(&mut unpacked).unwrap();
    let (a, b): (Value, Value) = (serde_json::from_slice(&unpacked).unwrap(), serde_json::from_slice(&plain).unwrap());
    // The same answer but for the time it took.
    let hits = |v: &Value| v["hits"].clone();
    assert_eq!(hits(&a), hits(&b));
    assert_eq!(a["total"], b["total"]);
    let br = fetch(Some("br;q=1.0, gzip;q=0.5")).await.unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
}

#[tokio::test]
async fn the_page_loads_its_script_by_a_versioned_url_kept_a_year() {
    let (_d, app) = app(None);
    let page = app.clone().oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
    let html = String::from_utf8(page.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    let url = html.split("<script src=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_string();
    assert!(url.starts_with("/assets/") && url.ends_with("/search.js"), "{url}");
    let script = app.clone().oneshot(Request::get(url.as_str()).body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(script.headers()["cache-control"], "public, max-age=31536000, immutable");
    let versioned = script.into_body().collect().await.unwrap().to_bytes();
    let fixed = app.clone().oneshot(Request::get("/search.js").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(fixed.headers()["cache-control"], "public, max-age=300");
    assert_eq!(fixed.into_body().collect().await.unwrap().to_bytes(), versioned);
    // A page cached from an older build asks for an older version: it is sent to this one.
    let old = app.clone().oneshot(Request::get("/assets/0123/search.js").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(old.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(old.headers()["location"], url.as_str());
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_clients_own_is_kept() {
    let (_d, app) = app(None);
    let res = app.clone().oneshot(Request::get("/api/search?q=sekachu").body(Body::empty()).unwrap()).await.unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let res = app.clone().oneshot(Request::get("/no/such/route").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_ne!(res.headers()["x-request-id"].to_str().unwrap(), id, "one per request, errors included");
    let res = app.clone().oneshot(Request::get("/healthz").header("x-request-id", "client-chosen-7").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "client-chosen-7");
}

#[tokio::test]
async fn suggest_completes_prefixes_of_titles_and_people() {
    suggest_completes_prefixes().await;
}

/// The server's runtime has several workers, and there type-ahead runs on the request's own
/// thread rather than the blocking pool (`http::run_short`): the same answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggest_on_the_servers_runtime_completes_the_same_prefixes() {
    suggest_completes_prefixes().await;
}

async fn suggest_completes_prefixes() {
    let (_d, app) = app(None);
    let (s, v) = get(&app, "/api/suggest?q=seka").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["suggestions"][0]["id"], common::SEED);
    assert!(v["took_us"].is_u64(), "the server's own time, as a search has: {v}");
    assert_eq!(v["suggestions"][0]["kind"], "drama");
    let (_, v) = get(&app, "/api/suggest?q=%E4%B8%96%E7%95%8C%E3%81%AE").await; // 世界の
    assert_eq!(v["suggestions"][0]["id"], common::SEED);
    let (_, v) = get(&app, "/api/suggest?q=yamada").await;
    assert_eq!(v["suggestions"][0]["id"], "yamada-takayuki");
    assert_eq!(v["suggestions"][0]["kind"], "person");
}

#[tokio::test]
async fn forum_search_stays_inside_one_drama() {
    let (_d, app) = app(None);
    let (s, v) = get(&app, &format!("/api/dramas/{}/forum?q=leukemia", common::SEED)).await;
    assert_eq!(s, StatusCode::OK);
    let hits = v["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    for h in hits {
        assert_ne!(h["kind"], "drama");
        assert!(h["author"].is_string());
        assert!(h["snippet"].as_str().unwrap().contains("<mark>"), "{h}");
    }
    let (s, v) = get(&app, "/api/dramas/no-such-drama/forum?q=x").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(v["error"].as_str().unwrap().contains("no-such-drama"));
}

/// A post about no drama that names the seed drama in Japanese is in its forum, marked as a
/// mention; the drama's own texts carry no `mention` field at all, nor does the site search.
#[tokio::test]
async fn forum_search_lists_posts_that_mention_the_drama_marked_as_mentions() {
    let (_d, app) = app(Some(TOKEN));
    let post = r#"{"type": "post", "id": "talk-1", "topic": "名作", "author": "x", "body": "世界の中心で、愛をさけぶを久しぶりに見返した"}"#;
    let (s, _) = call(&app, admin("POST", "/api/records", Some(TOKEN), post)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = get(&app, &format!("/api/dramas/{}/forum?limit=100", common::SEED)).await;
    assert_eq!(s, StatusCode::OK);
    let hits = v["hits"].as_array().unwrap();
    let mention = hits.iter().find(|h| h["id"] == "talk-1").unwrap_or_else(|| panic!("{v}"));
    assert_eq!(mention["mention"], true);
    assert!(mention.get("drama_id").is_none());
    assert!(hits.iter().filter(|h| h["id"] != "talk-1").all(|h| h.get("mention").is_none()));
    let (_, v) = get(&app, "/api/search?q=%E8%A6%8B%E8%BF%94%E3%81%97%E3%81%9F").await;
    let hit = v["hits"].as_array().unwrap().iter().find(|h| h["id"] == "talk-1").unwrap_or_else(|| panic!("{v}"));
    assert!(hit.get("mention").is_none());
}

#[tokio::test]
async fn records_are_served_by_kind_and_id() {
    let (_d, app) = app(None);
    let (s, v) = get(&app, &format!("/api/records/drama/{}", common::SEED)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["type"], "drama");
    assert_eq!(v["season"], "Summer 2004");
    let (s, _) = get(&app, "/api/records/person/yamada-takayuki").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = get(&app, "/api/records/drama/nope").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get(&app, "/api/records/spaceship/1").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn top100_answers_all_time_per_season_and_per_year() {
    let (_d, app) = app(None);
    for uri in ["/api/top100", "/api/top100?season=Summer%202004", "/api/top100?year=2004"] {
        let (s, v) = get(&app, uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        assert!(v["params"]["m"].is_number() && v["params"]["min_votes"].is_number(), "{v}");
        assert!(v["params"]["c"].is_number(), "{v}");
        let e = &v["entries"][0];
        assert_eq!(e["id"], common::SEED, "{uri}");
        assert_eq!(e["rank"], 1);
        assert_eq!(e["title_ja"], "世界の中心で、愛をさけぶ");
        for k in ["mean", "votes", "score"] {
            assert!(e[k].is_number(), "{k}: {e}");
        }
    }
    let (_, v) = get(&app, "/api/top100?season=Winter%201999").await;
    assert_eq!(v["entries"].as_array().unwrap().len(), 0);
    for bad in ["/api/top100?season=Monsoon%202004", "/api/top100?year=abc", "/api/top100?year=2004&season=Summer%202004"] {
        let (s, v) = get(&app, bad).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
        assert!(v["error"].is_string());
    }
}

#[tokio::test]
async fn admin_endpoints_need_the_token() {
    let (_d, app) = app(Some(TOKEN));
    let line = r#"{"type":"post","id":"p1","topic":"hello","author":"a","body":"hi"}"#;
    let missing = error("missing Authorization: Bearer <token>", "missing_token", "auth");
    let wrong = error("wrong admin token", "invalid_token", "auth");
    for (method, uri, token, want) in [
        ("POST", "/api/records", None, &missing),
        ("POST", "/api/records", Some("wrong"), &wrong),
        ("POST", "/api/records", Some("s3cret-token-and-more"), &wrong),
        ("POST", "/api/records", Some("s3cret-toke"), &wrong),
        ("POST", "/api/top100/recompute", None, &missing),
        ("POST", "/api/top100/recompute", Some("wrong"), &wrong),
        ("DELETE", "/api/records/post/p1", None, &missing),
        ("DELETE", "/api/records/post/p1", Some("wrong"), &wrong),
    ] {
        let (s, v) = call(&app, admin(method, uri, token, line)).await;
        assert_eq!((s, &v), (StatusCode::UNAUTHORIZED, want), "{method} {uri} with {token:?}");
    }
    let (_, v) = get(&app, "/api/records/post/p1").await;
    assert_eq!(v["error"], "no post with id \"p1\"", "refused writes wrote nothing");
    let (s, v) = call(&app, admin("POST", "/api/records", Some(TOKEN), line)).await;
    assert_eq!((s, v), (StatusCode::OK, serde_json::json!({"accepted": 1})));
    let (s, v) = get(&app, "/api/records/post/p1").await;
    assert_eq!((s, v["topic"].as_str()), (StatusCode::OK, Some("hello")));

    // Recompute answers how many ratings it recounted: one per (drama, user), the last one
    // a user gave.
    let votes = |v: &Value| v["entries"][0]["votes"].as_u64().unwrap();
    let (_, top) = get(&app, "/api/top100").await;
    let before = votes(&top);
    let (s, v) = call(&app, admin("POST", "/api/top100/recompute", Some(TOKEN), "")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["ratings"].as_u64(), Some(before), "{v}");
    assert!(v["took_ms"].is_u64(), "{v}");
    assert_eq!(v.as_object().unwrap().len(), 2, "{v}");
    let rated = format!(r#"{{"type":"comment","id":"c-new","drama_id":"{}","author":"brand-new-user","rating":3,"body":"x"}}"#, common::SEED);
    call(&app, admin("POST", "/api/records", Some(TOKEN), &rated)).await;
    let (_, v) = call(&app, admin("POST", "/api/top100/recompute", Some(TOKEN), "")).await;
    assert_eq!(v["ratings"].as_u64(), Some(before + 1), "{v}");
    let (_, top) = get(&app, "/api/top100").await;
    assert_eq!(votes(&top), before + 1, "{top}");

    let (s, v) = call(&app, admin("DELETE", "/api/records/post/p1", Some(TOKEN), "")).await;
    assert_eq!((s, v), (StatusCode::OK, serde_json::json!({"deleted": {"kind": "post", "id": "p1"}})));
    let (s, v) = call(&app, admin("DELETE", "/api/records/post/p1", Some(TOKEN), "")).await;
    assert_eq!((s, v), (StatusCode::NOT_FOUND, error("no post with id \"p1\"", "not_found", "invalid_request")));
}

#[tokio::test]
async fn without_a_configured_token_admin_endpoints_refuse_everything() {
    let (_d, app) = app(None);
    let refused = error("admin endpoints are disabled: the server has no DORAMA_ADMIN_TOKEN", "disabled", "auth");
    let line = r#"{"type":"post","id":"p1","topic":"hello","author":"a","body":"hi"}"#;
    for t in [None, Some(""), Some("anything"), Some(TOKEN)] {
        for (method, uri) in [("POST", "/api/records"), ("POST", "/api/top100/recompute"), ("DELETE", "/api/records/post/p1")] {
            let (s, v) = call(&app, admin(method, uri, t, line)).await;
            assert_eq!((s, &v), (StatusCode::FORBIDDEN, &refused), "{method} {uri} with {t:?}");
        }
    }
    let (s, _) = get(&app, "/api/records/post/p1").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_ingested_record_is_searchable_at_once_and_can_be_deleted() {
    let (_d, app) = app(Some(TOKEN));
    let batch = format!(
        "{}\n{}\n",
        r#"{"type":"drama","id":"hero","title":"HERO","title_ja":"HERO","start":"2001-01-08","station":"Fuji TV","cast":[{"actor":"Kimura Takuya","actor_ja":"木村拓哉","character":"Kuryu Kohei","character_ja":"久利生公平"}]}"#,
        r#"{"type":"review","id":"hero-r1","drama_id":"hero","author":"kim","rating":9,"title":"great","body":"Kuryu the prosecutor in his down jacket"}"#
    );
    let (s, v) = call(&app, admin("POST", "/api/records", Some(TOKEN), &batch)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["accepted"], 2);
    let (_, v) = get(&app, "/api/search?q=prosecutor").await;
    assert_eq!(v["hits"][0]["id"], "hero-r1");
    let (_, v) = get(&app, "/api/search?q=%E6%9C%A8%E6%9D%91%E6%8B%93%E5%93%89&kind=person").await; // 木村拓哉
    assert_eq!(v["hits"][0]["id"], "kimura-takuya");
    let (_, v) = get(&app, "/api/records/drama/hero").await;
    assert_eq!(v["season"], "Winter 2001", "season derived from start");
    let (s, v) = call(&app, admin("DELETE", "/api/records/review/hero-r1", Some(TOKEN), "")).await;
    assert_eq!((s, v), (StatusCode::OK, serde_json::json!({"deleted": {"kind": "review", "id": "hero-r1"}})));
    let (_, v) = get(&app, "/api/search?q=prosecutor").await;
    assert_eq!(v["total"], 0);
    let (s, v) = call(&app, admin("DELETE", "/api/records/review/hero-r1", Some(TOKEN), "")).await;
    assert_eq!((s, v), (StatusCode::NOT_FOUND, error("no review with id \"hero-r1\"", "not_found", "invalid_request")));
}

#[tokio::test]
async fn a_malformed_batch_is_refused_with_its_line_and_applies_nothing() {
    let (_d, app) = app(Some(TOKEN));
    let good = [
        r#"{"type":"drama","id":"zz-one","title":"Zz One"}"#,
        r#"{"type":"review","id":"zz-r1","drama_id":"zz-one","author":"a","rating":8,"body":"qqfine"}"#,
    ];
    let (_, before) = get(&app, "/healthz").await;
    // The last line is bad in each way a line can be: out of range, not JSON, about a drama
    // that does not exist, an impossible date. Nothing of the batch is applied.
    for (last, says) in [
        (r#"{"type":"review","id":"zz-r2","drama_id":"zz-one","author":"b","rating":42,"body":"too much"}"#, "rating 42 is outside 1–10"),
        (r#"{"type":"review","id":"zz-r2","drama_id":"zz-one","#, "not valid JSON"),
        (r#"{"type":"review","id":"zz-r2","drama_id":"zz-none","author":"b","rating":4,"body":"x"}"#, "unknown drama \"zz-none\""),
        (r#"{"type":"review","id":"zz-r2","drama_id":"zz-one","author":"b","rating":4,"body":"x","date":"2005-02-29"}"#, "date \"2005-02-29\""),
    ] {
        let batch = [good[0], good[1], last].join("\n");
        let (s, v) = call(&app, admin("POST", "/api/records", Some(TOKEN), &batch)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        let msg = v["error"].as_str().unwrap();
        assert!(msg.starts_with("body:3: ") && msg.contains(says), "{says}: {v}");
        let (s, _) = get(&app, "/api/records/drama/zz-one").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, found) = get(&app, "/api/search?q=qqfine").await;
        assert_eq!(found["total"], 0, "{found}");
        let (_, after) = get(&app, "/healthz").await;
        assert_eq!(after, before);
    }
    let (s, v) = call(&app, admin("POST", "/api/records", Some(TOKEN), "not json at all")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["error"].as_str().unwrap().starts_with("body:1: "), "{v}");
    let (s, v) = call(&app, admin("POST", "/api/records", Some(TOKEN), "\n  \n")).await;
    assert_eq!((s, v), (StatusCode::BAD_REQUEST, error("the body holds no records (NDJSON, one record per line)", "invalid_record", "invalid_request")));
}

#[tokio::test]
async fn hostile_queries_are_answered_200_and_the_query_cap_is_1_kib() {
    use dorama_search::http::MAX_QUERY_BYTES;
    assert_eq!(MAX_QUERY_BYTES, 1024, "the README documents queries capped at 1 KiB");
    let (_d, app) = app(None);
    let queries = [
        "%22unclosed", "((", "title:", "AND%20OR", "*", "%", "%zz", "%FF%FE", "%00", "-", "~~~",
        "NOT", "\u{202e}", "a%20b%20c%20d%20e%20f%20g%20h%20i%20j%20k%20l%20m%20n%20o%20p%20q%20r%20s",
    ];
    let at_cap = "a".repeat(MAX_QUERY_BYTES);
    let kana_at_cap = "%E3%81%82".repeat(MAX_QUERY_BYTES / 3); // あ: 3 bytes each, 1023 bytes
    for q in queries.iter().copied().chain([at_cap.as_str(), kana_at_cap.as_str()]) {
        for path in ["/api/search", "/api/suggest", "/api/dramas/sekai-no-chuushin-de-ai-wo-sakebu/forum"] {
            let (s, v) = get(&app, &format!("{path}?q={q}")).await;
            assert_eq!(s, StatusCode::OK, "{path}?q={q}: {v}");
        }
    }
    // One byte more than the cap, in ASCII or in kana: 400 naming the size and the cap.
    let over = "a".repeat(MAX_QUERY_BYTES + 1);
    let kana_over = "%E3%81%82".repeat(MAX_QUERY_BYTES / 3 + 1); // 1026 bytes
    for (q, len) in [(over.as_str(), 1025), (kana_over.as_str(), 1026), (&*"b".repeat(5000), 5000)] {
        for path in ["/api/search", "/api/suggest", "/api/dramas/sekai-no-chuushin-de-ai-wo-sakebu/forum"] {
            let (s, v) = get(&app, &format!("{path}?q={q}")).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{path} with {len} bytes");
            assert_eq!(v, error(format!("q is {len} bytes long; at most 1024 are accepted"), "invalid_parameter", "invalid_request"));
        }
    }
    for (uri, msg) in [
        ("/api/search?q=a&limit=-1", "limit must not be negative"),
        ("/api/search?q=a&offset=-5", "offset must not be negative"),
        ("/api/search?q=a&limit=abc", "limit must be a whole number, not \"abc\""),
        ("/api/search?q=a&offset=99999999999999999999999", "offset must be at most 10000, not 99999999999999999999999"),
        ("/api/search?q=a&offset=10001", "offset must be at most 10000, not 10001"),
        ("/api/suggest?q=a&limit=x", "limit must be a whole number, not \"x\""),
    ] {
        let (s, v) = get(&app, uri).await;
        assert_eq!((s, v), (StatusCode::BAD_REQUEST, error(msg, "invalid_parameter", "invalid_request")), "{uri}");
    }
    let (s, v) = get(&app, "/api/search?q=a&offset=10000").await;
    assert_eq!(s, StatusCode::OK, "offset 10,000 is the deepest accepted: {v}");
}

/// `limit` is capped at 100 (not refused): on a corpus with more than 100 matches a larger
/// limit gives exactly 100 hits, and the default is 20.
#[tokio::test]
async fn limit_defaults_to_20_and_is_at_most_100() {
    let (_d, app) = app(Some(TOKEN));
    let batch: Vec<String> = (0..150)
        .map(|i| format!(r#"{{"type":"comment","id":"cap-{i}","drama_id":"{}","author":"u{i}","body":"qqcapword {i}"}}"#, common::SEED))
        .collect();
    let (s, v) = call(&app, admin("POST", "/api/records", Some(TOKEN), &batch.join("\n"))).await;
    assert_eq!((s, v), (StatusCode::OK, serde_json::json!({"accepted": 150})));
    let hits = |v: &Value| v["hits"].as_array().unwrap().len();
    for (uri, want) in [
        ("/api/search?q=qqcapword", 20),
        ("/api/search?q=qqcapword&limit=100", 100),
        ("/api/search?q=qqcapword&limit=99", 99),
        ("/api/search?q=qqcapword&limit=100&offset=100", 50),
    ] {
        let (s, v) = get(&app, uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        assert_eq!((hits(&v), v["total"].as_u64()), (want, Some(150)), "{uri}");
    }
    // Past 100 a page is refused, not silently cut to 100.
    for uri in ["/api/search?q=qqcapword&limit=101".to_string(), format!("/api/dramas/{}/forum?limit=1000", common::SEED)] {
        let (s, v) = get(&app, &uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}");
        assert!(v["message"].as_str().unwrap().starts_with("limit must be at most 100"), "{v}");
    }
    let forum = format!("/api/dramas/{}/forum?q=qqcapword&limit=100", common::SEED);
    let (_, v) = get(&app, &forum).await;
    assert_eq!(hits(&v), 100, "{forum}");
    let (_, v) = get(&app, &format!("/api/dramas/{}/forum?limit=100", common::SEED)).await;
    assert_eq!(hits(&v), 100, "forum without q, newest first");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let (_d, app) = app(None);
    let (s, v) = get(&app, "/nope").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(v["error"].is_string());
    let (s, v) = call(&app, Request::put("/api/search").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert!(v["error"].is_string());
}

#[tokio::test]
async fn read_endpoints_allow_cross_origin_get() {
    let (_d, app) = app(None);
    let req = Request::get("/api/search?q=sekachu").header("origin", "https://fan.example").body(Body::empty()).unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.headers().get("access-control-allow-origin").unwrap(), "*");
}

#[tokio::test]
async fn an_oversized_body_gets_413() {
    let (_d, app) = app(Some(TOKEN));
    let big = "x".repeat(dorama_search::http::MAX_BODY_BYTES + 10);
    let (s, v) = call(&app, admin("POST", "/api/records", Some(TOKEN), &big)).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(v["error"].is_string());
}

#[tokio::test]
async fn metrics_count_requests_per_route_in_prometheus_format() {
    let (_d, app) = app(Some(TOKEN));
    let (s, _) = call(&app, admin("POST", "/api/records", Some(TOKEN), r#"{"type":"post","id":"metrics-check","topic":"t","author":"a","body":"b"}"#)).await;
    assert_eq!(s, StatusCode::OK);
    get(&app, "/api/search?q=sekachu").await;
    get(&app, "/api/search?q=sekachu").await;
    get(&app, "/api/records/drama/nope").await;
    let res = app.clone().oneshot(Request::get("/metrics").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(text.contains(r#"dorama_http_requests_total{method="GET",route="/api/search",status="200"} 2"#), "{text}");
    assert!(text.contains(r#"route="/api/records/{kind}/{id}",status="404"} 1"#), "{text}");
    assert!(text.contains(r#"dorama_http_request_duration_seconds_bucket{method="GET",route="/api/search",le="+Inf"} 2"#), "{text}");
    assert!(text.contains(r#"dorama_documents{kind="review"} 30"#), "{text}");
    assert!(text.contains("dorama_index_bytes "), "{text}");
    assert!(text.contains("dorama_commit_duration_seconds_count 1"), "{text}");
    assert!(text.contains(r#"dorama_cache_requests_total{result="hit"} 1"#), "{text}");
    assert!(text.contains("dorama_index_generation "), "{text}");
    assert!(text.contains("dorama_index_segments "), "{text}");
    assert!(text.contains("dorama_index_age_seconds "), "{text}");
    // The process, from the standard collector (Linux).
    let value = |name: &str| -> f64 {
        let line = text.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap_or_else(|| panic!("no {name} in {text}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert!(value("process_resident_memory_bytes") > 1e6, "{text}");
    assert!(value("process_open_fds") >= 3.0, "{text}");
    assert!(text.contains("process_cpu_seconds_total "), "{text}");
    // CPU time to the microsecond, not whole seconds: a test process has used a fraction.
    let cpu: f64 = text.lines().find_map(|l| l.strip_prefix("dorama_process_cpu_seconds ")).expect("dorama_process_cpu_seconds").parse().unwrap();
    assert!(cpu > 0.0 && cpu.fract() != 0.0, "{cpu}");
}

#[tokio::test]
async fn ids_with_traversal_or_invalid_utf8_get_a_json_4xx() {
    let (_d, app) = app(None);
    for (uri, status, error) in [
        // An id is a key looked up in the index, never a path: a traversal is an unknown id.
        ("/api/records/drama/..%2F..%2Fetc%2Fpasswd", 404, "no drama with id \"../../etc/passwd\""),
        ("/api/records/drama/%2e%2e", 404, "no drama with id \"..\""),
        ("/api/records/drama/..", 404, "no drama with id \"..\""),
        ("/api/records/drama/%00", 404, "no drama with id \"\\0\""),
        ("/api/records/../../etc/passwd", 404, "no such endpoint"),
        ("/api/dramas/..%2F..%2Fetc/forum?q=x", 404, "no drama with id \"../../etc\""),
        // Invalid UTF-8 in a path segment cannot be an id.
        ("/api/records/drama/%FF%FE", 400, ""),
        ("/api/dramas/%FF/forum?q=x", 400, ""),
    ] {
        let (s, v) = get(&app, uri).await;
        assert_eq!(s.as_u16(), status, "{uri}: {v}");
        let msg = v["error"].as_str().unwrap_or_else(|| panic!("{uri}: {v}"));
        if !error.is_empty() {
            assert!(msg.contains(error), "{uri}: {msg:?} does not say {error:?}");
        }
    }
    // Query text with invalid UTF-8 or control characters is searched, not refused.
    for uri in ["/api/search?q=%FF%FE%FD", "/api/search?q=%E2%80%AEevil%E2%80%AC%01%02", "/api/suggest?q=%0A%0D%09"] {
        let (s, v) = get(&app, uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}: {v}");
    }
}


/// A parameter a route does not take is refused, naming the closest one it does take: a
/// misspelt `limit` would otherwise be ignored, and the page size would silently stay 20.
#[tokio::test]
async fn an_unknown_parameter_is_refused_with_the_closest_known_name() {
    let (_d, app) = app(None);
    for (uri, unknown, closest) in [
        ("/api/search?q=love&lmit=5", "lmit", Some("limit")),
        ("/api/search?q=love&foo=bar", "foo", None),
        ("/api/search?q=love&facet=kind", "facet", Some("facets")),
        ("/api/suggest?q=seka&limt=3", "limt", Some("limit")),
        ("/api/top100?seson=Summer%202004", "seson", Some("season")),
        (&format!("/api/dramas/{}/forum?srot=newest", common::SEED), "srot", Some("sort")),
        (&format!("/api/dramas/{}/related?q=x", common::SEED), "q", None),
    ] {
        let (s, v) = get(&app, uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_eq!(v["code"], "unknown_parameter", "{v}");
        let m = v["message"].as_str().unwrap();
        assert!(m.starts_with(&format!("unknown parameter {unknown:?}")), "{m}");
        match closest {
            Some(c) => assert!(m.contains(&format!("did you mean {c:?}?")), "{m}"),
            None => assert!(!m.contains("did you mean"), "{m}"),
        }
    }
}

/// `limit=0` is a question about counts: the totals and the facets, without a page of hits.
#[tokio::test]
async fn limit_zero_answers_the_totals_and_facets_without_hits() {
    let (_d, app) = app(None);
    let (_, full) = get(&app, "/api/search?q=love&facets=kind,station").await;
    let (s, v) = get(&app, "/api/search?q=love&facets=kind,station&limit=0").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["hits"].as_array().unwrap().len(), 0);
    assert!(full["total"].as_u64().unwrap() > 0);
    assert_eq!(v["total"], full["total"]);
    assert_eq!(v["kinds"], full["kinds"]);
    assert_eq!(v["facets"], full["facets"]);
    let (s, v) = get(&app, &format!("/api/dramas/{}/forum?limit=0&facets=kind", common::SEED)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["total"].as_u64().unwrap() > 0 && v["hits"].as_array().unwrap().is_empty(), "{v}");
}

/// A station no drama has is refused with the stations there are, the closest first, instead
/// of answering no hits as if nothing matched.
#[tokio::test]
async fn an_unknown_station_is_refused_with_the_stations_there_are() {
    let (_d, app) = app(None);
    let (s, v) = get(&app, "/api/search?q=love&station=Fuji").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let m = v["message"].as_str().unwrap();
    assert!(m.starts_with("no drama is on station \"Fuji\"; stations include TBS"), "{m}");
    let (s, _) = get(&app, "/api/search?q=love&station=tbs").await;
    assert_eq!(s, StatusCode::OK, "any case");
}

/// Every error carries a stable code and its type, listed in the OpenAPI document.
#[tokio::test]
async fn errors_carry_a_stable_code_and_type() {
    let (_d, app) = app(Some(TOKEN));
    for (req, code, kind) in [
        (Request::get("/api/search").body(Body::empty()).unwrap(), "missing_parameter", "invalid_request"),
        (Request::get("/api/search?q=x&limit=x").body(Body::empty()).unwrap(), "invalid_parameter", "invalid_request"),
        (Request::get("/api/nothing").body(Body::empty()).unwrap(), "not_found", "invalid_request"),
        (Request::put("/api/search").body(Body::empty()).unwrap(), "method_not_allowed", "invalid_request"),
        (admin("POST", "/api/records", None, "{}"), "missing_token", "auth"),
        (admin("POST", "/api/records", Some("nope"), "{}"), "invalid_token", "auth"),
        (admin("POST", "/api/records", Some(TOKEN), "{\"type\":\"nope\"}"), "invalid_record", "invalid_request"),
        (admin("POST", "/api/snapshot?dest=x", Some(TOKEN), ""), "disabled", "auth"),
    ] {
        let uri = req.uri().to_string();
        let (_, v) = call(&app, req).await;
        assert_eq!((v["code"].as_str(), v["type"].as_str()), (Some(code), Some(kind)), "{uri}: {v}");
        assert_eq!(v["message"], v["error"]);
    }
    let (_, doc) = get(&app, "/openapi.json").await;
    let codes = doc["components"]["schemas"]["ErrorCode"]["enum"].as_array().unwrap();
    assert!(codes.len() >= 16 && codes.contains(&serde_json::json!("unknown_parameter")), "{codes:?}");
}

#[tokio::test]
async fn version_names_the_build_and_the_index_format_it_reads() {
    let (_d, app) = app(None);
    let (s, v) = get(&app, "/version").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["index_format"], dorama_search::index::format_mark());
}

/// Every kind the `kind` facet counts can be clicked through: asking for it answers its count.
#[tokio::test]
async fn every_kind_the_kind_facet_counts_can_be_asked_for() {
    let (_d, app) = app(None);
    let (s, v) = get(&app, "/api/search?q=saddest&facets=kind").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let kinds = v["kinds"].as_object().unwrap().clone();
    assert!(kinds.contains_key("vote"), "the seed's votes are counted: {v}");
    for (kind, count) in kinds {
        let (s, v) = get(&app, &format!("/api/search?q=saddest&kind={kind}")).await;
        assert_eq!(s, StatusCode::OK, "{kind}: {v}");
        assert_eq!(v["total"], count["total"], "{kind}");
    }
}

/// A drama's rating distribution is what its Top 100 entry counts: the same number of
/// ratings and the same mean, spread over 1 to 10.
#[tokio::test]
async fn a_dramas_rating_distribution_adds_up_to_its_top100_entry() {
    let (_d, app) = app(None);
    let (s, top) = get(&app, "/api/top100").await;
    assert_eq!(s, StatusCode::OK);
    let entry = top["entries"].as_array().unwrap().iter().find(|e| e["id"] == common::SEED).expect("the seed drama is listed").clone();
    let (s, v) = get(&app, &format!("/api/dramas/{}/ratings", common::SEED)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let counts: Vec<u64> = v["counts"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).collect();
    assert_eq!(counts.len(), 10);
    assert_eq!(counts.iter().sum::<u64>(), v["counted"].as_u64().unwrap());
    assert_eq!(v["counted"], entry["votes"]);
    assert!((v["mean"].as_f64().unwrap() - entry["mean"].as_f64().unwrap()).abs() < 1e-9, "{v} {entry}");
    let (s, _) = get(&app, "/api/dramas/no-such-drama/ratings").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = get(&app, &format!("/api/dramas/{}/ratings?limit=3", common::SEED)).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::BAD_REQUEST, Some("unknown_parameter")));
}

/// `sort=rating` over dramas and texts: a drama's Top 100 score and a text's 10/10 are two
/// scales, so the dramas come first (by score), then the texts (by rating), never interleaved.
#[tokio::test]
async fn sort_by_rating_puts_dramas_by_score_before_texts_by_rating() {
    let (_d, engine) = common::sample_engine();
    let app = router(Arc::new(AppState::new(Arc::new(engine), None)));
    let (s, v) = get(&app, "/api/search?q=love&sort=rating&limit=100").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let kinds: Vec<&str> = v["hits"].as_array().unwrap().iter().map(|h| h["kind"].as_str().unwrap()).collect();
    let first_text = kinds.iter().position(|k| *k != "drama" && *k != "person").expect("texts match love");
    assert!(kinds[..first_text].contains(&"drama"), "dramas match love too: {kinds:?}");
    assert!(!kinds[first_text..].contains(&"drama"), "a drama after a text: {kinds:?}");
    let ratings: Vec<u64> = v["hits"].as_array().unwrap()[first_text..].iter().filter_map(|h| h["rating"].as_u64()).collect();
    assert!(ratings.windows(2).all(|w| w[0] >= w[1]), "texts by rating: {ratings:?}");
}

/// A drama's forum narrowed to some kinds of text (`kind=review,comment`), with words and
/// without (the newest-first listing): only those kinds, as many as the whole forum counts of
/// them; a kind a forum cannot hold is refused.
#[tokio::test]
async fn a_forum_narrowed_by_kind_lists_only_those_kinds() {
    let (_d, app) = app(None);
    let forum = format!("/api/dramas/{}/forum", common::SEED);
    for q in ["", "&q=saddest", "&q=love&sort=rating"] {
        let (_, all) = get(&app, &format!("{forum}?limit=100{q}")).await;
        let expect = |k: &str| all["kinds"][k]["total"].as_u64().unwrap_or(0);
        let (s, v) = get(&app, &format!("{forum}?limit=100&kind=review,vote{q}")).await;
        assert_eq!(s, StatusCode::OK, "{q}: {v}");
        let kinds: std::collections::BTreeSet<&str> = v["hits"].as_array().unwrap().iter().map(|h| h["kind"].as_str().unwrap()).collect();
        assert!(kinds.iter().all(|k| ["review", "vote"].contains(k)), "{q}: {kinds:?}");
        assert_eq!(v["total"].as_u64().unwrap(), expect("review") + expect("vote"), "{q}");
        assert!(v["total"].as_u64().unwrap() > 0, "{q}");
    }
    let (s, v) = get(&app, &format!("{forum}?kind=drama")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
}

#[tokio::test]
async fn top100_scopes_lists_every_season_and_year_with_a_list_newest_first() {
    let (_d, engine) = common::sample_engine();
    let app = router(Arc::new(AppState::new(Arc::new(engine), None)));
    let (status, scopes) = get(&app, "/api/top100/scopes").await;
    assert_eq!(status, StatusCode::OK, "{scopes}");
    let seasons: Vec<&str> = scopes["seasons"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    let years: Vec<i64> = scopes["years"].as_array().unwrap().iter().map(|y| y.as_i64().unwrap()).collect();
    assert!(seasons.contains(&"Summer 2004") && seasons.len() > 3, "{seasons:?}");
    let order: Vec<(i32, u8)> = seasons.iter().map(|s| dorama_search::record::season_order(s)).collect();
    assert!(order.windows(2).all(|p| p[0] > p[1]), "not newest first: {seasons:?}");
    assert!(years.windows(2).all(|p| p[0] > p[1]), "{years:?}");
    // Each one named has a list, and every season of a listed drama is named.
    for s in &seasons {
        let (_, top) = get(&app, &format!("/api/top100?season={}", s.replace(' ', "%20"))).await;
        assert!(!top["entries"].as_array().unwrap().is_empty(), "{s} has an empty list");
    }
    let (_, all) = get(&app, "/api/top100").await;
    for e in all["entries"].as_array().unwrap() {
        if let Some(s) = e["season"].as_str() {
            assert!(seasons.contains(&s), "{s} of {} is not offered", e["id"]);
        }
    }
    let (status, body) = get(&app, "/api/top100/scopes?season=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
