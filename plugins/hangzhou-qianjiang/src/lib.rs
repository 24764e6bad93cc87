//! Hangzhou Qianjiang score 2.0 (杭州钱江分), version 3.0.0.
//!
//! The city credit score of Hangzhou for natural persons aged 18 or over who
//! opted in, on a 1000-point scale. The provincial natural-person public
//! credit score is the base, "weighted by band" (对省公共信用评价的不同分数段
//! 赋予不同权重): up to 800 points. The other 200 are N city indicators —
//! basic information, life and credit use, and the pro-social "medals"
//! (blood donation, volunteering, library, sport, public transport) — less
//! deductions for traffic violations, utility arrears and credit-pay
//! defaults. Serious dishonesty (a provincial black list, 严重失信名单) is a
//! marked deduction of 200 points from where the score stands
//! (重大失信显著扣分), and at most 549.99, below every app benefit. A poor
//! provincial grade (较差) or a black list puts the person under key
//! supervision (重点监管): the grade `key-supervision`, whatever the score.
//! Otherwise the grade is the colour of the personal credit code: blue,
//! green, yellow. [`BENEFITS`] are the app benefits the source names, each
//! with its threshold in the source's own words: "at least" (达到) or
//! "above" (高于). See README.md for the source of each rule and the
//! choices the source leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model.
pub struct HangzhouQianjiang;

/// The source the rules cite: 《信用浙江》2020 no. 1–2.
pub const SOURCE: &str = "credit-zhejiang-2020-01";

/// The share of the provincial base, in basis points: at most 800 of the
/// 1000 points come from the band-weighted base.
pub const BASE_WEIGHT_BP: u32 = 8000;

/// The band-weighted base: `(from, to, weight_bp)` — each provincial point
/// in `from..to` (hundredths) is worth `weight_bp / 10_000` Qianjiang points.
/// 0.5 below 600 (→ 0–300), 1.5 from 600 to 800 (→ 300–600), 1.0 from 800
/// to 1000 (→ 600–800).
pub const BASE_BANDS: [(Points, Points, u32); 3] = [
    (0, 60_000, 5_000),
    (60_000, 80_000, 15_000),
    (80_000, 100_000, 10_000),
];

/// The youngest age scored.
pub const MIN_AGE: f64 = 18.0;

/// Points for a verified identity (basic information).
pub const IDENTITY_POINTS: f64 = 20.0;

/// 重大失信显著扣分 (L1284): the points (hundredths) deducted from where the
/// score stands for a subject on a provincial black list (the
/// serious-untrust list, 严重失信名单): 200, as much as all N indicators can
/// earn and more than all ordinary deductions together (165).
pub const SERIOUS_DISHONESTY_DEDUCTION: Points = 20_000;

/// The most a black-listed subject keeps after the deduction (hundredths):
/// 549.99, one hundredth below the lowest app benefit (hospital pay-once,
/// at least 550) and below green. Our choice, kept from 2.0.0.
pub const BLACK_LIST_CAP: Points = 54_999;

/// The grade of a subject under key supervision (重点监管, L68): a poor
/// provincial grade (D 较差 or E 差) or a provincial black list, whatever
/// the score.
pub const KEY_SUPERVISION: &str = "key-supervision";

/// Whether a benefit's threshold is met at exactly its value, as the
/// source's words say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// 达到 ("reaching"): at least the threshold — met at exactly it.
    AtLeast,
    /// 高于 ("higher than"): strictly above the threshold — at hundredths,
    /// from the threshold + 0.01.
    Above,
}

impl Bound {
    /// Whether `score` meets `threshold` (both in hundredths).
    pub fn admits(self, score: Points, threshold: Points) -> bool {
        match self {
            Bound::AtLeast => score >= threshold,
            Bound::Above => score > threshold,
        }
    }

