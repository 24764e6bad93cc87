//! Benchmark: restart to first score of a pinned model, with a warm artifact
//! cache (the compiled component is on disk) and with a cold one (it must be
//! compiled). Each sample is a whole `scorehost score --model` process: open
//! the registry, resolve the pin, re-hash the module, load or compile it,
//! instantiate, evaluate, print.
//!
//! Run with `cargo bench -p scorehost-tests --bench restart` after
//! `scripts/build-plugins.sh` and `cargo build --release -p scorehost`.

use std::path::Path;
use std::time::Instant;

use scorehost_tests::{component, root};

/// Process runs per measurement; the median is reported.
const RUNS: usize = 15;

fn run(data_dir: &Path, args: &[&str]) -> std::process::Output {
    let out = scorehost_tests::command()
        .current_dir(root())
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let data_dir =
        std::env::temp_dir().join(format!("scorehost-bench-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let module = component("environment-v1").display().to_string();
    run(
        &data_dir,
        &["plugin", "publish", &module, "--as", "publisher:zhejiang"],
    );
    let sha = {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(std::fs::read(&module).unwrap()))
    };
    run(
        &data_dir,
        &[
            "plugin",
            "approve",
            "zhejiang/environment@1.0.0",
            "--sha256",
            &sha,
        ],
    );
    run(
        &data_dir,
        &[
            "plugin",
            "approve",
            "--as",
            "province:Second Reviewer",
            "zhejiang/environment@1.0.0",
            "--sha256",
            &sha,
        ],
    );
    run(
        &data_dir,
        &[
            "plugin",
            "pin",
            "zhejiang/environment@1.0.0",
            "--sha256",
            &sha,
        ],
    );
    let input = root()
        .join("plugins/environment-v1/samples/example.request.json")
        .display()
        .to_string();
    let score = [
        "score",
        "--model",
        "zhejiang/environment",
        "--input",
        input.as_str(),
        "--json",
    ];

    let time = |clear_cache: bool| -> f64 {
        median(
            (0..RUNS)
                .map(|_| {
                    if clear_cache {
                        let _ = std::fs::remove_dir_all(data_dir.join("artifacts"));
                    }
                    let t = Instant::now();
                    run(&data_dir, &score);
                    t.elapsed().as_secs_f64() * 1e3
                })
                .collect(),
        )
    };
    run(&data_dir, &score); // fill the cache once
    let warm = time(false);
    let cold = time(true);
    let _ = std::fs::remove_dir_all(&data_dir);
    println!("restart to first score of zhejiang/environment (whole process, median of {RUNS})");
    println!("  warm artifact cache:  {warm:>8.1} ms");
    println!("  cold (compiling):     {cold:>8.1} ms");
    println!("  warm / cold:          {:>8.2}", warm / cold);
}
