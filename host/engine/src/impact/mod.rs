//! Impact analysis: what a candidate version would change, shown before
//! the province approves it (`scorehost plugin impact`, `POST
//! /v1/plugins/{namespace}/{name}/versions/{version}/impact`).
//!
//! The recorded inputs of the pinned version's evaluations are replayed
//! through the candidate, in the sandbox, and the answers compared with
//! what the pinned version recorded:
//!
//! - **which records**: those of the *pinned* version's module (by its
//!   SHA-256; earlier versions answered with other rules, so their records
//!   say nothing about what the candidate changes now), successes and
//!   failures alike, the newest first — the last `last` subjects (default
//!   [`DEFAULT_LAST`], at most [`MAX_SUBJECTS`]) and/or those recorded
//!   between two dates (inclusive);
//! - **one per subject**: the subject's latest evaluation, so that the
//!   matrix counts subjects, not evaluations (a subject scored ten times
//!   would otherwise weigh ten times). A subject whose latest input was
//!   erased is skipped and counted, not replaced by an older input;
//! - **a what-if, not an evaluation**: the candidate's answers are not
//!   recorded as evaluations. The analysis itself is one record in the
//!   audit log (`"action": "impact"`: who asked, which candidate against
//!   which pinned version, the selection, how many subjects, and the
//!   SHA-256 of the report), so that a reviewer's look is accountable;
//! - **who**: the province, an auditor, and the publisher of the model's
//!   namespace (a developer needs to see their own candidate's impact; it
//!   shows them their own model's recorded scores, which the province's
//!   tokens already let them publish against);
//! - **from the shadow** (`"source": "shadow"`, `--shadow`): when the
//!   candidate ran as the model's shadow ([`crate::shadow`]), the report
//!   can instead compare its shadow records with the live answers they
//!   shadowed (`shadow_of`) — real traffic, nothing replayed; the subjects
//!   are those of the shadow records (the latest per subject), and "before"
//!   is whatever version answered live then;
//! - **downstream** ([`downstream`]): through every composite in force
//!   that uses the model, the composite's result with the pinned version
//!   and with the candidate, for up to [`downstream::DOWNSTREAM_MAX`] of
//!   the subjects, and whether the candidate breaks the graph;
//! - **cost**: one sandboxed evaluation per subject (tens of µs), run
//!   sequentially on a blocking thread — one core, so that an analysis on
//!   a serving host leaves the other cores to live traffic — plus reading
//!   the records in pages of 500.

pub mod downstream;
mod report;
mod select;

use std::sync::Arc;

use scorehost_registry::{Actor, ModelName, Role, VersionRef};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use report::{
    ContributionDiff, DeclarationDiff, Distribution, FAILED, FailedSubject, FailureList,
    ImpactReport, IndicatorDecl, LIST_MAX, Migration, Mover, SelectionSummary,
};
pub use select::{Skipped, SkippedRecord};

use crate::catalog::Catalog;
use crate::scoring::Recorder;
use crate::{Error, Model};

/// Subjects replayed when neither `last` nor a date range is given.
pub const DEFAULT_LAST: u64 = 1000;

/// The most subjects one analysis replays: 100,000 evaluations take a few
/// seconds of one core and the records a few hundred MB of reading.
pub const MAX_SUBJECTS: u64 = 100_000;

/// Movers listed by default.
pub const DEFAULT_TOP: usize = 10;

/// The most movers one report lists.
pub const MAX_TOP: usize = 1000;

/// What to replay (the API's body; the CLI's flags).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpactRequest {
    /// At most this many subjects, the most recently evaluated (default
    /// 1000, or 100,000 with a date range; at most 100,000).
    #[serde(default)]
    pub last: Option<u64>,
    /// Only evaluations recorded on or after this date (YYYY-MM-DD, UTC).
    #[serde(default)]
    pub from: Option<String>,
    /// Only evaluations recorded on or before this date (YYYY-MM-DD, UTC).
    #[serde(default)]
    pub to: Option<String>,
    /// Movers to list (default 10, at most 1000).
    #[serde(default)]
    pub top: Option<usize>,
    /// `replay` (the default): replay the pinned version's recorded
    /// inputs through the candidate. `shadow`: compare instead what the
    /// candidate answered as the model's shadow with the live answers it
    /// shadowed (nothing runs; the subjects are those of the shadow
    /// records).
    #[serde(default)]
    pub source: Option<String>,
}

/// A report as made and recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Impact {
    /// The report.
    #[serde(flatten)]
    pub report: ImpactReport,
    /// SHA-256 of the report's JSON (every field but this one and
    /// `record_id`, serialised compactly in this order), as the audit
    /// record states it.
    pub report_sha256: String,
    /// The audit record of the analysis.
    pub record_id: String,
}

