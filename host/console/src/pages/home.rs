//! Signing in and out, switching the language, and each role's start page.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::{Frame, Signed, render};
use crate::api::Who;
use crate::i18n::{Lang, T};
use crate::session::{self, SESSION_TTL};
use crate::{Console, ConsoleError};

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignIn {
    f: Frame,
    csrf: String,
    ended: bool,
    signed_out: bool,
    error: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    f: Frame,
    province: bool,
    auditor: bool,
    publisher: bool,
    waiting: usize,
    /// Disputes: open (to check), forwarded (to answer), overdue; `None`
    /// for a role that has none to follow.
    disputes: Option<(usize, usize, usize)>,
    total: u64,
    failed: u64,
    /// The chart's data: days, and each model's count per day.
    chart: String,
    failures: Vec<(String, u64)>,
    latency: Vec<(String, u64, String, String)>,
}

/// The overview's numbers from `GET /v1/evaluations/stats`: the chart's
/// JSON, totals, failures by code, time taken per model.
#[allow(clippy::type_complexity)]
fn overview(
    stats: &serde_json::Value,
) -> (
    String,
    u64,
    u64,
    Vec<(String, u64)>,
    Vec<(String, u64, String, String)>,
) {
    let rows = stats["per_day"].as_array().cloned().unwrap_or_default();
    let mut days: Vec<String> = rows
        .iter()
        .filter_map(|r| r["day"].as_str().map(str::to_string))
        .collect();
    days.dedup();
    let mut models: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
    let (mut total, mut failed) = (0, 0);
    for r in &rows {
        let (day, model) = (
            r["day"].as_str().unwrap_or(""),
            r["model"].as_str().unwrap_or(""),
        );
        let (n, f) = (
            r["count"].as_u64().unwrap_or(0),
            r["failed"].as_u64().unwrap_or(0),
        );
        total += n;
        failed += f;
        let counts = models
            .entry(model.to_string())
            .or_insert_with(|| vec![0; days.len()]);
        if let Some(c) = days
            .iter()
            .position(|d| d == day)
            .and_then(|i| counts.get_mut(i))
        {
            *c += n;
        }
    }
    let chart = super::json_block(&serde_json::json!({"days": days, "models": models}));
    let failures = stats["failures"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_string(),
                f["count"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let latency = stats["latency"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            (
                l["model"].as_str().unwrap_or("").to_string(),
                l["count"].as_u64().unwrap_or(0),
                format!("{:.2}", l["mean_us"].as_f64().unwrap_or(0.0) / 1000.0),
                format!("{:.2}", l["max_us"].as_f64().unwrap_or(0.0) / 1000.0),
            )
        })
        .collect();
    (chart, total, failed, failures, latency)
}

/// The sign-in page, with a fresh double-submit CSRF cookie.
fn sign_in_page(
    lang: Lang,
    ended: bool,
    signed_out: bool,
    error: &str,
    status: StatusCode,
) -> Response {
    let csrf = session::random_hex(16);
    let page = SignIn {
        f: Frame::new(lang, T(lang).t("sign_in_title"), "/console/", None),
        csrf: csrf.clone(),
        ended,
        signed_out,
        error: error.to_string(),
    };
    let mut r = render(&page);
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(&session::set_cookie(session::SIGN_IN_COOKIE, &csrf, 3600))
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// `GET /console/`: the signed-in person's start page, or the sign-in
/// page. The start page asks the API who the token is, so a revoked token
/// ends the session here too.
pub async fn home(
    State(console): State<Arc<Console>>,
    parts: Parts,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::of(&parts.headers);
    let signed = match session::cookie(&parts.headers, session::COOKIE)
        .and_then(|id| console.sessions.get(id).map(|s| (id.to_string(), s)))
    {
        Some((id, s)) => Signed {
            id,
            session: s,
            lang,
            peer: super::peer(&parts),
            console: console.clone(),
        },
        None => {
            return sign_in_page(
                lang,
                q.contains_key("ended"),
                q.contains_key("out"),
                "",
                StatusCode::OK,
            );
        }
    };
    match start_page(&signed).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn start_page(signed: &Signed) -> Result<Response, ConsoleError> {
    signed.get("/v1/me").await?;
    // A person's start page is their own records.
    if signed.session.role.starts_with("subject:") {
        return Ok(axum::response::Redirect::to("/console/me").into_response());
    }
    let stats = signed.get("/v1/evaluations/stats?days=14").await?;
    let (chart, total, failed, failures, latency) = overview(&stats);
    let count = |v: serde_json::Value| v.as_array().map_or(0, Vec::len);
    let disputes = if signed.session.may_audit() {
        Some((
            count(signed.get("/v1/disputes?state=open").await?),
            count(signed.get("/v1/disputes?state=forwarded").await?),
            count(signed.get("/v1/disputes/overdue").await?),
        ))
    } else if signed.session.role.starts_with("publisher:") {
        Some((
            0,
            count(signed.get("/v1/disputes?state=forwarded").await?),
            0,
        ))
    } else {
        None
    };
    let waiting = if signed.session.is_province() {
        let versions = signed.get("/v1/plugins").await?;
        versions
            .as_array()
            .map(|v| v.iter().filter(|r| r["status"] == "submitted").count())
            .unwrap_or(0)
    } else {
        0
    };
    Ok(render(&Home {
        f: signed.frame(T(signed.lang).t("home_title"), "/console/"),
        province: signed.session.is_province(),
        auditor: signed.session.role == "auditor",
        publisher: signed.session.role.starts_with("publisher:"),
        waiting,
        disputes,
        total,
        failed,
        chart,
        failures,
        latency,
    }))
}

/// `POST /console/sign-in`: check the pasted token with the API
/// (`GET /v1/me`, through its bad-token throttle, with the browser's
/// address) and start a session.
pub async fn sign_in(
    State(console): State<Arc<Console>>,
    parts: Parts,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = Lang::of(&parts.headers);
    let t = T(lang);
    let expected = session::cookie(&parts.headers, session::SIGN_IN_COOKIE).unwrap_or("");
    let given = form.get("csrf").map(String::as_str).unwrap_or("");
    if expected.is_empty() || !session::constant_time_eq(expected.as_bytes(), given.as_bytes()) {
        return ConsoleError::Csrf.into_response();
    }
    let secret = form.get("token").map(|s| s.trim()).unwrap_or("");
    if secret.is_empty() || secret.len() > 512 {
        return sign_in_page(lang, false, false, t.t("token"), StatusCode::BAD_REQUEST);
    }
    let who = Who {
        secret: secret.to_string(),
        peer: super::peer(&parts),
    };
    let answer = match console
        .api
        .call(&who, axum::http::Method::GET, "/v1/me", None)
        .await
    {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    if !answer.status.is_success() {
        let message = answer.body["error"]["message"]
            .as_str()
            .unwrap_or("the token was refused")
            .to_string();
        tracing::warn!(status = %answer.status, "console: a sign-in was refused");
        return sign_in_page(lang, false, false, &message, answer.status);
    }
    let me = answer.body;
    let text = |k: &str| me[k].as_str().unwrap_or_default().to_string();
    let id = console.sessions.start(
        secret.to_string(),
        text("token"),
        text("role"),
        text("label"),
        text("person"),
    );
    tracing::info!(token = %text("token"), role = %text("role"), "console: signed in");
    let mut r = Redirect::to("/console/").into_response();
    let h = r.headers_mut();
    for cookie in [
        session::set_cookie(session::COOKIE, &id, SESSION_TTL.as_secs()),
        session::set_cookie(session::SIGN_IN_COOKIE, "", 0),
    ] {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            h.append(header::SET_COOKIE, v);
        }
    }
    r
}

/// `POST /console/sign-out`: end the session (the form's CSRF token
/// first).
pub async fn sign_out(signed: Signed, Form(form): Form<HashMap<String, String>>) -> Response {
    if let Err(e) = signed.check_csrf(&form) {
        return e.into_response();
    }
    signed.console.sessions.end(&signed.id);
    let mut r = Redirect::to("/console/?out=1").into_response();
    if let Ok(v) = HeaderValue::from_str(&session::set_cookie(session::COOKIE, "", 0)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// `GET /console/lang/{zh|en}?back=PATH`: remember the language and go
/// back (only to a console page).
pub async fn language(
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    _headers: HeaderMap,
) -> Response {
    let Some(lang) = Lang::from_code(&code) else {
        return ConsoleError::NotFound("zh or en".into()).into_response();
    };
    let back = q
        .get("back")
        .filter(|b| b.starts_with("/console/") && !b.contains("//") && !b.contains('\\'))
        .map(String::as_str)
        .unwrap_or("/console/");
    let mut r = Redirect::to(back).into_response();
    let cookie = format!(
        "{}={}; Path=/console/; HttpOnly; SameSite=Strict; Max-Age=31536000",
        session::LANG_COOKIE,
        lang.code()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[cfg(test)]
mod tests {
    /// The overview reads `GET /v1/evaluations/stats` as the API writes it.
    #[test]
    fn the_overview_reads_the_numbers_as_the_api_writes_them() {
        let stats = serde_json::json!({
            "per_day": [
                {"day": "2026-12-01", "model": "ningbo/port", "count": 3, "failed": 1},
                {"day": "2026-12-01", "model": "yiwu/market", "count": 2, "failed": 0},
                {"day": "2026-12-02", "model": "ningbo/port", "count": 4, "failed": 0}
            ],
            "failures": [{"code": "plugin_fault", "count": 1}],
            "latency": [{"model": "ningbo/port", "count": 6, "mean_us": 1500.0, "max_us": 4000}],
            "indexed": 10
        });
        let (chart, total, failed, failures, latency) = super::overview(&stats);
        assert_eq!((total, failed), (9, 1));
        assert_eq!(failures, vec![("plugin_fault".to_string(), 1)]);
        assert_eq!(
            latency,
            vec![(
                "ningbo/port".to_string(),
                6,
                "1.50".to_string(),
                "4.00".to_string()
            )]
        );
        let chart: serde_json::Value = serde_json::from_str(&chart).unwrap();
        assert_eq!(
            chart["days"],
            serde_json::json!(["2026-12-01", "2026-12-02"])
        );
        assert_eq!(chart["models"]["ningbo/port"], serde_json::json!([3, 4]));
        assert_eq!(chart["models"]["yiwu/market"], serde_json::json!([2, 0]));
        // Nothing recorded: an empty overview, not a fault.
        let (_, total, ..) = super::overview(&serde_json::json!({}));
        assert_eq!(total, 0);
    }
}
