//! The reviewer's pages (province tokens): the review queue, and a
//! version's page — its hash, size, publisher, `describe()`, its
//! difference from the pinned version, its impact drawn (computed in the
//! background), and approve, pin, revoke and shadow, each confirming the
//! module's SHA-256 as the CLI does.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::{Frame, Signed, json_block, render, text};
use crate::ConsoleError;
use crate::i18n::T;
use crate::jobs::State as JobState;

/// One row of the queue.
#[derive(Clone)]
struct Row {
    model: String,
    version: String,
    status: String,
    publisher: String,
    published_at: String,
    href: String,
    pinned: String,
    /// Four eyes: approvals of these bytes so far, and the quorum.
    approvals: u64,
    quorum: u64,
}

/// A scenario or composite definition waiting for approval.
struct DefinitionRow {
    kind: String,
    name: String,
    id: String,
    person: String,
    proposed_at: String,
    sha256: String,
    definition: String,
    approvals: u64,
    approvers: String,
    quorum: u64,
}

#[derive(Template)]
#[template(path = "review/queue.html")]
struct Queue {
    f: Frame,
    csrf: String,
    waiting: Vec<Row>,
    definitions: Vec<DefinitionRow>,
    all: Vec<Row>,
}

/// A path part as the API takes it: the names are `[a-z0-9-]` and
/// versions semver, so anything else is refused here.
fn part(s: &str) -> Result<&str, ConsoleError> {
    if !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.+".contains(&b))
    {
        Ok(s)
    } else {
        Err(ConsoleError::NotFound(
            "没有这个版本 · no such version".into(),
        ))
    }
}

/// `Ok` if `sha256` is a full hex SHA-256, as a reviewer confirming a
/// module's or a definition's hash must type it; else the sentence saying
/// so. The API checks it is the right one.
fn full_sha256(sha256: &str) -> Result<(), ConsoleError> {
    if sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(ConsoleError::BadRequest(
            "请输入完整的 64 位十六进制 SHA-256 · type the full 64-hex-digit SHA-256".into(),
        ))
    }
}

/// `GET /console/review`: versions waiting for review, then every version.
pub async fn queue(signed: Signed) -> Result<Response, ConsoleError> {
    signed.require_province()?;
    let versions = signed.get("/v1/plugins").await?;
    let pins = signed.get("/v1/pins").await?;
    let pinned_of = |model: &str| -> String {
        pins.as_array()
            .into_iter()
            .flatten()
            .find(|p| p["model"] == model)
            .and_then(|p| p["version"].as_str())
            .unwrap_or("")
            .to_string()
    };
    let mut waiting = Vec::new();
    let mut all = Vec::new();
    for v in versions.as_array().into_iter().flatten() {
        let reference = v["ref"].as_str().unwrap_or_default();
        let (model, version) = reference.split_once('@').unwrap_or((reference, ""));
        let row = Row {
            model: model.to_string(),
            version: version.to_string(),
            status: v["status"].as_str().unwrap_or_default().to_string(),
            publisher: v["published_by"].as_str().unwrap_or_default().to_string(),
            published_at: v["published_at"].as_str().unwrap_or_default().to_string(),
            href: format!("/console/review/{model}/{version}"),
            pinned: pinned_of(model),
            approvals: v["review"]["approvals"]
                .as_array()
                .map_or(0, |a| a.len() as u64),
            quorum: v["review"]["quorum"].as_u64().unwrap_or(0),
        };
        if row.status == "submitted" {
            waiting.push(row.clone());
        }
        all.push(row);
    }
    let definitions = signed
        .get("/v1/proposals")
        .await?
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let approvals = p["review"]["approvals"].as_array();
            DefinitionRow {
                kind: text(&p["kind"]),
                name: text(&p["name"]),
                id: p["id"].to_string(),
                person: text(&p["person"]),
                proposed_at: text(&p["proposed_at"]),
                sha256: text(&p["sha256"]),
                definition: json_block(&p["definition"]),
                approvals: approvals.map_or(0, |a| a.len() as u64),
                approvers: approvals
                    .into_iter()
                    .flatten()
                    .map(|a| text(&a["person"]))
                    .collect::<Vec<_>>()
                    .join(", "),
                quorum: p["review"]["quorum"].as_u64().unwrap_or(0),
            }
        })
        .collect();
    let t = T(signed.lang);
    Ok(render(&Queue {
        f: signed.frame(t.t("review_queue"), "/console/review"),
        csrf: signed.session.csrf.clone(),
        waiting,
        definitions,
        all,
    }))
}

