//! `demo`: from nothing to a working service in one command — publish,
//! approve and pin the bundled example models, import a synthetic
//! population across the five subject kinds, record consents, print
//! tokens and `curl` commands, and serve.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use scorehost_registry::data::Format;
use scorehost_registry::{Actor, ModelName, Registry};
use scorehost_runtime::sandbox::{Limits, Runtime};
use scorehost_runtime::wire::{ScoreRequest, WireModelInfo};
use serde_json::{Value, json};

use crate::Global;

/// What the demo does with a bundled component.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// The version as first reviewed (a frozen crate): pinned, and it
    /// scores its population — the recorded baseline.
    Pinned,
    /// Its correction (issue 20: what the source says): published, its
    /// impact analysed against the baseline, then approved and pinned over
    /// the old version.
    Corrected,
    /// A correction left waiting for review, so that a reviewer can see its
    /// impact in the console before approving it.
    Waiting,
}

/// The bundled models — every system of the README's table: (package whose
/// example request the population copies, component file, stage). Each
/// model comes twice: the version first reviewed, and the version that
/// says what the source says.
const MODELS: [(&str, &str, Stage); 24] = [
    ("ningbo-port", "ningbo_port_v1", Stage::Pinned),
    ("ningbo-port", "ningbo_port", Stage::Corrected),
    ("hangzhou-qianjiang", "hangzhou_qianjiang_v2", Stage::Pinned),
    ("hangzhou-qianjiang", "hangzhou_qianjiang", Stage::Corrected),
    ("yiwu-market", "yiwu_market_v1", Stage::Pinned),
    ("yiwu-market", "yiwu_market", Stage::Corrected),
    ("environment", "environment_v1", Stage::Pinned),
    ("environment", "environment", Stage::Corrected),
    ("taizhou-finance", "taizhou_finance_v1", Stage::Pinned),
    ("taizhou-finance", "taizhou_finance", Stage::Corrected),
    ("quzhou-longyou", "quzhou_longyou_v1", Stage::Pinned),
    ("quzhou-longyou", "quzhou_longyou", Stage::Corrected),
    ("fenghua-tourism", "fenghua_tourism_v2", Stage::Pinned),
    ("fenghua-tourism", "fenghua_tourism", Stage::Waiting),
    ("science-integrity", "science_integrity_v1", Stage::Pinned),
    ("science-integrity", "science_integrity", Stage::Corrected),
    ("mining", "mining_v1", Stage::Pinned),
    ("mining", "mining", Stage::Corrected),
    ("travel-agency", "travel_agency_v1", Stage::Pinned),
    ("travel-agency", "travel_agency", Stage::Corrected),
    ("market-supervision", "market_supervision_v1", Stage::Pinned),
    ("market-supervision", "market_supervision", Stage::Corrected),
    ("credit-code", "credit_code_v1", Stage::Pinned),
    ("credit-code", "credit_code", Stage::Corrected),
];

/// Example requests for one kind of subject of a model, where that kind
/// is scored on other indicators than the model's main example: (package,
/// subject kind, example file stem under `examples/requests/`).
const KIND_EXAMPLES: [(&str, &str, &str); 2] = [
    // Longyou's town residents (L1419).
    (
        "quzhou-longyou",
        "natural-person",
        "quzhou-longyou-resident",
    ),
    // Mining's geological experts (L1149).
    ("mining", "natural-person", "mining-expert"),
];

/// A benefit scenario's rule as the source words it.
#[derive(Clone, Copy)]
enum Threshold {
    /// 「达到」: the score reaches it.
    AtLeast(f64),
    /// 「高于」: the score is above it.
    Above(f64),
    /// One of these grades.
    Grades(&'static [&'static str]),
}

