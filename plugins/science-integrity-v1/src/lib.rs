//! Zhejiang research integrity credit model (科研诚信评价), version 1.0.0.
//!
//! The provincial science and technology department scores researchers,
//! enterprises and public institutions doing research on a 1000-point scale
//! with two first-level indicators: "public credit" — the provincial public
//! credit evaluation, converted to 30 % (0–300) — and research credit (0–700):
//! research compliance, research performance and research effectiveness.
//! Findings of research misconduct (fabrication, falsification, plagiarism)
//! and serious-dishonesty lists are hard caps. Grades excellent, good, fair,
//! poor. See README.md for the choices the source leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model.
pub struct ScienceIntegrity;

/// The share of the provincial base ("public credit"), in basis points: 30 %.
pub const BASE_WEIGHT_BP: u32 = 3000;

/// Research credit dimensions and their full marks; they add up to 700.
pub const DIMENSIONS: [(&str, f64); 3] = [
    ("research-compliance", 300.0),
    ("research-performance", 200.0),
    ("research-effectiveness", 200.0),
];

/// How long a misconduct finding caps the score, in years from the finding.
pub const MISCONDUCT_YEARS: i32 = 5;

/// The misconduct findings the model knows, and the highest score (in
/// hundredths) each allows while it counts: fabrication and falsification
/// cap below "fair" (poor), plagiarism below "good" (fair at best).
pub const MISCONDUCT_CAPS: [(&str, Points); 3] = [
    ("fabrication", 54_999),
    ("falsification", 54_999),
    ("plagiarism", 69_999),
];

/// Grades and their lowest scores (hundredths).
pub fn bands() -> Bands {
    Bands::new(&[
        ("excellent", 85_000),
        ("good", 70_000),
        ("fair", 55_000),
        ("poor", 0),
    ])
}

/// A whole count that loses `each` points per unit from `full`, not below 0.
fn deduct(full: f64, each: f64, count: f64) -> f64 {
    (full - each * count).max(0.0)
}