/// `POST /console/definitions/{kind}/{name}/approve`: approve a scenario's
/// or composite's definition waiting for approval, confirming its SHA-256
/// (the CSRF token first; the API checks the role, the person and the
/// hash, and records the approval); then back to the queue.
pub async fn approve_definition(
    signed: Signed,
    Path((kind, name)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ConsoleError> {
    signed.check_csrf(&form)?;
    signed.require_province()?;
    let collection = match kind.as_str() {
        "scenario" => "scenarios",
        "composite" => "composites",
        _ => return Err(ConsoleError::NotFound("no such definition".into())),
    };
    let name = part(&name)?;
    let sha256 = form
        .get("sha256")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    full_sha256(&sha256)?;
    signed
        .call(
            Method::POST,
            &format!("/v1/{collection}/{name}/approve"),
            Some(&json!({ "sha256": sha256 })),
        )
        .await?;
    Ok(Redirect::to("/console/review#definitions").into_response())
}

/// An indicator as `describe()` declares it.
struct Indicator {
    name: String,
    kind: String,
    required: bool,
    description: String,
}

/// A mover of the impact report, for its table.
struct Mover {
    subject: String,
    evaluation_id: String,
    before: String,
    after: String,
    delta: String,
    contributions: Vec<(String, String, String, String)>,
}

/// The impact section: where the job stands, and the report's tables.
#[derive(Default)]
struct ImpactView {
    state: String,
    job_id: String,
    elapsed: String,
    message: String,
    data: String,
    compared: u64,
    changed_grade: u64,
    report_sha256: String,
    record_id: String,
    columns: Vec<String>,
    rows: Vec<(String, Vec<u64>)>,
    movers: Vec<Mover>,
    new_failures: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "review/version.html")]
struct VersionPage {
    f: Frame,
    csrf: String,
    province: bool,
    base: String,
    model: String,
    version: String,
    status: String,
    sha256: String,
    size: i64,
    publisher: String,
    published_at: String,
    history: Vec<(String, String)>,
    title: String,
    kinds: String,
    scale: String,
    base_weight: String,
    grades: Vec<(String, String)>,
    consequences: Vec<Consequence>,
    indicators: Vec<Indicator>,
    pinned: String,
    added: Vec<String>,
    removed: Vec<String>,
    changed: Vec<String>,
    shadowed: bool,
    /// Who approved these bytes: (person, when).
    approvals: Vec<(String, String)>,
    quorum: u64,
    needed: u64,
    /// The fingerprint of the key that signed the module (empty: unsigned).
    signed_by_key: String,
    /// When that key was revoked (empty: it is live).
    key_revoked_at: String,
    impact: ImpactView,
    impact_html: String,
    shadow_impact: ImpactView,
    shadow_html: String,
}

/// The impact section, rendered on its own (a version page shows two:
/// the replay's and the shadow's).
#[derive(Template)]
#[template(path = "review/impact.html")]
struct ImpactSection<'a> {
    t: T,
    i: &'a ImpactView,
    prefix: &'static str,
}

fn section(t: T, i: &ImpactView, prefix: &'static str) -> String {
    ImpactSection { t, i, prefix }.render().unwrap_or_default()
}

fn indicators(describe: &Value) -> Vec<Indicator> {
    describe["indicators"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| Indicator {
            name: text(&i["name"]),
            kind: text(&i["kind"]),
            required: i["required"].as_bool().unwrap_or(false),
            description: text(&i["description"]),
        })
        .collect()
}

/// A declared consequence, as the version page shows it.
struct Consequence {
    when: String,
    effect: String,
    grade: String,
    source: String,
}

fn consequences(describe: &Value) -> Vec<Consequence> {
    describe["consequences"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| Consequence {
            when: text(&c["when"]),
            effect: text(&c["effect"]),
            grade: text(&c["grade"]),
            source: text(&c["source"]),
        })
        .collect()
}

