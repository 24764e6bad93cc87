//! The city publisher's pages (publisher tokens): its namespace's
//! versions and where each stands in review; upload a module (drag and
//! drop, or choose a file) — the API compiles and checks it, and its
//! answer (refusal or `describe()`) is shown; each version's page (the
//! reviewer's page without the reviewer's actions) with its anonymised
//! impact report.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{Frame, Signed, render, text};
use crate::ConsoleError;
use crate::i18n::T;

/// The largest module the console forwards: 32 MiB, the API's own limit
/// for a module (`MAX_MODULE_BODY`); larger ones are refused before they
/// are read.
pub const MAX_MODULE: usize = 32 << 20;

/// The publisher's namespace, or a refusal for any other role.
fn namespace(signed: &Signed) -> Result<String, ConsoleError> {
    signed
        .session
        .role
        .strip_prefix("publisher:")
        .map(str::to_string)
        .ok_or_else(|| {
            ConsoleError::Forbidden(format!(
                "这是发布方的页面 · this page is a publisher's ({} may not open it)",
                signed.session.role
            ))
        })
}

/// One version of the namespace.
struct Row {
    model: String,
    version: String,
    status: String,
    published_at: String,
    href: String,
}

#[derive(Template)]
#[template(path = "publish/home.html")]
struct PublishPage {
    f: Frame,
    csrf: String,
    namespace: String,
    rows: Vec<Row>,
    max_mib: usize,
}

/// `GET /console/publish`: the namespace's versions and the upload form.
pub async fn home(signed: Signed) -> Result<Response, ConsoleError> {
    let ns = namespace(&signed)?;
    let versions = signed.get("/v1/plugins").await?;
    let prefix = format!("{ns}/");
    let rows = versions
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| {
            let reference = text(&v["ref"]);
            let (model, version) = reference.split_once('@')?;
            model.starts_with(&prefix).then(|| Row {
                href: format!("/console/review/{model}/{version}"),
                model: model.to_string(),
                version: version.to_string(),
                status: text(&v["status"]),
                published_at: text(&v["published_at"]),
            })
        })
        .collect();
    let t = T(signed.lang);
    Ok(render(&PublishPage {
        f: signed.frame(t.t("publish_title"), "/console/publish"),
        csrf: signed.session.csrf.clone(),
        namespace: ns,
        rows,
        max_mib: MAX_MODULE >> 20,
    }))
}

/// `POST /console/publish/{name}/{version}`: the module's bytes
/// (`application/wasm`) with the session's CSRF token in `X-CSRF-Token`,
/// sent by the page's script; forwarded to the API's publish into the
/// publisher's namespace. Answers JSON: the version page's address, or the
/// API's refusal.
pub async fn upload(
    signed: Signed,
    Path((name, version)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let given = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut form = HashMap::new();
    form.insert("csrf".to_string(), given.to_string());
    let refuse = |status: StatusCode, message: String| {
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            json!({"error": message}).to_string(),
        )
            .into_response()
    };
    if let Err(e) = signed.check_csrf(&form) {
        return refuse(e.status(), e.to_string());
    }
    let ns = match namespace(&signed) {
        Ok(ns) => ns,
        Err(e) => return refuse(e.status(), e.to_string()),
    };
    let ok_part = |s: &str| {
        !s.is_empty()
            && s.len() <= 128
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.+".contains(&b))
    };
    if !ok_part(&name) || !ok_part(&version) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "a name and a version (semver) are needed".into(),
        );
    }
    // Only now, with the session, its CSRF token, the role and the names
    // checked, is the body read (up to MAX_MODULE): a signed-in app or
    // auditor sending 32 MiB makes the server buffer nothing.
    let body: Bytes = match axum::body::to_bytes(body, MAX_MODULE).await {
        Ok(b) => b,
        Err(_) => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("a module is at most {} MiB", MAX_MODULE >> 20),
            );
        }
    };
    let console = signed.console();
    let answer = console
        .api
        .send(
            &signed.who(),
            Method::POST,
            &format!("/v1/plugins/{ns}/{name}/versions/{version}"),
            Some(("application/wasm", body)),
        )
        .await;
    match answer {
        Ok(a) if a.status.is_success() => (
            [(header::CONTENT_TYPE, "application/json")],
            json!({
                "location": format!("/console/review/{ns}/{name}/{version}"),
                "already_published": a.body["already_published"],
            })
            .to_string(),
        )
            .into_response(),
        Ok(a) if a.status == StatusCode::UNAUTHORIZED => {
            console.sessions.end_token(&signed.session.token_id);
            refuse(StatusCode::UNAUTHORIZED, "the session ended".into())
        }
        Ok(a) => refuse(
            a.status,
            a.body["error"]["message"]
                .as_str()
                .unwrap_or("the API refused the module")
                .to_string(),
        ),
        Err(e) => refuse(e.status(), e.to_string()),
    }
}
