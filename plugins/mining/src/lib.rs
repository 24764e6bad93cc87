//! Zhejiang mining credit model (矿业权人和地矿中介机构信用评价), version 2.0.0.
//!
//! The provincial natural resources department grades the 1,970 mining-right
//! holders and the geological and mining intermediaries A, B, C, D on a
//! 100-point scale. The enterprise's provincial public credit score is
//! converted (折算) into one indicator worth 0–20 points (0–1000 → 0–20); the
//! other 80 points are industry indicators: annual reporting, fees, safety,
//! ecological restoration and violations. The grade decides bidding: only A
//! and B may be candidates for state-funded geological and mining projects, C
//! is restricted, D is not a qualified bidder (《信用浙江》2020 no. 1–2 L1137).
//!
//! Whatever the points: a subject on a serious-untrust list is punished as
//! the rules provide (`serious-untrust`, L1149); a poor provincial grade is
//! key supervision (`A-key-supervision` … `D-key-supervision`, L68), which
//! keeps the grade's bidding meaning. Geological and mining experts (地矿专家,
//! natural persons) have no industry evaluation in the source, only their
//! serious-untrust list (L1149): the model gives them their list status
//! (`expert`, `expert-key-supervision`, `serious-untrust`). See README.md for
//! the choices the source leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model.
pub struct Mining;

/// The converted base's share of the 100-point composite, in basis points:
/// 20 % (the provincial 0–1000 becomes 0–20 points).
pub const BASE_WEIGHT_BP: u32 = 2000;

/// Points per provincial point in the conversion: 20 / 1000.
pub const BASE_CONVERSION: f64 = 20.0 / 1000.0;

/// The source this model is read from.
pub const SOURCE: &str = "credit-zhejiang-2020-01";

/// The kinds of subject the model grades, as `holder_type` names them:
/// enterprises (mining-right holders 矿业权人, intermediaries 地矿中介机构) and
/// natural persons (experts 地矿专家).
pub const HOLDER_TYPES: [&str; 3] = ["mining-right-holder", "intermediary", "expert"];

/// The experts' serious-untrust list (地矿专家严重失信名单, L1149), as it
/// arrives in `base.lists`.
pub const EXPERT_LIST: &str = "black:mining-expert-serious-untrust";

/// Industry indicators and their full marks; they add up to 80. Holders and
/// intermediaries only.
pub const INDUSTRY: [(&str, f64); 5] = [
    ("annual_report_on_time", 15.0),
    ("fees_in_arrears", 10.0),
    ("safety_accidents_3y", 20.0),
    ("ecological_restoration", 15.0),
    ("violations_3y", 20.0),
];

/// The grade, whatever the points, of a subject on a serious-untrust list
/// (严重失信名单) that the natural resources departments punish (L1149).
pub const SERIOUS_UNTRUST: &str = "serious-untrust";
/// An expert's grade: not on a serious-untrust list, not under key supervision.
pub const EXPERT: &str = "expert";
/// An expert under key supervision (重点监管对象, L68).
pub const EXPERT_KEY_SUPERVISION: &str = "expert-key-supervision";
/// What is appended to a holder's or intermediary's grade under key
/// supervision (重点监管对象, L68): `B` becomes `B-key-supervision`.
pub const KEY_SUPERVISION_SUFFIX: &str = "-key-supervision";

/// Grades A–D and their lowest scores (hundredths of a point on 0–100).
pub fn bands() -> Bands {
    Bands::new(&[("A", 8_500), ("B", 7_000), ("C", 6_000), ("D", 0)])
}

/// Every declared grade: A–D by points; the same under key supervision
/// (each from its band's lowest score); the experts' grades and
/// `serious-untrust`, which any score may carry.
pub fn grades() -> Vec<GradeBand> {
    let by_points = bands().to_wit();
    let mut grades = by_points.clone();
    for g in &by_points {
        grades.push(GradeBand {
            grade: format!("{}{KEY_SUPERVISION_SUFFIX}", g.grade),
            min_score: g.min_score,
        });
    }
    for g in [EXPERT, EXPERT_KEY_SUPERVISION, SERIOUS_UNTRUST] {
        grades.push(GradeBand {
            grade: g.into(),
            min_score: 0,
        });
    }
    grades
}

