//! `audit verify | show | replay | proof | key | erase`.

use std::path::Path;

use scorehost_audit::checkpoint::InclusionProof;
use scorehost_engine::audit;
use scorehost_engine::catalog::Catalog;
use scorehost_registry::Registry;
use scorehost_runtime::sandbox::{Limits, Runtime};

use super::block_on;
use crate::Global;

async fn open(g: &Global) -> Result<Registry, scorehost_registry::Error> {
    Registry::open(&g.data_dir, g.db.as_deref()).await
}

fn public_key(g: &Global) -> anyhow::Result<String> {
    Ok(audit::load_or_create_key(&g.data_dir)?.public_key_hex())
}

pub(crate) fn verify(g: &Global) -> anyhow::Result<()> {
    let key = public_key(g)?;
    let report = block_on(async { audit::verify(&open(g).await?, &key).await })?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "the audit log verifies: {} records, {} signed checkpoints, root {}",
            report.records, report.checkpoints, report.root_hash
        );
    }
    Ok(())
}

pub(crate) fn show(g: &Global, id: &str) -> anyhow::Result<()> {
    let shown = block_on(async { audit::show(&open(g).await?, id).await })?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&shown)?);
        return Ok(());
    }
    let r = &shown.record;
    println!(
        "record {} ({}) at {}, seq {}",
        shown.entry.id, shown.entry.kind, shown.entry.at, shown.entry.seq
    );
    if shown.entry.kind == "registry" {
        println!(
            "{} {} by {} (sha256 {}) {}",
            r["action"], r["ref"], r["actor"], r["sha256"], r["detail"]
        );
        return Ok(());
    }
    if shown.entry.kind != "evaluation" && shown.entry.kind != "composite" {
        // An erasure, a read of someone's records: its fields as they are.
        println!("{}", serde_json::to_string_pretty(r)?);
        return Ok(());
    }
    if shown.entry.kind == "composite" {
        println!("{}", serde_json::to_string_pretty(r)?);
        return Ok(());
    }
    println!(
        "model {}@{} (module sha256 {}), caller {}",
        r["model"]["name"].as_str().unwrap_or("?"),
        r["model"]["version"].as_str().unwrap_or("?"),
        r["model"]["sha256"].as_str().unwrap_or("?"),
        r["caller"].as_str().unwrap_or("?")
    );
    if let Some(at) = r["erased_at"].as_str() {
        // Format 3 on: the person, the white box and the decision went
        // together; the leaf, its commitment and every proof stay.
        println!(
            "personal part: erased on {at} (by {}): the record names nobody; it still verifies",
            shown
                .personal
                .as_ref()
                .and_then(|p| p.erased_by.as_deref())
                .unwrap_or("an erasure record")
        );
        match &shown.erased_at {
            Some(at) => println!("input: erased on {at}"),
            None => println!("input: not kept"),
        }
        return Ok(());
    }
    println!(
        "subject {} ({}), as of {}",
        r["subject"]["id"].as_str().unwrap_or("?"),
        r["subject"]["kind"].as_str().unwrap_or("?"),
        r["as_of"].as_str().unwrap_or("?")
    );
    if let Some(p) = shown.personal.as_ref().filter(|p| p.text.is_some()) {
        println!(
            "personal part (subject, white box, decision): kept beside the log, matches the leaf's commitment {}{}",
            r["personal"].as_str().unwrap_or("?"),
            if p.legacy { "" } else { "; erasable" }
        );
    }
    match (&shown.input, &shown.erased_at) {
        (Some(input), _) => println!(
            "\ninput (matches the record's commitment):\n{}",
            serde_json::to_string_pretty(input)?
        ),
        (None, Some(at)) => println!("\ninput: erased on {at} (the record still verifies)"),
        (None, None) => println!("\ninput: not kept"),
    }
    let o = &r["outcome"];
    if o.get("error").is_some() {
        println!(
            "\nerror: {} — {}",
            o["error"]["code"].as_str().unwrap_or("?"),
            o["error"]["message"].as_str().unwrap_or("?")
        );
    } else {
        println!();
        for c in o["contributions"].as_array().into_iter().flatten() {
            println!(
                "  {:<28} {:>9}  {}",
                c["name"].as_str().unwrap_or("?"),
                c["points"],
                c["note"].as_str().unwrap_or("")
            );
        }
        println!(
            "  {:<28} {:>9}  grade {}",
            "score",
            o["score"],
            o["grade"].as_str().unwrap_or("?")
        );
        for (i, reason) in o["reasons"].as_array().into_iter().flatten().enumerate() {
            println!("  {}. {}", i + 1, reason.as_str().unwrap_or(""));
        }
    }
    // Stored records the model was not given: under dispute, or repaired.
    for w in r["withheld"].as_array().into_iter().flatten() {
        if let Ok(w) = serde_json::from_value::<scorehost_registry::Withheld>(w.clone()) {
            println!("\nwithheld: {}", w.sentence());
        }
    }
    // A shadow's evaluation was never anyone's answer.
    if let Some(live) = r["shadow_of"].as_str() {
        println!("\nshadow evaluation beside {live}: logged, never returned");
    }
    // An evaluation made for a benefit scenario carries its decision.
    if let Some(d) = r.get("decision") {
        let rule = scorehost_registry::Rule::from_json(&d["rule"])
            .map(|rule| scorehost_engine::decide::rule_text(&rule))
            .unwrap_or_else(|_| d["rule"].to_string());
        println!(
            "\ndecision: {} ({}), rule {rule}: {}",
            d["scenario"].as_str().unwrap_or("?"),
            d["title"].as_str().unwrap_or("?"),
            match d["eligible"].as_bool() {
                Some(true) => "eligible",
                Some(false) => "not eligible",
                None => "none (the evaluation failed)",
            }
        );
    }
    println!(
        "\nfuel {}, {} µs, host {}, wasmtime {}",
        r["fuel"],
        r["duration_us"],
        r["host_version"].as_str().unwrap_or("?"),
        r["wasmtime_version"].as_str().unwrap_or("?")
    );
    Ok(())
}

