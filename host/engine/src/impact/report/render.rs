//! The report drawn for a terminal.

use std::fmt::Write as _;

use super::*;

impl ImpactReport {
    /// The report drawn for a terminal: the migration matrix with totals,
    /// the two distributions side by side with histogram bars, the movers
    /// with their contribution differences, the failures, the declaration's
    /// differences.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "impact of {}@{} ({}, sha256 {}) against the pinned {}@{}",
            self.model,
            self.candidate.version,
            self.candidate_status,
            short(&self.candidate.sha256),
            self.model,
            self.pinned.version
        );
        let sel = &self.selection;
        let range = match (&sel.from, &sel.to) {
            (None, None) => String::new(),
            (f, t) => format!(
                ", recorded {} to {}",
                f.as_deref().unwrap_or("the start"),
                t.as_deref().unwrap_or("now")
            ),
        };
        let how = if sel.source == "shadow" {
            "compared the shadow's answers for"
        } else {
            "replayed"
        };
        let _ = writeln!(
            s,
            "{how} {} subjects (the latest evaluation of each, newest first, at most {}{range}; {} records read{}); {} compared",
            self.subjects,
            sel.last,
            sel.records_read,
            if sel.truncated {
                ", more subjects were left out"
            } else {
                ""
            },
            self.compared
        );
        if self.skipped.erased + self.skipped.undecodable > 0 {
            let _ = writeln!(
                s,
                "skipped {} subjects: {} with their input erased, {} undecodable",
                self.skipped.erased + self.skipped.undecodable,
                self.skipped.erased,
                self.skipped.undecodable
            );
        }
        self.render_matrix(&mut s);
        self.render_distributions(&mut s);
        self.render_movers(&mut s);
        for (title, list) in [
            (
                "new failures (the pinned version scored them)",
                &self.new_failures,
            ),
            ("still failing", &self.still_failing),
            (
                "recovered (the pinned version failed them)",
                &self.recovered,
            ),
        ] {
            if list.count == 0 {
                continue;
            }
            let codes: Vec<String> = list
                .by_code
                .iter()
                .map(|(c, n)| format!("{c} {n}"))
                .collect();
            let _ = writeln!(s, "\n{title}: {} ({})", list.count, codes.join(", "));
            for f in list.subjects.iter().take(10) {
                let before = match (&f.before_score, &f.before_grade) {
                    (Some(sc), Some(g)) => format!("{sc:.2} {g}"),
                    _ => FAILED.into(),
                };
                let after = match (&f.after_score, &f.after_grade) {
                    (Some(sc), Some(g)) => format!("{sc:.2} {g}"),
                    _ => match &f.fault {
                        Some(k) => format!("{} ({k})", f.code),
                        None => f.code.clone(),
                    },
                };
                let _ = writeln!(
                    s,
                    "  {:<24} {before} → {after}: {}",
                    f.subject,
                    truncate(&f.message, 80)
                );
            }
            if list.count > 10 {
                let _ = writeln!(
                    s,
                    "  … and {} more (--json lists up to {LIST_MAX})",
                    list.count - 10
                );
            }
        }
        self.render_declaration(&mut s);
        for d in &self.downstream {
            let _ = writeln!(s, "downstream: composite {}", d.composite);
            for e in &d.examples {
                let _ = writeln!(s, "  {:<24} {} → {}", e.subject, e.before, e.after);
            }
        }
        for n in &self.notes {
            let _ = writeln!(s, "note: {n}");
        }
        s
    }

    fn render_matrix(&self, s: &mut String) {
        let m = &self.migration;
        let _ = writeln!(
            s,
            "\ngrade migration: rows {} (pinned), columns {} (candidate); {} subjects changed grade",
            self.pinned.version, self.candidate.version, m.changed_grade
        );
        let w = m
            .columns
            .iter()
            .chain(&m.rows)
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(5)
            .max(6);
        let _ = write!(s, "  {:<w$}", "");
        for c in &m.columns {
            let _ = write!(s, " {c:>w$}");
        }
        let _ = writeln!(s, " │ {:>w$}", "total");
        for (i, r) in m.rows.iter().enumerate() {
            let _ = write!(s, "  {r:<w$}");
            for n in &m.counts[i] {
                let _ = write!(s, " {n:>w$}");
            }
            let _ = writeln!(s, " │ {:>w$}", m.row_totals[i]);
        }
        let _ = write!(s, "  {:<w$}", "total");
        for n in &m.column_totals {
            let _ = write!(s, " {n:>w$}");
        }
        let _ = writeln!(s, " │ {:>w$}", m.total);
    }

    fn render_distributions(&self, s: &mut String) {
        let (b, a) = (&self.before, &self.after);
        let _ = writeln!(
            s,
            "\nscores            {:>12} {:>12}",
            self.pinned.version, self.candidate.version
        );
        let opt = |v: Option<f64>| v.map_or("—".to_string(), |x| format!("{x:.2}"));
        let _ = writeln!(s, "  {:<15} {:>12} {:>12}", "count", b.count, a.count);
        for (name, x, y) in [
            ("min", b.min, a.min),
            ("p10", b.p10, a.p10),
            ("median", b.median, a.median),
            ("mean", b.mean, a.mean),
            ("p90", b.p90, a.p90),
            ("max", b.max, a.max),
        ] {
            let _ = writeln!(s, "  {name:<15} {:>12} {:>12}", opt(x), opt(y));
        }
        let peak = b
            .histogram
            .iter()
            .chain(&a.histogram)
            .copied()
            .max()
            .unwrap_or(0);
        if peak == 0 || b.histogram.len() != a.histogram.len() {
            return;
        }
        let _ = writeln!(
            s,
            "\n  distribution ({} bins; left {}, right {})",
            b.histogram.len(),
            self.pinned.version,
            self.candidate.version
        );
        let width = (b.scale_max - b.scale_min) / b.histogram.len() as f64;
        for i in 0..b.histogram.len() {
            let from = b.scale_min + width * i as f64;
            let _ = writeln!(
                s,
                "  {:>7.1} {:>6} {:<25} {:>6} {}",
                from,
                b.histogram[i],
                bar(b.histogram[i], peak, 25),
                a.histogram[i],
                bar(a.histogram[i], peak, 25)
            );
        }
    }

    fn render_movers(&self, s: &mut String) {
        if self.movers.is_empty() {
            return;
        }
        let _ = writeln!(
            s,
            "\ntop {} movers (largest |Δ score| first)",
            self.movers.len()
        );
        for (i, m) in self.movers.iter().enumerate() {
            let _ = writeln!(
                s,
                "  {}. {} (record {}): {:.2} {} → {:.2} {} ({:+.2})",
                i + 1,
                m.subject,
                m.evaluation_id,
                m.before_score,
                m.before_grade,
                m.after_score,
                m.after_grade,
                m.delta
            );
            for c in &m.contributions {
                let side = |v: Option<f64>| v.map_or("—".to_string(), |x| format!("{x:.2}"));
                let _ = writeln!(
                    s,
                    "       {:<24} {:>10} → {:>10}  {:>+9.2}  {}",
                    c.name,
                    side(c.before),
                    side(c.after),
                    c.delta,
                    c.change
                );
            }
        }
    }

    fn render_declaration(&self, s: &mut String) {
        let d = &self.declaration;
        let _ = writeln!(s, "\ndeclaration:");
        let list = |v: &[IndicatorDecl]| -> String {
            v.iter()
                .map(|i| {
                    format!(
                        "{} ({}{})",
                        i.name,
                        i.kind,
                        if i.required { ", required" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !d.indicators_added.is_empty() {
            let _ = writeln!(s, "  indicators added: {}", list(&d.indicators_added));
        }
        if !d.indicators_removed.is_empty() {
            let _ = writeln!(s, "  indicators removed: {}", list(&d.indicators_removed));
        }
        for c in &d.indicators_changed {
            let _ = writeln!(s, "  indicator changed: {c}");
        }
        let grades = |g: &[(String, f64)]| -> String {
            g.iter()
                .map(|(n, m)| format!("{n} ≥ {m}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if d.grades_changed {
            let _ = writeln!(
                s,
                "  grades: {} → {}",
                grades(&d.grades_before),
                grades(&d.grades_after)
            );
        } else {
            let _ = writeln!(s, "  grades unchanged: {}", grades(&d.grades_before));
        }
        let _ = writeln!(
            s,
            "  scale {}–{} → {}–{}; base weight {} → {} bp",
            d.scale_before.0,
            d.scale_before.1,
            d.scale_after.0,
            d.scale_after.1,
            d.base_weight_bp.0,
            d.base_weight_bp.1
        );
        if !d.subject_kinds_added.is_empty() || !d.subject_kinds_removed.is_empty() {
            let _ = writeln!(
                s,
                "  subject kinds added: [{}], removed: [{}]",
                d.subject_kinds_added.join(", "),
                d.subject_kinds_removed.join(", ")
            );
        }
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// A bar of up to `width` cells for `n` of `peak`, in half cells; at
/// least a half cell for any `n` above 0.
fn bar(n: u64, peak: u64, width: usize) -> String {
    if n == 0 || peak == 0 {
        return String::new();
    }
    let halves = ((n as f64 / peak as f64) * (width * 2) as f64)
        .round()
        .max(1.0) as usize;
    let mut s = "█".repeat(halves / 2);
    if halves % 2 == 1 {
        s.push('▌');
    }
    s
}
