//! Yiwu market operator credit model (义乌市场信用), version 2.0.0.
//!
//! The Yiwu market supervision bureau scores the business conduct of about
//! 62,000 operators of the small-commodities market — legal-person
//! operators and individual operators — on a 1000-point scale, from data
//! its platform collects automatically, by exchange, self-declared or
//! entered by hand (《信用浙江》2020 no. 1–2, L1395–L1399). The source names
//! five of the seven aspects (honest operation, honours & assets, rule
//! compliance, party building, transformation & development); basic
//! information is our choice for a sixth, and the seventh is left out (the
//! source does not name it).
//!
//! Grades AAA, AA, A, B, C, D (excellent, good, stable, wavering, crisis,
//! bankrupt; L1395). AA and above are inspected less, B and below more
//! (L1407); a D operator is expelled from the market (L1405). Whatever the
//! points:
//! - a violation of serious circumstances (违法情节严重, the declared input
//!   `serious_violation`) is credit bankruptcy: grade D, market ban (L1407);
//! - a poor provincial public credit grade (D 较差 or E 差) or a place on a
//!   serious-untrust list (`black:…`) is key supervision (重点监管, L68):
//!   graded at most B, the highest grade Yiwu inspects more (L1407).
//!
//! The market result feeds the city's legal-person credit score (L1403),
//! so the provincial score is not weighted into it (2.0.0; 1.0.0 weighted
//! it 20 %). See README.md for the rules, their source lines and the
//! choices the source leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model.
pub struct YiwuMarket;

/// The share of the provincial base, in basis points: none. The market
/// result feeds the city's legal-person credit score (L1403); the
/// provincial evaluation acts through its grade and lists (key
/// supervision, L68), not through points.
pub const BASE_WEIGHT_BP: u32 = 0;

/// The source line cited by the declared consequences, as the host shows it.
const SOURCE: &str = "credit-zhejiang-2020-01";

/// Grades AAA–D and their lowest scores (hundredths).
pub fn bands() -> Bands {
    Bands::new(&[
        ("AAA", 90_000),
        ("AA", 80_000),
        ("A", 70_000),
        ("B", 60_000),
        ("C", 45_000),
        ("D", 0),
    ])
}

/// The grade of credit bankruptcy (信用破产, L1395), which a violation of
/// serious circumstances brings whatever the points (L1407).
pub const BANKRUPT: &str = "D";

/// The highest grade Yiwu inspects more (「B级以下（包括B级）…适当提高抽查比例和频次」,
/// L1407): the grade a subject under key supervision (重点监管, L68: 「适当提高抽查比例和频次」)
/// gets at most.
pub const KEY_SUPERVISION_CEILING: &str = "B";

/// The highest score of grade D, where a serious violation caps the score
/// (hundredths): 449.99.
pub const BANKRUPT_CAP: Points = 45_000 - 1;

/// The six aspects scored and their maxima in points; they add up to 1000.
/// Every indicator's description starts with the name of its aspect.
/// (1.0.0's "public credit" aspect, 20 % of the provincial score, is gone;
/// the other aspects keep their proportions, each × 1.25.)
pub const ASPECTS: [(&str, f64); 6] = [
    ("basic-information", 125.0),
    ("honest-operation", 312.5),
    ("honours-assets", 125.0),
    ("rule-compliance", 187.5),
    ("party-building", 62.5),
    ("transformation-development", 187.5),
];

/// How market supervision treats an operator of `grade` (L1407, L1405):
/// AA and above are spot-checked less (降低抽查比例、频次), B and below more
/// (提高抽查比例和频次，加大检查力度), and D — credit bankruptcy — is expelled
/// from the market (逐出市场, 市场禁入). The source says nothing of A: we call
/// it normal inspection.
pub fn supervision(grade: &str) -> &'static str {
    match grade {
        "AAA" | "AA" => "inspected less often",
        "A" => "normal inspection",
        "B" | "C" => "inspected more often",
        "D" => "expelled from the market",
        _ => "not a grade of this model",
    }
}

