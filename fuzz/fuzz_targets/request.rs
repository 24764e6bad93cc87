//! `request`: the JSON score request, as `POST /v1/scores` and
//! `scorehost score --input` decode it, converted for a model and checked
//! against its declaration.
//!
//! Arbitrary bytes must never panic. Properties checked on every input that
//! decodes:
//! - the HTTP path (`serde_json::Value` first) and the CLI path (text
//!   straight into [`ScoreRequest`]) agree whenever both accept;
//! - the wire request round-trips through its JSON;
//! - a request that converts for a model round-trips through
//!   [`ScoreRequest::from_request`] to the same contract request, and the
//!   audit log's borrowed serialisation ([`WireRequestRef`]) is byte for
//!   byte the owned one's;
//! - the check is deterministic, and a request it accepts is accepted again
//!   after the round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scorehost_runtime::contract::{
    GradeBand, IndicatorSpec, ModelInfo, Request, SubjectKind, Value, ValueKind,
};
use scorehost_runtime::wire::{ScoreRequest, WireRequestRef};
use std::sync::OnceLock;

/// Declarations covering every indicator of `examples/requests/*.json`, with
/// every value kind, so that the seeds reach the checks past the decoder.
fn models() -> &'static [ModelInfo] {
    static MODELS: OnceLock<Vec<ModelInfo>> = OnceLock::new();
    MODELS.get_or_init(|| {
        let spec = |name: &str, kind, required| IndicatorSpec {
            name: name.into(),
            description: String::new(),
            kind,
            required,
        };
        let grades = vec![
            GradeBand {
                grade: "A".into(),
                min_score: 80_000,
            },
            GradeBand {
                grade: "B".into(),
                min_score: 60_000,
            },
            GradeBand {
                grade: "C".into(),
                min_score: 0,
            },
        ];
        let model = |name: &str, kinds: Vec<SubjectKind>, indicators| ModelInfo {
            name: name.into(),
            version: "1.0.0".into(),
            title: String::new(),
            subject_kinds: kinds,
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: 3000,
            grades: grades.clone(),
            indicators,
        };
        use ValueKind::{Date, Flag, Number, Text};
        vec![
            model(
                "ningbo/port",
                vec![SubjectKind::Enterprise],
                vec![
                    spec("business_type", Text, true),
                    spec("years_in_operation", Number, true),
                    spec("registered_capital_10k_cny", Number, false),
                    spec("tax_credit_grade", Text, false),
                    spec("overdue_debts", Flag, false),
                    spec("annual_revenue_10k_cny", Number, false),
                    spec("customs_violations_3y", Number, false),
                    spec("aeo_certified", Flag, false),
                    spec("social_insurance_compliant", Flag, false),
                    spec("industry_honours", Number, false),
                ],
            ),
            model(
                "zhejiang/environment",
                vec![SubjectKind::Enterprise, SubjectKind::PublicInstitution],
                vec![
                    spec("administrative_penalty", Text, false),
                    spec("supervised_listing", Text, false),
                    spec("emission_exceedance", Text, false),
                    spec("disclosure_failure", Text, false),
                    spec("licence_expires", Date, false),
                ],
            ),
            model(
                "hangzhou/qianjiang",
                vec![SubjectKind::NaturalPerson],
                vec![
                    spec("age", Number, true),
                    spec("identity_verified", Flag, true),
                    spec("citizen_card_years", Number, false),
                    spec("blood_donations_3y", Number, false),
                    spec("volunteer_hours_1y", Number, false),
                    spec("library_loans_1y", Number, false),
                    spec("campus_fitness_visits_1y", Number, false),
                    spec("public_transport_trips_1y", Number, false),
                    spec("traffic_violations_1y", Number, false),
                    spec("utility_arrears_1y", Number, false),
                    spec("credit_pay_defaults_1y", Number, false),
                    spec("birth_date", Date, false),
                ],
            ),
            model(
                "yiwu/market",
                vec![SubjectKind::Enterprise, SubjectKind::NaturalPerson],
                vec![
                    spec("years_in_market", Number, true),
                    spec("license_valid", Flag, true),
                    spec("verified_complaints_1y", Number, false),
                    spec("counterfeit_cases_5y", Number, false),
                    spec("honours", Number, false),
                    spec("owns_stall_property", Flag, false),
                    spec("market_rule_violations_1y", Number, false),
                    spec("party_member_operator", Flag, false),
                    spec("community_service_events_1y", Number, false),
                    spec("ecommerce_active", Flag, false),
                    spec("own_brand", Flag, false),
                    spec("export_share_pct", Number, false),
                ],
            ),
        ]
    })
}

