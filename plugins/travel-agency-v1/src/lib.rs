//! Zhejiang travel agency credit model (浙江省旅行社信用监管评价指标模型),
//! version 1.0.0.
//!
//! The provincial culture and tourism department grades the province's 2,726
//! travel agencies A–E on a 1000-point scale with seven first-level
//! indicators, one of which is the provincial public credit evaluation (20 %,
//! 0–200). The others: development scale, operating capacity, service
//! quality, complaints, law-abiding, and social responsibility & honours.
//! A black-listed agency is graded E, the grade that gets a targeted
//! inspection. See README.md for the choices the source leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model.
pub struct TravelAgency;

/// The share of the provincial base, in basis points: 20 %.
pub const BASE_WEIGHT_BP: u32 = 2000;

/// The seven first-level indicators and their full marks (1000 in all).
pub const FIRST_LEVEL: [(&str, f64); 7] = [
    ("public-credit", 200.0),
    ("development-scale", 150.0),
    ("operating-capacity", 150.0),
    ("service-quality", 150.0),
    ("complaints", 150.0),
    ("law-abiding", 150.0),
    ("social-responsibility", 50.0),
];

/// Grades A–E and their lowest scores (hundredths).
pub fn bands() -> Bands {
    Bands::new(&[
        ("A", 85_000),
        ("B", 75_000),
        ("C", 65_000),
        ("D", 55_000),
        ("E", 0),
    ])
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

impl Model for TravelAgency {
    fn describe() -> ModelInfo {
        use ValueKind::*;
        ModelInfo {
            name: "tourism/travel-agency".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Zhejiang travel agency credit (浙江省旅行社信用监管评价)".into(),
            subject_kinds: vec![SubjectKind::Enterprise],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: BASE_WEIGHT_BP,
            grades: bands().to_wit(),
            indicators: vec![
                spec(
                    "annual_visitors",
                    "development scale (up to 90): visitors served in the last year, bands \
                     2,000/10,000/50,000",
                    Number,
                    true,
                ),
                spec(
                    "branch_outlets",
                    "development scale (up to 60): branches and service outlets, 15 each, at most 4",
                    Number,
                    false,
                ),
                spec(
                    "annual_revenue_10k_cny",
                    "operating capacity (up to 90): revenue bands 500/2,000/10,000 (CNY 10,000)",
                    Number,
                    true,
                ),
                spec(
                    "licensed_guides",
                    "operating capacity (up to 60): licensed tour guides on staff, 6 each, at most 10",
                    Number,
                    false,
                ),
                spec(
                    "standard_contract_used",
                    "service quality (up to 60): the model tourism contract (旅游合同示范文本) used",
                    Flag,
                    false,
                ),
                spec(
                    "quality_deposit_full",
                    "service quality (up to 40): the quality guarantee deposit (质量保证金) paid in full",
                    Flag,
                    false,
                ),
                spec(
                    "liability_insurance",
                    "service quality (up to 50): travel agency liability insurance in force",
                    Flag,
                    true,
                ),
                spec(
                    "valid_complaints_1y",
                    "complaints (up to 150): minus 30 per complaint upheld in the last year",
                    Number,
                    true,
                ),
                spec(
                    "penalties_3y",
                    "law-abiding (up to 150): minus 50 per administrative penalty in 3 years",
                    Number,
                    true,
                ),
                spec(
                    "honours_3y",
                    "social responsibility (up to 50): honours (e.g. provincial top-100 agency), 25 each, \
                     at most 2",
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
        let visitors = req.amount("annual_visitors")?;
        let outlets = req.opt_count("branch_outlets")?.unwrap_or(0.0);
        let revenue = req.amount("annual_revenue_10k_cny")?;
        let guides = req.opt_count("licensed_guides")?.unwrap_or(0.0);
        let contract = req.opt_flag("standard_contract_used")?.unwrap_or(false);
        let deposit = req.opt_flag("quality_deposit_full")?.unwrap_or(false);
        let insured = req.flag("liability_insurance")?;
        let complaints = req.count("valid_complaints_1y")?;
        let penalties = req.count("penalties_3y")?;
        let honours = req.opt_count("honours_3y")?.unwrap_or(0.0);

        let mut card = Scorecard::new(0, 100_000);
        card.add_base_share(
            req.base.score,
            BASE_WEIGHT_BP,
            "public credit evaluation: 20 % of the provincial public credit score",
        );
        card.add_points_of(
            "annual_visitors",
            banded(
                visitors,
                &[(50_000.0, 90.0), (10_000.0, 70.0), (2_000.0, 45.0)],
                20.0,
            ),
            90.0,
            "development scale: visitors-served band",
        );
        card.add_points_of(
            "branch_outlets",
            outlets.min(4.0) * 15.0,
            60.0,
            &format!("development scale: {outlets} outlet(s), 15 each, at most 4"),
        );
        card.add_points_of(
            "annual_revenue_10k_cny",
            banded(
                revenue,
                &[(10_000.0, 90.0), (2_000.0, 70.0), (500.0, 45.0)],
                20.0,
            ),
            90.0,
            "operating capacity: revenue band",
        );
        card.add_points_of(
            "licensed_guides",
            guides.min(10.0) * 6.0,
            60.0,
            &format!("operating capacity: {guides} licensed guide(s), 6 each, at most 10"),
        );
        for (name, yes, points, said, unsaid) in [
            (
                "standard_contract_used",
                contract,
                60.0,
                "service quality: model tourism contract used",
                "service quality: model tourism contract not confirmed",
            ),
            (
                "quality_deposit_full",
                deposit,
                40.0,
                "service quality: quality guarantee deposit paid in full",
                "service quality: quality guarantee deposit not confirmed",
            ),
            (
                "liability_insurance",
                insured,
                50.0,
                "service quality: liability insurance in force",
                "service quality: no liability insurance",
            ),
        ] {
            card.add_points_of(
                name,
                if yes { points } else { 0.0 },
                points,
                if yes { said } else { unsaid },
            );
        }
        card.add_points_of(
            "valid_complaints_1y",
            deduct(150.0, 30.0, complaints),
            150.0,
            &format!("complaints: {complaints} upheld in the last year, 30 points each"),
        );
        card.add_points_of(
            "penalties_3y",
            deduct(150.0, 50.0, penalties),
            150.0,
            &format!(
                "law-abiding: {penalties} administrative penalt(ies) in 3 years, 50 points each"
            ),
        );
        card.add_points_of(
            "honours_3y",
            honours.min(2.0) * 25.0,
            50.0,
            &format!("social responsibility: {honours} honour(s), 25 each, at most 2"),
        );

        let black: Vec<&str> = req.lists_with("black:").collect();
        if !black.is_empty() {
            let note = format!(
                "on a provincial black list ({}): graded E (targeted inspection) whatever the score",
                black.join(", ")
            );
            if !card.cap(bands().min_of("D").unwrap_or(0) - 1, "black-list", &note) {
                card.reason(format!("{note}; the score is already below D"));
            }
        }
        Ok(card.finish(&bands()))
    }
}

export_model!(TravelAgency);

#[cfg(test)]
mod tests;
