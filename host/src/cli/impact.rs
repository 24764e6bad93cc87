//! `plugin impact NS/NAME@VERSION`: what a candidate version would change,
//! replayed on the pinned version's recorded inputs (see
//! [`scorehost_engine::impact`]); locally or through a service (`--server`).

use clap::Args;
use scorehost_engine::audit;
use scorehost_engine::catalog::Catalog;
use scorehost_engine::impact::{Impact, ImpactRequest};
use scorehost_engine::scoring::Recorder;
use scorehost_registry::{Actor, VersionRef};
use scorehost_runtime::sandbox::{Limits, Runtime};

use super::block_on;
use super::remote::Remote;
use crate::Global;

/// `plugin impact`'s arguments.
#[derive(Args)]
pub(crate) struct ImpactArgs {
    /// The candidate, NAMESPACE/NAME@VERSION (any status: submitted, approved, …).
    reference: String,
    /// Replay the latest evaluation of each of the last N subjects evaluated
    /// by the pinned version (default 1000; at most 100000).
    #[arg(long)]
    last: Option<u64>,
    /// Only evaluations recorded on or after this date (YYYY-MM-DD, UTC).
    #[arg(long)]
    from: Option<String>,
    /// Only evaluations recorded on or before this date (YYYY-MM-DD, UTC).
    #[arg(long)]
    to: Option<String>,
    /// List the K subjects whose score moves most (default 10).
    #[arg(long)]
    top: Option<usize>,
    /// Compare what the candidate answered as the model's shadow (plugin
    /// shadow) with the live answers, instead of replaying recorded inputs.
    #[arg(long)]
    shadow: bool,
}

impl ImpactArgs {
    fn request(&self) -> ImpactRequest {
        ImpactRequest {
            last: self.last,
            from: self.from.clone(),
            to: self.to.clone(),
            top: self.top,
            source: self.shadow.then(|| "shadow".to_string()),
        }
    }
}

fn print(g: &Global, impact: &Impact) -> anyhow::Result<()> {
    if g.json {
        println!("{}", serde_json::to_string_pretty(impact)?);
    } else {
        print!("{}", impact.report.render());
        println!(
            "\nrecorded as {} (report sha256 {})",
            impact.record_id, impact.report_sha256
        );
    }
    Ok(())
}

/// On the local data dir, as `--as` (default: the province).
pub(crate) fn impact(g: &Global, args: &ImpactArgs) -> anyhow::Result<()> {
    let actor: Actor = g.actor()?;
    let r: VersionRef = args.reference.parse()?;
    let req = args.request();
    let impact = block_on(async {
        let catalog = Catalog::open(
            Runtime::new(Limits::default())?,
            &g.data_dir,
            g.db.as_deref(),
        )
        .await?;
        let key = audit::load_or_create_key(&g.data_dir)?;
        let recorder = Recorder::Direct {
            registry: catalog.registry(),
            key: &key,
        };
        scorehost_engine::impact::analyse(&catalog, &actor, &r, &req, &recorder).await
    })?;
    print(g, &impact)
}

/// Through the service.
pub(crate) fn impact_remote(g: &Global, r: &Remote, args: &ImpactArgs) -> anyhow::Result<()> {
    let (model, version) = args
        .reference
        .split_once('@')
        .ok_or_else(|| anyhow::anyhow!("'{}' is not NAMESPACE/NAME@VERSION", args.reference))?;
    let answer = r.post_json(
        &format!("/v1/plugins/{model}/versions/{version}/impact"),
        &serde_json::to_value(args.request())?,
    )?;
    let impact: Impact = serde_json::from_value(answer)
        .map_err(|e| anyhow::anyhow!("the service's impact report does not parse: {e}"))?;
    print(g, &impact)
}