/// What a grade means for the subject, as the source states it for
/// state-funded geological and mining projects (财政出资地矿项目, L1137).
pub fn grade_meaning(grade: &str) -> &'static str {
    // Key supervision keeps the letter's bidding meaning.
    match grade.strip_suffix(KEY_SUPERVISION_SUFFIX).unwrap_or(grade) {
        "A" | "B" => {
            "A and B may be candidates to undertake state-funded geological and mining projects \
             (财政出资地矿项目)"
        }
        "C" => {
            "C is restricted from undertaking state-funded geological and mining projects and \
             from the natural resources departments' preferential policies and facilitation"
        }
        "D" => {
            "D lacks the general capacity to perform and is not a qualified bidder for \
             state-funded geological and mining projects (不认定为适格投标人); also restricted from \
             preferential policies and facilitation"
        }
        SERIOUS_UNTRUST => {
            "serious-untrust: punished by the natural resources departments as the rules provide \
             (按照规定实施惩戒)"
        }
        _ => "an expert's grade: no bidding meaning",
    }
}

/// A whole count that loses `each` points per unit from `full`, not below 0.
fn deduct(full: f64, each: f64, count: f64) -> f64 {
    (full - each * count).max(0.0)
}

/// The industry indicators an expert does not give.
fn refuse_industry_for_expert(req: &Request) -> Result<(), EvalError> {
    for (name, _) in INDUSTRY {
        if req.events(name).next().is_some() {
            return Err(EvalError::InvalidIndicator(format!(
                "{name}: does not apply to an expert (地矿专家): the source gives experts no industry \
                 evaluation, only their serious-untrust list (L1149)"
            )));
        }
    }
    Ok(())
}

/// The 80 industry points of a holder or intermediary.
fn industry(req: &Request, holder: &str, card: &mut Scorecard) -> Result<(), EvalError> {
    let report = req.flag("annual_report_on_time")?;
    let arrears = req.opt_flag("fees_in_arrears")?.unwrap_or(false);
    let accidents = req.count("safety_accidents_3y")?;
    let restoration = req.text("ecological_restoration")?;
    let (restoration_points, restoration_note) = match (restoration, holder) {
        ("completed", _) => (15.0, "mine restoration completed"),
        ("in-progress", _) => (8.0, "mine restoration in progress"),
        ("not-started", _) => (0.0, "mine restoration not started"),
        ("not-applicable", "intermediary") => {
            (15.0, "an intermediary has no restoration duty: full marks")
        }
        ("not-applicable", _) => {
            return Err(EvalError::InvalidIndicator(
                "ecological_restoration: 'not-applicable' is only for intermediaries; \
                 a mining-right holder must give completed, in-progress or not-started"
                    .into(),
            ));
        }
        (other, _) => {
            return Err(EvalError::InvalidIndicator(format!(
                "ecological_restoration: '{other}' is not one of completed, in-progress, \
                 not-started, not-applicable"
            )));
        }
    };
    let violations = req.count("violations_3y")?;
    card.add_points_of(
        "annual_report_on_time",
        if report { 15.0 } else { 0.0 },
        15.0,
        if report {
            "annual report filed on time"
        } else {
            "annual report late or missing"
        },
    );
    card.add_points_of(
        "fees_in_arrears",
        if arrears { 0.0 } else { 10.0 },
        10.0,
        if arrears {
            "fees (规费) in arrears"
        } else {
            "no fees in arrears"
        },
    );
    card.add_points_of(
        "safety_accidents_3y",
        deduct(20.0, 10.0, accidents),
        20.0,
        &format!("{accidents} safety accident(s) in 3 years, 10 points each"),
    );
    card.add_points_of(
        "ecological_restoration",
        restoration_points,
        15.0,
        restoration_note,
    );
    card.add_points_of(
        "violations_3y",
        deduct(20.0, 10.0, violations),
        20.0,
        &format!("{violations} mining violation(s) in 3 years, 10 points each"),
    );
    Ok(())
}