pub(crate) fn replay(g: &Global, id: &str) -> anyhow::Result<()> {
    let report = block_on(async {
        let catalog = Catalog::open(
            Runtime::new(Limits::default())?,
            &g.data_dir,
            g.db.as_deref(),
        )
        .await?;
        scorehost_engine::replay::replay(&catalog, id).await
    })?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if report.identical {
        let fuel = if report.fuel_compared {
            format!(", fuel {} as recorded", report.fuel.1)
        } else {
            ", fuel not compared (another wasmtime)".into()
        };
        println!("identical: the same score, grade, contributions and reasons{fuel}");
    } else {
        println!("DIFFERENT:");
        for d in &report.differences {
            println!("  {d}");
        }
    }
    if !report.identical {
        anyhow::bail!("the replay of {id} differs from the record");
    }
    Ok(())
}

pub(crate) fn proof(
    g: &Global,
    id: Option<&str>,
    (out, force): (Option<&Path>, bool),
    check: Option<&Path>,
    (public_key_hex, record): (Option<&str>, Option<&Path>),
) -> anyhow::Result<()> {
    if let Some(file) = check {
        let read = |f: &Path| {
            std::fs::read_to_string(f)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", f.display()))
        };
        let text = read(file)?;
        let proof: InclusionProof = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{} is not a proof: {e}", file.display()))?;
        let key = match public_key_hex {
            Some(k) => k.to_string(),
            None => public_key(g)?,
        };
        let Some(record_file) = record else {
            proof
                .verify(&key, None)
                .map_err(|e| anyhow::anyhow!("the proof does not verify: {e}"))?;
            println!(
                "the proof verifies: leaf {} (hash {}) is in the log of {} records signed at {}; it proves nothing about a record you were shown unless you check it with --record FILE",
                proof.leaf_index,
                proof.leaf_hash,
                proof.checkpoint.tree_size,
                proof.checkpoint.timestamp
            );
            return Ok(());
        };
        let bound = audit::bind_record(&proof, &key, &read(record_file)?)
            .map_err(|e| anyhow::anyhow!("{}: {e}", record_file.display()))?;
        println!(
            "the proof verifies for this record: {} is record {} in the log of {} records signed at {}\n{}",
            record_file.display(),
            proof.leaf_index,
            proof.checkpoint.tree_size,
            proof.checkpoint.timestamp,
            bound
        );
        return Ok(());
    }
    let Some(id) = id else {
        anyhow::bail!("name a record: scorehost audit proof ID, or check one: --check FILE")
    };
    let key = audit::load_or_create_key(&g.data_dir)?;
    let proof = block_on(async { audit::proof(&open(g).await?, &key, id).await })?;
    match out {
        Some(path) => {
            serde_json::to_writer_pretty(super::output::create(path, force)?, &proof)?;
            println!(
                "wrote the proof of record {} to {}; check it with: scorehost audit proof --check {} --public-key {}",
                proof.leaf_index,
                path.display(),
                path.display(),
                key.public_key_hex()
            );
        }
        None => println!("{}", serde_json::to_string_pretty(&proof)?),
    }
    Ok(())
}

