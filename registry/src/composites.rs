//! Composite scores: the province defines a named, versioned graph of pinned
//! models — the source composes evaluations everywhere: sector evaluations
//! made 「在行业信用评价和公共信用评价的基础上」 (L1129), the personal credit
//! code derived from the city's score (L42), Taizhou's composite credit
//! report (综合信用报告, L1350).
//!
//! A [`Definition`] is a list of steps, each a pinned model, in the order
//! they run. A step's `inputs` say which output of an *earlier* step —
//! its `score`, `grade`, the points of one `contribution:NAME`, or its
//! `model` name — becomes which declared input; everything else the step
//! reads comes from the 1+N store as for any stored request. Because a
//! step may only be fed by steps before it, a graph cannot have a cycle.
//! A step may be routed (`when`): by the subject id's leading characters
//! (a resident identity number's first six digits are its administrative
//! division: 3301… is Hangzhou), or by whether the store holds records of
//! the model's indicators for the subject. A step that does not run feeds
//! nothing: its consumers read that input from the store, and the answer
//! says so.
//!
//! A definition is checked against the pinned versions' declarations
//! ([`check`]) when it is defined, again by the host at every evaluation,
//! and, when a model is pinned anew, [`Registry::composites_broken`] names
//! the composites the pin breaks. Only the province defines and retires
//! composites; each is a record in the audit log, in the same transaction.
//!
//! The name [`REPORT`] is reserved: it is the built-in composite of every
//! pinned model that applies to a subject, the credit report, granted to an
//! app like any composite.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::governance::proposals::{self, Approved, Kind, Proposal};
use crate::log::{NewRecord, append_in_tx};
use crate::{Actor, Error, ModelName, Registry, now};

/// The reserved name of the credit report (综合信用报告, L1350): every pinned
/// model that applies to the subject. Granted like a composite; no
/// composite may take the name.
pub const REPORT: &str = "report";

/// The most steps a composite has. 16: the largest composition the source
/// names is an enterprise's standing across its sector evaluations (port,
/// environment, market, mining, travel, finance: fewer than ten models),
/// and each step is a sandboxed evaluation and a log record, so a bound
/// keeps one request's cost within a few times one evaluation's.
pub const MAX_STEPS: usize = 16;

/// A composite's graph, as the province writes it (JSON).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// The steps, in the order they run (1 to [`MAX_STEPS`]).
    pub steps: Vec<Step>,
    /// The step whose score and grade are the composite's; absent for a
    /// profile (each step's result stands on its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

/// One model of a composite.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The step's name within the composite (lowercase letters, digits,
    /// `-`), e.g. `city`.
    pub id: String,
    /// The model, `namespace/name`: its pinned version runs.
    pub model: String,
    /// When the step runs; always when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Route>,
    /// Which declared input of this model is fed by which earlier output.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inputs: BTreeMap<String, Feed>,
}

/// When a step runs: every condition given must hold.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The subject id starts with one of these (digits or capital
    /// letters, 2 to 12 characters): `3301` is a resident identity number
    /// issued in Hangzhou (GB/T 2260 administrative division 3301xx).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_prefix: Vec<String>,
    /// The store holds at least one record of an indicator the model
    /// declares, for this subject (an enterprise's sectors from its
    /// stored records).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stored: bool,
    /// What the route means, for people: "Hangzhou (杭州)".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// An edge: an earlier step's output.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feed {
    /// The earlier step's id.
    pub from: String,
    /// `score` (decimal points, into a `number` input), `grade` (into a
    /// `text` input), `model` (the earlier step's model name, into a
    /// `text` input) or `contribution:NAME` (that contribution's points,
    /// 0 when the white box has none of that name, into a `number` input).
    pub output: String,
}

/// What an edge carries, parsed from [`Feed::output`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The step's score.
    Score,
    /// The step's grade.
    Grade,
    /// The step's model name.
    Model,
    /// The points of the step's contribution of this name.
    Contribution(String),
}