impl Model for Mining {
    fn describe() -> ModelInfo {
        use ValueKind::*;
        ModelInfo {
            name: "mining/rights".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Zhejiang mining-right holder, intermediary and expert credit \
                    (矿业权人、地矿中介机构和地矿专家信用)"
                .into(),
            subject_kinds: vec![SubjectKind::Enterprise, SubjectKind::NaturalPerson],
            scale_min: 0,
            scale_max: 10_000,
            base_weight_bp: BASE_WEIGHT_BP,
            grades: grades(),
            indicators: vec![
                spec(
                    "holder_type",
                    "mining-right-holder or intermediary (geological and mining intermediary service), \
                     both enterprises; expert (地矿专家), a natural person",
                    Text,
                    true,
                ),
                spec(
                    "annual_report_on_time",
                    "industry (up to 15), holders and intermediaries, required for them: the annual \
                     report filed on time (holders: the reserves annual report 储量年报; intermediaries: \
                     the annual qualification report)",
                    Flag,
                    false,
                ),
                spec(
                    "fees_in_arrears",
                    "industry (up to 10), holders and intermediaries: 10 when no fees owed to the natural \
                     resources department (规费) are in arrears",
                    Flag,
                    false,
                ),
                spec(
                    "safety_accidents_3y",
                    "industry (up to 20), holders and intermediaries, required for them: minus 10 per \
                     production-safety accident in 3 years",
                    Number,
                    false,
                ),
                spec(
                    "ecological_restoration",
                    "industry (up to 15), holders and intermediaries, required for them: mine \
                     geological-environment restoration completed 15, in-progress 8, not-started 0; \
                     not-applicable (intermediaries only) 15",
                    Text,
                    false,
                ),
                spec(
                    "violations_3y",
                    "industry (up to 20), holders and intermediaries, required for them: minus 10 per \
                     mining violation in 3 years (illegal or out-of-bounds mining, false reporting, \
                     administrative penalties)",
                    Number,
                    false,
                ),
            ],
        }
    }

