//! What `scenario` and `composite` share about definitions waiting for
//! approval: printing a proposal and its review, and a definition in force
//! with the one waiting (`pending`). The rules live in the registry
//! (`scorehost_registry::governance::proposals`).

use serde_json::Value;

use crate::Global;

/// Whether `v` is a proposal, or the answer to an approval of one.
fn is_proposal(v: &Value) -> bool {
    v.get("kind").is_some() && v.get("review").is_some() && v.get("sha256").is_some()
}

/// A proposal's review for people: who approved, and what is still needed.
fn review_text(p: &Value) -> String {
    let review = &p["review"];
    let approvals: Vec<String> = review["approvals"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    format!(
                        "{} ({})",
                        x["person"].as_str().unwrap_or("?"),
                        x["at"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let kind = p["kind"].as_str().unwrap_or("?");
    let name = p["name"].as_str().unwrap_or("?");
    let sha = p["sha256"].as_str().unwrap_or("?");
    let mut out = format!(
        "{kind} {name}: proposal {} by {} ({}), sha256 {sha}\n  approved by: {}\n",
        p["id"],
        p["person"].as_str().unwrap_or("?"),
        p["status"].as_str().unwrap_or("?"),
        if approvals.is_empty() {
            "nobody yet".to_string()
        } else {
            approvals.join(", ")
        }
    );
    let needed = review["needed"].as_u64().unwrap_or(0);
    if p["status"] == "pending" && needed > 0 {
        out += &format!(
            "  {needed} more of {} distinct persons other than its author needed:\n    scorehost {kind} approve {name} --sha256 {sha}\n",
            review["quorum"]
        );
    }
    out
}

/// Print `v` — a proposal, an approval's answer, or a definition in force
/// (with `pending` if one waits) — as JSON with `--json`, else for people:
/// proposals by their review, the rest by `print_in_force`.
pub(crate) fn print(
    g: &Global,
    v: &Value,
    print_in_force: impl Fn(&Global, &Value) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if g.json {
        println!("{}", serde_json::to_string_pretty(v)?);
        return Ok(());
    }
    if is_proposal(v) {
        // The definition as it will be in force, then its review.
        let mut draft = v["definition"].clone();
        if let Some(o) = draft.as_object_mut() {
            o.insert("name".into(), v["name"].clone());
            if let Some(against) = v.get("checked_against") {
                o.insert("checked_against".into(), against.clone());
            }
        }
        print_in_force(g, &draft)?;
        print!("{}", review_text(v));
        if let Some(in_force) = v.get("in_force").filter(|f| !f.is_null()) {
            println!("in force now:");
            print_in_force(g, in_force)?;
        }
        return Ok(());
    }
    let mut shown = v.clone();
    let pending = shown.as_object_mut().and_then(|o| o.remove("pending"));
    if shown.get("model").is_some() || shown.get("definition").is_some() || shown.is_array() {
        print_in_force(g, &shown)?;
    } else {
        println!(
            "{}: nothing in force yet",
            shown["name"].as_str().unwrap_or("?")
        );
    }
    if let Some(p) = pending {
        print!("waiting for approval — {}", review_text(&p));
    }
    Ok(())
}
