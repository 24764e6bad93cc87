//! # scorehost-console: the web console at `/console/`
//!
//! HTML pages for the people the province holds accountable: a reviewer
//! (province token) reads a submitted version, its impact drawn, and
//! approves, pins or revokes it; an auditor finds an evaluation, reads its
//! white box drawn as a waterfall, replays it, downloads its inclusion
//! proof, and verifies the log. Chinese first, English on every page.
//!
//! The console holds no authority of its own. A person signs in by pasting
//! a token once; the console keeps it in a server-side [`session`] and
//! makes **every** read and action a call of the HTTP API in process
//! ([`api`]), with that token and the browser's address: the same
//! admission, the same bad-token throttle, the same role checks, the same
//! audit records naming the token. A role the API refuses is refused here
//! too; the console only also hides what a role may not do.
//!
//! - [`session`]: sessions (an `HttpOnly`, `SameSite=Strict` cookie, an
//!   expiry, sign-out; a session ends when the API refuses its token) and
//!   CSRF tokens for every form;
//! - [`api`]: the in-process calls of the API router;
//! - [`jobs`]: what runs in the background (impact analyses, verifying the
//!   log) while the page shows its progress;
//! - [`pages`]: the handlers and their templates (`templates/`, askama);
//! - [`i18n`]: the two languages; [`assets`]: the CSS, the console's script
//!   and the vendored chart library, served from the binary;
//! - [`error`]: the one error type, rendered as a page.
//!
//! Every response carries a Content-Security-Policy without
//! `unsafe-inline` ([`CSP`]): pages carry no inline script or style; the
//! charts' data travel as JSON in `<script type="application/json">`
//! blocks, which are never executed, and `assets/console.js` draws them.
#![deny(missing_docs)]

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};

pub mod api;
pub mod assets;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod pages;
pub mod session;

pub use error::ConsoleError;

/// The Content-Security-Policy of every console response: scripts, styles,
/// images and form targets from this origin only, no inline script or
/// style, no plugins, no framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The largest form the console reads: 64 KiB (a revoke reason, a search;
/// nothing the console takes is larger).
pub const MAX_FORM_BODY: usize = 64 * 1024;

/// What every console handler shares.
pub struct Console {
    /// The HTTP API, called in process.
    pub api: api::Api,
    /// Signed-in sessions.
    pub sessions: session::Sessions,
    /// Background work and its results.
    pub jobs: jobs::Jobs,
}

/// The console's routes under `/console/`, calling `api` (the HTTP API's
/// router, with its admission and authentication) for everything.
pub fn router(api: Router) -> Router {
    let console = Arc::new(Console {
        api: api::Api::new(api),
        sessions: session::Sessions::default(),
        jobs: jobs::Jobs::default(),
    });
    use pages::{app, audit, disputes, home, keys, publish, review, subjects};
    Router::new()
        .route(
            "/console",
            get(|| async { Redirect::permanent("/console/") }),
        )
        .route("/console/", get(home::home))
        .route("/console/sign-in", post(home::sign_in))
        .route("/console/sign-out", post(home::sign_out))
        .route("/console/lang/{code}", get(home::language))
        .route("/console/assets/{file}", get(assets::serve))
        .route("/console/jobs/{id}", get(pages::job_status))
        .route("/console/review", get(review::queue))
        .route(
            "/console/review/{ns}/{name}/{version}",
            get(review::version),
        )
        .route(
            "/console/review/{ns}/{name}/{version}/{action}",
            post(review::act),
        )
        .route(
            "/console/definitions/{kind}/{name}/approve",
            post(review::approve_definition),
        )
        .route("/console/me", get(subjects::me))
        .route("/console/subjects", get(subjects::find))
        .route("/console/subjects/{id}", get(subjects::subject))
        .route("/console/subjects/{id}/erase", post(subjects::erase))
        .route("/console/keys", get(keys::home))
        .route("/console/keys/{ns}/{action}", post(keys::act))
        .route("/console/publish", get(publish::home))
        .route(
            "/console/publish/{name}/{version}",
            post(publish::upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/console/app", get(app::home))
        .route("/console/app/evaluations/{id}", get(app::evaluation))
        .route("/console/disputes", get(disputes::queue))
        .route("/console/disputes/{id}", get(disputes::dispute))
        .route("/console/disputes/{id}/{action}", post(disputes::act))
        .route("/console/repairs", post(disputes::repair))
        .route("/console/audit", get(audit::search))
        .route("/console/audit/evaluations/{id}", get(audit::evaluation))
        .route(
            "/console/audit/evaluations/{id}/replay",
            post(audit::replay),
        )
        .route("/console/audit/evaluations/{id}/proof", get(audit::proof))
        .route("/console/audit/log", get(audit::log))
        .route("/console/audit/log/verify", post(audit::verify))
        .route(
            "/console/{*rest}",
            get(pages::not_found).post(pages::not_found),
        )
        .layer(axum::middleware::from_fn(error::localise_errors))
        .layer(axum::middleware::map_response(security_headers))
        .layer(DefaultBodyLimit::max(MAX_FORM_BODY))
        .with_state(console)
}

/// The API's router with the console mounted beside it.
pub fn mount(api: Router) -> Router {
    api.clone().merge(router(api))
}

/// The headers every console response carries: the CSP, no sniffing, no
/// referrer (a URL may name a subject), no framing, no caching of pages
/// that show personal data.
async fn security_headers(mut response: axum::response::Response) -> impl IntoResponse {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}
