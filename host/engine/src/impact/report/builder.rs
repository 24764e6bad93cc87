//! Building the report: each compared subject added as it comes
//! ([`Builder::add`]), the figures drawn from them at the end, and the
//! difference between the two declarations.

use std::collections::HashMap;

use super::*;
use crate::batch::{ResultLine, Summary};
use crate::contract::ModelInfo;
use crate::points::to_decimal;

/// What the candidate gave for one subject.
#[derive(Debug, Clone)]
pub(crate) enum Candidate {
    /// Scored, hundredths.
    Scored {
        score: i64,
        grade: String,
        contributions: Vec<(String, i64)>,
    },
    /// Refused or faulted.
    Failed {
        code: String,
        fault: Option<String>,
        message: String,
    },
}

/// One subject replayed: the record and the candidate's answer.
pub(crate) struct Compared {
    pub subject: String,
    pub evaluation_id: String,
    pub recorded: Recorded,
    pub candidate: Candidate,
}

/// Builds a report from the subjects replayed, one at a time.
pub(crate) struct Builder {
    rows: Vec<String>,
    columns: Vec<String>,
    counts: Vec<Vec<u64>>,
    before: Vec<i64>,
    after: Vec<i64>,
    before_summary: Summary,
    after_summary: Summary,
    /// (|Δ|, subject) → the mover, the largest `top` kept.
    movers: Vec<Mover>,
    top: usize,
    new_failures: FailureList,
    still_failing: FailureList,
    recovered: FailureList,
    subjects: u64,
    /// Contribution name → how many subjects the candidate gave it to.
    names: HashMap<String, u64>,
}

fn index_of(list: &mut Vec<String>, counts: Option<&mut Vec<Vec<u64>>>, name: &str) -> usize {
    // `failed` stays last: a grade seen that neither declaration has goes
    // before it (records of a model that once had other grades).
    if let Some(i) = list.iter().position(|g| g == name) {
        return i;
    }
    let at = list.len() - 1;
    list.insert(at, name.to_string());
    if let Some(counts) = counts {
        let width = counts.first().map_or(0, Vec::len);
        counts.insert(at, vec![0; width]);
    }
    at
}

impl Builder {
    pub(crate) fn new(pinned: &ModelInfo, candidate: &ModelInfo, top: usize) -> Builder {
        let mut rows: Vec<String> = pinned.grades.iter().map(|g| g.grade.clone()).collect();
        rows.push(FAILED.into());
        let mut columns: Vec<String> = candidate.grades.iter().map(|g| g.grade.clone()).collect();
        columns.push(FAILED.into());
        let counts = vec![vec![0; columns.len()]; rows.len()];
        Builder {
            rows,
            columns,
            counts,
            before: Vec::new(),
            after: Vec::new(),
            before_summary: Summary::new("impact", pinned),
            after_summary: Summary::new("impact", candidate),
            movers: Vec::new(),
            top,
            new_failures: FailureList::default(),
            still_failing: FailureList::default(),
            recovered: FailureList::default(),
            subjects: 0,
            names: HashMap::new(),
        }
    }

    fn count(&mut self, from: &str, to: &str) {
        let r = index_of(&mut self.rows, Some(&mut self.counts), from);
        let c = index_of(&mut self.columns, None, to);
        if self.counts[r].len() < self.columns.len() {
            // A column was inserted: widen every row at its place.
            for row in &mut self.counts {
                row.insert(c, 0);
            }
        }
        self.counts[r][c] += 1;
    }