    fn consequences() -> Vec<Consequence> {
        vec![
            consequence(
                "list:black",
                "holders and intermediaries: a mining-right holder or intermediary on a serious-untrust list (严重失信名单) on the \
                 provincial public credit platform — another department's (在省公共信用信息平台中有被其他\
                 行业主管部门列入严重失信名单的，各级自然资源主管部门也需要按照规定实施惩戒) or the \
                 department's own mining list, pushed to the platform for joint punishment (实施联合惩戒): \
                 the natural resources departments at every level punish it as the rules provide, and it \
                 is a key supervision object (L68); graded serious-untrust whatever the points (the source \
                 does not name the punishment)",
                Some(SERIOUS_UNTRUST),
                &format!("{SOURCE} L1149, L68"),
            ),
            consequence(
                "list:black",
                "experts: an expert on the experts' own serious-untrust list, \
                 black:mining-expert-serious-untrust (地矿专家严重失信名单, 新增严重失信名单管理…\
                 明确惩戒性措施): the punitive measures of the experts' rules; graded serious-untrust",
                Some(SERIOUS_UNTRUST),
                &format!("{SOURCE} L1149"),
            ),
            consequence(
                "list:black",
                "experts: an expert on another department's serious-untrust list: a key supervision object \
                 (重点监管对象); graded expert-key-supervision (L1149's punishment rule names holders, \
                 bidders and intermediaries, not experts)",
                Some(EXPERT_KEY_SUPERVISION),
                &format!("{SOURCE} L68, L1149"),
            ),
            consequence(
                ProvincialGrade::WHEN_POOR,
                "a provincial public credit grade D 较差 or E 差: a key supervision object (重点监管对象: \
                 more spot checks, strict management); a holder or intermediary keeps its grade's bidding \
                 meaning and is graded A-key-supervision, B-key-supervision, C-key-supervision or \
                 D-key-supervision, an expert expert-key-supervision; unless it is serious-untrust",
                None,
                &format!("{SOURCE} L68"),
            ),
        ]
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let kind = req.subject.kind;
        if !matches!(kind, SubjectKind::Enterprise | SubjectKind::NaturalPerson) {
            return Err(EvalError::UnsupportedSubject(kind));
        }
        let provincial = ProvincialGrade::of(req)?;
        let holder = req.text("holder_type")?;
        if !HOLDER_TYPES.contains(&holder) {
            return Err(EvalError::InvalidIndicator(format!(
                "holder_type: '{holder}' is not one of {}",
                HOLDER_TYPES.join(", ")
            )));
        }
        let expert = holder == "expert";
        match (kind, expert) {
            (SubjectKind::NaturalPerson, false) => {
                return Err(EvalError::InvalidIndicator(format!(
                    "holder_type: '{holder}' is an enterprise's; a natural person is graded as an expert"
                )));
            }
            (SubjectKind::Enterprise, true) => {
                return Err(EvalError::InvalidIndicator(
                    "holder_type: 'expert' is a natural person's; an enterprise is a \
                     mining-right-holder or an intermediary"
                        .into(),
                ));
            }
            _ => {}
        }
        if expert {
            refuse_industry_for_expert(req)?;
        }

        let mut card = Scorecard::new(0, 10_000);
        let base = points_to_f64(req.base.score);
        card.add_points(
            "base",
            base * BASE_CONVERSION,
            &format!(
                "provincial public credit score {} converted (折算) at 1000 → 20: × 0.02",
                format_points(req.base.score)
            ),
        );
        if !expert {
            industry(req, holder, &mut card)?;
        }

        let black: Vec<&str> = req.lists_with("black:").collect();
        let poor = provincial.is_poor();
        let key_supervision = format!(
            "key supervision (重点监管对象): provincial public credit grade {provincial}: more spot \
             checks and strict management (公共信用评价等级较差…纳入重点监管对象, L68)"
        );
        let grade = if expert {
            let on_own_list = black.contains(&EXPERT_LIST);
            let others: Vec<&str> = black
                .iter()
                .copied()
                .filter(|l| *l != EXPERT_LIST)
                .collect();
            if on_own_list {
                card.reason(format!(
                    "serious-untrust (严重失信): on the experts' serious-untrust list ({EXPERT_LIST}, \
                     地矿专家严重失信名单): the punitive measures of the experts' rules apply \
                     (新增严重失信名单管理…明确惩戒性措施, L1149)"
                ));
            }
            if !others.is_empty() {
                card.reason(format!(
                    "key supervision (重点监管对象): on a serious-untrust list ({}) (被列入严重失信名单的主体\
                     纳入重点监管对象, L68)",
                    others.join(", ")
                ));
            }
            if poor {
                card.reason(key_supervision);
            }
            card.reason(
                "an expert (地矿专家) has no industry evaluation in the source, only the serious-untrust \
                 list (L1149): the score is the converted public credit alone (up to 20)",
            );
            if on_own_list {
                SERIOUS_UNTRUST.to_string()
            } else if poor || !others.is_empty() {
                EXPERT_KEY_SUPERVISION.to_string()
            } else {
                EXPERT.to_string()
            }
        } else {
            let by_points = bands().grade_for(card.total()).to_string();
            let meaning = format!("grade {by_points}: {}", grade_meaning(&by_points));
            if !black.is_empty() {
                card.reason(format!(
                    "serious-untrust (严重失信): on a serious-untrust list on the provincial public credit \
                     platform ({}): the natural resources departments at every level punish it as the \
                     rules provide (各级自然资源主管部门也需要按照规定实施惩戒, L1149), whatever the \
                     points; by points alone {} ({by_points})",
                    black.join(", "),
                    format_points(card.total())
                ));
                card.reason(
                    "key supervision (重点监管对象): a subject on a serious-untrust list is supervised \
                     more strictly (L68)",
                );
                if poor {
                    card.reason(key_supervision);
                }
                SERIOUS_UNTRUST.to_string()
            } else if poor {
                card.reason(format!(
                    "{key_supervision}; the grade's bidding meaning stands: {by_points}{KEY_SUPERVISION_SUFFIX}"
                ));
                card.reason(meaning);
                format!("{by_points}{KEY_SUPERVISION_SUFFIX}")
            } else {
                card.reason(meaning);
                by_points
            }
        };
        let mut e = card.finish(&bands());
        e.grade = grade;
        Ok(e)
    }
}

export_model!(Mining);

#[cfg(test)]
mod tests;
