//! The contribution builder: the white box adds up by construction.

use crate::{Bands, Contribution, Evaluation, Points};

/// Round a score in points (812.505) to the contract's hundredths (81251),
/// half away from zero. The one place a model's arithmetic is rounded.
pub fn points_from_f64(points: f64) -> Points {
    (points * 100.0).round() as Points
}

/// Hundredths (81250) as points (812.5), for arithmetic on the base score.
pub fn points_to_f64(hundredths: Points) -> f64 {
    hundredths as f64 / 100.0
}

/// Builds an [`Evaluation`] from its parts.
///
/// Each part is rounded to hundredths once, when it is added; the score is
/// the sum of the rounded parts, never computed separately, so the
/// contributions add up to the score exactly. Hard rules ([`cap`](Scorecard::cap))
/// and the scale's bounds are applied as contributions of their own, so they
/// show in the white box too.
#[derive(Clone, Debug)]
pub struct Scorecard {
    scale_min: Points,
    scale_max: Points,
    parts: Vec<Contribution>,
    reasons: Vec<String>,
}

/// How many automatic reasons [`Scorecard::finish`] adds after the model's own.
const AUTO_REASONS: usize = 3;

impl Scorecard {
    /// A scorecard on the scale `scale_min..=scale_max` (hundredths).
    pub fn new(scale_min: Points, scale_max: Points) -> Scorecard {
        Scorecard { scale_min, scale_max, parts: Vec::new(), reasons: Vec::new() }
    }

    /// Add a part given in points (may be fractional); returns the rounded
    /// hundredths that were recorded.
    pub fn add_points(&mut self, name: &str, points: f64, note: &str) -> Points {
        let h = points_from_f64(points);
        self.add(name, h, note);
        h
    }

    /// Add a part given in hundredths.
    pub fn add(&mut self, name: &str, hundredths: Points, note: &str) {
        self.parts.push(Contribution {
            name: name.to_string(),
            points: hundredths,
            note: note.to_string(),
        });
    }

    /// Add a principal reason. Reasons given here come first, in the order
    /// given; [`finish`](Scorecard::finish) appends the largest moves after them.
    pub fn reason(&mut self, text: impl Into<String>) {
        self.reasons.push(text.into());
    }

    /// The sum of the parts so far.
    pub fn total(&self) -> Points {
        self.parts.iter().map(|c| c.points).sum()
    }

    /// A hard rule: if the total exceeds `max`, add a negative part `name`
    /// that brings it down to `max` (and a reason). Returns whether it applied.
    pub fn cap(&mut self, max: Points, name: &str, note: &str) -> bool {
        let total = self.total();
        if total <= max {
            return false;
        }
        self.add(name, max - total, note);
        self.reason(note.to_string());
        true
    }

    /// Close the scorecard: keep the score on the scale (as a visible
    /// `scale-bound` part), take the grade from `bands`, and list reasons.
    pub fn finish(self, bands: &Bands) -> Evaluation {
        let mut card = self;
        let total = card.total();
        if total > card.scale_max {
            card.add("scale-bound", card.scale_max - total, "capped at the top of the scale");
        } else if total < card.scale_min {
            card.add("scale-bound", card.scale_min - total, "raised to the bottom of the scale");
        }
        let score = card.total();
        let grade = bands.grade_for(score).to_string();

        let mut moves: Vec<&Contribution> =
            card.parts.iter().filter(|c| c.name != "base" && c.points != 0).collect();
        moves.sort_by_key(|c| std::cmp::Reverse(c.points.unsigned_abs()));
        let mut reasons = card.reasons.clone();
        for c in moves.into_iter().take(AUTO_REASONS) {
            let r = format!("{}: {:+.2} ({})", c.name, points_to_f64(c.points), c.note);
            if !reasons.contains(&r) {
                reasons.push(r);
            }
        }
        Evaluation { score, grade, contributions: card.parts, reasons }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_round_once_and_add_up() {
        let bands = Bands::new(&[("A", 50_000), ("B", 0)]);
        let mut c = Scorecard::new(0, 100_000);
        c.add_points("base", 812.505 * 0.3, "30 % of the base");
        c.add_points("x", 1.0 / 3.0, "a third");
        c.add_points("y", 1.0 / 3.0, "a third");
        let e = c.finish(&bands);
        assert_eq!(e.contributions.iter().map(|c| c.points).sum::<i64>(), e.score);
        assert_eq!(e.score, 24_375 + 33 + 33);
        assert_eq!(e.grade, "B");
    }

    #[test]
    fn caps_and_bounds_are_visible_parts() {
        let bands = Bands::new(&[("A", 50_000), ("B", 0)]);
        let mut c = Scorecard::new(0, 100_000);
        c.add_points("base", 900.0, "base");
        c.add_points("bonus", 300.0, "bonus");
        let e = c.clone().finish(&bands);
        assert_eq!(e.score, 100_000);
        assert_eq!(e.contributions.last().unwrap().points, -20_000);
        assert!(c.cap(49_999, "black-list", "black-listed: capped"));
        let e = c.finish(&bands);
        assert_eq!((e.score, e.grade.as_str()), (49_999, "B"));
        assert_eq!(e.reasons[0], "black-listed: capped");
    }
}
