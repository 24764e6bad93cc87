//! Requests from the 1+N data store: a subject named by id, completed with
//! its stored provincial base evaluation (the "1") and every stored record
//! of the indicators a model declares (the "N"). `POST /v1/scores` with
//! only a subject, batch runs over the store (CLI and HTTP) and anything
//! else that scores stored subjects build their requests here, so that they
//! all score exactly the same inputs — which the audit record then holds.
//!
//! Records under a dispute the province admitted, records whose dispute
//! lapsed in the subject's favour, and records marked repaired are left out
//! (`scorehost_registry::disputes`) and named in the request's `withheld`.
//! Records observed after the evaluation date are left out too: a fact
//! that happened later cannot have been known on that date.
//!
//! An app evaluates stored subjects as of today only ([`app_as_of`]).

use scorehost_registry::Registry;

use crate::Error;
use crate::contract::ModelInfo;
use crate::wire::{ScoreRequest, WireBase, WireIndicator, WireSubject, Withheld};

/// The request of `subject_id` for the model `info` declares, evaluated as
/// of `as_of` (YYYY-MM-DD), from the store; `None` when no base evaluation
/// of the subject is stored. Records observed after `as_of` are left out
/// (an undated record — a running count — is its current value: the store
/// keeps no history of it). Costs four indexed queries.
pub async fn request(
    registry: &Registry,
    info: &ModelInfo,
    subject_id: &str,
    as_of: &str,
) -> Result<Option<ScoreRequest>, Error> {
    Ok(Stored::read(registry, subject_id)
        .await?
        .map(|s| s.request(info, as_of)))
}

/// Everything the store holds of one subject that a request is completed
/// from: its base evaluation, its indicator records, and the records
/// withheld from models. Read once, it completes the request of any number
/// of models ([`Stored::request`]): a composite's steps read the subject
/// once, not once each.
pub struct Stored {
    base: scorehost_registry::data::BaseRecord,
    records: Vec<scorehost_registry::data::IndicatorRecord>,
    withheld: Vec<Withheld>,
}

impl Stored {
    /// What the store holds of `subject_id`; `None` when no base
    /// evaluation of it is stored. Costs four indexed queries.
    pub async fn read(registry: &Registry, subject_id: &str) -> Result<Option<Stored>, Error> {
        let Some((base, records)) = registry.subject_data(subject_id).await? else {
            return Ok(None);
        };
        let withheld = registry
            .withheld(subject_id)
            .await?
            .into_iter()
            .map(to_wire)
            .collect();
        Ok(Some(Stored {
            base,
            records,
            withheld,
        }))
    }

    /// The request for the model `info` declares, as of `as_of`: its
    /// declared indicators' records, less those withheld (named in the
    /// request's `withheld`) and those observed after `as_of`. No I/O.
    pub fn request(&self, info: &ModelInfo, as_of: &str) -> ScoreRequest {
        let declared = |name: &str| info.indicators.iter().any(|s| s.name == name);
        // Records under dispute or repaired are not the model's to see; the
        // ones it would have seen are named in the request, and so in the
        // evaluation's reasons and record.
        let mut withheld = self.withheld.clone();
        withheld.retain(|w| declared(&w.indicator));
        let is_withheld = |r: &scorehost_registry::data::IndicatorRecord| {
            withheld
                .iter()
                .any(|w| w.indicator == r.name && w.observed_on == r.observed_on)
        };
        let indicators = self
            .records
            .iter()
            .filter(|r| declared(&r.name) && !is_withheld(r))
            .filter(|r| r.observed_on.as_deref().is_none_or(|d| d <= as_of))
            .map(|r| WireIndicator {
                source: Some(r.attributed_source()),
                name: r.name.clone(),
                value: r.value.clone(),
                observed_on: r.observed_on.clone(),
            })
            .collect();
        let base = &self.base;
        ScoreRequest {
            model: Some(info.name.clone()),
            subject: WireSubject {
                id: base.subject_id.clone(),
                kind: base.kind.clone(),
            },
            as_of: as_of.to_string(),
            base: WireBase {
                score: base.score,
                grade: base.grade.clone(),
                dimensions: base.dimensions.clone(),
                lists: base.lists.clone(),
            },
            indicators,
            withheld,
            from_store: true,
        }
    }
}

