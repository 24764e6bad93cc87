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

/// Hundredths as points with two decimals (`-20.05`), without floating-point
/// formatting (which is slow in wasm and, for notes, needlessly inexact).
///
/// ```
/// assert_eq!(scorehost_sdk::format_points(81_250), "812.50");
/// assert_eq!(scorehost_sdk::format_points(-2_005), "-20.05");
/// ```
pub fn format_points(hundredths: Points) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let a = hundredths.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Like [`format_points`], with a `+` on positive values.
pub fn format_points_signed(hundredths: Points) -> String {
    if hundredths > 0 {
        format!("+{}", format_points(hundredths))
    } else {
        format_points(hundredths)
    }
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
    /// Full marks of each part, where the model gave them (hundredths).
    maxima: Vec<Option<Points>>,
    reasons: Vec<String>,
}

/// How many automatic reasons [`Scorecard::finish`] adds after the model's own.
const AUTO_REASONS: usize = 3;

impl Scorecard {
    /// A scorecard on the scale `scale_min..=scale_max` (hundredths).
    pub fn new(scale_min: Points, scale_max: Points) -> Scorecard {
        Scorecard {
            scale_min,
            scale_max,
            parts: Vec::new(),
            maxima: Vec::new(),
            reasons: Vec::new(),
        }
    }

    /// Add a part given in points (may be fractional); returns the rounded
    /// hundredths that were recorded.
    pub fn add_points(&mut self, name: &str, points: f64, note: &str) -> Points {
        let h = points_from_f64(points);
        self.add(name, h, note);
        h
    }

    /// Add a part given in points, out of `max_points` full marks; the
    /// shortfall from full marks is what [`finish`](Scorecard::finish) ranks
    /// reasons by ("why is my score not higher?").
    pub fn add_points_of(
        &mut self,
        name: &str,
        points: f64,
        max_points: f64,
        note: &str,
    ) -> Points {
        let h = self.add_points(name, points, note);
        if let Some(m) = self.maxima.last_mut() {
            *m = Some(points_from_f64(max_points));
        }
        h
    }

    /// Add the provincial base as the part named `base`: `weight_bp` basis
    /// points (3000 = 30 %) of `base_score`, rounded once. Returns the
    /// hundredths recorded. The share a model declares as `base-weight-bp`.
    pub fn add_base_share(&mut self, base_score: Points, weight_bp: u32, note: &str) -> Points {
        self.add_points(
            "base",
            points_to_f64(base_score) * f64::from(weight_bp) / 10_000.0,
            note,
        )
    }

    /// Add a part given in hundredths.
    pub fn add(&mut self, name: &str, hundredths: Points, note: &str) {
        self.parts.push(Contribution {
            name: name.to_string(),
            points: hundredths,
            note: note.to_string(),
        });
        self.maxima.push(None);
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
        // The rule states its own reason; give the part "full marks" so it
        // is not ranked again among the shortfalls.
        if let Some(m) = self.maxima.last_mut() {
            *m = Some(max - total);
        }
        self.reason(note.to_string());
        true
    }

    /// Close the scorecard: keep the score on the scale (as a visible
    /// `scale-bound` part), take the grade from `bands`, and list reasons.
    pub fn finish(self, bands: &Bands) -> Evaluation {
        let mut card = self;
        let total = card.total();
        if total > card.scale_max {
            card.add(
                "scale-bound",
                card.scale_max - total,
                "capped at the top of the scale",
            );
        } else if total < card.scale_min {
            card.add(
                "scale-bound",
                card.scale_min - total,
                "raised to the bottom of the scale",
            );
        }
        let score = card.total();
        let grade = bands.grade_for(score).to_string();

        // Rank what held the score down: the shortfall from full marks, or
        // the size of a deduction. The model's own reasons come first.
        let mut moves: Vec<(Points, usize)> = card
            .parts
            .iter()
            .zip(&card.maxima)
            .enumerate()
            .filter(|(_, (c, _))| c.name != "base" && c.name != "scale-bound")
            .map(|(i, (c, max))| (max.map_or(-c.points, |m| m - c.points), i))
            .filter(|(lost, _)| *lost > 0)
            .collect();
        // Stable: equal shortfalls keep the order the model added them in.
        moves.sort_by_key(|(lost, _)| std::cmp::Reverse(*lost));
        let mut reasons = card.reasons.clone();
        for &(_, i) in moves.iter().take(AUTO_REASONS) {
            let c = &card.parts[i];
            let r = match card.maxima[i] {
                Some(m) => format!(
                    "{}: {} of {} ({})",
                    c.name,
                    format_points(c.points),
                    format_points(m),
                    c.note
                ),
                None => format!(
                    "{}: {} ({})",
                    c.name,
                    format_points_signed(c.points),
                    c.note
                ),
            };
            if !reasons.contains(&r) {
                reasons.push(r);
            }
        }
        Evaluation {
            score,
            grade,
            contributions: card.parts,
            reasons,
        }
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
        assert_eq!(
            e.contributions.iter().map(|c| c.points).sum::<i64>(),
            e.score
        );
        assert_eq!(e.score, 24_375 + 33 + 33);
        assert_eq!(e.grade, "B");
    }

    #[test]
    fn caps_and_bounds_are_visible_parts() {
        let bands = Bands::new(&[("A", 50_000), ("B", 0)]);
        let mut c = Scorecard::new(0, 100_000);
        c.add_points("base", 900.0, "base");
        c.add_points_of("bonus", 300.0, 400.0, "bonus");
        c.add_points("penalty", -20.0, "late filing");
        let e = c.clone().finish(&bands);
        assert_eq!(e.score, 100_000);
        assert_eq!(e.contributions.last().unwrap().points, -18_000);
        assert_eq!(
            e.reasons,
            [
                "bonus: 300.00 of 400.00 (bonus)",
                "penalty: -20.00 (late filing)"
            ]
        );
        assert!(c.cap(49_999, "black-list", "black-listed: capped"));
        let e = c.finish(&bands);
        assert_eq!((e.score, e.grade.as_str()), (49_999, "B"));
        assert_eq!(e.reasons[0], "black-listed: capped");
        assert_eq!(e.reasons.len(), 3, "{:?}", e.reasons);
    }
}
