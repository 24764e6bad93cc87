//! Ningbo port enterprise credit model (宁波口岸领域企业信用评价), version 2.0.0.
//!
//! About 2,500 port enterprises — freight forwarders, ship agents,
//! warehouses/yards, customs brokers — on a 1000-point scale. The provincial
//! public credit evaluation counts for exactly 30 % (the source's own figure);
//! the other 70 % are five industry dimensions. Grades A, B, C, D (excellent,
//! good, average, poor): A and B get one-stop joint inspection and "declare in
//! advance", C and D higher inspection rates.
//!
//! Two statuses decide the grade whatever the points (see
//! [`NingboPort::consequences`]): `key-supervision` (重点监管) for an
//! enterprise whose provincial grade is poor (较差, D or worse) or that is on
//! a serious-untrust (black) list, and `warning` (预警) for one on a warning
//! list (预警名单, `warning:…` in the base's lists). The score stays what the
//! points make. See README.md for the source lines and the choices the source
//! leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model.
pub struct NingboPort;

/// The share of the provincial base, in basis points: 30 %.
pub const BASE_WEIGHT_BP: u32 = 3000;

/// The four kinds of port business evaluated.
pub const BUSINESS_TYPES: [&str; 4] = [
    "freight-forwarder",
    "ship-agent",
    "warehouse-yard",
    "customs-broker",
];

/// Grades A–D and their lowest scores (hundredths): the grades the points
/// earn.
pub fn bands() -> Bands {
    Bands::new(&[("A", 85_000), ("B", 70_000), ("C", 55_000), ("D", 0)])
}

/// The grade of an enterprise under key supervision (重点监管), whatever the
/// points: a poor provincial grade or a serious-untrust (black) list (L68,
/// L1342).
pub const KEY_SUPERVISION: &str = "key-supervision";

/// The grade of an enterprise on a warning list (预警名单), whatever the
/// points, unless it is under key supervision (L1322).
pub const WARNING: &str = "warning";

/// The prefix of a warning-list membership in the base's `lists`.
pub const WARNING_LIST: &str = "warning:";

/// Every declared grade: A–D by points ([`bands`]), then the two statuses a
/// consequence gives whatever the points, least severe first. A status
/// starts at the bottom of the scale (0): any score can carry it.
pub fn grades() -> Vec<GradeBand> {
    let mut grades = bands().to_wit();
    for status in [WARNING, KEY_SUPERVISION] {
        grades.push(GradeBand {
            grade: status.into(),
            min_score: 0,
        });
    }
    grades
}

/// Dimension maxima in points; they add up to 700, the industry's 70 %.
pub const DIMENSIONS: [(&str, f64); 5] = [
    ("basic", 100.0),
    ("finance-tax", 150.0),
    ("operating-capacity", 200.0),
    ("law-abiding", 150.0),
    ("social-responsibility", 100.0),
];