impl Model for ScienceIntegrity {
    fn describe() -> ModelInfo {
        use ValueKind::*;
        ModelInfo {
            name: "science/integrity".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Zhejiang research integrity credit (科研诚信评价)".into(),
            subject_kinds: vec![
                SubjectKind::NaturalPerson,
                SubjectKind::Enterprise,
                SubjectKind::PublicInstitution,
            ],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: BASE_WEIGHT_BP,
            grades: bands().to_wit(),
            indicators: vec![
                spec(
                    "research_violations_3y",
                    "research compliance (up to 200): minus 50 per research-management violation in 3 years \
                     (late reports, fund misuse findings)",
                    Number,
                    true,
                ),
                spec(
                    "ethics_review_compliant",
                    "research compliance (up to 100): ethics and security reviews passed for all projects",
                    Flag,
                    false,
                ),
                spec(
                    "overdue_acceptances_2y",
                    "research performance (up to 100): minus 50 per project not submitted for acceptance in time, \
                     2 years",
                    Number,
                    true,
                ),
                spec(
                    "failed_acceptances_3y",
                    "research performance (up to 100): minus 50 per project that failed acceptance in 3 years",
                    Number,
                    false,
                ),
                spec(
                    "outputs_3y",
                    "research effectiveness (up to 100): papers, patents and standards in 3 years, 10 each",
                    Number,
                    true,
                ),
                spec(
                    "science_awards_5y",
                    "research effectiveness (up to 100): provincial or national science awards in 5 years, 50 each",
                    Number,
                    false,
                ),
                spec(
                    "misconduct_finding",
                    "event, may repeat: a finding of fabrication, falsification or plagiarism, observed_on = the \
                     finding's date; caps the score for 5 years",
                    Text,
                    false,
                ),
            ],
        }
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let kind = req.subject.kind;
        if !matches!(
            kind,
            SubjectKind::NaturalPerson | SubjectKind::Enterprise | SubjectKind::PublicInstitution
        ) {
            return Err(EvalError::UnsupportedSubject(kind));
        }
        let as_of = req.as_of_date()?;
        let violations = req.count("research_violations_3y")?;
        let ethics = req.opt_flag("ethics_review_compliant")?.unwrap_or(false);
        let overdue = req.count("overdue_acceptances_2y")?;
        let failed = req.opt_count("failed_acceptances_3y")?.unwrap_or(0.0);
        let outputs = req.count("outputs_3y")?;
        let awards = req.opt_count("science_awards_5y")?.unwrap_or(0.0);

        // Read (and check) every misconduct finding before scoring.
        let mut findings: Vec<(&str, Date, Points)> = Vec::new();
        for ev in req.events("misconduct_finding") {
            let Value::Text(what) = &ev.value else {
                return Err(EvalError::InvalidIndicator(
                    "misconduct_finding: expected a text (fabrication, falsification or plagiarism)"
                        .into(),
                ));
            };
            let Some(&(what, cap)) = MISCONDUCT_CAPS.iter().find(|(k, _)| k == what) else {
                return Err(EvalError::InvalidIndicator(format!(
                    "misconduct_finding: '{what}' is not one of fabrication, falsification, plagiarism"
                )));
            };
            let on = observed_on(ev)?;
            if on.within_years_of(as_of, MISCONDUCT_YEARS) {
                findings.push((what, on, cap));
            }
        }

        let mut card = Scorecard::new(0, 100_000);
        card.add_base_share(
            req.base.score,
            BASE_WEIGHT_BP,
            "public credit: 30 % of the provincial public credit score (0–1000 → 0–300)",
        );
        card.add_points_of(
            "research_violations_3y",
            deduct(200.0, 50.0, violations),
            200.0,
            &format!("research compliance: {violations} violation(s) in 3 years, 50 points each"),
        );
        card.add_points_of(
            "ethics_review_compliant",
            if ethics { 100.0 } else { 0.0 },
            100.0,
            if ethics {
                "research compliance: ethics and security reviews passed"
            } else {
                "research compliance: ethics and security reviews not confirmed"
            },
        );
        card.add_points_of(
            "overdue_acceptances_2y",
            deduct(100.0, 50.0, overdue),
            100.0,
            &format!(
                "research performance: {overdue} project(s) not submitted for acceptance in time \
                 in 2 years, 50 points each"
            ),
        );
        card.add_points_of(
            "failed_acceptances_3y",
            deduct(100.0, 50.0, failed),
            100.0,
            &format!("research performance: {failed} project(s) failed acceptance in 3 years, 50 points each"),
        );
        card.add_points_of(
            "outputs_3y",
            (outputs * 10.0).min(100.0),
            100.0,
            &format!("research effectiveness: {outputs} paper(s)/patent(s)/standard(s) in 3 years, 10 each"),
        );
        card.add_points_of(
            "science_awards_5y",
            (awards * 50.0).min(100.0),
            100.0,
            &format!("research effectiveness: {awards} science award(s) in 5 years, 50 each"),
        );

        // Hard rules: the strictest cap applies, and names what caused it.
        let black: Vec<&str> = req.lists_with("black:").collect();
        let mut caps: Vec<(Points, String)> = findings
            .iter()
            .map(|(what, on, cap)| {
                (
                    *cap,
                    format!(
                        "research misconduct finding ({what}) of {on}, counts {MISCONDUCT_YEARS} years: \
                         at most {}",
                        bands().grade_for(*cap)
                    ),
                )
            })
            .collect();
        if !black.is_empty() {
            caps.push((
                54_999,
                format!(
                    "on a serious-dishonesty black list ({}): graded poor whatever the score",
                    black.join(", ")
                ),
            ));
        }
        if let Some((max, why)) = caps.iter().min_by_key(|(cap, _)| *cap) {
            let rule = if why.starts_with("research misconduct") {
                "misconduct-cap"
            } else {
                "black-list"
            };
            if !card.cap(*max, rule, why) {
                card.reason(format!("{why}; the score is already below the cap"));
            }
        }
        Ok(card.finish(&bands()))
    }
}

export_model!(ScienceIntegrity);

#[cfg(test)]
mod tests;
