//! Benefit scenarios (the source's "信易+" applications): the province names
//! a benefit — Hangzhou transit credit-pay, the public-rental deposit
//! halved, state-funded mining bids — the model that decides it, and its
//! rule: a minimum score (`Qianjiang ≥ 573`, the source's 「达到573分」), a
//! score strictly above a threshold (`Qianjiang > 580`, 「高于580」) or a
//! set of grades (`mining A or B`). An app is then granted the scenario instead of the raw score, and
//! asks "is this subject eligible?".
//!
//! A rule is checked against the pinned version's declaration when it is
//! defined (its grades must be declared grades, its minimum on the declared
//! scale), and again by the host at every decision, since the model may be
//! re-pinned since. Only the province defines, replaces and retires a
//! scenario; each change is a record in the audit log, in the same
//! transaction.

use serde::Serialize;
use serde::ser::SerializeMap as _;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::governance::proposals::{self, Approved, Kind, Proposal};
use crate::log::{NewRecord, append_in_tx};
use crate::{Actor, Error, ModelName, Registry, now};

/// What a subject's evaluation must show to be eligible: a minimum score,
/// a score above a threshold, or one of a set of grades — exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// At least this score, in hundredths of a point (57300 is 573.00):
    /// the source's 「达到」 ("reaches").
    MinScore(i64),
    /// Strictly more than this score, in hundredths: the source's 「高于」
    /// ("above"); 580.00 itself is not eligible.
    AboveScore(i64),
    /// One of these grades (non-empty, no duplicates).
    Grades(Vec<String>),
}

/// On the wire and in the log: `{"min_score": 573.0}`,
/// `{"above_score": 580.0}` or `{"grades": ["A", "B"]}`.
impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        match self {
            Rule::MinScore(h) => map.serialize_entry("min_score", &(*h as f64 / 100.0))?,
            Rule::AboveScore(h) => map.serialize_entry("above_score", &(*h as f64 / 100.0))?,
            Rule::Grades(g) => map.serialize_entry("grades", g)?,
        }
        map.end()
    }
}

/// Hundredths from a decimal number of points with at most two decimals
/// (the wire's points, at most two decimals), or why not.
fn hundredths(points: f64) -> Result<i64, Error> {
    if !points.is_finite() || points.abs() > 1e13 {
        return Err(Error::BadRequest(format!(
            "min_score {points} is not a usable number of points"
        )));
    }
    let scaled = points * 100.0;
    let rounded = scaled.round();
    if (scaled - rounded).abs() > 1e-6 * rounded.abs().max(1.0) {
        return Err(Error::BadRequest(format!(
            "min_score {points} has more than two decimals"
        )));
    }
    Ok(rounded as i64)
}

/// Points for people: `573` when whole, else two decimals (`572.50`).
fn threshold_text(h: i64) -> String {
    if h % 100 == 0 {
        (h / 100).to_string()
    } else {
        score_text(h)
    }
}

