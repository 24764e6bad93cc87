//! The app operator's pages (app tokens): what its token is granted
//! (models, benefit scenarios), its own evaluations and decisions
//! (searchable by subject, model, date and outcome: the API finds an app
//! only its own), each one's white box, and its batch runs with their
//! progress and a link to their results.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;

use super::{Frame, Signed, enc, render, text};
use crate::ConsoleError;
use crate::i18n::T;

/// Refuse the page to any role but an app's.
fn require_app(signed: &Signed) -> Result<(), ConsoleError> {
    if signed.session.role.starts_with("app:") {
        Ok(())
    } else {
        Err(ConsoleError::Forbidden(format!(
            "这是应用的页面 · this page is an app's ({} may not open it)",
            signed.session.role
        )))
    }
}

/// One evaluation of the app's.
struct Found {
    id: String,
    at: String,
    model: String,
    subject: String,
    outcome: String,
    score: String,
    grade: String,
}

/// One batch run.
struct Batch {
    id: String,
    status: String,
    model: String,
    created_at: String,
    progress: String,
    percent: u64,
}

#[derive(Template)]
#[template(path = "app/home.html")]
struct AppPage {
    f: Frame,
    models: Vec<String>,
    scenarios: Vec<String>,
    subject: String,
    model: String,
    outcome: String,
    found: Vec<Found>,
    batches: Vec<Batch>,
}

/// `GET /console/app`: grants, the app's own evaluations (filtered), its
/// batches.
pub async fn home(
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ConsoleError> {
    require_app(&signed)?;
    let me = signed.get("/v1/me").await?;
    let list =
        |k: &str| -> Vec<String> { me[k].as_array().into_iter().flatten().map(text).collect() };
    let field = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut params = vec!["limit=50".to_string()];
    for k in ["subject", "model", "outcome"] {
        if !field(k).is_empty() {
            params.push(format!("{k}={}", enc(&field(k))));
        }
    }
    let found = signed
        .get(&format!("/v1/evaluations?{}", params.join("&")))
        .await?["evaluations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| Found {
            id: text(&e["id"]),
            at: text(&e["at"]),
            model: format!("{}@{}", text(&e["model"]), text(&e["version"])),
            subject: text(&e["subject"]),
            outcome: text(&e["outcome"]),
            score: e["score"]
                .as_f64()
                .map(|s| format!("{s:.2}"))
                .unwrap_or_default(),
            grade: text(&e["grade"]),
        })
        .collect();
    let batches = signed
        .get("/v1/batches")
        .await?
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| {
            let (done, total) = (b["done"].as_u64().unwrap_or(0), b["total"].as_u64());
            Batch {
                id: text(&b["id"]),
                status: text(&b["status"]),
                model: format!("{}@{}", text(&b["model"]), text(&b["version"])),
                created_at: text(&b["created_at"]),
                progress: match total {
                    Some(t) => format!("{done} / {t}"),
                    None => done.to_string(),
                },
                percent: total.filter(|t| *t > 0).map_or(0, |t| done * 100 / t),
            }
        })
        .collect();
    let t = T(signed.lang);
    let mut here = "/console/app".to_string();
    if params.len() > 1 {
        here = format!("/console/app?{}", params[1..].join("&"));
    }
    Ok(render(&AppPage {
        f: signed.frame(t.t("app_title"), &here),
        models: list("models"),
        scenarios: list("scenarios"),
        subject: field("subject"),
        model: field("model"),
        outcome: field("outcome"),
        found,
        batches,
    }))
}

/// `GET /console/app/evaluations/{id}`: one of the app's evaluations, its
/// white box drawn (the API answers an app only for its own).
pub async fn evaluation(signed: Signed, Path(id): Path<String>) -> Result<Response, ConsoleError> {
    require_app(&signed)?;
    super::audit::evaluation_page(&signed, &id, None, false).await
}
