//! `inspect` and `score`: look at a module, score one subject with it.

use std::io::Read as _;
use std::path::Path;

use scorehost::sandbox::{Limits, Runtime};
use scorehost::wire::{ScoreRequest, WireModelInfo};
use scorehost::{Error, report};

pub(crate) fn read_module(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read module {}: {e}", path.display()))
}

pub(crate) fn inspect(path: &Path, json: bool) -> anyhow::Result<()> {
    let bytes = read_module(path)?;
    let runtime = Runtime::new(Limits::default())?;
    let model = runtime.load(&bytes)?;
    if json {
        let out = serde_json::json!({
            "sha256": model.sha256(),
            "imports": model.imports(),
            "model": WireModelInfo::from(model.info()),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("sha256: {}", model.sha256());
        println!("size: {} bytes", bytes.len());
        if model.imports().is_empty() {
            println!("imports: none");
        } else {
            println!("imports (all allowed, linked without capabilities):");
            for i in model.imports() {
                println!("  {i}");
            }
        }
        println!();
        print!("{}", report::model_info(model.info()));
    }
    Ok(())
}

pub(crate) fn score(
    module: &Path,
    input: &Path,
    json: bool,
    fuel: Option<u64>,
) -> anyhow::Result<()> {
    let text = if input == Path::new("-") {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else {
        std::fs::read_to_string(input)
            .map_err(|e| anyhow::anyhow!("cannot read request {}: {e}", input.display()))?
    };
    let request: ScoreRequest = serde_json::from_str(&text).map_err(|e| {
        Error::BadRequest(format!(
            "the request is not valid JSON for a score request: {e}"
        ))
    })?;
    let runtime = Runtime::new(Limits::default())?;
    let mut model = runtime.load(&read_module(module)?)?;
    if let Some(fuel) = fuel {
        model.tighten(&Limits {
            fuel,
            ..*runtime.limits()
        });
    }
    let (req, outcome) = model.evaluate_wire(&request)?;
    let response = model.response(&req, &outcome);
    if json {
        println!("{}", serde_json::to_string_pretty(&response)?);
    } else {
        print!("{}", report::white_box(&response));
    }
    Ok(())
}
