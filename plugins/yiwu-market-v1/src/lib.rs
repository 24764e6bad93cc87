//! Yiwu market operator credit model (义乌市场信用), version 1.0.0.
//!
//! The Yiwu market supervision bureau scores about 62,000 operators of the
//! small-commodities market — legal-person operators and individual
//! operators — on a 1000-point scale, from data collected automatically, by
//! exchange, self-declared or entered by hand. Seven aspects: the source
//! names honest operation, honours & assets, rule compliance, party building
//! and transformation & development; public credit (the provincial base,
//! 20 %) and basic information are our choice for the other two. Grades AAA,
//! AA, A, B, C, D (excellent, good, stable, wavering, crisis, bankrupt): AA
//! and above are inspected less often, B and below more often, and a D
//! operator is expelled from the market. See README.md for the choices the
//! source leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model.
pub struct YiwuMarket;

/// The share of the provincial base, in basis points: 20 % (our choice).
pub const BASE_WEIGHT_BP: u32 = 2000;

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

/// The seven aspects and their maxima in points; they add up to 1000.
/// Every indicator's description starts with the name of its aspect.
pub const ASPECTS: [(&str, f64); 7] = [
    ("public-credit", 200.0),
    ("basic-information", 100.0),
    ("honest-operation", 250.0),
    ("honours-assets", 100.0),
    ("rule-compliance", 150.0),
    ("party-building", 50.0),
    ("transformation-development", 150.0),
];