/// A score for people, always with two decimals (`612.40`).
fn score_text(h: i64) -> String {
    let sign = if h < 0 { "-" } else { "" };
    let a = h.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

impl Rule {
    /// The rule from its three optional parts, exactly one of which must
    /// be given: `min_score` (at least) or `above_score` (strictly more) in
    /// decimal points (at most two decimals), or `grades`, a non-empty list
    /// without duplicates.
    pub fn new(
        min_score: Option<f64>,
        above_score: Option<f64>,
        grades: Option<Vec<String>>,
    ) -> Result<Rule, Error> {
        let given = [min_score.is_some(), above_score.is_some(), grades.is_some()]
            .iter()
            .filter(|g| **g)
            .count();
        if given > 1 {
            return Err(Error::BadRequest(
                "a rule is one of min_score, above_score or grades, not two".into(),
            ));
        }
        match (min_score, above_score, grades) {
            (None, None, None) => Err(Error::BadRequest(
                "a rule needs min_score (at least a score, in points), above_score (more than a score) or grades (a non-empty list of grades)"
                    .into(),
            )),
            (Some(m), _, _) => Ok(Rule::MinScore(hundredths(m)?)),
            (_, Some(a), _) => Ok(Rule::AboveScore(hundredths(a)?)),
            (None, None, Some(grades)) => {
                if grades.is_empty() {
                    return Err(Error::BadRequest(
                        "grades must name at least one grade".into(),
                    ));
                }
                for (i, g) in grades.iter().enumerate() {
                    if g.trim().is_empty() || g.len() > 32 {
                        return Err(Error::BadRequest(format!(
                            "'{g}' is not a grade (1 to 32 characters)"
                        )));
                    }
                    if grades[..i].contains(g) {
                        return Err(Error::BadRequest(format!(
                            "grade '{g}' is named twice"
                        )));
                    }
                }
                Ok(Rule::Grades(grades))
            }
        }
    }

    /// The rule as a log record or an answer holds it (see the
    /// [`Serialize`] impl); for recomputing a recorded decision.
    pub fn from_json(v: &serde_json::Value) -> Result<Rule, Error> {
        let grades = match v.get("grades") {
            None => None,
            Some(g) => Some(
                serde_json::from_value::<Vec<String>>(g.clone())
                    .map_err(|e| Error::BadRequest(format!("a rule's grades: {e}")))?,
            ),
        };
        let number = |key: &str| match v.get(key) {
            None => Ok(None),
            Some(m) => m.as_f64().map(Some).ok_or_else(|| {
                Error::BadRequest(format!("a rule's {key} must be a number, not {m}"))
            }),
        };
        Rule::new(number("min_score")?, number("above_score")?, grades)
    }

    /// Whether an evaluation with this score (hundredths) and grade is
    /// eligible. A minimum is met at exactly its value; "above" is not.
    pub fn admits(&self, score: i64, grade: &str) -> bool {
        match self {
            Rule::MinScore(min) => score >= *min,
            Rule::AboveScore(threshold) => score > *threshold,
            Rule::Grades(grades) => grades.iter().any(|g| g == grade),
        }
    }

    /// Whether the evaluation is eligible, and the sentence saying why,
    /// e.g. "score 612.40 ≥ 573: eligible for Hangzhou transit credit-pay".
    pub fn verdict(&self, score: i64, grade: &str, title: &str) -> (bool, String) {
        let eligible = self.admits(score, grade);
        let because = match self {
            Rule::MinScore(min) => format!(
                "score {} {} {}",
                score_text(score),
                if eligible { "≥" } else { "<" },
                threshold_text(*min)
            ),
            Rule::AboveScore(threshold) => format!(
                "score {} {} {}",
                score_text(score),
                if eligible { ">" } else { "≤" },
                threshold_text(*threshold)
            ),
            Rule::Grades(grades) => format!(
                "grade {grade} is {}one of {}",
                if eligible { "" } else { "not " },
                grades.join(", ")
            ),
        };
        let what = if eligible { "eligible" } else { "not eligible" };
        (eligible, format!("{because}: {what} for {title}"))
    }

    /// The rule's outcome without the score or grade that led to it
    /// ("the score reaches 573.00: eligible for …", "the grade is not one
    /// of A, B: not eligible for …"): what an app granted only the
    /// scenario is told.
    pub fn outcome_text(&self, eligible: bool, title: &str) -> String {
        let because = match self {
            Rule::MinScore(min) => format!(
                "the score {} {}",
                if eligible { "reaches" } else { "is below" },
                threshold_text(*min)
            ),
            Rule::AboveScore(threshold) => format!(
                "the score {} {}",
                if eligible { "is above" } else { "is not above" },
                threshold_text(*threshold)
            ),
            Rule::Grades(grades) => format!(
                "the grade is {}one of {}",
                if eligible { "" } else { "not " },
                grades.join(", ")
            ),
        };
        let what = if eligible { "eligible" } else { "not eligible" };
        format!("{because}: {what} for {title}")
    }

    /// `Ok` if the rule can be met and failed by the model `declared`
    /// describes: every grade named is one it declares, a minimum lies on
    /// its scale. Otherwise the sentence saying what does not fit.
    pub fn check_fits(&self, declared: &Declared) -> Result<(), String> {
        match self {
            Rule::MinScore(min) | Rule::AboveScore(min) => {
                // "Above" the top of the scale could never be met.
                let top = match self {
                    Rule::AboveScore(_) => declared.scale_max - 1,
                    _ => declared.scale_max,
                };
                if *min < declared.scale_min || *min > top {
                    let key = match self {
                        Rule::AboveScore(_) => "above_score",
                        _ => "min_score",
                    };
                    return Err(format!(
                        "{key} {} is outside {}'s scale {}–{}",
                        threshold_text(*min),
                        declared.reference,
                        threshold_text(declared.scale_min),
                        threshold_text(declared.scale_max)
                    ));
                }
            }
            Rule::Grades(grades) => {
                if let Some(g) = grades.iter().find(|g| !declared.grades.contains(g)) {
                    return Err(format!(
                        "grade '{g}' is not declared by {} (its grades: {})",
                        declared.reference,
                        declared.grades.join(", ")
                    ));
                }
            }
        }
        Ok(())
    }
}

/// What a rule is checked against: a model version's declared scale and
/// grades (from its `describe()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// `namespace/name@version`, for messages.
    pub reference: String,
    /// The lowest score, hundredths.
    pub scale_min: i64,
    /// The highest score, hundredths.
    pub scale_max: i64,
    /// The grades, best first.
    pub grades: Vec<String>,
}