/// A benefit scenario: name, title, model, and the rule.
type ScenarioDef = (&'static str, &'static str, &'static str, Threshold);

/// The composites the demo defines: the example definitions, compiled in.
const COMPOSITES: [(&str, &str); 2] = [
    (
        "hangzhou-credit-code",
        include_str!("../../../examples/composites/hangzhou-credit-code.json"),
    ),
    (
        "enterprise-profile",
        include_str!("../../../examples/composites/enterprise-profile.json"),
    ),
];

/// The benefit scenarios the demo defines, with the source's own words
/// (credit-zhejiang-2020-01.txt; README "Every model in the source").
const SCENARIOS: [ScenarioDef; 6] = [
    // L707: 「钱江分达到550分的市民可签约舒心就医·最多付一次服务」
    (
        "hangzhou-hospital-pay-once",
        "Hospital care, pay once (舒心就医·最多付一次)",
        "hangzhou/qianjiang",
        Threshold::AtLeast(550.0),
    ),
    // L1292: 「钱江分达到573分的用户…信用付快速乘车」
    (
        "hangzhou-transit-credit-pay",
        "Hangzhou transit credit-pay",
        "hangzhou/qianjiang",
        Threshold::AtLeast(573.0),
    ),
    // L1292: 「为钱江分高于580的用户开通信用账户」
    (
        "hangzhou-park-and-leave-later",
        "Hangzhou barrier-free parking, leave first and pay later",
        "hangzhou/qianjiang",
        Threshold::Above(580.0),
    ),
    // L1292: 「对于分数高于550分的用户」(曹操专车信用权益)
    (
        "hangzhou-caocao-ride-hailing",
        "Caocao car-hire credit benefits",
        "hangzhou/qianjiang",
        Threshold::Above(550.0),
    ),
    // L1294: 「钱江分达到700分的，可…申请押金减半优惠」
    (
        "hangzhou-rental-deposit-halved",
        "Public-rental housing deposit halved",
        "hangzhou/qianjiang",
        Threshold::AtLeast(700.0),
    ),
    // L1137: 「只有信用A、B级中介机构才可作为财政出资地矿项目承担单位候选人」;
    // key supervision (L68) is inspection, not a bidding bar.
    (
        "mining-state-funded-bids",
        "State-funded mining project bids",
        "mining/rights",
        Threshold::Grades(&["A", "B", "A-key-supervision", "B-key-supervision"]),
    ),
];

/// A small deterministic generator (splitmix64): the same population on
/// every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Roughly normal (sum of uniforms).
    fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let s: f64 = (0..6).map(|_| self.unit()).sum::<f64>() - 3.0;
        mean + sd * s / (0.5f64).sqrt()
    }
}

/// The subject kinds in the proportions of the province's 2020 figures,
/// with the rarer kinds raised so that each is represented.
fn kind_for(r: f64) -> (&'static str, &'static str) {
    match r {
        x if x < 0.40 => ("enterprise", "91330"),
        x if x < 0.90 => ("natural-person", "33010"),
        x if x < 0.94 => ("social-organization", "51330"),
        x if x < 0.97 => ("public-institution", "12330"),
        _ => ("government-agency", "11330"),
    }
}

fn grade_for(score: f64) -> &'static str {
    match score {
        s if s >= 800.0 => "A",
        s if s >= 700.0 => "B",
        s if s >= 600.0 => "C",
        _ => "D",
    }
}

/// The models that hold records of one subject of `kind`. A subject is in
/// one sector, chosen at random among the models of its kind — a port firm
/// is not also a hotel, and sectors name their indicators independently
/// (two sectors' `business_type` would overwrite each other in the store).
/// The personal credit code, which every city's residents get from their
/// city score, comes on top for natural persons.
fn sectors_of<'a, T>(
    models: &'a [(ModelName, WireModelInfo, T)],
    kind: &str,
    rng: &mut Rng,
) -> Vec<&'a (ModelName, WireModelInfo, T)> {
    const EVERY_PERSON: &str = "zhejiang/credit-code";
    let of_kind = |m: &&(ModelName, WireModelInfo, T)| m.1.subject_kinds.iter().any(|k| k == kind);
    let sectors: Vec<_> = models
        .iter()
        .filter(of_kind)
        .filter(|m| m.0.to_string() != EVERY_PERSON)
        .collect();
    let mut chosen = Vec::new();
    if !sectors.is_empty() {
        chosen.push(sectors[(rng.next() % sectors.len() as u64) as usize]);
    }
    chosen.extend(
        models
            .iter()
            .filter(of_kind)
            .filter(|m| m.0.to_string() == EVERY_PERSON),
    );
    chosen
}

