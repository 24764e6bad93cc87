//! Taizhou financial service credit platform model (台州市金融服务信用信息共享平台),
//! version 2.0.0.
//!
//! Small and micro enterprises, on a 1000-point scale, as the People's Bank
//! of China Taizhou branch scores them for the banks on its platform. The
//! provincial red and black lists count for exactly 10 % (the source's own
//! figure: 100 of the 1000 points); the other 90 % are the enterprise's credit
//! file and the platform's risk matrix (tax, power use, violations,
//! related-party risk, rating volatility). The risk matrix also raises risk
//! warnings — what the platform pushes to banks every month — which lead the
//! reasons, most important first. Grades AAA, AA, A, B, C by points.
//!
//! The provincial rating (信用浙江的信用评级) is not scored — the 10 % is the
//! lists' — but it is read: it is what the platform shows the bank for its
//! credit check (L1375), so the `base` part's note carries it, and a poor one
//! (较差, D, or worse) puts the enterprise under key supervision (重点监管,
//! L68): grade `key-supervision` whatever the points. An enterprise on an
//! untrust (black) list is intercepted automatically (自动拦截, L1375): grade
//! `intercepted` whatever the points. See [`TaizhouFinance::consequences`]
//! and README.md for the source lines and the choices the source leaves
//! open.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model.
pub struct TaizhouFinance;

/// The share of the provincial lists, in basis points: 10 %.
pub const BASE_WEIGHT_BP: u32 = 1000;

/// The lists' points: with a red list and no black list (full marks).
pub const LISTS_RED: f64 = 100.0;
/// The lists' points: on neither a red nor a black list.
pub const LISTS_CLEAR: f64 = 80.0;

/// A fall (in percent, year on year) in power use or tax paid from which the
/// platform raises a risk warning.
pub const WARNING_DROP_PCT: f64 = 30.0;

/// Grades AAA–C and their lowest scores (hundredths): the grades the points
/// earn.
pub fn bands() -> Bands {
    Bands::new(&[
        ("AAA", 90_000),
        ("AA", 80_000),
        ("A", 70_000),
        ("B", 60_000),
        ("C", 0),
    ])
}

/// The grade of an enterprise under key supervision (重点监管) — its
/// provincial rating is poor — whatever the points (L68).
pub const KEY_SUPERVISION: &str = "key-supervision";

/// The grade of an enterprise on an untrust (black) list, which the
/// platform intercepts automatically (自动拦截), whatever the points (L1375).
pub const INTERCEPTED: &str = "intercepted";

/// Every declared grade: AAA–C by points ([`bands`]), then the two statuses
/// a consequence gives whatever the points, least severe first. A status
/// starts at the bottom of the scale (0): any score can carry it.
pub fn grades() -> Vec<GradeBand> {
    let mut grades = bands().to_wit();
    for status in [KEY_SUPERVISION, INTERCEPTED] {
        grades.push(GradeBand {
            grade: status.into(),
            min_score: 0,
        });
    }
    grades
}

/// Dimension maxima in points; with the lists' 100 they make up 1000.
pub const DIMENSIONS: [(&str, f64); 6] = [
    ("credit-file", 300.0),
    ("tax", 150.0),
    ("power-use", 150.0),
    ("violations", 150.0),
    ("related-party", 100.0),
    ("rating-volatility", 50.0),
];

/// A risk warning, ranked: a lower rank is more important and comes first.
struct Warning {
    rank: u8,
    text: String,
}

