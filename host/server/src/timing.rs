//! A scoring request's clock at the service's edge: opened by admission
//! for the routes [`crate::metrics::timed_route`] names, carried through
//! the engine ([`scorehost_engine::stages`]), and closed when the answer's
//! last byte has been handed to the connection — then counted in
//! `/metrics` as the whole request and stage by stage.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use scorehost_engine::stages::{self, Clock, Stage};

use crate::Service;

/// An open request clock: when the request started, and its stages.
pub struct Open {
    route: &'static str,
    started: Instant,
    clock: Arc<Clock>,
}

impl Open {
    /// Start timing a request of `route`, now.
    pub fn start(route: &'static str) -> Open {
        Open {
            route,
            started: Instant::now(),
            clock: Arc::new(Clock::default()),
        }
    }

    /// The request's clock, for [`stages::timed`].
    pub fn clock(&self) -> Arc<Clock> {
        self.clock.clone()
    }

    /// The route's answer, whose body counts the request once it has been
    /// written (or dropped): the time from the handler's return to then is
    /// the `answer` stage.
    pub fn finish(self, service: Arc<Service>, response: Response) -> Response {
        let (parts, body) = response.into_parts();
        let finish = Finish {
            open: self,
            service,
            answered: Instant::now(),
        };
        Response::from_parts(
            parts,
            Body::new(Timed {
                inner: body,
                _finish: finish,
            }),
        )
    }
}

/// Counts the request when dropped: hyper drops an answer's body once its
/// last frame has been taken.
struct Finish {
    open: Open,
    service: Arc<Service>,
    answered: Instant,
}

impl Drop for Finish {
    fn drop(&mut self) {
        self.open.clock.add(Stage::Answer, self.answered.elapsed());
        self.service.metrics.timed(
            self.open.route,
            self.open.started.elapsed(),
            &self.open.clock,
        );
    }
}

/// An answer's body that counts its request once written.
struct Timed {
    inner: Body,
    _finish: Finish,
}

impl http_body::Body for Timed {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// `answer` as a response, its serialisation counted in the `answer`
/// stage.
pub fn answer(answer: impl IntoResponse) -> Response {
    let start = Instant::now();
    let response = answer.into_response();
    stages::since(Stage::Answer, start);
    response
}