    /// "at least" or "above".
    pub fn words(self) -> &'static str {
        match self {
            Bound::AtLeast => "at least",
            Bound::Above => "above",
        }
    }

    /// The source's word: 达到 or 高于.
    pub fn chinese(self) -> &'static str {
        match self {
            Bound::AtLeast => "达到",
            Bound::Above => "高于",
        }
    }
}

/// An app benefit the source names with a Qianjiang threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Benefit {
    /// A short name, as a benefit scenario would be named.
    pub name: &'static str,
    /// What it is, in English.
    pub title: &'static str,
    /// Its name in the source.
    pub chinese: &'static str,
    /// The threshold, in hundredths.
    pub threshold: Points,
    /// Met at the threshold (达到) or only above it (高于).
    pub bound: Bound,
    /// The source's words for the threshold.
    pub words: &'static str,
    /// Whose score decides, where it is not the applicant's own.
    pub whose: &'static str,
    /// The source line.
    pub line: u32,
}

impl Benefit {
    /// Whether a score (hundredths) unlocks this benefit.
    pub fn admits(&self, score: Points) -> bool {
        self.bound.admits(score, self.threshold)
    }

    /// The rule in words, e.g. "above 580 (高于)".
    pub fn rule(&self) -> String {
        format!(
            "{} {} ({})",
            self.bound.words(),
            format_points(self.threshold).trim_end_matches(".00"),
            self.bound.chinese()
        )
    }
}

/// The app benefits the source names with a threshold, lowest first, each
/// as the source words it: 达到 is "at least", 高于 is "above". (Office
/// equipment leasing, campus fitness, Jiande tourism and park employees'
/// offers have thresholds the source does not give: not listed.)
pub const BENEFITS: [Benefit; 7] = [
    Benefit {
        name: "hangzhou-hospital-pay-once",
        title: "hospital pay-once (a credit line: pay once after treatment)",
        chinese: "舒心就医·最多付一次",
        threshold: 55_000,
        bound: Bound::AtLeast,
        words: "钱江分达到550分的市民可签约舒心就医·最多付一次服务",
        whose: "the person's",
        line: 707,
    },
    Benefit {
        name: "hangzhou-caocao-ride-hailing",
        title: "Caocao ride-hailing privileges (10 % off, priority, star drivers)",
        chinese: "曹操专车信用权益",
        threshold: 55_000,
        bound: Bound::Above,
        words: "对于分数高于550分的用户，可在市民卡APP享受曹操专车优质服务",
        whose: "the person's",
        line: 1292,
    },
    Benefit {
        name: "hangzhou-transit-credit-pay",
        title: "transit credit-pay (ride first, pay later, on bus and metro)",
        chinese: "扫码乘车信用付",
        threshold: 57_300,
        bound: Bound::AtLeast,
        words: "钱江分达到573分的用户…通过信用付快速乘车",
        whose: "the person's",
        line: 1292,
    },
    Benefit {
        name: "hangzhou-library-deposit-waiver",
        title: "library e-card without the 100-yuan deposit (non-citizen-card users)",
        chinese: "免押办理图书馆电子借阅证",
        threshold: 57_300,
        bound: Bound::AtLeast,
        words: "对于钱江分达到573的非市民卡用户…无需支付100元押金",
        whose: "the person's (a citizen-card user pays no deposit anyway)",
        line: 1300,
    },
    Benefit {
        name: "hangzhou-park-and-leave-later",
        title: "barrier-free parking: leave first, pay later",
        chinese: "无杆停车·先离场后付费",
        threshold: 58_000,
        bound: Bound::Above,
        words: "为钱江分高于580的用户开通信用账户、享受信用支付",
        whose: "the person's",
        line: 1292,
    },
    Benefit {
        name: "hangzhou-pilot-park-enterprise",
        title: "pilot credit park benefits for the enterprise (innovation vouchers, rent relief, …)",
        chinese: "信用示范园区",
        threshold: 65_000,
        bound: Bound::AtLeast,
        words: "为法定代表人钱江分达到650的入驻企业提供…优质服务",
        whose: "the enterprise's legal representative's",
        line: 1314,
    },
    Benefit {
        name: "hangzhou-rental-deposit-halved",
        title: "public-rental housing deposit halved",
        chinese: "公租房押金减半",
        threshold: 70_000,
        bound: Bound::AtLeast,
        words: "家庭中任意一成员钱江分达到700分的，可…申请押金减半优惠",
        whose: "any household member's",
        line: 1294,
    },
];

