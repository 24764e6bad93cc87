//! The commands, one module each; `main.rs` only parses and dispatches.

pub(crate) mod audit;
pub(crate) mod batch;
pub(crate) mod build;
pub(crate) mod composite;
pub(crate) mod consent;
pub(crate) mod data;
pub(crate) mod demo;
pub(crate) mod dispute;
pub(crate) mod generate;
pub(crate) mod impact;
pub(crate) mod new;
pub(crate) mod output;
pub(crate) mod proposals;
pub(crate) mod registry;
pub(crate) mod remote;
pub(crate) mod run;
pub(crate) mod scenario;
pub(crate) mod serve;
pub(crate) mod shadow;
pub(crate) mod signing;
pub(crate) mod token;

/// Run a future to completion on a small runtime: the registry is async
/// (sqlx), the CLI is one command at a time.
pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
        .block_on(f)
}
