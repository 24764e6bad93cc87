//! Zhejiang market supervision enterprise credit risk model
//! (企业信用风险分类监管), version 2.0.0.
//!
//! The provincial market supervision administration sorts the province's
//! 2.5 million enterprises into **low, medium and high** credit risk. Five
//! dimensions of 200 points each — public credit (the provincial score at
//! 20 %), governance, capital, quality and market performance — make a
//! 1000-point score where **higher means lower risk**; rule triggers force
//! high risk whatever the score, which stays as the points make it, and the
//! first reason names every trigger. Two triggers are the province's key
//! supervision (重点监管, L68) — a poor provincial grade (较差, D, or worse)
//! and a serious-untrust (black) list — since high risk is what draws an
//! enterprise more often into the "double random" spot checks (L1249); two
//! are ours (abnormal operations list, a sudden change of legal
//! representative). See [`MarketSupervision::consequences`] and README.md for
//! the source lines and the choices the source leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model.
pub struct MarketSupervision;

/// The share of the provincial base (the public credit dimension), in basis
/// points: 20 %.
pub const BASE_WEIGHT_BP: u32 = 2000;

/// The five dimensions and their full marks (1000 in all).
pub const DIMENSIONS: [(&str, f64); 5] = [
    ("public-credit", 200.0),
    ("governance", 200.0),
    ("capital", 200.0),
    ("quality", 200.0),
    ("market-performance", 200.0),
];

/// Changes of legal representative within a year that count as "sudden"
/// and trigger high risk.
pub const SUDDEN_LEGAL_REP_CHANGES: f64 = 2.0;

/// The risk level of key supervision and of every rule trigger, whatever
/// the score.
pub const HIGH: &str = "high";

/// Risk levels by lowest score (hundredths): the top band is the lowest risk.
pub fn bands() -> Bands {
    Bands::new(&[("low", 75_000), ("medium", 55_000), ("high", 0)])
}

/// Points for a value by bands `(lowest value, points)`, best first; `floor`
/// below every band.
fn banded(v: f64, bands: &[(f64, f64)], floor: f64) -> f64 {
    bands
        .iter()
        .find(|(min, _)| v >= *min)
        .map_or(floor, |(_, p)| *p)
}

/// A whole count that loses `each` points per unit from `full`, not below 0.
fn deduct(full: f64, each: f64, count: f64) -> f64 {
    (full - each * count).max(0.0)
}

