//! A person's records: every evaluation of them (when, by which app, which
//! model and version, for which benefit, the white box, the records
//! withheld) and every read of their records — for the person themselves
//! (`/console/me`, a `subject:` token) and for the province and auditors
//! (`/console/subjects/{id}`), where the province may also erase the
//! person. The API decides and records everything (`/v1/me/records`,
//! `/v1/subjects/{id}/records`, `/v1/subjects/{id}/erase`); opening the
//! page is itself a read the person sees.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::{Frame, Signed, enc, render, text};
use crate::ConsoleError;
use crate::i18n::T;

/// One contribution of a white box.
struct Line {
    name: String,
    points: String,
    note: String,
}

/// One evaluation, as the page lists it.
struct Evaluation {
    id: String,
    at: String,
    caller: String,
    model: String,
    outcome: String,
    decision: String,
    lines: Vec<Line>,
    reasons: Vec<String>,
    withheld: Vec<String>,
}

/// One read of the records.
struct Read {
    at: String,
    reader: String,
    what: String,
}

#[derive(Template)]
#[template(path = "subjects/records.html")]
struct Records {
    f: Frame,
    csrf: String,
    subject: String,
    subject_enc: String,
    own: bool,
    may_erase: bool,
    evaluations: Vec<Evaluation>,
    reads: Vec<Read>,
    other: Vec<Read>,
}

#[derive(Template)]
#[template(path = "subjects/find.html")]
struct Find {
    f: Frame,
    erased: String,
}

fn evaluation(e: &Value) -> Evaluation {
    let r = &e["record"];
    let o = if e["kind"] == "composite" {
        &r["result"]
    } else {
        &r["outcome"]
    };
    let outcome = match (o["score"].as_f64(), o["grade"].as_str()) {
        (Some(s), Some(g)) => format!("{s} · {g}"),
        _ => format!("✗ {}", text(&o["error"]["code"])),
    };
    let model = if e["kind"] == "composite" {
        format!(
            "{} v{}",
            text(&r["composite"]["name"]),
            r["composite"]["version"]
        )
    } else {
        format!(
            "{}@{}",
            text(&r["model"]["name"]),
            text(&r["model"]["version"])
        )
    };
    let decision = match r.get("decision") {
        Some(d) => format!(
            "{} ({}): {}",
            text(&d["title"]),
            text(&d["scenario"]),
            match d["eligible"].as_bool() {
                Some(true) => "✓",
                Some(false) => "✗",
                None => "—",
            }
        ),
        None => String::new(),
    };
    let lines = o["contributions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| Line {
            name: text(&c["name"]),
            points: c["points"].to_string(),
            note: text(&c["note"]),
        })
        .collect();
    let reasons = o["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .map(text)
        .collect();
    let withheld = r["withheld"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| {
            format!(
                "{} {} — {} ({}, {})",
                text(&w["indicator"]),
                text(&w["observed_on"]),
                text(&w["why"]),
                text(&w["id"]),
                text(&w["since"])
            )
        })
        .collect();
    Evaluation {
        id: text(&e["id"]),
        at: text(&e["at"]),
        caller: text(&r["caller"]),
        model,
        outcome,
        decision,
        lines,
        reasons,
        withheld,
    }
}

