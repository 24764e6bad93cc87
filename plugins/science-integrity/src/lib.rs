//! Zhejiang research integrity credit model (科研诚信评价), version 2.0.0.
//!
//! The provincial science and technology department scores researchers,
//! enterprises and public institutions doing research on a 1000-point scale
//! with two first-level indicators: "public credit" — the provincial public
//! credit evaluation, converted to 30 % (0–300) — and research credit (0–700):
//! research compliance, research performance and research effectiveness,
//! each kind of subject with its own indicator system ([`SYSTEMS`]).
//!
//! What the source states as prohibitions are grades, whatever the points:
//! an acceptance not applied for or completed in time suspends applications
//! for 2 years (`suspended`, 《信用浙江》2020 no. 1–2 L1105); a bad credit record
//! — a serious-untrust (black) list, a research misconduct finding — refuses
//! them (`refused`, L1105); a poor provincial grade puts the subject under
//! key supervision (`key-supervision`, L68). See README.md for the choices
//! the source leaves open.
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

/// The source line this model is read from, for declarations and reasons.
pub const SOURCE: &str = "credit-zhejiang-2020-01";

/// One kind of subject's indicator system (L1082: 「针对从事科研诚信的人员、
/// 企业、事业单位三类主体分别建立指标体系」; L1085: 「根据科研诚信不同主体评价
/// 指标和权重设置」). The indicators are the same for the three kinds; what
/// one counted record weighs is the kind's own.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IndicatorSystem {
    /// The subject kind it scores.
    pub kind: SubjectKind,
    /// The source's name for the kind.
    pub chinese: &'static str,
    /// Points lost per research-management violation (from 200).
    pub per_violation: f64,
    /// Points lost per overdue acceptance (from 100).
    pub per_overdue: f64,
    /// Points lost per failed acceptance (from 100).
    pub per_failed: f64,
    /// Points per output (paper, patent, standard), up to 100.
    pub per_output: f64,
    /// Points per science award, up to 100.
    pub per_award: f64,
}

/// The three indicator systems: researchers (人员), enterprises (企业) and
/// public institutions (事业单位). A unit's counts gather the records of all
/// its researchers and projects, so each counted record weighs half what it
/// weighs for one researcher (our choice; the source publishes no weights).
pub const SYSTEMS: [IndicatorSystem; 3] = [
    IndicatorSystem {
        kind: SubjectKind::NaturalPerson,
        chinese: "人员",
        per_violation: 50.0,
        per_overdue: 50.0,
        per_failed: 50.0,
        per_output: 10.0,
        per_award: 50.0,
    },
    IndicatorSystem {
        kind: SubjectKind::Enterprise,
        chinese: "企业",
        per_violation: 25.0,
        per_overdue: 25.0,
        per_failed: 25.0,
        per_output: 5.0,
        per_award: 25.0,
    },
    IndicatorSystem {
        kind: SubjectKind::PublicInstitution,
        chinese: "事业单位",
        per_violation: 25.0,
        per_overdue: 25.0,
        per_failed: 25.0,
        per_output: 5.0,
        per_award: 25.0,
    },
];

/// The indicator system of `kind`, if the model scores it.
pub fn system_of(kind: SubjectKind) -> Option<&'static IndicatorSystem> {
    SYSTEMS.iter().find(|s| s.kind == kind)
}

/// How long an overdue acceptance suspends applications: 2 years from the
/// day it is recorded, counted by the Civil Code (L1105: 「2年内暂停项目申请人
/// 申报省级科技计划项目」).
pub const SUSPENSION: Period = Period::years(2);

/// How long a research misconduct finding counts as a bad credit record:
/// 5 years from the finding (our choice; the source gives no window).
pub const MISCONDUCT_WINDOW: Period = Period::years(5);

/// The misconduct findings the model knows.
pub const MISCONDUCT_KINDS: [&str; 3] = ["fabrication", "falsification", "plagiarism"];

/// The grade given, whatever the points, to a subject under key supervision
/// (重点监管对象, L68): a poor provincial grade.
pub const KEY_SUPERVISION: &str = "key-supervision";
/// The grade given, whatever the points, to a subject whose applications
/// are suspended (暂停申报, L1105): an overdue acceptance in 2 years.
pub const SUSPENDED: &str = "suspended";
/// The grade given, whatever the points, to a subject whose applications
/// are refused (拒绝申报, L1105): a bad credit record.
pub const REFUSED: &str = "refused";

