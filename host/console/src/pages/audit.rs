//! The auditor's pages (auditor and province tokens): find evaluations;
//! an evaluation's white box drawn as a waterfall from the base to the
//! score, with its reasons, withheld records, fuel, module hash and
//! version; replay it; download its inclusion proof; the log's latest
//! checkpoints and a verification of the whole log in the background.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::{Frame, Signed, enc, json_block, render, text};
use crate::ConsoleError;
use crate::i18n::T;
use crate::jobs::State as JobState;

/// One evaluation found.
struct Found {
    id: String,
    at: String,
    caller: String,
    model: String,
    subject: String,
    outcome: String,
    score: String,
    grade: String,
}

#[derive(Template)]
#[template(path = "audit/search.html")]
struct SearchPage {
    f: Frame,
    q: HashMap<String, String>,
    searched: bool,
    found: Vec<Found>,
    indexed: u64,
    next: String,
}

impl SearchPage {
    /// The value of a search field, as typed.
    fn field(&self, name: &str) -> &str {
        self.q.get(name).map(String::as_str).unwrap_or("")
    }
}

/// The search fields the page passes to `GET /v1/evaluations`.
const FIELDS: &[&str] = &[
    "subject", "model", "caller", "from", "to", "outcome", "before",
];

/// `GET /console/audit`: the search form and what it found. An evaluation
/// id goes straight to its page.
pub async fn search(
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ConsoleError> {
    signed.require_audit()?;
    if let Some(id) = q.get("id").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        return Ok(
            Redirect::to(&format!("/console/audit/evaluations/{}", enc(id))).into_response(),
        );
    }
    let params: Vec<String> = FIELDS
        .iter()
        .filter_map(|k| {
            q.get(*k)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", enc(v)))
        })
        .collect();
    let searched = q.contains_key("go") || !params.is_empty();
    // This page with its search, for the language switch.
    let here = if searched {
        format!("/console/audit?go=1&{}", params.join("&"))
    } else {
        "/console/audit".to_string()
    };
    let (mut found, mut indexed, mut next) = (Vec::new(), 0, String::new());
    if searched {
        let answer = signed
            .get(&format!("/v1/evaluations?limit=50&{}", params.join("&")))
            .await?;
        indexed = answer["indexed"].as_u64().unwrap_or(0);
        found = answer["evaluations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| Found {
                id: text(&e["id"]),
                at: text(&e["at"]),
                caller: text(&e["caller"]),
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
        if let Some(before) = answer["next_before"].as_u64() {
            let kept: Vec<String> = params
                .iter()
                .filter(|p| !p.starts_with("before="))
                .cloned()
                .collect();
            next = format!("/console/audit?go=1&{}&before={before}", kept.join("&"));
        }
    }
    let t = T(signed.lang);
    Ok(render(&SearchPage {
        f: signed.frame(t.t("audit_title"), &here),
        q,
        searched,
        found,
        indexed,
        next,
    }))
}

#[derive(Template)]
#[template(path = "audit/evaluation.html")]
struct EvaluationPage {
    f: Frame,
    csrf: String,
    enc_id: String,
    at: String,
    caller: String,
    model: String,
    version: String,
    sha256: String,
    subject: String,
    kind: String,
    as_of: String,
    data_from: String,
    ok: bool,
    score: String,
    grade: String,
    error: String,
    contributions: Vec<(String, String, String)>,
    reasons: Vec<String>,
    withheld: Vec<String>,
    fuel: String,
    erased: String,
    data: String,
    auditing: bool,
    replayed: bool,
    identical: bool,
    differences: Vec<String>,
}

/// The evaluation page for `id`, with a replay's result if there is one;
/// `auditing`: the auditor's page (replay, proof), else an app's own
/// evaluation (the white box only). The caller checks the role.
pub(crate) async fn evaluation_page(
    signed: &Signed,
    id: &str,
    replay: Option<Value>,
    auditing: bool,
) -> Result<Response, ConsoleError> {
    let shown = signed.get(&format!("/v1/evaluations/{}", enc(id))).await?;
    let r = &shown["record"];
    let outcome = &r["outcome"];
    // Erased with its person (format 3 on): no outcome to show.
    let personal_erased = text(&r["erased_at"]);
    let ok = outcome["error"].is_null() && personal_erased.is_empty();
    let contributions: Vec<(String, String, String)> = outcome["contributions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                text(&c["name"]),
                c["points"]
                    .as_f64()
                    .map(|p| format!("{p:.2}"))
                    .unwrap_or_default(),
                text(&c["note"]),
            )
        })
        .collect();
    let withheld = r["withheld"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| {
            w.as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| format!("{k}: {}", text(v)))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(|| text(w))
        })
        .collect();
    let t = T(signed.lang);
    let data = json_block(&json!({
        "contributions": outcome["contributions"],
        "score": outcome["score"],
        "total": t.t("score"),
    }));
    let (replayed, identical, differences) = match &replay {
        Some(rep) => (
            true,
            rep["identical"].as_bool().unwrap_or(false),
            rep["differences"]
                .as_array()
                .into_iter()
                .flatten()
                .map(text)
                .collect(),
        ),
        None => (false, false, Vec::new()),
    };
    let page = EvaluationPage {
        f: signed.frame(
            &format!("{} {id}", t.t("evaluation")),
            &if auditing {
                format!("/console/audit/evaluations/{id}")
            } else {
                format!("/console/app/evaluations/{id}")
            },
        ),
        csrf: signed.session.csrf.clone(),
        enc_id: enc(id),
        at: text(&shown["entry"]["at"]),
        caller: text(&r["caller"]),
        model: text(&r["model"]["name"]),
        version: text(&r["model"]["version"]),
        sha256: text(&r["model"]["sha256"]),
        subject: text(&r["subject"]["id"]),
        kind: text(&r["subject"]["kind"]),
        as_of: text(&r["as_of"]),
        data_from: text(&r["data"]["from"]),
        ok,
        score: outcome["score"]
            .as_f64()
            .map(|s| format!("{s:.2}"))
            .unwrap_or_default(),
        grade: text(&outcome["grade"]),
        error: if ok {
            String::new()
        } else if !personal_erased.is_empty() {
            format!("{}: {personal_erased}", t.t("personal_erased"))
        } else {
            format!(
                "{}: {}",
                text(&outcome["error"]["code"]),
                text(&outcome["error"]["message"])
            )
        },
        contributions,
        reasons: outcome["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect(),
        withheld,
        fuel: format!("{} / {}", text(&r["fuel"]), text(&r["fuel_budget"])),
        erased: text(&shown["erased_at"]),
        data,
        auditing,
        replayed,
        identical,
        differences,
    };
    Ok(render(&page))
}