/// Every stored subject of a kind `info`'s model scores and that `keep`
/// (given the id and the stored kind) admits, as NDJSON requests (one line
/// each, in subject id order), written to `out`; returns how many. For a
/// batch run over the whole store: `keep` is how an app's batch leaves out,
/// before reading anything of theirs, the people who did not consent to it.
pub async fn export_requests(
    registry: &Registry,
    info: &ModelInfo,
    as_of: &str,
    keep: impl Fn(&str, &str) -> bool,
    out: &mut impl std::io::Write,
) -> Result<u64, Error> {
    let kinds: Vec<&str> = info
        .subject_kinds
        .iter()
        .map(|k| crate::contract::subject_kind_name(*k))
        .collect();
    let io = |e: std::io::Error| Error::Internal(format!("cannot write the requests: {e}"));
    let mut n = 0;
    for (id, kind) in registry.subject_ids(&kinds).await? {
        if !keep(&id, &kind) {
            continue;
        }
        if let Some(req) = request(registry, info, &id, as_of).await? {
            serde_json::to_writer(&mut *out, &req).map_err(|e| io(e.into()))?;
            out.write_all(b"\n").map_err(io)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Today's date (UTC), YYYY-MM-DD: the default evaluation date.
pub fn today() -> String {
    scorehost_registry::now().chars().take(10).collect()
}

/// The evaluation date an app may ask for: today, the server's date (UTC),
/// whether the app names it or not. Only the province (a batch over the
/// store, the CLI) and a replay evaluate at another date: an app that
/// could choose the date could move a negative record out of its validity
/// window with a future date, or back before a repair with a past one.
/// `asked` other than today is refused (403), naming today.
pub fn app_as_of(asked: Option<&str>) -> Result<String, Error> {
    let today = today();
    match asked {
        None => Ok(today),
        Some(d) if d == today => Ok(today),
        Some(d) => Err(Error::Registry(scorehost_registry::Error::Forbidden(
            format!(
                "an app's evaluations from the store are made as of today ({today}), not {d}: only the province evaluates at another date"
            ),
        ))),
    }
}

/// The subject's id and the `as_of` asked, of a scoring request that names
/// only its subject (to be completed from the store): refuses inline
/// indicators without a base, and any field besides `model`, `subject`
/// and `as_of`, each with a sentence saying what to send.
pub fn stored_subject(raw: &serde_json::Value) -> Result<(&str, Option<&str>), Error> {
    let Some(id) = raw.pointer("/subject/id").and_then(|v| v.as_str()) else {
        return Err(Error::BadRequest(
            "give the subject (\"subject\": {\"id\": …}) and either the inputs or nothing else"
                .into(),
        ));
    };
    if raw.get("indicators").is_some() {
        return Err(Error::BadRequest(
            "inline indicators need an inline base too; or send neither, to use the stored data"
                .into(),
        ));
    }
    if let Some(other) = raw.as_object().and_then(|o| {
        o.keys()
            .find(|k| !["model", "subject", "as_of"].contains(&k.as_str()))
    }) {
        return Err(Error::BadRequest(format!(
            "unknown field `{other}` (a request from the stored data has model, subject and as_of)"
        )));
    }
    let as_of = match raw.get("as_of") {
        Some(v) => Some(
            v.as_str()
                .ok_or_else(|| Error::BadRequest("as_of is a date, YYYY-MM-DD".into()))?,
        ),
        None => None,
    };
    Ok((id, as_of))
}

/// The registry's account of a withheld record, as the wire carries it.
fn to_wire(w: scorehost_registry::Withheld) -> Withheld {
    let scorehost_registry::Withheld {
        indicator,
        observed_on,
        why,
        id,
        since,
        filed_by,
    } = w;
    Withheld {
        indicator,
        observed_on,
        why,
        id,
        since,
        filed_by,
    }
}

/// One sentence for an evaluation's reasons saying why `w` was not used
/// (the registry words it: it knows the dispute deadlines).
pub fn sentence(w: &Withheld) -> String {
    let Withheld {
        indicator,
        observed_on,
        why,
        id,
        since,
        filed_by,
    } = w.clone();
    scorehost_registry::Withheld {
        indicator,
        observed_on,
        why,
        id,
        since,
        filed_by,
    }
    .sentence()
}