/// Whether `actor` may see the impact of a candidate of `model`: the
/// province, an auditor, or the publisher of the model's namespace.
pub fn may_analyse(actor: &Actor, model: &ModelName) -> Result<(), Error> {
    match &actor.role {
        Role::Province | Role::Auditor => Ok(()),
        Role::Publisher(ns) if *ns == model.namespace => Ok(()),
        _ => Err(Error::Registry(scorehost_registry::Error::Forbidden(
            format!(
                "{actor} may not analyse the impact of {model}: the province, auditors and publisher:{} may",
                model.namespace
            ),
        ))),
    }
}

/// The instant a date starts (`D` → `DT00:00:00Z`), after checking it.
fn day(what: &str, d: &str) -> Result<i64, Error> {
    crate::validate::iso_date_days(d)
        .ok_or_else(|| Error::BadRequest(format!("{what} must be a date, YYYY-MM-DD; got '{d}'")))
}

/// Check `req`; the number of subjects, and the `[from, until)` instants
/// it selects.
fn bounds(req: &ImpactRequest) -> Result<(u64, Option<String>, Option<String>, usize), Error> {
    let ranged = req.from.is_some() || req.to.is_some();
    let last = req
        .last
        .unwrap_or(if ranged { MAX_SUBJECTS } else { DEFAULT_LAST });
    if last == 0 || last > MAX_SUBJECTS {
        return Err(Error::BadRequest(format!(
            "last must be between 1 and {MAX_SUBJECTS} subjects; got {last}"
        )));
    }
    let top = req.top.unwrap_or(DEFAULT_TOP);
    if top > MAX_TOP {
        return Err(Error::BadRequest(format!(
            "top must be at most {MAX_TOP} movers; got {top}"
        )));
    }
    let from = req.from.as_deref().map(|d| day("from", d)).transpose()?;
    let to = req.to.as_deref().map(|d| day("to", d)).transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(Error::BadRequest(format!(
            "from ({}) is after to ({})",
            req.from.as_deref().unwrap_or_default(),
            req.to.as_deref().unwrap_or_default()
        )));
    }
    // Records are stamped `YYYY-MM-DDTHH:MM:SS…Z`: a day's records sort at
    // or after `DT00` and before `DT24`.
    let from = req.from.as_ref().map(|d| format!("{d}T00"));
    let until = req.to.as_ref().map(|d| format!("{d}T24"));
    Ok((last, from, until, top))
}

/// Analyse the impact of `candidate` (any status) against its model's
/// pinned version on behalf of `actor`, and record that it was done.
/// Errors: 400 for a bad selection, 403, 404 for an unknown version,
/// `no_pinned_version` when there is nothing to compare with.
pub async fn analyse(
    catalog: &Catalog,
    actor: &Actor,
    candidate: &VersionRef,
    req: &ImpactRequest,
    recorder: &Recorder<'_>,
) -> Result<Impact, Error> {
    use tracing::Instrument as _;
    let span = tracing::info_span!("impact", candidate = %candidate, caller = %actor);
    analyse_in_span(catalog, actor, candidate, req, recorder)
        .instrument(span)
        .await
}