/// How market supervision treats an operator of `grade`: AA and above are
/// inspected less often, A normally, B and C more often, and D is expelled
/// from the market (信用破产).
pub fn supervision(grade: &str) -> &'static str {
    match grade {
        "AAA" | "AA" => "inspected less often",
        "A" => "normal inspection",
        "B" | "C" => "inspected more often",
        "D" => "expelled from the market",
        _ => "not a grade of this model",
    }
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
                    "basic-information (up to 60): 6 points a year operating in the market, at most 10 years",
                    Number,
                    true,
                ),
                spec(
                    "license_valid",
                    "basic-information (up to 40): 40 points for a valid business licence",
                    Flag,
                    true,
                ),
                spec(
                    "verified_complaints_1y",
                    "honest-operation (up to 250): 250 minus 50 per verified complaint in the last year, not below 0",
                    Number,
                    true,
                ),
                spec(
                    "counterfeit_cases_5y",
                    "honest-operation (deduction): minus 125 per counterfeit case in 5 years, never taking the aspect below 0",
                    Number,
                    false,
                ),
                spec(
                    "honours",
                    "honours-assets (up to 50): 25 points per honour, at most 2",
                    Number,
                    false,
                ),
                spec(
                    "owns_stall_property",
                    "honours-assets (up to 50): 50 points when the operator owns the stall property",
                    Flag,
                    false,
                ),
                spec(
                    "market_rule_violations_1y",
                    "rule-compliance (up to 150): 150 minus 30 per market rule violation in the last year, not below 0",
                    Number,
                    true,
                ),
                spec(
                    "party_member_operator",
                    "party-building (up to 25): 25 points when the operator is a party member",
                    Flag,
                    false,
                ),
                spec(
                    "community_service_events_1y",
                    "party-building (up to 25): 5 points per community service event in the last year, at most 5",
                    Number,
                    false,
                ),
                spec(
                    "ecommerce_active",
                    "transformation-development (up to 60): 60 points when the operator also sells online",
                    Flag,
                    false,
                ),
                spec(
                    "own_brand",
                    "transformation-development (up to 50): 50 points for an own brand",
                    Flag,
                    false,
                ),
                spec(
                    "export_share_pct",
                    "transformation-development (up to 40): export share of sales in percent (0-100), 0.4 points per percent",
                    Number,
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
        if !(0.0..=100.0).contains(&export) {
            return Err(EvalError::InvalidIndicator(format!(
                "export_share_pct: must be a percentage from 0 to 100, got {export}"
            )));
        }

        let mut card = Scorecard::new(0, 100_000);
        // 1. public credit (up to 200).
        card.add_base_share(
            req.base.score,
            BASE_WEIGHT_BP,
            "public-credit: 20 % of the provincial public credit score",
        );
        // 2. basic information (up to 100).
        card.add_points_of(
            "years_in_market",
            years.min(10.0) * 6.0,
            60.0,
            "basic-information: 6 points a year in the market, at most 10 years",
        );
        card.add_points_of(
            "license_valid",
            if licensed { 40.0 } else { 0.0 },
            40.0,
            if licensed {
                "basic-information: business licence valid"
            } else {
                "basic-information: no valid business licence"
            },
        );
        // 3. honest operation (up to 250, never below 0): the complaints part
        // first, then the counterfeit deduction, limited to what is left.
        let complaint_points = (250.0 - 50.0 * complaints).max(0.0);
        card.add_points_of(
            "verified_complaints_1y",
            complaint_points,
            250.0,
            &format!(
                "honest-operation: {complaints} verified complaint(s) in the last year, 50 points each"
            ),
        );
        let counterfeit_points = (125.0 * counterfeits).min(complaint_points);
        card.add_points_of(
            "counterfeit_cases_5y",
            -counterfeit_points,
            0.0,
            &if counterfeit_points < 125.0 * counterfeits {
                format!(
                    "honest-operation: {counterfeits} counterfeit case(s) in 5 years, 125 points each, limited to the {complaint_points} points left in the aspect"
                )
            } else {
                format!("honest-operation: {counterfeits} counterfeit case(s) in 5 years, 125 points each")
            },
        );
        // 4. honours & assets (up to 100).
        card.add_points_of(
            "honours",
            honours.min(2.0) * 25.0,
            50.0,
            "honours-assets: 25 points per honour, at most 2",
        );
        card.add_points_of(
            "owns_stall_property",
            if stall { 50.0 } else { 0.0 },
            50.0,
            if stall {
                "honours-assets: owns the stall property"
            } else {
                "honours-assets: does not own the stall property"
            },
        );
        // 5. rule compliance (up to 150).
        card.add_points_of(
            "market_rule_violations_1y",
            (150.0 - 30.0 * violations).max(0.0),
            150.0,
            &format!(
                "rule-compliance: {violations} market rule violation(s) in the last year, 30 points each"
            ),
        );
        // 6. party building (up to 50).
        card.add_points_of(
            "party_member_operator",
            if party { 25.0 } else { 0.0 },
            25.0,
            if party {
                "party-building: party member operator"
            } else {
                "party-building: not a party member operator"
            },
        );
        card.add_points_of(
            "community_service_events_1y",
            events.min(5.0) * 5.0,
            25.0,
            "party-building: 5 points per community service event, at most 5",
        );
        // 7. transformation & development (up to 150).
        card.add_points_of(
            "ecommerce_active",
            if online { 60.0 } else { 0.0 },
            60.0,
            if online {
                "transformation-development: sells online"
            } else {
                "transformation-development: no online sales"
            },
        );
        card.add_points_of(
            "own_brand",
            if brand { 50.0 } else { 0.0 },
            50.0,
            if brand {
                "transformation-development: has an own brand"
            } else {
                "transformation-development: no own brand"
            },
        );
        card.add_points_of(
            "export_share_pct",
            export * 0.4,
            40.0,
            &format!(
                "transformation-development: {export} % of sales exported, 0.4 points per percent"
            ),
        );

        // Hard rule: a provincial black list means credit bankruptcy (信用破产).
        let black: Vec<&str> = req.lists_with("black:").collect();
        if !black.is_empty() {
            let cap = bands().min_of("C").unwrap_or(0) - 1;
            let applied = card.cap(
                cap,
                "black-list",
                &format!(
                    "on a provincial black list ({}): capped at {:.2}, grade D (信用破产, expelled from the market)",
                    black.join(", "),
                    points_to_f64(cap)
                ),
            );
            if !applied {
                card.reason(format!(
                    "on a provincial black list ({}): score already below {:.2}, grade D (信用破产, expelled from the market)",
                    black.join(", "),
                    points_to_f64(cap)
                ));
            }
        }
        Ok(card.finish(&bands()))
    }
}

export_model!(YiwuMarket);

#[cfg(test)]
mod tests;