pub(crate) fn key(g: &Global) -> anyhow::Result<()> {
    println!("{}", public_key(g)?);
    Ok(())
}

pub(crate) fn erase(
    g: &Global,
    id: Option<&str>,
    subject: Option<&str>,
    reason: &str,
) -> anyhow::Result<()> {
    let actor = g.actor()?;
    if reason.trim().is_empty() {
        anyhow::bail!("say why (--reason); the erasure record keeps it");
    }
    block_on(async {
        let registry = open(g).await?;
        match (id, subject) {
            (Some(id), _) => {
                let e = audit::erase(&registry, &actor, id, reason).await?;
                println!(
                    "erased the personal part and input of record {id} (erasure record {}); the log and every proof still verify",
                    e.id
                );
            }
            (None, Some(subject)) => {
                // Records a second old are not yet in the search index:
                // take them in, so that all of the person's are found.
                registry.index_evaluations(u64::MAX).await?;
                let done =
                    scorehost_engine::retention::erase_subject(&registry, &actor, subject, reason)
                        .await?;
                if g.json {
                    println!("{}", serde_json::to_string_pretty(&done)?);
                } else {
                    println!(
                        "erased {} record(s) of this subject (erasure records: {}); the log and every proof still verify",
                        done.records,
                        if done.erasures.is_empty() {
                            "none".to_string()
                        } else {
                            done.erasures.join(", ")
                        }
                    );
                }
            }
            (None, None) => anyhow::bail!("name a record id or --subject"),
        }
        Ok::<_, anyhow::Error>(())
    })
}

pub(crate) fn retention_list(g: &Global) -> anyhow::Result<()> {
    let policies = block_on(async { open(g).await?.retention_policies().await })?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&policies)?);
    } else if policies.is_empty() {
        println!("no retention policy: every record keeps its personal part until erased by hand");
    } else {
        for p in policies {
            println!(
                "{:<20} {:>4} months   set {} by {}",
                p.subject_kind, p.months, p.set_at, p.set_by
            );
        }
    }
    Ok(())
}

pub(crate) fn retention_set(g: &Global, kind: &str, months: Option<u32>) -> anyhow::Result<()> {
    let actor = g.actor()?;
    block_on(async { open(g).await?.set_retention(&actor, kind, months).await })?;
    match months {
        Some(m) => println!(
            "records of a {kind} now keep their personal part {m} months; serve applies it within the hour (or: audit retention run)"
        ),
        None => println!("{kind}: no retention policy; records are kept until erased by hand"),
    }
    Ok(())
}

pub(crate) fn retention_run(g: &Global, as_of: Option<&str>) -> anyhow::Result<()> {
    let actor = g.actor()?;
    let as_of = match as_of {
        Some(t) => time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .map_err(|e| anyhow::anyhow!("--as-of '{t}' is not an RFC 3339 instant: {e}"))?,
        None => time::OffsetDateTime::now_utc(),
    };
    let report = block_on(async {
        let registry = open(g).await?;
        // Records a second old are not yet in the search index: take them in.
        registry.index_evaluations(u64::MAX).await?;
        scorehost_engine::retention::run(&registry, &actor, as_of).await
    })?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    if report.kinds.is_empty() {
        println!("no retention policy: nothing to erase");
    }
    for k in &report.kinds {
        println!(
            "{:<20} {:>4} months: {} record(s) written before {} erased",
            k.subject_kind, k.months, k.records, k.before
        );
    }
    Ok(())
}
