//! `dispute file | check | answer | withdraw | list | show | overdue` and
//! `repair mark | list`: a subject's dispute of an indicator record through
//! its life, and credit repair — on the local data dir, or through a
//! service with `--server` (the same JSON either way).

use clap::{Args, Subcommand};
use scorehost_registry::disputes::{DisputeFilter, DisputeState};
use scorehost_registry::{Actor, Registry};
use serde_json::{Value, json};

use super::block_on;
use super::remote::{self, Remote};
use crate::Global;

/// The record a dispute or a repair is about.
#[derive(Args)]
pub(crate) struct RecordKey {
    /// The subject's identifier.
    #[arg(long)]
    subject: String,
    /// The indicator's name.
    #[arg(long)]
    indicator: String,
    /// The record's date (YYYY-MM-DD); omit for an undated record.
    #[arg(long)]
    observed_on: Option<String>,
    /// Why: the subject's objection, or how the obligation was fulfilled.
    #[arg(long)]
    reason: String,
}

impl RecordKey {
    fn body(&self) -> Value {
        json!({
            "subject_id": self.subject,
            "indicator": self.indicator,
            "observed_on": self.observed_on,
            "reason": self.reason,
        })
    }
}

#[derive(Subcommand)]
pub(crate) enum DisputeCommand {
    /// File a dispute of one indicator record: it is withheld from every evaluation until closed.
    #[command(
        after_help = "Example:\n  scorehost dispute file --subject 91330200MA2AAAAA1X --indicator customs_violations_3y --reason \"the violation was annulled on appeal\"\n  scorehost dispute file --as app:bank … (an app on the subject's behalf)"
    )]
    File {
        #[command(flatten)]
        key: RecordKey,
    },
    /// Check an open dispute (province): forward it to the furnishing source, or reject it.
    #[command(
        after_help = "Examples:\n  scorehost dispute check dsp_0a1b2c3d4e5f --forward\n  scorehost dispute check dsp_0a1b2c3d4e5f --reject --note \"the record is about another company\""
    )]
    Check {
        /// The dispute's id.
        id: String,
        /// Send it to the source that furnished the record.
        #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
        forward: bool,
        /// Reject it as inadmissible (give --note).
        #[arg(long)]
        reject: bool,
        /// A note for the record.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Answer a forwarded dispute (the furnishing source, or the province): corrected, upheld or removed.
    #[command(
        after_help = "Examples:\n  scorehost dispute answer dsp_0a1b2c3d4e5f --corrected 0 --as publisher:ningbo\n  scorehost dispute answer dsp_0a1b2c3d4e5f --upheld --note \"customs decision 2026-117 stands\""
    )]
    Answer {
        /// The dispute's id.
        id: String,
        /// The record's right value (JSON: 0, true, "B"; bare text is a string).
        #[arg(long, group = "outcome", required = true)]
        corrected: Option<String>,
        /// The record was right.
        #[arg(long, group = "outcome")]
        upheld: bool,
        /// The record is withdrawn.
        #[arg(long, group = "outcome")]
        removed: bool,
        /// A note for the record.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Withdraw a dispute that is not closed (its filer, or the province), saying why.
    #[command(
        after_help = "Example:\n  scorehost dispute withdraw dsp_0a1b2c3d4e5f --note \"the subject settled it with the source\""
    )]
    Withdraw {
        /// The dispute's id.
        id: String,
        /// Why it is withdrawn (required; logged).
        #[arg(long)]
        note: String,
    },
    /// List disputes, oldest first.
    #[command(
        after_help = "Example:\n  scorehost dispute list --subject 91330200MA2AAAAA1X --state open"
    )]
    List {
        /// Only this subject's.
        #[arg(long)]
        subject: Option<String>,
        /// Only in this state: open, forwarded or closed.
        #[arg(long)]
        state: Option<String>,
    },
    /// One dispute with every step's note.
    #[command(after_help = "Example:\n  scorehost dispute show dsp_0a1b2c3d4e5f --json")]
    Show {
        /// The dispute's id.
        id: String,
    },
    /// Disputes past a deadline (check 2 working days, answer 5, close 20 days).
    #[command(after_help = "Example:\n  scorehost dispute overdue --as-of 2026-12-31")]
    Overdue {
        /// Judge the deadlines on this date (default: today, UTC).
        #[arg(long)]
        as_of: Option<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum RepairCommand {
    /// Mark a negative record repaired (province): no evaluation uses it from now on.
    #[command(
        after_help = "Example:\n  scorehost repair mark --subject 91330200MA2AAAAA1X --indicator customs_violations_3y --reason \"fine paid 2026-10-01, rectification accepted\""
    )]
    Mark {
        #[command(flatten)]
        key: RecordKey,
    },
    /// A subject's repaired records.
    #[command(after_help = "Example:\n  scorehost repair list --subject 91330200MA2AAAAA1X")]
    List {
        /// The subject.
        #[arg(long)]
        subject: String,
    },
}

