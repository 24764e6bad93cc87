//! Who is calling: the bearer token, and what its role may do.
//!
//! Roles (design.md): `province` approves, pins, revokes and reads all;
//! `publisher:<namespace>` publishes into its own namespace; `app:<name>`
//! scores the models it was granted and reads its own evaluations;
//! `auditor` reads and verifies the audit log. A denied call changes
//! nothing and is logged (a `warn` event naming the caller and the route).

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use scorehost_registry::{Actor, Role, Token};

use super::Service;
use super::error::ApiError;

/// An authenticated caller.
pub struct Caller {
    /// The token it presented (never its secret).
    pub token: Token,
    /// The role it acts as.
    pub actor: Actor,
    /// `METHOD path`, for the log of denied calls.
    route: String,
}

impl FromRequestParts<Arc<Service>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        service: &Arc<Service>,
    ) -> Result<Caller, ApiError> {
        let route = format!("{} {}", parts.method, parts.uri.path());
        let unauthorized = |m: &str| {
            tracing::warn!(%route, "denied: {m}");
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", m)
        };
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| {
                unauthorized("this route needs a bearer token (Authorization: Bearer …)")
            })?;
        let secret = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| unauthorized("the Authorization header must be 'Bearer <token>'"))?;
        let token = service
            .catalog
            .registry()
            .authenticate(secret)
            .await
            .map_err(|e| {
                let e = ApiError::from(e);
                tracing::warn!(%route, "denied: {}", e.message);
                e
            })?;
        let actor = token.actor()?;
        Ok(Caller {
            token,
            actor,
            route,
        })
    }
}

/// What a route needs of its caller.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    /// The province.
    Province,
    /// The province or an auditor: reading and verifying the log.
    Audit,
    /// Any authenticated caller: the registry's public facts.
    Anyone,
}

impl Caller {
    /// Allow the call if the caller's role meets `need`; otherwise log the
    /// denial and answer 403.
    pub fn require(&self, need: Need, what: &str) -> Result<(), ApiError> {
        let ok = match need {
            Need::Province => matches!(self.actor.role, Role::Province),
            Need::Audit => matches!(self.actor.role, Role::Province | Role::Auditor),
            Need::Anyone => true,
        };
        if ok {
            Ok(())
        } else {
            Err(self.deny(format!("{} may not {what}", self.actor)))
        }
    }

    /// Log a denial of this call and make its 403.
    pub fn deny(&self, message: String) -> ApiError {
        tracing::warn!(caller = %self.actor, token = %self.token.id, route = %self.route, "denied: {message}");
        ApiError::forbidden(message)
    }

    /// The caller as the audit log names it.
    pub fn name(&self) -> String {
        self.actor.to_string()
    }
}