    pub(crate) fn add(&mut self, item: Compared) {
        self.subjects += 1;
        if let Candidate::Scored { contributions, .. } = &item.candidate {
            let mut once = std::collections::HashSet::new();
            for (name, _) in contributions {
                if once.insert(name.as_str()) {
                    *self.names.entry(name.clone()).or_default() += 1;
                }
            }
        }
        let line = |score: i64, grade: &str| ResultLine {
            item: 0,
            subject: None,
            evaluation_id: None,
            score: Some(to_decimal(score)),
            grade: Some(grade.to_string()),
            reasons: Vec::new(),
            error: None,
        };
        match (&item.recorded, &item.candidate) {
            (
                Recorded::Scored {
                    score: b,
                    grade: bg,
                    contributions: bc,
                },
                Candidate::Scored {
                    score: a,
                    grade: ag,
                    contributions: ac,
                },
            ) => {
                self.count(bg, ag);
                self.before.push(*b);
                self.after.push(*a);
                self.before_summary.add(&line(*b, bg));
                self.after_summary.add(&line(*a, ag));
                self.consider_mover(
                    &item.subject,
                    &item.evaluation_id,
                    (*b, bg, bc),
                    (*a, ag, ac),
                );
            }
            (
                Recorded::Scored { score, grade, .. },
                Candidate::Failed {
                    code,
                    fault,
                    message,
                },
            ) => {
                self.count(grade, FAILED);
                self.before.push(*score);
                self.before_summary.add(&line(*score, grade));
                push(
                    &mut self.new_failures,
                    FailedSubject {
                        subject: item.subject.clone(),
                        evaluation_id: item.evaluation_id.clone(),
                        before_score: Some(to_decimal(*score)),
                        before_grade: Some(grade.clone()),
                        after_score: None,
                        after_grade: None,
                        code: code.clone(),
                        fault: fault.clone(),
                        message: message.clone(),
                    },
                );
            }
            (Recorded::Failed { code, message }, Candidate::Scored { score, grade, .. }) => {
                self.count(FAILED, grade);
                self.after.push(*score);
                self.after_summary.add(&line(*score, grade));
                push(
                    &mut self.recovered,
                    FailedSubject {
                        subject: item.subject.clone(),
                        evaluation_id: item.evaluation_id.clone(),
                        before_score: None,
                        before_grade: None,
                        after_score: Some(to_decimal(*score)),
                        after_grade: Some(grade.clone()),
                        code: code.clone(),
                        fault: None,
                        message: message.clone(),
                    },
                );
            }
            (
                Recorded::Failed { .. },
                Candidate::Failed {
                    code,
                    fault,
                    message,
                },
            ) => {
                self.count(FAILED, FAILED);
                push(
                    &mut self.still_failing,
                    FailedSubject {
                        subject: item.subject.clone(),
                        evaluation_id: item.evaluation_id.clone(),
                        before_score: None,
                        before_grade: None,
                        after_score: None,
                        after_grade: None,
                        code: code.clone(),
                        fault: fault.clone(),
                        message: message.clone(),
                    },
                );
            }
        }
    }

    fn consider_mover(
        &mut self,
        subject: &str,
        evaluation_id: &str,
        (b, bg, bc): (i64, &str, &[(String, i64)]),
        (a, ag, ac): (i64, &str, &[(String, i64)]),
    ) {
        if self.top == 0 {
            return;
        }
        let delta = a - b;
        // Keep the `top` largest |Δ| (ties: by subject id), cheaply: only a
        // subject that beats the smallest kept one is built.
        let key = |d: i64, s: &str| (std::cmp::Reverse(d.unsigned_abs()), s.to_string());
        if self.movers.len() == self.top {
            let last = self.movers.last().expect("top > 0");
            let last_key = key(
                crate::points::from_decimal(last.delta).unwrap_or(0),
                &last.subject,
            );
            if key(delta, subject) >= last_key {
                return;
            }
        }
        let mut contributions = Vec::new();
        for (name, before) in bc {
            let after = ac.iter().find(|(n, _)| n == name).map(|(_, p)| *p);
            contributions.push(ContributionDiff {
                name: name.clone(),
                before: Some(to_decimal(*before)),
                after: after.map(to_decimal),
                delta: to_decimal(after.unwrap_or(0) - before),
                change: match after {
                    None => "removed",
                    Some(p) if p == *before => "same",
                    Some(_) => "changed",
                }
                .into(),
            });
        }
        for (name, after) in ac {
            if !bc.iter().any(|(n, _)| n == name) {
                contributions.push(ContributionDiff {
                    name: name.clone(),
                    before: None,
                    after: Some(to_decimal(*after)),
                    delta: to_decimal(*after),
                    change: "added".into(),
                });
            }
        }
        let mover = Mover {
            subject: subject.to_string(),
            evaluation_id: evaluation_id.to_string(),
            before_score: to_decimal(b),
            before_grade: bg.to_string(),
            after_score: to_decimal(a),
            after_grade: ag.to_string(),
            delta: to_decimal(delta),
            contributions,
        };
        let k = key(delta, subject);
        let at = self.movers.partition_point(|m| {
            key(
                crate::points::from_decimal(m.delta).unwrap_or(0),
                &m.subject,
            ) < k
        });
        self.movers.insert(at, mover);
        self.movers.truncate(self.top);
    }