impl Output {
    /// Parse `score`, `grade`, `model` or `contribution:NAME`.
    pub fn parse(s: &str) -> Result<Output, String> {
        match s {
            "score" => Ok(Output::Score),
            "grade" => Ok(Output::Grade),
            "model" => Ok(Output::Model),
            _ => match s.strip_prefix("contribution:") {
                Some(name) if !name.is_empty() && name.len() <= 64 => {
                    Ok(Output::Contribution(name.to_string()))
                }
                _ => Err(format!(
                    "output '{s}' is not score, grade, model or contribution:NAME"
                )),
            },
        }
    }

    /// The declared input kind this output can feed.
    pub fn kind(&self) -> &'static str {
        match self {
            Output::Score | Output::Contribution(_) => "number",
            Output::Grade | Output::Model => "text",
        }
    }
}

impl Route {
    /// Whether a subject with this id passes the id test (the `stored`
    /// test is the caller's: it needs the store).
    pub fn id_matches(&self, id: &str) -> bool {
        self.id_prefix.is_empty() || self.id_prefix.iter().any(|p| id.starts_with(p.as_str()))
    }

    /// The route, for people: "subject id starts with 3301 (Hangzhou (杭州))".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.id_prefix.is_empty() {
            parts.push(format!(
                "the subject id starts with {}",
                self.id_prefix.join(" or ")
            ));
        }
        if self.stored {
            parts.push("the store holds records of the model's indicators".to_string());
        }
        let text = parts.join(" and ");
        match &self.label {
            Some(l) => format!("{text} ({l})"),
            None => text,
        }
    }
}

/// A pinned model version as [`check`] sees it: its reference and its
/// stored `describe()` (the wire form).
#[derive(Debug, Clone)]
pub struct PinnedDeclaration {
    /// `namespace/name@version`.
    pub reference: String,
    /// The version's module SHA-256.
    pub sha256: String,
    /// Its `describe()`, as stored.
    pub describe: serde_json::Value,
}

/// What [`check`] found: the subject kinds every step scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The kinds the composite scores (those all its models score).
    pub subject_kinds: Vec<String>,
}