impl Model for NingboPort {
    fn describe() -> ModelInfo {
        use ValueKind::*;
        ModelInfo {
            name: "ningbo/port".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Ningbo port enterprise credit (宁波口岸领域企业信用评价)".into(),
            subject_kinds: vec![SubjectKind::Enterprise],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: BASE_WEIGHT_BP,
            grades: grades(),
            indicators: vec![
                spec(
                    "business_type",
                    "freight-forwarder, ship-agent, warehouse-yard or customs-broker",
                    Text,
                    true,
                ),
                spec(
                    "years_in_operation",
                    "basic (up to 60): 6 points a year, at most 10 years",
                    Number,
                    true,
                ),
                spec(
                    "registered_capital_10k_cny",
                    "basic (up to 40): registered capital in CNY 10,000, full marks at 1,000",
                    Number,
                    false,
                ),
                spec(
                    "tax_credit_grade",
                    "finance-tax (up to 100): tax credit grade A=100, B=80, M=60, C=30, D=0",
                    Text,
                    true,
                ),
                spec(
                    "overdue_debts",
                    "finance-tax (up to 50): 50 points when no overdue debts are recorded",
                    Flag,
                    false,
                ),
                spec(
                    "annual_revenue_10k_cny",
                    "operating-capacity (up to 120): revenue bands 300/1,000/3,000/10,000 (CNY 10,000)",
                    Number,
                    true,
                ),
                spec(
                    "aeo_certified",
                    "operating-capacity (up to 80): customs AEO advanced certification",
                    Flag,
                    false,
                ),
                spec(
                    "customs_violations_3y",
                    "law-abiding (up to 150): minus 50 per customs violation in 3 years",
                    Number,
                    true,
                ),
                spec(
                    "social_insurance_compliant",
                    "social-responsibility (up to 60): social insurance paid for all staff",
                    Flag,
                    false,
                ),
                spec(
                    "industry_honours",
                    "social-responsibility (up to 40): 20 points per industry honour, at most 2",
                    Number,
                    false,
                ),
            ],
        }
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        if req.subject.kind != SubjectKind::Enterprise {
            return Err(EvalError::UnsupportedSubject(req.subject.kind));
        }
        let provincial = ProvincialGrade::of(req)?;
        let business = req.text("business_type")?;
        if !BUSINESS_TYPES.contains(&business) {
            return Err(EvalError::InvalidIndicator(format!(
                "business_type: '{business}' is not one of {}",
                BUSINESS_TYPES.join(", ")
            )));
        }
        let years = req.amount("years_in_operation")?;
        let capital = req.opt_number("registered_capital_10k_cny")?.unwrap_or(0.0);
        let tax = req.text("tax_credit_grade")?;
        let tax_points = match tax {
            "A" => 100.0,
            "B" => 80.0,
            "M" => 60.0,
            "C" => 30.0,
            "D" => 0.0,
            other => {
                return Err(EvalError::InvalidIndicator(format!(
                    "tax_credit_grade: '{other}' is not one of A, B, M, C, D"
                )));
            }
        };
        let overdue = req.opt_flag("overdue_debts")?.unwrap_or(false);
        let revenue = req.amount("annual_revenue_10k_cny")?;
        let aeo = req.opt_flag("aeo_certified")?.unwrap_or(false);
        let violations = req.count("customs_violations_3y")?;
        let insured = req.opt_flag("social_insurance_compliant")?.unwrap_or(false);
        let honours = req.opt_count("industry_honours")?.unwrap_or(0.0);

        let mut card = Scorecard::new(0, 100_000);
        card.add_base_share(
            req.base.score,
            BASE_WEIGHT_BP,
            "30 % of the provincial public credit score",
        );
        card.add_points_of(
            "years_in_operation",
            years.min(10.0) * 6.0,
            60.0,
            "6 points a year in operation, at most 10 years",
        );
        card.add_points_of(
            "registered_capital_10k_cny",
            (capital.max(0.0) / 1000.0).min(1.0) * 40.0,
            40.0,
            "registered capital, full marks at CNY 10 million",
        );
        card.add_points_of(
            "tax_credit_grade",
            tax_points,
            100.0,
            &format!("tax credit grade {tax}"),
        );
        card.add_points_of(
            "overdue_debts",
            if overdue { 0.0 } else { 50.0 },
            50.0,
            if overdue {
                "overdue debts recorded"
            } else {
                "no overdue debts"
            },
        );
        let rev_points = match revenue {
            r if r >= 10_000.0 => 120.0,
            r if r >= 3_000.0 => 90.0,
            r if r >= 1_000.0 => 60.0,
            r if r >= 300.0 => 30.0,
            _ => 10.0,
        };
        card.add_points_of(
            "annual_revenue_10k_cny",
            rev_points,
            120.0,
            "annual revenue band",
        );
        card.add_points_of(
            "aeo_certified",
            if aeo { 80.0 } else { 0.0 },
            80.0,
            if aeo {
                "customs AEO advanced certification"
            } else {
                "not AEO certified"
            },
        );
        card.add_points_of(
            "customs_violations_3y",
            (150.0 - 50.0 * violations.floor()).max(0.0),
            150.0,
            &format!(
                "{} customs violation(s) in 3 years, 50 points each",
                violations.floor()
            ),
        );
        card.add_points_of(
            "social_insurance_compliant",
            if insured { 60.0 } else { 0.0 },
            60.0,
            if insured {
                "social insurance paid for all staff"
            } else {
                "social insurance not confirmed"
            },
        );
        card.add_points_of(
            "industry_honours",
            honours.floor().min(2.0) * 20.0,
            40.0,
            "industry honours, 20 points each",
        );

        let mut e = card.finish(&bands());

        // Consequences, whatever the points: the score stays what the points
        // make, the grade says the status, and the first reason says why.
        let earned = e.grade.clone();
        let black: Vec<&str> = req.lists_with("black:").collect();
        let warning: Vec<&str> = req.lists_with(WARNING_LIST).collect();
        let mut first = Vec::new();
        let mut key = Vec::new();
        if provincial.is_poor() {
            key.push(format!("provincial public credit grade {provincial}"));
        }
        if !black.is_empty() {
            key.push(format!(
                "on a serious-untrust list (严重失信名单: {})",
                black.join(", ")
            ));
        }
        if !key.is_empty() {
            e.grade = KEY_SUPERVISION.into();
            first.push(format!(
                "key supervision (重点监管): {} — graded '{KEY_SUPERVISION}' whatever the points \
                 (the points alone earn {earned}); inspection rate and supervision frequency \
                 raised (提高查验率或监管频次)",
                key.join("; ")
            ));
        }
        if !warning.is_empty() {
            let lists = warning.join(", ");
            if key.is_empty() {
                e.grade = WARNING.into();
                first.push(format!(
                    "on a warning list (预警名单: {lists}) — graded '{WARNING}' whatever the points \
                     (the points alone earn {earned}); under dynamic monitoring (动态分析监测)"
                ));
            } else {
                first.push(format!(
                    "also on a warning list (预警名单: {lists}); under dynamic monitoring (动态分析监测)"
                ));
            }
        }
        e.reasons.splice(0..0, first);
        Ok(e)
    }

    fn consequences() -> Vec<Consequence> {
        let key = "key supervision (重点监管): graded 'key-supervision' whatever the points, \
                   which stay as they are; not graded A or B, so none of their facilitation \
                   (joint inspection, declaring in advance); inspection rate and supervision \
                   frequency raised as for C and D";
        vec![
            consequence(
                ProvincialGrade::WHEN_POOR,
                key,
                Some(KEY_SUPERVISION),
                "credit-zhejiang-2020-01 L68",
            ),
            consequence(
                "list:black",
                key,
                Some(KEY_SUPERVISION),
                "credit-zhejiang-2020-01 L68, L1342",
            ),
            consequence(
                "list:warning",
                "on a warning list (预警名单, `warning:…` in the base's lists): graded 'warning' \
                 whatever the points, which stay as they are, unless under key supervision: \
                 watched by the port office's dynamic monitoring (动态分析监测), not graded A or B",
                Some(WARNING),
                "credit-zhejiang-2020-01 L1322",
            ),
        ]
    }
}

export_model!(NingboPort);

#[cfg(test)]
mod tests;