/// A `--corrected` value: JSON if it parses (numbers, booleans, quoted
/// strings), otherwise the text itself.
fn corrected_value(text: &str) -> Value {
    serde_json::from_str::<Value>(text)
        .ok()
        .filter(|v| v.is_number() || v.is_boolean() || v.is_string())
        .unwrap_or_else(|| Value::String(text.to_string()))
}

fn answer_parts(
    corrected: &Option<String>,
    upheld: bool,
    removed: bool,
) -> (&'static str, Option<Value>) {
    match (corrected, upheld, removed) {
        (Some(v), _, _) => ("corrected", Some(corrected_value(v))),
        (None, true, _) => ("upheld", None),
        _ => ("removed", None),
    }
}

async fn open(g: &Global) -> Result<Registry, scorehost_registry::Error> {
    Registry::open(&g.data_dir, g.db.as_deref()).await
}

/// Run a dispute command on the local data dir.
pub(crate) fn run(g: &Global, command: &DisputeCommand) -> anyhow::Result<()> {
    let by: Actor = g.actor()?;
    let out: Value = block_on(async {
        let reg = open(g).await?;
        Ok::<Value, anyhow::Error>(match command {
            DisputeCommand::File { key } => json!(
                reg.file_dispute(
                    &by,
                    &[],
                    &key.subject,
                    &key.indicator,
                    key.observed_on.as_deref(),
                    &key.reason
                )
                .await?
            ),
            DisputeCommand::Check {
                id, forward, note, ..
            } => json!(reg.check_dispute(&by, id, *forward, note).await?),
            DisputeCommand::Answer {
                id,
                corrected,
                upheld,
                removed,
                note,
            } => {
                let (outcome, value) = answer_parts(corrected, *upheld, *removed);
                let answer = scorehost_server::routes::disputes::parse_answer(outcome, value)?;
                json!(reg.answer_dispute(&by, id, answer, note).await?)
            }
            DisputeCommand::Withdraw { id, note } => {
                json!(reg.withdraw_dispute(&by, id, note).await?)
            }
            DisputeCommand::List { subject, state } => {
                let filter = DisputeFilter {
                    subject_id: subject.clone(),
                    state: state.as_deref().map(DisputeState::parse).transpose()?,
                    ..DisputeFilter::default()
                };
                json!(reg.disputes(&filter).await?)
            }
            DisputeCommand::Show { id } => json!(reg.dispute(id).await?),
            DisputeCommand::Overdue { as_of } => {
                let as_of = as_of
                    .clone()
                    .unwrap_or_else(scorehost_engine::completion::today);
                json!(reg.overdue_disputes(&as_of).await?)
            }
        })
    })?;
    print(g, &out)
}