fn declared_kinds(d: &serde_json::Value) -> Vec<String> {
    d["subject_kinds"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn declared_input<'a>(d: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    d["indicators"]
        .as_array()?
        .iter()
        .find(|i| i["name"].as_str() == Some(name))
}

/// Check `def` against the pinned declarations `pinned` gives for each
/// model (`None`: not pinned). `Err` is one sentence naming the step and
/// what does not fit. Checks: 1 to [`MAX_STEPS`] steps with distinct ids;
/// every model pinned; every step fed only by earlier steps (so no cycle)
/// into an input its model declares, of the kind the output is; routes
/// well formed; the result a step; and at least one subject kind every
/// model scores.
pub fn check(
    def: &Definition,
    pinned: &dyn Fn(&ModelName) -> Option<PinnedDeclaration>,
) -> Result<Checked, String> {
    if def.steps.is_empty() || def.steps.len() > MAX_STEPS {
        return Err(format!(
            "a composite has 1 to {MAX_STEPS} steps, not {}",
            def.steps.len()
        ));
    }
    let mut kinds: Option<Vec<String>> = None;
    let mut seen: Vec<(&str, &str, PinnedDeclaration)> = Vec::new();
    for step in &def.steps {
        if !crate::refs::is_name_part(&step.id) {
            return Err(format!(
                "'{}' is not a step id (1 to 64 lowercase letters, digits and '-')",
                step.id
            ));
        }
        if seen.iter().any(|(id, _, _)| *id == step.id) {
            return Err(format!("step '{}' is named twice", step.id));
        }
        let model: ModelName = step.model.parse().map_err(|_| {
            format!(
                "step '{}': '{}' is not a model name 'namespace/name'",
                step.id, step.model
            )
        })?;
        let Some(decl) = pinned(&model) else {
            return Err(format!(
                "step '{}': model {model} has no pinned version (pin one first)",
                step.id
            ));
        };
        if let Some(route) = &step.when {
            if route.id_prefix.is_empty() && !route.stored {
                return Err(format!(
                    "step '{}': a route needs id_prefix or stored",
                    step.id
                ));
            }
            for p in &route.id_prefix {
                if p.len() < 2
                    || p.len() > 12
                    || !p
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
                {
                    return Err(format!(
                        "step '{}': id_prefix '{p}' is not 2 to 12 digits or capital letters",
                        step.id
                    ));
                }
            }
            if route
                .label
                .as_ref()
                .is_some_and(|l| l.chars().count() > 200)
            {
                return Err(format!(
                    "step '{}': a route's label is at most 200 characters",
                    step.id
                ));
            }
        }
        for (input, feed) in &step.inputs {
            let output = Output::parse(&feed.output)
                .map_err(|e| format!("step '{}', input '{input}': {e}", step.id))?;
            let Some((_, from_model, from_decl)) = seen.iter().find(|(id, _, _)| *id == feed.from)
            else {
                return Err(format!(
                    "step '{}', input '{input}': '{}' is not an earlier step (a step is fed only by the steps before it)",
                    step.id, feed.from
                ));
            };
            let Some(spec) = declared_input(&decl.describe, input) else {
                return Err(format!(
                    "step '{}': {} declares no input '{input}'",
                    step.id, decl.reference
                ));
            };
            let kind = spec["kind"].as_str().unwrap_or_default();
            if kind != output.kind() {
                return Err(format!(
                    "step '{}', input '{input}': {} declares it {kind}, but {}'s {} is {} ({} of {})",
                    step.id,
                    decl.reference,
                    feed.from,
                    feed.output,
                    output.kind(),
                    from_model,
                    from_decl.reference
                ));
            }
        }
        let step_kinds = declared_kinds(&decl.describe);
        kinds = Some(match kinds {
            None => step_kinds,
            Some(k) => k.into_iter().filter(|x| step_kinds.contains(x)).collect(),
        });
        seen.push((&step.id, &step.model, decl));
    }
    if let Some(result) = &def.result
        && !seen.iter().any(|(id, _, _)| id == result)
    {
        return Err(format!("the result '{result}' is not a step"));
    }
    let subject_kinds = kinds.unwrap_or_default();
    if subject_kinds.is_empty() {
        return Err(
            "no subject kind is scored by every model of the composite (check their subject_kinds)"
                .into(),
        );
    }
    Ok(Checked { subject_kinds })
}

/// A composite version as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Composite {
    /// Its name (lowercase letters, digits and `-`).
    pub name: String,
    /// Its version: 1 for the first definition, one more for each after.
    pub version: i64,
    /// What it is, for people.
    pub title: String,
    /// The graph.
    pub definition: Definition,
    /// The pinned versions it was checked against when defined
    /// (`namespace/name@version`), one per step.
    pub checked_against: Vec<String>,
    /// Who defined it.
    pub defined_by: String,
    /// When (RFC 3339, UTC).
    pub defined_at: String,
    /// Who retired it, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_by: Option<String>,
    /// When it was retired: from then on it evaluates nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<String>,
}

impl Composite {
    /// `name@version`.
    pub fn reference(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    /// Every model its steps use, once each, in step order.
    pub fn models(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.definition.steps {
            if !out.contains(&s.model) {
                out.push(s.model.clone());
            }
        }
        out
    }
}

/// A composite that no longer fits the pinned models, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Broken {
    /// `name@version`.
    pub composite: String,
    /// What does not fit.
    pub why: String,
}

fn check_name(name: &str) -> Result<(), Error> {
    if name == REPORT {
        return Err(Error::BadRequest(format!(
            "'{REPORT}' is the credit report's reserved name: choose another"
        )));
    }
    if crate::refs::is_name_part(name) {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "'{name}' is not a composite name (1 to 64 lowercase letters, digits and '-', e.g. hangzhou-credit-code)"
        )))
    }
}

const COLUMNS: &str = "name, version, title, definition, checked_against, defined_by, defined_at, retired_by, retired_at";

