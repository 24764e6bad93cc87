//! The impact report: what a reviewer reads before approving a candidate —
//! the grade-migration matrix, the score distributions before and after,
//! the subjects that move most (contribution by contribution), the new
//! failures, and how the two declarations differ — as JSON and drawn for
//! a terminal.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::select::{Recorded, Skipped};
use crate::batch::{ResultLine, Summary};
use crate::contract::ModelInfo;
use crate::points::to_decimal;
use crate::wire::ModelRef;

/// Entries kept in each list of subjects (`new_failures`, `still_failing`,
/// `recovered`); their counts are always complete.
pub const LIST_MAX: usize = 200;

/// The row and column of subjects without a score.
pub const FAILED: &str = "failed";

/// An impact report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImpactReport {
    /// `namespace/name`.
    pub model: String,
    /// The pinned version, whose recorded evaluations were replayed.
    pub pinned: ModelRef,
    /// The candidate.
    pub candidate: ModelRef,
    /// The candidate's status in the registry when the report was made.
    pub candidate_status: String,
    /// Which records were replayed.
    pub selection: SelectionSummary,
    /// When the report was made (RFC 3339, UTC).
    pub generated_at: String,
    /// Subjects replayed (one each: their latest evaluation).
    pub subjects: u64,
    /// Subjects both versions scored (the migration's grade cells and the
    /// distributions count these).
    pub compared: u64,
    /// From each pinned grade to each candidate grade.
    pub migration: Migration,
    /// The pinned version's recorded scores of the subjects replayed.
    pub before: Distribution,
    /// The candidate's scores of the same subjects.
    pub after: Distribution,
    /// The subjects whose score moves most, largest |Δ| first.
    pub movers: Vec<Mover>,
    /// Subjects the pinned version scored and the candidate does not.
    pub new_failures: FailureList,
    /// Subjects neither version scores.
    pub still_failing: FailureList,
    /// Subjects the pinned version failed and the candidate scores.
    pub recovered: FailureList,
    /// Records not replayed.
    pub skipped: Skipped,
    /// How the candidate's `describe()` differs from the pinned one's.
    pub declaration: DeclarationDiff,
    /// What a reviewer should know to read the figures.
    pub notes: Vec<String>,
}

/// Which records were replayed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectionSummary {
    /// `replay` (the pinned version's recorded inputs, replayed through
    /// the candidate) or `shadow` (the candidate's shadow records beside
    /// the live answers they shadowed).
    pub source: String,
    /// At most this many subjects (the newest).
    pub last: u64,
    /// From this date (inclusive), if given.
    pub from: Option<String>,
    /// To this date (inclusive), if given.
    pub to: Option<String>,
    /// Evaluation records of the pinned module read (older records of a
    /// subject already selected included).
    pub records_read: u64,
    /// Whether more subjects had records than `last`.
    pub truncated: bool,
}

/// The grade-migration matrix: `counts[i][j]` subjects went from
/// `rows[i]` (the pinned version's grade, its declared order, then
/// `failed`) to `columns[j]` (the candidate's grade, its declared order —
/// grades only it has included — then `failed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Migration {
    /// The pinned version's grades, best first, then `failed`.
    pub rows: Vec<String>,
    /// The candidate's grades, best first, then `failed`.
    pub columns: Vec<String>,
    /// Subjects per (row, column).
    pub counts: Vec<Vec<u64>>,
    /// Per row.
    pub row_totals: Vec<u64>,
    /// Per column.
    pub column_totals: Vec<u64>,
    /// All subjects replayed.
    pub total: u64,
    /// Subjects scored by both whose grade (by name) changed.
    pub changed_grade: u64,
}

/// A score distribution on a model's scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Scores counted.
    pub count: u64,
    /// Lowest.
    pub min: Option<f64>,
    /// Mean.
    pub mean: Option<f64>,
    /// Median (the mean of the two middle scores for an even count).
    pub median: Option<f64>,
    /// 10th percentile (nearest rank).
    pub p10: Option<f64>,
    /// 90th percentile (nearest rank).
    pub p90: Option<f64>,
    /// Highest.
    pub max: Option<f64>,
    /// The scale's lower end (the histogram's left edge).
    pub scale_min: f64,
    /// The scale's upper end.
    pub scale_max: f64,
    /// Scores per bin: 20 equal bins from `scale_min` to `scale_max`.
    pub histogram: Vec<u64>,
}

/// A subject whose score moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mover {
    /// The subject's id.
    pub subject: String,
    /// The pinned version's record of it.
    pub evaluation_id: String,
    /// Recorded score.
    pub before_score: f64,
    /// Recorded grade.
    pub before_grade: String,
    /// The candidate's score.
    pub after_score: f64,
    /// The candidate's grade.
    pub after_grade: String,
    /// `after_score - before_score`.
    pub delta: f64,
    /// Contribution by contribution, matched by name: the pinned version's
    /// order, then contributions only the candidate has.
    pub contributions: Vec<ContributionDiff>,
}

/// One contribution before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContributionDiff {
    /// Its name (`base` or an indicator's).
    pub name: String,
    /// Points before (absent: only the candidate has it).
    pub before: Option<f64>,
    /// Points after (absent: only the pinned version has it).
    pub after: Option<f64>,
    /// `after - before`, a missing side counting 0.
    pub delta: f64,
    /// `same`, `changed`, `added` or `removed`.
    pub change: String,
}

/// Subjects that fail on one side or both.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FailureList {
    /// How many.
    pub count: u64,
    /// How many per error code (of the failing side; the candidate's when
    /// both fail).
    pub by_code: BTreeMap<String, u64>,
    /// The first [`LIST_MAX`] of them, by subject.
    pub subjects: Vec<FailedSubject>,
}

/// A subject without a score on one side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedSubject {
    /// The subject's id.
    pub subject: String,
    /// The pinned version's record of it.
    pub evaluation_id: String,
    /// The recorded score, if the pinned version scored it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_score: Option<f64>,
    /// The recorded grade, if it scored it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_grade: Option<String>,
    /// The candidate's score, if it scored it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_score: Option<f64>,
    /// The candidate's grade, if it scored it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_grade: Option<String>,
    /// The error's code (the candidate's, unless only the pinned version failed).
    pub code: String,
    /// For a plugin fault, which limit or rule the candidate broke.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
    /// The error's message.
    pub message: String,
}

/// How two declarations differ.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeclarationDiff {
    /// Indicators only the candidate declares.
    pub indicators_added: Vec<IndicatorDecl>,
    /// Indicators only the pinned version declares.
    pub indicators_removed: Vec<IndicatorDecl>,
    /// Indicators both declare with another kind or requiredness:
    /// `name: before → after`.
    pub indicators_changed: Vec<String>,
    /// The pinned version's grades with their lowest scores, best first.
    pub grades_before: Vec<(String, f64)>,
    /// The candidate's.
    pub grades_after: Vec<(String, f64)>,
    /// Whether the grades (names or bands) differ.
    pub grades_changed: bool,
    /// The pinned version's scale.
    pub scale_before: (f64, f64),
    /// The candidate's.
    pub scale_after: (f64, f64),
    /// The declared share of the provincial base, basis points, before and after.
    pub base_weight_bp: (u32, u32),
    /// Subject kinds only the candidate scores.
    pub subject_kinds_added: Vec<String>,
    /// Subject kinds only the pinned version scores.
    pub subject_kinds_removed: Vec<String>,
}

/// An indicator's declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorDecl {
    /// Name.
    pub name: String,
    /// `number`, `flag`, `text` or `date`.
    pub kind: String,
    /// Whether every request must carry it.
    pub required: bool,
}

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
