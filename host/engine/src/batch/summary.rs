//! What a batch came to: items per grade, failures by reason, the score
//! distribution — kept as the results are written and drawn for a
//! terminal at the end.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::output::ResultLine;
use crate::contract::ModelInfo;

/// Histogram bins over the model's scale: 20 bars fit a terminal and still
/// show the shape of a distribution (a left skew, a second mode).
const BINS: usize = 20;

/// The summary of a batch run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The batch's id.
    pub batch: String,
    /// The model, `namespace/name@version`.
    pub model: String,
    /// Items in the input.
    pub items: u64,
    /// Items scored.
    pub scored: u64,
    /// Items without a score.
    pub failed: u64,
    /// Items scored in this process (the rest came from an earlier,
    /// interrupted run: from its output file or from the log).
    pub scored_now: u64,
    /// Items an earlier run had scored but not written out, answered here
    /// from their records in the log instead of being scored again.
    pub from_log: u64,
    /// Scored items per grade, best grade first (the model's order).
    pub grades: Vec<(String, u64)>,
    /// Failed items per error code.
    pub failures: BTreeMap<String, u64>,
    /// The first message seen for each error code.
    pub failure_examples: BTreeMap<String, String>,
    /// Lowest, mean and highest score.
    pub score_min: Option<f64>,
    /// Mean score.
    pub score_mean: Option<f64>,
    /// Highest score.
    pub score_max: Option<f64>,
    /// The scale's lower end (the histogram's left edge).
    pub scale_min: f64,
    /// The scale's upper end.
    pub scale_max: f64,
    /// Scored items per score bin, equal bins from `scale_min` to `scale_max`.
    pub histogram: Vec<u64>,
    /// Seconds the run took (this process only).
    pub seconds: f64,
}

impl Summary {
    /// An empty summary for a run of `info`'s model.
    pub fn new(batch: &str, info: &ModelInfo) -> Summary {
        Summary {
            batch: batch.to_string(),
            model: format!("{}@{}", info.name, info.version),
            items: 0,
            scored: 0,
            failed: 0,
            scored_now: 0,
            from_log: 0,
            grades: info.grades.iter().map(|g| (g.grade.clone(), 0)).collect(),
            failures: BTreeMap::new(),
            failure_examples: BTreeMap::new(),
            score_min: None,
            score_mean: None,
            score_max: None,
            scale_min: crate::points::to_decimal(info.scale_min),
            scale_max: crate::points::to_decimal(info.scale_max),
            histogram: vec![0; BINS],
            seconds: 0.0,
        }
    }

    /// Count one result.
    pub fn add(&mut self, line: &ResultLine) {
        self.items += 1;
        match (&line.error, line.score) {
            (Some(e), _) => {
                self.failed += 1;
                *self.failures.entry(e.code.clone()).or_default() += 1;
                // The summary goes into the run's log record, which is
                // kept for ever: an example never names the subject it
                // failed for (a consent refusal's message does).
                self.failure_examples
                    .entry(e.code.clone())
                    .or_insert_with(|| match &line.subject {
                        Some(subject) if !subject.is_empty() => {
                            e.message.replace(subject.as_str(), "<subject>")
                        }
                        _ => e.message.clone(),
                    });
            }
            (None, Some(score)) => {
                self.scored += 1;
                let grade = line.grade.clone().unwrap_or_default();
                match self.grades.iter_mut().find(|(g, _)| *g == grade) {
                    Some((_, n)) => *n += 1,
                    None => self.grades.push((grade, 1)),
                }
                let n = self.scored as f64;
                let mean = self.score_mean.unwrap_or(0.0);
                self.score_mean = Some(mean + (score - mean) / n);
                self.score_min = Some(self.score_min.map_or(score, |m| m.min(score)));
                self.score_max = Some(self.score_max.map_or(score, |m| m.max(score)));
                let width = (self.scale_max - self.scale_min).max(f64::MIN_POSITIVE);
                let bin = ((score - self.scale_min) / width * BINS as f64).floor();
                self.histogram[(bin.max(0.0) as usize).min(BINS - 1)] += 1;
            }
            (None, None) => {
                self.failed += 1;
                *self.failures.entry("no_score".into()).or_default() += 1;
            }
        }
    }

    /// The summary drawn for a terminal: grades, failures, a histogram.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let rate = if self.seconds > 0.0 {
            format!(", {:.0} subjects/s", self.scored_now as f64 / self.seconds)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "batch {} — {}: {} items, {} scored, {} failed ({} scored now in {:.1} s{rate}; {} answered from the log)",
            self.batch,
            self.model,
            self.items,
            self.scored,
            self.failed,
            self.scored_now,
            self.seconds,
            self.from_log
        );
        if let (Some(min), Some(mean), Some(max)) =
            (self.score_min, self.score_mean, self.score_max)
        {
            let _ = writeln!(s, "scores: min {min:.2}, mean {mean:.2}, max {max:.2}");
        }
        let _ = writeln!(s, "\ngrades:");
        for (grade, n) in &self.grades {
            let pct = percent(*n, self.scored);
            let _ = writeln!(
                s,
                "  {grade:<8} {n:>10}  {pct:>5.1} %  {}",
                bar(*n, self.scored, 40)
            );
        }
        if !self.failures.is_empty() {
            let _ = writeln!(s, "\nfailures:");
            for (code, n) in &self.failures {
                let example = self
                    .failure_examples
                    .get(code)
                    .map(|m| format!("  e.g. {}", truncate(m, 90)))
                    .unwrap_or_default();
                let _ = writeln!(s, "  {code:<16} {n:>10}{example}");
            }
        }
        let peak = self.histogram.iter().copied().max().unwrap_or(0);
        if peak > 0 {
            let _ = writeln!(s, "\nscore distribution:");
            let width = (self.scale_max - self.scale_min) / BINS as f64;
            // From the first bin with a score to the last: empty ends say nothing.
            let first = self.histogram.iter().position(|n| *n > 0).unwrap_or(0);
            let last = self.histogram.iter().rposition(|n| *n > 0).unwrap_or(0);
            for (i, n) in self.histogram.iter().enumerate().take(last + 1).skip(first) {
                let from = self.scale_min + width * i as f64;
                let _ = writeln!(
                    s,
                    "  {:>8.1} – {:<8.1} {n:>10}  {}",
                    from,
                    from + width,
                    bar(*n, peak, 50)
                );
            }
        }
        s
    }
}

fn percent(n: u64, of: u64) -> f64 {
    if of == 0 {
        0.0
    } else {
        n as f64 * 100.0 / of as f64
    }
}

/// A horizontal bar of up to `width` cells, in eighths of a cell.
fn bar(n: u64, of: u64, width: usize) -> String {
    if of == 0 || n == 0 {
        return String::new();
    }
    const PARTS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    let eighths = ((n as f64 / of as f64) * (width * 8) as f64)
        .round()
        .max(1.0) as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(PARTS[eighths % 8 - 1]);
    }
    s
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
