//! The dispute officer's pages (province tokens), which a city publisher
//! shares for the disputes about records it furnished: the queue with each
//! deadline (2 working days to check, 5 for the source to answer, 20 to
//! close) and the overdue first; a dispute's page with the record, its
//! furnisher and its history; check (forward or reject with a note) for the
//! province, answer for the furnishing publisher; credit repair. What each
//! may see and do is the API's rule (`/v1/disputes`): the console shows a
//! publisher only the forms the API would accept from it.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::{Frame, Signed, enc, render, text};
use crate::ConsoleError;
use crate::i18n::T;

/// Who may open the dispute pages: the province, auditors (to read), and
/// publishers (the disputes of what they furnished).
fn may_see(signed: &Signed) -> Result<(), ConsoleError> {
    let r = &signed.session.role;
    if r == "province" || r == "auditor" || r.starts_with("publisher:") {
        Ok(())
    } else {
        Err(ConsoleError::Forbidden(format!(
            "只有省级、审计人员和数据提供方可以打开此页面 · only the province, auditors and publishers may open this page ({r} may not)"
        )))
    }
}

/// One row of the queue.
struct Row {
    id: String,
    subject: String,
    indicator: String,
    state: String,
    filed_at: String,
    next_due: String,
    overdue: String,
}

#[derive(Template)]
#[template(path = "disputes/queue.html")]
struct Queue {
    f: Frame,
    rows: Vec<Row>,
    province: bool,
    csrf: String,
    today: String,
}

/// The next deadline of a dispute in its state: check (open), answer
/// (forwarded), none (closed).
fn next_due(d: &Value) -> String {
    match d["state"].as_str() {
        Some("open") => text(&d["check_due"]),
        Some("forwarded") => text(&d["answer_due"]),
        _ => String::new(),
    }
}

/// `GET /console/disputes`: open and forwarded disputes, the overdue first,
/// then by their next deadline.
pub async fn queue(signed: Signed) -> Result<Response, ConsoleError> {
    may_see(&signed)?;
    let mut rows = Vec::new();
    let audit = signed.session.may_audit();
    let overdue: HashMap<String, String> = if audit {
        signed
            .get("/v1/disputes/overdue")
            .await?
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| {
                (
                    text(&o["dispute"]["id"]),
                    o["missed"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(text)
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            })
            .collect()
    } else {
        HashMap::new()
    };
    for state in ["open", "forwarded"] {
        let list = signed.get(&format!("/v1/disputes?state={state}")).await?;
        for d in list.as_array().into_iter().flatten() {
            let id = text(&d["id"]);
            rows.push(Row {
                overdue: overdue.get(&id).cloned().unwrap_or_default(),
                id,
                subject: text(&d["subject_id"]),
                indicator: text(&d["indicator"]),
                state: text(&d["state"]),
                filed_at: text(&d["filed_at"]),
                next_due: next_due(d),
            });
        }
    }
    rows.sort_by(|a, b| {
        (a.overdue.is_empty(), &a.next_due, &a.id).cmp(&(b.overdue.is_empty(), &b.next_due, &b.id))
    });
    let t = T(signed.lang);
    Ok(render(&Queue {
        f: signed.frame(t.t("disputes_title"), "/console/disputes"),
        rows,
        province: signed.session.is_province(),
        csrf: signed.session.csrf.clone(),
        today: time_today(),
    }))
}

/// Today's date (UTC), as the deadlines are written.
fn time_today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[derive(Template)]
#[template(path = "disputes/dispute.html")]
struct DisputePage {
    f: Frame,
    csrf: String,
    enc_id: String,
    subject: String,
    indicator: String,
    observed_on: String,
    disputed_value: String,
    source: String,
    reason: String,
    filed_by: String,
    filed_at: String,
    state: String,
    check_due: String,
    answer_due: String,
    close_due: String,
    outcome: String,
    new_value: String,
    notes: Vec<(String, String, String, String)>,
    may_check: bool,
    may_answer: bool,
}

/// `GET /console/disputes/{id}`.
pub async fn dispute(signed: Signed, Path(id): Path<String>) -> Result<Response, ConsoleError> {
    may_see(&signed)?;
    let d = signed.get(&format!("/v1/disputes/{}", enc(&id))).await?;
    let state = text(&d["state"]);
    let role = signed.session.role.clone();
    let source = text(&d["source"]);
    let t = T(signed.lang);
    let page = DisputePage {
        f: signed.frame(
            &format!("{} {id}", t.t("dispute")),
            &format!("/console/disputes/{id}"),
        ),
        csrf: signed.session.csrf.clone(),
        enc_id: enc(&id),
        subject: text(&d["subject_id"]),
        indicator: text(&d["indicator"]),
        observed_on: text(&d["observed_on"]),
        disputed_value: text(&d["disputed_value"]),
        reason: text(&d["reason"]),
        filed_by: text(&d["filed_by"]),
        filed_at: text(&d["filed_at"]),
        check_due: text(&d["check_due"]),
        answer_due: text(&d["answer_due"]),
        close_due: text(&d["close_due"]),
        outcome: text(&d["outcome"]),
        new_value: text(&d["new_value"]),
        notes: d["notes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|n| {
                (
                    text(&n["at"]),
                    text(&n["by"]),
                    text(&n["step"]),
                    text(&n["text"]),
                )
            })
            .collect(),
        may_check: role == "province" && state == "open",
        // The furnishing publisher answers (the API checks it is theirs);
        // the province answers what it furnished itself.
        may_answer: state == "forwarded"
            && (role.starts_with("publisher:")
                || (role == "province" && source.starts_with("province"))),
        source,
        state,
    };
    Ok(render(&page))
}

/// `POST /console/disputes/{id}/{action}`: `check` (verdict `forward` or
/// `reject`, with a note) or `answer` (`corrected` with a value, `upheld` or
/// `removed`, with a note) — as this person, through the API, which checks
/// the role, the state and the deadline and records the step naming the
/// token.
pub async fn act(
    signed: Signed,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ConsoleError> {
    signed.check_csrf(&form)?;
    may_see(&signed)?;
    let field = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let body = match action.as_str() {
        "check" => json!({"verdict": field("verdict"), "note": field("note")}),
        "answer" => {
            let mut b = json!({"outcome": field("outcome"), "note": field("note")});
            if field("outcome") == "corrected" {
                let raw = field("value");
                let value = serde_json::from_str::<Value>(&raw).unwrap_or(Value::String(raw));
                b["value"] = value;
            }
            b
        }
        _ => return Err(ConsoleError::NotFound("no such action".into())),
    };
    signed
        .call(
            Method::POST,
            &format!("/v1/disputes/{}/{action}", enc(&id)),
            Some(&body),
        )
        .await?;
    Ok(Redirect::to(&format!("/console/disputes/{}", enc(&id))).into_response())
}

/// `POST /console/repairs`: mark a record repaired (province), then back to
/// the queue.
pub async fn repair(
    signed: Signed,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ConsoleError> {
    signed.check_csrf(&form)?;
    signed.require_province()?;
    let field = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let mut body = json!({
        "subject_id": field("subject_id"),
        "indicator": field("indicator"),
        "reason": field("reason"),
    });
    if !field("observed_on").is_empty() {
        body["observed_on"] = field("observed_on").into();
    }
    signed
        .call(Method::POST, "/v1/repairs", Some(&body))
        .await?;
    Ok(Redirect::to("/console/disputes?repaired=1").into_response())
}