impl Declared {
    /// From a version's stored `describe()` (the wire form: scale in
    /// decimal points, grades as `{grade, min_score}`).
    pub fn from_describe(reference: &str, describe: &serde_json::Value) -> Result<Declared, Error> {
        let bad = || {
            Error::Storage(format!(
                "the stored describe() of {reference} has no usable scale and grades"
            ))
        };
        let scale = |field: &str| {
            describe[field]
                .as_f64()
                .ok_or_else(bad)
                .and_then(|p| hundredths(p).map_err(|_| bad()))
        };
        let grades = describe["grades"]
            .as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|g| g["grade"].as_str().map(str::to_string).ok_or_else(bad))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Declared {
            reference: reference.to_string(),
            scale_min: scale("scale_min")?,
            scale_max: scale("scale_max")?,
            grades,
        })
    }
}

/// A scenario as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    /// Its name, e.g. `hangzhou-transit-credit-pay` (lowercase letters,
    /// digits and `-`).
    pub name: String,
    /// What the benefit is, for people ("Hangzhou transit credit-pay").
    pub title: String,
    /// The model that decides it, `namespace/name` (its pinned version).
    pub model: String,
    /// What an evaluation must show.
    pub rule: Rule,
    /// Who defined it (last).
    pub defined_by: String,
    /// When (RFC 3339, UTC).
    pub defined_at: String,
    /// Who retired it, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_by: Option<String>,
    /// When it was retired: from then on it decides nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<String>,
}

/// A scenario's definition as [`Registry::define_scenario`] proposed it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Defined {
    /// The proposal, waiting for approvals.
    #[serde(flatten)]
    pub proposal: Proposal,
    /// Whether it will replace a definition of the same name.
    pub replaces: bool,
    /// The pinned version its rule was checked against (and will be again
    /// when it comes into force).
    pub checked_against: String,
}

/// The namespace that names a composite where a scenario names its
/// model: `composite/NAME` is decided by composite NAME's result. No
/// publisher may take it (a namespace is a city or a sector).
pub const COMPOSITE_NAMESPACE: &str = "composite";

/// The composite a scenario is decided by, if its model is
/// `composite/NAME`.
pub fn decided_by_composite(model: &str) -> Option<&str> {
    model
        .strip_prefix(COMPOSITE_NAMESPACE)
        .and_then(|r| r.strip_prefix('/'))
}