async fn page(
    signed: &Signed,
    path: &str,
    subject: String,
    own: bool,
) -> Result<Response, ConsoleError> {
    let listed = signed.get(path).await?;
    let evaluations = listed["evaluations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(evaluation)
        .collect();
    let reads = listed["reads"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| Read {
            at: text(&r["at"]),
            reader: match (r["reader"].as_str(), r["person"].as_str()) {
                (Some("subject"), _) => T(signed.lang).t("reader_self").to_string(),
                (_, Some(p)) => format!("{} · {p}", text(&r["reader"])),
                _ => text(&r["reader"]),
            },
            what: what_was_read(T(signed.lang), &text(&r["what"])),
        })
        .collect();
    let other = listed["other"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| Read {
            at: text(&o["at"]),
            reader: text(&o["record"]["actor"]),
            what: text(&o["action"]),
        })
        .collect();
    let t = T(signed.lang);
    let (title, here) = if own {
        (t.t("my_records"), "/console/me".to_string())
    } else {
        (
            t.t("subject_records"),
            format!("/console/subjects/{}", enc(&subject)),
        )
    };
    Ok(render(&Records {
        f: signed.frame(title, &here),
        csrf: signed.session.csrf.clone(),
        may_erase: !own && signed.session.is_province(),
        subject_enc: enc(&subject),
        subject,
        own,
        evaluations,
        reads,
        other,
    }))
}

/// What an access record says was read, in the page's language: the API
/// writes it in English (`record ID`, `proof of record ID`, `the list of
/// their records`, …); the known ones are said in Chinese too.
fn what_was_read(t: T, what: &str) -> String {
    const KNOWN: [(&str, &str); 8] = [
        ("replay of record ", "read_replay"),
        ("proof of record ", "read_proof"),
        ("record ", "read_record"),
        ("dispute ", "read_dispute"),
        ("the list of their records", "read_list"),
        ("listed in a search of the log", "read_search"),
        ("their consents", "read_consents"),
        ("their disputes (a list)", "read_disputes"),
    ];
    for (prefix, key) in KNOWN {
        if let Some(rest) = what.strip_prefix(prefix) {
            return format!(
                "{}{}{rest}",
                t.t(key),
                if rest.is_empty() { "" } else { " " }
            );
        }
    }
    if what == "their repairs" {
        return t.t("read_repairs").to_string();
    }
    what.to_string()
}

/// `GET /console/me`: a person's own records (a `subject:` token).
pub async fn me(signed: Signed) -> Result<Response, ConsoleError> {
    let Some(subject) = signed.session.role.strip_prefix("subject:") else {
        return Err(ConsoleError::Forbidden(format!(
            "此页面属于信用主体本人 · this page is for the person the records are about ({} is not)",
            signed.session.role
        )));
    };
    let subject = subject.to_string();
    page(&signed, "/v1/me/records", subject, true).await
}

/// `GET /console/subjects`: find a person (province and auditors); with
/// `?id=`, their page; `?erased=N` after an erasure.
pub async fn find(
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ConsoleError> {
    signed.require_audit()?;
    if let Some(id) = q.get("id").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        return Ok(Redirect::to(&format!("/console/subjects/{}", enc(id))).into_response());
    }
    let t = T(signed.lang);
    Ok(render(&Find {
        f: signed.frame(t.t("subject_records"), "/console/subjects"),
        erased: q
            .get("erased")
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
            .cloned()
            .unwrap_or_default(),
    }))
}

/// `GET /console/subjects/{id}`: a person's records (province and
/// auditors).
pub async fn subject(signed: Signed, Path(id): Path<String>) -> Result<Response, ConsoleError> {
    signed.require_audit()?;
    let path = format!("/v1/subjects/{}/records", enc(&id));
    page(&signed, &path, id, false).await
}

/// `POST /console/subjects/{id}/erase`: the province erases the person
/// (with a reason). The CSRF token first, then the role; the API checks
/// the rest and records the erasure.
pub async fn erase(
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ConsoleError> {
    signed.check_csrf(&form)?;
    signed.require_province()?;
    let reason = form
        .get("reason")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    if reason.is_empty() {
        return Err(ConsoleError::BadRequest(
            "删除必须写明原因 · an erasure needs a reason".into(),
        ));
    }
    let done = signed
        .call(
            Method::POST,
            &format!("/v1/subjects/{}/erase", enc(&id)),
            Some(&json!({ "reason": reason })),
        )
        .await?;
    // To the search page, which reads nothing: the person's own page would
    // be a read of them, naming them again the moment they were erased.
    Ok(Redirect::to(&format!("/console/subjects?erased={}", done["records"])).into_response())
}
