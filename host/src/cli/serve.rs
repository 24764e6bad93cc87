//! `serve`: the HTTP API on a multi-threaded runtime.

use scorehost_runtime::sandbox::{Limits, Runtime};
use scorehost_server as api;

use crate::Global;

pub(crate) fn serve(g: &Global, listen: std::net::SocketAddr) -> anyhow::Result<()> {
    let runtime = Runtime::new(Limits::default())?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("scorehost-http")
        .build()?;
    rt.block_on(api::serve(
        runtime,
        api::Config {
            data_dir: g.data_dir.clone(),
            db: g.db.clone(),
            listen,
        },
    ))?;
    Ok(())
}