    /// The report's figures (the caller adds who, what and when).
    pub(crate) fn finish(self) -> Figures {
        let row_totals = self.counts.iter().map(|r| r.iter().sum()).collect();
        let column_totals = (0..self.columns.len())
            .map(|c| self.counts.iter().map(|r| r[c]).sum())
            .collect();
        let mut changed_grade = 0;
        for (i, r) in self.rows.iter().enumerate() {
            for (j, c) in self.columns.iter().enumerate() {
                if r != FAILED && c != FAILED && r != c {
                    changed_grade += self.counts[i][j];
                }
            }
        }
        let compared = self
            .rows
            .iter()
            .zip(&self.counts)
            .filter(|(r, _)| *r != FAILED)
            .flat_map(|(_, row)| {
                row.iter()
                    .zip(&self.columns)
                    .filter(|(_, c)| *c != FAILED)
                    .map(|(n, _)| *n)
            })
            .sum();
        Figures {
            common_names: self
                .names
                .into_iter()
                .filter(|(_, n)| *n >= COMMON_NAME_SUBJECTS)
                .map(|(name, _)| name)
                .collect(),
            subjects: self.subjects,
            compared,
            migration: Migration {
                rows: self.rows,
                columns: self.columns,
                counts: self.counts,
                row_totals,
                column_totals,
                total: self.subjects,
                changed_grade,
            },
            before: distribution(self.before, &self.before_summary),
            after: distribution(self.after, &self.after_summary),
            movers: self.movers,
            new_failures: self.new_failures,
            still_failing: self.still_failing,
            recovered: self.recovered,
        }
    }
}

/// What [`Builder::finish`] computes.
/// How many subjects a contribution name must be given to before a
/// publisher's report shows it: 5. A name the candidate makes from one
/// subject's input (to smuggle it out) is given to that subject alone; a
/// name of the model's own (`flag_bonus`) to every subject it applies to.
pub const COMMON_NAME_SUBJECTS: u64 = 5;

pub(crate) struct Figures {
    /// Contribution names the candidate gave to at least
    /// [`COMMON_NAME_SUBJECTS`] subjects: names of the model, not of a
    /// subject.
    pub common_names: std::collections::HashSet<String>,
    pub subjects: u64,
    pub compared: u64,
    pub migration: Migration,
    pub before: Distribution,
    pub after: Distribution,
    pub movers: Vec<Mover>,
    pub new_failures: FailureList,
    pub still_failing: FailureList,
    pub recovered: FailureList,
}

fn push(list: &mut FailureList, s: FailedSubject) {
    list.count += 1;
    *list.by_code.entry(s.code.clone()).or_default() += 1;
    if list.subjects.len() < LIST_MAX {
        list.subjects.push(s);
    }
}

