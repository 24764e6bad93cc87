//! The console's pages: one module per person's work ([`home`]: signing in
//! and out, the language, each role's start page; [`review`]: the
//! reviewer's; [`audit`]: the auditor's), the frame every page shares, and
//! the extractor that finds the signed-in person.

pub mod app;
pub mod audit;
pub mod disputes;
pub mod home;
pub mod keys;
pub mod publish;
pub mod review;
pub mod subjects;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;

use crate::api::Who;
use crate::i18n::{Lang, T};
use crate::session::{self, Session};
use crate::{Console, ConsoleError};

/// A link of the top navigation.
pub struct Nav {
    /// Where it goes.
    pub href: &'static str,
    /// Its text.
    pub label: &'static str,
    /// Whether it is the page shown.
    pub current: bool,
}

/// What every page's frame (`templates/base.html`) shows.
pub struct Frame {
    /// The texts in the page's language.
    pub t: T,
    /// The page's title.
    pub title: String,
    /// The top navigation: only what the role may use.
    pub nav: Vec<Nav>,
    /// Whether someone is signed in.
    pub signed_in: bool,
    /// Who is signed in: role and token id.
    pub who: String,
    /// The session's CSRF token (for the sign-out form).
    pub csrf: String,
    /// The link that switches to the other language and back here.
    pub lang_href: String,
}

impl Frame {
    /// The frame of a page at `path`, for `signed` (or nobody).
    pub fn new(lang: Lang, title: &str, path: &str, signed: Option<&Signed>) -> Frame {
        let t = T(lang);
        let mut nav = Vec::new();
        if let Some(s) = signed {
            if s.session.is_province() {
                nav.push(Nav {
                    href: "/console/review",
                    label: t.t("nav_review"),
                    current: path.starts_with("/console/review"),
                });
                nav.push(Nav {
                    href: "/console/keys",
                    label: t.t("nav_keys"),
                    current: path.starts_with("/console/keys"),
                });
            }
            if s.session.role.starts_with("publisher:") {
                nav.push(Nav {
                    href: "/console/publish",
                    label: t.t("nav_publish"),
                    current: path.starts_with("/console/publish"),
                });
            }
            if s.session.role.starts_with("app:") {
                nav.push(Nav {
                    href: "/console/app",
                    label: t.t("nav_app"),
                    current: path.starts_with("/console/app"),
                });
            }
            if s.session.may_audit() || s.session.role.starts_with("publisher:") {
                nav.push(Nav {
                    href: "/console/disputes",
                    label: t.t("nav_disputes"),
                    current: path.starts_with("/console/disputes"),
                });
            }
            if s.session.may_audit() {
                nav.push(Nav {
                    href: "/console/subjects",
                    label: t.t("nav_subjects"),
                    current: path.starts_with("/console/subjects"),
                });
            }
            if s.session.role.starts_with("subject:") {
                nav.push(Nav {
                    href: "/console/me",
                    label: t.t("nav_me"),
                    current: path.starts_with("/console/me"),
                });
            }
            if s.session.may_audit() {
                nav.push(Nav {
                    href: "/console/audit",
                    label: t.t("nav_audit"),
                    current: path.starts_with("/console/audit")
                        && !path.starts_with("/console/audit/log"),
                });
                nav.push(Nav {
                    href: "/console/audit/log",
                    label: t.t("nav_log"),
                    current: path.starts_with("/console/audit/log"),
                });
            }
        }
        let back: String =
            percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        Frame {
            t,
            title: title.to_string(),
            nav,
            signed_in: signed.is_some(),
            who: signed
                .map(|s| match s.session.person.as_str() {
                    "" => format!("{} · {}", s.session.role, s.session.token_id),
                    person => format!("{} · {person} · {}", s.session.role, s.session.token_id),
                })
                .unwrap_or_default(),
            csrf: signed.map(|s| s.session.csrf.clone()).unwrap_or_default(),
            lang_href: format!("/console/lang/{}?back={back}", lang.other().code()),
        }
    }
}

/// The signed-in person of a request: their session, language and
/// address. Extracting it ends the request with a redirect to the sign-in
/// page when there is no live session.
pub struct Signed {
    /// The session id (the cookie's value).
    pub id: String,
    /// The session.
    pub session: Session,
    /// The page language.
    pub lang: Lang,
    /// The browser's address.
    pub peer: Option<SocketAddr>,
    console: Arc<Console>,
}

impl FromRequestParts<Arc<Console>> for Signed {
    type Rejection = ConsoleError;

