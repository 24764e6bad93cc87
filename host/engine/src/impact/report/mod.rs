//! The impact report: what a reviewer reads before approving a candidate —
//! the grade-migration matrix, the score distributions before and after,
//! the subjects that move most (contribution by contribution), the new
//! failures, and how the two declarations differ — as JSON and drawn for
//! a terminal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::select::{Recorded, Skipped};
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
    /// What the candidate changes downstream, through each composite in
    /// force that uses the model (`super::downstream`); absent when none
    /// does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub downstream: Vec<super::downstream::Downstream>,
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

mod builder;
mod render;

pub(crate) use builder::{Builder, Candidate, Compared, declaration_diff};