fn grades(describe: &Value) -> Vec<(String, String)> {
    describe["grades"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| (text(&g["grade"]), text(&g["min_score"])))
        .collect()
}

/// What changed between two declarations: indicators added, removed,
/// changed (kind, required or description), and the grades and scale.
fn declaration_diff(pinned: &Value, candidate: &Value) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (before, after) = (indicators(pinned), indicators(candidate));
    let added = after
        .iter()
        .filter(|a| !before.iter().any(|b| b.name == a.name))
        .map(|a| format!("{} ({})", a.name, a.kind))
        .collect();
    let removed = before
        .iter()
        .filter(|b| !after.iter().any(|a| a.name == b.name))
        .map(|b| format!("{} ({})", b.name, b.kind))
        .collect();
    let mut changed: Vec<String> = after
        .iter()
        .filter_map(|a| {
            let b = before.iter().find(|b| b.name == a.name)?;
            let mut what = Vec::new();
            if a.kind != b.kind {
                what.push(format!("kind {} → {}", b.kind, a.kind));
            }
            if a.required != b.required {
                what.push(format!("required {} → {}", b.required, a.required));
            }
            if a.description != b.description {
                what.push(format!("“{}” → “{}”", b.description, a.description));
            }
            (!what.is_empty()).then(|| format!("{}: {}", a.name, what.join("; ")))
        })
        .collect();
    if grades(pinned) != grades(candidate) {
        let show = |g: Vec<(String, String)>| {
            g.iter()
                .map(|(g, m)| format!("{g} ≥ {m}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        changed.push(format!(
            "grades: {} → {}",
            show(grades(pinned)),
            show(grades(candidate))
        ));
    }
    let declared = |d: &Value| {
        consequences(d)
            .into_iter()
            .map(|c| match c.grade.as_str() {
                "" => c.when,
                g => format!("{} → {g}", c.when),
            })
            .collect::<Vec<_>>()
    };
    if declared(pinned) != declared(candidate) {
        let show = |c: Vec<String>| {
            if c.is_empty() {
                "none".to_string()
            } else {
                c.join("; ")
            }
        };
        changed.push(format!(
            "consequences: {} → {}",
            show(declared(pinned)),
            show(declared(candidate))
        ));
    }
    for key in ["scale_min", "scale_max", "base_weight_bp"] {
        if pinned[key] != candidate[key] {
            changed.push(format!(
                "{key}: {} → {}",
                text(&pinned[key]),
                text(&candidate[key])
            ));
        }
    }
    (added, removed, changed)
}

fn number(v: &Value) -> String {
    v.as_f64()
        .map(|x| format!("{x:.2}"))
        .unwrap_or_else(|| "—".into())
}

