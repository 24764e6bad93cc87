//! Human-readable renderings: the white-box table and a model's declaration.

use std::fmt::Write as _;

use crate::contract::{ModelInfo, subject_kind_name, value_kind_name};
use crate::points::format as pts;
use crate::wire::EvaluationResponse;

/// The white box of an evaluation as a table: every contribution, the
/// score, the grade, the reasons, and what the evaluation cost.
pub fn white_box(r: &EvaluationResponse) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}@{}  (module sha256 {})",
        r.model.name, r.model.version, r.model.sha256
    );
    let _ = writeln!(
        out,
        "subject {} ({}), as of {}",
        r.subject.id, r.subject.kind, r.as_of
    );
    let _ = writeln!(out);
    let width = r
        .contributions
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(5)
        .max(12);
    let _ = writeln!(out, "  {:<width$}  {:>9}  note", "contribution", "points");
    let _ = writeln!(
        out,
        "  {}  {}  {}",
        "-".repeat(width),
        "-".repeat(9),
        "-".repeat(30)
    );
    for c in &r.contributions {
        let h = crate::points::from_decimal(c.points).unwrap_or(0);
        let _ = writeln!(out, "  {:<width$}  {:>9}  {}", c.name, signed(h), c.note);
    }
    let _ = writeln!(out, "  {}  {}", "=".repeat(width), "=".repeat(9));
    let score = crate::points::from_decimal(r.score).unwrap_or(0);
    let _ = writeln!(
        out,
        "  {:<width$}  {:>9}  grade {}",
        "score",
        pts(score),
        r.grade
    );
    if !r.reasons.is_empty() {
        let _ = writeln!(out, "\nreasons:");
        for (i, reason) in r.reasons.iter().enumerate() {
            let _ = writeln!(out, "  {}. {reason}", i + 1);
        }
    }
    let _ = writeln!(out, "\nfuel {}  ·  {} µs", r.fuel, r.duration_us);
    out
}

fn signed(h: i64) -> String {
    if h > 0 {
        format!("+{}", pts(h))
    } else {
        pts(h)
    }
}

/// A model's declaration: scale, base weight, grades and indicators.
pub fn model_info(info: &ModelInfo) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}@{}  {}", info.name, info.version, info.title);
    let kinds: Vec<_> = info
        .subject_kinds
        .iter()
        .map(|k| subject_kind_name(*k))
        .collect();
    let _ = writeln!(out, "subjects: {}", kinds.join(", "));
    let _ = writeln!(
        out,
        "scale: {} to {}; provincial base weight {}.{:02} %",
        pts(info.scale_min),
        pts(info.scale_max),
        info.base_weight_bp / 100,
        info.base_weight_bp % 100
    );
    let grades: Vec<_> = info
        .grades
        .iter()
        .map(|g| format!("{} ≥ {}", g.grade, pts(g.min_score)))
        .collect();
    let _ = writeln!(out, "grades: {}", grades.join(", "));
    let _ = writeln!(out, "indicators:");
    let width = info
        .indicators
        .iter()
        .map(|i| i.name.len())
        .max()
        .unwrap_or(4);
    for i in &info.indicators {
        let _ = writeln!(
            out,
            "  {:<width$}  {:<6}  {:<8}  {}",
            i.name,
            value_kind_name(i.kind),
            if i.required { "required" } else { "optional" },
            i.description
        );
    }
    out
}

/// A model's declared consequences as text: what it does whatever the
/// points, and where the source says so. Empty when it declares none.
pub fn consequences(consequences: &[crate::contract::Consequence]) -> String {
    let mut out = String::new();
    if consequences.is_empty() {
        return out;
    }
    let _ = writeln!(out, "consequences (whatever the points):");
    for c in consequences {
        let grade = c
            .grade
            .as_deref()
            .map(|g| format!(" → grade {g}"))
            .unwrap_or_default();
        let _ = writeln!(out, "  {}{grade}: {} [{}]", c.when, c.effect, c.source);
    }
    out
}