/// `GET /console/audit/evaluations/{id}`, with the result of this
/// person's last replay of it, if any.
pub async fn evaluation(signed: Signed, Path(id): Path<String>) -> Result<Response, ConsoleError> {
    let replay = signed
        .console()
        .jobs
        .latest(&signed.session.token_id, &format!("replay:{id}"))
        .and_then(|j| match j.state {
            JobState::Done(v) => Some(v),
            _ => None,
        });
    signed.require_audit()?;
    evaluation_page(&signed, &id, replay, true).await
}

/// `POST /console/audit/evaluations/{id}/replay`: replay it (the API's
/// replay, as this auditor), then back to its page, which shows the result
/// (so that the page can be reloaded or switched to the other language).
pub async fn replay(
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ConsoleError> {
    signed.check_csrf(&form)?;
    signed.require_audit()?;
    let report = signed
        .call(
            Method::POST,
            &format!("/v1/evaluations/{}/replay", enc(&id)),
            None,
        )
        .await?;
    signed
        .console()
        .jobs
        .finished(&signed.session.token_id, &format!("replay:{id}"), report);
    Ok(Redirect::to(&format!("/console/audit/evaluations/{}", enc(&id))).into_response())
}

/// `GET /console/audit/evaluations/{id}/proof`: its inclusion proof as a
/// file, to check offline with `scorehost audit proof --check`.
pub async fn proof(signed: Signed, Path(id): Path<String>) -> Result<Response, ConsoleError> {
    signed.require_audit()?;
    let proof = signed
        .get(&format!("/v1/evaluations/{}/proof", enc(&id)))
        .await?;
    let name: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let mut r = serde_json::to_string_pretty(&proof)
        .unwrap_or_default()
        .into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"proof-{name}.json\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

#[derive(Template)]
#[template(path = "audit/log.html")]
struct LogPage {
    f: Frame,
    csrf: String,
    public_key: String,
    checkpoints: Vec<(u64, String, String)>,
    verify_state: String,
    verify_job: String,
    verify_elapsed: String,
    verify_result: String,
}

/// `GET /console/audit/log`: the latest checkpoints, the log's key, and
/// the verification this auditor last started.
pub async fn log(signed: Signed) -> Result<Response, ConsoleError> {
    signed.require_audit()?;
    let latest = signed
        .get("/v1/log/checkpoint")
        .await
        .unwrap_or(Value::Null);
    let list = signed.get("/v1/log/checkpoints?limit=10").await?;
    let checkpoints = list
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["tree_size"].as_u64().unwrap_or(0),
                text(&c["root_hash"]),
                text(&c["at"]),
            )
        })
        .collect();
    let job = signed
        .console()
        .jobs
        .latest(&signed.session.token_id, "verify");
    let (verify_state, verify_job, verify_elapsed, verify_result) = match job {
        None => ("none".into(), String::new(), String::new(), String::new()),
        Some(j) => {
            let elapsed = format!("{:.1}", j.elapsed_secs());
            match j.state {
                JobState::Running => ("running".into(), j.id, elapsed, String::new()),
                JobState::Failed(m) => ("failed".into(), j.id, elapsed, m),
                JobState::Done(v) => (
                    "done".into(),
                    j.id,
                    elapsed,
                    format!(
                        "{} {} · {} checkpoints · root {}",
                        text(&v["records"]),
                        T(signed.lang).t("records"),
                        text(&v["checkpoints"]),
                        text(&v["root_hash"])
                    ),
                ),
            }
        }
    };
    let t = T(signed.lang);
    Ok(render(&LogPage {
        f: signed.frame(t.t("log_title"), "/console/audit/log"),
        csrf: signed.session.csrf.clone(),
        public_key: text(&latest["public_key"]),
        checkpoints,
        verify_state,
        verify_job,
        verify_elapsed,
        verify_result,
    }))
}

/// `POST /console/audit/log/verify`: verify the whole log in the
/// background (the API's verify, as this auditor).
pub async fn verify(
    signed: Signed,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ConsoleError> {
    signed.check_csrf(&form)?;
    signed.require_audit()?;
    signed.console().jobs.start(
        &signed.console().api,
        signed.who(),
        &signed.session.token_id,
        "verify",
        (Method::GET, "/v1/audit/verify".into(), None),
    );
    Ok(Redirect::to("/console/audit/log").into_response())
}