/// Grades by points: the personal credit code colours and their lowest
/// scores (hundredths).
pub fn bands() -> Bands {
    Bands::new(&[("blue", 65_000), ("green", 55_000), ("yellow", 0)])
}

/// The declared grades: the colours, then [`KEY_SUPERVISION`], which no
/// score earns (declared from 0, the bottom of the scale, because a grade
/// needs a lowest score): only the key-supervision rule gives it.
pub fn grades() -> Vec<GradeBand> {
    let mut g = bands().to_wit();
    g.push(GradeBand {
        grade: KEY_SUPERVISION.into(),
        min_score: 0,
    });
    g
}

/// The app benefits a score (hundredths) unlocks, lowest threshold first.
pub fn benefits(score: Points) -> Vec<&'static Benefit> {
    BENEFITS.iter().filter(|b| b.admits(score)).collect()
}

/// A counted indicator: so many points per whole unit, up to a limit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Count {
    /// The indicator's name.
    pub name: &'static str,
    /// Points per whole unit; negative for a deduction.
    pub per_unit: f64,
    /// Full marks, or for a deduction the largest deduction (negative).
    pub limit: f64,
    /// One unit, e.g. "blood donation in the last 3 years".
    pub unit: &'static str,
    /// The dimension, and for pro-social behaviour the medal.
    pub group: &'static str,
}

impl Count {
    fn bound(&self) -> &'static str {
        if self.per_unit < 0.0 {
            "down to"
        } else {
            "at most"
        }
    }

    fn description(&self) -> String {
        format!(
            "{} ({} {}): {} points per {}, {} {}",
            self.group,
            if self.per_unit < 0.0 {
                "down to"
            } else {
                "up to"
            },
            self.limit,
            self.per_unit,
            self.unit,
            self.bound(),
            self.limit
        )
    }

    /// Points for `n` units (already whole and non-negative), or `None`.
    fn points(&self, n: Option<f64>) -> f64 {
        let raw = n.unwrap_or(0.0) * self.per_unit;
        if self.per_unit < 0.0 {
            raw.max(self.limit)
        } else {
            raw.min(self.limit)
        }
    }

    fn note(&self, n: Option<f64>) -> String {
        match n {
            None => format!("not reported ({})", self.group),
            Some(n) => format!(
                "{n} × {}: {} points each, {} {} ({})",
                self.unit,
                self.per_unit,
                self.bound(),
                self.limit,
                self.group
            ),
        }
    }
}

const CARD: &str = "life/credit use";
const AIXIN: &str = "pro-social, 爱心使者 medal (blood donation & volunteering)";
const WENTI: &str = "pro-social, 文体达人 medal (library & campus fitness)";
const DITAN: &str = "pro-social, 低碳行者 medal (public transport)";

/// The counted positive indicators. With [`IDENTITY_POINTS`] their full
/// marks add up to 200.
pub const POSITIVES: [Count; 6] = [
    Count {
        name: "citizen_card_years",
        per_unit: 4.0,
        limit: 40.0,
        unit: "full year holding a Hangzhou citizen card",
        group: CARD,
    },
    Count {
        name: "blood_donations_3y",
        per_unit: 15.0,
        limit: 45.0,
        unit: "blood donation in the last 3 years",
        group: AIXIN,
    },
    Count {
        name: "volunteer_hours_1y",
        per_unit: 0.5,
        limit: 30.0,
        unit: "whole volunteer hour in the last year (1 point per 2 hours)",
        group: AIXIN,
    },
    Count {
        name: "library_loans_1y",
        per_unit: 0.5,
        limit: 20.0,
        unit: "library loan in the last year",
        group: WENTI,
    },
    Count {
        name: "campus_fitness_visits_1y",
        per_unit: 0.2,
        limit: 15.0,
        unit: "visit to a school sports ground opened to the public in the last year",
        group: WENTI,
    },
    Count {
        name: "public_transport_trips_1y",
        per_unit: 0.05,
        limit: 30.0,
        unit: "bus, metro or public-bike trip in the last year",
        group: DITAN,
    },
];

