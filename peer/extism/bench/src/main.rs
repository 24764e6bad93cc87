//! Score NDJSON wire requests with the ningbo-port model under Extism.
//!
//! ```text
//! extism-bench --input FILE --plugin PLUGIN.wasm [--threads N] [--limit N]
//!              [--passes N] [--fresh N]
//! ```
//!
//! 1. A correctness pass (untimed; it also warms up): every output must parse
//!    as JSON with a numeric `score` and a string `grade`, and its
//!    contributions must add up to the score. Anything else is an error.
//!    `--dump FILE` writes its outputs there, one line per request, in order.
//! 2. Reused, Extism's normal mode: one `extism::Plugin` per thread, created
//!    before the clock starts and reused for every subject of the pass with
//!    `plugin.call::<&str, &str>("evaluate", line)`. `--passes` passes
//!    (default 3); the median is reported.
//! 3. Fresh: a new `Plugin` per subject, from a `CompiledPlugin` compiled
//!    once, on the first `--fresh` subjects (default 2,000); median of the
//!    passes.
//!
//! Threads split the lines into equal contiguous shares. "µs per call" is
//! the wall time × threads / subjects: what one call costs one thread.

use std::process::ExitCode;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use extism::{CompiledPlugin, Manifest, Plugin, PluginBuilder, Wasm};

struct Args {
    input: String,
    plugin: String,
    threads: usize,
    limit: Option<usize>,
    passes: usize,
    fresh: usize,
    dump: Option<String>,
}

