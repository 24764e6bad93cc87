//! `GET /v1/me`: who the presented token is — its role, its public id and
//! what it was granted. Any valid token may ask about itself (and only
//! itself); the console signs a person in with it.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Caller, Need};
use crate::error::ApiError;

/// What a token is.
#[derive(Serialize, ToSchema)]
pub struct MeBody {
    /// The role it acts as: `province`, `auditor`, `publisher:NS` or
    /// `app:NAME`.
    pub role: String,
    /// Its public id (`tok_…`): every record of its actions names it.
    pub token: String,
    /// The person it was issued to, if it names one: every record of its
    /// actions names them too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// What it is for, as its creator said.
    pub label: String,
    /// For an app: the models it may score.
    pub models: Vec<String>,
    /// For an app: the benefit scenarios it may ask decisions of.
    pub scenarios: Vec<String>,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
}

/// The presented token: its role, id, label and grants. Costs one token
/// lookup (cached for a few seconds, as on every route).
#[utoipa::path(get, path = "/v1/me", tag = "operations",
    responses((status = 200, description = "The token", body = MeBody)),
    security(("bearer" = [])))]
pub async fn me(caller: Caller) -> Result<Json<MeBody>, ApiError> {
    caller.require(Need::Anyone, "read its own token")?;
    let t = caller.token;
    Ok(Json(MeBody {
        role: t.role,
        token: t.id,
        person: t.person,
        label: t.label,
        models: t.models,
        scenarios: t.scenarios,
        created_at: t.created_at,
    }))
}