/// The reference and stored `describe()` of composite `name`'s result
/// step's pinned version, in `conn`: what a scenario decided by the
/// composite is checked against.
async fn composite_result(
    conn: &mut sqlx::AnyConnection,
    name: &str,
) -> Result<(String, serde_json::Value), Error> {
    let c = crate::composites::in_force(conn, name).await?;
    let Some(result) = &c.definition.result else {
        return Err(Error::BadRequest(format!(
            "composite {} has no result step: a profile decides nothing",
            c.reference()
        )));
    };
    let step = c
        .definition
        .steps
        .iter()
        .find(|s| &s.id == result)
        .ok_or_else(|| {
            Error::Storage(format!("composite {} names no result step", c.reference()))
        })?;
    let model: ModelName = step.model.parse()?;
    let decl = crate::composites::pinned_in(conn, &model)
        .await?
        .ok_or_else(|| {
            Error::BadRequest(format!(
                "composite {}'s result model {model} has no pinned version",
                c.reference()
            ))
        })?;
    Ok((
        format!("composite {} (result: {})", c.reference(), decl.reference),
        decl.describe,
    ))
}

/// Whether `name` may name a scenario: 1 to 64 lowercase letters, digits
/// and `-`.
fn check_name(name: &str) -> Result<(), Error> {
    if crate::refs::is_name_part(name) {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "'{name}' is not a scenario name (1 to 64 lowercase letters, digits and '-', e.g. hangzhou-transit-credit-pay)"
        )))
    }
}

const SCENARIO_COLUMNS: &str =
    "name, title, model, min_score, above, grades, defined_by, defined_at, retired_by, retired_at";

fn scenario_from_row(r: &AnyRow) -> Result<Scenario, Error> {
    let min: Option<i64> = r.try_get("min_score")?;
    let above: i64 = r.try_get("above")?;
    let grades: Option<String> = r.try_get("grades")?;
    let rule = match (min, grades) {
        (Some(m), None) if above != 0 => Rule::AboveScore(m),
        (Some(m), None) => Rule::MinScore(m),
        (None, Some(g)) => Rule::Grades(
            serde_json::from_str(&g)
                .map_err(|e| Error::Storage(format!("a stored scenario's grades: {e}")))?,
        ),
        _ => {
            return Err(Error::Storage(
                "a stored scenario has both or neither of min_score and grades".into(),
            ));
        }
    };
    Ok(Scenario {
        name: r.try_get("name")?,
        title: r.try_get("title")?,
        model: r.try_get("model")?,
        rule,
        defined_by: r.try_get("defined_by")?,
        defined_at: r.try_get("defined_at")?,
        retired_by: r.try_get("retired_by")?,
        retired_at: r.try_get("retired_at")?,
    })
}

async fn find(conn: &mut sqlx::AnyConnection, name: &str) -> Result<Option<Scenario>, Error> {
    let row = sqlx::query(&format!(
        "SELECT {SCENARIO_COLUMNS} FROM scenarios WHERE name = $1"
    ))
    .bind(name)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(scenario_from_row).transpose()
}

