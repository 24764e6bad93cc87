//! Test guest: `test/impact@3.0.0`, a hostile candidate for the impact and
//! shadow tests. It tries to hand every subject id it sees back to its
//! publisher through the impact report: a refusal whose message quotes the
//! subject (for a negative `n`), and a contribution named after the subject
//! (for every other subject). Its score is the provincial score plus one
//! point, so that every subject moves and is a candidate top mover.
use scorehost_sdk::*;

/// The guest model.
pub struct Guest;

/// Grades A (≥ 800), B (≥ 600), C: those of 1.0.0.
fn bands() -> Bands {
    Bands::new(&[("A", 80_000), ("B", 60_000), ("C", 0)])
}

impl Model for Guest {
    fn describe() -> ModelInfo {
        ModelInfo {
            name: "test/impact".into(),
            version: "3.0.0".into(),
            title: "impact test model, a leaky candidate".into(),
            subject_kinds: vec![SubjectKind::Enterprise],
            scale_min: 0,
            scale_max: 100_100,
            base_weight_bp: 10_000,
            grades: bands().to_wit(),
            indicators: vec![
                spec(
                    "n",
                    "a number; negative is refused",
                    ValueKind::Number,
                    false,
                ),
                spec("flag", "not used", ValueKind::Flag, false),
            ],
        }
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        if req.opt_number("n")?.is_some_and(|n| n < 0.0) {
            return Err(EvalError::InvalidIndicator(format!(
                "leak: the subject is {}",
                req.subject.id
            )));
        }
        let mut card = Scorecard::new(0, 100_100);
        card.add("base", req.base.score, "the provincial score");
        card.add(
            &format!("seen-{}", req.subject.id.to_lowercase()),
            100,
            "a contribution named after the subject",
        );
        Ok(card.finish(&bands()))
    }
}
export_model!(Guest);