const USAGE: &str = "usage: extism-bench --input FILE.ndjson --plugin PLUGIN.wasm \
[--threads N (2)] [--limit N] [--passes N (3)] [--fresh N (2000)] [--dump OUT.ndjson]";

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        input: String::new(),
        plugin: String::new(),
        threads: 2,
        limit: None,
        passes: 3,
        fresh: 2000,
        dump: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.into());
        }
        let val = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let num = |v: &str| {
            v.parse::<usize>()
                .map_err(|_| format!("{flag}: '{v}' is not a whole number"))
        };
        match flag.as_str() {
            "--input" => a.input = val,
            "--plugin" => a.plugin = val,
            "--threads" => a.threads = num(&val)?.max(1),
            "--limit" => a.limit = Some(num(&val)?),
            "--passes" => a.passes = num(&val)?.max(1),
            "--fresh" => a.fresh = num(&val)?,
            "--dump" => a.dump = Some(val),
            _ => return Err(format!("unknown argument {flag}\n{USAGE}")),
        }
    }
    if a.input.is_empty() || a.plugin.is_empty() {
        return Err(USAGE.into());
    }
    Ok(a)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("extism-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let text = std::fs::read_to_string(&args.input)
        .map_err(|e| format!("cannot read {}: {e}", args.input))?;
    let mut lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if let Some(n) = args.limit {
        lines.truncate(n);
    }
    if lines.is_empty() {
        return Err(format!("{} has no requests", args.input));
    }
    let wasm =
        std::fs::read(&args.plugin).map_err(|e| format!("cannot read {}: {e}", args.plugin))?;
    let threads = args.threads.min(lines.len());

    let t = Instant::now();
    let compiled = PluginBuilder::new(Manifest::new([Wasm::data(wasm)]))
        .with_wasi(false)
        .with_cache_disabled()
        .compile()
        .map_err(|e| format!("cannot compile the plugin: {e:#}"))?;
    let compile = t.elapsed();
    {
        let p = Plugin::new_from_compiled(&compiled).map_err(|e| format!("{e:#}"))?;
        if !p.function_exists("evaluate") {
            return Err(format!("{} exports no `evaluate`", args.plugin));
        }
    }

    println!(
        "extism 1.30.0 | plugin {} | {} subjects | {threads} thread(s) | compiled in {:.0} ms",
        args.plugin,
        lines.len(),
        ms(compile)
    );

    // 1. Correctness (and warm-up).
    let check = correctness(&compiled, &lines, threads, args.dump.is_some())?;
    if let Some(path) = &args.dump {
        let mut text = check.outputs.join("\n");
        text.push('\n');
        std::fs::write(path, text).map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    println!(
        "correctness: {} ok, {} errors; grades {}",
        check.ok,
        check.errors,
        check
            .grades
            .iter()
            .map(|(g, n)| format!("{g}={n}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    if let Some(e) = &check.first_error {
        println!("  first error: {e}");
    }
    if let Some(s) = &check.sample {
        println!("  sample output: {}", truncate(s, 240));
    }

    // 2. Reused: Extism's normal mode.
    let mut reused = Vec::new();
    for _ in 0..args.passes {
        let (wall, errors) = timed_pass(&compiled, &lines, threads, Mode::Reused)?;
        if errors != check.errors {
            eprintln!(
                "warning: {errors} failed calls in a reused pass, {} in the check",
                check.errors
            );
        }
        reused.push(wall);
    }
    let reused_wall = median(&reused);

    // 3. Fresh plugin per call, on a sample.
    let sample = &lines[..args.fresh.min(lines.len())];
    let mut fresh = Vec::new();
    if !sample.is_empty() {
        for _ in 0..args.passes {
            let (wall, errors) =
                timed_pass(&compiled, sample, threads.min(sample.len()), Mode::Fresh)?;
            if errors > 0 && check.errors == 0 {
                eprintln!("warning: {errors} failed calls in a fresh pass, none in the check");
            }
            fresh.push(wall);
        }
    }

    let n = lines.len() as f64;
    let reused_per_sec = n / reused_wall.as_secs_f64();
    let reused_us = us(reused_wall) * threads as f64 / n;
    let fresh_threads = threads.min(sample.len().max(1));
    let (fresh_per_sec, fresh_us) = if fresh.is_empty() {
        (f64::NAN, f64::NAN)
    } else {
        let w = median(&fresh);
        (
            sample.len() as f64 / w.as_secs_f64(),
            us(w) * fresh_threads as f64 / sample.len() as f64,
        )
    };

    println!();
    println!(
        "  {:<34} {:>9} {:>12} {:>10}  passes (wall ms)",
        "mode", "subjects", "subjects/s", "µs/call"
    );
    println!(
        "  {} {} {} {}  {}",
        "-".repeat(34),
        "-".repeat(9),
        "-".repeat(12),
        "-".repeat(10),
        "-".repeat(20)
    );
    println!(
        "  {:<34} {:>9} {:>12.0} {:>10.2}  {}",
        "reused Plugin per thread (normal)",
        lines.len(),
        reused_per_sec,
        reused_us,
        walls(&reused)
    );
    if !fresh.is_empty() {
        println!(
            "  {:<34} {:>9} {:>12.0} {:>10.2}  {}",
            "fresh Plugin per call (compiled)",
            sample.len(),
            fresh_per_sec,
            fresh_us,
            walls(&fresh)
        );
    }
    println!(
        "  (median of {} passes; µs/call = wall × threads / subjects)",
        args.passes
    );
    println!();

    let num = |x: f64| {
        if x.is_finite() {
            serde_json::json!((x * 100.0).round() / 100.0)
        } else {
            serde_json::Value::Null
        }
    };
    let result = serde_json::json!({
        "reused_per_sec": num(reused_per_sec),
        "reused_us_per_call": num(reused_us),
        "fresh_us_per_call": num(fresh_us),
        "fresh_per_sec": num(fresh_per_sec),
        "fresh_subjects": sample.len(),
        "threads": threads,
        "subjects": lines.len(),
        "errors": check.errors,
        "passes": args.passes,
        "compile_ms": num(ms(compile)),
        "extism": "1.30.0",
    });
    println!("EXTISM_RESULT {result}");
    Ok(())
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Reused,
    Fresh,
}

/// One timed pass over `lines` on `threads` threads. Returns the wall time
/// from the first thread's start to the last thread's end, and the number of
/// calls that failed or did not return a score.
fn timed_pass(
    compiled: &CompiledPlugin,
    lines: &[&str],
    threads: usize,
    mode: Mode,
) -> Result<(Duration, usize), String> {
    let barrier = Barrier::new(threads);
    let share = lines.len().div_ceil(threads);
    let results: Vec<Result<(Instant, Instant, usize), String>> = std::thread::scope(|s| {
        let handles: Vec<_> = lines
            .chunks(share)
            .map(|chunk| {
                let barrier = &barrier;
                s.spawn(move || {
                    let mut plugin = match mode {
                        Mode::Reused => Some(
                            Plugin::new_from_compiled(compiled).map_err(|e| format!("{e:#}"))?,
                        ),
                        Mode::Fresh => None,
                    };
                    barrier.wait();
                    let start = Instant::now();
                    let mut errors = 0;
                    for line in chunk {
                        let ok = match &mut plugin {
                            Some(p) => score_ok(p.call::<&str, &str>("evaluate", line)),
                            None => {
                                let mut p = Plugin::new_from_compiled(compiled)
                                    .map_err(|e| format!("{e:#}"))?;
                                score_ok(p.call::<&str, &str>("evaluate", line))
                            }
                        };
                        errors += usize::from(!ok);
                    }
                    Ok((start, Instant::now(), errors))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut first: Option<Instant> = None;
    let mut last: Option<Instant> = None;
    let mut errors = 0;
    for r in results {
        let (a, b, e) = r?;
        first = Some(first.map_or(a, |f| f.min(a)));
        last = Some(last.map_or(b, |l| l.max(b)));
        errors += e;
    }
    Ok((last.unwrap() - first.unwrap(), errors))
}

/// The cheap check made inside timed passes: the call succeeded and returned
/// an evaluation, not an error (the full check is the correctness pass).
fn score_ok(out: Result<&str, extism::Error>) -> bool {
    matches!(out, Ok(s) if s.starts_with("{\"score\":"))
}

struct Check {
    ok: usize,
    errors: usize,
    grades: Vec<(String, usize)>,
    first_error: Option<String>,
    sample: Option<String>,
    /// Every output, in order (only with `--dump`).
    outputs: Vec<String>,
}

fn correctness(
    compiled: &CompiledPlugin,
    lines: &[&str],
    threads: usize,
    keep: bool,
) -> Result<Check, String> {
    let share = lines.len().div_ceil(threads);
    let parts: Vec<Result<Check, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = lines
            .chunks(share)
            .map(|chunk| {
                s.spawn(move || {
                    let mut plugin =
                        Plugin::new_from_compiled(compiled).map_err(|e| format!("{e:#}"))?;
                    let mut c = Check {
                        ok: 0,
                        errors: 0,
                        grades: Vec::new(),
                        first_error: None,
                        sample: None,
                        outputs: Vec::new(),
                    };
                    for line in chunk {
                        let out = plugin.call::<&str, &str>("evaluate", line);
                        if keep {
                            c.outputs.push(match &out {
                                Ok(s) => s.to_string(),
                                Err(e) => serde_json::json!({ "call_error": format!("{e:#}") })
                                    .to_string(),
                            });
                        }
                        match out {
                            Err(e) => c.fail(format!("call failed: {e:#}")),
                            Ok(out) => match check_output(out) {
                                Err(why) => c.fail(format!("{why}: {}", truncate(out, 200))),
                                Ok(grade) => {
                                    c.ok += 1;
                                    match c.grades.iter_mut().find(|(g, _)| *g == grade) {
                                        Some((_, n)) => *n += 1,
                                        None => c.grades.push((grade, 1)),
                                    }
                                    if c.sample.is_none() {
                                        c.sample = Some(out.to_string());
                                    }
                                }
                            },
                        }
                    }
                    Ok(c)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut all = Check {
        ok: 0,
        errors: 0,
        grades: Vec::new(),
        first_error: None,
        sample: None,
        outputs: Vec::new(),
    };
    for p in parts {
        let p = p?;
        all.outputs.extend(p.outputs);
        all.ok += p.ok;
        all.errors += p.errors;
        all.first_error = all.first_error.or(p.first_error);
        all.sample = all.sample.or(p.sample);
        for (g, n) in p.grades {
            match all.grades.iter_mut().find(|(x, _)| *x == g) {
                Some((_, m)) => *m += n,
                None => all.grades.push((g, n)),
            }
        }
    }
    all.grades.sort();
    Ok(all)
}

impl Check {
    fn fail(&mut self, why: String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(why);
        }
    }
}

/// The grade of a valid output, or why it is not one.
fn check_output(out: &str) -> Result<String, String> {
    let v: serde_json::Value =
        serde_json::from_str(out).map_err(|e| format!("output is not JSON ({e})"))?;
    if let Some(e) = v.get("error") {
        return Err(format!("the plugin answered an error {e}"));
    }
    let score = v
        .get("score")
        .and_then(|s| s.as_f64())
        .ok_or("no numeric score")?;
    let grade = v
        .get("grade")
        .and_then(|g| g.as_str())
        .ok_or("no grade")?
        .to_string();
    let hundredths = |x: f64| (x * 100.0).round() as i64;
    let sum: i64 = v
        .get("contributions")
        .and_then(|c| c.as_array())
        .ok_or("no contributions")?
        .iter()
        .map(|c| c.get("points").and_then(|p| p.as_f64()).map(hundredths))
        .sum::<Option<i64>>()
        .ok_or("a contribution without points")?;
    if sum != hundredths(score) {
        return Err(format!("contributions add up to {sum}, not the score"));
    }
    Ok(grade)
}

fn median(xs: &[Duration]) -> Duration {
    let mut v = xs.to_vec();
    v.sort();
    v[v.len() / 2]
}

fn walls(xs: &[Duration]) -> String {
    xs.iter()
        .map(|d| format!("{:.0}", ms(*d)))
        .collect::<Vec<_>>()
        .join(" / ")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn truncate(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
