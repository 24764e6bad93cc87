//! What the test guests share: an honest `describe()` and a valid result, so
//! that each hostile guest differs from a good model in exactly one way.
use scorehost_sdk::*;

/// A valid declaration for the guest `test/<name>`: enterprises, 0–1000,
/// grades A/B, one optional number indicator `n`.
pub fn info(name: &str) -> ModelInfo {
    ModelInfo {
        name: format!("test/{name}"),
        version: "1.0.0".into(),
        title: format!("test guest {name}"),
        subject_kinds: vec![SubjectKind::Enterprise, SubjectKind::NaturalPerson],
        scale_min: 0,
        scale_max: 100_000,
        base_weight_bp: 10_000,
        grades: bands().to_wit(),
        indicators: vec![spec(
            "n",
            "a number the guest may use",
            ValueKind::Number,
            false,
        )],
    }
}

/// Grades A (≥ 500) and B.
pub fn bands() -> Bands {
    Bands::new(&[("A", 50_000), ("B", 0)])
}

/// The honest result: the provincial base as the score.
pub fn evaluation(req: &Request) -> Evaluation {
    let mut card = Scorecard::new(0, 100_000);
    card.add("base", req.base.score, "the provincial score");
    card.finish(&bands())
}
