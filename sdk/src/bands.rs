//! Grade bands: the lowest score that earns each grade.

use crate::{GradeBand, Points};

/// A model's grade bands, best grade first.
///
/// ```
/// let bands = scorehost_sdk::Bands::new(&[("A", 85_000), ("B", 70_000), ("C", 55_000), ("D", 0)]);
/// assert_eq!(bands.grade_for(70_000), "B");
/// assert_eq!(bands.grade_for(69_999), "C");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Bands {
    bands: Vec<(String, Points)>,
}

impl Bands {
    /// Bands from `(grade, min_score)` pairs, in any order. The lowest band
    /// should start at the scale minimum so that every score has a grade.
    pub fn new(bands: &[(&str, Points)]) -> Bands {
        let mut bands: Vec<(String, Points)> =
            bands.iter().map(|(g, m)| (g.to_string(), *m)).collect();
        bands.sort_by_key(|b| std::cmp::Reverse(b.1));
        Bands { bands }
    }

    /// The grade earned by `score`: the best band whose minimum it reaches.
    /// A score below every band gets the lowest grade.
    pub fn grade_for(&self, score: Points) -> &str {
        self.bands
            .iter()
            .find(|(_, min)| score >= *min)
            .or(self.bands.last())
            .map(|(g, _)| g.as_str())
            .unwrap_or("")
    }

    /// The lowest score of `grade`, if it is one of these bands.
    pub fn min_of(&self, grade: &str) -> Option<Points> {
        self.bands.iter().find(|(g, _)| g == grade).map(|(_, m)| *m)
    }

    /// The bands as the contract's `grade-band` list, best first, for
    /// [`crate::ModelInfo::grades`].
    pub fn to_wit(&self) -> Vec<GradeBand> {
        self.bands
            .iter()
            .map(|(grade, min_score)| GradeBand {
                grade: grade.clone(),
                min_score: *min_score,
            })
            .collect()
    }
}
