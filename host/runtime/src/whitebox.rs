//! Checks after a call: a result that breaks the white box is a plugin
//! fault, not a score.

use crate::contract::{Evaluation, ModelInfo};

/// Why `eval` is not an acceptable result of the model `info` describes, or
/// `None` if it is: the contributions must add up to the score exactly (no
/// overflow), the score must lie on the declared scale, and the grade must be
/// one of the declared grades.
///
/// The grade is not required to match the score's band: models apply hard
/// rules (a black-list veto) that the SDK expresses as visible contributions,
/// but a model may also grade by rule.
pub fn violation(info: &ModelInfo, eval: &Evaluation) -> Option<String> {
    let sum = eval
        .contributions
        .iter()
        .try_fold(0i64, |acc, c| acc.checked_add(c.points));
    match sum {
        None => return Some("the contributions overflow when added".into()),
        Some(s) if s != eval.score => {
            return Some(format!(
                "the contributions add up to {}, not the score {}",
                crate::points::format(s),
                crate::points::format(eval.score)
            ));
        }
        _ => {}
    }
    if eval.score < info.scale_min || eval.score > info.scale_max {
        return Some(format!(
            "score {} is off the declared scale {}..{}",
            crate::points::format(eval.score),
            crate::points::format(info.scale_min),
            crate::points::format(info.scale_max)
        ));
    }
    if !info.grades.iter().any(|g| g.grade == eval.grade) {
        let grades: Vec<_> = info.grades.iter().map(|g| g.grade.as_str()).collect();
        return Some(format!(
            "grade '{}' is not one of the declared grades ({})",
            eval.grade,
            grades.join(", ")
        ));
    }
    None
}

/// The size of a result as the host counts it against the result-size cap:
/// the bytes of every string plus 16 bytes of framing per item.
pub fn result_size(eval: &Evaluation) -> u64 {
    let strings = eval.grade.len()
        + eval
            .contributions
            .iter()
            .map(|c| c.name.len() + c.note.len() + 16)
            .sum::<usize>()
        + eval.reasons.iter().map(|r| r.len() + 16).sum::<usize>();
    strings as u64 + 16
}