/// The example request's indicators, each value varied: numbers scaled by
/// 0.5–1.5 (integers stay integers; zeros sometimes become small counts),
/// flags flipped one time in ten, dated facts moved back up to 900 days.
fn varied_indicators(template: &ScoreRequest, rng: &mut Rng) -> Vec<Value> {
    template
        .indicators
        .iter()
        .map(|i| {
            let value = match &i.value {
                Value::Number(n) if n.is_i64() => {
                    let v = n.as_i64().unwrap_or(0);
                    let varied = if v == 0 {
                        if rng.unit() < 0.2 {
                            (rng.next() % 3 + 1) as i64
                        } else {
                            0
                        }
                    } else {
                        ((v as f64) * (0.5 + rng.unit())).round() as i64
                    };
                    json!(varied)
                }
                Value::Number(n) => {
                    let v = n.as_f64().unwrap_or(0.0) * (0.5 + rng.unit());
                    json!((v * 10.0).round() / 10.0)
                }
                Value::Bool(b) => json!(if rng.unit() < 0.1 { !b } else { *b }),
                other => other.clone(),
            };
            let observed_on = i.observed_on.as_ref().map(|_| {
                let days = (rng.next() % 900) as i64;
                (time::OffsetDateTime::now_utc().date() - time::Duration::days(days)).to_string()
            });
            let mut v = json!({
                "name": i.name,
                "value": value,
                "source": i.source.clone().unwrap_or_else(|| "demo-sector".into()),
            });
            if let Some(d) = observed_on {
                v["observed_on"] = d.into();
            }
            v
        })
        .collect()
}

pub(crate) fn demo(
    g: &Global,
    listen: std::net::SocketAddr,
    subjects: usize,
) -> anyhow::Result<()> {
    let runtime = Runtime::new(Limits::default())?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("scorehost-http")
        .build()?;
    let printed = rt.block_on(prepare(g, &runtime, subjects, listen))?;
    println!("{printed}");
    rt.block_on(scorehost_server::serve(
        runtime,
        scorehost_server::Config {
            data_dir: g.data_dir.clone(),
            db: g.db.clone(),
            listen,
        },
    ))?;
    Ok(())
}

fn component(file: &str) -> anyhow::Result<PathBuf> {
    let path = Path::new("target/wasm32-wasip2/plugin").join(format!("{file}.wasm"));
    anyhow::ensure!(
        path.exists(),
        "{} is missing: run the demo from the repository after scripts/build-plugins.sh (or use scripts/demo-service.sh, which does both)",
        path.display()
    );
    Ok(path)
}

/// `examples/requests/{stem}.json`, read as a score request.
fn example_request(stem: &str) -> anyhow::Result<ScoreRequest> {
    let path = format!("examples/requests/{stem}.json");
    let text = std::fs::read_to_string(&path).with_context(|| path.clone())?;
    serde_json::from_str(&text).with_context(|| path)
}

