//! The audit log over HTTP: an evaluation's white box, its replay and its
//! inclusion proof; the latest checkpoint; consistency proofs; verify.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use scorehost_audit::checkpoint::{Checkpoint, InclusionProof};
use scorehost_registry::Role;
use serde::Deserialize;

use crate::Service;
use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use scorehost_engine::audit::{self, Consistency, Shown, VerifyReport};
use scorehost_engine::replay::{self, ReplayReport};

/// The province and auditors read every record; a person (a `subject:`
/// token) reads the records about them; an app reads the records
/// of its own evaluations of the models its token is granted, and of its
/// own composites and reports with their steps (a token
/// granted only a benefit scenario gets the decision's minimum, not the
/// white box behind it, here too). Another's record is answered exactly as
/// a record that does not exist: 404, so that ids tell nothing.
fn may_read(caller: &Caller, shown: &Shown, id: &str) -> Result<(), ApiError> {
    // A composite's record, and each of its steps' records, are also the
    // app's to read when its token is granted the composite (or `report`).
    let composite = shown.record["composite"]["name"]
        .as_str()
        .is_some_and(|c| caller.token.may_compose(c));
    let granted = composite
        || shown.record["model"]["name"]
            .as_str()
            .and_then(|m| m.parse::<scorehost_registry::ModelName>().ok())
            .is_some_and(|m| caller.token.may_score(&m));
    match &caller.actor.role {
        Role::Province | Role::Auditor => Ok(()),
        Role::App(_)
            if granted && shown.record["caller"].as_str() == Some(caller.name().as_str()) =>
        {
            Ok(())
        }
        // A person reads the records about them while they are kept (an
        // erased record names nobody, so it is nobody's to read).
        // (Their evaluations and composites: the other records about them
        // — reads, their tokens — they see in their listing, without the
        // officials' token ids.)
        Role::Subject(me)
            if shown.record["subject"]["id"].as_str() == Some(me.as_str())
                && matches!(shown.entry.kind.as_str(), "evaluation" | "composite") =>
        {
            Ok(())
        }
        _ => {
            tracing::warn!(caller = %caller.actor, token = %caller.token.id, %id, "denied: not its evaluation, or not of a model its token is granted");
            Err(ApiError::from(scorehost_registry::Error::NotFound(
                format!("no audit record has id {id}"),
            )))
        }
    }
}

