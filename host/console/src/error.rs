//! The console's one error type, rendered as a page (or a redirect to the
//! sign-in page when there is no session).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::i18n::{Lang, T};

/// What can go wrong in the console.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// No session, or it expired: go to the sign-in page.
    #[error("not signed in")]
    SignedOut,
    /// The session's token was refused by the API (revoked): the session
    /// ended.
    #[error("the session ended: its token is no longer valid")]
    SessionEnded,
    /// The person's role may not see this page or do this.
    #[error("{0}")]
    Forbidden(String),
    /// A form came without its CSRF token, or with another: nothing was
    /// done.
    #[error("the form's CSRF token is missing or wrong: nothing was done")]
    Csrf,
    /// No such page or thing.
    #[error("{0}")]
    NotFound(String),
    /// Bad input in a form.
    #[error("{0}")]
    BadRequest(String),
    /// The API refused: its status, code and message.
    #[error("{code}: {message}")]
    Api {
        /// The API's status.
        status: StatusCode,
        /// Its error code.
        code: String,
        /// Its message.
        message: String,
    },
    /// A fault of the console.
    #[error("{0}")]
    Internal(String),
}

impl ConsoleError {
    /// The status the page is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            ConsoleError::SignedOut | ConsoleError::SessionEnded => StatusCode::SEE_OTHER,
            ConsoleError::Forbidden(_) | ConsoleError::Csrf => StatusCode::FORBIDDEN,
            ConsoleError::NotFound(_) => StatusCode::NOT_FOUND,
            ConsoleError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ConsoleError::Api { status, .. } => *status,
            ConsoleError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        match self {
            ConsoleError::SignedOut => Redirect::to("/console/").into_response(),
            ConsoleError::SessionEnded => Redirect::to("/console/?ended=1").into_response(),
            other => {
                if matches!(other, ConsoleError::Internal(_)) {
                    tracing::error!("console: {other}");
                }
                error_page(other.status(), &other.to_string())
            }
        }
    }
}

/// An error page, in the request's language (see [`localise_errors`]).
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: T,
    status: u16,
    message: &'a str,
}

/// What an error response carries until [`localise_errors`] renders it in
/// the request's language.
#[derive(Clone)]
pub struct ErrorInfo {
    status: StatusCode,
    message: String,
}

/// The page for an error, in `lang`.
fn error_page_in(lang: Lang, status: StatusCode, message: &str) -> Response {
    let page = ErrorPage {
        t: T(lang),
        status: status.as_u16(),
        message,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("console: the error page did not render: {e}");
            (status, message.to_string()).into_response()
        }
    }
}

/// The page for an error (rendered in Chinese here, and again in the
/// request's language by [`localise_errors`]).
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let mut r = error_page_in(Lang::Zh, status, message);
    r.extensions_mut().insert(ErrorInfo {
        status,
        message: message.to_string(),
    });
    r
}

/// Middleware: an error page is rendered in the language of the request
/// that caused it (its cookie), as every other page is.
pub async fn localise_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let lang = Lang::of(request.headers());
    let response = next.run(request).await;
    match response.extensions().get::<ErrorInfo>().cloned() {
        Some(e) if lang != Lang::Zh => error_page_in(lang, e.status, &e.message),
        _ => response,
    }
}
