//! The search page at `/` and its script: plain HTML and one script, no build step. The script
//! is also the embeddable widget: one `<script>` tag and one element put the search box on any
//! page of the site (it calls the API on the host it came from).
//!
//! The page loads the script from a versioned URL (`/assets/<version>/search.js`, the version
//! a hash of the script's bytes), which browsers and CDNs may keep for a year: a new build has
//! a new URL, so nobody runs an old script against a new API. `/search.js` stays for sites that
//! embed the widget by a fixed URL, with a five-minute lifetime. An old version's URL (a page
//! cached across an upgrade) redirects to the current one rather than failing.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;

const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/search.js");
const JS: &str = "text/javascript; charset=utf-8";

/// The script's version: FNV-1a of its bytes, in hex.
pub fn script_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let h = SCRIPT.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
        format!("{h:016x}")
    })
}

/// The versioned URL of the script, which the page loads.
pub fn script_url() -> String {
    format!("/assets/{}/search.js", script_version())
}

/// The search page.
#[utoipa::path(get, path = "/", tag = "service", responses((status = 200, description = "The search page", content_type = "text/html", body = String)))]
pub async fn index() -> impl IntoResponse {
    static PAGE: OnceLock<String> = OnceLock::new();
    let page = PAGE.get_or_init(|| INDEX.replace("src=\"/search.js\"", &format!("src=\"{}\"", script_url())));
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], page.as_str())
}

/// The widget by its fixed URL, cached five minutes.
#[utoipa::path(get, path = "/search.js", tag = "service", responses((status = 200, description = "The search page's script and widget", content_type = "text/javascript", body = String)))]
pub async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, JS), (header::CACHE_CONTROL, "public, max-age=300")], SCRIPT)
}

/// The script under its version, cached a year; another version redirects to the current one.
#[utoipa::path(get, path = "/assets/{version}/search.js", tag = "service",
    params(("version" = String, Path, description = "The script's version, as the page names it")),
    responses(
        (status = 200, description = "The script", content_type = "text/javascript", body = String),
        (status = 307, description = "Not the current version: Location names the current one"),
))]
pub async fn versioned_script(Path(version): Path<String>) -> Response {
    if version != script_version() {
        return (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, script_url())]).into_response();
    }
    ([(header::CONTENT_TYPE, JS), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")], SCRIPT).into_response()
}
