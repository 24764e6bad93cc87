//! The console's static files, compiled into the binary: its stylesheet,
//! its script, and the vendored chart library (`assets/vendor/`, pinned by
//! version and SHA-256 in `assets/vendor/VENDOR.toml`). Nothing is fetched
//! from elsewhere at run time.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Every file served under `/console/assets/`: name, content type, bytes.
pub const FILES: &[(&str, &str, &[u8])] = &[
    (
        "console.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/console.css"),
    ),
    (
        "console.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/console.js"),
    ),
    (
        "chart.umd.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/chart.umd.min.js"),
    ),
    (
        "chartjs-chart-matrix.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/chartjs-chart-matrix.min.js"),
    ),
];

/// `GET /console/assets/{file}`: one of [`FILES`], cached by the browser
/// for an hour (they change only with the binary).
pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => {
            let mut r = (*bytes).into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            r
        }
        None => (StatusCode::NOT_FOUND, "no such file\n").into_response(),
    }
}