/// The impact section of a job.
fn impact_view(job: Option<crate::jobs::Job>) -> ImpactView {
    let Some(job) = job else {
        return ImpactView {
            state: "none".into(),
            ..ImpactView::default()
        };
    };
    let mut view = ImpactView {
        job_id: job.id.clone(),
        elapsed: format!("{:.1}", job.elapsed_secs()),
        ..ImpactView::default()
    };
    match job.state {
        JobState::Running => view.state = "running".into(),
        JobState::Failed(m) => {
            view.state = "failed".into();
            view.message = m;
        }
        JobState::Done(r) => {
            view.state = "done".into();
            view.compared = r["compared"].as_u64().unwrap_or(0);
            view.changed_grade = r["migration"]["changed_grade"].as_u64().unwrap_or(0);
            view.report_sha256 = text(&r["report_sha256"]);
            view.record_id = text(&r["record_id"]);
            view.columns = r["migration"]["columns"]
                .as_array()
                .into_iter()
                .flatten()
                .map(text)
                .collect();
            let counts = r["migration"]["counts"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            view.rows = r["migration"]["rows"]
                .as_array()
                .into_iter()
                .flatten()
                .zip(counts.iter())
                .map(|(name, row)| {
                    (
                        text(name),
                        row.as_array()
                            .into_iter()
                            .flatten()
                            .map(|c| c.as_u64().unwrap_or(0))
                            .collect(),
                    )
                })
                .collect();
            view.movers = r["movers"]
                .as_array()
                .into_iter()
                .flatten()
                .take(20)
                .map(|m| Mover {
                    subject: text(&m["subject"]),
                    evaluation_id: text(&m["evaluation_id"]),
                    before: format!(
                        "{} {}",
                        number(&m["before_score"]),
                        text(&m["before_grade"])
                    ),
                    after: format!("{} {}", number(&m["after_score"]), text(&m["after_grade"])),
                    delta: number(&m["delta"]),
                    contributions: m["contributions"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|c| {
                            (
                                text(&c["name"]),
                                number(&c["before"]),
                                number(&c["after"]),
                                number(&c["delta"]),
                            )
                        })
                        .collect(),
                })
                .collect();
            view.new_failures = r["new_failures"]["subjects"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| (text(&f["subject"]), text(&f["code"]), text(&f["message"])))
                .collect();
            view.data = json_block(&json!({
                "migration": r["migration"],
                "before": r["before"],
                "after": r["after"],
            }));
        }
    }
    view
}

/// The province reads every version page; a publisher those of its own
/// namespace (without the reviewer's actions).
fn may_read(signed: &Signed, ns: &str) -> Result<(), ConsoleError> {
    if signed.session.is_province() || signed.session.role == format!("publisher:{ns}") {
        Ok(())
    } else {
        signed.require_province()
    }
}

/// `GET /console/review/{ns}/{name}/{version}`: the version page.
pub async fn version(
    signed: Signed,
    Path((ns, name, version)): Path<(String, String, String)>,
) -> Result<Response, ConsoleError> {
    let (ns, name, version) = (part(&ns)?, part(&name)?, part(&version)?);
    may_read(&signed, ns)?;
    let model = format!("{ns}/{name}");
    let shown = signed.get(&format!("/v1/plugins/{model}")).await?;
    let versions = shown["versions"].as_array().cloned().unwrap_or_default();
    let this = versions
        .iter()
        .find(|v| v["version"] == version)
        .cloned()
        .ok_or_else(|| ConsoleError::NotFound("没有这个版本 · no such version".into()))?;
    let pinned_version = text(&shown["pin"]["version"]);
    let pinned_describe = versions
        .iter()
        .find(|v| v["version"] == pinned_version.as_str())
        .map(|v| v["describe"].clone())
        .unwrap_or(Value::Null);
    let describe = this["describe"].clone();
    let (added, removed, changed) = if pinned_describe.is_null() {
        (Vec::new(), Vec::new(), Vec::new())
    } else {
        declaration_diff(&pinned_describe, &describe)
    };
    let province = signed.session.is_province();
    let shadows = signed.get("/v1/shadows").await?;
    let shadowed = shadows
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| s["model"] == model.as_str() && s["version"] == version);
    let mut history = Vec::new();
    for (who, when) in [("approved_by", "approved_at"), ("revoked_by", "revoked_at")] {
        if !this[who].is_null() {
            history.push((
                format!("{}: {}", who.trim_end_matches("_by"), text(&this[who])),
                text(&this[when]),
            ));
        }
    }
    let owner = &signed.session.token_id;
    let jobs = &signed.console().jobs;
    let reference = format!("{model}@{version}");
    let t = T(signed.lang);
    let kinds = describe["subject_kinds"]
        .as_array()
        .into_iter()
        .flatten()
        .map(text)
        .collect::<Vec<_>>()
        .join(", ");
    let impact = impact_view(jobs.latest(owner, &format!("impact:{reference}")));
    let shadow_impact = impact_view(jobs.latest(owner, &format!("shadow:{reference}")));
    let page = VersionPage {
        f: signed.frame(
            &format!("{} {reference}", t.t("version")),
            &format!("/console/review/{model}/{version}"),
        ),
        csrf: signed.session.csrf.clone(),
        province,
        base: format!("/console/review/{model}/{version}"),
        model: model.clone(),
        version: version.to_string(),
        status: text(&this["status"]),
        sha256: text(&this["sha256"]),
        size: this["size_bytes"].as_i64().unwrap_or(0),
        publisher: text(&this["published_by"]),
        published_at: text(&this["published_at"]),
        history,
        title: text(&describe["title"]),
        kinds,
        scale: format!(
            "{} – {}",
            text(&describe["scale_min"]),
            text(&describe["scale_max"])
        ),
        base_weight: describe["base_weight_bp"]
            .as_f64()
            .map(|bp| format!("{:.0} %", bp / 100.0))
            .unwrap_or_default(),
        grades: grades(&describe),
        consequences: consequences(&describe),
        indicators: indicators(&describe),
        pinned: pinned_version,
        added,
        removed,
        changed,
        shadowed,
        approvals: this["review"]["approvals"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| (text(&a["person"]), text(&a["at"])))
            .collect(),
        quorum: this["review"]["quorum"].as_u64().unwrap_or(0),
        needed: this["review"]["needed"].as_u64().unwrap_or(0),
        signed_by_key: text(&this["signed_by_key"]),
        key_revoked_at: text(&this["signing_key_revoked_at"]),
        impact_html: section(t, &impact, "impact"),
        impact,
        shadow_html: section(t, &shadow_impact, "shadow"),
        shadow_impact,
    };
    Ok(render(&page))
}

