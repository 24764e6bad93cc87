//! The accept loop: HTTP/1.1 connections served by hyper with a
//! header-read timeout, each request tagged with its peer's address, and a
//! graceful stop.
//!
//! `axum::serve` sets no timer on its connections, so a client that sends
//! its request headers a byte at a time keeps a connection (and a task)
//! open for as long as it likes. Here every connection must deliver a
//! request's headers within [`HEADER_READ_TIMEOUT`]; the body's own timeouts
//! are the admission's ([`super::admission`]).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// How long a client may take to send a request's headers, from the first
/// byte of the request (or, on a kept-alive connection, from the end of
/// the last answer). 10 s: a request's headers are a few hundred bytes,
/// sent at once by any real client, even over a slow mobile link; a client
/// that dribbles them holds a connection no longer than this.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a stop waits for the connections still open after their
/// requests were answered. 30 s, the longest a request may take
/// ([`super::REQUEST_TIMEOUT`]).
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Serve `app` on `listener` until `stop` completes; then take no new
/// connections, let each open one finish the request it is serving (its
/// record is durable before its answer leaves), and return.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    stop: impl std::future::Future<Output = ()>,
) {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    // Dropped when stopping: every connection task then shuts down
    // gracefully; each holds a `closed` receiver until it ends.
    let (stopping_tx, stopping_rx) = watch::channel(());
    let (closed_tx, closed_rx) = watch::channel(());
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors, say: wait a little rather
                    // than spin, and go on.
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let mut app = app.clone();
            async move {
                let response =
                    tower_service::Service::call(&mut app, req.map(axum::body::Body::new)).await;
                Ok::<_, Infallible>(response.unwrap_or_else(|e| match e {}))
            }
        });
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let mut stopping = stopping_rx.clone();
        let closed = closed_rx.clone();
        tokio::spawn(async move {
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(%peer, "connection ended: {e}");
                    }
                }
                _ = stopping.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop(closed);
        });
    }
    drop(listener);
    drop(stopping_rx);
    drop(stopping_tx);
    drop(closed_rx);
    if tokio::time::timeout(DRAIN_TIMEOUT, closed_tx.closed())
        .await
        .is_err()
    {
        tracing::warn!("stopping with connections still open after {DRAIN_TIMEOUT:?}");
    }
}