async fn prepare(
    g: &Global,
    runtime: &Runtime,
    subjects: usize,
    listen: std::net::SocketAddr,
) -> anyhow::Result<String> {
    let catalog =
        scorehost_engine::catalog::Catalog::open(runtime.clone(), &g.data_dir, g.db.as_deref())
            .await?;
    let registry: Arc<Registry> = catalog.shared_registry();
    // Two named reviewers of the province: a version comes into force
    // only once two distinct persons approved it (four eyes).
    let province = Actor::province_person("Demo Reviewer Zhang")?;
    let second_reviewer = Actor::province_person("Demo Reviewer Li")?;
    // Benefit scenarios and composites are proposed by one person and
    // approved by two others (their author never counts).
    let policy_officer = Actor::province_person("Demo Policy Officer Wang")?;
    let mut by_kind: std::collections::HashMap<(String, String), ScoreRequest> = Default::default();
    for (package, kind, stem) in KIND_EXAMPLES {
        let example = example_request(stem)?;
        let model = example.model.clone().unwrap_or_else(|| package.to_string());
        by_kind.insert((model, kind.to_string()), example);
    }
    // Per model: its latest declaration (what the population is made for)
    // and example; `loaded` holds the pinned version at the same index.
    let mut models: Vec<(ModelName, WireModelInfo, ScoreRequest)> = Vec::new();
    let mut loaded: Vec<scorehost_runtime::Model> = Vec::new();
    // The corrections: (reference, sha256, stage).
    let mut candidates: Vec<(String, String, Stage)> = Vec::new();
    for (package, file, stage) in MODELS {
        let bytes = std::fs::read(component(file)?)?;
        let model = runtime.load(&bytes)?;
        let info = WireModelInfo::of(&model);
        let name: ModelName = info.name.parse()?;
        let publisher = Actor::publisher(&name.namespace);
        let published = registry
            .publish(
                &publisher,
                &bytes,
                &scorehost_engine::catalog::SandboxCheck(runtime),
            )
            .await?;
        let example = example_request(package)?;
        if stage != Stage::Pinned {
            if let Some(m) = models.iter_mut().find(|m| m.0 == name) {
                (m.1, m.2) = (info, example);
            }
            candidates.push((
                published.version.reference.clone(),
                published.version.sha256.clone(),
                stage,
            ));
            continue;
        }
        let r = published.version.reference.parse()?;
        for reviewer in [&province, &second_reviewer] {
            registry
                .approve(reviewer, &r, &published.version.sha256)
                .await?;
        }
        registry
            .pin(&province, &r, &published.version.sha256)
            .await?;
        models.push((name, info, example));
        loaded.push(model);
    }

    // The population: bases for everyone, indicator records for the models
    // that score each subject's kind, consent for most natural persons.
    let mut rng = Rng(20_200_101);
    let (mut bases, mut indicators) = (String::new(), String::new());
    let mut examples: Vec<(String, String, String, bool)> = Vec::new();
    let mut consents = Vec::new();
    let mut members: std::collections::HashMap<String, Vec<String>> = Default::default();
    for n in 0..subjects {
        let (kind, prefix) = kind_for(rng.unit());
        let id = format!("{prefix}{n:08}X");
        let score = rng.normal(720.0, 70.0).clamp(300.0, 980.0);
        let score = (score * 100.0).round() / 100.0;
        let mut lists = Vec::new();
        if rng.unit() < 0.03 {
            lists.push("black:court-defaulter".to_string());
        } else if rng.unit() < 0.05 {
            lists.push("red:model-taxpayer".to_string());
        }
        bases.push_str(
            &json!({ "subject_id": id, "kind": kind, "score": score, "grade": grade_for(score),
                     "lists": lists, "source": "zhejiang-public-credit" })
            .to_string(),
        );
        bases.push('\n');
        for (name, _, template) in sectors_of(&models, kind, &mut rng) {
            members
                .entry(name.to_string())
                .or_default()
                .push(id.clone());
            let template = by_kind
                .get(&(name.to_string(), kind.to_string()))
                .unwrap_or(template);
            for mut record in varied_indicators(template, &mut rng) {
                record["subject_id"] = json!(id);
                indicators.push_str(&record.to_string());
                indicators.push('\n');
            }
            let consented = kind != "natural-person" || rng.unit() < 0.7;
            if kind == "natural-person" && consented {
                consents.push((id.clone(), name.clone()));
            }
            // One example a model, with consent; and one person without.
            let shown = |c: bool| examples.iter().any(|e| e.1 == name.to_string() && e.3 == c);
            if (consented && !shown(true)) || (!consented && !shown(false)) {
                examples.push((id.clone(), name.to_string(), kind.to_string(), consented));
            }
        }
    }
    let b = registry
        .import_bases(&province, &bases, Format::Ndjson)
        .await?;
    let i = registry
        .import_indicators(&province, &indicators, Format::Ndjson)
        .await?;
    for (id, model) in &consents {
        registry
            .grant_consent(&province, id, "demo", model, "2099-12-31")
            .await?;
    }

    // The pinned version of each model with a candidate waiting scores its
    // population once, as the province's periodic run would: the recorded
    // inputs a reviewer's impact analysis replays through the candidate.
    let key = scorehost_engine::audit::load_or_create_key(&g.data_dir)?;
    let recorder = scorehost_engine::scoring::Recorder::Direct {
        registry: &registry,
        key: &key,
    };
    let today = scorehost_engine::completion::today();
    // Recorded evaluations per candidate's model.
    let mut baseline: std::collections::HashMap<String, u64> = Default::default();
    for (candidate, ..) in &candidates {
        let Some(i) = models
            .iter()
            .position(|(n, _, _)| candidate.starts_with(&format!("{n}@")))
        else {
            continue;
        };
        let name = models[i].0.to_string();
        for id in members.get(&name).into_iter().flatten() {
            let info = loaded[i].info();
            if let Some(req) =
                scorehost_engine::completion::request(&registry, info, id, &today).await?
            {
                // A refusal is recorded too; either way it is a baseline.
                let _ = scorehost_engine::scoring::score_item(
                    &loaded[i], &req, "province", &recorder, None,
                )
                .await;
                *baseline.entry(candidate.clone()).or_default() += 1;
            }
        }
    }

    // Each correction's impact on the recorded baseline (the analysis is
    // itself an audit record; the report is kept in the data dir), then the
    // province approves and pins it over the old version.
    let impact_dir = g.data_dir.join("impact");
    std::fs::create_dir_all(&impact_dir)?;
    let mut impacts = String::new();
    for (candidate, sha256, stage) in &candidates {
        let r: scorehost_registry::VersionRef = candidate.parse()?;
        let impact = scorehost_engine::impact::analyse(
            &catalog,
            &province,
            &r,
            &scorehost_engine::impact::ImpactRequest::default(),
            &recorder,
        )
        .await?;
        let report = &impact.report;
        let file = impact_dir.join(format!(
            "{}-{}-to-{}.json",
            report.model.replace('/', "-"),
            report.pinned.version,
            report.candidate.version
        ));
        std::fs::write(&file, serde_json::to_vec_pretty(&impact)?)?;
        impacts.push_str(&format!(
            "  {} {} → {}: {} subjects replayed, {} change grade, {} newly refused, {} newly scored{} (report {})\n",
            report.model,
            report.pinned.version,
            report.candidate.version,
            report.subjects,
            report.migration.changed_grade,
            report.new_failures.count,
            report.recovered.count,
            if *stage == Stage::Waiting { "; waiting for review" } else { "; pinned" },
            file.display()
        ));
        if *stage == Stage::Corrected {
            registry.approve(&province, &r, sha256).await?;
            registry.approve(&second_reviewer, &r, sha256).await?;
            registry.pin(&province, &r, sha256).await?;
        }
    }

    // The benefit scenarios, and an app granted them beside the models.
    let mut scenario_names = Vec::new();
    for (name, title, model, threshold) in SCENARIOS {
        let rule = match threshold {
            Threshold::AtLeast(m) => scorehost_registry::Rule::new(Some(m), None, None),
            Threshold::Above(a) => scorehost_registry::Rule::new(None, Some(a), None),
            Threshold::Grades(g) => scorehost_registry::Rule::new(
                None,
                None,
                Some(g.iter().map(|g| g.to_string()).collect()),
            ),
        }?;
        let proposed = registry
            .define_scenario(&policy_officer, name, Some(title), &model.parse()?, rule)
            .await?;
        for reviewer in [&province, &second_reviewer] {
            registry
                .approve_scenario(reviewer, name, &proposed.proposal.sha256)
                .await?;
        }
        scenario_names.push(name.to_string());
    }

    // The composites (issue 21): the credit code through the city model,
    // and an enterprise's profile across its sectors; the app may ask for
    // them and for credit reports.
    let mut composite_names = Vec::new();
    for (name, text) in COMPOSITES {
        let mut v: Value = serde_json::from_str(text)?;
        let title = v
            .as_object_mut()
            .and_then(|o| o.remove("title"))
            .and_then(|t| t.as_str().map(str::to_string));
        let definition: scorehost_registry::Definition = serde_json::from_value(v)?;
        let proposed = registry
            .define_composite(&policy_officer, name, title.as_deref(), definition)
            .await?;
        for reviewer in [&province, &second_reviewer] {
            registry
                .approve_composite(reviewer, name, &proposed.sha256)
                .await?;
        }
        composite_names.push(name.to_string());
    }
    composite_names.push(scorehost_registry::REPORT.to_string());

    let app: Actor = "app:demo".parse()?;
    let names: Vec<ModelName> = models.iter().map(|(n, _, _)| n.clone()).collect();
    let app_token = registry
        .create_token_with(
            &province,
            &app,
            &names,
            &scenario_names,
            &composite_names,
            "demo app",
        )
        .await?;
    let auditor = registry
        .create_token(&province, &"auditor".parse()?, &[], "demo auditor")
        .await?;
    let province_token = registry
        .create_token(&province, &province, &[], "demo province")
        .await?;

    let url = format!("http://{listen}");
    let mut out = format!(
        "scorehost demo: {} models pinned, then corrected (issue 20: what the source says) —\n{impacts}{} subjects ({} base evaluations, {} indicator records imported; {} refused); {} consents\n\n\
         tokens (shown once):\n  APP={}        # app:demo, may score {}\n  AUDITOR={}\n  PROVINCE={}\n\n\
         console (控制台): {url}/console/ — sign in with PROVINCE to review (审核) or AUDITOR to audit (审计)\n\ntry:\n",
        models.len(),
        subjects,
        b.accepted,
        i.accepted,
        b.rejected.len() + i.rejected.len(),
        consents.len(),
        app_token.secret,
        names
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        auditor.secret,
        province_token.secret,
    );
    for (id, model, kind, consented) in &examples {
        out.push_str(&format!(
            "  # {model}, subject kind {kind}{}\n  curl -s -X POST {url}/v1/scores -H \"Authorization: Bearer $APP\" -H 'Content-Type: application/json' -d '{{\"model\": \"{model}\", \"subject\": {{\"id\": \"{id}\"}}}}'\n",
            if *consented { "" } else { ", no consent for this app: 403 consent_required" }
        ));
    }
    // A benefit decision for each scenario that has a subject to ask about.
    for (scenario, _, model, _) in SCENARIOS {
        if let Some((id, ..)) = examples.iter().find(|e| e.1 == model && e.3) {
            out.push_str(&format!(
                "  # decision: {scenario} (eligible or not, with the evaluation behind it)\n  curl -s -X POST {url}/v1/decisions -H \"Authorization: Bearer $APP\" -H 'Content-Type: application/json' -d '{{\"scenario\": \"{scenario}\", \"subject\": {{\"id\": \"{id}\"}}}}'\n"
            ));
        }
    }
    // A composite for a Hangzhou resident who consented to both of its
    // models, and a credit report of an enterprise.
    let consented = |id: &str, model: &str| {
        consents
            .iter()
            .any(|(i, m)| i == id && m.to_string() == model)
    };
    if let Some(id) = members
        .get("hangzhou/qianjiang")
        .into_iter()
        .flatten()
        .find(|id| consented(id, "hangzhou/qianjiang") && consented(id, "zhejiang/credit-code"))
    {
        out.push_str(&format!(
            "  # composite: the credit code fed by the pinned Qianjiang model (each step its own sandbox and record, one linked record)\n  curl -s -X POST {url}/v1/composites/hangzhou-credit-code/scores -H \"Authorization: Bearer $APP\" -H 'Content-Type: application/json' -d '{{\"subject\": {{\"id\": \"{id}\"}}}}'\n"
        ));
    }
    if let Some((id, ..)) = examples.iter().find(|e| e.2 == "enterprise") {
        out.push_str(&format!(
            "  # the enterprise's profile across its sectors, and its credit report (综合信用报告): every pinned model, or why not\n  curl -s -X POST {url}/v1/composites/enterprise-profile/scores -H \"Authorization: Bearer $APP\" -H 'Content-Type: application/json' -d '{{\"subject\": {{\"id\": \"{id}\"}}}}'\n  curl -s -X POST {url}/v1/reports -H \"Authorization: Bearer $APP\" -H 'Content-Type: application/json' -d '{{\"subject\": {{\"id\": \"{id}\"}}}}'\n"
        ));
    }
    // The candidate's impact, before anyone approves it.
    for (candidate, ..) in candidates.iter().filter(|c| c.2 == Stage::Waiting) {
        let (model, version) = candidate.split_once('@').unwrap_or((candidate, ""));
        let baseline = baseline.get(candidate).copied().unwrap_or(0);
        out.push_str(&format!(
            "  # impact: {candidate} is submitted, not approved; whom would it move? ({baseline} recorded evaluations of the pinned version to replay)\n  curl -s -X POST {url}/v1/plugins/{model}/versions/{version}/impact -H \"Authorization: Bearer $PROVINCE\" -H 'Content-Type: application/json' -d '{{}}'\n"
        ));
    }
    // A dispute filed by the province: the record is withheld until the
    // source answers. An optional record, so that the score goes on and its
    // reasons say so (a required one withheld makes the model refuse).
    let optional = |info: &WireModelInfo, name: &str| {
        info.indicators
            .iter()
            .any(|spec| spec.name == name && !spec.required)
    };
    if let Some((id, model, ..)) = examples.iter().find(|e| e.2 == "enterprise")
        && let Some((_, info, template)) = models.iter().find(|(n, _, _)| n.to_string() == *model)
        && let Some(record) = template
            .indicators
            .iter()
            .find(|i| i.observed_on.is_none() && optional(info, &i.name))
    {
        out.push_str(&format!(
            "  # dispute: {id}'s {} record is suspended while verified; score it again and the reasons say so\n  curl -s -X POST {url}/v1/disputes -H \"Authorization: Bearer $PROVINCE\" -H 'Content-Type: application/json' -d '{{\"subject_id\": \"{id}\", \"indicator\": \"{}\", \"reason\": \"the subject says this record is wrong\"}}'\n",
            record.name, record.name
        ));
    }
    out.push_str(&format!(
        "  # then, with the evaluation_id it printed:\n  curl -s {url}/v1/evaluations/ID -H \"Authorization: Bearer $AUDITOR\"\n  curl -s -X POST {url}/v1/evaluations/ID/replay -H \"Authorization: Bearer $AUDITOR\"\n  curl -s {url}/v1/audit/verify -H \"Authorization: Bearer $AUDITOR\"\n  curl -s {url}/metrics -H \"Authorization: Bearer $AUDITOR\"\n"
    ));
    Ok(out)
}