/// Grades by points and their lowest scores (hundredths).
pub fn bands() -> Bands {
    Bands::new(&[
        ("excellent", 85_000),
        ("good", 70_000),
        ("fair", 55_000),
        ("poor", 0),
    ])
}

/// Every declared grade: the point bands, then the grades a consequence
/// gives whatever the points (any score may carry them: they start at 0).
pub fn grades() -> Vec<GradeBand> {
    let mut grades = bands().to_wit();
    for g in [KEY_SUPERVISION, SUSPENDED, REFUSED] {
        grades.push(GradeBand {
            grade: g.into(),
            min_score: 0,
        });
    }
    grades
}

/// A whole count that loses `each` points per unit from `full`, not below 0.
fn deduct(full: f64, each: f64, count: f64) -> f64 {
    (full - each * count).max(0.0)
}

fn src(line: u32) -> String {
    format!("{SOURCE} L{line}")
}

/// The overdue acceptances that count on the evaluation date, and how the
/// request gave them.
enum Overdue {
    /// Dated `overdue_acceptance` events within [`SUSPENSION`]: (project,
    /// recorded on, last day of the suspension).
    Dated(Vec<(String, Date, Date)>),
    /// The count `overdue_acceptances_2y` (no dates).
    Counted(f64),
}

impl Overdue {
    fn count(&self) -> f64 {
        match self {
            Overdue::Dated(v) => v.len() as f64,
            Overdue::Counted(n) => *n,
        }
    }
}

fn overdue_acceptances(req: &Request, as_of: Date) -> Result<Overdue, EvalError> {
    let count = req.opt_count("overdue_acceptances_2y")?;
    let mut dated = Vec::new();
    let mut any_event = false;
    for ev in req.events("overdue_acceptance") {
        any_event = true;
        let Value::Text(project) = &ev.value else {
            return Err(EvalError::InvalidIndicator(
                "overdue_acceptance: expected a text (the project)".into(),
            ));
        };
        let on = observed_on(ev)?;
        if SUSPENSION.covers(on, as_of) {
            dated.push((project.clone(), on, SUSPENSION.last_day(on)));
        }
    }
    match (any_event, count) {
        (true, Some(_)) => Err(EvalError::InvalidIndicator(
            "overdue_acceptances_2y: give overdue acceptances either as dated overdue_acceptance \
             events or as this count, not both"
                .into(),
        )),
        (true, None) => {
            // The latest suspension first: it is the one that ends last.
            dated.sort_by_key(|d| std::cmp::Reverse(d.2));
            Ok(Overdue::Dated(dated))
        }
        (false, n) => Ok(Overdue::Counted(n.unwrap_or(0.0))),
    }
}

impl Model for ScienceIntegrity {
    fn describe() -> ModelInfo {
        use ValueKind::*;
        ModelInfo {
            name: "science/integrity".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Zhejiang research integrity credit (科研诚信评价)".into(),
            subject_kinds: SYSTEMS.iter().map(|s| s.kind).collect(),
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: BASE_WEIGHT_BP,
            grades: grades(),
            indicators: vec![
                spec(
                    "research_violations_3y",
                    "research compliance (up to 200): research-management violations in 3 years (late \
                     reports, fund misuse findings); minus 50 each for a researcher, 25 for an enterprise \
                     or institution",
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
                    "overdue_acceptance",
                    "event, may repeat: a project (the text) whose acceptance was not applied for or not \
                     completed in time (在规定期限内未提交验收申请或完成验收工作), observed_on = the day it \
                     was recorded; for 2 years from that day (its corresponding day included) the \
                     subject may not apply (grade suspended), and it costs research performance points \
                     (up to 100: minus 50 each for a researcher, 25 for an enterprise or institution). \
                     Give these or overdue_acceptances_2y, not both",
                    Text,
                    false,
                ),
                spec(
                    "overdue_acceptances_2y",
                    "the same without dates: the number of overdue acceptances recorded within the last \
                     2 years (the corresponding day 2 years on included); more than 0 suspends \
                     applications (grade suspended)",
                    Number,
                    false,
                ),
                spec(
                    "failed_acceptances_3y",
                    "research performance (up to 100): projects that failed acceptance in 3 years; minus \
                     50 each for a researcher, 25 for an enterprise or institution",
                    Number,
                    false,
                ),
                spec(
                    "outputs_3y",
                    "research effectiveness (up to 100): papers, patents and standards in 3 years; 10 each \
                     for a researcher, 5 for an enterprise or institution",
                    Number,
                    true,
                ),
                spec(
                    "science_awards_5y",
                    "research effectiveness (up to 100): provincial or national science awards in 5 years; \
                     50 each for a researcher, 25 for an enterprise or institution",
                    Number,
                    false,
                ),
                spec(
                    "misconduct_finding",
                    "event, may repeat: a finding of fabrication, falsification or plagiarism, observed_on = \
                     the finding's date; a bad credit record for 5 years (its corresponding day \
                     included): applications refused (grade refused)",
                    Text,
                    false,
                ),
            ],
        }
    }