/// The deductions (no full marks: each only takes points away).
pub const DEDUCTIONS: [Count; 3] = [
    Count {
        name: "traffic_violations_1y",
        per_unit: -10.0,
        limit: -60.0,
        unit: "traffic violation in the last year",
        group: "law-abiding",
    },
    Count {
        name: "utility_arrears_1y",
        per_unit: -15.0,
        limit: -45.0,
        unit: "water, power or gas bill in arrears in the last year",
        group: CARD,
    },
    Count {
        name: "credit_pay_defaults_1y",
        per_unit: -20.0,
        limit: -60.0,
        unit: "default on a credit-pay (信用付) service in the last year",
        group: CARD,
    },
];

/// The band-weighted base in hundredths for a provincial score `base` in
/// hundredths (0..=100_000), rounded half up once.
pub fn base_points(base: Points) -> Points {
    let weighted: Points = BASE_BANDS
        .iter()
        .map(|&(from, to, bp)| (base.min(to) - from).max(0) * Points::from(bp))
        .sum();
    (weighted + 5_000) / 10_000
}

fn base_note(base: Points) -> String {
    let p = points_to_f64(base);
    let &(from, to, bp) = BASE_BANDS
        .iter()
        .find(|&&(from, to, _)| base >= from && (base < to || to == 100_000))
        .unwrap_or(&BASE_BANDS[0]);
    let weight = f64::from(bp) / 10_000.0;
    format!(
        "provincial score {p:.2} in band {}–{} (weight {weight:.1}): {:.2} + {weight:.1} × ({p:.2} − {}) = {:.2}",
        points_to_f64(from),
        points_to_f64(to),
        points_to_f64(base_points(from)),
        points_to_f64(from),
        points_to_f64(base_points(base)),
    )
}

/// Where the source says it: "credit-zhejiang-2020-01 L68".
fn cite(line: u32) -> String {
    format!("{SOURCE} L{line}")
}

impl Model for HangzhouQianjiang {
    fn describe() -> ModelInfo {
        use ValueKind::*;
        let mut indicators = vec![
            spec(
                "age",
                "age in years; only persons aged 18 or over are scored (no points)",
                Number,
                true,
            ),
            spec(
                "identity_verified",
                "basic information (up to 20): 20 points when the real-name identity is verified",
                Flag,
                true,
            ),
        ];
        indicators.extend(
            POSITIVES
                .iter()
                .chain(&DEDUCTIONS)
                .map(|c| spec(c.name, &c.description(), Number, false)),
        );
        ModelInfo {
            name: "hangzhou/qianjiang".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Hangzhou Qianjiang score 2.0 (杭州钱江分)".into(),
            subject_kinds: vec![SubjectKind::NaturalPerson],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: BASE_WEIGHT_BP,
            grades: grades(),
            indicators,
        }
    }