impl Model for MarketSupervision {
    fn describe() -> ModelInfo {
        use ValueKind::*;
        ModelInfo {
            name: "amr/risk".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Zhejiang enterprise credit risk (市场监管企业信用风险分类)".into(),
            subject_kinds: vec![SubjectKind::Enterprise],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: BASE_WEIGHT_BP,
            grades: bands().to_wit(),
            // Key supervision is the `high` band (L68, L1249): no grade of its own.
            indicators: vec![
                spec(
                    "annual_report_filed",
                    "governance (up to 80): the annual report (企业年报) filed on time",
                    Flag,
                    true,
                ),
                spec(
                    "legal_rep_changes_1y",
                    "governance (up to 70): minus 35 per change of legal representative in the last \
                     year; 2 or more trigger high risk",
                    Number,
                    true,
                ),
                spec(
                    "shareholder_changes_1y",
                    "governance (up to 50): minus 25 per change of shareholders in the last year",
                    Number,
                    false,
                ),
                spec(
                    "paid_in_capital_10k_cny",
                    "capital (up to 100): paid-in capital bands 0/100/1,000/5,000 (CNY 10,000)",
                    Number,
                    true,
                ),
                spec(
                    "tax_credit_grade",
                    "capital (up to 100): tax credit grade A=100, B=80, M=60, C=30, D=0",
                    Text,
                    true,
                ),
                spec(
                    "inspection_failures_1y",
                    "quality (up to 120): minus 40 per failed product or service quality inspection in \
                     the last year",
                    Number,
                    true,
                ),
                spec(
                    "certifications",
                    "quality (up to 80): management-system certifications, standards led or brands, \
                     40 each, at most 2",
                    Number,
                    false,
                ),
                spec(
                    "revenue_growth_pct",
                    "market performance (up to 100): revenue growth over the year before, in percent \
                     (may be negative): ≥ 20: 100, ≥ 0: 70, ≥ −20: 40, less: 10",
                    Number,
                    true,
                ),
                spec(
                    "trademarks",
                    "market performance (up to 60): registered trademarks in use, 20 each, at most 3",
                    Number,
                    false,
                ),
                spec(
                    "consumer_complaints_1y",
                    "market performance (up to 40): minus 10 per consumer complaint upheld in the last \
                     year",
                    Number,
                    true,
                ),
                spec(
                    "abnormal_operations_listed",
                    "rule trigger: listed in the abnormal operations list (经营异常名录) — high risk \
                     whatever the score",
                    Flag,
                    true,
                ),
            ],
        }
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        if req.subject.kind != SubjectKind::Enterprise {
            return Err(EvalError::UnsupportedSubject(req.subject.kind));
        }
        let provincial = ProvincialGrade::of(req)?;
        let report = req.flag("annual_report_filed")?;
        let rep_changes = req.count("legal_rep_changes_1y")?;
        let holder_changes = req.opt_count("shareholder_changes_1y")?.unwrap_or(0.0);
        let capital = req.amount("paid_in_capital_10k_cny")?;
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
        let failures = req.count("inspection_failures_1y")?;
        let certs = req.opt_count("certifications")?.unwrap_or(0.0);
        let growth = req.number("revenue_growth_pct")?;
        if growth < -100.0 {
            return Err(EvalError::InvalidIndicator(format!(
                "revenue_growth_pct: revenue cannot fall by more than 100 %, got {growth}"
            )));
        }
        let trademarks = req.opt_count("trademarks")?.unwrap_or(0.0);
        let complaints = req.count("consumer_complaints_1y")?;
        let abnormal = req.flag("abnormal_operations_listed")?;

        let mut card = Scorecard::new(0, 100_000);
        card.add_base_share(
            req.base.score,
            BASE_WEIGHT_BP,
            "public credit: 20 % of the provincial public credit score",
        );
        card.add_points_of(
            "annual_report_filed",
            if report { 80.0 } else { 0.0 },
            80.0,
            if report {
                "governance: annual report filed on time"
            } else {
                "governance: annual report not filed on time"
            },
        );
        card.add_points_of(
            "legal_rep_changes_1y",
            deduct(70.0, 35.0, rep_changes),
            70.0,
            &format!(
                "governance: {rep_changes} change(s) of legal representative in the last year, 35 each"
            ),
        );
        card.add_points_of(
            "shareholder_changes_1y",
            deduct(50.0, 25.0, holder_changes),
            50.0,
            &format!(
                "governance: {holder_changes} change(s) of shareholders in the last year, 25 each"
            ),
        );
        card.add_points_of(
            "paid_in_capital_10k_cny",
            banded(
                capital,
                &[(5_000.0, 100.0), (1_000.0, 75.0), (100.0, 50.0)],
                if capital > 0.0 { 25.0 } else { 0.0 },
            ),
            100.0,
            "capital: paid-in capital band",
        );
        card.add_points_of(
            "tax_credit_grade",
            tax_points,
            100.0,
            &format!("capital: tax credit grade {tax}"),
        );
        card.add_points_of(
            "inspection_failures_1y",
            deduct(120.0, 40.0, failures),
            120.0,
            &format!("quality: {failures} failed quality inspection(s) in the last year, 40 each"),
        );
        card.add_points_of(
            "certifications",
            certs.min(2.0) * 40.0,
            80.0,
            &format!("quality: {certs} certification(s)/standard(s)/brand(s), 40 each, at most 2"),
        );
        card.add_points_of(
            "revenue_growth_pct",
            banded(growth, &[(20.0, 100.0), (0.0, 70.0), (-20.0, 40.0)], 10.0),
            100.0,
            &format!("market performance: revenue growth {growth} %"),
        );
        card.add_points_of(
            "trademarks",
            trademarks.min(3.0) * 20.0,
            60.0,
            &format!("market performance: {trademarks} trademark(s) in use, 20 each, at most 3"),
        );
        card.add_points_of(
            "consumer_complaints_1y",
            deduct(40.0, 10.0, complaints),
            40.0,
            &format!("market performance: {complaints} consumer complaint(s) upheld, 10 each"),
        );

        let mut e = card.finish(&bands());

        // Rule triggers (L1243): any one gives high risk whatever the score,
        // which stays as the points make it; the first reason names each.
        let mut triggers: Vec<String> = Vec::new();
        if provincial.is_poor() {
            triggers.push(format!(
                "provincial public credit grade {provincial}: a key supervision object (重点监管)"
            ));
        }
        let black: Vec<&str> = req.lists_with("black:").collect();
        if !black.is_empty() {
            triggers.push(format!(
                "on the serious-untrust list (严重失信名单: {}): a key supervision \
                 object (重点监管)",
                black.join(", ")
            ));
        }
        if abnormal {
            triggers.push("listed in the abnormal operations list (经营异常名录)".into());
        }
        if rep_changes >= SUDDEN_LEGAL_REP_CHANGES {
            triggers.push(format!(
                "sudden change of legal representative ({rep_changes} changes in the last year)"
            ));
        }
        if !triggers.is_empty() {
            let earned = e.grade.clone();
            e.grade = HIGH.into();
            e.reasons.insert(
                0,
                format!(
                    "rule trigger: {} — high risk whatever the score (the score alone: {earned} \
                     risk)",
                    triggers.join("; ")
                ),
            );
        }
        Ok(e)
    }

    fn consequences() -> Vec<Consequence> {
        let key = "key supervision (重点监管): high risk whatever the score, which stays as the \
                   points make it — the risk level the 'double random' spot checks must draw \
                   from in a set share (双随机、一公开)";
        vec![
            consequence(
                ProvincialGrade::WHEN_POOR,
                key,
                Some(HIGH),
                "credit-zhejiang-2020-01 L68, L1249",
            ),
            consequence(
                "list:black",
                key,
                Some(HIGH),
                "credit-zhejiang-2020-01 L68, L1247, L1249",
            ),
            consequence(
                "abnormal_operations_listed",
                "a rule trigger (the rule is ours): listed in the abnormal operations list \
                 (经营异常名录) — high risk whatever the score, which stays",
                Some(HIGH),
                "credit-zhejiang-2020-01 L1243",
            ),
            consequence(
                "legal_rep_changes_1y",
                "a rule trigger (the rule is ours): 2 or more changes of legal representative \
                 in the last year — high risk whatever the score, which stays",
                Some(HIGH),
                "credit-zhejiang-2020-01 L1243",
            ),
        ]
    }
}

export_model!(MarketSupervision);

#[cfg(test)]
mod tests;