async fn analyse_in_span(
    catalog: &Catalog,
    actor: &Actor,
    candidate: &VersionRef,
    req: &ImpactRequest,
    recorder: &Recorder<'_>,
) -> Result<Impact, Error> {
    let started = std::time::Instant::now();
    let (last, from, until, top) = bounds(req)?;
    may_analyse(actor, &candidate.model)?;
    let registry = catalog.registry();
    let version = registry.version(candidate).await?;
    let pin = registry.pinned(&candidate.model).await?;
    let pinned = catalog.load_sha(&pin.sha256)?;
    let model = Arc::new(catalog.load_sha(&version.sha256)?);

    let mut builder = report::Builder::new(pinned.info(), model.info(), top);
    let shadows = match req.source.as_deref() {
        None | Some("replay") => false,
        Some("shadow") => true,
        Some(other) => {
            return Err(Error::BadRequest(format!(
                "source is 'replay' or 'shadow', not '{other}'"
            )));
        }
    };
    let mut selector = if shadows {
        select::Selector::shadows(registry, &version.sha256, from, until, last)
    } else {
        select::Selector::new(registry, &pin.sha256, from, until, last)
    };
    let mut subjects: Vec<String> = Vec::new();
    loop {
        let page = selector.next_page().await?;
        if page.is_empty() {
            break;
        }
        let room = downstream::DOWNSTREAM_MAX.saturating_sub(subjects.len());
        subjects.extend(page.iter().take(room).map(|s| s.subject.clone()));
        let m = model.clone();
        let compared = tokio::task::spawn_blocking(move || {
            page.into_iter().map(|s| replay(&m, s)).collect::<Vec<_>>()
        })
        .await
        .map_err(|e| Error::Internal(format!("the impact replay failed: {e}")))?;
        for c in compared {
            builder.add(c);
        }
    }
    let mut figures = builder.finish();
    let common_names = std::mem::take(&mut figures.common_names);
    let (declaration, mut notes) = report::declaration_diff(pinned.info(), model.info());
    if pinned.consequences() != model.consequences() {
        let show = |m: &Model| {
            let c: Vec<String> = m
                .consequences()
                .iter()
                .map(|c| match &c.grade {
                    Some(g) => format!("{} → grade {g}", c.when),
                    None => c.when.clone(),
                })
                .collect();
            if c.is_empty() {
                "none".to_string()
            } else {
                c.join("; ")
            }
        };
        notes.push(format!(
            "the declared consequences (what the model does whatever the points) change: {} → {}",
            show(&pinned),
            show(&model)
        ));
    }
    let publisher = matches!(actor.role, Role::Publisher(_));
    let downstream = downstream::analyse(
        catalog,
        &candidate.model,
        model.clone(),
        &subjects,
        publisher,
    )
    .await?;
    for d in &downstream {
        match &d.breaks {
            Some(why) => notes.push(format!(
                "pinning the candidate breaks composite {}: {why}",
                d.composite
            )),
            None => notes.push(format!(
                "composite {}: {} of {} subjects change result ({} change grade)",
                d.composite, d.changed, d.subjects, d.changed_grade
            )),
        }
    }
    if version.sha256 == pin.sha256 {
        notes.push(
            "the candidate is the pinned module itself: every subject should stay where it is"
                .into(),
        );
    }
    let report = ImpactReport {
        model: candidate.model.to_string(),
        pinned: pinned.model_ref(),
        candidate: model.model_ref(),
        candidate_status: serde_json::to_value(version.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        selection: SelectionSummary {
            source: if shadows { "shadow" } else { "replay" }.into(),
            last,
            from: req.from.clone(),
            to: req.to.clone(),
            records_read: selector.records_read,
            truncated: selector.truncated,
        },
        generated_at: scorehost_registry::now(),
        subjects: figures.subjects,
        compared: figures.compared,
        migration: figures.migration,
        before: figures.before,
        after: figures.after,
        movers: figures.movers,
        new_failures: figures.new_failures,
        still_failing: figures.still_failing,
        recovered: figures.recovered,
        skipped: selector.skipped,
        declaration,
        notes,
        downstream,
    };
    let mut report = report;
    if matches!(actor.role, Role::Publisher(_)) {
        let mut shown = common_names;
        shown.extend(
            pinned
                .info()
                .indicators
                .iter()
                .chain(&model.info().indicators)
                .map(|i| i.name.clone()),
        );
        pseudonymise(&mut report, &shown);
    }
    let json = serde_json::to_vec(&report).map_err(|e| Error::Internal(e.to_string()))?;
    let report_sha256 = hex::encode(Sha256::digest(&json));
    let record_id = recorder
        .append(record(actor, &report, &report_sha256))
        .await?;
    tracing::info!(
        subjects = report.subjects,
        new_failures = report.new_failures.count,
        seconds = started.elapsed().as_secs_f64(),
        "impact analysed"
    );
    Ok(Impact {
        report,
        report_sha256,
        record_id,
    })
}

/// A publisher sees how its candidate moves people, not who they are: the
/// evaluations replayed belong to the apps that asked for them and the
/// subjects scored (a natural person consented to an app, not to the
/// model's developers). Subject ids become `subject-N` (the same N for the
/// same subject across the report) and evaluation ids are left out; every
/// figure and contribution difference stays. The province and auditors see
/// the ids.
///
/// Nothing the candidate writes reaches a publisher unfiltered, since a
/// candidate that prints its input would otherwise hand back every id: a
/// failure's message becomes a sentence made from its code and fault
/// alone, and a contribution whose name neither version declares — nor
/// `base`, nor a name the reviewed pinned version recorded, nor a name the
/// candidate gave to at least [`report::COMMON_NAME_SUBJECTS`] subjects —
/// is shown as `undeclared-N`. The numbers stay: they are what the report is for
/// (SECURITY.md says what they can still carry).
fn pseudonymise(report: &mut ImpactReport, shown: &std::collections::HashSet<String>) {
    let mut names: std::collections::HashMap<String, String> = Default::default();
    let mut alias = |id: &mut String| {
        let n = names.len() + 1;
        *id = names
            .entry(std::mem::take(id))
            .or_insert_with(|| format!("subject-{n}"))
            .clone();
    };
    let mut undeclared: std::collections::HashMap<String, String> = Default::default();
    for m in &mut report.movers {
        alias(&mut m.subject);
        m.evaluation_id.clear();
        for c in &mut m.contributions {
            // A name the pinned version recorded came from reviewed bytes.
            if c.name == "base" || shown.contains(&c.name) || c.before.is_some() {
                continue;
            }
            let n = undeclared.len() + 1;
            c.name = undeclared
                .entry(std::mem::take(&mut c.name))
                .or_insert_with(|| format!("undeclared-{n}"))
                .clone();
        }
    }
    for list in [
        &mut report.new_failures,
        &mut report.still_failing,
        &mut report.recovered,
    ] {
        for f in &mut list.subjects {
            alias(&mut f.subject);
            f.evaluation_id.clear();
            f.message = withheld_message(&f.code, f.fault.as_deref());
        }
    }
    for r in &mut report.skipped.examples {
        alias(&mut r.subject);
        r.evaluation_id.clear();
    }
    report.notes.push(
        "subject and evaluation ids are withheld from a publisher (subject-N names the same subject throughout); the province and auditors see them"
            .into(),
    );
    report.notes.push(
        "what the candidate wrote is withheld from a publisher: failure messages are replaced by their code, and a contribution named by neither declaration and given to fewer than 5 subjects is shown as undeclared-N"
            .into(),
    );
}

/// The message a publisher sees for a failure: made from the host's code
/// and fault kind only.
fn withheld_message(code: &str, fault: Option<&str>) -> String {
    match fault {
        Some(fault) => format!("{code} ({fault}); the message is withheld from a publisher"),
        None => format!("{code}; the message is withheld from a publisher"),
    }
}

/// Replay one selected subject through `model`. Runs the sandbox: call it
/// off the async runtime.
fn replay(model: &Model, s: select::Selected) -> report::Compared {
    let outcome = match (s.shadow, &s.input) {
        (Some((shadow, fault)), _) => Ok(match shadow {
            select::Recorded::Scored {
                score,
                grade,
                contributions,
            } => report::Candidate::Scored {
                score,
                grade,
                contributions,
            },
            select::Recorded::Failed { code, message } => report::Candidate::Failed {
                code,
                fault,
                message,
            },
        }),
        (None, Some(input)) => Err(input),
        (None, None) => Ok(report::Candidate::Failed {
            code: "internal".into(),
            fault: None,
            message: "nothing to compare".into(),
        }),
    };
    let input = match outcome {
        Ok(candidate) => {
            return report::Compared {
                subject: s.subject,
                evaluation_id: s.evaluation_id,
                recorded: s.recorded,
                candidate,
            };
        }
        Err(input) => input,
    };
    let candidate = match model.evaluate_wire(input) {
        Ok((_, o)) => report::Candidate::Scored {
            score: o.evaluation.score,
            grade: o.evaluation.grade,
            contributions: o
                .evaluation
                .contributions
                .into_iter()
                .map(|c| (c.name, c.points))
                .collect(),
        },
        Err(e) => report::Candidate::Failed {
            code: e.code().to_string(),
            fault: match &e {
                scorehost_runtime::Error::PluginFault { fault, .. } => {
                    Some(fault.kind().to_string())
                }
                _ => None,
            },
            message: e.to_string(),
        },
    };
    report::Compared {
        subject: s.subject,
        evaluation_id: s.evaluation_id,
        recorded: s.recorded,
        candidate,
    }
}

/// The audit record of an analysis.
fn record(actor: &Actor, report: &ImpactReport, sha: &str) -> scorehost_registry::NewRecord {
    let mut f = serde_json::Map::new();
    actor.record_into(&mut f);
    f.insert("action".into(), "impact".into());
    f.insert(
        "ref".into(),
        format!("{}@{}", report.model, report.candidate.version).into(),
    );
    f.insert("sha256".into(), report.candidate.sha256.clone().into());
    f.insert(
        "pinned".into(),
        format!("{}@{}", report.model, report.pinned.version).into(),
    );
    f.insert("pinned_sha256".into(), report.pinned.sha256.clone().into());
    f.insert(
        "selection".into(),
        serde_json::to_value(&report.selection).unwrap_or_default(),
    );
    f.insert("subjects".into(), report.subjects.into());
    f.insert("new_failures".into(), report.new_failures.count.into());
    f.insert("report_sha256".into(), sha.into());
    f.insert(
        "detail".into(),
        format!(
            "impact against the pinned {}: {} subjects replayed, {} compared, {} new failures",
            report.pinned.version, report.subjects, report.compared, report.new_failures.count
        )
        .into(),
    );
    scorehost_registry::NewRecord::from_fields("registry", scorehost_registry::now(), &f)
}