/// `POST /console/review/{ns}/{name}/{version}/{action}`: `impact`,
/// `shadow-impact`, `approve`, `pin`, `revoke`, `shadow`, `unshadow`. The
/// CSRF token first; then the API call, as the reviewer (the API checks
/// the role, the hash and the state, and records the action naming the
/// token); then back to the version page.
pub async fn act(
    signed: Signed,
    Path((ns, name, version, action)): Path<(String, String, String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ConsoleError> {
    signed.check_csrf(&form)?;
    let (ns, name, version) = (part(&ns)?, part(&name)?, part(&version)?);
    // A publisher may start its own version's (anonymised) impact
    // analysis; every other action is the province's.
    if action == "impact" {
        may_read(&signed, ns)?;
    } else {
        signed.require_province()?;
    }
    let model = format!("{ns}/{name}");
    let reference = format!("{model}@{version}");
    let back = format!("/console/review/{model}/{version}");
    let field = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let sha256 = field("sha256");
    let need_hash = || full_sha256(&sha256);
    let versions = format!("/v1/plugins/{model}/versions/{version}");
    match action.as_str() {
        "impact" | "shadow-impact" => {
            let (key, body) = if action == "impact" {
                (
                    format!("impact:{reference}"),
                    json!({"last": 1000, "top": 20}),
                )
            } else {
                (
                    format!("shadow:{reference}"),
                    json!({"source": "shadow", "top": 20}),
                )
            };
            signed.console().jobs.start(
                &signed.console().api,
                signed.who(),
                &signed.session.token_id,
                &key,
                (Method::POST, format!("{versions}/impact"), Some(body)),
            );
        }
        "approve" => {
            need_hash()?;
            signed
                .call(
                    Method::POST,
                    &format!("{versions}/approve"),
                    Some(&json!({"sha256": sha256})),
                )
                .await?;
        }
        "pin" => {
            need_hash()?;
            signed
                .call(
                    Method::PUT,
                    &format!("/v1/pins/{model}"),
                    Some(&json!({"version": version, "sha256": sha256})),
                )
                .await?;
        }
        "revoke" => {
            let reason = field("reason");
            if reason.is_empty() {
                return Err(ConsoleError::BadRequest(
                    "撤销必须写明原因 · a revocation needs a reason".into(),
                ));
            }
            signed
                .call(
                    Method::POST,
                    &format!("{versions}/revoke"),
                    Some(&json!({"reason": reason})),
                )
                .await?;
        }
        "shadow" => {
            need_hash()?;
            signed
                .call(
                    Method::PUT,
                    &format!("/v1/shadows/{model}"),
                    Some(&json!({"version": version, "sha256": sha256})),
                )
                .await?;
        }
        "unshadow" => {
            signed
                .call(Method::DELETE, &format!("/v1/shadows/{model}"), None)
                .await?;
        }
        _ => return Err(ConsoleError::NotFound("no such action".into())),
    }
    Ok(Redirect::to(&back).into_response())
}