    async fn from_request_parts(
        parts: &mut Parts,
        console: &Arc<Console>,
    ) -> Result<Signed, ConsoleError> {
        let id = session::cookie(&parts.headers, session::COOKIE).ok_or(ConsoleError::SignedOut)?;
        let found = console.sessions.get(id).ok_or(ConsoleError::SignedOut)?;
        Ok(Signed {
            id: id.to_string(),
            session: found,
            lang: Lang::of(&parts.headers),
            peer: peer(parts),
            console: console.clone(),
        })
    }
}

/// The browser's address, as the listener tagged the request.
pub fn peer(parts: &Parts) -> Option<SocketAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| *a)
}

impl Signed {
    /// The API caller this person is.
    pub fn who(&self) -> Who {
        Who {
            secret: self.session.secret.clone(),
            peer: self.peer,
        }
    }

    /// Call the API as this person; a 401 (the token was revoked) ends
    /// every session of the token and sends the person to sign in again.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, ConsoleError> {
        let answer = self
            .console
            .api
            .call(&self.who(), method, path, body)
            .await?;
        if answer.status == StatusCode::UNAUTHORIZED {
            self.console.sessions.end_token(&self.session.token_id);
            return Err(ConsoleError::SessionEnded);
        }
        answer.ok()
    }

    /// `GET path` of the API as this person.
    pub async fn get(&self, path: &str) -> Result<Value, ConsoleError> {
        self.call(Method::GET, path, None).await
    }

    /// Refuse a form without this session's CSRF token: nothing is done.
    pub fn check_csrf(&self, form: &HashMap<String, String>) -> Result<(), ConsoleError> {
        match form.get("csrf") {
            Some(given) if self.session.csrf_matches(given) => Ok(()),
            _ => {
                tracing::warn!(token = %self.session.token_id, "console: a form without its CSRF token was refused");
                Err(ConsoleError::Csrf)
            }
        }
    }

    /// Refuse a page the role may not see (also hidden from its
    /// navigation): the province's.
    pub fn require_province(&self) -> Result<(), ConsoleError> {
        if self.session.is_province() {
            Ok(())
        } else {
            Err(ConsoleError::Forbidden(format!(
                "只有省级审核人员可以打开此页面 · only the province may open this page ({} may not)",
                self.session.role
            )))
        }
    }

    /// Refuse a page the role may not see: the auditor's (province and
    /// auditors).
    pub fn require_audit(&self) -> Result<(), ConsoleError> {
        if self.session.may_audit() {
            Ok(())
        } else {
            Err(ConsoleError::Forbidden(format!(
                "只有审计人员和省级人员可以打开此页面 · only auditors and the province may open this page ({} may not)",
                self.session.role
            )))
        }
    }

    /// The frame of a page at `path`.
    pub fn frame(&self, title: &str, path: &str) -> Frame {
        Frame::new(self.lang, title, path, Some(self))
    }

    /// The console (its API, jobs).
    pub fn console(&self) -> &Arc<Console> {
        &self.console
    }
}

/// A rendered page as a response.
pub fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!("console: a page did not render: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page did not render\n",
            )
                .into_response()
        }
    }
}

/// Any other path under `/console/`.
pub async fn not_found() -> ConsoleError {
    ConsoleError::NotFound("没有这个页面 · no such page".into())
}

/// `GET /console/jobs/{id}`: where the caller's job stands (JSON, for the
/// page that polls it); another's job is "no such job".
pub async fn job_status(
    signed: Signed,
    State(console): State<Arc<Console>>,
    Path(id): Path<String>,
) -> Result<Response, ConsoleError> {
    let job = console
        .jobs
        .get(&signed.session.token_id, &id)
        .ok_or_else(|| ConsoleError::NotFound("no such job".into()))?;
    let state = match job.state {
        crate::jobs::State::Running => "running",
        crate::jobs::State::Done(_) => "done",
        crate::jobs::State::Failed(_) => "failed",
    };
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({"state": state, "elapsed": job.elapsed_secs()}).to_string(),
    )
        .into_response())
}

/// A JSON value as the text a page shows: a string as itself, nothing for
/// `null`, anything else as JSON.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `s` percent-encoded for one segment of an API path or a query value.
pub fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// JSON for a `<script type="application/json">` block: `<` escaped, so
/// that no text in it can close the block.
pub fn json_block(v: &Value) -> String {
    v.to_string().replace('<', "\\u003c")
}