fn from_row(r: &AnyRow) -> Result<Composite, Error> {
    let definition: String = r.try_get("definition")?;
    let checked: String = r.try_get("checked_against")?;
    let bad = |e: serde_json::Error| Error::Storage(format!("a stored composite: {e}"));
    Ok(Composite {
        name: r.try_get("name")?,
        version: r.try_get("version")?,
        title: r.try_get("title")?,
        definition: serde_json::from_str(&definition).map_err(bad)?,
        checked_against: serde_json::from_str(&checked).map_err(bad)?,
        defined_by: r.try_get("defined_by")?,
        defined_at: r.try_get("defined_at")?,
        retired_by: r.try_get("retired_by")?,
        retired_at: r.try_get("retired_at")?,
    })
}

/// The pinned declaration of `model`, read in `conn`.
pub(crate) async fn pinned_in(
    conn: &mut sqlx::AnyConnection,
    model: &ModelName,
) -> Result<Option<PinnedDeclaration>, Error> {
    let row = sqlx::query(
        "SELECT v.version, v.sha256, v.describe_json FROM pins p JOIN plugin_versions v \
         ON v.namespace = p.namespace AND v.name = p.name AND v.version = p.version \
         WHERE p.namespace = $1 AND p.name = $2",
    )
    .bind(&model.namespace)
    .bind(&model.name)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let version: String = row.try_get("version")?;
    let describe: String = row.try_get("describe_json")?;
    let reference = format!("{model}@{version}");
    Ok(Some(PinnedDeclaration {
        describe: serde_json::from_str(&describe)
            .map_err(|e| Error::Storage(format!("the stored describe() of {reference}: {e}")))?,
        reference,
        sha256: row.try_get("sha256")?,
    }))
}

/// Every pinned declaration the steps of `def` name, read in `conn`.
async fn pinned_for(
    conn: &mut sqlx::AnyConnection,
    def: &Definition,
) -> Result<BTreeMap<ModelName, PinnedDeclaration>, Error> {
    let mut out = BTreeMap::new();
    for s in &def.steps {
        if let Ok(m) = s.model.parse::<ModelName>()
            && !out.contains_key(&m)
            && let Some(d) = pinned_in(conn, &m).await?
        {
            out.insert(m, d);
        }
    }
    Ok(out)
}