/// Fail with [`Error::BadRequest`] unless every one of `names` is a
/// defined scenario that is not retired: what a token may be granted.
pub(crate) async fn check_grantable(
    conn: &mut sqlx::AnyConnection,
    names: &[String],
) -> Result<(), Error> {
    for name in names {
        match find(conn, name).await? {
            None => {
                return Err(Error::BadRequest(
                    proposals::not_in_force(conn, Kind::Scenario, name).await?,
                ));
            }
            Some(Scenario {
                retired_at: Some(at),
                ..
            }) => {
                return Err(Error::BadRequest(format!(
                    "scenario '{name}' was retired on {at} and can no longer be granted"
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The pinned version (or composite) that decides `model`, checked to fit
/// `rule`: its reference, or why not ([`Error::BadRequest`]).
async fn checked_against(
    conn: &mut sqlx::AnyConnection,
    model: &ModelName,
    rule: &Rule,
) -> Result<String, Error> {
    let (reference, describe) = match model.namespace.as_str() {
        // `composite/NAME`: decided by the result of composite NAME in
        // force, checked against its result step's pinned version.
        COMPOSITE_NAMESPACE => composite_result(conn, &model.name).await?,
        _ => {
            let pinned = sqlx::query(
                "SELECT v.version, v.describe_json FROM pins p JOIN plugin_versions v \
                 ON v.namespace = p.namespace AND v.name = p.name AND v.version = p.version \
                 WHERE p.namespace = $1 AND p.name = $2",
            )
            .bind(&model.namespace)
            .bind(&model.name)
            .fetch_optional(conn)
            .await?
            .ok_or_else(|| {
                Error::BadRequest(format!(
                    "unknown model {model}: it has no pinned version to decide a scenario (pin one first)"
                ))
            })?;
            let version: String = pinned.try_get("version")?;
            let describe: String = pinned.try_get("describe_json")?;
            let reference = format!("{model}@{version}");
            let describe: serde_json::Value = serde_json::from_str(&describe).map_err(|e| {
                Error::Storage(format!("the stored describe() of {reference}: {e}"))
            })?;
            (reference, describe)
        }
    };
    let declared = Declared::from_describe(&reference, &describe)?;
    rule.check_fits(&declared).map_err(Error::BadRequest)?;
    Ok(reference)
}

/// What a scenario's proposal holds: its title, model and rule.
fn definition_json(title: &str, model: &ModelName, rule: &Rule) -> serde_json::Value {
    serde_json::json!({ "title": title, "model": model.to_string(), "rule": rule })
}

impl Registry {
    /// Propose a definition of scenario `name` (new, or replacing the one
    /// in force, retired or not): `model`'s pinned version decides it by
    /// `rule`. Only a named province person; the definition comes into
    /// force once the approval quorum of other persons approved it
    /// ([`Registry::approve_scenario`]). Refused with
    /// [`Error::BadRequest`], storing nothing: a malformed name or title, a
    /// model with no pinned version, a rule that does not fit the pinned
    /// version's declaration (an undeclared grade, a minimum off its
    /// scale). One transaction, with its audit record.
    pub async fn define_scenario(
        &self,
        by: &Actor,
        name: &str,
        title: Option<&str>,
        model: &ModelName,
        rule: Rule,
    ) -> Result<Defined, Error> {
        by.must_be_province("define benefit scenarios")?;
        by.named_person("proposing a scenario")?;
        check_name(name)?;
        let title = title.map(str::trim).unwrap_or(name).to_string();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(Error::BadRequest(
                "a scenario's title is 1 to 200 characters".into(),
            ));
        }
        let mut tx = self.db.begin().await?;
        let reference = checked_against(tx.conn(), model, &rule).await?;
        let replaces = find(tx.conn(), name).await?.is_some();
        let draft = Scenario {
            name: name.to_string(),
            title: title.clone(),
            model: model.to_string(),
            rule: rule.clone(),
            defined_by: by.to_string(),
            defined_at: now(),
            retired_by: None,
            retired_at: None,
        };
        let mut fields = log_fields(by, "scenario-propose", &draft);
        fields.insert("replaces".into(), replaces.into());
        fields.insert("checked_against".into(), reference.clone().into());
        let proposal = proposals::propose(
            tx.conn(),
            Kind::Scenario,
            name,
            definition_json(&title, model, &rule),
            by,
            fields,
        )
        .await?;
        tx.commit().await?;
        Ok(Defined {
            proposal,
            replaces,
            checked_against: reference,
        })
    }

    /// `by`'s approval of the definition of scenario `name` waiting for
    /// approval, whose text has SHA-256 `sha256` (see
    /// [`proposals::approve`] for who may and what is refused). The
    /// approval that reaches the quorum brings the definition into force,
    /// in the same transaction, once its rule is checked again against the
    /// model's version pinned now ([`Error::BadRequest`] if it no longer
    /// fits: propose it anew).
    pub async fn approve_scenario(
        &self,
        by: &Actor,
        name: &str,
        sha256: &str,
    ) -> Result<Approved<Scenario>, Error> {
        self.approve_definition(by, name, sha256).await
    }

    /// The definition of scenario `name` waiting for approval, if any.
    pub async fn scenario_pending(&self, name: &str) -> Result<Option<Proposal>, Error> {
        let mut conn = self.db.pool.acquire().await?;
        proposals::pending(&mut conn, Kind::Scenario, name).await
    }

    /// Retire scenario `name`: from now on it decides nothing (decisions
    /// are refused, naming when it was retired) and it can no longer be
    /// granted. Only the province. [`Error::NotFound`] for an unknown name,
    /// [`Error::Conflict`] for one already retired.
    pub async fn retire_scenario(&self, by: &Actor, name: &str) -> Result<Scenario, Error> {
        by.must_be_province("retire benefit scenarios")?;
        let mut tx = self.db.begin().await?;
        // A definition waiting for approval would bring it back: withdrawn.
        proposals::withdraw(tx.conn(), Kind::Scenario, name).await?;
        let Some(mut scenario) = find(tx.conn(), name).await? else {
            return Err(Error::NotFound(format!("no scenario is named '{name}'")));
        };
        if let Some(at) = &scenario.retired_at {
            return Err(Error::Conflict(format!(
                "scenario '{name}' was already retired on {at}"
            )));
        }
        let at = now();
        sqlx::query("UPDATE scenarios SET retired_by = $1, retired_at = $2 WHERE name = $3")
            .bind(by.to_string())
            .bind(&at)
            .bind(name)
            .execute(tx.conn())
            .await?;
        scenario.retired_by = Some(by.to_string());
        scenario.retired_at = Some(at.clone());
        let fields = log_fields(by, "scenario-retire", &scenario);
        append_in_tx(
            tx.conn(),
            vec![NewRecord::from_fields("registry", at, &fields)],
        )
        .await?;
        tx.commit().await?;
        Ok(scenario)
    }

    /// Scenario `name` as stored (retired or not), if it was ever defined.
    pub async fn scenario(&self, name: &str) -> Result<Option<Scenario>, Error> {
        let mut conn = self.db.pool.acquire().await?;
        find(&mut conn, name).await
    }

    /// Every scenario, retired ones too, by name.
    pub async fn scenarios(&self) -> Result<Vec<Scenario>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {SCENARIO_COLUMNS} FROM scenarios ORDER BY name"
        ))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(scenario_from_row).collect()
    }
}

impl proposals::Governed for Scenario {
    const KIND: Kind = Kind::Scenario;

    async fn apply(
        conn: &mut sqlx::AnyConnection,
        by: &Actor,
        proposal: &Proposal,
    ) -> Result<Scenario, Error> {
        let d = &proposal.definition;
        let bad = || Error::Storage(format!("proposal {} is not a scenario", proposal.id));
        let model: ModelName = d["model"].as_str().ok_or_else(bad)?.parse()?;
        let rule = Rule::from_json(&d["rule"])?;
        let title = d["title"].as_str().ok_or_else(bad)?.to_string();
        let reference = checked_against(conn, &model, &rule).await?;
        let name = proposal.name.as_str();
        let replaced = find(conn, name).await?.is_some();
        let at = now();
        let scenario = Scenario {
            name: name.to_string(),
            title,
            model: model.to_string(),
            rule,
            defined_by: proposal.proposed_by.clone(),
            defined_at: at.clone(),
            retired_by: None,
            retired_at: None,
        };
        let (min, above, grades) = match &scenario.rule {
            Rule::MinScore(m) => (Some(*m), 0i64, None),
            Rule::AboveScore(m) => (Some(*m), 1, None),
            Rule::Grades(g) => (None, 0, Some(serde_json::to_string(g).unwrap_or_default())),
        };
        sqlx::query("DELETE FROM scenarios WHERE name = $1")
            .bind(name)
            .execute(&mut *conn)
            .await?;
        sqlx::query(&format!(
            "INSERT INTO scenarios ({SCENARIO_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)"
        ))
        .bind(&scenario.name)
        .bind(&scenario.title)
        .bind(&scenario.model)
        .bind(min)
        .bind(above)
        .bind(grades)
        .bind(&scenario.defined_by)
        .bind(&scenario.defined_at)
        .execute(&mut *conn)
        .await?;
        let mut fields = log_fields(by, "scenario-define", &scenario);
        fields.insert("replaced".into(), replaced.into());
        fields.insert("checked_against".into(), reference.into());
        proposals::in_force_fields(proposal, &mut fields);
        append_in_tx(conn, vec![NewRecord::from_fields("registry", at, &fields)]).await?;
        Ok(scenario)
    }
}

fn log_fields(
    by: &Actor,
    action: &str,
    s: &Scenario,
) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    by.record_into(&mut fields);
    fields.insert("action".into(), action.into());
    fields.insert("scenario".into(), s.name.clone().into());
    fields.insert("title".into(), s.title.clone().into());
    fields.insert("model".into(), s.model.clone().into());
    fields.insert(
        "rule".into(),
        serde_json::to_value(&s.rule).unwrap_or_default(),
    );
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qianjiang() -> Declared {
        Declared {
            reference: "hangzhou/qianjiang@2.0.0".into(),
            scale_min: 0,
            scale_max: 100_000,
            grades: vec!["blue".into(), "green".into(), "yellow".into()],
        }
    }

    #[test]
    fn a_rule_is_a_minimum_or_grades_never_both_nor_neither() {
        assert_eq!(
            Rule::new(Some(573.0), None, None),
            Ok(Rule::MinScore(57_300))
        );
        assert_eq!(
            Rule::new(Some(572.5), None, None),
            Ok(Rule::MinScore(57_250))
        );
        assert_eq!(
            Rule::new(None, None, Some(vec!["A".into(), "B".into()])),
            Ok(Rule::Grades(vec!["A".into(), "B".into()]))
        );
        let both = Rule::new(Some(573.0), None, Some(vec!["A".into()])).unwrap_err();
        assert!(both.to_string().contains("not two"), "{both}");
        assert_eq!(
            Rule::new(None, Some(580.0), None),
            Ok(Rule::AboveScore(58_000))
        );
        assert!(Rule::new(Some(573.0), Some(580.0), None).is_err());
        let neither = Rule::new(None, None, None).unwrap_err();
        assert!(neither.to_string().contains("needs min_score"), "{neither}");
        for bad in [
            Rule::new(None, None, Some(vec![])),
            Rule::new(None, None, Some(vec!["A".into(), "A".into()])),
            Rule::new(None, None, Some(vec![" ".into()])),
            Rule::new(Some(573.001), None, None),
            Rule::new(None, Some(580.001), None),
            Rule::new(Some(f64::NAN), None, None),
        ] {
            assert!(matches!(bad, Err(Error::BadRequest(_))), "{bad:?}");
        }
    }

    #[test]
    fn a_threshold_is_met_at_exactly_its_value() {
        let transit = Rule::MinScore(57_300);
        assert!(transit.admits(57_300, "green"));
        assert!(!transit.admits(57_299, "green"));
        let (eligible, why) = transit.verdict(61_240, "green", "Hangzhou transit credit-pay");
        assert!(eligible);
        assert_eq!(
            why,
            "score 612.40 ≥ 573: eligible for Hangzhou transit credit-pay"
        );
        let (eligible, why) = transit.verdict(57_299, "green", "Hangzhou transit credit-pay");
        assert!(!eligible);
        assert_eq!(
            why,
            "score 572.99 < 573: not eligible for Hangzhou transit credit-pay"
        );
        let bids = Rule::Grades(vec!["A".into(), "B".into()]);
        assert_eq!(
            bids.verdict(81_175, "B", "state-funded mining bids"),
            (
                true,
                "grade B is one of A, B: eligible for state-funded mining bids".into()
            )
        );
        assert_eq!(
            bids.verdict(54_999, "D", "state-funded mining bids"),
            (
                false,
                "grade D is not one of A, B: not eligible for state-funded mining bids".into()
            )
        );
    }

    /// The source's 「高于580」 and 「高于550分」 (credit-zhejiang-2020-01
    /// L1292): above is strict — 580.00 itself is not eligible, 580.01 is.
    #[test]
    fn above_is_strict() {
        let parking = Rule::AboveScore(58_000);
        assert!(!parking.admits(58_000, "green"));
        assert!(parking.admits(58_001, "green"));
        assert_eq!(
            parking.verdict(58_000, "green", "parking credit-pay"),
            (
                false,
                "score 580.00 ≤ 580: not eligible for parking credit-pay".into()
            )
        );
        assert_eq!(
            parking.verdict(58_001, "green", "parking credit-pay").1,
            "score 580.01 > 580: eligible for parking credit-pay"
        );
        assert_eq!(
            parking.outcome_text(false, "parking credit-pay"),
            "the score is not above 580: not eligible for parking credit-pay"
        );
        let d = qianjiang();
        assert_eq!(Rule::AboveScore(0).check_fits(&d), Ok(()));
        assert_eq!(
            Rule::AboveScore(100_000).check_fits(&d),
            Err("above_score 1000 is outside hangzhou/qianjiang@2.0.0's scale 0–1000".into())
        );
        let json = serde_json::to_value(&parking).unwrap();
        assert_eq!(json, serde_json::json!({ "above_score": 580.0 }));
        assert_eq!(Rule::from_json(&json), Ok(parking));
    }

    #[test]
    fn a_rule_must_fit_the_models_declaration() {
        let d = qianjiang();
        assert_eq!(Rule::MinScore(57_300).check_fits(&d), Ok(()));
        assert_eq!(Rule::MinScore(0).check_fits(&d), Ok(()));
        assert_eq!(Rule::MinScore(100_000).check_fits(&d), Ok(()));
        let off = Rule::MinScore(100_001).check_fits(&d).unwrap_err();
        assert_eq!(
            off,
            "min_score 1000.01 is outside hangzhou/qianjiang@2.0.0's scale 0–1000"
        );
        assert!(Rule::MinScore(-1).check_fits(&d).is_err());
        assert_eq!(
            Rule::Grades(vec!["blue".into(), "green".into()]).check_fits(&d),
            Ok(())
        );
        let undeclared = Rule::Grades(vec!["blue".into(), "A".into()])
            .check_fits(&d)
            .unwrap_err();
        assert_eq!(
            undeclared,
            "grade 'A' is not declared by hangzhou/qianjiang@2.0.0 (its grades: blue, green, yellow)"
        );
    }

    #[test]
    fn the_declaration_is_read_from_a_stored_describe_and_rules_round_trip() {
        let describe = serde_json::json!({
            "scale_min": 0.0, "scale_max": 1000.0,
            "grades": [{ "grade": "A", "min_score": 850.0 }, { "grade": "B", "min_score": 700.0 }],
        });
        let d = Declared::from_describe("ningbo/port@1.0.0", &describe).unwrap();
        assert_eq!((d.scale_min, d.scale_max), (0, 100_000));
        assert_eq!(d.grades, ["A", "B"]);
        assert!(Declared::from_describe("x/y@1.0.0", &serde_json::json!({})).is_err());
        for rule in [Rule::MinScore(57_250), Rule::Grades(vec!["A".into()])] {
            let json = serde_json::to_value(&rule).unwrap();
            assert_eq!(Rule::from_json(&json), Ok(rule));
        }
        assert_eq!(
            serde_json::to_value(Rule::MinScore(57_300)).unwrap(),
            serde_json::json!({ "min_score": 573.0 })
        );
        assert!(Rule::from_json(&serde_json::json!({ "min_score": "573" })).is_err());
    }

    #[test]
    fn scenario_names_are_like_model_names() {
        assert!(check_name("hangzhou-transit-credit-pay").is_ok());
        for bad in ["", "Hangzhou", "a b", "a/b", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