    fn consequences() -> Vec<Consequence> {
        vec![
            consequence(
                ProvincialGrade::WHEN_POOR,
                "key supervision (重点监管): a provincial public credit grade of D (较差) or E (差) \
                 gives the grade 'key-supervision' whatever the score; the score itself is unchanged \
                 (the provincial score already counts in the base)",
                Some(KEY_SUPERVISION),
                &cite(68),
            ),
            consequence(
                "list:black",
                "key supervision (重点监管): a subject on a provincial black list (the serious-untrust \
                 list, 严重失信名单) gets the grade 'key-supervision' whatever the score",
                Some(KEY_SUPERVISION),
                &cite(68),
            ),
            consequence(
                "list:black",
                "serious dishonesty, marked deduction (重大失信显著扣分): 200 points off the score where \
                 it stands, then at most 549.99, below every app benefit (the 200 and the 549.99 are \
                 our choices; the source gives no amount)",
                None,
                &cite(1284),
            ),
        ]
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        if req.subject.kind != SubjectKind::NaturalPerson {
            return Err(EvalError::UnsupportedSubject(req.subject.kind));
        }
        if !(0..=100_000).contains(&req.base.score) {
            return Err(EvalError::Other(format!(
                "base score {:.2} is off the provincial 0–1000 scale",
                points_to_f64(req.base.score)
            )));
        }
        let provincial = ProvincialGrade::of(req)?;
        let age = req.number("age")?;
        if age < MIN_AGE {
            return Err(EvalError::InvalidIndicator(format!(
                "age: the Qianjiang score is for persons aged 18 or over, got {age}"
            )));
        }
        let verified = req.flag("identity_verified")?;
        let positives = POSITIVES
            .iter()
            .map(|c| Ok((c, req.opt_count(c.name)?)))
            .collect::<Result<Vec<_>, EvalError>>()?;
        let deductions = DEDUCTIONS
            .iter()
            .map(|c| Ok((c, req.opt_count(c.name)?)))
            .collect::<Result<Vec<_>, EvalError>>()?;

        let mut card = Scorecard::new(0, 100_000);
        card.add(
            "base",
            base_points(req.base.score),
            &base_note(req.base.score),
        );
        card.add_points_of(
            "identity_verified",
            if verified { IDENTITY_POINTS } else { 0.0 },
            IDENTITY_POINTS,
            if verified {
                "basic information: real-name identity verified"
            } else {
                "basic information: identity not verified"
            },
        );
        for (c, n) in positives {
            card.add_points_of(c.name, c.points(n), c.limit, &c.note(n));
        }
        for (c, n) in deductions {
            card.add_points(c.name, c.points(n), &c.note(n));
        }

        // Key supervision (L68): the first reason, whatever follows.
        let black: Vec<&str> = req.lists_with("black:").collect();
        let mut causes = Vec::new();
        if provincial.is_poor() {
            causes.push(format!(
                "the provincial public credit grade is {provincial}, poor (较差) or worse"
            ));
        }
        if !black.is_empty() {
            causes.push(format!(
                "on the serious-untrust list (严重失信名单: {})",
                black.join(", ")
            ));
        }
        let key_supervision = !causes.is_empty();
        if key_supervision {
            card.reason(format!(
                "key supervision (重点监管, L68): {}; graded {KEY_SUPERVISION} whatever the score",
                causes.join(", and ")
            ));
        }

        // 重大失信显著扣分 (L1284): a marked deduction from where the score
        // stands, then the ceiling below every benefit.
        if !black.is_empty() {
            let before = card.total();
            let note = format!(
                "serious dishonesty (重大失信显著扣分, L1284): on a black list ({}), 200 points off \
                 the score where it stood",
                black.join(", ")
            );
            card.add_points_of(
                "black-list",
                points_to_f64(-SERIOUS_DISHONESTY_DEDUCTION),
                points_to_f64(-SERIOUS_DISHONESTY_DEDUCTION),
                &note,
            );
            card.reason(format!(
                "{note}: {} → {}",
                format_points(before),
                format_points((before - SERIOUS_DISHONESTY_DEDUCTION).max(0))
            ));
            card.cap(
                BLACK_LIST_CAP,
                "black-list-cap",
                "on a black list: at most 549.99 after the deduction, below every app benefit \
                 (our choice)",
            );
        }
        let mut e = card.finish(&bands());
        if key_supervision {
            e.grade = KEY_SUPERVISION.into();
        }
        Ok(e)
    }
}

export_model!(HangzhouQianjiang);

#[cfg(test)]
mod tests;