impl Model for TaizhouFinance {
    fn describe() -> ModelInfo {
        use ValueKind::*;
        ModelInfo {
            name: "taizhou/finance".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Taizhou financial service credit platform, small and micro enterprises (台州金融服务信用)".into(),
            subject_kinds: vec![SubjectKind::Enterprise],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: BASE_WEIGHT_BP,
            grades: grades(),
            indicators: vec![
                spec(
                    "years_in_operation",
                    "credit file (up to 100): 10 points a year, at most 10 years",
                    Number,
                    true,
                ),
                spec(
                    "overdue_loans_12m",
                    "credit file (up to 120): minus 60 per overdue loan in 12 months",
                    Number,
                    true,
                ),
                spec(
                    "cultivation_pool",
                    "credit file (up to 80): in one of the platform's 8 cultivation pools (培育池)",
                    Flag,
                    false,
                ),
                spec(
                    "tax_arrears",
                    "tax (up to 60): 60 points when no tax arrears are recorded; arrears raise a risk warning",
                    Flag,
                    true,
                ),
                spec(
                    "tax_paid_change_pct",
                    "tax (up to 90): tax paid, change year on year in percent (-100 or more); a fall of 30 % raises a risk warning",
                    Number,
                    true,
                ),
                spec(
                    "power_use_change_pct",
                    "power use (up to 150): electricity use, change year on year in percent (-100 or more); a fall of 30 % raises a risk warning",
                    Number,
                    true,
                ),
                spec(
                    "violations_12m",
                    "violations (up to 150): minus 50 per violation of law or regulation in 12 months",
                    Number,
                    true,
                ),
                spec(
                    "related_parties_black_listed",
                    "related-party risk (up to 100): related enterprises, shareholders or legal representative on a black list: none 100, one 40, more 0",
                    Number,
                    true,
                ),
                spec(
                    "rating_change_notches",
                    "rating volatility (up to 50): change of the credit rating in 12 months in whole notches (negative: downgraded); 0 or up 50, -1 25, -2 or worse 0",
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
        let rating = ProvincialGrade::of(req)?;
        let years = req.amount("years_in_operation")?;
        let overdue = req.count("overdue_loans_12m")?;
        let pool = req.opt_flag("cultivation_pool")?.unwrap_or(false);
        let arrears = req.flag("tax_arrears")?;
        let tax_change = change_pct(req, "tax_paid_change_pct")?;
        let power_change = change_pct(req, "power_use_change_pct")?;
        let violations = req.count("violations_12m")?;
        let related = req.count("related_parties_black_listed")?;
        let notches = match req.opt_number("rating_change_notches")? {
            Some(n) if n.fract() != 0.0 => {
                return Err(EvalError::InvalidIndicator(format!(
                    "rating_change_notches: must be a whole number of notches, got {n}"
                )));
            }
            n => n.unwrap_or(0.0),
        };

        let mut card = Scorecard::new(0, 100_000);
        let mut warnings = Vec::new();

        // The "1": the provincial red and black lists, 10 % of the scale.
        let black: Vec<&str> = req.lists_with("black:").collect();
        let red: Vec<&str> = req.lists_with("red:").collect();
        let (lists, note) = if !black.is_empty() {
            (0.0, format!("provincial black list ({})", black.join(", ")))
        } else if !red.is_empty() {
            (
                LISTS_RED,
                format!("provincial red list ({})", red.join(", ")),
            )
        } else {
            (
                LISTS_CLEAR,
                "on no provincial red or black list".to_string(),
            )
        };
        // The 信用浙江 rating is shown to the bank (L1375), not scored.
        let note = format!(
            "{note}; 信用浙江 rating {rating}, {} points, shown to the bank for its credit check, not scored",
            format_points(req.base.score)
        );
        card.add_points_of("base", lists, LISTS_RED, &note);

        // Credit file (300).
        card.add_points_of(
            "years_in_operation",
            years.min(10.0) * 10.0,
            100.0,
            "credit file: 10 points a year in operation, at most 10 years",
        );
        card.add_points_of(
            "overdue_loans_12m",
            (120.0 - 60.0 * overdue).max(0.0),
            120.0,
            &format!("credit file: {overdue} overdue loan(s) in 12 months, 60 points each"),
        );
        card.add_points_of(
            "cultivation_pool",
            if pool { 80.0 } else { 0.0 },
            80.0,
            if pool {
                "credit file: in a cultivation pool (培育池)"
            } else {
                "credit file: in no cultivation pool"
            },
        );

        // Risk matrix (600): tax.
        card.add_points_of(
            "tax_arrears",
            if arrears { 0.0 } else { 60.0 },
            60.0,
            if arrears {
                "tax: arrears recorded"
            } else {
                "tax: no arrears"
            },
        );
        if arrears {
            warnings.push(Warning {
                rank: 2,
                text: "risk warning: tax arrears recorded".into(),
            });
        }
        let tax_drop = -tax_change;
        card.add_points_of(
            "tax_paid_change_pct",
            drop_points(tax_drop, &[90.0, 70.0, 40.0, 0.0]),
            90.0,
            &format!("tax: tax paid {} year on year", change_text(tax_change)),
        );
        if tax_drop >= WARNING_DROP_PCT {
            warnings.push(Warning {
                rank: 4,
                text: format!(
                    "risk warning: tax paid {} year on year",
                    change_text(tax_change)
                ),
            });
        }

        // Power use.
        let power_drop = -power_change;
        card.add_points_of(
            "power_use_change_pct",
            drop_points(power_drop, &[150.0, 120.0, 60.0, 0.0]),
            150.0,
            &format!(
                "power use: electricity use {} year on year",
                change_text(power_change)
            ),
        );
        if power_drop >= WARNING_DROP_PCT {
            warnings.push(Warning {
                rank: 3,
                text: format!(
                    "risk warning: electricity use {} year on year",
                    change_text(power_change)
                ),
            });
        }

        // Violations.
        card.add_points_of(
            "violations_12m",
            (150.0 - 50.0 * violations).max(0.0),
            150.0,
            &format!("violations: {violations} in 12 months, 50 points each"),
        );
        if violations > 0.0 {
            warnings.push(Warning {
                rank: 5,
                text: format!(
                    "risk warning: {violations} violation(s) of law or regulation in 12 months"
                ),
            });
        }

        // Related-party risk.
        card.add_points_of(
            "related_parties_black_listed",
            match related {
                0.0 => 100.0,
                1.0 => 40.0,
                _ => 0.0,
            },
            100.0,
            &format!("related-party risk: {related} related part(ies) on a black list"),
        );
        if related > 0.0 {
            warnings.push(Warning {
                rank: 1,
                text: format!("risk warning: {related} related part(ies) on a black list"),
            });
        }

        // Rating volatility.
        card.add_points_of(
            "rating_change_notches",
            match notches {
                n if n >= 0.0 => 50.0,
                -1.0 => 25.0,
                _ => 0.0,
            },
            50.0,
            &format!("rating volatility: credit rating moved {notches} notch(es) in 12 months"),
        );
        if notches <= -2.0 {
            warnings.push(Warning {
                rank: 6,
                text: format!(
                    "risk warning: credit rating down {} notches in 12 months",
                    -notches
                ),
            });
        }

        warnings.sort_by_key(|w| w.rank);
        for w in warnings {
            card.reason(w.text);
        }
        let mut e = card.finish(&bands());

        // Consequences, whatever the points: the score stays what the points
        // make, the grade says the status, and the first reason says why.
        let earned = e.grade.clone();
        let mut first = Vec::new();
        if !black.is_empty() {
            e.grade = INTERCEPTED.into();
            first.push(format!(
                "automatic interception (自动拦截): on an untrust list (失信名单: {}), its \
                 applications for administrative business are intercepted (申办行政业务) — graded \
                 '{INTERCEPTED}' whatever the points (the points alone earn {earned}); a key \
                 supervision object (重点监管) too",
                black.join(", ")
            ));
            if rating.is_poor() {
                first.push(format!(
                    "信用浙江 rating {rating}: key supervision (重点监管) too"
                ));
            }
        } else if rating.is_poor() {
            e.grade = KEY_SUPERVISION.into();
            first.push(format!(
                "key supervision (重点监管): 信用浙江 rating {rating} — graded \
                 '{KEY_SUPERVISION}' whatever the points (the points alone earn {earned})"
            ));
        }
        e.reasons.splice(0..0, first);
        Ok(e)
    }

    fn consequences() -> Vec<Consequence> {
        vec![
            consequence(
                ProvincialGrade::WHEN_POOR,
                "key supervision (重点监管): the 信用浙江 rating the bank sees is poor; graded \
                 'key-supervision' whatever the points, which stay as they are",
                Some(KEY_SUPERVISION),
                "credit-zhejiang-2020-01 L68, L1375",
            ),
            consequence(
                "list:black",
                "automatic interception (自动拦截) of the untrustworthy (失信者) when they apply for \
                 administrative business (申办行政业务; the source names no lending rule): graded \
                 'intercepted' whatever the points, which stay as they are (the lists' 10 % \
                 is 0); a key supervision object (重点监管) too",
                Some(INTERCEPTED),
                "credit-zhejiang-2020-01 L1375, L68",
            ),
        ]
    }
}

/// A year-on-year change in percent: a number not below -100.
fn change_pct(req: &Request, name: &str) -> Result<f64, EvalError> {
    let v = req.number(name)?;
    if v < -100.0 {
        return Err(EvalError::InvalidIndicator(format!(
            "{name}: a fall cannot exceed 100 %, got {v}"
        )));
    }
    Ok(v)
}

/// Points for a fall of `drop` percent: `[no fall, under 10 %, under 30 %,
/// 30 % or more]`.
fn drop_points(drop: f64, points: &[f64; 4]) -> f64 {
    match drop {
        d if d <= 0.0 => points[0],
        d if d < 10.0 => points[1],
        d if d < WARNING_DROP_PCT => points[2],
        _ => points[3],
    }
}

/// "down 45 %", "up 12 %" or "unchanged", to the whole percent.
fn change_text(change: f64) -> String {
    let whole = change.round() as i64;
    match whole {
        0 => "unchanged".to_string(),
        w if w < 0 => format!("down {} %", -w),
        w => format!("up {w} %"),
    }
}

export_model!(TaizhouFinance);

#[cfg(test)]
mod tests;