/// An evaluation's record: the white box (inputs, every contribution,
/// score, grade, reasons, module hash), with its input unless erased.
#[utoipa::path(get, path = "/v1/evaluations/{id}", tag = "audit",
    params(("id" = String, Path, description = "The evaluation id, SEQ-HASH")),
    responses((status = 200, description = "The record", body = Shown), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn evaluation(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Shown>, ApiError> {
    let shown = audit::show(service.engine.catalog.registry(), &id).await?;
    may_read(&caller, &shown, &id)?;
    log_read_of(&service, &caller, &shown, "record").await?;
    Ok(Json(shown))
}

/// Record the read of `shown` (`what`: `record`, `proof`, `replay`), if
/// it is about someone whose personal part is kept
/// ([`crate::routes::subjects::log_read`]).
async fn log_read_of(
    service: &Service,
    caller: &Caller,
    shown: &Shown,
    what: &str,
) -> Result<(), ApiError> {
    if let Some(subject) = shown.record["subject"]["id"].as_str() {
        let what = format!("{what} {}", shown.entry.id);
        crate::routes::subjects::log_read(service, caller, subject, &what).await?;
    }
    Ok(())
}

/// Re-run an evaluation with the exact module bytes it used, and compare:
/// identical, or the exact difference (province and auditors).
#[utoipa::path(post, path = "/v1/evaluations/{id}/replay", tag = "audit",
    params(("id" = String, Path)),
    responses((status = 200, description = "The comparison", body = ReplayReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn replay(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ReplayReport>, ApiError> {
    caller.require(Need::Audit, "replay evaluations")?;
    let shown = audit::show(service.engine.catalog.registry(), &id).await?;
    log_read_of(&service, &caller, &shown, "replay of record").await?;
    Ok(Json(replay::replay(&service.engine.catalog, &id).await?))
}

/// An inclusion proof of the evaluation's record under the latest signed
/// checkpoint, checkable offline with the log's public key. The log signs
/// checkpoints on its own schedule (within a second of a record, at most
/// one a second): a record newer than the latest checkpoint is answered
/// 503 `not_checkpointed` with `Retry-After: 1`. O(log² n) hashes; asking
/// signs nothing and writes nothing.
#[utoipa::path(get, path = "/v1/evaluations/{id}/proof", tag = "audit",
    params(("id" = String, Path)),
    responses((status = 200, description = "The proof", body = InclusionProof), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 503, description = "`not_checkpointed`: no checkpoint covers the record yet; ask again after `Retry-After` seconds", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn proof(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<InclusionProof>, ApiError> {
    let shown = audit::show(service.engine.catalog.registry(), &id).await?;
    may_read(&caller, &shown, &id)?;
    let proof = service.engine.writer.proof(shown.entry.seq)?;
    log_read_of(&service, &caller, &shown, "proof of record").await?;
    Ok(Json(proof))
}

/// The log's latest signed checkpoint (tree size, root hash, time,
/// signature) and the key to check it with.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CheckpointBody {
    /// The checkpoint.
    #[serde(flatten)]
    pub checkpoint: Checkpoint,
    /// The log's Ed25519 public key, hex.
    pub public_key: String,
}

/// The latest signed checkpoint.
#[utoipa::path(get, path = "/v1/log/checkpoint", tag = "audit",
    responses((status = 200, description = "The checkpoint", body = CheckpointBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn checkpoint(
    State(service): State<Arc<Service>>,
    caller: Caller,
) -> Result<Json<CheckpointBody>, ApiError> {
    caller.require(Need::Anyone, "read the log's checkpoint")?;
    let registry = service.engine.catalog.registry();
    // The writer signs one at its start and within a second of every
    // record; asking never signs.
    let cp = match service.engine.writer.latest_checkpoint() {
        Some(cp) => cp,
        None => match registry.latest_checkpoint().await? {
            Some(cp) => Checkpoint {
                tree_size: cp.tree_size,
                root_hash: cp.root_hash,
                timestamp: cp.at,
                signature: cp.signature,
            },
            None => {
                return Err(ApiError::new(
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    "not_checkpointed",
                    "the log has signed no checkpoint yet; ask again in a second",
                ));
            }
        },
    };
    Ok(Json(CheckpointBody {
        checkpoint: cp,
        public_key: service.engine.key.public_key_hex(),
    }))
}

/// The two sizes of a consistency proof.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The earlier tree size (at least 1).
    pub from: u64,
    /// The later tree size.
    pub to: u64,
}

/// A consistency proof: the log at size `to` extends the log at size
/// `from` — nothing before `from` was rewritten. O(log² n) hashes, from
/// the writer's tree.
#[utoipa::path(get, path = "/v1/log/consistency", tag = "audit",
    params(ConsistencyQuery),
    responses((status = 200, description = "The proof", body = Consistency), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn consistency(
    State(service): State<Arc<Service>>,
    caller: Caller,
    query: Result<Query<ConsistencyQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Consistency>, ApiError> {
    caller.require(Need::Anyone, "read consistency proofs")?;
    let Query(q) = query.map_err(|e| {
        ApiError::bad_request(format!("give two sizes, ?from=N&to=M: {}", e.body_text()))
    })?;
    Ok(Json(service.engine.writer.consistency(q.from, q.to)?))
}

/// Recompute the whole tree and check every checkpoint (province and
/// auditors). Reads every record: seconds per million.
#[utoipa::path(get, path = "/v1/audit/verify", tag = "audit",
    responses((status = 200, description = "The log verifies", body = VerifyReport), (status = 403, body = ErrorBody),
        (status = 500, description = "The log does not verify: the first bad record is named", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn verify(
    State(service): State<Arc<Service>>,
    caller: Caller,
) -> Result<Json<VerifyReport>, ApiError> {
    caller.require(Need::Audit, "verify the audit log")?;
    Ok(Json(
        audit::verify(
            service.engine.catalog.registry(),
            &service.engine.key.public_key_hex(),
        )
        .await?,
    ))
}

/// What to look for in the log (every field narrows the search).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The subject's id, exactly.
    pub subject: Option<String>,
    /// The model, `namespace/name`.
    pub model: Option<String>,
    /// Who asked (`app:NAME`); an app always finds only its own.
    pub caller: Option<String>,
    /// Recorded on or after this date (`YYYY-MM-DD`) or instant (RFC 3339).
    pub from: Option<String>,
    /// Recorded on or before this date (`YYYY-MM-DD`), or before this
    /// instant (RFC 3339).
    pub to: Option<String>,
    /// `ok`, `failed` (any error) or one error code.
    pub outcome: Option<String>,
    /// Only records before this `seq` (the previous page's `next_before`).
    pub before: Option<u64>,
    /// At most this many, 1 to 200 (default 50).
    pub limit: Option<u32>,
}

/// `YYYY-MM-DD` or an RFC 3339 instant, as the text it is compared with
/// (records are stamped in RFC 3339, UTC); `end` turns a date into the
/// start of the next day, so that `to` includes its day.
fn bound(text: &str, end: bool) -> Result<String, ApiError> {
    use time::format_description::well_known::Rfc3339;
    let bad = || {
        ApiError::bad_request(format!(
            "'{text}' is not a date (YYYY-MM-DD) or an RFC 3339 instant"
        ))
    };
    if text.len() == 10 {
        let date = time::Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| bad())?;
        let date = if end {
            date.next_day().ok_or_else(bad)?
        } else {
            date
        };
        return Ok(format!("{date}T00:00:00Z"));
    }
    let at = time::OffsetDateTime::parse(text, &Rfc3339).map_err(|_| bad())?;
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .map_err(|_| bad())
}

/// Find evaluations by subject, model, caller, date and outcome, newest
/// first (province and auditors: all; an app: its own, of the models its
/// token is granted; publishers may not). Served by indexes: a search
/// costs about as much as the records it returns, however long the log,
/// and never writes: the service's indexer reads new records into the
/// index every second ([`crate::spawn_search_indexer`]; `indexed` says how
/// far), so no caller can make a search take the write lock.
#[utoipa::path(get, path = "/v1/evaluations", tag = "audit",
    params(SearchQuery),
    responses((status = 200, description = "What was found, and how far the index reaches", body = scorehost_registry::EvaluationFound),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn search(
    State(service): State<Arc<Service>>,
    caller: Caller,
    query: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<scorehost_registry::EvaluationFound>, ApiError> {
    let (own, person) = match &caller.actor.role {
        Role::Province | Role::Auditor => (None, None),
        Role::App(_) => (Some(caller.name()), None),
        // A person searches their own evaluations only.
        Role::Subject(id) => (None, Some(id.clone())),
        Role::Publisher(_) => {
            return Err(caller.deny(format!("{} may not search the log", caller.actor)));
        }
    };
    let Query(q) =
        query.map_err(|e| ApiError::bad_request(format!("a bad search: {}", e.body_text())))?;
    let search = scorehost_registry::EvaluationSearch {
        subject: person.or(q.subject.filter(|s| !s.is_empty())),
        model: q.model.filter(|s| !s.is_empty()),
        caller: own.or(q.caller.filter(|s| !s.is_empty())),
        from: q
            .from
            .filter(|s| !s.is_empty())
            .map(|f| bound(&f, false))
            .transpose()?,
        until: q
            .to
            .filter(|s| !s.is_empty())
            .map(|t| bound(&t, true))
            .transpose()?,
        outcome: q.outcome.filter(|s| !s.is_empty()),
        before_seq: q.before,
        limit: q.limit.unwrap_or(50),
    };
    let registry = service.engine.catalog.registry();
    let mut found = registry.search_evaluations(&search).await?;
    if matches!(caller.actor.role, Role::App(_)) {
        found.evaluations.retain(|e| {
            e.model
                .parse::<scorehost_registry::ModelName>()
                .is_ok_and(|m| caller.token.may_score(&m))
        });
    }
    // Each person listed had their records read: one access record each
    // (at most a page's 200).
    crate::routes::subjects::log_reads(
        &service,
        &caller,
        found.evaluations.iter().map(|e| e.subject.as_str()),
        "listed in a search of the log",
    )
    .await?;
    Ok(Json(found))
}

/// How many checkpoints the list answers at most: 100.
pub const MAX_CHECKPOINTS: u32 = 100;

/// How many checkpoints to list.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckpointsQuery {
    /// At most this many, 1 to 100 (default 10).
    pub limit: Option<u32>,
}

/// The latest signed checkpoints, newest first (anyone with a token, as
/// the latest one).
#[utoipa::path(get, path = "/v1/log/checkpoints", tag = "audit",
    params(CheckpointsQuery),
    responses((status = 200, description = "The checkpoints", body = Vec<scorehost_registry::StoredCheckpoint>), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn checkpoints(
    State(service): State<Arc<Service>>,
    caller: Caller,
    query: Result<Query<CheckpointsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<scorehost_registry::StoredCheckpoint>>, ApiError> {
    caller.require(Need::Anyone, "read the log's checkpoints")?;
    let Query(q) =
        query.map_err(|e| ApiError::bad_request(format!("a bad limit: {}", e.body_text())))?;
    let limit = q.limit.unwrap_or(10);
    if !(1..=MAX_CHECKPOINTS).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit must be 1 to {MAX_CHECKPOINTS}, not {limit}"
        )));
    }
    Ok(Json(
        service
            .engine
            .catalog
            .registry()
            .recent_checkpoints(limit)
            .await?,
    ))
}

/// The longest period the numbers cover: 90 days.
pub const MAX_STATS_DAYS: u32 = 90;

/// Which period.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// The last this many days, today included: 1 to 90 (default 14).
    pub days: Option<u32>,
}

/// Evaluations in numbers over the last `days` days: per model per day
/// (and how many failed), failures by error code, the sandboxed call's
/// mean and longest time per model — from the search index. The province
/// and auditors count every evaluation; an app its own; a publisher those
/// of its namespace's models.
#[utoipa::path(get, path = "/v1/evaluations/stats", tag = "audit",
    params(StatsQuery),
    responses((status = 200, description = "The numbers", body = scorehost_registry::EvaluationStats), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn stats(
    State(service): State<Arc<Service>>,
    caller: Caller,
    query: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<scorehost_registry::EvaluationStats>, ApiError> {
    let mut scope = scorehost_registry::StatsScope::default();
    match &caller.actor.role {
        Role::Province | Role::Auditor => {}
        Role::App(_) => scope.caller = Some(caller.name()),
        Role::Publisher(ns) => scope.namespace = Some(ns.clone()),
        Role::Subject(_) => {
            return Err(caller.deny(format!("{} may not read the log's numbers", caller.actor)));
        }
    }
    let Query(q) =
        query.map_err(|e| ApiError::bad_request(format!("a bad period: {}", e.body_text())))?;
    let days = q.days.unwrap_or(14);
    if !(1..=MAX_STATS_DAYS).contains(&days) {
        return Err(ApiError::bad_request(format!(
            "days must be 1 to {MAX_STATS_DAYS}, not {days}"
        )));
    }
    let today = time::OffsetDateTime::now_utc().date();
    let first = today - time::Duration::days(i64::from(days) - 1);
    scope.since = format!("{first}T00:00:00Z");
    let registry = service.engine.catalog.registry();
    Ok(Json(registry.evaluation_stats(&scope).await?))
}
