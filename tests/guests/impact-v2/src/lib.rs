//! Test guest: `test/impact@2.0.0`, the candidate of the impact and shadow
//! tests. The score is 90 % of the provincial score (in hundredths, rounded
//! down) plus 100 points for `flag`; grades AA ≥ 900, A ≥ 750, B ≥ 550, C.
//! Refuses `n` above 1000 (as 1.0.0 does) and, unlike 1.0.0, a negative
//! `n`; for `n` = 666 it loops until the sandbox stops it (a plugin fault).
//! It declares one more indicator than 1.0.0, `sector` (optional).
use scorehost_sdk::*;

/// The guest model.
pub struct Guest;

/// Grades AA (≥ 900), A (≥ 750), B (≥ 550), C.
fn bands() -> Bands {
    Bands::new(&[("AA", 90_000), ("A", 75_000), ("B", 55_000), ("C", 0)])
}

impl Model for Guest {
    fn describe() -> ModelInfo {
        ModelInfo {
            name: "test/impact".into(),
            version: "2.0.0".into(),
            title: "impact test model, version 2".into(),
            subject_kinds: vec![SubjectKind::Enterprise],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: 9_000,
            grades: bands().to_wit(),
            indicators: vec![
                spec(
                    "n",
                    "a number; above 1000 or below 0 is refused",
                    ValueKind::Number,
                    false,
                ),
                spec("flag", "100 points when set", ValueKind::Flag, false),
                spec("sector", "not used yet", ValueKind::Text, false),
            ],
        }
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        match req.opt_number("n")? {
            Some(n) if n > 1000.0 => {
                return Err(EvalError::InvalidIndicator("n must be at most 1000".into()));
            }
            Some(n) if n < 0.0 => {
                return Err(EvalError::InvalidIndicator("n must not be negative".into()));
            }
            Some(666.0) => {
                // Hostile on purpose: spin until fuel or the epoch stops it.
                let mut i: u64 = 0;
                loop {
                    i = core::hint::black_box(i.wrapping_add(1));
                    if core::hint::black_box(i) == 0 && req.subject.id.is_empty() {
                        break;
                    }
                }
            }
            _ => {}
        }
        let mut card = Scorecard::new(0, 100_000);
        card.add(
            "base",
            req.base.score * 9 / 10,
            "90 % of the provincial score",
        );
        if req.opt_flag("flag")?.unwrap_or(false) {
            card.add("flag_bonus", 10_000, "100 points for the flag");
        }
        Ok(card.finish(&bands()))
    }
}
export_model!(Guest);
