//! Zhejiang travel agency credit model (浙江省旅行社信用监管评价指标模型),
//! version 2.0.0.
//!
//! The provincial culture and tourism department grades the province's 2,726
//! travel agencies A–E on a 1000-point scale with seven first-level
//! indicators, one of which is the provincial public credit evaluation (20 %,
//! 0–200). The others: development scale, operating capacity, service
//! quality, complaints, law-abiding, and social responsibility & honours.
//! E agencies get a targeted enforcement inspection (L1209).
//!
//! What 2.0.0 corrects (《信用浙江》2020 no. 1–2, `credit-zhejiang-2020-01.txt`):
//! an agency whose provincial grade is poor (较差, D or worse) or which is on
//! a black list — the serious-untrust list (严重失信名单) — is under key
//! supervision (重点监管, L68), graded `key-supervision` whatever the points,
//! instead of being capped to E (an invented rule); and an agency whose
//! quality guarantee deposit was halved as a reward (质量保证金减半, L1213) is
//! not penalised for a deposit that is not full. Version 1.0.0 is the frozen
//! crate `travel-agency-v1`. See README.md for the choices the source leaves
//! open.
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

/// The grade given, whatever the points, to an agency under key supervision
/// (重点监管, L68): a poor provincial grade or a black list.
pub const KEY_SUPERVISION: &str = "key-supervision";

/// Grades A–E and their lowest scores (hundredths), then `key-supervision`,
/// which no score earns: it is given by rule ([`KEY_SUPERVISION`]). It is
/// declared at the bottom of the scale, after E, so that
/// [`Bands::grade_for`] never picks it.
pub fn bands() -> Bands {
    Bands::new(&[
        ("A", 85_000),
        ("B", 75_000),
        ("C", 65_000),
        ("D", 55_000),
        ("E", 0),
        (KEY_SUPERVISION, 0),
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
                    "service quality (up to 40): the quality guarantee deposit (质量保证金) paid in full \
                     (or halved as a reward: quality_deposit_halved)",
                    Flag,
                    false,
                ),
                spec(
                    "quality_deposit_halved",
                    "service quality: the department halved the agency's quality guarantee deposit on \
                     its credit grade, a reward (质量保证金减半), and the halved amount is paid: the 40 \
                     points of a full deposit",
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
        let provincial = ProvincialGrade::of(req)?;
        let visitors = req.amount("annual_visitors")?;
        let outlets = req.opt_count("branch_outlets")?.unwrap_or(0.0);
        let revenue = req.amount("annual_revenue_10k_cny")?;
        let guides = req.opt_count("licensed_guides")?.unwrap_or(0.0);
        let contract = req.opt_flag("standard_contract_used")?.unwrap_or(false);
        let deposit_full = req.opt_flag("quality_deposit_full")?.unwrap_or(false);
        let deposit_halved = req.opt_flag("quality_deposit_halved")?.unwrap_or(false);
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
        // A deposit halved as a reward (质量保证金减半, L1213) is paid as due:
        // the same 40 points as a full one.
        let (deposit, deposit_said) = match (deposit_full, deposit_halved) {
            (true, _) => (
                true,
                "service quality: quality guarantee deposit paid in full",
            ),
            (false, true) => (
                true,
                "service quality: quality guarantee deposit halved as a reward (质量保证金减半) and paid: \
                 full marks",
            ),
            (false, false) => (false, ""),
        };
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
                deposit_said,
                "service quality: quality guarantee deposit neither full nor halved as a reward",
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

        let mut e = card.finish(&bands());
        let mut first = Vec::new();
        let by_points = if e.grade == "E" {
            "E, the grade of the targeted enforcement inspections (专项执法行动, L1209)".to_string()
        } else {
            e.grade.clone()
        };

        // Key supervision (L68): a poor provincial grade, a black list.
        let black: Vec<&str> = req.lists_with("black:").collect();
        let mut causes = Vec::new();
        if provincial.is_poor() {
            causes.push(format!(
                "the provincial public credit grade is {provincial}, poor or worse (公共信用评价等级较差)"
            ));
        }
        if !black.is_empty() {
            causes.push(format!(
                "on a black list ({}), the serious-untrust list (严重失信名单)",
                black.join(", ")
            ));
        }
        if !causes.is_empty() {
            first.push(format!(
                "key supervision (重点监管, L68): {}: graded {KEY_SUPERVISION} whatever the points (by its points alone: {by_points})",
                causes.join("; ")
            ));
            e.grade = KEY_SUPERVISION.to_string();
        } else if e.grade == "E" {
            // The grade's own consequence (L1209).
            first.push(
                "grade E (差): the department's targeted enforcement inspections (专项执法行动) are for E agencies (L1209)"
                    .to_string(),
            );
        }
        e.reasons.splice(0..0, first);
        Ok(e)
    }

    fn consequences() -> Vec<Consequence> {
        vec![
            consequence(
                ProvincialGrade::WHEN_POOR,
                "key supervision (重点监管): an agency whose provincial public credit grade is poor (较差, D) or worse (差, E) is graded 'key-supervision' whatever the points; the score is unchanged",
                Some(KEY_SUPERVISION),
                "credit-zhejiang-2020-01 L68",
            ),
            consequence(
                "list:black",
                "key supervision (重点监管): an agency on a black list, the serious-untrust list (严重失信名单), is graded 'key-supervision' whatever the points; the score is unchanged",
                Some(KEY_SUPERVISION),
                "credit-zhejiang-2020-01 L68",
            ),
        ]
    }
}

export_model!(TravelAgency);

#[cfg(test)]
mod tests;