/// Run a dispute command through a service.
pub(crate) fn run_remote(g: &Global, r: &Remote, command: &DisputeCommand) -> anyhow::Result<()> {
    let out = match command {
        DisputeCommand::File { key } => remote::call(r, "POST", "/v1/disputes", Some(&key.body()))?,
        DisputeCommand::Check {
            id, forward, note, ..
        } => remote::call(
            r,
            "POST",
            &format!("/v1/disputes/{id}/check"),
            Some(&json!({ "verdict": if *forward { "forward" } else { "reject" }, "note": note })),
        )?,
        DisputeCommand::Answer {
            id,
            corrected,
            upheld,
            removed,
            note,
        } => {
            let (outcome, value) = answer_parts(corrected, *upheld, *removed);
            let mut body = json!({ "outcome": outcome, "note": note });
            if let Some(v) = value {
                body["value"] = v;
            }
            remote::call(r, "POST", &format!("/v1/disputes/{id}/answer"), Some(&body))?
        }
        DisputeCommand::Withdraw { id, note } => remote::call(
            r,
            "POST",
            &format!("/v1/disputes/{id}/withdraw"),
            Some(&json!({ "note": note })),
        )?,
        DisputeCommand::List { subject, state } => {
            let mut query = Vec::new();
            if let Some(s) = subject {
                query.push(format!("subject_id={}", url_encode(s)));
            }
            if let Some(s) = state {
                query.push(format!("state={}", url_encode(s)));
            }
            let path = if query.is_empty() {
                "/v1/disputes".to_string()
            } else {
                format!("/v1/disputes?{}", query.join("&"))
            };
            remote::call(r, "GET", &path, None)?
        }
        DisputeCommand::Show { id } => remote::call(r, "GET", &format!("/v1/disputes/{id}"), None)?,
        DisputeCommand::Overdue { as_of } => {
            let path = match as_of {
                Some(d) => format!("/v1/disputes/overdue?as_of={}", url_encode(d)),
                None => "/v1/disputes/overdue".into(),
            };
            remote::call(r, "GET", &path, None)?
        }
    };
    print(g, &out)
}

/// Run a repair command on the local data dir.
pub(crate) fn repair(g: &Global, command: &RepairCommand) -> anyhow::Result<()> {
    let by: Actor = g.actor()?;
    let out: Value = block_on(async {
        let reg = open(g).await?;
        Ok::<Value, anyhow::Error>(match command {
            RepairCommand::Mark { key } => json!(
                reg.mark_repaired(
                    &by,
                    &key.subject,
                    &key.indicator,
                    key.observed_on.as_deref(),
                    &key.reason
                )
                .await?
            ),
            RepairCommand::List { subject } => json!(reg.repairs_of(subject).await?),
        })
    })?;
    print(g, &out)
}

/// Run a repair command through a service.
pub(crate) fn repair_remote(g: &Global, r: &Remote, command: &RepairCommand) -> anyhow::Result<()> {
    let out = match command {
        RepairCommand::Mark { key } => remote::call(r, "POST", "/v1/repairs", Some(&key.body()))?,
        RepairCommand::List { subject } => remote::call(
            r,
            "GET",
            &format!("/v1/repairs?subject_id={}", url_encode(subject)),
            None,
        )?,
    };
    print(g, &out)
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// JSON with --json; otherwise a line per dispute or repair.
fn print(g: &Global, v: &Value) -> anyhow::Result<()> {
    if g.json {
        println!("{}", serde_json::to_string_pretty(v)?);
        return Ok(());
    }
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        one => vec![one],
    };
    if items.is_empty() {
        println!("(none)");
    }
    for d in items {
        println!("{}", line(d));
    }
    Ok(())
}

/// One readable line: a dispute (with its state, outcome and next
/// deadline, and any missed ones) or a repair.
fn line(d: &Value) -> String {
    let s = |k: &str| d[k].as_str().unwrap_or("").to_string();
    let record = format!(
        "{} {}{} = {}",
        s("subject_id"),
        s("indicator"),
        d["observed_on"]
            .as_str()
            .map(|o| format!(" ({o})"))
            .unwrap_or_default(),
        d.get("disputed_value").unwrap_or(&d["value"])
    );
    if d.get("repaired_by").is_some() {
        return format!(
            "{}  repaired  {record}  by {} on {}: {}",
            s("id"),
            s("repaired_by"),
            s("repaired_at").chars().take(10).collect::<String>(),
            s("reason")
        );
    }
    let state = match d["outcome"].as_str() {
        Some(o) => format!("closed: {o}"),
        None => s("state"),
    };
    let next = match (s("state").as_str(), d["answer_due"].as_str()) {
        ("open", _) => format!("check by {}", s("check_due")),
        ("forwarded", Some(due)) => format!("answer by {due}"),
        _ => d["new_value"]
            .as_str()
            .map(|v| format!("new value {v}"))
            .or_else(|| {
                d.get("new_value")
                    .filter(|v| !v.is_null())
                    .map(|v| format!("new value {v}"))
            })
            .unwrap_or_default(),
    };
    let missed = d["missed"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        })
        .filter(|m| !m.is_empty())
        .map(|m| format!("  OVERDUE: {m}"))
        .unwrap_or_default();
    format!(
        "{}  {state}  {record}  filed by {}  {next}{missed}",
        s("id"),
        s("filed_by")
    )
}