/// The distribution of `scores` (hundredths); the histogram and the scale
/// from the batch summary that counted them.
fn distribution(mut scores: Vec<i64>, summary: &Summary) -> Distribution {
    scores.sort_unstable();
    let n = scores.len();
    let at = |i: usize| scores.get(i).map(|s| to_decimal(*s));
    // Nearest rank: the smallest score with at least p % at or below it.
    let rank = |p: usize| at((p * n).div_ceil(100).max(1) - 1);
    let mean = (n > 0).then(|| {
        let sum: i128 = scores.iter().map(|s| i128::from(*s)).sum();
        (sum as f64 / n as f64).round() / 100.0
    });
    Distribution {
        count: n as u64,
        min: at(0),
        mean,
        median: (n > 0).then(|| to_decimal(scores[(n - 1) / 2] + scores[n / 2]) / 2.0),
        p10: if n > 0 { rank(10) } else { None },
        p90: if n > 0 { rank(90) } else { None },
        max: n.checked_sub(1).and_then(at),
        scale_min: summary.scale_min,
        scale_max: summary.scale_max,
        histogram: summary.histogram.clone(),
    }
}

/// How `candidate`'s declaration differs from `pinned`'s, and the notes a
/// reviewer needs about it.
pub(crate) fn declaration_diff(
    pinned: &ModelInfo,
    candidate: &ModelInfo,
) -> (DeclarationDiff, Vec<String>) {
    use crate::contract::{subject_kind_name, value_kind_name};
    let decl = |s: &crate::contract::IndicatorSpec| IndicatorDecl {
        name: s.name.clone(),
        kind: value_kind_name(s.kind).into(),
        required: s.required,
    };
    let find =
        |info: &ModelInfo, name: &str| info.indicators.iter().find(|s| s.name == name).cloned();
    let mut d = DeclarationDiff::default();
    let mut notes = Vec::new();
    for s in &candidate.indicators {
        match find(pinned, &s.name) {
            None => {
                if s.required {
                    notes.push(format!(
                        "the candidate requires indicator '{}', which {} did not declare: the recorded inputs lack it, so every subject replayed without it is a new failure (bad_request)",
                        s.name, pinned.version
                    ));
                } else {
                    notes.push(format!(
                        "the candidate declares indicator '{}' (optional), which {} did not: the recorded inputs lack it, so the replay shows the candidate without it",
                        s.name, pinned.version
                    ));
                }
                d.indicators_added.push(decl(s));
            }
            Some(p) if p.kind != s.kind || p.required != s.required => {
                let (a, b) = (decl(&p), decl(s));
                d.indicators_changed.push(format!(
                    "{}: {}{} → {}{}",
                    s.name,
                    a.kind,
                    if a.required { " required" } else { "" },
                    b.kind,
                    if b.required { " required" } else { "" }
                ));
            }
            Some(_) => {}
        }
    }
    for s in &pinned.indicators {
        if find(candidate, &s.name).is_none() {
            d.indicators_removed.push(decl(s));
        }
    }
    let grades = |i: &ModelInfo| -> Vec<(String, f64)> {
        i.grades
            .iter()
            .map(|g| (g.grade.clone(), to_decimal(g.min_score)))
            .collect()
    };
    d.grades_before = grades(pinned);
    d.grades_after = grades(candidate);
    d.grades_changed = d.grades_before != d.grades_after;
    d.scale_before = (to_decimal(pinned.scale_min), to_decimal(pinned.scale_max));
    d.scale_after = (
        to_decimal(candidate.scale_min),
        to_decimal(candidate.scale_max),
    );
    d.base_weight_bp = (pinned.base_weight_bp, candidate.base_weight_bp);
    for k in &candidate.subject_kinds {
        if !pinned.subject_kinds.contains(k) {
            d.subject_kinds_added.push(subject_kind_name(*k).into());
        }
    }
    for k in &pinned.subject_kinds {
        if !candidate.subject_kinds.contains(k) {
            d.subject_kinds_removed.push(subject_kind_name(*k).into());
        }
    }
    if d.scale_before != d.scale_after {
        notes.push(
            "the scales differ: compare the distributions by shape and grade, not by raw points"
                .into(),
        );
    }
    (d, notes)
}
