//! The provincial public credit grade — the grade of the "1" every model
//! stacks on — and the declared [`Consequence`]s a model applies.
//!
//! The source names a provincial grade 较差 ("poor") and gives it a
//! consequence: 「将公共信用评价等级较差和被列入严重失信名单的主体纳入重点监管对象」
//! (《信用浙江》2020 no. 1–2, `credit-zhejiang-2020-01.txt` L68: subjects
//! whose public credit grade is poor, and those on the serious-untrust list,
//! become key supervision objects). It does not spell the scale out. We take
//! the province's five-grade scale, the one its sector plan prescribes for
//! every sector evaluation (L1473: 「将信用等级设置为5类」) and which the
//! environment model writes out (L1173: A 优秀, B 良好, C 中等, D 较差, E 差):
//! "poor" is D, and E (差) is worse still, so both are poor for a model.

use crate::{Consequence, EvalError, Request};

/// The provincial public credit grade: A 优秀 (excellent), B 良好 (good),
/// C 中等 (fair), D 较差 (poor), E 差 (bad).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProvincialGrade {
    /// 优秀, excellent.
    A,
    /// 良好, good.
    B,
    /// 中等, fair.
    C,
    /// 较差, poor: key supervision (L68).
    D,
    /// 差, bad: worse than poor.
    E,
}

impl ProvincialGrade {
    /// The five grades, best first.
    pub const ALL: [ProvincialGrade; 5] = [
        ProvincialGrade::A,
        ProvincialGrade::B,
        ProvincialGrade::C,
        ProvincialGrade::D,
        ProvincialGrade::E,
    ];

    /// The `when` of a consequence that applies to a poor provincial grade
    /// ([`ProvincialGrade::is_poor`]).
    pub const WHEN_POOR: &'static str = "base:poor";

    /// Parse a base grade as the provincial platform writes it: the letter
    /// (`"D"`) or the Chinese name (`"较差"`). `None` for anything else.
    pub fn parse(s: &str) -> Option<ProvincialGrade> {
        ProvincialGrade::ALL
            .into_iter()
            .find(|g| s == g.letter() || s == g.chinese())
    }

    /// The grade's letter, `"A"` to `"E"`.
    pub fn letter(self) -> &'static str {
        match self {
            ProvincialGrade::A => "A",
            ProvincialGrade::B => "B",
            ProvincialGrade::C => "C",
            ProvincialGrade::D => "D",
            ProvincialGrade::E => "E",
        }
    }

    /// The grade's Chinese name (优秀, 良好, 中等, 较差, 差).
    pub fn chinese(self) -> &'static str {
        match self {
            ProvincialGrade::A => "优秀",
            ProvincialGrade::B => "良好",
            ProvincialGrade::C => "中等",
            ProvincialGrade::D => "较差",
            ProvincialGrade::E => "差",
        }
    }

    /// Whether the grade is 较差 (poor) or worse: the grade L68 puts under
    /// key supervision.
    pub fn is_poor(self) -> bool {
        self >= ProvincialGrade::D
    }

    /// The request's provincial grade (`base.grade`), or
    /// [`EvalError::InvalidIndicator`] naming it when it is not one of the
    /// five. Costs a string comparison or five.
    pub fn of(req: &Request) -> Result<ProvincialGrade, EvalError> {
        ProvincialGrade::parse(&req.base.grade).ok_or_else(|| {
            EvalError::InvalidIndicator(format!(
                "base.grade: '{}' is not a provincial grade (A 优秀, B 良好, C 中等, D 较差, E 差)",
                req.base.grade
            ))
        })
    }
}

impl core::fmt::Display for ProvincialGrade {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} ({})", self.letter(), self.chinese())
    }
}

/// A [`Consequence`] for [`crate::Model::consequences`]: `when` it applies
/// (`base:poor`, `list:black`, `list:red`, `list:warning`, `score` — the
/// model's own points — or a declared indicator's name), the `effect` in one sentence, the `grade` it gives
/// whatever the points (a declared grade), and the `source` line.
///
/// ```
/// let c = scorehost_sdk::consequence(
///     "base:poor",
///     "key supervision (重点监管): graded 'key-supervision' whatever the points",
///     Some("key-supervision"),
///     "credit-zhejiang-2020-01 L1431",
/// );
/// assert_eq!(c.grade.as_deref(), Some("key-supervision"));
/// ```
pub fn consequence(when: &str, effect: &str, grade: Option<&str>, source: &str) -> Consequence {
    Consequence {
        when: when.to_string(),
        effect: effect.to_string(),
        grade: grade.map(str::to_string),
        source: source.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::RequestBuilder;

    #[test]
    fn the_scale_reads_letters_and_chinese_names() {
        assert_eq!(ProvincialGrade::parse("D"), Some(ProvincialGrade::D));
        assert_eq!(ProvincialGrade::parse("较差"), Some(ProvincialGrade::D));
        assert_eq!(ProvincialGrade::parse("差"), Some(ProvincialGrade::E));
        assert_eq!(ProvincialGrade::parse("d"), None);
        assert_eq!(ProvincialGrade::parse("AAA"), None);
        let poor: Vec<_> = ProvincialGrade::ALL
            .into_iter()
            .filter(|g| g.is_poor())
            .map(ProvincialGrade::letter)
            .collect();
        assert_eq!(poor, ["D", "E"]);
    }

    #[test]
    fn an_unknown_base_grade_is_refused_by_name() {
        let req = RequestBuilder::natural_person("p", "2026-11-01")
            .base(500.0, "F")
            .build();
        assert_eq!(
            ProvincialGrade::of(&req),
            Err(EvalError::InvalidIndicator(
                "base.grade: 'F' is not a provincial grade (A 优秀, B 良好, C 中等, D 较差, E 差)"
                    .into()
            ))
        );
    }
}