/// Whether `grade` is better than `than` on this model's scale.
fn better(grade: &str, than: &str) -> bool {
    let b = bands();
    b.min_of(grade) > b.min_of(than)
}

impl Model for YiwuMarket {
    fn describe() -> ModelInfo {
        use ValueKind::*;
        ModelInfo {
            name: "yiwu/market".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Yiwu market operator credit (义乌市场信用)".into(),
            subject_kinds: vec![SubjectKind::Enterprise, SubjectKind::NaturalPerson],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: BASE_WEIGHT_BP,
            grades: bands().to_wit(),
            indicators: vec![
                spec(
                    "years_in_market",
                    "basic-information (up to 75): 7.5 points a year operating in the market, at most 10 years",
                    Number,
                    true,
                ),
                spec(
                    "license_valid",
                    "basic-information (up to 50): 50 points for a valid business licence",
                    Flag,
                    true,
                ),
                spec(
                    "verified_complaints_1y",
                    "honest-operation (up to 312.5): 312.5 minus 62.5 per verified complaint in the last year, not below 0",
                    Number,
                    true,
                ),
                spec(
                    "counterfeit_cases_5y",
                    "honest-operation (deduction): minus 156.25 per counterfeit case in 5 years, never taking the aspect below 0",
                    Number,
                    false,
                ),
                spec(
                    "honours",
                    "honours-assets (up to 62.5): 31.25 points per honour, at most 2",
                    Number,
                    false,
                ),
                spec(
                    "owns_stall_property",
                    "honours-assets (up to 62.5): 62.5 points when the operator owns the stall property",
                    Flag,
                    false,
                ),
                spec(
                    "market_rule_violations_1y",
                    "rule-compliance (up to 187.5): 187.5 minus 37.5 per market rule violation in the last year, not below 0",
                    Number,
                    true,
                ),
                spec(
                    "party_member_operator",
                    "party-building (up to 31.25): 31.25 points when the operator is a party member",
                    Flag,
                    false,
                ),
                spec(
                    "community_service_events_1y",
                    "party-building (up to 31.25): 6.25 points per community service event in the last year, at most 5",
                    Number,
                    false,
                ),
                spec(
                    "ecommerce_active",
                    "transformation-development (up to 75): 75 points when the operator also sells online",
                    Flag,
                    false,
                ),
                spec(
                    "own_brand",
                    "transformation-development (up to 62.5): 62.5 points for an own brand",
                    Flag,
                    false,
                ),
                spec(
                    "export_share_pct",
                    "transformation-development (up to 50): export share of sales in percent (0-100), 0.5 points per percent",
                    Number,
                    false,
                ),
                spec(
                    "serious_violation",
                    "credit bankruptcy (信用破产): true when the authorities found a violation of serious circumstances (违法情节严重) that revokes the right to trade in the market (取消入场经营资格，实行市场禁入, L1407): grade D whatever the points, the score capped at 449.99; absent means none",
                    Flag,
                    false,
                ),
            ],
        }
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        match req.subject.kind {
            SubjectKind::Enterprise | SubjectKind::NaturalPerson => {}
            other => return Err(EvalError::UnsupportedSubject(other)),
        }
        let provincial = ProvincialGrade::of(req)?;
        let years = req.amount("years_in_market")?;
        let licensed = req.flag("license_valid")?;
        let complaints = req.count("verified_complaints_1y")?;
        let counterfeits = req.opt_count("counterfeit_cases_5y")?.unwrap_or(0.0);
        let honours = req.opt_count("honours")?.unwrap_or(0.0);
        let stall = req.opt_flag("owns_stall_property")?.unwrap_or(false);
        let violations = req.count("market_rule_violations_1y")?;
        let party = req.opt_flag("party_member_operator")?.unwrap_or(false);
        let events = req.opt_count("community_service_events_1y")?.unwrap_or(0.0);
        let online = req.opt_flag("ecommerce_active")?.unwrap_or(false);
        let brand = req.opt_flag("own_brand")?.unwrap_or(false);
        let export = req.opt_number("export_share_pct")?.unwrap_or(0.0);
        let serious = req.opt_flag("serious_violation")?.unwrap_or(false);
        if !(0.0..=100.0).contains(&export) {
            return Err(EvalError::InvalidIndicator(format!(
                "export_share_pct: must be a percentage from 0 to 100, got {export}"
            )));
        }

        let mut card = Scorecard::new(0, 100_000);
        // The provincial base, shown and not weighted.
        card.add_base_share(
            req.base.score,
            BASE_WEIGHT_BP,
            "not weighted: the market result feeds the city's legal-person credit score (L1403); \
             the provincial grade and lists act through key supervision (L68)",
        );
        // 1. basic information (up to 125).
        card.add_points_of(
            "years_in_market",
            years.min(10.0) * 7.5,
            75.0,
            "basic-information: 7.5 points a year in the market, at most 10 years",
        );
        card.add_points_of(
            "license_valid",
            if licensed { 50.0 } else { 0.0 },
            50.0,
            if licensed {
                "basic-information: business licence valid"
            } else {
                "basic-information: no valid business licence"
            },
        );
        // 2. honest operation (up to 312.5, never below 0): the complaints
        // part first, then the counterfeit deduction, limited to what is left.
        let complaint_points = (312.5 - 62.5 * complaints).max(0.0);
        card.add_points_of(
            "verified_complaints_1y",
            complaint_points,
            312.5,
            &format!(
                "honest-operation: {complaints} verified complaint(s) in the last year, 62.5 points each"
            ),
        );
        let counterfeit_points = (156.25 * counterfeits).min(complaint_points);
        card.add_points_of(
            "counterfeit_cases_5y",
            -counterfeit_points,
            0.0,
            &if counterfeit_points < 156.25 * counterfeits {
                format!(
                    "honest-operation: {counterfeits} counterfeit case(s) in 5 years, 156.25 points each, limited to the {complaint_points} points left in the aspect"
                )
            } else {
                format!(
                    "honest-operation: {counterfeits} counterfeit case(s) in 5 years, 156.25 points each"
                )
            },
        );
        // 3. honours & assets (up to 125).
        card.add_points_of(
            "honours",
            honours.min(2.0) * 31.25,
            62.5,
            "honours-assets: 31.25 points per honour, at most 2",
        );
        card.add_points_of(
            "owns_stall_property",
            if stall { 62.5 } else { 0.0 },
            62.5,
            if stall {
                "honours-assets: owns the stall property"
            } else {
                "honours-assets: does not own the stall property"
            },
        );
        // 4. rule compliance (up to 187.5).
        card.add_points_of(
            "market_rule_violations_1y",
            (187.5 - 37.5 * violations).max(0.0),
            187.5,
            &format!(
                "rule-compliance: {violations} market rule violation(s) in the last year, 37.5 points each"
            ),
        );
        // 5. party building (up to 62.5).
        card.add_points_of(
            "party_member_operator",
            if party { 31.25 } else { 0.0 },
            31.25,
            if party {
                "party-building: party member operator"
            } else {
                "party-building: not a party member operator"
            },
        );
        card.add_points_of(
            "community_service_events_1y",
            events.min(5.0) * 6.25,
            31.25,
            "party-building: 6.25 points per community service event, at most 5",
        );
        // 6. transformation & development (up to 187.5).
        card.add_points_of(
            "ecommerce_active",
            if online { 75.0 } else { 0.0 },
            75.0,
            if online {
                "transformation-development: sells online"
            } else {
                "transformation-development: no online sales"
            },
        );
        card.add_points_of(
            "own_brand",
            if brand { 62.5 } else { 0.0 },
            62.5,
            if brand {
                "transformation-development: has an own brand"
            } else {
                "transformation-development: no own brand"
            },
        );
        card.add_points_of(
            "export_share_pct",
            export * 0.5,
            50.0,
            &format!(
                "transformation-development: {export} % of sales exported, 0.5 points per percent"
            ),
        );

        // Credit bankruptcy (信用破产), whatever the points (L1407): grade D,
        // shown as a cap to the top of D so that score and grade agree.
        let points_alone = bands().grade_for(card.total()).to_string();
        if serious {
            let why = format!(
                "credit bankruptcy (信用破产): a violation of serious circumstances (违法情节严重) — \
                 grade {BANKRUPT} whatever the points (the points alone earn {points_alone}), the score capped at {}; \
                 the right to trade in the market is revoked (取消入场经营资格，实行市场禁入)",
                format_points(BANKRUPT_CAP)
            );
            if !card.cap(BANKRUPT_CAP, "serious-violation", &why) {
                card.reason(why);
            }
        }

        // Key supervision (重点监管), whatever the points (L68): a poor
        // provincial grade or a serious-untrust list. A status, not points:
        // the score stays, the grade is at most B.
        let black: Vec<&str> = req.lists_with("black:").collect();
        let mut causes = Vec::new();
        if provincial.is_poor() {
            causes.push(format!("provincial public credit grade {provincial}"));
        }
        if !black.is_empty() {
            causes.push(format!(
                "on a serious-untrust list (严重失信名单: {})",
                black.join(", ")
            ));
        }
        let key = !causes.is_empty();
        if key {
            let earned = bands().grade_for(card.total()).to_string();
            card.reason(if better(&earned, KEY_SUPERVISION_CEILING) {
                format!(
                    "key supervision (重点监管): {} — graded {KEY_SUPERVISION_CEILING} whatever the points \
                     (the points alone earn {earned}; the score stays), the highest grade inspected more often \
                     (提高抽查比例和频次)",
                    causes.join("; ")
                )
            } else {
                format!(
                    "key supervision (重点监管): {} — grade {earned} is already inspected more often \
                     (提高抽查比例和频次)",
                    causes.join("; ")
                )
            });
        }

        let mut e = card.finish(&bands());
        if key && better(&e.grade, KEY_SUPERVISION_CEILING) {
            e.grade = KEY_SUPERVISION_CEILING.into();
        }
        // D is credit bankruptcy however it is reached: by points too, the
        // operator is told what it means (L1395, L1405).
        if e.grade == BANKRUPT && !e.reasons.iter().any(|r| r.starts_with("credit bankruptcy")) {
            e.reasons.insert(
                0,
                "credit bankruptcy (信用破产): grade D by points; 信用破产者直接逐出市场 — \
                 the operator is expelled from the market (L1405)"
                    .into(),
            );
        }
        Ok(e)
    }

    fn consequences() -> Vec<Consequence> {
        let key = "key supervision (重点监管): graded at most B whatever the points, which stay as \
                   they are — B, the highest grade Yiwu spot-checks more (提高抽查比例和频次, L1407); \
                   a grade of C or D by points stays";
        vec![
            consequence(
                "serious_violation",
                "credit bankruptcy (信用破产): a violation of serious circumstances (违法情节严重) gives \
                 grade D whatever the points, the score capped at 449.99; the operator loses the right \
                 to trade in the market (取消入场经营资格，实行市场禁入)",
                Some(BANKRUPT),
                &format!("{SOURCE} L1407"),
            ),
            // "At most B" is not one grade: a C or D by points stays, so
            // the consequence names no grade (the effect says which).
            consequence(
                ProvincialGrade::WHEN_POOR,
                key,
                None,
                &format!("{SOURCE} L68, L1407"),
            ),
            consequence("list:black", key, None, &format!("{SOURCE} L68, L1407")),
        ]
    }
}

export_model!(YiwuMarket);

#[cfg(test)]
mod tests;