/// Fail with [`Error::BadRequest`] unless each of `names` is [`REPORT`] or
/// a composite in force: what a token may be granted.
pub(crate) async fn check_grantable(
    conn: &mut sqlx::AnyConnection,
    names: &[String],
) -> Result<(), Error> {
    for name in names {
        if name == REPORT {
            continue;
        }
        match latest(conn, name).await? {
            None => {
                return Err(Error::BadRequest(
                    proposals::not_in_force(conn, Kind::Composite, name).await?,
                ));
            }
            Some(c) if c.retired_at.is_some() => {
                return Err(Error::BadRequest(format!(
                    "composite '{name}' was retired and can no longer be granted"
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Composite `name`'s latest version if it is in force, read in `conn`:
/// [`Error::BadRequest`] naming why not otherwise.
pub(crate) async fn in_force(
    conn: &mut sqlx::AnyConnection,
    name: &str,
) -> Result<Composite, Error> {
    match latest(conn, name).await? {
        None => Err(Error::BadRequest(format!("no composite is named '{name}'"))),
        Some(c) if c.retired_at.is_some() => Err(Error::BadRequest(format!(
            "composite '{name}' was retired and decides nothing"
        ))),
        Some(c) => Ok(c),
    }
}

/// The latest version of composite `name`, retired or not.
async fn latest(conn: &mut sqlx::AnyConnection, name: &str) -> Result<Option<Composite>, Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM composites WHERE name = $1 ORDER BY version DESC LIMIT 1"
    ))
    .bind(name)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The pinned versions `definition` is checked against, one per step, or
/// why it does not fit them ([`Error::BadRequest`]).
async fn checked(
    conn: &mut sqlx::AnyConnection,
    definition: &Definition,
) -> Result<Vec<String>, Error> {
    let pinned = pinned_for(conn, definition).await?;
    check(definition, &|m| pinned.get(m).cloned()).map_err(Error::BadRequest)?;
    Ok(definition
        .steps
        .iter()
        .filter_map(|s| s.model.parse::<ModelName>().ok())
        .filter_map(|m| pinned.get(&m).map(|d| d.reference.clone()))
        .collect())
}

impl Registry {
    /// Propose a definition of composite `name`: its first version, or the
    /// next. Only a named province person; it comes into force as a new
    /// version once the approval quorum of other persons approved it
    /// ([`Registry::approve_composite`]). Refused with
    /// [`Error::BadRequest`], storing nothing: a malformed name or title, a
    /// graph that does not fit the pinned models ([`check`]). One
    /// transaction, with its audit record.
    pub async fn define_composite(
        &self,
        by: &Actor,
        name: &str,
        title: Option<&str>,
        definition: Definition,
    ) -> Result<Proposal, Error> {
        by.must_be_province("define composites")?;
        by.named_person("proposing a composite")?;
        check_name(name)?;
        let title = title.map(str::trim).unwrap_or(name).to_string();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(Error::BadRequest(
                "a composite's title is 1 to 200 characters".into(),
            ));
        }
        let mut tx = self.db.begin().await?;
        let checked_against = checked(tx.conn(), &definition).await?;
        let version = latest(tx.conn(), name).await?.map_or(1, |c| c.version + 1);
        let draft = Composite {
            name: name.to_string(),
            version,
            title: title.clone(),
            definition,
            checked_against,
            defined_by: by.to_string(),
            defined_at: now(),
            retired_by: None,
            retired_at: None,
        };
        let fields = log_fields(by, "composite-propose", &draft);
        let proposal = proposals::propose(
            tx.conn(),
            Kind::Composite,
            name,
            serde_json::json!({ "title": title, "definition": draft.definition }),
            by,
            fields,
        )
        .await?;
        tx.commit().await?;
        Ok(proposal)
    }

    /// `by`'s approval of the definition of composite `name` waiting for
    /// approval, whose text has SHA-256 `sha256` (see
    /// [`proposals::approve`] for who may and what is refused). The
    /// approval that reaches the quorum brings it into force as the next
    /// version, in the same transaction, once the graph is checked again
    /// against the models pinned now ([`Error::BadRequest`] if it no longer
    /// fits: propose it anew).
    pub async fn approve_composite(
        &self,
        by: &Actor,
        name: &str,
        sha256: &str,
    ) -> Result<Approved<Composite>, Error> {
        self.approve_definition(by, name, sha256).await
    }

    /// The definition of composite `name` waiting for approval, if any.
    pub async fn composite_pending(&self, name: &str) -> Result<Option<Proposal>, Error> {
        let mut conn = self.db.pool.acquire().await?;
        proposals::pending(&mut conn, Kind::Composite, name).await
    }

    /// Every definition of a scenario or composite waiting for approval,
    /// scenarios first, oldest first: the review queue's second half.
    pub async fn definitions_pending(&self) -> Result<Vec<Proposal>, Error> {
        let mut conn = self.db.pool.acquire().await?;
        let mut all = proposals::all_pending(&mut conn, Kind::Scenario).await?;
        all.extend(proposals::all_pending(&mut conn, Kind::Composite).await?);
        Ok(all)
    }

    /// Retire composite `name` (its latest version): from now on it
    /// evaluates nothing and can no longer be granted; defining it again
    /// brings a new version into force. Only the province.
    /// [`Error::NotFound`] for an unknown name, [`Error::Conflict`] for one
    /// already retired.
    pub async fn retire_composite(&self, by: &Actor, name: &str) -> Result<Composite, Error> {
        by.must_be_province("retire composites")?;
        let mut tx = self.db.begin().await?;
        // A definition waiting for approval would bring it back: withdrawn.
        proposals::withdraw(tx.conn(), Kind::Composite, name).await?;
        let Some(mut c) = latest(tx.conn(), name).await? else {
            return Err(Error::NotFound(format!("no composite is named '{name}'")));
        };
        if let Some(at) = &c.retired_at {
            return Err(Error::Conflict(format!(
                "composite '{name}' was already retired on {at}"
            )));
        }
        let at = now();
        sqlx::query(
            "UPDATE composites SET retired_by = $1, retired_at = $2 WHERE name = $3 AND version = $4",
        )
        .bind(by.to_string())
        .bind(&at)
        .bind(name)
        .bind(c.version)
        .execute(tx.conn())
        .await?;
        c.retired_by = Some(by.to_string());
        c.retired_at = Some(at.clone());
        let fields = log_fields(by, "composite-retire", &c);
        append_in_tx(
            tx.conn(),
            vec![NewRecord::from_fields("registry", at, &fields)],
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// The latest version of composite `name` (retired or not), if it was
    /// ever defined.
    pub async fn composite(&self, name: &str) -> Result<Option<Composite>, Error> {
        let mut conn = self.db.pool.acquire().await?;
        latest(&mut conn, name).await
    }

    /// Version `version` of composite `name`, if it exists (a record names
    /// the version it ran).
    pub async fn composite_version(
        &self,
        name: &str,
        version: i64,
    ) -> Result<Option<Composite>, Error> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM composites WHERE name = $1 AND version = $2"
        ))
        .bind(name)
        .bind(version)
        .fetch_optional(&self.db.pool)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The latest version of every composite, retired ones too, by name.
    pub async fn composites(&self) -> Result<Vec<Composite>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM composites c WHERE version = \
             (SELECT MAX(version) FROM composites d WHERE d.name = c.name) ORDER BY name"
        ))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// The composites in force (latest versions, not retired) that use
    /// `model` and no longer fit the pinned versions, each with why: what
    /// a pin of `model` answers, and what the province must redefine.
    pub async fn composites_broken(&self, model: &ModelName) -> Result<Vec<Broken>, Error> {
        let name = model.to_string();
        let mut conn = self.db.pool.acquire().await?;
        let mut out = Vec::new();
        for c in self.composites().await? {
            if c.retired_at.is_some() || !c.models().contains(&name) {
                continue;
            }
            let pinned = pinned_for(&mut conn, &c.definition).await?;
            if let Err(why) = check(&c.definition, &|m| pinned.get(m).cloned()) {
                out.push(Broken {
                    composite: c.reference(),
                    why,
                });
            }
        }
        Ok(out)
    }

    /// The composites in force (latest versions, not retired) that use
    /// `model`, by name.
    pub async fn composites_using(&self, model: &ModelName) -> Result<Vec<Composite>, Error> {
        let name = model.to_string();
        Ok(self
            .composites()
            .await?
            .into_iter()
            .filter(|c| c.retired_at.is_none() && c.models().contains(&name))
            .collect())
    }
}

impl proposals::Governed for Composite {
    const KIND: Kind = Kind::Composite;

    async fn apply(
        conn: &mut sqlx::AnyConnection,
        by: &Actor,
        proposal: &Proposal,
    ) -> Result<Composite, Error> {
        let d = &proposal.definition;
        let bad = |e: String| Error::Storage(format!("proposal {}: {e}", proposal.id));
        let definition: Definition =
            serde_json::from_value(d["definition"].clone()).map_err(|e| bad(e.to_string()))?;
        let title = d["title"]
            .as_str()
            .ok_or_else(|| bad("no title".into()))?
            .to_string();
        let name = proposal.name.as_str();
        let checked_against = checked(conn, &definition).await?;
        let version = latest(conn, name).await?.map_or(1, |c| c.version + 1);
        let composite = Composite {
            name: name.to_string(),
            version,
            title,
            definition,
            checked_against,
            defined_by: proposal.proposed_by.clone(),
            defined_at: now(),
            retired_by: None,
            retired_at: None,
        };
        sqlx::query(&format!(
            "INSERT INTO composites ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)"
        ))
        .bind(&composite.name)
        .bind(composite.version)
        .bind(&composite.title)
        .bind(to_json(&composite.definition))
        .bind(to_json(&composite.checked_against))
        .bind(&composite.defined_by)
        .bind(&composite.defined_at)
        .execute(&mut *conn)
        .await?;
        let mut fields = log_fields(by, "composite-define", &composite);
        proposals::in_force_fields(proposal, &mut fields);
        let record = NewRecord::from_fields("registry", composite.defined_at.clone(), &fields);
        append_in_tx(conn, vec![record]).await?;
        Ok(composite)
    }
}

/// The JSON text a column holds.
fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn log_fields(
    by: &Actor,
    action: &str,
    c: &Composite,
) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    by.record_into(&mut fields);
    fields.insert("action".into(), action.into());
    fields.insert("composite".into(), c.name.clone().into());
    fields.insert("version".into(), c.version.into());
    fields.insert("title".into(), c.title.clone().into());
    fields.insert(
        "definition".into(),
        serde_json::to_value(&c.definition).unwrap_or_default(),
    );
    fields.insert("checked_against".into(), c.checked_against.clone().into());
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decl(name: &str, kinds: &[&str], inputs: &[(&str, &str)]) -> PinnedDeclaration {
        PinnedDeclaration {
            reference: format!("{name}@1.0.0"),
            sha256: "00".repeat(32),
            describe: json!({
                "subject_kinds": kinds,
                "indicators": inputs.iter().map(|(n, k)| json!({"name": n, "kind": k})).collect::<Vec<_>>(),
            }),
        }
    }

    fn pinned(m: &ModelName) -> Option<PinnedDeclaration> {
        match m.to_string().as_str() {
            "hangzhou/qianjiang" => Some(decl(
                "hangzhou/qianjiang",
                &["natural-person"],
                &[("blood_donation", "number")],
            )),
            "zhejiang/credit-code" => Some(decl(
                "zhejiang/credit-code",
                &["natural-person"],
                &[("city_model", "text"), ("city_score", "number")],
            )),
            "ningbo/port" => Some(decl("ningbo/port", &["enterprise"], &[])),
            _ => None,
        }
    }

    fn def(v: serde_json::Value) -> Definition {
        serde_json::from_value(v).unwrap()
    }

    fn code() -> serde_json::Value {
        json!({"steps": [
            {"id": "city", "model": "hangzhou/qianjiang", "when": {"id_prefix": ["3301"]}},
            {"id": "code", "model": "zhejiang/credit-code", "inputs": {
                "city_score": {"from": "city", "output": "score"},
                "city_model": {"from": "city", "output": "model"}}}
        ], "result": "code"})
    }

    #[test]
    fn the_credit_code_graph_fits() {
        let c = check(&def(code()), &pinned).unwrap();
        assert_eq!(c.subject_kinds, vec!["natural-person"]);
    }

    #[test]
    fn each_misfit_is_named() {
        let cases = [
            (
                "/steps/1/inputs/city_score/output",
                json!("grade"),
                "declares it number",
            ),
            (
                "/steps/1/inputs/city_score/from",
                json!("code"),
                "not an earlier step",
            ),
            (
                "/steps/1/inputs/city_score/output",
                json!("points"),
                "is not score",
            ),
            ("/steps/0/model", json!("quzhou/xinan"), "no pinned version"),
            ("/steps/1/id", json!("city"), "named twice"),
            ("/steps/0/when/id_prefix/0", json!("33 01"), "id_prefix"),
            ("/result", json!("nowhere"), "not a step"),
            ("/steps/1/model", json!("ningbo/port"), "declares no input"),
        ];
        for (path, value, expect) in cases {
            let mut v = code();
            *v.pointer_mut(path).unwrap() = value;
            let err = check(&def(v), &pinned).unwrap_err();
            assert!(err.contains(expect), "{path}: {err}");
        }
        let v = json!({"steps": [
            {"id": "a", "model": "hangzhou/qianjiang"},
            {"id": "b", "model": "ningbo/port"}]});
        assert!(
            check(&def(v), &pinned)
                .unwrap_err()
                .contains("no subject kind")
        );
        assert!(check(&def(json!({"steps": []})), &pinned).is_err());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut v = code();
        v["steps"][0]["whne"] = json!({});
        assert!(serde_json::from_value::<Definition>(v).is_err());
    }

    #[test]
    fn routes_match_by_prefix() {
        let r = Route {
            id_prefix: vec!["3301".into()],
            stored: false,
            label: None,
        };
        assert!(r.id_matches("330106199001011234"));
        assert!(!r.id_matches("330802199001011234"));
    }
}