    fn consequences() -> Vec<Consequence> {
        vec![
            consequence(
                "list:black",
                "on a serious-untrust list (严重失信名单, black list: the department's own, the Ministry of \
                 Science and Technology's, any department's): a bad credit record (不良信用记录), so its \
                 applications are refused (拒绝申报) whatever the points, and it is a key supervision \
                 object (重点监管对象, L68)",
                Some(REFUSED),
                &format!("{} L1105, L1078, L68", SOURCE),
            ),
            consequence(
                "misconduct_finding",
                "a research misconduct finding (fabrication, falsification, plagiarism) within 5 years is \
                 a bad credit record (不良信用记录): its applications are refused (拒绝申报) whatever the \
                 points (the 5-year window is the model's choice)",
                Some(REFUSED),
                &src(1105),
            ),
            consequence(
                "overdue_acceptance",
                "a project's acceptance not applied for or completed in time (在规定期限内未提交验收申请或\
                 完成验收工作): the applicant may not apply for provincial science plan projects for 2 \
                 years from the day it is recorded, its corresponding day included (2年内暂停项目申请人\
                 申报省级科技计划项目), whatever the points, unless it is refused",
                Some(SUSPENDED),
                &src(1105),
            ),
            consequence(
                "overdue_acceptances_2y",
                "more than 0 overdue acceptances within the last 2 years: suspended from applying \
                 (2年内暂停项目申请人申报省级科技计划项目) whatever the points, unless it is refused",
                Some(SUSPENDED),
                &src(1105),
            ),
            consequence(
                ProvincialGrade::WHEN_POOR,
                "a provincial public credit grade D 较差 or E 差: a key supervision object (重点监管对象: \
                 more frequent spot checks, strict management), whatever the points, unless it is \
                 suspended or refused",
                Some(KEY_SUPERVISION),
                &src(68),
            ),
        ]
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let kind = req.subject.kind;
        let Some(system) = system_of(kind) else {
            return Err(EvalError::UnsupportedSubject(kind));
        };
        let provincial = ProvincialGrade::of(req)?;
        let as_of = req.as_of_date()?;
        let violations = req.count("research_violations_3y")?;
        let ethics = req.opt_flag("ethics_review_compliant")?.unwrap_or(false);
        let overdue = overdue_acceptances(req, as_of)?;
        let failed = req.opt_count("failed_acceptances_3y")?.unwrap_or(0.0);
        let outputs = req.count("outputs_3y")?;
        let awards = req.opt_count("science_awards_5y")?.unwrap_or(0.0);

        // Read (and check) every misconduct finding before scoring.
        let mut findings: Vec<(&str, Date)> = Vec::new();
        for ev in req.events("misconduct_finding") {
            let Value::Text(what) = &ev.value else {
                return Err(EvalError::InvalidIndicator(
                    "misconduct_finding: expected a text (fabrication, falsification or plagiarism)"
                        .into(),
                ));
            };
            let Some(&what) = MISCONDUCT_KINDS.iter().find(|k| *k == what) else {
                return Err(EvalError::InvalidIndicator(format!(
                    "misconduct_finding: '{what}' is not one of fabrication, falsification, plagiarism"
                )));
            };
            let on = observed_on(ev)?;
            if MISCONDUCT_WINDOW.covers(on, as_of) {
                findings.push((what, on));
            }
        }

        let who = system.chinese;
        let mut card = Scorecard::new(0, 100_000);
        card.add_base_share(
            req.base.score,
            BASE_WEIGHT_BP,
            "public credit: 30 % of the provincial public credit score (0–1000 → 0–300)",
        );
        card.add_points_of(
            "research_violations_3y",
            deduct(200.0, system.per_violation, violations),
            200.0,
            &format!(
                "research compliance: {violations} violation(s) in 3 years, {} points each ({who})",
                system.per_violation
            ),
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
        let n_overdue = overdue.count();
        card.add_points_of(
            "overdue_acceptances_2y",
            deduct(100.0, system.per_overdue, n_overdue),
            100.0,
            &format!(
                "research performance: {n_overdue} project(s) not submitted for acceptance or not \
                 accepted in time within 2 years, {} points each ({who})",
                system.per_overdue
            ),
        );
        card.add_points_of(
            "failed_acceptances_3y",
            deduct(100.0, system.per_failed, failed),
            100.0,
            &format!(
                "research performance: {failed} project(s) failed acceptance in 3 years, {} points \
                 each ({who})",
                system.per_failed
            ),
        );
        card.add_points_of(
            "outputs_3y",
            (outputs * system.per_output).min(100.0),
            100.0,
            &format!(
                "research effectiveness: {outputs} paper(s)/patent(s)/standard(s) in 3 years, {} each \
                 ({who})",
                system.per_output
            ),
        );
        card.add_points_of(
            "science_awards_5y",
            (awards * system.per_award).min(100.0),
            100.0,
            &format!(
                "research effectiveness: {awards} science award(s) in 5 years, {} each ({who})",
                system.per_award
            ),
        );

        // What the source states as prohibitions, whatever the points:
        // refused, then suspended, then key supervision.
        let by_points = bands().grade_for(card.total()).to_string();
        let score_note = format!(
            "by points alone {} ({by_points})",
            format_points(card.total())
        );
        let black: Vec<&str> = req.lists_with("black:").collect();
        let mut bad_records: Vec<String> = Vec::new();
        if !black.is_empty() {
            bad_records.push(format!(
                "on a serious-untrust list (严重失信名单): {}",
                black.join(", ")
            ));
        }
        for (what, on) in &findings {
            bad_records.push(format!(
                "a research misconduct finding ({what}) of {on}, a bad record through {}",
                MISCONDUCT_WINDOW.last_day(*on)
            ));
        }
        let suspended = n_overdue > 0.0;
        let mut forced: Option<&str> = None;
        if !bad_records.is_empty() {
            forced = Some(REFUSED);
            card.reason(format!(
                "refused (拒绝申报): a bad credit record (不良信用记录) — {} — so it may not apply for \
                 science plan projects, whatever the points (对有不良信用记录的拒绝申报, L1105); {score_note}",
                bad_records.join("; ")
            ));
            if !black.is_empty() {
                card.reason(
                    "key supervision (重点监管对象): a subject on a serious-untrust list is supervised \
                     more strictly (L68)",
                );
            }
        }
        if suspended {
            let why = match &overdue {
                Overdue::Dated(v) => {
                    let listed: Vec<String> = v
                        .iter()
                        .map(|(p, on, last)| {
                            format!("{p} recorded on {on}, suspended through {last}")
                        })
                        .collect();
                    format!("{} overdue acceptance(s) ({})", v.len(), listed.join("; "))
                }
                Overdue::Counted(n) => format!(
                    "{n} overdue acceptance(s) counted within the last 2 years (no dates given, so the \
                     last day of the suspension is not known)"
                ),
            };
            let text = format!(
                "suspended (暂停申报): {why}: it may not apply for provincial science plan projects for 2 \
                 years, whatever the points (在规定期限内未提交验收申请或完成验收工作，2年内暂停项目申请人\
                 申报省级科技计划项目, L1105)"
            );
            if forced.is_none() {
                forced = Some(SUSPENDED);
                card.reason(format!("{text}; {score_note}"));
            } else {
                card.reason(text);
            }
        }
        if provincial.is_poor() {
            let text = format!(
                "key supervision (重点监管对象): provincial public credit grade {provincial}: more \
                 frequent spot checks and strict management (公共信用评价等级较差…纳入重点监管对象, L68)"
            );
            if forced.is_none() {
                forced = Some(KEY_SUPERVISION);
                card.reason(format!("{text}; {score_note}"));
            } else {
                card.reason(text);
            }
        }
        let mut e = card.finish(&bands());
        if let Some(grade) = forced {
            e.grade = grade.to_string();
        }
        Ok(e)
    }
}

export_model!(ScienceIntegrity);

#[cfg(test)]
mod tests;