/// The model a request is for: the one it names, else by its length (so
/// that every declaration sees unnamed requests too).
fn model_for<'a>(models: &'a [ModelInfo], req: &ScoreRequest, len: usize) -> &'a ModelInfo {
    req.model
        .as_deref()
        .and_then(|m| models.iter().find(|i| i.name == m))
        .unwrap_or(&models[len % models.len()])
}

fn check(data: &[u8]) {
    // The CLI: the file's text straight into the wire struct.
    let cli = std::str::from_utf8(data)
        .ok()
        .map(serde_json::from_str::<ScoreRequest>);
    // The HTTP API: a JSON value first (to see whether `base` is given),
    // then the wire struct from that value.
    let Ok(raw) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let _ = raw.get("base").is_none();
    let _ = raw.pointer("/subject/id").and_then(|v| v.as_str());
    let api = serde_json::from_value::<ScoreRequest>(raw);
    let wire = match (cli, api) {
        (Some(Ok(a)), Ok(b)) => {
            assert_eq!(
                a, b,
                "the CLI and the HTTP API decode the same text differently"
            );
            a
        }
        // The value path forgets duplicate keys, so it may accept more.
        (_, Ok(b)) => b,
        (Some(Ok(a)), Err(e)) => panic!("the CLI accepts what the HTTP API refuses: {e}; {a:?}"),
        (_, Err(_)) => return,
    };

    // The wire request round-trips through its own JSON.
    let text = serde_json::to_string(&wire).expect("a decoded request serialises");
    let back: ScoreRequest = serde_json::from_str(&text).expect("its own JSON decodes");
    assert_eq!(back, wire, "the wire request does not round-trip: {text}");

    let models = models();
    let info = model_for(models, &wire, data.len());
    let converted = wire.convert(info);
    let checked = wire.to_request(info);
    match (&converted, &checked) {
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Ok(_), Err(e)) => {
            // Only the check may refuse what converts, as a bad request (a
            // missing required indicator is its own typed variant, with the
            // same code); it must say so the same way twice.
            assert_eq!(e.code(), "bad_request", "{e:?}");
            let again = wire.to_request(info).unwrap_err();
            assert_eq!(again.to_string(), e.to_string());
        }
        (Err(e), Ok(_)) => panic!("the check accepts what does not convert: {e}"),
    }
    let Ok(req) = converted else {
        let e = converted.unwrap_err();
        assert_eq!(e.code(), "bad_request", "{e:?}");
        return;
    };
    round_trip(info, &wire, &req, checked.is_ok());
}

/// A converted request survives the wire form unchanged, and the audit log's
/// borrowed serialisation equals the owned one.
fn round_trip(info: &ModelInfo, wire: &ScoreRequest, req: &Request, accepted: bool) {
    let owned = ScoreRequest::from_request(wire.model.clone(), req);
    let again = owned
        .convert(info)
        .unwrap_or_else(|e| panic!("the wire form of a converted request does not convert: {e}"));
    assert_eq!(&again, req, "a converted request does not round-trip");
    if accepted {
        scorehost_runtime::validate::check_request(info, &again)
            .expect("a request accepted once is accepted after a round trip");
    }
    let owned_json = serde_json::to_string(&owned).expect("serialises");
    let borrowed_json = serde_json::to_string(&WireRequestRef::new(wire.model.as_deref(), req))
        .expect("serialises");
    assert_eq!(
        owned_json, borrowed_json,
        "the audit log's serialisation differs from the wire form"
    );
    // What the audit log stores reads back as the same request.
    let stored: ScoreRequest =
        serde_json::from_str(&borrowed_json).expect("the stored input decodes");
    assert_eq!(stored.convert(info).as_ref().ok(), Some(req));
    for ind in &req.indicators {
        if let Value::Number(n) = ind.value {
            assert!(n.is_finite());
        }
    }
}

fuzz_target!(|data: &[u8]| check(data));
