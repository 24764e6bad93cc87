//! `/v1/proposals`, and what the scenario and composite routes share about
//! definitions waiting for approval: a benefit scenario or a composite is
//! proposed by one named province person and comes into force once the
//! approval quorum of other persons approved its exact text (by its
//! SHA-256), as a module version does.
//!
//! Who sees a definition waiting for approval: the province and auditors.
//! Everyone else reads only what is in force (a draft is not yet policy).

use std::sync::Arc;

use axum::Json;
use axum::extract::Request;
use axum::extract::State;
use axum::http::StatusCode;
use scorehost_registry::{Approved, Proposal};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Service;
use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;

/// The SHA-256 of the definition the reviewer read.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    /// Hex SHA-256 of the definition's canonical text, as its proposal
    /// (`pending.sha256`) gives it.
    pub sha256: String,
}

fn internal(e: serde_json::Error) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
}

/// A scenario or composite as one caller may read it: what is in force
/// (its fields at the top level) and, for the province and auditors, the
/// definition waiting for approval as `pending`. `None` when the caller
/// may see neither: the route answers 404, as for an unknown name.
pub(crate) fn with_pending<T: Serialize>(
    caller: &Caller,
    name: &str,
    in_force: Option<T>,
    pending: Option<Proposal>,
) -> Result<Option<serde_json::Value>, ApiError> {
    let pending = pending.filter(|_| caller.sees_tokens()).map(|mut p| {
        caller.redact(&mut p.review);
        p
    });
    scorehost_registry::governance::proposals::with_pending(name, in_force, pending)
        .map_err(internal)
}

/// The SHA-256 an approval's body names (read once the route checked the
/// caller's role).
pub(crate) async fn approved_sha256(body: Request) -> Result<String, ApiError> {
    let JsonBody(b) = JsonBody::<ApproveBody>::from_request_body(body).await?;
    Ok(b.sha256)
}

/// An approval's answer as `caller` may read it (tokens redacted).
pub(crate) fn approval_answer<T>(caller: &Caller, mut a: Approved<T>) -> Json<Approved<T>> {
    caller.redact(&mut a.proposal.review);
    Json(a)
}

/// The answer to a proposal: 202, waiting for approvals.
pub(crate) fn accepted<T: Serialize>(t: T) -> (StatusCode, Json<T>) {
    (StatusCode::ACCEPTED, Json(t))
}

/// Every definition of a scenario or composite waiting for approval,
/// scenarios first, oldest first (the province and auditors): the review
/// queue's definitions.
#[utoipa::path(get, path = "/v1/proposals", tag = "scenarios",
    responses((status = 200, description = "The definitions waiting for approval, each with its review"),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(service): State<Arc<Service>>,
    caller: Caller,
) -> Result<Json<Vec<Proposal>>, ApiError> {
    caller.require(Need::Audit, "read definitions waiting for approval")?;
    let mut all = service
        .engine
        .catalog
        .registry()
        .definitions_pending()
        .await?;
    for p in &mut all {
        caller.redact(&mut p.review);
    }
    Ok(Json(all))
}
